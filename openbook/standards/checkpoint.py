"""Signed tree heads and signed entry timestamps (docs/log-format.md): pure functions, no I/O.

A **signed tree head** is a checkpoint as C2SP tlog-checkpoint defines it
(https://c2sp.org/tlog-checkpoint), a signed note (openbook.standards.note) whose text is::

    <origin>
    <tree size, decimal>
    <root hash, base64>
    time <when it was signed: UTC, RFC 3339 with microseconds and Z, as log times are>

The time is an extension line (the fourth line), which checkpoint readers that do not know it
ignore. The key name of the signature is the origin.

A **signed entry timestamp** (SET) is openbook's promise, signed by the same key, that an entry
accepted at a log time will be in a signed tree head within the maximum merge delay (as
Certificate Transparency's SCT promises, RFC 9162 section 4.8). It is a signed note too, whose
second line is not a number, so that no checkpoint reader can take it for a tree head::

    openbook-entry-timestamp/v1
    origin <origin>
    seq <the entry's seq>
    leaf <the entry's leaf hash, hex>
    time <its log time>
    max-merge-delay <seconds>
"""

import base64
import binascii
import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from openbook.standards import note

ENTRY_TIMESTAMP = "openbook-entry-timestamp/v1"
_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
_HEX = re.compile(r"[0-9a-f]{64}")

Keys = dict[str, tuple[str, bytes]]  # key id: (key name, 32-byte public key)


class CheckpointError(note.NoteError):
    """A tree head or entry timestamp that is malformed, or is not what the key signed."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    time: str | None  # None for a checkpoint without openbook's time line

    def text(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root).decode()]
        if self.time is not None:
            lines.append(f"time {self.time}")
        return "\n".join(lines) + "\n"


def signed_tree_head(checkpoint: Checkpoint, key: Ed25519PrivateKey) -> str:
    """The checkpoint as a signed note, signed under its origin."""
    _check_origin(checkpoint.origin)
    return note.sign(checkpoint.text(), checkpoint.origin, key)


def parse_checkpoint(text: str) -> Checkpoint:
    """A checkpoint's text (without signatures), strictly as tlog-checkpoint defines it."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "":
        raise CheckpointError("a checkpoint has at least three lines, each ending in a newline")
    origin, size, root, *extensions = lines[:-1]
    if not origin:
        raise CheckpointError("the checkpoint's origin line is empty")
    if not _SIZE.fullmatch(size):
        raise CheckpointError(f"the tree size {size[:30]!r} is not a decimal number")
    try:
        root_hash = base64.b64decode(root, validate=True)
    except binascii.Error:
        raise CheckpointError(f"the root hash {root[:60]!r} is not base64") from None
    if len(root_hash) != 32:
        raise CheckpointError(f"the root hash is {len(root_hash)} bytes, not 32")
    if any(not line for line in extensions):
        raise CheckpointError("a checkpoint's extension lines are not empty")
    times = [line[5:] for line in extensions if line.startswith("time ")]
    if len(times) > 1 or (times and not _TIME.fullmatch(times[0])):
        raise CheckpointError("the checkpoint's time line is not one RFC 3339 UTC time")
    return Checkpoint(origin, int(size), root_hash, times[0] if times else None)


def verify_tree_head(signed: str, origin: str, keys: Keys) -> tuple[Checkpoint, str]:
    """The checkpoint of a signed tree head whose origin is ``origin`` and which one of these
    keys signed, and that key's id. Raises CheckpointError (or note.NoteError) saying why not."""
    text, kid = note.open_note(signed, keys)
    checkpoint = parse_checkpoint(text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"the tree head is from log {checkpoint.origin!r}, not {origin!r}")
    return checkpoint, kid


@dataclass(frozen=True, slots=True)
class EntryTimestamp:
    origin: str
    seq: int
    leaf_hash: bytes
    log_time: str
    max_merge_delay: int  # seconds

    def text(self) -> str:
        return (
            f"{ENTRY_TIMESTAMP}\norigin {self.origin}\nseq {self.seq}\n"
            f"leaf {self.leaf_hash.hex()}\ntime {self.log_time}\n"
            f"max-merge-delay {self.max_merge_delay}\n"
        )


def signed_entry_timestamp(timestamp: EntryTimestamp, key: Ed25519PrivateKey) -> str:
    """The promise as a signed note, signed under the log's origin."""
    _check_origin(timestamp.origin)
    if not _TIME.fullmatch(timestamp.log_time) or len(timestamp.leaf_hash) != 32:
        raise CheckpointError("an entry timestamp needs a log time and a 32-byte leaf hash")
    return note.sign(timestamp.text(), timestamp.origin, key)


def parse_entry_timestamp(text: str) -> EntryTimestamp:
    pattern = re.compile(
        rf"{re.escape(ENTRY_TIMESTAMP)}\norigin (\S+)\nseq (0|[1-9][0-9]{{0,18}})\n"
        r"leaf ([0-9a-f]{64})\ntime (\S+)\nmax-merge-delay (0|[1-9][0-9]{0,9})\n"
    )
    match = pattern.fullmatch(text)
    if not match or not _TIME.fullmatch(match.group(4)):
        raise CheckpointError("not an openbook entry timestamp (docs/log-format.md)")
    origin, seq, leaf, log_time, delay = match.groups()
    return EntryTimestamp(origin, int(seq), bytes.fromhex(leaf), log_time, int(delay))


def verify_entry_timestamp(signed: str, origin: str, keys: Keys) -> tuple[EntryTimestamp, str]:
    """The promise of a signed entry timestamp from log ``origin`` signed by one of these keys,
    and that key's id. Raises CheckpointError (or note.NoteError) saying why not."""
    text, kid = note.open_note(signed, keys)
    timestamp = parse_entry_timestamp(text)
    if timestamp.origin != origin:
        raise CheckpointError(
            f"the entry timestamp is from log {timestamp.origin!r}, not {origin!r}"
        )
    return timestamp, kid


def is_leaf_hash(value: str) -> bool:
    return bool(_HEX.fullmatch(value))


def _check_origin(origin: str) -> None:
    # The origin is also the key name, which may hold neither spaces nor '+'.
    note.check_name(origin)
