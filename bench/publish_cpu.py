"""CPU per release of the publish API's packages path, server and PostgreSQL apart, in one process.

bench/publish.py measures throughput with 32 publishers through gunicorn, which on a shared
2-core machine mostly measures the other work on the machine. This measures what a release
costs instead: on a fresh PostgreSQL database, the same 32 organisations and releases as
bench/publish.py (``publish.prepare_pool``), release packages posted one after another through
Django's test client (the whole request: authentication, parsing, checks, append, compile,
answer), round robin over the organisations, in one process holding one database connection.
For the measured packages it reports this process's CPU time (the server's side) and its
PostgreSQL backend's CPU time (``/proc/PID/schedstat``: the backend runs on this machine), in
milliseconds per release.

``--package-size 0`` sends bare releases, as bench/publish.py's single phase does; ``--profile
FILE`` adds a cProfile of the measured requests, in CPU time. ``--prefill N`` packages first
grow the log (the cost of some statements grows with it);
``--statements`` adds the backend's CPU time statement by statement (COPY and commits, which
Django's execute wrappers do not see, are the difference from the total). To compare two
versions of the code, run this with ``PYTHONPATH`` pointing at each tree in turn, interleaved;
docs/performance.md has results.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import cProfile
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: fresh databases
import publish as publish_bench  # bench/publish.py: the releases, as its publishers send them


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    name = f"openbook_bench_publish_cpu_{os.getpid()}"
    with (
        tempfile.TemporaryDirectory(prefix="openbook-bench-publish-cpu-") as data,
        load_bench.fresh_database("postgresql", Path(data), arguments.postgres_url, name) as url,
    ):
        # Before Django is set up (prepare_pool does it): the settings read these.
        os.environ.update(
            OPENBOOK_DATABASE_URL=url,
            OPENBOOK_DATA_DIR=data,
            OPENBOOK_RATE_LIMIT="0",
            OPENBOOK_OCID_PREFIX="ocds-test00",
            DJANGO_SETTINGS_MODULE="openbook.settings",
        )
        pool = publish_bench.prepare_pool(arguments.publishers, arguments.processes, arguments.seed)
        result = measure(pool, arguments)
    print(
        f"{result['releases']:,} releases in {result['packages']} packages of "
        f"{arguments.package_size}, after {result['log_before']:,} in the log: server "
        f"{result['server_ms']:.3f} ms, PostgreSQL {result['postgresql_ms']:.3f} ms, together "
        f"{result['server_ms'] + result['postgresql_ms']:.3f} ms of CPU a release "
        f"(wall {result['wall_ms']:.3f} ms; load average {os.getloadavg()[0]:.1f})"
    )
    for row in result.get("statements", [])[:25]:
        print(
            f"  {row['postgresql_ms_per_package']:7.2f} ms/package PostgreSQL CPU, "
            f"{row['calls_per_package']:5.1f} calls: {row['statement'][:110]}"
        )
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(result, indent=2))
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres-url", default=load_bench.DEFAULT_POSTGRES_URL)
    parser.add_argument("--publishers", type=int, default=32)
    parser.add_argument("--processes", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--package-size",
        type=int,
        default=100,
        help="releases a request (default 100); 0 for a bare release, as the single phase sends",
    )
    parser.add_argument(
        "--prefill", type=int, default=0, help="packages sent first, not measured (default 0)"
    )
    parser.add_argument(
        "--warmup", type=int, default=5, help="packages sent before measuring (default 5)"
    )
    parser.add_argument("--packages", type=int, default=40, help="packages measured (default 40)")
    parser.add_argument(
        "--statements",
        action="store_true",
        help="also PostgreSQL's CPU time by statement (costs a little CPU itself)",
    )
    parser.add_argument("--json-out", type=Path, metavar="FILE")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="FILE",
        help="also profile the measured packages with cProfile into FILE (costs CPU itself)",
    )
    return parser


def register(pool) -> list[str]:
    """The organisations registered, with a key each (returned), and the log's signing key made."""
    from openbook.publishing import publishers
    from openbook.store.database import Store, migrate

    store = Store()
    migrate(store)
    actor = publishers.Actor("cli:bench-publish-cpu")
    keys = []
    for organisation in pool.organisations:
        identifier = organisation.identifier
        found = publishers.add_publisher(
            store,
            organisation.name,
            f"{identifier['scheme']}-{identifier['id']}",
            actor,
            organisation.party_id,
        )
        keys.append(publishers.create_key(store, str(found.id), "bench", actor).secret)
    subprocess.run(
        [sys.executable, "-m", "openbook", "log", "sign"],
        env=os.environ,
        check=True,
        capture_output=True,
    )
    return keys


def measure(pool, arguments: argparse.Namespace) -> dict:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections, connection
    from django.test import Client

    from openbook.store.database import Store
    from openbook.store.log import log_size

    # One connection for the whole run, so that one backend's CPU time is the database's.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    keys = register(pool)
    senders = [
        publish_bench.Publisher(
            "http://127.0.0.1:1",
            key,
            organisation,
            publish_bench.Supply(organisation.releases),
            size=arguments.package_size,
            stop=None,  # type: ignore[arg-type]  # never started: only its packages are used
        )
        for key, organisation in zip(keys, pool.organisations, strict=True)
    ]
    client = Client()
    turn = iter(range(10**9))

    def send(count: int) -> int:
        created = 0
        for _ in range(count):
            sender = senders[next(turn) % len(senders)]
            releases = sender.supply.take(max(arguments.package_size, 1))
            response = client.post(
                publish_bench.PUBLISH_PATH,
                # 0: a bare release, as bench/publish.py's single phase sends
                sender._package(releases) if arguments.package_size else releases[0],
                content_type="application/json",
                HTTP_AUTHORIZATION=sender.headers["Authorization"],
            )
            if response.status_code != 201:
                raise SystemExit(f"{response.status_code}: {response.content[:1000]!r}")
            created += sum(
                release["status"] == "created" for release in response.json()["releases"]
            )
        return created

    send(arguments.prefill + arguments.warmup)
    before_size = log_size(Store())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")
    statements: dict[str, list] = collections.defaultdict(lambda: [0, 0])

    def backend_ns() -> int:
        return int(backend.read_text().split()[0])

    def timed(execute, sql, params, many, context):
        began = backend_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = statements[sql[:200]]
            entry[0] += 1
            entry[1] += backend_ns() - began

    began_cpu, began_wall, began_backend = _cpu(), time.perf_counter(), backend_ns()
    with (
        connection.execute_wrapper(timed) if arguments.statements else contextlib.nullcontext(),
        _profiled(arguments.profile),
    ):
        created = send(arguments.packages)
    cpu, wall, backend_cpu = (
        _cpu() - began_cpu,
        time.perf_counter() - began_wall,
        (backend_ns() - began_backend) / 1e9,
    )
    connection.close()
    result: dict = {
        "packages": arguments.packages,
        "releases": created,
        "log_before": before_size,
        "server_ms": cpu / created * 1000,
        "postgresql_ms": backend_cpu / created * 1000,
        "wall_ms": wall / created * 1000,
        "load_average": os.getloadavg(),
        "settings": {key: str(value) for key, value in vars(arguments).items()},
    }
    if arguments.statements:
        result["statements"] = [
            {
                "statement": sql,
                "calls_per_package": calls / arguments.packages,
                "postgresql_ms_per_package": ns / 1e6 / arguments.packages,
            }
            for sql, (calls, ns) in sorted(statements.items(), key=lambda item: -item[1][1])
        ]
    return result


@contextlib.contextmanager
def _profiled(into: Path | None) -> Iterator[None]:
    """cProfile, in CPU time, of what runs within, written to ``into`` (nothing if None)."""
    if into is None:
        yield
        return
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()
        profiler.dump_stats(into)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    sys.exit(main())
