"""Signed notes with Ed25519 keys (C2SP signed-note v1.0.0, https://c2sp.org/signed-note): pure
functions, no I/O.

A signed note is a text ending in a newline, a blank line, and signature lines
``— <key name> <base64(key hash || signature)>``. The signature covers the text including its
final newline. The key hash is the first four bytes of
``SHA-256(key name || 0x0A || 0x01 || 32-byte public key)`` (0x01: Ed25519). Tree heads
(openbook.standards.checkpoint) are notes, so the transparency-log ecosystem's tools (Go's
``golang.org/x/mod/sumdb/note``, sigsum, transparency-dev) check them as they are.

openbook names a key by its **key id**: the lowercase hex SHA-256 of its 32-byte public key
(docs/log-format.md), which, unlike the four-byte key hash, does not depend on the key name.
"""

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01  # the signature type byte of Ed25519 (signed-note, "Signature types")
DASH = "\u2014"  # em dash: every signature line starts with it and a space
MAX_SIGNATURES = 100  # the note spec asks verifiers to bound them (at least 16)
# ASCII control characters other than newline. signed-note v1.0.0 forbids those below U+0020;
# DEL (U+007F) is an ASCII control character too, and openbook neither signs nor reads it.
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_SPACE = re.compile(r"\s")


class NoteError(Exception):
    """A note that is malformed or does not verify; the message says which and why."""


class PrivateKeyError(Exception):
    """Bytes that are not an Ed25519 private key openbook can read."""


class PublicKeyError(Exception):
    """Text that is not the Ed25519 public keys openbook can read."""


def key_id(public_key: bytes) -> str:
    """openbook's id of a key: the hex SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(public_key).hexdigest()


def key_hash(name: str, public_key: bytes) -> bytes:
    """The note key hash: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([ED25519]) + public_key).digest()[:4]


def verifier_key(name: str, public_key: bytes) -> str:
    """The key as Go's note package reads it (``note.NewVerifier``):
    ``<name>+<hex key hash>+<base64(0x01 || public key)>``."""
    encoded = base64.b64encode(bytes([ED25519]) + public_key).decode()
    return f"{name}+{key_hash(name, public_key).hex()}+{encoded}"


def check_name(name: str) -> None:
    if not name or _SPACE.search(name) or "+" in name:
        raise NoteError(f"a key name must be non-empty, without spaces or '+': {name!r}")


def public_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """The private key as an unencrypted PKCS #8 PEM file (``openssl pkey`` reads it)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_key(data: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from a file's bytes: PEM (PKCS #8), or the raw 32-byte seed."""
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    if b"-----BEGIN" not in data:
        raise PrivateKeyError(
            f"{len(data)} bytes that are neither a PEM file nor a raw 32-byte Ed25519 key"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise PrivateKeyError(f"not a readable, unencrypted PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise PrivateKeyError(f"a {type(key).__name__}, not an Ed25519 key")
    return key


_PEM_PUBLIC = re.compile(r"-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----\n?", re.DOTALL)


def load_public_keys(text: str) -> list[bytes]:
    """The Ed25519 public keys (32 bytes each) in a file's text, as ``GET /api/log/keys`` gives
    them: PEM public keys (``publicKeyPem``; ``openssl pkey -pubout`` writes them), and, one a
    line, note verifier keys (``verifierKey``: ``<name>+<hex key hash>+<base64>``) or the
    base64 of a raw key (``publicKey``). Blank lines and lines starting with ``#`` are skipped."""
    keys = []
    for block in _PEM_PUBLIC.findall(text):
        try:
            key = serialization.load_pem_public_key(block.encode())
        except ValueError as error:
            raise PublicKeyError(f"a PEM public key that cannot be read ({error})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise PublicKeyError(f"a {type(key).__name__}, not an Ed25519 key")
        keys.append(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    for line in _PEM_PUBLIC.sub("", text).split("\n"):
        if line.strip() and not line.strip().startswith("#"):
            keys.append(_public_key_line(line.strip()))
    if not keys:
        raise PublicKeyError("no public key found")
    return keys


def _public_key_line(line: str) -> bytes:
    name, _, rest = line.partition("+")
    hash_hex, _, encoded = rest.partition("+")
    verifier = bool(encoded) and re.fullmatch(r"[0-9a-f]{8}", hash_hex) is not None
    try:
        raw = base64.b64decode(encoded if verifier else line, validate=True)
    except binascii.Error:
        raise PublicKeyError(f"neither a verifier key nor a base64 key: {line[:80]!r}") from None
    if verifier:
        if len(raw) != 33 or raw[0] != ED25519:
            raise PublicKeyError(f"not an Ed25519 verifier key: {line[:80]!r}")
        if key_hash(name, raw[1:]).hex() != hash_hex:
            raise PublicKeyError(f"the key hash of verifier key {line[:80]!r} is not its key's")
        return raw[1:]
    if len(raw) != 32:
        raise PublicKeyError(f"a base64 key of {len(raw)} bytes, not 32: {line[:80]!r}")
    return raw


def sign(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """The note: the text, a blank line, and its signature by this key under this name."""
    check_name(name)
    _check_text(text)
    signature = key.sign(text.encode())
    encoded = base64.b64encode(key_hash(name, public_bytes(key)) + signature).decode()
    return f"{text}\n{DASH} {name} {encoded}\n"


@dataclass(frozen=True, slots=True)
class Signature:
    name: str
    key_hash: bytes  # four bytes
    signature: bytes


def parse(note: str) -> tuple[str, list[Signature]]:
    """A note's text and its signature lines, without checking any signature."""
    if not isinstance(note, str) or not note.endswith("\n"):
        raise NoteError("a signed note ends with a newline")
    if _CONTROL.search(note):
        raise NoteError("a signed note holds no control characters other than newline")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("a signed note has a blank line between its text and its signatures")
    # Lines end at U+000A only, as in Go's note package: str.splitlines would also split at
    # U+0085, U+2028 and others, and so read a line Go rejects as two signature lines.
    text, lines = note[: split + 1], note[split + 2 :].split("\n")[:-1]
    if not lines:
        raise NoteError("the note has no signature lines")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has {len(lines)} signature lines; at most {MAX_SIGNATURES}")
    signatures = []
    for line in lines:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != DASH:
            raise NoteError(f"not a signature line: {line[:80]!r}")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise NoteError(f"the signature of {parts[1]!r} is not base64") from None
        if len(raw) < 5:
            raise NoteError(f"the signature of {parts[1]!r} is too short")
        signatures.append(Signature(parts[1], raw[:4], raw[4:]))
    return text, signatures


def open_note(note: str, keys: dict[str, tuple[str, bytes]]) -> tuple[str, str]:
    """The text of a note signed by one of these keys (by key id: (name, public key)), and the
    id of the key whose signature verified. As the note spec requires, signatures by unknown
    keys are ignored, a signature by a known key that fails rejects the note, and a note with
    no signature by a known key is rejected."""
    text, signatures = parse(note)
    known = {(name, key_hash(name, public)): (kid, public) for kid, (name, public) in keys.items()}
    verified = None
    for signature in signatures:
        match = known.get((signature.name, signature.key_hash))
        if match is None:
            continue
        kid, public = match
        try:
            Ed25519PublicKey.from_public_bytes(public).verify(signature.signature, text.encode())
        except InvalidSignature:
            raise NoteError(
                f"the signature by key {kid} ({signature.name}) does not verify: the note's text "
                "is not what that key signed"
            ) from None
        verified = verified or kid
    if verified is None:
        names = ", ".join(sorted({s.name for s in signatures}))
        raise NoteError(f"the note has no signature by a known key (signed by: {names})")
    return text, verified


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text or _CONTROL.search(text):
        raise NoteError(
            "a note's text ends with a newline and has no blank lines or control characters"
        )
