"""The log's entry format and its hashes (docs/log-format.md): pure functions, no I/O.

A log entry is hashed as a leaf of an RFC 9162 Merkle tree: ``SHA-256(0x00 || leaf data)``, where
the leaf data is the RFC 8785 canonical JSON of the entry's fields. The body is bound into the
entry by its own hash only, so that a body can be redacted without breaking any proof.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

ENTRY_VERSION = 1


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    register: str
    record_key: str
    statement_id: str
    statement_date: str
    log_time: str
    publisher: str
    body_hash: str

    def leaf_data(self) -> bytes:
        # Every value is a string or a small integer, for which RFC 8785 and orjson write the
        # same text; the keys are ASCII, so sorting them by code point is RFC 8785's order.
        # (tests/standards/test_log_format.py checks this against canonical_json.)
        return orjson.dumps(
            {
                "v": ENTRY_VERSION,
                "seq": self.seq,
                "register": self.register,
                "recordKey": self.record_key,
                "statementId": self.statement_id,
                "statementDate": self.statement_date,
                "logTime": self.log_time,
                "publisher": self.publisher,
                "bodySha256": self.body_hash,
            },
            option=orjson.OPT_SORT_KEYS,
        )

    def leaf_hash(self) -> str:
        return hashlib.sha256(b"\x00" + self.leaf_data()).hexdigest()


def format_log_time(moment: datetime) -> str:
    """Log time as stored and hashed: UTC, microseconds, ``Z``: 2026-11-29T05:33:53.123456Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
