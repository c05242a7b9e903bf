"""An organisation as the data shows it: every party of every process that carries its
identifier (docs/organisations.md). Parties are never merged on a name: those without an
identifier whose names are alike are offered as candidates, with a score, for a person to
confirm."""

from dataclasses import asdict
from datetime import date

from openbook.standards import organisation_names
from openbook.standards.identifiers import SCHEMES, check_party_id
from openbook.standards.registers import debarment
from openbook.store import commercial_tools, ownership, parties, registers
from openbook.store.database import Store

MAX_LIMIT = 100


class InvalidIdentifier(Exception):
    """The identifier asked for is none its register could have issued; the message says why."""


def organisation(
    store: Store, text: str, *, before: int | None = None, limit: int = 20
) -> dict | None:
    """The organisation an identifier names, with its names over time, roles, awarded totals,
    what the registers hold of it, a page of its processes and candidate unidentified parties;
    None if neither a process nor an entered register names it. ``text`` is SCHEME-ID in any
    form the check accepts (it is normalised first)."""
    checked = check_party_id(text)
    if checked.identifier is None:
        raise InvalidIdentifier(checked.message)
    identifier = str(checked.identifier)
    count = parties.process_count(store, identifier)
    named = in_registers(store, identifier)
    if not count and not any(named[name] for name in ENTERED):
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
        name: [_entry_outline(entry) for entry in registers.naming(store, name, [identifier])]
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
    return found


def _entry_outline(entry: registers.Entry) -> dict:
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
