"""The publish API through real HTTP (Django's test client), on SQLite and PostgreSQL: a whole
lifecycle of UK notices, every way a request can be wrong, idempotency, limits, concurrency."""

import secrets
import threading
from pathlib import Path

import orjson
import pytest
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from openbook import signing_keys, transparency
from openbook.publishing import publish
from openbook.publishing.keys import PREFIX
from openbook.publishing.withdraw import withdraw
from openbook.store import log
from openbook.store import publishers as store_publishers
from tests.conftest import reuse
from tests.publishing import (
    BUYER,
    CLI,
    OTHER_BUYER,
    award,
    contract_details,
    create_key,
    create_publisher,
    lifecycle,
    notice,
    pipeline,
    post,
    tender,
)
from tests.test_transparency import log_key

__all__ = ["log_key"]  # a fixture some tests here use

RELEASES = "/api/publish/releases"
VALIDATE = "/api/publish/validate"
OCIDS = "/api/publish/ocids"


@pytest.fixture
def publisher(store):
    return create_publisher(store)


@pytest.fixture
def key(store, publisher):
    return create_key(store, publisher)


@pytest.fixture(scope="module")
def _shared(shared_database):
    store = reuse(shared_database).store
    made = create_key(store, create_publisher(store))
    return made, log.log_size(store)


@pytest.fixture
def shared(shared_database, _shared) -> dict:
    """A publisher's key, on one database a kind for the requests refused before anything is
    stored: each checks that nothing was, against the log's size at this set-up ("logged")."""
    store = reuse(shared_database).store
    made, logged = _shared
    return {"store": store, "key": made, "logged": logged}


def mint(client, key) -> str:
    response = post(client, OCIDS, {}, key)
    assert response.status_code == 201, response.content
    return response.json()["ocid"]


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return orjson.loads(response.content)["error"]


def feed(client) -> list[dict]:
    response = client.get("/api/ocds/releases?limit=1000")
    assert response.status_code == 200
    return orjson.loads(response.content)["releases"]


@pytest.mark.usefixtures("log_key")  # the log's key, made by its first `openbook log sign`
def test_a_whole_lifecycle_of_uk_notices_is_published_and_read_back_at_once(client, key, store):
    ocid = mint(client, key)
    pipeline_ocid = mint(client, key)
    sent = [pipeline(pipeline_ocid), *lifecycle(ocid)]
    sequences = []
    for release in sent:
        response = post(client, RELEASES, release, key)
        assert response.status_code == 201, response.content
        [answer] = response.json()["releases"]
        assert answer["status"] == "created"
        assert answer["ocid"] == release["ocid"] and answer["id"] == release["id"]
        assert len(answer["leaf_hash"]) == 64 and answer["log_time"].endswith("Z")
        assert answer["record"] == f"/api/ocds/records/{release['ocid']}"
        # The log's signed promise to include the entry in its tree (openbook.transparency).
        timestamp = answer["entry_timestamp"]
        assert timestamp["seq"] == answer["sequence"]
        assert timestamp["leaf_hash"] == answer["leaf_hash"] and timestamp["signature"]
        assert not [p for p in response.json()["problems"] if p["severity"] == "error"]
        sequences.append(answer["sequence"])
        # The read API shows the process at once: its record holds every release so far.
        record = client.get(f"/api/ocds/records/{release['ocid']}")
        assert record.status_code == 200
        ids = [r["id"] for r in orjson.loads(record.content)["records"][0]["releases"]]
        assert ids[-1] == release["id"]
    assert sequences == sorted(sequences)
    assert [r["id"] for r in feed(client)] == [r["id"] for r in sent]
    compiled = orjson.loads(client.get(f"/api/ocds/records/{ocid}").content)["records"][0]
    assert compiled["compiledRelease"]["contracts"][0]["status"] == "terminated"
    assert compiled["compiledRelease"]["buyer"]["id"] == BUYER["id"]
    # Stored with the organisation's name as publisher, and with its review.
    statements = log.record_statements(store, "ocds", ocid)
    assert {s.entry.publisher for s in statements} == {BUYER["name"]}


def test_a_release_package_is_published_in_one_request(client, key):
    ocid = mint(client, key)
    package = {
        "uri": "https://tenders.example.gov.uk/packages/1",
        "publishedDate": "2025-06-02T10:00:00+01:00",
        "publisher": {"name": "Example Borough Council"},
        "version": "1.1",
        "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "releases": lifecycle(ocid)[:3],
    }
    response = post(client, RELEASES, package, key)
    assert response.status_code == 201, response.content
    answers = response.json()["releases"]
    assert [a["status"] for a in answers] == ["created"] * 3
    assert [a["sequence"] for a in answers] == [0, 1, 2]
    assert [r["id"] for r in feed(client)] == [r["id"] for r in package["releases"]]


@pytest.mark.usefixtures("log_key")
def test_publishing_is_idempotent(client, key):
    ocid = mint(client, key)
    release = tender(ocid)
    first = post(client, RELEASES, release, key)
    assert first.status_code == 201
    # The same release again, its keys in another order: one statement, the stored one.
    again = post(client, RELEASES, orjson.dumps(dict(reversed(release.items()))), key)
    assert again.status_code == 200, again.content
    assert again.json()["releases"][0]["status"] == "duplicate"
    assert again.json()["releases"][0]["sequence"] == first.json()["releases"][0]["sequence"]
    assert again.json()["releases"][0]["leaf_hash"] == first.json()["releases"][0]["leaf_hash"]
    assert again.json()["releases"][0]["entry_timestamp"]["seq"] == 0
    assert len(feed(client)) == 1


def test_a_changed_release_under_a_published_id_is_a_conflict(client, key):
    ocid = mint(client, key)
    release = tender(ocid)
    assert post(client, RELEASES, release, key).status_code == 201
    changed = tender(ocid, title="Grounds maintenance and tree surgery")
    response = post(client, RELEASES, changed, key)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict"
    assert "new release, with a new id" in error["message"]
    assert error["problems"][0]["pointer"] == "/id"
    assert "log entry 0" in error["problems"][0]["message"]
    # A correction is a new release: accepted.
    changed["id"] += "-correction"
    changed["tag"] = ["tenderUpdate"]
    assert post(client, RELEASES, changed, key).status_code == 201
    assert len(feed(client)) == 2


def test_every_problem_is_returned_and_nothing_is_stored(client, key):
    ocid = mint(client, key)
    release = tender(ocid)
    del release["tender"]["value"]  # the regulations require the estimated value
    release["tag"] = ["tendering"]  # not a release tag
    release["date"] = "yesterday"
    response = post(client, RELEASES, release, key)
    assert response.status_code == 422, response.content
    error = error_of(response)
    assert error["code"] == "invalid"
    by_code = {p["code"]: p for p in error["problems"]}
    assert by_code["format"]["pointer"] == "/date" and by_code["format"]["blocking"]
    assert by_code["closed-codelist"]["pointer"] == "/tag/0"
    missing = by_code["notice.fields.missing"]
    assert missing["pointer"] == "/tender/value/amount"
    assert missing["citation"].startswith("Procurement Regulations 2024")
    assert "estimated value" in missing["message"]
    assert all(
        {"pointer", "code", "message", "severity", "blocking"} <= p.keys()
        for p in error["problems"]
    )
    assert feed(client) == []


def test_problems_in_a_package_point_at_their_release(client, key):
    ocid = mint(client, key)
    package = {"releases": [tender(ocid), {"ocid": ocid, "date": "2025-06-03T00:00:00Z"}]}
    response = post(client, RELEASES, package, key)
    assert response.status_code == 422
    problems = error_of(response)["problems"]
    unusable = [p for p in problems if p["code"] == "missing-id"]
    assert unusable and unusable[0]["pointer"] == "/releases/1" and unusable[0]["release"] == 1
    assert feed(client) == []


def test_a_notice_sequence_error_blocks_but_a_late_notice_is_published(client, key):
    ocid = mint(client, key)
    # A contract details notice with no award notice before it: put the order right first.
    response = post(client, RELEASES, contract_details(ocid), key)
    assert response.status_code == 422
    codes = [p["code"] for p in error_of(response)["problems"]]
    assert "notice.sequence.details_without_award" in codes
    # A contract details notice published late is published, with the breach on the record.
    for release in (tender(ocid), award(ocid)):
        assert post(client, RELEASES, release, key).status_code == 201
    late = contract_details(ocid)
    late["contracts"][0]["dateSigned"] = "2025-06-20T09:00:00+01:00"
    response = post(client, RELEASES, late, key)
    assert response.status_code == 201, response.content
    kept = {p["code"]: p for p in response.json()["problems"]}
    assert not kept["notice.deadline.contract_details_late"]["blocking"]
    assert kept["notice.deadline.contract_details_late"]["severity"] == "error"


def test_an_unknown_notice_type_gets_a_clear_message(client, key):
    ocid = mint(client, key)
    release = notice("UK18", "2025-06-02", ocid)
    problems = error_of(post(client, RELEASES, release, key))["problems"]
    [unknown] = [p for p in problems if p["code"] == "notice.type.unknown"]
    assert "'UK18' is not a notice type" in unknown["message"]
    assert unknown["pointer"] == "/tender/documents/0/noticeType"


def test_validate_checks_the_same_and_stores_nothing(client, key, store):
    ocid = mint(client, key)
    response = post(client, VALIDATE, tender(ocid), key)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["valid"] is True
    assert answer["releases"][0]["status"] == "new"
    assert answer["releases"][0]["sequence"] is None
    assert feed(client) == []
    bad = tender(ocid)
    del bad["tender"]["title"]
    assert post(client, VALIDATE, bad, key).status_code == 422
    assert post(client, RELEASES, tender(ocid), key).status_code == 201
    again = post(client, VALIDATE, tender(ocid), key)
    assert again.json()["releases"][0]["status"] == "duplicate"
    assert again.json()["releases"][0]["sequence"] == 0
    assert log.log_size(store) == 1


def test_minted_ocids_are_the_platforms_own_and_distinct(client, key, monkeypatch):
    monkeypatch.setenv("OPENBOOK_OCID_PREFIX", "ocds-abc123")
    minted = {mint(client, key) for _ in range(20)}
    assert len(minted) == 20
    assert all(ocid.startswith("ocds-abc123-") for ocid in minted)


def test_an_ocid_under_the_platform_prefix_must_be_minted_for_the_organisation(client, key):
    response = post(client, RELEASES, tender("ocds-test00-notminted"), key)
    assert response.status_code == 403
    [problem] = error_of(response)["problems"]
    assert problem["code"] == "ocid-not-minted" and problem["pointer"] == "/ocid"
    assert "POST /api/publish/ocids" in problem["message"]
    # Another publisher's own prefix is theirs to use.
    assert post(client, RELEASES, tender("ocds-b5fd17-000001"), key).status_code == 201


BAD_BODIES = [
    (b'{"ocid": "x",\n "id": }', 400, "body-not-json", "line 2, column 8"),
    (b'{"ocid": "a", "ocid": "b"}', 400, "body-duplicate-key", "'ocid' appears more than once"),
    (b'{"tender": {"title": "a", "title": "b"}}', 400, "body-duplicate-key", "'title'"),
    (b'{"value": 1e9999}', 400, "body-number-out-of-range", "1e9999 is too large"),
    (b'{"value": -1e400}', 400, "body-number-out-of-range", "too large"),
    (b'{"value": ' + b"9" * 400 + b"}", 400, "body-number-out-of-range", "(400 characters)"),
    (b'{"value": NaN}', 400, "body-not-json", "NaN is not a JSON value"),
    (b'{"value": Infinity}', 400, "body-not-json", "Infinity is not a JSON value"),
    (b'{"name": "caf\xe9"}', 400, "body-not-utf8", "byte 13 (line 1) is 0xe9"),
    (b"\xef\xbb\xbf{}", 400, "body-not-utf8", "byte order mark"),
    (b'{"a": "\xff\xfe"}', 400, "body-not-utf8", "not UTF-8"),
    (b"   ", 400, "body-empty", "no body"),
    (b"[" * 100 + b"]" * 100, 400, "body-too-deep", "more than 64 levels"),
    (b"[" * 100000 + b"]" * 100000, 400, "body-too-deep", "more than 64 levels"),
    (b'[{"ocid": "x"}]', 400, "body-not-release", "JSON list"),
    (b'"release"', 400, "body-not-release", "JSON object"),
    (b'{"records": []}', 400, "body-not-release", "record package"),
    (b'{"releases": {}}', 400, "body-not-release", "list of at least one"),
    (b'{"releases": []}', 400, "body-not-release", "list of at least one"),
]


@pytest.mark.parametrize("case", BAD_BODIES, ids=lambda case: case[2])
def test_a_body_that_cannot_be_read_gets_a_precise_error(reader, shared, case):
    body, status, code, says = case
    response = post(reader, RELEASES, body, shared["key"])
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    assert says in error["message"]
    assert "Traceback" not in error["message"]
    assert feed(reader) == []
    assert log.log_size(shared["store"]) == shared["logged"]


def test_hostile_strings_are_stored_safely_or_refused(client, key, store):
    ocid = mint(client, key)
    release = tender(ocid, description="a NUL \x00 and a line\u2028separator")
    release["buyer"]["name"] = "Example \x00 Borough Council"
    release["parties"][0]["name"] = release["buyer"]["name"]
    response = post(client, RELEASES, release, key)
    assert response.status_code == 201, response.content
    [stored] = feed(client)
    assert stored["tender"]["description"] == "a NUL \x00 and a line\u2028separator"
    # NUL in an identifier cannot be stored (PostgreSQL text refuses it): refused, precisely.
    nul_id = tender(ocid)
    nul_id["id"] = "release\x00one"
    response = post(client, RELEASES, nul_id, key)
    assert response.status_code == 422
    assert error_of(response)["problems"][0]["code"] == "invalid-id"
    # A lone surrogate is not Unicode: refused with where it is.
    lone = orjson.dumps(tender(ocid)).replace(b"Grounds maintenance", b"Grounds \\ud800")
    response = post(client, RELEASES, lone, key)
    assert response.status_code == 422
    assert error_of(response)["problems"][0]["code"] == "not-canonicalizable"


def test_the_body_size_is_limited_before_it_is_read(client, key, monkeypatch):
    monkeypatch.setenv("OPENBOOK_PUBLISH_MAX_BYTES", "1000")
    ocid = mint(client, key)
    release = tender(ocid, description="x" * 2000)
    response = post(client, RELEASES, release, key)
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "body-too-large"
    assert "1,000 bytes" in error["message"]
    # Declared larger than the limit: refused on the header alone.
    response = client.post(
        RELEASES,
        data=b"{}",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        CONTENT_LENGTH="50000000",
    )
    assert response.status_code == 413
    assert "50,000,000 bytes" in error_of(response)["message"]


@pytest.mark.parametrize(
    ("content_type", "says"),
    [
        ("text/plain", "'text/plain'"),
        ("application/x-www-form-urlencoded", "Content-Type: application/json"),
        ("application/json; charset=latin-1", "not 'latin-1'"),
    ],
)
def test_only_json_is_accepted(reader, shared, content_type, says):
    response = post(reader, RELEASES, b"{}", shared["key"], content_type=content_type)
    assert response.status_code == 415
    assert error_of(response)["code"] == "unsupported-media-type"
    assert says in error_of(response)["message"]
    assert log.log_size(shared["store"]) == shared["logged"]


def test_a_compressed_body_is_refused_with_what_to_do(reader, shared):
    response = post(reader, RELEASES, b"{}", shared["key"], HTTP_CONTENT_ENCODING="gzip")
    assert response.status_code == 415
    assert "send it uncompressed" in error_of(response)["message"]
    assert log.log_size(shared["store"]) == shared["logged"]


def test_rate_limits_are_per_key_and_independent_of_the_address_limit(
    client, store, publisher, monkeypatch
):
    monkeypatch.setenv("OPENBOOK_PUBLISH_RATE_LIMIT", "3")
    monkeypatch.setenv("OPENBOOK_RATE_LIMIT", "2")
    limited = Client()  # the middleware reads its limit when the handler is built
    first, second = create_key(store, publisher), create_key(store, publisher)
    answers = [post(limited, OCIDS, {}, first).status_code for _ in range(4)]
    assert answers == [201, 201, 201, 429]
    response = post(limited, OCIDS, {}, first)
    assert int(response["Retry-After"]) >= 1
    assert error_of(response)["code"] == "rate-limited"
    assert "more than 3 requests a minute with this API key" in error_of(response)["message"]
    # Another key from the same address is not held back by the first, nor by the address.
    assert post(limited, OCIDS, {}, second).status_code == 201
    # Without a key, requests are limited by address, like the rest of /api/.
    answers = [limited.post(OCIDS).status_code for _ in range(3)]
    assert answers == [401, 401, 429]


def test_the_openapi_document_describes_the_publish_api(client):
    response = client.get("/api/publish/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert {"/api/publish/releases", "/api/publish/validate", "/api/publish/ocids"} <= set(
        document["paths"]
    )
    operation = document["paths"]["/api/publish/releases"]["post"]
    assert {"201", "401", "403", "409", "413", "415", "422", "429"} <= set(operation["responses"])
    assert operation["security"]
    assert "requestBody" in operation
    # The public API's document does not list the publish API, nor the other way round.
    public = client.get("/api/openapi.json").json()
    assert not any(path.startswith("/api/publish") for path in public["paths"])
    assert not any(path.startswith("/api/ocds") for path in document["paths"])
    # Every operation is in the publishers' documentation, with every summary.
    text = (Path(__file__).resolve().parents[2] / "docs" / "publishing-api.md").read_text()
    for path, operations in document["paths"].items():
        assert path in text
        assert all(operation.get("summary") for operation in operations.values())


def test_concurrent_publishers_each_see_their_releases_once_in_the_feed(database, store):
    count, per_thread = 4, 6
    organisations = [
        create_publisher(store, {"id": f"GB-GOR-PB{n:03d}", "name": f"Council {n}"})
        for n in range(count)
    ]
    keys = [create_key(store, organisation) for organisation in organisations]
    errors: list[str] = []
    barrier = threading.Barrier(count)

    def publish(n: int) -> None:
        client = Client()
        buyer = {"id": f"GB-GOR-PB{n:03d}", "name": f"Council {n}"}
        try:
            barrier.wait()
            for i in range(per_thread):
                ocid = f"ocds-b5fd17-{n}-{i}"
                release = notice(
                    "UK4", "2025-06-02", ocid, buyer=buyer, tender=tender(ocid)["tender"]
                )
                response = post(client, RELEASES, release, keys[n])
                if response.status_code != 201:
                    errors.append(response.content.decode())
                # Sent twice, as a retrying client would: still one statement.
                response = post(client, RELEASES, release, keys[n])
                if response.status_code != 200:
                    errors.append(response.content.decode())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    releases = feed(Client())
    assert len(releases) == count * per_thread
    for n in range(count):
        mine = [r["id"] for r in releases if r["buyer"]["id"] == f"GB-GOR-PB{n:03d}"]
        assert len(mine) == per_thread == len(set(mine))
    assert sorted({r["buyer"]["id"] for r in releases}) == sorted(
        f"GB-GOR-PB{n:03d}" for n in range(count)
    )
    assert OTHER_BUYER["id"] not in {r["buyer"]["id"] for r in releases}


def test_a_body_without_a_length_is_refused(reader, shared):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {shared['key']}"}
    response = reader.post(
        RELEASES, data=b"{}", content_type="application/json", CONTENT_LENGTH="", **headers
    )
    assert response.status_code == 411
    assert error_of(response)["code"] == "length-required"
    response = reader.post(
        RELEASES, data=b"{}", content_type="application/json", CONTENT_LENGTH="ten", **headers
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad-content-length"
    assert log.log_size(shared["store"]) == shared["logged"]


def test_wrong_paths_and_methods_answer_in_json(reader, shared):
    response = reader.get(RELEASES, HTTP_AUTHORIZATION=f"Bearer {shared['key']}")
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "/api/publish/openapi.json" in error_of(response)["message"]
    response = reader.post("/api/publish/nothing-here")
    assert response.status_code == 404
    assert "no such path in the publish API" in error_of(response)["message"]
    # The publish API is not offered to browsers on other sites.
    response = reader.options(RELEASES, HTTP_ORIGIN="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in response


def _race(monkeypatch, requests: list[tuple[str, dict]]) -> list:
    """Send the requests at once, from as many threads, each with its own connection. Each
    request's first look at the stored releases (after the process's history is read) waits
    until every request has had its own: they all pass their checks on the same log, and only
    then append. Returns the answers in the order of the requests."""
    barrier = threading.Barrier(len(requests), timeout=20)
    waited = threading.local()
    real = store_publishers.process_log  # the checks' one read of the processes' log

    def after_every_check(*args, **kwargs):
        found = real(*args, **kwargs)
        if not getattr(waited, "once", False):
            waited.once = True
            barrier.wait()
        return found

    monkeypatch.setattr(store_publishers, "process_log", after_every_check)
    answers: list = [None] * len(requests)

    def send(index: int) -> None:
        key, release = requests[index]
        try:
            answers[index] = post(Client(), RELEASES, release, key)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_two_organisations_racing_for_one_new_ocid_cannot_both_have_it(
    database, store, monkeypatch
):
    own = create_key(store, create_publisher(store))
    other = create_key(store, create_publisher(store, OTHER_BUYER))
    ocid = "ocds-b5fd17-race"
    theirs = notice("UK4", "2025-06-03", ocid, buyer=OTHER_BUYER, tender=tender(ocid)["tender"])
    answers = _race(monkeypatch, [(own, tender(ocid)), (other, theirs)])
    assert sorted(a.status_code for a in answers) == [201, 403], [a.content for a in answers]
    [refused] = [a for a in answers if a.status_code == 403]
    assert error_of(refused)["problems"][0]["code"] == "other-organisation-process"
    [kept] = log.record_statements(store, "ocds", ocid)
    winner = next(a for a in answers if a.status_code == 201)
    assert kept.entry.seq == winner.json()["releases"][0]["sequence"]


def test_requests_racing_with_one_release_id_store_it_once(database, store, monkeypatch):
    key = create_key(store, create_publisher(store))
    ocid = "ocds-b5fd17-same"
    changed = tender(ocid, title="Grounds maintenance and tree surgery")
    answers = _race(monkeypatch, [(key, tender(ocid)), (key, changed)])
    assert sorted(a.status_code for a in answers) == [201, 409], [a.content for a in answers]
    assert error_of(next(a for a in answers if a.status_code == 409))["code"] == "conflict"
    # The same release sent twice at once, as a retrying client might: one statement.
    answers = _race(monkeypatch, [(key, award(ocid)), (key, award(ocid))])
    assert sorted(a.status_code for a in answers) == [200, 201], [a.content for a in answers]
    assert len({a.json()["releases"][0]["sequence"] for a in answers}) == 1
    assert log.log_size(store) == 2


def test_a_history_changed_between_the_checks_and_the_append_is_checked_again(
    client, store, key, publisher, monkeypatch
):
    ocid = mint(client, key)
    for release in (tender(ocid), award(ocid)):
        assert post(client, RELEASES, release, key).status_code == 201
    award_seq = log.record_statements(store, "ocds", ocid)[-1].entry.seq
    real = store_publishers.process_log  # the checks' one read of the processes' log
    calls = []

    def withdraw_the_award_meanwhile(*args, **kwargs):
        found = real(*args, **kwargs)
        if not calls:  # after the checks of the first attempt, before its append
            calls.append(
                withdraw(store, publisher, {"sequence": award_seq, "reason": "wrong"}, CLI)
            )
        return found

    monkeypatch.setattr(store_publishers, "process_log", withdraw_the_award_meanwhile)
    # Without the award, a contract details notice is out of order: refused, not slipped in.
    response = post(client, RELEASES, contract_details(ocid), key)
    assert calls, "the request did not read the stored releases"
    assert response.status_code == 422, response.content
    codes = [p["code"] for p in error_of(response)["problems"]]
    assert "notice.sequence.details_without_award" in codes


@pytest.mark.parametrize("attempts", [publish.ATTEMPTS, 1], ids=["checked-then-locked", "locked"])
def test_concurrent_publications_have_contiguous_sequence_numbers(
    database, store, monkeypatch, attempts
):
    # With one attempt, every request is checked holding the log's lock, as a request is
    # after others kept changing its processes.
    monkeypatch.setattr(publish, "ATTEMPTS", attempts)
    count, rounds = 6, 4
    key = create_key(store, create_publisher(store))
    sequences: list[int] = []
    errors: list[str] = []
    barrier = threading.Barrier(count)

    def publish_rounds(n: int) -> None:
        client = Client()
        try:
            barrier.wait()
            for i in range(rounds):
                # Every thread adds to the same two processes: requests race on their histories.
                package = {
                    "releases": [
                        pipeline(f"ocds-b5fd17-seq{k}") | {"id": f"pipeline-{n}-{i}-{k}"}
                        for k in range(2)
                    ]
                }
                response = post(client, RELEASES, package, key)
                if response.status_code != 201:
                    errors.append(response.content.decode())
                    continue
                sequences.extend(r["sequence"] for r in response.json()["releases"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish_rounds, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(sequences) == list(range(count * rounds * 2))
    assert log.log_size(store) == count * rounds * 2


def test_a_request_checked_holding_the_lock_is_answered_as_any_other(
    client, store, key, monkeypatch
):
    monkeypatch.setattr(publish, "ATTEMPTS", 1)  # checked holding the lock at once
    other = create_key(store, create_publisher(store, OTHER_BUYER))
    ocid = mint(client, key)
    assert post(client, RELEASES, tender(ocid), key).status_code == 201
    assert post(client, RELEASES, tender(ocid), key).status_code == 200
    changed = tender(ocid, title="Tree surgery")
    assert post(client, RELEASES, changed, key).status_code == 409
    assert post(client, RELEASES, contract_details(ocid), key).status_code == 422
    theirs = notice("UK4", "2025-06-03", ocid, buyer=OTHER_BUYER, tender=tender(ocid)["tender"])
    assert post(client, RELEASES, theirs, other).status_code == 403
    assert post(client, RELEASES, award(ocid), key).status_code == 201
    assert log.log_size(store) == 2


def test_forged_keys_are_limited_by_address(store, publisher, monkeypatch):
    monkeypatch.setenv("OPENBOOK_RATE_LIMIT", "3")
    limited = Client()  # the middleware reads its limit when the handler is built
    forged = [f"{PREFIX}{'a' * 12}_{secrets.token_urlsafe(32)}" for _ in range(5)]
    answers = [post(limited, OCIDS, {}, key) for key in forged]
    assert [a.status_code for a in answers] == [401, 401, 401, 429, 429]
    assert error_of(answers[-1])["code"] == "rate-limited"
    assert int(answers[-1]["Retry-After"]) >= 1
    # A real key from the same address is not held back by them.
    assert post(limited, OCIDS, {}, create_key(store, publisher)).status_code == 201


def test_the_number_of_releases_in_a_request_is_limited(client, key, monkeypatch):
    monkeypatch.setenv("OPENBOOK_PUBLISH_MAX_RELEASES", "3")
    ocid = mint(client, key)
    package = {"releases": lifecycle(ocid)[:4]}
    for path in (RELEASES, VALIDATE):
        response = post(client, path, package, key)
        assert response.status_code == 413, response.content
        error = error_of(response)
        assert error["code"] == "too-many-releases"
        assert "4 releases" in error["message"] and "at most 3" in error["message"]
    assert feed(client) == []
    package["releases"] = package["releases"][:3]
    assert post(client, RELEASES, package, key).status_code == 201


def test_the_work_of_a_request_does_not_grow_with_its_processes(
    client, store, key, monkeypatch, tmp_path
):
    def queries(count: int, path: str) -> int:
        package = {"releases": [pipeline(f"ocds-b5fd17-w{count}-{n}") for n in range(count)]}
        with CaptureQueriesContext(connections["default"]) as captured:
            response = post(client, path, package, key)
        assert response.status_code in (200, 201), response.content
        return len(captured)

    queries(1, VALIDATE)  # the key's first use of the minute is written down
    # Checking reads every process's history at once, not one by one.
    assert queries(2, VALIDATE) == queries(30, VALIDATE)
    # Publishing loads the signing key once, not once per release.
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(tmp_path / "keys"))
    transparency.sign_tree_head(store, create_key=True)  # the log's first key
    real = signing_keys.current
    loads = []
    monkeypatch.setattr(signing_keys, "current", lambda *a, **k: loads.append(1) or real(*a, **k))
    response = post(client, RELEASES, {"releases": lifecycle(mint(client, key))[:3]}, key)
    assert response.status_code == 201, response.content
    assert all(r["entry_timestamp"] for r in response.json()["releases"])
    assert len(loads) == 1


def test_a_server_with_the_wrong_key_directory_publishes_without_replacing_the_key(
    client, store, key, log_key, *, tmp_path, monkeypatch, caplog
):
    # A worker started with an empty (or another) OPENBOOK_SIGNING_KEY_DIR: the release is
    # published, its entry timestamp is null with a warning, and the log's key stays current.
    for directory, made in ((tmp_path / "empty", False), (tmp_path / "other", True)):
        if made:
            signing_keys.current(directory, create=True)
        monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(directory))
        response = post(client, RELEASES, tender(mint(client, key)), key)
        assert response.status_code == 201, response.content
        assert response.json()["releases"][0]["entry_timestamp"] is None
        assert "is not this log's" in caplog.text or "point OPENBOOK_SIGNING_KEY_DIR" in caplog.text
        assert directory.exists() == made  # no key made
        keys = transparency.public_keys(store)
        assert [(k["keyId"], k["status"]) for k in keys] == [(log_key.key_id, "current")]
        caplog.clear()
