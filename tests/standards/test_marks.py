"""Withdrawal and redaction statements (openbook.standards.marks): the redaction vector published
in docs/log-format.md, byte for byte, and refusals of anything altered, forged or malformed."""

import hashlib
import re

import orjson
import pytest

from openbook.standards import marks, note
from tests.standards.test_checkpoint import KEYS, ORIGIN, TEST_KEY
from tests.standards.test_log_format import PAGE

REDACTION = marks.Redaction(
    marks.StatementRef(
        0,
        "ocds",
        "ocds-test-001",
        "1",
        "a6442dd9eb0a09d92146e4529dc688325c9e08b936b4e9d27c8d2428523d8fbc",
        "8d1fdc727903ba9ace2ea7a5a79f7538e5a193cc92f818c8fce94d1b5da48cb3",
    ),
    "Personal data: the home address of a sole trader",
    "UK GDPR, Article 17(1)",
    "2026-11-30T09:00:00.000000Z",
    "cli:operator",
)


def _block(kind: str) -> str:
    match = re.search(rf"```{kind}\n(.*?)```", PAGE, re.DOTALL)
    assert match, f"docs/log-format.md has no {kind} block"
    return match.group(1)


def test_the_redaction_vector_in_log_format_md():
    signed = marks.sign_redaction(REDACTION, ORIGIN, TEST_KEY)
    # Ed25519 is deterministic: the note and the body are the page's, byte for byte.
    assert signed.signed_note == _block("redaction-note")
    body = _block("redaction-body").rstrip("\n").encode()
    assert signed.body() == body
    assert hashlib.sha256(body).hexdigest() in PAGE
    assert REDACTION.digest() in _block("redaction-note")
    verified = marks.verify_redaction(body, KEYS)
    assert verified.redaction == REDACTION
    assert verified.key_id == note.key_id(note.public_bytes(TEST_KEY))


def _altered(change) -> bytes:
    value = orjson.loads(marks.sign_redaction(REDACTION, ORIGIN, TEST_KEY).body())
    change(value)
    return orjson.dumps(value)


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        # What the note commits to, changed in the statement: the note no longer says it.
        (lambda v: v["redaction"].update(reason="another reason"), "redaction differ"),
        (lambda v: v["redaction"].update(administrator="key:someone"), "redaction differ"),
        (lambda v: v["redaction"]["statement"].update(seq=1), "seq, redaction differ"),
        (
            lambda v: v["redaction"]["statement"].update(bodySha256="0" * 64),
            "body, redaction differ",
        ),
        (lambda v: v["redaction"].update(time="2026-12-01T00:00:00.000000Z"), "time"),
        # The note itself altered: its signature fails.
        (
            lambda v: v["signature"].update(
                signedNote=v["signature"]["signedNote"].replace("seq 0", "seq 9")
            ),
            "does not verify",
        ),
        # Not a redaction at all.
        (lambda v: v.pop("signature"), "signature is not an object"),
        (lambda v: v["redaction"]["statement"].update(seq=-1), "sequence number"),
        (lambda v: v["redaction"].update(authority=7), "authority is text or null"),
    ],
)
def test_an_altered_redaction_does_not_verify(change, refusal):
    with pytest.raises((marks.MarkError, note.NoteError), match=refusal):
        marks.verify_redaction(_altered(change), KEYS)


def test_a_redaction_signed_by_another_key_does_not_verify():
    other = note.load_private_key(bytes(range(1, 33)))
    forged = marks.sign_redaction(REDACTION, ORIGIN, other).body()
    with pytest.raises(note.NoteError, match="no signature by a known key"):
        marks.verify_redaction(forged, KEYS)
    # Nor an entry timestamp or a checkpoint passed off as a redaction's note.
    value = orjson.loads(marks.sign_redaction(REDACTION, ORIGIN, TEST_KEY).body())
    value["signature"]["signedNote"] = note.sign("openbook-entry-timestamp/v1\n", ORIGIN, TEST_KEY)
    with pytest.raises(marks.MarkError, match="not an openbook redaction"):
        marks.verify_redaction(orjson.dumps(value), KEYS)


def test_a_withdrawal_reads_back_as_written():
    withdrawal = marks.Withdrawal(
        REDACTION.statement,
        "Published in error",
        "2026-11-30T09:00:00.000000Z",
        {"id": "GB-GOR-PB425", "name": "Example Council"},
    )
    assert marks.read_withdrawal(withdrawal.body()) == withdrawal
    with pytest.raises(marks.MarkError):
        marks.read_withdrawal(b'{"withdrawal": {"reason": "x"}}')


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        (None, "reason-missing"),
        (12, "reason-missing"),
        ("   ", "reason-missing"),
        ("x" * (marks.MAX_REASON + 1), "reason-too-long"),
        ("a\x00b", "reason-invalid"),
        ("a\x1bb", "reason-invalid"),
        ("a\ud800b", "reason-invalid"),
    ],
)
def test_a_reason_must_be_plain_text_of_a_bounded_length(reason, code):
    with pytest.raises(marks.ReasonError) as refused:
        marks.check_reason(reason)
    assert refused.value.code == code


def test_a_reason_is_kept_as_written_but_for_surrounding_space():
    assert marks.check_reason("  Two lines:\nthe second\twith a tab ") == (
        "Two lines:\nthe second\twith a tab"
    )
    assert marks.check_reason("x" * marks.MAX_REASON) == "x" * marks.MAX_REASON
