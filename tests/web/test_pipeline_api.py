"""GET /api/registers/pipeline: planned procurements, whether and when they reached tender, on
both databases."""

import orjson
import pytest

from openbook import pipeline
from openbook.store.database import Store
from tests.conftest import reuse
from tests.factories import create_release
from tests.web.conftest import publish

LEEDS = {"scheme": "GB-GOR", "id": "PB425"}
YORK = {"scheme": "GB-GOR", "id": "D1"}


def _notice(code: str, day: str) -> dict:
    return {"id": f"{code}-{day}", "noticeType": code, "datePublished": f"{day}T09:00:00Z"}


def _planned(ocid, code, day, *, buyer=LEEDS, expected=None, cpv="45233140", **tender):
    """A planning release: a UK pipeline notice (``code``) or, with no code, a plain OCDS
    planning release."""
    tender = {"id": "t", "title": f"Planned {ocid}", "status": "planned", **tender}
    tender["items"] = [{"id": "1", "classification": {"scheme": "CPV", "id": cpv}}]
    if expected is not None:
        tender["communication"] = {"futureNoticeDate": expected}
    planning: dict = {"budget": {"amount": {"amount": 50000, "currency": "GBP"}}}
    if code is not None:
        planning["documents"] = [_notice(code, day)]
    return create_release(
        ocid,
        f"{ocid}-{day}",
        date=f"{day}T09:00:00Z",
        tag=["planning"],
        parties=[
            {"id": "b", "name": "Leeds City Council", "roles": ["buyer"], "identifier": buyer}
        ],
        buyer={"id": "b", "name": "Leeds City Council"},
        planning=planning,
        tender=tender,
    )


def _tender(ocid, day, code="UK4"):
    return create_release(
        ocid,
        f"{ocid}-tender",
        date=f"{day}T10:00:00Z",
        tag=["tender"],
        tender={
            "id": "t",
            "status": "active",
            "tenderPeriod": {"startDate": f"{day}T10:00:00Z", "endDate": "2026-12-01T12:00:00Z"},
            # The tender notice names its own next notice: not the pipeline's expectation.
            "communication": {"futureNoticeDate": "2026-12-20"},
            "documents": [_notice(code, day)],
        },
    )


@pytest.fixture
def planned(store):
    """The pipeline on a fresh database, for the test that publishes more."""
    return _plan(store)


@pytest.fixture(scope="module")
def _planned_once(shared_database):
    _plan(reuse(shared_database).store)


@pytest.fixture
def planned_once(shared_database, _planned_once) -> Store:
    """The pipeline, on one database a kind for the module's tests that only read it."""
    return reuse(shared_database).store


def _plan(store):
    publish(
        store,
        [
            # A UK1 expecting its tender on 1 March; a second UK1 moves it to 5 March; it came
            # on the 10th.
            _planned("ocds-213czf-p1", "UK1", "2026-01-05", expected="2026-03-01"),
            _planned("ocds-213czf-p1", "UK1", "2026-02-01", expected="2026-03-05T00:00:00Z"),
            _tender("ocds-213czf-p1", "2026-03-10"),
            # Next year's pipeline names it again: not an estimate of the tender that came.
            _planned("ocds-213czf-p1", "UK1", "2026-04-01", expected="2027-01-01"),
            # A UK1 whose tender never came, expected in 2020: overdue.
            _planned("ocds-213czf-p2", "UK1", "2019-11-01", expected="2020-06-01", buyer=YORK),
            # A planning release without a UK notice: the planned tender period tells.
            _planned(
                "ocds-213czf-p3",
                None,
                "2026-02-01",
                cpv="72000000",
                tenderPeriod={"startDate": "2099-01-01T00:00:00Z"},
            ),
            # Malformed: a date that is none, lots that are not a list, a tender that is text.
            _planned("ocds-213czf-p4", "UK1", "2026-02-02", expected="soon", lots="all of them"),
            create_release("ocds-213czf-p5", "1", tag=["planning"], tender="n/a", planning=["x"]),
            # A tender with no planning: not in the pipeline.
            _tender("ocds-213czf-x1", "2026-01-01"),
        ],
    )
    return store


def _get(client, **query):
    response = client.get("/api/registers/pipeline", query)
    return response.status_code, orjson.loads(response.content)


def _by_ocid(body) -> dict:
    return {entry["ocid"]: entry for entry in body["page"]}


def test_each_planned_process_says_when_its_tender_was_expected_and_came(reader, planned_once):
    status, body = _get(reader)
    assert status == 200
    found = _by_ocid(body)
    assert sorted(found) == [f"ocds-213czf-p{n}" for n in range(1, 6)]
    reached = found["ocds-213czf-p1"]
    assert reached["planningNotices"] == ["UK1"]
    assert reached["buyer"] == {"name": "Leeds City Council", "identifier": "GB-GOR-PB425"}
    assert reached["cpv"] == ["45233140"]
    assert reached["planned"] == "2026-01-05T09:00:00Z"
    # The last estimate before the tender, not the tender notice's own future notice date.
    assert reached["expectedDate"] == "2026-03-05T00:00:00Z"
    assert reached["expectedField"] == "tender.communication.futureNoticeDate"
    assert reached["reachedTender"] is True
    assert (reached["tenderDate"], reached["tenderNotice"]) == ("2026-03-10T10:00:00Z", "UK4")
    assert reached["delayDays"] == 5
    assert reached["overdue"] is False
    overdue = found["ocds-213czf-p2"]
    assert (overdue["reachedTender"], overdue["overdue"]) == (False, True)
    assert overdue["expectedDate"] == "2020-06-01T00:00:00Z"
    assert overdue["tenderDate"] is None
    plain = found["ocds-213czf-p3"]
    assert plain["planningNotices"] == []
    assert plain["expectedField"] == "tender.tenderPeriod.startDate"
    assert (plain["reachedTender"], plain["overdue"]) == (False, False)
    for malformed in ("ocds-213czf-p4", "ocds-213czf-p5"):
        assert found[malformed]["expectedDate"] is None
        assert found[malformed]["overdue"] is False


@pytest.mark.parametrize(
    "query, ocids",
    [
        ({"reached": "yes"}, ["p1"]),
        ({"reached": "no"}, ["p2", "p3", "p4", "p5"]),
        ({"reached": "overdue"}, ["p2"]),
        ({"buyer": "gb-gor-d1"}, ["p2"]),
        ({"buyer": "GB-GOR-PB425", "reached": "no"}, ["p3", "p4"]),
        ({"cpv": "72,90"}, ["p3"]),
        ({"cpv": "4523"}, ["p1", "p2", "p4"]),
        ({"expected_from": "2026-03-05", "expected_to": "2026-03-05"}, ["p1"]),
        ({"expected_from": "2026-01-01"}, ["p1", "p3"]),
        ({"expected_to": "2025-12-31T23:59:59Z"}, ["p2"]),
        ({"buyer": "GB-COH-01234567"}, []),
    ],
)
def test_filters(reader, planned_once, query, ocids):
    status, body = _get(reader, **query)
    assert status == 200
    assert sorted(_by_ocid(body)) == [f"ocds-213czf-{ocid}" for ocid in ocids]


@pytest.mark.parametrize("query", [{}, {"reached": "no"}, {"expected_from": "2000-01-01"}])
def test_pages_follow_without_gaps_or_repeats(reader, planned_once, query):
    every = [entry["ocid"] for entry in _get(reader, **query)[1]["page"]]
    seen, before = [], None
    while True:
        page = {"limit": 1, **query} if before is None else {"limit": 1, "before": before, **query}
        body = _get(reader, **page)[1]
        assert len(body["page"]) <= 1
        seen += [entry["ocid"] for entry in body["page"]]
        before = body["next"]
        if before is None:
            break
    assert seen == every
    assert len(set(seen)) == len(seen) > 1


def test_a_scan_stops_at_its_limit_with_a_next(reader, planned_once, monkeypatch):
    monkeypatch.setattr(pipeline, "SCAN_LIMIT", 2)
    monkeypatch.setattr(pipeline, "BATCH", 2)
    body = _get(reader, reached="overdue")[1]
    # The overdue process is the fourth most recently changed: not within the first two read.
    assert body["page"] == []
    assert body["next"] is not None
    body = _get(reader, reached="overdue", before=body["next"])[1]
    assert [entry["ocid"] for entry in body["page"]] == ["ocds-213czf-p2"]


def test_the_bulk_file_has_every_entry(planned_once):
    lines = list(pipeline.bulk(planned_once))
    assert sorted(line["ocid"] for line in lines) == [f"ocds-213czf-p{n}" for n in range(1, 6)]
    assert all(orjson.loads(orjson.dumps(line)) == line for line in lines)


@pytest.mark.parametrize(
    "query, code, words",
    [
        ({"cpv": "4x"}, "invalid-parameter", "cpv: '4x' is not a CPV code"),
        ({"cpv": "1"}, "invalid-parameter", "cpv: '1' is not a CPV code"),
        ({"expected_from": "2026-13-01"}, "invalid-parameter", "expected_from: '2026-13-01'"),
        ({"expected_to": "tomorrow"}, "invalid-parameter", "expected_to: 'tomorrow'"),
        (
            {"expected_from": "2026-03-01", "expected_to": "2026-02-01"},
            "invalid-parameter",
            "expected_to: is before expected_from",
        ),
        ({"reached": "maybe"}, "invalid-parameter", "reached: 'maybe' is not one of"),
        ({"reached": "yes,no"}, "invalid-parameter", "reached: give one of"),
        ({"buyer": "nonsense"}, "invalid-identifier", "buyer: 'nonsense' is not an organisation"),
        ({"buyer": "GB-COH-123456789"}, "invalid-identifier", "8 characters"),
        ({"limit": 0}, "invalid-parameter", "limit"),
        ({"limit": 101}, "invalid-parameter", "limit"),
        ({"before": -1}, "invalid-parameter", "before"),
        ({"before": "x"}, "invalid-parameter", "before"),
        ({"before": "9" * 20}, "invalid-parameter", "before"),
    ],
)
def test_bad_parameters_get_a_precise_error(reader, planned_once, query, code, words):
    status, body = _get(reader, **query)
    assert status == 400
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]


def test_the_migration_fills_in_which_processes_were_planned(client, planned):
    """Migration 0021 fills the search rows' ``planned`` from the statement terms the log
    holds; the register answers as before. A process planned without a planning notice that
    went on to tender is in the register by that alone."""
    from django.core.management import call_command

    publish(
        planned,
        [
            create_release("ocds-213czf-p6", "1", tag=["planning"]),
            create_release("ocds-213czf-p6", "2", tag=["tender"], tender={"id": "1"}),
        ],
    )
    before = _get(client)[1]
    assert _by_ocid(before)["ocds-213czf-p6"]["stage"] == "tender"
    call_command("migrate", "store", "0020_alerts", verbosity=0)
    call_command("migrate", "store", verbosity=0)
    assert _get(client)[1] == before
