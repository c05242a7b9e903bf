"""How a page of the change feed is read: by its range of seq on every table it joins, so that
its cost does not grow with where in the log it starts (docs/performance.md, the change feed)."""

import orjson
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openbook.store import feed
from tests.web.conftest import a_process, publish


def page_sql(store, start: int, stop: int | None) -> str:
    """The SQL a page runs, as sent (values bound in)."""
    with CaptureQueriesContext(connection) as captured:
        items = feed.page(store, "ocds", start, stop, 3)
    assert [item.seq for item in items] == list(range(start, start + 3))
    (query,) = captured.captured_queries
    return query["sql"]


def scans(plan: dict) -> list[dict]:
    found = [plan] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found += scans(child)
    return found


def test_every_table_of_a_page_is_read_from_its_start(store):
    """On PostgreSQL, the range reaches log_body and review too: a merge join, which reads each
    side in order, starts them at the page's first seq rather than at the log's (a page from the
    middle of 100,000 releases took 341 ms rather than 3). On SQLite, the log is walked by seq
    (its rowid) from the start."""
    publish(store, [r for n in range(4) for r in a_process(f"ocds-range-{n}", supplier="Acme")])
    for stop in (None, 7):
        sql = page_sql(store, 4, stop)
        with store.cursor() as cursor:
            if store.vendor == "sqlite":
                cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
                details = [row[-1] for row in cursor.fetchall()]
                assert any("SEARCH e USING INTEGER PRIMARY KEY (rowid>?" in d for d in details)
                continue
            # The plan the order of a large page favours (on these few rows the planner would
            # choose another): merge joins, each table read in order of seq.
            settings = ("enable_seqscan", "enable_hashjoin", "enable_nestloop")
            for setting in settings:
                cursor.execute(f"SET {setting} = off")
            try:
                cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
                explained = cursor.fetchone()[0]
                plan = (orjson.loads(explained) if isinstance(explained, str) else explained)[0]
                plan = plan["Plan"]
            finally:
                for setting in settings:
                    cursor.execute(f"RESET {setting}")
        # The range as an index scan's condition, or a bitmap scan's (checked again on the heap).
        read = {
            scan["Relation Name"]: scan.get("Index Cond") or scan.get("Recheck Cond", "")
            for scan in scans(plan)
        }
        assert set(read) == {"log_entry", "log_body", "review"}
        for table, condition in read.items():
            assert ">= '4'" in condition or ">= 4" in condition, (table, condition)
            if stop is not None:
                assert "< '7'" in condition or "< 7" in condition, (table, condition)
