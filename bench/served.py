"""openbook served for the read benchmarks (bench/api.py, bench/search.py): a database of
bench/load.py's generated releases, loaded once and reused; ``openbook serve`` (gunicorn, as
operators run it) on loopback, started, waited for and stopped; and the client's side of a
request: the request itself, the client's CPU time, percentiles. (bench/export.py creates its
PostgreSQL database here too.)
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

OPENBOOK = [sys.executable, "-m", "openbook"]
READY_SECONDS = 60


def environment(url: str, workdir: Path) -> dict[str, str]:
    """What ``openbook`` runs with: this database, and no rate limit."""
    return {
        **os.environ,
        "OPENBOOK_DATABASE_URL": url,
        "OPENBOOK_DATA_DIR": str(workdir),
        "OPENBOOK_RATE_LIMIT": "0",  # the client is one address asking far more than people do
    }


def postgres_database_url(admin_url: str, name: str) -> str:
    """The URL of the database ``name`` on the server of ``admin_url``."""
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


def create_postgres(admin_url: str, name: str, *, replace: bool = False) -> None:
    """Create the database ``name`` on the server of ``admin_url`` unless it exists (with
    ``replace``, drop it first: a new, empty one)."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        if replace:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def prepare_database(
    kind: str, name: str, data: Path, *, releases: int, workdir: Path, postgres_url: str
) -> tuple[str, float | None]:
    """A database holding exactly the ``releases`` releases of ``data``, loaded once and reused:
    ``workdir/NAME.sqlite3``, or ``openbook_bench_NAME`` (dashes as underscores) on the server
    of ``postgres_url``.
    Returns its URL, and how long the load took (None when it was loaded already)."""
    if kind == "sqlite":
        url = f"sqlite:///{(workdir / f'{name}.sqlite3').resolve()}"
    else:
        database = f"openbook_bench_{name.replace('-', '_')}"
        create_postgres(postgres_url, database)
        url = postgres_database_url(postgres_url, database)
    openbook_environment = environment(url, workdir)
    seconds = None
    if log_size(openbook_environment) != releases:
        print(f"loading {data.name} into {kind} (once)...", flush=True)
        began = time.perf_counter()
        subprocess.run(
            [*OPENBOOK, "load", "--no-progress", str(data)],
            env=openbook_environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        seconds = time.perf_counter() - began
        print(f"loaded in {seconds:.0f} s", flush=True)
    size = log_size(openbook_environment)
    if size != releases:
        raise SystemExit(f"{kind}: the log holds {size} releases, not {releases}")
    return url, seconds


def shared_database(kind: str, data: Path, arguments) -> str:
    """The URL of the database the read benchmarks share (``api-N``: bench/api.py,
    bench/metrics.py, bench/pages.py), holding ``data``'s ``arguments.releases`` releases;
    loaded once, by whichever runs first."""
    url, _ = prepare_database(
        kind,
        f"api-{arguments.releases}",
        data,
        releases=arguments.releases,
        workdir=arguments.workdir,
        postgres_url=arguments.postgres_url,
    )
    return url


def run_python(code: str, environment: dict[str, str]) -> object:
    """Run ``code`` against the database in a fresh interpreter (Django set up, ``json``,
    ``Store`` and ``migrate`` imported); it prints JSON, returned parsed."""
    prelude = (
        "import django, json, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'openbook.settings')\n"
        "django.setup()\n"
        "from openbook.store.database import Store, migrate\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", prelude + code],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def log_size(environment: dict[str, str]) -> int:
    """How many statements the log holds (the database is created and migrated if need be)."""
    code = (
        "from openbook.store import log\n"
        "migrate(Store())\n"
        "print(json.dumps(log.log_size(Store())))\n"
    )
    size = run_python(code, environment)
    assert isinstance(size, int)
    return size


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def served(environment: dict[str, str], port: int, workers: int) -> Iterator[str]:
    """``openbook serve`` with ``workers`` sync workers on ``port`` (0: a free one), ready;
    yields its base URL, and stops it afterwards."""
    port = port or free_port()
    server = subprocess.Popen(
        [*OPENBOOK, "serve", "--port", str(port), "--workers", str(workers)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(port, server)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited ({server.returncode}) before it was ready")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/readyz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not become ready in {READY_SECONDS} s")


def get(base: str, path: str, timeout: float = 60) -> tuple[int, bytes]:
    """One request on a new connection, read to the last byte: its status and body."""
    host = urlsplit(base)
    connection = http.client.HTTPConnection(host.hostname, host.port, timeout=timeout)
    connection.request("GET", path, headers={"Connection": "close"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def cpu_seconds() -> float:
    """The CPU time this process (the client) has used."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile of sorted ``values`` (NaN for none)."""
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(percent / 100 * len(values)) - 1))
    return values[index]
