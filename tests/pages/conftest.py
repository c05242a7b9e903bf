"""Page tests: a database per kind (SQLite, PostgreSQL) holding realistic generated data with
its metrics computed, shared by a module's tests; the pages read through Django's test client,
and, for the browser tests, from ``openbook serve`` in a real Chromium driven by Playwright."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from openbook import metrics
from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from tests.conftest import Database, fresh_database
from tests.pages.spend_site import load_spend

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("OPENBOOK_TEST_CHROMIUM", "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PROCESSES = 60
# The checker's JVM without its optimising compiler (C2), whose work a run this short
# never repays: a third less CPU over a site's pages, two thirds less for a page or two. The
# quicker compiler's frames are larger, so the stack is raised above the 512 KB vnu asks for.
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss4m"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory) -> Iterator[Database]:
    """A database with generated UK-style processes loaded and the metrics computed, for a
    module's tests (they only read it)."""
    with fresh_database(request.param, request) as database:
        source = tmp_path_factory.mktemp("site") / "generated.jsonl"
        with source.open("wb") as out:
            write_jsonl(generate_releases(processes=PROCESSES, seed=11), out)
        load(database.store, [source], publisher="generated")
        load_spend(database.store, tmp_path_factory.mktemp("spend"), PROCESSES, 11)
        metrics.compute(database.store)
        yield database


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(site, tmp_path_factory) -> Iterator[str]:
    """``openbook serve`` on the site's database; its base URL."""
    port = _free_port()
    environment = {
        **os.environ,
        "OPENBOOK_DATABASE_URL": site.url,
        "OPENBOOK_DATA_DIR": str(tmp_path_factory.mktemp("data")),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stderr.close()


def _wait_for(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"openbook serve ended: {process.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310 (loopback)
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("openbook serve did not answer within 30 seconds")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, driven by Playwright. Missing, it fails the test loudly:
    ``sh scripts/system-packages.sh --test`` installs it."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `sh scripts/system-packages.sh --test`, or set "
            "OPENBOOK_TEST_CHROMIUM",
            pytrace=False,
        )
    # Playwright's synchronous API keeps an event loop in this thread; the tests' own database
    # set-up is synchronous code, which Django would otherwise refuse to run beside one.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB")
    opened = context.new_page()
    yield opened
    context.close()


def axe_violations(browser, url: str) -> list[dict]:
    """axe-core's WCAG 2.2 A and AA violations on the page at ``url`` (its content security
    policy bypassed for axe's own script alone)."""
    context = browser.new_context(bypass_csp=True)
    try:
        return axe_violations_in(context.new_page(), url)
    finally:
        context.close()


def axe_violations_in(opened, url: str) -> list[dict]:
    """``axe_violations``, in a tab already open in a context that bypasses the content security
    policy: for a test that checks many pages in one context (it clears the cookies between)."""
    opened.goto(url)
    opened.add_script_tag(path=str(AXE))
    # With resultTypes (axe-core's API) axe still runs every rule and reports every
    # node of every violation, but keeps one node a rule of the passes, the incomplete and the
    # inapplicable, which no check reads: a third of its time went to their selectors.
    result = opened.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']},
            resultTypes: ['violations']})"""
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "where": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def validate_html(pages: dict[str, bytes], directory: Path) -> list[str]:
    """The W3C's Nu HTML Checker (vnu.jar, from npm) over every page at once: its errors, each
    with the page's address. Info-level messages (warnings) are not errors."""
    import json

    files = {}
    for number, (address, html) in enumerate(pages.items()):
        path = directory / f"page-{number}.html"
        path.write_bytes(html)
        files[path.name] = address
    done = subprocess.run(
        ["java", *JAVA_OPTIONS, "-jar", str(VNU), "--format", "json", "--exit-zero-always"]
        + [str(directory / name) for name in files],
        capture_output=True,
        text=True,
        check=True,
    )
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [
        f"{files.get(str(message.get('url', '')).rsplit('/', 1)[-1], message.get('url'))}: "
        f"line {message.get('lastLine')}: "
        f"{message['message']}"
        for message in messages
        if message["type"] == "error"
    ]
