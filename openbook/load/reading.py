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

The streaming parser is in ``streaming``; this module says what each value is (package, record,
release), whichever parser read it.

Messages start with the position and do not name the file: the caller prefixes its path.
"""

import functools
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson

from openbook.load import streaming
from openbook.load.streaming import MAX_DEPTH, json_kind

__all__ = [
    "MAX_DEPTH",
    "WHOLE_DOCUMENT_BYTES",
    "Deferred",
    "Found",
    "Issue",
    "Reader",
    "package_releases",
    "plain_release",
]

WHOLE_DOCUMENT_BYTES = 32 * 2**20

_CHUNK = 64 * 2**10
_PROBE = 2**20  # lines up to this long are read in one call; longer ones are measured first
_WHITESPACE = b" \t\r\n"
_PACKAGES = frozenset({"release-package", "record-package", "record"})
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = [(b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32")]
_OTHER_BOMS += [(b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")]
_COMPRESSIONS = [(b"PK\x03\x04", "zip"), (b"BZh", "bzip2"), (b"\xfd7zXZ\x00", "xz")]
_COMPRESSIONS += [(b"\x28\xb5\x2f\xfd", "zstd")]


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


@dataclass(slots=True)
class Deferred:
    """A JSON Lines line handed on unparsed (``Reader.defer``), so that parsing can happen in a
    worker process: ``plain_release`` there, and ``Reader.settle`` here when it is anything
    but a plain, usable release."""

    line: bytes
    where: str
    start: int  # byte offset of the line
    number: int  # line number


def plain_release(line: bytes) -> dict | None:
    """The release on a JSON Lines line if it is a plain, usable one (an object with string
    ocid, id and date, not a package); None when the reader must settle the line itself (bad
    JSON, a package, an unusable release), to say precisely what is wrong with it."""
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if type(value) is not dict or "releases" in value or "records" in value:
        return None
    if _usable_identity(value.get("ocid"), value.get("id"), value.get("date")):
        return value
    return None


def package_releases(package: dict) -> Iterator[Found | Issue]:
    """The releases of a release package already parsed (a page fetched from an API), as a
    Reader yields those of a file: each usable one Found with the package's metadata (one dict
    shared by all), each unusable one an Issue."""
    metadata = {name: value for name, value in package.items() if name != "releases"}
    releases = package.get("releases")
    if type(releases) is not list:
        yield _not_a_list("releases", json_kind(releases), "", "")
        return
    for index, release in enumerate(releases):
        where = f"releases[{index}]"
        if type(release) is not dict:
            yield _not_an_object(release, "", where)
        elif _usable_identity(release.get("ocid"), release.get("id"), release.get("date")):
            yield Found(release, metadata, where)
        else:
            yield _unusable(release, where)


# The most an ocid, an id or a date may take (UTF-8 bytes): far beyond any real one, and within
# what one PostgreSQL index entry holds for the log's (register, ocid, id) key.
IDENTITY_BYTES = {"ocid": 1000, "id": 1000, "date": 100}


class Reader:
    """Iterate over one OCDS file: ``for item in Reader(path)`` yields Found and Issue.

    ``size`` is the file's size on disk and ``position`` how much of it has been consumed (for
    gzip, of the compressed file), for a progress bar. ``format`` is what the file turned out
    to be: "json-lines", "release-package", "record-package", "record", "release", "array",
    "concatenated" or "empty", known once iteration has started. The reader never raises for
    what is in the file, nor when the file cannot be read: it yields an Issue. With ``defer``
    set, JSON Lines lines after the first two come out as Deferred (see there).
    """

    def __init__(self, path: Path, max_statement_bytes: int = 64 * 2**20):
        self.path = Path(path)
        self.max_statement_bytes = max_statement_bytes
        try:
            self.size = self.path.stat().st_size
        except OSError:
            self.size = 0
        self.format = "unknown"
        # When set, JSON Lines lines after the first two come out as Deferred, unparsed.
        self.defer = False
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

    def __iter__(self) -> Iterator[Found | Issue | Deferred]:
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

    def _read(self, raw: io.BufferedReader) -> Iterator[Found | Issue | Deferred]:
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

    def _read_lines(self, stream, skip: int) -> Iterator[Found | Issue | Deferred]:
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
                    region = streaming.Chain(line, streaming.LineRegion(stream))
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
            if self.defer and values >= 2:
                # The format is known (JSON Lines): let the caller parse the line elsewhere.
                values += 1
                yield Deferred(line, label, start, number)
                continue
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
            yield from self._line_value(value, label)

    def _line_value(self, value, label: str) -> Iterator[Found | Issue]:
        if type(value) is dict and "releases" not in value and "records" not in value:
            yield self._release(value, None, label, "")
        else:
            yield from self._value(value, label, "")

    def settle(self, deferred: Deferred) -> Iterator[Found | Issue]:
        """Read a deferred line exactly as the reader would have read it in place."""
        line = deferred.line
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            if line.strip(_WHITESPACE):
                copy = functools.partial(io.BytesIO, line)
                yield from self._stream(
                    copy(),
                    copy,
                    deferred.start,
                    deferred.number,
                    deferred.where,
                    in_line=True,
                    hint=error,
                )
            return
        yield from self._line_value(value, deferred.where)

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

    def _line_at(self, offset: int) -> streaming.LineRegion:
        return streaming.LineRegion(self._aux_at(offset))

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
        outlines = streaming.outline(
            streaming.Source(again().read, offset, line),
            piece=self._piece,
            budget=self.max_statement_bytes,
        )
        if outlines and (self.format == "unknown" or not in_line):
            self.format = _outline_kind(outlines[0]) if len(outlines) == 1 else "concatenated"
        source = streaming.Source(region.read, offset, line)
        events = streaming.parse(source, multiple_values=not in_line, piece=self._piece)
        if label.startswith("line"):
            rest = "the rest of the line was not read"
        else:
            rest = "the rest of the file cannot be read"
        try:
            yield from self._walk(events, source, outlines, label, in_line)
        except streaming.EncodingProblem as problem:
            where, at = source.position(problem.offset - source.chunk_offset, self._compressed)
            yield Issue(where, problem.code, f"{at}: {problem.message}; {rest}")
        except streaming.JSON_ERRORS as error:
            where, at, reason = streaming.error_position(
                error, source, compressed=self._compressed, hint=hint, offset=offset, line=line
            )
            if in_line and not (where == label or where.startswith(f"{label},")):
                # The parser ran off the end of the line (truncated JSON): the problem is on this
                # line, at its end, not on the next one.
                where, at = label, f"{label}, at the end of the line"
            yield Issue(where, "invalid-json", f"{at}: invalid JSON ({reason}); {rest}")
        if in_line:
            while region.read(_CHUNK):  # after an error, move on to the next line
                pass

    def _walk(self, events, source: streaming.Source, outlines: list, label: str, in_line: bool):
        limit = self.max_statement_bytes
        for number, (first, value) in enumerate(events, 1):
            outline = outlines[number - 1] if number <= len(outlines) else streaming.Outline()
            if not in_line and len(outlines) > 1:
                label = f"document {number}"
            if first == "start_map" and _outline_kind(outline) in _PACKAGES:
                yield from self._walk_package(events, source, outline, label)
            elif first == "start_array":
                for index, (event, item) in enumerate(events):
                    if event == "end_array":
                        break
                    try:
                        built = streaming.build(event, item, events, source, depth=1, limit=limit)
                    except streaming.Skip as skip:
                        yield _skipped(skip, _where(label, f"[{index}]"))
                        continue
                    yield from self._value(built, label, f"[{index}]", nested=True)
            else:
                try:
                    built = streaming.build(first, value, events, source, depth=0, limit=limit)
                except streaming.Skip as skip:
                    yield _skipped(skip, _where(label, ""))
                    continue
                yield from self._value(built, label, "")

    def _walk_package(
        self, events, source: streaming.Source, outline: streaming.Outline, label: str
    ):
        """Stream the releases or records of a package (or the releases of a record)."""
        in_record = _outline_kind(outline) == "record"
        package = None if in_record else outline.metadata
        limit = self.max_statement_bytes
        for event, key in events:
            if event == "end_map":
                break
            first, _ = next(events)
            if key not in streaming.STREAMED or first != "start_array":
                streaming.skip(events, first)
                continue
            for index, (kind, value) in enumerate(events):
                if kind == "end_array":
                    break
                path = f"{key}[{index}]"
                try:
                    item = streaming.build(kind, value, events, source, depth=2, limit=limit)
                except streaming.Skip as skip:
                    yield _skipped(skip, _where(label, path))
                    continue
                if type(item) is not dict:
                    yield _not_an_object(item, label, path)
                elif key == "records":
                    yield from self._record(item, package, label, path)
                elif in_record:
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
                yield _not_a_list(key, json_kind(items), label, path)
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
            yield _not_a_list("releases", json_kind(releases), label, path)
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
        if _usable_identity(release.get("ocid"), release.get("id"), release.get("date")):
            return Found(release, package, _where(label, path))
        return _unusable(release, _where(label, path))


# Messages and names.


def _usable_identity(ocid, identifier, date) -> bool:
    """Whether a release's ocid, id and date can identify and order it in the log: non-empty
    strings, within IDENTITY_BYTES, without NUL characters (which PostgreSQL text refuses)."""
    for name, value in (("ocid", ocid), ("id", identifier), ("date", date)):
        if type(value) is not str or not value or "\x00" in value:
            return False
        if len(value) * 4 > IDENTITY_BYTES[name] and len(value.encode()) > IDENTITY_BYTES[name]:
            return False
    return True


def _unusable(release: dict, where: str) -> Issue:
    problems = []
    codes = []
    for name in ("ocid", "id", "date"):
        value = release.get(name)
        if value is None or value == "":
            problems.append(f"it has no {name}")
            codes.append(f"missing-{name}")
        elif type(value) is not str:
            problems.append(f"its {name} is {json_kind(value)} ({value!r:.40}), not a string")
            codes.append(f"invalid-{name}")
        elif "\x00" in value:
            problems.append(f"its {name} contains a NUL character (\\u0000)")
            codes.append(f"invalid-{name}")
        elif len(value.encode()) > IDENTITY_BYTES[name]:
            size = len(value.encode())
            problems.append(
                f"its {name} is {size:,} bytes long, more than the {IDENTITY_BYTES[name]:,} "
                f"bytes an {name} may have here ({value[:40]!r}...)"
            )
            codes.append(f"invalid-{name}")
    identifier = release.get("id")
    named = f"the release {identifier!r:.80}" if type(identifier) is str and identifier else ""
    why = "a release needs an ocid and an id, which identify it, and a date, which orders it"
    message = f"{where}: {named or 'the release'} cannot be stored: {'; '.join(problems)} ({why})"
    return Issue(where, codes[0], message)


def _not_an_object(value, label: str, path: str) -> Issue:
    where = _where(label, path)
    expected = "an OCDS release, record or package (a JSON object)"
    return Issue(where, "not-an-object", f"{where}: expected {expected}, found {json_kind(value)}")


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


def _skipped(skip: streaming.Skip, where: str) -> Issue:
    return Issue(where, skip.code, f"{where}: {skip.reason}")


def _kind(value) -> str:
    if type(value) is list:
        return "array"
    if type(value) is not dict:
        return "scalar"
    return _object_kind(value)


def _outline_kind(outline: streaming.Outline) -> str:
    """What the pre-scan found, in the names of ``_kind``."""
    return _object_kind(outline.keys) if outline.shape == "object" else outline.shape


def _object_kind(keys) -> str:
    if "records" in keys:
        return "record-package"
    if "releases" in keys:
        return "record" if _is_record(keys) else "release-package"
    return "release"


def _is_record(keys) -> bool:
    """Whether an object with releases is a record rather than a package: records have an ocid
    (Contracts Finder's records have none, but have a compiledRelease)."""
    return "ocid" in keys or "compiledRelease" in keys or "versionedRelease" in keys


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
