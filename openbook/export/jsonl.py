"""Gzipped JSON Lines files, written with flat memory and compressed off the main thread.

zlib releases the GIL while it deflates, so one compressing thread runs beside the thread that
reads, parses and tabulates: the two cores of a small machine both work. Lines are gathered into
chunks, and at most ``QUEUED`` chunks wait for the compressor, so memory stays bounded however
large the snapshot. Files are written with a zero gzip timestamp and no file name, so the same
log always gives the same bytes.
"""

import gzip
import queue
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import partial
from pathlib import Path

CHUNK = 1 << 20  # bytes of lines handed to the compressor at a time
QUEUED = 16  # chunks waiting at most: CHUNK * QUEUED of memory
LEVEL = 6  # zlib's default: about 100 MB/s of JSON per core, an eighth of its size
OPEN_YEAR_FILES = 32  # per-year files kept open at once; others are reopened when needed

_YEAR = re.compile(r"(\d{4})-\d{2}-\d{2}")
UNDATED = "undated"


def year_of(date: str) -> str:
    """The year a release is filed under: the four digits of its ``date`` as the publisher wrote
    it (in the publisher's own offset, not converted to UTC), or ``undated`` when the date does
    not start as an RFC 3339 date does."""
    match = _YEAR.match(date)
    return match.group(1) if match else UNDATED


class Compressor:
    """One thread that runs every file's writes (compressing as it goes), in the order given."""

    def __init__(self) -> None:
        self._tasks: queue.Queue[Callable[[], object] | None] = queue.Queue(QUEUED)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gzip", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (task := self._tasks.get()) is not None:
            if self._error is not None:
                continue  # drain: the main thread raises at its next submit
            try:
                task()
            except BaseException as error:  # handed to the main thread, raised there
                self._error = error

    def submit(self, task: Callable[[], object]) -> None:
        """Queue a write; raises what the thread met, if anything."""
        if self._error is not None:
            raise self._error
        self._tasks.put(task)

    def wait(self) -> None:
        """Wait until everything queued so far is written; the thread goes on."""
        done = threading.Event()
        self.submit(done.set)
        done.wait()
        if self._error is not None:
            raise self._error

    def finish(self) -> None:
        """Wait until everything queued is written, and end the thread."""
        self._tasks.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


class _Gzip:
    """A gzip file being written. Reopening one appends a new gzip member: gzip -d, zcat and
    Python's gzip module read members end to end as one stream."""

    def __init__(self, path: Path, append: bool) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.raw = path.open("ab" if append else "wb")
        self.file = gzip.GzipFile(
            filename="", mode="wb", fileobj=self.raw, compresslevel=LEVEL, mtime=0
        )

    def close(self) -> None:
        self.file.close()  # writes the trailer; the raw file is ours to close
        self.raw.close()


class LinesFile:
    """One gzipped JSON Lines file; ``add`` takes a line without its newline. The file itself is
    opened, written and closed only by the compressor's thread."""

    def __init__(self, path: Path, compressor: Compressor, chunk: int = CHUNK) -> None:
        self.path = path
        self.count = 0
        self._compressor = compressor
        self._chunk = chunk
        self._buffer = bytearray()
        self._gzip: _Gzip | None = None  # the compressor thread's
        self._started = False  # the compressor thread's: whether the file was created

    def add(self, line: bytes) -> None:
        self._buffer += line
        self._buffer += b"\n"
        self.count += 1
        if len(self._buffer) >= self._chunk:
            self._hand_over()

    def _hand_over(self) -> None:
        self._compressor.submit(partial(self._write, bytes(self._buffer)))
        self._buffer.clear()

    def close(self) -> None:
        """Close the file; a later ``add`` reopens it and appends (the count goes on)."""
        if self._buffer:
            self._hand_over()
        self._compressor.submit(self._close)

    def _write(self, chunk: bytes) -> None:
        if self._gzip is None:
            self._gzip = _Gzip(self.path, append=self._started)
            self._started = True
        self._gzip.file.write(chunk)

    def _close(self) -> None:
        if self._gzip is None and not self._started:
            self._write(b"")  # an empty file is still a valid gzip file
        if self._gzip is not None:
            self._gzip.close()
            self._gzip = None


class YearFiles:
    """A JSON Lines file per year, at most ``OPEN_YEAR_FILES`` of them open at once."""

    def __init__(self, directory: Path, prefix: str, compressor: Compressor) -> None:
        self.directory = directory
        self.prefix = prefix
        self._compressor = compressor
        self.files: dict[str, LinesFile] = {}
        self._open: OrderedDict[str, None] = OrderedDict()

    def add(self, year: str, line: bytes) -> None:
        file = self.files.get(year)
        if file is None:
            path = self.directory / f"{self.prefix}-{year}.jsonl.gz"
            file = self.files[year] = LinesFile(path, self._compressor, CHUNK // 4)
        self._open[year] = None
        self._open.move_to_end(year)
        if len(self._open) > OPEN_YEAR_FILES:
            oldest, _ = self._open.popitem(last=False)
            self.files[oldest].close()
        file.add(line)

    def close(self) -> None:
        for file in self.files.values():
            file.close()

    def counts(self) -> dict[str, int]:
        return {year: self.files[year].count for year in sorted(self.files)}
