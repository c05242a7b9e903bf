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
        return leaf_data(
            (
                self.seq,
                self.register,
                self.record_key,
                self.statement_id,
                self.statement_date,
                self.log_time,
                self.publisher,
                self.body_hash,
            )
        )

    def leaf_hash(self) -> str:
        return hashlib.sha256(b"\x00" + self.leaf_data()).hexdigest()


# An entry's leaf data and hash from its fields, in Entry's order: a frozen
# dataclass costs about 1,500 instructions a field to build (object.__setattr__), and an
# append builds one an entry only to hash it (issue 6).
def leaf_data(fields: tuple[int, str, str, str, str, str, str, str]) -> bytes:
    seq, register, record_key, statement_id, statement_date, log_time, publisher, body_hash = fields
    # Every value is a string or a small integer, for which RFC 8785 and orjson write the
    # same text; the keys are ASCII, so sorting them by code point is RFC 8785's order.
    # (tests/standards/test_log_format.py checks this against canonical_json.)
    return orjson.dumps(
        {
            "v": ENTRY_VERSION,
            "seq": seq,
            "register": register,
            "recordKey": record_key,
            "statementId": statement_id,
            "statementDate": statement_date,
            "logTime": log_time,
            "publisher": publisher,
            "bodySha256": body_hash,
        },
        option=orjson.OPT_SORT_KEYS,
    )


def leaf_hash(fields: tuple[int, str, str, str, str, str, str, str]) -> str:
    return hashlib.sha256(b"\x00" + leaf_data(fields)).hexdigest()


def format_log_time(moment: datetime) -> str:
    """Log time as stored and hashed: UTC, microseconds, ``Z``: 2026-11-29T05:33:53.123456Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
