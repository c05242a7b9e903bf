"""Payments to suppliers on the debarment list on the day paid (issue 9, item 4; docs/spend.md,
"What users see"): a body's spending matched against the central debarment list
(openbook.registers), by the supplier's name or by the contract the payment is linked to."""

from urllib.parse import quote

from openbook.standards import organisation_names
from openbook.standards.registers import debarment
from openbook.store import registers as stored_registers
from openbook.store import spend_links as stored_links
from openbook.store import spend_views as stored
from openbook.store.database import Store


def payments(store: Store, *, body_key: str | None = None) -> list[tuple[stored.Payment, dict]]:
    """Payments (of one body) to a supplier on the debarment list on the day paid, the newest
    first, each with the entry: the supplier is the entry's by name (the entry's, or one the
    processes give its identifier) or by the contract the payment is linked to (its supplier's
    identifier). Whether an entry is in force on a day is as the award check reads it
    (openbook.standards.registers.debarment.in_force)."""
    listed = _debarment_entries(store)
    if not listed:
        return []
    by_key, supplies = _known_as(store, listed)
    found: dict[str, tuple[stored.Payment, set[str], str]] = {}
    for each in stored.paid_to_names(store, sorted(by_key), body_key=body_key):
        found[each.record_key] = (each, by_key[each.supplier_key], "name")
    targets = stored_links.targets_of_ocids(store, sorted(supplies)) if supplies else {}
    for each in stored.paid_under(store, sorted(supplies), body_key=body_key):
        target = next(
            (t for t in targets.get(each.ocid or "", ())
             if (t.kind, t.id) == (each.target_kind, each.target_id)),
            None,
        )  # fmt: skip
        named = {s.identifier for s in target.suppliers if s.identifier} if target else set()
        if each.record_key not in found and named & supplies[each.ocid or ""]:
            found[each.record_key] = (each, named & set(listed), "contract")
    answer = []
    for each, identifiers, how in found.values():
        entry = next(
            (
                (entry, identifier)
                for identifier in sorted(identifiers)
                for entry in listed[identifier]
                if debarment.in_force(entry.entry, each.date)
            ),
            None,
        )
        if entry is not None:
            answer.append((each, _entry(*entry, how)))
    answer.sort(key=lambda pair: (pair[0].date, pair[0].record_key), reverse=True)
    return answer


def _debarment_entries(store: Store) -> dict[str, list[stored_registers.Entry]]:
    """The debarment list's entries, by their supplier's identifier."""
    listed: dict[str, list[stored_registers.Entry]] = {}
    for entry in stored_registers.every(store, debarment.REGISTER.code):
        given = entry.entry.get("supplier") if isinstance(entry.entry, dict) else None
        if isinstance(given, dict) and isinstance(given.get("identifier"), str):
            listed.setdefault(given["identifier"], []).append(entry)
    return listed


def _known_as(
    store: Store, listed: dict[str, list[stored_registers.Entry]]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The name keys the listed suppliers go by (the entries' names, and the names the
    processes give their identifiers), and the processes each supplies; each with the
    identifiers."""
    by_key: dict[str, set[str]] = {}
    supplies: dict[str, set[str]] = {}
    for identifier, entries in listed.items():
        for each in entries:
            name = organisation_names.key(str(each.entry["supplier"].get("name") or ""))
            if name:
                by_key.setdefault(name, set()).add(identifier)
    for mention in stored.mentions(store, sorted(listed)):
        if mention.name_key:
            by_key.setdefault(mention.name_key, set()).add(mention.identifier)
        if mention.supplier:
            supplies.setdefault(mention.ocid, set()).add(mention.identifier)
    return by_key, supplies


def _entry(entry: stored_registers.Entry, identifier: str, how: str) -> dict:
    return {
        "id": entry.entry_id,
        "supplier": {"identifier": identifier, "name": entry.entry["supplier"].get("name")},
        "startDate": entry.start_date,
        "endDate": entry.end_date,
        "status": entry.status,
        "matchedBy": how,
        "href": f"/registers/debarment/{quote(entry.entry_id, safe='')}",
    }
