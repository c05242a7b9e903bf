"""Compiled records: which records wait for compiling, their statements, and the results."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openbook.standards.ocds.summary import Summary
from openbook.store import search
from openbook.store.database import Store, among, chunked, placeholders, stream
from openbook.store.log import insert_rows, mark_pending


def pending(store: Store, register: str, limit: int) -> list[str]:
    """Record keys waiting to be compiled, in key order."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT record_key FROM pending_record WHERE register = %s"
            " ORDER BY record_key LIMIT %s",
            [register, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def pending_after(store: Store, register: str, after: str, limit: int) -> list[str]:
    """Record keys waiting to be compiled that sort after ``after``, in key order."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT record_key FROM pending_record WHERE register = %s AND record_key > %s"
            " ORDER BY record_key LIMIT %s",
            [register, after, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def mark_all_pending(store: Store, register: str) -> None:
    """Put every record of a register that has been compiled on the list to compile again."""
    with store.atomic() as cursor:
        cursor.execute(
            "INSERT INTO pending_record (register, record_key)"
            " SELECT register, record_key FROM record WHERE register = %s"
            " ON CONFLICT DO NOTHING",
            [register],
        )


def pending_count(store: Store, register: str) -> int:
    with store.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM pending_record WHERE register = %s", [register])
        return int(cursor.fetchone()[0])


def bodies(
    store: Store, register: str, record_keys: Sequence[str]
) -> dict[str, list[tuple[int, str | None, str | None]]]:
    """For each record, its statements' (seq, body, package hash) in log order; a redacted body
    is None, and so is the package hash of a statement that came without a package."""
    found: dict[str, list[tuple[int, str | None, str | None]]] = {key: [] for key in record_keys}
    with store.cursor() as cursor:
        for chunk in chunked(record_keys, 500):
            condition, parameters = among(store, "e.record_key", chunk)
            # The package hash by a lookup of each row's review, not a join: joined,
            # PostgreSQL's planner hashes the few rows wanted and reads every review to match
            # them (a whole scan of the table for each call: 3 ms at 20,000 statements, growing
            # with the log), where a lookup each is 0.4 ms (docs/performance.md, publishing).
            cursor.execute(
                "SELECT e.record_key, e.seq, b.body,"
                " (SELECT r.package_hash FROM review r WHERE r.seq = e.seq) FROM log_entry e"
                " JOIN log_body b ON b.seq = e.seq"
                f" WHERE e.register = %s AND {condition}"
                " ORDER BY e.record_key, e.seq",
                [register, *parameters],
            )
            for record_key, seq, body, package_hash in cursor.fetchall():
                found[record_key].append((seq, body, package_hash))
    return found


def packages(store: Store, package_hashes: Sequence[str]) -> dict[str, str]:
    """Package metadata (JSON text) by hash."""
    found = {}
    with store.cursor() as cursor:
        for chunk in chunked(package_hashes, 500):
            cursor.execute(
                "SELECT package_hash, metadata FROM source_package"
                f" WHERE package_hash IN ({placeholders(chunk)})",
                list(chunk),
            )
            found.update(cursor.fetchall())
    return found


@dataclass(frozen=True, slots=True)
class Compiled:
    record_key: str
    compiled: str | None  # JSON text
    compile_error: str | None
    statement_count: int
    last_seq: int
    summary: Summary | None = None  # what the process search finds it by (OCDS only)


def save(store: Store, register: str, results: Sequence[Compiled], compiled_time: str) -> list[str]:
    """Store compiled records and take them off the pending list, in one transaction, with
    their rows in the process search (openbook.store.search), so that search agrees with records.
    Returns the records these put back on the list: frameworks whose call-offs changed
    (openbook.store.commercial_tools.out_of_step), to be compiled again.

    A result older than what is stored (two writers compiling one process at once, the slower
    having read fewer statements) is dropped: what is stored never goes back in the log."""
    with store.atomic() as cursor:
        results = _not_older(store, cursor, register, results)
        cursor.executemany(
            "INSERT INTO record (register, record_key, compiled, compile_error,"
            " statement_count, last_seq, compiled_time) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (register, record_key) DO UPDATE SET compiled = excluded.compiled,"
            " compile_error = excluded.compile_error,"
            " statement_count = excluded.statement_count, last_seq = excluded.last_seq,"
            " compiled_time = excluded.compiled_time",
            _rows(register, results, compiled_time),
        )
        again: list[str] = []
        if register == search.REGISTER:
            again = search.index(
                store, cursor, [(r.record_key, r.last_seq, r.summary) for r in results]
            )
        _take_off_pending(store, cursor, register, results)
        if again:
            mark_pending(store, cursor, register, again)
    return again


RECORD_COLUMNS = (
    "register",
    "record_key",
    "compiled",
    "compile_error",
    "statement_count",
    "last_seq",
    "compiled_time",
)


def save_first_rows(
    store: Store,
    cursor,
    register: str,
    results: Sequence[tuple[str, str, int, int]],
    compiled_time: str,
) -> None:
    """Store the compiled records of records that have none, in the transaction that appended
    their first statements (under the log's lock: no other writer can have stored them or put
    them on the list to compile): inserts only, COPY on PostgreSQL. Not for the process search's
    register (``save`` indexes those). Results are given as (record key, compiled JSON,
    statement count, last seq), compiled without error: a load of a million records spares
    building a Compiled for each."""
    rows = [
        (register, key, compiled, None, count, last_seq, compiled_time)
        for key, compiled, count, last_seq in results
    ]
    insert_rows(store, cursor, "record", RECORD_COLUMNS, rows)


def _rows(register: str, results, compiled_time) -> list[tuple]:
    """The ``record`` rows of these compile results, in RECORD_COLUMNS' order."""
    return [
        (
            register,
            result.record_key,
            result.compiled,
            result.compile_error,
            result.statement_count,
            result.last_seq,
            compiled_time,
        )
        for result in results
    ]


def _not_older(
    store: Store, cursor, register: str, results: Sequence[Compiled]
) -> Sequence[Compiled]:
    keys = sorted({result.record_key for result in results})
    if store.vendor == "postgresql":
        # Writers saving the same records wait for each other (SQLite's write lock does that
        # for the whole database), in key order so that two batches cannot deadlock.
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(hashtextextended(%s || k, 0)))"
            " FROM (SELECT unnest(%s::text[]) AS k ORDER BY 1) AS keys",
            [f"{register}:", keys],
        )
    stored: dict[str, int] = {}
    for chunk in chunked(keys, 500):
        condition, parameters = among(store, "record_key", chunk)
        cursor.execute(
            f"SELECT record_key, last_seq FROM record WHERE register = %s AND {condition}",
            [register, *parameters],
        )
        stored.update(cursor.fetchall())
    return [result for result in results if result.last_seq >= stored.get(result.record_key, -1)]


def _take_off_pending(store: Store, cursor, register: str, results: Sequence[Compiled]) -> None:
    # Only what was compiled is taken off: a statement appended meanwhile re-marks its record in
    # its own transaction, and its seq is then above last_seq.
    if store.vendor == "postgresql":
        # One statement for the batch, as openbook.store.log.mark_pending.
        cursor.execute(
            "DELETE FROM pending_record p USING unnest(%s::text[], %s::bigint[]) AS c(key, seq)"
            " WHERE p.register = %s AND p.record_key = c.key AND NOT EXISTS"
            " (SELECT 1 FROM log_entry e WHERE e.register = %s AND e.record_key = c.key"
            " AND e.seq > c.seq)",
            [
                [result.record_key for result in results],
                [result.last_seq for result in results],
                register,
                register,
            ],
        )
        return
    cursor.executemany(
        "DELETE FROM pending_record WHERE register = %s AND record_key = %s AND NOT EXISTS"
        " (SELECT 1 FROM log_entry e WHERE e.register = %s AND e.record_key = %s"
        " AND e.seq > %s)",
        [
            (register, result.record_key, register, result.record_key, result.last_seq)
            for result in results
        ],
    )


@dataclass(frozen=True, slots=True)
class StoredRecord:
    record_key: str
    compiled: str | None
    compile_error: str | None
    statement_count: int
    last_seq: int
    compiled_time: str


def get(store: Store, register: str, record_key: str) -> StoredRecord | None:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT record_key, compiled, compile_error, statement_count, last_seq,"
            " compiled_time FROM record WHERE register = %s AND record_key = %s",
            [register, record_key],
        )
        row = cursor.fetchone()
    return StoredRecord(*row) if row else None


def count(store: Store, register: str) -> int:
    with store.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM record WHERE register = %s", [register])
        return int(cursor.fetchone()[0])


def compiled_of(store: Store, register: str, keys: Sequence[str]) -> dict[str, str]:
    """The compiled records (JSON text) of these keys, those that have one, by key."""
    found: dict[str, str] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(keys)), 500):
            condition, params = among(store, "record_key", chunk)
            cursor.execute(
                "SELECT record_key, compiled FROM record"
                f" WHERE register = %s AND compiled IS NOT NULL AND {condition}",
                [register, *params],
            )
            found.update(cursor.fetchall())
    return found


def compiled_releases(store: Store, register: str) -> Iterator[tuple[str, str]]:
    """Every record of a register that has a compiled release, as (key, JSON text), in key
    order; streamed, so memory stays flat however many there are."""
    yield from stream(
        store,
        "SELECT record_key, compiled FROM record"
        " WHERE register = %s AND compiled IS NOT NULL ORDER BY record_key",
        [register],
    )
