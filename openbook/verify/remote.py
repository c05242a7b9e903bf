"""``openbook verify URL``: a remote openbook's log, through its public API
(``/api/log/keys``, ``/api/log/tree-head``, ``/api/log/proof/...``; docs/api.md).

The latest signed head must verify with a key the log publishes; keys seen before must still be
published unchanged; and the head must be proved consistent with the last head seen from that
log, which a small state file keeps (``verify-state.json`` in the data directory). With
``against``, a local copy of the log (a snapshot, or a database holding the same log) is
checked against the signed head too, and where they differ, the first entry that differs is
found with O(log n) inclusion proofs (each proof reveals the remote's hash of a subtree, which is
compared with the local copy's, and the search goes down the half that differs).
"""

import base64
import binascii
import fcntl
import os
from collections.abc import Callable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import orjson

from openbook import config
from openbook.harvest.exceptions import SourceFailed
from openbook.harvest.fetch import Fetcher, Politeness
from openbook.standards import checkpoint, merkle, note
from openbook.standards.log import Entry
from openbook.store import log, tree
from openbook.store.database import Store
from openbook.verify import snapshot as snapshots
from openbook.verify.local import LocalTree
from openbook.verify.report import Report

STATE_FILE = "verify-state.json"


class _Unanswered(Exception):
    """The remote did not answer a request as its API describes."""


def remote(
    url: str,
    *,
    against: Store | Path | None = None,
    state: Path | None = None,
    progress=None,
    fetcher: Any = None,
    pinned: dict[str, bytes] | None = None,
) -> Report:
    """With ``pinned`` (public keys by key id, from ``--key``), the head must be signed by one of
    them: neither the keys the log lists nor those seen before are trusted on their own."""
    base = url.rstrip("/")
    report = Report(f"the log at {base}")
    fetch = fetcher or Fetcher(Politeness(timeout=30.0, retries=2, backoff=1.0))
    saved = _SavedState(state or config.data_dir() / STATE_FILE, base)
    previous = saved.read()

    def get(path: str, **query: int) -> Any:
        address = f"{base}/api/log/{path}" + (f"?{urlencode(query)}" if query else "")
        try:
            return fetch.json(address)
        except SourceFailed as error:
            raise _Unanswered(str(error)) from None

    try:
        keys = _keys(get("keys"), previous, report)
        head = _head(get("tree-head"), keys, previous, report, pinned)
        if head is not None:
            seen = _since_last_time(get, head, previous, report)
            if against is not None:
                known = [head, *([seen] if seen else [])]
                _against(get, against, known=known, keys=keys, report=report, progress=progress)
    except _Unanswered as error:
        report.problem(base, f"the log did not answer as its API describes: {error}")
        return report
    if report.ok and head is not None:
        saved.write(
            {
                "origin": head.origin,
                "keys": {kid: base64.b64encode(key).decode() for kid, (_, key) in keys.items()},
                "head": {
                    "treeSize": head.size,
                    "rootHash": head.root.hex(),
                    "timestamp": head.time,
                },
                "checked": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return report


def _keys(answer: Any, previous: dict | None, report: Report) -> checkpoint.Keys:
    listed = answer.get("keys") if isinstance(answer, dict) else None
    if not isinstance(listed, list):
        raise _Unanswered("/api/log/keys has no list of keys")
    keys: checkpoint.Keys = {}
    for item in listed:
        if not isinstance(item, dict):
            raise _Unanswered("/api/log/keys lists something that is not a key")
        try:
            public = base64.b64decode(str(item.get("publicKey")), validate=True)
        except binascii.Error:
            public = b""
        kid = str(item.get("keyId"))
        if len(public) != 32 or note.key_id(public) != kid:
            report.problem(
                f"key {kid}",
                "its key id is not the SHA-256 of its public key",
                field="keyId",
                expected=note.key_id(public) if len(public) == 32 else "a 32-byte public key",
                found=kid,
            )
            continue
        keys[kid] = (str(item.get("name")), public)
    pinned = (previous or {}).get("keys", {})
    for kid, public_text in pinned.items():
        if kid not in keys:
            report.problem(
                f"key {kid}",
                "the log published this key before and no longer does: a retired key stays "
                "published, so that the heads it signed can be checked",
            )
        elif base64.b64encode(keys[kid][1]).decode() != public_text:
            report.problem(f"key {kid}", "the log now publishes another public key for it")
    new = sorted(set(keys) - set(pinned))
    report.fact(
        f"{len(keys)} published key{'s' if len(keys) != 1 else ''}"
        + (f"; first seen now: {', '.join(k[:16] + '...' for k in new)}" if new else "")
    )
    return keys


def _head(
    answer: Any,
    keys: checkpoint.Keys,
    previous: dict | None,
    report: Report,
    pinned: dict[str, bytes] | None = None,
) -> checkpoint.Checkpoint | None:
    signed = answer.get("checkpoint") if isinstance(answer, dict) else None
    if not isinstance(signed, str):
        raise _Unanswered("/api/log/tree-head has no checkpoint")
    origin = (previous or {}).get("origin")
    if origin is None:
        origin = signed.split("\n", 1)[0]
    try:
        head, kid = checkpoint.verify_tree_head(signed, origin, keys)
    except note.NoteError as error:
        report.problem("the latest tree head", f"it does not verify: {error}")
        return None
    if pinned is not None and kid not in pinned:  # the listed key ids are checked hashes
        report.problem(
            "the latest tree head",
            "it is signed by a key the log lists, but not by one of the pinned keys (--key)",
            field="keyId",
            expected=f"one of {', '.join(sorted(pinned))}",
            found=kid,
        )
        return None
    for name, served, in_signed in (
        ("treeSize", answer.get("treeSize"), head.size),
        ("rootHash", answer.get("rootHash"), head.root.hex()),
        ("timestamp", answer.get("timestamp"), head.time),
        ("keyId", answer.get("keyId"), kid),
    ):
        if served != in_signed:
            report.problem(
                "the latest tree head",
                "the JSON says otherwise than the signed checkpoint",
                field=name,
                expected=in_signed,
                found=served,
            )
    report.fact(
        f"the latest tree head ({head.size:,} entries, {head.time}) verifies with key "
        f"{kid[:16]}... of log {head.origin}"
    )
    return head


def _since_last_time(
    get: Callable, head: checkpoint.Checkpoint, previous, report
) -> checkpoint.Checkpoint | None:
    """The head seen last time, once the latest is proved consistent with it."""
    seen = (previous or {}).get("head")
    if not seen:
        report.fact("no head of this log was seen before: it is kept for next time")
        return None
    size, root = int(seen["treeSize"]), bytes.fromhex(seen["rootHash"])
    last = checkpoint.Checkpoint(head.origin, size, root, seen.get("timestamp"))
    subject = f"the log since {seen.get('timestamp')} ({size:,} entries)"
    if head.size < size:
        report.problem(
            subject,
            "the log has fewer entries than it had: entries were removed",
            field="treeSize",
            expected=f"at least {size:,}",
            found=f"{head.size:,}",
        )
        return last
    proof = _hashes(get("proof/consistency", first=size, second=head.size), "consistencyPath")
    if not merkle.verify_consistency(size, head.size, root, head.root, proof):
        report.problem(
            subject,
            "the latest head is not consistent with the head seen last time: the log rewrote "
            "its history",
            field="rootHash",
            expected=f"a tree extending {root.hex()} (size {size:,})",
            found=f"{head.root.hex()} (size {head.size:,})",
        )
        return last
    report.fact(f"consistent with the head seen on {seen.get('timestamp')} ({size:,} entries)")
    return last


def _against(
    get: Callable,
    against: Store | Path,
    *,
    known: list[checkpoint.Checkpoint],
    keys: checkpoint.Keys,
    report: Report,
    progress,
) -> None:
    """Compare a local copy with the remote's latest head (``known[0]``); ``known`` holds every
    signed head of this log at hand, to tell which side changed where they differ."""
    head = known[0]
    if isinstance(against, Path):
        recomputed = snapshots.recompute(against, report, progress)
        if recomputed is None:
            return
        local, entry = recomputed.tree, recomputed.entry
        name = f"the snapshot in {against}"
        own = _snapshot_head(recomputed.manifest, head.origin, keys)
        if own is not None:
            known = [*known, own]
    else:
        local = _database_tree(against)
        entry = lambda seq: _database_entry(against, seq)  # noqa: E731
        name = "the local database"
    try:
        size = min(local.size, head.size)
        local_root = local.root(size)
        if size == head.size:
            agrees = local_root == head.root
        else:
            proof = _hashes(
                get("proof/consistency", first=size, second=head.size), "consistencyPath"
            )
            agrees = merkle.verify_consistency(size, head.size, local_root, head.root, proof)
        if agrees:
            report.fact(
                f"{name}: its first {size:,} entries are proved a prefix of the signed head"
            )
            return
        _locate(get, local, entry=entry, size=size, known=known, name=name, report=report)
    finally:
        local.close()


def _snapshot_head(
    manifest: dict, origin: str, keys: checkpoint.Keys
) -> checkpoint.Checkpoint | None:
    """The head a snapshot carries, if the remote log's keys verify it."""
    signed = ((manifest.get("log") or {}).get("signedTreeHead") or {}).get("checkpoint")
    try:
        return checkpoint.verify_tree_head(str(signed), origin, keys)[0]
    except note.NoteError:
        return None


def _locate(
    get: Callable,
    local: LocalTree,
    *,
    entry,
    size: int,
    known: list[checkpoint.Checkpoint],
    name: str,
    report: Report,
) -> None:
    """The first entry where the local copy and the remote differ, by descending into the half
    of each subtree whose hashes differ; then which of the two the log's signed heads hold."""

    def remote_range(start: int, end: int) -> bytes:
        for probe in (end, start - 1):
            if 0 <= probe < size and (start, end) in merkle.inclusion_ranges(probe, size):
                ranges = merkle.inclusion_ranges(probe, size)
                path = _hashes(get("proof/inclusion", sequence=probe, tree_size=size), "auditPath")
                if len(path) != len(ranges):
                    raise _Unanswered(f"an inclusion proof for {probe} has the wrong length")
                return path[ranges.index((start, end))]
        raise _Unanswered(f"no proof shows the subtree {start} to {end}")

    start, end = 0, size
    while end - start > 1:
        k = merkle.split_point(end - start)
        if remote_range(start, start + k) != merkle.range_hash(local.subtree, start, start + k):
            end = start + k
        else:
            start += k
    seq = start
    theirs = remote_range(seq, seq + 1) if size > 1 else None
    ours = local.leaves(seq, seq + 1)[0]
    holding: list[str] = []
    not_holding: list[str] = []
    for head in known:
        if head.size <= seq:
            continue
        path = _hashes(get("proof/inclusion", sequence=seq, tree_size=head.size), "auditPath")
        signed = merkle.verify_inclusion(ours, seq, head.size, path, head.root)
        (holding if signed else not_holding).append(f"{head.size:,} entries, {head.time}")
    found = entry(seq)
    described = (
        f"entry {seq} ({found.register} {found.record_key} statement {found.statement_id!r})"
        if found
        else f"entry {seq}"
    )
    if holding:
        message = (
            f"{name} has the entry the log signed (in its head of {holding[0]}), but the log "
            "now serves another: the remote log's entry was altered"
        )
        if not_holding:
            message += (
                f"; and its head of {not_holding[0]} was signed over the altered entry: the log "
                "rewrote its history"
            )
    else:
        message = (
            f"{name} and the log differ here, and {name}'s entry is not the one the log "
            "signed: the local copy was altered"
        )
    report.problem(
        described,
        message,
        seq=seq,
        field="leafHash",
        expected=f"{ours.hex()} ({name})",
        found=f"{theirs.hex() if theirs else 'another'} (the remote log)",
    )


def _database_tree(store: Store) -> LocalTree:
    local = LocalTree()
    for row in tree.audit_entries(store):
        if row.seq != local.size:
            break
        entry = Entry(*(getattr(row, name) for name in Entry.__slots__))
        local.add(bytes.fromhex(entry.leaf_hash()))
    return local


def _database_entry(store: Store, seq: int) -> Entry | None:
    found = log.entries(store, seq, seq + 1)
    return found[0].entry if found else None


def _hashes(answer: Any, name: str) -> list[bytes]:
    values = answer.get(name) if isinstance(answer, dict) else None
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise _Unanswered(f"a proof without its {name}")
    try:
        hashes = [bytes.fromhex(value) for value in values]
    except ValueError:
        raise _Unanswered(f"a proof whose {name} is not hex") from None
    return hashes


class _SavedState:
    """The keys and the last head seen of each remote log, in one small JSON file."""

    def __init__(self, path: Path, log_url: str) -> None:
        self.path = path
        self.log_url = log_url

    def read(self) -> dict | None:
        with self._locked():
            return self._all().get(self.log_url)

    def write(self, value: dict) -> None:
        with self._locked():
            logs = self._all()
            logs[self.log_url] = value
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            temporary.write_bytes(
                orjson.dumps({"version": 1, "logs": logs}, option=orjson.OPT_INDENT_2)
            )
            temporary.replace(self.path)

    def _all(self) -> dict:
        try:
            data = orjson.loads(self.path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return {}
        logs = data.get("logs") if isinstance(data, dict) else None
        return logs if isinstance(logs, dict) else {}

    @contextmanager
    def _locked(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(f".{self.path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)
