"""What a publish request asks the database, on SQLite and PostgreSQL: the checks read each
process's log once, the append looks up nothing the checks read, the scope check is one query,
and neither the signing key's record nor a package just stored is read again on every request
(docs/performance.md, publishing). And the signing key a request stamps entries with is still
the database's current one after a rotation."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from openbook import signing_keys, transparency
from openbook.store import tree
from tests.publishing import award, create_key, create_publisher, post, tender
from tests.test_transparency import keys_in

RELEASES = "/api/publish/releases"
OCID = "ocds-b5fd17-statements"


@pytest.fixture
def key(store):
    return create_key(store, create_publisher(store))


@pytest.fixture
def log_key(store, tmp_path, monkeypatch) -> signing_keys.SigningKey:
    """A key directory of the test's own, and the log's key recorded from it."""
    keys_in(tmp_path / "keys", monkeypatch)
    return transparency.signer_key(store, create=True)


def _sent(client, key, value) -> tuple[dict, list[str]]:
    with CaptureQueriesContext(connections["default"]) as captured:
        response = post(client, RELEASES, value, key)
    assert response.status_code == 201, response.content
    return response.json(), [" ".join(query["sql"].split()) for query in captured]


def _reading(queries: list[str], *texts: str) -> list[str]:
    return [query for query in queries if any(text in query for text in texts)]


def test_a_release_to_a_process_with_a_history_reads_each_thing_once(
    client, store, key, log_key, monkeypatch
):
    monkeypatch.setattr(transparency, "KEY_CHECK_SECONDS", 3600.0, raising=False)  # slow machines
    post(client, RELEASES, tender(OCID), key)  # the process's history; the key used once
    answer, queries = _sent(client, key, award(OCID))
    assert answer["releases"][0]["entry_timestamp"]["key_id"] == log_key.key_id
    # The ocids minted and the organisations the buyer names: one query.
    assert len(_reading(queries, "minted_ocid", "FROM organisation o WHERE")) == 1
    # The process's releases, withdrawals, redactions and log entries: read once for the
    # checks, and under the lock only its newest entry, to see that nothing was added since.
    history = _reading(queries, "FROM log_entry")
    assert len(_reading(history, "JOIN log_body")) == 1
    assert not _reading(history, "SELECT record_key, register, statement_id, seq FROM")
    assert not _reading(history, "body_hash, seq FROM log_entry")
    assert not _reading(history, "body_hash, log_time, leaf_hash FROM log_entry")
    assert len(_reading(history, "MAX(seq)")) == 1
    # The log's signing keys were checked for the first request: not again.
    assert not _reading(queries, "FROM signing_key")
    # Nor is the commercial tools register's existence looked up again.
    assert not _reading(queries, "to_regclass", "sqlite_master")


def test_a_package_just_stored_is_not_read_back_to_compile_its_releases(
    client, store, key, log_key
):
    package = {
        "uri": "https://etendering.example/packages/1.json",
        "version": "1.1",
        "publishedDate": "2025-06-02T10:00:00Z",
        "publisher": {"name": "Example Borough Council"},
        "releases": [tender(OCID)],
    }
    answer, queries = _sent(client, key, package)
    assert [r["status"] for r in answer["releases"]] == ["created"]
    assert not _reading(queries, "FROM source_package")
    compiled = client.get(f"/api/ocds/records/{OCID}").json()["records"][0]["compiledRelease"]
    assert compiled["tender"]["title"] == "Grounds maintenance"


def _stamped_by(client, key, release) -> str | None:
    response = post(client, RELEASES, release, key)
    assert response.status_code == 201, response.content
    stamp = response.json()["releases"][0]["entry_timestamp"]
    return stamp["key_id"] if stamp else None


def test_entry_timestamps_follow_the_logs_current_key(
    client, store, key, log_key, *, monkeypatch, caplog
):
    assert _stamped_by(client, key, tender(OCID)) == log_key.key_id
    # A rotation replaces the key file: the next request signs with the new key at once.
    rotated = transparency.rotate_key(store)["keyId"]
    assert _stamped_by(client, key, award(OCID)) == rotated != log_key.key_id
    # The retired key put back as the current one (the same file, hard-linked): refused at once.
    directory = log_key.path.parent
    current = directory / signing_keys.CURRENT
    current.replace(directory / "rotated.key")
    current.hardlink_to(directory / signing_keys.RETIRED / f"{log_key.key_id}.key")
    assert _stamped_by(client, key, tender("ocds-b5fd17-other")) is None
    assert "was retired" in caplog.text
    (directory / "rotated.key").replace(current)
    assert _stamped_by(client, key, tender("ocds-b5fd17-third")) == rotated
    # Retired in the database only (from another machine, the key file here unchanged): the
    # database is read again within KEY_CHECK_SECONDS.
    tree.retire_key(store, rotated, "2030-01-01T00:00:00.000000Z")
    monkeypatch.setattr(transparency, "KEY_CHECK_SECONDS", 0.0)
    assert _stamped_by(client, key, tender("ocds-b5fd17-fourth")) is None
