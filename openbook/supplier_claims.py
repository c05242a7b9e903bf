"""Suppliers' claims to their identifiers (issue 5; docs/suppliers.md, "Identifiers: self-declared
or verified"), for the platform's administrators.

A supplier that registers itself through the pages claims its identifiers (its Companies House
number, say) with nothing to show they are its own: each is ``selfDeclared`` in its entry until
an administrator verifies it. Such a claim blocks nobody (openbook.registers): when the company
whose number it is registers with it too, both claims stand and the clash is recorded in the
audit trail (``supplier.identifier-disputed``) and listed here (``disputes``), for an
administrator to decide. Deciding is ``verify`` (the claim stands as checked) or ``remove`` (the
identifier leaves the supplier's entry); each is a new version of the entry in the log, so the
register's history shows who decided what and when, and an event in the audit trail.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from openbook import registers
from openbook.publishing.answers import Refused
from openbook.publishing.publishers import ADMINISTRATOR, Actor
from openbook.standards import identifiers
from openbook.standards.registers import suppliers
from openbook.standards.registers.suppliers import FIELDS, REGISTER
from openbook.store import audit
from openbook.store import registers as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation

VERIFIED = "supplier.identifier-verified"
REMOVED = "supplier.identifier-removed"
LONGEST_REASON = 500


@dataclass(frozen=True, slots=True)
class Claim:
    """A supplier's claim to one identifier, and whether an administrator verified it."""

    supplier: str  # its supplier number
    legal_name: str | None
    identifier: str
    status: str  # suppliers.SELF_DECLARED or suppliers.VERIFIED

    def as_dict(self) -> dict:
        return {
            "supplier": self.supplier,
            "legalName": self.legal_name,
            "identifier": self.identifier,
            "status": self.status,
        }


def claims(store: Store) -> Iterator[Claim]:
    """Every supplier's claim to each of its identifiers, by supplier number; streamed."""
    for entry in stored.every(store, REGISTER.code):
        for identifier in entry.entry.get("identifiers") or []:
            yield _claim(entry, identifier)


def disputes(store: Store) -> dict[str, list[Claim]]:
    """The identifiers more than one supplier claims, each with its claims: at most one of them
    verified (a verified claim refuses any other). The register is read whole: thousands of
    suppliers, not millions."""
    by_identifier: dict[str, list[Claim]] = {}
    for found in claims(store):
        by_identifier.setdefault(found.identifier, []).append(found)
    return {key: found for key, found in sorted(by_identifier.items()) if len(found) > 1}


def self_declared(store: Store) -> list[Claim]:
    """The claims no administrator has verified yet, by supplier number."""
    return [found for found in claims(store) if found.status == suppliers.SELF_DECLARED]


def verify(
    store: Store, number: str, identifier: str, *, organisation: Organisation, actor: Actor
) -> registers.Recorded:
    """The supplier's claim to the identifier stands as checked: it leaves ``selfDeclared``.
    Refused while another supplier claims it too (remove the wrong claim first), and for an
    identifier the supplier does not give. Verifying a verified claim records nothing."""
    current, written = _current(store, number, identifier)
    others = [
        each.entry_id
        for each in stored.naming(store, REGISTER.code, [written])
        if each.entry_id != current.entry_id
    ]
    if others:
        raise Refused(
            409,
            "identifier-disputed",
            f"{written} is claimed by {', '.join(others)} too: decide whose it is, and remove "
            "the other claims first (openbook supplier remove-claim)",
        )
    if suppliers.claim(current.entry, written) == suppliers.VERIFIED:
        return registers.Recorded(current, "unchanged")
    sent = _as_sent(store, current)
    kept = [each for each in sent.get("selfDeclared", []) if each != written]
    if kept:
        sent["selfDeclared"] = kept
    else:
        sent.pop("selfDeclared", None)
    decided = {"action": VERIFIED, "identifier": written}
    return _record(store, current, sent, decided, organisation=organisation, actor=actor)


def remove(
    store: Store,
    number: str,
    identifier: str,
    reason: str,
    *,
    organisation: Organisation,
    actor: Actor,
) -> registers.Recorded:
    """The identifier is not the supplier's: it leaves the supplier's entry, verified or not,
    for the reason given (kept in the audit trail)."""
    reason = " ".join(reason.split())
    if not reason:
        raise Refused(422, "reason-required", "give the reason the claim is removed")
    if len(reason) > LONGEST_REASON:
        raise Refused(
            422, "reason-too-long", f"give the reason in {LONGEST_REASON} characters or fewer"
        )
    current, written = _current(store, number, identifier)
    sent = _as_sent(store, current)
    sent["identifiers"] = [each for each in sent["identifiers"] if each != written]
    kept = [each for each in sent.get("selfDeclared", []) if each != written]
    for name, value in (("identifiers", sent["identifiers"]), ("selfDeclared", kept)):
        if value:
            sent[name] = value
        else:
            sent.pop(name, None)
    decided = {"action": REMOVED, "identifier": written, "reason": reason}
    return _record(store, current, sent, decided, organisation=organisation, actor=actor)


def mark_after_migrating(sender=None, using: str = "default", plan=None, **kwargs) -> None:
    """After a migrate run that applied anything, with the schema whole: the suppliers that
    registered themselves before claims were kept say so (``mark_self_registered``; migration
    0025). Idempotent: a supplier already marked is left alone. (Connected in openbook.apps.)"""
    from openbook.store.database import pending_migrations
    from openbook.supplier_signup import REGISTRAR_ID

    store = Store(using)
    if plan and not pending_migrations(store):
        mark_self_registered(store, REGISTRAR_ID)


def mark_self_registered(store: Store, registrar_id: str) -> int:
    """Make the suppliers that registered themselves before claims were kept (migration 0025)
    say so: each whose first version the self-registration organisation ``registrar_id``
    recorded, and whose entry lists identifiers and no ``selfDeclared``, gets a new version
    with every identifier self-declared, recorded for that organisation. Returns how many."""
    from openbook.publishing.publishers import NotFound, find_publisher

    try:
        registrar = find_publisher(store, registrar_id)
    except NotFound:  # nobody registered themselves: nothing to mark
        return 0
    marked = 0
    for current in list(stored.every(store, REGISTER.code)):
        given = current.entry.get("identifiers") or []
        if not given or "selfDeclared" in current.entry:
            continue
        first = registers.versions(store, REGISTER.code, current.entry_id)[0]["recordedBy"]
        if not first or first["organisation"]["id"] != registrar_id:
            continue
        sent = {**_as_sent(store, current), "selfDeclared": list(given)}
        registers.record(
            store,
            REGISTER.code,
            sent,
            organisation=registrar,
            role=ADMINISTRATOR,
            actor=Actor("migration:0025_supplier_self_declared"),
            entry_id_=current.entry_id,
            replaces=current.version,
        )
        marked += 1
    return marked


def _claim(entry: stored.Entry, identifier: str) -> Claim:
    return Claim(
        entry.entry_id,
        entry.entry.get("legalName"),
        identifier,
        suppliers.claim(entry.entry, identifier),
    )


def _current(store: Store, number: str, identifier: str) -> tuple[stored.Entry, str]:
    """The supplier's entry and the identifier as its register writes it; refusals that say
    what is wrong."""
    current = registers.entry(store, REGISTER.code, number.strip())  # UnknownEntry
    checked = identifiers.check_party_id(identifier.strip())
    if checked.identifier is None:
        raise Refused(422, "invalid-identifier", f"{identifier[:60]!r}: {checked.message}")
    written = str(checked.identifier)
    given = current.entry.get("identifiers") or []
    if written not in given:
        raise Refused(
            404,
            "not-its-identifier",
            f"{current.entry_id} ({current.entry.get('legalName')}) does not give {written}; "
            f"its identifiers are: {', '.join(given) or 'none'}",
        )
    return current, written


def _as_sent(store: Store, current: stored.Entry) -> dict:
    """The entry as a new version would be sent: every field as it stands, its private part
    too, so that nothing else changes."""
    kept = stored.private(store, current.entry_id, current.version)
    whole = {**current.entry, **(kept[1] if kept else {})}
    return {field.name: whole[field.name] for field in FIELDS if whole.get(field.name) is not None}


def _record(
    store: Store,
    current: stored.Entry,
    sent: dict,
    decided: dict,
    *,
    organisation: Organisation,
    actor: Actor,
) -> registers.Recorded:
    """The new version of the entry, and the decision (``decided``: its action, and the
    identifier and reason) in the audit trail, together."""
    with store.atomic():
        recorded = registers.record(
            store,
            REGISTER.code,
            sent,
            organisation=organisation,
            role=ADMINISTRATOR,
            actor=actor,
            entry_id_=current.entry_id,
            replaces=current.version,
        )
        action = decided.pop("action")
        detail = {**decided, "version": recorded.entry.version}
        audit.record(
            store,
            actor=actor.who,
            action=action,
            subject=current.entry_id,
            organisation_id=organisation.id,
            address=actor.address,
            detail=detail,
        )
    return recorded
