"""Payments file benchmark (issue 9, item 1): a quarter's payments published from one file.

For each database, each run starts from a fresh database holding ``--contracts`` procurements of
one organisation, each with its contract (tender, award and contract details notices, loaded
with ``openbook load``, not timed), and times, as a user runs them:

- ``openbook publish payments FILE`` of ``--payments`` rows spread over the contracts (every
  contract paid ``payments / contracts`` times): the file read and checked, a UK8 notice per
  contract, all published through the publish use case in one request;
- the same command again: every row already published, nothing stored (what a re-send costs).

The figures are the commands' wall-clock seconds (the Python start included), the median of
``--repeat`` runs.

    python bench/payments_file.py --contracts 200 --payments 1000 --repeat 5
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
BUYER = {"id": "GB-PPON-PXXX-1234-BCDG", "name": "Example Borough Council"}
SUPPLIER = {"id": "GB-COH-01234567", "name": "Green Spaces Ltd"}
OPENBOOK = [sys.executable, "-m", "openbook"]
POSTGRES = os.environ.get(
    "OPENBOOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--payments", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    arguments = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="openbook-bench-payments-") as work:
        directory = Path(work)
        releases, payments = _files(directory, arguments.contracts, arguments.payments)
        result = {
            "contracts": arguments.contracts,
            "payments": arguments.payments,
            "repeat": arguments.repeat,
        }
        for kind in arguments.databases.split(","):
            first, again = [], []
            for run in range(arguments.repeat):
                with _database(kind.strip(), directory, run) as environment:
                    _run(["load", str(releases)], environment)
                    _run(
                        ["publisher", "add", "--name", BUYER["name"], "--identifier", BUYER["id"]],
                        environment,
                    )
                    command = ["publish", "payments", str(payments), "--publisher", BUYER["id"]]
                    first.append(_run(command, environment))
                    again.append(_run(command, environment))
            result[kind] = {
                "publish_seconds": round(statistics.median(first), 3),
                "again_seconds": round(statistics.median(again), 3),
                "runs": {"publish": first, "again": again},
            }
    print(json.dumps(result, indent=2))
    return 0


def _files(directory: Path, contracts: int, payments: int) -> tuple[Path, Path]:
    releases = directory / "releases.jsonl"
    with releases.open("wb") as out:
        for n in range(contracts):
            ocid = f"ocds-bench1-{n:06d}"
            for release in _procurement(ocid):
                out.write(orjson.dumps(release) + b"\n")
    rows = directory / "payments.csv"
    with rows.open("w", encoding="utf-8") as out:
        out.write("ocid,contract_id,payment_date,amount,payment_id\n")
        for n in range(payments):
            day = 1 + n % 28
            out.write(f"ocds-bench1-{n % contracts:06d},1,2026-05-{day:02d},{30001 + n},P{n}\n")
    return releases, rows


def _procurement(ocid: str) -> list[dict]:
    """A tender, its award and its contract's details notice (UK4, UK6, UK7), as the publish
    tests' factories write them (tests/publishing.py)."""

    def notice(code, day, tag, **fields) -> dict:
        document = {"id": f"{code}-notice", "noticeType": code, "datePublished": f"{day}T10:00:00Z"}
        release = {
            "ocid": ocid,
            "id": f"{ocid}-{code}",
            "date": f"{day}T10:00:00Z",
            "tag": tag,
            "initiationType": "tender",
            "buyer": BUYER,
            "parties": [{**BUYER, "roles": ["buyer"]}, {**SUPPLIER, "roles": ["supplier"]}],
            "tender": {"id": "T1", "title": "Grounds maintenance"},
            **fields,
        }
        section = release["tender"] if code == "UK4" else release[fields and next(iter(fields))][0]
        section.setdefault("documents", []).append(document)
        return release

    tendered = notice(
        "UK4",
        "2025-06-02",
        ["tender"],
        tender={
            "id": "T1",
            "title": "Grounds maintenance",
            "value": {"amount": 250000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2025-07-04T12:00:00+01:00"},
        },
    )
    tendered["parties"] = tendered["parties"][:1]
    awarded = notice(
        "UK6",
        "2025-07-15",
        ["award"],
        awards=[
            {
                "id": "1",
                "date": "2025-07-14T09:00:00+01:00",
                "suppliers": [SUPPLIER],
                "value": {"amount": 240000, "currency": "GBP"},
            }
        ],
    )
    contracted = notice(
        "UK7",
        "2025-08-01",
        ["contract"],
        contracts=[
            {
                "id": "1",
                "awardID": "1",
                "dateSigned": "2025-07-28T09:00:00+01:00",
                "value": {"amount": 240000, "currency": "GBP"},
            }
        ],
    )
    return [tendered, awarded, contracted]


@contextlib.contextmanager
def _database(kind: str, directory: Path, run: int) -> Iterator[dict]:
    environment = {**os.environ, "OPENBOOK_DATA_DIR": str(directory / f"data-{kind}-{run}")}
    if kind == "sqlite":
        environment["OPENBOOK_DATABASE_URL"] = f"sqlite:///{directory}/bench-{run}.sqlite3"
        yield environment
        return
    import psycopg

    name = f"openbook_bench_payments_{os.getpid()}_{run}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    environment["OPENBOOK_DATABASE_URL"] = f"{POSTGRES.rsplit('/', 1)[0]}/{name}"
    try:
        yield environment
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _run(command: list[str], environment: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [*OPENBOOK, *command], env=environment, cwd=ROOT, capture_output=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"openbook {' '.join(command[:2])} failed: {done.stderr.decode()[-2000:]}")
    return round(seconds, 3)


if __name__ == "__main__":
    raise SystemExit(main())
