"""An organisation as the data shows it: every party of every process that carries its
identifier (docs/organisations.md). Parties are never merged on a name: those without an
identifier whose names are alike are offered as candidates, with a score, for a person to
confirm."""

from dataclasses import asdict
from datetime import date

from openbook import metrics
from openbook.standards import organisation_names
from openbook.standards.identifiers import SCHEMES, Phrase, check_party_id
from openbook.standards.metrics import figures as periods
from openbook.standards.metrics.computation import PUBLISHER_PREFIX, QUALITY, QUALITY_PREFIX
from openbook.standards.metrics.milestones import METRICS as MILESTONES
from openbook.standards.registers import debarment
from openbook.standards.registers import suppliers as supplier_entries
from openbook.store import commercial_tools, grants, ownership, parties, publishers, registers
from openbook.store import metrics as stored_metrics
from openbook.store.database import Store

MAX_LIMIT = 100


class InvalidIdentifier(Exception):
    """The identifier asked for is none its register could have issued; the message says why,
    and ``phrase`` too, for a page to say it in its reader's language (None: the text was too
    short a name, and no identifier)."""

    def __init__(self, message: str, phrase: Phrase | None = None) -> None:
        super().__init__(message)
        self.phrase = phrase


def organisation(
    store: Store, text: str, *, before: int | None = None, limit: int = 20
) -> dict | None:
    """The organisation an identifier names, with its names over time, roles, awarded totals,
    what the registers hold of it, a page of its processes and candidate unidentified parties;
    None if no process, entered register or grant names it. ``text`` is SCHEME-ID in any
    form the check accepts (it is normalised first)."""
    checked = check_party_id(text)
    if checked.identifier is None:
        raise InvalidIdentifier(str(checked.message), checked.phrase)
    identifier = str(checked.identifier)
    count = parties.process_count(store, identifier)
    named = in_registers(store, identifier)
    if not count and not any(named[name] for name in ENTERED) and not named["grants"]["received"]:
        return None
    names = parties.names(store, identifier)
    page = parties.processes(store, identifier, before, limit)
    scheme = SCHEMES.get(checked.identifier.scheme)
    return {
        "identifier": identifier,
        "scheme": checked.identifier.scheme,
        "id": checked.identifier.id,
        "registerName": scheme.name if scheme is not None else None,
        "processes": count,
        "roles": parties.role_counts(store, identifier),
        "names": [asdict(name) for name in names],
        "awarded": [
            {"currency": currency, "amount": amount, "processes": processes}
            for currency, amount, processes in parties.awarded(store, identifier)
        ],
        "registers": named,
        "candidates": candidates(store, [name.name for name in names]),
        "page": [
            {
                "ocid": found.ocid,
                "title": found.title,
                "published": found.published,
                "roles": list(found.roles),
                "awarded": None
                if found.awarded_amount is None
                else {"amount": found.awarded_amount, "currency": found.awarded_currency},
            }
            for found in page
        ],
        "next": page[-1].process_id if len(page) == limit else None,
    }


# The registers people enter, as the organisation view lists their entries naming it.
ENTERED = ("suppliers", "debarment", "complaints", "challenges")


def in_registers(store: Store, identifier: str) -> dict:
    """What every register holds of the organisation: the entries naming it in the registers
    people enter (its supplier registration, debarment, complaints and challenges by it or
    about its processes), and where the derived registers list it."""
    found: dict = {
        name: [
            _entry_outline(entry, identifier)
            for entry in registers.naming(store, name, [identifier])
        ]
        for name in ENTERED
    }
    found["commercialTools"] = {
        "memberOf": commercial_tools.memberships(store, identifier),
        "url": f"/api/registers/commercial-tools?member={identifier}",
    }
    found["performance"] = {
        "asSupplier": f"/api/registers/performance/suppliers/{identifier}",
        "asBuyer": f"/api/registers/performance?buyer={identifier}",
    }
    found["pipeline"] = {"asBuyer": f"/api/registers/pipeline?buyer={identifier}"}
    found["ownership"] = {
        "records": ownership.records_identified(store, identifier),
        "url": f"/api/ownership/{identifier}",
    }
    received, names = grants.received(store, identifier)
    found["grants"] = {
        "received": received,
        "recipientNames": names,  # as the grant-makers' files name it
        "url": f"/api/grants?recipient={identifier}&order=newest",
    }
    return found


def _entry_outline(entry: registers.Entry, identifier: str) -> dict:
    outline: dict = {
        "id": entry.entry_id,
        "status": entry.status,
        "url": f"/api/registers/{entry.register}/{entry.entry_id}",
    }
    if entry.ocid is not None:
        outline["ocid"] = entry.ocid
    if entry.register == "debarment":
        outline.update(
            ground=entry.entry["ground"]["type"],
            startDate=entry.start_date,
            endDate=entry.end_date,
            inForce=debarment.in_force(entry.entry, date.today().isoformat()),
        )
    if entry.register == "suppliers":
        outline["legalName"] = entry.entry.get("legalName")
        # whether the supplier's claim to this organisation's identifier is checked
        outline["claim"] = supplier_entries.claim(entry.entry, identifier)
    return outline


def candidates(store: Store, names: list[str], limit: int = 10) -> list[dict]:
    """Parties without an identifier whose names are alike one of these, best first."""
    keys = [key for key in {organisation_names.key(name) for name in names} if key]
    pool = parties.unidentified_names(store, sorted({key.split()[0] for key in keys}))
    written = {key: (name, count) for key, name, count in pool}
    best: dict[str, float] = {}
    for key in keys:
        for found in organisation_names.candidates(key, list(written), limit=limit):
            best[found.key] = max(best.get(found.key, 0.0), found.score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [
        {"name": written[key][0], "parties": written[key][1], "score": score}
        for key, score in ranked
    ]


# The organisation pages (docs/pages.md): finding one, and what it did as buyer and supplier.

# Characters of a name's key an organisation is found by, at least: fewer would match too many.
SHORTEST_NAME = 2


def find(store: Store, text: str, *, after: tuple[str, str] | None = None, limit: int = 20) -> dict:
    """Organisations an identifier or the start of a name finds: the organisation the text
    names as an identifier (SCHEME-ID, normalised first) when a process or register names it;
    else those given a name whose key (openbook.standards.organisation_names) begins with the
    text's, a page at a time (``next`` is given as ``after``), with the parties without an
    identifier whose names are alike (candidates, on the first page). Raises
    ``InvalidIdentifier`` for text that is neither (a name of fewer than SHORTEST_NAME letters
    or digits, and no identifier)."""
    checked = check_party_id(text)
    # Text that starts with a scheme's code was meant as an identifier: why it is none is said.
    meant = any(text.strip().upper().startswith(f"{code}-") for code in SCHEMES)
    problem = checked.message if meant and checked.identifier is None else None
    if checked.identifier is not None and after is None:
        identifier = str(checked.identifier)
        named = in_registers(store, identifier)
        if parties.process_count(store, identifier) or any(named[name] for name in ENTERED):
            known = parties.names(store, identifier)
            return {
                "identifier": identifier,
                "changes": list(checked.changes),
                "problem": None,
                "organisations": [
                    {
                        "identifier": identifier,
                        "name": known[0].name if known else None,
                        "roles": list(parties.role_counts(store, identifier)),
                    }
                ],
                "candidates": [],
                "next": None,
            }
    key = organisation_names.key(text)
    if len(key.replace(" ", "")) < SHORTEST_NAME:
        raise InvalidIdentifier(
            problem
            or f"give a name of at least {SHORTEST_NAME} letters or digits, or an identifier"
            " such as GB-COH-01234567",
            checked.phrase if problem else None,
        )
    found, following = parties.named_starting(store, key, after, limit)
    return {
        "identifier": None,
        "changes": [],
        "problem": problem,
        "organisations": [
            {"identifier": each.identifier, "name": each.name, "roles": list(each.roles)}
            for each in found
        ],
        "candidates": candidates(store, [text]) if after is None else [],
        "next": list(following) if following is not None else None,
    }


def processes_as(
    store: Store, identifier: str, role: str, *, before: int | None = None, limit: int = 20
) -> dict:
    """A page of the processes in which the organisation has ``role`` (buyer, supplier), the
    most recently changed first; ``next`` is given as ``before``. ``identifier`` as
    ``organisation`` gives it (normalised)."""
    page = parties.processes_as(store, identifier, role, before, limit)
    return {
        "page": [
            {
                "ocid": found.ocid,
                "title": found.title,
                "published": found.published,
                "buyer": {"id": found.buyer_id, "name": found.buyer_name},
                "value": None
                if found.value_amount is None
                else {"amount": found.value_amount, "currency": found.value_currency},
                "stage": found.stage,
                "status": found.status,
                "awardDate": found.award_date,
                "awarded": None
                if found.awarded_amount is None
                else {"amount": found.awarded_amount, "currency": found.awarded_currency},
            }
            for found in page
        ],
        "next": page[-1].process_id if len(page) == limit else None,
    }


def awarded_by_year(store: Store, identifier: str) -> list[dict]:
    """The value of the awards naming the organisation as a supplier, per year (of the award
    date) and currency, the earliest year first: never added across currencies."""
    return [
        {"year": year, "currency": currency, "amount": amount, "processes": count}
        for year, currency, amount, count in parties.awarded_by_year(store, identifier)
    ]


def milestones_of(store: Store, subject: str) -> list[dict]:
    """An authority's figures (``subject``: its key, its identifier) for each NAP5 milestone by
    half-year, the newest first, as ``metrics.figures_of`` gives each: the stored figures of a
    metric for one subject are read at once (one indexed query a milestone, not one a period)."""
    found = []
    for metric in MILESTONES.values():
        halves = [
            metrics.figure_dict(figure)
            for figure in stored_metrics.figures(store, metric=metric.id, subject=subject)
            if periods.is_half(figure.period)
        ]
        if halves:
            found.append(
                {
                    "metric": metric.as_dict(),
                    "figures": sorted(halves, key=lambda each: each["period"], reverse=True),
                }
            )
    return found


def quality_of(store: Store, identifier: str) -> dict | None:
    """The data quality of what the organisation published to the platform, if it is a
    publisher: its score by half-year (the newest first) and each check's figure in the newest
    half-year (docs/methods/data-quality.md); None if it is no publisher."""
    checked = check_party_id(identifier)
    if checked.identifier is None:
        return None
    publisher = publishers.organisation_by_identifier(
        store, checked.identifier.scheme, checked.identifier.id
    )
    if publisher is None:
        return None
    subject = f"{PUBLISHER_PREFIX}{publisher.name}"
    scores = sorted(
        (
            metrics.figure_dict(figure)
            for figure in stored_metrics.figures(store, metric=QUALITY, subject=subject)
            if periods.is_half(figure.period)
        ),
        key=lambda each: each["period"],
        reverse=True,
    )
    newest = scores[0]["period"] if scores else None
    checks = (
        stored_metrics.figures(
            store, metric_prefix=QUALITY_PREFIX, subject=subject, periods=[newest]
        )
        if newest is not None
        else []
    )
    return {
        "publisher": publisher.name,
        "subject": subject,
        "scores": scores,
        "checks": [
            {**metrics.figure_dict(figure), "title": metrics.METRICS[figure.metric].title}
            for figure in checks
            if figure.metric in metrics.METRICS
        ],
    }
