"""The process search, GET /api/ocds/processes, through HTTP on both databases: every filter
against the summaries the index was built from, text search with stemming, sorting, paging
across pages, facets and their cap, search kept consistent with records, and bad input."""

import collections
import dataclasses
import re
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
import pytest
from django.core.management import call_command
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openbook import records
from openbook import search as use_case
from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from openbook.records import compile_pending
from openbook.standards.ocds.summary import Summary, is_region_facet, summarise
from openbook.store import log
from openbook.store import search as stored_search
from openbook.store.database import Store
from tests.conftest import fresh_database, use_database
from tests.factories import create_release, create_statement

URL = "/api/ocds/processes"


@dataclasses.dataclass
class Loaded:
    url: str
    vendor: str
    summaries: dict[str, Summary]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory):
    """Generated processes loaded once per database for the read-only tests of this module,
    with the summary each process must be found by (from its record package)."""
    with fresh_database(request.param, request) as database:
        path = tmp_path_factory.mktemp("search") / "generated.jsonl"
        with path.open("wb") as out:
            write_jsonl(generate_releases(processes=90, seed=7), out)
        load(database.store, [path])
        ocids = sorted({line["ocid"] for line in map(orjson.loads, path.read_bytes().splitlines())})
        summaries = {}
        for ocid in ocids:
            package = records.record_package(database.store, ocid)
            assert package is not None
            record = package["records"][0]
            summaries[ocid] = summarise(record["compiledRelease"], record["releases"])
        yield Loaded(database.url, database.vendor, summaries)


@pytest.fixture
def data(loaded) -> dict[str, Summary]:
    # Other tests point Django at their own databases: point it back at this module's.
    use_database(loaded.url)
    return loaded.summaries


def get(params: dict | str) -> tuple[int, dict]:
    query = params if isinstance(params, str) else urlencode(params)
    response = Client().get(f"{URL}?{query}")
    assert response["Content-Type"] == "application/json"
    return response.status_code, orjson.loads(response.content)


def everything(params: dict, limit: int = 9) -> list[dict]:
    """Every result, page after page through links.next; no process twice, no page too long."""
    status, page = get({**params, "limit": limit})
    assert status == 200, page
    results = list(page["results"])
    pages = 1
    while "next" in page["links"]:
        response = Client().get(page["links"]["next"])
        assert response.status_code == 200, response.content
        page = orjson.loads(response.content)
        assert 0 < len(page["results"]) <= limit
        results.extend(page["results"])
        pages += 1
        assert pages < 200
    ocids = [result["ocid"] for result in results]
    assert len(ocids) == len(set(ocids)), "a process came twice"
    return results


def found(params: dict) -> set[str]:
    return {result["ocid"] for result in everything(params)}


def expected(data: dict[str, Summary], predicate: Callable[[Summary], bool]) -> set[str]:
    return {ocid for ocid, summary in data.items() if predicate(summary)}


def _terms(summary: Summary, prefix: str) -> set[str]:
    return {term for term in summary.terms if term.startswith(prefix)}


def _most_common(data: dict[str, Summary], field: str) -> str:
    values = collections.Counter(getattr(s, field) for s in data.values() if getattr(s, field))
    return values.most_common(1)[0][0]


def _a_supplier(data: dict[str, Summary]) -> str:
    names = collections.Counter(
        term.removeprefix("supplier:")
        for s in data.values()
        for term in _terms(s, "supplier:gb-coh-")
    )
    return names.most_common(1)[0][0].upper()


def _a_nuts3(data: dict[str, Summary]) -> str:
    codes = collections.Counter(r for s in data.values() for r in s.regions if len(r) == 5)
    return codes.most_common(1)[0][0]


def _cpv(data: dict[str, Summary], digits: int) -> str:
    codes = collections.Counter(code[:digits] for s in data.values() for code in s.cpv)
    return codes.most_common(1)[0][0]


# Each case: the filter's parameters (from the data) and what a process must be to match.
CASES: dict[str, Callable[[dict], tuple[dict, Callable[[Summary], bool]]]] = {
    "stage": lambda d: ({"stage": "contract"}, lambda s: s.stage == "contract"),
    "stages": lambda d: (
        {"stage": "tender,award"},
        lambda s: s.stage in ("tender", "award"),
    ),
    "status": lambda d: ({"status": "active"}, lambda s: s.status == "active"),
    "statuses": lambda d: (
        {"status": "complete,cancelled"},
        lambda s: s.status in ("complete", "cancelled"),
    ),
    "procurement method": lambda d: (
        {"procurement_method": "selective,direct"},
        lambda s: s.procurement_method in ("selective", "direct"),
    ),
    "notice type": lambda d: ({"notice_type": "UK6"}, lambda s: "UK6" in s.notice_types),
    "notice types, any case": lambda d: (
        {"notice_type": "uk12,UK10"},
        lambda s: bool({"UK12", "UK10"} & set(s.notice_types)),
    ),
    "region, first level": lambda d: ({"region": "UKE"}, lambda s: "UKE" in s.regions),
    "region, third level, lower case": lambda d: (
        {"region": _a_nuts3(d).lower()},
        lambda s: _a_nuts3(d) in s.regions,
    ),
    "regions": lambda d: (
        {"region": "UKI,UKM"},
        lambda s: bool({"UKI", "UKM"} & set(s.regions)),
    ),
    "cpv division": lambda d: (
        {"cpv": _cpv(d, 2)},
        lambda s: any(code.startswith(_cpv(d, 2)) for code in s.cpv),
    ),
    "cpv division written whole": lambda d: (
        {"cpv": _cpv(d, 2) + "000000"},
        lambda s: any(code.startswith(_cpv(d, 2)) for code in s.cpv),
    ),
    # A code's trailing zeros are the groups under it: 72500000 is the group 725.
    "cpv group and a check digit": lambda d: (
        {"cpv": f"{_cpv(d, 4)}0000-1,03"},
        lambda s: any(code.startswith((_cpv(d, 4).rstrip("0"), "03")) for code in s.cpv),
    ),
    "buyer by identifier": lambda d: (
        {"buyer": _most_common(d, "buyer_id")},
        lambda s: s.buyer_id == _most_common(d, "buyer_id"),
    ),
    "buyer by name, any case": lambda d: (
        {"buyer": _most_common(d, "buyer_name").upper()},
        lambda s: s.buyer_name == _most_common(d, "buyer_name"),
    ),
    "supplier": lambda d: (
        {"supplier": _a_supplier(d)},
        lambda s: f"supplier:{_a_supplier(d).lower()}" in s.terms,
    ),
    "value range": lambda d: (
        {"value_min": "100000", "value_max": "2.5e6"},
        lambda s: s.value_amount is not None and 100_000 <= s.value_amount <= 2.5e6,
    ),
    "currency": lambda d: ({"currency": "GBP"}, lambda s: s.value_currency == "GBP"),
    "another currency": lambda d: ({"currency": "EUR"}, lambda s: s.value_currency == "EUR"),
    "published": lambda d: (
        {"published_from": "2025-06-01", "published_to": "2025-09-30"},
        lambda s: "2025-06-01T00:00:00Z" <= (s.published or "") <= "2025-09-30T23:59:59Z",
    ),
    "deadline": lambda d: (
        {"deadline_from": "2025-05-01T12:00:00+01:00"},
        lambda s: (s.deadline or "") >= "2025-05-01T11:00:00Z",
    ),
    "award date": lambda d: (
        {"award_to": "2025-10-31T23:59:59Z"},
        lambda s: s.award_date is not None and s.award_date <= "2025-10-31T23:59:59Z",
    ),
    "contract start": lambda d: (
        {"contract_start_from": "2025-09-01", "contract_start_to": "2026-03-31"},
        lambda s: "2025-09-01T00:00:00Z" <= (s.contract_start or "") <= "2026-03-31T23:59:59Z",
    ),
    "contract end": lambda d: (
        {"contract_end_from": "2028-01-01"},
        lambda s: (s.contract_end or "") >= "2028-01-01T00:00:00Z",
    ),
    "above threshold": lambda d: ({"above_threshold": "true"}, lambda s: s.above_threshold),
    "below threshold": lambda d: (
        {"above_threshold": "false"},
        lambda s: s.above_threshold is False,
    ),
    "suitable for SMEs": lambda d: ({"suitable_sme": "true"}, lambda s: s.suitable_sme),
    "not suitable for VCSEs": lambda d: (
        {"suitable_vcse": "false"},
        lambda s: s.suitable_vcse is False,
    ),
    "awarded to an SME": lambda d: ({"awarded_sme": "true"}, lambda s: s.awarded_sme),
    "awarded to a VCSE": lambda d: ({"awarded_vcse": "true"}, lambda s: s.awarded_vcse),
    "all together": lambda d: (
        {"stage": "contract,implementation", "above_threshold": "true", "currency": "GBP"},
        lambda s: (
            s.stage in ("contract", "implementation")
            and s.above_threshold is True
            and s.value_currency == "GBP"
        ),
    ),
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_filter_finds_exactly_what_matches(data, case):
    params, predicate = CASES[case](data)
    matching = expected(data, predicate)
    assert found(params) == matching
    # Not vacuous: every filter here keeps some processes and leaves others out (every value
    # generated is in pounds, so the currency filters keep all or none).
    if "currency" not in case:
        assert 0 < len(matching) < len(data)


def test_text_finds_every_word_stemmed(data):
    results = everything({"q": "Cleaning SERVICES"})
    assert results
    texts = {
        ocid: " ".join((s.title_text, s.parties_text, s.body_text)).casefold()
        for ocid, s in data.items()
    }
    # Every process whose text has both words is found; every one found has both stems.
    having = {
        ocid
        for ocid, text in texts.items()
        if re.search(r"\bcleaning\b", text) and re.search(r"\bservices\b", text)
    }
    ocids = {result["ocid"] for result in results}
    assert having <= ocids
    for ocid in ocids:
        assert re.search(r"\bclean", texts[ocid]) and re.search(r"\bservic", texts[ocid])
    # Relevance first, by default, in descending order.
    scores = [result["score"] for result in results]
    assert scores == sorted(scores, reverse=True)


def test_stemming_and_diacritics(database):
    publish(
        database.store,
        [
            create_release("ocds-s-1", "1", tender={"id": "t", "title": "Road repair"}),
            create_release("ocds-s-2", "1", tender={"id": "t", "title": "Repairing roads"}),
            create_release("ocds-s-3", "1", tender={"id": "t", "title": "Obras en Asunción"}),
            create_release("ocds-s-4", "1", tender={"id": "t", "title": "Roadside cafe"}),
        ],
    )
    assert found({"q": "repairs ROAD"}) == {"ocds-s-1", "ocds-s-2"}
    assert found({"q": "asuncion"}) == found({"q": "Asunción"}) == {"ocds-s-3"}
    assert found({"q": "the road, (again)"}) == {"ocds-s-1", "ocds-s-2"}


@pytest.mark.parametrize(
    ("sort", "order"),
    [("date", "desc"), ("date", "asc"), ("value", "desc"), ("value", "asc")],
)
def test_sorted_and_paged_without_repeats_or_gaps(data, sort, order):
    results = everything({"sort": sort, "order": order}, limit=7)
    assert {result["ocid"] for result in results} == set(data)
    field = "published" if sort == "date" else "value_amount"
    with_key = [r for r in results if _key(r, sort) is not None]
    keys = [(_key(r, sort), r["ocid"]) for r in with_key]
    assert keys == sorted(keys, reverse=order == "desc")
    # Those without the key come last, in ocid order.
    without = [r["ocid"] for r in results[len(with_key) :]]
    assert all(_key(r, sort) is None for r in results[len(with_key) :])
    assert without == sorted(without, reverse=order == "desc")
    assert len(without) == sum(1 for s in data.values() if getattr(s, field) is None)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "services", "sort": "value", "order": "asc"},
        {"q": "services", "sort": "date", "order": "desc", "stage": "tender"},
        {"q": "services", "sort": "value", "order": "desc", "value_min": "1000"},
    ],
)
def test_a_common_text_tested_row_by_row_finds_the_same_pages(data, params, monkeypatch):
    """A text in many processes is tested on each row as the rows are read in sort order
    (``common_text``) rather than read first: the same processes, in the same order, page by
    page, either way, on both databases."""
    from openbook.store import search as stored_search

    monkeypatch.setattr(stored_search, "common_text", lambda store, criteria: False)
    read_first = everything(params, limit=5)
    monkeypatch.setattr(stored_search, "common_text", lambda store, criteria: True)
    assert everything(params, limit=5) == read_first
    assert read_first, "the search finds nothing: it tells nothing"


def test_which_texts_are_common(data):
    """A word in most processes is common; one in a single process, or in none, is not. (On
    PostgreSQL the planner's estimate decides, after ANALYZE.)"""
    store = Store()
    if store.vendor == "postgresql":
        with store.cursor() as cursor:
            cursor.execute("ANALYZE process_text")
    rare = sorted(data)[0]  # an ocid: in one process's text only
    assert stored_search.common_text(store, stored_search.Criteria(words=("services",)))
    assert not stored_search.common_text(store, stored_search.Criteria(words=(rare,)))
    assert not stored_search.common_text(store, stored_search.Criteria(words=("zyxwvut",)))
    assert not stored_search.common_text(store, stored_search.Criteria())


def _key(result: dict, sort: str):
    if sort == "date":
        return result["dates"]["published"]
    return result["value"]["amount"] if result["value"] else None


def test_processes_without_the_key_come_last_across_pages(database):
    def process(ocid: str, amount: float | None, date: str) -> dict:
        tender = {"id": "t", "title": "Grounds maintenance"}
        if amount is not None:
            tender["value"] = {"amount": amount, "currency": "GBP"}
        return create_release(ocid, "1", date=date, tender=tender)

    publish(
        database.store,
        [
            process("ocds-n-1", 500, "2026-01-03T00:00:00Z"),
            process("ocds-n-2", None, "2026-01-01T00:00:00Z"),
            process("ocds-n-3", 700, "2026-01-02T00:00:00Z"),
            process("ocds-n-4", None, "2026-01-05T00:00:00Z"),
            process("ocds-n-5", 500, "not a date"),
        ],
    )
    for limit in (1, 2, 3):
        by_value = everything({"sort": "value"}, limit=limit)
        assert [r["ocid"] for r in by_value] == [
            "ocds-n-3",
            "ocds-n-5",
            "ocds-n-1",
            "ocds-n-4",
            "ocds-n-2",
        ]
        ascending = everything({"sort": "value", "order": "asc", "q": "grounds"}, limit=limit)
        assert [r["ocid"] for r in ascending] == [
            "ocds-n-1",
            "ocds-n-5",
            "ocds-n-3",
            "ocds-n-2",
            "ocds-n-4",
        ]
        by_date = everything({"sort": "date", "order": "asc"}, limit=limit)
        assert [r["ocid"] for r in by_date] == [
            "ocds-n-2",
            "ocds-n-3",
            "ocds-n-1",
            "ocds-n-4",
            "ocds-n-5",
        ]


def test_relevance_pages_follow_one_order(data):
    results = everything({"q": "services", "order": "desc"}, limit=5)
    scores = [result["score"] for result in results]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) < len(scores), "no ties: the tie-break is not exercised"
    # Ties are broken the same way in either direction, so ascending is descending reversed.
    ascending = everything({"q": "services", "sort": "relevance", "order": "asc"}, limit=5)
    assert [r["ocid"] for r in ascending] == [r["ocid"] for r in reversed(results)]
    # With a filter too, the same order among the processes it keeps.
    filtered = everything({"q": "services", "stage": "contract,implementation"}, limit=5)
    kept = {ocid for ocid, s in data.items() if s.stage in ("contract", "implementation")}
    assert [r["ocid"] for r in filtered] == [r["ocid"] for r in results if r["ocid"] in kept]
    by_date = everything({"q": "services", "sort": "date"}, limit=5)
    assert {r["ocid"] for r in by_date} == {r["ocid"] for r in results}
    keys = [(r["dates"]["published"], r["ocid"]) for r in by_date]
    assert keys == sorted(keys, reverse=True)
    assert "score" not in by_date[0]


def test_results_say_what_the_summary_says(data):
    status, page = get({"sort": "value", "limit": 3})
    assert status == 200
    assert page["sort"] == "value" and page["order"] == "desc"
    first = page["results"][0]
    summary = data[first["ocid"]]
    assert first == {
        "ocid": summary.ocid,
        "title": summary.title,
        "buyer": {"id": summary.buyer_id, "name": summary.buyer_name},
        "value": {
            "amount": summary.value_amount,
            "currency": summary.value_currency,
            "source": summary.value_source,
        },
        "stage": summary.stage,
        "status": summary.status,
        "procurement_method": summary.procurement_method,
        "dates": {
            "published": summary.published,
            "deadline": summary.deadline,
            "award": summary.award_date,
            "contract_start": summary.contract_start,
            "contract_end": summary.contract_end,
        },
        "links": {"record": f"http://testserver/api/ocds/records/{summary.ocid}"},
    }
    record = Client().get(first["links"]["record"])
    assert record.status_code == 200
    assert orjson.loads(record.content)["records"][0]["ocid"] == summary.ocid


def test_counts_and_facets_are_exact_under_the_cap(data):
    status, page = get({"stage": "contract,implementation", "limit": 1})
    assert status == 200
    matching = [s for s in data.values() if s.stage in ("contract", "implementation")]
    assert (page["count"], page["count_exact"]) == (len(matching), True)
    assert page["facets"] == expected_facets(matching)


def expected_facets(summaries: list[Summary]) -> dict[str, dict[str, int]]:
    counters: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for s in summaries:
        for name in ("stage", "status", "procurement_method"):
            if getattr(s, name) is not None:
                counters[name][getattr(s, name)] += 1
        for name in use_case.FLAGS:
            value = getattr(s, name)
            counters[name]["unknown" if value is None else str(value).lower()] += 1
        counters["notice_type"].update(s.notice_types)
        counters["region"].update(r for r in s.regions if is_region_facet(r))
    order = [*stored_search.FACET_COLUMNS[:8], "notice_type", "region"]
    return {
        name: dict(
            sorted(counters[name].items(), key=lambda p: (-p[1], p[0]))[: use_case.FACET_SIZE]
        )
        for name in order
    }


def test_counts_and_facets_beyond_the_cap_are_lower_bounds(data, monkeypatch):
    monkeypatch.setattr(use_case, "COUNT_CAP", 10)
    status, page = get({"limit": 2})
    assert status == 200
    assert (page["count"], page["count_exact"]) == (10, False)
    assert sum(page["facets"]["stage"].values()) == 10
    # Paging is not capped: every process can still be reached.
    assert len(everything({}, limit=30)) == len(data)


def test_a_cursor_continues_only_its_own_search(data):
    status, page = get({"stage": "contract", "limit": 2})
    cursor = re.search(r"cursor=([^&]+)", page["links"]["next"]).group(1)
    status, error = get({"stage": "tender", "limit": 2, "cursor": cursor})
    assert status == 400
    assert error["error"]["parameter"] == "cursor"
    assert "another search" in error["error"]["message"]
    status, error = get({"stage": "contract", "limit": 2, "cursor": cursor, "order": "asc"})
    assert status == 400


# The fingerprint of a search with nothing asked, by date, descending.
FIRST_PAGE = use_case._fingerprint(use_case.criteria_of(use_case.Query()), "date", True)
BAD = [
    ({"value_min": "abc"}, "value_min", "'abc' is not a number"),
    ({"value_min": "1e400"}, "value_min", "too large"),
    ({"value_max": "-1e16"}, "value_max", "too large"),
    ({"value_min": "NaN"}, "value_min", "is not a number"),
    ({"value_min": "10", "value_max": "5"}, "value_max", "less than value_min"),
    ({"published_from": "2025-02-30"}, "published_from", "not a real date"),
    ({"deadline_to": "yesterday"}, "deadline_to", "not a date"),
    ({"award_from": "2026-01-01", "award_to": "2025-12-31"}, "award_to", "before award_from"),
    ({"contract_end_from": "9999-12-31T23:59:59-01:00"}, "contract_end_from", "not a real"),
    ({"sort": "price"}, "sort", "'price' is not one of relevance, date, value"),
    ({"sort": "relevance"}, "sort", "relevance needs a text query"),
    ({"order": "up"}, "order", "'up' is not asc or desc"),
    ({"limit": "0"}, "limit", "greater than or equal to 1"),
    ({"limit": "1000000000"}, "limit", "less than or equal to 100"),
    ({"limit": "ten"}, "limit", "valid integer"),
    ({"cursor": "!!!"}, "cursor", "not a cursor from this API"),
    # Made for this very search, but holding a number where an ocid belongs.
    (
        {"cursor": use_case.encode_cursor("date", None, 1, FIRST_PAGE)},
        "cursor",
        "not a cursor from this API",
    ),
    (
        {"cursor": use_case.encode_cursor("date", 5, "ocds-x", FIRST_PAGE)},
        "cursor",
        "not a cursor from this API",
    ),
    ({"stage": "bidding"}, "stage", "'bidding' is not one of planning"),
    ({"status": "open"}, "status", "'open' is not one of"),
    ({"procurement_method": "auction"}, "procurement_method", "'auction' is not one of"),
    ({"currency": "POUNDS"}, "currency", "not an ISO 4217 currency code"),
    ({"cpv": "4"}, "cpv", "'4' is not a CPV code"),
    ({"cpv": "45,abc"}, "cpv", "'abc' is not a CPV code"),
    ({"cpv": ",".join(str(n) for n in range(10, 31))}, "cpv", "has 21 values; at most 20"),
    ({"notice_type": "UK4;DROP"}, "notice_type", "is not a notice type"),
    ({"region": "UK\x00I"}, "region", "is not a region code or name"),
    ({"above_threshold": "yes"}, "above_threshold", "'yes' is not true or false"),
    ({"awarded_vcse": "1"}, "awarded_vcse", "'1' is not true or false"),
    ({"buyer": "x" * 301}, "buyer", "at most 300 characters"),
    ({"supplier": "Acme\x00"}, "supplier", "NUL"),
    ({"q": "x" * 10_240}, "q", "at most 500 characters"),
    ({"q": "***"}, "q", "has no words to search for"),
    ({"q": "the of and"}, "q", "too common to be indexed"),
    ({"q": " ".join(f"w{n}" for n in range(25))}, "q", "has 25 distinct words; at most 20"),
]


@pytest.mark.parametrize(("params", "parameter", "message"), BAD, ids=[p[1] for p in BAD])
def test_bad_input_is_a_400_saying_which_and_why(data, params, parameter, message):
    status, body = get(params)
    assert status == 400, body
    assert body["error"]["code"] == "invalid-parameter"
    assert body["error"]["parameter"] == parameter
    assert body["error"]["message"].startswith(f"{parameter}: ")
    assert message in body["error"]["message"]


HOSTILE = [
    '"cleaning',
    'cleaning"',
    "cleaning*",
    "-cleaning",
    "cleaning:title",
    "title:cleaning",
    "NEAR(cleaning services, 2)",
    "cleaning AND (services OR",
    "((((cleaning",
    "cleaning)))",
    "cleaning NOT services",
    "^cleaning {services}",
    "cleaning + services - 'x'",
    "'; DROP TABLE process_search; --",
    "\x00cleaning\x00",
    "cleaning\u202e\ufeff",
    "clea\u0301ning",
    "cleaning & | ! <-> :* services",
    "ＣＬＥＡＮＩＮＧ",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_text_is_read_as_plain_words(data, text):
    status, body = get({"q": text})
    assert status == 200, body
    assert isinstance(body["results"], list)


@given(text=st.text(max_size=120))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_text_is_a_server_error(data, text):
    status, body = get({"q": text, "sort": "value"})
    assert status in (200, 400), body
    if status == 400:
        assert body["error"]["parameter"] == "q"


# Search kept consistent with records: written in the transaction that stores them.


def publish(store, releases: list[dict]) -> None:
    log.append(store, "ocds", [create_statement(release) for release in releases], "Test")
    compile_pending(store)


def test_a_recompiled_process_is_found_by_what_it_says_now(database):
    tender = {"id": "t", "title": "Library books", "status": "active"}
    publish(database.store, [create_release("ocds-c-1", "1", tender=tender)])
    assert found({"q": "books"}) == {"ocds-c-1"}
    corrected = {**tender, "title": "Library furniture", "status": "cancelled"}
    publish(
        database.store,
        [create_release("ocds-c-1", "2", date="2026-02-01T00:00:00Z", tender=corrected)],
    )
    assert found({"q": "books"}) == set()
    assert found({"q": "furniture", "status": "cancelled"}) == {"ocds-c-1"}
    assert get({})[1]["count"] == 1


def test_a_process_that_no_longer_compiles_leaves_the_search(database):
    publish(database.store, [create_release("ocds-c-2", "1", tender={"id": "t", "title": "Pens"})])
    assert found({"q": "pens"}) == {"ocds-c-2"}
    # An award whose id is an object cannot be merged with others.
    unusable = create_release(
        "ocds-c-2", "2", date="2026-02-01T00:00:00Z", awards=[{"id": {"a": 1}}]
    )
    publish(database.store, [unusable])
    assert records.record_package(database.store, "ocds-c-2")["records"][0].get(
        "x_openbook_compileError"
    )
    assert found({"q": "pens"}) == set()


def test_the_search_row_is_written_in_the_records_transaction(database, monkeypatch):
    log.append(database.store, "ocds", [create_statement(create_release("ocds-c-3"))], "Test")

    def fail(*arguments):
        raise RuntimeError("the search could not be written")

    monkeypatch.setattr(stored_search, "index", fail)
    with pytest.raises(RuntimeError):
        compile_pending(database.store)
    # Neither the compiled record nor the end of its pending state was kept.
    from openbook.store import records as stored_records

    assert stored_records.get(database.store, "ocds", "ocds-c-3") is None
    assert stored_records.pending(database.store, "ocds", 10) == ["ocds-c-3"]
    monkeypatch.undo()
    compile_pending(database.store)
    assert found({}) == {"ocds-c-3"}


def test_the_migration_indexes_processes_compiled_before_it(database):
    publish(database.store, [create_release("ocds-m-1", "1", tender={"id": "t", "title": "Bins"})])
    call_command("migrate", "store", "0003_statement_term", verbosity=0)
    call_command("migrate", "store", verbosity=0)
    assert found({"q": "bins"}) == {"ocds-m-1"}


def test_an_empty_search(database):
    status, page = get({"q": "anything"})
    assert status == 200
    assert page["results"] == [] and page["count"] == 0 and page["count_exact"] is True
    assert page["links"] == {}
    assert page["facets"]["stage"] == {}


def test_the_document_describes_the_search(database):
    document = orjson.loads(Client().get("/api/openapi.json").content)
    operation = document["paths"][URL]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"q", "cpv", "region", "notice_type", "cursor", "awarded_vcse"} <= names
    assert {"200", "400"} <= set(operation["responses"])
    assert operation["tags"] == ["Search"]


def test_counts_kept_between_requests_follow_each_publication(database):
    """The counts and facets are kept for the same search asked again, but never outlive a
    publication: each new process is counted at once."""
    from tests.web.conftest import a_process, publish

    client = Client()

    def count() -> int:
        answer = orjson.loads(client.get("/api/ocds/processes", {"q": "road repairs"}).content)
        return answer["count"]

    assert count() == 0
    publish(database.store, a_process("ocds-kept-1"))
    assert count() == 1
    assert count() == 1
    publish(database.store, a_process("ocds-kept-2"))
    assert count() == 2
