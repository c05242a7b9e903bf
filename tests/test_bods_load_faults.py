"""``openbook bods load`` when something other than a statement goes wrong: a file that cannot be
read part way (or at all), a first line broken or blank, a worker process killed outright. Each
is said precisely (which file, where, why), what was read is stored, and nothing stored is lost
or altered; on both databases, by the loading process alone and with worker processes."""

import errno
import gzip
import json
import os
import signal
from concurrent.futures.process import BrokenProcessPool

import pytest

from openbook import bods, cli
from openbook.load import bods as reading
from openbook.pool import Pool
from openbook.store import log
from tests.conftest import SHARED_DATA, fresh_database
from tests.test_bods_compile_as_appended import statement
from tests.test_bods_workers import state

IN_WORKERS = {"parallel_from_bytes": 0, "workers": 2}
WAYS = [{}, IN_WORKERS]


def write_lines(path, items) -> list[str]:
    lines = [item if isinstance(item, str) else json.dumps(item) for item in items]
    path.write_text("".join(line + "\n" for line in lines))
    return lines


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_file_that_fails_part_way_is_said_so_where_and_the_rest_of_the_run_loads(
    vendor, request, tmp_path, monkeypatch
):
    """An I/O error after some blocks (a failing disk, a network file system gone): the old
    message said only that the file could not be read to its end."""
    monkeypatch.setattr(reading, "BLOCK_BYTES", 1000)
    faulty, after = tmp_path / "faulty.jsonl", tmp_path / "after.jsonl"
    write_lines(faulty, [statement(f"e{n}", 1) for n in range(40)])
    write_lines(after, [statement(f"a{n}", 1) for n in range(3)])
    blocks = reading._blocks

    def failing(path):
        for number, (first, block) in enumerate(blocks(path)):
            if path == faulty and number == 2:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            yield first, block

    monkeypatch.setattr(reading, "_blocks", failing)
    read = [first for first, _ in blocks(faulty)]
    offset = sum(len(block) for _, block in list(blocks(faulty))[:2])
    with fresh_database(vendor, request) as database:
        report = bods.load(database.store, [faulty, after], **IN_WORKERS)
        assert report.unusable == [
            f"{faulty}: line {read[2]} (byte {offset:,}): the file cannot be read from here on: "
            "Input/output error (within the next 1,000 bytes); the lines before it are read"
        ]
        assert report.loaded == read[2] - 1 + 3  # the lines of the two blocks read, and after's
        assert bods.record(database.store, f"e{read[2] - 2}") is not None
        assert bods.record(database.store, f"e{read[2] - 1}") is None
        assert bods.record(database.store, "a2") is not None


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
@pytest.mark.parametrize("options", WAYS)
def test_a_file_gone_or_a_directory_is_said_so_and_the_rest_of_the_run_loads(
    vendor, options, request, tmp_path
):
    """A path that is not a readable file when its turn comes (gone since the command named it,
    or a directory) once ended the load with a stack trace."""
    before, after = tmp_path / "before.jsonl", tmp_path / "after.jsonl"
    write_lines(before, [statement("b1", 1)])
    write_lines(after, [statement("a1", 1)])
    gone, directory = tmp_path / "gone.jsonl", tmp_path / "directory"
    directory.mkdir()
    with fresh_database(vendor, request) as database:
        report = bods.load(database.store, [before, gone, directory, after], **options)
        assert report.unusable == [
            f"{gone}: the file: cannot be read: No such file or directory",
            f"{directory}: the file: cannot be read: Is a directory",
        ]
        assert report.files == 4 and report.loaded == 2


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_gzip_cut_short_or_damaged_is_said_so_where_and_the_rest_of_the_run_loads(
    vendor, request, tmp_path
):
    """gzip read by the loading process: data cut short, or a damaged deflate block (which
    raised zlib.error, out of the load, with a stack trace)."""
    lines = "".join(json.dumps(statement(f"e{n}", 1)) + "\n" for n in range(3000)).encode()
    packed = gzip.compress(lines)
    cut, damaged = tmp_path / "cut.jsonl.gz", tmp_path / "damaged.jsonl.gz"
    cut.write_bytes(packed[: len(packed) // 2])
    # A second gzip member whose first deflate block is of a type that does not exist.
    damaged.write_bytes(packed + gzip.compress(b"")[:10] + b"\xff" * 20)
    after = tmp_path / "after.jsonl"
    write_lines(after, [statement("a1", 1)])
    with fresh_database(vendor, request) as database:
        report = bods.load(database.store, [cut, damaged, after])
        [cut_short, broken] = report.unusable
        line = int(cut_short.removeprefix(f"{cut}: line ").split(":", 1)[0])
        assert 1 < line < 3000
        assert cut_short == (
            f"{cut}: line {line}: the file cannot be read from here on: Compressed file ended "
            "before the end-of-stream marker was reached; the lines before it are read"
        )
        # The lines of the whole first member but those in the buffer it failed to fill.
        whole = int(broken.removeprefix(f"{damaged}: line ").split(":", 1)[0])
        assert line < whole <= 3001
        assert broken == (
            f"{damaged}: line {whole}: the file cannot be read from here on: Error -3 while "
            "decompressing data: invalid block type; the lines before it are read"
        )
        # cut's lines; damaged's, of which cut's again; after's
        assert report.duplicates == line - 1 and report.loaded == (line - 1) + (whole - line) + 1
        assert bods.record(database.store, f"e{whole - 2}") is not None
        assert bods.record(database.store, "a1") is not None


def first_lines(tmp_path) -> dict:
    """Files of JSON Lines whose first line is broken, blank, or only a byte order mark and
    white space, with the line each statement is on."""
    statements = [statement(f"e{n}", 1) for n in range(5)]
    found = {}
    for name, first in (("broken", '{"statementId": "cut'), ("blank", ""), ("spaces", " \t")):
        path = tmp_path / f"{name}.jsonl"
        write_lines(path, [first, *statements, '{"cut short'])
        found[path] = first
    return found


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
@pytest.mark.parametrize("options", WAYS)
def test_a_first_line_broken_or_blank_costs_that_line_only(vendor, options, request, tmp_path):
    """A broken or blank first line once made the whole file be read as one document, which
    failed: not one of its statements was loaded (and the file was read whole, twice)."""
    files = first_lines(tmp_path)
    for path in files:
        with fresh_database(vendor, request) as database:
            report = bods.load(database.store, [path], **options)
            assert report.loaded == 5 and report.records == 5
            # orjson's messages about the lines with their newlines, as ever
            cut = "unexpected control character in string: line 1 column 21 (char 20)"
            broken = [f"{path}: line 1: is not JSON: {cut}"] if path.stem == "broken" else []
            assert report.unusable == [
                *broken,
                f"{path}: line 7: is not JSON: unexpected control character in string: line 1 "
                "column 12 (char 11)",
            ]
            assert len(bods.statements(database.store, None, 10)) == 5


def test_a_first_line_broken_is_read_as_a_line(tmp_path):
    """What ``read`` and the workers' blocks make of such a file: its lines, one at a time; and
    a statement written over several lines is still one document."""
    for path in first_lines(tmp_path):
        found = [(type(item).__name__, item.where) for item in reading.read(path)]
        first = [("Unreadable", "line 1")] if path.stem == "broken" else []
        reads = [("Read", f"line {number}") for number in range(2, 7)]
        assert found == [*first, *reads, ("Unreadable", "line 7")]
        assert [first for first, _ in reading.json_lines_blocks(path) or ()] == [1]
    document = tmp_path / "document.json"
    document.write_text(json.dumps(statement("e1", 1), indent=2))
    assert [item.where for item in reading.read(document)] == ["statement 0"]
    compact = tmp_path / "compact.json"  # broken after its first line, not pretty
    compact.write_text(json.dumps(statement("e1", 1)).replace(', "recordId"', ',\n"recordId"'))
    assert [item.where for item in reading.read(compact)] == ["statement 0"]
    assert reading.json_lines_blocks(compact) is None


def test_bods_02_is_told_by_the_first_statement_past_broken_lines(store, tmp_path):
    """A 0.2 file whose first line is broken is still upgraded (``_records_02`` looked at
    what came first only, and took a broken line for 0.4)."""
    sample = SHARED_DATA / "bods-register-samples" / "json" / "test-bods-data-1.json"
    path = tmp_path / "old.jsonl"
    write_lines(path, ["{broken", *sample.read_text().splitlines()])
    report = bods.load(store, [path])
    assert report.upgraded == report.loaded == 10 and report.invalid == 0
    assert report.unusable == [
        f"{path}: line 1: is not JSON: unexpected character, expected a string key: line 1 "
        "column 2 (char 1)"
    ]


MARKER = "KILL-THE-WORKER"


_prepare_block = bods._prepare_block


def killing_prepare_block(path: str, first: int, block: bytes) -> list:
    """``_prepare_block``, but a worker handed the marker is killed outright (SIGKILL: as the
    out-of-memory killer does). Module-level: a worker is handed it pickled, by name."""
    if MARKER.encode() in block:
        os.kill(os.getpid(), signal.SIGKILL)
    return _prepare_block(path, first, block)


def prepared_by_killable_workers(monkeypatch) -> None:
    monkeypatch.setattr(reading, "BLOCK_BYTES", 1000)
    monkeypatch.setattr(bods, "BATCH", 7)
    monkeypatch.setattr(bods, "_prepare_block", killing_prepare_block)


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_worker_killed_outright_stops_the_load_with_what_it_stored_said(
    vendor, request, tmp_path, monkeypatch
):
    """A worker killed (by the out-of-memory killer, say) once ended the load with a
    BrokenProcessPool stack trace. Now the load stores what was read before the block the
    pool lost, compiles its records, and stops saying where, and that running it again is
    safe; which then stores the rest, exactly as one load of the files would have."""
    prepared_by_killable_workers(monkeypatch)
    earlier, killed, after = (tmp_path / f"{name}.jsonl" for name in ("earlier", "killed", "after"))
    write_lines(earlier, [statement(f"old{n}", 1) for n in range(10)])
    items = [statement(f"e{n}", 1) for n in range(60)]
    items[45] = statement("e45", 1, name=MARKER)
    write_lines(killed, items)
    write_lines(after, [statement(f"a{n}", 1) for n in range(3)])
    with fresh_database(vendor, request) as database:
        store = database.store
        bods.load(store, [earlier])
        before = state(store)
        with pytest.raises(bods.LoadStopped) as stopped:
            bods.load(store, [killed, after], **IN_WORKERS)
        report = stopped.value.report
        message = str(stopped.value)
        line = int(message.removeprefix(f"{killed}: line ").split(":", 1)[0])
        # The first block not prepared: the marker's, or one before it the broken pool lost.
        assert 1 <= line <= 46
        assert message == (
            f"{killed}: line {line}: a worker process preparing the lines from here on ended "
            "abruptly (killed: by the system when memory runs out, or by a signal), so the "
            "load stopped here; the 1 file(s) after it were not read. The statements read "
            f"before this line are stored ({line - 1:,} statement(s) stored, {line - 1:,} "
            "record(s) compiled); nothing stored before was changed. Loading is idempotent: "
            "run the same load again (with more memory, or with fewer files at once) to store "
            "the rest, nothing twice"
        )
        assert report.loaded == report.records == line - 1 and report.unusable == []
        assert log.log_size(store) == 10 + line - 1
        stored = state(store)
        # What was stored before is unaltered: the old rows are all there, as they were.
        for table, rows in zip(before, stored, strict=True):
            assert set(table) <= set(rows)
        assert line == 1 or bods.record(store, f"e{line - 2}") is not None
        assert bods.record(store, f"e{line - 1}") is None
        assert bods.record(store, "a0") is None

        # Run again, with nothing to kill the worker: the rest is stored, nothing twice, and
        # the store is as if the files had been loaded once, without a fault.
        write_lines(killed, [statement(f"e{n}", 1) for n in range(60)])
        again = bods.load(store, [killed, after], **IN_WORKERS)
        assert again.duplicates == line - 1 and again.loaded == 60 - (line - 1) + 3
        resumed = state(store)
    with fresh_database(vendor, request) as database:
        bods.load(database.store, [earlier])
        bods.load(database.store, [killed, after], **IN_WORKERS)
        assert state(database.store) == resumed


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_command_says_a_worker_was_killed_without_a_stack_trace(
    vendor, request, tmp_path, monkeypatch, capsys
):
    prepared_by_killable_workers(monkeypatch)
    for name, value in IN_WORKERS.items():
        monkeypatch.setitem(bods.load.__kwdefaults__, name, value)
    path = tmp_path / "killed.jsonl"
    write_lines(path, [statement("e0", 1), statement("e1", 1, name=MARKER)])
    with fresh_database(vendor, request):
        code = cli.main(["bods", "load", str(path)])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(
        f"openbook bods load: {path}: line 1: a worker process preparing the lines from here "
        "on ended abruptly"
    )
    assert "Loading is idempotent: run the same load again" in captured.err
    assert captured.out.startswith("1 file(s), 0 statements read: 0 loaded")


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_worker_killed_before_the_next_lines_are_handed_on(
    vendor, request, tmp_path, monkeypatch
):
    """Lines handed on after the pool broke (submitting to it raised BrokenProcessPool, out of
    the load) stop it as well, where the first block not prepared begins."""
    prepared_by_killable_workers(monkeypatch)
    executors: list = []
    executor = Pool.executor

    def keep(pool):
        executors.append(executor(pool))
        return executors[-1]

    monkeypatch.setattr(Pool, "executor", keep)
    blocks = reading._blocks

    def after_the_kill(path):
        for first, block in blocks(path):
            yield first, block
            while MARKER.encode() in block:  # handed on: wait for the pool to break
                try:
                    executors[0].submit(int).result()
                except BrokenProcessPool:
                    break

    monkeypatch.setattr(reading, "_blocks", after_the_kill)
    path = tmp_path / "killed.jsonl"
    items = [statement(f"e{n}", 1) for n in range(60)]
    items[10] = statement("e10", 1, name=MARKER)
    write_lines(path, items)
    marked = next(first for first, block in blocks(path) if MARKER.encode() in block)
    with fresh_database(vendor, request) as database:
        with pytest.raises(bods.LoadStopped) as stopped:
            bods.load(database.store, [path], **IN_WORKERS)
        line = int(str(stopped.value).removeprefix(f"{path}: line ").split(":", 1)[0])
        assert 1 <= line <= marked  # the marker's block, or one before it the pool lost
        assert stopped.value.report.loaded == line - 1
        assert log.log_size(database.store) == line - 1
