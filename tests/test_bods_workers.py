"""``openbook bods load`` with worker processes (openbook.bods._prepare_block: JSON Lines read,
checked, canonicalised and compiled by workers handed raw lines) stores exactly what the
loading process alone stores, and reports the same, on both databases: the log's entries and
bodies, reviews, conflicts, records, the ownership graph, and what could not be read, where."""

import gzip
import json

import orjson
import pytest

from openbook import bods
from openbook.load import bods as reading
from tests.conftest import fresh_database
from tests.test_bods_compile_as_appended import statement, statements

# (table, columns; in key order): all but the clock's columns and row ids.
TABLES = (
    ("log_entry", "seq, register, record_key, statement_id, statement_date, publisher, body_hash"),
    ("log_body", "seq, body"),
    ("review", "seq, errors, warnings, problems, package_hash"),
    ("conflict", "register, record_key, statement_id, body_hash, body, stored_seq, source, report"),
    ("record", "register, record_key, compiled, compile_error, statement_count, last_seq"),
    ("pending_record", "register, record_key"),
    (
        "ownership_link",
        "relationship_id, subject_id, party_id, party_reason, party_description, interests, closed",
    ),
    ("ownership_identifier", "identifier, record_id"),
)


def lines() -> list[str]:
    """JSON Lines of the other test's statements, keys in the order given, with what a file
    can hold besides: blank lines, lines that are not JSON (NaN, cut short), JSON that is not
    a statement, statements without identity or invalid, a key above U+FFFF."""
    found = [json.dumps(item, ensure_ascii=n % 2 == 0) for n, item in enumerate(statements())]
    odd = statement("e-odd", 9, name="Ünïcode \U0001f600", extra={"\U0001f600": 12.5})
    found[5:5] = ["", "   \t", '{"statementId": "cut', json.dumps(odd), "[1, 2]", "null"]
    found[20:20] = [
        '{"statementId": "s", "recordId": "r", "statementDate": "2024-01-01", "x": NaN}',
        json.dumps({**statement("e-invalid", 9), "recordStatus": "nonsense"}),
        json.dumps({**statement("e-no-id", 9), "statementId": ""}),
        json.dumps({**statement("e-kind", 9), "recordType": ["entity"]}),
    ]
    found.insert(40, '{"statementId": "cut short"')
    return found


def state(store) -> list:
    found: list = []
    with store.cursor() as cursor:
        for table, columns in TABLES:
            cursor.execute(f"SELECT {columns} FROM {table} ORDER BY {columns}")
            found.append([tuple(row) for row in cursor.fetchall()])
    return found


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_workers_store_and_report_what_the_loading_process_does(
    vendor, request, tmp_path, monkeypatch
):
    monkeypatch.setattr(bods, "BATCH", 7)  # batches across the workers' blocks
    monkeypatch.setattr(reading, "BLOCK_BYTES", 1000)  # blocks of a few lines, cut mid-line
    first, later = tmp_path / "first.jsonl", tmp_path / "later.jsonl"
    text = lines()
    # A byte order mark, CRLF line ends, and a last line cut short, without a newline.
    first.write_bytes(
        ("\ufeff" + "\r\n".join(text[:30]) + "\n" + "\n".join(text[30:]) + "\n").encode()
    )
    updates = [statement(f"e{n}", 7, status="updated", date="2025-02-01") for n in range(0, 12, 3)]
    later.write_text("\n".join([*map(json.dumps, updates), text[3], '{"cut']))  # fmt: skip
    states = []
    for options in ({}, {"parallel_from_bytes": 0, "workers": 2}):
        with fresh_database(vendor, request) as database:
            loads = [bods.load(database.store, [path], **options) for path in (first, later)]
            states.append((state(database.store), [report.as_dict() for report in loads]))
    inline, in_workers = states
    assert in_workers == inline
    report = inline[1][0]
    assert report["loaded"] > 40 and report["duplicates"] == 1 and report["conflicts"] == 1
    assert report["invalid"] >= 1 and report["recordsCompiled"] > 0
    # As openbook.load.bods.read words them: orjson's messages about each line with its newline
    # (a carriage return is in the line), and without, for a last line that has none.
    assert [problem.split(": ", 1)[1] for problem in report["unusable"]] == [
        "line 8: is not JSON: unexpected control character in string: line 1 column 21 (char 20)",
        "line 10: a statement must be a JSON object; it is not stored",
        "line 11: a statement must be a JSON object; it is not stored",
        "line 21: is not JSON: unexpected character, expected a JSON value: line 1 column 75"
        " (char 74)",
        "line 23: the statement has no statementId (a non-empty string); it is not stored",
        "line 41: is not JSON: unexpected end of data: line 2 column 1 (char 28)",
    ]
    assert inline[1][1]["unusable"][-1].endswith(
        "line 6: is not JSON: unexpected end of data: line 1 column 6 (char 5)"
    )


def test_workers_read_only_plain_json_lines_of_bods_04(tmp_path):
    array = tmp_path / "array.json"
    array.write_text(json.dumps([statement("e1", 1)]))
    packed = tmp_path / "lines.jsonl.gz"
    packed.write_bytes(gzip.compress(orjson.dumps(statement("e1", 1)) + b"\n"))
    document = tmp_path / "document.json"
    document.write_text(json.dumps(statement("e1", 1), indent=2))
    plain = tmp_path / "lines.jsonl"
    plain.write_text(json.dumps(statement("e1", 1)) + "\n")
    assert reading.json_lines_blocks(array) is None
    assert reading.json_lines_blocks(packed) is None
    assert reading.json_lines_blocks(document) is None  # its first line is not JSON
    assert list(reading.json_lines_blocks(plain) or ()) == [(1, plain.read_bytes())]


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_an_unspecified_partys_reason_and_description_are_stored_as_read_back(
    vendor, request, tmp_path
):
    """A relationship compiled as given writes an unspecified party's reason and description
    (when not text) with their keys in order, as a record read back from its canonical text
    has them, and as writing the graph again from the stored records does."""
    party = {"reason": {"z": 1, "a": 2}, "description": ["x", {"q": 1, "b": 2}]}
    relation = statement("r1", 1, kind="relationship", interestedParty=party)
    path = tmp_path / "reason.jsonl"
    path.write_text(json.dumps(relation) + "\n")
    for options in ({}, {"parallel_from_bytes": 0, "workers": 2}):
        with fresh_database(vendor, request) as database:
            bods.load(database.store, [path], **options)
            loaded = state(database.store)
            assert loaded[6][0][3:5] == ("{'a': 2, 'z': 1}", "['x', {'b': 2, 'q': 1}]")
            bods.index_ownership_again(database.store)
            assert state(database.store) == loaded


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_statement_deeper_than_a_record_can_be_written_is_refused_and_the_load_goes_on(
    vendor, request, tmp_path
):
    """orjson reads 1,024 levels but writes 254: a statement between the two once ended the
    whole load with a stack trace when its record was written."""
    deep: object = "bottom"
    for _ in range(300):
        deep = {"down": deep}
    lines = [statement("e1", 1), statement("e2", 1, extra=deep), statement("e3", 1)]
    path = tmp_path / "deep.jsonl"
    path.write_text("".join(json.dumps(item) + "\n" for item in lines))
    for options in ({}, {"parallel_from_bytes": 0, "workers": 2}):
        with fresh_database(vendor, request) as database:
            report = bods.load(database.store, [path], **options).as_dict()
            assert report["loaded"] == 2
            assert [problem.split(": ", 1)[1] for problem in report["unusable"]] == [
                "line 2: it is nested more than 254 levels deep, deeper than a record can be "
                "written; it is not stored"
            ]


def test_a_line_longer_than_many_blocks_is_one_block_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "BLOCK_BYTES", 100)
    long = json.dumps(statement("e2", 1, extra={"note": "x" * 1000}))
    text = f"{json.dumps(statement('e1', 1))}\n{long}\n{json.dumps(statement('e3', 1))}"
    path = tmp_path / "long.jsonl"
    path.write_text(text)
    blocks = list(reading.json_lines_blocks(path) or ())
    assert b"".join(block for _, block in blocks) == text.encode()
    assert all(block.endswith(b"\n") for _, block in blocks[:-1])
    assert [first for first, _ in blocks][-1] == 3
    assert any(block.endswith(long.encode() + b"\n") for _, block in blocks)
