"""Settings read from the environment, in one place (docs/operators.md lists them all).

Kept apart from Django's settings module so that the CLI, the benchmark and tests can read the
same values without configuring Django.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigurationError(Exception):
    """A setting has a value openbook cannot use; the message says which and why."""


def data_dir() -> Path:
    """Where the embedded database and other local files live (``OPENBOOK_DATA_DIR``)."""
    default = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "openbook"
    return Path(os.environ.get("OPENBOOK_DATA_DIR", default)).expanduser()


def downloads_dir() -> Path:
    """Where ``openbook export`` puts the snapshot that /downloads/ serves
    (``OPENBOOK_DOWNLOADS_DIR``): by default ``downloads`` in the data directory."""
    value = os.environ.get("OPENBOOK_DOWNLOADS_DIR", "").strip()
    return Path(value).expanduser() if value else data_dir() / "downloads"


def database_url() -> str:
    """``OPENBOOK_DATABASE_URL``, or an SQLite file under the data directory."""
    url = os.environ.get("OPENBOOK_DATABASE_URL", "").strip()
    return url or f"sqlite:///{data_dir() / 'openbook.sqlite3'}"


def publisher_name() -> str:
    """Who publishes the platform's own packages (record packages, later bulk files):
    ``OPENBOOK_PUBLISHER_NAME``, the body running the platform."""
    return os.environ.get("OPENBOOK_PUBLISHER_NAME", "").strip() or "openbook"


OPEN_GOVERNMENT_LICENCE = (
    "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
)


def licence() -> str:
    """The licence the platform's packages and bulk files are published under
    (``OPENBOOK_LICENCE``, a URL): by default the Open Government Licence v3.0."""
    return os.environ.get("OPENBOOK_LICENCE", "").strip() or OPEN_GOVERNMENT_LICENCE


def rate_limit() -> int:
    """Requests a minute each client address may make to /api/ and /downloads/, per server
    process (``OPENBOOK_RATE_LIMIT``); 0 turns limits off."""
    return _whole_number("OPENBOOK_RATE_LIMIT", 3000)


def proxy_count() -> int:
    """How many reverse proxies stand in front of the server (``OPENBOOK_PROXY_COUNT``): the
    client's address is then read from X-Forwarded-For, that many hops from the end."""
    return _whole_number("OPENBOOK_PROXY_COUNT", 0)


def _whole_number(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ConfigurationError(f"{name} {value!r} is not a whole number")
    return int(value)


def redacted(url: str) -> str:
    """The URL with any password replaced by ***, for printing."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def django_database(url: str) -> dict[str, object]:
    """Translate a database URL into Django's DATABASES entry.

    ``sqlite:///relative/path`` and ``sqlite:////absolute/path`` follow SQLAlchemy's convention;
    ``postgresql://user:password@host:port/name?sslmode=...`` passes query parameters as options.
    """
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not path:
            raise ConfigurationError(
                f"OPENBOOK_DATABASE_URL {url!r} names no SQLite file: "
                "write sqlite:///relative/file.sqlite3 or sqlite:////absolute/file.sqlite3"
            )
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": path,
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 30,
                # WAL: readers never block the writer. NORMAL: durable at checkpoints, never
                # corrupt. A larger autocheckpoint (64 MB of WAL) means fewer, larger fsyncs
                # during bulk loads. The page cache is bounded (32 MB) so a load's memory
                # stays flat. Pages of 8 KiB (for a new database; it must come before WAL)
                # hold two release bodies of the usual size where 4 KiB pages hold one.
                "init_command": (
                    "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA foreign_keys=ON; PRAGMA cache_size=-32768; "
                    "PRAGMA wal_autocheckpoint=16384"
                ),
            },
        }
    if parts.scheme in ("postgres", "postgresql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigurationError(f"OPENBOOK_DATABASE_URL {url!r} names no PostgreSQL database")
        options = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "OPTIONS": options,
            "CONN_MAX_AGE": 60,
        }
    raise ConfigurationError(
        f"OPENBOOK_DATABASE_URL {url!r} is not understood: "
        "it must start with sqlite:/// or postgresql://"
    )
