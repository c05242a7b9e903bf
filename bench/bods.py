"""BODS benchmark: ``openbook bods load`` against validation alone with the ``jsonschema``
package, side by side on the same statements, and the ownership query's latency.

Statements are generated: groups of companies owning each other in chains up to six levels deep,
owned at the top by people, as BODS 0.4 entity, person and relationship statements (valid
against the schema). The reference is what the issue names: the Python ``jsonschema`` package
(Draft 2020-12, format checks on) validating each statement against the BODS 0.4 schema, and
nothing else; it runs on the first ``--reference-limit`` statements (a throughput on a prefix of
the same file, said so in the output), since validating a million statements that way takes an
hour. openbook is timed as a user runs it, ``python -m openbook bods load --json FILE`` in a
subprocess on a fresh database (SQLite, or with ``--database postgresql`` a new PostgreSQL
database), so the time covers reading, validating, storing, compiling the records and indexing
the ownership graph. Runs are interleaved when repeated. Besides wall-clock time, each side's
CPU time is reported (the reference's in this process; the load's, its subprocess's user and
system time), and the load average: on a busy machine, the CPU ratio is the steadier measure.
On PostgreSQL, the server's CPU time serving the load is reported too (its backends'
``/proc/PID/stat``, sampled, when the server runs on this machine), and the CPU ratio with it.

Then, on the database the last run loaded, ``--queries`` ownership queries (every path to the
ultimate owners, up to 10 levels) of entities at the bottom of chains, in this process: their
latency's median and 95th percentile.

    python bench/bods.py [--statements N] [--repeat K] [--reference-limit M] [--workdir DIR]
                         [--database sqlite|postgresql] [--postgres-url URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "openbook" / "standards" / "bods" / "data"
RATIO_TARGET = 8.0
QUERY_P95_MS = 50.0
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"


def generate(count: int, seed: int, path: Path) -> list[str]:
    """Write about ``count`` statements as JSON Lines; return the record ids of the entities at
    the bottom of chains (those the ownership queries ask about)."""
    rng = random.Random(seed)
    bottoms: list[str] = []
    written = 0
    group = 0
    with path.open("w", encoding="utf-8") as out:

        def write(statement: dict) -> None:
            nonlocal written
            out.write(json.dumps(statement, separators=(",", ":")) + "\n")
            written += 1

        while written < count:
            group += 1
            depth = rng.randint(1, 6)
            chain = [f"ent-{group}-{level}" for level in range(depth)]
            for level, record in enumerate(chain):
                write(_entity(record, f"{group:07d}{level:02d}", rng))
            owners = [f"per-{group}-{n}" for n in range(rng.randint(1, 3))]
            for person in owners:
                write(_person(person, rng))
            for level in range(depth - 1):
                write(_relationship(chain[level], chain[level + 1], rng.choice((51, 75, 100))))
            for person in owners:
                write(_relationship(chain[-1], person, round(100 / len(owners), 2)))
            bottoms.append(chain[0])
    return bottoms


def _statement(record_id: str, kind: str, details: dict, subject: str) -> dict:
    return {
        "statementId": f"{abs(hash((record_id, kind))):032d}"[:32].ljust(32, "0"),
        "statementDate": "2024-05-01",
        "publicationDetails": {
            "publicationDate": "2024-05-01",
            "bodsVersion": "0.4",
            "publisher": {"name": "Benchmark Register"},
        },
        "recordId": record_id,
        "recordType": kind,
        "recordStatus": "new",
        "declarationSubject": subject,
        "recordDetails": details,
    }


def _entity(record_id: str, number: str, rng: random.Random) -> dict:
    details = {
        "isComponent": False,
        "entityType": {"type": "registeredEntity"},
        "name": f"Company {number} Limited",
        "identifiers": [{"id": number[-8:], "scheme": "GB-COH"}],
        "foundingDate": f"{rng.randint(1980, 2023)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
        "addresses": [
            {
                "type": "registered",
                "address": f"{rng.randint(1, 200)} High Street",
                "country": {"name": "United Kingdom", "code": "GB"},
            }
        ],
    }
    return _statement(record_id, "entity", details, record_id)


def _person(record_id: str, rng: random.Random) -> dict:
    details = {
        "isComponent": False,
        "personType": "knownPerson",
        "names": [{"type": "legal", "fullName": f"Person {record_id}"}],
        "birthDate": f"{rng.randint(1940, 2000)}-0{rng.randint(1, 9)}",
        "nationalities": [{"name": "United Kingdom", "code": "GB"}],
    }
    return _statement(record_id, "person", details, record_id)


def _relationship(subject: str, party: str, share: float) -> dict:
    details = {
        "isComponent": False,
        "subject": subject,
        "interestedParty": party,
        "interests": [
            {
                "type": "shareholding",
                "directOrIndirect": "direct",
                "beneficialOwnershipOrControl": party.startswith("per-"),
                "share": {"exact": share},
                "startDate": "2020-01-01",
            }
        ],
    }
    return _statement(f"rel-{subject}-{party}", "relationship", details, subject)


def reference(path: Path, limit: int) -> tuple[int, float, float]:
    """Validate the first ``limit`` statements with the jsonschema package; (count, seconds,
    CPU seconds)."""
    import jsonschema
    from referencing import Registry, Resource

    schemas = {}
    for name in (
        "statement",
        "entity-record",
        "person-record",
        "relationship-record",
        "components",
    ):
        schema = json.loads((SCHEMA / f"{name}.json").read_text())
        schemas[schema["$id"]] = Resource.from_contents(schema)
    registry = Registry().with_resources(schemas.items())
    statement_schema = {
        "$ref": "urn:statement#/$defs/Statement",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
    }
    validator = jsonschema.Draft202012Validator(
        statement_schema, registry=registry, format_checker=jsonschema.FormatChecker()
    )
    started, cpu_started = time.perf_counter(), time.process_time()
    count = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if count >= limit:
                break
            errors = list(validator.iter_errors(json.loads(line)))
            assert not errors, errors[0]
            count += 1
    return count, time.perf_counter() - started, time.process_time() - cpu_started


def fresh_database(kind: str, workdir: Path, postgres_url: str, run: int) -> str:
    """A new, empty database for a run: its URL."""
    if kind == "sqlite":
        database = workdir / f"bods-{run}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{database}"
    import psycopg

    name = f"openbook_bench_bods_{os.getpid()}_{run}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))


def drop_database(url: str, postgres_url: str) -> None:
    if url.startswith("postgresql"):
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def openbook_load(path: Path, url: str, postgres_url: str) -> tuple[int, float, float, float]:
    """Load the file with ``openbook bods load``: (statements loaded, seconds, CPU seconds of
    the subprocess, CPU seconds of the PostgreSQL server processes serving it: 0 on SQLite, and
    when the server is not on this machine)."""
    environment = {**os.environ, "OPENBOOK_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "openbook", "migrate"],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    server = _ServerCPU(url, postgres_url) if url.startswith("postgresql") else None
    cpu_before = _children_cpu()
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "openbook", "bods", "load", "--json", str(path)],
        env=environment,
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    report = json.loads(done.stdout)
    assert report["invalid"] == 0 and not report["unusable"], report
    return report["loaded"], seconds, cpu, server.stop() if server else 0.0


def _children_cpu() -> float:
    usage = os.times()
    return usage.children_user + usage.children_system


class _ServerCPU:
    """The CPU time of the PostgreSQL backends serving a database, as the kernel counts it
    (``/proc/PID/stat``), sampled every 50 ms from a thread until ``stop``: the load's waiting
    on the server is its server's work, which the subprocess's CPU time leaves out."""

    def __init__(self, url: str, postgres_url: str) -> None:
        import threading

        self.name = urlsplit(url).path.lstrip("/")
        self.postgres_url = postgres_url
        self.seen: dict[int, float] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        import psycopg

        tick = os.sysconf("SC_CLK_TCK")
        with psycopg.connect(self.postgres_url, autocommit=True) as admin:
            while not self.done.is_set():
                for (pid,) in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.name]
                ).fetchall():
                    try:
                        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue  # ended, or not on this machine
                    self.seen[pid] = (int(fields[11]) + int(fields[12])) / tick
                self.done.wait(0.05)

    def stop(self) -> float:
        self.done.set()
        self.thread.join()
        return sum(self.seen.values())


def queries(url: str, bottoms: list[str], count: int, seed: int) -> list[float]:
    os.environ["OPENBOOK_DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    import django

    django.setup()
    from openbook import ownership
    from openbook.store.database import Store

    store = Store()
    rng = random.Random(seed)
    timings = []
    for record_id in rng.sample(bottoms, min(count, len(bottoms))):
        started = time.perf_counter()
        found = ownership.owners(store, record_id, "2026-01-01")
        timings.append((time.perf_counter() - started) * 1000)
        assert found is not None and found["records"][0]["paths"], record_id
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--statements", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--reference-limit", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL)
    arguments = parser.parse_args()
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="openbook-bods-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"bods-{arguments.statements}-seed{arguments.seed}.jsonl"
    print(f"generating about {arguments.statements:,} statements ...", flush=True)
    bottoms = generate(arguments.statements, arguments.seed, data)
    total = sum(1 for _ in data.open())
    print(f"generated: {total:,} statements, {data.stat().st_size / 2**20:.0f} MiB", flush=True)
    reference_rates, openbook_rates, cpu_ratios, server_ratios, loads = [], [], [], [], []
    url = None
    for run in range(1, arguments.repeat + 1):
        count, seconds, reference_cpu = reference(data, arguments.reference_limit)
        reference_rates.append(count / seconds)
        print(
            f"run {run}: reference (jsonschema, first {count:,})  {seconds:7.1f} s  "
            f"{count / seconds:9,.0f}/s  (CPU {reference_cpu / count * 1e6:,.0f} us a statement)",
            flush=True,
        )
        if url is not None:
            drop_database(url, arguments.postgres_url)
        url = fresh_database(arguments.database, workdir, arguments.postgres_url, run)
        loaded, seconds, cpu, server = openbook_load(data, url, arguments.postgres_url)
        openbook_rates.append(total / seconds)
        cpu_ratios.append((reference_cpu / count) / (cpu / total))
        server_ratios.append((reference_cpu / count) / ((cpu + server) / total))
        loads.append(os.getloadavg()[0])
        print(
            f"run {run}: openbook bods load ({loaded:,} loaded, {arguments.database})  "
            f"{seconds:7.1f} s  {total / seconds:9,.0f}/s  (CPU {cpu / total * 1e6:,.0f} us a "
            f"statement; CPU ratio {cpu_ratios[-1]:.2f}"
            + (
                f"; server CPU {server / total * 1e6:,.0f} us a statement, CPU ratio with it "
                f"{server_ratios[-1]:.2f}"
                if server
                else ""
            )
            + f"; load average {loads[-1]:.1f})",
            flush=True,
        )
    ratio = statistics.median(openbook_rates) / statistics.median(reference_rates)
    assert url is not None
    timings = queries(url, bottoms, arguments.queries, arguments.seed)
    drop_database(url, arguments.postgres_url)
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"\nmachine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}); "
        f"statements {total:,}; runs {arguments.repeat}; database {arguments.database}; "
        f"load average {min(loads):.1f} to {max(loads):.1f}\n"
        f"median throughput: openbook {statistics.median(openbook_rates):,.0f}/s, reference "
        f"{statistics.median(reference_rates):,.0f}/s: ratio {ratio:.2f} (by CPU time: "
        f"{statistics.median(cpu_ratios):.2f}"
        + (
            f"; with the server's CPU: {statistics.median(server_ratios):.2f}"
            if arguments.database == "postgresql"
            else ""
        )
        + ")\n"
        f"ownership query over {len(timings)} entities: median "
        f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms"
    )
    passed = True
    for name, ok, measured in [
        (f"load / jsonschema >= {RATIO_TARGET}", ratio >= RATIO_TARGET, f"{ratio:.2f}"),
        (f"ownership query p95 < {QUERY_P95_MS} ms", p95 < QUERY_P95_MS, f"{p95:.1f}"),
    ]:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: measured {measured}")
        passed &= ok
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
