"""The store's handle on its database: which connection, transactions, and set-up."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction


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
    def atomic(self) -> Iterator[Any]:
        """A write transaction; yields a cursor. On SQLite it begins IMMEDIATE (see settings),
        so the write lock is taken up front and sequence numbers cannot race."""
        with transaction.atomic(using=self.alias), self.connection.cursor() as cursor:
            yield cursor

    @contextmanager
    def cursor(self) -> Iterator[Any]:
        with self.connection.cursor() as cursor:
            yield cursor


def placeholders(values: Sequence[object]) -> str:
    """``%s, %s, ...`` for an IN list of these values (values always travel as parameters)."""
    return ", ".join(["%s"] * len(values))


def chunked(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def pending_migrations(store: Store) -> list[str]:
    """Migrations not yet applied to the store's database, by name."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(store.connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def migrate(store: Store, verbosity: int = 0) -> bool:
    """Create the database and bring its schema up to date when needed; idempotent.

    Returns whether anything was applied.
    """
    from django.core.management import call_command

    if store.vendor == "sqlite":
        from pathlib import Path

        Path(store.connection.settings_dict["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    if not pending_migrations(store):
        return False
    call_command("migrate", database=store.alias, verbosity=verbosity, interactive=False)
    return True
