"""Load benchmark: ``openbook load`` against the reference OCDS pipeline, side by side.

The reference pipeline is what a careful user of the field's Python tools would write: parse each
release with ``json.loads``, validate it with the ``jsonschema`` package (Draft 4, every error,
format checks on) against the OCDS 1.1.5 release schema, and compile each process with
``ocdsmerge`` and the same local schema. openbook is timed as a user runs it: ``python -m
openbook load --no-progress --json FILE`` in a subprocess, on a fresh, already migrated database,
so the time covers parsing, review, canonical form, storing, compiling and indexing.

Both pipelines run in subprocesses on the same file in the same run, interleaved when repeated,
so that a shared, noisy machine slows both alike; the figure that counts is the ratio of their
throughputs (docs/performance.md says why, and gives the results and targets).

``--memory N`` instead loads an N-release file on SQLite and reports the peak memory of the load
(all its processes), sampled from /proc while it runs.

Run ``python bench/load.py --help`` for the options.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import json
import math
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
RELEASE_SCHEMA = SHARED_DATA / "ocds-schema-1.1" / "release-schema.json"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"

# The targets: (data, database) -> least ratio of openbook's throughput to the reference's.
RATIO_TARGETS = {
    ("generated", "sqlite"): 5.0,
    ("generated", "postgresql"): 3.0,
    ("real", "sqlite"): 3.0,
}
MIN_RELEASES_PER_SECOND = {("generated", "sqlite"): 5000.0}
MEMORY_LIMIT_MB = 500.0
OPENBOOK = [sys.executable, "-m", "openbook"]
OPENBOOK_LOAD = [*OPENBOOK, "load", "--no-progress", "--json"]
RELEASES_PER_PROCESS = 4.0  # a first guess at openbook.generate's output; corrected if short


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    if arguments.reference_only:
        result = reference_pipeline(
            arguments.reference_only, arguments.schema, arguments.reference_limit
        )
        print(json.dumps(result))
        return 0
    with workdir(arguments.workdir) as folder:
        if arguments.memory:
            result = memory_benchmark(arguments, folder)
        else:
            result = throughput_benchmark(arguments, folder)
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if all(target["passed"] for target in result["targets"]) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Time openbook's full load (parse, review, store, compile, index) against "
        "the reference pipeline (json.loads, jsonschema Draft 4 with format checks, ocdsmerge) "
        "on the same data, on SQLite and PostgreSQL; or measure the load's peak memory.",
    )
    data = parser.add_mutually_exclusive_group()
    data.add_argument(
        "--releases",
        type=_positive,
        default=100_000,
        metavar="N",
        help="generated releases to load (default 100,000)",
    )
    data.add_argument(
        "--real",
        action="store_true",
        help="load every real OCDS package or release file in the shared data",
    )
    data.add_argument(
        "--memory",
        type=_positive,
        nargs="?",
        const=1_000_000,
        metavar="N",
        help="load an N-release generated file (default 1,000,000) on SQLite and "
        "report the peak memory; no reference run",
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--databases",
        default="sqlite,postgresql",
        help="comma-separated: sqlite, postgresql (default both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=DEFAULT_POSTGRES_URL,
        help="a PostgreSQL server where the benchmark may create and drop "
        f"databases (default {DEFAULT_POSTGRES_URL})",
    )
    parser.add_argument(
        "--repeat",
        type=_positive,
        default=1,
        metavar="K",
        help="runs of each pipeline, interleaved; medians are reported",
    )
    parser.add_argument(
        "--reference-limit",
        type=_positive,
        metavar="M",
        help="time the reference on the first M releases only (a throughput "
        "on a prefix of the same file; said so in the output)",
    )
    parser.add_argument(
        "--no-reference",
        action="store_true",
        help="time openbook only (absolute figures, no ratios)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=SHARED_DATA,
        help=f"the shared data folder (default {SHARED_DATA})",
    )
    parser.add_argument(
        "--schema",
        type=Path,
        default=RELEASE_SCHEMA,
        help="the release schema for the reference pipeline",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep generated files and databases here (reused by later runs) "
        "instead of a temporary folder",
    )
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="also write results as JSON")
    parser.add_argument(
        "--reference-only",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="run only the reference pipeline on these files and print its "
        "counts and timings as JSON (what the benchmark runs in a subprocess)",
    )
    return parser


def _positive(text: str) -> int:
    value = int(text.replace(",", "").replace("_", ""))
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


@contextlib.contextmanager
def workdir(given: Path | None, prefix: str = "openbook-bench-") -> Iterator[Path]:
    """``given`` (created if need be, and kept), or a temporary folder removed afterwards."""
    if given is not None:
        given.mkdir(parents=True, exist_ok=True)
        yield given.resolve()
        return
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- the reference pipeline ------------------------------------------------------------------


def reference_pipeline(paths: list[Path], schema_path: Path, limit: int | None = None) -> dict:
    """Parse, validate and compile as the field's Python tools do; counts and phase timings.

    Run in its own process by the benchmark, which times the whole process from outside; the
    phase timings here say where the reference spends its time."""
    started = time.perf_counter()
    import jsonschema
    import ocdsmerge
    from ocdsmerge.exceptions import OCDSMergeError

    schema = json.loads(schema_path.read_text())
    checker = jsonschema.Draft4Validator.FORMAT_CHECKER
    validator = jsonschema.Draft4Validator(schema, format_checker=checker)
    # A schema given as a dict is dereferenced in memory; its $refs are all '#/definitions/...'.
    merger = ocdsmerge.Merger(schema=schema)
    setup = time.perf_counter() - started

    parse = validate = 0.0
    releases = invalid = errors = 0
    processes: dict[str, list[dict]] = defaultdict(list)
    clock = time.perf_counter
    for release, parse_time in _reference_releases(paths, limit):
        parse += parse_time
        before = clock()
        found = list(validator.iter_errors(release))
        validate += clock() - before
        releases += 1
        if found:
            invalid += 1
            errors += len(found)
        ocid = release.get("ocid") if isinstance(release, dict) else None
        if isinstance(ocid, str):
            processes[ocid].append(release)

    before = clock()
    compiled = compile_errors = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate ids in arrays: the merge resolves them
        for group in processes.values():
            try:
                merger.create_compiled_release(group)
                compiled += 1
            except (OCDSMergeError, TypeError, RecursionError):
                compile_errors += 1
    return {
        "releases": releases,
        "invalid": invalid,
        "errors": errors,
        "processes": len(processes),
        "compiled": compiled,
        "compile_errors": compile_errors,
        "formats_checked": sorted(checker.checkers),
        "seconds": {
            "setup": round(setup, 3),
            "parse": round(parse, 3),
            "validate": round(validate, 3),
            "compile": round(clock() - before, 3),
            "total": round(clock() - started, 3),
        },
    }


def _reference_releases(paths: list[Path], limit: int | None) -> Iterator[tuple[object, float]]:
    """Each release with the time spent parsing it (a package's time is shared out)."""
    count = 0
    for document, took in _documents(paths):
        found = list(releases_in(document))
        for release in found:
            yield release, took / len(found)
            count += 1
            if limit is not None and count >= limit:
                return


def _documents(paths: list[Path]) -> Iterator[tuple[object, float]]:
    """Each JSON document, parsed with the standard library: a JSON Lines file line by line,
    any other file whole; with the seconds its parsing took."""
    clock = time.perf_counter
    for path in paths:
        with path.open("rb") as file:
            if path.suffix != ".jsonl":
                before = clock()
                document = json.load(file)
                yield document, clock() - before
                continue
            for line in file:
                if line.strip():
                    before = clock()
                    document = json.loads(line)
                    yield document, clock() - before


def releases_in(document: object) -> Iterator[dict]:
    """The releases a document carries: a release package's, a record package's embedded ones
    (a linked release, ``url`` without ``id`` or ``ocid``, is not there to load), or itself."""
    if not isinstance(document, dict):
        return
    if isinstance(document.get("releases"), list):
        yield from (item for item in document["releases"] if isinstance(item, dict))
    elif isinstance(document.get("records"), list):
        for record in document["records"]:
            listed = record.get("releases") if isinstance(record, dict) else None
            for item in listed if isinstance(listed, list) else []:
                if isinstance(item, dict) and ("id" in item or "ocid" in item or "url" not in item):
                    yield item
    elif "ocid" in document:
        yield document


# -- the data --------------------------------------------------------------------------------


def generated_file(releases: int, seed: int, workdir: Path) -> Path:
    """The first ``releases`` releases (publication order) of a generated run, as JSON Lines.

    Written once per (releases, seed) in ``workdir``. The generator counts processes, not
    releases, so enough processes are generated and the file is cut at the wanted count."""
    from openbook.generate import generate_releases, write_jsonl

    path = workdir / f"generated-{releases}-seed{seed}.jsonl"
    if path.exists():
        return path
    whole = workdir / f"generated-{releases}-seed{seed}.whole.jsonl"
    processes = math.ceil(releases / RELEASES_PER_PROCESS)
    while True:
        with whole.open("wb") as out:
            written = write_jsonl(generate_releases(processes, seed), out)
        if written >= releases:
            break
        processes = math.ceil(processes * releases / written * 1.05)
    with whole.open("rb") as source, path.with_suffix(".part").open("wb") as out:
        for _ in range(releases):
            out.write(source.readline())
    whole.unlink()
    path.with_suffix(".part").rename(path)
    return path


def real_files(data: Path) -> tuple[list[Path], int]:
    """Every OCDS release package, record package or bare release file in the shared data's
    ``ocds-*`` folders, and how many releases they carry (embedded ones, for records)."""
    chosen, releases = [], 0
    for path in sorted(data.glob("ocds-*/**/*")):
        if path.suffix not in (".json", ".jsonl") or not path.is_file():
            continue
        try:
            text = path.read_bytes()
            documents = (
                [json.loads(line) for line in text.splitlines() if line.strip()]
                if path.suffix == ".jsonl"
                else [json.loads(text)]
            )
        except ValueError:
            continue  # empty or not JSON: not a package
        if documents and all(_is_ocds_document(document) for document in documents):
            chosen.append(path)
            releases += sum(len(list(releases_in(document))) for document in documents)
    return chosen, releases


def _is_ocds_document(document: object) -> bool:
    if not isinstance(document, dict):
        return False
    return (
        isinstance(document.get("releases"), list)
        or isinstance(document.get("records"), list)
        or ("ocid" in document and "id" in document)
    )


# -- databases -------------------------------------------------------------------------------


@contextlib.contextmanager
def fresh_database(kind: str, workdir: Path, postgres_url: str, name: str) -> Iterator[str]:
    """A new, empty database's URL, dropped (or deleted) afterwards."""
    if kind == "sqlite":
        path = workdir / f"{name}.sqlite3"
        _remove_sqlite(path)
        try:
            yield f"sqlite:///{path}"
        finally:
            _remove_sqlite(path)
        return
    import psycopg

    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(postgres_url)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- running and timing ----------------------------------------------------------------------


def _environment(database_url: str, workdir: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment["OPENBOOK_DATABASE_URL"] = database_url
    environment["OPENBOOK_DATA_DIR"] = str(workdir / "data")
    return environment


def _timed(command: list[str], environment: dict[str, str], output: Path) -> dict:
    """Run a command, its standard output to a file; wall and CPU seconds (its children's too,
    once it has waited for them), peak RSS of its largest process, exit code."""
    load = os.getloadavg()[0]
    with output.open("wb") as out, (output.with_suffix(".err")).open("wb") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=environment, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "max_rss_mb": usage.ru_maxrss / 1024,
        "exit": child.returncode,
        "load_average_at_start": load,
    }


def run_openbook(paths: list[Path], database_url: str, workdir: Path, label: str) -> dict:
    environment = _environment(database_url, workdir)
    # Creating the tables is set-up, not loading: done before the clock starts.
    subprocess.run([*OPENBOOK, "migrate"], env=environment, check=True, stdout=subprocess.DEVNULL)
    output = workdir / f"{label}.json"
    source = source_digest()
    timing = _timed([*OPENBOOK_LOAD, *map(str, paths)], environment, output)
    timing["source"] = source
    try:
        report = json.loads(output.read_text())
    except ValueError:
        error = output.with_suffix(".err").read_text()[-2000:]
        raise SystemExit(f"openbook load failed (exit {timing['exit']}):\n{error}") from None
    timing["totals"] = report["totals"]
    return timing


def run_reference(
    paths: list[Path], schema: Path, limit: int | None, workdir: Path, label: str
) -> dict:
    output = workdir / f"{label}.json"
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--schema",
        str(schema),
        "--reference-only",
        *map(str, paths),
    ]
    if limit is not None:
        command[2:2] = ["--reference-limit", str(limit)]
    timing = _timed(command, dict(os.environ), output)
    if timing["exit"] != 0:
        error = output.with_suffix(".err").read_text()[-2000:]
        raise SystemExit(f"the reference pipeline failed (exit {timing['exit']}):\n{error}")
    timing["counts"] = json.loads(output.read_text())
    return timing


def throughput_benchmark(arguments: argparse.Namespace, workdir: Path) -> dict:
    databases = [name.strip() for name in arguments.databases.split(",") if name.strip()]
    unknown = sorted(set(databases) - {"sqlite", "postgresql"})
    if unknown:
        raise SystemExit(f"unknown database {', '.join(unknown)}: use sqlite and/or postgresql")
    facts = machine_facts(arguments.postgres_url if "postgresql" in databases else None)
    if arguments.real:
        kind = "real"
        paths, releases = real_files(arguments.data)
        described = f"real samples: {releases:,} releases in {len(paths)} files"
    else:
        kind = "generated"
        print(f"generating {arguments.releases:,} releases (seed {arguments.seed}) ...", flush=True)
        paths = [generated_file(arguments.releases, arguments.seed, workdir)]
        releases = arguments.releases
        described = f"generated: {releases:,} releases, seed {arguments.seed}"
    size = sum(path.stat().st_size for path in paths)
    described += f", {size / 2**20:,.0f} MiB of JSON"
    limit = arguments.reference_limit
    if limit is not None and limit >= releases:
        limit = None
    print(described, flush=True)
    if limit is not None:
        print(
            f"the reference is timed on the first {limit:,} releases of the same data "
            "(its throughput is compared)",
            flush=True,
        )

    runs: list[dict] = []
    for repeat in range(1, arguments.repeat + 1):
        steps = ([("reference", None)] if not arguments.no_reference else []) + [
            ("openbook", database) for database in databases
        ]
        if repeat % 2 == 0:  # alternate the order, so that drift does not favour one side
            steps.reverse()
        for pipeline, database in steps:
            label = f"run{repeat}-{pipeline}-{database or 'memory'}"
            if pipeline == "reference":
                timing = run_reference(paths, arguments.schema, limit, workdir, label)
                counted = limit or releases
            else:
                name = f"openbook_bench_{os.getpid()}_{repeat}"
                with fresh_database(database, workdir, arguments.postgres_url, name) as url:
                    timing = run_openbook(paths, url, workdir, label)
                counted = releases
            timing.update(
                run=repeat,
                pipeline=pipeline,
                database=database,
                releases=counted,
                per_second=counted / timing["wall"],
            )
            runs.append(timing)
            _print_run(timing)
            if kind == "generated" and pipeline == "openbook":
                _check_complete(timing["totals"], releases)

    facts["load_after"] = os.getloadavg()
    summary = _summary(runs, databases)
    targets = _targets(summary, kind, releases)
    result = {
        "data": described,
        "kind": kind,
        "releases": releases,
        "reference_limit": limit,
        "machine": facts,
        "runs": runs,
        "summary": summary,
        "targets": targets,
    }
    _print_summary(result)
    return result


def _check_complete(totals: dict, releases: int) -> None:
    if totals["read"] != releases or totals["loaded"] != releases or totals["rejected"]:
        print(
            f"WARNING: openbook read {totals['read']:,} and loaded {totals['loaded']:,} of "
            f"{releases:,} generated releases, and rejected {totals['rejected']:,}"
        )


def _summary(runs: list[dict], databases: list[str]) -> list[dict]:
    reference_runs = [run for run in runs if run["pipeline"] == "reference"]
    reference = _row("reference", None, reference_runs, None) if reference_runs else None
    rows = [reference] if reference else []
    for database in databases:
        own = [run for run in runs if run["database"] == database]
        rows.append(_row("openbook", database, own, reference))
    return rows


def _row(pipeline: str, database: str | None, runs: list[dict], reference: dict | None) -> dict:
    rate = statistics.median(run["per_second"] for run in runs)
    cpu_per_release = statistics.median(run["cpu"] / run["releases"] for run in runs)
    return {
        "pipeline": pipeline,
        "database": database,
        "runs": len(runs),
        "median_seconds": statistics.median(run["wall"] for run in runs),
        "median_cpu_seconds": statistics.median(run["cpu"] for run in runs),
        "median_per_second": rate,
        "median_cpu_ms_per_release": cpu_per_release * 1000,
        # openbook's throughput over the reference's: the ratio the targets are set on
        "ratio": rate / reference["median_per_second"] if reference else None,
        # the reference's CPU time per release over openbook's (openbook may use several cores)
        "cpu_ratio": reference["median_cpu_ms_per_release"] / (cpu_per_release * 1000)
        if reference
        else None,
    }


def _targets(summary: list[dict], kind: str, releases: int) -> list[dict]:
    targets = []
    for row in summary:
        if row["pipeline"] != "openbook":
            continue
        key = (kind, row["database"])
        if key in RATIO_TARGETS and row["ratio"] is not None:
            wanted = RATIO_TARGETS[key]
            targets.append(
                {
                    "target": f"{kind}, {row['database']}: openbook / reference >= {wanted:g}",
                    "measured": round(row["ratio"], 2),
                    "passed": row["ratio"] >= wanted,
                }
            )
        if key in MIN_RELEASES_PER_SECOND:
            wanted = MIN_RELEASES_PER_SECOND[key]
            targets.append(
                {
                    "target": f"{kind}, {row['database']}: releases/s >= {wanted:,.0f}",
                    "measured": round(row["median_per_second"]),
                    "passed": row["median_per_second"] >= wanted,
                }
            )
    if kind == "generated" and releases != 100_000:
        for target in targets:
            target["target"] += f" (set for 100,000 releases; this run: {releases:,})"
    return targets


def _print_run(run: dict) -> None:
    where = run["database"] or "-"
    if run["pipeline"] == "openbook":
        totals = run["totals"]
        extra = (
            f"read {totals['read']:,}, loaded {totals['loaded']:,}, duplicates "
            f"{totals['duplicates']:,}, conflicts {totals['conflicts']:,}, compiled "
            f"{totals['compiled']:,}; source {run['source']}"
        )
    else:
        counts = run["counts"]
        seconds = counts["seconds"]
        extra = (
            f"invalid {counts['invalid']:,}, compiled {counts['compiled']:,}; setup "
            f"{seconds['setup']:.1f} s, parse {seconds['parse']:.1f} s, validate "
            f"{seconds['validate']:.1f} s, compile {seconds['compile']:.1f} s"
        )
    print(
        f"run {run['run']}: {run['pipeline']:<9} {where:<10} {run['releases']:>9,} releases "
        f"{run['wall']:8.1f} s (cpu {run['cpu']:7.1f} s, max rss {run['max_rss_mb']:6.0f} MB) "
        f"{run['per_second']:9,.0f}/s  [{extra}]",
        flush=True,
    )


def _print_summary(result: dict) -> None:
    facts = result["machine"]
    print()
    print(f"data: {result['data']}")
    print(
        f"machine: {facts['cpus']} CPUs ({facts['cpu_model']}), {facts['memory_gb']} GB; "
        f"load average before {facts['load_before'][0]:.2f}, after "
        f"{facts['load_after'][0]:.2f}"
    )
    print()
    print(
        "| pipeline | database | runs | median s | releases/s | ratio | CPU ms/release "
        "| CPU ratio |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in result["summary"]:
        reference = row["pipeline"] == "reference"
        ratio = "1" if reference else "-" if row["ratio"] is None else f"{row['ratio']:.2f}"
        cpu_ratio = (
            "1" if reference else "-" if row["cpu_ratio"] is None else (f"{row['cpu_ratio']:.2f}")
        )
        print(
            f"| {row['pipeline']} | {row['database'] or '-'} | {row['runs']} | "
            f"{row['median_seconds']:,.1f} | {row['median_per_second']:,.0f} | {ratio} | "
            f"{row['median_cpu_ms_per_release']:.2f} | {cpu_ratio} |"
        )
    reference = next((run for run in result["runs"] if run["pipeline"] == "reference"), None)
    if reference is not None:
        checked = reference["counts"]["formats_checked"]
        print(f"\nreference format checks: {', '.join(checked)}")
        missing = sorted({"date-time", "uri"} - set(checked))
        if missing:
            print(
                f"WARNING: jsonschema cannot check {', '.join(missing)} here, which the OCDS "
                "schema uses: install rfc3339-validator and rfc3986-validator, or the "
                "reference does less work than openbook"
            )
    if result["targets"]:
        print()
        for target in result["targets"]:
            verdict = "PASS" if target["passed"] else "FAIL"
            print(f"{verdict}  {target['target']}: measured {target['measured']:,}")


# -- peak memory -----------------------------------------------------------------------------


def memory_benchmark(arguments: argparse.Namespace, workdir: Path) -> dict:
    """Peak memory of ``openbook load`` on an N-release file, on SQLite.

    The load runs in a child; this process samples, every 0.1 s, the memory of the child and
    all its descendants (the review and compile workers) from /proc/PID/smaps_rollup and keeps
    the largest totals: resident (RSS, pages shared between processes counted in each),
    proportional (PSS, shared pages split between the processes sharing them: the memory the
    load takes from the machine, the figure the target is checked on) and anonymous (heap, not
    file pages such as SQLite's memory-mapped database)."""
    facts = machine_facts(None)
    print(f"generating {arguments.memory:,} releases (seed {arguments.seed}) ...", flush=True)
    path = generated_file(arguments.memory, arguments.seed, workdir)
    size_mb = path.stat().st_size / 2**20
    print(f"generated: {arguments.memory:,} releases, {size_mb:,.0f} MiB", flush=True)
    with fresh_database("sqlite", workdir, arguments.postgres_url, "openbook_memory") as url:
        environment = _environment(url, workdir)
        subprocess.run(
            [*OPENBOOK, "migrate"], env=environment, check=True, stdout=subprocess.DEVNULL
        )
        output = workdir / "memory-load.json"
        source = source_digest()
        with output.open("wb") as out, output.with_suffix(".err").open("wb") as err:
            started = time.perf_counter()
            child = subprocess.Popen(
                [*OPENBOOK_LOAD, str(path)], env=environment, stdout=out, stderr=err
            )
            peak: dict[str, float] = defaultdict(float)
            while True:
                _sample_tree(child.pid, peak)
                pid, status, usage = os.wait4(child.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.1)
            wall = time.perf_counter() - started
            child.returncode = os.waitstatus_to_exitcode(status)
        database = Path(url.removeprefix("sqlite:///"))
        database_mb = database.stat().st_size / 2**20
    try:
        totals = json.loads(output.read_text())["totals"]
    except ValueError:
        error = output.with_suffix(".err").read_text()[-2000:]
        raise SystemExit(f"openbook load failed:\n{error}") from None
    peak["largest_process_mb"] = max(peak["largest_process_mb"], usage.ru_maxrss / 1024)
    result = {
        "data": f"generated: {arguments.memory:,} releases, seed {arguments.seed}, "
        f"{size_mb:,.0f} MiB of JSON",
        "kind": "memory",
        "releases": arguments.memory,
        "machine": facts | {"load_after": os.getloadavg()},
        "source": source,
        "seconds": wall,
        "per_second": arguments.memory / wall,
        "totals": totals,
        "database_mb": database_mb,
        "peak": dict(peak),
        "targets": [
            {
                "target": f"peak memory (PSS, all processes of the load) < {MEMORY_LIMIT_MB:g} MB",
                "measured": round(peak["pss_mb"]),
                "passed": peak["pss_mb"] < MEMORY_LIMIT_MB,
            }
        ],
    }
    print()
    print(f"data: {result['data']}")
    print(
        f"load: {wall:,.1f} s, {result['per_second']:,.0f} releases/s; read "
        f"{totals['read']:,}, loaded {totals['loaded']:,}, compiled {totals['compiled']:,}; "
        f"database {database_mb:,.0f} MiB; source {source}"
    )
    print(f"peak memory, all processes of the load together (up to {peak['processes']:.0f}):")
    print(
        f"  PSS {peak['pss_mb']:,.0f} MB, RSS {peak['rss_mb']:,.0f} MB, anonymous "
        f"{peak['anonymous_mb']:,.0f} MB, file-backed (PSS) {peak['pss_file_mb']:,.0f} MB"
    )
    print(
        f"  the loading process alone: RSS {peak['main_rss_mb']:,.0f} MB, anonymous "
        f"{peak['main_anonymous_mb']:,.0f} MB; largest process RSS (kernel's high-water "
        f"mark) {peak['largest_process_mb']:,.0f} MB"
    )
    for target in result["targets"]:
        verdict = "PASS" if target["passed"] else "FAIL"
        print(f"{verdict}  {target['target']}: measured {target['measured']:,} MB")
    return result


def _sample_tree(root: int, peak: dict[str, float]) -> None:
    """Add up the memory of ``root`` and its descendants now; keep the largest figures."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))
    now: dict[str, float] = defaultdict(float)
    pids = [root]
    while pids:
        pid = pids.pop()
        pids.extend(children.get(pid, []))
        figures = _kilobytes(f"/proc/{pid}/smaps_rollup")
        if not figures:
            continue  # gone meanwhile
        now["processes"] += 1
        for name, key in (
            ("Rss", "rss_mb"),
            ("Pss", "pss_mb"),
            ("Anonymous", "anonymous_mb"),
            ("Pss_File", "pss_file_mb"),
        ):
            now[key] += figures.get(name, 0) / 1024
        if pid == root:
            now["main_rss_mb"] = figures.get("Rss", 0) / 1024
            now["main_anonymous_mb"] = figures.get("Anonymous", 0) / 1024
        hwm = _kilobytes(f"/proc/{pid}/status").get("VmHWM", 0) / 1024
        peak["largest_process_mb"] = max(peak["largest_process_mb"], hwm)
    for key, value in now.items():
        peak[key] = max(peak[key], value)


def _kilobytes(path: str) -> dict[str, int]:
    """The ``Name: N kB`` lines of a /proc file (empty once the process has gone)."""
    try:
        text = Path(path).read_text()
    except OSError:
        return {}
    found = {}
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            found[name] = int(value.split()[0])
    return found


# -- the machine -----------------------------------------------------------------------------


def machine_facts(postgres_url: str | None) -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in cpuinfo.splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    facts = {
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory, 1),
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "openbook": _source_state(),
        "openbook_source_digest": source_digest(),
        "packages": {
            name: _version(name)
            for name in (
                "jsonschema",
                "ocdsmerge",
                "jsonschema-rs",
                "orjson",
                "ijson",
                "django",
                "psycopg",
                "rfc3339-validator",
                "rfc3986-validator",
            )
        },
    }
    if postgres_url:
        import psycopg

        with psycopg.connect(postgres_url) as connection:
            for setting in ("server_version", "shared_buffers", "synchronous_commit", "fsync"):
                facts[f"postgresql_{setting}"] = connection.execute(f"SHOW {setting}").fetchone()[0]
    return facts


def _source_state() -> str:
    """The commit measured, and whether the package's files differ from it."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    try:
        commit = _output([git, "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
        changed = _output([git, "-C", str(ROOT), "status", "--porcelain", "openbook"])
    except subprocess.CalledProcessError:
        return "unknown (not a git checkout)"
    return f"{commit} with uncommitted changes under openbook/" if changed else commit


def source_digest() -> str:
    """A digest of openbook's Python files as they are now: runs with the same digest ran the
    same code, even if the working tree was being edited during the benchmark."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "openbook").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _output(command: list[str]) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


if __name__ == "__main__":
    sys.exit(main())
