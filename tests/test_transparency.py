"""The verifiable log on SQLite and PostgreSQL: signed tree heads, proofs from the stored
subtrees, signed entry timestamps, and signing keys in files (openbook.transparency)."""

import base64
import os
import signal
import stat
from argparse import Namespace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from openbook import signing_keys, transparency
from openbook.standards import checkpoint, merkle, note
from openbook.store import log, tree
from openbook.verify import database as verify_database
from tests.conftest import reuse
from tests.factories import create_release, create_statement
from tests.standards.test_merkle import reference_path, reference_proof, reference_root
from tests.test_cli import openbook

ORIGIN = "test.openbook.example/log"


def keys_in(directory: Path, patch: pytest.MonkeyPatch) -> Path:
    """``directory`` as the key directory, holding a key, as the first `openbook log sign`
    leaves it (the first head signed records it in the database), and the log's origin
    (``patch`` sets the environment)."""
    patch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(directory))
    patch.setenv("OPENBOOK_LOG_ORIGIN", ORIGIN)
    signing_keys.current(directory, create=True)
    return directory


@pytest.fixture
def key_dir(tmp_path, monkeypatch) -> Path:
    """A key directory of the test's own (``keys_in``)."""
    return keys_in(tmp_path / "keys", monkeypatch)


@pytest.fixture
def log_key(store) -> signing_keys.SigningKey:
    """The log's key recorded in the database, as the first `openbook log sign` leaves it: the
    requests that sign (entry timestamps, redactions) never make nor record one."""
    return transparency.signer_key(store, create=True)


def append(store, count: int, publisher: str = "Test Council", now=None) -> list[int]:
    """Append ``count`` releases (three to a process) after those already in the log."""
    start = log.log_size(store)
    statements = [
        create_statement(create_release(f"ocds-tlog-{(start + i) // 3:05d}", str(start + i)))
        for i in range(count)
    ]
    return [seq for _, seq in log.append(store, "ocds", statements, publisher, now=now).entries]


def recomputed_leaves(store) -> list[bytes]:
    """Every leaf hash, recomputed from the entries' fields (not the stored leaf hashes)."""
    return [bytes.fromhex(s.entry.leaf_hash()) for s in log.entries(store, 0, 10**9)]


def opened(store, head: dict) -> checkpoint.Checkpoint:
    """The head's checkpoint, verified with the keys the database records."""
    found, kid = checkpoint.verify_tree_head(
        head["checkpoint"], ORIGIN, transparency.keys_by_id(store)
    )
    assert kid == head["keyId"]
    return found


def test_proofs_verify_for_every_sequence_at_several_sizes(store, key_dir):
    heads = {}
    for size in (1, 2, 3, 7, 8, 255, 256, 257, 300, 513):
        append(store, size - log.log_size(store))
        head = transparency.sign_tree_head(store)
        leaves = recomputed_leaves(store)
        assert head["treeSize"] == size
        assert opened(store, head).root == reference_root(leaves) == bytes.fromhex(head["rootHash"])
        heads[size] = head
    leaves = recomputed_leaves(store)
    assert tree.node_count(store, 8) == 2  # 513 leaves: two complete blocks of 256
    for size, head in heads.items():
        root = bytes.fromhex(head["rootHash"])
        every = range(size) if size <= 300 else range(0, size, 7)
        for seq in every:
            proof = transparency.inclusion_proof(store, seq, size)
            path = [bytes.fromhex(value) for value in proof["auditPath"]]
            assert path == reference_path(seq, leaves[:size]), (seq, size)
            assert proof["leafHash"] == leaves[seq].hex()
            assert merkle.verify_inclusion(leaves[seq], seq, size, path, root)
    sizes = sorted(heads)
    for first in [0, *sizes]:
        for second in sizes:
            if first > second:
                continue
            proof = transparency.consistency_proof(store, first, second)
            path = [bytes.fromhex(value) for value in proof["consistencyPath"]]
            assert path == reference_proof(first, leaves[:second])
            old = bytes.fromhex(heads[first]["rootHash"]) if first else merkle.EMPTY_ROOT
            new = bytes.fromhex(heads[second]["rootHash"])
            assert merkle.verify_consistency(first, second, old, new, path)
    # Proofs at sizes between signed heads come with the root they prove.
    proof = transparency.inclusion_proof(store, 100, 400)
    assert proof["rootHash"] == reference_root(leaves[:400]).hex()


def test_signing_is_idempotent_and_continues_from_the_stored_subtrees(store, key_dir):
    append(store, 600)
    first = transparency.sign_tree_head(store)
    assert transparency.sign_tree_head(store) == first  # nothing new: the same head
    assert transparency.latest_tree_head(store) == first
    assert tree.node_count(store, 8) == 2
    append(store, 100)
    second = transparency.sign_tree_head(store)
    assert second["rootHash"] == reference_root(recomputed_leaves(store)).hex()
    assert tree.node_count(store, 8) == 2  # extended over the new entries only


def test_a_head_that_would_fork_the_log_is_not_signed(store, key_dir):
    from tests.test_verify import tamper

    append(store, 600)
    first = transparency.sign_tree_head(store)
    # Spoil the stored node over entries 0-255 (around the application): the next head would
    # be built on it, and would not extend the signed one.
    tamper(store, ("UPDATE tree_node SET hash = %s WHERE height = 8 AND position = 0", ["0" * 64]))
    append(store, 100)
    with pytest.raises(transparency.ForkRefused) as refused:
        transparency.sign_tree_head(store)
    message = str(refused.value)
    assert "over 700 entries" in message and "600 entries" in message
    assert first["rootHash"] in message and "openbook verify" in message
    assert transparency.latest_tree_head(store) == first  # nothing signed
    # Refreshing the same size is refused too: its root is not the signed one any more.
    later = datetime.now(UTC) + transparency.REFRESH * 2
    with pytest.raises(transparency.ForkRefused):
        transparency.sign_tree_head(store, now=later)
    # verify finds the spoilt node.
    report = verify_database(store)
    assert any("height 8, position 0" in (p.field or "") for p in report.problems)


def test_a_rewritten_leaf_hash_below_the_head_is_not_signed_over(database, key_dir):
    from tests.test_verify import tamper

    store = database.store
    append(store, 20)
    first = transparency.sign_tree_head(store)
    tamper(store, ("UPDATE log_entry SET leaf_hash = %s WHERE seq = %s", ["ab" * 32, 5]))
    append(store, 3)
    with pytest.raises(transparency.ForkRefused, match=f"root {first['rootHash']}"):
        transparency.sign_tree_head(store)
    refused = openbook(database, "log", "sign", check=False)
    assert refused.returncode == 1
    assert b"refusing to sign a tree head over 23 entries" in refused.stderr
    assert b"Traceback" not in refused.stderr


def test_a_head_whose_stored_root_was_changed_does_not_decide(store, key_dir):
    from tests.test_verify import tamper

    append(store, 20)
    first = transparency.sign_tree_head(store)
    tamper(store, ("UPDATE log_entry SET leaf_hash = %s WHERE seq = %s", ["ab" * 32, 5]))
    # The root column made to match the rewritten log: the signed checkpoint still decides.
    forged = merkle.range_hash(transparency.StoredSubtrees(store), 0, 20).hex()
    tamper(store, ("UPDATE tree_head SET root_hash = %s", [forged]))
    append(store, 3)
    with pytest.raises(transparency.ForkRefused, match=first["rootHash"]):
        transparency.sign_tree_head(store)


def test_a_head_is_signed_again_once_a_day_even_with_nothing_new(store, key_dir):
    append(store, 5)
    now = datetime.now(UTC)
    first = transparency.sign_tree_head(store, now=now)
    assert transparency.sign_tree_head(store, now=now + timedelta(hours=23)) == first
    later = transparency.sign_tree_head(store, now=now + timedelta(hours=25))
    assert later != first
    assert (later["treeSize"], later["rootHash"]) == (first["treeSize"], first["rootHash"])
    assert later["timestamp"] > first["timestamp"]


def test_a_head_is_never_dated_before_what_it_covers(store, key_dir):
    # An entry accepted by a server whose clock ran ahead: the head is not dated before it.
    ahead = datetime.now(UTC) + timedelta(hours=2)
    append(store, 3, now=ahead)
    head = transparency.sign_tree_head(store)
    last = log.entries(store, 2, 3)[0].entry.log_time
    assert head["timestamp"] >= last
    assert opened(store, head).time == head["timestamp"]


def test_an_empty_log_has_a_signed_head_too(store, key_dir):
    head = transparency.sign_tree_head(store)
    assert (head["treeSize"], head["rootHash"]) == (0, merkle.EMPTY_ROOT.hex())
    assert opened(store, head).size == 0


def test_signed_heads_verify_with_the_key_and_fail_with_another_or_altered(store, key_dir):
    append(store, 10)
    head = transparency.sign_tree_head(store)
    keys = transparency.keys_by_id(store)
    assert opened(store, head).size == 10
    # The JSON's signature is the note's, without its key hash.
    _, signatures = note.parse(head["checkpoint"])
    assert head["signature"] == base64.b64encode(signatures[0].signature).decode()
    other = note.load_private_key(bytes(32))
    public = note.public_bytes(other)
    with pytest.raises(note.NoteError, match="no signature by a known key"):
        checkpoint.verify_tree_head(
            head["checkpoint"], ORIGIN, {note.key_id(public): (ORIGIN, public)}
        )
    altered = head["checkpoint"].replace("\n10\n", "\n11\n")
    with pytest.raises(note.NoteError, match="does not verify"):
        checkpoint.verify_tree_head(altered, ORIGIN, keys)
    root = head["checkpoint"].split("\n")[2]
    forged = head["checkpoint"].replace(root, root[::-1], 1)
    with pytest.raises(note.NoteError):
        checkpoint.verify_tree_head(forged, ORIGIN, keys)


def test_key_rotation_keeps_old_heads_verifiable(store, key_dir):
    append(store, 20)
    old_head = transparency.sign_tree_head(store)
    old_key = signing_keys.current()
    rotated = transparency.rotate_key(store)
    assert rotated["retiredKeyId"] == old_key.key_id == old_head["keyId"]
    new_head = rotated["treeHead"]
    # Signed at once with the new key, over the same entries.
    assert new_head["keyId"] == rotated["keyId"] != old_key.key_id
    assert (new_head["treeSize"], new_head["rootHash"]) == (20, old_head["rootHash"])
    listed = {key["keyId"]: key for key in transparency.public_keys(store)}
    assert listed[old_key.key_id]["status"] == "retired"
    assert listed[old_key.key_id]["retired"] is not None
    assert listed[rotated["keyId"]]["status"] == "current"
    assert opened(store, old_head).size == opened(store, new_head).size == 20
    # The old private key is kept apart, private, and never signs again.
    kept = key_dir / "retired" / f"{old_key.key_id}.key"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    append(store, 5)
    assert transparency.sign_tree_head(store)["keyId"] == rotated["keyId"]
    assert verify_database(store).ok
    # Putting the retired key back as the current one is refused.
    kept.replace(key_dir / signing_keys.CURRENT)
    with pytest.raises(transparency.TransparencyError, match="was retired"):
        transparency.sign_tree_head(store)


def test_the_origin_cannot_change_under_a_key(store, key_dir, monkeypatch):
    transparency.sign_tree_head(store)
    monkeypatch.setenv("OPENBOOK_LOG_ORIGIN", "elsewhere.example/log")
    with pytest.raises(transparency.TransparencyError, match="rotate-key"):
        transparency.sign_tree_head(store)
    rotated = transparency.rotate_key(store)  # a new key signs as the new origin
    assert rotated["treeHead"]["checkpoint"].startswith("elsewhere.example/log\n")


def test_a_signed_entry_timestamp_is_a_kept_promise(store, key_dir, log_key, monkeypatch):
    monkeypatch.setenv("OPENBOOK_MAX_MERGE_DELAY", "30")
    append(store, 3)
    stamp = transparency.entry_timestamp(store, 1)
    entry = log.entries(store, 1, 2)[0]
    assert stamp["seq"] == 1
    assert stamp["leaf_hash"] == entry.leaf_hash == entry.entry.leaf_hash()
    assert stamp["log_time"] == entry.entry.log_time
    assert stamp["max_merge_delay"] == 30
    assert stamp["key_id"] == signing_keys.current().key_id
    promise = transparency.verify_entry_timestamp(store, stamp["signed_note"])
    assert (promise.seq, promise.leaf_hash.hex(), promise.log_time) == (
        1,
        stamp["leaf_hash"],
        stamp["log_time"],
    )
    with pytest.raises(note.NoteError):
        transparency.verify_entry_timestamp(store, stamp["signed_note"].replace("seq 1", "seq 2"))
    # The promise is kept: the next head includes the entry, provably.
    head = transparency.sign_tree_head(store)
    proof = transparency.inclusion_proof(store, 1, head["treeSize"])
    assert merkle.verify_inclusion(
        promise.leaf_hash,
        1,
        head["treeSize"],
        [bytes.fromhex(value) for value in proof["auditPath"]],
        opened(store, head).root,
    )
    with pytest.raises(transparency.NoSuchEntry):
        transparency.entry_timestamp(store, 3)


def test_proofs_are_asked_for_within_the_signed_tree(store, key_dir):
    append(store, 10)
    with pytest.raises(transparency.NoTreeHead):
        transparency.inclusion_proof(store, 0, 1)
    transparency.sign_tree_head(store)
    append(store, 5)  # not signed yet
    with pytest.raises(transparency.BadProofRequest, match="tree_size: 15 is more"):
        transparency.inclusion_proof(store, 0, 15)
    with pytest.raises(transparency.BadProofRequest, match="sequence: 10 is not an entry"):
        transparency.inclusion_proof(store, 10, 10)
    with pytest.raises(transparency.BadProofRequest, match="first: 8 is more than second"):
        transparency.consistency_proof(store, 8, 5)
    with pytest.raises(transparency.BadProofRequest, match="negative"):
        transparency.consistency_proof(store, 0, -1)


def test_private_keys_live_only_in_private_files(store, key_dir):
    append(store, 3)
    transparency.sign_tree_head(store)
    transparency.entry_timestamp(store, 0)
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    path = key_dir / signing_keys.CURRENT
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    pem = path.read_bytes()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    private = note.load_private_key(pem).private_bytes_raw()
    with store.cursor() as cursor:
        cursor.execute("SELECT key_id, public_key, name FROM signing_key")
        rows = cursor.fetchall()
        cursor.execute("SELECT checkpoint FROM tree_head")
        rows += cursor.fetchall()
    text = repr(rows)
    assert private.hex() not in text
    assert base64.b64encode(private).decode() not in text
    assert rows[0][1] == signing_keys.current().public.hex()


@pytest.fixture
def unsigned(shared_database):
    """An empty log, never signed, on one database a kind for the keys refused: each checks
    that nothing was signed nor any key recorded, so that none leaves anything for the next."""
    store = reuse(shared_database).store
    assert tree.signing_keys(store) == []
    return store


@pytest.mark.parametrize(
    ("content", "mode", "reason"),
    [
        (b"not a key at all", 0o600, "not an Ed25519 private key"),
        (
            b"-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n",
            0o600,
            "not an Ed25519 private key",
        ),
        (b"", 0o600, "not an Ed25519 private key"),
        (bytes(range(32)), 0o644, "chmod 600"),
        (bytes(range(32)), 0o640, "mode 0640"),
        (bytes(range(32)), 0o660, "mode 0660"),
        (bytes(range(32)), 0o700, "mode 0700"),
    ],
)
def test_a_corrupted_or_open_key_file_is_refused(unsigned, key_dir, content, mode, reason):
    path = key_dir / signing_keys.CURRENT
    path.write_bytes(content)
    path.chmod(mode)
    with pytest.raises(signing_keys.SigningKeyError, match=reason):
        transparency.sign_tree_head(unsigned)
    assert tree.latest_head(unsigned) is None
    assert tree.signing_keys(unsigned) == []


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_a_raw_32_byte_key_file_signs(store, key_dir, mode):
    path = key_dir / signing_keys.CURRENT
    path.write_bytes(bytes(range(32)))
    path.chmod(mode)
    head = transparency.sign_tree_head(store)
    assert head["keyId"] == "56475aa75463474c0285df5dbf2bcab73da651358839e9b77481b2eab107708c"


def test_a_key_file_of_another_user_is_refused(store, key_dir, monkeypatch):
    monkeypatch.setattr(signing_keys.os, "geteuid", lambda: os.getuid() + 1)
    with pytest.raises(signing_keys.SigningKeyError, match="belongs to user"):
        transparency.sign_tree_head(store)
    assert tree.latest_head(store) is None


@pytest.mark.parametrize("mode", [0o770, 0o702, 0o777])
def test_a_key_in_a_directory_others_may_write_is_refused(unsigned, key_dir, mode):
    key_dir.chmod(mode)
    try:
        with pytest.raises(signing_keys.SigningKeyError, match="may be written by others"):
            transparency.sign_tree_head(unsigned)
    finally:
        key_dir.chmod(0o700)
    assert tree.latest_head(unsigned) is None
    assert tree.signing_keys(unsigned) == []


def test_log_sign_and_rotate_key_commands(database, key_dir):
    append(database.store, 4)
    (key_dir / signing_keys.CURRENT).unlink()  # the first signing makes the log's key
    signed = openbook(database, "log", "sign")
    assert b"tree head over 4 entries" in signed.stdout
    assert stat.S_IMODE((key_dir / signing_keys.CURRENT).stat().st_mode) == 0o600
    rotated = openbook(database, "log", "rotate-key").stdout.decode()
    assert "now signs" in rotated and "is retired" in rotated
    (key_dir / signing_keys.CURRENT).write_bytes(b"garbage")
    failed = openbook(database, "log", "sign", check=False)
    assert failed.returncode == 1
    assert b"is not an Ed25519 private key" in failed.stderr
    assert b"Traceback" not in failed.stderr


def test_an_export_without_a_usable_key_says_why(store, key_dir, tmp_path):
    from openbook.export import ExportError, export

    append(store, 3)
    (key_dir / signing_keys.CURRENT).write_bytes(b"garbage")
    (key_dir / signing_keys.CURRENT).chmod(0o600)
    with pytest.raises(ExportError, match="cannot carry a signed tree head: the signing key"):
        export(store, tmp_path / "snapshot")
    assert not (tmp_path / "snapshot").exists()


def test_requests_never_make_or_record_a_key(store, key_dir, tmp_path, monkeypatch):
    append(store, 3)
    # Before the first `openbook log sign`, the log has no key: a request makes none.
    with pytest.raises(transparency.KeyMismatch, match="first `openbook log sign`"):
        transparency.entry_timestamp(store, 0)
    assert tree.signing_keys(store) == []
    operator = transparency.sign_tree_head(store)["keyId"]
    # A server pointed at an empty key directory: refused, no key made, the log's key kept.
    empty = tmp_path / "empty"
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(empty))
    for request in (transparency.entry_timestamp, lambda s, _: transparency.signing_key(s)):
        with pytest.raises(transparency.KeyMismatch, match=f"current key is {operator}"):
            request(store, 0)
    assert not empty.exists()
    # ...or at a directory holding another key: refused, and the log's key stays current.
    other = tmp_path / "other"
    stranger = signing_keys.current(other, create=True)
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(other))
    with pytest.raises(transparency.KeyMismatch, match="OPENBOOK_SIGNING_KEY_DIR"):
        transparency.entry_timestamp(store, 0)
    # The signer does not take it either, nor make one in an empty directory.
    with pytest.raises(transparency.KeyMismatch, match=f"its current key is {operator}"):
        transparency.sign_tree_head(store, create_key=True)
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(empty))
    with pytest.raises(transparency.KeyMismatch, match="no signing key at"):
        transparency.sign_tree_head(store, create_key=True)
    assert not empty.exists()
    assert [(k.key_id, k.retired_time) for k in tree.signing_keys(store)] == [(operator, None)]
    assert stranger.key_id != operator
    # Back in the right directory, requests sign with the operator's key.
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(key_dir))
    assert transparency.entry_timestamp(store, 0)["key_id"] == operator


def test_log_sign_refuses_another_key_directory(database, key_dir, tmp_path):
    append(database.store, 2)
    openbook(database, "log", "sign")
    elsewhere = {"OPENBOOK_SIGNING_KEY_DIR": str(tmp_path / "elsewhere")}
    refused = openbook(database, "log", "sign", check=False, env_extra=elsewhere)
    assert refused.returncode == 1
    assert b"point OPENBOOK_SIGNING_KEY_DIR at the directory" in refused.stderr
    assert not (tmp_path / "elsewhere").exists()


def test_log_sign_every_reports_a_failure_and_tries_again(store, key_dir, monkeypatch, capsys):
    from openbook import cli_log

    append(store, 3)
    path = key_dir / signing_keys.CURRENT
    good = path.read_bytes()
    path.write_bytes(b"garbage")  # being replaced, say
    ticks = []

    def sleep(seconds):
        ticks.append(seconds)
        if len(ticks) == 1:
            path.write_bytes(good)
        else:
            os.kill(os.getpid(), signal.SIGTERM)  # systemd stops the service

    monkeypatch.setattr(cli_log, "_store", lambda: store)
    monkeypatch.setattr(cli_log.time, "sleep", sleep)
    before = signal.getsignal(signal.SIGTERM)
    assert cli_log._sign(Namespace(every=5.0, json=False)) == 0
    assert signal.getsignal(signal.SIGTERM) is before
    out, err = capsys.readouterr()
    assert "is not an Ed25519 private key" in err and "; trying again in 5 seconds\n" in err
    assert "tree head over 3 entries" in out
    assert err.rstrip().endswith("openbook log sign: stopped")
    assert ticks == [5.0, 5.0]
