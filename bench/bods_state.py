"""What a BODS load stores, written out so that two versions of the load can be compared: run it
before and after a change to openbook.bods (or the log, or the canonical form) on the same
files, and compare the two outputs (``diff``, or ``--compare OLD``).

Each ``--load`` is one ``openbook bods load`` of its files, in order, on a fresh database (a
SQLite file, or a PostgreSQL database created for the run and dropped after it). Written out,
one table after another, rows in key order: every log entry (all its fields but the log time,
which is the clock's; its leaf hash is checked against its fields and time instead), every
body, review and conflict, the compiled records (all but the moment of compiling and the
internal row id), the records still waiting to be compiled, the ownership graph's rows, and
each load's report. Nothing in it depends on the clock, so two runs of the same version give
the same text, byte for byte.

    python bench/bods_state.py --load FILE... [--load FILE...] [--database sqlite|postgresql]
        [--out STATE.jsonl] [--compare OLD.jsonl] [--parallel-from-bytes N]

``--parallel-from-bytes``: passed to ``openbook.bods.load``, so that JSON Lines files of that
size or more are read by its worker processes (0: every JSON Lines file); by default the
load's own threshold (small files are then read in the loading process).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import uuid
from pathlib import Path

import orjson

POSTGRES_ADMIN = os.environ.get(
    "OPENBOOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# (table, columns written, key order); log_time, compiled_time and ids are the clock's.
TABLES = (
    (
        "log_entry",
        "seq, register, record_key, statement_id, statement_date, publisher, body_hash",
        "seq",
    ),
    ("log_body", "seq, body", "seq"),
    ("review", "seq, errors, warnings, problems, package_hash", "seq"),
    ("source_package", "package_hash, metadata", "package_hash"),
    (
        "conflict",
        "register, record_key, statement_id, body_hash, body, stored_seq, source, report",
        "register, record_key, statement_id, body_hash",
    ),
    (
        "record",
        "register, record_key, compiled, compile_error, statement_count, last_seq",
        "register, record_key",
    ),
    ("pending_record", "register, record_key", "register, record_key"),
    (
        "ownership_link",
        "relationship_id, subject_id, party_id, party_reason, party_description, interests, closed",
        "relationship_id",
    ),
    ("ownership_identifier", "identifier, record_id", "identifier, record_id"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", action="append", nargs="+", type=Path, required=True)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--compare", type=Path, default=None)
    parser.add_argument("--parallel-from-bytes", type=int, default=None)
    arguments = parser.parse_args()
    options = (
        {"parallel_from_bytes": arguments.parallel_from_bytes}
        if arguments.parallel_from_bytes is not None
        else {}
    )
    lines = state(arguments.load, arguments.database, options)
    text = b"".join(line + b"\n" for line in lines)
    if arguments.out:
        arguments.out.write_bytes(text)
    digest = hashlib.sha256(text).hexdigest()
    print(f"{len(lines):,} lines, SHA-256 {digest}")
    if arguments.compare:
        old = arguments.compare.read_bytes().splitlines()
        if old == lines:
            print(f"the same as {arguments.compare}")
            return 0
        differ = next(
            (n for n, (a, b) in enumerate(zip(old, lines, strict=False)) if a != b),
            min(len(old), len(lines)),
        )
        print(f"DIFFERENT from {arguments.compare}: first at line {differ + 1}")
        for name, found in (("old", old), ("new", lines)):
            shown = found[differ] if differ < len(found) else b"(nothing)"
            print(f"  {name}: {shown[:600].decode()}")
        return 1
    return 0


def state(loads: list[list[Path]], database: str, options: dict) -> list[bytes]:
    with tempfile.TemporaryDirectory(prefix="openbook-bods-state-") as workdir:
        if database == "sqlite":
            os.environ["OPENBOOK_DATABASE_URL"] = f"sqlite:///{workdir}/state.sqlite3"
            return _loaded(loads, options)
        import psycopg

        name = f"openbook_bods_state_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            os.environ["OPENBOOK_DATABASE_URL"] = POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}"
            return _loaded(loads, options)
        finally:
            from django.db import connections

            connections.close_all()
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _loaded(loads: list[list[Path]], options: dict) -> list[bytes]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    import django

    django.setup()
    from openbook import bods
    from openbook.standards.log import Entry
    from openbook.store.database import Store, migrate

    store = Store()
    migrate(store)
    lines = []
    for number, paths in enumerate(loads, start=1):
        report = bods.load(store, paths, **options).as_dict()
        lines.append(orjson.dumps({"load": number, "report": report}))
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT seq, register, record_key, statement_id, statement_date, log_time,"
            " publisher, body_hash, leaf_hash FROM log_entry ORDER BY seq"
        )
        for row in cursor.fetchall():
            if Entry(*row[:8]).leaf_hash() != row[8]:
                lines.append(orjson.dumps({"leaf hash does not match its entry": row[0]}))
        for table, columns, order in TABLES:
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")
            names = [column.strip() for column in columns.split(",")]
            for row in cursor.fetchall():
                values = [_plain(value) for value in row]
                lines.append(orjson.dumps({table: dict(zip(names, values, strict=True))}))
    return [_relative_line(line, loads) for line in lines]


def _plain(value):
    # Booleans are integers on SQLite; bytes and memoryviews are text here.
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode()
    return value


def _relative_line(line: bytes, loads: list[list[Path]]) -> bytes:
    """Where a statement came from names its file, whose directory is the caller's."""
    for paths in loads:
        for path in paths:
            line = line.replace(str(path.parent).encode(), b"DIR")
    return line


if __name__ == "__main__":
    sys.exit(main())
