"""Email alerts (issue 8; docs/alerts.md): an email address subscribes to a saved search, a
process or an organisation; confirms through a link (double opt-in: nothing else is sent
before); then ``openbook alerts send`` mails it the processes new to it since its last alert,
immediately (each run) or as a daily digest; every email unsubscribes in one click.

The confirmation token is random and kept only as its SHA-256; it works once, within
CONFIRM_DAYS. The unsubscribe token is an HMAC of a random nonce under the platform's secret
key, so every alert can carry it while the database keeps only its hash. Unsubscribing deletes
the row, and the address with it."""

import base64
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from openbook import config, mail
from openbook import search as searching
from openbook.standards.log import format_log_time
from openbook.store import alerts as stored
from openbook.store.alerts import Subscription
from openbook.store.database import Store
from openbook.store.search import Found

KINDS = ("search", "process", "organisation")
FREQUENCIES = ("immediately", "daily")
LANGUAGES = ("en", "cy")
# An address may wait for this many confirmations at once (CONFIRM_DAYS): enough for anyone,
# too few for the form to flood a stranger's inbox.
MAX_PENDING = 20
CONFIRM_DAYS = 7
MAX_EMAIL = 254  # RFC 5321's longest path, less its angle brackets
MAX_TARGET = 2000
# Processes one alert lists; it links to the rest.
MAX_LISTED = 50
BATCH = 200
LONDON = ZoneInfo("Europe/London")
# A token as secrets.token_urlsafe(32) writes it.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
_HMAC_KEY = b"openbook.alerts.unsubscribe"


class InvalidEmail(ValueError):
    """Not an email address openbook can send to."""


class TooManyPending(Exception):
    """The address already waits for MAX_PENDING confirmations."""


@dataclass(frozen=True, slots=True)
class Subscribed:
    """A subscription asked for. ``confirm_token`` is for the confirmation email, None when
    the address already had this subscription confirmed (it is told so instead)."""

    subscription: Subscription
    confirm_token: str | None
    unsubscribe_token: str


@dataclass(frozen=True, slots=True)
class Alert:
    """An email due: the processes new to a subscription, the oldest change first; ``more``
    when there were more than it lists."""

    subscription: Subscription
    items: list[Found]
    more: bool
    unsubscribe_token: str


@dataclass(slots=True)
class SendReport:
    sent: int = 0  # emails sent
    nothing_new: int = 0
    not_due: int = 0  # daily digests already sent today
    failed: int = 0  # left where they were, for the next run
    removed: int = 0  # unconfirmed subscriptions past CONFIRM_DAYS, deleted
    position: int = -1  # the log seq the run covered up to
    stopped: str | None = None  # why the run stopped early
    failures: list[str] = field(default_factory=list)


def checked_email(text: str) -> str:
    """The address as it is kept: trimmed, its domain in lower case; InvalidEmail if it is
    not one, or too long."""
    address = text.strip()
    if len(address) > MAX_EMAIL:
        raise InvalidEmail(f"longer than {MAX_EMAIL} characters")
    try:
        EmailValidator()(address)
    except ValidationError:
        raise InvalidEmail("not an email address") from None
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def site_url() -> str | None:
    """The platform's address for links in emails (``OPENBOOK_SITE_URL``), without a final
    slash; None when not set."""
    value = os.environ.get("OPENBOOK_SITE_URL", "").strip().rstrip("/")
    if value and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise config.ConfigurationError(
            f"OPENBOOK_SITE_URL {value!r} is not a web address such as https://example.gov.uk"
        )
    return value or None


def subscribe(
    store: Store,
    *,
    email: str,
    kind: str,
    target: str,
    label: str,
    frequency: str,
    language: str,
    now: datetime | None = None,
) -> Subscribed:
    """Ask for a subscription (the web layer has checked the target exists). Asked again
    before confirming, the confirmation link is new and the old one stops working."""
    if kind not in KINDS or frequency not in FREQUENCIES or language not in LANGUAGES:
        raise ValueError(f"not a subscription: {kind!r}, {frequency!r}, {language!r}")
    if len(target) > MAX_TARGET:
        raise ValueError(f"a target of more than {MAX_TARGET} characters")
    address = checked_email(email)
    moment = now or datetime.now(UTC)
    existing = stored.find(store, address, kind, target)
    if existing is not None and existing.confirmed_time is not None:
        return Subscribed(existing, None, unsubscribe_token(existing))
    since = format_log_time(moment - timedelta(days=CONFIRM_DAYS))
    waiting = stored.pending_count(store, address, since)
    if existing is None and waiting >= MAX_PENDING:
        raise TooManyPending(address)
    token = secrets.token_urlsafe(32)
    written = format_log_time(moment)
    if existing is not None:
        stored.renew(
            store,
            existing.id,
            confirm_hash=_hash(token),
            created_time=written,
            frequency=frequency,
            language=language,
            label=label,
        )
    else:
        nonce = secrets.token_hex(16)
        stored.add(
            store,
            email=address,
            kind=kind,
            target=target,
            label=label,
            frequency=frequency,
            language=language,
            confirm_hash=_hash(token),
            unsubscribe_nonce=nonce,
            unsubscribe_hash=_hash(_unsubscribe_token(nonce)),
            created_time=written,
        )
    found = stored.find(store, address, kind, target)
    assert found is not None
    return Subscribed(found, token, unsubscribe_token(found))


def withdraw(store: Store, subscription: Subscription) -> None:
    """Take back a subscription whose confirmation email could not be sent."""
    if subscription.confirmed_time is None:
        stored.remove(store, subscription.id)


def awaiting(store: Store, token: str, now: datetime | None = None) -> Subscription | None:
    """The subscription this confirmation token is for, if it still waits (None for a token
    never given, already used, or past CONFIRM_DAYS)."""
    if not _TOKEN.fullmatch(token):
        return None
    found = stored.by_confirm_hash(store, _hash(token))
    if found is None:
        return None
    moment = now or datetime.now(UTC)
    if found.created_time < format_log_time(moment - timedelta(days=CONFIRM_DAYS)):
        return None
    return found


def confirm(store: Store, token: str, now: datetime | None = None) -> Subscription | None:
    """Confirm the subscription: its alerts list what is published from now on. Once only."""
    found = awaiting(store, token, now)
    if found is None:
        return None
    moment = format_log_time(now or datetime.now(UTC))
    position = stored.settled_position(store)
    if not stored.confirm(store, found.id, _hash(token), moment, position):
        return None
    return found


def subscribed(store: Store, token: str) -> Subscription | None:
    """The subscription an unsubscribe token is for."""
    if not _TOKEN.fullmatch(token):
        return None
    return stored.by_unsubscribe_hash(store, _hash(token))


def unsubscribe(store: Store, token: str) -> Subscription | None:
    """Delete the subscription (and its address); None if there is none for this token."""
    found = subscribed(store, token)
    if found is not None:
        stored.remove(store, found.id)
    return found


def unsubscribe_token(subscription: Subscription) -> str:
    return _unsubscribe_token(subscription.unsubscribe_nonce)


def _unsubscribe_token(nonce: str) -> str:
    key = hashlib.sha256(_HMAC_KEY + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Sending


def send_alerts(
    store: Store,
    deliver: Callable[[Alert], None],
    *,
    read_search: Callable[[str], searching.Query | None],
    now: datetime | None = None,
) -> SendReport:
    """For each confirmed subscription that is due, the processes whose latest release came
    after its position, up to the log's settled position (openbook.store.alerts), given to
    ``deliver`` as one Alert; then its position moves there. Idempotent: run again, nothing
    is new. A delivery that fails (mail.MailError) leaves its position, so the next run sends
    what it would have; a fatal one stops the run. ``read_search`` reads a saved search's
    query string as the search page does (None if it no longer can)."""
    moment = now or datetime.now(UTC)
    report = SendReport()
    report.removed = stored.remove_unconfirmed(
        store, format_log_time(moment - timedelta(days=CONFIRM_DAYS))
    )
    upto = stored.settled_position(store)
    report.position = upto
    after_id = 0
    while batch := stored.confirmed(store, after_id, BATCH):
        after_id = batch[-1].id
        for subscription in batch:
            if not _due(subscription, moment):
                report.not_due += 1
                continue
            _send_one(
                store,
                subscription,
                upto=upto,
                moment=moment,
                deliver=deliver,
                read_search=read_search,
                report=report,
            )
            if report.stopped:
                return report
    return report


def _send_one(
    store: Store,
    subscription: Subscription,
    *,
    upto: int,
    moment: datetime,
    deliver: Callable[[Alert], None],
    read_search: Callable[[str], searching.Query | None],
    report: SendReport,
) -> None:
    position = subscription.position if subscription.position is not None else upto
    if position >= upto:
        report.nothing_new += 1
        return
    try:
        items = _new(store, subscription, position, upto, read_search)
    except searching.QueryError as error:
        report.failed += 1
        report.failures.append(f"subscription {subscription.id}: {error.message}")
        return
    written = format_log_time(moment)
    if not items:
        stored.move(
            store,
            subscription.id,
            old_position=position,
            position=upto,
            covered_time=written,
            sent=None,
        )
        report.nothing_new += 1
        return
    alert = Alert(
        subscription, items[:MAX_LISTED], len(items) > MAX_LISTED, unsubscribe_token(subscription)
    )
    try:
        deliver(alert)
    except mail.MailError as error:
        report.failed += 1
        report.failures.append(f"subscription {subscription.id}: {error}")
        if error.fatal:
            report.stopped = str(error)
        return
    stored.move(
        store,
        subscription.id,
        old_position=position,
        position=upto,
        covered_time=written,
        sent=len(alert.items),
    )
    report.sent += 1


def _new(
    store: Store,
    subscription: Subscription,
    position: int,
    upto: int,
    read_search: Callable[[str], searching.Query | None],
) -> list[Found]:
    """Up to MAX_LISTED + 1 processes new to the subscription."""
    if subscription.kind == "process":
        return stored.changed_process(store, subscription.target, position, upto)
    if subscription.kind == "organisation":
        return stored.changed_naming(store, subscription.target, position, upto, MAX_LISTED + 1)
    query = read_search(subscription.target)
    if query is None:
        raise searching.QueryError("search", "the saved search can no longer be read")
    criteria = searching.criteria_of(query)  # the search's own criteria: one meaning of a search
    return stored.changed_matching(store, criteria, position, upto, MAX_LISTED + 1)


def _due(subscription: Subscription, moment: datetime) -> bool:
    """Immediate alerts are due at every run; a daily digest once a UK day."""
    if subscription.frequency != "daily" or subscription.covered_time is None:
        return True
    covered = datetime.fromisoformat(subscription.covered_time.replace("Z", "+00:00"))
    return covered.astimezone(LONDON).date() < moment.astimezone(LONDON).date()


# What can be followed

FEED_ENTRIES = 20
_NEWEST = 2**63 - 1  # above every log seq


def process(store: Store, ocid: str) -> Found | None:
    """The process as the search holds it (None if the search has no such process)."""
    found = stored.changed_process(store, ocid, -1, _NEWEST)
    return found[0] if found else None


def organisation_newest(store: Store, identifier: str) -> list[Found]:
    """The FEED_ENTRIES processes naming the organisation (a normalised identifier) as a buyer
    or supplier that changed last, the latest first."""
    return stored.newest_naming(store, identifier, FEED_ENTRIES)
