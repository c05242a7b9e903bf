"""The feed is gap-free while others publish: a client following links.next from the start
receives every release exactly once, in log order (issue 3, item 2)."""

import threading

import orjson
from django.db import connections

from openbook.store import log
from tests.factories import create_release, create_statement

WRITERS = 3
BATCHES = 15


def _writer(number: int, failures: list, read_twice: threading.Event) -> None:
    try:
        from openbook.store.database import Store

        store = Store()
        for batch in range(BATCHES):
            if batch == BATCHES // 2:
                # Half the batches written: the rest wait until the reader has read twice, so
                # that however the machine schedules the threads, reading overlaps writing.
                read_twice.wait(timeout=60)
            releases = [
                create_release(f"ocds-w{number}-{batch}-{n}", "1", tag=["tender"])
                for n in range(1 + (batch + number) % 4)
            ]
            log.append(store, "ocds", [create_statement(r) for r in releases], f"Writer {number}")
    except Exception as error:  # reported to the test, which fails with it
        failures.append(error)
    finally:
        connections.close_all()


def test_a_reader_following_next_misses_nothing_while_writers_append(client, store):
    failures: list = []
    read_twice = threading.Event()
    writers = [
        threading.Thread(target=_writer, args=(n, failures, read_twice)) for n in range(WRITERS)
    ]
    received: list[tuple[str, str]] = []
    url, seen_in_page, polls_during_writes = "/api/ocds/releases?limit=7", 0, 0

    def catch_up() -> None:
        # A full page links to the next; a partial one does not, and a live client asks for
        # the same page again later, taking what it has not seen (docs/api.md, "Following").
        nonlocal url, seen_in_page
        while True:
            package = orjson.loads(client.get(url).content)
            releases = [(r["ocid"], r["id"]) for r in package["releases"]]
            received.extend(releases[seen_in_page:])
            if "links" not in package:
                seen_in_page = len(releases)
                return
            url, seen_in_page = package["links"]["next"], 0

    for writer in writers:
        writer.start()
    while any(writer.is_alive() for writer in writers):
        catch_up()
        polls_during_writes += 1
        if polls_during_writes >= 2:
            read_twice.set()
    for writer in writers:
        writer.join()
    catch_up()

    assert not failures, failures
    assert polls_during_writes > 1  # the reader really read while the writers wrote
    stored = [(s.entry.record_key, s.entry.statement_id) for s in log.entries(store, 0, 10_000)]
    assert len(stored) == sum(
        1 + (batch + number) % 4 for number in range(WRITERS) for batch in range(BATCHES)
    )
    assert received == stored  # every release, once, in log order
