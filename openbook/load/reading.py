"""Reading OCDS files of any shape, streaming, for ``openbook load``.

A ``Reader`` takes one file and yields, in file order, each release it holds (``Found``) and
each thing in it that is not a usable release (``Issue``). It reads release packages, record
packages (embedded releases; linked ones are reported, never fetched), records, bare releases,
JSON Lines of any of these, JSON arrays of them, concatenated JSON, and gzip of all of these,
and tells them apart by their content, never by the file's name.

Memory stays flat whatever the size of the file:

- JSON Lines are read a line at a time, each line parsed whole by orjson: the fast path. A line
  longer than ``max_statement_bytes`` is streamed like a large document.
- A document up to ``WHOLE_DOCUMENT_BYTES`` is parsed whole by orjson; a larger one is streamed
  with ijson's C parser (yajl), building one release or record at a time. A package's metadata
  may come after its releases (Armenia's and Mexico's files do this), so a streamed document is
  read twice: first for its metadata, then for its releases.
- Whatever orjson refuses (broken JSON, bytes that are not UTF-8, numbers beyond a double, deep
  nesting) is read again by the streaming parser, which says exactly where and keeps what comes
  before: every release before a syntax error is still found; the rest of that line, or of that
  document, cannot be read, and the message says so.

Messages start with the position and do not name the file: the caller prefixes its path.
"""

import ast
import codecs
import contextlib
import functools
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import ijson
import orjson

__all__ = ["MAX_DEPTH", "WHOLE_DOCUMENT_BYTES", "Found", "Issue", "Reader"]

# orjson refuses documents nested deeper than this, and so does the streaming parser, so that a
# file reads the same whichever parser reads it. OCDS data is about ten levels deep.
MAX_DEPTH = 1024
WHOLE_DOCUMENT_BYTES = 32 * 2**20

_CHUNK = 64 * 2**10
_PROBE = 2**20  # lines up to this long are read in one call; longer ones are measured first
_WHITESPACE = b" \t\r\n"
_STREAMED = frozenset({"releases", "records"})
_NOT_METADATA = frozenset({"releases", "records", "compiledRelease", "versionedRelease"})
_PACKAGES = frozenset({"release-package", "record-package", "record"})
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = [(b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32")]
_OTHER_BOMS += [(b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")]
_COMPRESSIONS = [(b"PK\x03\x04", "zip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz")]
_COMPRESSIONS += [(b"\x28\xb5\x2f\xfd", "zstd")]
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F][0-9a-fA-F]{2}")
# orjson messages about what the streaming parser judges itself, rather than about syntax.
_NOT_SYNTAX = ("infinity", "depth", "UTF-8", "surrogate")


@dataclass(slots=True)
class Found:
    """One release read from the file."""

    release: dict
    package: dict | None  # the enclosing package without its releases or records, or None
    where: str  # "line 12", "releases[4]", "records[2].releases[0]", "document 3, releases[4]"


@dataclass(slots=True)
class Issue:
    """Something in the file that is not a usable release."""

    where: str
    code: str  # stable, for counting and tests: "invalid-json", "missing-date", ...
    message: str  # plain and precise: what, where, why; starts with the position
    severity: str = "error"  # "error": something was not loaded; "warning": nothing was lost


class Reader:
    """Iterate over one OCDS file: ``for item in Reader(path)`` yields Found and Issue.

    ``size`` is the file's size on disk and ``position`` how much of it has been consumed (for
    gzip, of the compressed file), for a progress bar. ``format`` is what the file turned out
    to be: "json-lines", "release-package", "record-package", "record", "release", "array",
    "concatenated" or "empty", known once iteration has started. The reader never raises for
    what is in the file, nor when the file cannot be read: it yields an Issue.
    """

    def __init__(self, path: Path, max_statement_bytes: int = 64 * 2**20):
        self.path = Path(path)
        self.max_statement_bytes = max_statement_bytes
        try:
            self.size = self.path.stat().st_size
        except OSError:
            self.size = 0
        self.format = "unknown"
        self._raw: io.BufferedReader | None = None
        self._finished = False
        self._compressed = False
        self._aux: io.BufferedReader | gzip.GzipFile | None = None  # a second handle
        self._aux_raw: io.BufferedReader | None = None
        self._noted_compiled = False
        # The streaming parser reads pieces of this size; sizes are checked a piece at a time.
        self._piece = max(4096, min(_CHUNK, max_statement_bytes // 16))

    @property
    def position(self) -> int:
        if self._raw is not None and not self._raw.closed:
            return self._raw.tell()
        return self.size if self._finished else 0

    def __iter__(self) -> Iterator[Found | Issue]:
        self.format = "unknown"
        self._finished = self._noted_compiled = False
        try:
            raw = self.path.open("rb")
        except OSError as error:
            yield Issue("the file", "unreadable", f"the file cannot be read: {error.strerror}")
            return
        self._raw = raw
        try:
            yield from self._read(raw)
        except (gzip.BadGzipFile, EOFError, zlib.error) as error:
            at = f"byte {raw.tell()} of the compressed file"
            message = f"{at}: the gzip data is damaged ({error}); the rest cannot be read"
            yield Issue(at, "bad-gzip", message)
        except OSError as error:
            yield Issue("the file", "unreadable", f"the file cannot be read: {error}")
        finally:
            raw.close()
            if self._aux_raw is not None:
                self._aux_raw.close()
                self._aux = self._aux_raw = None
            self._raw = None
            self._finished = True

    # The shape of the file.

    def _read(self, raw: io.BufferedReader) -> Iterator[Found | Issue]:
        magic = raw.peek(8)[:8]
        for signature, name in _COMPRESSIONS:
            if magic.startswith(signature):
                message = f"the file is compressed with {name}; openbook reads plain or gzip files"
                yield Issue("the file", "unsupported-compression", message)
                return
        self._compressed = magic.startswith(b"\x1f\x8b")
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if self._compressed else raw
        head = stream.read(_CHUNK)
        skip = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
        if skip:
            message = "the file starts with a byte order mark, which JSON does not have; ignored"
            yield Issue("byte 0", "bom", f"byte 0: {message}", "warning")
        content = head[skip:].lstrip(_WHITESPACE)
        while not content and len(head) == _CHUNK:
            head = stream.read(_CHUNK)
            content = head.lstrip(_WHITESPACE)
        problem = self._head_problem(head, skip, content)
        if problem is not None:
            yield problem
            return
        line_oriented = self._line_oriented(stream, skip)
        stream.seek(0)
        if line_oriented:
            yield from self._read_lines(stream, skip)
        else:
            yield from self._read_document(stream, skip)

    def _line_oriented(self, stream, skip: int) -> bool:
        """Whether to read the file a line at a time: its first line is a JSON value by itself,
        or that line is broken and the next one is a JSON value (or too long to tell)."""
        stream.seek(skip)
        first = stream.readline(self.max_statement_bytes + 1)
        if first.endswith(b"\n") or len(first) <= self.max_statement_bytes:
            if _parses(first):
                return True
        else:
            while (part := stream.readline(_CHUNK)) and not part.endswith(b"\n"):
                pass
        del first
        while (second := stream.readline(_PROBE)) and not second.strip(_WHITESPACE):
            pass
        if second.lstrip(_WHITESPACE)[:1] not in (b"{", b"["):
            return False
        return (len(second) == _PROBE and not second.endswith(b"\n")) or _parses(second)

    def _head_problem(self, head: bytes, skip: int, content: bytes) -> Issue | None:
        for signature, name in _OTHER_BOMS:
            if head.startswith(signature):
                why = f"the file is {name} (it starts with a {name} byte order mark)"
                return Issue("byte 0", "not-utf8", f"byte 0: {why}; OCDS JSON must be UTF-8")
        if b"\x00" in head[skip : skip + 4]:
            why = "the file looks like UTF-16 or UTF-32 (it has zero bytes between characters)"
            return Issue("byte 0", "not-utf8", f"byte 0: {why}; OCDS JSON must be UTF-8")
        if not content:
            self.format = "empty"
            what = "0 bytes" if self.size == 0 else "only whitespace"
            what += " once decompressed" if self._compressed else ""
            return Issue("the file", "empty-file", f"the file is empty ({what}): no releases")
        if content[:1] not in (b"{", b"["):
            start = content[:40].decode("utf-8", "replace")
            why = f"JSON data starts with '{{' or '[', and this file starts with {start!r}"
            return Issue("the file", "invalid-json", f"the file is not JSON: {why}")
        return None

    # JSON Lines, and documents on one line.

    def _read_lines(self, stream, skip: int) -> Iterator[Found | Issue]:
        readline = stream.readline
        loads = orjson.loads
        number = offset = values = 0
        pending: list[bytes] = []  # lines read ahead, to learn whether the file has one line
        label = ""
        while line := (pending.pop(0) if pending else readline(_PROBE)):
            number += 1
            start = offset
            offset += len(line)
            long = len(line) == _PROBE and not line.endswith(b"\n")
            if number == 1:
                line, start = line[skip:], skip
            if long:
                length, more = self._measure_line(start, number == 1)
            if number == 1:
                one_line = not (more if long else _more(readline, pending))
            label = "" if one_line else f"line {number}"
            if long:
                if length > self.max_statement_bytes:
                    values += 1
                    self.format = "json-lines" if values > 1 else self.format
                    region = _Chain(line, _LineRegion(stream))
                    yield from self._stream(
                        region,
                        functools.partial(self._line_at, start),
                        start,
                        number,
                        label,
                        in_line=True,
                    )
                    offset = start + length
                    continue
                line += readline(length - len(line))
                offset = start + len(line)
            try:
                value = loads(line)
            except orjson.JSONDecodeError as error:
                if line.strip(_WHITESPACE):
                    values += 1
                    self.format = "json-lines" if values > 1 else self.format
                    copy = functools.partial(io.BytesIO, line)
                    yield from self._stream(
                        copy(), copy, start, number, label, in_line=True, hint=error
                    )
                continue
            values += 1
            if values < 3:
                self.format = "json-lines" if values > 1 else _kind(value)
            if type(value) is dict and "releases" not in value and "records" not in value:
                yield self._release(value, None, label, "")
            else:
                yield from self._value(value, label, "")

    def _measure_line(self, start: int, first: bool) -> tuple[int, bool]:
        """The length of the (long) line that starts here and, for the first line, whether
        anything follows it, read with the second handle."""
        aux = self._aux_at(start)
        length = 0
        while part := aux.readline(_CHUNK):
            length += len(part)
            if part.endswith(b"\n"):
                break
        return length, first and _more(aux.readline, [])

    def _line_at(self, offset: int) -> "_LineRegion":
        return _LineRegion(self._aux_at(offset))

    def _aux_at(self, offset: int):
        """A second handle on the file, at this offset of its (decompressed) data: moving
        forward in gzip data is reading on, moving back is reading again from the start."""
        if self._aux is None:
            self._aux = self._aux_raw = self.path.open("rb")
            if self._compressed:
                self._aux = gzip.GzipFile(fileobj=self._aux_raw, mode="rb")
        self._aux.seek(offset)
        return self._aux

    # Documents, and concatenated documents.

    def _read_document(self, stream, skip: int) -> Iterator[Found | Issue]:
        stream.seek(skip)
        if self._compressed or self.size - skip <= WHOLE_DOCUMENT_BYTES:
            data = stream.read(WHOLE_DOCUMENT_BYTES + 1)
            if len(data) <= WHOLE_DOCUMENT_BYTES:
                try:
                    value = orjson.loads(data)
                except orjson.JSONDecodeError as error:
                    copy = functools.partial(io.BytesIO, data)
                    yield from self._stream(copy(), copy, skip, 1, "", hint=error)
                    return
                self.format = _kind(value)
                yield from self._value(value, "", "")
                return
            del data
            stream.seek(skip)
        yield from self._stream(stream, functools.partial(self._aux_at, skip), skip, 1, "")

    # Streaming.

    def _stream(
        self,
        region,
        again: Callable,
        offset: int,
        line: int,
        label: str,
        *,
        in_line: bool = False,
        hint: orjson.JSONDecodeError | None = None,
    ) -> Iterator[Found | Issue]:
        """Stream a region (one line, or the rest of the file) starting at this offset and line:
        first an outline of it from ``again()`` (the package metadata), then its releases from
        region. hint is orjson's error on the same bytes, for its exact position."""
        outlines = self._outline(_Source(again().read, offset, line))
        if outlines and (self.format == "unknown" or not in_line):
            self.format = outlines[0].kind if len(outlines) == 1 else "concatenated"
        source = _Source(region.read, offset, line)
        events = ijson.basic_parse(
            source, multiple_values=not in_line, use_float=False, buf_size=self._piece
        )
        if label.startswith("line"):
            rest = "the rest of the line was not read"
        else:
            rest = "the rest of the file cannot be read"
        try:
            yield from self._walk(events, source, outlines, label, in_line)
        except _EncodingProblem as problem:
            where, at = source.position(problem.offset - source.chunk_offset, self._compressed)
            yield Issue(where, problem.code, f"{at}: {problem.message}; {rest}")
        except (ijson.JSONError, UnicodeDecodeError) as error:
            offset_in_chunk = _yajl_offset(str(error), source.chunk)
            if offset_in_chunk and "invalid char in json text" in str(error):
                offset_in_chunk -= 1  # yajl stops just after the character it refuses
            where, at = source.position(offset_in_chunk, self._compressed)
            reason = _yajl_reason(error)
            if hint is not None and not any(word in hint.msg for word in _NOT_SYNTAX):
                where, at = _hint_position(hint, offset, line, source, self._compressed)
                reason = hint.msg
            if in_line and not (where == label or where.startswith(f"{label},")):
                # The parser ran off the end of the line (truncated JSON): the problem is on this
                # line, at its end, not on the next one.
                where, at = label, f"{label}, at the end of the line"
            yield Issue(where, "invalid-json", f"{at}: invalid JSON ({reason}); {rest}")
        if in_line:
            while region.read(_CHUNK):  # after an error, move on to the next line
                pass

    def _outline(self, source: "_Source") -> list["_Outline"]:
        """The pre-scan: the kind and package metadata of each top-level value."""
        outlines: list[_Outline] = []
        events = ijson.basic_parse(
            source, multiple_values=True, use_float=False, buf_size=self._piece
        )
        try:
            for event, _ in events:
                outline = _Outline()
                outlines.append(outline)
                if event == "start_map":
                    self._outline_object(events, source, outline)
                else:
                    outline.shape = "array" if event == "start_array" else "scalar"
                    _skip(events, event)
        except (ijson.JSONError, UnicodeDecodeError, _EncodingProblem):
            pass  # the second reading reports it, with all that comes before it
        return outlines

    def _outline_object(self, events, source: "_Source", outline: "_Outline") -> None:
        budget = self.max_statement_bytes
        for event, key in events:
            if event == "end_map":
                return
            first, value = next(events)
            outline.keys.add(key)
            if key in _STREAMED and first != "start_array":
                outline.not_lists.append((key, _event_kind(first, value)))
            if key in _NOT_METADATA or budget < 0:
                _skip(events, first)
                continue
            start = source.offset
            with contextlib.suppress(_Skip):  # the second reading reports it
                outline.metadata[key] = _build(first, value, events, source, depth=1, limit=budget)
            budget -= source.offset - start

    def _walk(self, events, source: "_Source", outlines: list, label: str, in_line: bool):
        limit = self.max_statement_bytes
        for number, (first, value) in enumerate(events, 1):
            outline = outlines[number - 1] if number <= len(outlines) else _Outline()
            if not in_line and len(outlines) > 1:
                label = f"document {number}"
            if first == "start_map" and outline.kind in _PACKAGES:
                yield from self._walk_package(events, source, outline, label)
            elif first == "start_array":
                for index, (event, item) in enumerate(events):
                    if event == "end_array":
                        break
                    try:
                        built = _build(event, item, events, source, depth=1, limit=limit)
                    except _Skip as skip:
                        yield skip.issue(_where(label, f"[{index}]"))
                        continue
                    yield from self._value(built, label, f"[{index}]", nested=True)
            else:
                try:
                    built = _build(first, value, events, source, depth=0, limit=limit)
                except _Skip as skip:
                    yield skip.issue(_where(label, ""))
                    continue
                yield from self._value(built, label, "")

    def _walk_package(self, events, source: "_Source", outline: "_Outline", label: str):
        """Stream the releases or records of a package (or the releases of a record)."""
        package = None if outline.kind == "record" else outline.metadata
        limit = self.max_statement_bytes
        for event, key in events:
            if event == "end_map":
                break
            first, _ = next(events)
            if key not in _STREAMED or first != "start_array":
                _skip(events, first)
                continue
            for index, (kind, value) in enumerate(events):
                if kind == "end_array":
                    break
                path = f"{key}[{index}]"
                try:
                    item = _build(kind, value, events, source, depth=2, limit=limit)
                except _Skip as skip:
                    yield skip.issue(_where(label, path))
                    continue
                if type(item) is not dict:
                    yield _not_an_object(item, label, path)
                elif key == "records":
                    yield from self._record(item, package, label, path)
                elif outline.kind == "record":
                    yield self._record_release(item, None, label, path)
                else:
                    yield self._release(item, package, label, path)
        for key, kind in outline.not_lists:
            yield _not_a_list(key, kind, label, "")

    # What the values are.

    def _value(self, value, label: str, path: str, nested=False) -> Iterator[Found | Issue]:
        """A parsed value: a package, a record, a release, or (unless nested) an array."""
        if type(value) is list and not nested:
            for index, item in enumerate(value):
                yield from self._value(item, label, f"{path}[{index}]", nested=True)
        elif type(value) is not dict:
            yield _not_an_object(value, label, path)
        elif "records" in value or ("releases" in value and not _is_record(value)):
            key = "records" if "records" in value else "releases"
            package = {name: item for name, item in value.items() if name != key}
            items = value[key]
            if type(items) is not list:
                yield _not_a_list(key, _json_kind(items), label, path)
                return
            for index, item in enumerate(items):
                item_path = _join(path, f"{key}[{index}]")
                if type(item) is not dict:
                    yield _not_an_object(item, label, item_path)
                elif key == "records":
                    yield from self._record(item, package, label, item_path)
                else:
                    yield self._release(item, package, label, item_path)
        elif "releases" in value:
            yield from self._record(value, None, label, path)
        else:
            yield self._release(value, None, label, path)

    def _record(self, record: dict, package, label: str, path: str) -> Iterator[Found | Issue]:
        releases = record.get("releases")
        if type(releases) is not list:
            yield _not_a_list("releases", _json_kind(releases), label, path)
            return
        for index, release in enumerate(releases):
            release_path = _join(path, f"releases[{index}]")
            if type(release) is dict:
                yield self._record_release(release, package, label, release_path)
            else:
                yield _not_an_object(release, label, release_path)

    def _record_release(self, release: dict, package, label: str, path: str) -> Found | Issue:
        if "id" in release or "ocid" in release or "url" not in release:
            return self._release(release, package, label, path)
        where = _where(label, path)
        message = (
            f"{where}: this release is only linked ({release['url']}), not embedded, so it was "
            "not loaded: openbook does not fetch linked releases; load the packages they are in"
        )
        if not self._noted_compiled:  # said once per file
            self._noted_compiled = True
            message += (
                ". Records' compiledRelease and versionedRelease are not loaded either: "
                "openbook compiles records from their releases"
            )
        return Issue(where, "linked-release", message, "warning")

    def _release(self, release: dict, package, label: str, path: str) -> Found | Issue:
        ocid = release.get("ocid")
        identifier = release.get("id")
        date = release.get("date")
        if type(ocid) is type(identifier) is type(date) is str and ocid and identifier and date:
            return Found(release, package, _where(label, path))
        return _unusable(release, _where(label, path))


# Building values from ijson's events.


class _Skip(Exception):
    """Not an error: a value was consumed but not built, for the reason given."""

    def __init__(self, code: str, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def issue(self, where: str) -> Issue:
        return Issue(where, self.code, f"{where}: {self.reason}")


_TOO_DEEP = f"it is nested more than {MAX_DEPTH} levels deep, so it was not loaded"


@dataclass(slots=True)
class _Outline:
    """What the pre-scan learns about one top-level value."""

    keys: set = field(default_factory=set)
    metadata: dict = field(default_factory=dict)
    not_lists: list = field(default_factory=list)
    shape: str = "object"

    @property
    def kind(self) -> str:
        if self.shape != "object":
            return self.shape
        if "records" in self.keys:
            return "record-package"
        if "releases" in self.keys:
            return "record" if _is_record(self.keys) else "release-package"
        return "release"


def _skip(events, first: str) -> None:
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


def _build(first: str, value, events, source: "_Source", *, depth: int, limit: int):
    """Build the JSON value whose first event is (first, value), at this depth (the number of
    containers around it), taking the rest from events. Raises _Skip, having consumed the whole
    value, if it is too deep or too large or holds a number beyond a double."""
    if first == "number":
        return _number(value, [], None)
    if first not in {"start_map", "start_array"}:
        return value
    root: dict | list = {} if first == "start_map" else []
    stack = [root]
    if depth >= MAX_DEPTH:
        problem: _Skip | None = _Skip("too-deep", _TOO_DEEP)
    else:
        problem = _fill(stack, events, source, source.offset + limit, depth)
    if problem is None:
        return root
    for _ in stack:
        _skip(events, "start_map")
    if problem.code == "too-large":
        size = f"{limit / 2**20:g} MB" if limit >= 2**20 else f"{limit} bytes"
        problem.reason = (
            f"it is larger than {size}, the most one release or record may take "
            "(max_statement_bytes), so it was not loaded"
        )
    raise problem


# One flat loop with a branch per kind of event is what makes streaming fast.
def _fill(stack: list, events, source: "_Source", end: int, depth: int) -> _Skip | None:  # noqa: PLR0912
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
                except _Skip as problem:
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
                return _Skip("too-deep", _TOO_DEEP)
        if source.offset > end:
            return _Skip("too-large", "")
    return None  # not reached: ijson raises on a truncated document


def _number(value, stack: list, key):
    """ijson gives exact numbers (int or Decimal); make them what orjson gives: a float unless
    an integer fits 64 bits. Raises _Skip for numbers beyond a double."""
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
    raise _Skip("number-out-of-range", reason)


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


class _EncodingProblem(Exception):
    """A finding about the file's bytes, reported as an Issue."""

    def __init__(self, code: str, offset: int, message: str):
        super().__init__(message)
        self.code = code
        self.offset = offset
        self.message = message


class _Source:
    """The bytes ijson reads, checked first: UTF-8 (with the exact offset of a bad byte) and no
    lone surrogate escapes (yajl would turn \\ud800 into '?'). It keeps the last chunk and where
    that chunk starts, to place errors."""

    def __init__(self, read: Callable[[int], bytes], offset: int, line: int):
        self._read = read
        self.offset = offset  # where what was handed out ends, in the (decompressed) file
        self._line = line  # the line number there
        self._column = 0  # characters since the start of that line
        self._carry = b""
        self._failure: _EncodingProblem | None = None
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
            self._failure = _EncodingProblem("invalid-json", self.offset + surrogate, why)
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
                self._failure = _EncodingProblem("not-utf8", self.offset + error.start, why)
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


class _LineRegion:
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


class _Chain:
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


def _hint_position(hint, offset: int, line: int, source: _Source, compressed: bool):
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


# Messages and names.


def _unusable(release: dict, where: str) -> Issue:
    problems = []
    codes = []
    for name in ("ocid", "id", "date"):
        value = release.get(name)
        if value is None or value == "":
            problems.append(f"it has no {name}")
            codes.append(f"missing-{name}")
        elif type(value) is not str:
            problems.append(f"its {name} is {_json_kind(value)} ({value!r:.40}), not a string")
            codes.append(f"invalid-{name}")
    identifier = release.get("id")
    named = f"the release {identifier!r:.80}" if type(identifier) is str and identifier else ""
    why = "a release needs an ocid and an id, which identify it, and a date, which orders it"
    message = f"{where}: {named or 'the release'} cannot be stored: {'; '.join(problems)} ({why})"
    return Issue(where, codes[0], message)


def _not_an_object(value, label: str, path: str) -> Issue:
    where = _where(label, path)
    expected = "an OCDS release, record or package (a JSON object)"
    return Issue(where, "not-an-object", f"{where}: expected {expected}, found {_json_kind(value)}")


def _not_a_list(key: str, kind: str, label: str, path: str) -> Issue:
    where = _where(label, _join(path, key))
    message = f"{where}: {key} must be a list, and it is {kind}, so nothing in it was loaded"
    return Issue(where, "not-a-list", message)


def _where(label: str, path: str) -> str:
    if label and path:
        return f"{label}, {path}"
    return label or path or "the document"


def _join(path: str, child: str) -> str:
    return f"{path}.{child}" if path else child


def _kind(value) -> str:
    if type(value) is list:
        return "array"
    if type(value) is not dict:
        return "scalar"
    if "records" in value:
        return "record-package"
    if "releases" in value:
        return "record" if _is_record(value) else "release-package"
    return "release"


def _is_record(keys) -> bool:
    """Whether an object with releases is a record rather than a package: records have an ocid
    (Contracts Finder's records have none, but have a compiledRelease)."""
    return "ocid" in keys or "compiledRelease" in keys or "versionedRelease" in keys


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


def _event_kind(event: str, value) -> str:
    return {"start_map": "an object", "start_array": "a list"}.get(event) or _json_kind(value)


def _more(readline, pending: list[bytes]) -> bool:
    """Whether a line with content follows; the lines read to learn it go to pending."""
    while line := readline(_PROBE):
        pending.append(line)
        if line.strip(_WHITESPACE):
            return True
    return False


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True
