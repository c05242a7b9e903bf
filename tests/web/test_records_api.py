"""Record packages over HTTP, and conditional requests on them."""

import orjson

from openbook.standards.ocds.compile import compiled_release
from openbook.store import log
from tests.factories import create_statement
from tests.web.conftest import a_process, publish


def test_a_record_package(client, store):
    publish(store, a_process("ocds-rec", supplier="Acme Ltd"))
    response = client.get("/api/ocds/records/ocds-rec")
    assert response.status_code == 200
    package = orjson.loads(response.content)
    assert package["uri"] == "http://testserver/api/ocds/records/ocds-rec"
    (record,) = package["records"]
    assert record["ocid"] == "ocds-rec"
    assert [r["id"] for r in record["releases"]] == ["ocds-rec-tender", "ocds-rec-award"]
    assert record["compiledRelease"]["awards"][0]["suppliers"][0]["name"] == "Acme Ltd"
    assert "versionedRelease" in record
    assert package["license"].startswith("http://www.nationalarchives.gov.uk/")


def test_the_same_record_through_the_find_a_tender_path(client, store):
    publish(store, a_process("ocds-rec", supplier="Acme Ltd"))
    ours = orjson.loads(client.get("/api/ocds/records/ocds-rec").content)
    theirs = orjson.loads(client.get("/api/1.0/ocdsRecordPackages/ocds-rec").content)
    assert theirs["uri"] == "http://testserver/api/1.0/ocdsRecordPackages/ocds-rec"
    assert theirs["records"] == ours["records"]


def test_an_unchanged_record_answers_304(client, store):
    publish(store, a_process("ocds-etag"))
    first = client.get("/api/ocds/records/ocds-etag")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('W/"')
    assert modified.endswith(" GMT")
    again = client.get("/api/ocds/records/ocds-etag", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    since = client.get("/api/ocds/records/ocds-etag", headers={"If-Modified-Since": modified})
    assert since.status_code == 304
    # A strong comparison of the same tag (a proxy may strip W/) still matches, weakly.
    stripped = client.get(
        "/api/ocds/records/ocds-etag", headers={"If-None-Match": etag.removeprefix("W/")}
    )
    assert stripped.status_code == 304


def test_a_changed_record_answers_200_with_a_new_tag(client, store):
    releases = a_process("ocds-etag", supplier="Acme")
    publish(store, releases[:1])
    etag = client.get("/api/ocds/records/ocds-etag")["ETag"]
    publish(store, releases[1:])
    response = client.get("/api/ocds/records/ocds-etag", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert len(orjson.loads(response.content)["records"][0]["releases"]) == 2


def test_if_none_match_wins_over_if_modified_since(client, store):
    publish(store, a_process("ocds-etag"))
    first = client.get("/api/ocds/records/ocds-etag")
    response = client.get(
        "/api/ocds/records/ocds-etag",
        headers={"If-None-Match": 'W/"other"', "If-Modified-Since": first["Last-Modified"]},
    )
    assert response.status_code == 200


def test_a_malformed_if_modified_since_is_ignored(client, store):
    publish(store, a_process("ocds-etag"))
    response = client.get(
        "/api/ocds/records/ocds-etag", headers={"If-Modified-Since": "not a date"}
    )
    assert response.status_code == 200


def test_an_unknown_record_is_a_404(client):
    response = client.get("/api/ocds/records/ocds-none")
    assert response.status_code == 404
    assert orjson.loads(response.content)["error"]["code"] == "not-found"


def test_reading_a_record_never_writes(client, store):
    releases = a_process("ocds-read", supplier="Acme Ltd")
    publish(store, releases[:1])
    # The award is appended but not compiled yet (a load appends first, compiles after).
    log.append(store, "ocds", [create_statement(releases[1])], "Test Council")
    before = _record_tables(store)

    response = client.get("/api/ocds/records/ocds-read")

    assert response.status_code == 200
    (record,) = orjson.loads(response.content)["records"]
    # Served compiled from every release, though the stored compiled release is the older one.
    assert record["compiledRelease"]["awards"][0]["suppliers"][0]["name"] == "Acme Ltd"
    assert record["compiledRelease"] == compiled_release(record["releases"])
    assert [v["releaseID"] for v in record["versionedRelease"]["awards"][0]["status"]] == [
        "ocds-read-award"
    ]
    assert _record_tables(store) == before  # nothing stored, and the process is still pending


def _record_tables(store) -> list:
    with store.cursor() as cursor:
        cursor.execute("SELECT record_key, compiled, last_seq, compiled_time FROM record")
        rows = cursor.fetchall()
        cursor.execute("SELECT record_key FROM pending_record")
        return [sorted(rows), sorted(cursor.fetchall())]
