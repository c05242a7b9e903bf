"""``openbook harvest``, run as a user runs it (a separate process), on SQLite and PostgreSQL:
from a second openbook on loopback (a real ``openbook serve``), and from small local servers in
the shapes of Find a Tender and Contracts Finder that rate-limit, fail and answer nonsense."""

import base64
import gzip
import http.server
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from urllib.parse import parse_qsl, urlencode, urlsplit

import orjson
import pytest

from openbook.harvest.exceptions import SourceFailed, SourceNotUnderstood
from openbook.harvest.fetch import Fetcher, Politeness, retry_after
from openbook.harvest.sources import duration, moment, source
from openbook.store import log
from openbook.store import records as stored_records
from openbook.store.database import Store
from tests.conftest import SESSION_DIR, UNUSED_URL, fresh_database, use_database
from tests.factories import create_release
from tests.load.test_loader import snapshot
from tests.test_cli import openbook

STATE_FILE = SESSION_DIR / "data" / "harvest-state.json"


def harvest(database, *arguments, check=True) -> subprocess.CompletedProcess:
    return openbook(database, "harvest", "--no-progress", *arguments, check=check)


def stored(database) -> list:
    use_database(database.url)
    return log.entries(database.store, 0, 10**9)


# A second openbook, served by gunicorn on loopback, with generated data.


@dataclass
class SourceOpenbook:
    base: str
    entries: list[tuple[str, str, str, bytes]]  # record key, id, body hash, body; in log order


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def source_openbook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("source-openbook")
    url = f"sqlite:///{folder / 'source.sqlite3'}"
    env = {
        **os.environ,
        "OPENBOOK_DATABASE_URL": url,
        "OPENBOOK_DATA_DIR": str(folder / "data"),
        "OPENBOOK_PUBLISHER_NAME": "Source Openbook",
    }
    path = folder / "generated.jsonl"
    for arguments in (
        ["generate", "--processes", "60", "--seed", "3", "--output", str(path)],
        ["load", "--no-progress", str(path)],
    ):
        subprocess.run(
            [sys.executable, "-m", "openbook", *arguments], env=env, check=True, capture_output=True
        )
    use_database(url)
    entries = [
        (s.entry.record_key, s.entry.statement_id, s.entry.body_hash, s.body)
        for s in log.entries(Store(), 0, 10**9)
    ]
    use_database(UNUSED_URL)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the source openbook did not start"
                assert server.poll() is None, "the source openbook exited"
                time.sleep(0.2)
        yield SourceOpenbook(base, entries)
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_harvests_another_openbook_page_by_page(database, source_openbook):
    entries = source_openbook.entries
    assert len(entries) > 200
    result = harvest(database, source_openbook.base, "--limit", "25", "--json")
    report = orjson.loads(result.stdout)
    assert report["outcome"] == "complete" and report["api"] == "openbook"
    assert report["pages"] == len(entries) // 25 + 1
    assert report["totals"]["loaded"] == len(entries) and report["totals"]["rejected"] == 0
    harvested = stored(database)
    # Every release, with the same body, in the same order.
    assert [
        (s.entry.record_key, s.entry.statement_id, s.entry.body_hash, s.body) for s in harvested
    ] == entries
    # The statement's publisher is the source's; its package is the page the source served,
    # with the source's own publication date.
    assert {s.entry.publisher for s in harvested} == {"Source Openbook"}
    first = harvested[0].package
    assert first["publisher"] == {"name": "Source Openbook"}
    assert first["uri"].startswith(f"{source_openbook.base}/api/ocds/releases")
    assert first["publishedDate"] <= harvested[0].entry.log_time
    # Records compiled, every one.
    ocids = {key for key, *_ in entries}
    assert stored_records.pending_count(database.store, "ocds") == 0
    assert (
        stored_records.count(database.store, "ocds") == len(ocids) == report["totals"]["compiled"]
    )
    assert all(stored_records.get(database.store, "ocds", key).compiled for key in ocids)
    # Run again: the last page is read again for what is new, and nothing is.
    again = orjson.loads(harvest(database, source_openbook.base, "--limit", "25", "--json").stdout)
    assert again["pages"] == 1 and again["totals"]["loaded"] == 0
    assert again["totals"]["duplicates"] == len(entries) % 25
    assert len(stored(database)) == len(entries)


def test_harvests_an_openbook_through_its_find_a_tender_paths_in_windows(database, source_openbook):
    since = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%S")
    result = harvest(
        database,
        f"{source_openbook.base}/api/1.0/ocdsReleasePackages",
        "--since",
        since,
        "--window",
        "1d",
        "--limit",
        "100",
        "--delay",
        "0",
        "--json",
    )
    report = orjson.loads(result.stdout)
    assert report["api"] == "fts" and report["outcome"] == "complete"
    assert report["totals"]["loaded"] == len(source_openbook.entries)
    assert [
        (s.entry.record_key, s.entry.statement_id, s.entry.body_hash, s.body)
        for s in stored(database)
    ] == source_openbook.entries


def _state(database) -> dict:
    saved = orjson.loads(STATE_FILE.read_bytes())["harvests"]
    return next(
        (
            by_database[database.url]
            for by_database in saved.values()
            if database.url in by_database
        ),
        {},
    )


def test_an_interrupted_harvest_ends_as_an_uninterrupted_one(database, request, source_openbook):
    base = source_openbook.base
    paused = harvest(database, base, "--limit", "10", "--max-pages", "3")
    assert "Paused (after 3 pages, as --max-pages asks)" in paused.stdout.decode()
    assert len(stored(database)) == 30
    # Killed with no chance to clean up, part-way through.
    env = {**os.environ, "OPENBOOK_DATABASE_URL": database.url}
    process = subprocess.Popen(
        [
            *[sys.executable, "-m", "openbook", "harvest", "--no-progress", base],
            *["--limit", "10", "--delay", "0.2"],
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while _state(database).get("stored", 0) < 80:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 80 <= len(stored(database)) < len(source_openbook.entries)
    resumed = harvest(database, base, "--limit", "10", "--json")
    assert orjson.loads(resumed.stdout)["pages"] < len(source_openbook.entries) // 10
    use_database(database.url)
    interrupted = snapshot(database.store)
    with fresh_database(database.vendor, request) as fresh:
        harvest(fresh, base, "--limit", "10")
        use_database(fresh.url)
        assert snapshot(fresh.store) == interrupted
    assert interrupted["pending"] == 0
    assert [entry[6] for entry in interrupted["entries"]] == [e[2] for e in source_openbook.entries]
    # --from-start reads everything again: all duplicates.
    again = orjson.loads(harvest(database, base, "--limit", "100", "--from-start", "--json").stdout)
    assert again["totals"]["duplicates"] == len(source_openbook.entries)


# Small sources on loopback, in the test's own process.


Answer = tuple[int, dict[str, str], bytes]


class Stub:
    """An HTTP server in a thread: ``answer(path)`` gives each answer; requests are recorded
    with the moment they arrived. Answers are gzipped for clients that accept it."""

    def __init__(self, answer: Callable[[str], Answer]) -> None:
        self.answer = answer
        self.requests: list[tuple[float, str, dict[str, str]]] = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub.requests.append((time.monotonic(), self.path, dict(self.headers)))
                status, headers, body = stub.answer(self.path)
                if status == 200 and "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = gzip.compress(body)
                    headers = {**headers, "Content-Encoding": "gzip"}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *arguments) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "Stub":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def queries(self) -> list[dict[str, str]]:
        return [dict(parse_qsl(urlsplit(path).query)) for _, path, _ in self.requests]


JSON = {"Content-Type": "application/json; charset=utf-8"}


def package(releases: list[dict], uri: str, following: str | None = None) -> bytes:
    value: dict = {
        "uri": uri,
        "version": "1.1",
        "publishedDate": "2024-02-01T09:00:00Z",
        "publisher": {"name": "Cabinet Office"},
        "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "https://www.gov.uk/government/publications/open-contracting",
        "releases": releases,
    }
    if following:
        value["links"] = {"next": following}
    return orjson.dumps(value)


def windowed(
    base: Callable[[], str],
    names: tuple[str, str],
    dated: list[tuple[str, dict]],
    first: list[Answer] | None = None,
    links: bool = True,
) -> Callable[[str], Answer]:
    """A source in the Find a Tender or Contracts Finder shape: releases with the moment each
    was updated, read by window (both ends included) and cursor; ``first`` answers first."""
    waiting = list(first or [])

    def answer(path: str) -> Answer:
        if waiting:
            return waiting.pop(0)
        query = dict(parse_qsl(urlsplit(path).query))
        start, end = query.get(names[0], ""), query.get(names[1], "9999")
        found = [release for at, release in dated if start <= at <= end]
        offset = int(base64.b64decode(query["cursor"])) if "cursor" in query else 0
        limit = int(query.get("limit", "100"))
        page = found[offset : offset + limit]
        following = None
        # As openbook's Find a Tender paths do: a full page links to the next, perhaps empty.
        if links and len(page) == limit:
            cursor = base64.b64encode(str(offset + limit).encode()).decode()
            following = f"{base()}{urlsplit(path).path}?{urlencode({**query, 'cursor': cursor})}"
        return 200, JSON, package(page, f"{base()}{path}", following)

    return answer


def notices(count: int, prefix: str = "ocds-h6vhtk-") -> list[dict]:
    return [
        create_release(
            f"{prefix}{index:06x}",
            f"{index:06d}-2024",
            date=f"2024-01-0{1 + index % 3}T10:00:00Z",
            tender={"id": "1", "title": f"Notice {index}"},
        )
        for index in range(count)
    ]


def test_find_a_tender_shape_rate_limited_then_read_in_windows(database):
    releases = notices(5)
    dated = [
        ("2024-01-01T08:00:00", releases[0]),
        ("2024-01-01T09:00:00", releases[1]),
        ("2024-01-01T23:00:00", releases[2]),
        ("2024-01-03T12:00:00", releases[3]),
        ("2024-01-03T12:00:00", releases[4]),
    ]
    too_many = (429, {"Retry-After": "1", **JSON}, b'{"message": "Too many requests"}')
    stub_url: list[str] = []
    names = ("updatedFrom", "updatedTo")
    with Stub(windowed(lambda: stub_url[0], names, dated, [too_many])) as stub:
        stub_url.append(stub.url)
        result = harvest(
            database,
            f"{stub.url}/api/1.0/ocdsReleasePackages?stages=tender",
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-04",
            "--limit",
            "2",
            "--delay",
            "0.2",
            "--json",
        )
    report = orjson.loads(result.stdout)
    assert report["outcome"] == "complete" and report["api"] == "fts"
    assert report["retried"] == 1 and report["waited_seconds"] >= 1
    moments = [at for at, _, _ in stub.requests]
    assert moments[1] - moments[0] >= 1.0, "Retry-After: 1 was not honoured"
    assert all(b - a >= 0.2 for a, b in itertools.pairwise(moments[1:]))
    assert all("openbook" in headers["User-Agent"] for _, _, headers in stub.requests)
    queries = stub.queries()[1:]
    windows = [(q["updatedFrom"], q["updatedTo"]) for q in queries if "cursor" not in q]
    assert windows == [
        ("2024-01-01T00:00:00", "2024-01-02T00:00:00"),
        ("2024-01-02T00:00:00", "2024-01-03T00:00:00"),
        ("2024-01-03T00:00:00", "2024-01-04T00:00:00"),
    ]
    assert all(q["stages"] == "tender" and q["limit"] == "2" for q in queries)
    assert report["messages"] == []
    harvested = stored(database)
    assert [s.entry.statement_id for s in harvested] == [r["id"] for r in releases]
    assert {s.entry.publisher for s in harvested} == {"Cabinet Office"}
    assert harvested[0].package["publishedDate"] == "2024-02-01T09:00:00Z"
    assert stored_records.pending_count(database.store, "ocds") == 0


def test_contracts_finder_shape_403_rate_limit_page_then_read(database):
    releases = notices(3, prefix="ocds-b5fd17-")
    dated = [(f"2024-01-0{1 + index}T10:00:00", release) for index, release in enumerate(releases)]
    page = b"<html><head><title>Too many requests</title></head><body>Slow down</body></html>"
    limited = (403, {"Retry-After": "1", "Content-Type": "text/html"}, page)
    stub_url: list[str] = []
    names = ("publishedFrom", "publishedTo")
    with Stub(windowed(lambda: stub_url[0], names, dated, [limited])) as stub:
        stub_url.append(stub.url)
        result = harvest(
            database,
            f"{stub.url}/Published/Notices/OCDS/Search",
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-08",
            "--window",
            "1w",
            "--delay",
            "0",
            "--json",
        )
    report = orjson.loads(result.stdout)
    assert report["api"] == "cf" and report["outcome"] == "complete"
    moments = [at for at, _, _ in stub.requests]
    assert moments[1] - moments[0] >= 1.0, "Contracts Finder's 403 was not waited on"
    assert stub.queries()[1]["publishedFrom"] == "2024-01-01T00:00:00"
    assert stub.queries()[1]["publishedTo"] == "2024-01-08T00:00:00"
    assert [s.entry.statement_id for s in stored(database)] == [r["id"] for r in releases]


def test_a_cursor_that_stops_giving_a_next_link_is_read_again_in_halves(database):
    releases = notices(3)
    dated = [
        ("2024-01-01T06:00:00", releases[0]),
        ("2024-01-01T12:00:00", releases[1]),
        ("2024-01-01T18:00:00", releases[2]),
    ]
    stub_url: list[str] = []
    names = ("updatedFrom", "updatedTo")
    with Stub(windowed(lambda: stub_url[0], names, dated, links=False)) as stub:
        stub_url.append(stub.url)
        result = harvest(
            database,
            f"{stub.url}/api/1.0/ocdsReleasePackages",
            "--since",
            "2024-01-01",
            "--until",
            "2024-01-02",
            "--limit",
            "2",
            "--delay",
            "0",
        )
    text = result.stdout.decode()
    assert "full-page-without-next" in text and "reading the window again in halves" in text
    assert sorted(s.entry.statement_id for s in stored(database)) == [r["id"] for r in releases]


def test_a_cursor_refused_on_resuming_sends_the_harvest_back_to_its_window(database):
    releases = notices(3)
    dated = [(f"2024-01-01T0{index}:00:00", release) for index, release in enumerate(releases)]
    stub_url: list[str] = []
    served = windowed(lambda: stub_url[0], ("updatedFrom", "updatedTo"), dated)
    refuse = [False]

    def answer(path: str) -> Answer:
        if refuse[0] and "cursor=" in path:
            refuse[0] = False
            return 400, JSON, b'{"message": "cursor expired"}'
        return served(path)

    with Stub(answer) as stub:
        stub_url.append(stub.url)
        arguments = [f"{stub.url}/api/1.0/ocdsReleasePackages", "--since", "2024-01-01"]
        arguments += ["--until", "2024-01-02", "--limit", "2", "--delay", "0"]
        harvest(database, *arguments, "--max-pages", "1")
        refuse[0] = True
        report = orjson.loads(harvest(database, *arguments, "--json").stdout)
    assert report["outcome"] == "complete"
    [refused] = [m for m in report["messages"] if m["code"] == "cursor-refused"]
    assert "HTTP 400 Bad Request: cursor expired; reading its window again" in refused["message"]
    assert sorted(s.entry.statement_id for s in stored(database)) == [r["id"] for r in releases]


def _openbook_pages(base: Callable[[], str], pages: list[list[dict]]) -> Callable[[str], Answer]:
    def answer(path: str) -> Answer:
        query = dict(parse_qsl(urlsplit(path).query))
        number = int(query.get("cursor", "0"))
        following = None
        if number + 1 < len(pages):
            following = f"{base()}{urlsplit(path).path}?cursor={number + 1}"
        return 200, JSON, package(pages[number], f"{base()}{path}", following)

    return answer


BAD_ANSWERS = {
    "malformed": (
        (200, JSON, b'{"releases": [{"ocid": "ocds-x", '),
        "the answer is not JSON",
    ),
    "not-ocds": (
        (200, JSON, b'{"message": "hello", "items": []}'),
        "not an OCDS release package: it has no releases list (its keys: items, message)",
    ),
    "html": (
        (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><title>Service notice</title><p>"),
        "it is an HTML page titled 'Service notice'",
    ),
    "missing": (
        (404, JSON, b'{"error": {"code": "not-found", "message": "no such page here"}}'),
        "HTTP 404 Not Found: no such page here",
    ),
}


def test_a_bad_source_is_explained_and_changes_nothing_stored(database):
    def answer(path: str) -> Answer:
        kind = path.split("/")[1]
        if kind == "good":
            return _openbook_pages(lambda: stub.url, [notices(3)])(path)
        return BAD_ANSWERS[kind][0]

    with Stub(answer) as stub:
        harvest(database, f"{stub.url}/good/api/ocds/releases")
        use_database(database.url)
        before = snapshot(database.store)
        assert len(before["entries"]) == 3
        for kind, (_, why) in BAD_ANSWERS.items():
            result = harvest(database, f"{stub.url}/{kind}/api/ocds/releases", check=False)
            message = result.stderr.decode()
            assert result.returncode == 3, (kind, message)
            assert f"GET {stub.url}/{kind}/api/ocds/releases?limit=1000" in message
            assert why in message, (kind, message)
            assert "Traceback" not in message
            assert "Stopped:" in result.stdout.decode()
            use_database(database.url)
            assert snapshot(database.store) == before


def test_a_source_that_fails_part_way_keeps_what_came_before_and_resumes(database):
    pages = [notices(2), notices(3)[2:]]
    served = _openbook_pages(lambda: stub.url, pages)
    broken = [True]

    def answer(path: str) -> Answer:
        if "cursor=1" in path and broken[0]:
            broken[0] = False
            return 200, JSON, b"{not json"
        return served(path)

    with Stub(answer) as stub:
        failed = harvest(database, f"{stub.url}/api/ocds/releases", check=False)
        assert failed.returncode == 3
        assert f"GET {stub.url}/api/ocds/releases?cursor=1: the answer is not JSON" in (
            failed.stderr.decode()
        )
        assert len(stored(database)) == 2
        assert stored_records.pending_count(database.store, "ocds") == 0
        resumed = orjson.loads(harvest(database, f"{stub.url}/api/ocds/releases", "--json").stdout)
        assert stub.requests[-1][1] == "/api/ocds/releases?cursor=1"
        assert resumed["pages"] == 1 and resumed["totals"]["loaded"] == 1
    assert [s.entry.statement_id for s in stored(database)] == [r["id"] for r in notices(3)]


def test_a_source_that_keeps_failing_stops_with_a_message(database):
    unavailable = (503, {"Retry-After": "0", "Content-Type": "text/plain"}, b"down for repairs")
    with Stub(lambda path: unavailable) as stub:
        result = harvest(database, stub.url, "--retries", "2", check=False)
    assert result.returncode == 3
    message = result.stderr.decode()
    assert f"GET {stub.url}/api/ocds/releases?limit=1000: failed 3 times" in message
    assert "HTTP 503 Service Unavailable: down for repairs" in message
    assert len(stub.requests) == 3
    closed = _free_port()
    result = harvest(database, f"http://127.0.0.1:{closed}", "--retries", "0", check=False)
    assert result.returncode == 3 and b"network error" in result.stderr
    assert stored(database) == []


def test_options_that_do_not_fit_the_source_are_refused(database):
    for arguments, why in [
        (["http://127.0.0.1:1", "--window", "1d"], "--window: for the APIs read in time windows"),
        (["https://www.find-tender.service.gov.uk", "--limit", "500"], "at most 100 releases"),
        (["ftp://example.org/releases"], "is not an http:// or https:// address"),
        (["https://example.org/some/feed"], "which API is this?"),
    ]:
        result = harvest(database, *arguments, check=False)
        assert result.returncode == 2 and why.encode() in result.stderr, result.stderr


# The pure parts, and the polite fetcher against a local server.


def test_sources_are_told_apart_by_their_address():
    fts = source("https://www.find-tender.service.gov.uk")
    assert fts.api.name == "fts"
    assert fts.endpoint == "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages"
    cf = source(
        "https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search"
        "?stages=tender&publishedFrom=2020-01-01&limit=5&cursor=abc"
    )
    assert cf.api.name == "cf" and cf.filters == (("stages", "tender"),)
    assert cf.key.endswith("/Published/Notices/OCDS/Search?stages=tender")
    assert source("http://mirror.example/").endpoint == "http://mirror.example/api/ocds/releases"
    other = source("https://example.org/ocds/packages", api="fts")
    assert other.endpoint == "https://example.org/ocds/packages" and other.api.name == "fts"
    with pytest.raises(SourceNotUnderstood, match="Find a Tender's path"):
        source("https://example.org/api/1.0/ocdsReleasePackages", api="cf")
    assert fts.first_page(100, (moment("2024-01-01"), moment("2024-01-02T00:00:00Z"))) == (
        "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages?limit=100"
        "&updatedFrom=2024-01-01T00%3A00%3A00&updatedTo=2024-01-02T00%3A00%3A00"
    )


def test_durations_and_moments():
    assert duration("1d") == timedelta(days=1) and duration("90s") == timedelta(seconds=90)
    assert duration("2w") == timedelta(weeks=2) and duration("6h") == timedelta(hours=6)
    for bad in ("1y", "0s", "day", ""):
        with pytest.raises(ValueError, match=r"length of time|shorter than a second"):
            duration(bad)
    assert moment("2024-01-31T12:00:00+01:00") == datetime(2024, 1, 31, 11, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a date"):
        moment("yesterday")


def test_retry_after_in_seconds_or_as_a_date():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert retry_after("120") == 120.0
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after(later, now) == 30.0
    assert retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0
    assert retry_after(None) is None and retry_after("soon") is None


def test_the_fetcher_backs_off_exponentially_and_honours_retry_after():
    answers = [
        (503, {}, b""),
        (502, {}, b""),
        (429, {}, b""),
        (429, {"Retry-After": "7"}, b""),
        (200, JSON, b'{"releases": []}'),
    ]
    waits: list[float] = []
    with Stub(lambda path: answers.pop(0)) as stub:
        fetcher = Fetcher(Politeness(backoff=2.0, rate_limited=60.0), sleep=waits.append)
        assert fetcher.json(f"{stub.url}/x") == {"releases": []}
    # 5xx: 2 s, then 4 s; a rate limit without Retry-After: 60 s; with it: what it says.
    assert waits == [2.0, 4.0, 60.0, 7.0]
    assert fetcher.requests == 5 and fetcher.retried == 4
    with Stub(lambda path: (429, {"Retry-After": "3600"}, b"")) as stub:
        fetcher = Fetcher(Politeness(), sleep=waits.append)
        with pytest.raises(SourceFailed, match="asks to wait 3,600 s, more than 900 s"):
            fetcher.json(f"{stub.url}/x")


def test_the_fetcher_reads_the_charset_it_is_given():
    body = '{"releases": [], "name": "Caf\u00e9"}'.encode("iso-8859-1")
    latin = (200, {"Content-Type": "application/json; charset=iso-8859-1"}, body)
    with Stub(lambda path: latin) as stub:
        assert Fetcher(Politeness()).json(stub.url)["name"] == "Caf\u00e9"
