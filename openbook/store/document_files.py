"""The files of uploaded documents, content-addressed: each is kept once, named by its SHA-256,
under ``OPENBOOK_DOCUMENTS_DIR`` in two levels of directories (``ab/cd/abcd...``), so that no
directory holds more than a few thousand entries even with millions of documents.

A file arrives in a temporary file in ``tmp/`` beside them (the same file system, so that the
rename is atomic), hashed as it streams in, never held in memory whole; it is flushed and
fsynced, then renamed to its name and its directory fsynced. So a file under its name is always
whole and has that hash, whatever crashes when; and keeping the same bytes twice keeps them once.
A temporary file left by a crash is named ``upload-*`` and can be removed once a day old.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

HEAD_BYTES = 8192  # what is kept of a file's start, to tell its type by
_SHA256 = re.compile(r"[0-9a-f]{64}")


class Incoming:
    """A file being received: written to a temporary file while hashed and counted. Used as a
    context manager, the temporary file is removed on leaving unless the file was ``keep``-ed."""

    def __init__(self, root: Path) -> None:
        work = root / "tmp"
        work.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=work, prefix="upload-")
        self.path = Path(name)
        self._file: BinaryIO | None = os.fdopen(descriptor, "wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.head = b""
        self.sha256 = ""

    def write(self, chunk: bytes) -> None:
        assert self._file is not None, "the file was finished"
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)
        if len(self.head) < HEAD_BYTES:
            self.head += chunk[: HEAD_BYTES - len(self.head)]

    def finish(self) -> str:
        """Flush the file to disk; its SHA-256 (hex)."""
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            self._file = None
            self.sha256 = self._hash.hexdigest()
        return self.sha256

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> Incoming:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.discard()


def path_of(root: Path, sha256: str) -> Path:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"{sha256[:80]!r} is not a SHA-256 in lower-case hexadecimal")
    return root / sha256[:2] / sha256[2:4] / sha256


def keep(root: Path, incoming: Incoming) -> Path:
    """Put a received file under its name (idempotent: the same bytes are kept once)."""
    sha256 = incoming.finish()
    target = path_of(root, sha256)
    if target.is_file() and target.stat().st_size == incoming.size:
        incoming.discard()
        return target
    created = [d for d in (target.parent.parent, target.parent) if not d.is_dir()]
    target.parent.mkdir(parents=True, exist_ok=True)
    incoming.path.replace(target)
    for directory in {target.parent, *(d.parent for d in created)}:
        _fsync_directory(directory)
    return target


def open_file(root: Path, sha256: str) -> BinaryIO | None:
    """The kept file, open for reading; None if there is none."""
    try:
        return path_of(root, sha256).open("rb")
    except FileNotFoundError:
        return None


def _fsync_directory(directory: Path) -> None:
    # The rename is durable once the directory's entry is on disk (POSIX: fsync the directory).
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
