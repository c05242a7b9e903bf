"""Which documents are accepted, told by their content, never by what the sender says alone.

Accepted: PDF; OpenDocument and Office Open XML text documents, spreadsheets and presentations
(without macros); CSV and plain text in UTF-8; PNG, JPEG, GIF and TIFF images: what tender
documents, contracts and their schedules come as. Each is recognised by its magic bytes (a PDF
begins ``%PDF-``, a PNG ``\\x89PNG``...), an OpenDocument file by the ``mimetype`` member its ZIP
must begin with (OpenDocument 1.3, part 2, section 3.3), an Office Open XML file by its ZIP's
``[Content_Types].xml`` and main part (ECMA-376 part 2), text by being UTF-8 without control
characters from its first byte to its last.

Refused, with what to do instead: programs, web pages, archives, and the older binary Office
formats (.doc, .xls: their macros are the commonest way malware travels in documents, and
every office suite saves the newer formats). docs/documents.md lists them.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Kind:
    code: str  # as stored: pdf, docx, csv...
    label: str  # as a message names it: "a PDF document"
    media_type: str  # as served
    extensions: tuple[str, ...]  # the first is the one to suggest
    aliases: tuple[str, ...] = ()  # other media types a sender may declare for it


_OOXML = "application/vnd.openxmlformats-officedocument"
_ODF = "application/vnd.oasis.opendocument"

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind("pdf", "a PDF document", "application/pdf", (".pdf",), ("application/x-pdf",)),
        Kind("odt", "an OpenDocument text document", f"{_ODF}.text", (".odt",)),
        Kind("ods", "an OpenDocument spreadsheet", f"{_ODF}.spreadsheet", (".ods",)),
        Kind("odp", "an OpenDocument presentation", f"{_ODF}.presentation", (".odp",)),
        Kind(
            "docx",
            "a Word document (.docx)",
            f"{_OOXML}.wordprocessingml.document",
            (".docx",),
        ),
        Kind("xlsx", "an Excel workbook (.xlsx)", f"{_OOXML}.spreadsheetml.sheet", (".xlsx",)),
        Kind(
            "pptx",
            "a PowerPoint presentation (.pptx)",
            f"{_OOXML}.presentationml.presentation",
            (".pptx",),
        ),
        Kind(
            "csv",
            "a CSV file",
            "text/csv; charset=utf-8",
            (".csv",),
            ("text/csv", "application/csv", "text/x-csv", "text/comma-separated-values"),
        ),
        Kind("txt", "a plain text file", "text/plain; charset=utf-8", (".txt",), ("text/plain",)),
        Kind("png", "a PNG image", "image/png", (".png",)),
        Kind("jpeg", "a JPEG image", "image/jpeg", (".jpg", ".jpeg"), ("image/jpg",)),
        Kind("gif", "a GIF image", "image/gif", (".gif",)),
        Kind("tiff", "a TIFF image", "image/tiff", (".tif", ".tiff")),
    )
}
TEXT = (KINDS["csv"], KINDS["txt"])
ODF_KINDS = {kind.media_type: kind for kind in KINDS.values() if kind.media_type.startswith(_ODF)}
# The main part of each Office Open XML document (ECMA-376 part 1, 11.3.10, 12.3.23, 13.3.6).
OOXML_PARTS = {
    "word/document.xml": KINDS["docx"],
    "xl/workbook.xml": KINDS["xlsx"],
    "ppt/presentation.xml": KINDS["pptx"],
}
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
)
UNDECLARED = ("", "application/octet-stream", "binary/octet-stream")
_SMALL_MEMBER = 1 << 20  # a mimetype or [Content_Types].xml member is a few kilobytes at most
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class NotAccepted(Exception):
    """The content is not of an accepted type; the message says what it is and what to do."""


def accepted_list() -> str:
    return (
        "PDF, OpenDocument and Office Open XML documents, spreadsheets and presentations "
        "(.odt, .ods, .odp, .docx, .xlsx, .pptx), CSV and plain text in UTF-8, and PNG, JPEG, "
        "GIF and TIFF images"
    )


def by_extension(name: str) -> list[Kind]:
    """The kinds a file name's extension stands for (none if it has no accepted extension)."""
    extension = extension_of(name)
    return [kind for kind in KINDS.values() if extension in kind.extensions]


def extension_of(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    return f".{extension.lower()}" if dot and stem else ""


def by_media_type(declared: str) -> Kind | None:
    """The kind a declared media type (without parameters) names, if it names one."""
    for kind in KINDS.values():
        if declared in (kind.media_type.split(";")[0], *kind.aliases):
            return kind
    return None


class TextCheck:
    """Whether a file is UTF-8 text without control characters (tab, line breaks and form feed
    allowed), fed as it streams in. A byte order mark at the start is allowed."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.position = 0
        self.problem = ""  # why it is not text, once it is known not to be

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        if self.problem:
            return
        # What the decoder holds back (the start of a character split between chunks) comes
        # before this chunk: positions in the error are counted from it.
        held = self._decoder.getstate()[0]
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as error:
            data = held + chunk
            at = self.position - len(held) + error.start
            self.problem = f"byte {at:,} (0x{data[error.start]:02x}) is not UTF-8"
            return
        found = _CONTROL.search(text)
        if found:
            self.problem = f"it holds the control character U+{ord(found.group()):04X}"
        self.position += len(chunk)

    @property
    def is_text(self) -> bool:
        return not self.problem


def detect(head: bytes, path: Path, text: TextCheck) -> tuple[Kind, ...]:
    """The kinds the content can be (several only for text: CSV or plain); ``head`` is the
    file's start, ``path`` the whole file (for ZIP-based formats). Raises ``NotAccepted``."""
    # A PDF reader finds the header within the first 1,024 bytes (some writers put bytes
    # before it); the other formats begin with their magic bytes.
    if b"%PDF-" in head[:1024]:
        return (KINDS["pdf"],)
    for magic, code in _MAGIC:
        if head.startswith(magic):
            return (KINDS[code],)
    if head.startswith(b"PK\x03\x04"):
        return (_zipped(path),)
    if text.is_text:
        what = _text_format(head)
        if what:
            raise NotAccepted(f"the file is {what}, which is not accepted: {_accepted()}")
        return TEXT
    what, advice = _binary_format(head, text)
    raise NotAccepted(f"the file is {what}, which is not accepted: {advice}")


def _accepted() -> str:
    return f"send {accepted_list()}"


def _zipped(path: Path) -> Kind:
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename: info for info in archive.infolist()}
            if "mimetype" in members:
                return _opendocument(archive, members)
            if "[Content_Types].xml" in members:
                return _office_open_xml(archive, members)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as error:
        raise NotAccepted(
            f"the file begins as a ZIP file (as .docx, .xlsx and OpenDocument files do) but "
            f"cannot be read as one ({str(error)[:80]}): it may be damaged or cut short; save it "
            "again and send it whole"
        ) from None
    raise NotAccepted(
        "the file is a ZIP archive, which is not accepted: send the documents in it one by one"
    )


def _opendocument(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> Kind:
    if members["mimetype"].file_size > _SMALL_MEMBER:
        raise NotAccepted("the file's OpenDocument 'mimetype' member is too large to be one")
    media_type = archive.read("mimetype").decode("ascii", "replace").strip()
    kind = ODF_KINDS.get(media_type)
    if kind is None:
        raise NotAccepted(
            f"the file is an OpenDocument file of type {media_type[:80]!r}, which is not "
            "accepted: send a text document (.odt), spreadsheet (.ods) or presentation "
            "(.odp), or a PDF"
        )
    if any(name.startswith(("Basic/", "Scripts/")) for name in members):
        raise NotAccepted(
            f"the file is {kind.label} with macros, which is not accepted: save it without "
            "macros, or as a PDF"
        )
    return kind


def _office_open_xml(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> Kind:
    found = [kind for part, kind in OOXML_PARTS.items() if part in members]
    if len(found) != 1:
        raise NotAccepted(
            "the file is an Office Open XML package but not a Word document, Excel workbook or "
            "PowerPoint presentation: send .docx, .xlsx or .pptx, or a PDF"
        )
    kind = found[0]
    types = members["[Content_Types].xml"]
    declared = archive.read(types).lower() if types.file_size <= _SMALL_MEMBER else b""
    if b"macroenabled" in declared or any(name.endswith("vbaProject.bin") for name in members):
        raise NotAccepted(
            f"the file is {kind.label.removesuffix(f' ({kind.extensions[0]})')} with macros "
            "(.docm, .xlsm or .pptm), which is not "
            f"accepted: save it as {kind.extensions[0]} without macros, or as a PDF"
        )
    return kind


def _text_format(head: bytes) -> str:
    """What a text file is, if it is a kind of text that is refused (web pages and the like)."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "a web page (HTML)"
    if start.startswith(b"<svg") or (start.startswith(b"<?xml") and b"<svg" in start):
        return "an SVG image (it can hold scripts)"
    if start.startswith(b"{\\rtf"):
        return "a Rich Text Format document (.rtf)"
    return ""


_BINARY_SIGNATURES = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program (ELF)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (.doc, .xls or .ppt)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"BM", "a BMP image"),
)


def _binary_format(head: bytes, text: TextCheck) -> tuple[str, str]:
    """What a refused binary file is, and what to send instead."""
    for magic, what in _BINARY_SIGNATURES:
        if head.startswith(magic):
            if magic.startswith(b"\xd0\xcf"):
                return what, "save it as .docx, .xlsx or .pptx (or OpenDocument), or as a PDF"
            return what, _accepted()
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "an HEIC image", "save it as a JPEG or PNG image"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image", "save it as a JPEG or PNG image"
    if b"\x00" not in head and not _CONTROL.search(head.decode("latin-1")):
        return (
            f"text, but not in UTF-8 ({text.problem})",
            "save it as UTF-8 (in Excel, as 'CSV UTF-8'; elsewhere, choose the UTF-8 encoding)",
        )
    shown = head[:8].hex(" ")
    return (
        f"of no type openbook recognises (its first bytes are {shown}; read as text, "
        f"{text.problem})",
        _accepted(),
    )
