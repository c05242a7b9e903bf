"""The streaming parser behind ``openbook.load.reading``: JSON read with ijson's C parser (yajl)
one value at a time, for documents too large to parse whole and for whatever orjson refuses.

- ``Source`` hands ijson the bytes, checked first (UTF-8, no lone surrogate escapes), and keeps
  the piece it last handed out, to place errors by line, column and byte.
- ``outline`` is the pre-scan: the shape, keys and package metadata of each top-level value,
  since a package's metadata may come after its releases.
- ``build`` makes one value from ijson's events, as orjson would make it, or consumes it and
  raises ``Skip`` if it is too deep, too large or holds a number beyond a double.
- ``error_position`` says where yajl stopped, read back from its message, or where orjson did.

What the values are (packages, records, releases) is for ``reading`` to say.
"""

import ast
import codecs
import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import ijson

# orjson refuses documents nested deeper than this, and so does the streaming parser, so that a
# file reads the same whichever parser reads it. OCDS data is about ten levels deep.
MAX_DEPTH = 1024
STREAMED = frozenset({"releases", "records"})
_NOT_METADATA = frozenset({"releases", "records", "compiledRelease", "versionedRelease"})
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
# orjson messages about what the streaming parser judges itself, rather than about syntax.
_NOT_SYNTAX = ("infinity", "depth", "UTF-8", "surrogate")
# What the streaming parser raises for bytes that are not JSON.
JSON_ERRORS = (ijson.JSONError, UnicodeDecodeError)


def parse(source: "Source", *, multiple_values: bool, piece: int) -> Iterator[tuple[str, object]]:
    """ijson's events for the JSON that source holds, read a piece at a time; numbers exact."""
    return ijson.basic_parse(
        source, multiple_values=multiple_values, use_float=False, buf_size=piece
    )


# The pre-scan.


def outline(source: "Source", *, piece: int, budget: int) -> list["Outline"]:
    """The pre-scan: the shape, keys and package metadata of each top-level value, up to budget
    bytes of metadata for each."""
    outlines: list[Outline] = []
    events = parse(source, multiple_values=True, piece=piece)
    try:
        for event, _ in events:
            found = Outline()
            outlines.append(found)
            if event == "start_map":
                _outline_object(events, source, found, budget)
            else:
                found.shape = "array" if event == "start_array" else "scalar"
                skip(events, event)
    except (*JSON_ERRORS, EncodingProblem):
        pass  # the second reading reports it, with all that comes before it
    return outlines


def _outline_object(events, source: "Source", found: "Outline", budget: int) -> None:
    for event, key in events:
        if event == "end_map":
            return
        first, value = next(events)
        found.keys.add(key)
        if key in STREAMED and first != "start_array":
            found.not_lists.append((key, _event_kind(first, value)))
        if key in _NOT_METADATA or budget < 0:
            skip(events, first)
            continue
        start = source.offset
        with contextlib.suppress(Skip):  # the second reading reports it
            found.metadata[key] = build(first, value, events, source, depth=1, limit=budget)
        budget -= source.offset - start


@dataclass(slots=True)
class Outline:
    """What the pre-scan learns about one top-level value; what kind of OCDS it is, is for
    ``reading`` to say."""

    keys: set = field(default_factory=set)
    metadata: dict = field(default_factory=dict)
    not_lists: list = field(default_factory=list)  # (key, kind) for releases or records
    shape: str = "object"  # or "array" or "scalar"


# Building values from ijson's events.


class Skip(Exception):
    """Not an error: a value was consumed but not built, for the reason given."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


_TOO_DEEP = f"it is nested more than {MAX_DEPTH} levels deep, so it was not loaded"


def skip(events, first: str) -> None:
    """Consume the rest of a value whose first event was first."""
    if first not in {"start_map", "start_array"}:
        return
    depth = 1
    for event, _ in events:
        if event in {"start_map", "start_array"}:
            depth += 1
        elif event in {"end_map", "end_array"}:
            depth -= 1
            if not depth:
                return


def build(first: str, value, events, source: "Source", *, depth: int, limit: int):
    """Build the JSON value whose first event is (first, value), at this depth (the number of
    containers around it), taking the rest from events. Raises Skip, having consumed the whole
    value, if it is too deep or too large or holds a number beyond a double."""
    if first == "number":
        return _number(value, [], None)
    if first not in {"start_map", "start_array"}:
        return value
    root: dict | list = {} if first == "start_map" else []
    stack = [root]
    if depth >= MAX_DEPTH:
        problem: Skip | None = Skip("too-deep", _TOO_DEEP)
    else:
        problem = _fill(stack, events, source, source.offset + limit, depth)
    if problem is None:
        return root
    for _ in stack:
        skip(events, "start_map")
    if problem.code == "too-large":
        size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit} bytes"
        problem.reason = (
            f"it is larger than {size}, the most one release or record may take "
            "(max_statement_bytes), so it was not loaded"
        )
    raise problem


# One flat loop with a branch per kind of event is what makes streaming fast.
def _fill(stack: list, events, source: "Source", end: int, depth: int) -> Skip | None:  # noqa: PLR0912
    """Fill the container at the bottom of stack until it closes (None), or until a problem,
    returned with the containers still open left on stack. The hot loop of streaming: one test
    per kind of event, the commonest first."""
    current = stack[0]
    in_map = type(current) is dict
    key = None
    for event, value in events:
        if event == "map_key":
            key = value
            continue
        if event in {"string", "boolean", "null", "number"}:
            item = value
            if event == "number" and (type(value) is not int or not -(2**63) <= value < 2**64):
                try:
                    item = _number(value, stack, key)
                except Skip as problem:
                    return problem
            if in_map:
                current[key] = item
            else:
                current.append(item)
        elif event in {"end_map", "end_array"}:
            stack.pop()
            if not stack:
                return None
            current = stack[-1]
            in_map = type(current) is dict
        else:
            child: dict | list = {} if event == "start_map" else []
            if in_map:
                current[key] = child
            else:
                current.append(child)
            stack.append(child)
            current = child
            in_map = event == "start_map"
            if depth + len(stack) > MAX_DEPTH:
                return Skip("too-deep", _TOO_DEEP)
        if source.offset > end:
            return Skip("too-large", "")
    return None  # not reached: ijson raises on a truncated document


def _number(value, stack: list, key):
    """ijson gives exact numbers (int or Decimal); make them what orjson gives: a float unless
    an integer fits 64 bits. Raises Skip for numbers beyond a double."""
    if type(value) is int and -(2**63) <= value < 2**64:
        return value
    try:
        number = float(value)
    except OverflowError:
        number = float("inf")
    if abs(number) != float("inf"):
        return number
    at = f" at {_inner_path(stack, key)}" if stack else ""
    reason = f"the number {value}{at} is beyond the range of a double, so this was not loaded"
    raise Skip("number-out-of-range", reason)


def _inner_path(stack: list, key) -> str:
    """The path, inside the value being built, of the scalar about to be added to it."""
    parts = []
    for parent in stack[:-1]:  # each open container is its parent's last member
        parts.append(
            f".{next(reversed(parent))}" if type(parent) is dict else f"[{len(parent) - 1}]"
        )
    current = stack[-1]
    parts.append(f".{key}" if type(current) is dict else f"[{len(current)}]")
    return "".join(parts).lstrip(".")


# The bytes the streaming parser reads, and where its errors are.


class EncodingProblem(Exception):
    """A finding about the file's bytes, reported as an Issue."""

    def __init__(self, code: str, offset: int, message: str):
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.message = message


class Source:
    """The bytes ijson reads, checked first: UTF-8 (with the exact offset of a bad byte) and no
    lone surrogate escapes (yajl would turn \\ud800 into '?'). It keeps the last chunk and where
    that chunk starts, to place errors."""

    def __init__(self, read: Callable[[int], bytes], offset: int, line: int):
        self._read = read
        self.offset = offset  # where what was handed out ends, in the (decompressed) file
        self._line = line  # the line number there
        self._column = 0  # characters since the start of that line
        self._carry = b""
        self._failure: EncodingProblem | None = None
        self.chunk = b""
        self.chunk_offset = offset
        self._chunk_line = line
        self._chunk_column = 0

    def read(self, size: int) -> bytes:
        if not size:
            return b""  # ijson asks for 0 bytes to learn whether the file is binary
        if self._failure is not None:
            raise self._failure
        data, text = self._next(size)
        bad = len(data) if self._failure is None else self._failure.offset - self.offset
        surrogate = _lone_surrogate(data[:bad])
        if surrogate is not None:
            escape = data[surrogate : surrogate + 6].decode()
            why = f"the escape {escape} is half a UTF-16 surrogate pair, which is not text"
            self._failure = EncodingProblem("invalid-json", self.offset + surrogate, why)
            bad = surrogate
        if bad < len(data):
            data = data[:bad]
            text = data.decode()
        if not data and self._failure is not None:
            raise self._failure
        self.chunk, self.chunk_offset = data, self.offset
        self._chunk_line, self._chunk_column = self._line, self._column
        self.offset += len(data)
        newlines = data.count(b"\n")
        if newlines:
            self._line += newlines
            self._column = len(text) - text.rfind("\n") - 1
        else:
            self._column += len(text)
        return data

    def _next(self, size: int) -> tuple[bytes, str]:
        """The next checkable bytes and their text, holding back what the checks cannot judge
        before the following bytes come: a split escape or character."""
        while True:
            more = self._read(size)
            data = self._carry + more
            self._carry = b""
            if more:
                cut = _escape_safe_end(data)
                data, self._carry = data[:cut], data[cut:]
            try:
                text, consumed = codecs.utf_8_decode(data, "strict", not more)
            except UnicodeDecodeError as error:
                why = _not_utf8(data[error.start])
                self._failure = EncodingProblem("not-utf8", self.offset + error.start, why)
                return data, ""
            data, self._carry = data[:consumed], data[consumed:] + self._carry
            if data or not more:
                return data, text

    def position(self, offset_in_chunk: int | None, compressed: bool) -> tuple[str, str]:
        """(where, text) for a byte of the last chunk: its line, column and offset."""
        chunk = self.chunk
        at = len(chunk) if offset_in_chunk is None else min(offset_in_chunk, len(chunk))
        before = chunk[:at]
        newlines = before.count(b"\n")
        line = self._chunk_line + newlines
        column = 1 + len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace"))
        if not newlines:
            column += self._chunk_column
        where = f"line {line}, column {column}"
        of = " of the decompressed data" if compressed else ""
        if offset_in_chunk is None:
            start, end = self.chunk_offset, self.chunk_offset + len(chunk)
            return where, f"line {line}, between bytes {start} and {end}{of}"
        return where, f"{where} (byte {self.chunk_offset + at}{of})"


class LineRegion:
    """Reads one line of a stream in pieces, and stops at its end."""

    def __init__(self, stream):
        self._stream = stream
        self._done = False

    def read(self, size: int) -> bytes:
        if self._done:
            return b""
        data = self._stream.readline(size)
        self._done = not data or data.endswith(b"\n")
        return data


class Chain:
    """Bytes already read, then the rest of a region."""

    def __init__(self, first: bytes, rest):
        self._first = first
        self._rest = rest

    def read(self, size: int) -> bytes:
        if self._first:
            data, self._first = self._first[:size], self._first[size:]
            return data
        return self._rest.read(size)


def _escape_safe_end(data: bytes) -> int:
    """Where to cut data so that no escape, nor a surrogate pair, is split: before the run of
    backslashes that reaches into the last 12 bytes, if any (0: read more first)."""
    cut = data.find(b"\\", max(len(data) - 12, 0))
    if cut < 0:
        return len(data)
    while cut and data[cut - 1] == 0x5C:
        cut -= 1
    return cut


def _lone_surrogate(data: bytes) -> int | None:
    """The offset of the first \\uD800-\\uDFFF escape that is not half of a pair, or None."""
    if b"\\ud" not in data and b"\\uD" not in data:
        return None
    paired_low = -1
    for match in _SURROGATE_ESCAPE.finditer(data):
        start = match.start()
        backslashes = start - len(data[:start].rstrip(b"\\"))
        if backslashes % 2 or start == paired_low:
            continue  # an escaped backslash followed by text, or the low half of a pair
        if _LOW_SURROGATE.match(data, start) or not _LOW_SURROGATE.match(data, start + 6):
            return start
        paired_low = start + 6
    return None


def _not_utf8(byte: int) -> str:
    message = f"the byte 0x{byte:02X} is not UTF-8, and OCDS JSON must be UTF-8"
    if byte >= 0x80:
        letter = bytes([byte]).decode("cp1252", "replace")
        message += f" (this looks like ISO-8859-1 or Windows-1252, where it is {letter!r})"
    return message


def error_position(
    error: Exception, source: Source, *, compressed: bool, hint, offset: int, line: int
) -> tuple[str, str, str]:
    """(where, text, reason) for an error of the streaming parser on what source has read from
    this offset and line. hint is orjson's error on the same bytes, or None: where it is about
    syntax, its position is exact."""
    offset_in_chunk = _yajl_offset(str(error), source.chunk)
    if offset_in_chunk and "invalid char in json text" in str(error):
        offset_in_chunk -= 1  # yajl stops just after the character it refuses
    where, at = source.position(offset_in_chunk, compressed)
    reason = _yajl_reason(error)
    if hint is not None and not any(word in hint.msg for word in _NOT_SYNTAX):
        where, at = _hint_position(hint, offset, line, source, compressed)
        reason = hint.msg
    return where, at, reason


def _yajl_offset(message: str, chunk: bytes) -> int | None:
    """Where in the chunk yajl stopped, read back from its message. yajl prints the text from 30
    bytes before that point to 30 after (newlines as spaces), indented so that the point falls
    in column 40 (by 10 spaces at least). ijson gives the message as text, or as the repr of
    bytes when they are not UTF-8."""
    if message.startswith(("b'", 'b"')):
        raw = ast.literal_eval(message)
    else:
        raw = message.encode("utf-8", "surrogateescape")
    lines = raw.split(b"\n")
    if len(lines) < 3:
        return None
    context = lines[1]
    if not context.strip(b" "):
        return len(chunk)  # at the end of the data, such as a truncated document
    flat = chunk.replace(b"\n", b" ").replace(b"\r", b" ")
    for offset in range(min(30, len(flat) + 1)):
        if context == b" " * (40 - offset) + flat[: offset + 30]:
            return offset
    if context.startswith(b" " * 10):
        found = flat.find(context[10:])
        if found >= 0 and flat.find(context[10:], found + 1) < 0:
            return found + 30
    return None


def _yajl_reason(error: Exception) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "a string is not valid UTF-8"
    first = str(error).removeprefix("b'").removeprefix('b"').split("\n", 1)[0]
    reason = first.split("\\n", 1)[0].split(": ", 1)[-1].strip().rstrip(".")
    if reason == "premature EOF":
        return "it ends before the JSON is complete: the file may be cut short"
    return reason


def _hint_position(hint, offset: int, line: int, source: Source, compressed: bool):
    """(where, text) from orjson's error on in-memory bytes, which is exact; an error at the very
    end (truncated JSON) is placed just after the last character, not on the next line."""
    doc = hint.doc
    pos = min(hint.pos, len(doc.rstrip()))
    byte = offset + len(doc[:pos].encode("utf-8", "surrogatepass"))
    if not source.chunk_offset <= byte <= source.offset:
        return source.position(None, compressed)
    lineno = doc.count("\n", 0, pos) + 1
    colno = pos - (doc.rfind("\n", 0, pos) + 1) + 1
    where = f"line {line + lineno - 1}, column {colno}"
    return where, f"{where} (byte {byte})"


# Names.


def json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Decimal):  # ijson gives exact numbers as Decimal
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _event_kind(event: str, value) -> str:
    return {"start_map": "an object", "start_array": "a list"}.get(event) or json_kind(value)
