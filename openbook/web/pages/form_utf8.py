"""Forms whose field names or answers are not UTF-8 (issue 8), found before any page reads them.

Django decodes a form's names and answers with replacement characters, so bytes that are not
UTF-8 would be kept as U+FFFD; and it drops, without a word, a multipart part whose
``Content-Disposition`` header is not UTF-8 (its field name, or its file's name). Both kinds of
form are read strictly here instead, naming each field at fault, what of it is not UTF-8 (its
name, its answer, its file's name, another header of its part) and the offset of the first byte
that is not, counting from 0:

- URL-encoded forms, which Django reads whole into memory anyway: ``urlencoded`` reads the body,
  and ``form_input.FormInput`` refuses them after the CSRF check.
- Multipart forms, whose files may be larger than Django keeps in memory: ``StrictUtf8`` is the
  first upload handler (``FILE_UPLOAD_HANDLERS``), so it covers every form whoever reads it. It
  copies the body to a spooled file, reads the parts' headers and answers strictly (not the
  files' contents: each file's own reader checks them, such as the payments file's), then lets
  Django parse the copy. Refused, it raises ``FormNotUtf8``, a ``MultiPartParserError``, which
  Django answers with ``handler400`` (``form_input.refused_request``): the service's error page,
  its JSON twin, or an API's JSON error.

Only forms sent as UTF-8 (all of the service's pages are) are checked: a multipart form that
declares another charset is decoded in it by Django.
"""

import base64
import binascii
import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from tempfile import SpooledTemporaryFile
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import (
    ChunkIter,
    InterBoundaryIter,
    LazyStream,
    MultiPartParser,
    MultiPartParserError,
)
from django.utils.http import parse_header_parameters

from openbook.web.pages.errors import Problem
from openbook.web.pages.i18n import _

UTF8 = ("utf-8", "utf8")
HEADERS_MOST = 1024  # Django's own limit on a part's headers (multipartparser.Parser)
CHUNK = 64 * 1024
MOST_FAULTS = 20  # fields at fault named in one answer; the reading stops there
_EXTENDED = re.compile(rb";\s*([\w.-]+)\*=\s*([^';]*)'[^']*'([^;\s]*)")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """One field at fault: ``field`` its name as far as it can be read (U+FFFD for what cannot),
    ``part`` what of it is not UTF-8, ``offset`` the first byte that is not, in that part."""

    field: str
    part: str  # "name", "answer", "file name", "header"
    offset: int
    byte: int

    def problem(self) -> Problem:
        values = {"field": self.field, "offset": self.offset, "byte": f"{self.byte:02X}"}
        if self.part == "name":
            message = _(
                "The name of this field is not UTF-8 text: its byte %(offset)s (counting from "
                "0) is 0x%(byte)s. Send the form again from its page",
                **values,
            )
        elif self.part == "file name":
            message = _(
                "The name of the file sent is not UTF-8 text: its byte %(offset)s (counting "
                "from 0) is 0x%(byte)s. Rename the file and send it again",
                **values,
            )
        elif self.part == "header":
            message = _(
                "A header of this field's part of the form is not UTF-8 text: byte "
                "%(offset)s of the header (counting from 0) is 0x%(byte)s. Send the form "
                "again from its page",
                **values,
            )
        else:
            message = _(
                "The answer to %(field)s is not UTF-8 text: its byte %(offset)s (counting "
                "from 0) is 0x%(byte)s. Type the answer again and send the form again",
                **values,
            )
        return Problem(self.field, message)

    def said(self) -> str:
        """In English, for an API's JSON error."""
        return (
            f"the {self.part} of field {self.field!r} is not UTF-8: byte {self.offset} "
            f"(counting from 0) is 0x{self.byte:02X}"
        )


class FormNotUtf8(MultiPartParserError):
    """A multipart form with names or answers that are not UTF-8; Django answers it with 400."""

    def __init__(self, unreadable: list[Unreadable]) -> None:
        super().__init__("; ".join(found.said() for found in unreadable))
        self.unreadable = unreadable


def _bad(data: bytes) -> tuple[int, int] | None:
    """The offset and value of the first byte of ``data`` that is not UTF-8, if one is."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start, data[error.start]
    return None


def _shown(name: bytes) -> str:
    return name.decode("utf-8", "replace")


def urlencoded(body: bytes) -> list[Unreadable]:
    """The fields of a URL-encoded form whose name or answer is not UTF-8 once unquoted, split
    as Django splits them (on ``&`` alone)."""
    found = []
    for pair in body.split(b"&"):
        if not pair:
            continue
        name, _equals, value = pair.partition(b"=")
        raw_name = unquote_to_bytes(name.replace(b"+", b" "))
        raw_value = unquote_to_bytes(value.replace(b"+", b" "))
        for part, raw in (("name", raw_name), ("answer", raw_value)):
            bad = _bad(raw)
            if bad:
                found.append(Unreadable(_shown(raw_name), part, *bad))
                break
    return found


def multipart(stream, boundary: bytes) -> list[Unreadable]:
    """The parts of a multipart body whose headers or (for fields, not files) answers are not
    UTF-8, read with Django's own splitting of the body into parts."""
    found: list[Unreadable] = []
    most = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    counted = {False: 0, True: 0}  # answers and files, against Django's limits on each
    for part in InterBoundaryIter(LazyStream(ChunkIter(stream, CHUNK)), b"--" + boundary):
        if len(found) >= MOST_FAULTS:
            break
        head = part.read(HEADERS_MOST)
        end = head.find(b"\r\n\r\n")
        if end == -1:
            # No headers Django would read (the preamble, or headers over its limit, which it
            # refuses itself): nothing of this part is kept.
            _exhaust(part)
            continue
        part.unget(head[end + 4 :])
        headers = list(_headers(head[:end]))
        name, is_file, encoding = b"", False, ""
        for header, params, line in headers:
            if header == "content-disposition":
                name = params.get("name", b"").strip()
                is_file = bool(params.get("filename"))
            elif header == "content-transfer-encoding":
                encoding = line.split(b":", 1)[1].strip().decode("latin-1")  # as Django compares it
        counted[is_file] += 1
        _within_limits(counted)
        unreadable = _unreadable_headers(headers, name)
        if unreadable:
            found.append(unreadable)
            _exhaust(part)
            continue
        if is_file:
            _exhaust(part)
            continue
        value = part.read(None if most is None else most + 1)
        _exhaust(part)
        if encoding == "base64":
            # Not base64 after all, Django keeps the answer as sent: so it is checked as sent.
            with contextlib.suppress(binascii.Error):
                value = base64.b64decode(value)
        bad = _bad(value)
        if bad:
            found.append(Unreadable(_shown(name), "answer", *bad))
    return found


def _within_limits(counted: dict[bool, int]) -> None:
    """Django's limits on a form's answers and files, applied as the parts are read: this
    reading comes before Django's own, which would otherwise apply them."""
    fields, files = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS, settings.DATA_UPLOAD_MAX_NUMBER_FILES
    if fields is not None and counted[False] > fields:
        raise TooManyFieldsSent(f"more than {fields:,} answers")
    if files is not None and counted[True] > files:
        raise TooManyFilesSent(f"more than {files:,} files")


def _headers(block: bytes) -> Iterator[tuple[str, dict[str, bytes], bytes]]:
    """Each header line of a part: its name, its parameters' bytes, the line. A line that is
    UTF-8 is read as Django reads it; one that is not (which Django drops), as Latin-1 (one
    character a byte), so that the byte at fault is found where it is."""
    for line in block.split(b"\r\n"):
        encoding = "utf-8" if _bad(line) is None else "latin-1"
        try:
            main, params = parse_header_parameters(line.decode(encoding))
            header, _value = main.split(":", 1)
            raw = {key: value.encode(encoding) for key, value in params.items()}
        except (ValueError, UnicodeEncodeError):
            continue  # not a header Django reads either
        # An extended parameter (RFC 2231: name*=utf-8''%FF) is percent-decoded by Django
        # with replacement characters: its bytes are taken as sent.
        for key, charset, value in _EXTENDED.findall(line):
            if charset.strip().lower() in (b"utf-8", b"utf8"):
                raw[key.decode("latin-1").lower()] = unquote_to_bytes(value)
        yield header, raw, line


def _unreadable_headers(
    headers: list[tuple[str, dict[str, bytes], bytes]], name: bytes
) -> Unreadable | None:
    for header, params, line in headers:
        if header == "content-disposition":
            for key, part in (("name", "name"), ("filename", "file name")):
                if bad := _bad(params.get(key, b"")):
                    return Unreadable(_shown(name), part, *bad)
        if bad := _bad(line):
            return Unreadable(_shown(name), "header", *bad)
    return None


def _exhaust(part: LazyStream) -> None:
    for _chunk in part:
        pass


class StrictUtf8(FileUploadHandler):
    """The first upload handler: a multipart form read strictly before Django parses it."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if (encoding or "utf-8").lower() not in UTF8:
            return None
        copy = SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        try:
            left = content_length
            while left > 0:
                chunk = input_data.read(min(CHUNK, left))
                if not chunk:
                    break
                copy.write(chunk)
                left -= len(chunk)
            copy.seek(0)
            unreadable = multipart(copy, boundary)
            if unreadable:
                raise FormNotUtf8(unreadable)
            copy.seek(0)
            others = [handler for handler in self.request.upload_handlers if handler is not self]
            return MultiPartParser(META, copy, others, encoding).parse()
        finally:
            copy.close()

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None
