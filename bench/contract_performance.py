"""A supplier's contract performance record (issue 5, item 4; docs/contract-performance.md): how
long ``/api/registers/performance/suppliers/{identifier}`` takes to answer, on generated data
with its spend loaded and linked.

For each database: bench/registers_spend.py's data (``openbook generate --processes N --spend``,
``openbook load``, every spending file loaded and linked; kept in ``--workdir`` with
``--keep``); then, in a process of its own, the record of three suppliers (the one named by
the most processes the register reads, one at the 90th percentile of that count, one at the
median), each asked for through the test client ``--repeat`` times after one unmeasured
request: the median and the 95th percentile (nearest rank: of 5 runs, the slowest) of the
wall-clock time and of this process's CPU time (which other work on a shared machine changes
less; the database server's own is not in it), and the SQL statements one answer runs.

With ``--baseline DIR``, another copy of openbook (``git archive COMMIT | tar -x -C DIR``):
its ``openbook/contract_performance.py`` answers too, run by run in turn with this one (which
goes first alternates), so that a shared machine's noise falls on both alike; the two answers
are compared byte for byte, and the run fails if they differ. Only that module is the
baseline's: everything it calls is this copy's.

    python bench/contract_performance.py --keep                        # 20,000, both, 10 runs
    python bench/contract_performance.py --keep --baseline /tmp/before # before and after
    python bench/contract_performance.py --processes 2000 --databases sqlite --repeat 5
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

import registers_spend  # noqa: E402 (bench/registers_spend.py: its databases)
import spend_linkage  # noqa: E402 (bench/spend_linkage.py: its data)

PATH = "/api/registers/performance/suppliers/{}"


def main(argv: list[str] | None = None) -> int:
    parser = registers_spend.parser(__doc__, repeat=10, workdir="openbook-contract-performance")
    parser.add_argument("--baseline", type=Path, help="another copy of openbook to compare with")
    parser.add_argument("--json-out", type=Path, help="write the results as JSON")
    arguments = parser.parse_args(argv)
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.baseline)))
        return 0
    arguments.payments = None
    arguments.workdir.mkdir(parents=True, exist_ok=True)
    data = spend_linkage.prepare(arguments, arguments.workdir)
    results: dict = {"data": data, "load": os.getloadavg(), "databases": {}}
    for kind in [each.strip() for each in arguments.databases.split(",") if each.strip()]:
        name = f"openbook_bench_contract_performance_p{arguments.processes}"
        url, environment, ready = registers_spend.database(arguments, kind, data, name)
        command = [sys.executable, __file__, "--measure", str(arguments.repeat)]
        if arguments.baseline:
            command += ["--baseline", str(arguments.baseline.resolve())]
        try:
            done = subprocess.run(
                command, check=True, env=environment, capture_output=True, text=True
            )
        finally:
            if not arguments.keep:
                spend_linkage._drop(kind, arguments.postgres_url, url)
                ready.unlink(missing_ok=True)
        results["databases"][kind] = json.loads(done.stdout.strip().splitlines()[-1])
        _print(kind, results["databases"][kind])
    results["loadAfter"] = os.getloadavg()
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


def measure(repeat: int, baseline: Path | None) -> dict:
    """Each supplier's record, ``repeat`` times (and the baseline's, in turn); in ms."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    sys.path.insert(0, str(ROOT.parent))
    import django

    django.setup()
    from django.test import Client

    from openbook import contract_performance
    from openbook.web.api import contract_performance as api

    versions = {}
    if baseline is not None:
        versions["baseline"] = _module(baseline / "openbook" / "contract_performance.py")
    versions["current"] = contract_performance
    client = Client()
    found: dict = {"suppliers": {}}
    for label, (identifier, processes) in _suppliers().items():
        path = PATH.format(identifier)
        times: dict[str, list[float]] = {name: [] for name in versions}
        cpu: dict[str, list[float]] = {name: [] for name in versions}
        answers, statements = {}, {}
        for name, module in versions.items():
            api.contract_performance = module  # the module the API answers with
            answers[name] = client.get(path).content  # warm, and kept to compare
            statements[name] = _statements(client, path)
        for run in range(repeat):
            for name in list(versions) if run % 2 == 0 else list(reversed(versions)):
                api.contract_performance = versions[name]
                started, used = time.perf_counter(), time.process_time()
                answer = client.get(path)
                times[name].append((time.perf_counter() - started) * 1000)
                cpu[name].append((time.process_time() - used) * 1000)
                assert answer.status_code == 200, (path, answer.status_code, answer.content[:300])
        api.contract_performance = contract_performance
        found["suppliers"][label] = {
            "path": path,
            "processes": processes,
            "bytes": len(answers["current"]),
            "identical": len(set(answers.values())) == 1,
            **{
                name: {
                    "medianMs": round(statistics.median(each), 1),
                    "p95Ms": round(_p95(each), 1),
                    "cpuMedianMs": round(statistics.median(cpu[name]), 1),
                    "cpuP95Ms": round(_p95(cpu[name]), 1),
                    "statements": statements[name],
                    "runsMs": [round(value, 1) for value in each],
                }
                for name, each in times.items()
            },
        }
        assert found["suppliers"][label]["identical"], f"{label}: the answers differ"
    return found


def _statements(client, path: str) -> int:
    """How many SQL statements one answer runs."""
    from django.db import connection

    counted = []

    def count(execute, sql, params, many, context):
        counted.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    return len(counted)


def _suppliers() -> dict[str, tuple[str, int]]:
    """Suppliers by how many processes the register reads for them (those naming them as a
    supplier, with a performance or termination notice or at the implementation stage)."""
    from openbook.store.database import Store

    with Store().cursor() as cursor:
        cursor.execute(
            "SELECT p.identifier, COUNT(DISTINCT p.process_id) FROM process_party p"
            " JOIN process_search s ON s.id = p.process_id WHERE p.identifier IS NOT NULL"
            " AND ' ' || p.roles || ' ' LIKE '% supplier %' AND (s.stage = 'implementation'"
            " OR s.notice_types LIKE '%\nUK9\n%' OR s.notice_types LIKE '%\nUK11\n%')"
            " GROUP BY p.identifier ORDER BY 2 DESC, 1"
        )
        counted = cursor.fetchall()
    return {
        "the most processes": counted[0],
        "90th percentile": counted[len(counted) // 10],
        "median": counted[len(counted) // 2],
    }


def _module(path: Path):
    """The baseline's module, loaded from its file under a name of its own."""
    spec = importlib.util.spec_from_file_location("baseline_contract_performance", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _p95(values: list[float]) -> float:
    """The 95th percentile by nearest rank: a time no more than 5% of the runs exceeded."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def _print(kind: str, found: dict) -> None:
    print(kind, flush=True)
    for label, each in found["suppliers"].items():
        line = f"  {label} ({each['processes']} processes, {each['bytes']:,} bytes):"
        for name in ("baseline", "current"):
            if name in each:
                line += (
                    f" {name} median {each[name]['medianMs']} ms, p95 {each[name]['p95Ms']} ms"
                    f" (CPU {each[name]['cpuMedianMs']}, {each[name]['cpuP95Ms']} ms),"
                    f" {each[name]['statements']} statements;"
                )
        if "baseline" in each:
            line += " identical" if each["identical"] else " DIFFERENT"
        print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
