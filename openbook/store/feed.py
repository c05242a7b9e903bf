"""The change feed: statements in log order, as stored, for paging by sequence number.

Pages are ranges of seq. Appends number entries under the log's write lock and commit in seq
order, so a reader never sees seq N committed before seq N-1: following ``seq > last seen`` misses
nothing, even while others append (tests/web/test_feed_concurrency.py).
"""

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

from openbook.store.database import Store, placeholders


def _columns(store: Store) -> str:
    # Bodies come back as UTF-8 bytes, ready to write into a response: no decoding into str and
    # encoding back, which for a page of a thousand releases is most of the work.
    body = "CAST(b.body AS BLOB)" if store.vendor == "sqlite" else "b.body"
    # The publisher is text too: as VARCHAR it comes back as a str (``_cursor``).
    return f"e.seq, e.log_time, {body}, r.package_hash, CAST(e.publisher AS VARCHAR), e.leaf_hash"


_FROM = " FROM log_entry e JOIN log_body b ON b.seq = e.seq LEFT JOIN review r ON r.seq = e.seq"


@contextmanager
def _cursor(store: Store) -> Iterator[Any]:
    """A cursor whose ``text`` columns (of those selected here, only the body) come back as the
    UTF-8 bytes PostgreSQL sends: not decoded, and not converted to ``bytea`` by the server,
    which then sends it hex-encoded, twice the size, for the client to decode (a page of 1,000
    releases: 9.5 ms against 21)."""
    with store.cursor() as cursor:
        if store.vendor == "postgresql":
            cursor.cursor.adapters.register_loader("text", _utf8_bytes_loader())
        yield cursor


@functools.cache
def _utf8_bytes_loader() -> type:
    from psycopg.adapt import Loader  # imported only where PostgreSQL is used

    class Utf8Bytes(Loader):
        def load(self, data: Any) -> bytes:
            return bytes(data)

    return Utf8Bytes


def _items(rows) -> list["FeedItem"]:
    # Rows are (seq, log_time, body, package_hash, publisher, leaf_hash): bodies as bytes on
    # both databases (``_columns``, ``_cursor``).
    return list(map(FeedItem._make, rows))


class FeedItem(NamedTuple):
    """One statement as the feed serves it. A named tuple rather than a frozen dataclass: a
    page makes a thousand of them, and a frozen dataclass's ``__init__`` (``object.__setattr__``
    for each field) was a tenth of a page's time in the server's process."""

    seq: int
    log_time: str
    body: bytes | None  # canonical JSON as stored (UTF-8); None once redacted
    package_hash: str | None
    publisher: str  # who published it, as the log entry names them
    leaf_hash: str


def first_seq_at(store: Store, log_time: str) -> int:
    """The first seq whose log time is at or after ``log_time`` (the log's size if none).

    Log time never decreases along the log (openbook.store.log.append), so a binary search over
    seq finds it with a few primary-key lookups and no index on log time."""
    with store.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM log_entry")
        low, high = 0, int(cursor.fetchone()[0])
        while low < high:
            middle = (low + high) // 2
            cursor.execute("SELECT log_time FROM log_entry WHERE seq = %s", [middle])
            if cursor.fetchone()[0] < log_time:
                low = middle + 1
            else:
                high = middle
    return low


def page(
    store: Store,
    register: str,
    start: int,
    stop: int | None,
    limit: int,
    *,
    term_groups: Sequence[Sequence[str]] = (),
) -> list[FeedItem]:
    """Up to ``limit`` statements of a register with ``start <= seq < stop``, in log order; with
    term groups, only those having at least one term of every group."""
    review_on, where, params = _page_range(store, register, start, stop)
    for group in term_groups:
        where.append(
            f"e.seq IN (SELECT t.seq FROM statement_term t WHERE t.term IN ({placeholders(group)})"
            " AND t.seq >= %s)"
        )
        params.extend([*group, start])
    with _cursor(store) as cursor:
        cursor.execute(
            f"SELECT {_columns(store)}{_FROM}{review_on} WHERE {' AND '.join(where)}"
            " ORDER BY e.seq LIMIT %s",
            [*params, limit],
        )
        return _items(cursor.fetchall())


def _page_range(
    store: Store, register: str, start: int, stop: int | None
) -> tuple[str, list[str], list[object]]:
    """A page's register and range of seq as SQL: what the review join's ON adds, the WHERE's
    conditions, and the values of both in order."""
    if store.vendor == "sqlite":
        # ``register || ''``: an expression, so that SQLite walks the log by seq (its rowid)
        # rather than through the (register, record_key, seq) index and a sort of everything
        # after start.
        sqlite_where: list[str] = ["e.register || '' = %s", "e.seq >= %s"]
        sqlite_values: list[object] = [register, start]
        if stop is not None:
            sqlite_where.append("e.seq < %s")
            sqlite_values.append(stop)
        return "", sqlite_where, sqlite_values
    # PostgreSQL carries equalities across a join, not ranges: told only ``e.seq >= start``, it
    # may merge-join log_body and review read from their first row (a page from the middle of
    # 100,000 releases: 341 ms, against 3 ms with the range on every table). And the register
    # as it is, not an expression: estimated from its statistics (nearly every entry), the
    # page's LIMIT is a short walk; the expression's default estimate (0.5% of rows) made the
    # planner expect a long one and choose a parallel plan, whose worker's start and the bodies
    # passed between processes cost a page tens of milliseconds (docs/performance.md).
    bounds = [(">=", start)] if stop is None else [(">=", start), ("<", stop)]
    review_on = "".join(f" AND r.seq {op} %s" for op, _ in bounds)
    where: list[str] = ["e.register = %s"]
    values: list[object] = [value for _, value in bounds] + [register]
    for op, value in bounds:
        where += [f"e.seq {op} %s", f"b.seq {op} %s"]
        values += [value, value]
    return review_on, where, values


def find_by_term(store: Store, register: str, term: str, limit: int) -> list[FeedItem]:
    """Statements having this term, in log order (a release found by its id alone)."""
    return page(store, register, 0, None, limit, term_groups=[[term]])


def record_items(store: Store, register: str, record_key: str) -> list[FeedItem]:
    """A record's statements, in log order, as stored."""
    with _cursor(store) as cursor:
        cursor.execute(
            f"SELECT {_columns(store)}{_FROM}"
            " WHERE e.register = %s AND e.record_key = %s ORDER BY e.seq",
            [register, record_key],
        )
        return _items(cursor.fetchall())


def statement_item(
    store: Store, register: str, record_key: str, statement_id: str
) -> FeedItem | None:
    with _cursor(store) as cursor:
        cursor.execute(
            f"SELECT {_columns(store)}{_FROM}"
            " WHERE e.register = %s AND e.record_key = %s AND e.statement_id = %s",
            [register, record_key, statement_id],
        )
        found = _items(cursor.fetchall())
    return found[0] if found else None


def record_state(store: Store, registers: Sequence[str], record_key: str) -> tuple[int, str] | None:
    """The last seq of a record and its newest log time (what a record's ETag and
    Last-Modified are made of), from the index alone: over its own register and those whose
    statements change it (withdrawals and redactions of its statements), in ``registers``, the
    first being its own. None if its own register has none of it."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT seq, log_time, register FROM log_entry WHERE register IN"
            f" ({placeholders(registers)}) AND record_key = %s ORDER BY seq DESC LIMIT 1",
            [*registers, record_key],
        )
        row = cursor.fetchone()
        if row is None or row[2] == registers[0]:
            return (int(row[0]), row[1]) if row else None
        cursor.execute(
            "SELECT 1 FROM log_entry WHERE register = %s AND record_key = %s LIMIT 1",
            [registers[0], record_key],
        )
        if cursor.fetchone() is None:
            return None
        return int(row[0]), row[1]
