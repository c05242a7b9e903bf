"""The grants register's grants as their newest statements leave them (openbook.grants;
docs/local-transparency.md), and the organisations their recipients resolve to. The statements
themselves are in the log (openbook.store.log); each row here is written in the transaction that
appends its grant's newest statement."""

from collections.abc import Mapping, Sequence
from dataclasses import astuple, dataclass

from openbook.store.database import Store, among, chunked


@dataclass(frozen=True, slots=True)
class Stored:
    record_key: str
    version: int
    seq: int
    content_hash: str
    source: str
    funder_key: str
    funder_name: str
    recipient_name: str | None
    award_date: str  # YYYY-MM-DD, or ""
    amount: str | None
    currency: str | None
    errors: int


@dataclass(frozen=True, slots=True)
class Filters:
    funder_key: str | None = None
    recipient: str | None = None  # an identifier, SCHEME-ID
    date_from: str | None = None  # YYYY-MM-DD, inclusive
    date_to: str | None = None


_COLUMNS = (
    "record_key, version, seq, content_hash, source, funder_key, funder_name, recipient_name,"
    " award_date, amount, currency, errors"
)
_NAMES = _COLUMNS.replace(" ", "").split(",")


def get_many(store: Store, record_keys: Sequence[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(record_keys)), 500):
            condition, params = among(store, "record_key", chunk)
            cursor.execute(f"SELECT {_COLUMNS} FROM grants_entry WHERE {condition}", params)
            found.update((row[0], Stored(*row)) for row in cursor.fetchall())
    return found


def get(store: Store, record_key: str) -> Stored | None:
    return get_many(store, [record_key]).get(record_key)


def save(store: Store, rows: Sequence[Stored], recipients: Mapping[str, Sequence[str]]) -> None:
    """Write each grant's newest state and the identifiers its recipients resolve to (those of
    its newest statement only). Call inside the transaction that appends the statements."""
    if not rows:
        return
    updated = ", ".join(f"{name} = excluded.{name}" for name in _NAMES[1:])
    with store.atomic(savepoint=False) as cursor:
        cursor.executemany(
            f"INSERT INTO grants_entry ({_COLUMNS}) VALUES ({', '.join(['%s'] * len(_NAMES))})"
            f" ON CONFLICT (record_key) DO UPDATE SET {updated}",
            [astuple(row) for row in rows],
        )
        keys = [row.record_key for row in rows]
        for chunk in chunked(keys, 500):
            condition, params = among(store, "record_key", chunk)
            cursor.execute(f"DELETE FROM grants_recipient WHERE {condition}", params)
        cursor.executemany(
            "INSERT INTO grants_recipient (identifier, record_key) VALUES (%s, %s)"
            " ON CONFLICT (identifier, record_key) DO NOTHING",
            [(identifier, key) for key in keys for identifier in recipients.get(key, ())],
        )


def redacted(store: Store, record_key: str, seq: int) -> None:
    """A grant whose newest statement (entry ``seq``) was redacted keeps nothing of its
    recipient that a list could find it by. Call inside the transaction that redacts."""
    with store.atomic(savepoint=False) as cursor:
        cursor.execute(
            "UPDATE grants_entry SET recipient_name = NULL WHERE record_key = %s AND seq = %s",
            [record_key, seq],
        )
        if cursor.rowcount:
            cursor.execute("DELETE FROM grants_recipient WHERE record_key = %s", [record_key])


def page(
    store: Store,
    filters: Filters,
    *,
    after: tuple[str, str] | None = None,
    limit: int = 100,
    newest_first: bool = False,
) -> list[Stored]:
    """Grants in award date order (then id), or the reverse with ``newest_first``, after
    ``(award_date, record_key)`` in that order."""
    where: list[str] = []
    params: list = []
    join = ""
    if filters.recipient is not None:
        join = " JOIN grants_recipient r ON r.record_key = e.record_key AND r.identifier = %s"
        params.append(filters.recipient)
    for column, value, operator in (
        ("e.funder_key", filters.funder_key, "="),
        ("e.award_date", filters.date_from, ">="),
        ("e.award_date", filters.date_to, "<="),
    ):
        if value is not None:
            where.append(f"{column} {operator} %s")
            params.append(value)
    if after is not None:
        beyond = "<" if newest_first else ">"
        where.append(
            f"(e.award_date {beyond} %s OR (e.award_date = %s AND e.record_key {beyond} %s))"
        )
        params += [after[0], after[0], after[1]]
    direction = " DESC" if newest_first else ""
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    columns = ", ".join(f"e.{name}" for name in _NAMES)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM grants_entry e{join}{condition}"
            f" ORDER BY e.award_date{direction}, e.record_key{direction} LIMIT %s",
            [*params, limit],
        )
        return [Stored(*row) for row in cursor.fetchall()]


def recipients_of(store: Store, record_keys: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(record_keys)), 500):
            condition, params = among(store, "record_key", chunk)
            cursor.execute(
                f"SELECT record_key, identifier FROM grants_recipient WHERE {condition}"
                " ORDER BY id",
                params,
            )
            for key, identifier in cursor.fetchall():
                found.setdefault(key, []).append(identifier)
    return found


def received(store: Store, identifier: str) -> tuple[int, list[str]]:
    """How many grants have a recipient resolving to ``identifier``, and the names those
    recipients are given, the most used first (at most five)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT e.recipient_name, COUNT(*) FROM grants_recipient r"
            " JOIN grants_entry e ON e.record_key = r.record_key WHERE r.identifier = %s"
            " GROUP BY e.recipient_name ORDER BY COUNT(*) DESC, e.recipient_name",
            [identifier],
        )
        rows = cursor.fetchall()
    names = [name for name, _ in rows if name is not None]
    return sum(count for _, count in rows), names[:5]


def processes_naming(store: Store, identifiers: Sequence[str]) -> dict[str, int]:
    """How many processes have a party with each of these identifiers (those with none are left
    out): a grant's recipient that is also a supplier or a buyer."""
    found: dict[str, int] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(identifiers)), 500):
            condition, params = among(store, "identifier", chunk)
            cursor.execute(
                "SELECT identifier, COUNT(DISTINCT process_id) FROM process_party"
                f" WHERE {condition} GROUP BY identifier",
                params,
            )
            found.update((identifier, int(count)) for identifier, count in cursor.fetchall())
    return found
