"""A snapshot's manifest and checksums (docs/downloads.md), and reading a snapshot back.

``manifest.json`` says what the snapshot holds and which log it was made from: the log size N
and the tree head over entries ``[0, N)`` (RFC 9162), the counts, the licence and publisher,
and every file with its size and SHA-256. ``SHA256SUMS`` lists the same checksums in the form
``sha256sum -c`` reads. ``log.signedTreeHead`` is a tree head signed by the platform's key that the
snapshot is consistent with, and the proof of it (openbook.transparency.snapshot_head).
"""

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import orjson

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
FORMAT = "openbook-snapshot"
# 2: the statements of the registers other than OCDS's, in statements/REGISTER.jsonl.gz, and
# the redacted entries of every register in log.redactedEntries.
FORMAT_VERSION = 2

MEDIA_TYPES = {
    ".jsonl.gz": "application/gzip",
    ".parquet": "application/vnd.apache.parquet",
    ".zip": "application/zip",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json",
}


def media_type(name: str) -> str:
    for suffix, value in MEDIA_TYPES.items():
        if name.endswith(suffix):
            return value
    return "text/plain; charset=utf-8"


def sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def describe(directory: Path, name: str, description: str, **facts: object) -> dict:
    """A file's entry in the manifest: name (relative, with ``/``), size, checksum, type."""
    path = directory / name
    return {
        "name": name,
        "size": path.stat().st_size,
        "sha256": sha256(path),
        "mediaType": media_type(name),
        "description": description,
        **facts,
    }


def write_checksums(directory: Path, files: Iterable[dict]) -> dict:
    """Write SHA256SUMS (text mode, two spaces, as GNU sha256sum writes it) and describe it."""
    lines = "".join(f"{entry['sha256']}  {entry['name']}\n" for entry in files)
    (directory / CHECKSUMS).write_text(lines, encoding="utf-8")
    return describe(
        directory, CHECKSUMS, "SHA-256 checksums of the files above: sha256sum -c SHA256SUMS"
    )


def signed_tree_head(store, size: int) -> dict:
    """The latest signed tree head, signed now if none covers the snapshot's N entries yet, with
    the consistency proof from the tree of N entries to it and the key that signed it. Like
    ``openbook log sign``, an export makes the log's first signing key if it has none."""
    from openbook import transparency

    return transparency.snapshot_head(store, size, create_key=True)


def write_manifest(directory: Path, manifest: dict) -> None:
    data = orjson.dumps(manifest, option=orjson.OPT_INDENT_2) + b"\n"
    (directory / MANIFEST).write_bytes(data)


def is_snapshot(directory: Path) -> bool:
    """Whether a directory holds a snapshot this platform wrote (and so may be replaced)."""
    try:
        manifest = orjson.loads((directory / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return False
    return isinstance(manifest, dict) and manifest.get("format") == FORMAT


class Snapshot:
    """A snapshot being read: its manifest and its files come from the same directory even if
    a new snapshot replaces it meanwhile, because both are opened through one handle on the
    directory (openat), not through its name."""

    def __init__(self, directory_fd: int, manifest: dict) -> None:
        self._fd = directory_fd
        self.manifest = manifest
        self.files = _listed(manifest.get("files"))
        # The registers derived from the live processes, listed apart because they are not
        # bound to the log's size (docs/downloads.md); served like the files.
        self.derived = _listed(manifest.get("derivedRegisters"))

    def entry(self, name: str) -> dict | None:
        """The manifest's entry of a file it lists, in ``files`` or ``derivedRegisters``."""
        return self.files.get(name) or self.derived.get(name)

    def open(self, name: str) -> BinaryIO | None:
        """A file the manifest lists (or the manifest itself), open for reading; None for any
        other name, so nothing else in or beside the directory can be reached."""
        if name != MANIFEST and self.entry(name) is None:
            return None
        try:
            fd = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=self._fd)
        except OSError:
            return None
        return os.fdopen(fd, "rb")

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _listed(files: object) -> dict[str, dict]:
    """A manifest's list of files, by name; entries that are not files of the snapshot's own
    directory are left out."""
    return {
        entry["name"]: entry
        for entry in (files if isinstance(files, list) else [])
        if isinstance(entry, dict) and _safe(entry.get("name"))
    }


def _safe(name: object) -> bool:
    # Names are written by export; this only makes sure no manifest can point outside.
    return (
        isinstance(name, str)
        and bool(name)
        and not name.startswith("/")
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


def read(directory: Path) -> Snapshot | None:
    """The snapshot in a directory, or None if none has been made there yet."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        manifest_fd = os.open(MANIFEST, os.O_RDONLY, dir_fd=fd)
        with os.fdopen(manifest_fd, "rb") as file:
            manifest = orjson.loads(file.read())
    except (OSError, orjson.JSONDecodeError):
        os.close(fd)
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        os.close(fd)
        return None
    return Snapshot(fd, manifest)
