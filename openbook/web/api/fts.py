"""The Find a Tender Service's read API, reproduced so that harvesters built for it work here
unchanged: its paths, parameter names and limits, and the same package shapes
(docs/api.md, "Find a Tender compatibility")."""

from django.http import HttpRequest
from ninja import Query, Router

from openbook import feed
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import not_found
from openbook.web.api.ocds import record_response, start_of
from openbook.web.api.responses import absolute, json_bytes
from openbook.web.api.schemas import ERRORS, RecordPackage, ReleasePackage

router = Router(tags=["Find a Tender compatibility"])

FTS_STAGES = ("planning", "tender", "award")
# Find a Tender has three stages; its award stage carries the contract and its performance too.
STAGES_OF = {
    "planning": ["planning"],
    "tender": ["tender"],
    "award": ["award", "contract", "implementation"],
}


@router.get(
    "/ocdsReleasePackages",
    response={200: ReleasePackage, **ERRORS},
    summary="Releases in log order (Find a Tender's form)",
)
def release_packages(
    request: HttpRequest,
    *,
    limit: int = Query(100, ge=1, le=100),
    cursor: str | None = Query(None, max_length=300, pattern="^[A-Za-z0-9=]*$"),
    updatedFrom: str | None = Query(
        None, max_length=40, description="YYYY-MM-DDTHH:MM:SS, UTC; a trailing Z is accepted."
    ),
    updatedTo: str | None = Query(
        None, max_length=40, description="YYYY-MM-DDTHH:MM:SS, UTC; a trailing Z is accepted."
    ),
    stages: str | None = Query(None, max_length=100, description="planning, tender, award."),
):
    chosen = params.choices("stages", stages, FTS_STAGES)
    query = feed.Query(
        start=start_of(cursor),
        limit=limit,
        updated_from=params.moment("updatedFrom", updatedFrom),
        updated_to=params.moment("updatedTo", updatedTo),
        stages=[stage for name in chosen for stage in STAGES_OF[name]],
    )
    params.order_range(query.updated_from, query.updated_to, "updatedFrom", "updatedTo")
    page = feed.releases_page(Store(), query)
    given = {"limit": limit, "updatedFrom": updatedFrom, "updatedTo": updatedTo, "stages": stages}
    links = None
    if page.next_start is not None:
        links = {
            "next": absolute(
                request, request.path, {**given, "cursor": feed.encode_cursor(page.next_start)}
            )
        }
    uri = absolute(request, request.path, {**given, "cursor": cursor})
    return json_bytes(feed.package_bytes(Store(), page.items, uri, links))


@router.get(
    "/ocdsReleasePackages/{path:identifier}",
    response={200: ReleasePackage, **ERRORS},
    summary="A process's releases (by ocid) or a notice's (by notice id)",
)
def release_package(request: HttpRequest, identifier: str):
    store = Store()
    items = feed.process_items(store, identifier) or feed.items_by_release_id(store, identifier)
    if not items:
        raise not_found(f"no process or notice {identifier!r} is published here")
    return json_bytes(feed.package_bytes(store, items, request.build_absolute_uri()))


@router.get(
    "/ocdsRecordPackages/{ocid}",
    response={200: RecordPackage, 304: None, **ERRORS},
    summary="A process's record package (Find a Tender's form)",
)
def record_package(request: HttpRequest, ocid: str):
    return record_response(request, ocid, request.build_absolute_uri(request.path))
