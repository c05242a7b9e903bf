"""Settings read from the environment, in one place (docs/operators.md lists them all).

Kept apart from Django's settings module so that the CLI, the benchmark and tests can read the
same values without configuring Django.
"""

import os
import re
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


def secure_cookies() -> bool:
    """Whether the pages' cookies (session, CSRF, language) are marked Secure, sent over HTTPS
    only (``OPENBOOK_SECURE_COOKIES``, on unless ``0``). Browsers accept them from
    http://127.0.0.1 and http://localhost too, so only a server reached over plain HTTP by
    another name needs it off, which nothing in production should be."""
    return os.environ.get("OPENBOOK_SECURE_COOKIES", "1").strip() != "0"


def session_minutes() -> int:
    """Minutes a signed-in publisher may be idle before signing in again
    (``OPENBOOK_SESSION_MINUTES``, default 30)."""
    return _whole_number("OPENBOOK_SESSION_MINUTES", 30) or 30


def rate_limit() -> int:
    """Requests a minute each client address may make to /api/ and /downloads/, per server
    process (``OPENBOOK_RATE_LIMIT``); 0 turns limits off."""
    return _whole_number("OPENBOOK_RATE_LIMIT", 3000)


def form_rate_limit() -> int:
    """Posts a minute each client address may make to the pages' forms that send email or
    check a password (signing in, asking for a registration link, following by email), per
    server process (``OPENBOOK_FORM_RATE_LIMIT``); 0 turns the limit off."""
    return _whole_number("OPENBOOK_FORM_RATE_LIMIT", 20)


def proxy_count() -> int:
    """How many reverse proxies stand in front of the server (``OPENBOOK_PROXY_COUNT``): the
    client's address is then read from X-Forwarded-For, that many hops from the end."""
    return _whole_number("OPENBOOK_PROXY_COUNT", 0)


# A prefix of the form OCDS registers ("ocds-" and six letters or digits), marked as a test one:
# a platform publishing for real registers its own with the Open Contracting Partnership.
TEST_OCID_PREFIX = "ocds-test00"


def ocid_prefix() -> str:
    """The platform's own ocid prefix (``OPENBOOK_OCID_PREFIX``), under which it mints ocids for
    new processes (docs/publishing-api.md)."""
    value = os.environ.get("OPENBOOK_OCID_PREFIX", "").strip() or TEST_OCID_PREFIX
    if not re.fullmatch(r"ocds-[a-z0-9]{6}", value):
        raise ConfigurationError(
            f"OPENBOOK_OCID_PREFIX {value!r} is not an ocid prefix: it must be 'ocds-' and six "
            "lower-case letters or digits, as the Open Contracting Partnership registers them"
        )
    return value


def publish_max_bytes() -> int:
    """The largest request body the publish API reads (``OPENBOOK_PUBLISH_MAX_BYTES``)."""
    return _whole_number("OPENBOOK_PUBLISH_MAX_BYTES", 10 * 2**20) or 10 * 2**20


def publish_max_releases() -> int:
    """The most releases one publish request may hold (``OPENBOOK_PUBLISH_MAX_RELEASES``): each
    is checked against its process's history and answered with a signed entry timestamp."""
    return _whole_number("OPENBOOK_PUBLISH_MAX_RELEASES", 1000) or 1000


def publish_rate_limit() -> int:
    """Requests a minute each API key may make to the publish API, per server process
    (``OPENBOOK_PUBLISH_RATE_LIMIT``); 0 turns the limit off."""
    return _whole_number("OPENBOOK_PUBLISH_RATE_LIMIT", 1200)


def documents_dir() -> Path:
    """Where uploaded documents are kept, named by their SHA-256 (``OPENBOOK_DOCUMENTS_DIR``):
    by default ``documents`` in the data directory (docs/documents.md)."""
    value = os.environ.get("OPENBOOK_DOCUMENTS_DIR", "").strip()
    return Path(value).expanduser() if value else data_dir() / "documents"


def document_max_bytes() -> int:
    """The largest document the publish API accepts (``OPENBOOK_DOCUMENT_MAX_BYTES``)."""
    return _whole_number("OPENBOOK_DOCUMENT_MAX_BYTES", 100 * 2**20) or 100 * 2**20


SCANNERS = ("clamav", "none")


def document_scanner() -> str:
    """How uploaded documents are scanned for malware (``OPENBOOK_DOCUMENT_SCANNER``): ``clamav``
    (the default), or ``none``, an explicit opt-out for development only."""
    value = os.environ.get("OPENBOOK_DOCUMENT_SCANNER", "").strip().lower() or "clamav"
    if value not in SCANNERS:
        raise ConfigurationError(
            f"OPENBOOK_DOCUMENT_SCANNER {value!r} is not a scanner openbook knows: write clamav "
            "(the default), or none to accept documents unscanned (for development only)"
        )
    return value


def document_scan_timeout() -> int:
    """Seconds a malware scan of one document may take (``OPENBOOK_DOCUMENT_SCAN_TIMEOUT``)."""
    return _whole_number("OPENBOOK_DOCUMENT_SCAN_TIMEOUT", 120) or 120


def clamav_database_dir() -> Path:
    """ClamAV's signature databases, kept current by freshclam (``OPENBOOK_CLAMAV_DATABASE``):
    by default Debian's ``/var/lib/clamav``. Used with the signatures openbook ships."""
    value = os.environ.get("OPENBOOK_CLAMAV_DATABASE", "").strip()
    return Path(value).expanduser() if value else Path("/var/lib/clamav")


def clamd_socket() -> str:
    """The Unix socket of a running ClamAV daemon (``OPENBOOK_CLAMD_SOCKET``), such as
    ``/run/clamav/clamd.ctl``; empty (the default) to run clamscan for each document."""
    return os.environ.get("OPENBOOK_CLAMD_SOCKET", "").strip()


def signing_key_dir() -> Path:
    """Where the private keys that sign the log's tree heads live (``OPENBOOK_SIGNING_KEY_DIR``):
    by default ``keys`` in the data directory. Only there: never in the database or the logs."""
    value = os.environ.get("OPENBOOK_SIGNING_KEY_DIR", "").strip()
    return Path(value).expanduser() if value else data_dir() / "keys"


# The reserved .invalid domain (RFC 6761) says plainly that the operator has not named the log.
DEFAULT_LOG_ORIGIN = "openbook.invalid/log"


def log_origin() -> str:
    """The log's name in its signed tree heads and as its keys' name (``OPENBOOK_LOG_ORIGIN``):
    a schema-less URL unique to this platform, such as ``find-tender.example.gov.uk/log``."""
    value = os.environ.get("OPENBOOK_LOG_ORIGIN", "").strip() or DEFAULT_LOG_ORIGIN
    if re.search(r"\s|\+", value):
        raise ConfigurationError(
            f"OPENBOOK_LOG_ORIGIN {value!r} has a space or a '+': a log's origin is a schema-less "
            "URL such as example.gov.uk/log (C2SP tlog-checkpoint)"
        )
    return value


def max_merge_delay() -> int:
    """Seconds within which an accepted entry is in a signed tree head, as the signed entry
    timestamps promise (``OPENBOOK_MAX_MERGE_DELAY``); tree heads must be signed more often."""
    return _whole_number("OPENBOOK_MAX_MERGE_DELAY", 60) or 60


def red_flag_settings() -> str:
    """``OPENBOOK_RED_FLAGS``: a JSON object of red-flag settings that replace their defaults
    (docs/methods/red-flags.md, "Settings"); empty for the defaults. Read when the metrics are
    computed, where a wrong one is refused with the setting's name."""
    return os.environ.get("OPENBOOK_RED_FLAGS", "").strip()


# An address as a mail server takes one: something, an @, a domain with a dot; no spaces.
_EMAIL = re.compile(r"[^@\s,<>]+@[^@\s,<>]+\.[^@\s,<>]+")


def oversight_emails() -> list[str]:
    """Who is told by email of an award published to a supplier on the central debarment list
    (``OPENBOOK_OVERSIGHT_EMAIL``, comma-separated addresses): none (the default) sends no
    email; the audit trail records such awards either way (docs/registers.md)."""
    value = os.environ.get("OPENBOOK_OVERSIGHT_EMAIL", "")
    found = [part.strip() for part in value.split(",") if part.strip()]
    for address in found:
        if not _EMAIL.fullmatch(address):
            raise ConfigurationError(
                f"OPENBOOK_OVERSIGHT_EMAIL has {address!r}, which is not an email address: "
                "write addresses such as oversight@example.gov.uk, separated by commas"
            )
    return list(dict.fromkeys(found))


OVERSIGHT_LANGUAGES = ("en", "cy")


def oversight_language() -> str:
    """The language of the emails to oversight (``OPENBOOK_OVERSIGHT_LANGUAGE``): ``en`` (the
    default) or ``cy``."""
    value = os.environ.get("OPENBOOK_OVERSIGHT_LANGUAGE", "").strip().lower() or "en"
    if value not in OVERSIGHT_LANGUAGES:
        raise ConfigurationError(
            f"OPENBOOK_OVERSIGHT_LANGUAGE {value!r} is not a language of the platform: write en "
            "(the default) or cy"
        )
    return value


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
