"""Appending statements to the log, and reading them back.

Appends are batched: one transaction per batch takes the log's write lock, numbers the new
entries after the last one (gap-free, because numbering happens under the lock and inside the
transaction that inserts them), and marks their records for recompiling. A batch is all or
nothing, so an interrupted load leaves the log at a batch boundary.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import repeat

import orjson

from openbook.standards.log import Entry, format_log_time, leaf_hash
from openbook.store.database import Store, among, chunked, placeholders


@dataclass(slots=True)
class Statement:
    """A statement ready to append: identified, canonicalised, hashed and reviewed."""

    record_key: str
    statement_id: str
    statement_date: str
    body: bytes  # RFC 8785 canonical JSON
    body_hash: str
    problems: list[dict]
    source: str  # where it came from: file and position, or API call
    package: tuple[str, bytes] | None = None  # enclosing package: (hash, canonical metadata)
    terms: Sequence[str] = ()  # what the feed finds it by (openbook.standards.ocds.terms)


@dataclass(slots=True)
class Appended:
    """What became of each statement of a batch."""

    entries: list[tuple[Statement, int]] = field(default_factory=list)  # with their seq
    duplicates: list[tuple[Statement, int]] = field(default_factory=list)  # seq of the stored one
    conflicts: list[tuple[Statement, int]] = field(default_factory=list)  # seq of the stored one
    # The batch's records the log held statements of before it, with the first one's seq (to
    # compile the others from the statements in hand: openbook.bods).
    earlier: dict[str, int] = field(default_factory=dict)
    # Each new entry's leaf hash and log time, by seq, so that an appender answering
    # with them (the publish API) need not read them back.
    stamps: dict[int, tuple[str, str]] = field(default_factory=dict)


def append(
    store: Store,
    register: str,
    statements: Sequence[Statement],
    publisher: str,
    now: datetime | None = None,
    *,
    compiled: bool = True,
    locked: bool = False,
    earlier: bool = True,
    known: dict[tuple[str, str], tuple[str, int]] | None = None,
) -> Appended:
    """Append a batch. Idempotent: a statement already stored with the same body is a duplicate;
    with another body, a conflict, kept aside in ``conflict`` (once per distinct body).

    ``compiled`` says whether the register's records are compiled (OCDS processes are); the
    ``documents`` register's are not, so its statements are put on no list to compile.
    ``locked``: the caller took the log's lock (``lock``) in the transaction this is part of.
    ``earlier``: whether ``Appended.earlier`` is wanted; without it, on SQLite, only the
    batch's own (record key, statement id) pairs are looked up, not every stored statement of
    its records (a bulk load then finds a third fewer rows, and on a fresh log none).
    ``known``: the (body hash, seq) of every stored statement of the batch's records, by
    (record key, statement id), as the caller read them under the lock or found them unchanged
    under it (the publish API's checks), not looked up again.
    Called inside a transaction, the append is part of it: a failure undoes the whole."""
    outcome = Appended()
    if not statements:
        return outcome
    with store.atomic(savepoint=False) as cursor:
        if not locked:
            lock(store)
        stored, outcome.earlier = _stored(
            store,
            cursor,
            register,
            statements,
            earlier,
            known=known,
        )
        cursor.execute("SELECT seq, log_time FROM log_entry ORDER BY seq DESC LIMIT 1")
        last = cursor.fetchone()
        seq = last[0] + 1 if last else 0
        # Log time never goes backwards along the log, even if the clock does.
        log_time = format_log_time(now or datetime.now(UTC))
        if last and last[1] > log_time:
            log_time = last[1]
        entries, bodies, reviews, conflicts = [], [], [], []
        terms: list[tuple[str, int]] = []
        packages: dict[str, str] = {}
        for statement in statements:
            key = (statement.record_key, statement.statement_id)
            if key in stored:
                stored_hash, stored_seq = stored[key]
                if stored_hash == statement.body_hash:
                    outcome.duplicates.append((statement, stored_seq))
                else:
                    outcome.conflicts.append((statement, stored_seq))
                    conflicts.append(
                        _conflict_row(register, statement, stored_hash, stored_seq, log_time)
                    )
                continue
            # The entry's row and leaf hash without building an Entry (issue 6)
            row = (
                seq,
                register,
                statement.record_key,
                statement.statement_id,
                statement.statement_date,
                log_time,
                publisher,
                statement.body_hash,
            )
            leaf = leaf_hash(row)
            outcome.stamps[seq] = (leaf, log_time)
            entries.append((*row, leaf))
            bodies.append((seq, statement.body.decode()))
            terms.extend(zip(statement.terms, repeat(seq)))
            errors = sum(1 for problem in statement.problems if problem["severity"] == "error")
            reviews.append(
                (
                    seq,
                    errors,
                    len(statement.problems) - errors,
                    orjson.dumps(statement.problems).decode(),
                    statement.package[0] if statement.package else None,
                )
            )
            if statement.package:
                packages[statement.package[0]] = statement.package[1].decode()
            stored[key] = (statement.body_hash, seq)
            outcome.entries.append((statement, seq))
            seq += 1
        if entries:
            insert_rows(store, cursor, "log_entry", ENTRY_COLUMNS, entries)
            insert_rows(store, cursor, "log_body", ("seq", "body"), bodies)
            _insert_packages(cursor, packages)
            insert_rows(store, cursor, "review", REVIEW_COLUMNS, reviews)
            if terms:
                # In key order: each page of the term index is then written once per batch.
                terms.sort()
                insert_rows(store, cursor, "statement_term", ("term", "seq"), terms)
            if compiled:
                mark_pending(store, cursor, register, sorted({row[2] for row in entries}))
        if conflicts:
            cursor.executemany(
                "INSERT INTO conflict (register, record_key, statement_id, body_hash, body,"
                " stored_seq, source, received_time, report)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (register, record_key, statement_id, body_hash) DO NOTHING",
                conflicts,
            )
    return outcome


def _insert_packages(cursor, packages: dict[str, str]) -> None:
    """The packages a batch's statements came in, those not stored yet. None, and no
    statement: an empty executemany is still a round trip on PostgreSQL (a pipeline's sync)."""
    if packages:
        cursor.executemany(
            "INSERT INTO source_package (package_hash, metadata) VALUES (%s, %s)"
            " ON CONFLICT (package_hash) DO NOTHING",
            sorted(packages.items()),
        )


def lock(store: Store) -> None:
    """Take the log's write lock, held until the transaction ends: one appender at a time, so
    seq has no gaps, and what an appender read of the log under it stays true until it commits.
    Readers pass. Call it inside ``store.atomic()``; on SQLite such a transaction holds the
    lock from its start (it begins IMMEDIATE)."""
    if store.vendor == "postgresql":
        with store.cursor() as cursor:
            # Self-exclusive but lets readers through (SELECT takes ACCESS SHARE only).
            cursor.execute("LOCK TABLE log_entry IN SHARE ROW EXCLUSIVE MODE")


# The largest seq a log can hold: a signed 64-bit integer on both databases.
LAST_SEQ = 2**63 - 1

ENTRY_COLUMNS = (
    "seq",
    "register",
    "record_key",
    "statement_id",
    "statement_date",
    "log_time",
    "publisher",
    "body_hash",
    "leaf_hash",
)
REVIEW_COLUMNS = ("seq", "errors", "warnings", "problems", "package_hash")


def insert_rows(store: Store, cursor, table: str, columns: Sequence[str], rows: list) -> None:
    """Insert new rows: with COPY on PostgreSQL (several times faster for bulk loads than
    INSERT), with one prepared INSERT on SQLite."""
    if store.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    cursor.executemany(
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders(columns)})", rows
    )


def mark_pending(store: Store, cursor, register: str, keys: Sequence[str]) -> None:
    """Put records on the list of those to compile (once each, whatever the list holds)."""
    if store.vendor == "postgresql":
        # One statement for the batch: a statement per key costs the server more than the rows.
        cursor.execute(
            "INSERT INTO pending_record (register, record_key) SELECT %s, unnest(%s::text[])"
            " ON CONFLICT (register, record_key) DO NOTHING",
            [register, list(keys)],
        )
        return
    cursor.executemany(
        "INSERT INTO pending_record (register, record_key) VALUES (%s, %s)"
        " ON CONFLICT (register, record_key) DO NOTHING",
        [(register, key) for key in keys],
    )


def _stored_hashes(
    store: Store, cursor, register: str, statements: Sequence[Statement]
) -> dict[tuple[str, str], tuple[str, int]]:
    # By record key, which leads the unique index; a record has few statements.
    keys = sorted({statement.record_key for statement in statements})
    stored = {}
    if store.vendor == "postgresql":
        # One query, each key looked up through the unique index (a lateral subquery, kept
        # apart by OFFSET 0). Asked ``record_key = ANY(...)``, a planner without statistics of
        # the log (a fresh one in its first load, autovacuum off) read every entry of the
        # register for each batch instead: 95 ms a batch at 100,000 entries, growing with
        # the log (docs/performance.md, beneficial ownership).
        cursor.execute(
            "SELECT k.key, e.statement_id, e.body_hash, e.seq FROM unnest(%s::text[]) AS k(key),"
            " LATERAL (SELECT statement_id, body_hash, seq FROM log_entry"
            " WHERE register = %s AND record_key = k.key OFFSET 0) AS e",
            [keys, register],
        )
        for record_key, statement_id, body_hash, seq in cursor.fetchall():
            stored[(record_key, statement_id)] = (body_hash, seq)
        return stored
    for chunk in chunked(keys, 500):
        condition, parameters = among(store, "record_key", chunk)
        cursor.execute(
            "SELECT record_key, statement_id, body_hash, seq FROM log_entry"
            f" WHERE register = %s AND {condition}",
            [register, *parameters],
        )
        for record_key, statement_id, body_hash, seq in cursor.fetchall():
            stored[(record_key, statement_id)] = (body_hash, seq)
    return stored


def _stored(
    store: Store,
    cursor,
    register: str,
    statements: Sequence[Statement],
    earlier: bool,
    *,
    known: dict[tuple[str, str], tuple[str, int]] | None = None,
) -> tuple[dict[tuple[str, str], tuple[str, int]], dict[str, int]]:
    """What the log holds of the batch's statements, and the first seqs of its records if
    wanted; if not, on SQLite the exact pairs alone are looked up (openbook load). PostgreSQL
    answers the join of the pairs more slowly than the lookup of whole records (7.7 s against
    3.3 s of server time in a load of 100,000 releases), so there it looks up the records.
    ``known``: the caller's (``append``'s ``known``), not looked up again."""
    if known is not None:
        keys = {statement.record_key for statement in statements}
        stored = {key: found for key, found in known.items() if key[0] in keys}
        return stored, _first_seqs(stored) if earlier else {}
    if earlier or store.vendor == "postgresql":
        stored = _stored_hashes(store, cursor, register, statements)
        return stored, _first_seqs(stored) if earlier else {}
    return _stored_pairs(store, cursor, register, statements), {}


def _stored_pairs(
    store: Store, cursor, register: str, statements: Sequence[Statement]
) -> dict[tuple[str, str], tuple[str, int]]:
    """On SQLite, the stored (hash, seq) of the batch's own (record key, statement id) pairs,
    those stored: one unique-index lookup each, through a join (SQLite plans a row-value IN
    list as a scan)."""
    pairs = sorted({(statement.record_key, statement.statement_id) for statement in statements})
    stored = {}
    for chunk in chunked(pairs, 500):
        cursor.execute(
            "SELECT e.record_key, e.statement_id, e.body_hash, e.seq"
            f" FROM (VALUES {', '.join(['(%s, %s)'] * len(chunk))}) AS k"
            " JOIN log_entry e ON e.register = %s AND e.record_key = k.column1"
            " AND e.statement_id = k.column2",
            [*(value for pair in chunk for value in pair), register],
        )
        for record_key, statement_id, body_hash, seq in cursor.fetchall():
            stored[(record_key, statement_id)] = (body_hash, seq)
    return stored


def _first_seqs(stored: dict[tuple[str, str], tuple[str, int]]) -> dict[str, int]:
    """Of each record among these stored statements, the first one's seq."""
    first: dict[str, int] = {}
    for (record_key, _), (_, seq) in stored.items():
        first[record_key] = min(seq, first.get(record_key, LAST_SEQ))
    return first


def _conflict_row(register, statement, stored_hash, stored_seq, received_time):
    report = (
        f"{statement.source}: statement {statement.statement_id!r} of record "
        f"{statement.record_key!r} is already in the log (entry {stored_seq}, body SHA-256 "
        f"{stored_hash}) with a different body (SHA-256 {statement.body_hash}). The stored "
        "statement is unchanged; a correction must be published as a new statement with a new id."
    )
    return (
        register,
        statement.record_key,
        statement.statement_id,
        statement.body_hash,
        statement.body.decode(),
        stored_seq,
        statement.source,
        received_time,
        report,
    )


def log_size(store: Store) -> int:
    with store.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), -1) + 1 FROM log_entry")
        return int(cursor.fetchone()[0])


@dataclass(frozen=True, slots=True)
class StoredStatement:
    entry: Entry
    leaf_hash: str
    body: bytes | None  # None once redacted
    problems: list[dict]
    package: dict | None  # metadata of the package it arrived in

    def described(self, number: str = "version") -> dict:
        """The statement as a record's history gives it (the spend, grants and plans
        registers): its statement id as a number under ``number``, where the log keeps it,
        and its body (None once redacted)."""
        return {
            number: int(self.entry.statement_id),
            "seq": self.entry.seq,
            "logTime": self.entry.log_time,
            "publisher": self.entry.publisher,
            "leafHash": self.leaf_hash,
            "statement": orjson.loads(self.body) if self.body is not None else None,
        }


def record_statements(store: Store, register: str, record_key: str) -> list[StoredStatement]:
    """A record's statements in log order."""
    return list(
        _read_statements(store, "e.register = %s AND e.record_key = %s", [register, record_key])
    )


def records_statements(
    store: Store, register: str, record_keys: Sequence[str]
) -> dict[str, list[StoredStatement]]:
    """The statements of each of these records, in log order (a query per 500 records)."""
    found: dict[str, list[StoredStatement]] = {key: [] for key in record_keys}
    for chunk in chunked(sorted(set(record_keys)), 500):
        condition, parameters = among(store, "e.record_key", chunk)
        for statement in _read_statements(
            store, f"e.register = %s AND {condition}", [register, *parameters]
        ):
            found[statement.entry.record_key].append(statement)
    return found


def entries(store: Store, start: int, stop: int) -> list[StoredStatement]:
    """Log entries ``start <= seq < stop`` in log order."""
    return list(_read_statements(store, "e.seq >= %s AND e.seq < %s", [start, stop]))


def statements_at(store: Store, seqs: Sequence[int]) -> dict[int, StoredStatement]:
    """These entries (those that exist), by seq."""
    found: dict[int, StoredStatement] = {}
    for chunk in chunked(sorted(set(seqs)), 500):
        condition, parameters = among(store, "e.seq", chunk)
        found.update((s.entry.seq, s) for s in _read_statements(store, condition, parameters))
    return found


def bodies_at(store: Store, seqs: Sequence[int]) -> dict[int, str | None]:
    """The bodies (JSON text; None once redacted) of these entries, those that exist, by seq:
    the body alone, without the entry, review and package ``statements_at`` joins to it."""
    found: dict[int, str | None] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(seqs)), 500):
            condition, parameters = among(store, "seq", chunk)
            cursor.execute(f"SELECT seq, body FROM log_body WHERE {condition}", parameters)
            found.update(cursor.fetchall())
    return found


def register_statements(
    store: Store, register: str, start: int, limit: int
) -> list[StoredStatement]:
    """Up to ``limit`` statements of a small register (withdrawals, redactions) from seq
    ``start``, in log order."""
    where = "e.register = %s AND e.seq >= %s"
    return list(_read_statements(store, where, [register, start], limit=limit))


def _read_statements(
    store: Store, where: str, params: list, limit: int | None = None
) -> Iterator[StoredStatement]:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT e.seq, e.register, e.record_key, e.statement_id, e.statement_date, e.log_time,"
            " e.publisher, e.body_hash, e.leaf_hash, b.body, r.problems, p.metadata"
            " FROM log_entry e JOIN log_body b ON b.seq = e.seq"
            " LEFT JOIN review r ON r.seq = e.seq"
            " LEFT JOIN source_package p ON p.package_hash = r.package_hash"
            f" WHERE {where} ORDER BY e.seq" + (" LIMIT %s" if limit is not None else ""),
            [*params, limit] if limit is not None else params,
        )
        for row in cursor.fetchall():
            yield StoredStatement(
                entry=Entry(*row[:8]),
                leaf_hash=row[8],
                body=row[9].encode() if row[9] is not None else None,
                problems=orjson.loads(row[10]) if row[10] else [],
                package=orjson.loads(row[11]) if row[11] else None,
            )


def conflicts(store: Store, register: str | None = None) -> list[dict]:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT register, record_key, statement_id, body_hash, stored_seq, source,"
            " received_time, report FROM conflict"
            + (" WHERE register = %s" if register else "")
            + " ORDER BY id",
            [register] if register else [],
        )
        columns = [column[0] for column in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def counts(store: Store) -> dict[str, list[dict]]:
    """Statements per register and per (register, publisher), with reviewed error counts."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT e.register, e.publisher, COUNT(*), COUNT(DISTINCT e.record_key),"
            " SUM(CASE WHEN r.errors > 0 THEN 1 ELSE 0 END)"
            " FROM log_entry e LEFT JOIN review r ON r.seq = e.seq"
            " GROUP BY e.register, e.publisher ORDER BY e.register, e.publisher"
        )
        by_publisher = [
            {
                "register": register,
                "publisher": publisher,
                "statements": int(statements),
                "records": int(records),
                "with_errors": int(with_errors or 0),
            }
            for register, publisher, statements, records, with_errors in cursor.fetchall()
        ]
        cursor.execute(
            "SELECT e.register, COUNT(*), COUNT(DISTINCT e.record_key) FROM log_entry e"
            " GROUP BY e.register ORDER BY e.register"
        )
        by_register = [
            {"register": register, "statements": int(statements), "records": int(records)}
            for register, statements, records in cursor.fetchall()
        ]
        cursor.execute("SELECT register, COUNT(*) FROM conflict GROUP BY register")
        conflicts_by_register = dict(cursor.fetchall())
    for row in by_register:
        row["conflicts"] = int(conflicts_by_register.get(row["register"], 0))
    return {"registers": by_register, "publishers": by_publisher}
