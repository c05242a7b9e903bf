"""A contracting process's page (/processes/<ocid>): its lifecycle as a timeline, its parties,
its notices in log order with their place in the verifiable log, the red flags and failed
data-quality checks raised on it, how it counts in each milestone, and its change history.

Read from the process's record package (openbook.records.record_package: the compiled and the
versioned release), its log entries (openbook.feed.process_items: each release's seq and leaf
hash), its metric items (openbook.metrics.process_items) and the latest signed tree head
(openbook.transparency). Every list is capped: a process with thousands of releases, documents
or changes shows the first of them and links to the API for the rest."""

from urllib.parse import quote

import orjson
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import feed, metrics, records, transparency
from openbook.standards.identifiers import check_party_id
from openbook.standards.metrics.computation import FLAG_PREFIX, QUALITY_PREFIX
from openbook.standards.ocds import changes, lifecycle
from openbook.standards.ocds.shapes import as_dict, dicts, text
from openbook.store.database import Store
from openbook.store.feed import FeedItem
from openbook.web.pages import errors, i18n
from openbook.web.pages import processes_words as words
from openbook.web.pages import spend as spend_pages
from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page

# An ocid longer than this is none the log could hold (the loader refuses longer identifiers).
MAX_OCID = 300
MAX_EVENTS = 100
MAX_DOCUMENTS = 20  # an event's documents shown
MAX_LOTS = 50
MAX_PARTIES = 100
MAX_RELEASES = 100  # the newest shown
MAX_CHANGED_RELEASES = 50
MAX_CHANGES = 50  # a release's changes shown
MAX_ITEMS = 100  # a family's metric items shown
MAX_VALUE_TEXT = 300  # a changed value longer than this is cut


@require_safe
def process(request: HttpRequest, ocid: str) -> HttpResponse:
    try:
        found = context(Store(), ocid)
    except errors.PageError as error:
        return errors.answer(request, error)
    title = found["title"]["text"] if found["title"] else ocid
    return page(request, "pages/process.html", found, title=title)


def context(store: Store, ocid: str) -> dict:
    """The page's one context: raises PageError 404 for an ocid the log has no release of."""
    if len(ocid) > MAX_OCID or not feed.storable(ocid):
        raise errors.PageError(404, _("Page not found"))
    package = records.record_package(store, ocid, uri=f"/api/ocds/records/{quote(ocid, safe='')}")
    if package is None:
        raise errors.PageError(404, _("Page not found"))
    record = package["records"][0]
    compiled = as_dict(record.get("compiledRelease"))
    releases = dicts(record.get("releases"))
    tender = as_dict(compiled.get("tender"))
    parties = _parties(compiled)
    head = transparency.latest_tree_head(store)
    encoded = quote(ocid, safe="")
    shown = _releases(store, ocid, record, head)
    return {
        "ocid": ocid,
        "title": _title(compiled),
        "description": lifecycle.words(tender, "description", i18n.localised),
        "buyer": _buyer(compiled, parties),
        "compileError": record.get("x_openbook_compileError"),
        "timeline": _timeline(compiled, releases, parties),
        "parties": {"items": parties[:MAX_PARTIES], "total": len(parties)},
        "releases": shown,
        "metrics": _metrics(store, ocid),
        "changes": _changes(record.get("versionedRelease")),
        "log": _log(store, head, shown["items"]),
        "spend": spend_pages.contract_section(store, ocid),  # what has been paid
        "links": {
            "recordPackage": f"/api/ocds/records/{encoded}",
            "metrics": f"/api/metrics/processes/{encoded}",
            "treeHead": "/api/log/tree-head",
            "verify": "/verify",
        },
    }


def _title(compiled: dict) -> dict | None:
    tender = as_dict(compiled.get("tender"))
    for holder in [tender, *dicts(compiled.get("awards")), *dicts(compiled.get("contracts"))]:
        found = lifecycle.words(holder, "title", i18n.localised)
        if found:
            return found
    return None


def organisation_href(identifier: str | None) -> str | None:
    return f"/organisations/{quote(identifier, safe='')}" if identifier else None


def _identifier(party: dict) -> str | None:
    """The party's organisation identifier (SCHEME-ID) where it gives a well-formed one."""
    given = as_dict(party.get("identifier"))
    scheme, number = text(given.get("scheme")), text(given.get("id"))
    for candidate in (f"{scheme}-{number}" if scheme and number else "", text(party.get("id"))):
        if candidate:
            checked = check_party_id(candidate)
            if checked.identifier is not None:
                return str(checked.identifier)
    return None


def _parties(compiled: dict) -> list[dict]:
    found = []
    for party in dicts(compiled.get("parties")):
        identifier = _identifier(party)
        roles = [role for role in party.get("roles") or [] if isinstance(role, str)]
        found.append(
            {
                "id": text(party.get("id")) or None,
                "name": text(party.get("name")) or None,
                "roles": roles,
                "roleNames": [words.role_name(role) for role in roles],
                "identifier": identifier,
                "href": organisation_href(identifier),
            }
        )
    return found


def _buyer(compiled: dict, parties: list[dict]) -> dict | None:
    buyer = as_dict(compiled.get("buyer"))
    if not buyer:
        return None
    party = next((p for p in parties if p["id"] and p["id"] == text(buyer.get("id"))), None)
    return {
        "id": text(buyer.get("id")) or None,
        "name": text(buyer.get("name")) or (party["name"] if party else None),
        "href": party["href"] if party else None,
    }


def _timeline(compiled: dict, releases: list[dict], parties: list[dict]) -> dict:
    events = lifecycle.timeline(compiled, releases, i18n.localised)
    links = {party["id"]: party["href"] for party in parties if party["id"]}
    shown = []
    for given in events[:MAX_EVENTS]:
        documents = given["documents"]
        event = {
            **given,
            "documents": [_document(document) for document in documents[:MAX_DOCUMENTS]],
            "moreDocuments": max(0, len(documents) - MAX_DOCUMENTS),
            "statusName": words.status_name(given.get("status")),
        }
        if event["stage"] == "tender":
            event["procurementMethodName"] = words.method_name(event["procurementMethod"])
            event["moreLots"] = max(0, len(event["lots"]) - MAX_LOTS)
            event["lots"] = [
                {**lot, "statusName": words.status_name(lot["status"])}
                for lot in event["lots"][:MAX_LOTS]
            ]
        if event["stage"] == "award":
            event["suppliers"] = [
                {**supplier, "href": links.get(supplier["id"])} for supplier in event["suppliers"]
            ]
        if event["stage"] == "implementation":
            event["ratings"] = [
                {**rating, "ratingName": words.rating_name(rating["rating"])}
                for rating in event["ratings"]
            ]
        shown.append(event)
    return {"events": shown, "total": len(events)}


def _document(document: dict) -> dict:
    return {**document, "noticeName": words.notice_name(document["noticeType"])}


def _releases(store: Store, ocid: str, record: dict, head: dict | None) -> dict:
    """The newest releases in log order, each with its log entry (seq, leaf hash), a link to
    it in the API and to its inclusion proof in the latest signed tree."""
    entries = feed.process_items(store, ocid)
    withdrawn = {mark.get("sequence") for mark in dicts(record.get("x_openbook_withdrawn"))}
    size = head["treeSize"] if head else 0
    shown = []
    for item in entries[-MAX_RELEASES:]:
        shown.append(_release(ocid, item, item.seq in withdrawn, size))
    return {"items": shown, "total": len(entries), "earlier": max(0, len(entries) - len(shown))}


def _release(ocid: str, item: FeedItem, withdrawn: bool, size: int) -> dict:
    body = orjson.loads(item.body) if item.body is not None else {}
    body = body if isinstance(body, dict) else {}
    release_id = text(body.get("id"))
    notices = sorted(
        {
            document["noticeType"]
            for holder in [
                as_dict(body.get("planning")),
                as_dict(body.get("tender")),
                *dicts(body.get("awards")),
                *dicts(body.get("contracts")),
            ]
            for document in lifecycle.documents_of(holder, lifecycle.as_given)
            if document["noticeType"]
        }
    )
    tags = [tag for tag in body.get("tag") or [] if isinstance(tag, str)]
    return {
        "id": release_id or None,
        "tag": tags,
        "date": text(body.get("date")) or None,
        "noticeTypes": [{"code": code, "name": words.notice_name(code)} for code in notices],
        "seq": item.seq,
        "logTime": item.log_time,
        "leafHash": item.leaf_hash,
        "withdrawn": withdrawn,
        "redacted": item.body is None,
        "href": f"/api/ocds/releases/{quote(ocid, safe='')}/{quote(release_id, safe='')}"
        if release_id and item.body is not None
        else None,
        "proof": f"/api/log/proof/inclusion?sequence={item.seq}&tree_size={size}"
        if item.seq < size
        else None,
    }


def _log(store: Store, head: dict | None, releases: list[dict]) -> dict:
    """The latest signed tree head, and in full the inclusion proof of the newest release it
    covers (each release links to its own)."""
    if head is None:
        return {"treeHead": None, "proof": None}
    covered = [release for release in releases if release["proof"]]
    proof = None
    if covered:
        try:
            proof = transparency.inclusion_proof(store, covered[-1]["seq"], head["treeSize"])
        except transparency.TransparencyError:
            proof = None  # a damaged stored tree: the proof links answer 503 and say why
    return {
        "treeHead": {
            "treeSize": head["treeSize"],
            "rootHash": head["rootHash"],
            "timestamp": head["timestamp"],
            "keyId": head["keyId"],
        },
        "proof": {**proof, "href": covered[-1]["proof"]} if proof else None,
    }


def _metrics(store: Store, ocid: str) -> dict:
    """The red flags raised on the process, its failed data-quality checks and how it counts in
    each milestone; ``computed`` False before the first metrics run."""
    run = metrics.overview(store)["run"]
    if run is None:
        return {"computed": False, "run": None, "flags": [], "quality": [], "milestones": []}
    items = metrics.process_items(store, ocid)["items"]
    flags = [i for i in items if i["metric"].startswith(FLAG_PREFIX) and i["outcome"] == "against"]
    quality = [
        i for i in items if i["metric"].startswith(QUALITY_PREFIX) and i["outcome"] == "against"
    ]
    counted = [i for i in items if not i["metric"].startswith((FLAG_PREFIX, QUALITY_PREFIX))]
    return {
        "computed": True,
        "run": {"asOf": run["asOf"], "computed": run["computed"], "logSize": run["logSize"]},
        "flags": [_flag(item) for item in flags[:MAX_ITEMS]],
        "moreFlags": max(0, len(flags) - MAX_ITEMS),
        "quality": [_quality(item) for item in quality[:MAX_ITEMS]],
        "moreQuality": max(0, len(quality) - MAX_ITEMS),
        "milestones": [_counted(item) for item in counted[:MAX_ITEMS]],
        "moreMilestones": max(0, len(counted) - MAX_ITEMS),
    }


def _flag(item: dict) -> dict:
    flag = item["metric"].removeprefix(FLAG_PREFIX)
    detail = as_dict(item["detail"])
    known = metrics.METRICS.get(item["metric"])
    return {
        "flag": flag,
        "title": known.title if known else flag,
        "explanation": words.flag_explanation(flag),
        "detail": text(detail.get("detail")) or None,
        "numbers": [
            {"name": name, "value": value}
            for name, value in as_dict(detail.get("values")).items()
            if value is not None and not isinstance(value, dict | list)
        ],
        "release": text(detail.get("release")) or None,
        "day": item["day"],
        "href": f"/metrics/{quote(item['metric'], safe=':')}",
    }


def _quality(item: dict) -> dict:
    check = item["metric"].removeprefix(QUALITY_PREFIX)
    detail = as_dict(item["detail"])
    known = metrics.METRICS.get(item["metric"])
    return {
        "check": check,
        "title": known.title.removeprefix("Data quality: ") if known else check,
        "detail": text(detail.get("detail")) or None,
        "path": text(detail.get("path")) or None,
        "release": text(detail.get("release")) or None,
        "day": item["day"],
    }


def _counted(item: dict) -> dict:
    detail = as_dict(item["detail"])
    known = metrics.METRICS.get(item["metric"])
    return {
        "metric": item["metric"],
        "title": words.milestone_title(item["metric"]) or (known.title if known else None),
        "item": item["item"] or None,
        "day": item["day"],
        "outcome": item["outcome"],
        "outcomeName": words.outcome_name(item["outcome"]),
        "reason": text(detail.get("reason") or detail.get("status")) or None,
    }


def _changes(versioned: object) -> dict:
    """The change history, grouped by the release that made each change."""
    if not isinstance(versioned, dict):
        return {"releases": [], "total": 0, "moreReleases": 0}
    found = list(changes.history(versioned))
    groups = changes.by_release(found)
    return {
        "releases": [
            {
                "id": group.release_id,
                "date": group.release_date,
                "tag": list(group.release_tag),
                "changes": [_change(change) for change in group.changes[:MAX_CHANGES]],
                "more": max(0, len(group.changes) - MAX_CHANGES),
            }
            for group in groups[:MAX_CHANGED_RELEASES]
        ],
        "total": len(found),
        "moreReleases": max(0, len(groups) - MAX_CHANGED_RELEASES),
    }


def _change(change: changes.Change) -> dict:
    arrays = [part.partition("[")[0] for part in change.path.split(".") if "[id=" in part]
    return {
        "path": change.path,
        "field": change.field,
        "label": words.field_name(change.field),
        "where": [
            words.member_name(array, member)
            for array, member in zip(arrays, change.ids, strict=False)
        ],
        "before": _shown(change.before),
        "after": _shown(change.after),
        "money": change.field.endswith((".amount", ".amountGross")),
        "date": change.field.rsplit(".", 1)[-1].lower().endswith("date"),
    }


def _shown(value: object) -> object:
    """A changed value as the page shows it: scalars as they are, others as JSON, cut short."""
    if value is None or isinstance(value, bool | int | float):
        return value
    written = value if isinstance(value, str) else orjson.dumps(value).decode()
    return written if len(written) <= MAX_VALUE_TEXT else written[:MAX_VALUE_TEXT] + "…"
