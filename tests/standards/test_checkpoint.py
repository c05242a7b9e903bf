"""Signed notes, signed tree heads and signed entry timestamps (C2SP signed-note and
tlog-checkpoint): byte for byte what Go's note package writes, the vectors published in
docs/log-format.md, and refusals of anything altered or signed by another key."""

import base64
import re

import pytest

from openbook.standards import checkpoint, note
from tests.standards.test_log_format import PAGE

ORIGIN = "example.gov.uk/openbook"
TEST_KEY = note.load_private_key(bytes(range(32)))
TEST_PUBLIC = note.public_bytes(TEST_KEY)
KEYS = {note.key_id(TEST_PUBLIC): (ORIGIN, TEST_PUBLIC)}

# golang.org/x/mod/sumdb/note, note_test.go: a key, a text and the note Go signs with them.
GO_SIGNER_SEED = base64.b64decode("AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")[1:]
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
GO_NOTE = (
    GO_TEXT + "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p"
    "ZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def _block(kind: str) -> str:
    match = re.search(rf"```{kind}\n(.*?)```", PAGE, re.DOTALL)
    assert match, f"docs/log-format.md has no {kind} block"
    return match.group(1)


def _vector(label: str) -> str:
    match = re.search(rf"- {label}: `([^`]+)`", PAGE)
    assert match, f"docs/log-format.md has no vector '{label}'"
    return match.group(1)


def test_a_note_is_signed_byte_for_byte_as_go_signs_it():
    key = note.load_private_key(GO_SIGNER_SEED)
    assert note.sign(GO_TEXT, "PeterNeumann", key) == GO_NOTE
    public = note.public_bytes(key)
    assert note.verifier_key("PeterNeumann", public) == GO_VERIFIER
    text, kid = note.open_note(GO_NOTE, {note.key_id(public): ("PeterNeumann", public)})
    assert (text, kid) == (GO_TEXT, note.key_id(public))


def test_the_key_vectors_in_log_format_md():
    assert TEST_PUBLIC.hex() == _vector("public key")
    assert note.key_id(TEST_PUBLIC) == _vector("key id")
    assert note.verifier_key(ORIGIN, TEST_PUBLIC) == _vector("verifier key")
    name, key_hash, encoded = _vector("verifier key").split("+", 2)  # base64 may hold "+"
    assert key_hash == note.key_hash(name, TEST_PUBLIC).hex()
    assert base64.b64decode(encoded) == b"\x01" + TEST_PUBLIC


def test_the_checkpoint_vector_in_log_format_md():
    signed = _block("checkpoint")
    head, kid = checkpoint.verify_tree_head(signed, ORIGIN, KEYS)
    assert kid == note.key_id(TEST_PUBLIC)
    assert head.size == 7
    assert head.root.hex() == "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"
    assert head.time == "2026-11-29T12:00:00.000000Z"
    # Ed25519 is deterministic: signing the same head again gives the same note.
    assert checkpoint.signed_tree_head(head, TEST_KEY) == signed


def test_the_entry_timestamp_vector_in_log_format_md():
    signed = _block("entry-timestamp")
    promise, _ = checkpoint.verify_entry_timestamp(signed, ORIGIN, KEYS)
    assert promise == checkpoint.EntryTimestamp(
        ORIGIN,
        6,
        bytes.fromhex("b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f"),
        "2026-11-29T11:59:30.250000Z",
        60,
    )
    assert checkpoint.signed_entry_timestamp(promise, TEST_KEY) == signed
    # Never taken for a tree head, nor a tree head for it.
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.verify_tree_head(signed, ORIGIN, KEYS)
    with pytest.raises(checkpoint.CheckpointError):
        checkpoint.verify_entry_timestamp(_block("checkpoint"), ORIGIN, KEYS)


def head() -> str:
    return checkpoint.signed_tree_head(
        checkpoint.Checkpoint(ORIGIN, 7, bytes(32), "2026-11-29T12:00:00.000000Z"), TEST_KEY
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: s.replace("\n7\n", "\n8\n"), "does not verify"),
        (lambda s: s.replace("12:00:00", "12:00:01"), "does not verify"),
        (lambda s: s.replace(ORIGIN + "\n", "example.gov.uk/other\n", 1), "does not verify"),
        (lambda s: s.replace("\u2014 example.gov.uk/openbook", "\u2014 someone.else"), "no "),
        (lambda s: s[:-10] + "AAAAAAAAA\n", "does not verify"),
        (lambda s: s.replace("\n\n", "\n"), "blank line"),
        (lambda s: s[:-1], "ends with a newline"),
        (lambda s: s.replace("time", "ti\x07me"), "control"),
        (lambda s: s.rsplit("\n\n", 1)[0] + "\n\n", "no signature lines"),
        (lambda s: s.replace("\u2014 ", "-- "), "not a signature line"),
    ],
)
def test_an_altered_head_is_refused(change, reason):
    with pytest.raises(note.NoteError, match=reason):
        checkpoint.verify_tree_head(change(head()), ORIGIN, KEYS)


def test_a_head_signed_by_another_key_is_refused():
    other = note.load_private_key(bytes(range(1, 33)))
    signed = checkpoint.signed_tree_head(
        checkpoint.Checkpoint(ORIGIN, 7, bytes(32), "2026-11-29T12:00:00.000000Z"), other
    )
    with pytest.raises(note.NoteError, match="no signature by a known key"):
        checkpoint.verify_tree_head(signed, ORIGIN, KEYS)
    # A key with the same name and the same four-byte hash but another public key is the
    # attack the note spec mentions: it gets a verification failure, never acceptance.
    public = note.public_bytes(other)
    both = {**KEYS, note.key_id(public): (ORIGIN, public)}
    assert checkpoint.verify_tree_head(signed, ORIGIN, both)[1] == note.key_id(public)


def test_a_head_of_another_log_is_refused():
    with pytest.raises(checkpoint.CheckpointError, match="not 'example\\.gov\\.uk/elsewhere'"):
        checkpoint.verify_tree_head(head(), "example.gov.uk/elsewhere", KEYS)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("origin\n007\nAAAA\n", "not a decimal"),
        ("origin\n7\nnot base64!\n", "not base64"),
        ("origin\n7\nAAAA\n", "not 32"),
        ("\n7\n" + base64.b64encode(bytes(32)).decode() + "\n", "origin line is empty"),
        ("origin\n7\n", "at least three lines"),
        ("origin\n7\n" + base64.b64encode(bytes(32)).decode() + "\ntime yesterday\n", "time"),
    ],
)
def test_malformed_checkpoints(text, reason):
    with pytest.raises(checkpoint.CheckpointError, match=reason):
        checkpoint.parse_checkpoint(text)


def test_extension_lines_and_heads_without_a_time_are_read():
    root = base64.b64encode(bytes(32)).decode()
    found = checkpoint.parse_checkpoint(f"example.com/log\n0\n{root}\nsome extension\n")
    assert (found.size, found.time) == (0, None)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"short", "neither a PEM file"),
        (b"-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n", "PEM"),
    ],
)
def test_unreadable_private_keys(data, reason):
    with pytest.raises(note.PrivateKeyError, match=reason):
        note.load_private_key(data)


def test_private_keys_read_as_pem_or_raw():
    pem = note.private_key_pem(TEST_KEY)
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert note.public_bytes(note.load_private_key(pem)) == TEST_PUBLIC
    assert note.public_bytes(note.load_private_key(bytes(range(32)))) == TEST_PUBLIC


def test_key_names_are_checked():
    for name in ("", "has space", "has+plus"):
        with pytest.raises(note.NoteError, match="key name"):
            note.sign("text\n", name, TEST_KEY)


def test_del_is_refused_as_the_other_control_characters_are():
    with pytest.raises(note.NoteError, match="control"):
        note.sign("origin\x7f\n", ORIGIN, TEST_KEY)
    with pytest.raises(note.NoteError, match="control"):
        checkpoint.verify_tree_head(head().replace("time", "ti\x7fme"), ORIGIN, KEYS)


@pytest.mark.parametrize("separator", ["\u0085", "\u2028", "\u2029"])
def test_signature_lines_end_at_a_newline_only(separator):
    # Go's note package splits at U+000A alone: a line joined by another line break is one
    # malformed line, never two signatures.
    other = note.load_private_key(bytes(range(1, 33)))
    signed = head()
    text, ours = signed.rsplit("\n\n", 1)
    theirs = note.sign(text + "\n", "someone.else", other).rsplit("\n\n", 1)[1]
    joined = f"{text}\n\n{theirs.rstrip()}{separator}{ours}"
    with pytest.raises(note.NoteError, match="not a signature line"):
        note.parse(joined)
    with pytest.raises(note.NoteError):
        checkpoint.verify_tree_head(joined, ORIGIN, KEYS)
    # Joined by newlines, they are two signatures, and ours verifies.
    assert len(note.parse(f"{text}\n\n{theirs}{ours}")[1]) == 2


def test_public_keys_are_read_as_the_log_publishes_them():
    from cryptography.hazmat.primitives import serialization

    pem = (
        TEST_KEY.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    verifier = note.verifier_key(ORIGIN, TEST_PUBLIC)
    raw = base64.b64encode(TEST_PUBLIC).decode()
    assert note.load_public_keys(pem) == [TEST_PUBLIC]
    assert note.load_public_keys(f"# the log's key\n{verifier}\n\n{raw}\n") == [TEST_PUBLIC] * 2
    name, _, encoded = verifier.split("+", 2)
    for bad, reason in [
        (f"{name}+00000000+{encoded}", "key hash"),
        ("not a key", "neither"),
        (base64.b64encode(bytes(31)).decode(), "31 bytes"),
        ("", "no public key"),
    ]:
        with pytest.raises(note.PublicKeyError, match=reason):
            note.load_public_keys(bad)
