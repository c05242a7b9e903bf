"""The store's set-up: the check that decides whether a database needs migrating."""

import sqlite3

import orjson
import pytest
from django.core.management import call_command
from django.db.migrations.loader import MigrationLoader

from openbook.load.loader import load
from openbook.store import database
from openbook.store.database import migrate, pending_migrations
from tests.factories import create_release

STATISTICS_AT = 12  # entries a load must add to be analysed, in these tests


def test_a_migrated_database_has_nothing_pending(store):
    assert pending_migrations(store) == []
    assert migrate(store) is False


def test_a_migration_undone_is_pending_and_migrate_applies_it(store):
    leaves = MigrationLoader(None).graph.leaf_nodes("store")
    ((_, latest),) = leaves
    (previous,) = MigrationLoader(None).disk_migrations[("store", latest)].dependencies
    call_command("migrate", *previous, verbosity=0)
    assert pending_migrations(store) == [f"store.{latest}"]
    assert migrate(store) is True
    assert pending_migrations(store) == []


def test_a_recorded_migration_missing_from_the_record_is_pending(store):
    with store.atomic() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'auth' AND name = "
            "'0012_alter_user_first_name_max_length'"
        )
    assert pending_migrations(store) == ["auth.0012_alter_user_first_name_max_length"]


def test_a_loads_appends_reach_the_database_file_before_it_ends(store, tmp_path):
    """On SQLite a load settles its appends (``Store.bulk``) before compiling: they are in the
    database file itself, not only in the WAL, when it ends (read with ``immutable=1``, which
    ignores the WAL), though its connection is still open. On PostgreSQL settling does
    nothing and the appends are there as ever."""
    releases = [create_release(f"ocds-213czf-settle-{n}", "1") for n in range(20)]
    path = tmp_path / "releases.jsonl"
    path.write_bytes(b"".join(orjson.dumps(release) + b"\n" for release in releases))
    report = load(store, [path])
    assert report.files[0].loaded == 20
    if store.vendor == "sqlite":
        name = store.connection.settings_dict["NAME"]
        in_file = sqlite3.connect(f"file:{name}?immutable=1", uri=True)
        try:
            (count,) = in_file.execute("SELECT count(*) FROM log_entry").fetchone()
        finally:
            in_file.close()
    else:
        with store.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM log_entry")
            (count,) = cursor.fetchone()
    assert count == 20


def _analyses(store) -> int:
    """How many times PostgreSQL's planner statistics of the process search were refreshed."""
    with store.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'process_search'"
        )
        (count,) = cursor.fetchone()
    return int(count)


@pytest.mark.parametrize("releases", [STATISTICS_AT - 1, STATISTICS_AT])
def test_a_large_load_refreshes_postgresqls_planner_statistics(
    store, tmp_path, monkeypatch, releases
):
    """A load that adds ``STATISTICS_AFTER`` entries or more ends with ``ANALYZE`` on
    PostgreSQL (whose autovacuum may be off, as this server's is); a smaller one does not. On
    SQLite nothing is analysed: no statistics table appears."""
    monkeypatch.setattr(database, "STATISTICS_AFTER", STATISTICS_AT)
    path = tmp_path / "releases.jsonl"
    path.write_bytes(
        b"".join(
            orjson.dumps(create_release(f"ocds-213czf-statistics-{n}", "1")) + b"\n"
            for n in range(releases)
        )
    )
    before = _analyses(store) if store.vendor == "postgresql" else None
    assert load(store, [path]).files[0].loaded == releases
    if store.vendor == "postgresql":
        assert _analyses(store) == before + (releases >= STATISTICS_AT)
    else:
        with store.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cursor.fetchone() == (0,)


def test_none_and_booleans_are_bound_as_null_and_integers(store):
    """openbook.store.database registers adapters for None and bool (binding them faster on
    SQLite): what is stored must be what binding them without one stores, on both databases."""
    with store.atomic() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bound (n integer, t boolean, f boolean, x text)")
        cursor.executemany(
            "INSERT INTO bound (n, t, f, x) VALUES (%s, %s, %s, %s)", [(None, True, False, None)]
        )
        cursor.execute("SELECT n IS NULL, t, f, x IS NULL FROM bound")
        row = cursor.fetchone()
    assert [bool(value) for value in row] == [True, True, False, True]
    if store.vendor == "sqlite":
        assert row[1:3] == (1, 0) and type(row[1]) is int
        plain = sqlite3.connect(":memory:")
        plain.execute("CREATE TABLE bound (n, t, f)")
        plain.execute("INSERT INTO bound VALUES (?, ?, ?)", (None, True, False))
        assert plain.execute("SELECT typeof(n), typeof(t), t, f FROM bound").fetchone() == (
            "null",
            "integer",
            1,
            0,
        )
