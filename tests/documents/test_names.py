"""Documents' file names: kept as given when harmless, refused with a reason otherwise. Pure."""

import pytest

from openbook.documents.names import NameRefused, checked


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("contract.pdf", "contract.pdf"),
        ("  Contract - schedule 3 (redacted).pdf  ", "Contract - schedule 3 (redacted).pdf"),
        ("E\u0301tude.pdf", "\u00c9tude.pdf"),  # NFC: one character, as every system shows it
        ("Tender v1.2 final.docx", "Tender v1.2 final.docx"),
        ("Console notes.txt", "Console notes.txt"),  # CON only as the whole stem is reserved
    ],
)
def test_harmless_names_are_kept(given, kept):
    assert checked(given) == kept


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("", "the file name is empty"),
        ("   ", "the file name is empty"),
        (
            "../../etc/passwd.pdf",
            "has a path in it ('/'): send the name alone, such as 'passwd.pdf'",
        ),
        ("C:\\Users\\clerk\\contract.pdf", "has a path in it ('\\\\')"),
        ("contract\x00.pdf", "a control character (U+0000, unnamed) at position 9"),
        ("contract\n.pdf", "a control character (U+000A"),
        ("invoice\u202efdp.exe", "an invisible character (U+202E, RIGHT-TO-LEFT OVERRIDE)"),
        ("con\u200btract.pdf", "an invisible character (U+200B, ZERO WIDTH SPACE)"),
        ("what?.pdf", "the character '?', which Windows cannot save"),
        ('say "yes".pdf', "the character '\"'"),
        ("nul.txt", "a name Windows reserves"),
        ("LPT1.pdf", "a name Windows reserves"),
        (".htaccess", "begins with a dot"),
        ("contract.pdf.", "ends with a dot or a space"),
        ("é" * 200 + ".pdf", "404 bytes long in UTF-8; the most is 255"),
    ],
)
def test_harmful_names_are_refused_with_the_reason(given, says):
    with pytest.raises(NameRefused) as refused:
        checked(given)
    assert says in str(refused.value)
