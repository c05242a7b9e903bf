"""Public access to releases (use case): pages of the change feed, one release, a process's
releases, each as an OCDS release package built from the stored bytes.

A release is stored as RFC 8785 canonical JSON, which is valid JSON as it stands, so a package
is written around the stored bytes and never re-serialised (docs/api.md): the feed streams as
fast as the database reads.
"""

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from openbook import config, marks, records
from openbook.load.reading import IDENTITY_BYTES
from openbook.standards.log import format_log_time
from openbook.standards.ocds import terms
from openbook.store import feed
from openbook.store.database import Store

PACKAGE_VERSION = "1.1"


class CursorError(ValueError):
    """A cursor that this platform did not write."""


def encode_cursor(start: int) -> str:
    # Base64 of the decimal seq, within the Find a Tender API's cursor alphabet [A-Za-z0-9=]
    # (digits never encode to + or /); unpadded, so that a link needs no percent-encoding.
    return base64.b64encode(str(start).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        text = base64.b64decode(padded.encode("ascii"), validate=True).decode("ascii")
    except (binascii.Error, UnicodeError) as error:
        raise CursorError(f"{cursor!r} is not a cursor from this API ({error})") from None
    if not text.isdigit() or len(text) > 19:
        raise CursorError(f"{cursor!r} is not a cursor from this API")
    return int(text)


@dataclass(frozen=True, slots=True)
class Query:
    """A page of the feed: log times as stored (``...Z``), stages and party keys as given."""

    start: int = 0
    limit: int = 100
    updated_from: str | None = None
    updated_to: str | None = None
    stages: Sequence[str] = ()
    buyers: Sequence[str] = ()
    suppliers: Sequence[str] = ()


@dataclass(frozen=True, slots=True)
class Page:
    items: list[feed.FeedItem]
    next_start: int | None  # where the next page starts, if this one was full


def releases_page(store: Store, query: Query) -> Page:
    start = query.start
    if query.updated_from:
        start = max(start, feed.first_seq_at(store, query.updated_from))
    stop = None
    if query.updated_to:
        # Inclusive: the first entry after updated_to is where the range stops.
        stop = feed.first_seq_at(store, _just_after(query.updated_to))
    groups = []
    if query.stages:
        groups.append([terms.stage_term(stage) for stage in query.stages])
    if query.buyers:
        groups.append([terms.party_term("buyer", value) for value in query.buyers])
    if query.suppliers:
        groups.append([terms.party_term("supplier", value) for value in query.suppliers])
    items = feed.page(store, records.REGISTER, start, stop, query.limit, term_groups=groups)
    full = len(items) == query.limit
    return Page(items, items[-1].seq + 1 if full else None)


def _just_after(log_time: str) -> str:
    # Log times compare as text; every stored one has microseconds, so this sorts after all
    # stored times equal to log_time and before any later one.
    return log_time + "\x7f"


def storable(*identifiers: str) -> bool:
    """Whether the log could hold a statement so identified: the loader refuses NUL (which
    PostgreSQL text cannot hold) and identifiers over IDENTITY_BYTES, so such a lookup is simply
    not found, on both databases alike."""
    return all(
        "\x00" not in value and len(value.encode("utf-8", "replace")) <= IDENTITY_BYTES["id"]
        for value in identifiers
    )


def process_items(store: Store, ocid: str) -> list[feed.FeedItem]:
    return feed.record_items(store, records.REGISTER, ocid) if storable(ocid) else []


def release_item(store: Store, ocid: str, release_id: str) -> feed.FeedItem | None:
    if not storable(ocid, release_id):
        return None
    return feed.statement_item(store, records.REGISTER, ocid, release_id)


def items_by_release_id(store: Store, release_id: str, limit: int = 100) -> list[feed.FeedItem]:
    """Releases with this id, whatever their process (a notice id looked up alone)."""
    if not storable(release_id):
        return []
    found = feed.find_by_term(store, records.REGISTER, terms.release_term(release_id), limit)
    return [item for item in found if item.body and _release_id(item.body) == release_id]


def _release_id(body: bytes) -> str | None:
    value = orjson.loads(body).get("id")
    return value if isinstance(value, str) else None


def record_state(store: Store, ocid: str) -> tuple[int, str] | None:
    """The seq and log time a process's record is as of: its last release, or the last
    withdrawal or redaction of one, whichever is newer."""
    if not storable(ocid):
        return None
    return feed.record_state(store, (records.REGISTER, *marks.REGISTERS), ocid)


def package_bytes(
    store: Store, items: Sequence[feed.FeedItem], uri: str, links: dict | None = None
) -> bytes:
    """An OCDS release package of these releases, written around their stored bytes.

    ``publishedDate`` is the newest log time among them (now, for an empty page): a package is
    as new as what it holds."""
    metadata: dict = {
        "uri": uri,
        "version": PACKAGE_VERSION,
        "publishedDate": max(
            (item.log_time for item in items), default=format_log_time(datetime.now(UTC))
        ),
        "publisher": {"name": config.publisher_name()},
        "license": config.licence(),
    }
    declarations = records.stored_declarations(store, [item.package_hash for item in items])
    extensions = records.declared_extensions(declarations.values())
    if extensions:
        metadata["extensions"] = extensions
    shown = [item for item in items if item.body is not None]
    # The package is one join of its parts, so that the page's megabytes are copied once (each
    # ``+`` of bytes copies both sides: five copies of a 3 MB page were a tenth of its time).
    parts = [orjson.dumps(metadata)[:-1], b',"releases":[']
    separator = b""
    for item in shown:
        parts += (separator, item.body or b"")
        separator = b","
    parts.append(b"]")
    if links:
        parts += (b',"links":', orjson.dumps(links))
    # Each release's log entry, in the order of "releases": what an inclusion proof is asked
    # for by, and with the release itself all its leaf hash is made of (docs/log-format.md).
    parts += (
        b',"x_openbook_log":',
        orjson.dumps(
            [
                {
                    "sequence": item.seq,
                    "logTime": item.log_time,
                    "publisher": item.publisher,
                    "leafHash": item.leaf_hash,
                }
                for item in shown
            ]
        ),
    )
    # Releases withdrawn since, and entries whose body was redacted (not in "releases"), are
    # listed beside them: the feed hides nothing (openbook.marks).
    withdrawn, redacted = marks.page_marks(store, [item.seq for item in items])
    if withdrawn:
        parts += (b',"x_openbook_withdrawn":', orjson.dumps(withdrawn))
    if redacted:
        parts += (b',"x_openbook_redacted":', orjson.dumps(redacted))
    parts.append(b"}")
    return b"".join(parts)
