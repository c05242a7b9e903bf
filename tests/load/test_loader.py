"""Loading files into the log, end to end through the use case, on SQLite and PostgreSQL."""

import gzip
from pathlib import Path

import orjson
import pytest

from openbook import records
from openbook.load.loader import load
from openbook.store import log
from openbook.store import records as stored_records
from tests.conftest import SHARED_DATA
from tests.factories import create_release

SAMPLES = SHARED_DATA / "ocds-real-publisher-samples"
CONTRACTS_FINDER = SAMPLES / "uk-contracts-finder" / "sample"


def write_jsonl(path: Path, releases) -> Path:
    path.write_bytes(b"".join(orjson.dumps(release) + b"\n" for release in releases))
    return path


def snapshot(store) -> dict:
    """Everything stored, except log times (which record when, and so differ between runs)."""
    entries = log.entries(store, 0, 10**9)
    return {
        "entries": [
            (
                s.entry.seq,
                s.entry.register,
                s.entry.record_key,
                s.entry.statement_id,
                s.entry.statement_date,
                s.entry.publisher,
                s.entry.body_hash,
                s.body,
                s.problems,
                s.package,
            )
            for s in entries
        ],
        "records": {
            key: stored_records.get(store, "ocds", key).compiled
            for key in sorted({s.entry.record_key for s in entries})
        },
        "conflicts": [
            {k: v for k, v in c.items() if k != "received_time"} for c in log.conflicts(store)
        ],
        "pending": stored_records.pending_count(store, "ocds"),
    }


def test_loads_real_bare_releases_and_compiles_each_process(store):
    paths = sorted((CONTRACTS_FINDER / "releases").glob("*.json"))
    report = load(store, paths)
    totals = report.as_dict()["totals"]
    assert totals["read"] == len(paths)
    # Contracts Finder republished some releases under the same id with another body (the
    # buyer block added): those are conflicts, kept aside, and the first one stays.
    assert totals["loaded"] + totals["conflicts"] == len(paths)
    assert totals["conflicts"] == 10
    ocids = {orjson.loads(p.read_bytes())["ocid"] for p in paths}
    assert stored_records.count(store, "ocds") == len(ocids) == totals["compiled"]
    assert stored_records.pending_count(store, "ocds") == 0


def test_loads_real_release_packages_with_their_metadata(store):
    paths = sorted(
        (SAMPLES / "australia" / "new-south-wales" / "sample" / "releases").glob("*.json")
    )
    report = load(store, paths)
    assert report.total("loaded") > 0 and report.total("unreadable") == 0
    (first, *_) = log.entries(store, 0, 1)
    declared = orjson.loads(paths[0].read_bytes())
    assert first.entry.publisher == declared["publisher"]["name"]
    assert first.package["extensions"] == declared["extensions"]
    assert "releases" not in first.package


def test_loads_records_and_record_packages_with_embedded_releases(store):
    records_ = sorted((CONTRACTS_FINDER / "records").glob("*.json"))
    packages = sorted((SAMPLES / "mexico" / "jalisco" / "sample" / "records").glob("*.json"))
    report = load(store, records_ + packages)
    assert report.total("loaded") > 0 and report.total("unreadable") == 0
    assert {f.format for f in report.files} == {"record-package", "record"}


def test_reloading_is_a_no_op_reported_as_duplicates(store, tmp_path):
    path = write_jsonl(tmp_path / "a.jsonl", [create_release(release_id=str(n)) for n in range(5)])
    load(store, [path])
    before = snapshot(store)
    report = load(store, [path])
    assert report.total("duplicates") == 5 and report.total("loaded") == 0
    assert report.rejected == 0
    assert snapshot(store) == before


def test_a_changed_release_is_a_conflict_and_the_stored_one_stays(store, tmp_path):
    load(store, [write_jsonl(tmp_path / "a.jsonl", [create_release(title="first")])])
    before = snapshot(store)
    changed = [create_release(title="first"), create_release(title="second")]
    report = load(store, [write_jsonl(tmp_path / "b.jsonl", changed)])
    assert report.total("conflicts") == 1 and report.total("duplicates") == 1
    assert report.rejected == 1
    after = snapshot(store)
    assert after["entries"] == before["entries"] and after["records"] == before["records"]
    (conflict,) = after["conflicts"]
    assert conflict["source"].endswith("b.jsonl line 2")


def test_invalid_releases_are_kept_with_their_review_unless_strict(store, tmp_path):
    bad = create_release(release_id="2", tender={"id": "t", "status": "not-a-status"})
    path = write_jsonl(tmp_path / "a.jsonl", [create_release(), bad])
    report = load(store, [path], strict=True)
    assert report.total("invalid") == 1 and log.log_size(store) == 1
    message = report.files[0].messages[0]
    assert message["code"] == "invalid" and message["where"].startswith("line 2")
    assert "not-a-status" in message["message"]
    report = load(store, [path])
    assert report.total("loaded_with_errors") == 1
    (stored,) = log.entries(store, 1, 2)
    assert any(
        p["code"] == "closed-codelist" and p["path"] == "tender/status" for p in stored.problems
    )
    assert report.top_problems()[0]["code"] == "closed-codelist"


def test_bad_lines_are_reported_with_position_and_the_rest_loads(store, tmp_path):
    good = [orjson.dumps(create_release(release_id=str(n))) for n in range(3)]
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        good[0]
        + b"\n"
        + b'{"ocid": "x", "id": \n'
        + good[1]
        + b"\n"
        + orjson.dumps({"id": "9", "date": "2026-01-01T00:00:00Z"})
        + b"\n"
        + '{"ocid": "ocds-test-001", "id": "7", "title": "caf\xe9"}'.encode("latin-1")
        + b"\n"
        + good[2]
        + b"\n"
    )
    report = load(store, [path])
    assert report.total("loaded") == 3
    codes = {m["code"]: m for m in report.files[0].messages}
    assert codes["invalid-json"]["where"].startswith("line 2")
    assert codes["missing-ocid"]["where"].startswith("line 4")
    assert codes["not-utf8"]["where"].startswith("line 5")
    assert report.rejected == 3


@pytest.mark.parametrize("workers", [None, 2], ids=["in-process", "workers"])
def test_a_tag_that_is_not_text_is_reviewed_and_the_release_loads(store, tmp_path, workers):
    """A list or object among a release's tags once crashed the whole load (a set of its tags
    was built); now the release loads with its problems reported and its process compiles."""
    odd = [
        create_release("ocds-test-odd-1", tag=[["tender"]]),
        create_release("ocds-test-odd-2", tag=[{"stage": "award"}, "award"]),
        create_release("ocds-test-odd-3", tag=[7, None]),
    ]
    path = write_jsonl(tmp_path / "odd-tags.jsonl", [*odd, create_release("ocds-test-ok")])
    forced = {"workers": workers, "parallel_from_bytes": 0, "parallel_from_records": 0}
    report = load(store, [path], **(forced if workers else {}))
    assert report.total("loaded") == 4 and report.rejected == 0
    assert report.compiled == 4
    for release in odd:
        stored = log.record_statements(store, "ocds", release["ocid"])
        assert [orjson.loads(s.body)["tag"] for s in stored] == [release["tag"]]
        assert any(problem["severity"] == "error" for problem in stored[0].problems)
        assert stored_records.get(store, "ocds", release["ocid"]).compiled is not None


def test_nothing_stored_changes_when_a_bad_file_is_loaded(store, tmp_path):
    load(store, [write_jsonl(tmp_path / "a.jsonl", [create_release()])])
    before = snapshot(store)
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"releases": "not a list", "uri": "x"}')
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    deep = tmp_path / "deep.json"
    deep.write_bytes(b"[" * 10_000 + b"]" * 10_000)
    report = load(store, [bad, empty, deep, tmp_path / "a.jsonl"])
    assert [f.messages[0]["code"] for f in report.files[:3]] == [
        "not-a-list",
        "empty-file",
        "too-deep",
    ]
    assert snapshot(store) == before


def test_gzip_and_concatenated_json(store, tmp_path):
    path = tmp_path / "releases.data"
    text = b" ".join(orjson.dumps(create_release(release_id=str(n))) for n in range(4))
    path.write_bytes(gzip.compress(text))
    report = load(store, [path])
    assert report.total("loaded") == 4


def test_record_package_holds_releases_compiled_and_versioned(store, tmp_path):
    releases = [
        create_release(
            release_id="1", date="2026-01-01T00:00:00Z", tender={"title": "A", "id": "t"}
        ),
        create_release(
            release_id="2", date="2026-02-01T00:00:00Z", tender={"title": "B", "id": "t"}
        ),
    ]
    load(store, [write_jsonl(tmp_path / "a.jsonl", releases)])
    package = records.record_package(store, "ocds-test-001")
    (record,) = package["records"]
    assert [r["id"] for r in record["releases"]] == ["1", "2"]
    assert record["compiledRelease"]["tender"]["title"] == "B"
    history = record["versionedRelease"]["tender"]["title"]
    assert [(v["releaseID"], v["value"]) for v in history] == [("1", "A"), ("2", "B")]
    assert package["version"] == "1.1"
    # Appending a release recompiles that process only, and the versioned release follows.
    load(
        store,
        [
            write_jsonl(
                tmp_path / "b.jsonl",
                [
                    create_release(
                        release_id="3",
                        date="2026-03-01T00:00:00Z",
                        tender={"title": "C", "id": "t"},
                    )
                ],
            )
        ],
    )
    record = records.record_package(store, "ocds-test-001")["records"][0]
    assert record["compiledRelease"]["tender"]["title"] == "C"
    assert len(record["versionedRelease"]["tender"]["title"]) == 3
    assert records.record_package(store, "ocds-unknown") is None


@pytest.mark.parametrize("batch_size", [1, 3, 1000])
def test_any_batch_size_gives_a_complete_gap_free_log(store, tmp_path, batch_size):
    from openbook.generate import generate_releases

    path = write_jsonl(tmp_path / "g.jsonl", generate_releases(20, seed=3))
    load(store, [path], batch_size=batch_size)
    state = snapshot(store)
    assert state["pending"] == 0 and len(state["records"]) >= 20
    assert [e[0] for e in state["entries"]] == list(range(len(state["entries"])))


@pytest.mark.parametrize("whole_files", [True, False], ids=["files-to-workers", "lines-to-workers"])
def test_worker_processes_store_exactly_what_a_single_process_stores(
    database, request, tmp_path, monkeypatch, whole_files
):
    """Reviewing and compiling in worker processes changes nothing stored, not even the order,
    whether a worker reads a small file whole or takes the lines this process read."""
    from openbook.generate import generate_releases
    from openbook.load import loader
    from tests.conftest import fresh_database

    if not whole_files:
        monkeypatch.setattr(loader, "WORKER_FILE_BYTES", 0)

    path = write_jsonl(tmp_path / "g.jsonl", generate_releases(300, seed=9))
    bad = write_jsonl(tmp_path / "bad.jsonl", [create_release(tender={"id": 1, "status": "x"})])
    # Lines the workers cannot take as plain releases: the reader settles them in place.
    with path.open("ab") as out:
        out.write(b'{"ocid": "ocds-x", "id": \n')
        out.write(b'{"id": "no-ocid", "date": "2026-01-01T00:00:00Z"}\n\n')
        out.write(orjson.dumps({"uri": "p", "releases": [create_release(ocid="ocds-p")]}) + b"\n")
        out.write(b'{"ocid": "ocds-big", "id": "1", "date": "2026-01-01T00:00:00Z", "n": 1e999}\n')
    states = []
    for workers in (1, 2):
        with fresh_database(database.vendor, request) as fresh:
            report = load(
                fresh.store,
                [path, bad],
                workers=workers,
                parallel_from_bytes=0,
                parallel_from_records=0,
                batch_size=250,
            )
            messages = [f.messages for f in report.files]
            states.append((snapshot(fresh.store), report.as_dict()["totals"], messages))
    assert states[0] == states[1]
    assert states[0][1]["loaded_with_errors"] == 1
    errors = [m["code"] for m in states[0][2][0] if m["severity"] == "error"]
    assert errors == ["invalid-json", "missing-ocid", "number-out-of-range"]
    assert "ocds-p" in states[0][0]["records"]  # the package on its own line was loaded


def test_files_read_by_workers_and_here_keep_their_order(database, request, tmp_path, monkeypatch):
    """Small files go to the workers in groups, larger ones are read here: the log holds them
    in the order given all the same, with each file's report and problems."""
    from openbook.generate import generate_releases
    from openbook.load import loader
    from tests.conftest import fresh_database

    releases = list(generate_releases(120, seed=4))
    paths = []
    for index in range(6):
        part = releases[index * 20 : (index + 1) * 20]
        if index % 2:
            path = tmp_path / f"{index}.json"
            package = {"uri": f"p{index}", "version": "1.1", "releases": part}
            path.write_bytes(orjson.dumps(package))
        else:
            path = write_jsonl(tmp_path / f"{index}.jsonl", part)
        paths.append(path)
    broken = tmp_path / "broken.json"
    before = orjson.dumps(create_release(ocid="ocds-before-the-break"))
    broken.write_bytes(b'{"releases": [' + before + b", {")
    paths.insert(3, broken)
    large = sorted(path.stat().st_size for path in paths)[-3]
    # Files of up to about 2 KiB go to the workers, in groups of a few; the rest is read here.
    monkeypatch.setattr(loader, "WORKER_FILE_BYTES", large - 1)
    monkeypatch.setattr(loader, "GROUP_BYTES", 2 * large)
    states = []
    for workers in (1, 2):
        with fresh_database(database.vendor, request) as fresh:
            report = load(fresh.store, paths, workers=workers, parallel_from_bytes=0)
            files = [(f.path, f.format, f.read, f.loaded, f.messages) for f in report.files]
            states.append((snapshot(fresh.store), files))
    assert states[0] == states[1]
    formats = [file[1] for file in states[0][1]]
    assert formats[:3] == ["json-lines", "release-package", "json-lines"]
    assert formats[4:] == ["release-package", "json-lines", "release-package"]
    assert states[0][1][3][4][-1]["code"] == "invalid-json"  # the broken file, in its place
    assert states[0][1][3][3] == 1  # and the release before the break, loaded


BAD_INPUTS = {
    "malformed-json-mid-file": (
        b'{"ocid":"ocds-b","id":"1","date":"2026-01-01T00:00:00Z"}\n{"ocid": "ocds-b", "id": \n'
        b'{"ocid":"ocds-b","id":"3","date":"2026-01-01T00:00:00Z"}\n',
        "invalid-json",
        "line 2",
    ),
    "iso-8859-1": (
        b'{"ocid":"ocds-b","id":"1","date":"2026-01-01T00:00:00Z"}\n'
        + '{"ocid":"ocds-b","id":"2","date":"2026-01-01T00:00:00Z","title":"Caf\xe9"}\n'.encode(
            "latin-1"
        ),
        "not-utf8",
        "line 2",
    ),
    "huge-number": (
        b'{"ocid":"ocds-b","id":"1","date":"2026-01-01T00:00:00Z"}\n'
        b'{"ocid":"ocds-b","id":"2","date":"2026-01-01T00:00:00Z","value":{"amount":1e9999}}\n',
        "number-out-of-range",
        "line 2",
    ),
    "no-ocid": (b'{"id":"1","date":"2026-01-01T00:00:00Z"}', "missing-ocid", ""),
    "no-id": (b'{"ocid":"ocds-b","date":"2026-01-01T00:00:00Z"}', "missing-id", ""),
    "no-date": (b'{"ocid":"ocds-b","id":"1"}', "missing-date", ""),
    "empty": (b"", "empty-file", ""),
    "whitespace-only": (b" \n\n ", "empty-file", ""),
    "releases-not-a-list": (b'{"uri":"x","releases":{"ocid":"a"}}', "not-a-list", ""),
    "deep-nesting": (b'{"releases":[' + b"[" * 10_000 + b"]" * 10_000 + b"]}", "too-deep", ""),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_precise_message_and_changes_nothing_stored(store, tmp_path, name):
    data, code, where = BAD_INPUTS[name]
    load(
        store,
        [
            write_jsonl(
                tmp_path / "before.jsonl", [create_release(), create_release(release_id="2")]
            )
        ],
    )
    before = snapshot(store)
    path = tmp_path / f"{name}.json"
    path.write_bytes(data)
    report = load(store, [path])
    messages = [m for m in report.files[0].messages if m["code"] == code]
    assert messages, report.files[0].messages
    assert messages[0]["where"].startswith(where)
    assert messages[0]["message"]  # a sentence, not a stack trace
    assert report.rejected >= 1
    after = snapshot(store)
    # What was stored before is untouched; good releases in the same file were added after it.
    assert after["entries"][: len(before["entries"])] == before["entries"]
    assert all(after["records"][key] == value for key, value in before["records"].items())
    assert "Traceback" not in report.as_text()


def test_a_bom_is_accepted_with_a_warning(store, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + orjson.dumps(create_release()))
    report = load(store, [path])
    assert report.total("loaded") == 1 and report.rejected == 0
    assert report.files[0].messages[0]["code"] == "bom"


def test_a_zero_byte_record_file_as_published(store):
    empty = [
        p
        for p in (SAMPLES / "paraguay" / "sample" / "records").glob("*.json")
        if p.stat().st_size == 0
    ]
    assert len(empty) == 3
    report = load(store, empty)
    assert [f.messages[0]["code"] for f in report.files] == ["empty-file"] * 3
    assert log.log_size(store) == 0


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"ocid": "ocds-" + "x" * 2000}, "invalid-ocid"),
        ({"id": "9" * 1500}, "invalid-id"),
        ({"date": "2026-01-01T00:00:00Z" + " " * 200}, "invalid-date"),
        ({"ocid": "ocds-\u0000nul"}, "invalid-ocid"),
        ({"ocid": "ocds-" + "é" * 600}, "invalid-ocid"),  # 1,205 bytes in UTF-8
    ],
)
def test_identities_the_log_cannot_hold_are_reported_alike_on_both_databases(
    store, tmp_path, fields, code
):
    """Beyond the limits, or with NUL (which PostgreSQL text refuses), a release is reported, not
    stored, on SQLite as on PostgreSQL; the rest of the file loads."""
    releases = [create_release(release_id="1"), create_release(release_id="2", **fields)]
    releases.append(create_release(release_id="3"))
    for workers, name in ((1, "one.jsonl"), (2, "two.jsonl")):
        report = load(
            store, [write_jsonl(tmp_path / name, releases)], workers=workers, parallel_from_bytes=0
        )
        (message,) = [m for m in report.files[0].messages if m["severity"] == "error"]
        assert message["code"] == code and message["where"].startswith("line 2")
    assert log.log_size(store) == 2


def test_spaces_and_long_names_are_stored_exactly(store, tmp_path):
    """Nothing is cut to fit a column: what is stored matches its leaf hash."""
    release = create_release(ocid="ocds-spaced   ", release_id="1 ", date="2026-01-01T00:00:00Z ")
    load(store, [write_jsonl(tmp_path / "a.jsonl", [release])], publisher="P" * 600 + "  ")
    (stored,) = log.entries(store, 0, 1)
    assert (stored.entry.record_key, stored.entry.statement_id) == ("ocds-spaced   ", "1 ")
    assert stored.entry.publisher == "P" * 600 + "  "
    assert stored.leaf_hash == stored.entry.leaf_hash()
    again = load(store, [write_jsonl(tmp_path / "a.jsonl", [release])], publisher="P" * 600 + "  ")
    assert again.total("duplicates") == 1


def test_record_package_ignores_malformed_extension_declarations(store, tmp_path):
    for number, declared in enumerate([5, "https://example.com/extension.json"]):
        path = tmp_path / f"p{number}.json"
        release = create_release(ocid=f"ocds-ext-{number}")
        path.write_bytes(orjson.dumps({"uri": "u", "extensions": declared, "releases": [release]}))
        load(store, [path])
        package = records.record_package(store, f"ocds-ext-{number}")
        assert "extensions" not in package
