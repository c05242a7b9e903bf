"""Storing compiled records (openbook.store.records): what is stored never goes back in the log."""

import threading

from openbook.records import compile_records
from openbook.store import log, records
from openbook.store.database import Store
from tests.factories import create_release, create_statement


def _compiled(key: str, last_seq: int, title: str) -> records.Compiled:
    return records.Compiled(
        record_key=key,
        compiled=f'{{"ocid": "{key}", "tender": {{"title": "{title}"}}}}',
        compile_error=None,
        statement_count=1,
        last_seq=last_seq,
    )


def test_an_older_result_does_not_replace_a_newer_one(store):
    records.save(store, "ocds", [_compiled("ocds-a", 5, "newer")], "2026-01-01T00:00:00Z")
    records.save(store, "ocds", [_compiled("ocds-a", 3, "older")], "2026-01-01T00:00:01Z")

    stored = records.get(store, "ocds", "ocds-a")
    assert stored is not None
    assert stored.last_seq == 5
    assert "newer" in (stored.compiled or "")


def test_an_equal_or_newer_result_replaces_what_is_stored(store):
    records.save(store, "ocds", [_compiled("ocds-a", 3, "first")], "2026-01-01T00:00:00Z")
    records.save(store, "ocds", [_compiled("ocds-a", 3, "again")], "2026-01-01T00:00:01Z")
    records.save(store, "ocds", [_compiled("ocds-a", 4, "later")], "2026-01-01T00:00:02Z")

    stored = records.get(store, "ocds", "ocds-a")
    assert stored is not None
    assert (stored.last_seq, "later" in (stored.compiled or "")) == (4, True)


def test_writers_compiling_one_process_at_once_leave_it_current(database):
    # Each thread appends a release of the same process and compiles it, as the publish API
    # does; whatever the interleaving, the stored record ends with every release.
    ocid = "ocds-race"
    errors: list[BaseException] = []

    def publish(number: int) -> None:
        store = Store()
        try:
            release = create_release(
                ocid, f"r{number}", date=f"2026-01-{number + 1:02d}T00:00:00Z", tag=["tender"]
            )
            log.append(store, "ocds", [create_statement(release)], "Test Council")
            compile_records(store, [ocid])
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            store.connection.close()

    threads = [threading.Thread(target=publish, args=(number,)) for number in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    store = Store()
    stored = records.get(store, "ocds", ocid)
    assert stored is not None
    assert stored.statement_count == 6
    assert stored.last_seq == max(entry.seq for entry in _entries(store, ocid))


def _entries(store, ocid):
    return [statement.entry for statement in log.record_statements(store, "ocds", ocid)]
