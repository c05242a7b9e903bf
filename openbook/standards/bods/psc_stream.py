"""Companies House's streaming API events about persons with significant control, as the PSC
import reads them (docs/bods.md, "Companies House's streaming API"). Pure.

Its PSC and PSC statements streams send an event per change: the resource (``resource_kind``,
``resource_uri``, ``resource_id``), the ``event`` (``type`` "changed" or "deleted",
``published_at``, ``timepoint``) and, but for a deletion, the PSC record's ``data`` as the
snapshot gives it. A changed event is read as that snapshot record, of the event's day; a
deleted one closes the PSC's relationship record (``deleted``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openbook.standards.bods import psc
from openbook.standards.days import day_of

# A PSC's resource: /company/<number>/persons-with-significant-control/<kind>/<id> (the kind:
# individual, corporate-entity, ...), or a PSC statement's: .../persons-with-significant-control-
# statements/<id>. The id is the last part, never empty: "<kind>/" names no PSC.
_PSC_URI = re.compile(
    r"/company/([A-Za-z0-9]{1,10})/persons-with-significant-control(?:-statements|/.+)/([^/]+)"
)


@dataclass(frozen=True, slots=True)
class Streamed:
    """A streaming API event about one PSC record: as a snapshot record (``company_number``
    and ``data``) when ``changed``, the PSC's relationship record id when ``deleted``."""

    record: dict
    day: str  # the day Companies House published the event
    deleted: bool
    relationship: str  # the PSC's relationship record id (its first: see successor)


def streamed(record: Any, today: str) -> Streamed | psc.Skipped | None:
    """The streaming API event ``record`` is (None when it is not one: a snapshot record has
    no ``resource_kind`` nor ``event``), or why it gives no statements. ``today``
    (YYYY-MM-DD): the latest day it is anywhere now; an event published after it is refused
    (``_resource``)."""
    if not isinstance(record, dict) or ("resource_kind" not in record and "event" not in record):
        return None
    resource = _resource(record, today)
    if isinstance(resource, psc.Skipped):
        return resource
    number, psc_id, published = resource
    uri, relationship = record["resource_uri"], f"{psc.RELATIONSHIP_PREFIX}{psc_id}"
    if record["event"]["type"] == "deleted":
        return Streamed({"company_number": number}, published, True, relationship)
    data = record.get("data")
    if not isinstance(data, dict):
        return psc.Skipped(f"a changed event of GB-COH-{number} without its data", True)
    if psc.psc_id_of(data) not in (None, psc_id):
        return psc.Skipped(
            f"a streaming API event of GB-COH-{number} whose data's links.self is another "
            "PSC's than its resource_uri",
            True,
        )
    if psc.psc_id_of(data) is None:
        links = data.get("links")
        data = {**data, "links": {**(links if isinstance(links, dict) else {}), "self": uri}}
    return Streamed({"company_number": number, "data": data}, published, False, relationship)


def _resource(record: dict, today: str) -> tuple[str, str, str] | psc.Skipped:
    """A streaming API event's company number, PSC id and day of publication. An event
    published after ``today`` is refused: its day would make the real events that follow it
    look older than it, and so close or change nothing."""
    event, uri = record.get("event"), record.get("resource_uri")
    if not isinstance(event, dict) or event.get("type") not in ("changed", "deleted"):
        return psc.Skipped(
            "a streaming API event without an event of type changed or deleted", True
        )
    found = _PSC_URI.fullmatch(uri) if isinstance(uri, str) else None
    if found is None and isinstance(uri, str) and uri.endswith("/"):
        return psc.Skipped(
            f"a streaming API event whose resource_uri {uri[:100]!r} ends with '/' where the "
            "PSC's id should be",
            True,
        )
    if found is None:
        return psc.Skipped(
            f"a streaming API event whose resource_uri {str(uri)[:80]!r} is not a company's "
            "person with significant control",
            True,
        )
    number, psc_id = found.group(1).upper(), found.group(2)
    published = day_of(event.get("published_at"))
    if published is None:
        return psc.Skipped(
            f"a streaming API event of GB-COH-{number} without a published_at date", True
        )
    if published > today:
        return psc.Skipped(
            f"a streaming API event of GB-COH-{number} published on {published}, a day not yet "
            f"begun anywhere (today is {today} at the latest): an event is not from the future "
            "(a wrong clock, or not Companies House's)",
            True,
        )
    return number, psc_id, published


def deleted(statements: list[dict], day: str) -> dict | str:
    """The statement closing a PSC's relationship record (its ``statements``: the log's and
    those stated before in the same import) whose PSC record Companies House's streaming API
    reports deleted on ``day``; or why it is not closed. As ``no_longer_listed``, it gives no
    ``endDate``: a deletion says the record left the register, not when control ended. The
    stream is in order (its timepoints), so a deletion closes a record stated the same day."""
    return psc.removed(
        statements,
        day,
        said=f"deleted from the register, as its streaming API reported on {day}",
        why="Companies House's streaming API reported this person with significant control's "
        "record deleted from the register",
        same_day=True,
    )
