"""The change feed, GET /api/ocds/releases: every release once, in log order, filterable."""

import hashlib
from datetime import UTC, datetime

import orjson
import pytest

from openbook.standards.canonical import canonical_json
from openbook.standards.log import Entry
from openbook.store import log
from tests.conftest import reuse
from tests.factories import create_release, create_statement
from tests.web.conftest import a_process, publish


def follow(client, url: str) -> tuple[list[dict], int]:
    """Every release from following links.next; and how many pages it took."""
    releases, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        package = orjson.loads(response.content)
        releases.extend(package["releases"])
        pages += 1
        url = package.get("links", {}).get("next")
    return releases, pages


def test_an_empty_log_is_an_empty_package(client):
    response = client.get("/api/ocds/releases")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    package = orjson.loads(response.content)
    assert package["releases"] == []
    assert "links" not in package
    assert package["version"] == "1.1"
    assert package["publisher"] == {"name": "openbook"}


def test_following_next_gives_every_release_once_in_log_order(client, store):
    releases = [r for n in range(7) for r in a_process(f"ocds-feed-{n}", supplier="Acme Ltd")]
    publish(store, releases[:5])
    publish(store, releases[5:])
    received, pages = follow(client, "/api/ocds/releases?limit=3")
    assert [(r["ocid"], r["id"]) for r in received] == [(r["ocid"], r["id"]) for r in releases]
    assert pages == 5  # 14 releases: four full pages of 3, then 2 with no next link


def test_releases_are_the_stored_bytes(client, store):
    release = create_release(tender={"title": "Café “quotes” & ünïcode", "value": {"amount": 1.5}})
    publish(store, [release])
    body = client.get("/api/ocds/releases").content
    assert canonical_json(release) in body


def test_each_release_comes_with_its_log_entry(client, store):
    """Beside ``releases``, in the same order, each one's log entry: from it and the release
    alone a reader recomputes the leaf hash an inclusion proof is checked with."""
    releases = a_process("ocds-entries", supplier="Acme")
    publish(store, releases[:1])
    publish(store, releases[1:])
    package = orjson.loads(client.get("/api/ocds/releases?limit=2").content)
    entries = package["x_openbook_log"]
    assert [entry["sequence"] for entry in entries] == [0, 1]
    for release, entry in zip(package["releases"], entries, strict=True):
        recomputed = Entry(
            entry["sequence"],
            "ocds",
            release["ocid"],
            release["id"],
            release["date"],
            entry["logTime"],
            entry["publisher"],
            hashlib.sha256(canonical_json(release)).hexdigest(),
        )
        assert recomputed.leaf_hash() == entry["leafHash"]
        assert (
            entry["leafHash"]
            == log.entries(store, entry["sequence"], entry["sequence"] + 1)[0].leaf_hash
        )
    single = client.get(f"/api/ocds/releases/ocds-entries/{releases[1]['id']}").content
    assert [entry["sequence"] for entry in orjson.loads(single)["x_openbook_log"]] == [1]


def test_a_full_last_page_links_to_an_empty_one(client, store):
    publish(store, a_process("ocds-full", supplier="Acme"))
    first = orjson.loads(client.get("/api/ocds/releases?limit=2").content)
    assert len(first["releases"]) == 2
    second = orjson.loads(client.get(first["links"]["next"]).content)
    assert second["releases"] == []
    assert "links" not in second


def test_new_releases_arrive_after_the_last_cursor(client, store):
    publish(store, a_process("ocds-one"))
    page = orjson.loads(client.get("/api/ocds/releases?limit=1").content)
    publish(store, a_process("ocds-two"))
    received, _ = follow(client, page["links"]["next"])
    assert [r["ocid"] for r in received] == ["ocds-two"]


def test_the_next_link_keeps_the_filters(client, store):
    publish(store, [r for n in range(4) for r in a_process(f"ocds-k-{n}", supplier="Acme")])
    package = orjson.loads(client.get("/api/ocds/releases?limit=1&stage=award").content)
    assert "stage=award" in package["links"]["next"]
    received, _ = follow(client, "/api/ocds/releases?limit=1&stage=award")
    assert [r["id"] for r in received] == [f"ocds-k-{n}-award" for n in range(4)]


@pytest.fixture(scope="module")
def _two_buyers(shared_database):
    store = reuse(shared_database).store
    publish(store, a_process("b", supplier="Acme Ltd"))
    york = a_process("c", buyer="York Council")
    york[0]["buyer"] = {"id": "GB-GOR-YORK", "name": "York Council"}
    york[0]["parties"][0]["id"] = "GB-GOR-YORK"
    publish(store, york)


@pytest.fixture
def two_buyers(shared_database, _two_buyers) -> None:
    """Leeds's process, awarded to Acme Ltd, and York's, a tender; on one database a kind for
    the filters, which only read."""
    reuse(shared_database)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("stage=tender", ["b-tender", "c-tender"]),
        ("stage=award,tender", ["b-tender", "b-award", "c-tender"]),
        ("stage=contract", []),
        ("buyer=GB-GOR-LCC", ["b-tender", "b-award"]),
        ("buyer=york%20council", ["c-tender"]),  # by name, any case
        ("buyer=YORK   COUNCIL", ["c-tender"]),  # whitespace collapsed
        ("supplier=GB-COH-01234567", ["b-award"]),  # by identifier
        ("supplier=acme%20ltd", ["b-award"]),
        ("supplier=Nobody", []),
        ("buyer=GB-GOR-LCC&stage=award", ["b-award"]),
    ],
)
def test_filters(reader, two_buyers, query, expected):
    received, _ = follow(reader, f"/api/ocds/releases?limit=1&{query}")
    assert [r["id"] for r in received] == expected


def test_updated_means_log_time_not_the_release_date(client, store):
    # A backdated release: dated 2001, accepted by the log in 2026.
    old = create_release("ocds-old", "1", date="2001-01-01T00:00:00Z")
    log.append(
        store, "ocds", [create_statement(old)], "P", now=datetime(2026, 3, 1, 12, tzinfo=UTC)
    )
    new = create_release("ocds-new", "1", date="2026-01-01T00:00:00Z")
    log.append(
        store, "ocds", [create_statement(new)], "P", now=datetime(2026, 3, 2, 12, tzinfo=UTC)
    )

    def ocids(query: str) -> list[str]:
        return [r["ocid"] for r in follow(client, f"/api/ocds/releases?{query}")[0]]

    assert ocids("updated_from=2026-03-01") == ["ocds-old", "ocds-new"]
    assert ocids("updated_from=2026-03-01T12:00:00.000001Z") == ["ocds-new"]
    assert ocids("updated_to=2026-03-01T12:00:00Z") == ["ocds-old"]  # inclusive
    assert ocids("updated_to=2026-03-01T13:00:00%2B01:00") == ["ocds-old"]  # an offset
    assert ocids("updated_from=2026-03-02T12:00:01") == []
    assert ocids("updated_from=2001-01-01&updated_to=2002-01-01") == []


def test_the_package_declares_the_extensions_of_its_releases(client, store):
    from openbook.store.log import Statement

    release = create_release("ocds-ext", "1")
    metadata = {"extensions": ["https://example.org/ext/extension.json"], "version": "1.1"}
    statement = create_statement(release)
    package = canonical_json(metadata)
    statement = Statement(**{**_fields(statement), "package": ("h" * 64, package)})
    log.append(store, "ocds", [statement], "P")
    body = orjson.loads(client.get("/api/ocds/releases").content)
    assert body["extensions"] == ["https://example.org/ext/extension.json"]


def _fields(statement) -> dict:
    return {name: getattr(statement, name) for name in statement.__slots__}


def test_one_release(client, store):
    publish(store, a_process("ocds-r", supplier="Acme"))
    response = client.get("/api/ocds/releases/ocds-r/ocds-r-award")
    assert response.status_code == 200
    package = orjson.loads(response.content)
    assert [r["id"] for r in package["releases"]] == ["ocds-r-award"]
    assert package["uri"].endswith("/api/ocds/releases/ocds-r/ocds-r-award")


def test_a_release_id_with_a_slash(client, store):
    publish(store, [create_release("ocds-s", "notice/2026/1")])
    response = client.get("/api/ocds/releases/ocds-s/notice/2026/1")
    assert response.status_code == 200
    assert orjson.loads(response.content)["releases"][0]["id"] == "notice/2026/1"


def test_an_unknown_release_is_a_404_in_json(client, store):
    publish(store, a_process("ocds-r"))
    response = client.get("/api/ocds/releases/ocds-r/nope")
    assert response.status_code == 404
    assert orjson.loads(response.content) == {
        "error": {
            "code": "not-found",
            "message": "no release 'nope' of process 'ocds-r' is published here",
        }
    }


@pytest.mark.parametrize("workers", [0, 2])
def test_filters_find_releases_loaded_from_files_in_any_way(client, store, tmp_path, workers):
    # Large files reach worker processes unparsed: the terms must come from the full release
    # wherever it is parsed, or a filtered feed would silently miss releases.
    from openbook.generate import generate_releases, write_jsonl
    from openbook.load.loader import load
    from openbook.standards.ocds.terms import release_terms

    path = tmp_path / "generated.jsonl"
    with path.open("wb") as out:
        write_jsonl(generate_releases(40, 11), out)
    releases = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    load(store, [path], workers=workers, parallel_from_bytes=0, parallel_from_records=1)
    awarded = [r["id"] for r in releases if "stage:award" in release_terms(r)]
    assert awarded
    received, _ = follow(client, "/api/ocds/releases?limit=50&stage=award")
    assert [r["id"] for r in received] == awarded
    buyer = releases[0]["buyer"]["name"]
    bought = [r["id"] for r in releases if f"buyer:{buyer.casefold()}" in release_terms(r)]
    received, _ = follow(client, f"/api/ocds/releases?limit=50&buyer={buyer}")
    assert [r["id"] for r in received] == bought


def test_a_page_names_itself_and_links_to_the_next(client, store):
    publish(store, a_process("ocds-uri", supplier="Acme"))
    first = orjson.loads(client.get("/api/ocds/releases?limit=1").content)
    assert first["uri"] == "http://testserver/api/ocds/releases?limit=1"
    second = orjson.loads(client.get(first["links"]["next"]).content)
    assert second["uri"] == first["links"]["next"]


def test_releases_without_a_package_declare_the_uk_profile(client, store):
    # They were reviewed and compiled with it; a mirror must compile them the same way.
    from openbook.standards.ocds import schema

    publish(store, a_process("ocds-bare"))
    package = orjson.loads(client.get("/api/ocds/releases").content)
    assert package["extensions"] == sorted(schema.FIND_A_TENDER_EXTENSIONS)
    record = orjson.loads(client.get("/api/ocds/records/ocds-bare").content)
    assert record["extensions"] == sorted(schema.FIND_A_TENDER_EXTENSIONS)
