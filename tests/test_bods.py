"""Loading BODS 0.4 statements (openbook.bods, ``openbook bods``) and compiling their records,
on both databases."""

import gzip
import json

import orjson
import pytest

from openbook import bods, cli
from openbook.store import log
from tests.conftest import SHARED_DATA

EXAMPLES = SHARED_DATA / "bods-0.4-examples"
CASES = SHARED_DATA / "bods-0.4-test-statements"


def entity(record_id, statement_id, date, status="new", name="Fermentcat Ltd"):
    return {
        "statementId": statement_id,
        "statementDate": date,
        "publicationDetails": {
            "publicationDate": date,
            "bodsVersion": "0.4",
            "publisher": {"name": "Companies House"},
        },
        "recordId": record_id,
        "recordType": "entity",
        "recordStatus": status,
        "declarationSubject": record_id,
        "recordDetails": {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": name,
        },
    }


def test_the_standards_examples_load_and_compile(store):
    paths = sorted(EXAMPLES.glob("*.json"))
    report = bods.load(store, paths)
    statements = sum(len(json.loads(path.read_text())) for path in paths)
    assert report.read == statements and report.invalid == 0 and report.unusable == []
    assert report.loaded + report.duplicates + report.conflicts == statements
    assert report.loaded == log.log_size(store)
    assert report.records > 0
    # Again: nothing is stored twice.
    again = bods.load(store, paths)
    assert again.loaded == 0 and again.duplicates + again.conflicts == statements


def test_updates_and_closures_make_one_record(store, tmp_path):
    first = tmp_path / "first.json"
    first.write_bytes(orjson.dumps([entity("ent-1", "s1", "2024-01-01T00:00:00Z")]))
    bods.load(store, [first])
    later = tmp_path / "later.jsonl.gz"
    with gzip.open(later, "wb") as out:  # JSON Lines, gzipped; written out of date order
        out.write(orjson.dumps(entity("ent-1", "s3", "2025-06-01T00:00:00Z", "closed")) + b"\n")
        out.write(
            orjson.dumps(entity("ent-1", "s2", "2024-09-01T00:00:00Z", "updated", "Fermcat"))
            + b"\n"
        )
    report = bods.load(store, [later])
    assert report.loaded == 2 and report.records == 1
    found = bods.record(store, "ent-1")
    record = found["record"]
    assert record["statements"] == ["s1", "s2", "s3"]  # by statement date
    assert record["recordStatus"] == "closed" and record["closed"] is True
    assert record["recordDetails"]["name"] == "Fermentcat Ltd"  # the closing statement's
    assert record["firstStatementDate"] == "2024-01-01T00:00:00Z"
    assert [s["statement"]["statementId"] for s in found["statements"]] == ["s1", "s3", "s2"]


def test_invalid_statements_are_kept_with_their_problems(store):
    path = CASES / "invalid-statements" / "entity_addresses_type.json"
    report = bods.load(store, [path])
    assert report.loaded == 1 and report.invalid == 1 and report.problems == {"enum": 1}
    [statement] = log.entries(store, 0, 1)
    [problem] = statement.problems
    assert problem["code"] == "bods.enum"
    assert problem["path"] == "$.recordDetails.addresses[0].type"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "is empty"),
        (b"<html>", "is not BODS JSON"),
        (b'[{"statementId": "a"', "is not JSON"),
        (b'[{"recordId": "r", "statementDate": "2024-01-01"}]', "has no statementId"),
        (b'["not a statement"]', "must be a JSON object"),
        (b'{"statementId": "a", "recordId": "r", "statementDate": "2024-01-01"}\n{broken\n',
         "line 2: is not JSON"),
        (b"\x1f\x8b\x08\x00broken", "cannot be read"),
        (b"[\xff\xfe]", "not"),
    ],
)  # fmt: skip
def test_what_cannot_be_read_is_reported_and_nothing_else_is_lost(
    store, tmp_path, content, expected
):
    path = tmp_path / "input.json"
    path.write_bytes(content)
    report = bods.load(store, [path])
    assert any(expected in line for line in report.unusable), report.unusable
    assert all(line.startswith(str(path)) for line in report.unusable)


def test_a_broken_array_keeps_the_statements_before_it(store, tmp_path):
    good = orjson.dumps(entity("ent-2", "s1", "2024-01-01T00:00:00Z"))
    path = tmp_path / "broken.json"
    path.write_bytes(b"[" + good + b", {broken")
    report = bods.load(store, [path])
    assert report.loaded == 1
    assert "after statement 1" in report.unusable[0] or "after statement 0" in report.unusable[0]


def test_the_command(store, tmp_path, capsys):
    path = tmp_path / "one.json"
    path.write_bytes(orjson.dumps([entity("ent-3", "s1", "2024-01-01T00:00:00Z")]))
    assert cli.main(["bods", "load", "--json", str(path)]) == 0
    assert orjson.loads(capsys.readouterr().out)["loaded"] == 1
    assert cli.main(["bods", "record", "ent-3"]) == 0
    assert orjson.loads(capsys.readouterr().out)["record"]["recordId"] == "ent-3"
    assert cli.main(["bods", "record", "ent-404"]) == 1
    assert cli.main(["bods", "load", str(tmp_path / "missing.json")]) == 2


def test_bods_02_files_load_through_the_upgrade(store):
    samples = SHARED_DATA / "bods-register-samples"
    paths = [
        samples / "json" / "test-bods-data-1.json",
        samples / "gzip" / "test-bods-data-1.json.gz",
    ]
    report = bods.load(store, paths)
    assert report.upgraded == 20 and report.invalid == 0
    assert report.loaded == 10 and report.duplicates == 10  # the same statements, twice
    assert report.records > 0


def test_invalid_statements_of_any_shape_load_and_compile(store, tmp_path):
    """Invalid statements are kept and compiled like any other: no shape stops a load."""
    odd = [
        entity("ent-odd-1", "s-odd-1", "2024-01-01T00:00:00Z"),
        entity("ent-odd-2", "s-odd-2", "2024-01-01T00:00:00Z"),
        entity("ent-odd-3", "s-odd-3", "2024-01-01T00:00:00Z"),
    ]
    odd[0]["recordDetails"]["identifiers"] = 5
    odd[1]["recordDetails"]["addresses"] = True
    odd[2]["recordDetails"] = "text"
    path = tmp_path / "odd.json"
    path.write_bytes(orjson.dumps(odd))
    report = bods.load(store, [path])
    assert report.loaded == 3 and report.invalid == 3 and report.records == 3
    assert bods.record(store, "ent-odd-1")["record"]["recordDetails"]["identifiers"] == 5
