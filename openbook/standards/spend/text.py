"""A spending file's bytes as rows of text: its encoding found (and said, when it is a guess),
its delimiter, and CSV read strictly, every problem named with its line. Pure.

Publishers save these files from spreadsheets and finance systems: UTF-8 with or without a
byte-order mark, Windows-1252 (Excel's "CSV" on Windows), now and then UTF-16, and sometimes a
byte-order mark that a second conversion turned into the text "ï»¿". An encoding is never
assumed silently: when the bytes are not UTF-8 the report says what they were read as, and why.
"""

import codecs
import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openbook.standards.spend.values import ValueProblem

MAX_FILE_BYTES = 256 * 1024 * 1024  # a month of a large body's payments is a few megabytes
MAX_CELL = 10_000  # characters: no honest supplier name or description is longer
MAX_ROW = 100_000  # characters in one row, all cells together
MAX_COLUMNS = 500
# Beyond this the CSV reader stops the file: a field this long is a quote never closed.
_FIELD_LIMIT = 1_000_000
_DELIMITERS = (",", ";", "\t", "|")
# Bytes 0x80-0x9F: letters and punctuation in Windows-1252 (£ is 0xA3 in both), control
# characters in ISO-8859-1. These five are undefined in Windows-1252.
_UNDEFINED_1252 = frozenset(b"\x81\x8d\x8f\x90\x9d")
_GARBLED_BOM = "\u00ef\u00bb\u00bf"  # a UTF-8 byte-order mark read as Windows-1252, saved again


class FileRefused(Exception):
    """A file that cannot be read as a spending table; the message says why and where."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str  # the codec it was read with
    description: str  # what the report says of it
    guessed: bool  # the bytes did not say their encoding: it was inferred


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """The file's text. ``encoding`` (a codec name) is used as given; else it is found from a
    byte-order mark, or the bytes being valid UTF-8, or else read as Windows-1252."""
    _refuse_other_formats(data)
    if encoding is not None:
        return _as_given(data, encoding)
    if data.startswith(b"\xef\xbb\xbf"):
        return _fixed(_strict(data[3:], "utf-8"), "utf-8-sig", "UTF-8 with a byte-order mark")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return Decoded(_strict(data, "utf-16"), "utf-16", "UTF-16 with a byte-order mark", False)
    if b"\x00" in data[:65536]:
        raise FileRefused(
            "the file holds NUL bytes, which no CSV text has: it may be UTF-16 without a "
            "byte-order mark, or a spreadsheet's own format. Save it as CSV (UTF-8) and load that"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _windows_1252(data)
    return _fixed(text, "utf-8", "UTF-8")


def _as_given(data: bytes, encoding: str) -> Decoded:
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise FileRefused(f"{encoding[:40]!r} is not an encoding Python knows") from None
    if codec == "utf-8" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return Decoded(_strict(data, codec), codec, f"{codec} (as given)", False)


def _strict(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise FileRefused(
            f"the file is not {encoding}: byte {error.start} (line {line}) is "
            f"{data[error.start : error.start + 1].hex()}, which {encoding} cannot hold. Save "
            "it as CSV (UTF-8), or give the encoding it was saved in with --encoding"
        ) from None


def _windows_1252(data: bytes) -> Decoded:
    upper = {byte for byte in data if 0x80 <= byte <= 0x9F}
    first = next(index for index, byte in enumerate(data) if byte >= 0x80)
    line = data[:first].count(b"\n") + 1
    if upper & _UNDEFINED_1252:
        # Not Windows-1252 either; ISO-8859-1 reads every byte, these as control characters.
        return Decoded(
            data.decode("iso-8859-1"),
            "iso-8859-1",
            f"ISO-8859-1 (guessed: not UTF-8 from line {line}, and byte(s) "
            f"{', '.join(f'{b:02x}' for b in sorted(upper & _UNDEFINED_1252))} are not "
            "Windows-1252); check names with accents or symbols",
            True,
        )
    also = "" if upper else "; ISO-8859-1 reads it the same"
    return Decoded(
        data.decode("cp1252"),
        "cp1252",
        f"Windows-1252 (guessed: not UTF-8 from line {line}{also})",
        True,
    )


def _fixed(text: str, encoding: str, description: str) -> Decoded:
    if text.startswith(_GARBLED_BOM):
        return Decoded(
            text[len(_GARBLED_BOM) :],
            encoding,
            f"{description}; a byte-order mark garbled into the text 'ï»¿' by a second "
            "conversion was removed from the first line",
            False,
        )
    if text.startswith("\ufeff"):  # a mark inside: a file with two of them
        return Decoded(
            text[1:], encoding, f"{description}; a second byte-order mark removed", False
        )
    return Decoded(text, encoding, description, False)


def _refuse_other_formats(data: bytes) -> None:
    start = data[:512].lstrip()
    if data.startswith(b"PK\x03\x04"):
        raise FileRefused(
            "this is a zip archive, such as an Excel workbook (.xlsx), not a CSV file: open it "
            "and save the sheet as CSV (UTF-8)"
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            "this is an old Excel workbook (.xls), not a CSV file: save the sheet as CSV (UTF-8)"
        )
    if data.startswith(b"%PDF"):
        raise FileRefused("this is a PDF, not a CSV file: ask the body for its CSV")
    if start[:15].lower().startswith((b"<!doctype html", b"<html")):
        raise FileRefused(
            "this is a web page (HTML), not a CSV file: the link probably led to a page about "
            "the file rather than to the file"
        )


def delimiter(text: str) -> str:
    """The delimiter of the first line that has one (a comma unless the line has none of it
    and more of another)."""
    for line in text[:65536].splitlines()[:30]:
        counts = {each: line.count(each) for each in _DELIMITERS}
        if counts[","]:
            return ","
        best = max(_DELIMITERS, key=lambda each: counts[each])
        if counts[best]:
            return best
    return ","


def rows(text: str, separator: str = ",") -> Iterator[tuple[int, list[str]]]:
    """Each CSV row with the line it starts on (1 for the first line), read strictly: a quote
    in the middle of a field, or one never closed, stops the file with its line."""
    csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileRefused(_csv_problem(str(error), start, reader.line_num)) from None
        yield start, cells
        start = reader.line_num + 1


def _csv_problem(error: str, start: int, now: int) -> str:
    if "unexpected end of data" in error:
        return (
            f"line {start}: a quoted field starts in this row and its closing quote never "
            "comes: the rest of the file would be one field. Put the missing quote in"
        )
    if "field larger than field limit" in error:
        return (
            f"line {start}: a field runs on past {_FIELD_LIMIT:,} characters, usually a quote "
            "that is never closed"
        )
    if "expected after" in error:
        return (
            f"line {now}: a quote ends a field but more text follows it before the next "
            'delimiter (a quote inside a quoted field is written twice: "")'
        )
    return f"line {now}: not valid CSV ({error})"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_row(headers: Sequence[str], cells: Sequence[str], files: str) -> None:
    """Refuses (``ValueProblem``) a row with a value beyond its header's last column, longer
    than ``MAX_ROW`` in all, with a cell longer than ``MAX_CELL`` or holding a control
    character (which no text in ``files``, "a spending file", has)."""
    width = len(headers)
    extra = [cell for cell in cells[width:] if cell.strip()]
    if extra:
        raise ValueProblem(
            f"the row has {len(cells)} values and the header {width} columns: "
            f"{extra[0][:40]!r} is beyond the last column (a delimiter inside an unquoted "
            "value?)"
        )
    if sum(len(cell) for cell in cells) > MAX_ROW:
        raise ValueProblem(f"the row is longer than {MAX_ROW:,} characters")
    within = cells[:width]
    if max(map(len, within), default=0) <= MAX_CELL and not _CONTROL.search("".join(within)):
        return  # the usual row, checked whole; otherwise cell by cell, to say which
    for index, cell in enumerate(within):
        if len(cell) > MAX_CELL:
            raise ValueProblem(
                f"{headers[index]!r} is {len(cell):,} characters long; a value is at most "
                f"{MAX_CELL:,}"
            )
        if control := _CONTROL.search(cell):
            raise ValueProblem(
                f"{headers[index]!r} holds a control character "
                f"(U+{ord(control.group()):04X}), which no text in {files} has"
            )
