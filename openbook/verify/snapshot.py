"""``openbook verify DIR``: a snapshot made by ``openbook export`` (docs/downloads.md).

Every file's size and SHA-256 are checked against the manifest; every line of
``log-entries.jsonl.gz`` must be an entry's leaf data exactly (docs/log-format.md), and every
release in ``releases.jsonl.gz`` the body its entry names by SHA-256, as must every statement of
the other registers in ``statements/REGISTER.jsonl.gz`` (from format version 2; redacted ones,
listed in the manifest, verify by the hash their entry keeps). The tree is rebuilt from those
lines; its root must be the manifest's, and the signed tree head in the manifest must verify and
be proved consistent with it.
"""

import base64
import binascii
import gzip
import hashlib
import zlib
from collections.abc import Iterator
from pathlib import Path

import orjson

from openbook.export import manifest
from openbook.export.snapshot import LOG_ENTRIES, RELEASES, STATEMENTS
from openbook.standards import checkpoint, merkle, note
from openbook.standards.log import Entry
from openbook.verify.local import LocalTree
from openbook.verify.report import Report

PROGRESS_EVERY = 10_000
_FIELDS = {
    "v": int,
    "seq": int,
    "register": str,
    "recordKey": str,
    "statementId": str,
    "statementDate": str,
    "logTime": str,
    "publisher": str,
    "bodySha256": str,
}


class SnapshotUnreadable(Exception):
    """The directory holds no snapshot manifest openbook can read."""


def snapshot(directory: Path, progress=None, keys: checkpoint.Keys | None = None) -> Report:
    """Check a snapshot. ``keys`` are the keys to trust (by key id); without them, the key the
    manifest names is used, and the report says which it was, to compare with the platform's
    published keys."""
    report = Report(f"the snapshot in {directory}")
    local = recompute(directory, report, progress)
    try:
        if local is not None:
            _signed_head(local, report, keys)
    finally:
        if local is not None:
            local.tree.close()
    return report


class Recomputed:
    def __init__(self, directory: Path, found: manifest.Snapshot, tree: LocalTree) -> None:
        self.directory = directory
        self.manifest = found.manifest
        self.tree = tree

    def entry(self, seq: int) -> Entry | None:
        """Entry ``seq`` as the snapshot has it (read again: only its tree is kept)."""
        found = manifest.read(self.directory)
        if found is None:
            return None
        with found:
            for number, line in enumerate(_lines(found, LOG_ENTRIES, Report(""))):
                if number == seq:
                    fields = _leaf_fields(line)
                    return _entry(fields) if fields else None
        return None


def recompute(directory: Path, report: Report, progress=None) -> Recomputed | None:
    """The snapshot's tree rebuilt from its files, with every file and line checked; None if
    the directory holds no snapshot."""
    found = manifest.read(directory)
    if found is None:
        report.problem(str(directory), "no snapshot here: no manifest.json openbook can read")
        return None
    with found:
        _files(found, report)
        tree = LocalTree()
        _entries(found, tree, report, progress)
    recomputed = Recomputed(directory, found, tree)
    log = found.manifest.get("log") or {}
    head = log.get("treeHead") or {}
    if log.get("size") != tree.size:
        report.problem(
            "manifest.json",
            f"{LOG_ENTRIES} does not hold the log size the manifest gives",
            field="log.size",
            expected=f"{tree.size:,} (lines of {LOG_ENTRIES})",
            found=log.get("size"),
        )
    if head.get("rootHash") != tree.root().hex():
        report.problem(
            "manifest.json",
            "the tree head recomputed from the snapshot's entries is not the manifest's",
            field="log.treeHead.rootHash",
            expected=f"{tree.root().hex()} (recomputed)",
            found=head.get("rootHash"),
        )
    return recomputed


def _files(found: manifest.Snapshot, report: Report) -> None:
    for name, entry in sorted(found.files.items()):
        file = found.open(name)
        if file is None:
            report.problem(f"file {name}", "the manifest lists it, but it is not there")
            continue
        hasher, size = hashlib.sha256(), 0
        with file:
            while chunk := file.read(1 << 20):
                hasher.update(chunk)
                size += len(chunk)
        digest = hasher.hexdigest()
        if digest != entry.get("sha256"):
            report.problem(
                f"file {name}",
                "its content is not what the manifest lists",
                field="sha256",
                expected=entry.get("sha256"),
                found=digest,
            )
        elif size != entry.get("size"):
            report.problem(
                f"file {name}",
                "its size is not the manifest's",
                field="size",
                expected=entry.get("size"),
                found=size,
            )
    report.fact(f"{len(found.files)} files: sizes and SHA-256 against the manifest")


def _lines(found: manifest.Snapshot, name: str, report: Report) -> Iterator[bytes]:
    file = found.open(name)
    if file is None:
        report.problem(f"file {name}", "the snapshot has no such file")
        return
    try:
        with file, gzip.open(file) as lines:
            for line in lines:
                yield line.rstrip(b"\n")
    except (OSError, EOFError, zlib.error) as error:
        report.problem(f"file {name}", f"it is not a readable gzip file ({error})")


def _entries(found: manifest.Snapshot, tree: LocalTree, report: Report, progress) -> None:
    redacted = set((found.manifest.get("log") or {}).get("redactedEntries") or [])
    releases = _lines(found, RELEASES, report)
    release_line = 0
    version = found.manifest.get("formatVersion")
    statements = _Statements(found, report) if isinstance(version, int) and version >= 2 else None
    for number, line in enumerate(_lines(found, LOG_ENTRIES, report), start=1):
        where = f"{LOG_ENTRIES} line {number}"
        fields = _leaf_fields(line)
        if fields is None:
            report.problem(where, "not the leaf data of an entry (docs/log-format.md)")
            tree.add(hashlib.sha256(b"\x00" + line).digest())
            continue
        entry = _entry(fields)
        subject = (
            f"entry {entry.seq} ({entry.register} {entry.record_key} statement "
            f"{entry.statement_id!r})"
        )
        if entry.seq != tree.size:
            report.problem(
                subject,
                f"{where} is out of order",
                seq=entry.seq,
                field="seq",
                expected=tree.size,
                found=entry.seq,
            )
        if entry.leaf_data() != line:
            report.problem(
                subject,
                f"{where} is not in the canonical form of leaf data",
                seq=entry.seq,
                field="leaf data",
                expected=entry.leaf_data().decode(),
                found=line.decode(errors="replace"),
            )
        tree.add(hashlib.sha256(b"\x00" + line).digest())
        if entry.seq in redacted:
            pass
        elif entry.register == "ocds":
            release_line += 1
            body = next(releases, None)
            where = f"{RELEASES} line {release_line}"
            _body(entry, body, subject, RELEASES, where, report=report)
        elif statements is not None:
            statements.check(entry, subject)
        if progress is not None and tree.size % PROGRESS_EVERY == 0:
            progress.advance(PROGRESS_EVERY)
    extra = sum(1 for _ in releases)
    if extra:
        report.problem(
            f"file {RELEASES}",
            f"it has {extra:,} more releases than the log's entries name",
            field="releases",
            expected=f"{release_line:,}",
            found=f"{release_line + extra:,}",
        )
    report.fact(
        f"{tree.size:,} entries from {LOG_ENTRIES} and {release_line:,} releases from "
        f"{RELEASES} ({len(redacted):,} redacted: checked by their kept hash)"
    )
    if statements is None:
        report.fact(
            "the statements of the other registers are not in snapshots of format version 1: "
            "their entries are checked, their bodies are not"
        )
    else:
        statements.finish()


class _Statements:
    """The statements of the registers other than OCDS's, checked against their entries."""

    def __init__(self, found: manifest.Snapshot, report: Report) -> None:
        self.found = found
        self.report = report
        self.files: dict[str, tuple[Iterator[bytes], list[int]]] = {}

    def check(self, entry: Entry, subject: str) -> None:
        name = f"{STATEMENTS}/{entry.register}.jsonl.gz"
        if entry.register not in self.files:
            self.files[entry.register] = (_lines(self.found, name, self.report), [0])
        lines, count = self.files[entry.register]
        count[0] += 1
        where = f"{name} line {count[0]}"
        _body(entry, next(lines, None), subject, name, where, report=self.report)

    def finish(self) -> None:
        for register, (lines, count) in sorted(self.files.items()):
            extra = sum(1 for _ in lines)
            if extra:
                self.report.problem(
                    f"file {STATEMENTS}/{register}.jsonl.gz",
                    f"it has {extra:,} more statements than the log's entries name",
                    field="statements",
                    expected=f"{count[0]:,}",
                    found=f"{count[0] + extra:,}",
                )
        checked = ", ".join(
            f"{count[0]:,} {register}" for register, (_, count) in sorted(self.files.items())
        )
        self.report.fact(f"statements of the other registers checked: {checked or 'none'}")


def _entry(fields: dict) -> Entry:
    return Entry(*(fields[name] for name in list(_FIELDS)[1:]))


def _leaf_fields(line: bytes) -> dict | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict) or set(value) != set(_FIELDS):
        return None
    if any(type(value[name]) is not kind for name, kind in _FIELDS.items()):
        return None
    return value


def _body(
    entry: Entry, body: bytes | None, subject: str, name: str, where: str, *, report: Report
) -> None:
    if body is None:
        report.problem(
            subject,
            f"its statement is missing from {name}",
            seq=entry.seq,
            field="body",
            expected=f"a statement with SHA-256 {entry.body_hash}",
            found="none",
        )
        return
    digest = hashlib.sha256(body).hexdigest()
    if digest != entry.body_hash:
        report.problem(
            subject,
            f"{where} is not the statement logged: its SHA-256 is not the entry's bodySha256",
            seq=entry.seq,
            field="body",
            expected=entry.body_hash,
            found=digest,
        )


def _signed_head(local: Recomputed, report: Report, keys: checkpoint.Keys | None) -> None:
    signed = (local.manifest.get("log") or {}).get("signedTreeHead")
    if not isinstance(signed, dict):
        report.problem("manifest.json", "it carries no signed tree head (log.signedTreeHead)")
        return
    named = signed.get("key") or {}
    trusted = keys
    if trusted is None:
        try:
            public = _base64_key(named.get("publicKey"))
        except ValueError as error:
            report.problem("manifest.json", f"log.signedTreeHead.key: {error}")
            return
        trusted = {note.key_id(public): (str(named.get("name")), public)}
        report.fact(
            f"the signature with the key the snapshot names, {note.key_id(public)}: compare it "
            "with the platform's published keys (GET /api/log/keys)"
        )
    origin = next((name for name, _ in trusted.values()), "")
    try:
        head, key_id = checkpoint.verify_tree_head(str(signed.get("checkpoint")), origin, trusted)
    except note.NoteError as error:
        report.problem("manifest.json", f"its signed tree head does not verify: {error}")
        return
    proof = signed.get("consistencyProof") or {}
    path = _hashes(proof.get("consistencyPath"))
    size = local.tree.size
    if path is None or not merkle.verify_consistency(
        size, head.size, local.tree.root(), head.root, path
    ):
        report.problem(
            "manifest.json",
            f"the snapshot's {size:,} entries are not proved to be a prefix of the signed tree "
            f"head of {head.size:,} entries: the snapshot differs from what was signed",
            field="rootHash",
            expected=f"a tree consistent with {head.root.hex()} (signed, size {head.size:,})",
            found=f"{local.tree.root().hex()} (recomputed, size {size:,})",
        )
        return
    report.fact(
        f"the signed tree head of {head.size:,} entries ({head.time}, key {key_id[:16]}...) "
        f"verifies, and the snapshot's {size:,} entries are proved a prefix of it"
    )


def _base64_key(value: object) -> bytes:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except binascii.Error:
        raise ValueError("publicKey is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"publicKey is {len(raw)} bytes, not 32")
    return raw


def _hashes(values: object) -> list[bytes] | None:
    if not isinstance(values, list):
        return None
    try:
        hashes = [bytes.fromhex(value) for value in values if isinstance(value, str)]
    except ValueError:
        return None
    return hashes if len(hashes) == len(values) else None
