"""The log's Merkle tree as stored: signing keys (public parts), signed tree heads, and the hashes
of complete subtrees at heights 8, 16, 24... (``tree_node``), from which proofs are made without
reading the log (openbook.transparency; docs/log-format.md).

Also the reads ``openbook verify`` makes of a whole database: every entry with its body, streamed.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from openbook.store.database import Store, among, chunked, stream


class DamagedLog(Exception):
    """The log's entries are not numbered 0, 1, 2... without gaps: the database was altered."""


@dataclass(frozen=True, slots=True)
class KeyRow:
    key_id: str
    public_key: str  # hex
    name: str
    created_time: str
    retired_time: str | None


@dataclass(frozen=True, slots=True)
class HeadRow:
    id: int
    tree_size: int
    root_hash: str  # hex
    head_time: str
    key_id: str
    checkpoint: str  # the signed note


_KEY = "SELECT key_id, public_key, name, created_time, retired_time FROM signing_key"
_HEAD = "SELECT id, tree_size, root_hash, head_time, key_id, checkpoint FROM tree_head"


def signing_keys(store: Store) -> list[KeyRow]:
    """Every key that has signed for this log, oldest first."""
    with store.cursor() as cursor:
        cursor.execute(f"{_KEY} ORDER BY created_time, key_id")
        return [KeyRow(*row) for row in cursor.fetchall()]


def add_key(store: Store, key: KeyRow) -> bool:
    """Record a key that is now the current one, and retire every other (as of its creation).
    Idempotent: a key already recorded is left as it is. Returns whether it was new."""
    with store.atomic() as cursor:
        cursor.execute("SELECT 1 FROM signing_key WHERE key_id = %s", [key.key_id])
        if cursor.fetchone():
            return False
        cursor.execute(
            "UPDATE signing_key SET retired_time = %s WHERE retired_time IS NULL",
            [key.created_time],
        )
        cursor.execute(
            "INSERT INTO signing_key (key_id, public_key, name, created_time, retired_time)"
            " VALUES (%s, %s, %s, %s, %s)",
            [key.key_id, key.public_key, key.name, key.created_time, key.retired_time],
        )
    return True


def add_first_key(store: Store, key: KeyRow) -> bool:
    """Record the log's first key. Does nothing, and returns False, once any key is recorded:
    only a rotation (add_key) makes another key current."""
    with store.atomic() as cursor:
        if store.vendor == "postgresql":  # two first signers: one inserts, the other sees it
            cursor.execute("LOCK TABLE signing_key IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute("SELECT 1 FROM signing_key LIMIT 1")
        if cursor.fetchone():
            return False
        cursor.execute(
            "INSERT INTO signing_key (key_id, public_key, name, created_time, retired_time)"
            " VALUES (%s, %s, %s, %s, %s)",
            [key.key_id, key.public_key, key.name, key.created_time, key.retired_time],
        )
    return True


def retire_key(store: Store, key_id: str, time: str) -> None:
    with store.atomic() as cursor:
        cursor.execute(
            "UPDATE signing_key SET retired_time = %s WHERE key_id = %s AND retired_time IS NULL",
            [time, key_id],
        )


@contextmanager
def head_lock(store: Store) -> Iterator[None]:
    """A transaction in which one signer at a time decides on and adds a tree head (on SQLite
    every write transaction begins IMMEDIATE, which is that lock already)."""
    with store.atomic() as cursor:
        if store.vendor == "postgresql":
            cursor.execute("LOCK TABLE tree_head IN SHARE ROW EXCLUSIVE MODE")
        yield


def latest_head(store: Store) -> HeadRow | None:
    """The head over the most entries (of those, the last signed)."""
    with store.cursor() as cursor:
        cursor.execute(f"{_HEAD} ORDER BY tree_size DESC, id DESC LIMIT 1")
        row = cursor.fetchone()
    return HeadRow(*row) if row else None


def head_covering(store: Store, size: int) -> HeadRow | None:
    """The first head signed over at least ``size`` entries."""
    with store.cursor() as cursor:
        cursor.execute(f"{_HEAD} WHERE tree_size >= %s ORDER BY tree_size, id LIMIT 1", [size])
        row = cursor.fetchone()
    return HeadRow(*row) if row else None


def add_head(
    store: Store, *, tree_size: int, root_hash: str, head_time: str, key_id: str, checkpoint: str
) -> HeadRow:
    with store.atomic() as cursor:
        cursor.execute(
            "INSERT INTO tree_head (tree_size, root_hash, head_time, key_id, checkpoint)"
            " VALUES (%s, %s, %s, %s, %s)",
            [tree_size, root_hash, head_time, key_id, checkpoint],
        )
        cursor.execute(f"{_HEAD} ORDER BY id DESC LIMIT 1")
        return HeadRow(*cursor.fetchone())


def heads(store: Store) -> Iterator[HeadRow]:
    """Every signed head, by size and then in the order signed; streamed."""
    for row in stream(store, f"{_HEAD} ORDER BY tree_size, id", []):
        yield HeadRow(*row)


def log_end(store: Store) -> tuple[int, str | None]:
    """The log's size and the log time of its last entry."""
    with store.cursor() as cursor:
        cursor.execute("SELECT seq, log_time FROM log_entry ORDER BY seq DESC LIMIT 1")
        row = cursor.fetchone()
    return (row[0] + 1, row[1]) if row else (0, None)


def entry_hash(store: Store, seq: int) -> tuple[str, str] | None:
    """An entry's leaf hash and log time."""
    with store.cursor() as cursor:
        cursor.execute("SELECT leaf_hash, log_time FROM log_entry WHERE seq = %s", [seq])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def entry_hashes(store: Store, seqs: Sequence[int]) -> dict[int, tuple[str, str]]:
    """The leaf hash and log time of each of these entries (those that exist), by seq."""
    found: dict[int, tuple[str, str]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(seqs)), 500):
            condition, parameters = among(store, "seq", chunk)
            cursor.execute(
                f"SELECT seq, leaf_hash, log_time FROM log_entry WHERE {condition}", parameters
            )
            found.update((int(seq), (leaf, time)) for seq, leaf, time in cursor.fetchall())
    return found


def leaf_hashes(store: Store, start: int, stop: int) -> list[bytes]:
    """The stored leaf hashes of entries ``start <= seq < stop``, in order."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT seq, leaf_hash FROM log_entry WHERE seq >= %s AND seq < %s ORDER BY seq",
            [start, stop],
        )
        rows = cursor.fetchall()
    if len(rows) != stop - start:
        found = {seq for seq, _ in rows}
        missing = next(seq for seq in range(start, stop) if seq not in found)
        raise DamagedLog(f"the log has no entry {missing}, though it has later ones")
    return [bytes.fromhex(value) for _, value in rows]


def node_count(store: Store, height: int) -> int:
    """How many nodes of this height are stored (they are stored from position 0 up)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(MAX(position), -1) + 1 FROM tree_node WHERE height = %s", [height]
        )
        return int(cursor.fetchone()[0])


def nodes(store: Store, height: int, start: int, stop: int) -> list[bytes]:
    """Stored nodes of a height at positions ``start <= position < stop``; fewer if some are not
    stored yet (then the caller computes them from the height below)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT position, hash FROM tree_node WHERE height = %s AND position >= %s"
            " AND position < %s ORDER BY position",
            [height, start, stop],
        )
        rows = cursor.fetchall()
    if len(rows) != stop - start:
        return []
    return [bytes.fromhex(value) for _, value in rows]


def add_nodes(store: Store, height: int, first: int, hashes: Sequence[bytes]) -> None:
    """Store nodes of a height from position ``first``; ones already stored are kept."""
    with store.atomic() as cursor:
        cursor.executemany(
            "INSERT INTO tree_node (height, position, hash) VALUES (%s, %s, %s)"
            " ON CONFLICT (height, position) DO NOTHING",
            [(height, first + i, value.hex()) for i, value in enumerate(hashes)],
        )


@dataclass(frozen=True, slots=True)
class AuditRow:
    """An entry as stored, for ``openbook verify``: its fields, stored leaf hash and body."""

    seq: int
    register: str
    record_key: str
    statement_id: str
    statement_date: str
    log_time: str
    publisher: str
    body_hash: str
    leaf_hash: str
    has_body_row: bool  # False: the body row was deleted (a redaction keeps the row, NULL)
    body: str | None


def audit_entries(store: Store) -> Iterator[AuditRow]:
    """Every entry in seq order, with its body; streamed, in one consistent read."""
    sql = (
        "SELECT e.seq, e.register, e.record_key, e.statement_id, e.statement_date, e.log_time,"
        " e.publisher, e.body_hash, e.leaf_hash, b.seq IS NOT NULL, b.body"
        " FROM log_entry e LEFT JOIN log_body b ON b.seq = e.seq ORDER BY e.seq"
    )
    for row in stream(store, sql, []):
        seq, register, record_key, statement_id, statement_date, log_time = row[:6]
        publisher, body_hash, leaf_hash, has_body_row, body = row[6:]
        yield AuditRow(
            seq,
            register,
            record_key,
            statement_id,
            statement_date,
            log_time,
            publisher,
            body_hash,
            leaf_hash,
            bool(has_body_row),
            body,
        )


def bodies_without_entries(store: Store) -> list[int]:
    """Body rows whose entry is gone (the database refuses this unless altered)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT b.seq FROM log_body b LEFT JOIN log_entry e ON e.seq = b.seq"
            " WHERE e.seq IS NULL ORDER BY b.seq LIMIT 1000"
        )
        return [row[0] for row in cursor.fetchall()]


def stored_nodes(store: Store, height: int) -> list[bytes]:
    """Every stored node of a height, in order (n / 256 of them at height 8: small)."""
    count = node_count(store, height)
    return nodes(store, height, 0, count) if count else []
