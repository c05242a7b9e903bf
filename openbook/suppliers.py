"""Supplier registration (docs/suppliers.md): a supplier registers once, gets the platform's
supplier number and a supplier key, keeps its core information current with that key, and
grants buyers access to its private information with share codes.

Registration is made by a platform administrator, who checks who the supplier is first (the
Central Digital Platform does it with a verified sign-in; until the platform has accounts for
suppliers, an administrator stands in). The supplier's entry is an entry of the ``suppliers``
register (openbook.registers), so its every version is in the log; its private part is not
(openbook.standards.registers.suppliers).

A share code names one buyer (a publishing organisation) and the last day it may be used; the
supplier can revoke it at any time. A buyer reads the private part with the code through its own
publisher key: a code used by another buyer, after its day or after revocation is refused, and
every use and every refusal is in the audit trail.
"""

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from openbook import registers
from openbook.publishing import keys
from openbook.publishing.answers import Refused
from openbook.publishing.publishers import (
    ADMINISTRATOR,
    SUPPLIER,
    Actor,
    PublisherError,
    add_publisher,
    create_key,
    find_publisher,
)
from openbook.standards import identifiers
from openbook.standards.log import format_log_time
from openbook.standards.registers.suppliers import REGISTER
from openbook.store import audit, share_codes
from openbook.store import registers as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation

# A share code lasts at most this long: a grant nobody remembers should not last for ever.
LONGEST_SHARE_DAYS = 366


@dataclass(frozen=True, slots=True)
class Registered:
    recorded: registers.Recorded
    key: str  # the supplier key, shown once


def mint_number(store: Store) -> str:
    """A new supplier number, ``GB-OPENBOOK-XXXX-XXXX-C``, not yet given to anyone. Random,
    so that numbers say nothing of when or in what order suppliers registered."""
    while True:
        eight = "".join(secrets.choice(identifiers.PLATFORM_ALPHABET) for _ in range(8))
        number = f"{eight[:4]}-{eight[4:]}-{identifiers.platform_check_character(eight)}"
        candidate = f"{identifiers.PLATFORM_SCHEME}-{number}"
        if stored.get(store, REGISTER.code, candidate) is None:
            return candidate


def register(
    store: Store, sent: object, *, administrator: Organisation, actor: Actor
) -> Registered:
    """Register a supplier: its entry (version 1), the organisation its key acts for, and the
    key. All or nothing."""
    number = mint_number(store)
    name = sent.get("legalName") if isinstance(sent, dict) else None
    with store.atomic():
        recorded = registers.record(
            store,
            REGISTER.code,
            sent,
            organisation=administrator,
            role=ADMINISTRATOR,
            actor=actor,
            new_id=number,
        )
        supplier = add_publisher(store, str(name).strip()[:500], number, actor)
        created = create_key(store, str(supplier.id), "supplier key", actor, SUPPLIER)
    return Registered(recorded, created.secret)


def change(
    store: Store, key_organisation: Organisation, sent: object, replaces: int, actor: Actor
) -> registers.Recorded:
    """A new version of the key's own supplier's entry."""
    return registers.record(
        store,
        REGISTER.code,
        sent,
        organisation=key_organisation,
        role=SUPPLIER,
        actor=actor,
        entry_id_=key_organisation.party_id,
        replaces=replaces,
    )


def own(store: Store, key_organisation: Organisation) -> dict:
    """The key's supplier's entry, with its private part."""
    found = registers.entry(store, REGISTER.code, key_organisation.party_id)
    return _with_private(store, found)


def _with_private(store: Store, found: stored.Entry) -> dict:
    kept = stored.private(store, found.entry_id, found.version)
    return {**registers.described(found), **(kept[1] if kept else {})}


# Share codes


@dataclass(frozen=True, slots=True)
class NewShareCode:
    code: share_codes.ShareCode
    secret: str  # the whole code, shown once


def share(
    store: Store, key_organisation: Organisation, buyer: object, expires: object, actor: Actor
) -> NewShareCode:
    """A share code for one buyer (its organisation identifier or number) until ``expires``
    (YYYY-MM-DD, at most ``LONGEST_SHARE_DAYS`` ahead)."""
    if not isinstance(buyer, str) or not buyer.strip():
        raise Refused(422, "invalid", "buyer: give the buyer's organisation identifier")
    try:
        buying = find_publisher(store, buyer.strip())
    except PublisherError as error:  # not an identifier, or no such organisation
        raise Refused(
            422, "unknown-buyer", f"buyer: {error}; a share code is for a registered buyer"
        ) from None
    last = _expiry(expires)
    made = keys.new_key(keys.SHARE_CODE_PREFIX)
    code = share_codes.ShareCode(
        code_id=made.key_id,
        supplier=key_organisation.party_id,
        buyer_id=buying.id,
        secret_hash=made.secret_hash,
        created_time=_now(),
        expires=last,
        revoked_time=None,
    )
    with store.atomic():
        share_codes.add(store, code)
        audit.record(
            store,
            actor=actor.who,
            action="share-code.create",
            subject=f"share-code:{code.code_id}",
            organisation_id=key_organisation.id,
            address=actor.address,
            detail={"buyer": buying.org_id, "expires": last},
        )
    return NewShareCode(code, made.key)


def _expiry(expires: object) -> str:
    today = date.today()
    if not isinstance(expires, str):
        raise Refused(422, "invalid", "expires: give the last day the code may be used, YYYY-MM-DD")
    try:
        last = date.fromisoformat(expires) if len(expires) == 10 else None
    except ValueError:
        last = None
    if last is None:
        raise Refused(422, "invalid", f"expires: {expires[:40]!r} is not a date (YYYY-MM-DD)")
    if last < today:
        raise Refused(422, "invalid", f"expires: {expires} is in the past")
    if last > today + timedelta(days=LONGEST_SHARE_DAYS):
        raise Refused(
            422,
            "invalid",
            f"expires: a share code lasts at most {LONGEST_SHARE_DAYS} days; give a day no "
            f"later than {(today + timedelta(days=LONGEST_SHARE_DAYS)).isoformat()}",
        )
    return last.isoformat()


def codes(store: Store, key_organisation: Organisation) -> list[share_codes.ShareCode]:
    return share_codes.of_supplier(store, key_organisation.party_id)


def revoke(store: Store, key_organisation: Organisation, code_id: str, actor: Actor) -> None:
    found = share_codes.get(store, code_id)
    if found is None or found.supplier != key_organisation.party_id:
        raise registers.UnknownEntry(f"your organisation has no share code {code_id[:40]!r}")
    with store.atomic():
        if not share_codes.revoke(store, code_id, _now()):
            raise Refused(409, "already-revoked", f"share code {code_id} was revoked before")
        audit.record(
            store,
            actor=actor.who,
            action="share-code.revoke",
            subject=f"share-code:{code_id}",
            organisation_id=key_organisation.id,
            address=actor.address,
        )


def read_shared(
    store: Store, buyer: Organisation, supplier: str, code: object, actor: Actor
) -> dict:
    """The supplier's entry with its private part, for a buyer holding a share code. Every use
    and every refusal is recorded."""
    checked = identifiers.check_party_id(supplier)
    number = str(checked.identifier) if checked.identifier else supplier
    refusal = _refusal(store, buyer, number, code)
    audit.record(
        store,
        actor=actor.who,
        action="share-code.use" if refusal is None else "share-code.refused",
        subject=number,
        organisation_id=buyer.id,
        address=actor.address,
        detail={"code": keys.key_id_of(code, keys.SHARE_CODE_PREFIX) if isinstance(code, str)
                else None, "refused": refusal.code if refusal else None},
    )  # fmt: skip
    if refusal is not None:
        raise refusal
    return _with_private(store, registers.entry(store, REGISTER.code, number))


def _refusal(store: Store, buyer: Organisation, number: str, code: object) -> Refused | None:
    code_id = keys.key_id_of(code, keys.SHARE_CODE_PREFIX) if isinstance(code, str) else None
    found = share_codes.get(store, code_id) if code_id else None
    if found is None or not keys.matches(str(code), found.secret_hash):
        return Refused(
            403, "share-code-invalid", "not a share code the platform issued: ask the supplier"
        )
    if found.supplier != number:
        return Refused(403, "share-code-invalid", f"this share code is not {number}'s")
    if found.buyer_id != buyer.id:
        return Refused(
            403,
            "share-code-other-buyer",
            "this share code was given to another buyer: ask the supplier for one of your own",
        )
    if found.revoked_time is not None:
        return Refused(
            403, "share-code-revoked", f"the supplier revoked this code on {found.revoked_time}"
        )
    if found.expires < date.today().isoformat():
        return Refused(
            403,
            "share-code-expired",
            f"this code could be used until {found.expires}: ask the supplier for a new one",
        )
    return None


def _now() -> str:
    return format_log_time(datetime.now(UTC))
