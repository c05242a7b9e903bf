"""GET /api/registers/performance and /api/registers/performance/suppliers/{identifier}: KPIs
and their ratings, failures and penalties, terminations, per contract and per supplier, on both
databases."""

import orjson
import pytest

from openbook import contract_performance
from openbook.store import contract_performance as stored
from openbook.store import records
from openbook.store.database import Store
from tests.conftest import reuse
from tests.factories import create_release
from tests.web.conftest import publish

LEEDS = {"id": "b", "name": "Leeds City Council", "roles": ["buyer"]}
LEEDS["identifier"] = {"scheme": "GB-GOR", "id": "PB425"}
YORK = {"id": "b", "name": "City of York Council", "roles": ["buyer"]}
YORK["identifier"] = {"scheme": "GB-GOR", "id": "D1"}
ACME = {"id": "s1", "name": "Acme Ltd", "roles": ["supplier"]}
ACME["identifier"] = {"scheme": "GB-COH", "id": "01234567"}
WIDGETS = {"id": "s2", "name": "Widget Works Ltd", "roles": ["supplier"]}
WIDGETS["identifier"] = {"scheme": "GB-COH", "id": "07654321"}
IDLE = {"id": "s3", "name": "Idle Ltd", "roles": ["supplier"]}
IDLE["identifier"] = {"scheme": "GB-COH", "id": "05555555"}


def _notice(code: str, day: str) -> dict:
    return {"id": f"{code}-{day}", "noticeType": code, "datePublished": f"{day}T09:00:00Z"}


def _contracted(ocid, buyer, supplier, contract_ids=("1",)):
    """A UK7: the contracts awarded to one supplier."""
    return create_release(
        ocid,
        f"{ocid}-uk7",
        date="2025-12-01T09:00:00Z",
        tag=["award", "contract"],
        parties=[buyer, supplier],
        buyer={"id": buyer["id"], "name": buyer["name"]},
        awards=[
            {"id": n, "status": "active", "suppliers": [{"id": supplier["id"]}]}
            for n in contract_ids
        ],
        contracts=[
            {
                "id": n,
                "awardID": n,
                "title": f"Contract {n}",
                "status": "active",
                "value": {"amount": 100000, "currency": "GBP"},
                "period": {"startDate": "2026-01-01", "endDate": "2028-12-31"},
                "documents": [_notice("UK7", "2025-12-01")],
            }
            for n in contract_ids
        ],
    )


def _kpi(kpi_id, title, year, rating):
    observation = {
        "id": "1",
        "period": {"startDate": f"{year}-01-01", "endDate": f"{year}-12-31"},
        "notes": f"{title} in {year}",
    }
    if rating is not None:
        observation["measureClassification"] = {"id": rating}
    return {"id": kpi_id, "title": title, "observations": [observation]}


def _performance(ocid, day, contracts):
    """A UK9: each contract's implementation as given (metrics, performanceFailures)."""
    for contract in contracts:
        contract.setdefault("implementation", {})["documents"] = [_notice("UK9", day)]
    return create_release(
        ocid,
        f"{ocid}-uk9-{day}",
        date=f"{day}T09:00:00Z",
        tag=["implementation"],
        contracts=contracts,
    )


PENALISED = {
    "id": "f1",
    "requirement": "Repairs within 24 hours",
    "description": "Repairs took a week for three months.",
    "decisionDate": "2027-06-01T00:00:00Z",
    "penaltyDate": "2027-07-01T00:00:00Z",
    "penaltyType": "imposed",
    "penaltyValue": {"amount": "1500.50", "currency": "GBP"},  # as text: read as its number
    "suppliers": [{"id": "s1", "name": "Acme Ltd"}],
}
UNPENALISED = {"id": "f2", "description": "Late reports.", "decisionDate": "2027-08-01"}


@pytest.fixture(scope="module")
def _performed(shared_database):
    publish(
        reuse(shared_database).store,
        [
            # c1: two contracts with Acme, rated over two years; a failure with a penalty.
            _contracted("ocds-213czf-c1", LEEDS, ACME, ("1", "2")),
            _performance(
                "ocds-213czf-c1",
                "2027-01-15",
                [
                    {
                        "id": "1",
                        "implementation": {
                            "metrics": [
                                _kpi("1", "Availability", 2026, "below"),
                                _kpi("2", "Response times", 2026, "Met"),
                                _kpi("3", "Satisfaction", 2026, "met"),
                            ]
                        },
                    }
                ],
            ),
            _performance(
                "ocds-213czf-c1",
                "2028-01-15",
                [
                    {
                        "id": "1",
                        "implementation": {
                            "metrics": [
                                _kpi("1", "Availability", 2027, "met"),
                                _kpi("2", "Response times", 2027, "slightlyBelow"),
                                _kpi("3", "Satisfaction", 2027, None),  # no rating given
                            ],
                            "performanceFailures": [PENALISED, UNPENALISED],
                        },
                    },
                    {
                        "id": "2",
                        "implementation": {"metrics": [_kpi("1", "Uptime", 2027, "other")]},
                    },
                ],
            ),
            # c2: Widget Works' contract, badly rated (the rating as bare text), then
            # terminated (UK11) for it.
            _contracted("ocds-213czf-c2", YORK, WIDGETS),
            _performance(
                "ocds-213czf-c2",
                "2026-07-01",
                [
                    {
                        "id": "1",
                        "implementation": {
                            "metrics": [
                                {
                                    "id": "1",
                                    "observations": [
                                        {"id": "1", "measureClassification": "significantlyBelow"}
                                    ],
                                }
                            ]
                        },
                    }
                ],
            ),
            create_release(
                "ocds-213czf-c2",
                "ocds-213czf-c2-uk11",
                date="2026-10-05T09:00:00Z",
                tag=["contractTermination"],
                contracts=[
                    {
                        "id": "1",
                        "status": "terminated",
                        "terminationRationaleClassifications": [
                            {
                                "scheme": "terminationReason",
                                "id": "performance",
                                "description": "Terminated for poor performance",
                            }
                        ],
                        "implementation": {"endDate": "2026-09-30"},
                        "documents": [_notice("UK11", "2026-10-05")],
                    }
                ],
            ),
            # c3: malformed, as real data is: KPIs not a list, observations not a list,
            # failures not a list, an amount in words.
            _contracted("ocds-213czf-c3", LEEDS, ACME, ("1", "2")),
            _performance(
                "ocds-213czf-c3",
                "2027-03-01",
                [
                    {
                        "id": "1",
                        "implementation": {"metrics": "lots", "performanceFailures": {"id": "x"}},
                    },
                    {
                        "id": "2",
                        "implementation": {
                            "metrics": [{"id": "1", "title": "Uptime", "observations": "x"}, 7],
                            "performanceFailures": [
                                {
                                    "id": "f",
                                    "penaltyValue": {"amount": "a lot", "currency": 5},
                                    "penaltyPaid": "yes",
                                    "events": "3",
                                }
                            ],
                        },
                    },
                ],
            ),
            # c4: an award without performance notices.
            _contracted("ocds-213czf-c4", LEEDS, IDLE),
        ],
    )


@pytest.fixture
def performed(shared_database, _performed) -> Store:
    """The contracts' performance, on one database a kind for the whole module: every test
    here only reads."""
    return reuse(shared_database).store


def _get(client, path="/api/registers/performance", **query):
    response = client.get(path, query)
    return response.status_code, orjson.loads(response.content)


def _keys(body) -> list[str]:
    return [f"{entry['ocid'][-2:]}/{entry['contractId']}" for entry in body["page"]]


def test_each_contract_has_its_kpis_ratings_failures_and_penalties(reader, performed):
    status, body = _get(reader)
    assert status == 200
    # The most recently changed process first, its contracts in order; contracts without
    # KPIs, failures or a termination are left out (c3's first, c4's).
    assert _keys(body) == ["c3/2", "c2/1", "c1/1", "c1/2"]
    rated = body["page"][2]
    assert rated["title"] == "Contract 1"
    assert rated["buyer"] == {"name": "Leeds City Council", "identifier": "GB-GOR-PB425"}
    assert rated["suppliers"] == [{"name": "Acme Ltd", "identifier": "GB-COH-01234567"}]
    availability = rated["kpis"][0]
    assert availability["title"] == "Availability"
    # Both years' ratings, though the compiled release keeps only the last of observation 1.
    assert [(o["period"]["startDate"], o["rating"]) for o in availability["observations"]] == [
        ("2026-01-01T00:00:00Z", "below"),
        ("2027-01-01T00:00:00Z", "met"),
    ]
    assert availability["latestRating"] == "met"
    assert rated["kpis"][2]["latestRating"] is None
    assert rated["ratings"] == {
        "met": 3,  # "Met" is the code met
        "slightlyBelow": 1,
        "below": 1,
        "significantlyBelow": 0,
        "other": 0,
        "unrated": 1,
    }
    penalised, unpenalised = rated["failures"]
    assert penalised["penalty"] is True
    assert penalised["penaltyType"] == "imposed"
    assert penalised["penaltyValue"] == {"amount": 1500.5, "currency": "GBP"}
    assert penalised["suppliers"] == [{"name": "Acme Ltd", "identifier": "GB-COH-01234567"}]
    assert penalised["decisionDate"] == "2027-06-01T00:00:00Z"
    assert unpenalised["penalty"] is False
    assert rated["penalties"] == {"count": 1, "value": [{"currency": "GBP", "amount": 1500.5}]}
    assert rated["termination"] is None


def test_a_termination_has_its_date_notice_and_rationale(reader, performed):
    terminated = _get(reader)[1]["page"][1]
    assert terminated["ocid"] == "ocds-213czf-c2"
    assert terminated["status"] == "terminated"
    assert terminated["termination"] == {
        "endDate": "2026-09-30T00:00:00Z",
        "noticeDate": "2026-10-05T09:00:00Z",
        "rationale": [
            {
                "scheme": "terminationReason",
                "id": "performance",
                "description": "Terminated for poor performance",
            }
        ],
        "details": None,
        "finalValue": None,
    }
    assert terminated["ratings"]["significantlyBelow"] == 1  # a rating given as bare text


def test_malformed_shapes_are_read_without_errors(reader, performed):
    malformed = _get(reader)[1]["page"][0]
    assert malformed["ocid"] == "ocds-213czf-c3"
    assert [kpi["title"] for kpi in malformed["kpis"]] == ["Uptime"]
    assert malformed["kpis"][0]["observations"] == []
    (failure,) = malformed["failures"]
    assert failure["penaltyValue"] == {"amount": None, "currency": "5"}
    assert (failure["penaltyPaid"], failure["events"], failure["penalty"]) == (None, 3.0, False)


@pytest.mark.parametrize(
    "query, keys",
    [
        ({"supplier": "gb-coh-1234567"}, ["c3/2", "c1/1", "c1/2"]),
        ({"supplier": "GB-COH-07654321"}, ["c2/1"]),
        ({"supplier": "GB-COH-05555555"}, []),
        ({"buyer": "GB-GOR-D1"}, ["c2/1"]),
        ({"buyer": "GB-GOR-PB425", "supplier": "GB-COH-01234567"}, ["c3/2", "c1/1", "c1/2"]),
        ({"rating": "below"}, ["c1/1"]),
        ({"rating": "other"}, ["c1/2"]),
        ({"rating": "unrated"}, ["c1/1"]),
        ({"rating": "significantlyBelow"}, ["c2/1"]),
        ({"terminated": "true"}, ["c2/1"]),
        ({"terminated": "false"}, ["c3/2", "c1/1", "c1/2"]),
        ({"terminated": "false", "rating": "met"}, ["c1/1"]),
    ],
)
def test_filters(reader, performed, query, keys):
    status, body = _get(reader, **query)
    assert status == 200
    assert _keys(body) == keys


@pytest.mark.parametrize("query", [{}, {"supplier": "GB-COH-01234567"}, {"terminated": "false"}])
def test_pages_follow_without_gaps_or_repeats_even_within_a_process(reader, performed, query):
    every = _keys(_get(reader, **query)[1])
    seen, before = [], None
    while True:
        page = {"limit": 1, **query} if before is None else {"limit": 1, "before": before, **query}
        body = _get(reader, **page)[1]
        seen += _keys(body)
        before = body["next"]
        if before is None:
            break
    assert seen == every
    assert len(seen) > 1


def test_a_scan_stops_at_its_limit_with_a_next(reader, performed, monkeypatch):
    monkeypatch.setattr(contract_performance, "SCAN_LIMIT", 1)
    monkeypatch.setattr(contract_performance, "BATCH", 1)
    body = _get(reader, rating="significantlyBelow")[1]
    assert body["page"] == []  # c3, read first, has no such rating
    assert body["next"] is not None
    body = _get(reader, rating="significantlyBelow", before=body["next"])[1]
    assert _keys(body) == ["c2/1"]


def test_a_supplier_rolls_up_every_contract_naming_it(reader, performed):
    status, body = _get(reader, "/api/registers/performance/suppliers/gb-coh-1234567")
    assert status == 200
    assert body["identifier"] == "GB-COH-01234567"
    assert (body["contracts"], body["kpis"]) == (3, 5)
    assert body["ratings"] == {
        "met": 3,
        "slightlyBelow": 1,
        "below": 1,
        "significantlyBelow": 0,
        "other": 1,
        "unrated": 1,
    }
    # f1 names Acme; f2 and c3's name no supplier, so count for the contract's.
    assert (body["failures"], body["penalties"], body["terminations"]) == (3, 1, 0)
    assert body["penaltyValue"] == [{"currency": "GBP", "amount": 1500.5}]
    assert body["complete"] is True
    assert _keys(body) == ["c3/2", "c1/1", "c1/2"]
    assert body["next"] is None
    widgets = _get(reader, "/api/registers/performance/suppliers/GB-COH-07654321")[1]
    assert (widgets["contracts"], widgets["terminations"]) == (1, 1)
    assert widgets["terminationsWithRationale"] == 1
    assert body["terminationsWithRationale"] == 0
    assert widgets["ratings"]["significantlyBelow"] == 1
    idle = _get(reader, "/api/registers/performance/suppliers/GB-COH-05555555")[1]
    assert (idle["contracts"], idle["page"], idle["penaltyValue"]) == (0, [], [])


def test_a_supplier_rollup_says_when_it_is_not_whole(reader, performed, monkeypatch):
    monkeypatch.setattr(contract_performance, "ROLLUP_LIMIT", 1)
    body = _get(reader, "/api/registers/performance/suppliers/GB-COH-01234567")[1]
    assert body["complete"] is False
    assert body["contracts"] == 1  # c3's only: the most recently changed


def test_a_supplier_page_follows(reader, performed):
    path = "/api/registers/performance/suppliers/GB-COH-01234567"
    first = _get(reader, path, limit=2)[1]
    assert _keys(first) == ["c3/2", "c1/1"]
    second = _get(reader, path, limit=2, before=first["next"])[1]
    assert _keys(second) == ["c1/2"]
    assert second["contracts"] == 3  # the figures are the whole record's on every page


@pytest.mark.parametrize(
    "rollup, kept, scan",
    [
        (5000, 1100, 1000),  # the page made from the processes the rollup read
        (1, 1100, 1000),  # the rollup stopped short: the page reads on from the store
        (5000, 1, 1000),  # the rollup kept fewer than the page looks at
        (5000, 1, 1),  # and the page's scan stops at its limit
    ],
)
def test_a_supplier_page_is_the_registers_page_for_that_supplier(
    performed, monkeypatch, rollup, kept, scan
):
    monkeypatch.setattr(contract_performance, "ROLLUP_LIMIT", rollup)
    monkeypatch.setattr(contract_performance, "KEPT_FOR_PAGE", kept)
    monkeypatch.setattr(contract_performance, "SCAN_LIMIT", scan)
    pages = dict.fromkeys(("GB-COH-01234567", "GB-COH-07654321", "GB-COH-05555555"), 0)
    for supplier in pages:
        before = None
        while True:
            record = contract_performance.supplier(performed, supplier, before=before, limit=1)
            page = contract_performance.register(
                performed, supplier=supplier, before=before, limit=1
            )
            assert record is not None
            assert (record["page"], record["next"]) == (page["page"], page["next"])
            before = page["next"]
            pages[supplier] += 1
            if before is None:
                break
    assert pages["GB-COH-01234567"] >= 3  # its three contracts, one a page


def test_a_supplier_record_reads_each_process_once(performed, monkeypatch):
    read: list[str] = []
    compiled_of = records.compiled_of

    def counted(store, register, keys):
        read.extend(keys)
        return compiled_of(store, register, keys)

    monkeypatch.setattr(records, "compiled_of", counted)
    record = contract_performance.supplier(performed, "GB-COH-01234567")
    assert record is not None and len(record["page"]) == 3
    assert sorted(read) == sorted(set(read))


def test_the_parties_are_as_the_release_names_them(performed):
    # The register reads a party's name and identifier from the process search's mentions
    # (openbook.store.contract_performance.parties): what reading the compiled release gives.
    rows = stored.page(performed, stored.Filters(contract_performance.NOTICES), None, 100)
    compiled = records.compiled_of(performed, "ocds", [row.ocid for row in rows])
    parties = stored.parties(performed, [row.process_id for row in rows])
    assert len(rows) == 3
    for row in rows:
        release = orjson.loads(compiled[row.ocid])
        from_search = contract_performance.contracts(release, (), parties[row.process_id])
        assert from_search == contract_performance.contracts(release)
        assert from_search


def test_the_bulk_file_has_every_contract(performed):
    lines = list(contract_performance.bulk(performed))
    assert [f"{line['ocid'][-2:]}/{line['contractId']}" for line in lines] == [
        "c3/2",
        "c2/1",
        "c1/1",
        "c1/2",
    ]
    assert all(orjson.loads(orjson.dumps(line)) == line for line in lines)


@pytest.mark.parametrize(
    "case",
    [
        ("", {"rating": "great"}, 400, "invalid-parameter", "rating: 'great' is not one of"),
        ("", {"rating": "met,below"}, 400, "invalid-parameter", "rating: give one rating"),
        ("", {"terminated": "yes"}, 400, "invalid-parameter", "terminated: 'yes' is not true"),
        ("", {"before": "abc"}, 400, "invalid-parameter", "before: 'abc' is not a `next`"),
        ("", {"supplier": "nonsense"}, 400, "invalid-identifier", "supplier: 'nonsense'"),
        ("", {"buyer": "GB-COH-123456789"}, 400, "invalid-identifier", "8 characters"),
        ("", {"limit": 0}, 400, "invalid-parameter", "limit"),
        ("", {"limit": 101}, 400, "invalid-parameter", "limit"),
        ("/suppliers/nonsense", {}, 400, "invalid-identifier", "org-id.guide list code"),
        ("/suppliers/GB-COH-N%2FA", {}, 400, "invalid-identifier", "stands in for an id"),
        ("/suppliers/GB-COH-09999999", {}, 404, "not-found", "no process names the supplier"),
        ("/suppliers/GB-COH-01234567", {"before": "1:x"}, 400, "invalid-parameter", "before"),
        ("/suppliers/GB-COH-01234567", {"limit": 101}, 400, "invalid-parameter", "limit"),
        ("/suppliers/" + "G" * 301, {}, 400, "invalid-parameter", "at most 300"),
    ],
)
def test_bad_requests_get_a_precise_error(reader, performed, case):
    path, query, status, code, words = case
    got, body = _get(reader, "/api/registers/performance" + path, **query)
    assert got == status
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]
