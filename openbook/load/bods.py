"""Reading BODS files for ``openbook bods load``: a JSON array of statements (as the standard
publishes them), JSON Lines (a statement a line, as the Open Ownership Register does), one
statement alone, and gzip of any of these, told apart by their content, never by the file's
name. Arrays are streamed (ijson), so memory stays flat however large the file.

Each statement comes with where it is (``statement 12``, ``line 40``); what cannot be read
comes as an ``Unreadable`` saying where and why, and reading goes on where it can: a broken
line of JSON Lines costs that line only.
"""

import gzip
import io
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import ijson
import orjson


@dataclass(frozen=True, slots=True)
class Read:
    where: str
    statement: Any


@dataclass(frozen=True, slots=True)
class Unreadable:
    where: str
    message: str


def read(path: Path) -> Iterator[Read | Unreadable]:
    try:
        opened = path.open("rb")
    except OSError as error:  # gone since it was named, a directory, not allowed
        yield Unreadable("the file", f"cannot be read: {error.strerror or error}")
        return
    with opened as raw:
        magic = raw.peek(2)[:2]
        file: io.BufferedReader = (
            io.BufferedReader(gzip.GzipFile(fileobj=raw)) if magic == b"\x1f\x8b" else raw
        )
        try:
            yield from _statements(file)
        except READ_ERRORS as error:
            yield Unreadable("the file", f"cannot be read to its end: {error}")


# What reading a file can raise part way: the disk or the network (OSError), gzip data cut
# short (EOFError) or damaged (OSError for its CRC, zlib.error for its deflate blocks).
READ_ERRORS = (OSError, EOFError, zlib.error)


def _first(file: io.BufferedReader) -> bytes:
    """The first byte that is not white space or a byte order mark (none consumed)."""
    return file.peek(4096)[:4096].lstrip(b" \t\r\n\xef\xbb\xbf")[:1]


def _statements(file: io.BufferedReader) -> Iterator[Read | Unreadable]:
    first = _first(file)
    if first == b"[":
        yield from _array(file)
    elif first == b"{":
        yield from _lines(file)
    elif not first:
        yield Unreadable("the file", "is empty")
    else:
        yield Unreadable(
            "the file",
            "is not BODS JSON: it must be a JSON array of statements, or JSON Lines of them",
        )


def _array(file: IO[bytes]) -> Iterator[Read | Unreadable]:
    index = 0
    try:
        for index, statement in enumerate(ijson.items(file, "item", use_float=True)):
            yield Read(f"statement {index}", statement)
    except ijson.JSONError as error:
        yield Unreadable(
            f"after statement {index}", f"is not JSON ({error}); the statements before it are read"
        )
    except UnicodeDecodeError as error:
        yield Unreadable(f"after statement {index}", f"is not UTF-8 ({error.reason})")


def _lines(file: IO[bytes]) -> Iterator[Read | Unreadable]:
    """JSON Lines (``_head``); or one document, a statement written over several lines."""
    head, json_lines = _head(file)
    if not json_lines:
        try:
            value = orjson.loads(b"".join(head) + file.read())
        except orjson.JSONDecodeError as error:
            yield Unreadable("the file", f"is not JSON: {error}")
            return
        yield from _whole(value)
        return
    # The lines read to tell, then the file's: each loop as plain as the other.
    number = len(head)
    try:
        for lines, start in ((head, 1), (file, len(head) + 1)):
            for number, line in enumerate(lines, start=start):
                if line.isspace():
                    continue
                try:
                    yield Read(f"line {number}", orjson.loads(line))
                except orjson.JSONDecodeError as error:
                    yield Unreadable(f"line {number}", f"is not JSON: {error}")
    except READ_ERRORS as error:
        yield Unreadable(
            f"line {number + 1}",
            f"the file cannot be read from here on: {error}; the lines before it are read",
        )


def _head(file: IO[bytes]) -> tuple[list[bytes], bool]:
    """The lines read to tell JSON Lines from one document written over several lines (its
    byte order mark taken off), and whether the file is JSON Lines: its first line that is
    not blank is a JSON value by itself, or the next one that is not blank is a JSON object by
    itself (a broken first line, then statements). A document's second line (``"key": ...``)
    never is. Only these lines are read: a broken or blank first line once made the whole
    file be read as one document (refused, with every statement in it)."""
    head: list[bytes] = []
    tried = 0  # lines not blank tried
    while tried < 2 and (line := file.readline()):
        if not head:
            line = line.removeprefix(b"\xef\xbb\xbf")
        head.append(line)
        if line.isspace():
            continue
        tried += 1
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        return head, tried == 1 or type(value) is dict
    return head, False


def _whole(value: Any) -> Iterator[Read | Unreadable]:
    if isinstance(value, list):
        for index, statement in enumerate(value):
            yield Read(f"statement {index}", statement)
    else:
        yield Read("statement 0", value)


# JSON Lines are handed to worker processes in blocks of whole lines of about this size
# (openbook.bods): large enough that a block costs little to send, small enough that the
# workers start soon and the loading process never waits long for the next.
BLOCK_BYTES = 256 * 2**10


def json_lines_blocks(path: Path) -> Iterator[tuple[int, bytes]] | None:
    """A plain (not gzip) JSON Lines file as blocks of whole lines, unparsed, each with the
    number of its first line: ``parse_block`` reads them as ``read`` would. None for any other
    file (an array, one statement written over several lines, gzip: those are read by
    ``read``; ``_head`` tells), and for one that cannot be opened (``read`` says why)."""
    try:
        opened = path.open("rb")
    except OSError:
        return None
    with opened as raw:
        if raw.peek(2)[:2] == b"\x1f\x8b" or _first(raw) != b"{" or not _head(raw)[1]:
            return None
    return _blocks(path)


def _blocks(path: Path) -> Iterator[tuple[int, bytes]]:
    number = 1
    with path.open("rb") as raw:
        # The pieces of a line longer than a block are gathered in a list and joined once (a
        # 200 MB line added chunk by chunk was copied again at every chunk: a minute of CPU).
        rest: list[bytes] = []
        while chunk := raw.read(BLOCK_BYTES):
            end = chunk.rfind(b"\n") + 1
            if not end:
                rest.append(chunk)
                continue
            block = b"".join([*rest, chunk[:end]]) if rest else chunk[:end]
            rest = [chunk[end:]] if end < len(chunk) else []
            yield number, block
            number += block.count(b"\n")
        if rest:
            yield number, b"".join(rest)


def parse_block(first: int, block: bytes) -> Iterator[tuple[str, bool, Any]]:
    """The lines of a block of JSON Lines whose first line is line ``first``, as ``read`` gives
    them: blank lines skipped, each other line as (where, True, its value), or (where, False,
    why) for one that is not JSON (worded as ``read`` words it: orjson's message about the line
    with its newline). Tuples, not ``Read``: a frozen dataclass costs more to build than
    parsing a short line."""
    lines = block.split(b"\n")
    ended = block.endswith(b"\n")
    if ended:
        lines.pop()  # after the last newline: no line
    last = first + len(lines) - 1
    if first == 1:
        lines[0] = lines[0].removeprefix(b"\xef\xbb\xbf")
    for number, line in enumerate(lines, start=first):
        if not line or line.isspace():
            continue
        try:
            yield f"line {number}", True, orjson.loads(line)
        except orjson.JSONDecodeError:
            try:  # for read's message, which counts the newline
                value = orjson.loads(line + b"\n" if ended or number < last else line)
            except orjson.JSONDecodeError as error:
                yield f"line {number}", False, f"is not JSON: {error}"
            else:
                yield f"line {number}", True, value
