"""BODS benchmark: ``openbook bods load`` against validation alone with the ``jsonschema``
package, side by side on the same statements, and the ownership query's latency.

Statements are generated: groups of companies owning each other in chains up to six levels deep,
owned at the top by people, as BODS 0.4 entity, person and relationship statements (valid
against the schema). The reference is what the issue names: the Python ``jsonschema`` package
(Draft 2020-12, format checks on) validating each statement against the BODS 0.4 schema, and
nothing else; it runs on the first ``--reference-limit`` statements (a throughput on a prefix of
the same file, said so in the output), since validating a million statements that way takes an
hour. openbook is timed as a user runs it, ``python -m openbook bods load --json FILE`` in a
subprocess on a fresh SQLite database, so the time covers reading, validating, storing,
compiling the records and indexing the ownership graph. Runs are interleaved when repeated.

Then, on the database the last run loaded, ``--queries`` ownership queries (every path to the
ultimate owners, up to 10 levels) of entities at the bottom of chains, in this process: their
latency's median and 95th percentile.

    python bench/bods.py [--statements N] [--repeat K] [--reference-limit M] [--workdir DIR]
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

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "openbook" / "standards" / "bods" / "data"
RATIO_TARGET = 8.0
QUERY_P95_MS = 50.0


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


def reference(path: Path, limit: int) -> tuple[int, float]:
    """Validate the first ``limit`` statements with the jsonschema package; (count, seconds)."""
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
    started = time.perf_counter()
    count = 0
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if count >= limit:
                break
            errors = list(validator.iter_errors(json.loads(line)))
            assert not errors, errors[0]
            count += 1
    return count, time.perf_counter() - started


def openbook_load(path: Path, workdir: Path, run: int) -> tuple[int, float, Path]:
    database = workdir / f"bods-{run}.sqlite3"
    database.unlink(missing_ok=True)
    environment = {**os.environ, "OPENBOOK_DATABASE_URL": f"sqlite:///{database}"}
    subprocess.run(
        [sys.executable, "-m", "openbook", "migrate"],
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "openbook", "bods", "load", "--json", str(path)],
        env=environment,
        capture_output=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    report = json.loads(done.stdout)
    assert report["invalid"] == 0 and not report["unusable"], report
    return report["loaded"], seconds, database


def queries(database: Path, bottoms: list[str], count: int, seed: int) -> list[float]:
    os.environ["OPENBOOK_DATABASE_URL"] = f"sqlite:///{database}"
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
    arguments = parser.parse_args()
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="openbook-bods-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"bods-{arguments.statements}-seed{arguments.seed}.jsonl"
    print(f"generating about {arguments.statements:,} statements ...", flush=True)
    bottoms = generate(arguments.statements, arguments.seed, data)
    total = sum(1 for _ in data.open())
    print(f"generated: {total:,} statements, {data.stat().st_size / 2**20:.0f} MiB", flush=True)
    reference_rates, openbook_rates = [], []
    database = None
    for run in range(1, arguments.repeat + 1):
        count, seconds = reference(data, arguments.reference_limit)
        reference_rates.append(count / seconds)
        print(
            f"run {run}: reference (jsonschema, first {count:,})  {seconds:7.1f} s  "
            f"{count / seconds:9,.0f}/s",
            flush=True,
        )
        loaded, seconds, database = openbook_load(data, workdir, run)
        openbook_rates.append(total / seconds)
        print(
            f"run {run}: openbook bods load ({loaded:,} loaded)  {seconds:7.1f} s  "
            f"{total / seconds:9,.0f}/s",
            flush=True,
        )
    ratio = statistics.median(openbook_rates) / statistics.median(reference_rates)
    assert database is not None
    timings = queries(database, bottoms, arguments.queries, arguments.seed)
    p95 = statistics.quantiles(timings, n=20)[18]
    print(
        f"\nmachine: {os.cpu_count()} CPUs ({platform.processor() or platform.machine()}); "
        f"statements {total:,}; runs {arguments.repeat}\n"
        f"median throughput: openbook {statistics.median(openbook_rates):,.0f}/s, reference "
        f"{statistics.median(reference_rates):,.0f}/s: ratio {ratio:.2f}\n"
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
