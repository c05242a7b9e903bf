"""The stored tree on SQLite and PostgreSQL: signed heads and subtree hashes are append-only, and
a signing key is only ever retired (openbook.store.immutability, migration 0013)."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.db.migrations.loader import MigrationLoader

from openbook import transparency
from openbook.store import tree
from tests.conftest import reuse
from tests.test_transparency import append, key_dir, keys_in

__all__ = ["key_dir"]
pytestmark = pytest.mark.usefixtures("key_dir")

GUARD = "0013_tree_append_only"

CHANGES = [
    "UPDATE tree_head SET root_hash = 'ab'",
    "UPDATE tree_head SET tree_size = tree_size + 1",
    "DELETE FROM tree_head",
    "TRUNCATE tree_head",
    "UPDATE tree_node SET hash = 'ab'",
    "DELETE FROM tree_node WHERE height = 8",
    "TRUNCATE tree_node",
    "DELETE FROM signing_key",
    "UPDATE signing_key SET public_key = 'ab'",
    "UPDATE signing_key SET name = 'elsewhere.example/log'",
    "TRUNCATE signing_key CASCADE",
]


def signed(store) -> None:
    append(store, 300)  # a block of 256: a stored node
    transparency.sign_tree_head(store)


def rows(store) -> tuple:
    return (
        list(tree.heads(store)),
        tree.stored_nodes(store, transparency.TILE),
        tree.signing_keys(store),
    )


@pytest.fixture(scope="module")
def _signed_once(shared_database, tmp_path_factory) -> tuple:
    store = reuse(shared_database).store
    with pytest.MonkeyPatch.context() as patch:
        keys_in(tmp_path_factory.mktemp("keys"), patch)
        signed(store)
    return rows(store)


@pytest.fixture
def signed_once(shared_database, _signed_once):
    """A signed tree, on one database a kind for the changes the database refuses: each checks
    that the tree is as it was at this set-up, so none may change it for the next."""
    return reuse(shared_database).store, _signed_once


@pytest.mark.parametrize("statement", CHANGES)
def test_the_database_refuses_to_change_the_tree(signed_once, statement):
    store, before = signed_once
    if statement.startswith("TRUNCATE") and store.vendor == "sqlite":
        statement = f"DELETE FROM {statement.split()[1]}"  # SQLite's truncate
    assert before[1] and before[2]
    refused = pytest.raises(DatabaseError, match=r"append-only|signing keys are kept")
    with refused, store.atomic() as cursor:
        cursor.execute(statement)
    assert rows(store) == before


def test_a_key_is_retired_once_and_stays(store):
    signed(store)
    (key,) = tree.signing_keys(store)
    tree.retire_key(store, key.key_id, "2030-01-01T00:00:00.000000Z")
    with pytest.raises(DatabaseError, match="signing keys are kept"), store.atomic() as cursor:
        cursor.execute("UPDATE signing_key SET retired_time = NULL")
    assert tree.signing_keys(store)[0].retired_time == "2030-01-01T00:00:00.000000Z"


def test_the_guard_migration_reverses_cleanly(store):
    signed(store)
    (previous,) = MigrationLoader(None).disk_migrations[("store", GUARD)].dependencies
    call_command("migrate", *previous, verbosity=0)
    with store.atomic() as cursor:  # nothing guards the tree now
        cursor.execute("UPDATE tree_node SET hash = hash")
        cursor.execute("UPDATE signing_key SET name = name")
        if store.vendor == "postgresql":
            cursor.execute(
                "SELECT proname FROM pg_proc WHERE proname IN ('tree_refuse', 'signing_key_refuse')"
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (tbl_name LIKE "
                "'tree_%%' OR tbl_name = 'signing_key')"
            )
        assert cursor.fetchall() == []
    call_command("migrate", "store", verbosity=0)
    with pytest.raises(DatabaseError, match="append-only"), store.atomic() as cursor:
        cursor.execute("DELETE FROM tree_head")
