"""Telling a document's type by its content: each accepted kind, and each refusal's message."""

from pathlib import Path

import pytest

from openbook.documents import types
from tests.files import a_docx, a_pdf, a_png, a_zip, an_odt


def detect(content: bytes, tmp_path: Path) -> tuple[types.Kind, ...]:
    path = tmp_path / "file"
    path.write_bytes(content)
    text = types.TextCheck()
    # Fed in small pieces, as an upload streams in: a character split between two must pass.
    for start in range(0, len(content), 3):
        text.feed(content[start : start + 3])
    text.feed(b"", final=True)
    return types.detect(content[:8192], path, text)


@pytest.mark.parametrize(
    ("content", "codes"),
    [
        (a_pdf(), ["pdf"]),
        (b"\xef\xbb\xbf\n%PDF-1.7\n" + a_pdf()[9:], ["pdf"]),  # bytes before the header
        (a_png(), ["png"]),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", ["jpeg"]),
        (b"GIF89a\x01\x00\x01\x00", ["gif"]),
        (b"II*\x00\x08\x00\x00\x00", ["tiff"]),
        (b"MM\x00*\x00\x00\x00\x08", ["tiff"]),
        (a_docx(), ["docx"]),
        (an_odt(), ["odt"]),
        ("Lot,Price\r\n1,£250,000\r\n".encode(), ["csv", "txt"]),
        ("\ufeffClarification 1\tAnswer\f\n".encode(), ["csv", "txt"]),
    ],
)
def test_accepted_kinds_are_told_by_their_content(tmp_path, content, codes):
    assert [kind.code for kind in detect(content, tmp_path)] == codes


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"MZ\x90\x00" + bytes(60), "a Windows program"),
        (b"\x7fELF\x02\x01\x01" + bytes(60), "a program (ELF)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(60), "save it as .docx, .xlsx or .pptx"),
        (a_zip(), "a ZIP archive, which is not accepted: send the documents in it one by one"),
        (b"PK\x03\x04" + bytes(40), "cannot be read as one"),
        (a_docx(macros=True), "a Word document with macros (.docm, .xlsm or .pptm)"),
        (b"<!DOCTYPE html><title>x</title>", "a web page (HTML)"),
        (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "an SVG image"),
        (b"{\\rtf1\\ansi hello}", "a Rich Text Format document"),
        ("caf\xe9".encode("latin-1"), "byte 3 (0xe9) is not UTF-8"),
        (b"name\x01value", "the control character U+0001"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a WebP image"),
    ],
)
def test_refused_content_is_named(tmp_path, content, says):
    with pytest.raises(types.NotAccepted) as refused:
        detect(content, tmp_path)
    assert says in str(refused.value)


def test_extensions_and_declared_types_name_kinds():
    assert [k.code for k in types.by_extension("Contract.PDF")] == ["pdf"]
    assert [k.code for k in types.by_extension("photo.jpeg")] == ["jpeg"]
    assert types.by_extension("archive.tar.gz") == []
    assert types.by_extension(".pdf") == []  # a dot file, not an extension
    assert types.by_media_type("image/jpg") == types.KINDS["jpeg"]
    assert types.by_media_type("text/csv") == types.KINDS["csv"]
    assert types.by_media_type("application/zip") is None
