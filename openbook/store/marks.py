"""Withdrawals and redactions in the store: appending them, the marks they put on the statements
they name (``statement_mark``), and reading both back.

``redact`` is the only code that empties a body (``UPDATE log_body``): it appends the redaction
statement and empties the body in one transaction, and the database refuses the UPDATE unless
that statement is in the log (openbook.store.immutability, migration 0011).
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from openbook.standards.marks import REDACTIONS, WITHDRAWALS
from openbook.store import log
from openbook.store.database import Store, among, chunked


class MarkRefused(Exception):
    """The statement cannot be marked so; the message says why."""


class AlreadyMarked(MarkRefused):
    """The statement is already withdrawn (or redacted): ``seq`` is the statement that did it."""

    def __init__(self, message: str, seq: int) -> None:
        super().__init__(message)
        self.seq = seq


@dataclass(frozen=True, slots=True)
class Target:
    """A log entry as a withdrawal or redaction names it, and its marks so far."""

    seq: int
    register: str
    record_key: str
    statement_id: str
    log_time: str
    publisher: str
    body_hash: str
    leaf_hash: str
    body: bytes | None
    withdrawal_seq: int | None
    redaction_seq: int | None


def statement(marked: Target, body: bytes, moment: str, source: str) -> log.Statement:
    """The statement that marks ``marked`` (a withdrawal or a redaction, by its register when
    appended): keyed by the marked entry's record key and, as statement id, its seq, so the
    log's uniqueness holds one mark of each kind per entry."""
    return log.Statement(
        record_key=marked.record_key,
        statement_id=str(marked.seq),
        statement_date=moment,
        body=body,
        body_hash=hashlib.sha256(body).hexdigest(),
        problems=[],
        source=source,
    )


def target(store: Store, seq: int) -> Target | None:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT e.seq, e.register, e.record_key, e.statement_id, e.log_time, e.publisher,"
            " e.body_hash, e.leaf_hash, b.body, m.withdrawal_seq, m.redaction_seq"
            " FROM log_entry e JOIN log_body b ON b.seq = e.seq"
            " LEFT JOIN statement_mark m ON m.seq = e.seq WHERE e.seq = %s",
            [seq],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    body = row[8].encode() if row[8] is not None else None
    seq, register, record_key, statement_id, log_time, publisher, body_hash, leaf_hash = row[:8]
    return Target(
        int(seq),
        register,
        record_key,
        statement_id,
        log_time,
        publisher,
        body_hash,
        leaf_hash,
        body,
        row[9],
        row[10],
    )


def target_by_identity(
    store: Store, register: str, record_key: str, statement_id: str
) -> int | None:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT seq FROM log_entry WHERE register = %s AND record_key = %s"
            " AND statement_id = %s",
            [register, record_key, statement_id],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


def withdraw(
    store: Store,
    marked: Target,
    statement: log.Statement,
    publisher: str,
    *,
    compiled: bool,
    now: datetime | None = None,
) -> int:
    """Append a withdrawal of ``marked`` and mark it; returns the withdrawal's seq. ``compiled``:
    whether the marked statement's register compiles records, which then wait to be compiled
    again (without it)."""
    with store.atomic() as cursor:
        seq = _append_one(store, WITHDRAWALS, statement, publisher, now=now, done="withdrawn")
        _mark(store, cursor, marked.seq, "withdrawal_seq", seq)
        if compiled:
            log.mark_pending(store, cursor, marked.register, [marked.record_key])
    return seq


def redact(
    store: Store,
    marked: Target,
    statement: log.Statement,
    publisher: str,
    *,
    compiled: bool,
    now: datetime | None = None,
) -> int:
    """Append a redaction of ``marked`` and empty its body, in one transaction; returns the
    redaction's seq. What was derived from the body goes with it: its feed terms, the messages
    of its review (the counts of errors and warnings stay), and the conflicting versions of the
    same statement that were kept aside (which hold the same data). Its record, if
    ``compiled``, waits to be compiled again (without it)."""
    with store.atomic() as cursor:
        seq = _append_one(store, REDACTIONS, statement, publisher, now=now, done="redacted")
        cursor.execute(
            "UPDATE log_body SET body = NULL WHERE seq = %s AND body IS NOT NULL", [marked.seq]
        )
        if cursor.rowcount != 1:
            raise MarkRefused(f"entry {marked.seq} has no body to redact")
        cursor.execute("DELETE FROM statement_term WHERE seq = %s", [marked.seq])
        cursor.execute("UPDATE review SET problems = '[]' WHERE seq = %s", [marked.seq])
        cursor.execute(
            "DELETE FROM conflict WHERE register = %s AND record_key = %s AND statement_id = %s",
            [marked.register, marked.record_key, marked.statement_id],
        )
        _mark(store, cursor, marked.seq, "redaction_seq", seq)
        if compiled:
            log.mark_pending(store, cursor, marked.register, [marked.record_key])
    return seq


def _append_one(
    store: Store,
    register: str,
    statement: log.Statement,
    publisher: str,
    *,
    now: datetime | None,
    done: str,
) -> int:
    appended = log.append(store, register, [statement], publisher, now, compiled=False)
    if appended.entries:
        return appended.entries[0][1]
    # (register, record key, statement id) is unique: the statement was marked already, by a
    # request that came first. Raising undoes the transaction, the conflict row with it.
    earlier = (appended.duplicates or appended.conflicts)[0][1]
    raise AlreadyMarked(
        f"entry {statement.statement_id} was {done} already (entry {earlier})", earlier
    )


def _mark(store: Store, cursor, seq: int, column: str, by: int) -> None:
    cursor.execute(
        f"INSERT INTO statement_mark (seq, {column}) VALUES (%s, %s)"
        f" ON CONFLICT (seq) DO UPDATE SET {column} = excluded.{column}",
        [seq, by],
    )


@dataclass(frozen=True, slots=True)
class Mark:
    withdrawal_seq: int | None
    redaction_seq: int | None


def marks_between(store: Store, start: int, stop: int) -> dict[int, Mark]:
    """The marks of the statements ``start <= seq <= stop`` (a page of the feed)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT seq, withdrawal_seq, redaction_seq FROM statement_mark"
            " WHERE seq >= %s AND seq <= %s",
            [start, stop],
        )
        return {int(seq): Mark(w, r) for seq, w, r in cursor.fetchall()}


@dataclass(slots=True)
class Corrections:
    """What withdrawals and redactions say of one record's statements."""

    withdrawn: dict[int, int] = field(default_factory=dict)  # statement seq: withdrawal seq
    redacted: dict[int, int] = field(default_factory=dict)  # statement seq: redaction seq
    last_seq: int = -1  # the newest withdrawal or redaction of the record


def corrections(store: Store, record_keys: Sequence[str]) -> dict[str, Corrections]:
    """For each record key, the withdrawals and redactions of its statements, from the log
    itself (their statement id is the seq they name)."""
    found = {key: Corrections() for key in record_keys}
    with store.cursor() as cursor:
        if len(found) > 10:
            # A bulk compile (a load): two probes of the register index say whether the log has
            # any withdrawal or redaction at all, most often saving one probe per record.
            cursor.execute(
                "SELECT 1 FROM log_entry WHERE register IN (%s, %s) LIMIT 1",
                [WITHDRAWALS, REDACTIONS],
            )
            if cursor.fetchone() is None:
                return found
        for chunk in chunked(sorted(set(record_keys)), 500):
            condition, parameters = among(store, "record_key", chunk)
            cursor.execute(
                "SELECT record_key, register, statement_id, seq FROM log_entry"
                f" WHERE register IN (%s, %s) AND {condition}",
                [WITHDRAWALS, REDACTIONS, *parameters],
            )
            for record_key, register, statement_id, seq in cursor.fetchall():
                record = found[record_key]
                named = record.withdrawn if register == WITHDRAWALS else record.redacted
                named[int(statement_id)] = int(seq)
                record.last_seq = max(record.last_seq, int(seq))
    return found


def corrections_before(store: Store, stop: int) -> dict[str, Corrections]:
    """Every record's withdrawals and redactions with ``seq < stop``, by record key (for a
    snapshot of the first ``stop`` entries): few, so read at once, by the register's index."""
    found: dict[str, Corrections] = {}
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT record_key, register, statement_id, seq FROM log_entry"
            " WHERE register IN (%s, %s) AND seq < %s",
            [WITHDRAWALS, REDACTIONS, stop],
        )
        for record_key, register, statement_id, seq in cursor.fetchall():
            record = found.setdefault(record_key, Corrections())
            named = record.withdrawn if register == WITHDRAWALS else record.redacted
            named[int(statement_id)] = int(seq)
            record.last_seq = max(record.last_seq, int(seq))
    return found


def statements_page(
    store: Store, register: str, start: int, limit: int
) -> list[log.StoredStatement]:
    """Statements of one register (``withdrawals`` or ``redactions``) from ``start``, in log
    order: the public lists of them, by the (register, seq) index."""
    return log.register_statements(store, register, start, limit)
