"""The registers' pages: a list of every register, each register's entries (paged, filtered by
the parameters its API takes), and an entry with its history where the API has one
(docs/registers.md, docs/pipeline.md, docs/commercial-tools.md,
docs/contract-performance.md). They read through the use cases the API's views call
(openbook.web.api.registers, .commercial_tools, .pipeline, .contract_performance), and check
the parameters with the API's own readers (openbook.web.api.params), so that a page and its API
refuse the same questions."""

import re
from collections.abc import Callable
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import commercial_tools, contract_performance, pipeline, registers
from openbook.search import cpv_prefix
from openbook.store import registers as stored
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import ApiError
from openbook.web.downloads import read_snapshot
from openbook.web.pages import errors, i18n
from openbook.web.pages.errors import Problem
from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page
from openbook.web.pages.summaries import in_language

# The registers people enter (openbook.registers) and those derived from the processes.
ENTERED = ("debarment", "complaints", "challenges", "suppliers")
DERIVED = ("commercial-tools", "pipeline", "performance")
CODES = ENTERED + DERIVED
BY_OCID = ("complaints", "challenges")
PAGE_SIZE = {"entered": 50, "derived": 20}
CALL_OFFS_SHOWN = 50
_OCID = re.compile(r"ocds-[a-z0-9]{6}-\S{1,200}")
_SUPPLIER_NUMBER = re.compile(r"GB-OPENBOOK-[1-9A-Z]{4}-[1-9A-Z]{4}-[1-9A-Z]")
_CPV = re.compile(r"\d{2,8}(?:-\d)?")
LONGEST = 300


def about() -> dict[str, dict[str, str]]:
    """Each register's name and what it is, in the reader's language."""
    return {
        "debarment": {
            "title": _("Central debarment list"),
            "about": _(
                "Suppliers a Minister has put on the list as excluded or excludable from public "
                "contracts (Procurement Act 2023, section 62), with the ground, the decision and "
                "when it applies."
            ),
        },
        "complaints": {
            "title": _("Complaints"),
            "about": _(
                "Complaints about a procurement made to the contracting authority or a review "
                "body, with where each stands and how it ended."
            ),
        },
        "challenges": {
            "title": _("Legal challenges"),
            "about": _(
                "Claims brought before a court about a procurement (Procurement Act 2023, Part "
                "9), with any suspension of the contract award and the judgment."
            ),
        },
        "suppliers": {
            "title": _("Registered suppliers"),
            "about": _(
                "Suppliers registered with this service, each with its supplier number and its "
                "public details. Contacts and connected persons are private and not shown."
            ),
        },
        "commercial-tools": {
            "title": _("Frameworks and dynamic markets"),
            "about": _(
                "Frameworks and dynamic markets, with their lots, the suppliers on them and the "
                "contracts called off from them."
            ),
        },
        "pipeline": {
            "title": _("Procurement pipeline"),
            "about": _(
                "Planned procurements from pipeline and planning notices: when each tender was "
                "expected, and whether it was published."
            ),
        },
        "performance": {
            "title": _("Contract performance"),
            "about": _(
                "Contracts' key performance indicators and their ratings, performance failures "
                "and penalties, and terminations."
            ),
        },
    }


def links(code: str) -> dict[str, str]:
    return {
        "page": f"/registers/{code}",
        "api": f"/api/registers/{code}",
        "bulk": f"/downloads/registers/{code}.jsonl.gz",
    }


# The list of registers ------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    return page(request, "pages/registers/index.html", index_context(Store()), title=_("Registers"))


def index_context(store: Store) -> dict:
    """Every register with what it is and how many entries it has: those people enter counted
    as they stand; the derived ones as the latest bulk download counted them (counting them
    afresh would read every process)."""
    described = about()
    derived = _derived_counts()
    found = []
    for code in CODES:
        counted = stored.count(store, code) if code in ENTERED else derived.get(code)
        found.append(
            {
                "code": code,
                **described[code],
                "kind": "entered" if code in ENTERED else "derived",
                "entries": counted,
                "links": links(code),
            }
        )
    return {"registers": found, "countedInDownload": derived.get("generated")}


def _derived_counts() -> dict:
    snapshot = read_snapshot()
    if snapshot is None:
        return {}
    with snapshot:
        manifest = snapshot.manifest
    counts: dict = {"generated": manifest.get("generated")}
    for entry in manifest.get("derivedRegisters") or []:
        name = str(entry.get("name", ""))
        if name.startswith("registers/") and isinstance(entry.get("count"), int):
            counts[name.removeprefix("registers/").removesuffix(".jsonl.gz")] = entry["count"]
    return counts


# One register ---------------------------------------------------------------------------


@require_safe
def register_page(request: HttpRequest, code: str) -> HttpResponse:
    if code not in CODES:
        return errors.answer(request, errors.PageError(404, _("Page not found")))
    try:
        context = register_context(Store(), code, request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(request, "pages/registers/register.html", context, title=context["title"])


def register_context(store: Store, code: str, query) -> dict:
    filters = _filters(code, query)
    given = {field["name"]: field["value"] for field in filters if field["value"]}
    before = _text(query, "before", 40)
    if code in ENTERED:
        found = _entered(store, code, given, before)
    else:
        found = _checked(lambda: _DERIVED[code](store, given, before))
        in_language(store, found["entries"])
    return {
        "code": code,
        **about()[code],
        "kind": "entered" if code in ENTERED else "derived",
        "links": links(code),
        "filters": filters,
        "query": given,
        "before": before,
        "entries": found["entries"],
        "next": found["next"],
        "labels": code_labels(),
    }


def _filters(code: str, query) -> list[dict]:
    """The register's filters, as its API names them, each with the value asked for."""
    statuses = registers.register(code).statuses if code in ENTERED else ()
    if code in ENTERED:
        fields = [
            _field("organisation", _("Organisation identifier"), _identifier_hint()),
            _field("status", _("Status"), options=statuses),
            _field(
                "in_force_on",
                _("In force on"),
                _("A date written YYYY-MM-DD, or today: the entries whose period covers it"),
            ),
        ]
        if code in BY_OCID:
            fields.append(_field("ocid", _("Process (ocid)"), _("For example ocds-b5fd17-1234")))
    elif code == "commercial-tools":
        fields = [
            _field("q", _("Words in the title")),
            _field("kind", _("Kind"), options=commercial_tools.KINDS),
            _field("status", _("Status"), options=commercial_tools.STATUSES),
            _field("cpv", _("CPV code"), _("A CPV code or its first digits, such as 45 or 4523")),
            _field("buyer", _("Buyer identifier"), _identifier_hint()),
            _field("member", _("Supplier on the tool"), _identifier_hint()),
        ]
    elif code == "pipeline":
        fields = [
            _field("buyer", _("Buyer identifier"), _identifier_hint()),
            _field("cpv", _("CPV codes"), _("CPV codes or their first digits, commas between")),
            _field("expected_from", _("Tender expected from"), _("A date written YYYY-MM-DD")),
            _field("expected_to", _("Tender expected to"), _("A date written YYYY-MM-DD")),
            _field("reached", _("Reached tender"), options=pipeline.REACHED),
        ]
    else:
        fields = [
            _field("supplier", _("Supplier identifier"), _identifier_hint()),
            _field("buyer", _("Buyer identifier"), _identifier_hint()),
            _field(
                "rating",
                _("Rating"),
                options=(*contract_performance.RATINGS, contract_performance.UNRATED),
            ),
            _field("terminated", _("Terminated"), options=("true", "false")),
        ]
    for field in fields:
        field["value"] = _text(query, field["name"], LONGEST)
        if field["options"] and field["value"] and field["value"] not in field["options"]:
            raise errors.bad_request(
                [
                    Problem(
                        field["name"],
                        _(
                            "%(given)s is not one of %(allowed)s",
                            given=repr(field["value"][:40]),
                            allowed=", ".join(field["options"]),
                        ),
                        f"#{field['name']}",
                    )
                ]
            )
    return fields


def code_labels() -> dict[str, str]:
    """The registers' codes (statuses, kinds, ratings) in plain words."""
    return {
        "active": _("Active"),
        "suspended": _("Suspended"),
        "removed": _("Removed"),
        "received": _("Received"),
        "under-review": _("Under review"),
        "closed": _("Closed"),
        "filed": _("Filed"),
        "in-progress": _("In progress"),
        "framework": _("Framework"),
        "dynamic-market": _("Dynamic market"),
        "ended": _("Ended"),
        "yes": _("Yes"),
        "no": _("No"),
        "overdue": _("Overdue"),
        "true": _("Yes"),
        "false": _("No"),
        "met": _("Met"),
        "slightlyBelow": _("Slightly below"),
        "below": _("Below"),
        "significantlyBelow": _("Significantly below"),
        "other": _("Other"),
        "unrated": _("Not rated"),
        "mandatory": _("Mandatory (Schedule 6)"),
        "discretionary": _("Discretionary (Schedule 7)"),
        "terminated": _("Terminated"),
    }


def _field(name: str, label: str, hint: str = "", options: tuple[str, ...] = ()) -> dict:
    return {"name": name, "label": label, "hint": hint, "options": list(options), "value": ""}


def _identifier_hint() -> str:
    return _("Written SCHEME-ID, such as GB-COH-01234567")


def _text(query, name: str, longest: int) -> str:
    """A parameter as given ("" if not), refused if it is too long or holds a NUL."""
    values = query.getlist(name)
    value = values[-1].strip() if values else ""
    if len(value) > longest:
        raise errors.bad_request(
            [
                Problem(
                    name,
                    _(
                        "is %(length)s characters long; at most %(most)s",
                        length=len(value),
                        most=longest,
                    ),
                )
            ]
        )
    if "\x00" in value:
        raise errors.bad_request([Problem(name, _("contains a NUL character"))])
    return value


def _checked(call: Callable[[], dict]) -> dict:
    """The API's checks, answered as this page's 400: the parameter, and why."""
    try:
        return call()
    except ApiError as error:
        parameter = error.parameter or "query"
        message = error.message.removeprefix(f"{parameter}: ")
        raise errors.bad_request([Problem(parameter, message, f"#{parameter}")]) from None
    except commercial_tools.InvalidIdentifier as error:
        # Why, in the reader's language: the identifier check's phrase (docs/welsh.md).
        said = i18n.said(error.phrase)
        raise errors.bad_request([Problem(error.parameter, said, f"#{error.parameter}")]) from None
    except contract_performance.InvalidCursor as error:
        raise errors.bad_request([Problem("before", str(error), "#before")]) from None


def _entered(store: Store, code: str, given: dict, before: str) -> dict:
    kept = registers.register(code)
    ids = _SUPPLIER_NUMBER if code == "suppliers" else re.compile(rf"{kept.prefix}-\d{{6}}")
    if before and not ids.fullmatch(before):
        raise errors.bad_request([Problem("before", _("give the value of the next page's link"))])
    ocid = given.get("ocid")
    if ocid and not _OCID.fullmatch(ocid):
        raise errors.bad_request(
            [
                Problem(
                    "ocid",
                    _("%(given)s is not an ocid (ocds-xxxxxx-...)", given=repr(ocid[:40])),
                    "#ocid",
                )
            ]
        )
    in_force_on = given.get("in_force_on")
    if in_force_on == "today":
        in_force_on = date.today().isoformat()
    elif in_force_on:
        in_force_on = _day("in_force_on", in_force_on)
    limit = PAGE_SIZE["entered"]
    try:
        found = registers.entries(
            store,
            code,
            organisation=given.get("organisation"),
            ocid=ocid,
            status=given.get("status"),
            in_force_on=in_force_on,
            before=before or None,
            limit=limit,
        )
    except registers.InvalidFilter as error:
        parameter, _colon, message = str(error).partition(": ")
        raise errors.bad_request([Problem(parameter, message, f"#{parameter}")]) from None
    return {
        "entries": [registers.described(entry) for entry in found],
        "next": found[-1].entry_id if len(found) == limit else None,
    }


def _day(parameter: str, value: str) -> str:
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise errors.bad_request(
            [
                Problem(
                    parameter,
                    _("%(given)s is not a date: write YYYY-MM-DD", given=repr(value[:40])),
                    f"#{parameter}",
                )
            ]
        ) from None


def _before_number(before: str) -> int | None:
    if not before:
        return None
    if not before.isdigit() or len(before) > 18:
        raise errors.bad_request([Problem("before", _("give the value of the next page's link"))])
    return int(before)


def _tools(store: Store, given: dict, before: str) -> dict:
    cpv = given.get("cpv")
    if cpv and not _CPV.fullmatch(cpv):
        raise errors.bad_request(
            [
                Problem(
                    "cpv",
                    _(
                        "%(given)s is not a CPV code or its first digits (at least two)",
                        given=repr(cpv[:40]),
                    ),
                    "#cpv",
                )
            ]
        )
    found = commercial_tools.register(
        store,
        kind=given.get("kind"),
        status=given.get("status"),
        cpv=cpv_prefix(cpv) if cpv else None,
        buyer=given.get("buyer"),
        member=given.get("member"),
        title=given.get("q"),
        before=_before_number(before),
        limit=PAGE_SIZE["derived"],
    )
    return {"entries": found["page"], "next": found["next"]}


def _pipeline(store: Store, given: dict, before: str) -> dict:
    start = params.instant("expected_from", given.get("expected_from"))
    end = params.instant("expected_to", given.get("expected_to"), upper=True)
    start_text = start.strftime("%Y-%m-%dT%H:%M:%SZ") if start else None
    end_text = end.strftime("%Y-%m-%dT%H:%M:%SZ") if end else None
    params.order_range(start_text, end_text, "expected_from", "expected_to")
    found = pipeline.register(
        store,
        buyer=params.identifier("buyer", given.get("buyer")),
        cpv=params.listed(
            "cpv", given.get("cpv"), r"\d{2,8}", "a CPV code or prefix of 2 to 8 digits"
        ),
        expected_from=start_text,
        expected_to=end_text,
        reached=given.get("reached"),
        before=_before_number(before),
        limit=PAGE_SIZE["derived"],
    )
    return {"entries": found["page"], "next": found["next"]}


def _performance(store: Store, given: dict, before: str) -> dict:
    if before and not contract_performance.CURSOR.fullmatch(before):
        raise errors.bad_request([Problem("before", _("give the value of the next page's link"))])
    found = contract_performance.register(
        store,
        supplier=params.identifier("supplier", given.get("supplier")),
        buyer=params.identifier("buyer", given.get("buyer")),
        rating=given.get("rating"),
        terminated=params.flag("terminated", given.get("terminated")),
        before=before or None,
        limit=PAGE_SIZE["derived"],
    )
    return {"entries": found["page"], "next": found["next"]}


_DERIVED: dict[str, Callable[[Store, dict, str], dict]] = {
    "commercial-tools": _tools,
    "pipeline": _pipeline,
    "performance": _performance,
}


# One entry ------------------------------------------------------------------------------


@require_safe
def entry_page(request: HttpRequest, code: str, key: str) -> HttpResponse:
    try:
        if code in ENTERED:
            context = entry_context(Store(), code, key)
        elif code == "commercial-tools":
            context = tool_context(Store(), key, request.GET)
        else:
            raise errors.PageError(404, _("Page not found"))
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(
        request, f"pages/registers/{context['template']}.html", context, title=context["title"]
    )


def entry_context(store: Store, code: str, key: str) -> dict:
    """An entry as it stands, every version of it in the log, and what the API adds: for a
    supplier, the debarment entries naming it; for a debarment, the awards made meanwhile."""
    try:
        found = registers.entry(store, code, key[:LONGEST])
    except registers.UnknownEntry:
        raise errors.PageError(404, _("Page not found")) from None
    entry = registers.described(found)
    context = {
        "template": "entry",
        "code": code,
        "register": {**about()[code], "links": links(code)},
        "title": _(
            "%(register)s: %(entry)s", register=about()[code]["title"], entry=found.entry_id
        ),
        "entry": entry,
        "fields": fields_of(entry),
        "versions": registers.versions(store, code, found.entry_id),
        "api": f"/api/registers/{code}/{found.entry_id}",
    }
    if code == "suppliers":
        listed = stored.naming(store, "debarment", found.organisations)
        context["debarment"] = [registers.described(each) for each in listed]
    if code == "debarment":
        awards = stored.excluded_awards(store, entry_ids=[found.entry_id], limit=1000)
        context["excludedAwards"] = [award.as_dict() for award in awards]
    return context


# The fields of an entry that the page shows apart (in its heading or not at all: "private" is
# the salted hash of a supplier's private part, the API's to give).
_SHOWN_APART = {"id", "register", "version", "created", "updated", "seq", "private", "inForce"}


def fields_of(entry: dict) -> list[dict]:
    """An entry's fields as rows of a summary list, each with its label in the reader's
    language; a field holding an object or a list of them becomes rows of its own."""
    labels = field_labels()
    return [
        _row(name, value, labels)
        for name, value in entry.items()
        if name not in _SHOWN_APART and value not in (None, "", [], {})
    ]


def _row(name: str, value: object, labels: dict[str, str]) -> dict:
    label = labels.get(name, name)
    if isinstance(value, dict):
        return {
            "label": label,
            "rows": [_row(k, v, labels) for k, v in value.items() if v not in (None, "", [], {})],
        }
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return {
            "label": label,
            "list": [
                [_row(k, v, labels) for k, v in item.items() if v not in (None, "", [], {})]
                for item in value
            ],
        }
    if isinstance(value, list):
        return {"label": label, "text": ", ".join(str(item) for item in value)}
    if isinstance(value, bool):
        return {"label": label, "text": _("Yes") if value else _("No")}
    return {
        "label": label,
        "text": str(value),
        "url": str(value) if name in ("url", "website") else None,
        "process": name == "ocid",
    }


def field_labels() -> dict[str, str]:
    """The registers' field names (docs/registers.md, docs/suppliers.md) in plain words."""
    return {
        "supplier": _("Supplier"),
        "identifier": _("Identifier"),
        "identifiers": _("Identifiers"),
        "selfDeclared": _("Identifiers it declared itself, not yet verified"),
        "name": _("Name"),
        "ground": _("Exclusion ground"),
        "type": _("Type"),
        "reference": _("Reference"),
        "description": _("Description"),
        "decisionDate": _("Decided on"),
        "startDate": _("Applies from"),
        "endDate": _("Applies until"),
        "status": _("Status"),
        "review": _("Review or application"),
        "outcome": _("Outcome"),
        "date": _("Date"),
        "body": _("Decided by"),
        "summary": _("Summary"),
        "documents": _("Documents"),
        "title": _("Title"),
        "url": _("Address"),
        "ocid": _("Process (ocid)"),
        "lot": _("Lot"),
        "parties": _("Parties"),
        "role": _("Role"),
        "grounds": _("Grounds"),
        "reviewBody": _("Considered by"),
        "receivedDate": _("Received on"),
        "closedDate": _("Closed on"),
        "court": _("Court"),
        "caseNumber": _("Claim number"),
        "filedDate": _("Filed on"),
        "automaticSuspension": _("Award suspended automatically"),
        "suspensionLiftedDate": _("Suspension lifted on"),
        "judgmentDate": _("Judgment on"),
        "legalName": _("Legal name"),
        "otherNames": _("Other names"),
        "address": _("Registered address"),
        "streetAddress": _("Street"),
        "locality": _("Town or city"),
        "region": _("County or region"),
        "postalCode": _("Postcode"),
        "countryName": _("Country"),
        "sme": _("Small or medium-sized enterprise"),
        "vcse": _("Voluntary, community or social enterprise"),
        "website": _("Website"),
    }


def tool_context(store: Store, ocid: str, query) -> dict:
    """A framework or dynamic market with its lineage, and a page of its call-offs."""
    if len(ocid) > LONGEST or "\x00" in ocid:
        raise errors.PageError(404, _("Page not found"))
    before = _before_number(_text(query, "before", 20))
    try:
        found = commercial_tools.lineage(store, ocid, before=before, limit=CALL_OFFS_SHOWN)
    except commercial_tools.NotATool:
        raise errors.PageError(404, _("Page not found")) from None
    if found is None:
        raise errors.PageError(404, _("Page not found"))
    return {
        "template": "tool",
        "code": "commercial-tools",
        "register": {**about()["commercial-tools"], "links": links("commercial-tools")},
        "title": found["title"] or found["ocid"],
        "tool": found,
        "before": before,
        "api": f"/api/registers/commercial-tools/{ocid}",
    }
