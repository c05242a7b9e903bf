"""Publish API benchmark: concurrent publishers sending releases through a real server.

On a fresh database, N organisations (default 32, the issue's figure) are registered with one
API key each, ``openbook serve`` (gunicorn, as operators run it) answers on loopback, and this
script is N publishers at once, each a thread with its own key sending as fast as its answers
come (a closed loop: the next request leaves when the answer to the last one has arrived). Two
phases, each with a warm-up and then ``--runs`` timed windows of ``--seconds`` back to back:

- single: each request one release (``POST /api/publish/releases`` with a bare release);
- packages: each request a release package of ``--package-size`` releases (default 100).

The releases are ``openbook.generate``'s, published by their own buyers: the N organisations
are the generator's N buyers with the most releases, registered under their own identifiers, and
each publishes its own processes in publication order, so every release names its key's
organisation as buyer and follows its process's earlier notices. ocids stay under the
generator's prefix (``ocds-openbk``), which stands for a publisher's own registered prefix
(docs/publishing-api.md: such ocids need no minting). A publisher that reaches the end of its
releases starts them again as new processes (every ocid re-numbered), so nothing is sent twice.

Afterwards the public change feed is followed from its start, and every accepted release must
be in it exactly once, at the log sequence number its ``201`` gave; then a tree head is signed
(``openbook log sign``) and ``openbook verify`` checks the database. bench/README.md says
more; results go in docs/performance.md.
"""

from __future__ import annotations

import argparse
import base64
import collections
import contextlib
import http.client
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load as load_bench  # bench/load.py: fresh databases, machine facts
import served  # bench/served.py: the server, the client's CPU time, percentiles

from openbook.generate import EXTENSIONS

PUBLISH_PATH = "/api/publish/releases"
GENERATED_OCIDS = b"ocds-openbk-gen-"  # openbook.generate's ocids: its prefix and "gen-"
# The targets, on PostgreSQL, for 32 publishers, packages of 100, sustained.
TARGETS = {"single": ("accepted requests/s", 150.0), "packages": ("releases/s", 1500.0)}
MEDIAN_KEYS = {"single": "accepted_requests_per_second", "packages": "releases_per_second"}
FULL_SIZE = {"publishers": 32, "package_size": 100, "seconds": 30.0, "runs": 5}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    pool = prepare_pool(arguments.publishers, arguments.processes, arguments.seed)
    print(
        f"releases: {pool.releases:,} of {pool.generated:,} generated ({arguments.processes:,} "
        f"processes, seed {arguments.seed}) belong to the {arguments.publishers} buyers chosen "
        f"({pool.smallest:,} to {pool.largest:,} each); {pool.dropped:,} left out, refused by "
        f"the notice rules ({_counts(pool.dropped_codes)})",
        flush=True,
    )
    results: dict = {
        "machine": load_bench.machine_facts(
            arguments.postgres_url if "postgresql" in arguments.databases else None
        ),
        "settings": {
            key: value if isinstance(value, int | float | str) or value is None else str(value)
            for key, value in vars(arguments).items()
        },
        "server": f"openbook serve: gunicorn, {arguments.workers} sync workers",
        "pool": pool.summary(),
        "databases": {},
    }
    with load_bench.workdir(arguments.workdir, "openbook-bench-publish-") as workdir:
        for kind in arguments.databases:
            name = f"openbook_bench_publish_{os.getpid()}"
            with load_bench.fresh_database(kind, workdir, arguments.postgres_url, name) as url:
                data = workdir / f"data-{kind}"
                shutil.rmtree(data, ignore_errors=True)  # signing keys of an earlier run
                data.mkdir()
                result = measure(kind, url, data, pool, arguments)
            results["databases"][kind] = result
    results["machine"]["load_after"] = os.getloadavg()
    results["targets"] = targets(results, arguments)
    _print_targets(results["targets"])
    if arguments.json_out:
        arguments.json_out.write_text(json.dumps(results, indent=2))
    return 0 if all(target["passed"] for target in results["targets"]) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="The issue's measurement: python bench/publish.py (PostgreSQL, 32 publishers, "
        "30 s windows, 5 runs, packages of 100). A quick check: python bench/publish.py "
        "--publishers 4 --seconds 3 --runs 1 --package-size 10. Exit code 0 only if every "
        "target and check passed.",
    )
    parser.add_argument(
        "--databases",
        nargs="+",
        choices=["postgresql", "sqlite"],
        default=["postgresql"],
        help="each gets a fresh database, dropped afterwards (default: postgresql; the targets "
        "are checked on PostgreSQL only)",
    )
    parser.add_argument("--postgres-url", default=load_bench.DEFAULT_POSTGRES_URL)
    parser.add_argument(
        "--publishers",
        type=_positive,
        default=32,
        help="organisations, each one key and one concurrent client thread (default 32)",
    )
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="length of each timed run (default 30)"
    )
    parser.add_argument("--runs", type=_positive, default=5, help="timed runs a phase (default 5)")
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds sent before each phase's first run, not counted (default 5)",
    )
    parser.add_argument(
        "--package-size", type=_positive, default=100, help="releases a package (default 100)"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=4,
        help="gunicorn sync workers (default 4: see bench/README.md)",
    )
    parser.add_argument(
        "--processes",
        type=_positive,
        default=20_000,
        help="processes generated for the pool of releases, before any timing (default 20,000)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="for the SQLite database and the signing keys (default: a "
        "temporary folder, removed afterwards)",
    )
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="every run, as JSON")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


# -- the releases ----------------------------------------------------------------------------


@dataclass
class Organisation:
    party_id: str  # the generator's buyer id, SCHEME-ID
    name: str
    identifier: dict  # the buyer party's identifier: scheme, id, legalName
    releases: list[bytes]  # its releases, in publication order, as JSON


@dataclass
class Pool:
    organisations: list[Organisation]
    generated: int
    dropped: int = 0
    dropped_codes: collections.Counter = field(default_factory=collections.Counter)

    @property
    def releases(self) -> int:
        return sum(len(organisation.releases) for organisation in self.organisations)

    @property
    def smallest(self) -> int:
        return min(len(organisation.releases) for organisation in self.organisations)

    @property
    def largest(self) -> int:
        return max(len(organisation.releases) for organisation in self.organisations)

    def summary(self) -> dict:
        return {
            "generated": self.generated,
            "releases": self.releases,
            "dropped": self.dropped,
            "dropped_codes": dict(self.dropped_codes),
            "organisations": [
                {"party_id": o.party_id, "name": o.name, "releases": len(o.releases)}
                for o in self.organisations
            ],
        }


def prepare_pool(publishers: int, processes: int, seed: int) -> Pool:
    """The generator's releases of its ``publishers`` busiest buyers, each buyer's in order.

    A process is cut at its first release that the publish API would refuse under the UK notice
    rules (with the process's earlier releases as history, and the API's own test of what
    blocks), with every later release of it: the generator makes a few lifecycles the rules
    refuse (a contract details notice before the award notice, for one), and a benchmark of the
    server must not count the generator's mistakes as the server's errors. The count left out is
    reported. Runs before any timing; imports Django only for the API's blocking test."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    import django

    django.setup()
    from openbook.generate import generate_releases
    from openbook.publishing.publish import NOT_BLOCKING
    from openbook.standards.uk.rules import check_notice

    by_buyer: dict[str, list[bytes]] = collections.defaultdict(list)
    generated = 0
    for release in generate_releases(processes, seed):  # streamed: kept as JSON, not objects
        # copied: orjson's own buffer keeps kilobytes of spare room (as openbook.generate notes)
        by_buyer[release["buyer"]["id"]].append(bytes(memoryview(orjson.dumps(release))))
        generated += 1
    if len(by_buyer) < publishers:
        raise SystemExit(
            f"{processes:,} generated processes have only {len(by_buyer)} buyers: ask for more "
            "--processes or fewer --publishers"
        )
    busiest = sorted(by_buyer, key=lambda buyer: (-len(by_buyer[buyer]), buyer))[:publishers]
    pool = Pool([], generated)
    for buyer in busiest:
        releases, kept = by_buyer.pop(buyer), []
        party = next(p for p in orjson.loads(releases[0])["parties"] if p["id"] == buyer)
        histories: dict[str, list[dict]] = collections.defaultdict(list)
        refused: set[str] = set()
        for body in releases:  # a process has one buyer: its history is all here
            release = orjson.loads(body)
            ocid = release["ocid"]
            # A later release of a process cut is counted as such, not by what the
            # rules then find in it (often only that its cut notice is missing from its history).
            if ocid in refused:
                pool.dropped += 1
                pool.dropped_codes["(a later release of a process cut)"] += 1
                continue
            blocking = [
                problem.code
                for problem in check_notice(release, histories[ocid])
                if problem.severity == "error" and not problem.code.startswith(NOT_BLOCKING)
            ]
            if blocking:
                refused.add(ocid)
                pool.dropped += 1
                pool.dropped_codes.update(blocking)
                continue
            histories[ocid].append(release)
            kept.append(body)
        if not kept:
            raise SystemExit(f"every release of {buyer} is refused by the notice rules")
        pool.organisations.append(Organisation(buyer, party["name"], party["identifier"], kept))
    return pool


class Supply:
    """One organisation's releases, endlessly: after its last, its first again as new processes
    (every generated ocid re-numbered, ``ocds-openbk-r1-...``), so no release is sent twice and
    each process's notices still come in order."""

    def __init__(self, releases: list[bytes]) -> None:
        self.releases, self.position, self.cycle = releases, 0, 0

    def take(self, count: int) -> list[bytes]:
        taken: list[bytes] = []
        while len(taken) < count:
            if self.position == len(self.releases):
                self.position, self.cycle = 0, self.cycle + 1
            release = self.releases[self.position]
            self.position += 1
            if self.cycle:
                release = release.replace(GENERATED_OCIDS, b"ocds-openbk-r%d-" % self.cycle)
            taken.append(release)
        return taken


# -- the benchmark on one database -----------------------------------------------------------


def measure(kind: str, url: str, data: Path, pool: Pool, arguments: argparse.Namespace) -> dict:
    environment = served.environment(url, data)
    environment["OPENBOOK_OCID_PREFIX"] = "ocds-test00"  # the platform's, not the generator's
    keys = register(environment, pool.organisations)
    # The log's key, made and recorded by the first `openbook log sign` as at installation: the
    # publish API signs entry timestamps with it, and never makes one itself.
    subprocess.run(
        [*served.OPENBOOK, "log", "sign"], env=environment, capture_output=True, check=True
    )
    supplies = [Supply(organisation.releases) for organisation in pool.organisations]
    result: dict = {"database": kind, "phases": {}}
    with served.served(environment, arguments.port, arguments.workers) as base:
        meters = Meters(base, url if kind == "postgresql" else None)
        result["shared_connections"] = meters.shared_connections()
        if result["shared_connections"]:
            print(
                f"{kind}: WARNING: {result['shared_connections']} connection(s) to the database "
                "are held by several of the server's processes (opened before gunicorn forked "
                "its workers): their queries will garble each other's",
                flush=True,
            )
        for phase, size in (("single", 0), ("packages", arguments.package_size)):
            print(f"{kind}: {phase}...", flush=True)
            outcome = run_phase(
                base, keys, pool, supplies, size=size, arguments=arguments, meters=meters
            )
            result["phases"][phase] = outcome
            _print_phase(kind, phase, outcome)
        accepted = [entry for phase in result["phases"].values() for entry in phase.pop("accepted")]
        print(f"{kind}: following the feed for {len(accepted):,} releases...", flush=True)
        result["feed"] = check_feed(base, accepted)
    _print_feed(kind, result["feed"])
    result["verify"] = verify(environment)
    print(f"{kind}: {result['verify']['summary']}", flush=True)
    return result


def register(environment: dict[str, str], organisations: list[Organisation]) -> list[str]:
    """Register each organisation and make it one publisher key, through the use cases the
    ``openbook publisher add`` and ``openbook key create`` commands run, in one subprocess (the
    database is created and migrated there first); the keys, in order."""
    wanted = [
        {
            "name": o.name,
            "identifier": f"{o.identifier['scheme']}-{o.identifier['id']}",
            "party_id": o.party_id,
        }
        for o in organisations
    ]
    code = (
        "from openbook.publishing import publishers\n"
        "store = Store(); migrate(store)\n"
        "actor = publishers.Actor('cli:bench-publish')\n"
        "keys = []\n"
        f"for o in json.loads({json.dumps(wanted)!r}):\n"
        "    found = publishers.add_publisher(\n"
        "        store, o['name'], o['identifier'], actor, o['party_id'])\n"
        "    created = publishers.create_key(store, str(found.id), 'bench/publish.py', actor)\n"
        "    keys.append(created.secret)\n"
        "print(json.dumps(keys))\n"
    )
    keys = served.run_python(code, environment)
    assert isinstance(keys, list)
    return keys


# -- the publishers --------------------------------------------------------------------------


class Publisher(threading.Thread):
    """One organisation's system: a closed loop of requests on one connection (gunicorn's sync
    workers close it after each answer; http.client then opens a new one)."""

    def __init__(
        self,
        base: str,
        key: str,
        organisation: Organisation,
        supply: Supply,
        *,
        size: int,
        stop: threading.Event,
    ) -> None:
        super().__init__(daemon=True)
        self.address = urlsplit(base)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        self.organisation, self.supply, self.size, self.stop = organisation, supply, size, stop
        self.packages = 0
        # (finished, latency, status, releases accepted) for every request
        self.log: list[tuple[float, float, int | str, int]] = []
        self.accepted: list[tuple[str, str, int]] = []  # (ocid, id, sequence) from the 201s
        self.failures: list[str] = []  # the first few refusals, for the report

    def run(self) -> None:
        connection = http.client.HTTPConnection(
            self.address.hostname or "127.0.0.1", self.address.port, timeout=120
        )
        while not self.stop.is_set():
            releases = self.supply.take(self.size or 1)
            body = self._package(releases) if self.size else releases[0]
            began = time.perf_counter()
            status: int | str
            try:
                connection.request("POST", PUBLISH_PATH, body, self.headers)
                response = connection.getresponse()
                answer, status = response.read(), response.status
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                answer, status = b"", type(error).__name__
            finished = time.perf_counter()
            accepted = self._accepted(answer) if status == 201 else 0
            if accepted < 0:
                status, accepted = "201 with a duplicate", 0
            if status != 201 and len(self.failures) < 3:
                self.failures.append(f"{status}: {_refusal(answer)}")
            self.log.append((finished, finished - began, status, accepted))
        connection.close()

    def _package(self, releases: list[bytes]) -> bytes:
        self.packages += 1
        identifier = self.organisation.identifier
        metadata = {
            "uri": f"https://etendering.example/{self.organisation.party_id}/ocds/"
            f"packages/{self.packages}.json",
            "version": "1.1",
            "publishedDate": datetime.now(UTC).isoformat(timespec="seconds"),
            "publisher": {
                "name": self.organisation.name,
                "scheme": identifier["scheme"],
                "uid": identifier["id"],
            },
            "extensions": list(EXTENSIONS),
        }
        return orjson.dumps(metadata)[:-1] + b',"releases":[' + b",".join(releases) + b"]}"

    def _accepted(self, answer: bytes) -> int:
        """The releases a 201 stored, kept for the feed check; -1 if it calls any a duplicate
        (nothing is sent twice, so that would be wrong)."""
        releases = orjson.loads(answer)["releases"]
        created = [release for release in releases if release["status"] == "created"]
        self.accepted += [
            (release["ocid"], release["id"], release["sequence"]) for release in created
        ]
        return len(created) if len(created) == len(releases) else -1


def _refusal(answer: bytes) -> str:
    """An error answer in short: its code and message, and its blocking problems."""
    try:
        error = orjson.loads(answer)["error"]
    except (ValueError, KeyError, TypeError):
        return answer[:300].decode("utf-8", "replace")
    blocking = [
        f"{problem.get('pointer')} {problem.get('code')}: {problem.get('message', '')[:160]}"
        for problem in error.get("problems", [])
        if problem.get("blocking", True)
    ]
    return f"{error.get('code')}: {error.get('message')}" + "".join(
        f"\n      {text}" for text in blocking[:3]
    )


class Meters:
    """CPU time at a moment: this client's, the server's (gunicorn and its workers), this
    database's PostgreSQL backends', and the whole machine's busy and total, from /proc."""

    def __init__(self, base: str, postgres_url: str | None) -> None:
        port = urlsplit(base).port
        self.server = next(
            pid for pid in _children(os.getpid()) if f"--port\0{port}\0" in _cmdline(pid)
        )
        self.postgres_url = postgres_url

    def read(self) -> dict:
        now, (busy, total) = time.perf_counter(), _machine_ticks()
        server = [self.server, *_children(self.server)]
        backends = self._backends()
        return {
            "time": now,
            "client": served.cpu_seconds(),
            # By process: one that ends between two readings (a backend closing, a worker
            # restarted) must not take its earlier CPU time out of the difference.
            "server": {pid: _cpu_seconds(pid) for pid in server},
            "postgresql": {pid: _cpu_seconds(pid) for pid in backends},
            "connections": len(backends),
            "machine_busy": busy / CLOCK_TICKS,
            "machine_total": total / CLOCK_TICKS,
        }

    def shared_connections(self) -> int:
        """How many of the server's TCP connections to PostgreSQL more than one of its processes
        holds: a connection opened before gunicorn forked is inherited by every worker, and
        workers sharing one garble each other's queries. 0 for SQLite."""
        if self.postgres_url is None:
            return 0
        port = urlsplit(self.postgres_url).port or 5432
        inodes = set()
        for table in ("tcp", "tcp6"):
            with contextlib.suppress(OSError):
                for line in (Path("/proc/net") / table).read_text().splitlines()[1:]:
                    fields = line.split()
                    if int(fields[2].rsplit(":", 1)[1], 16) == port:
                        inodes.add(f"socket:[{fields[9]}]")
        holders: collections.Counter = collections.Counter()
        for pid in [self.server, *_children(self.server)]:
            holders.update(_links(pid) & inodes)
        return sum(1 for count in holders.values() if count > 1)

    def _backends(self) -> list[int]:
        if self.postgres_url is None:
            return []
        import psycopg

        with psycopg.connect(self.postgres_url) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            ).fetchall()
        return [row[0] for row in rows]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def _links(pid: int) -> set[str]:
    """What the process's file descriptors point to (``socket:[inode]`` for a socket)."""
    found = set()
    with contextlib.suppress(OSError):
        for descriptor in (Path("/proc") / str(pid) / "fd").iterdir():
            with contextlib.suppress(OSError):
                found.add(str(descriptor.readlink()))
    return found


def _cmdline(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (Path("/proc") / str(pid) / "cmdline").read_text() + "\0"
    return ""


def _cpu_seconds(pid: int) -> float:
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0  # gone: a worker restarted, a backend closed
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal
    return total - values[3] - values[4], total


def run_phase(
    base: str,
    keys: list[str],
    pool: Pool,
    supplies: list[Supply],
    *,
    size: int,
    arguments: argparse.Namespace,
    meters: Meters,
) -> dict:
    """Start the publishers, let them warm up, mark ``runs`` windows of ``seconds``, stop."""
    stop = threading.Event()
    publishers = [
        Publisher(base, key, organisation, supply, size=size, stop=stop)
        for key, organisation, supply in zip(keys, pool.organisations, supplies, strict=True)
    ]
    for publisher in publishers:
        publisher.start()
    time.sleep(arguments.warmup)
    marks = [meters.read()]
    for run in range(1, arguments.runs + 1):
        time.sleep(max(0.0, marks[0]["time"] + run * arguments.seconds - time.perf_counter()))
        marks.append(meters.read())
    stop.set()
    for publisher in publishers:
        publisher.join()
    log = sorted(entry for publisher in publishers for entry in publisher.log)
    runs = [_window(log, start, end) for start, end in itertools.pairwise(marks)]
    errors = collections.Counter(str(status) for _, _, status, _ in log if status != 201)
    return {
        "runs": runs,
        "median": {
            key: statistics.median(run[key] for run in runs)
            for key in runs[0]
            if isinstance(runs[0][key], int | float)
        },
        "requests": len(log),
        "postgresql_connections": marks[-1]["connections"],
        "errors": dict(errors),
        "first_failures": [text for p in publishers for text in p.failures][:5],
        "accepted": [entry for publisher in publishers for entry in publisher.accepted],
    }


def _window(log: list[tuple], start: dict, end: dict) -> dict:
    seconds = end["time"] - start["time"]
    inside = [entry for entry in log if start["time"] <= entry[0] < end["time"]]
    accepted = [entry for entry in inside if entry[2] == 201]
    latencies = sorted(entry[1] for entry in inside)
    machine = end["machine_total"] - start["machine_total"]  # CPU-seconds of all cores
    return {
        "seconds": seconds,
        "requests": len(inside),
        "accepted_requests_per_second": len(accepted) / seconds,
        "releases_per_second": sum(entry[3] for entry in accepted) / seconds,
        "errors": len(inside) - len(accepted),
        "p50_ms": served.percentile(latencies, 50) * 1000,
        "p95_ms": served.percentile(latencies, 95) * 1000,
        "p99_ms": served.percentile(latencies, 99) * 1000,
        "client_cpu_share": (end["client"] - start["client"]) / machine,
        "server_cpu_share": _spent(start["server"], end["server"]) / machine,
        "postgresql_cpu_share": _spent(start["postgresql"], end["postgresql"]) / machine,
        "machine_busy_share": (end["machine_busy"] - start["machine_busy"]) / machine,
    }


def _spent(start: dict[int, float], end: dict[int, float]) -> float:
    """CPU seconds the processes read at ``end`` spent since ``start`` (all of it for one that
    started since). A process gone by ``end`` is left out, its time in the window with it: an
    undercount, never the negative share the difference of two sums gave when a backend with
    more CPU time behind it closed."""
    # max: a process that ended between being listed and being read reads as 0.
    return sum(max(0.0, seconds - start.get(pid, 0.0)) for pid, seconds in end.items())


# -- afterwards: the feed, and openbook verify -----------------------------------------------


def check_feed(base: str, accepted: list[tuple[str, str, int]]) -> dict:
    """Follow the change feed from its start (``limit=1000``, ``links.next``) and compare it
    with what the 201s said: every accepted release exactly once, at its sequence number.

    The feed does not show a release's sequence number; the cursors do (base64 of the seq a page
    starts at), so a page whose next cursor is its start plus its length holds consecutive
    entries, and its n-th release is entry start + n. The last page (no ``links.next``) is
    taken to be consecutive too; the log has no gaps (docs/log-format.md)."""
    expected = {(ocid, release_id): seq for ocid, release_id, seq in accepted}
    seen: collections.Counter = collections.Counter()
    positions: dict[tuple[str, str], int | None] = {}
    path, start, pages, gaps = "/api/ocds/releases?limit=1000", 0, 0, 0
    began = time.perf_counter()
    while True:
        status, body = served.get(base, path)
        if status != 200:
            raise SystemExit(f"feed: {status} for {path}: {body[:300]!r}")
        package = orjson.loads(body)
        pages += 1
        following = package.get("links", {}).get("next")
        next_start = _cursor_start(following) if following else start + len(package["releases"])
        consecutive = next_start - start == len(package["releases"])
        gaps += not consecutive
        for number, release in enumerate(package["releases"]):
            key = (release["ocid"], release["id"])
            seen[key] += 1
            positions.setdefault(key, start + number if consecutive else None)
        if not following:
            break
        parts = urlsplit(following)
        path, start = f"{parts.path}?{parts.query}", next_start
    missing = [key for key in expected if key not in seen]
    repeated = [key for key, count in seen.items() if count > 1]
    unexpected = [key for key in seen if key not in expected]
    wrong_seq = [key for key, seq in expected.items() if key in positions and positions[key] != seq]
    return {
        "accepted": len(expected),
        "accepted_responses": len(accepted),  # more than accepted: a release acknowledged twice
        "in_feed": sum(seen.values()),
        "pages": pages,
        "seconds": time.perf_counter() - began,
        "missing": len(missing),
        "repeated": len(repeated),
        "unexpected": len(unexpected),
        "sequence_mismatches": len(wrong_seq),
        "pages_not_consecutive": gaps,
        "examples": [list(key) for key in (missing + repeated + unexpected + wrong_seq)[:5]],
        "passed": not (missing or repeated or unexpected or wrong_seq)
        and len(accepted) == len(expected),
    }


def _cursor_start(link: str) -> int:
    cursor = parse_qs(urlsplit(link).query)["cursor"][0]
    return int(base64.b64decode(cursor + "=" * (-len(cursor) % 4)))


def verify(environment: dict[str, str]) -> dict:
    """Sign a tree head over the log (as the operator's timer would), then ``openbook verify``
    the database: every leaf and body hash recomputed, every signed head checked."""
    openbook = served.OPENBOOK
    signed = subprocess.run(
        [*openbook, "log", "sign", "--json"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if signed.returncode != 0:
        return {"passed": False, "summary": f"openbook log sign failed: {signed.stderr.strip()}"}
    head = json.loads(signed.stdout)
    began = time.perf_counter()
    done = subprocess.run(
        [*openbook, "verify", "--database", "--json", "--no-progress"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - began
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {"output": done.stdout[-2000:], "errors": done.stderr[-2000:]}
    count = report.get("problem_count")
    return {
        "passed": done.returncode == 0,
        "exit_code": done.returncode,
        "seconds": seconds,
        "tree_head": head,
        "report": report,
        "summary": f"openbook verify exited {done.returncode} in {seconds:.1f} s"
        + (f", {count} problems" if count is not None else "")
        + (f" ({report['facts'][0]})" if report.get("facts") else ""),
    }


# -- the report ------------------------------------------------------------------------------


def targets(results: dict, arguments: argparse.Namespace) -> list[dict]:
    found = []
    scaled = {
        key: getattr(arguments, key)
        for key, value in FULL_SIZE.items()
        if getattr(arguments, key) != value
    }
    note = (
        " (set for "
        + ", ".join(f"{key} {value}" for key, value in FULL_SIZE.items())
        + "; this run: "
        + ", ".join(f"{key} {value}" for key, value in scaled.items())
        + ")"
        if scaled
        else ""
    )
    for kind, result in results["databases"].items():
        for phase, (measure_name, least) in TARGETS.items():
            outcome = result["phases"][phase]
            measured = outcome["median"][MEDIAN_KEYS[phase]]
            if kind == "postgresql":
                found.append(
                    {
                        "target": f"{kind} {phase}: at least {least:,.0f} {measure_name}, median "
                        f"of {arguments.runs} runs{note}",
                        "measured": round(measured, 1),
                        "passed": measured >= least,
                    }
                )
            found.append(
                {
                    "target": f"{kind} {phase}: no refused or failed request",
                    "measured": outcome["errors"] or "none",
                    "passed": not outcome["errors"],
                }
            )
        if kind == "postgresql":
            found.append(
                {
                    "target": f"{kind}: no database connection shared by the server's processes",
                    "measured": result["shared_connections"],
                    "passed": not result["shared_connections"],
                }
            )
        feed = result["feed"]
        found.append(
            {
                "target": f"{kind}: every accepted release in the feed exactly once, at its "
                "sequence number",
                "measured": f"{feed['in_feed']:,} in the feed, {feed['accepted']:,} accepted, "
                f"{feed['missing']} missing, {feed['repeated']} repeated, {feed['unexpected']} "
                f"unexpected, {feed['sequence_mismatches']} at another sequence number",
                "passed": feed["passed"],
            }
        )
        found.append(
            {
                "target": f"{kind}: openbook verify passes",
                "measured": result["verify"]["summary"],
                "passed": result["verify"]["passed"],
            }
        )
    return found


def _print_phase(kind: str, phase: str, outcome: dict) -> None:
    for number, run in enumerate(outcome["runs"], 1):
        print(f"  run {number}: {_figures(run)}", flush=True)
    print(f"{kind} {phase}, median of {len(outcome['runs'])}: {_figures(outcome['median'])}")
    if outcome["errors"]:
        print(f"  errors by status: {_counts(outcome['errors'])}")
        for text in outcome["first_failures"]:
            print(f"    {text}")
    print(flush=True)


def _figures(run: dict) -> str:
    return (
        f"{run['accepted_requests_per_second']:,.1f} accepted requests/s, "
        f"{run['releases_per_second']:,.0f} releases/s; latency p50 {run['p50_ms']:.0f} ms, "
        f"p95 {run['p95_ms']:.0f} ms, p99 {run['p99_ms']:.0f} ms; errors {run['errors']:.0f}; "
        f"CPU share of the machine: client {run['client_cpu_share']:.1%}, server "
        f"{run['server_cpu_share']:.1%}, PostgreSQL {run['postgresql_cpu_share']:.1%}, all "
        f"{run['machine_busy_share']:.1%}"
    )


def _print_feed(kind: str, feed: dict) -> None:
    print(
        f"{kind}: feed followed in {feed['seconds']:.1f} s ({feed['pages']} pages): "
        f"{feed['in_feed']:,} releases, {feed['accepted']:,} accepted; missing {feed['missing']}, "
        f"repeated {feed['repeated']}, unexpected {feed['unexpected']}, at another sequence "
        f"number {feed['sequence_mismatches']}"
        + (f"; e.g. {feed['examples']}" if feed["examples"] else ""),
        flush=True,
    )


def _print_targets(found: list[dict]) -> None:
    print()
    for target in found:
        verdict = "PASS" if target["passed"] else "FAIL"
        measured = target["measured"]
        shown = f"{measured:,}" if isinstance(measured, int | float) else measured
        print(f"{verdict}  {target['target']}: measured {shown}")


def _counts(counts: dict) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in sorted(counts.items())) or "none"


if __name__ == "__main__":
    sys.exit(main())
