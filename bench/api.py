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
import statistics
import sys
import threading
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: the generated file, machine facts
import served  # bench/served.py: the database, the server, the client's requests

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
        url = served.shared_database(kind, data, arguments)
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


def measure(url: str, arguments: argparse.Namespace) -> dict:
    environment = served.environment(url, arguments.workdir)
    ocids = _sample_ocids(environment, 20_000)
    with served.served(environment, arguments.port, arguments.workers) as base:
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


def _sample_ocids(environment: dict[str, str], count: int) -> list[str]:
    code = (
        "import random\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT record_key FROM record')\n"
        "    keys = [row[0] for row in c.fetchall()]\n"
        f"random.seed(7); print(json.dumps(random.sample(keys, min({count}, len(keys)))))\n"
    )
    ocids = served.run_python(code, environment)
    assert isinstance(ocids, list)
    return ocids


def feed_run(base: str, log_size: int, releases: int) -> dict:
    """Follow links.next from a random point for ``releases`` releases."""
    start = random.randrange(0, max(1, log_size - releases))
    import base64

    cursor = base64.b64encode(str(start).encode()).decode().rstrip("=")
    path = f"/api/ocds/releases?limit=1000&cursor={cursor}"
    received = octets = pages = 0
    cpu, began = served.cpu_seconds(), time.perf_counter()
    while path and received < releases:
        status, body = served.get(base, path)
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
        "client_cpu_share": (served.cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1),
    }


def records_run(base: str, ocids: list[str], rate: int, seconds: float) -> dict:
    """Open loop: request i is due at start + i/rate; its latency runs from then."""
    count = int(rate * seconds)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def one(ocid: str, due: float) -> None:
        try:
            status, _body = served.get(base, f"/api/ocds/records/{ocid}", timeout=30)
            finished = time.perf_counter()
            with lock:
                if status == 200:
                    latencies.append(finished - due)
                else:
                    errors.append(f"{status} {ocid}")
        except (OSError, http.client.HTTPException) as error:
            with lock:
                errors.append(f"{type(error).__name__} {ocid}")

    cpu, began = served.cpu_seconds(), time.perf_counter()
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
        "p50_ms": served.percentile(latencies, 50) * 1000,
        "p95_ms": served.percentile(latencies, 95) * 1000,
        "p99_ms": served.percentile(latencies, 99) * 1000,
        "client_cpu_share": (served.cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1),
    }


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
    sys.exit(main())
