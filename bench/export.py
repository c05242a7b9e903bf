"""Export benchmark: ``openbook export`` of N generated releases, its time and peak memory.

The issue's target: with 1,000,000 generated releases loaded, the export finishes in under 10
minutes with peak memory under 1 GB. No reference tool writes these files, so the figures are
absolute: wall time (median of ``--repeat`` runs), CPU time, and the peak memory of the export's
whole process tree (sampled from /proc every 0.2 s, as bench/load.py does for a load: PSS, the
memory the export takes from the machine, is the figure the target is checked on).

The database is built once per (database, N) in ``--workdir`` and reused: N releases generated
(bench/load.py's generated file: enough processes generated, cut at N releases) and loaded with
``openbook load``. ``--database-url URL`` measures a database loaded some other way instead
(``openbook generate --processes 232000 --seed 1 | openbook load`` gives about 1,000,000).

Run ``python bench/export.py --help``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: the generated file, memory sampling, machine facts
import served  # bench/served.py: creating the PostgreSQL database

SECONDS_LIMIT = 600.0
MEMORY_LIMIT_MB = 1024.0
OPENBOOK = [sys.executable, "-m", "openbook"]


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    result: dict = {
        "machine": load_bench.machine_facts(
            arguments.postgres_url if "postgresql" in arguments.databases else None
        ),
        "releases": arguments.releases,
        "databases": {},
        "targets": [],
    }
    urls = (
        {_vendor(arguments.database_url): arguments.database_url}
        if arguments.database_url
        else {kind: prepare_database(kind, arguments) for kind in arguments.databases}
    )
    for kind, url in urls.items():
        runs = [measure(url, arguments, f"{kind}-{run}") for run in range(arguments.repeat)]
        summary = _summary(runs)
        result["databases"][kind] = {"runs": runs, "summary": summary}
        _print(kind, runs, summary)
        result["targets"] += [
            {
                "target": f"{kind}: export under {SECONDS_LIMIT:g} s",
                "measured": round(summary["seconds"], 1),
                "passed": summary["seconds"] < SECONDS_LIMIT,
            },
            {
                "target": f"{kind}: peak memory (PSS, every process) under {MEMORY_LIMIT_MB:g} MB",
                "measured": round(summary["peak_pss_mb"]),
                "passed": summary["peak_pss_mb"] < MEMORY_LIMIT_MB,
            },
        ]
    for target in result["targets"]:
        print(f"{'PASS' if target['passed'] else 'FAIL'}  {target['target']}: {target['measured']}")
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(target["passed"] for target in result["targets"]) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--releases", type=int, default=1_000_000, help="generated releases (default 1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--databases",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=["sqlite"],
        help="where to load them (default sqlite)",
    )
    parser.add_argument(
        "--database-url", help="measure this database, already loaded, instead of building one"
    )
    parser.add_argument(
        "--postgres-url",
        default=load_bench.DEFAULT_POSTGRES_URL,
        help="a PostgreSQL server where the benchmark may create its database",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path("bench-data"),
        help="generated file, databases and snapshots (kept and reused)",
    )
    parser.add_argument("--repeat", type=int, default=1, metavar="K", help="runs; medians")
    parser.add_argument("--json-out", type=Path, help="write the results here as JSON")
    return parser


def _vendor(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def prepare_database(kind: str, arguments: argparse.Namespace) -> str:
    """A database holding the N generated releases, loaded once and kept in the workdir."""
    name = f"openbook_export_{arguments.releases}_seed{arguments.seed}"
    if kind == "sqlite":
        url = f"sqlite:///{(arguments.workdir / f'{name}.sqlite3').absolute()}"
    else:
        url = served.postgres_database_url(arguments.postgres_url, name)
    marker = arguments.workdir / f"{name}.{kind}.loaded"
    if marker.exists():
        return url
    if kind == "postgresql":
        served.create_postgres(arguments.postgres_url, name, replace=True)
    else:
        load_bench._remove_sqlite(Path(url.removeprefix("sqlite:///")))
    data = load_bench.generated_file(arguments.releases, arguments.seed, arguments.workdir)
    print(f"loading {data} into {kind} ...", flush=True)
    environment = load_bench._environment(url, arguments.workdir)
    subprocess.run(
        [*OPENBOOK, "load", "--no-progress", str(data)],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    marker.write_text(url + "\n")
    return url


def measure(url: str, arguments: argparse.Namespace, label: str) -> dict:
    """One ``openbook export`` in a child process: wall and CPU time, peak memory, the files."""
    target = arguments.workdir / f"downloads-{label}"
    output = arguments.workdir / f"export-{label}.json"
    environment = load_bench._environment(url, arguments.workdir)
    load_average = os.getloadavg()[0]
    source = load_bench.source_digest()
    command = [*OPENBOOK, "export", "--no-progress", "--json", "--to", str(target)]
    with output.open("wb") as out, output.with_suffix(".err").open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=environment, stdout=out, stderr=err)
        peak: dict[str, float] = defaultdict(float)
        while True:
            load_bench._sample_tree(child.pid, peak)
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.2)
        wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(
            f"openbook export failed:\n{output.with_suffix('.err').read_text()[-3000:]}"
        )
    manifest = json.loads(output.read_text())
    peak["largest_process_mb"] = max(peak["largest_process_mb"], usage.ru_maxrss / 1024)
    return {
        "seconds": wall,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "load_average_at_start": load_average,
        "source": source,
        "peak": dict(peak),
        "counts": manifest["counts"],
        "excel": manifest["excel"],
        "files_mb": {entry["name"]: round(entry["size"] / 2**20, 1) for entry in manifest["files"]},
        "total_mb": round(sum(entry["size"] for entry in manifest["files"]) / 2**20, 1),
    }


def _summary(runs: list[dict]) -> dict:
    return {
        "seconds": statistics.median(run["seconds"] for run in runs),
        "cpu_seconds": statistics.median(run["cpu_seconds"] for run in runs),
        "peak_pss_mb": max(run["peak"]["pss_mb"] for run in runs),
        "peak_rss_mb": max(run["peak"]["rss_mb"] for run in runs),
        "largest_process_mb": max(run["peak"]["largest_process_mb"] for run in runs),
    }


def _print(kind: str, runs: list[dict], summary: dict) -> None:
    for number, run in enumerate(runs, 1):
        counts = run["counts"]
        print(
            f"{kind} run {number}: {run['seconds']:,.1f} s (CPU {run['cpu_seconds']:,.1f} s, "
            f"load {run['load_average_at_start']:.1f}), peak PSS {run['peak']['pss_mb']:,.0f} MB "
            f"(RSS {run['peak']['rss_mb']:,.0f} MB, largest process "
            f"{run['peak']['largest_process_mb']:,.0f} MB); {counts['releases']:,} releases, "
            f"{counts['compiledReleases']:,} compiled, {counts['recompiledForSnapshot']:,} "
            f"recompiled; {run['total_mb']:,.0f} MiB written; source {run['source']}"
        )
    print(
        f"{kind} median: {summary['seconds']:,.1f} s; peak PSS {summary['peak_pss_mb']:,.0f} MB",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
