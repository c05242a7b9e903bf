"""The public OCDS API: the change feed, one release, a process's record package."""

from django.http import HttpRequest
from ninja import Query, Router

from openbook import feed, records
from openbook.standards.ocds.terms import STAGES
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import bad_parameter, not_found
from openbook.web.api.responses import (
    absolute,
    conditional,
    json_bytes,
    record_validators,
    with_validators,
)
from openbook.web.api.schemas import ERRORS, RecordPackage, ReleasePackage

router = Router(tags=["OCDS"])

MAX_LIMIT = 1000
UPDATED = (
    "Log time: when this platform accepted the release (never the publisher's `date`, which can "
    f"be backdated). {params.MOMENT_FORMAT}."
)


@router.get(
    "/releases",
    response={200: ReleasePackage, **ERRORS},
    summary="The change feed: every release in log order",
    description=(
        "An OCDS release package of releases in the order this platform accepted them. Follow "
        "`links.next` from the first page to receive every release exactly once, corrections "
        "and cancellations included; `links.next` is absent when the page is not full."
    ),
)
def releases(
    request: HttpRequest,
    *,
    cursor: str | None = Query(None, max_length=300, description="From `links.next`."),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    updated_from: str | None = Query(None, max_length=40, description=UPDATED),
    updated_to: str | None = Query(None, max_length=40, description=UPDATED),
    stage: str | None = Query(
        None, max_length=200, description=f"Comma-separated: {', '.join(STAGES)}."
    ),
    buyer: str | None = Query(
        None, max_length=300, description="Buyer's identifier (SCHEME-ID), party id or name."
    ),
    supplier: str | None = Query(
        None, max_length=300, description="Supplier's identifier (SCHEME-ID), party id or name."
    ),
):
    query = feed.Query(
        start=start_of(cursor),
        limit=limit,
        updated_from=params.moment("updated_from", updated_from),
        updated_to=params.moment("updated_to", updated_to),
        stages=params.choices("stage", stage, STAGES),
        buyers=params.texts("buyer", buyer),
        suppliers=params.texts("supplier", supplier),
    )
    params.order_range(query.updated_from, query.updated_to, "updated_from", "updated_to")
    page = feed.releases_page(Store(), query)
    given = {
        "limit": limit,
        "updated_from": updated_from,
        "updated_to": updated_to,
        "stage": stage,
        "buyer": buyer,
        "supplier": supplier,
    }
    links = None
    if page.next_start is not None:
        following = feed.encode_cursor(page.next_start)
        links = {"next": absolute(request, request.path, {"cursor": following, **given})}
    uri = absolute(request, request.path, {"cursor": cursor, **given})
    return json_bytes(feed.package_bytes(Store(), page.items, uri, links))


def start_of(cursor: str | None, parameter: str = "cursor") -> int:
    if not cursor:
        return 0
    try:
        return feed.decode_cursor(cursor)
    except feed.CursorError as error:
        raise bad_parameter(parameter, str(error)) from None


@router.get(
    "/releases/{ocid}/{path:release_id}",
    response={200: ReleasePackage, **ERRORS},
    summary="One release, in a release package",
)
def release(request: HttpRequest, ocid: str, release_id: str):
    store = Store()
    item = feed.release_item(store, ocid, release_id)
    if item is None:
        raise not_found(f"no release {release_id!r} of process {ocid!r} is published here")
    return json_bytes(feed.package_bytes(store, [item], request.build_absolute_uri()))


@router.get(
    "/records/{ocid}",
    response={200: RecordPackage, 304: None, **ERRORS},
    summary="A contracting process: its record package",
    description=(
        "The record of one contracting process: its compiled release (the current state), its "
        "versioned release (the history of every field) and its releases in log order. "
        "Answers conditional requests (ETag, Last-Modified) with 304."
    ),
)
def record(request: HttpRequest, ocid: str):
    return record_response(request, ocid, request.build_absolute_uri(request.path))


def record_response(request: HttpRequest, ocid: str, uri: str):
    store = Store()
    state = feed.record_state(store, ocid)
    if state is None:
        raise not_found(f"no contracting process {ocid!r} is published here")
    etag, last_modified = record_validators(*state)
    unchanged = conditional(request, etag, last_modified)
    if unchanged is not None:
        return unchanged
    package = records.record_package_bytes(store, ocid, uri)
    if package is None:
        raise not_found(f"no contracting process {ocid!r} is published here")
    return with_validators(json_bytes(package), etag, last_modified)
