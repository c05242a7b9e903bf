"""Publishers (use cases): organisations, accounts, API keys, authentication and ocid minting.

Every write here is recorded in the audit trail, in the same transaction as the write, with the
actor that made it (``Actor``): a key, an account, or the operator at the command line.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from openbook import config
from openbook.publishing import keys
from openbook.standards.identifiers import check_party_id
from openbook.standards.log import format_log_time
from openbook.store import audit, publishers
from openbook.store.database import Store
from openbook.store.publishers import AlreadyExists, Key, Organisation

__all__ = [
    "ADMINISTRATOR",
    "PUBLISHER",
    "REVIEWER",
    "SUPPLIER",
    "Actor",
    "AlreadyExists",
    "Key",
    "KeyRejected",
    "NotFound",
    "Organisation",
    "PublisherError",
]

PUBLISHER = "publisher"  # publishes and validates for its organisation
REVIEWER = "reviewer"  # reads its organisation's drafts and problems (accounts only)
ADMINISTRATOR = "administrator"  # runs the platform: sees the audit trail
SUPPLIER = "supplier"  # keeps a registered supplier's own entry and its share codes
# A supplier's account keeps its own entry through the supplier
# pages (docs/suppliers.md); it reaches no publisher or administration page.
ACCOUNT_ROLES = (PUBLISHER, REVIEWER, ADMINISTRATOR, SUPPLIER)
KEY_ROLES = (PUBLISHER, ADMINISTRATOR, SUPPLIER)

# org-id.guide list codes: a country code (or XI, XM...) and the list's own code.
_SCHEME = re.compile(r"[A-Z]{2}-[A-Z0-9]+")
# Last-used times are written at most this often per key, so a busy key costs no write per call.
TOUCH_SECONDS = 60


class PublisherError(Exception):
    """A request about publishers that cannot be done; the message says why."""


class NotFound(PublisherError):
    pass


class KeyRejected(Exception):
    """A request's API key is not accepted: ``code`` is stable, the message says what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a write, as the audit trail names them, and from which address."""

    who: str  # "key:<key id>", "account:<username>", "cli:<system user>"
    address: str | None = None


def _now() -> str:
    return format_log_time(datetime.now(UTC))


def split_identifier(text: str) -> tuple[str, str]:
    """``GB-GOR-PB425`` as (``GB-GOR``, ``PB425``): an org-id.guide list code, then the id,
    checked and written as its register writes it (``GB-COH-1234567`` is company 01234567;
    openbook.standards.identifiers). A scheme without a known rule is taken as given."""
    checked = check_party_id(text)
    if checked.identifier is None:
        raise PublisherError(checked.message or f"{text!r} is not an organisation identifier")
    if not _SCHEME.fullmatch(checked.identifier.scheme):
        raise PublisherError(
            f"{text!r} is not an organisation identifier: {checked.identifier.scheme} is "
            "not an org-id.guide list code (a country's two letters, a hyphen and the list's "
            "name, such as GB-COH)"
        )
    return checked.identifier.scheme, checked.identifier.id


def add_publisher(
    store: Store, name: str, identifier: str, actor: Actor, party_id: str | None = None
) -> Organisation:
    """Register an organisation. ``party_id`` is the OCDS party id it publishes as; by default
    its identifier, ``SCHEME-ID``, as the UK's notices write a buyer's id."""
    name = name.strip()
    if not name:
        raise PublisherError("an organisation needs a name")
    scheme, code = split_identifier(identifier)
    with store.atomic():
        found = publishers.add_organisation(
            store,
            name,
            scheme,
            code,
            party_id=(party_id or "").strip() or f"{scheme}-{code}",
            now=_now(),
        )
        audit.record(
            store,
            actor=actor.who,
            action="publisher.add",
            subject=f"organisation:{found.id}",
            organisation_id=found.id,
            address=actor.address,
            detail={"name": found.name, "identifier": found.org_id, "party_id": found.party_id},
        )
    return found


def find_publisher(store: Store, reference: str) -> Organisation:
    """An organisation by its number (as ``openbook publisher list`` shows) or its identifier."""
    reference = reference.strip()
    if reference.isdigit():
        found = publishers.organisation(store, int(reference))
    else:
        try:
            scheme, code = split_identifier(reference)
        except PublisherError as error:
            raise NotFound(
                f"no organisation {reference!r} is registered: {error} (see "
                "`openbook publisher list`)"
            ) from None
        found = publishers.organisation_by_identifier(store, scheme, code)
    if found is None:
        raise NotFound(
            f"no organisation {reference!r} is registered (see `openbook publisher list`)"
        )
    return found


def list_publishers(store: Store) -> list[Organisation]:
    return publishers.organisations(store)


def add_account(
    store: Store,
    username: str,
    role: str,
    actor: Actor,
    *,
    publisher: str | None = None,
    email: str = "",
) -> publishers.Account:
    """Give an account (created if new) a role: publisher or reviewer of one organisation, or
    platform administrator (of none)."""
    if role not in ACCOUNT_ROLES:
        raise PublisherError(f"{role!r} is not a role: one of {', '.join(ACCOUNT_ROLES)}")
    if not re.fullmatch(r"[\w.@+-]{1,150}", username):
        raise PublisherError(
            f"{username!r} is not a user name: up to 150 letters, digits and @ . + - _"
        )
    organisation = find_publisher(store, publisher) if publisher else None
    if role == ADMINISTRATOR and organisation is not None:
        raise PublisherError(
            "a platform administrator belongs to no one organisation: no --publisher"
        )
    if role != ADMINISTRATOR and organisation is None:
        raise PublisherError(f"a {role} belongs to an organisation: give --publisher")
    organisation_id = organisation.id if organisation else None
    with store.atomic():
        account = publishers.add_account(
            store, username, role, organisation_id=organisation_id, email=email, now=_now()
        )
        audit.record(
            store,
            actor=actor.who,
            action="account.role",
            subject=f"account:{username}",
            organisation_id=organisation_id,
            address=actor.address,
            detail={"role": role},
        )
    return account


def remove_role(
    store: Store, username: str, role: str, actor: Actor, *, publisher: str | None = None
) -> publishers.Account:
    """Take a role from an account (someone who leaves the organisation, or changes jobs): its
    pages close to it at its next request (openbook.web.pages.publisher.session), and without a
    role left it cannot sign in. The account itself stays, as the audit trail names it."""
    if role not in ACCOUNT_ROLES:
        raise PublisherError(f"{role!r} is not a role: one of {', '.join(ACCOUNT_ROLES)}")
    if publishers.account(store, username) is None:
        raise PublisherError(f"there is no account {username!r}")
    organisation = find_publisher(store, publisher) if publisher else None
    organisation_id = organisation.id if organisation else None
    with store.atomic():
        if not publishers.remove_role(store, username, role, organisation_id):
            held = f" of organisation {organisation_id}" if organisation_id is not None else ""
            raise PublisherError(f"account {username!r} is not a {role}{held}")
        audit.record(
            store,
            actor=actor.who,
            action="account.role-removed",
            subject=f"account:{username}",
            organisation_id=organisation_id,
            address=actor.address,
            detail={"role": role},
        )
    found = publishers.account(store, username)
    assert found is not None
    return found


@dataclass(frozen=True, slots=True)
class CreatedKey:
    key: Key
    secret: str  # the whole key, to show once


def create_key(
    store: Store, publisher: str, name: str, actor: Actor, role: str = PUBLISHER
) -> CreatedKey:
    """A new API key for the organisation; the whole key is returned once and never stored."""
    if role not in KEY_ROLES:
        raise PublisherError(f"{role!r} is not a key role: one of {', '.join(KEY_ROLES)}")
    name = name.strip()
    if not name:
        raise PublisherError("a key needs a name, saying what uses it (such as 'tendering system')")
    organisation = find_publisher(store, publisher)
    made = keys.new_key()
    key = Key(
        key_id=made.key_id,
        organisation=organisation,
        name=name,
        role=role,
        secret_hash=made.secret_hash,
        created_time=_now(),
        created_by=actor.who,
        revoked_time=None,
        last_used_time=None,
    )
    with store.atomic():
        publishers.add_key(store, key)
        audit.record(
            store,
            actor=actor.who,
            action="key.create",
            subject=f"key:{key.key_id}",
            organisation_id=organisation.id,
            address=actor.address,
            detail={"name": name, "role": role},
        )
    return CreatedKey(key, made.key)


def list_keys(store: Store, publisher: str) -> list[Key]:
    return publishers.keys(store, find_publisher(store, publisher).id)


def revoke_key(store: Store, key_id: str, actor: Actor) -> Key:
    """Revoke a key: from now on it is refused. Revoking a revoked key changes nothing."""
    found = publishers.key(store, key_id.strip()) if keys.is_key_id(key_id.strip()) else None
    if found is None:
        raise NotFound(f"no API key has the id {key_id!r} (see `openbook key list`)")
    with store.atomic():
        if publishers.revoke_key(store, found.key_id, _now()):
            audit.record(
                store,
                actor=actor.who,
                action="key.revoke",
                subject=f"key:{found.key_id}",
                organisation_id=found.organisation.id,
                address=actor.address,
                detail={"name": found.name},
            )
    revoked = publishers.key(store, found.key_id)
    assert revoked is not None
    return revoked


KEY_INVALID = (
    "the API key is not valid: check that the whole key was copied, as `openbook key create` "
    "printed it"
)


def authenticate(store: Store, presented: str) -> Key:
    """The key a request presents, if it is one the platform issued and has not revoked.

    A key that is not of the form of a key, one whose id is unknown and one whose secret is
    wrong are refused alike (``key-invalid``), so that an answer never tells whether a key id
    exists. Only the holder of the whole key learns that it was revoked (``key-revoked``)."""
    key_id = keys.key_id_of(presented)
    if key_id is None:
        raise KeyRejected(
            "key-malformed",
            "the Authorization header does not hold an openbook API key: send "
            "'Authorization: Bearer obk_...' with the key as `openbook key create` printed it",
        )
    found = publishers.key(store, key_id)
    if found is None or not keys.matches(presented, found.secret_hash):
        raise KeyRejected("key-invalid", KEY_INVALID)
    if found.revoked_time is not None:
        raise KeyRejected(
            "key-revoked",
            f"this API key ({found.key_id}, {found.name!r}) was revoked at {found.revoked_time}: "
            "ask your organisation's administrator for a new key",
        )
    now = datetime.now(UTC)
    if found.last_used_time is None or _seconds_since(found.last_used_time, now) >= TOUCH_SECONDS:
        publishers.touch_key(store, found.key_id, format_log_time(now))
    return found


def _seconds_since(log_time: str, now: datetime) -> float:
    then = datetime.strptime(log_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return (now - then).total_seconds()


def mint_ocid(store: Store, organisation: Organisation, actor: Actor) -> str:
    """A new ocid under the platform's prefix, for a new process of this organisation. Random
    (48 bits), so minting needs no lock; recorded with the organisation it is for, which alone
    may publish under it."""
    prefix = config.ocid_prefix()
    while True:
        ocid = f"{prefix}-{secrets.token_hex(6)}"
        with store.atomic():
            if publishers.mint_ocid(store, ocid, organisation.id, _now()):
                audit.record(
                    store,
                    actor=actor.who,
                    action="ocid.mint",
                    subject=ocid,
                    organisation_id=organisation.id,
                    address=actor.address,
                )
                return ocid
