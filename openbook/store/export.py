"""Reading the whole log for a snapshot (openbook.export): streamed, so memory stays flat.

Every read is bounded by a log size N taken once at the start (``seq < N``): entries are never
changed, so these reads agree with each other whatever is appended meanwhile. Compiled records
are not bounded that way (a load may recompile one during the export), so ``records_before``
says, for each record, which statements below N it has and which the stored compiled release
was built from; the caller recompiles where they differ.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction

from openbook.store.database import Store, stream


@contextmanager
def reading(store: Store) -> Iterator[None]:
    """Where the streams below run. On PostgreSQL, a read-only transaction: a server-side
    cursor outside one is declared WITH HOLD and materialised whole on the server before the
    first row arrives. On SQLite, nothing: its transactions here begin IMMEDIATE and would hold
    the write lock for the whole export; a statement being stepped reads one consistent state
    anyway (WAL), and the cursor is lazy."""
    if store.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=store.alias), store.connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
        yield


@dataclass(frozen=True, slots=True)
class LogRow:
    seq: int
    register: str
    record_key: str
    statement_id: str
    statement_date: str
    log_time: str
    publisher: str
    body_hash: str
    leaf_hash: str
    body: str | None  # canonical JSON text; None once redacted


def entries_before(store: Store, stop: int) -> Iterator[LogRow]:
    """Every log entry with ``seq < stop``, in log order, with its body."""
    for row in stream(
        store,
        "SELECT e.seq, e.register, e.record_key, e.statement_id, e.statement_date, e.log_time,"
        " e.publisher, e.body_hash, e.leaf_hash, b.body"
        " FROM log_entry e JOIN log_body b ON b.seq = e.seq"
        " WHERE e.seq < %s ORDER BY e.seq",
        [stop],
    ):
        yield LogRow(*row)


@dataclass(frozen=True, slots=True)
class RecordRow:
    record_key: str
    last_seq: int  # the record's last statement below the snapshot's N
    statements: int  # how many statements below N
    compiled_seq: int | None  # the last statement the stored compiled release was built from
    compiled: str | None  # JSON text of the stored compiled release
    compile_error: str | None

    @property
    def current(self) -> bool:
        """Whether the stored compiled release is the record as of the snapshot."""
        return self.compiled_seq == self.last_seq


def records_before(store: Store, register: str, stop: int) -> Iterator[RecordRow]:
    """Every record of a register with a statement below ``stop``, in record key order, with its
    stored compiled release (if any) and the statements it was built from."""
    for row in stream(
        store,
        "SELECT l.record_key, l.last_seq, l.statements, r.last_seq, r.compiled, r.compile_error"
        " FROM (SELECT record_key, MAX(seq) AS last_seq, COUNT(*) AS statements"
        " FROM log_entry WHERE register = %s AND seq < %s GROUP BY record_key) l"
        " LEFT JOIN record r ON r.register = %s AND r.record_key = l.record_key"
        " ORDER BY l.record_key",
        [register, stop, register],
    ):
        yield RecordRow(*row)


def package_hashes_before(store: Store, register: str, stop: int) -> list[str]:
    """The packages that statements below ``stop`` arrived in, by hash."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT r.package_hash FROM review r JOIN log_entry e ON e.seq = r.seq"
            " WHERE e.register = %s AND r.seq < %s AND r.package_hash IS NOT NULL"
            " ORDER BY r.package_hash",
            [register, stop],
        )
        return [row[0] for row in cursor.fetchall()]
