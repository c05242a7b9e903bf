"""``openbook verify`` finds what was changed around the application, on SQLite and PostgreSQL:
bodies and entries altered or deleted straight in the database (the append-only triggers
dropped or switched off first, as someone holding the database's credentials would), a snapshot
with a changed line, and a remote log that rewrote its history or serves an altered entry. Each
time it names the statement (its seq), the field, and the values expected and found."""

import gzip
import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from django.db import connections
from django.test import Client

from openbook import signing_keys, transparency
from openbook.export import export
from openbook.harvest.exceptions import SourceFailed
from openbook.publishing.publishers import Actor
from openbook.redaction import redact
from openbook.standards import note
from openbook.standards.log import Entry
from openbook.store import log, tree
from openbook.verify import database as verify_database
from openbook.verify import remote as verify_remote
from openbook.verify import snapshot as verify_snapshot
from tests.conftest import fresh_database, use_database
from tests.test_cli import openbook
from tests.test_transparency import append, key_dir

__all__ = ["key_dir"]  # a fixture every test here uses
pytestmark = pytest.mark.usefixtures("key_dir")

BASE = "http://testserver"


def tamper(store, *statements: tuple[str, list]) -> None:
    """Run SQL around the application, with the log's protections switched off as an attacker
    would: the append-only triggers (and foreign keys) stop honest mistakes, not the owner of
    the database's credentials."""
    with store.cursor() as cursor:
        if store.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # no triggers, no FKs
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        for sql, params in statements:
            cursor.execute(sql, params)
        if store.vendor == "postgresql":
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("PRAGMA foreign_keys = ON")


def signed_log(store, size: int = 40) -> None:
    """A log of ``size`` entries with heads signed along the way, the last over all of them."""
    append(store, size // 2)
    transparency.sign_tree_head(store)
    append(store, size - size // 2)
    transparency.sign_tree_head(store)


def problems(report, seq: int | None = None, field: str | None = None) -> list:
    return [
        p
        for p in report.problems
        if (seq is None or p.seq == seq) and (field is None or p.field == field)
    ]


def stored_entry(store, seq: int) -> Entry:
    return log.entries(store, seq, seq + 1)[0].entry


def test_an_untouched_log_verifies(database):
    signed_log(database.store)
    redact(database.store, 4, "Personal data", Actor("cli:test"))  # signed: the log is intact
    result = openbook(database, "verify", "--no-progress")
    text = result.stdout.decode()
    assert "OK: nothing differs from what was signed." in text
    assert "41 entries" in text and "1 redacted" in text
    assert "2 of 2 signed heads have the root recomputed" in text
    report = orjson.loads(openbook(database, "verify", "--database", "--json").stdout)
    assert report["ok"] and report["problemCount"] == 0


def test_an_altered_body_is_found(database):
    store = database.store
    signed_log(store)
    entry = stored_entry(store, 7)
    tamper(
        store,
        ("UPDATE log_body SET body = REPLACE(body, '\"tender\"', '\"award\"') WHERE seq = %s", [7]),
    )
    result = openbook(database, "verify", "--no-progress", check=False)
    assert result.returncode == 1
    text = result.stdout.decode()
    assert f"entry 7 (ocds {entry.record_key} statement '7')" in text
    assert "the stored body is not the one logged" in text
    assert f"body: expected {entry.body_hash}" in text
    (problem,) = verify_database(store).problems
    assert (problem.seq, problem.field, problem.expected) == (7, "body", entry.body_hash)


def test_a_deleted_body_is_found(store):
    signed_log(store)
    tamper(store, ("DELETE FROM log_body WHERE seq = %s", [12]))
    (problem,) = verify_database(store).problems
    assert (problem.seq, problem.field, problem.found) == (12, "body", "no body row")


def test_an_altered_entry_is_found(database):
    store = database.store
    signed_log(store)
    entry = stored_entry(store, 25)
    tamper(store, ("UPDATE log_entry SET publisher = %s WHERE seq = %s", ["Somebody Else", 25]))
    result = openbook(database, "verify", "--no-progress", check=False)
    assert result.returncode == 1
    assert b"entry 25 (ocds" in result.stdout
    report = verify_database(store)
    (leaf,) = problems(report, 25, "leafHash")
    assert leaf.expected == log.entries(store, 25, 26)[0].leaf_hash  # the stored leaf hash,
    assert leaf.expected == entry.leaf_hash()  # which is what was logged,
    assert leaf.found.startswith(stored_entry(store, 25).leaf_hash())  # not what is there now
    assert problems(report, field="rootHash")  # and the head over it no longer matches


def test_an_entry_rewritten_with_its_leaf_hash_is_found(store):
    signed_log(store, 300)  # more than a block of 256: stored subtree hashes exist
    entry = stored_entry(store, 3)
    forged = Entry(
        entry.seq,
        entry.register,
        "ocds-forged-001",
        entry.statement_id,
        entry.statement_date,
        entry.log_time,
        entry.publisher,
        entry.body_hash,
    )
    tamper(
        store,
        (
            "UPDATE log_entry SET record_key = %s, leaf_hash = %s WHERE seq = %s",
            [forged.record_key, forged.leaf_hash(), 3],
        ),
    )
    report = verify_database(store)
    assert not problems(report, 3, "leafHash")  # the fields do give the forged leaf hash...
    (identity,) = problems(report, 3, "recordKey")  # ...but the body says otherwise,
    assert (identity.expected, identity.found) == (
        f"{entry.record_key} (from the release)",
        "ocds-forged-001",
    )
    assert problems(report, field="tree node (height 8, position 0)")  # the block differs,
    assert len(problems(report, field="rootHash")) == 2  # and neither signed head holds


def test_deleted_entries_are_found(database):
    store = database.store
    signed_log(store)
    tamper(
        store,
        ("DELETE FROM review WHERE seq IN (%s, %s)", [17, 39]),
        ("DELETE FROM statement_term WHERE seq IN (%s, %s)", [17, 39]),
        ("DELETE FROM log_body WHERE seq IN (%s, %s)", [17, 39]),
        ("DELETE FROM log_entry WHERE seq IN (%s, %s)", [17, 39]),
    )
    result = openbook(database, "verify", "--no-progress", check=False)
    assert result.returncode == 1
    assert b"entry 17: the entry is missing (deleted)" in result.stdout
    report = verify_database(store)
    assert problems(report, 17, "entry")
    # Every head signed over it says the log no longer holds what it signed.
    heads = problems(report, 17, "entries")
    assert {p.message.split(",")[0] for p in heads} == {
        "it was signed over 20 entries",
        "it was signed over 40 entries",
    }


def test_a_deleted_last_entry_is_found(store):
    signed_log(store)
    tamper(
        store,
        ("DELETE FROM review WHERE seq = %s", [39]),
        ("DELETE FROM statement_term WHERE seq = %s", [39]),
        ("DELETE FROM log_body WHERE seq = %s", [39]),
        ("DELETE FROM log_entry WHERE seq = %s", [39]),
    )
    (problem,) = problems(verify_database(store), 39)
    assert problem.field == "entries"
    assert "entry 39 and those after it cannot be read" in problem.message
    # And no head is signed over what is left.
    with pytest.raises(transparency.TransparencyError, match="entries were deleted"):
        transparency.sign_tree_head(store)


def test_no_head_is_signed_over_a_log_with_a_gap(store):
    signed_log(store)
    tamper(
        store,
        ("DELETE FROM review WHERE seq = %s", [17]),
        ("DELETE FROM statement_term WHERE seq = %s", [17]),
        ("DELETE FROM log_body WHERE seq = %s", [17]),
        ("DELETE FROM log_entry WHERE seq = %s", [17]),
    )
    append(store, 3)
    with pytest.raises(transparency.TransparencyError, match="the log has no entry 17"):
        transparency.sign_tree_head(store)


def test_editing_the_sqlite_file_itself_is_found(request):
    # Below SQL altogether: bytes changed in the database file, as a disk editor would.
    with fresh_database("sqlite", request) as database:
        store = database.store
        append(store, 5, publisher="Test Council")
        append(store, 5, publisher="Other Office")
        transparency.sign_tree_head(store)
        with store.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connections["default"].close()
        path = Path(database.url.removeprefix("sqlite:///"))
        data = path.read_bytes()
        path.write_bytes(data.replace(b"Other Office", b"Other 0ffice", 1))
        use_database(database.url)
        (seq,) = [s.entry.seq for s in log.entries(store, 0, 10) if "0ffice" in s.entry.publisher]
        report = verify_database(store)
        (problem,) = problems(report, seq, "leafHash")
        assert problem.subject.startswith(f"entry {seq} ")


# Snapshots


def rewrite_lines(path: Path, change) -> None:
    with gzip.open(path) as file:
        lines = file.read().splitlines()
    with gzip.open(path, "wb") as file:
        file.write(b"".join(line + b"\n" for line in change(lines)))


@pytest.fixture
def snapshot_dir(store, tmp_path) -> Path:
    signed_log(store)
    append(store, 3)  # not signed yet: the export signs a head that covers them
    target = tmp_path / "snapshot"
    export(store, target)
    return target


def test_a_snapshot_verifies(database, snapshot_dir):
    manifest = orjson.loads((snapshot_dir / "manifest.json").read_bytes())
    signed = manifest["log"]["signedTreeHead"]
    assert signed["treeSize"] >= 43 and signed["consistencyProof"]["first"] == 43
    result = openbook(database, "verify", "--no-progress", snapshot_dir)
    text = result.stdout.decode()
    assert "OK: nothing differs" in text
    assert "43 entries from log-entries.jsonl.gz and 43 releases" in text
    assert signed["keyId"] in text


def test_a_snapshot_with_a_changed_release_is_found(store, snapshot_dir):
    def change(lines):
        lines[9] = lines[9].replace(b'"tender"', b'"award"')
        return lines

    rewrite_lines(snapshot_dir / "releases.jsonl.gz", change)
    report = verify_snapshot(snapshot_dir)
    (body,) = problems(report, 9, "body")
    assert body.expected == stored_entry(store, 9).body_hash
    assert "releases.jsonl.gz line 10" in body.message
    (file,) = [p for p in report.problems if p.subject == "file releases.jsonl.gz"]
    assert file.field == "sha256"


def test_a_snapshot_with_a_changed_entry_is_found(database, snapshot_dir):
    def change(lines):
        lines[30] = lines[30].replace(b"Test Council", b"Test C0uncil")
        return lines

    rewrite_lines(snapshot_dir / "log-entries.jsonl.gz", change)
    result = openbook(database, "verify", "--no-progress", snapshot_dir, check=False)
    assert result.returncode == 1
    text = result.stdout.decode()
    assert "the tree head recomputed from the snapshot's entries is not the manifest's" in text
    assert "not proved to be a prefix of the signed tree head" in text
    assert "file log-entries.jsonl.gz: its content is not what the manifest lists" in text


def test_a_snapshot_whose_signed_head_was_replaced_is_found(snapshot_dir):
    path = snapshot_dir / "manifest.json"
    manifest = orjson.loads(path.read_bytes())
    signed = manifest["log"]["signedTreeHead"]
    size = signed["treeSize"]
    signed["checkpoint"] = signed["checkpoint"].replace(f"\n{size}\n", f"\n{size + 1}\n", 1)
    path.write_bytes(orjson.dumps(manifest))
    assert "does not verify" in verify_snapshot(snapshot_dir).as_text()
    manifest["log"]["signedTreeHead"] = None
    path.write_bytes(orjson.dumps(manifest))
    assert "carries no signed tree head" in verify_snapshot(snapshot_dir).as_text()


def test_a_directory_without_a_snapshot(database, tmp_path):
    report = verify_snapshot(tmp_path)
    assert not report.ok and "no snapshot here" in report.as_text()
    result = openbook(database, "verify", tmp_path / "missing", check=False)
    assert result.returncode == 2 and b"is not a directory" in result.stderr


# Remote logs, through the public API


class ThroughClient:
    """The remote openbook answered by the real views through Django's test client."""

    def __init__(self) -> None:
        self.client = Client()
        self.paths: list[str] = []

    def json(self, url: str):
        path = url.removeprefix(BASE)
        self.paths.append(path)
        response = self.client.get(path)
        if response.status_code != 200:
            raise SourceFailed(f"GET {url}: HTTP {response.status_code}")
        return orjson.loads(response.content)


def check_remote(tmp_path, against=None):
    return verify_remote(
        BASE, against=against, state=tmp_path / "verify-state.json", fetcher=ThroughClient()
    )


def test_a_remote_log_is_followed_from_head_to_head(store, tmp_path):
    signed_log(store)
    first = check_remote(tmp_path)
    assert first.ok, first.as_text()
    assert "no head of this log was seen before" in first.as_text()
    saved = orjson.loads((tmp_path / "verify-state.json").read_bytes())
    assert saved["logs"][BASE]["head"]["treeSize"] == 40
    append(store, 7)
    transparency.rotate_key(store)
    second = check_remote(tmp_path)
    assert second.ok, second.as_text()
    assert (
        "consistent with the head seen" in second.as_text() and "first seen now" in second.as_text()
    )


def test_a_remote_log_that_rewrote_its_history_is_found(store, tmp_path):
    signed_log(store)
    assert check_remote(tmp_path).ok
    entry = stored_entry(store, 5)
    forged = Entry(
        *(getattr(entry, name) for name in Entry.__slots__[:-2]), "Forger", entry.body_hash
    )
    tamper(
        store,
        (
            "UPDATE log_entry SET publisher = %s, leaf_hash = %s WHERE seq = %s",
            ["Forger", forged.leaf_hash(), 5],
        ),
        ("DELETE FROM tree_node", []),
        ("DELETE FROM tree_head", []),  # or the signer would refuse to sign a fork
    )
    append(store, 5)
    transparency.sign_tree_head(store)  # signs the rewritten log
    report = check_remote(tmp_path)
    assert not report.ok
    assert "not consistent with the head seen last time: the log rewrote its history" in (
        report.as_text()
    )
    saved = orjson.loads((tmp_path / "verify-state.json").read_bytes())
    assert saved["logs"][BASE]["head"]["treeSize"] == 40  # the bad head is not taken


def test_the_entry_a_remote_log_altered_is_found_against_a_snapshot(store, snapshot_dir, tmp_path):
    entry = stored_entry(store, 12)
    forged = Entry(
        *(getattr(entry, name) for name in Entry.__slots__[:-2]), "Forger", entry.body_hash
    )
    tamper(
        store,
        (
            "UPDATE log_entry SET publisher = %s, leaf_hash = %s WHERE seq = %s",
            ["Forger", forged.leaf_hash(), 12],
        ),
        ("DELETE FROM tree_head", []),  # or the signer would refuse to sign a fork
    )
    append(store, 5)
    transparency.sign_tree_head(store)  # the log signs on, over the altered entry
    fetcher = ThroughClient()
    report = verify_remote(
        BASE, against=snapshot_dir, state=tmp_path / "state.json", fetcher=fetcher
    )
    (problem,) = problems(report, 12, "leafHash")
    assert "has the entry the log signed (in its head of 43 entries" in problem.message
    assert "the remote log's entry was altered" in problem.message
    assert "its head of 48 entries" in problem.message and "rewrote its history" in problem.message
    assert problem.expected.startswith(entry.leaf_hash())
    assert problem.found.startswith(forged.leaf_hash())
    assert f"entry 12 (ocds {entry.record_key}" in problem.subject
    # Found with O(log n) proofs, not one per entry.
    assert len([p for p in fetcher.paths if "inclusion" in p]) <= 12


def test_an_altered_local_copy_is_found_against_the_remote_log(store, snapshot_dir, tmp_path):
    def change(lines):
        lines[21] = lines[21].replace(b"Test Council", b"Test C0uncil")
        return lines

    rewrite_lines(snapshot_dir / "log-entries.jsonl.gz", change)
    report = check_remote(tmp_path, against=snapshot_dir)
    (problem,) = problems(report, 21, "leafHash")
    assert "the local copy was altered" in problem.message


def test_a_key_the_remote_log_stopped_publishing_is_found(store, tmp_path):
    signed_log(store)
    assert check_remote(tmp_path).ok
    path = tmp_path / "verify-state.json"
    saved = orjson.loads(path.read_bytes())
    saved["logs"][BASE]["keys"]["0" * 64] = "A" * 43 + "="
    path.write_bytes(orjson.dumps(saved))
    report = check_remote(tmp_path)
    assert any("no longer does" in p.message for p in report.problems)


def test_a_remote_log_that_does_not_answer(store, tmp_path):
    report = check_remote(tmp_path)  # nothing signed: /api/log/tree-head answers 404
    assert not report.ok
    assert "did not answer as its API describes" in report.as_text()


def test_verify_a_served_openbook_over_http(database, tmp_path):
    store = database.store
    signed_log(store)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "OPENBOOK_DATABASE_URL": database.url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.2)
        state = tmp_path / "state.json"
        first = openbook(database, "verify", url, "--state", state, "--against", "database")
        assert b"OK: nothing differs" in first.stdout
        assert b"the local database: its first 40 entries are proved a prefix" in first.stdout
        append(store, 3)
        transparency.sign_tree_head(store)
        again = openbook(database, "verify", url, "--state", state, "--json")
        assert orjson.loads(again.stdout)["ok"]
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_verify_refuses_mixed_targets(database):
    result = openbook(database, "verify", "--against", "database", check=False)
    assert result.returncode == 2 and b"go with a URL" in result.stderr


def test_the_snapshot_entries_file_is_the_leaf_data(store, snapshot_dir):
    with gzip.open(snapshot_dir / "log-entries.jsonl.gz") as file:
        lines = file.read().splitlines()
    stored = log.entries(store, 0, len(lines))
    assert [hashlib.sha256(b"\x00" + line).hexdigest() for line in lines] == [
        s.leaf_hash for s in stored
    ]


# Pinned keys: trusted because the verifier holds them, not because the log lists them


def test_the_database_is_checked_against_pinned_keys(database, key_dir, tmp_path):
    store = database.store
    signed_log(store)
    listed = {key["keyId"]: key for key in transparency.public_keys(store)}
    published = tmp_path / "log-key.pem"
    published.write_text("".join(key["publicKeyPem"] for key in listed.values()))
    for pinned in (published, key_dir, key_dir / "current.key"):
        result = openbook(database, "verify", "--no-progress", "--key", pinned)
        assert b"OK: nothing differs" in result.stdout
        assert b"checked with the 1 pinned key(s)" in result.stdout
    # A key someone else holds: the heads the database records are not trusted.
    stranger = tmp_path / "stranger.pub"
    stranger.write_text(note.verifier_key("someone.else", note.public_bytes(STRANGER)) + "\n")
    result = openbook(database, "verify", "--no-progress", "--key", stranger, check=False)
    assert result.returncode == 1
    assert b"not among the pinned keys (--key)" in result.stdout
    assert problems(verify_database(store, pinned=_pin(STRANGER)), field="keyId")
    bad = openbook(database, "verify", "--key", tmp_path / "missing.pub", check=False)
    assert bad.returncode == 2 and b"cannot read the key" in bad.stderr


def test_a_key_swapped_in_the_database_is_found_with_pinned_keys(store, key_dir):
    signed_log(store)
    operator = transparency.public_keys(store)[0]["keyId"]
    # Someone with the database and a key of their own re-signs every head with it.
    public = note.public_bytes(STRANGER)
    rows = list(tree.heads(store))
    tamper(
        store,
        ("UPDATE signing_key SET public_key = %s", [public.hex()]),
        *(
            (
                "UPDATE tree_head SET checkpoint = %s WHERE id = %s",
                [_resigned(row.checkpoint, STRANGER), row.id],
            )
            for row in rows
        ),
    )
    assert verify_database(store).ok  # against its own keys, the database agrees with itself
    report = verify_database(store, pinned={operator: bytes.fromhex(_public_of(key_dir))})
    assert len(problems(report, field="keyId")) == len(rows)


def test_a_remote_log_is_checked_against_pinned_keys(store, key_dir, tmp_path):
    signed_log(store)
    pinned = signing_keys.pinned([key_dir])
    first = verify_remote(
        BASE, state=tmp_path / "state.json", fetcher=ThroughClient(), pinned=pinned
    )
    assert first.ok, first.as_text()
    # On first contact, a log signed by another key is not taken on trust.
    other = verify_remote(
        BASE, state=tmp_path / "other.json", fetcher=ThroughClient(), pinned=_pin(STRANGER)
    )
    (problem,) = problems(other, field="keyId")
    assert "not by one of the pinned keys" in problem.message
    assert not (tmp_path / "other.json").exists()  # nothing kept from it


STRANGER = note.load_private_key(bytes(range(100, 132)))


def _pin(key) -> dict[str, bytes]:
    public = note.public_bytes(key)
    return {note.key_id(public): public}


def _public_of(key_dir) -> str:
    return signing_keys.current(key_dir, create=False).public.hex()


def _resigned(signed: str, key) -> str:
    text, _ = note.parse(signed)
    return note.sign(text, text.split("\n", 1)[0], key)
