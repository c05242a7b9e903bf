"""The openbook command, run as a user runs it: a separate process, on SQLite and PostgreSQL."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from tests.conftest import SHARED_DATA, fresh_database, use_database
from tests.load.test_loader import snapshot


def openbook(
    database, *arguments, check=True, env_extra=None, **options
) -> subprocess.CompletedProcess:
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


def test_help_for_every_command(database):
    for command in ["load", "record", "stats", "serve", "generate", "migrate", "demo"]:
        assert (
            b"usage: openbook " + command.encode() in openbook(database, command, "--help").stdout
        )


def test_load_then_record_then_stats(database, tmp_path):
    path = tmp_path / "g.jsonl"
    openbook(database, "generate", "--processes", "30", "--seed", "7", "--output", path)
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
    named = openbook(
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
    path = tmp_path / "bad.json"
    path.write_bytes(
        b'{"releases": [{"ocid": "ocds-x", "id": "1", "date": "2026-01-01T00:00:00Z"}, '
    )
    result = openbook(database, "load", path, tmp_path / "absent.json", check=False)
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


@pytest.mark.parametrize("delay", [0.9, 1.6, 2.4])
def test_an_interrupted_load_finishes_with_the_same_state_when_run_again(
    database, request, tmp_path, delay
):
    """Killed (SIGKILL, no clean-up) at some point, then run again: the stored state is exactly
    that of an uninterrupted load into a fresh database, log times aside."""
    path = tmp_path / "g.jsonl"
    openbook(database, "generate", "--processes", "1500", "--seed", "11", "--output", path)
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
    with fresh_database(database.vendor, request) as fresh:
        openbook(fresh, "load", path)
        use_database(fresh.url)
        assert snapshot(fresh.store) == interrupted
    ocids = {orjson.loads(line)["ocid"] for line in path.read_bytes().splitlines()}
    assert interrupted["pending"] == 0 and len(interrupted["records"]) == len(ocids)


def test_a_killed_load_leaves_no_worker_behind(database, tmp_path):
    """The load's worker processes end with it, even when it is killed outright: none is left
    waiting for work, holding its database connection open."""
    path = tmp_path / "g.jsonl"
    openbook(database, "generate", "--processes", "3000", "--seed", "2", "--output", path)
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


def test_demo_loads_realistic_data_once(database):
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
    again = openbook(database, "demo", "--no-serve").stdout.decode()
    assert "already holds data" in again and "computed the metrics" not in again
    stats = orjson.loads(openbook(database, "stats", "--json").stdout)
    assert {each["register"]: each["records"] for each in stats["registers"]}["plans"] == 29


def test_load_shows_a_progress_bar_on_a_terminal_only(database, tmp_path):
    import fcntl
    import pty
    import select
    import struct
    import termios

    path = tmp_path / "g.jsonl"
    openbook(database, "generate", "--processes", "300", "--seed", "2", "--output", path)
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
    loaded = orjson.loads(openbook(database, "bods", "load", "--json", *examples).stdout)
    assert loaded["loaded"] > 0 and loaded["invalid"] == 0
    psc = sorted((SHARED_DATA / "uk-psc-source-samples").glob("psc-data-*.json"))[:2]
    imported = openbook(database, "bods", "import-psc", *psc).stdout.decode()
    assert "statements read" in imported
    record = openbook(database, "bods", "record", "GB-COH-08209948").stdout
    assert orjson.loads(record)["record"]["recordType"] == "entity"
    missing = openbook(database, "bods", "record", "nothing", check=False)
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
