"""Redaction (openbook.redaction, ``openbook redact``) on SQLite and PostgreSQL: the body goes by
a signed statement in the same transaction, the database refuses any other way of emptying or
removing a body, snapshots list the entry as redacted, and ``openbook verify`` passes after a
redaction and names the entry when a body is NULLed around the application."""

import gzip
import hashlib
import re
from pathlib import Path

import orjson
import pytest
from django.db import DatabaseError

from openbook import records, transparency
from openbook.export import export
from openbook.publishing.publishers import Actor
from openbook.redaction import RedactionRefused, redact
from openbook.standards import marks
from openbook.store import log
from openbook.verify import database as verify_database
from openbook.verify import snapshot as verify_snapshot
from tests.conftest import reuse
from tests.factories import create_release, create_statement
from tests.test_cli import openbook
from tests.test_transparency import append, key_dir, keys_in
from tests.test_verify import problems, signed_log, tamper

__all__ = ["key_dir"]
pytestmark = pytest.mark.usefixtures("key_dir")

ADMINISTRATOR = Actor("cli:test")
PACKAGE = Path(__file__).resolve().parents[1] / "openbook"


def body_of(store, seq: int) -> bytes | None:
    return log.entries(store, seq, seq + 1)[0].body


def test_the_command_redacts_once_and_refuses_a_second_time(database):
    store = database.store
    signed_log(store, 6)
    leaf = log.entries(store, 4, 5)[0].leaf_hash
    result = openbook(
        database,
        "redact",
        "4",
        "--reason",
        "Personal data: a supplier's home address",
        "--authority",
        "Order of the High Court, 1 December 2026",
        "--json",
    )
    answer = orjson.loads(result.stdout)
    assert answer["redacted"]["sequence"] == 4 and answer["redacted"]["leaf_hash"] == leaf
    assert answer["authority"] == "Order of the High Court, 1 December 2026"
    assert answer["administrator"].startswith("cli:")
    assert answer["redaction"]["sequence"] == 6
    assert body_of(store, 4) is None
    # The entry and its hashes stay, and so does its place in the tree.
    assert log.entries(store, 4, 5)[0].leaf_hash == leaf
    assert verify_database(store).ok
    # A second time: refused, with the reason, and nothing appended.
    again = openbook(database, "redact", "4", "--reason", "again", check=False)
    assert again.returncode == 1
    assert b"entry 4 was redacted already, by entry 6" in again.stderr
    itself = openbook(database, "redact", "6", "--reason", "x", check=False)
    assert itself.returncode == 1 and b"is itself a redaction" in itself.stderr
    missing = openbook(database, "redact", "99", "--reason", "x", check=False)
    assert missing.returncode == 1 and b"the log has no entry 99" in missing.stderr
    blank = openbook(database, "redact", "3", "--reason", "  ", check=False)
    assert blank.returncode == 1 and b"reason is empty" in blank.stderr
    assert log.log_size(store) == 7
    assert b"usage: openbook redact" in openbook(database, "redact", "--help").stdout


def test_the_record_is_compiled_again_and_searched_without_the_body(store):
    first = create_release("ocds-red-1", "a", tender={"id": "t", "title": "Hedge trimming"})
    second = create_release(
        "ocds-red-1", "b", date="2026-02-01T00:00:00Z", tender={"id": "t", "status": "active"}
    )
    log.append(store, "ocds", [create_statement(first), create_statement(second)], "Council")
    records.compile_pending(store)
    transparency.sign_tree_head(store)  # the log's key, recorded: redactions are signed with it
    assert records.record_package(store, "ocds-red-1")["records"][0]["compiledRelease"]["tender"][
        "title"
    ] == ("Hedge trimming")
    redact(store, 0, "A private individual's name in the title", ADMINISTRATOR)
    record = records.record_package(store, "ocds-red-1")["records"][0]
    assert "title" not in record["compiledRelease"]["tender"]
    assert [r["id"] for r in record["releases"]] == ["b"]
    assert record["x_openbook_redacted"][0]["sequence"] == 0
    # The feed's terms and the review's messages derived from the body are gone too.
    with store.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM statement_term WHERE seq = 0")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT title FROM process_search WHERE ocid = %s", ["ocds-red-1"])
        assert cursor.fetchone()[0] is None


@pytest.fixture(scope="module")
def _redacted_once(shared_database, tmp_path_factory) -> list:
    store = reuse(shared_database).store
    with pytest.MonkeyPatch.context() as patch:
        keys_in(tmp_path_factory.mktemp("keys"), patch)
        append(store, 2)
        transparency.sign_tree_head(store)
        redact(store, 0, "Personal data", ADMINISTRATOR)
    return log.entries(store, 0, 3)


@pytest.fixture
def redacted_once(shared_database, _redacted_once):
    """Two entries, the first redacted, on one database a kind for the changes the database
    refuses: each checks that the log is as it was at this set-up, so none may change it for
    the next."""
    return reuse(shared_database).store, _redacted_once


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE log_body SET body = NULL WHERE seq = 1",
        "UPDATE log_body SET body = '{}' WHERE seq = 1",
        "UPDATE log_body SET body = '{}' WHERE seq = 0",  # a redacted body cannot come back
        "UPDATE log_body SET seq = 5 WHERE seq = 1",
        "DELETE FROM log_body WHERE seq = 1",
        "DELETE FROM log_body",
        "TRUNCATE log_body",
    ],
)
def test_the_database_refuses_any_other_change_to_a_body(redacted_once, statement):
    store, before = redacted_once
    if statement.startswith("TRUNCATE") and store.vendor == "sqlite":
        statement = "DELETE FROM log_body"
    assert len(before) == 3 and before[0].body is None  # the redaction is the third
    with pytest.raises(DatabaseError, match="append-only"), store.atomic() as cursor:
        cursor.execute(statement)
    assert log.entries(store, 0, 3) == before


def test_only_the_redaction_function_writes_to_log_bodies():
    writers = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"UPDATE log_body|DELETE FROM log_body", path.read_text())
        and path.name != "immutability.py"
    ]
    assert writers == ["store/marks.py"]


def test_a_body_nulled_around_the_application_is_a_deleted_body(database):
    store = database.store
    signed_log(store, 10)
    redact(store, 2, "Personal data", ADMINISTRATOR)
    entry = log.entries(store, 7, 8)[0].entry
    tamper(store, ("UPDATE log_body SET body = NULL WHERE seq = %s", [7]))
    result = openbook(database, "verify", "--no-progress", check=False)
    assert result.returncode == 1
    text = result.stdout.decode()
    assert f"entry 7 (ocds {entry.record_key} statement '7')" in text
    assert "no redaction statement names it" in text
    (problem,) = verify_database(store).problems
    assert (problem.seq, problem.field, problem.found) == (7, "body", "NULL")
    assert problem.expected.startswith(f"a body with SHA-256 {entry.body_hash}")


def test_a_forged_or_borrowed_redaction_does_not_cover_a_missing_body(store, tmp_path):
    signed_log(store, 10)
    original = body_of(store, 2)
    assert original is not None
    made = redact(store, 2, "Personal data", ADMINISTRATOR)
    genuine = body_of(store, made.entry.seq)
    assert genuine is not None
    # Someone with the database appends a redaction of entry 5 that the log's key did not sign
    # (here: the genuine one's signature, over entry 2), then empties the body.
    forged = orjson.loads(genuine)
    forged["redaction"]["statement"].update(
        seq=5, statementId="5", **_hashes(store, 5), recordKey=_key(store, 5)
    )
    statement = create_statement(create_release())  # for its shape only
    body = orjson.dumps(forged, option=orjson.OPT_SORT_KEYS)
    statement.record_key, statement.statement_id = _key(store, 5), "5"
    statement.body, statement.body_hash = body, hashlib.sha256(body).hexdigest()
    log.append(store, marks.REDACTIONS, [statement], "openbook", compiled=False)
    tamper(store, ("UPDATE log_body SET body = NULL WHERE seq = %s", [5]))
    report = verify_database(store)
    [problem] = problems(report, 5, "body")
    assert "does not verify" in problem.message or "does not say" in problem.message
    # And a redacted body put back is reported: the redaction no longer holds.
    tamper(store, ("UPDATE log_body SET body = %s WHERE seq = %s", [original.decode(), 2]))
    [problem] = problems(verify_database(store), 2, "body")
    assert "still stored" in problem.message


def _hashes(store, seq: int) -> dict:
    stored = log.entries(store, seq, seq + 1)[0]
    return {"leafHash": stored.leaf_hash, "bodySha256": stored.entry.body_hash}


def _key(store, seq: int) -> str:
    return log.entries(store, seq, seq + 1)[0].entry.record_key


def test_a_snapshot_lists_the_redacted_entry_and_verifies(store, tmp_path):
    append(store, 6)
    records.compile_pending(store)
    transparency.sign_tree_head(store)
    redact(store, 1, "Personal data", ADMINISTRATOR)
    manifest = export(store, tmp_path / "snapshot")
    assert manifest["log"]["redactedEntries"] == [1]
    assert manifest["counts"]["redactedReleases"] == 1
    assert manifest["counts"]["logEntriesByRegister"] == {"ocds": 6, "redactions": 1}
    with gzip.open(tmp_path / "snapshot" / "releases.jsonl.gz") as file:
        ids = [orjson.loads(line)["id"] for line in file]
    assert ids == ["0", "2", "3", "4", "5"]
    # The process is compiled without it (the first process: releases 0, 1, 2).
    with gzip.open(tmp_path / "snapshot" / "compiled-releases.jsonl.gz") as file:
        compiled = {orjson.loads(line)["ocid"]: orjson.loads(line) for line in file}
    assert (
        compiled["ocds-tlog-00000"]
        == records.record_package(store, "ocds-tlog-00000")["records"][0]["compiledRelease"]
    )
    assert verify_snapshot(tmp_path / "snapshot").ok


def test_a_snapshot_carries_the_statements_of_the_other_registers(store, tmp_path):
    """The redaction statement itself (and a withdrawal's, a document's) is in the snapshot,
    byte for byte as logged, and checked by `openbook verify` against its entry."""
    append(store, 6)
    records.compile_pending(store)
    transparency.sign_tree_head(store)
    redact(store, 1, "Personal data", ADMINISTRATOR)
    folder = tmp_path / "snapshot"
    manifest = export(store, folder)
    assert manifest["formatVersion"] == 2
    path = folder / "statements" / "redactions.jsonl.gz"
    with gzip.open(path) as file:
        (line,) = file.read().splitlines()
    assert hashlib.sha256(line).hexdigest() == _hashes(store, 6)["bodySha256"]
    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert listed["statements/redactions.jsonl.gz"]["count"] == 1
    report = verify_snapshot(folder)
    assert report.ok, report.as_text()
    assert "statements of the other registers checked: 1 redactions" in report.as_text()
    # A snapshot of format version 1 (before the statements were added) still verifies.
    written = (folder / "manifest.json").read_bytes()
    (folder / "manifest.json").write_bytes(orjson.dumps({**manifest, "formatVersion": 1}))
    older = verify_snapshot(folder)
    assert older.ok and "their bodies are not" in older.as_text()
    (folder / "manifest.json").write_bytes(written)

    with gzip.open(path, "wb") as file:
        file.write(line.replace(b"Personal data", b"Personal dat4") + b"\n")
    report = verify_snapshot(folder)
    (body,) = problems(report, 6, "body")
    assert "statements/redactions.jsonl.gz line 1 is not the statement logged" in body.message
    assert body.expected == _hashes(store, 6)["bodySha256"]
    with gzip.open(path, "wb") as file:
        file.write(b"")
    (missing,) = problems(verify_snapshot(folder), 6, "body")
    assert "its statement is missing from statements/redactions.jsonl.gz" in missing.message


def test_redaction_needs_the_logs_signing_key(store, tmp_path, monkeypatch):
    append(store, 2)
    # Before the log has a key (the first `openbook log sign` makes it): refused, unchanged.
    with pytest.raises(RedactionRefused, match="cannot be signed") as refused:
        redact(store, 0, "Personal data", ADMINISTRATOR)
    assert refused.value.status == 503
    transparency.sign_tree_head(store)
    # A key file that is not a key, where the log's key should be: refused too.
    unreadable = tmp_path / "nokeys"
    unreadable.mkdir(mode=0o700)
    (unreadable / "current.key").write_bytes(b"not a key")
    (unreadable / "current.key").chmod(0o600)
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(unreadable))
    with pytest.raises(RedactionRefused, match="cannot be signed"):
        redact(store, 0, "Personal data", ADMINISTRATOR)
    assert body_of(store, 0) is not None and log.log_size(store) == 2
