"""Spend in the commercial tools and contract performance registers (issue 5, item 4): how long
the API takes to answer with the spend figures, which are computed when read
(openbook.linked_spend), on generated data with its spend loaded and linked.

For each database: ``openbook generate --processes N --spend DIR`` (as bench/spend_linkage.py
writes it), ``openbook load``, every spending file loaded and linked (bench/spend_linkage.py's
run, in its own process); then, in a process of its own, each answer below asked for through
the test client ``--repeat`` times, and again with the spend sums left out (the registers as
they were), the median of each:

- the tool with the most call-offs, and a tool of the median count, whole
  (``/api/registers/commercial-tools/{ocid}``);
- a page of 100 tools (``/api/registers/commercial-tools?limit=100``);
- a page of 100 contracts (``/api/registers/performance?limit=100``);
- the performance record of the supplier with the most contracts
  (``/api/registers/performance/suppliers/{identifier}``).

With the spend, the time spent in the sums' SQL alone (openbook.store.linked_spend) is
measured too: on a shared machine it is the steadier figure of the spend's cost.

    python bench/registers_spend.py                                  # 20,000, both, 5 runs
    python bench/registers_spend.py --processes 2000 --databases sqlite   # quick
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import spend_linkage  # noqa: E402 (bench/spend_linkage.py: its data and its run)


def parser(doc: str, *, repeat: int, workdir: str) -> argparse.ArgumentParser:
    """The arguments of the benchmarks on this script's databases (this one and
    bench/contract_performance.py): the data, the databases, the runs, where they are kept."""
    found = argparse.ArgumentParser(description=doc.split("\n\n", maxsplit=1)[0])
    found.add_argument("--processes", type=int, default=20_000)
    found.add_argument("--seed", type=int, default=1)
    found.add_argument("--databases", default="sqlite,postgresql")
    found.add_argument("--postgres-url", default=spend_linkage.DEFAULT_POSTGRES_URL)
    found.add_argument("--repeat", type=int, default=repeat)
    found.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / workdir)
    found.add_argument("--keep", action="store_true", help="keep (and reuse) the databases")
    found.add_argument("--measure", type=int, help=argparse.SUPPRESS)  # in-process, N runs
    return found


def main(argv: list[str] | None = None) -> int:
    arguments = parser(__doc__, repeat=5, workdir="openbook-registers-spend").parse_args(argv)
    if arguments.measure:
        print(json.dumps(measure(arguments.measure)))
        return 0
    arguments.payments = None
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    data = spend_linkage.prepare(arguments, arguments.workdir)
    results = {"data": data, "databases": {}}
    for kind in [each.strip() for each in arguments.databases.split(",") if each.strip()]:
        name = f"openbook_bench_registers_spend_p{arguments.processes}"
        url, environment, ready = database(arguments, kind, data, name)
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--measure", str(arguments.repeat)],
                check=True,
                env=environment,
                capture_output=True,
                text=True,
            )
        finally:
            if not arguments.keep:
                spend_linkage._drop(kind, arguments.postgres_url, url)
                ready.unlink(missing_ok=True)
        results["databases"][kind] = json.loads(done.stdout.strip().splitlines()[-1])
        _print(kind, results["databases"][kind])
    return 0


def database(arguments, kind: str, data: dict, name: str) -> tuple[str, dict, Path]:
    """The database ``name`` with the data loaded and its spend linked, made unless ``--keep``
    finds it ready: its URL, the environment that uses it, and its ready file."""
    url = spend_linkage._url(kind, arguments.workdir, arguments.postgres_url, name)
    environment = spend_linkage._environment(url, arguments.workdir)
    ready = arguments.workdir / f"{name}-{kind}.ready"
    if not (arguments.keep and ready.exists()):
        spend_linkage._drop(kind, arguments.postgres_url, url)
        ready.unlink(missing_ok=True)
        if kind == "postgresql":
            spend_linkage._admin(arguments.postgres_url, f'CREATE DATABASE "{name}"')
        started = time.monotonic()
        for command in (
            [*spend_linkage.OPENBOOK, "migrate"],
            [*spend_linkage.OPENBOOK, "load", "--no-progress", "--json", data["releasesFile"]],
            [sys.executable, str(ROOT / "spend_linkage.py"), "--driver", data["spend"]],
        ):
            subprocess.run(command, check=True, env=environment, capture_output=True)
        ready.write_text(f"{time.monotonic() - started:.1f}\n")
    return url, environment, ready


def measure(repeat: int) -> dict:
    """Each answer, ``repeat`` times with the spend figures and without; medians in ms."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    sys.path.insert(0, str(ROOT.parent))
    import django

    django.setup()
    from django.test import Client

    from openbook.store import linked_spend
    from openbook.store.database import Store

    store = Store()
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT related_ocid, COUNT(*) FROM process_link WHERE relationship = 'framework'"
            " AND related_ocid IN (SELECT ocid FROM commercial_tool)"
            " GROUP BY related_ocid ORDER BY 2 DESC, 1"
        )
        counted = cursor.fetchall()
        cursor.execute(
            "SELECT p.identifier, COUNT(DISTINCT p.process_id) FROM process_party p"
            " JOIN process_search s ON s.id = p.process_id WHERE p.identifier IS NOT NULL"
            " AND p.roles LIKE '%supplier%' AND s.stage = 'implementation'"
            " GROUP BY p.identifier ORDER BY 2 DESC, 1 LIMIT 1"
        )
        supplier, supplier_processes = cursor.fetchone()
        cursor.execute("SELECT COUNT(*), SUM(CASE WHEN linked THEN 1 ELSE 0 END) FROM spend_link")
        links, linked = cursor.fetchone()
    largest, largest_count = counted[0]
    middle, middle_count = counted[len(counted) // 2]
    asked = {
        f"tool, most call-offs ({largest_count})": f"/api/registers/commercial-tools/{largest}",
        f"tool, median call-offs ({middle_count})": f"/api/registers/commercial-tools/{middle}",
        "tools, page of 100": "/api/registers/commercial-tools?limit=100",
        "performance, page of 100": "/api/registers/performance?limit=100",
        f"supplier's record ({supplier_processes} processes)": (
            f"/api/registers/performance/suppliers/{supplier}"
        ),
    }
    client = Client()
    originals = {
        name: getattr(linked_spend, name)
        for name in ("through_call_offs", "on_processes", "on_contracts")
    }
    found: dict = {
        "tools": len(counted),
        "spendLinks": links,
        "linked": linked,
        "answers": {},
    }
    inside = [0.0]  # seconds in the spend sums' SQL, this answer

    def timed(original):
        def run(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                inside[0] += time.perf_counter() - started

        return run

    for label, path in asked.items():
        times: dict[str, list[float]] = {"with": [], "without": [], "sums": []}
        client.get(path)  # warm
        for _ in range(repeat):
            for variant in ("with", "without"):
                for name, original in originals.items():
                    setattr(
                        linked_spend,
                        name,
                        timed(original) if variant == "with" else (lambda *args, **kwargs: []),
                    )
                inside[0] = 0.0
                started = time.perf_counter()
                answer = client.get(path)
                times[variant].append((time.perf_counter() - started) * 1000)
                if variant == "with":
                    times["sums"].append(inside[0] * 1000)
                assert answer.status_code == 200, (path, answer.status_code, answer.content[:300])
        for name, original in originals.items():
            setattr(linked_spend, name, original)
        found["answers"][label] = {
            "path": path,
            "bytes": len(client.get(path).content),
            "withSpendMs": round(statistics.median(times["with"]), 1),
            "withoutSpendMs": round(statistics.median(times["without"]), 1),
            "spendSumsMs": round(statistics.median(times["sums"]), 1),
        }
    return found


def _print(kind: str, found: dict) -> None:
    print(f"{kind}: {found['tools']} tools, {found['linked']:,} of {found['spendLinks']:,} linked")
    for label, each in found["answers"].items():
        print(
            f"  {label:<40} {each['withSpendMs']:>8} ms with spend (its sums "
            f"{each['spendSumsMs']} ms), {each['withoutSpendMs']:>8} ms without "
            f"({each['bytes']:,} bytes)",
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
