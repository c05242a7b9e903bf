"""Suppliers registering themselves (NAP5: "a single, central digital platform for supplier
registration"; docs/suppliers.md, "Registering as a supplier").

An email address asks to register (``start``) and gets a one-time link: its token is random,
kept only as its SHA-256, works once and for ``LINK_HOURS``. An address may ask at most
``MOST_AN_HOUR`` times an hour, and an address that already has an account is sent a note
instead of a link, so that the page never says which addresses are registered. With the link
confirmed, the supplier answers the questions and ``register`` registers it through the same
use case as the publish API (openbook.suppliers.register: its private part kept out of the log
as there), and gives it an account of the role ``supplier``, named by its email address, with
the password it chose (the rules of openbook.publishing.accounts).

The publish API's registrations are made by an administrator who checked who the supplier is.
A self-registration is recorded for the platform's registrar organisation (``REGISTRAR_ID``,
made when first needed), so that the log says plainly which entries the supplier gave itself.
The supplier key the use case makes is revoked at once: the account, not a key, keeps the entry.

Nobody checked the identifiers a supplier gives itself: anyone could claim another company's
Companies House number. So each is ``selfDeclared`` in the entry until an administrator
verifies it (openbook.supplier_claims), and a claim of that kind blocks nobody: the company
whose number it is registers with it all the same, and the clash is put to the administrators
(openbook.registers). Only an identifier a supplier holds under a verified claim is refused
(``held``).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import make_password

from openbook import alerts, registers, suppliers
from openbook.publishing import accounts, keys
from openbook.publishing.publishers import (
    SUPPLIER,
    Actor,
    AlreadyExists,
    NotFound,
    add_account,
    add_publisher,
    find_publisher,
    revoke_key,
)
from openbook.standards.log import format_log_time
from openbook.standards.registers import suppliers as suppliers_register
from openbook.standards.registers.suppliers import REGISTER
from openbook.store import audit
from openbook.store import publishers as stored_publishers
from openbook.store import registers as stored_registers
from openbook.store import supplier_signup as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation

LINK_HOURS = 24
MOST_AN_HOUR = 3
# ZZ is a code ISO 3166 leaves to its users: no country's list, so no real organisation's id.
REGISTRAR_ID = "ZZ-OPENBOOK-SELF"
REGISTRAR_NAME = "Supplier self-registration"
# A token as secrets.token_urlsafe(32) writes it.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# What an account's user name may hold (openbook.publishing.publishers.add_account).
_USERNAME = re.compile(r"[\w.@+-]{1,150}")


class TooManyRequests(Exception):
    """The address asked MOST_AN_HOUR times in the past hour."""


class SignupEnded(Exception):
    """The sign-up is no longer there: registered already, or past its day."""


class AlreadyRegistered(Exception):
    """The address has an account already."""


@dataclass(frozen=True, slots=True)
class Started:
    signup_id: int
    email: str
    token: str | None  # None: the address has an account; it is told so instead


def usable_email(address: str) -> bool:
    """Whether the (checked) address can name an account."""
    return bool(_USERNAME.fullmatch(address))


def start(store: Store, email: str, now: datetime | None = None) -> Started:
    """A request to register from ``email`` (alerts.InvalidEmail if it is none). Requests past
    their day are deleted first."""
    address = alerts.checked_email(email)
    moment = now or datetime.now(UTC)
    stored.remove_before(store, format_log_time(moment - timedelta(hours=LINK_HOURS)))
    since = format_log_time(moment - timedelta(hours=1))
    if stored.requests_since(store, address, since) >= MOST_AN_HOUR:
        raise TooManyRequests(address)
    written = format_log_time(moment)
    if stored_publishers.account(store, address) is not None:
        return Started(stored.add(store, address, None, written), address, None)
    token = secrets.token_urlsafe(32)
    return Started(stored.add(store, address, _hash(token), written), address, token)


def withdraw(store: Store, started: Started) -> None:
    """Take back a request whose email could not be sent."""
    stored.remove(store, started.signup_id)


def waiting(store: Store, token: str, now: datetime | None = None) -> stored.Signup | None:
    """The sign-up a link's token is for, if the link still works (None for a token never
    given, used, or past LINK_HOURS)."""
    if not _TOKEN.fullmatch(token):
        return None
    found = stored.by_token_hash(store, _hash(token))
    if found is None or found.used_time is not None:
        return None
    moment = now or datetime.now(UTC)
    if found.created_time < format_log_time(moment - timedelta(hours=LINK_HOURS)):
        return None
    return found


def confirm(store: Store, token: str, now: datetime | None = None) -> stored.Signup | None:
    """Use the link: its address is proved. Once only."""
    found = waiting(store, token, now)
    if found is None:
        return None
    if not stored.use(store, found.id, _hash(token), format_log_time(now or datetime.now(UTC))):
        return None
    return stored.get(store, found.id)


def confirmed(store: Store, signup_id: int, email: str) -> bool:
    """Whether this sign-up's link was used, for this address, and it is not registered yet."""
    found = stored.get(store, signup_id)
    return found is not None and found.email == email and found.used_time is not None


def password_problem(email: str, password: str) -> str | None:
    """Why the password cannot be used (accounts' rules): "short", "long" or "name"."""
    if len(password) < accounts.MINIMUM_LENGTH:
        return "short"
    if len(password) > accounts.MAXIMUM_LENGTH:
        return "long"
    if email.casefold() in password.casefold():
        return "name"
    return None


def hash_password(password: str) -> str:
    return make_password(password)


def held(store: Store, identifiers: list[str]) -> list[str]:
    """Which of these identifiers a registered supplier holds already under a verified claim
    (one only declared, unverified, does not block: the module's docstring)."""
    taken: set[str] = set()
    for holder in stored_registers.naming(store, REGISTER.code, identifiers):
        claimed = suppliers_register.self_declared(holder.entry)
        taken |= {
            each for each in set(identifiers) & set(holder.organisations) if each not in claimed
        }
    return sorted(taken)


def registrar(store: Store, actor: Actor) -> Organisation:
    """The organisation self-registrations are recorded for; made the first time."""
    try:
        return find_publisher(store, REGISTRAR_ID)
    except NotFound:
        pass
    try:
        return add_publisher(store, REGISTRAR_NAME, REGISTRAR_ID, actor)
    except AlreadyExists:  # made at the same moment by another registration
        return find_publisher(store, REGISTRAR_ID)


def register(
    store: Store,
    *,
    signup_id: int,
    email: str,
    sent: dict,
    password_hash: str,
    address: str | None,
) -> registers.Recorded:
    """Register the supplier (``sent``: the entry as the publish API takes it) and its account,
    all or nothing; the sign-up is then deleted. Raises ``Refused`` as the API's use case does,
    ``SignupEnded`` or ``AlreadyRegistered``."""
    if not confirmed(store, signup_id, email):
        raise SignupEnded(signup_id)
    actor = Actor(f"account:{email}", address)
    claimed = sent.get("identifiers") if isinstance(sent, dict) else None
    if isinstance(claimed, list) and claimed:  # none of them checked: each one a claim
        sent = {**sent, "selfDeclared": list(claimed)}
    with store.atomic():
        if stored_publishers.account(store, email) is not None:
            raise AlreadyRegistered(email)
        made = suppliers.register(store, sent, administrator=registrar(store, actor), actor=actor)
        number = made.recorded.entry.entry_id
        add_account(store, email, SUPPLIER, actor, publisher=number, email=email)
        stored_publishers.set_password(store, email, password_hash)
        audit.record(
            store,
            actor=actor.who,
            action="account.password",
            subject=f"account:{email}",
            address=address,
        )
        key_id = keys.key_id_of(made.key)
        assert key_id is not None
        revoke_key(store, key_id, actor)
        stored.remove(store, signup_id)
    return made.recorded


# Signed in


def sign_in(
    store: Store, email: str, password: str, address: str | None
) -> tuple[Organisation, accounts.SignedIn]:
    """The supplier a supplier account keeps, and the account as signed in;
    ``accounts.SignInRefused`` otherwise (another role's account is refused as a wrong password
    is: these pages are for suppliers only)."""
    found = accounts.sign_in(store, email, password, address)
    organisation = (
        stored_publishers.organisation(store, found.organisation_id)
        if found.role == SUPPLIER and found.organisation_id is not None
        else None
    )
    if organisation is None:
        raise accounts.SignInRefused(accounts.WRONG, "not a supplier account")
    return organisation, found


def own(store: Store, organisation: Organisation) -> dict:
    """The supplier's entry, with its private part and its version."""
    return suppliers.own(store, organisation)


def change(
    store: Store, organisation: Organisation, sent: dict, replaces: int, actor: Actor
) -> registers.Recorded:
    """A new version of the supplier's entry, as ``PUT /api/publish/supplier`` records it."""
    return suppliers.change(store, organisation, sent, replaces, actor)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
