"""The statement log on SQLite and PostgreSQL: gap-free, append-only, idempotent."""

import orjson
import pytest
from django.db import DatabaseError

from openbook.standards.log import Entry
from openbook.store import log
from tests.conftest import reuse
from tests.factories import create_release, create_statement


def test_entries_are_numbered_from_zero_without_gaps_across_batches(store):
    first = log.append(
        store,
        "ocds",
        [create_statement(create_release(release_id=str(n))) for n in range(3)],
        "Pub",
    )
    second = log.append(
        store,
        "ocds",
        [create_statement(create_release(release_id=str(n))) for n in range(3, 5)],
        "Pub",
    )
    assert [seq for _, seq in first.entries] == [0, 1, 2]
    assert [seq for _, seq in second.entries] == [3, 4]
    assert log.log_size(store) == 5


def test_an_entry_records_everything_its_leaf_hash_covers(store):
    release = create_release(date="2025-03-04T10:00:00+01:00")
    log.append(store, "ocds", [create_statement(release)], "Crown Commercial Service")
    (stored,) = log.record_statements(store, "ocds", "ocds-test-001")
    entry = stored.entry
    assert (entry.seq, entry.register, entry.record_key, entry.statement_id) == (
        0,
        "ocds",
        "ocds-test-001",
        "1",
    )
    assert entry.statement_date == "2025-03-04T10:00:00+01:00"
    assert entry.publisher == "Crown Commercial Service"
    assert entry.log_time.endswith("Z") and len(entry.log_time) == 27
    assert orjson.loads(stored.body) == release
    assert stored.leaf_hash == Entry(*[getattr(entry, f) for f in Entry.__slots__]).leaf_hash()


def test_reloading_an_identical_statement_is_a_duplicate_and_stores_nothing(store):
    statement = create_statement(create_release())
    log.append(store, "ocds", [statement], "Pub")
    outcome = log.append(store, "ocds", [create_statement(create_release())], "Pub")
    assert outcome.entries == [] and outcome.conflicts == []
    assert [seq for _, seq in outcome.duplicates] == [0]
    assert log.log_size(store) == 1


def test_a_different_body_under_a_stored_id_is_a_conflict_kept_aside(store):
    log.append(store, "ocds", [create_statement(create_release(title="original"))], "Pub")
    newcomer = create_statement(create_release(title="changed"), source="file.jsonl line 2")
    outcome = log.append(store, "ocds", [newcomer], "Pub")
    assert [seq for _, seq in outcome.conflicts] == [0]
    (stored,) = log.record_statements(store, "ocds", "ocds-test-001")
    assert orjson.loads(stored.body)["title"] == "original"
    (conflict,) = log.conflicts(store)
    assert conflict["stored_seq"] == 0 and conflict["body_hash"] == newcomer.body_hash
    assert "file.jsonl line 2" in conflict["report"] and "already in the log" in conflict["report"]
    # The same conflicting body again is not kept twice.
    log.append(store, "ocds", [newcomer], "Pub")
    assert len(log.conflicts(store)) == 1


def test_duplicates_and_conflicts_within_one_batch(store):
    batch = [
        create_statement(create_release(title="a")),
        create_statement(create_release(title="a")),
        create_statement(create_release(title="b")),
    ]
    outcome = log.append(store, "ocds", batch, "Pub")
    assert len(outcome.entries) == len(outcome.duplicates) == len(outcome.conflicts) == 1


def test_same_statement_id_in_different_records_is_not_a_duplicate(store):
    outcome = log.append(
        store,
        "ocds",
        [
            create_statement(create_release(ocid="ocds-a")),
            create_statement(create_release(ocid="ocds-b")),
        ],
        "Pub",
    )
    assert len(outcome.entries) == 2


@pytest.mark.parametrize("earlier", [True, False])
def test_without_the_first_seqs_duplicates_and_conflicts_are_found_alike(store, earlier):
    """``earlier=False`` (openbook load) looks up the batch's own (ocid, id) pairs alone, in
    chunks of 500: over 600 statements across 300 records, every duplicate, conflict and new
    statement is found as with the lookup of whole records, and only the first seqs differ."""
    first = [
        create_statement(create_release(ocid=f"ocds-{n % 300}", release_id=f"r{n}", title="a"))
        for n in range(600)
    ]
    log.append(store, "ocds", first[::2], "Pub")  # r0, r2... r598: seqs 0 to 299
    batch = [
        *first[:200],  # 100 stored again (duplicates), 100 new
        create_statement(create_release(ocid="ocds-0", release_id="r0", title="b")),  # conflict
        create_statement(create_release(ocid="ocds-1", release_id="r0", title="a")),  # other record
        create_statement(create_release(ocid="ocds-new", release_id="r0")),
        first[1],  # a duplicate of a statement this batch appends
    ]
    outcome = log.append(store, "ocds", batch, "Pub", earlier=earlier)
    assert len(outcome.entries) == 100 + 2
    assert sorted(seq for _, seq in outcome.duplicates) == [*range(100), 300]
    assert [seq for _, seq in outcome.conflicts] == [0]
    assert outcome.earlier == ({f"ocds-{n}": n // 2 for n in range(0, 200, 2)} if earlier else {})
    assert log.log_size(store) == 402


@pytest.fixture(scope="module")
def _one_entry(shared_database) -> list:
    store = reuse(shared_database).store
    log.append(store, "ocds", [create_statement(create_release())], "Pub")
    return log.entries(store, 0, 10)


@pytest.fixture
def one_entry(shared_database, _one_entry):
    """A log of one entry, on one database a kind for the changes the database refuses: each
    checks that the log is as it was at this set-up, so none may change it for the next."""
    return reuse(shared_database).store, _one_entry


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE log_entry SET publisher = 'someone else'",
        "UPDATE log_entry SET body_hash = 'x' WHERE seq = 0",
        "DELETE FROM log_entry",
        "DELETE FROM log_entry WHERE seq = 0",
        "TRUNCATE log_entry",
        "TRUNCATE log_entry CASCADE",
    ],
)
def test_the_database_refuses_to_change_or_remove_log_entries(one_entry, statement):
    store, before = one_entry
    if statement.startswith("TRUNCATE") and store.vendor == "sqlite":
        statement = "DELETE FROM log_entry"  # SQLite's truncate is a DELETE without WHERE
    assert len(before) == 1
    # A plain TRUNCATE on PostgreSQL is already stopped by the bodies' foreign key; with CASCADE,
    # by the trigger.
    refused = "append-only|referenced in a foreign key"
    with pytest.raises(DatabaseError, match=refused), store.atomic() as cursor:
        cursor.execute(statement)
    assert log.entries(store, 0, 10) == before


def test_a_failed_batch_leaves_no_trace(store):
    log.append(store, "ocds", [create_statement(create_release(release_id="0"))], "Pub")
    bad = create_statement(create_release(release_id="1"))
    bad.body = b"\xff"  # cannot be decoded: the batch fails part-way
    with pytest.raises(UnicodeDecodeError):
        log.append(store, "ocds", [create_statement(create_release(release_id="2")), bad], "Pub")
    assert log.log_size(store) == 1
    assert (
        log.append(
            store, "ocds", [create_statement(create_release(release_id="2"))], "Pub"
        ).entries[0][1]
        == 1
    )


def test_log_time_never_goes_backwards(store):
    from datetime import UTC, datetime

    log.append(
        store,
        "ocds",
        [create_statement(create_release(release_id="0"))],
        "Pub",
        now=datetime(2030, 1, 1, tzinfo=UTC),
    )
    log.append(
        store,
        "ocds",
        [create_statement(create_release(release_id="1"))],
        "Pub",
        now=datetime(2020, 1, 1, tzinfo=UTC),
    )
    first, second = log.entries(store, 0, 2)
    assert second.entry.log_time == first.entry.log_time == "2030-01-01T00:00:00.000000Z"


def test_counts_per_register_and_publisher(store):
    log.append(store, "ocds", [create_statement(create_release(release_id="0"))], "A")
    log.append(
        store, "ocds", [create_statement(create_release(ocid="ocds-2", release_id="0"))], "B"
    )
    counts = log.counts(store)
    assert counts["registers"] == [
        {"register": "ocds", "statements": 2, "records": 2, "conflicts": 0}
    ]
    assert [row["publisher"] for row in counts["publishers"]] == ["A", "B"]
