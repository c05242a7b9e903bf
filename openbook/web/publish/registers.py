"""Recording entries of the debarment list (administrator keys), and of the complaints and legal
challenges registers (an authority's key for its own processes, or an administrator key):
thin adapters over openbook.registers (docs/registers.md)."""

import re

from django.http import HttpRequest, HttpResponse
from ninja import Router
from orjson import dumps

from openbook import registers
from openbook.publishing.answers import Refused
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.web.publish.auth import (
    ORGANISATION_OR_PLATFORM,
    PLATFORM,
    PUBLISH_KEY,
    actor,
    scoped,
)
from openbook.web.publish.errors import PublishError
from openbook.web.publish.requests import read_json
from openbook.web.publish.schemas import ERRORS

router = Router(auth=PUBLISH_KEY, tags=["Registers"])

_VERSION = re.compile(r'"(\d{1,9})"|(\d{1,9})')  # strong comparison (RFC 9110, 13.1.1)
_ENTRY_ID = re.compile(r"[A-Z]{3}-\d{6}")


def _recorded(found: registers.Recorded, status: int) -> HttpResponse:
    body = {"outcome": found.outcome, "entry": registers.described(found.entry)}
    response = HttpResponse(dumps(body), status=status, content_type="application/json")
    response["ETag"] = f'"{found.entry.version}"'
    response["Location"] = f"/api/registers/{found.entry.register}/{found.entry.entry_id}"
    return response


def _record(
    request: HttpRequest, code: str, entry_id: str | None = None, replaces: int | None = None
) -> registers.Recorded:
    key: Key = request.auth
    sent = read_json(request)
    try:
        return registers.record(
            Store(),
            code,
            sent,
            organisation=key.organisation,
            role=key.role,
            actor=actor(request),
            entry_id_=entry_id,
            replaces=replaces,
        )
    except Refused as refused:
        raise PublishError(
            refused.status, refused.code, refused.message, refused.problems
        ) from None
    except registers.UnknownEntry as error:
        raise PublishError(404, "not-found", str(error)) from None


def if_match(request: HttpRequest) -> int:
    """The version a change replaces, from If-Match (RFC 9110, s.13.1.1): a change to an entry
    must say which version it was made to, so that two people's changes never overwrite each
    other unseen."""
    given = request.headers.get("If-Match", "").strip()
    if not given:
        raise PublishError(
            428,
            "version-required",
            "send the version you changed in an If-Match header, as the entry's ETag gives "
            'it (If-Match: "3"): a change made to an older version is refused',
        )
    matched = _VERSION.fullmatch(given)
    if matched is None:
        raise PublishError(
            400,
            "bad-if-match",
            f'If-Match {given[:40]!r} is not a version: send the ETag as given, such as "3"',
        )
    return int(matched.group(1) or matched.group(2))


def _checked_id(entry_id: str) -> str:
    if not _ENTRY_ID.fullmatch(entry_id):
        raise PublishError(
            404, "not-found", f"{entry_id[:40]!r} is not an entry id (they read like DEB-000001)"
        )
    return entry_id


def _routes(code: str, scope: str, who: str) -> None:
    title = registers.register(code).title
    slug = code.replace("-", "_")

    @router.post(
        f"/registers/{code}",
        response={201: dict, **ERRORS},
        summary=f"Add an entry to the {title.lower()} ({who})",
        description=(
            f"Checks the entry (docs/registers.md lists its fields) and records it as version 1 "
            f"of a new entry of the {title.lower()}, a statement in the log. 422 with every "
            "problem, each with a JSON pointer, when it cannot be recorded."
        ),
        operation_id=f"add_{slug}_entry",
    )
    @scoped(scope)
    def add(request: HttpRequest):
        return _recorded(_record(request, code), 201)

    @router.put(
        f"/registers/{code}/{{entry_id}}",
        response={200: dict, 201: dict, **ERRORS},
        summary=f"Change an entry of the {title.lower()} ({who})",
        description=(
            "Records the whole entry as sent as its next version, given `If-Match` with the "
            "version it changes (its ETag): 409 if another change came first, 428 without "
            "it. 201 when a version was recorded; 200 when the entry was sent unchanged "
            "(nothing is recorded)."
        ),
        operation_id=f"change_{slug}_entry",
    )
    @scoped(scope)
    def change(request: HttpRequest, entry_id: str):
        found = _record(request, code, _checked_id(entry_id), if_match(request))
        return _recorded(found, 200 if found.outcome == "unchanged" else 201)


_routes("debarment", PLATFORM, "administrator keys")
_routes("complaints", ORGANISATION_OR_PLATFORM, "the authority's key, or an administrator's")
_routes("challenges", ORGANISATION_OR_PLATFORM, "the authority's key, or an administrator's")
