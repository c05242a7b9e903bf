"""Reading spending files (openbook.standards.spend: text, mapping, transactions): encodings,
header lines, column names, blank and totals rows, identities; every file refused says why."""

import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from openbook.standards.canonical import CanonicalizationError, canonical_json
from openbook.standards.spend import mapping, text
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.transactions import (
    Body,
    flat_text,
    parse,
    record_key,
    statement_body,
    statement_text,
)
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
COUNCIL = Body("Example Borough Council")
CENTRAL = (
    "Department family,Entity,Date,Expense type,Expense area,Supplier,Transaction number,Amount\n"
)


def read(content: str | bytes, body: Body | None = COUNCIL, **options):
    data = content.encode() if isinstance(content, str) else content
    return parse(data, name="spend.csv", body=body, **options)


def test_the_build_is_reproducible(tmp_path):
    """Rebuilding the column facts from the reference data gives exactly the committed file."""
    output = tmp_path / "variants.json"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_spend_facts.py"), "--source",
         str(SHARED_DATA), "--output", str(output)],
        check=True,
    )  # fmt: skip
    assert output.read_bytes() == (mapping.DATA / "variants.json").read_bytes()


@pytest.mark.parametrize(
    ("header", "normalised"),
    [
        ("Amount (£)", "amount"),
        ("AMOUNT()", "amount"),
        ("  Supplier   Name ", "supplier name"),
        ("SupplierName", "supplier name"),
        ("VATRegistrationNumber", "vat registration number"),
        ("Document No.", "document no"),
        ("\ufeffBody Name", "body name"),
    ],
)
def test_header_names_compare_as_people_read_them(header, normalised):
    assert mapping.normalise(header) == normalised


def test_the_central_government_format():
    found = read(CENTRAL + "CAB,Cabinet Office,29/04/2022,Consultancy,Finance,ACME LTD,T-1,"
                 '"£25,000.00"\n')  # fmt: skip
    [each] = found.transactions
    assert each.transaction == {
        "body": {"name": "Example Borough Council"},
        "date": "2022-04-29",
        "amount": 25000.0,
        "currency": "GBP",
        "supplier": {"name": "ACME LTD"},
        "transactionNumber": "T-1",
        "department": "CAB",
        "entity": "Cabinet Office",
        "unit": "Finance",
        "expenseType": "Consultancy",
    }
    assert each.group == {"body": "example-borough-council", "transactionNumber": "T-1"}
    assert found.encoding == "UTF-8" and found.dates.startswith("numeric (1)")
    assert "day/month/year (as row 2: 29/04/2022 shows)" in found.dates


def test_a_byte_order_mark_and_title_lines_above_the_table():
    content = (
        "\ufeffSpend over £500, April 2022\n\n"
        "Published by Example Borough Council,,,\n"
        "Body name,Date,Supplier name,Amount,Transaction number\n"
        "Example Borough Council,2022-04-01,Acme Ltd,500.00,1\n"
    )
    found = read(content, body=None)
    assert found.encoding == "UTF-8 with a byte-order mark"
    assert found.mapping.line == 4 and found.lines_above == 2
    assert [each.body.name for each in found.transactions] == ["Example Borough Council"]


def test_windows_1252_is_detected_and_said_to_be_a_guess():
    content = "Date,Supplier,Amount\n2022-04-01,Caf\xe9 Nero,\xa3500\n".encode("cp1252")
    found = read(content)
    assert found.encoding.startswith("Windows-1252 (guessed: not UTF-8 from line 2")
    [each] = found.transactions
    assert each.transaction["supplier"] == {"name": "Café Nero"}
    assert each.transaction["amount"] == 500.0


def test_iso_8859_1_when_the_bytes_are_not_windows_1252():
    found = read(b"Date,Supplier,Amount\n2022-04-01,A\x81 Ltd,5\n")
    assert found.encoding.startswith("ISO-8859-1 (guessed")


def test_a_byte_order_mark_garbled_by_a_second_conversion_is_removed():
    found = read("ï»¿Date,Supplier,Amount\n2022-04-01,Acme,5\n".encode())
    assert "garbled" in found.encoding and found.mapping.fields["date"] == 0


def test_utf_16_with_its_mark():
    found = read("Date,Supplier,Amount\r\n2022-04-01,Acme,5\r\n".encode("utf-16"))
    assert found.encoding == "UTF-16 with a byte-order mark" and len(found.transactions) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04rest", "zip archive, such as an Excel workbook"),
        (b"\xd0\xcf\x11\xe0rest", "old Excel workbook"),
        (b"%PDF-1.4", "this is a PDF"),
        (b"<!DOCTYPE html><html>", "this is a web page"),
        ("Date,Supplier,Amount".encode("utf-16-le"), "NUL bytes"),
        (b"", "the file has no rows"),
        (b'Date,Supplier,Amount\n2022-04-01,"Acme,5\n', "line 2: a quoted field starts"),
        (b'Date,Supplier,Amount\n2022-04-01,"Acme" Ltd,5\n', "line 2: a quote ends a field"),
    ],
)
def test_what_is_not_a_csv_table_is_refused_with_why(data, message):
    with pytest.raises(FileRefused, match=message):
        read(data)


def test_a_wrong_encoding_given_is_refused_with_the_byte_and_line():
    with pytest.raises(FileRefused, match=r"not utf-8: byte 26 \(line 2\) is a3"):
        read("Date,Supplier,Amount\n2022,\xa35\n".encode("cp1252"), encoding="utf-8")
    with pytest.raises(FileRefused, match="not an encoding"):
        read(b"Date,Supplier,Amount\n", encoding="klingon")


def test_an_oversized_file_field_and_row(monkeypatch):
    monkeypatch.setattr(text, "MAX_FILE_BYTES", 100)
    with pytest.raises(FileRefused, match="at most 0 MB"):
        read("Date,Supplier,Amount\n" + "2022-04-01,Acme,5\n" * 10)
    monkeypatch.undo()
    found = read(f"Date,Supplier,Amount\n2022-04-01,{'A' * 10_001},5\n2022-04-02,B,5\n")
    assert found.refused == [(2, "'Supplier' is 10,001 characters long; a value is at most 10,000")]
    assert len(found.transactions) == 1
    with pytest.raises(FileRefused, match="runs on past 1,000,000 characters"):
        read('Date,Supplier,Amount\n2022-04-01,"' + "A" * 1_000_001 + '",5\n')


def test_the_columns_that_cannot_be_mapped_are_named_with_the_headers_found():
    with pytest.raises(FileRefused) as refused:
        read("When,Who,How much\n2022-04-01,Acme,5\n")
    message = str(refused.value)
    assert message.startswith("its columns do not give date, amount, supplier.")
    assert "The headers found (line 1) are: 'When', 'Who', 'How much'" in message
    with pytest.raises(FileRefused, match="Nothing in the file says which body"):
        read("Date,Supplier,Amount\n2022-04-01,Acme,5\n", body=None)


def test_a_contracts_register_is_told_from_spending():
    path = SHARED_DATA / "uk-spend-samples" / "salford" / "clean" / "2022-07.csv"
    with pytest.raises(FileRefused, match="columns are those of a contracts register"):
        read(path.read_bytes())


def test_duplicate_headers():
    with pytest.raises(FileRefused, match=r"'Amount' appears twice \(columns 3 and 4\)"):
        read("Date,Supplier,Amount,Amount\n2022-04-01,Acme,5,6\n")
    found = read("Date,Supplier,Amount,Note,Note\n2022-04-01,Acme,5,a,b\n")
    assert found.transactions[0].transaction["columns"] == {
        "Note (column 4)": "a",
        "Note (column 5)": "b",
    }


def test_an_explicit_mapping_wins_and_is_checked():
    explicit = mapping.read_explicit(
        b'{"fields": {"date": "When", "supplier": "Who", "amount": "How much", '
        b'"transactionNumber": null}, "dateOrder": "month-first"}',
        "map.json",
    )
    found = read("When,Who,How much,Transaction number\n04/25/2022,Acme,5,77\n", explicit=explicit)
    [each] = found.transactions
    assert each.date == "2022-04-25" and each.transaction_number is None
    assert each.transaction["columns"] == {"Transaction number": "77"}
    assert found.mapping.how["date"] == "map.json"
    toml = mapping.read_explicit(b'[fields]\ndate = "When"\nsupplier = "Who"\n', "map.toml")
    assert toml.fields == {"date": "When", "supplier": "Who"}
    with pytest.raises(FileRefused, match=r"map\.json gives 'When' for date, but the file has no"):
        read("Date,Supplier,Amount\n2022-04-01,Acme,5\n", explicit=explicit)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (b"[1]", "a mapping is an object"),
        (b"{not json", "not valid JSON"),
        (b'{"fields": {}}', "at least one field"),
        (b'{"fields": {"suplier": "Who"}}', "'suplier' is not one of our fields"),
        (b'{"fields": {"date": 3}}', "must be a column's name"),
        (b'{"fields": {"date": "D"}, "dateOrder": "sideways"}', "dateOrder is"),
        (b'{"fields": {"date": "D"}, "extra": 1}', "'extra' is not part of a mapping"),
        (b"x" * 70_000, "at most 64 KB"),
    ],
)
def test_a_bad_mapping_is_refused_with_why(given, message):
    with pytest.raises(mapping.MappingError, match=message):
        mapping.read_explicit(given, "map.json")


def test_blank_totals_and_note_rows_and_row_numbers():
    content = (
        "#,Date,Supplier,Amount\n"
        "1,2022-04-01,Acme,100\n"
        "2,2022-04-02,Total Gas & Power Ltd,50.50\n"
        "3,,Grand Total,150.50\n"
        ",,,\n"
        "4,,,\n"
        ",© Copyright Example 2022,,\n"
    )
    found = read(content)
    assert [each.transaction["supplier"]["name"] for each in found.transactions] == [
        "Acme",
        "Total Gas & Power Ltd",
    ]
    assert found.totals_rows == [(4, Decimal("150.50"))]
    assert found.blank == 2 and found.skipped[0][0] == 7
    assert found.mapping.ignored == {0: "it numbers the rows"}
    assert "and the rows read add up to it" in " ".join(found.notes)
    assert found.rows == 4 and found.totals() == {"GBP": Decimal("150.50")}


def test_rows_refused_say_which_column_and_why():
    content = (
        "Date,Supplier,Amount,Currency\n"
        "2022-04-01,Acme,ten pounds,\n"
        "2022-04-31,Acme,5,\n"
        ",Acme,5,\n"
        "2022-04-01,,5,\n"
        "2022-04-01,Acme,5,pounds\n"
        "2022-04-01,Acme\x07,5,\n"
        "2022-04-01,Acme,5,,surplus\n"
        "2022-04-01,=cmd|' /C calc'!A0,5,EUR\n"
    )
    found = read(content)
    assert found.refused == [
        (2, "'Amount': 'ten pounds' is not an amount (a number such as 1234.56, -1,234.56 or "
            "(1,234.56))"),
        (3, "'Date': '2022-04-31' is not a real date"),
        (4, "'Date': the date is empty"),
        (5, "'Supplier': the supplier's name is empty (a withheld name is written as such)"),
        (6, "'Currency': 'POUNDS' is not a currency code such as GBP"),
        (7, "'Supplier' holds a control character (U+0007), which no text in a spending file "
            "has"),
        (8, "the row has 5 values and the header 4 columns: 'surplus' is beyond the last column "
            "(a delimiter inside an unquoted value?)"),
    ]  # fmt: skip
    [kept] = found.transactions
    assert kept.transaction["supplier"] == {"name": "=cmd|' /C calc'!A0"}
    assert kept.currency == "EUR"
    assert any("spreadsheet formula" in note for note in found.notes)


def test_identity_is_the_transaction_number_else_date_amount_and_supplier():
    content = (
        "Date,Supplier,Amount,Transaction number,Expense type\n"
        "2022-04-01,ACME LIMITED,5.10,,Stationery\n"
        "2022-04-01,Acme Ltd.,5.1,,Paper\n"
        "2022-04-01,Redacted Personal Information,5.1,,Care\n"
        "2022-04-02,Acme Ltd,5,T9,Paper\n"
    )
    first, second, withheld, numbered = read(content).transactions
    assert (
        first.group
        == second.group
        == {
            "body": "example-borough-council",
            "date": "2022-04-01",
            "amount": "5.1",
            "supplier": "acme",
        }
    )
    assert first.content_hash != second.content_hash
    assert withheld.group["supplier"] == "(withheld)"
    assert withheld.transaction["supplier"] == {
        "redacted": True,
        "asPublished": "Redacted Personal Information",
    }
    assert numbered.group == {"body": "example-borough-council", "transactionNumber": "T9"}
    key = record_key(numbered.group, 1)
    assert key.startswith("example-borough-council:") and "Acme" not in key and len(key) == 24 + 24
    assert record_key(numbered.group, 2) != key


def test_semicolons_and_tabs():
    found = read("Date;Supplier;Amount\n2022-04-01;Acme;5,00\n")
    assert found.delimiter == ";"
    assert found.refused[0][1].startswith("'Amount': '5,00' is not an amount")
    assert read("Date\tSupplier\tAmount\n2022-04-01\tAcme\t5\n").delimiter == "\t"


FIELD_OF = {
    "Amount": "amount",
    "Beneficiary Name": "supplier",
    "Organisation Label": "body",
    "Organisational Unit": "unit",
    "Payment Date": "date",
}


def test_every_variant_the_sample_bodies_list_is_known():
    facts = json.loads((mapping.DATA / "variants.json").read_text())
    clashes = {(clash["header"], clash["source"]) for clash in facts["clashes"]}
    checked = 0
    for index in sorted((SHARED_DATA / "uk-spend-samples").glob("*/index.json")):
        for column, names in json.loads(index.read_text())["columns"]["map"].items():
            for name in names:
                fact = mapping.known()[mapping.normalise(name)]
                assert fact.field == FIELD_OF[column] or (name, index.parent.name) in clashes
                checked += 1
    assert checked > 80


def test_every_sample_files_columns_are_found():
    """The header of every sample file maps the required fields (the paying body aside, which
    central government files do not name), but the one that is a contracts register."""
    files = sorted((SHARED_DATA / "uk-spend-samples").glob("*/clean/*.csv"))
    files.append(
        SHARED_DATA / "lgtc-trafford" / "supplier_spend" / "trafford-supplier-spend-2026-27.csv"
    )
    for path in files:
        head = b"\n".join(path.read_bytes().split(b"\n")[:5])
        if path.parts[-3:] == ("salford", "clean", "2022-07.csv"):
            with pytest.raises(FileRefused, match="contracts register"):
                read(head)
            continue
        found = read(head)
        assert {"date", "amount", "supplier"} <= set(found.mapping.fields), path
        assert found.transactions and not found.refused, path


def test_a_statements_text_is_its_body_written_canonically():
    """openbook.spend writes a statement from the transaction's canonical text as read
    (``statement_text``): byte for byte the canonical JSON of its body, with characters whose
    UTF-16 order differs from their code points' among the keys (RFC 8785, section 3.2.3)."""
    found = read(
        "Date,Amount,Supplier,Description,Transaction number,\U0001f600 note,\u00e9,\uff21\n"
        '2024-01-02,"\u00a31,234.50",Acm\u00e9 \U0001f600 Ltd,x\U00010000y,,\ufb01,z,w\n'
        "2024-01-03,(12.5),Beta Ltd,Repairs,T-9,,,\n"
    )
    assert len(found.transactions) == 2
    source = {"file": "spend \U0001f600.csv", "sha256": found.sha256}
    for each in found.transactions:
        expected = canonical_json(statement_body(each, 7, source))
        assert statement_text(each, 7, source) == expected
        assert hashlib.sha256(each.canonical).hexdigest() == each.content_hash


@pytest.mark.parametrize(
    "value",
    [
        {"body": "leeds-city-council", "transactionNumber": "T-1", "line": 2},
        {"file": "spend \U0001f600.csv", "sha256": "ab" * 32, "row": 9},
        {"body": 'a\u2028b\x01\x7f"\\/', "supplier": "\u00e9\U00010000\ufb01", "line": 2**53},
        {"z": "", "a": "x", "\u00e9": "y", "\uff21": "z"},
    ],
)
def test_a_flat_objects_text_is_its_canonical_json(value):
    """``flat_text``, written by orjson alone for an identity or a source (issue 9), is the
    canonical JSON of RFC 8785: escapes, characters above U+FFFF, key order."""
    assert flat_text(value) == canonical_json(value)


def test_a_flat_object_orjson_cannot_write_is_refused_as_canonical_json_refuses_it():
    with pytest.raises(CanonicalizationError, match="lone surrogate"):
        flat_text({"supplier": "a\ud800b"})
