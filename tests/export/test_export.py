"""Bulk snapshots (openbook.export), on both databases: what they hold matches the store, the
field's tools read them unchanged, they are consistent with one log size however the log grows
meanwhile, and they replace each other atomically."""

import csv
import gzip
import io
import shutil
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import duckdb
import jsonschema
import orjson
import pytest
from django.db import connections
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from openbook import cli, commercial_tools, config, contract_performance, ownership, pipeline
from openbook.export import ExportError, export, flat, snapshot, swap
from openbook.export.manifest import CHECKSUMS, MANIFEST
from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from openbook.records import compile_pending
from openbook.standards.ocds import schema
from openbook.store import log, records
from openbook.store.database import Store
from tests.conftest import SHARED_DATA
from tests.factories import create_release, create_statement
from tests.standards.test_merkle import reference_root

OCDSKIT = str(Path(sys.executable).with_name("ocdskit"))
SAMPLES = SHARED_DATA / "ocds-real-publisher-samples"
REAL = [
    *sorted((SAMPLES / "uk-contracts-finder" / "sample" / "releases").glob("*.json")),
    *sorted((SAMPLES / "armenia" / "sample" / "releases").glob("*.json")),
    # 1.0 packages, and releases of one process in several files.
    *sorted((SAMPLES / "paraguay" / "sample" / "releases").glob("27*.json")),
]
DATA_FILES = ("releases.jsonl.gz", "compiled-releases.jsonl.gz")


def load_generated(store: Store, folder: Path) -> Store:
    path = folder / "generated.jsonl"
    with path.open("wb") as out:
        write_jsonl(generate_releases(30, 3), out)
    load(store, [path])
    compile_pending(store)
    return store


@pytest.fixture
def generated(database, tmp_path) -> Store:
    return load_generated(database.store, tmp_path)


@pytest.fixture(params=["generated", "real"])
def loaded(request, database, tmp_path) -> tuple[Store, list[Path]]:
    """Generated data, then real publishers' samples (invalid releases, conflicts, 1.0
    packages, declared extensions); with the files loaded."""
    if request.param == "generated":
        return load_generated(database.store, tmp_path), []
    load(database.store, REAL)
    compile_pending(database.store)
    return database.store, REAL


def lines(path: Path) -> list[dict]:
    with gzip.open(path) as file:
        return [orjson.loads(line) for line in file]


def stored_releases(store: Store) -> list[dict]:
    return [orjson.loads(s.body) for s in log.entries(store, 0, log.log_size(store)) if s.body]


def sha256sum(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The real GNU sha256sum, in the snapshot's folder."""
    program = shutil.which("sha256sum")
    assert program is not None
    return subprocess.run(
        [program, *arguments], cwd=folder, capture_output=True, text=True, check=False
    )


def data_digests(manifest: dict) -> dict[str, str]:
    """Every file's checksum but the workbook's (it records when it was made) and so the
    checksums file's."""
    return {
        entry["name"]: entry["sha256"]
        for entry in manifest["files"]
        if not entry["name"].endswith(".xlsx") and entry["name"] != CHECKSUMS
    }


def count_rows(path: Path) -> int:
    return duckdb.sql(f"SELECT count(*) FROM '{path}'").fetchall()[0][0]


def test_the_files_hold_what_the_store_holds(loaded, tmp_path):
    store, sources = loaded
    target = tmp_path / "downloads"
    manifest = export(store, target)
    assert orjson.loads((target / MANIFEST).read_bytes()) == manifest

    releases = stored_releases(store)
    assert lines(target / "releases.jsonl.gz") == releases  # every one, in log order
    assert manifest["counts"]["releases"] == len(releases) == log.log_size(store)

    compiled = lines(target / "compiled-releases.jsonl.gz")
    assert [c["ocid"] for c in compiled] == sorted({release["ocid"] for release in releases})
    for release in compiled:
        stored = records.get(store, "ocds", release["ocid"])
        assert stored is not None
        assert release == orjson.loads(stored.compiled)
    assert manifest["counts"]["compiledReleases"] == len(compiled) == records.count(store, "ocds")

    by_year = manifest["counts"]["releasesByYear"]
    assert sum(by_year.values()) == len(releases)
    for year, count in by_year.items():
        found = lines(target / "years" / f"releases-{year}.jsonl.gz")
        assert len(found) == count
        assert all(r["date"][:4] == year for r in found) or year == "undated"

    listed = {entry["name"]: entry for entry in manifest["files"]}
    assert set(listed) >= {
        "releases.jsonl.gz",
        "compiled-releases.jsonl.gz",
        "compiled-releases-csv.zip",
        CHECKSUMS,
        *(f"parquet/{name}.parquet" for name in ("releases", "parties", "tenders", "lots")),
        *(f"parquet/{name}.parquet" for name in ("awards", "contracts", "items", "documents")),
    }
    for entry in listed.values():
        assert (target / entry["name"]).stat().st_size == entry["size"]

    # The field's checksum tool verifies every file.
    done = sha256sum(target, "--strict", "-c", CHECKSUMS)
    assert done.returncode == 0, done.stdout + done.stderr
    checked = {line.rsplit(": ", 1)[0] for line in done.stdout.splitlines()}
    derived = {entry["name"] for entry in manifest["derivedRegisters"]}
    assert checked == (set(listed) | derived) - {CHECKSUMS}
    # Each derived register's file is what its use case gives, line for line.
    for name, use_case in [
        ("pipeline", pipeline), ("commercial-tools", commercial_tools),
        ("performance", contract_performance), ("ownership", ownership),
    ]:  # fmt: skip
        assert f"registers/{name}.jsonl.gz" in derived
        given = [orjson.loads(orjson.dumps(entry)) for entry in use_case.bulk(store)]
        assert lines(target / "registers" / f"{name}.jsonl.gz") == given

    # The tree head, recomputed from the entries' fields (not the stored leaf hashes).
    entries = log.entries(store, 0, log.log_size(store))
    leaves = [bytes.fromhex(s.entry.leaf_hash()) for s in entries]
    assert manifest["log"]["size"] == manifest["log"]["treeHead"]["treeSize"] == len(leaves)
    assert manifest["log"]["treeHead"]["rootHash"] == reference_root(leaves).hex()
    # The snapshot carries a signed tree head it is consistent with (tests/test_verify.py
    # checks the signature and the proof).
    signed = manifest["log"]["signedTreeHead"]
    assert signed["treeSize"] >= len(leaves)
    assert signed["consistencyProof"]["first"] == len(leaves)
    assert (target / "log-entries.jsonl.gz").exists()

    # DuckDB reads every Parquet table, with the rows the manifest counts.
    for name, rows in manifest["counts"]["parquetRows"].items():
        assert count_rows(target / "parquet" / f"{name}.parquet") == rows, name
    assert manifest["counts"]["parquetRows"]["releases"] == len(releases)

    assert manifest["license"] == config.licence()
    assert manifest["publisher"] == {"name": config.publisher_name()}
    declared = set()
    for path in sources:
        document = orjson.loads(path.read_bytes())
        if isinstance(document, dict) and isinstance(document.get("extensions"), list):
            declared.update(document["extensions"])
    assert set(manifest["extensions"]) == declared


def test_a_changed_byte_fails_the_check(generated, tmp_path):
    target = tmp_path / "downloads"
    export(generated, target)
    path = target / "releases.jsonl.gz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))
    done = sha256sum(target, "-c", CHECKSUMS)
    assert done.returncode != 0
    assert "releases.jsonl.gz: FAILED" in done.stdout


def test_an_empty_log_gives_an_empty_snapshot(store, tmp_path):
    target = tmp_path / "downloads"
    manifest = export(store, target)
    head = manifest["log"]["treeHead"]
    assert (head["treeSize"], head["rootHash"]) == (
        0,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    )
    assert lines(target / "releases.jsonl.gz") == []
    assert count_rows(target / "parquet" / "tenders.parquet") == 0
    assert manifest["excel"] == {"available": False, "reason": "there are no compiled releases"}
    assert sha256sum(target, "-c", CHECKSUMS).returncode == 0


def test_duckdb_reads_every_parquet_table(generated, tmp_path):
    target = tmp_path / "downloads"
    manifest = export(generated, target)
    releases = stored_releases(generated)

    def objects(*path):
        count = 0
        for release in releases:
            value = release
            for part in path:
                value = value.get(part) if isinstance(value, dict) else None
            count += len(value) if isinstance(value, list) else 0
        return count

    rows = manifest["counts"]["parquetRows"]
    assert rows["parties"] == objects("parties")
    assert rows["tenders"] == sum(isinstance(r.get("tender"), dict) for r in releases)
    assert rows["lots"] == objects("tender", "lots")
    assert rows["awards"] == objects("awards")
    assert rows["contracts"] == objects("contracts")
    assert rows["items"] > 0
    assert rows["documents"] > 0

    # Typed columns, and keys that join the tables.
    types = dict(
        duckdb.sql(f"DESCRIBE SELECT * FROM '{target}/parquet/tenders.parquet'")
        .project("column_name, column_type")
        .fetchall()
    )
    assert types["value_amount"] == "DOUBLE"
    assert types["tender_period_end"] == "TIMESTAMP WITH TIME ZONE"
    assert types["submission_method"] == "VARCHAR[]"
    assert types["above_threshold"] == "BOOLEAN"
    joined = duckdb.sql(
        f"SELECT count(*) FROM '{target}/parquet/parties.parquet' p "
        f"JOIN '{target}/parquet/releases.parquet' r USING (ocid, release_id)"
    ).fetchall()
    assert joined == [(rows["parties"],)]
    seqs = duckdb.sql(f"SELECT seq FROM '{target}/parquet/releases.parquet' ORDER BY seq")
    assert [row[0] for row in seqs.fetchall()] == list(range(len(releases)))


def test_parquet_values_are_the_releases(generated, tmp_path):
    target = tmp_path / "downloads"
    export(generated, target)
    releases = stored_releases(generated)
    awarded = [
        (r["ocid"], r["id"], a["id"], a["value"]["amount"])
        for r in releases
        for a in r.get("awards", [])
        if "value" in a
    ]
    found = duckdb.sql(
        f"SELECT ocid, release_id, id, value_amount FROM '{target}/parquet/awards.parquet'"
        " WHERE value_amount IS NOT NULL"
    ).fetchall()
    assert sorted(found) == sorted(awarded)
    items = duckdb.sql(
        f"SELECT DISTINCT parent_type FROM '{target}/parquet/items.parquet' ORDER BY 1"
    ).fetchall()
    assert {row[0] for row in items} <= {"award", "contract", "tender"}


def _package_validator() -> jsonschema.Draft4Validator:
    """The release package schema the project carries, its reference to the release schema
    resolved locally to the release schema with the UK profile (what bare releases are)."""
    package = schema.release_package_schema()
    release = schema.release_schema(schema.UK_PROFILE)
    url = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"
    registry = Registry().with_resource(
        url, Resource.from_contents(release, default_specification=DRAFT4)
    )
    return jsonschema.Draft4Validator(
        package, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


def _ocdskit(*arguments: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        [OCDSKIT, *arguments], input=stdin, capture_output=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def test_ocdskit_reads_the_json_lines_unchanged(generated, tmp_path):
    target = tmp_path / "downloads"
    export(generated, target)
    plain = {}
    for name in DATA_FILES:
        plain[name] = tmp_path / name.removesuffix(".gz")
        plain[name].write_bytes(gzip.decompress((target / name).read_bytes()))
    detected = _ocdskit("detect-format", *map(str, plain.values()))
    assert f"{plain['releases.jsonl.gz']}: concatenated JSON, starting with release\n" in detected
    assert (
        f"{plain['compiled-releases.jsonl.gz']}: concatenated JSON, starting with compiled "
        "release\n" in detected
    )

    # ocdskit would fetch the extensions over the network: it is given the patched schema
    # openbook merges bare releases with (the UK profile).
    patched = tmp_path / "release-schema.json"
    patched.write_bytes(orjson.dumps(schema.release_schema(schema.UK_PROFILE)))
    releases = plain["releases.jsonl.gz"].read_bytes()
    theirs = [
        orjson.loads(line)
        for line in _ocdskit("compile", "--schema", str(patched), stdin=releases).splitlines()
    ]
    ours = lines(target / "compiled-releases.jsonl.gz")
    assert sorted(theirs, key=lambda c: c["ocid"]) == ours

    # A package needs its own uri and date (ocdskit leaves them empty unless told).
    package = orjson.loads(
        _ocdskit(
            "package-releases",
            "--uri",
            "https://openbook.example/downloads/releases.json",
            "--published-date",
            "2026-01-01T00:00:00Z",
            stdin=releases,
        )
    )
    assert len(package["releases"]) == len(releases.splitlines())
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _package_validator().iter_errors(package)
    ]
    assert errors == []


def test_jsonschema_validates_every_release(generated, tmp_path):
    target = tmp_path / "downloads"
    export(generated, target)
    validator = jsonschema.Draft4Validator(
        schema.release_schema(schema.UK_PROFILE),
        format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER,
    )
    releases = lines(target / "releases.jsonl.gz")
    assert releases
    for release in releases:
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(release)]
        assert errors == [], release["id"]


def test_the_flattened_tables_are_the_compiled_releases(generated, tmp_path):
    target = tmp_path / "downloads"
    manifest = export(generated, target)
    with zipfile.ZipFile(target / "compiled-releases-csv.zip") as archive:
        assert archive.testzip() is None
        names = set(archive.namelist())
        # As flatterer writes them: its datapackage.json names the tables by these paths.
        assert {"csv/compiled_releases.csv", "fields.csv", "datapackage.json"} <= names
        with archive.open("csv/compiled_releases.csv") as file:
            rows = list(csv.DictReader(io.TextIOWrapper(file, encoding="utf-8")))
    compiled = lines(target / "compiled-releases.jsonl.gz")
    assert [row["ocid"] for row in rows] == [c["ocid"] for c in compiled]
    assert manifest["counts"]["csvRows"]["compiled_releases"] == len(compiled)
    # Small enough for Excel: the workbook is there, a sheet per table.
    assert manifest["excel"] == {"available": True, "reason": None}
    with zipfile.ZipFile(target / "compiled-releases.xlsx") as workbook:
        sheets = [n for n in workbook.namelist() if n.startswith("xl/worksheets/sheet")]
    assert len(sheets) == len(manifest["counts"]["csvRows"])


def test_no_excel_when_a_cell_is_too_long(store, tmp_path):
    long = create_release("ocds-long-1", "1", tender={"id": "t", "description": "x" * 40_000})
    log.append(store, "ocds", [create_statement(long)], "Test")
    compile_pending(store)
    target = tmp_path / "downloads"
    manifest = export(store, target)
    assert manifest["excel"]["available"] is False
    assert "ocds-long-1" in manifest["excel"]["reason"]
    assert "32,767" in manifest["excel"]["reason"]
    assert not (target / "compiled-releases.xlsx").exists()
    assert "compiled-releases.xlsx" not in {entry["name"] for entry in manifest["files"]}
    assert (target / "compiled-releases-csv.zip").exists()


def test_the_excel_limits():
    def sizes(rows=1, columns=3, cells=3):
        return flat._Sizes({"t": rows}, {"t": columns}, cells)

    short = flat.LongestCell()
    assert flat._exceeds(sizes(rows=1_048_575), short) is None
    reason = flat._exceeds(sizes(rows=1_048_576), short)
    assert reason is not None and "table t has 1,048,576 rows" in reason and "1,048,575" in reason
    assert "16,384" in str(flat._exceeds(sizes(columns=16_385), short))
    assert flat._exceeds(sizes(cells=flat.EXCEL_MOST_CELLS), short) is None
    too_many = flat._exceeds(sizes(cells=flat.EXCEL_MOST_CELLS + 1), short)
    assert f"{flat.EXCEL_MOST_CELLS:,}" in str(too_many)
    joined = flat.LongestCell()
    # An array of text becomes one comma-separated cell.
    joined.observe("ocds-a", orjson.dumps({"ocid": "ocds-a", "tag": ["y" * 20_000] * 2}))
    assert joined.length == 40_001
    assert "40,001 characters" in str(flat._exceeds(sizes(), joined))


def _append_during_export(store: Store, ocids: list[str]):
    """A load in another connection after N is taken: a new release of a process already in
    the log, and a new process; both compiled, as a load does."""

    def append(size: int) -> None:
        def run() -> None:
            try:
                other = Store()
                releases = [
                    create_release(ocids[0], "added-during-export", date="2030-06-01T00:00:00Z"),
                    create_release("ocds-new-during-export", "1", date="2030-06-01T00:00:00Z"),
                ]
                log.append(other, "ocds", [create_statement(r) for r in releases], "Later")
                compile_pending(other)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        assert log.log_size(Store()) == size + 2 or store.vendor == "postgresql"

    return append


def test_a_load_during_the_export_changes_nothing_in_it(generated, tmp_path):
    before = export(generated, tmp_path / "before")
    ocids = sorted({r["ocid"] for r in stored_releases(generated)})
    during = export(
        generated, tmp_path / "during", on_log_size=_append_during_export(generated, ocids)
    )
    # The load happened, and was compiled into the store.
    assert log.log_size(generated) == before["log"]["size"] + 2
    assert records.get(generated, "ocds", "ocds-new-during-export") is not None
    # The snapshot is still the log of size N, byte for byte: the process that changed was
    # recompiled from its statements below N.
    assert during["log"] == before["log"]
    assert during["counts"]["recompiledForSnapshot"] >= 1
    same = {k: v for k, v in during["counts"].items() if k != "recompiledForSnapshot"}
    assert same == {k: v for k, v in before["counts"].items() if k != "recompiledForSnapshot"}
    assert data_digests(during) == data_digests(before)
    after = export(generated, tmp_path / "after")
    assert after["log"]["size"] == before["log"]["size"] + 2
    assert after["counts"]["compiledReleases"] == before["counts"]["compiledReleases"] + 1


def test_pending_processes_are_compiled_for_the_snapshot(store, tmp_path):
    releases = [
        create_release("ocds-p-1", "1"),
        create_release("ocds-p-1", "2", date="2026-02-01T00:00:00Z"),
    ]
    log.append(store, "ocds", [create_statement(r) for r in releases], "Test")
    # Not compiled: the process waits in the pending list, as after an interrupted load.
    manifest = export(store, tmp_path / "downloads")
    compiled = lines(tmp_path / "downloads" / "compiled-releases.jsonl.gz")
    assert [c["ocid"] for c in compiled] == ["ocds-p-1"]
    assert compiled[0]["date"] == "2026-02-01T00:00:00Z"
    assert manifest["counts"]["recompiledForSnapshot"] == 1


def test_workers_write_the_same_files(generated, tmp_path, monkeypatch):
    # Large logs have their Parquet tables and CSV made in worker processes: the same bytes.
    inline = export(generated, tmp_path / "inline")
    monkeypatch.setattr(snapshot, "TABLES_IN_A_WORKER_FROM", 0)
    monkeypatch.setattr(flat, "IN_A_WORKER_FROM_BYTES", 0)
    workers = export(generated, tmp_path / "workers")
    assert workers["counts"] == inline["counts"]
    assert data_digests(workers) == data_digests(inline)


def test_a_failing_worker_is_an_export_error(generated, tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "TABLES_IN_A_WORKER_FROM", 0)
    (tmp_path / "downloads").mkdir()
    # The worker cannot create its directory: a file stands in the way.
    monkeypatch.setattr(snapshot, "PARQUET", "parquet-blocked/x")
    original = snapshot._workspace

    def blocked(target):
        work = original(target)
        (work / "parquet-blocked").write_text("")
        return work

    monkeypatch.setattr(snapshot, "_workspace", blocked)
    with pytest.raises(ExportError, match="making the Parquet tables failed"):
        export(generated, tmp_path / "downloads")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_new_snapshot_replaces_the_previous_one_whole(generated, tmp_path):
    target = tmp_path / "downloads"
    first = export(generated, target)

    def check_previous_intact(size: int) -> None:
        # Mid-export: the previous snapshot is whole and verifies; the new one is elsewhere.
        assert orjson.loads((target / MANIFEST).read_bytes()) == first
        done = sha256sum(target, "-c", CHECKSUMS)
        assert done.returncode == 0

    log.append(generated, "ocds", [create_statement(create_release("ocds-x-1", "1"))], "Test")
    second = export(generated, target, on_log_size=check_previous_intact)
    assert second["log"]["size"] == first["log"]["size"] + 1
    assert orjson.loads((target / MANIFEST).read_bytes()) == second
    # Nothing left beside it.
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_failed_export_leaves_the_previous_snapshot(generated, tmp_path):
    target = tmp_path / "downloads"
    first = export(generated, target)

    def fail(size: int) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(ExportError, match=r"No space left on device.*unchanged"):
        export(generated, target, on_log_size=fail)
    assert orjson.loads((target / MANIFEST).read_bytes()) == first
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_swap_is_an_exchange(tmp_path):
    old, new = tmp_path / "downloads", tmp_path / ".downloads.partial"
    old.mkdir()
    new.mkdir()
    (old / "a").write_text("old")
    (new / "a").write_text("new")
    reading = (old / "a").open()
    assert swap._exchange(new, old)  # this machine's kernel and file system can
    assert (old / "a").read_text() == "new"
    assert (new / "a").read_text() == "old"
    assert reading.read() == "old"  # a reader of the previous snapshot keeps reading it
    reading.close()
    swap.replace_directory(new, old)  # and back, removing the other
    assert (old / "a").read_text() == "old"
    assert not new.exists()


def test_refuses_a_directory_of_other_files(store, tmp_path):
    target = tmp_path / "mine"
    target.mkdir()
    (target / "thesis.docx").write_text("years of work")
    with pytest.raises(ExportError, match="not an openbook snapshot"):
        export(store, target)
    assert (target / "thesis.docx").read_text() == "years of work"
    empty = tmp_path / "empty"
    empty.mkdir()
    export(store, empty)
    assert (empty / MANIFEST).exists()


def test_an_unwritable_target_is_a_clear_error(store, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ExportError, match="cannot write beside"):
        export(store, blocker / "downloads")
    with pytest.raises(ExportError, match="is not a directory"):
        export(store, blocker)
    assert cli.main(["export", "--no-progress", "--to", str(blocker / "downloads")]) == 1
    assert "openbook export: cannot write beside" in capsys.readouterr().err


def test_a_read_only_parent_is_a_clear_error(store):
    # /proc refuses new files even to root (CI runs as root, where permission bits bind nothing).
    with pytest.raises(ExportError, match="cannot write beside"):
        export(store, Path("/proc/openbook-downloads"))


def test_the_command(generated, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(tmp_path / "configured"))
    assert cli.main(["export", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "written to" in out and str(tmp_path / "configured") in out
    assert (tmp_path / "configured" / MANIFEST).exists()
    assert cli.main(["export", "--no-progress", "--json", "--to", str(tmp_path / "given")]) == 0
    printed = orjson.loads(capsys.readouterr().out)
    assert printed == orjson.loads((tmp_path / "given" / MANIFEST).read_bytes())
