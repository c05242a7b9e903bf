"""The bulk downloads as JSON: the same context as the /downloads/ page (openbook.web.downloads)."""

from django.http import HttpRequest
from ninja import Router

from openbook.web.api.errors import not_found
from openbook.web.api.responses import json_value
from openbook.web.api.schemas import ERRORS, Downloads
from openbook.web.downloads import context, read_snapshot

router = Router(tags=["Downloads"])


@router.get(
    "/downloads",
    response={200: Downloads, **ERRORS},
    summary="The bulk downloads: the latest snapshot's manifest, with a URL for every file",
    description=(
        "What the latest snapshot (`openbook export`) holds: every file with its size, SHA-256 "
        "and URL; the counts; the log size the snapshot is consistent with and the Merkle tree "
        "head over those entries (RFC 9162); the licence. 404 until a snapshot has been made."
    ),
)
def downloads(request: HttpRequest):
    snapshot = read_snapshot()
    if snapshot is None:
        raise not_found(
            "no snapshot has been made yet: the platform's operator makes one with "
            "`openbook export` (docs/downloads.md)"
        )
    with snapshot:
        return json_value(context(request, snapshot))
