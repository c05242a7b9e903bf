"""Pages benchmark (issue 8): with 1,000,000 releases loaded, every public page type
server-rendered with p95 under 300 ms at 8 concurrent users.

    python bench/pages.py                                   # 1,000,000 releases, SQLite
    python bench/pages.py --databases sqlite postgresql --runs 5
    python bench/pages.py --releases 100000 --runs 5        # a quicker look

``openbook serve`` (gunicorn, ``--workers``) answers on loopback; this script is the client on
the same machine: ``--users`` threads, each asking for the page types' addresses in turn (one
address of every page type, as the page tests visit them: tests/pages/addresses.py), a new
connection per request, the HTML read to its last byte. No reference tool exists, so the figures
are absolute: per page type, the p95 of a run's latencies, and the median over ``--runs`` runs;
with the client's share of the machine's CPU. The database is the one bench/api.py and
bench/metrics.py use (loaded once, kept in ``--workdir``); the metrics are computed once if the
database has none, as the progress pages read them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: the generated data, the machine's facts
import served  # bench/served.py: the database, the server, the client's requests

TARGET_P95_MS = 300


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    data = load_bench.generated_file(arguments.releases, arguments.seed, arguments.workdir)
    results: dict = {
        "machine": load_bench.machine_facts(arguments.postgres_url),
        "releases": arguments.releases,
        "users": arguments.users,
        "runs": arguments.runs,
        "databases": {},
    }
    passed = True
    for kind in arguments.databases:
        url = served.shared_database(kind, data, arguments)
        environment = served.environment(url, arguments.workdir)
        addresses = _addresses(environment, arguments.seed)
        measured = measure(environment, addresses, arguments)
        results["databases"][kind] = measured
        for name, figures in measured["pages"].items():
            ok = figures["p95_ms"] < TARGET_P95_MS
            passed &= ok
            print(
                f"{kind}: {name:40} p50 {figures['p50_ms']:7.1f} ms  p95 "
                f"{figures['p95_ms']:7.1f} ms  {'PASS' if ok else 'FAIL'}",
                flush=True,
            )
        print(f"{kind}: client's share of the machine {measured['client_share']:.0%}")
    if arguments.json:
        arguments.json.write_text(json.dumps(results, indent=2))
    return 0 if passed else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--databases", nargs="+", default=["sqlite"])
    parser.add_argument("--runs", type=int, default=5, help="runs (the median is reported)")
    parser.add_argument("--users", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument(
        "--rounds", type=int, default=5, help="times each user asks for every page in a run"
    )
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "OPENBOOK_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--json", type=Path, help="write the results here as JSON")
    return parser


def _addresses(environment: dict[str, str], seed: int) -> dict[str, str]:
    """One address of every page type, on this database (the metrics computed first if it has
    none). The downloads page needs a snapshot the benchmark does not make: left out."""
    code = (
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from openbook import metrics\n"
        "from openbook.store import metrics as stored\n"
        "migrate(Store())\n"
        # the spend pages need payments: those of the run's first 2,000 processes
        "from openbook import spend_links\n"
        "if not spend_links.has_payments(Store()):\n"
        "    import tempfile\n"
        "    from pathlib import Path\n"
        "    from tests.pages.spend_site import load_spend\n"
        "    with tempfile.TemporaryDirectory() as spent:\n"
        f"        load_spend(Store(), Path(spent), 2000, {seed})\n"
        "if stored.latest_run(Store()) is None:\n"
        "    metrics.compute(Store())\n"
        "import tests.pages.addresses as addresses\n"
        "import tests.pages.test_downloads_page as downloads\n"
        "downloads.ensure_snapshot = lambda store: None\n"
        "found = addresses.page_addresses(Store())\n"
        "print(json.dumps({k: v for k, v in found.items() if 'download' not in k}))\n"
    )
    found = served.run_python(code, environment)
    assert isinstance(found, dict)
    return found


def measure(environment: dict[str, str], addresses: dict[str, str], arguments) -> dict:
    runs: list[dict[str, list[float]]] = []
    shares = []
    with served.served(environment, 0, arguments.workers) as base:
        for path in addresses.values():  # each page once, so no run measures a cold start
            served.get(base, path)
        for _ in range(arguments.runs):
            latencies: dict[str, list[float]] = {name: [] for name in addresses}
            failures: list[str] = []
            lock = threading.Lock()
            started, cpu = time.perf_counter(), served.cpu_seconds()

            def user(offset: int, latencies=latencies, failures=failures, lock=lock) -> None:
                names = list(addresses)
                for round_number in range(arguments.rounds):
                    for index in range(len(names)):
                        name = names[(index + offset + round_number) % len(names)]
                        began = time.perf_counter()
                        status, _ = served.get(base, addresses[name])
                        took = (time.perf_counter() - began) * 1000
                        with lock:
                            latencies[name].append(took)
                            if status != 200:
                                failures.append(f"{name}: {status}")

            threads = [
                threading.Thread(target=user, args=(number,)) for number in range(arguments.users)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if failures:
                raise SystemExit(f"pages answered with errors: {sorted(set(failures))[:10]}")
            elapsed = time.perf_counter() - started
            shares.append((served.cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1))
            runs.append(latencies)
    pages = {}
    for name, address in addresses.items():
        p95s = [served.percentile(sorted(run[name]), 95) for run in runs]
        p50s = [served.percentile(sorted(run[name]), 50) for run in runs]
        pages[name] = {
            "address": address,
            "p50_ms": statistics.median(p50s),
            "p95_ms": statistics.median(p95s),
            "p95_runs_ms": p95s,
        }
    return {"pages": pages, "client_share": statistics.median(shares)}


if __name__ == "__main__":
    sys.exit(main())
