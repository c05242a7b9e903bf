"""``openbook load`` when a worker process is killed outright (by the out-of-memory killer,
say): once a BrokenProcessPool stack trace. Now the load stores what was read before the work
the broken pool lost, and stops saying where, what it stored, and that loading again is safe;
which then stores the rest, exactly as one load would have. On both databases."""

import os
import signal

import orjson
import pytest

from openbook import cli, records
from openbook.load import loader
from openbook.store import log
from openbook.store import records as stored_records
from tests.conftest import fresh_database
from tests.factories import create_release
from tests.load.test_loader import snapshot, write_jsonl

MARKER = "KILL-THE-WORKER"
IN_WORKERS = {"workers": 2, "parallel_from_bytes": 0}

_review_chunk, _read_files, _compile_batch = (
    loader.review_chunk,
    loader.read_files,
    records._compile_batch,
)


# What the workers run, but a worker handed the marker is killed outright (SIGKILL: as the
# out-of-memory killer does). Module-level: a worker is handed them pickled, by name.


def killing_review_chunk(chunk):
    if any(MARKER.encode() in data for data, _ in chunk):
        os.kill(os.getpid(), signal.SIGKILL)
    return _review_chunk(chunk)


def killing_read_files(paths):
    if any(MARKER.encode() in path.read_bytes() for path in paths):
        os.kill(os.getpid(), signal.SIGKILL)
    return _read_files(paths)


def killing_compile_batch(work):
    if any(key == MARKER for key, *_ in work):
        os.kill(os.getpid(), signal.SIGKILL)
    return _compile_batch(work)


def releases(count: int, marked: int | None = None, prefix: str = "ocds") -> list[dict]:
    """Releases of processes of two, the one ``marked`` with the marker."""
    return [
        create_release(f"{prefix}-{n // 2}", str(n), title=MARKER if n == marked else f"T {n}")
        for n in range(count)
    ]


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_worker_killed_while_reviewing_stops_the_load_with_what_it_stored_said(
    vendor, request, tmp_path, monkeypatch
):
    monkeypatch.setattr(loader, "WORKER_FILE_BYTES", 0)  # lines handed on in chunks
    monkeypatch.setattr(loader, "CHUNK", 10)
    monkeypatch.setattr(loader, "review_chunk", killing_review_chunk)
    earlier = write_jsonl(tmp_path / "earlier.jsonl", [create_release("ocds-old", "1")])
    killed = write_jsonl(tmp_path / "killed.jsonl", releases(200, marked=150))
    after = write_jsonl(tmp_path / "after.jsonl", [create_release("ocds-after", "1")])
    with fresh_database(vendor, request) as database:
        store = database.store
        loader.load(store, [earlier])
        before = snapshot(store)
        with pytest.raises(loader.LoadStopped) as stopped:
            loader.load(store, [killed, after], **IN_WORKERS)
        report = stopped.value.report
        message = str(stopped.value)
        line = int(message.removeprefix(f"{killed}: line ").split(":", 1)[0])
        # The first chunk not reviewed: the marker's (line 151), or one before it the broken
        # pool lost.
        assert 1 <= line <= 151 and (line - 1) % 10 == 0
        processes = (line - 1 + 1) // 2
        assert message == (
            f"{killed}: line {line}: a worker process reviewing the releases from here on ended "
            "abruptly (killed: by the system when memory runs out, or by a signal), so the load "
            f"stopped here. The releases read before it are stored ({line - 1:,} release(s) "
            f"stored in the log, {processes:,} process(es) compiled); nothing stored before "
            "was changed. Loading is idempotent: run the same load again (with more memory, or "
            "with fewer files at once) to store the rest, nothing twice"
        )
        assert report.total("loaded") == line - 1 and report.compiled == processes
        assert log.log_size(store) == 1 + line - 1
        assert stored_records.pending_count(store, "ocds") == 0
        stored = snapshot(store)
        assert stored["entries"][:1] == before["entries"]
        assert stored["records"]["ocds-old"] == before["records"]["ocds-old"]
        assert "ocds-after" not in stored["records"]

        # Run again, with nothing to kill the worker: the rest is stored, nothing twice, and
        # the store is as if the files had been loaded once, without a fault.
        write_jsonl(killed, releases(200))
        again = loader.load(store, [killed, after], **IN_WORKERS)
        assert again.total("duplicates") == line - 1
        assert again.total("loaded") == 200 - (line - 1) + 1
        resumed = snapshot(store)
    with fresh_database(vendor, request) as database:
        loader.load(database.store, [earlier])
        loader.load(database.store, [killed, after], **IN_WORKERS)
        assert snapshot(database.store) == resumed


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_worker_killed_while_reading_a_group_of_files_names_the_first(
    vendor, request, tmp_path, monkeypatch
):
    monkeypatch.setattr(loader, "GROUP_BYTES", 1)  # a group for each file
    monkeypatch.setattr(loader, "read_files", killing_read_files)
    paths = [
        write_jsonl(tmp_path / f"{n}.jsonl", releases(4, 1 if n == 2 else None, f"ocds-{n}"))
        for n in range(4)
    ]
    with fresh_database(vendor, request) as database:
        with pytest.raises(loader.LoadStopped) as stopped:
            loader.load(database.store, paths, **IN_WORKERS)
        message = str(stopped.value)
        number = int(message.split(".jsonl: a worker process reviewing", 1)[0][-1])
        assert message.startswith(f"{paths[number]}: a worker process reviewing the releases")
        assert number <= 2  # the marker's file, or one before it the broken pool lost
        assert stopped.value.report.total("loaded") == 4 * number
        assert log.log_size(database.store) == 4 * number


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_a_worker_killed_while_compiling_leaves_the_rest_listed_to_compile(
    vendor, request, tmp_path, monkeypatch
):
    monkeypatch.setattr(records, "_compile_batch", killing_compile_batch)
    items = [create_release(f"ocds-{n}", "1") for n in range(60)]
    items[40] = create_release(MARKER, "1")
    path = write_jsonl(tmp_path / "compiled.jsonl", items)
    with fresh_database(vendor, request) as database:
        store = database.store
        with pytest.raises(loader.LoadStopped) as stopped:
            loader.load(store, [path], **IN_WORKERS, parallel_from_records=0)
        report = stopped.value.report
        left = stored_records.pending_count(store, "ocds")
        assert left >= 1 and report.compiled == 60 - left
        assert str(stopped.value) == (
            "a worker process compiling ended abruptly (killed: by the system when memory runs "
            "out, or by a signal), so the load stopped there. Every release read is stored (60 "
            f"release(s) stored in the log, {60 - left:,} process(es) compiled; {left:,} left "
            "listed to compile); nothing stored before was changed. Loading is idempotent: run "
            "the same load again (with more memory, or with fewer files at once) to compile "
            "the rest; nothing is stored twice"
        )
        assert log.log_size(store) == 60
        monkeypatch.setattr(records, "_compile_batch", _compile_batch)
        again = loader.load(store, [path], **IN_WORKERS, parallel_from_records=0)
        assert again.total("duplicates") == 60 and again.compiled == left
        resumed = snapshot(store)
    with fresh_database(vendor, request) as database:
        loader.load(database.store, [path], **IN_WORKERS)
        assert snapshot(database.store) == resumed


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_command_says_a_worker_was_killed_without_a_stack_trace(
    vendor, request, tmp_path, monkeypatch, capsys
):
    monkeypatch.setattr(loader, "WORKER_FILE_BYTES", 0)
    monkeypatch.setattr(loader, "review_chunk", killing_review_chunk)
    for name, value in IN_WORKERS.items():
        monkeypatch.setitem(loader.load.__kwdefaults__, name, value)
    path = write_jsonl(tmp_path / "killed.jsonl", releases(3, marked=2))
    with fresh_database(vendor, request):
        code = cli.main(["load", "--no-progress", "--json", str(path)])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert captured.err.startswith(
        f"openbook load: {path}: line 1: a worker process reviewing the releases from here on "
        "ended abruptly"
    )
    assert "Loading is idempotent: run the same load again" in captured.err
    assert orjson.loads(captured.out)["totals"]["loaded"] == 0
