"""Benchmark the metrics (issue 7): the NAP5 milestone metrics of 1,000,000 releases in under
2 minutes, the data-quality checks and red flags in under 10 minutes, on SQLite and PostgreSQL;
dashboard figures served from the precomputed tables with p95 under 100 ms.

    python bench/metrics.py                                  # 1,000,000 releases, SQLite
    python bench/metrics.py --databases sqlite postgresql --repeat 5
    python bench/metrics.py --releases 100000 --repeat 3     # a quicker look
    python bench/metrics.py --measures milestones_seconds --databases sqlite postgresql

No reference tool computes these figures, so the times are absolute: the median of ``--repeat``
runs of ``openbook metrics compute`` (through ``openbook.metrics.compute`` with one family of
measures at a time, in a fresh interpreter each), on the generated releases of bench/load.py,
loaded once into a database kept in ``--workdir`` (the same one bench/api.py uses). Each run
reads the whole log and replaces the stored figures, as the command does. Then the full
computation runs once, ``openbook serve`` starts, and a client asks for dashboard figures
(every metric's figures for a half-year, one authority's, central government's, a page of
items, a report) in turn, timing each answer; the p95 of those latencies is reported, with the
client's share of the machine's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: the generated data, the machine's facts
import served  # bench/served.py: the database, the server, the client's requests

TARGETS = {"milestones_seconds": 120, "quality_and_flags_seconds": 600, "dashboard_p95_ms": 100}
FAMILIES = {
    "milestones_seconds": ("milestones",),
    "quality_and_flags_seconds": ("data-quality", "red-flags"),
}


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": load_bench.machine_facts(arguments.postgres_url),
        "releases": arguments.releases,
        "repeat": arguments.repeat,
        "databases": {},
    }
    data = load_bench.generated_file(arguments.releases, arguments.seed, arguments.workdir)
    passed = True
    for kind in arguments.databases:
        url = served.shared_database(kind, data, arguments)
        environment = served.environment(url, arguments.workdir)
        measured: dict = {}
        for name, families in FAMILIES.items():
            if name not in arguments.measures:
                continue
            runs = [compute(environment, families) for _ in range(arguments.repeat)]
            measured[name] = statistics.median(run["seconds"] for run in runs)
            measured[f"{name}_runs"] = runs
            print(f"{kind}: {name} {[round(r['seconds'], 1) for r in runs]}", flush=True)
        if "dashboard_p95_ms" in arguments.measures:
            whole = compute(environment, ("milestones", "data-quality", "red-flags"))
            measured["all_families_seconds"] = whole["seconds"]
            measured["processes"] = whole["processes"]
            measured.update(dashboard(environment, arguments))
        results["databases"][kind] = measured
        for target, most in TARGETS.items():
            if target not in measured:
                continue
            ok = measured[target] < most
            passed &= ok
            verdict = "PASS" if ok else "FAIL"
            print(f"{kind}: {target} {measured[target]:.1f} (target < {most}) {verdict}")
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(results, indent=2))
    return 0 if passed else 1


def compute(environment: dict[str, str], families: tuple[str, ...]) -> dict:
    """One computation in a fresh interpreter: its own time (the run's), and the wall time of
    the whole subprocess, imports included."""
    code = (
        "import time\n"
        "from openbook import metrics\n"
        "migrate(Store())\n"
        "began = time.perf_counter()\n"
        f"run = metrics.compute(Store(), families={families!r})\n"
        "print(json.dumps({'seconds': time.perf_counter() - began,"
        " 'processes': run.summary['processes']}))\n"
    )
    began = time.perf_counter()
    found = served.run_python(code, environment)
    assert isinstance(found, dict)
    return {**found, "wall_seconds": time.perf_counter() - began}


def dashboard(environment: dict[str, str], arguments: argparse.Namespace) -> dict:
    """Latencies of the dashboard's questions, asked one at a time of a running server."""
    with served.served(environment, arguments.port, arguments.workers) as base:
        status, body = served.get(base, "/api/metrics")
        overview = json.loads(body)
        metric_ids = [metric["id"] for metric in overview["metrics"]]
        status, body = served.get(base, "/api/metrics/tender-published?period=all")
        subjects = [f["subject"] for f in json.loads(body)["figures"]][:200] or [""]
        chooser = random.Random(1)
        paths = []
        for _ in range(arguments.requests):
            metric = chooser.choice(metric_ids)
            half = f"{chooser.choice(['2025', '2026'])}-H{chooser.choice([1, 2])}"
            paths.append(
                chooser.choice(
                    [
                        f"/api/metrics/{metric}?period={half}",
                        f"/api/metrics/{metric}?period=all&subject=central",
                        f"/api/metrics/{metric}?period={half}&subject="
                        + quote(chooser.choice(subjects), safe=""),
                        f"/api/metrics/{metric}/items?period={half}&outcome=against&limit=50",
                        "/api/metrics",
                    ]
                )
            )
        latencies = []
        cpu, began = served.cpu_seconds(), time.perf_counter()
        for path in paths:
            start = time.perf_counter()
            status, _ = served.get(base, quote(path, safe="/?=&%:,"), timeout=60)
            latencies.append(time.perf_counter() - start)
            if status != 200:
                raise SystemExit(f"{path}: {status}")
        elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "dashboard_requests": len(latencies),
        "dashboard_p50_ms": served.percentile(latencies, 50) * 1000,
        "dashboard_p95_ms": served.percentile(latencies, 95) * 1000,
        "dashboard_p99_ms": served.percentile(latencies, 99) * 1000,
        "client_cpu_share": (served.cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1),
    }


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite"]
    )
    parser.add_argument("--repeat", type=int, default=5, metavar="K", help="runs; medians")
    parser.add_argument(
        "--measures",
        nargs="+",
        choices=list(TARGETS),
        default=list(TARGETS),
        help="what to measure (default all; the dashboard's after a run of every family)",
    )
    parser.add_argument("--requests", type=int, default=2000, help="dashboard requests")
    parser.add_argument("--workers", type=int, default=2, help="server workers")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--workdir", type=Path, default=Path("bench-data"), help="data and databases (kept)"
    )
    parser.add_argument("--postgres-url", default=load_bench.DEFAULT_POSTGRES_URL)
    parser.add_argument("--json-out", type=Path, help="write the results here as JSON")
    return parser


if __name__ == "__main__":
    sys.exit(main())
