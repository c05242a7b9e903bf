"""The openbook command on SQLite and PostgreSQL.

Most tests call the command's entry function (``openbook.cli.main``, what the console script
runs) in this process, argument list in, output and exit code out: a new Python process with
Django set up again costs more than most commands. What only a process of its own shows is run
as a user runs it (``run_openbook``): the console script itself, its environment variables, exit
codes, a load killed outright, the progress bar on a terminal, the server.
"""

import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from openbook.cli import main
from openbook.generate import generate_releases, write_jsonl
from tests.conftest import SHARED_DATA, fresh_database, use_database
from tests.load.test_loader import snapshot


@dataclass
class Ran:
    """What a command left: its exit code and the bytes it wrote (as subprocess.run gives)."""

    returncode: int
    stdout: bytes
    stderr: bytes


def openbook(database, *arguments, check=True, env_extra=None) -> Ran:
    """The command, in this process, on this database (``env_extra``: variables set for it)."""
    out, err = io.BytesIO(), io.BytesIO()
    # The commands write both text (print) and bytes (sys.stdout.buffer); write_through keeps
    # the two in the order they were written.
    stdout = io.TextIOWrapper(out, encoding="utf-8", write_through=True)
    stderr = io.TextIOWrapper(err, encoding="utf-8", write_through=True)
    variables = {"OPENBOOK_DATABASE_URL": database.url, **(env_extra or {})}
    with _environment(variables), redirect_stdout(stdout), redirect_stderr(stderr):
        use_database(database.url)
        try:
            code = main([str(argument) for argument in arguments])
        except SystemExit as exit:  # argparse: --help, and arguments it refuses
            code = exit.code if isinstance(exit.code, int) else int(exit.code is not None)
    result = Ran(code, out.getvalue(), err.getvalue())
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr.decode()[-2000:]}")
    return result


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    before = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                del os.environ[name]
            else:
                os.environ[name] = value


def run_openbook(
    database, *arguments, check=True, env_extra=None, **options
) -> subprocess.CompletedProcess:
    """The command as a user runs it: a process of its own, told its database by
    OPENBOOK_DATABASE_URL."""
    env = {**os.environ, "OPENBOOK_DATABASE_URL": database.url, **(env_extra or {})}
    result = subprocess.run(
        [sys.executable, "-m", "openbook", *map(str, arguments)],
        env=env,
        capture_output=True,
        timeout=600,
        check=False,
        **options,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}: {result.stderr.decode()[-2000:]}")
    return result


def generated(path: Path, processes: int, seed: int) -> Path:
    """What ``openbook generate --processes N --seed S --output path`` writes (that command is
    tested in test_load_then_record_then_stats)."""
    with path.open("wb") as out:
        write_jsonl(generate_releases(processes, seed), out)
    return path


def test_help_for_every_command(database):
    for command in ["load", "record", "stats", "serve", "generate", "migrate", "demo"]:
        assert (
            b"usage: openbook " + command.encode() in openbook(database, command, "--help").stdout
        )


def test_the_console_script_answers_help_and_refuses_an_unknown_command(database):
    """The console script itself, in a process of its own: --help, and an exit code of 2 with
    argparse's message for a command it does not know."""
    assert b"usage: openbook" in run_openbook(database, "--help").stdout
    unknown = run_openbook(database, "nonsense", check=False)
    assert unknown.returncode == 2 and b"invalid choice" in unknown.stderr


def test_load_then_record_then_stats(database, tmp_path):
    path = tmp_path / "g.jsonl"
    openbook(database, "generate", "--processes", "30", "--seed", "7", "--output", path)
    assert path.read_bytes() == generated(tmp_path / "same.jsonl", 30, 7).read_bytes()
    result = openbook(database, "load", path, "--publisher", "Test Council")
    text = result.stdout.decode()
    lines = path.read_bytes().splitlines()
    ocids = {orjson.loads(line)["ocid"] for line in lines}
    assert "Nothing was rejected." in text
    assert f"processes compiled: {len(ocids)}" in text and f"loaded: {len(lines)}" in text
    ocid = orjson.loads(lines[0])["ocid"]
    package = orjson.loads(openbook(database, "record", ocid).stdout)
    assert package["records"][0]["ocid"] == ocid
    assert package["publisher"] == {"name": "openbook"}
    # The publisher's name from the environment, read by the command in a process of its own.
    named = run_openbook(
        database, "record", ocid, env_extra={"OPENBOOK_PUBLISHER_NAME": "Cabinet Office"}
    )
    assert orjson.loads(named.stdout)["publisher"] == {"name": "Cabinet Office"}
    assert {"releases", "compiledRelease", "versionedRelease"} <= package["records"][0].keys()
    stats = orjson.loads(openbook(database, "stats", "--json").stdout)
    assert stats["publishers"][0]["publisher"] == "Test Council"
    assert stats["registers"][0]["records"] == len(ocids)
    missing = openbook(database, "record", "ocds-nothing", check=False)
    assert missing.returncode == 1 and b"no release with ocid" in missing.stderr


def test_load_exits_non_zero_and_explains_when_something_is_rejected(database, tmp_path):
    """As a user runs it: the exit code and the messages are the process's own."""
    path = tmp_path / "bad.json"
    path.write_bytes(
        b'{"releases": [{"ocid": "ocds-x", "id": "1", "date": "2026-01-01T00:00:00Z"}, '
    )
    result = run_openbook(database, "load", path, tmp_path / "absent.json", check=False)
    assert result.returncode == 1
    assert b"no such file" in result.stderr
    assert b"bad.json" in result.stdout and b"invalid-json" in result.stdout
    assert b"Traceback" not in result.stdout + result.stderr


def test_load_every_real_sample_without_a_crash(database):
    paths = sorted(
        path
        for folder in SHARED_DATA.glob("ocds-*")
        for path in folder.rglob("*")
        if path.is_file() and path.suffix in {".json", ".jsonl", ".gz"}
    )
    assert len(paths) > 100
    result = openbook(database, "load", "--json", "--no-progress", *paths, check=False)
    assert result.returncode in (0, 1), result.stderr.decode()[-3000:]
    assert b"Traceback" not in result.stderr
    report = orjson.loads(result.stdout)
    assert report["totals"]["loaded"] > 1000
    assert len(report["files"]) == len(paths)


@pytest.fixture(scope="module")
def to_interrupt(tmp_path_factory) -> Path:
    """The file the interrupted loads load (the same for every delay and both databases)."""
    return generated(tmp_path_factory.mktemp("interrupted") / "g.jsonl", 1500, 11)


@pytest.fixture(scope="module")
def uninterrupted(request, to_interrupt):
    """The state of ``to_interrupt`` loaded, uninterrupted, into a fresh database of a kind:
    made once a kind, for the three delays."""
    states: dict[str, dict] = {}

    def state(vendor: str) -> dict:
        if vendor not in states:
            with fresh_database(vendor, request) as fresh:
                openbook(fresh, "load", to_interrupt)
                use_database(fresh.url)
                states[vendor] = snapshot(fresh.store)
        return states[vendor]

    return state


@pytest.mark.parametrize("delay", [0.9, 1.6, 2.4])
def test_an_interrupted_load_finishes_with_the_same_state_when_run_again(
    database, to_interrupt, uninterrupted, delay
):
    """Killed (SIGKILL, no clean-up) at some point, then run again: the stored state is exactly
    that of an uninterrupted load into a fresh database, log times aside."""
    path = to_interrupt
    env = {**os.environ, "OPENBOOK_DATABASE_URL": database.url}
    process = subprocess.Popen(
        [sys.executable, "-m", "openbook", "load", "--no-progress", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    openbook(database, "load", path)
    use_database(database.url)
    interrupted = snapshot(database.store)
    assert uninterrupted(database.vendor) == interrupted
    ocids = {orjson.loads(line)["ocid"] for line in path.read_bytes().splitlines()}
    assert interrupted["pending"] == 0 and len(interrupted["records"]) == len(ocids)


def test_a_killed_load_leaves_no_worker_behind(database, tmp_path):
    """The load's worker processes end with it, even when it is killed outright: none is left
    waiting for work, holding its database connection open."""
    path = generated(tmp_path / "g.jsonl", 3000, 2)
    script = (
        "import sys; from pathlib import Path; from openbook.cli import _store; "
        "from openbook.load.loader import load; "
        "load(_store(), [Path(sys.argv[1])], workers=2, parallel_from_bytes=0)"
    )
    env = {**os.environ, "OPENBOOK_DATABASE_URL": database.url}
    process = subprocess.Popen([sys.executable, "-c", script, str(path)], env=env)
    workers: list[int] = []
    for _ in range(200):  # the workers start as reading starts
        time.sleep(0.05)
        workers = _children(process.pid)
        if len(workers) >= 2:
            break
    assert len(workers) >= 2, "the load did not start its workers"
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in workers if _running(pid)]
    assert alive == [], f"workers {alive} outlived the load"


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended


def test_sqlite_and_postgresql_give_identical_results(request, tmp_path):
    path = tmp_path / "g.jsonl"
    samples = SHARED_DATA / "ocds-real-publisher-samples" / "uk-contracts-finder" / "sample"
    paths = [path, *sorted(samples.rglob("*.json"))]
    states, packages = [], []
    for vendor in ("sqlite", "postgresql"):
        with fresh_database(vendor, request) as database:
            if vendor == "sqlite":
                openbook(database, "generate", "--processes", "50", "--seed", "5", "--output", path)
            # Contracts Finder's republished releases are conflicts: exit code 1 on both.
            assert openbook(database, "load", *paths, check=False).returncode == 1
            use_database(database.url)
            states.append(snapshot(database.store))
            ocid = states[-1]["entries"][0][2]
            package = orjson.loads(openbook(database, "record", ocid).stdout)
            package.pop("publishedDate")
            packages.append(package)
    assert states[0] == states[1]
    assert packages[0] == packages[1]


def test_serve_runs_a_production_server(database):
    import socket
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OPENBOOK_DATABASE_URL": database.url}
    server = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=2
                ) as response:
                    assert orjson.loads(response.read()) == {"status": "alive"}
                    assert "gunicorn" in response.headers.get("Server", "")
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                assert server.poll() is None, "the server exited"
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_demo_loads_realistic_data_once(database, tmp_path, monkeypatch):
    # The demo's key, snapshot and files in this test's own directories
    for name in ("DATA", "DOWNLOADS", "SIGNING_KEY"):
        monkeypatch.setenv(f"OPENBOOK_{name}_DIR", str(tmp_path / name.lower()))
    started = datetime.now(UTC)
    first = openbook(database, "demo", "--no-serve", "--processes", "40").stdout.decode()
    assert "generating 40 UK-style processes" in first and "Nothing was rejected." in first
    assert "computed the metrics" in first
    stats = orjson.loads(openbook(database, "stats", "--json").stdout)
    assert stats["registers"][0]["records"] >= 40
    assert stats["publishers"][0]["publisher"] == "openbook demonstration data"
    plans = {each["register"]: each["records"] for each in stats["registers"]}["plans"]
    assert plans == 29  # NAP5: the plan, its 6 commitments and 22 milestones
    linked = int(re.search(r"loaded generated spending files, ([\d,]+) payments linked", first)
                 .group(1).replace(",", ""))  # fmt: skip
    payments = {each["register"]: each["records"] for each in stats["registers"]}["spend"]
    assert 0 < linked < payments  # some payments pay no published contract, by design
    _demo_shows_every_part(database, first, started, tmp_path)
    # A downloads directory holding others' files is said, and left as it was
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("mine")
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(elsewhere))
    ran = openbook(database, "demo", "--no-serve")
    again = ran.stdout.decode()
    assert "already holds data" in again and "computed the metrics" not in again
    assert "wrote the bulk downloads" not in again
    assert "no bulk downloads written:" in ran.stderr.decode()
    assert "not an openbook snapshot" in ran.stderr.decode()
    assert [path.name for path in elsewhere.iterdir()] == ["notes.txt"]
    stats = orjson.loads(openbook(database, "stats", "--json").stdout)
    assert {each["register"]: each["records"] for each in stats["registers"]}["plans"] == 29


def _demo_shows_every_part(database, said: str, started: datetime, directory: Path) -> None:
    """What the README's first command promises (issue 8, D5): a signed tree head, ownership
    chains, the bulk downloads, and notices published up to the demo's start, not after."""
    from django.test import Client

    from openbook import ownership, transparency
    from openbook.store.log import log_size

    store = database.store
    # (a) a tree head over the whole log: process pages prove inclusion, /verify has a head
    head = transparency.latest_tree_head(store)
    assert head is not None and head["treeSize"] == log_size(store)
    assert f"signed a tree head over {head['treeSize']:,} log entries" in said
    verify = Client().get("/verify").content.decode()
    assert "No tree head has been signed yet" not in verify
    newest = orjson.loads(Client().get("/?format=json").content)["newest"]
    process = Client().get(f"/processes/{newest[0]['ocid']}").content.decode()
    assert "No tree head has been signed yet" not in process
    # (b) ownership of some suppliers, with a chain to their owners on the organisation page
    loaded = int(re.search(r"loaded ([\d,]+) beneficial ownership", said).group(1).replace(",", ""))
    assert loaded > 0
    owned = next(iter(ownership.bulk(store)))
    page = Client().get(f"/organisations/{owned['identifier']}").content.decode()
    assert "No beneficial ownership statement names it." not in page
    # (c) the bulk downloads
    assert (directory / "downloads" / "manifest.json").is_file()
    assert "wrote the bulk downloads" in said
    assert Client().get("/downloads/").status_code == 200
    # (d) published up to the demo's start, the newest lately (not in 2028)
    with (directory / "data" / "demo-40.jsonl").open("rb") as lines:
        dates = [datetime.fromisoformat(orjson.loads(line)["date"]) for line in lines]
    assert max(dates) <= datetime.now(UTC)
    published = [datetime.fromisoformat(each["published"]) for each in newest]
    assert max(published) <= datetime.now(UTC)
    assert max(published) > started - timedelta(days=90)


def test_load_shows_a_progress_bar_on_a_terminal_only(database, tmp_path):
    import fcntl
    import pty
    import select
    import struct
    import termios

    path = generated(tmp_path / "g.jsonl", 300, 2)
    master, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "openbook", "load", str(path)],
        env={**os.environ, "OPENBOOK_DATABASE_URL": database.url},
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    seen = b""
    while select.select([master], [], [], 60)[0]:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the command has finished
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert process.wait(timeout=60) == 0
    text = seen.decode(errors="replace")
    assert "g.jsonl:" in text and "%|" in text and "compiling:" in text
    assert "Nothing was rejected." in text
    # Not on a terminal: no bar at all, only the report.
    piped = openbook(database, "load", path)
    assert b"%|" not in piped.stderr + piped.stdout


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_each_server_worker_has_its_own_database_connection(database):
    # The server migrates before it forks its workers: were that connection shared, the
    # workers' queries and answers would cross (wrong answers, 500s). Each must open its own.
    import socket
    from concurrent.futures import ThreadPoolExecutor
    from urllib.request import urlopen

    import psycopg

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "OPENBOOK_DATABASE_URL": database.url}
    server = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "3"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def ready(_: int) -> int:
        with urlopen(f"http://127.0.0.1:{port}/readyz", timeout=10) as response:
            return int(response.status)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                ready(0)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not answer within 30 s"
                time.sleep(0.3)
        with ThreadPoolExecutor(12) as pool:
            statuses = list(pool.map(ready, range(120)))
        name = database.url.rsplit("/", 1)[1]
        with psycopg.connect(database.url.rsplit("/", 1)[0] + "/postgres") as admin:
            (backends,) = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> %s",
                [name, admin.info.backend_pid],
            ).fetchone()
    finally:
        server.terminate()
        server.wait(timeout=20)

    assert statuses == [200] * 120
    assert backends >= 2


def test_bods_commands_as_a_user_runs_them(database, tmp_path):
    """In a process of their own: each sets Django up before it imports what needs it."""
    examples = sorted((SHARED_DATA / "bods-0.4-examples").glob("*.json"))[:3]
    loaded = orjson.loads(run_openbook(database, "bods", "load", "--json", *examples).stdout)
    assert loaded["loaded"] > 0 and loaded["invalid"] == 0
    psc = sorted((SHARED_DATA / "uk-psc-source-samples").glob("psc-data-*.json"))[:2]
    imported = run_openbook(database, "bods", "import-psc", *psc).stdout.decode()
    assert "statements read" in imported
    record = run_openbook(database, "bods", "record", "GB-COH-08209948").stdout
    assert orjson.loads(record)["record"]["recordType"] == "entity"
    missing = run_openbook(database, "bods", "record", "nothing", check=False)
    assert missing.returncode == 1 and b"no record" in missing.stderr


def test_registers_commands_as_a_user_runs_them(database, tmp_path):
    from tests.web.test_registers_api import complaint

    openbook(database, "publisher", "add", "--name", "Example Borough Council",
             "--identifier", "GB-PPON-PXXX-1234-BCDG")  # fmt: skip
    path = tmp_path / "complaint.json"
    path.write_bytes(orjson.dumps(complaint("ocds-b5fd17-none")))
    refused = openbook(database, "registers", "record", "complaints", path,
                       "--publisher", "GB-PPON-PXXX-1234-BCDG", check=False)  # fmt: skip
    assert refused.returncode == 1 and b"unknown-ocid" in refused.stderr
    listed = openbook(database, "registers", "list", "complaints", "--json")
    assert orjson.loads(listed.stdout) == []
    bad = openbook(database, "registers", "list", "debarment", "--status", "open", check=False)
    assert bad.returncode == 2 and b"status" in bad.stderr
    missing = openbook(database, "registers", "show", "debarment", "DEB-000001", check=False)
    assert missing.returncode == 1
