"""Signing in to the publisher pages (issue 8): account passwords, and the sign-in check with
its lock-out. Every sign-in, refusal and password change is in the audit trail.

Passwords follow the NCSC's advice: long rather than complex (at least 12 characters, no
composition rules), checked against the user name, hashed with PBKDF2 (Django's hasher). After
``ATTEMPTS`` refused sign-ins to one account within ``LOCK_MINUTES``, that account cannot sign
in until the period has passed; the message says so, and says the same whether or not the
account exists, so the pages do not tell which user names are real."""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.utils.crypto import constant_time_compare, salted_hmac

from openbook.publishing.publishers import ADMINISTRATOR, Actor
from openbook.standards.log import format_log_time
from openbook.store import audit
from openbook.store import publishers as stored
from openbook.store.database import Store

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 1000
ATTEMPTS = 5
LOCK_MINUTES = 15
REFUSED = "account.sign-in-refused"


class PasswordRefused(Exception):
    """A new password that cannot be used; the message says why."""


class SignInRefused(Exception):
    """A sign-in that did not succeed: ``kind`` is LOCKED, WRONG or NO_ROLE; the message is
    safe to show (the pages show their own words for each kind, in the reader's language)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


LOCKED = "locked"
WRONG = "wrong user name or password"
NO_ROLE = "no role"


@dataclass(frozen=True, slots=True)
class SignedIn:
    username: str
    organisation_id: int | None  # the organisation it publishes for; None for administrators
    role: str
    # Of the password it signed in with (``fingerprint``): a session ends when it changes.
    fingerprint: str = ""


def fingerprint(hashed: str) -> str:
    """A keyed digest of an account's password hash, kept in its sessions: a new password (set
    because the old one leaked, say) makes it differ, which ends every session started with
    the old one. Keyed with the site's secret, so the session never holds the hash itself."""
    return salted_hmac("openbook.accounts.session", hashed, algorithm="sha256").hexdigest()


def still_signed_in(
    store: Store, username: str, role: str, organisation_id: int | None, signed: str
) -> bool:
    """Whether a session started as ``username`` in ``role`` may go on: the account still
    holds the role (for the organisation) and its password is the one it signed in with."""
    found = stored.holds(store, username, role, organisation_id)
    if found is None:
        return False
    hashed, member = found
    return member and constant_time_compare(fingerprint(hashed), signed)


def set_password(store: Store, username: str, password: str, actor: Actor) -> None:
    if len(password) < MINIMUM_LENGTH:
        raise PasswordRefused(f"a password needs at least {MINIMUM_LENGTH} characters")
    if len(password) > MAXIMUM_LENGTH:
        raise PasswordRefused(f"a password has at most {MAXIMUM_LENGTH} characters")
    if username.casefold() in password.casefold():
        raise PasswordRefused("a password must not contain the user name")
    with store.atomic():
        if not stored.set_password(store, username, make_password(password)):
            raise PasswordRefused(f"there is no account {username!r}")
        audit.record(
            store,
            actor=actor.who,
            action="account.password",
            subject=f"account:{username}",
            address=actor.address,
        )


def sign_in(store: Store, username: str, password: str, address: str | None) -> SignedIn:
    """The account, if ``password`` is its own and it may sign in; else ``SignInRefused``."""
    subject = f"account:{username[:150]}"
    since = format_log_time(datetime.now(UTC) - timedelta(minutes=LOCK_MINUTES))
    if audit.count(store, action=REFUSED, subject=subject, since=since) >= ATTEMPTS:
        _refuse(store, subject, address, LOCKED)
        raise SignInRefused(
            LOCKED,
            f"This account cannot sign in for {LOCK_MINUTES} minutes after {ATTEMPTS} "
            "attempts with a wrong password. Try again later, or ask your administrator.",
        )
    hashed = stored.password_hash(store, username) if len(username) <= 150 else None
    account = stored.account(store, username) if hashed else None
    # Without an account, a password is still checked (against a hash of none), so that how
    # long a refusal takes does not tell which names have accounts.
    matches = check_password(password, hashed or _no_account())
    if hashed is None or not matches or account is None:
        _refuse(store, subject, address, WRONG)
        raise SignInRefused(WRONG, "Enter a correct user name and password.")
    if not account.roles:
        _refuse(store, subject, address, NO_ROLE)
        raise SignInRefused(
            NO_ROLE, "This account has no role on the platform: ask your administrator."
        )
    role, organisation_id = account.roles[0]
    for found_role, found_organisation in account.roles:
        if found_role == ADMINISTRATOR:
            role, organisation_id = found_role, found_organisation
    with store.atomic():
        audit.record(
            store,
            actor=subject,
            action="account.sign-in",
            subject=subject,
            organisation_id=organisation_id,
            address=address,
        )
    return SignedIn(account.username, organisation_id, role, fingerprint(hashed))


def _refuse(store: Store, subject: str, address: str | None, why: str) -> None:
    with store.atomic():
        audit.record(
            store,
            actor=subject,
            action=REFUSED,
            subject=subject,
            address=address,
            detail={"why": why},
        )


@functools.cache
def _no_account() -> str:
    """A hash made as the accounts' are (so checking a password against it takes as long), of a
    password nobody is told; made once a process, when first needed."""
    import secrets

    return make_password(secrets.token_urlsafe(32))
