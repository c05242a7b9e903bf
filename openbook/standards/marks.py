"""Withdrawal and redaction statements (docs/log-format.md, "Withdrawals and redactions"): what
their bodies hold, and the signed note that makes a redaction the platform's own act. Pure
functions, no I/O.

Both are statements in the log, never edits of one (DESIGN.md, principle 1): a **withdrawal**
(register ``withdrawals``) says that a statement was published in error, with the publisher's
reason; a **redaction** (register ``redactions``) says that a statement's body was removed, why
and on what legal authority. Each names the statement it is about by its seq, identity, leaf hash
and body hash, and is itself identified in its register by the record key of that statement and
its seq in decimal, so that (register, record key, statement id) stays unique: a statement is
withdrawn at most once and redacted at most once.

A redaction carries a signed note (C2SP signed-note, as tree heads are) by the log's signing key,
whose text is::

    openbook-redaction/v1
    origin <the log's origin>
    seq <the redacted entry's seq>
    leaf <its leaf hash, hex>
    body <its bodySha256, hex>
    time <when it was redacted>
    redaction <hex SHA-256 of the RFC 8785 canonical JSON of the body's "redaction" object>

The key lives outside the database, so a body NULLed by someone holding only the database cannot
be passed off as redacted: ``openbook verify`` wants this signature for every missing body.
"""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbook.standards import note
from openbook.standards.canonical import CanonicalizationError, canonical_json

WITHDRAWALS = "withdrawals"
REDACTIONS = "redactions"
REDACTION_NOTE = "openbook-redaction/v1"
# Reasons are shown with the record; a paragraph is plenty, and bounds what one request stores.
MAX_REASON = 2000  # characters
MAX_AUTHORITY = 500  # characters
_HEX = re.compile(r"[0-9a-f]{64}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_NOTE = re.compile(
    rf"{re.escape(REDACTION_NOTE)}\norigin (\S+)\nseq (0|[1-9][0-9]{{0,18}})\n"
    r"leaf ([0-9a-f]{64})\nbody ([0-9a-f]{64})\ntime (\S+)\nredaction ([0-9a-f]{64})\n"
)


class MarkError(Exception):
    """A withdrawal or redaction statement that is malformed or does not verify; the message
    says which part and why."""


@dataclass(frozen=True, slots=True)
class StatementRef:
    """The statement a withdrawal or redaction is about, as its log entry gives it."""

    seq: int
    register: str
    record_key: str
    statement_id: str
    leaf_hash: str
    body_hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "register": self.register,
            "recordKey": self.record_key,
            "statementId": self.statement_id,
            "leafHash": self.leaf_hash,
            "bodySha256": self.body_hash,
        }

    @classmethod
    def from_dict(cls, value: object) -> "StatementRef":
        found = _object(value, "statement")
        texts = [
            _text(found, name, "statement")
            for name in ("register", "recordKey", "statementId", "leafHash", "bodySha256")
        ]
        seq = found.get("seq")
        if type(seq) is not int or seq < 0:
            raise MarkError("statement.seq is not a log sequence number")
        if not all(_HEX.fullmatch(texts[i]) for i in (3, 4)):
            raise MarkError("statement.leafHash and bodySha256 are lowercase hex SHA-256")
        return cls(seq, *texts)


@dataclass(frozen=True, slots=True)
class Withdrawal:
    statement: StatementRef
    reason: str
    time: str  # log time format
    publisher: dict[str, str]  # the organisation that withdrew it: {"id", "name"}

    def body(self) -> bytes:
        return canonical_json(
            {
                "withdrawal": {
                    "statement": self.statement.as_dict(),
                    "reason": self.reason,
                    "time": self.time,
                    "publisher": self.publisher,
                }
            }
        )


def read_withdrawal(body: bytes) -> Withdrawal:
    """A withdrawal statement's body, as stored."""
    found = _object(_json(body), "body")
    inner = _object(found.get("withdrawal"), "withdrawal")
    publisher = _object(inner.get("publisher"), "withdrawal.publisher")
    return Withdrawal(
        StatementRef.from_dict(inner.get("statement")),
        _text(inner, "reason", "withdrawal"),
        _text(inner, "time", "withdrawal"),
        {key: str(value) for key, value in publisher.items()},
    )


@dataclass(frozen=True, slots=True)
class Redaction:
    statement: StatementRef
    reason: str
    authority: str | None  # the legal authority: a court order, an Act's section
    time: str  # log time format
    administrator: str  # who made it, as the audit trail names actors

    def as_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement.as_dict(),
            "reason": self.reason,
            "authority": self.authority,
            "time": self.time,
            "administrator": self.administrator,
        }

    def digest(self) -> str:
        """What the signed note commits to: the SHA-256 of the canonical ``redaction`` object."""
        return hashlib.sha256(canonical_json(self.as_dict())).hexdigest()

    def note_text(self, origin: str) -> str:
        return (
            f"{REDACTION_NOTE}\norigin {origin}\nseq {self.statement.seq}\n"
            f"leaf {self.statement.leaf_hash}\nbody {self.statement.body_hash}\n"
            f"time {self.time}\nredaction {self.digest()}\n"
        )


@dataclass(frozen=True, slots=True)
class SignedRedaction:
    redaction: Redaction
    signed_note: str
    key_id: str  # of the key whose signature verified (or signed)

    def body(self) -> bytes:
        return canonical_json(
            {
                "redaction": self.redaction.as_dict(),
                "signature": {"keyId": self.key_id, "signedNote": self.signed_note},
            }
        )


def sign_redaction(redaction: Redaction, origin: str, key: Ed25519PrivateKey) -> SignedRedaction:
    """The redaction with its note, signed under the log's origin (the key name, as for heads)."""
    if not _TIME.fullmatch(redaction.time):
        raise MarkError(f"a redaction's time is a log time, not {redaction.time!r}")
    signed = note.sign(redaction.note_text(origin), origin, key)
    return SignedRedaction(redaction, signed, note.key_id(note.public_bytes(key)))


def read_redaction(body: bytes) -> SignedRedaction:
    """A redaction statement's body, as stored, without checking its signature."""
    found = _object(_json(body), "body")
    inner = _object(found.get("redaction"), "redaction")
    signature = _object(found.get("signature"), "signature")
    authority = inner.get("authority")
    if authority is not None and not isinstance(authority, str):
        raise MarkError("redaction.authority is text or null")
    redaction = Redaction(
        StatementRef.from_dict(inner.get("statement")),
        _text(inner, "reason", "redaction"),
        authority,
        _text(inner, "time", "redaction"),
        _text(inner, "administrator", "redaction"),
    )
    return SignedRedaction(
        redaction,
        _text(signature, "signedNote", "signature"),
        _text(signature, "keyId", "signature"),
    )


def verify_redaction(body: bytes, keys: dict[str, tuple[str, bytes]]) -> SignedRedaction:
    """A redaction statement whose note one of these keys (key id: (name, public key)) signed,
    and which says what its ``redaction`` object says. Raises MarkError (or note.NoteError)
    saying why not. The returned key id is the one whose signature verified."""
    signed = read_redaction(body)
    text, key_id = note.open_note(signed.signed_note, keys)
    match = _NOTE.fullmatch(text)
    if not match:
        raise MarkError("the signed note is not an openbook redaction (docs/log-format.md)")
    origin, seq, leaf, body_hash, time, digest = match.groups()
    redaction = signed.redaction
    if origin != keys[key_id][0]:
        raise MarkError(f"the note is from log {origin!r}, but signed as {keys[key_id][0]!r}")
    said = (int(seq), leaf, body_hash, time, digest)
    meant = (
        redaction.statement.seq,
        redaction.statement.leaf_hash,
        redaction.statement.body_hash,
        redaction.time,
        redaction.digest(),
    )
    if said != meant:
        names = ("seq", "leaf", "body", "time", "redaction")
        differing = [name for name, a, b in zip(names, said, meant, strict=True) if a != b]
        raise MarkError(
            f"the signed note does not say what the statement does ({', '.join(differing)} differ)"
        )
    return SignedRedaction(redaction, signed.signed_note, key_id)


class ReasonError(MarkError):
    """A reason (or legal authority) that cannot be recorded: ``code`` is stable."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_reason(reason: object, *, most: int = MAX_REASON, name: str = "reason") -> str:
    """A reason as given, stripped: text, not blank, at most ``most`` characters, without
    control characters other than newlines and tabs."""
    if not isinstance(reason, str):
        raise ReasonError(f"{name}-missing", f"{name} must be given, as text")
    reason = reason.strip()
    if not reason:
        raise ReasonError(
            f"{name}-missing", f"{name} is empty: say why, in words a member of the public reads"
        )
    if len(reason) > most:
        raise ReasonError(
            f"{name}-too-long", f"{name} is {len(reason):,} characters; at most {most:,}"
        )
    if any(ord(c) < 32 and c not in "\n\t" for c in reason) or "\x7f" in reason:
        raise ReasonError(f"{name}-invalid", f"{name} holds control characters")
    try:
        canonical_json(reason)
    except CanonicalizationError:
        raise ReasonError(
            f"{name}-invalid", f"{name} is not valid Unicode text (it holds a lone surrogate)"
        ) from None
    return reason


def _json(body: bytes) -> object:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MarkError("the body is not JSON") from None


def _object(value: object, where: str) -> dict:
    if not isinstance(value, dict):
        raise MarkError(f"{where} is not an object")
    return value


def _text(value: dict, name: str, where: str) -> str:
    found = value.get(name)
    if not isinstance(found, str):
        raise MarkError(f"{where}.{name} is not text")
    return found
