"""The spend register's transactions as their newest statements leave them (openbook.spend;
docs/spend.md). The statements themselves are in the log (openbook.store.log); each row here
is written in the transaction that appends its transaction's newest statement."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from openbook.standards.spend.transactions import WITHHELD
from openbook.store.database import STATISTICS_AFTER, Store, among, chunked
from openbook.store.log import insert_rows

PUBLISHED = "published"
WITHDRAWN = "withdrawn"


class Stored(NamedTuple):
    """A row of ``spend_transaction``, its values in the table's column order (what ``save``
    writes as they are): a named tuple, made in a fifth of the time a frozen dataclass is, for
    every row a load reads or writes (issue 9)."""

    record_key: str
    group_key: str
    line: int
    body_key: str
    body_name: str
    source: str  # the file (its name) that last stated it
    version: int
    seq: int
    status: str  # PUBLISHED or WITHDRAWN
    content_hash: str  # of the transaction last published
    date: str
    amount: str  # decimal text
    currency: str
    supplier_key: str
    transaction_number: str | None


@dataclass(frozen=True, slots=True)
class Filters:
    body_key: str | None = None
    supplier_key: str | None = None
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None


_COLUMN_NAMES = Stored._fields
_COLUMNS = ", ".join(_COLUMN_NAMES)
_COUNT = len(_COLUMN_NAMES)
# the columns' types as PostgreSQL arrays, for unnest
_ARRAYS = ", ".join(
    f"%s::{kind}[]"
    for kind in ("text", "text", "int", "text", "text", "text", "int", "bigint", "text", "text",
                 "text", "text", "text", "text", "text")
)  # fmt: skip


def by_groups(store: Store, group_keys: Sequence[str]) -> dict[str, list[Stored]]:
    """Every transaction of these identity groups, withdrawn ones too, by group."""
    found: dict[str, list[Stored]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(group_keys)), 500):
            condition, params = among(store, "group_key", chunk)
            cursor.execute(f"SELECT {_COLUMNS} FROM spend_transaction WHERE {condition}", params)
            for row in cursor.fetchall():
                found.setdefault(row[1], []).append(Stored(*row))
    for rows in found.values():
        rows.sort(key=lambda each: each.line)
    return found


def published_from(store: Store, body_keys: Sequence[str], source: str) -> list[Stored]:
    """The published transactions of these bodies whose newest statement came from ``source``."""
    found: list[Stored] = []
    with store.cursor() as cursor:
        for body_key in sorted(set(body_keys)):
            cursor.execute(
                f"SELECT {_COLUMNS} FROM spend_transaction"
                " WHERE body_key = %s AND source = %s AND status = %s ORDER BY record_key",
                [body_key, source, PUBLISHED],
            )
            found += [Stored(*row) for row in cursor.fetchall()]
    return found


def save(store: Store, rows: Sequence[Stored], new: Sequence[Stored] = ()) -> None:
    """Write each transaction's newest state: ``rows`` of transactions that may be stored
    already, ``new`` those that cannot be (their record key made for them under the log's
    lock), inserted without a conflict check (COPY on PostgreSQL: half the upsert's time at
    100,000 payments, which went mostly on psycopg dumping its arrays in Python). Call inside
    the transaction that appends the statements."""
    if new:
        with store.atomic(savepoint=False) as cursor:
            insert_rows(store, cursor, "spend_transaction", _COLUMN_NAMES, list(new))
    if not rows:
        return
    updated = ", ".join(f"{name} = excluded.{name}" for name in _COLUMN_NAMES[1:])
    with store.atomic(savepoint=False) as cursor:
        if store.vendor == "postgresql":  # one statement, from arrays (as
            # openbook.store.log.mark_pending): a statement per row held a 1M-payment load
            # for minutes.
            cursor.execute(
                f"INSERT INTO spend_transaction ({_COLUMNS}) SELECT * FROM unnest({_ARRAYS})"
                f" ON CONFLICT (record_key) DO UPDATE SET {updated}",
                [list(column) for column in zip(*rows, strict=True)],
            )
            return
        cursor.executemany(
            f"INSERT INTO spend_transaction ({_COLUMNS})"
            f" VALUES ({', '.join(['%s'] * _COUNT)})"
            f" ON CONFLICT (record_key) DO UPDATE SET {updated}",
            list(rows),
        )


def redacted(store: Store, record_key: str, seq: int) -> None:
    """A transaction whose newest statement (entry ``seq``) was redacted keeps nothing of its
    supplier that a search could find it by: its key becomes the withheld one. Call inside the
    transaction that redacts."""
    with store.atomic(savepoint=False) as cursor:
        cursor.execute(
            "UPDATE spend_transaction SET supplier_key = %s WHERE record_key = %s AND seq = %s",
            [WITHHELD, record_key, seq],
        )
        # nor its link, which keeps what the statement offered to link by (its
        # supplier's name key among it): the next linking run links it as redacted.
        for table in ("spend_link", "spend_link_name"):
            cursor.execute(f"DELETE FROM {table} WHERE payment_key = %s", [record_key])


def get(store: Store, record_key: str) -> Stored | None:
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM spend_transaction WHERE record_key = %s", [record_key]
        )
        row = cursor.fetchone()
    return Stored(*row) if row else None


def page(
    store: Store, filters: Filters, *, after: tuple[str, str] | None = None, limit: int = 100
) -> list[Stored]:
    """Published transactions in date order (then record key), after ``(date, record_key)``."""
    where, params = ["status = %s"], [PUBLISHED]
    for column, value, operator in (
        ("body_key", filters.body_key, "="),
        ("supplier_key", filters.supplier_key, "="),
        ("date", filters.date_from, ">="),
        ("date", filters.date_to, "<="),
    ):
        if value is not None:
            where.append(f"{column} {operator} %s")
            params.append(value)
    if after is not None:
        where.append("(date > %s OR (date = %s AND record_key > %s))")
        params += [after[0], after[0], after[1]]
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM spend_transaction WHERE {' AND '.join(where)}"
            " ORDER BY date, record_key LIMIT %s",
            [*params, limit],
        )
        return [Stored(*row) for row in cursor.fetchall()]


def refresh_statistics(store: Store) -> None:
    """Refresh PostgreSQL's planner statistics of the tables a load reads as it goes (the
    register's rows, and the log's entries) once the register's rows have doubled since they
    were last taken (from STATISTICS_AFTER rows): planned for the table as it was (empty,
    often), each file's look-up of its identity groups read the whole table, 33 ms a file at
    120,000 payments rather than 0.5 ms. The log's entries with them even when the log already
    held many more (the releases): left to its own doubling, the log's statistics knew no
    ``spend`` entries, and the load's server CPU went from 16 to 61 s at 100,000 payments
    (issue 9). SQLite keeps none. One query a call otherwise."""
    if store.vendor != "postgresql":
        return
    with store.cursor() as cursor:
        cursor.execute(  # the statistics function, not the view (a third of the time)
            "SELECT pg_stat_get_live_tuples(oid), reltuples FROM pg_class"
            " WHERE oid = 'spend_transaction'::regclass"
        )
        row = cursor.fetchone()
        if row is None:
            return
        rows, analysed = row
        if rows >= STATISTICS_AFTER and rows > 2 * max(analysed, 0):
            cursor.execute("ANALYZE spend_transaction, log_entry")
