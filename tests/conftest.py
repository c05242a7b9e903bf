"""Test set-up: Django configured once; every storage test runs on real SQLite and real PostgreSQL.

Each test gets a fresh database of its kind, copied from a migrated template (a file copy on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL), so that tests never need to delete log
entries, which the database refuses by design.
"""

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

SESSION_DIR = Path(tempfile.mkdtemp(prefix="openbook-tests-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "openbook.settings"
os.environ["OPENBOOK_DATA_DIR"] = str(SESSION_DIR / "data")
# Between tests Django's default connection points at an empty file no test uses.
UNUSED_URL = f"sqlite:///{SESSION_DIR / 'unused.sqlite3'}"
os.environ["OPENBOOK_DATABASE_URL"] = UNUSED_URL
# Rate limits are off for the suite (schemathesis alone sends thousands of requests);
# tests/web/test_http.py turns them on where it tests them.
os.environ["OPENBOOK_RATE_LIMIT"] = "0"
POSTGRES_ADMIN_URL = os.environ.get(
    "OPENBOOK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402

# Passwords hashed at one iteration in the suite's own process (tests/hashers.py says why).
settings.PASSWORD_HASHERS = ["tests.hashers.OneIterationPBKDF2"]

from openbook import config  # noqa: E402
from openbook.store.database import Store, migrate  # noqa: E402
from tests import scheduling  # noqa: E402
from tests.scheduling import (  # noqa: E402, F401 (hooks, found by name in a conftest)
    pytest_collection_modifyitems,
    pytest_runtest_logreport,
)

_counter = itertools.count()


@dataclass
class Database:
    """A fresh database for one test: its store and the URL a subprocess would use."""

    vendor: str
    url: str
    store: Store


def use_database(url: str) -> None:
    """Point Django's default connection at the database named by this URL."""
    connections["default"].close()
    settings_dict = connections.configure_settings({"default": config.django_database(url)})
    connections.settings["default"] = settings_dict["default"]
    del connections["default"]


def _postgres_admin():
    import psycopg

    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} ({error}). Every storage test "
            "runs on PostgreSQL too: start it, or set OPENBOOK_TEST_POSTGRES_URL.",
            pytrace=False,
        )


def _postgres_url(name: str) -> str:
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def sqlite_template() -> Path:
    path = SESSION_DIR / "template.sqlite3"
    use_database(f"sqlite:///{path}")
    migrate(Store())
    connections["default"].close()
    return path


@pytest.fixture(scope="session")
def postgres_template():
    name = f"openbook_test_template_{os.getpid()}"
    with _postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    use_database(_postgres_url(name))
    migrate(Store())
    connections["default"].close()
    yield name
    with _postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(vendor: str, request) -> Iterator[Database]:
    """A new, migrated database of this kind, dropped afterwards."""
    number = next(_counter)
    if vendor == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = SESSION_DIR / f"test-{number}.sqlite3"
        shutil.copyfile(template, path)
        url = f"sqlite:///{path}"
        use_database(url)
        yield Database("sqlite", url, Store())
        use_database(UNUSED_URL)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    template = request.getfixturevalue("postgres_template")
    name = f"openbook_test_{os.getpid()}_{number}"
    with _postgres_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = _postgres_url(name)
    use_database(url)
    yield Database("postgresql", url, Store())
    use_database(UNUSED_URL)
    with _postgres_admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request) -> Iterator[Database]:
    """A fresh, migrated database: SQLite and PostgreSQL in turn."""
    with fresh_database(request.param, request) as database:
        yield database


@pytest.fixture
def store(database: Database) -> Store:
    return database.store


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(SESSION_DIR, ignore_errors=True)
    scheduling.write_durations(session)


def mail_to(directory: Path, patch: pytest.MonkeyPatch):
    """Mail through the directory sender (openbook.mail), to ``directory``, with the site's
    address set for the links mails carry (``patch`` sets the environment); returns a reader of
    the messages sent so far, oldest first."""
    from email import message_from_bytes, policy

    patch.setenv("OPENBOOK_MAIL_SENDER", "directory")
    patch.setenv("OPENBOOK_MAIL_DIR", str(directory))
    patch.setenv("OPENBOOK_SITE_URL", "https://contracts.example")

    def read() -> list:
        return [
            message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(directory.glob("*.eml"))
        ]

    return read


@pytest.fixture
def outbox(tmp_path, monkeypatch):
    """Mail sent to a directory of this test's (``mail_to``)."""
    return mail_to(tmp_path / "mail", monkeypatch)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def shared_database(request) -> Iterator[Database]:
    """One fresh database of each kind for a module's tests that store nothing (bad input
    refused, pages read): made once a module, not once a test. A module's own fixture builds on
    it, and its tests reach it through ``reuse``, since the module's other tests point Django at
    databases of their own."""
    with fresh_database(request.param, request) as database:
        yield database


def reuse(database: Database) -> Database:
    """Point Django back at a shared database (``shared_database``) for the test about to run."""
    use_database(database.url)
    return database
