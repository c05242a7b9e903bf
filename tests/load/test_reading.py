"""Reading OCDS files of every shape, real and broken, a release at a time."""

import gzip
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest

from openbook.load import reading
from openbook.load.reading import Found, Issue, Reader

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REAL = SHARED / "ocds-real-publisher-samples"
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present")

ARMENIA = REAL / "armenia/sample/releases/1.json"  # its metadata follows its releases
UK_RELEASES = REAL / "uk-contracts-finder/sample/releases"
UK_RECORD = (
    REAL
    / "uk-contracts-finder/sample/records/ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b.json"
)
LINKED_RECORDS = REAL / "paraguay/sample/records/277004.json"
EMPTY_RECORDS = [REAL / f"paraguay/sample/records/{n}.json" for n in (283826, 284456, 283906)]
EMBEDDED_RECORDS = SHARED / "ocds-standard-examples/merging/embedded_releases.json"
FICTIONAL = SHARED / "ocds-fictional-example/fictional-example/1.1"


def read(path, **options) -> list:
    return list(Reader(path, **options))


def found(items) -> list[Found]:
    return [item for item in items if isinstance(item, Found)]


def issues(items) -> list[Issue]:
    return [item for item in items if isinstance(item, Issue)]


def codes(items) -> list[str]:
    return [item.code for item in issues(items)]


def releases(count=3) -> list[dict]:
    return [orjson.loads(path.read_bytes()) for path in sorted(UK_RELEASES.glob("*.json"))[:count]]


def release(number: int) -> dict:
    return {"ocid": f"ocds-x-{number}", "id": f"{number}", "date": "2024-01-01T00:00:00Z"}


def write_lines(path: Path, values) -> Path:
    path.write_bytes(b"".join(orjson.dumps(value) + b"\n" for value in values))
    return path


def as_stream(monkeypatch):
    """Make every document, and every line longer than a few bytes, go through the streaming
    parser instead of orjson."""
    monkeypatch.setattr(reading, "WHOLE_DOCUMENT_BYTES", 16)
    monkeypatch.setattr(reading, "_PROBE", 64)


def as_tuples(items) -> list[tuple]:
    return [
        (type(item).__name__, item.where, getattr(item, "code", None), getattr(item, "package", 0))
        for item in items
    ]


# Every shape, from real files.


@needs_shared
def test_a_release_package_whose_metadata_follows_its_releases():
    document = orjson.loads(ARMENIA.read_bytes())
    items = read(ARMENIA)
    assert codes(items) == []
    assert [item.release for item in items] == document["releases"]
    assert [item.where for item in items[:2]] == ["releases[0]", "releases[1]"]
    metadata = {key: value for key, value in document.items() if key != "releases"}
    assert {"version", "publishedDate"} <= set(metadata)
    assert all(item.package == metadata for item in items)


@needs_shared
def test_a_record_as_published_by_contracts_finder():
    # A record without its ocid, with a compiledRelease and a versionedRelease: not a package.
    reader = Reader(UK_RECORD)
    items = list(reader)
    assert reader.format == "record"
    assert [(item.where, item.package) for item in items] == [("releases[0]", None)]
    assert items[0].release == orjson.loads(UK_RECORD.read_bytes())["releases"][0]
    assert reader.position == reader.size == UK_RECORD.stat().st_size


@needs_shared
def test_a_record_package_with_embedded_releases():
    document = orjson.loads(EMBEDDED_RECORDS.read_bytes())
    reader = Reader(EMBEDDED_RECORDS)
    items = list(reader)
    assert reader.format == "record-package"
    assert [item.release for item in items] == document["records"][0]["releases"]
    assert items[0].where == "records[0].releases[0]"
    assert "records" not in items[0].package
    assert codes(items) == []  # compiledRelease and versionedRelease are quietly left aside


@needs_shared
@pytest.mark.parametrize("path", [LINKED_RECORDS, FICTIONAL / "record/ocds-213czf-000-00001.json"])
def test_linked_releases_are_reported_with_their_urls(path):
    document = orjson.loads(path.read_bytes())
    links = [link["url"] for link in document["records"][0]["releases"]]
    items = read(path)
    assert found(items) == []
    assert codes(items) == ["linked-release"] * len(links)
    assert all(issue.severity == "warning" for issue in items)
    for issue, url in zip(items, links, strict=True):
        assert url in issue.message
    assert items[0].where == "records[0].releases[0]"
    assert "compiledRelease" in items[0].message
    assert "compiledRelease" not in items[1].message  # said once per file


@needs_shared
@pytest.mark.parametrize("path", EMPTY_RECORDS, ids=lambda path: path.name)
def test_the_empty_paraguay_record_files(path):
    reader = Reader(path)
    items = list(reader)
    assert codes(items) == ["empty-file"]
    assert items[0].message == "the file is empty (0 bytes): no releases"
    assert reader.format == "empty"


@needs_shared
def test_a_bare_release():
    path = sorted(UK_RELEASES.glob("*.json"))[0]
    reader = Reader(path)
    items = list(reader)
    assert reader.format == "release"
    assert [(item.where, item.package) for item in items] == [("the document", None)]
    assert items[0].release == orjson.loads(path.read_bytes())


@needs_shared
def test_json_lines_of_releases(tmp_path):
    values = releases(5)
    reader = Reader(write_lines(tmp_path / "releases.jsonl", values))
    items = list(reader)
    assert reader.format == "json-lines"
    assert [item.release for item in items] == values
    assert [item.where for item in items] == [f"line {n}" for n in range(1, 6)]
    assert reader.position == reader.size


@needs_shared
def test_json_lines_of_packages(tmp_path):
    package = {"uri": "https://example.com", "releases": releases(2), "version": "1.1"}
    items = read(write_lines(tmp_path / "packages.jsonl", [package, package]))
    assert [item.where for item in items] == [
        "line 1, releases[0]",
        "line 1, releases[1]",
        "line 2, releases[0]",
        "line 2, releases[1]",
    ]
    assert items[0].package == {"uri": "https://example.com", "version": "1.1"}


@needs_shared
def test_a_package_on_one_line_is_not_called_line_1(tmp_path):
    path = tmp_path / "package.json"
    path.write_bytes(orjson.dumps({"releases": releases(2)}) + b"\n\n")
    reader = Reader(path)
    assert [item.where for item in reader] == ["releases[0]", "releases[1]"]
    assert reader.format == "release-package"


@needs_shared
def test_a_json_array_of_releases(tmp_path):
    path = tmp_path / "array.json"
    path.write_text(json.dumps(releases(3), indent=2))
    reader = Reader(path)
    items = list(reader)
    assert reader.format == "array"
    assert [item.where for item in items] == ["[0]", "[1]", "[2]"]


@needs_shared
def test_concatenated_packages(tmp_path):
    path = tmp_path / "concatenated.json"
    documents = [{"releases": releases(2), "uri": f"https://example.com/{n}"} for n in range(3)]
    path.write_text("".join(json.dumps(document, indent=2) for document in documents))
    reader = Reader(path)
    items = list(reader)
    assert reader.format == "concatenated"
    assert items[3].where == "document 2, releases[1]"
    assert items[3].package == {"uri": "https://example.com/1"}
    assert len(found(items)) == 6


@needs_shared
@pytest.mark.parametrize("name", ["data.json", "data.jsonl", "data.gz"])
def test_gzip_is_known_by_its_content_whatever_the_name(tmp_path, name):
    plain = write_lines(tmp_path / "plain.jsonl", releases(4))
    path = tmp_path / name
    path.write_bytes(gzip.compress(plain.read_bytes()))
    reader = Reader(path)
    items = list(reader)
    assert [item.release for item in items] == releases(4)
    assert reader.position == reader.size == path.stat().st_size


@needs_shared
@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize("source", [ARMENIA, EMBEDDED_RECORDS, LINKED_RECORDS, UK_RECORD])
def test_gzip_of_packages_reads_as_the_plain_file(tmp_path, monkeypatch, source, streamed):
    path = tmp_path / "package.json.gz"
    path.write_bytes(gzip.compress(source.read_bytes()))
    plain = read(source)
    if streamed:
        as_stream(monkeypatch)
    assert as_tuples(read(path)) == as_tuples(plain)


def real_files():
    if not SHARED.is_dir():
        return []
    folders = [REAL, SHARED / "ocds-fictional-example", SHARED / "ocds-standard-examples"]
    paths = sorted(path for folder in folders for path in folder.rglob("*.json"))
    return paths[::9]


@pytest.mark.parametrize("path", real_files(), ids=lambda path: path.name)
def test_the_streaming_parser_reads_real_files_as_orjson_does(path, monkeypatch):
    whole = read(path)
    as_stream(monkeypatch)
    streamed = read(path)
    assert as_tuples(streamed) == as_tuples(whole)
    assert [item.release for item in found(streamed)] == [item.release for item in found(whole)]


@pytest.mark.parametrize("compress", [False, True])
def test_the_streaming_parser_reads_json_lines_as_orjson_does(tmp_path, monkeypatch, compress):
    small = [release(n) for n in range(1500)]
    package = {"uri": "u", "releases": small, "version": "1.1"}
    record = {"ocid": "ocds-x-1", "releases": small, "compiledRelease": {}}
    records = {"records": [{"ocid": "ocds-x-2", "releases": small[:5]}] * 300}
    path = write_lines(tmp_path / "mixed.jsonl", [package, record, small, records])
    if compress:
        path.write_bytes(gzip.compress(path.read_bytes()))
    whole = read(path)
    as_stream(monkeypatch)
    streamed = read(path, max_statement_bytes=2**16)  # every line is longer: each one streams
    assert as_tuples(streamed) == as_tuples(whole)
    assert [item.release for item in streamed] == [item.release for item in whole]
    assert streamed[0].package == {"uri": "u", "version": "1.1"}
    assert len(whole) == 3 * 1500 + 300 * 5


# Broken files: a precise message, and the rest of the file where it can be read.


def test_what_the_fast_path_relies_on_in_orjson():
    # orjson refuses, rather than returns, what the reader must report: if a new version
    # changed this, JSON Lines would pass infinities or over-deep values through unnoticed.
    for text in (b"1e9999", b"-1e400", b'"\\ud800"', b"[" * 1025 + b"]" * 1025):
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(text)
    assert orjson.loads(b"[" * 1024 + b"]" * 1024)


def test_malformed_json_in_the_middle_of_json_lines(tmp_path):
    path = tmp_path / "broken.jsonl"
    lines = [orjson.dumps(release(1)), b'{"ocid": "x", "id": "2",, "date": "d"}']
    path.write_bytes(b"\n".join([*lines, orjson.dumps(release(3))]) + b"\n")
    items = read(path)
    assert [item.where for item in found(items)] == ["line 1", "line 3"]
    [issue] = issues(items)
    assert issue.code == "invalid-json"
    assert issue.where == "line 2, column 25"
    offset = len(lines[0]) + 1 + 24
    assert issue.message == (
        f"line 2, column 25 (byte {offset}): invalid JSON (unexpected character, expected a "
        "string key); the rest of the line was not read"
    )


@pytest.mark.parametrize("streamed", [False, True])
def test_malformed_json_in_a_package_keeps_what_comes_before(tmp_path, monkeypatch, streamed):
    if streamed:
        as_stream(monkeypatch)
    path = tmp_path / "broken.json"
    text = json.dumps({"uri": "u", "releases": [release(n) for n in range(4)]}, indent=2)
    broken = text.replace('"id": "2",', '"id": "2"', 1)  # a missing comma, on line 17
    path.write_text(broken)
    items = read(path)
    assert [item.release["id"] for item in found(items)] == ["0", "1"]
    [issue] = issues(items)
    assert issue.code == "invalid-json"
    # orjson's position where the parser can tell (in memory), yajl's (a token later) otherwise
    assert issue.where == ("line 17, column 9" if streamed else "line 17, column 7")
    assert issue.message.endswith("; the rest of the file cannot be read")
    assert "expected ',' or '}'" in issue.message or "I expect ',' or '}'" in issue.message


def test_the_streaming_parser_places_a_bad_character_exactly(tmp_path, monkeypatch):
    as_stream(monkeypatch)
    text = json.dumps({"releases": [release(n) for n in range(50)]}, indent=1).encode()
    line_starts = [index + 1 for index, byte in enumerate(text) if byte == ord("\n")]
    for position in [1, *line_starts[1::97]]:  # between tokens, where '@' cannot be valid
        path = tmp_path / "bad.json"
        path.write_bytes(text[:position] + b"@" + text[position:])
        [issue] = issues(read(path))
        line = text[:position].count(b"\n") + 1
        column = position - text[:position].rfind(b"\n")
        assert issue.message.startswith(f"line {line}, column {column} (byte {position}): ")


@pytest.mark.parametrize("streamed", [False, True])
def test_iso_8859_1_bytes(tmp_path, monkeypatch, streamed):
    if streamed:
        as_stream(monkeypatch)
    path = tmp_path / "latin1.jsonl"
    bad = b'{"ocid": "ocds-1", "id": "1", "date": "d", "title": "Caf\xe9"}'
    path.write_bytes(b"\n".join([orjson.dumps(release(1)), bad, orjson.dumps(release(3))]))
    items = read(path)
    assert [item.where for item in found(items)] == ["line 1", "line 3"]
    [issue] = issues(items)
    assert issue.code == "not-utf8"
    offset = len(orjson.dumps(release(1))) + 1 + bad.index(b"\xe9")
    assert issue.message.startswith(f"line 2, column 57 (byte {offset}): the byte 0xE9 is not")
    assert "ISO-8859-1 or Windows-1252, where it is 'é'" in issue.message


def test_iso_8859_1_in_a_document(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('{"releases": [{"title": "Año"}]}'.encode("latin-1"))
    [issue] = read(path)
    assert issue.code == "not-utf8"
    assert issue.where == "line 1, column 27"
    assert issue.message.endswith("; the rest of the file cannot be read")


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_a_utf8_byte_order_mark_is_accepted_with_a_warning(tmp_path, suffix):
    path = tmp_path / f"bom{suffix}"
    if suffix == ".json":
        path.write_bytes(
            b"\xef\xbb\xbf" + json.dumps({"releases": [release(1)]}, indent=2).encode()
        )
    else:
        path.write_bytes(
            b"\xef\xbb\xbf" + orjson.dumps(release(1)) + b"\n" + orjson.dumps(release(2))
        )
    items = read(path)
    assert codes(items) == ["bom"]
    assert items[0].severity == "warning"
    assert len(found(items)) == (1 if suffix == ".json" else 2)


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_refused_clearly(tmp_path, encoding):
    path = tmp_path / "wide.json"
    path.write_bytes(json.dumps({"releases": [release(1)]}).encode(encoding))
    [issue] = read(path)
    assert issue.code == "not-utf8"
    assert "must be UTF-8" in issue.message
    assert ("UTF-16" in issue.message) or ("UTF-32" in issue.message)


@pytest.mark.parametrize("streamed", [False, True])
def test_a_number_beyond_a_double(tmp_path, monkeypatch, streamed):
    if streamed:
        as_stream(monkeypatch)
    path = tmp_path / "numbers.json"
    bad = '{"ocid": "o", "id": "big", "date": "d", "tender": {"value": {"amount": 1e9999}}}'
    path.write_text(f'{{"releases": [{json.dumps(release(1))}, {bad}, {json.dumps(release(3))}]}}')
    items = read(path)
    assert [item.where for item in found(items)] == ["releases[0]", "releases[2]"]
    [issue] = issues(items)
    assert (issue.where, issue.code) == ("releases[1]", "number-out-of-range")
    assert "1E+9999 at tender.value.amount" in issue.message


def test_a_number_beyond_a_double_in_json_lines(tmp_path):
    path = tmp_path / "numbers.jsonl"
    lines = [json.dumps(release(1)), '{"ocid": "o", "id": "i", "date": "d", "x": [1, -1e400]}']
    path.write_text("\n".join([*lines, json.dumps(release(3))]))
    items = read(path)
    assert [item.where for item in found(items)] == ["line 1", "line 3"]
    assert issues(items)[0].message.startswith("line 2: the number -1E+400 at x[1] is beyond")


def test_big_integers_read_as_orjson_reads_them(tmp_path, monkeypatch):
    path = tmp_path / "integers.json"
    value = {**release(1), "numbers": [2**63, 2**64, 10**30, -(2**63) - 1]}
    path.write_text(json.dumps({"releases": [value]}, indent=2))
    whole = read(path)
    as_stream(monkeypatch)
    assert (
        found(read(path))[0].release == found(whole)[0].release == orjson.loads(json.dumps(value))
    )


def test_releases_that_cannot_be_stored(tmp_path):
    path = write_lines(
        tmp_path / "unusable.jsonl",
        [
            {"id": "a", "date": "d"},
            {"ocid": "o", "date": "d"},
            {"ocid": "o", "id": "b"},
            {"ocid": "o", "id": 7, "date": "d"},
            {"ocid": "", "id": "c", "date": None},
            release(6),
        ],
    )
    items = read(path)
    assert codes(items) == [
        "missing-ocid",
        "missing-id",
        "missing-date",
        "invalid-id",
        "missing-ocid",
    ]
    assert items[0].message == (
        "line 1: the release 'a' cannot be stored: it has no ocid (a release needs an ocid and an "
        "id, which identify it, and a date, which orders it)"
    )
    assert "its id is a number (7), not a string" in items[3].message
    assert "it has no ocid; it has no date" in items[4].message
    assert [item.where for item in found(items)] == ["line 6"]


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "], ids=["0 bytes", "whitespace"])
def test_an_empty_file(tmp_path, content):
    path = tmp_path / "empty.json"
    path.write_bytes(content)
    [issue] = read(path)
    assert issue.code == "empty-file"
    assert issue.message.startswith("the file is empty (")


def test_an_empty_gzip_file(tmp_path):
    path = tmp_path / "empty.json.gz"
    path.write_bytes(gzip.compress(b""))
    [issue] = read(path)
    assert issue.message == "the file is empty (only whitespace once decompressed): no releases"


@pytest.mark.parametrize("streamed", [False, True])
@pytest.mark.parametrize(
    ("document", "where", "kind"),
    [
        ({"uri": "u", "releases": {"a": 1}}, "releases", "an object"),
        ({"uri": "u", "releases": "none"}, "releases", "a string"),
        ({"records": None}, "records", "null"),
        ({"records": [{"ocid": "o", "releases": 5}]}, "records[0].releases", "a number"),
    ],
)
def test_lists_that_are_not_lists(tmp_path, monkeypatch, streamed, document, where, kind):  # noqa: PLR0917
    if streamed:
        as_stream(monkeypatch)
    path = tmp_path / "package.json"
    path.write_text(json.dumps(document, indent=2))
    [issue] = read(path)
    assert (issue.code, issue.where) == ("not-a-list", where)
    assert (
        issue.message
        == f"{where}: {where.split('.')[-1]} must be a list, and it is {kind}, "
        + ("so nothing in it was loaded")
    )


def test_items_that_are_not_objects(tmp_path):
    path = tmp_path / "package.json"
    path.write_text(json.dumps({"releases": [release(1), 5, "x", [release(2)], None]}))
    items = read(path)
    assert codes(items) == ["not-an-object"] * 4
    assert issues(items)[0].message == (
        "releases[1]: expected an OCDS release, record or package (a JSON object), found a number"
    )


@pytest.mark.parametrize("levels", [10_000, 100_000])
def test_deep_nesting_in_a_package(tmp_path, levels):
    path = tmp_path / "deep.json"
    deep = b'{"ocid": "o", "id": "deep", "date": "d", "x": ' + b"[" * levels + b"]" * levels + b"}"
    parts = [orjson.dumps(release(1)), deep, orjson.dumps(release(3))]
    path.write_bytes(b'{"releases": [' + b", ".join(parts) + b"]}")
    items = read(path)
    assert [item.where for item in found(items)] == ["releases[0]", "releases[2]"]
    [issue] = issues(items)
    assert (issue.where, issue.code) == ("releases[1]", "too-deep")
    assert (
        issue.message
        == "releases[1]: it is nested more than 1024 levels deep, so it was not loaded"
    )


def test_deep_nesting_in_json_lines_and_as_a_whole_file(tmp_path):
    lines = tmp_path / "deep.jsonl"
    lines.write_bytes(b"\n".join([orjson.dumps(release(1)), b"[" * 10_000 + b"]" * 10_000, b"{}"]))
    assert [(item.where, getattr(item, "code", "")) for item in read(lines)] == [
        ("line 1", ""),
        ("line 2, [0]", "too-deep"),
        ("line 3", "missing-ocid"),
    ]
    document = tmp_path / "deep.json"
    document.write_bytes(b"[" * 100_000 + b"\n" + b"]" * 100_000)
    assert codes(read(document)) == ["too-deep"]


def test_a_lone_surrogate_escape_is_refused_and_a_pair_is_not(tmp_path):
    path = tmp_path / "surrogates.jsonl"
    path.write_text(
        json.dumps({**release(1), "title": "\U0001f600"}, ensure_ascii=True)
        + '\n{"ocid": "o", "id": "x\\ud800y", "date": "d"}\n'
        + '{"ocid": "o", "id": "\\\\ud800", "date": "d"}\n'
    )
    items = read(path)
    assert found(items)[0].release["title"] == "\U0001f600"
    assert found(items)[1].release["id"] == "\\ud800"  # an escaped backslash, then text
    [issue] = issues(items)
    assert issue.code == "invalid-json"
    assert issue.where == "line 2, column 23"
    assert "\\ud800 is half a UTF-16 surrogate pair" in issue.message


def test_a_truncated_document(tmp_path):
    path = tmp_path / "truncated.json"
    text = json.dumps({"releases": [release(n) for n in range(10)]}, indent=2)
    path.write_text(text[: len(text) // 2])
    items = read(path)
    assert len(found(items)) == 4
    assert issues(items)[0].message.endswith(
        "invalid JSON (unexpected end of data); the rest of the file cannot be read"
    )


def test_a_damaged_gzip_file_keeps_what_came_before(tmp_path):
    path = tmp_path / "cut.jsonl.gz"
    data = gzip.compress(b"".join(orjson.dumps(release(n)) + b"\n" for n in range(20_000)))
    path.write_bytes(data[: len(data) // 2])
    items = read(path)
    assert 1000 < len(found(items)) < 20_000
    assert codes(items)[-1] in {"bad-gzip", "invalid-json"}


def test_files_that_are_not_json(tmp_path):
    csv = tmp_path / "spend.csv"
    csv.write_text("Date,Supplier,Amount\n2024-01-01,Acme,100\n")
    [issue] = read(csv)
    assert issue.code == "invalid-json"
    assert issue.message.startswith("the file is not JSON:")
    archive = tmp_path / "package.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("package.json", "{}")
    [issue] = read(archive)
    assert issue.code == "unsupported-compression"
    [issue] = read(tmp_path / "missing.json")
    assert issue.code == "unreadable"


def test_a_release_larger_than_the_limit_is_refused_and_the_next_line_read(tmp_path):
    path = tmp_path / "large.jsonl"
    large = {
        **release(2),
        "items": [{"id": str(n), "description": "x" * 100} for n in range(40_000)],
    }
    write_lines(path, [release(1), large, release(3)])
    items = read(path, max_statement_bytes=2**20)
    assert [item.where for item in found(items)] == ["line 1", "line 3"]
    [issue] = issues(items)
    assert (issue.where, issue.code) == ("line 2", "too-large")
    assert "larger than 1 MB" in issue.message


# The child's own peak memory: VmHWM, since ru_maxrss also counts the parent's at the fork.
MEASURE = """
import json, re, sys
from pathlib import Path
from openbook.load.reading import Found, Reader
reader = Reader(sys.argv[1])
count = 0
for item in reader:
    count += isinstance(item, Found)
    if count == 5:
        package = item.package
peak = re.search(r"VmHWM:\\s+(\\d+) kB", Path("/proc/self/status").read_text())
print(json.dumps({
    "count": count, "format": reader.format, "last": item.where, "package": package,
    "complete": reader.position == reader.size, "megabytes": int(peak.group(1)) // 1024,
}))
"""


@needs_shared
@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures memory in /proc")
def test_a_200_mb_line_streams_in_flat_memory(tmp_path):
    values = releases(21)
    body = b",".join(orjson.dumps(value) for value in values)
    path = tmp_path / "big.jsonl"
    copies = (200 * 2**20) // len(body) + 1
    with path.open("wb") as file:
        file.write(orjson.dumps(release(1)) + b"\n")
        file.write(b'{"uri": "https://example.com", "releases": [')
        for copy in range(copies):
            file.write(b"," * bool(copy) + body)
        file.write(b'], "version": "1.1"}\n')  # metadata after the releases, on a 200 MB line
        file.write(orjson.dumps(release(3)) + b"\n")
    assert path.stat().st_size > 200 * 2**20
    try:
        result = subprocess.run(
            [sys.executable, "-c", MEASURE, str(path)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        )
    finally:
        path.unlink()  # pytest keeps recent temporary folders: not 200 MB of them
    measured = json.loads(result.stdout)
    assert measured["count"] == copies * len(values) + 2
    assert (measured["format"], measured["last"], measured["complete"]) == (
        "json-lines",
        "line 3",
        True,
    )
    assert measured["package"] == {"uri": "https://example.com", "version": "1.1"}
    assert measured["megabytes"] < 100  # the line alone is 200 MB


def test_position_moves_as_the_file_is_read(tmp_path):
    path = write_lines(tmp_path / "many.jsonl", [release(n) for n in range(50_000)])
    reader = Reader(path)
    assert (reader.position, reader.size) == (0, path.stat().st_size)
    positions = [reader.position for _ in reader]
    assert 0 < positions[10_000] < positions[40_000] < reader.size
    assert reader.position == reader.size
