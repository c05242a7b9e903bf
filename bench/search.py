"""Process search benchmark: GET /api/ocds/processes through a real server, on SQLite and
PostgreSQL, with N generated releases loaded (1,000,000 for the issue's targets).

``openbook serve`` (gunicorn, as operators run it) answers on loopback and this script is the
client on the same machine, sending one request at a time (closed loop) and timing each from
send to last byte. Each query kind is run ``--requests`` times per run, ``--runs`` runs (at
least 5); the figures are medians over runs of each run's p50 and p95, with the client's share
of the machine's CPU and the load average beside them. No reference tool exists: absolute
figures.

Query kinds: ``narrow``, text terms each found in under 1% of processes (the target: p95 under
150 ms); ``broad``, terms each found in over 10% (p95 under 1 s); and, for information, the
broad terms sorted by date, a page deep into a broad search (through its cursor), filters
without text, and the first page with nothing asked. Every response carries its count and
facets (capped at openbook.search.COUNT_CAP matches). The fraction of processes each term
matches is counted exactly, through the same search, before the runs, and checked.

The database is built once per (database, N, seed) in ``--workdir`` and reused (``openbook
load`` of bench/load.py's generated file); or give an existing one with ``--database-url``.
Run ``python bench/search.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: the generated file, machine facts
import served  # bench/served.py: the database, the server, the client's requests

TARGETS_MS = {"narrow": 150, "broad": 1000}
NARROW = "library,prison,depot,probation,registry"
BROAD = "framework,quality,local,delivery,social"


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "machine": load_bench.machine_facts(arguments.postgres_url),
        "server": f"gunicorn (openbook serve), {arguments.workers} sync workers",
        "client": "this script, one request at a time, a new connection each",
        "databases": {},
    }
    urls = dict(_given(arguments.database_url))
    if not urls:
        data = load_bench.generated_file(arguments.releases, arguments.seed, arguments.workdir)
        results["data"] = f"{data.name}: {arguments.releases:,} generated releases"
        for kind in arguments.databases:
            urls[kind], seconds = served.prepare_database(
                kind,
                f"search-{arguments.releases}-seed{arguments.seed}",
                data,
                releases=arguments.releases,
                workdir=arguments.workdir,
                postgres_url=arguments.postgres_url,
            )
            if seconds is not None:
                results["databases"][kind] = {"load_seconds": seconds}
    if arguments.prepare_only:
        print(json.dumps(results, indent=2))
        return 0
    passed = True
    for kind, url in urls.items():
        measured = measure(url, arguments)
        results["databases"][kind] = {**results["databases"].get(kind, {}), **measured}
        passed &= _print(kind, measured)
    results["machine"]["load_after"] = os.getloadavg()
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(results, indent=2))
    return 0 if passed else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--database-url",
        action="append",
        default=[],
        metavar="URL",
        help="measure this existing database instead of building one (repeatable)",
    )
    parser.add_argument("--postgres-url", default=load_bench.DEFAULT_POSTGRES_URL)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--requests", type=int, default=40, help="per query kind and run")
    parser.add_argument("--narrow", default=NARROW, help="comma-separated terms, each <1%%")
    parser.add_argument("--broad", default=BROAD, help="comma-separated terms, each >10%%")
    parser.add_argument("--port", type=int, default=8770)
    parser.add_argument("--json-out", type=Path)
    parser.add_argument("--prepare-only", action="store_true", help="build the databases only")
    return parser


def _given(urls: list[str]):
    for url in urls:
        yield ("postgresql" if url.startswith("postgres") else "sqlite"), url


def term_fractions(terms: list[str], environment: dict[str, str]) -> dict:
    """How many processes each term matches, counted exactly by the search itself."""
    code = (
        "from openbook import search\n"
        "from openbook.store import search as stored\n"
        "search.COUNT_CAP = 10**9\n"
        "store = Store()\n"
        "total = stored.count(store)\n"
        f"terms = {terms!r}\n"
        "counts = {t: search.search_processes(store, search.Query(text=t, limit=1)).count"
        " for t in terms}\n"
        "print(json.dumps({'processes': total, 'counts': counts}))\n"
    )
    found = served.run_python(code, environment)
    assert isinstance(found, dict)
    return found


def measure(url: str, arguments: argparse.Namespace) -> dict:
    environment = served.environment(url, arguments.workdir)
    narrow = [term for term in arguments.narrow.split(",") if term]
    broad = [term for term in arguments.broad.split(",") if term]
    found = term_fractions(narrow + broad, environment)
    processes = found["processes"]
    fractions = {term: count / processes for term, count in found["counts"].items()}
    for term in narrow:
        if fractions[term] >= 0.01:
            raise SystemExit(f"{term!r} matches {fractions[term]:.2%} of processes: not narrow")
    for term in broad:
        if fractions[term] <= 0.10:
            raise SystemExit(f"{term!r} matches {fractions[term]:.2%} of processes: not broad")
    with served.served(environment, arguments.port, arguments.workers) as base:
        kinds = _query_kinds(base, narrow, broad)
        runs: dict[str, list[dict]] = {kind: [] for kind in kinds}
        for _ in range(arguments.runs):
            for kind, paths in kinds.items():
                runs[kind].append(timed_run(base, paths, arguments.requests))
        return {
            "processes": processes,
            "term_fractions": fractions,
            "queries": {kind: _summarise(kind, found) for kind, found in runs.items()},
        }


def _query_kinds(base: str, narrow: list[str], broad: list[str]) -> dict[str, list[str]]:
    path = "/api/ocds/processes?"
    deep = []
    for term in broad:
        # Five pages in, through the cursors the API gave: keyset paging costs no more deep.
        page = f"{path}{urlencode({'q': term})}"
        for _ in range(5):
            body = _get(base, page)
            page = json.loads(body)["links"]["next"][len(base) :]
        deep.append(page)
    return {
        "narrow": [f"{path}{urlencode({'q': term})}" for term in narrow],
        "broad": [f"{path}{urlencode({'q': term})}" for term in broad],
        "broad, by date": [f"{path}{urlencode({'q': t, 'sort': 'date'})}" for t in broad],
        "broad, page 6": deep,
        "filters, no text": [
            f"{path}stage=tender&above_threshold=true",
            f"{path}region=UKI&sort=value",
            f"{path}cpv=45&suitable_sme=true",
            f"{path}deadline_from=2026-01-01&status=active",
        ],
        "everything": [path],
    }


def _get(base: str, path: str) -> bytes:
    status, body = served.get(base, path)
    if status != 200:
        raise SystemExit(f"{status} for {path}: {body[:300]!r}")
    return body


def timed_run(base: str, paths: list[str], requests: int) -> dict:
    """``requests`` requests, one at a time, cycling through ``paths``."""
    latencies = []
    load = os.getloadavg()[0]
    cpu, began = served.cpu_seconds(), time.perf_counter()
    for number in range(requests):
        start = time.perf_counter()
        _get(base, paths[number % len(paths)])
        latencies.append(time.perf_counter() - start)
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": requests,
        "p50_ms": served.percentile(latencies, 50) * 1000,
        "p95_ms": served.percentile(latencies, 95) * 1000,
        "max_ms": latencies[-1] * 1000,
        "client_cpu_share": (served.cpu_seconds() - cpu) / elapsed / (os.cpu_count() or 1),
        "load_average": load,
    }


def _summarise(kind: str, runs: list[dict]) -> dict:
    keys = ("p50_ms", "p95_ms", "max_ms", "client_cpu_share", "load_average")
    median = {key: statistics.median(run[key] for run in runs) for key in keys}
    summary: dict = {"median": median, "runs": runs}
    if kind in TARGETS_MS:
        summary["target_p95_ms"] = TARGETS_MS[kind]
        summary["passed"] = median["p95_ms"] < TARGETS_MS[kind]
    return summary


def _print(kind: str, measured: dict) -> bool:
    print(f"{kind}: {measured['processes']:,} processes", flush=True)
    for term, fraction in measured["term_fractions"].items():
        print(f"  {term!r} matches {fraction:.2%} of processes")
    passed = True
    for name, summary in measured["queries"].items():
        median = summary["median"]
        verdict = ""
        if "passed" in summary:
            verdict = (
                f"  {'PASS' if summary['passed'] else 'FAIL'} (p95 < {summary['target_p95_ms']} ms)"
            )
            passed &= summary["passed"]
        print(
            f"  {name:18} p50 {median['p50_ms']:7.1f} ms  p95 {median['p95_ms']:7.1f} ms  "
            f"max {median['max_ms']:7.1f} ms  client CPU {median['client_cpu_share']:.0%}  "
            f"load {median['load_average']:.1f}{verdict}",
            flush=True,
        )
    return passed


if __name__ == "__main__":
    sys.exit(main())
