"""Bad input to the read API: a 400 in JSON naming the parameter and why; never a 500."""

import orjson
import pytest

from openbook.store import log
from tests.conftest import Database, reuse
from tests.web.conftest import a_process, publish


@pytest.fixture
def empty(shared_database) -> Database:
    """One empty database a kind for the module's tests that only read (all but
    test_bad_input_changes_nothing_stored, which has a database of its own)."""
    return reuse(shared_database)


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return orjson.loads(response.content)["error"]


@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("limit=1000000000", "limit", "less than or equal to 1000 (got '1000000000')"),
        ("limit=0", "limit", "greater than or equal to 1"),
        ("limit=-5", "limit", "greater than or equal to 1"),
        ("limit=ten", "limit", "valid integer"),
        ("limit=1e3", "limit", "valid integer"),
        ("updated_from=yesterday", "updated_from", "'yesterday' is not a date and time"),
        ("updated_from=2026-02-30", "updated_from", "not a real date and time"),
        ("updated_to=2026-01-01T25:00:00", "updated_to", "not a real date and time"),
        ("updated_from=2026-03-01&updated_to=2026-02-01", "updated_to", "before updated_from"),
        ("stage=tendering", "stage", "'tendering' is not one of planning, tender, award"),
        ("cursor=!!!", "cursor", "is not a cursor from this API"),
        ("cursor=LTE=", "cursor", "is not a cursor from this API"),  # base64 of "-1"
        ("cursor=" + "A" * 301, "cursor", "at most 300 characters"),
        ("buyer=" + "x" * 301, "buyer", "at most 300 characters"),
        ("buyer=a%00b", "buyer", "contains a NUL character"),
    ],
)
def test_bad_parameters_of_the_feed(reader, empty, query, parameter, says):
    response = reader.get(f"/api/ocds/releases?{query}")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == "invalid-parameter"
    assert error["parameter"] == parameter
    assert error["message"].startswith(f"{parameter}: ")
    assert says in error["message"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("limit=101", "limit"),
        ("cursor=abc-def", "cursor"),
        ("updatedFrom=2026-01-01T00:00", "updatedFrom"),
        ("updatedTo=tomorrow", "updatedTo"),
        ("stages=contract", "stages"),
    ],
)
def test_bad_parameters_of_the_find_a_tender_paths(reader, empty, query, parameter):
    response = reader.get(f"/api/1.0/ocdsReleasePackages?{query}")
    assert response.status_code == 400, response.content
    assert error_of(response)["parameter"] == parameter


def test_bad_input_changes_nothing_stored(client, store):
    publish(store, a_process("ocds-keep", supplier="Acme"))
    before = [s.entry for s in log.entries(store, 0, 100)]
    for query in ("limit=0", "cursor=%FF", "updated_from=%00", "stage=%E2%80%8B"):
        assert client.get(f"/api/ocds/releases?{query}").status_code == 400
    assert [s.entry for s in log.entries(store, 0, 100)] == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/ocds/records/%00",
        "/api/ocds/records/" + "x" * 5000,
        "/api/ocds/records/%E2%80%AE%F0%9F%92%A9",
        "/api/ocds/releases/a/%00",
        "/api/1.0/ocdsReleasePackages/..%2F..%2Fetc%2Fpasswd",
        "/api/1.0/ocdsRecordPackages/' OR 1=1 --",
    ],
)
def test_hostile_identifiers_are_not_found_never_errors(reader, empty, path):
    response = reader.get(path)
    assert response.status_code == 404
    assert error_of(response)["code"] == "not-found"


def test_an_unknown_path_under_the_api_is_json(reader, empty):
    response = reader.get("/api/ocds/nothing-here")
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "not-found",
        "message": "no such path in the API: see /api/docs",
    }


def test_a_method_that_is_not_offered(reader, empty):
    response = reader.post("/api/ocds/releases", data=b"{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert error_of(response) == {
        "code": "method-not-allowed",
        "message": "POST is not offered here; the public API is read-only: use GET",
    }


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/bods/statements?after=", "after"),
        ("/api/registers/debarment/awards?after=", "after"),
        ("/api/organisations/GB-COH-01234567?before=", "before"),
        ("/api/registers/commercial-tools?before=", "before"),
    ],
)
def test_a_paging_key_past_64_bits_is_a_bad_parameter(reader, empty, path, parameter):
    """Paging keys are log seqs, 64-bit integers on both databases: a larger one is refused
    with a 400 naming it, never passed to the database driver (which overflowed: a 500)."""
    response = reader.get(f"{path}{2**63}")
    assert response.status_code == 400, response.content
    assert error_of(response)["parameter"] == parameter
    assert reader.get(f"{path}{2**63 - 1}").status_code in (200, 404)
