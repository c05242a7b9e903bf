"""The store's handle on its database: which connection, transactions, and set-up."""

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import connections, transaction

_INHERITED: list[Any] = []  # connections a forked worker inherited: kept, never used or closed

# None and booleans are bound as ever (NULL; 1 and 0), but found in the sqlite3
# module's table of adapters. For a type without one, the module asks its protocol class for an
# ``__adapt__``, which raises an AttributeError (its message formatted) and clears it: for every
# such parameter of every row, 2,800 instructions, a third of the cost of binding a row of four
# (docs/performance.md, beneficial ownership). Every BODS statement binds three or so.
sqlite3.register_adapter(type(None), lambda value: value)
sqlite3.register_adapter(bool, int)


def own_connection(alias: str = "default") -> None:
    """In a forked worker process: from now on, a connection of its own. The one inherited
    from the parent is set aside but kept referenced: closing it (or letting it be collected)
    would end the parent's session on PostgreSQL, whose server sees one connection."""
    inherited = connections[alias]
    _INHERITED.append(inherited)
    connections[alias] = connections.create_connection(alias)


class Store:
    """A database holding the log and what is built from it.

    Use cases take a Store and pass it to the store's functions; only ``openbook.store`` runs SQL.
    """

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias

    @property
    def connection(self) -> Any:
        return connections[self.alias]

    @property
    def vendor(self) -> str:
        return str(self.connection.vendor)

    @contextmanager
    def atomic(self, *, savepoint: bool = True) -> Iterator[Any]:
        """A write transaction; yields a cursor. On SQLite it begins IMMEDIATE (see settings),
        so the write lock is taken up front and sequence numbers cannot race.

        Inside another, it is a savepoint, undone alone if it fails; with ``savepoint=False``,
        simply part of the enclosing transaction (two statements fewer), which a failure in it
        then undoes whole: for writes that stand or fall with their caller's."""
        with (
            transaction.atomic(using=self.alias, savepoint=savepoint),
            self.connection.cursor() as cursor,
        ):
            yield cursor

    @contextmanager
    def bulk(self) -> Iterator[Callable[[], None]]:
        """For a run of large write transactions (a load). On SQLite the WAL is checkpointed
        every 256 MB of it rather than every 64 MB (settings): a page written again and again
        between checkpoints, as index pages are, then reaches the database file and its fsync
        once rather than four times. Durability is as ever: every commit is in the WAL.

        Yields ``settle``, to call between phases of the run (a load, after its appends): on
        SQLite it copies the WAL written so far into the database file (a passive checkpoint)
        on a second connection, in a thread, so that the copy and its fsync overlap the next
        phase instead of falling on the connection's close. The context waits for it.

        On PostgreSQL, a run that grew the log by ``STATISTICS_AFTER`` entries or more ends by
        refreshing the planner's statistics (``refresh_statistics``)."""
        if self.vendor != "sqlite":
            from openbook.store.log import log_size  # the log's module builds on this one

            before = log_size(self)
            yield lambda: None
            if log_size(self) - before >= STATISTICS_AFTER:
                refresh_statistics(self)
            return
        with self.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint")
            (usual,) = cursor.fetchone()
            cursor.execute(f"PRAGMA wal_autocheckpoint={int(usual) * 4}")
        settling: list[threading.Thread] = []

        def settle() -> None:
            thread = threading.Thread(target=_checkpoint, args=(self.connection.settings_dict,))
            thread.start()
            settling.append(thread)

        try:
            yield settle
        finally:
            for thread in settling:
                thread.join()
            with self.cursor() as cursor:
                cursor.execute(f"PRAGMA wal_autocheckpoint={int(usual)}")

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with self.connection.cursor() as cursor:
            yield cursor


# Log entries a bulk write must add for PostgreSQL's planner statistics to be refreshed after it.
STATISTICS_AFTER = 10_000


def refresh_statistics(store: Store, tables: Sequence[str] = ()) -> None:
    """Refresh PostgreSQL's planner statistics (``ANALYZE``: a bounded sample of each table,
    seconds even at millions of rows). After a large load the planner otherwise still plans for
    the tables as they were (empty, often) until autovacuum comes round, and servers run with
    it off (this one's is): at 1,000,000 releases a register page took 2.2 s rather than 0.6 s.
    SQLite keeps no statistics unless asked, and openbook's queries are planned without them
    there: nothing to do. ``tables``: only these (names the code gives, never a
    user's), and one that another session is vacuuming or analysing is skipped, not waited
    for (a publish request refreshes them: openbook.publishing.publish)."""
    if store.vendor == "postgresql":
        with store.cursor() as cursor:
            # Tables
            cursor.execute(f"ANALYZE (SKIP_LOCKED) {', '.join(tables)}" if tables else "ANALYZE")


# Rows a round trip when streaming: enough to amortise it, few enough to keep memory flat.
STREAM_FETCH = 2000


def stream(store: Store, sql: str, params: list) -> Iterator[tuple]:
    """The rows of a query, fetched STREAM_FETCH at a time. On PostgreSQL in a read-only
    transaction unless already in one: a named (server-side) cursor outside a transaction is
    declared WITH HOLD and materialised whole on the server before the first row arrives. On
    SQLite the ordinary, lazily stepped cursor, which reads one consistent state (WAL) without
    holding the write lock (a transaction here would begin IMMEDIATE and take it)."""
    if store.vendor == "postgresql" and not store.connection.in_atomic_block:
        with transaction.atomic(using=store.alias), store.connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            yield from _fetch(store, sql, params)
        return
    yield from _fetch(store, sql, params)


def _fetch(store: Store, sql: str, params: list) -> Iterator[tuple]:
    with store.connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(STREAM_FETCH):
            yield from rows


def _checkpoint(settings: dict[str, Any]) -> None:
    """A passive checkpoint of a SQLite database, on a connection of its own: it never waits
    for, nor blocks, the writer; what it cannot copy yet the next checkpoint copies."""
    import sqlite3

    connection = sqlite3.connect(settings["NAME"], timeout=settings["OPTIONS"]["timeout"])
    try:
        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
    except sqlite3.Error:
        pass  # busy or gone: the checkpoint is an optimisation, never needed for correctness
    finally:
        connection.close()


def exact_sum(store: Store, column: str) -> str:
    """SQL for the exact sum of a column of decimal amounts kept as text: PostgreSQL's
    ``numeric``; on SQLite, whose decimals are floating point and whose integers overflow past
    2**63, the ``exact_sum`` aggregate (``add_sqlite_functions``). Both give decimal text or a
    Decimal; None for no rows."""
    if store.vendor == "postgresql":
        return f"SUM(CAST({column} AS numeric))"
    return f"exact_sum({column})"


class _ExactSum:
    """SQLite's ``exact_sum``: amounts added as Decimals, the total returned as text."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: object) -> None:
        if value is None:
            return
        amount = Decimal(str(value))
        self.total = amount if self.total is None else self.total + amount

    def finalize(self) -> str | None:
        return None if self.total is None else str(self.total)


def add_sqlite_functions(sender: object, connection: Any, **_: object) -> None:
    """Django's ``connection_created``: what the store's SQL needs of a new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate("exact_sum", 1, _ExactSum)


def placeholders(values: Sequence[object]) -> str:
    """``%s, %s, ...`` for an IN list of these values (values always travel as parameters)."""
    return ", ".join(["%s"] * len(values))


def among(store: Store, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    """A condition that ``column`` is one of ``values``, and its parameters: on PostgreSQL one
    array parameter (``= ANY(%s)``: one plan whatever the count, and quicker to plan than a
    long IN list), on SQLite an IN list. Keep the values to a few hundred (``chunked``)."""
    if store.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({placeholders(values)})", list(values)


def chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def pending_migrations(store: Store) -> list[str]:
    """Migrations not yet applied to the store's database, by name."""
    if _all_recorded(store):
        return []
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(store.connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _all_recorded(store: Store) -> bool:
    """Whether every migration file of every installed app is recorded as applied: one query
    and a look at the migrations folders, where Django's own check (``pending_migrations``)
    imports every migration and builds their graph, a tenth of a second each ``openbook``
    command. False whenever in doubt (no table yet, a squashed migration not itself recorded):
    Django's check then decides."""
    import pkgutil
    from importlib.util import find_spec

    from django.apps import apps

    on_disk = set()
    for config in apps.get_app_configs():
        spec = find_spec(f"{config.name}.migrations")
        if spec is None or not spec.submodule_search_locations:
            continue
        for module in pkgutil.iter_modules(spec.submodule_search_locations):
            if not module.name.startswith("_"):
                on_disk.add((config.label, module.name))
    if "django_migrations" not in store.connection.introspection.table_names():
        return False
    with store.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        recorded = set(cursor.fetchall())
    return on_disk <= recorded


def migrate(store: Store, verbosity: int = 0) -> bool:
    """Create the database and bring its schema up to date when needed; idempotent.

    Returns whether anything was applied.
    """
    if store.vendor == "sqlite":
        from pathlib import Path

        Path(store.connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    if not pending_migrations(store):
        return False
    from django.core.management import call_command

    call_command("migrate", database=store.alias, verbosity=verbosity, interactive=False)
    return True
