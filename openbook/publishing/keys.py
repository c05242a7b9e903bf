"""API keys: their form, how they are made, and the hash that is all the platform keeps.

A key reads ``obk_<key id>_<secret>``: the prefix makes a leaked key recognisable (secret
scanners match on it), the key id (12 characters, not secret) names it in lists and in the audit
trail, and the secret is 32 random bytes (256 bits, ``secrets.token_urlsafe``). The platform
keeps the SHA-256 of the whole key: a high-entropy secret needs no slow password hash, since no
one can guess it, and a fast hash keeps checking a key cheap on every request. Pure functions.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

PREFIX = "obk_"
SHARE_CODE_PREFIX = "obs_"  # a supplier's share code (openbook.suppliers) has the same form
KEY_ID_LENGTH = 12
_SECRET_BYTES = 32
_FORM = rf"([a-z2-7]{{{KEY_ID_LENGTH}}})_([A-Za-z0-9_-]{{43}})"
_ALPHABET = re.compile(r"[a-z2-7]+")


@dataclass(frozen=True, slots=True)
class NewKey:
    key_id: str
    key: str  # the whole key: shown once, never stored
    secret_hash: str


def new_key(prefix: str = PREFIX) -> NewKey:
    key_id = base64.b32encode(secrets.token_bytes(10)).decode().lower()[:KEY_ID_LENGTH]
    key = f"{prefix}{key_id}_{secrets.token_urlsafe(_SECRET_BYTES)}"
    return NewKey(key_id, key, hash_key(key))


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def key_id_of(key: str, prefix: str = PREFIX) -> str | None:
    """The key id of a well-formed key, or None if ``key`` is not of the form of one."""
    found = re.fullmatch(re.escape(prefix) + _FORM, key)
    return found.group(1) if found else None


def looks_like_key(text: str) -> bool:
    return key_id_of(text) is not None


def matches(key: str, secret_hash: str) -> bool:
    """Whether ``key`` is the key whose hash is stored, in constant time."""
    return hmac.compare_digest(hash_key(key), secret_hash)


def is_key_id(text: str) -> bool:
    return len(text) == KEY_ID_LENGTH and _ALPHABET.fullmatch(text) is not None
