"""Read API benchmark: the change feed's throughput and record latency, through a real server.

With N generated releases loaded (1,000,000 for the issue's targets), ``openbook serve``
(gunicorn, as operators run it) answers on loopback while this script is the client, on the same
machine. No reference tool exists for these figures, so they are absolute: each is the median of
``--runs`` runs (at least 5), with the client's share of the machine's CPU reported beside it.

- feed: one client follows ``links.next`` (``limit=1000``) from a random starting point for
  ``--feed-releases`` releases; releases a second and megabytes a second.
- records: ``GET /api/ocds/records/{ocid}`` for random ocids at ``--rate`` requests a second,
  open loop (requests are sent on schedule whether or not earlier ones have answered, and each
  latency is measured from its scheduled time, so a slow server cannot hide its queue); p50,
  p95, p99.

The database is built once per (database, N) in ``--workdir`` and reused: generated with
``openbook generate``, loaded with ``openbook load``. Run ``python bench/api.py --help``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {
    "feed_releases_per_second": 10_000,
    "feed_megabytes_per_second": 50,
    "records_p99_ms": 50,
}


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    results = {
        "machine": load_bench.machine_facts(arguments.postgres_url),
        "releases": arguments.releases,
        "server": f"gunicorn, {arguments.workers} sync workers",
        "databases": {},
    }
    data = load_bench.generated_file(arguments.releases, arguments.seed, arguments.workdir)
    for kind in arguments.databases:
        url = prepare_database(kind, arguments, data)
        results["databases"][kind] = measure(url, arguments)
        _print(kind, results["databases"][kind])
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(results, indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    parser.add_argument("--postgres-url", default=load_bench.DEFAULT_POSTGRES_URL)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--feed-releases", type=int, default=100_000)
    parser.add_argument("--rate", type=int, default=200, help="record requests a second")
    parser.add_argument("--seconds", type=float, default=15.0, help="per records run")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--json-out", type=Path)
    return parser


def prepare_database(kind: str, arguments: argparse.Namespace, data: Path) -> str:
    """A database holding exactly the generated releases, loaded once and reused."""
    if kind == "sqlite":
        url = f"sqlite:///{arguments.workdir / f'api-{arguments.releases}.sqlite3'}"
    else:
        name = f"openbook_bench_api_{arguments.releases}"
        url = f"{arguments.postgres_url.rsplit('/', 1)[0]}/{name}"
        _create_postgres(arguments.postgres_url, name)
    environment = _environment(url, arguments.workdir)
    if _log_size(url, environment) != arguments.releases:
        print(f"loading {data} into {kind} (once)...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "openbook", "load", "--no-progress", str(data)],
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    size = _log_size(url, environment)
    if size != arguments.releases:
        raise SystemExit(f"{kind}: the log holds {size} releases, not {arguments.releases}")
    return url


def _create_postgres(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def _log_size(url: str, environment: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "openbook", "stats", "--json"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    registers = json.loads(done.stdout)["registers"]
    return sum(row["statements"] for row in registers)


def _environment(url: str, workdir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OPENBOOK_DATABASE_URL": url,
        "OPENBOOK_DATA_DIR": str(workdir),
        "OPENBOOK_RATE_LIMIT": "0",  # the client is one address asking far more than people do
    }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def measure(url: str, arguments: argparse.Namespace) -> dict:
    environment = _environment(url, arguments.workdir)
    arguments.port = arguments.port or _free_port()
    ocids = _sample_ocids(url, environment, 20_000)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "openbook",
            "serve",
            "--port",
            str(arguments.port),
            "--workers",
            str(arguments.workers),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_ready(arguments.port, server)
        base = f"http://127.0.0.1:{arguments.port}"
        feed_runs, record_runs = [], []
        random.seed(arguments.seed)
        for _ in range(arguments.runs):
            feed_runs.append(feed_run(base, arguments.releases, arguments.feed_releases))
            record_runs.append(
                records_run(
                    base, random.sample(ocids, len(ocids)), arguments.rate, arguments.seconds
                )
            )
        return {"feed": _summarise(feed_runs), "records": _summarise(record_runs)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _sample_ocids(url: str, environment: dict[str, str], count: int) -> list[str]:
    code = (
        "import django, os, random, json\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'openbook.settings')\n"
        "django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT record_key FROM record')\n"
        "    keys = [row[0] for row in c.fetchall()]\n"
        f"random.seed(7); print(json.dumps(random.sample(keys, min({count}, len(keys)))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout)


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
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
    raise SystemExit("the server did not become ready in 60 s")


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _get(connection_for, path: str) -> tuple[int, bytes]:
    connection = connection_for()
    connection.request("GET", path, headers={"Connection": "close"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def feed_run(base: str, log_size: int, releases: int) -> dict:
    """Follow links.next from a random point for ``releases`` releases."""
    host = urlsplit(base)
    start = random.randrange(0, max(1, log_size - releases))
    import base64

    cursor = base64.b64encode(str(start).encode()).decode().rstrip("=")
    path = f"/api/ocds/releases?limit=1000&cursor={cursor}"
    received = octets = pages = 0
    cpu, began = _cpu_seconds(), time.perf_counter()
    while path and received < releases:
        status, body = _get(lambda: http.client.HTTPConnection(host.hostname, host.port), path)
        if status != 200:
            raise SystemExit(f"feed: {status} for {path}: {body[:200]!r}")
        package = orjson.loads(body)  # as a fast harvester parses it
        received += len(package["releases"])
        octets += len(body)
        pages += 1
        following = package.get("links", {}).get("next")
        path = following[len(base) :] if following else None
    elapsed = time.perf_counter() - began
    return {
        "releases": received,
        "pages": pages,
        "seconds": elapsed,
        "releases_per_second": received / elapsed,
        "megabytes_per_second": octets / elapsed / 1e6,
        "client_cpu_share": (_cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1),
    }


def records_run(base: str, ocids: list[str], rate: int, seconds: float) -> dict:
    """Open loop: request i is due at start + i/rate; its latency runs from then."""
    host = urlsplit(base)
    count = int(rate * seconds)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(ocid: str, due: float) -> None:
        try:
            status, _body = _get(
                lambda: http.client.HTTPConnection(host.hostname, host.port, timeout=30),
                f"/api/ocds/records/{ocid}",
            )
            finished = time.perf_counter()
            with lock:
                if status == 200:
                    latencies.append(finished - due)
                else:
                    errors.append(f"{status} {ocid}")
        except (OSError, http.client.HTTPException) as error:
            with lock:
                errors.append(f"{type(error).__name__} {ocid}")

    cpu, began = _cpu_seconds(), time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=64) as pool:
        for number in range(count):
            due = began + number / rate
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            pool.submit(one, ocids[number % len(ocids)], due)
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": count,
        "errors": len(errors),
        "first_errors": errors[:5],
        "achieved_rate": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 50) * 1000,
        "p95_ms": _percentile(latencies, 95) * 1000,
        "p99_ms": _percentile(latencies, 99) * 1000,
        "client_cpu_share": (_cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1),
    }


def _percentile(values: list[float], percent: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(percent / 100 * len(values)) - 1))
    return values[index]


def _summarise(runs: list[dict]) -> dict:
    keys = [key for key, value in runs[0].items() if isinstance(value, int | float)]
    return {
        "median": {key: statistics.median(run[key] for run in runs) for key in keys},
        "runs": runs,
    }


def _print(kind: str, result: dict) -> None:
    feed, records = result["feed"]["median"], result["records"]["median"]
    print(
        f"{kind}: feed {feed['releases_per_second']:,.0f} releases/s, "
        f"{feed['megabytes_per_second']:.1f} MB/s (client CPU {feed['client_cpu_share']:.0%}); "
        f"records at {records['achieved_rate']:.0f}/s: p50 {records['p50_ms']:.1f} ms, "
        f"p95 {records['p95_ms']:.1f} ms, p99 {records['p99_ms']:.1f} ms, "
        f"errors {records['errors']} (client CPU {records['client_cpu_share']:.0%})",
        flush=True,
    )


if __name__ == "__main__":
    socket.setdefaulttimeout(60)
    sys.exit(main())
