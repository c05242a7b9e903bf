"""Alert subscriptions (``alert_subscription``, docs/alerts.md) and the processes new to each:
those whose latest release is in the log after the subscription's position.

A process's search row has the seq of its latest release as its id (openbook.store.search), so
"changed after position P and no later than Q" is a range of ``process_search.id``, read through
its primary key, whatever else a subscription asks of the process."""

from dataclasses import dataclass

from openbook.store import search
from openbook.store.database import Store

_COLUMNS = (
    "id, email, kind, target, label, frequency, language, unsubscribe_nonce, created_time,"
    " confirmed_time, position, covered_time, sent_time, sent_count, emails_sent"
)


@dataclass(frozen=True, slots=True)
class Subscription:
    id: int
    email: str
    kind: str
    target: str
    label: str
    frequency: str
    language: str
    unsubscribe_nonce: str
    created_time: str
    confirmed_time: str | None
    position: int | None
    covered_time: str | None
    sent_time: str | None
    sent_count: int
    emails_sent: int


def add(
    store: Store,
    *,
    email: str,
    kind: str,
    target: str,
    label: str,
    frequency: str,
    language: str,
    confirm_hash: str,
    unsubscribe_nonce: str,
    unsubscribe_hash: str,
    created_time: str,
) -> None:
    with store.atomic() as cursor:
        cursor.execute(
            "INSERT INTO alert_subscription (email, kind, target, label, frequency, language,"
            " confirm_hash, unsubscribe_nonce, unsubscribe_hash, created_time, sent_count,"
            " emails_sent) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0, 0)",
            [
                email,
                kind,
                target,
                label,
                frequency,
                language,
                confirm_hash,
                unsubscribe_nonce,
                unsubscribe_hash,
                created_time,
            ],
        )


def find(store: Store, email: str, kind: str, target: str) -> Subscription | None:
    return _one(
        store,
        "email = %s AND kind = %s AND target = %s",
        [email, kind, target],
    )


def renew(
    store: Store,
    subscription_id: int,
    *,
    confirm_hash: str,
    created_time: str,
    frequency: str,
    language: str,
    label: str,
) -> None:
    """A subscription not yet confirmed, asked for again: a new confirmation link (the old one
    stops working) and the choices of the new request."""
    with store.atomic() as cursor:
        cursor.execute(
            "UPDATE alert_subscription SET confirm_hash = %s, created_time = %s, frequency = %s,"
            " language = %s, label = %s WHERE id = %s AND confirmed_time IS NULL",
            [confirm_hash, created_time, frequency, language, label, subscription_id],
        )


def pending_count(store: Store, email: str, since: str) -> int:
    """Subscriptions of this address waiting for confirmation, asked for since ``since``."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM alert_subscription WHERE email = %s"
            " AND confirmed_time IS NULL AND created_time >= %s",
            [email, since],
        )
        return int(cursor.fetchone()[0])


def by_confirm_hash(store: Store, confirm_hash: str) -> Subscription | None:
    return _one(store, "confirm_hash = %s", [confirm_hash])


def by_unsubscribe_hash(store: Store, unsubscribe_hash: str) -> Subscription | None:
    return _one(store, "unsubscribe_hash = %s", [unsubscribe_hash])


def confirm(
    store: Store, subscription_id: int, confirm_hash: str, confirmed_time: str, position: int
) -> bool:
    """Confirm the subscription this token is for: its token is spent (a replay finds nothing)
    and its alerts start after ``position``. False if the token was spent meanwhile."""
    with store.atomic() as cursor:
        cursor.execute(
            "UPDATE alert_subscription SET confirm_hash = NULL, confirmed_time = %s,"
            " position = %s, covered_time = %s WHERE id = %s AND confirm_hash = %s",
            [confirmed_time, position, confirmed_time, subscription_id, confirm_hash],
        )
        return bool(cursor.rowcount)


def remove(store: Store, subscription_id: int) -> None:
    """Delete a subscription, and so its email address."""
    with store.atomic() as cursor:
        cursor.execute("DELETE FROM alert_subscription WHERE id = %s", [subscription_id])


def remove_unconfirmed(store: Store, created_before: str) -> int:
    """Delete the subscriptions never confirmed and asked for before ``created_before``."""
    with store.atomic() as cursor:
        cursor.execute(
            "DELETE FROM alert_subscription WHERE confirmed_time IS NULL AND created_time < %s",
            [created_before],
        )
        return int(cursor.rowcount)


def confirmed(store: Store, after_id: int, limit: int) -> list[Subscription]:
    """Up to ``limit`` confirmed subscriptions after ``after_id``, in id order."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM alert_subscription WHERE id > %s"
            " AND confirmed_time IS NOT NULL ORDER BY id LIMIT %s",
            [after_id, limit],
        )
        return [Subscription(*row) for row in cursor.fetchall()]


def move(
    store: Store,
    subscription_id: int,
    *,
    old_position: int,
    position: int,
    covered_time: str,
    sent: int | None,
) -> bool:
    """Record that the subscription's alerts cover the log up to ``position`` (and, when an
    email went, that it listed ``sent`` processes). Only from ``old_position``: False if
    another run moved it first."""
    sets = "position = %s, covered_time = %s"
    params: list[object] = [position, covered_time]
    if sent is not None:
        sets += ", sent_time = %s, sent_count = %s, emails_sent = emails_sent + 1"
        params += [covered_time, sent]
    with store.atomic() as cursor:
        cursor.execute(
            f"UPDATE alert_subscription SET {sets} WHERE id = %s AND position = %s",
            [*params, subscription_id, old_position],
        )
        return bool(cursor.rowcount)


def _one(store: Store, condition: str, params: list[object]) -> Subscription | None:
    with store.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM alert_subscription WHERE {condition}", params)
        row = cursor.fetchone()
    return Subscription(*row) if row else None


# What is new to a subscription


def settled_position(store: Store) -> int:
    """The last seq up to which every OCDS release is in the process search (-1 for none): the
    log's last, unless some records still wait to be compiled, then just before the first
    release of theirs the search does not hold yet. Alerts never cover a release the search
    could not yet find, so a release compiled late is still alerted."""
    with store.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), -1) FROM log_entry")
        last = int(cursor.fetchone()[0])
        cursor.execute(
            "SELECT MIN(e.seq) FROM pending_record p JOIN log_entry e"
            " ON e.register = p.register AND e.record_key = p.record_key"
            " LEFT JOIN record r ON r.register = p.register AND r.record_key = p.record_key"
            " WHERE p.register = %s AND e.seq > COALESCE(r.last_seq, -1)",
            [search.REGISTER],
        )
        waiting = cursor.fetchone()[0]
    return last if waiting is None else min(last, int(waiting) - 1)


_FOUND = (
    "p.ocid, p.title, p.buyer_id, p.buyer_name, p.value_amount, p.value_currency,"
    " p.value_source, p.stage, p.status, p.procurement_method, p.published, p.deadline,"
    " p.award_date, p.contract_start, p.contract_end, NULL, p.id, p.ocid"
)


def changed_matching(
    store: Store, criteria: search.Criteria, after: int, upto: int, limit: int
) -> list[search.Found]:
    """Up to ``limit`` processes that match the search's criteria and whose latest release is
    in (after, upto], oldest change first; each Found's key is that release's seq."""
    # The search's own matching, so that an alert finds what the search page finds.
    source, where, params, _score = search.matching(store.vendor, criteria, scored=False)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_FOUND} FROM {source} WHERE {' AND '.join(where)}"
            " AND p.id > %s AND p.id <= %s ORDER BY p.id LIMIT %s",
            [*params, after, upto, limit],
        )
        return [search.Found(*row) for row in cursor.fetchall()]


def changed_process(store: Store, ocid: str, after: int, upto: int) -> list[search.Found]:
    """The process, if its latest release is in (after, upto]."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_FOUND} FROM process_search p WHERE p.ocid = %s AND p.id > %s AND p.id <= %s",
            [ocid, after, upto],
        )
        return [search.Found(*row) for row in cursor.fetchall()]


def changed_naming(
    store: Store, identifier: str, after: int, upto: int, limit: int
) -> list[search.Found]:
    """Up to ``limit`` processes naming the organisation as a buyer or supplier whose latest
    release is in (after, upto], oldest change first: read through the identifier's index."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_FOUND} FROM process_search p WHERE p.id IN (SELECT DISTINCT process_id"
            " FROM process_party WHERE identifier = %s AND process_id > %s AND process_id <= %s"
            " AND (' ' || roles || ' ' LIKE %s OR ' ' || roles || ' ' LIKE %s))"
            " ORDER BY p.id LIMIT %s",
            [identifier, after, upto, "% buyer %", "% supplier %", limit],
        )
        return [search.Found(*row) for row in cursor.fetchall()]


def newest_naming(store: Store, identifier: str, limit: int) -> list[search.Found]:
    """The ``limit`` processes naming the organisation as a buyer or supplier that changed
    last, the latest first (its Atom feed)."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_FOUND} FROM process_search p WHERE p.id IN (SELECT DISTINCT process_id"
            " FROM process_party WHERE identifier = %s"
            " AND (' ' || roles || ' ' LIKE %s OR ' ' || roles || ' ' LIKE %s)"
            " ORDER BY process_id DESC LIMIT %s) ORDER BY p.id DESC",
            [identifier, "% buyer %", "% supplier %", limit],
        )
        return [search.Found(*row) for row in cursor.fetchall()]
