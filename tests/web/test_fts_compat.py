"""The Find a Tender Service's read API paths, for harvesters built for it."""

import base64
import re
from datetime import UTC, datetime

import orjson
import pytest

from openbook.store import log
from tests.factories import create_release, create_statement
from tests.web.conftest import a_process, publish
from tests.web.test_feed import follow


def test_paging_with_its_parameter_names_and_cursor_alphabet(client, store):
    publish(store, [r for n in range(5) for r in a_process(f"ocds-h6vhtk-{n:06x}")])
    first = orjson.loads(client.get("/api/1.0/ocdsReleasePackages?limit=2").content)
    next_url = first["links"]["next"]
    assert next_url.startswith("http://testserver/api/1.0/ocdsReleasePackages?")
    cursor = re.search(r"cursor=([^&]+)", next_url).group(1)
    assert re.fullmatch(r"[A-Za-z0-9=]{1,300}", cursor)
    received, pages = follow(client, "/api/1.0/ocdsReleasePackages?limit=2")
    assert len(received) == 5
    assert pages == 3


def test_limit_defaults_to_100_and_is_at_most_100(client, store):
    publish(store, [create_release(f"ocds-many-{n}", "1") for n in range(101)])
    package = orjson.loads(client.get("/api/1.0/ocdsReleasePackages").content)
    assert len(package["releases"]) == 100
    assert client.get("/api/1.0/ocdsReleasePackages?limit=101").status_code == 400


@pytest.mark.parametrize("suffix", ["", "Z"])
def test_updated_from_and_to_in_its_format_with_or_without_z(client, store, suffix):
    for day, ocid in ((1, "ocds-a"), (2, "ocds-b"), (3, "ocds-c")):
        log.append(
            store,
            "ocds",
            [create_statement(create_release(ocid, "1"))],
            "P",
            now=datetime(2026, 5, day, 10, tzinfo=UTC),
        )
    url = (
        "/api/1.0/ocdsReleasePackages?updatedFrom=2026-05-02T00:00:00"
        f"{suffix}&updatedTo=2026-05-02T23:59:59{suffix}"
    )
    received, _ = follow(client, url)
    assert [r["ocid"] for r in received] == ["ocds-b"]


def test_stages_award_covers_contract_and_implementation(client, store):
    releases = [
        create_release("ocds-s", "p", tag=["planning"]),
        create_release("ocds-s", "t", tag=["tender"]),
        create_release("ocds-s", "a", tag=["award"]),
        create_release("ocds-s", "c", tag=["contract"]),
        create_release("ocds-s", "i", tag=["implementation"]),
    ]
    publish(store, releases)

    def ids(stages: str) -> list[str]:
        url = f"/api/1.0/ocdsReleasePackages?stages={stages}"
        return [r["id"] for r in follow(client, url)[0]]

    assert ids("planning") == ["p"]
    assert ids("tender") == ["t"]
    assert ids("award") == ["a", "c", "i"]
    assert ids("planning,tender") == ["p", "t"]


def test_a_process_by_ocid_and_a_notice_by_its_id(client, store):
    publish(store, a_process("ocds-h6vhtk-0001b4", supplier="Acme"))
    publish(store, [create_release("ocds-h6vhtk-0001b5", "000001-2021")])
    by_ocid = orjson.loads(client.get("/api/1.0/ocdsReleasePackages/ocds-h6vhtk-0001b4").content)
    assert [r["id"] for r in by_ocid["releases"]] == [
        "ocds-h6vhtk-0001b4-tender",
        "ocds-h6vhtk-0001b4-award",
    ]
    by_notice = orjson.loads(client.get("/api/1.0/ocdsReleasePackages/000001-2021").content)
    assert [(r["ocid"], r["id"]) for r in by_notice["releases"]] == [
        ("ocds-h6vhtk-0001b5", "000001-2021")
    ]
    missing = client.get("/api/1.0/ocdsReleasePackages/999999-2021")
    assert missing.status_code == 404


def test_cursors_are_interchangeable_with_the_native_feed(client, store):
    publish(store, [create_release(f"ocds-x-{n}", "1") for n in range(3)])
    cursor = base64.b64encode(b"1").decode()
    ours = orjson.loads(client.get(f"/api/ocds/releases?cursor={cursor}").content)
    theirs = orjson.loads(client.get(f"/api/1.0/ocdsReleasePackages?cursor={cursor}").content)
    assert ours["releases"] == theirs["releases"]
    assert [r["ocid"] for r in ours["releases"]] == ["ocds-x-1", "ocds-x-2"]
