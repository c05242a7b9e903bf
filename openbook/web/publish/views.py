"""The publish API's operations: thin adapters over openbook.publishing (docs/publishing-api.md)."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from orjson import dumps

from openbook import audit
from openbook.publishing import publishers
from openbook.publishing.publish import Outcome, Refused, publish
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.web.api import params
from openbook.web.publish import oversight
from openbook.web.publish.auth import ORGANISATION, PLATFORM, PUBLISH_KEY, actor, scoped
from openbook.web.publish.errors import PublishError
from openbook.web.publish.requests import read_json
from openbook.web.publish.schemas import (
    ERRORS,
    RELEASE_BODY,
    AuditPage,
    MintedOcid,
    PublishAnswer,
    ValidateAnswer,
)

router = Router(auth=PUBLISH_KEY, tags=["Publishing"])


def _json(value: object, status: int) -> HttpResponse:
    return HttpResponse(dumps(value), status=status, content_type="application/json")


def _answer(outcome: Outcome) -> dict:
    return {
        "releases": [
            {**release.as_dict(), "record": f"/api/ocds/records/{release.ocid}"}
            for release in outcome.releases
        ],
        "problems": [problem.as_dict() for problem in outcome.problems],
    }


def _publish(request: HttpRequest, *, dry_run: bool) -> Outcome:
    key: Key = request.auth
    value = read_json(request)
    try:
        return publish(Store(), key.organisation, value, actor(request), dry_run=dry_run)
    except Refused as refused:
        raise PublishError(
            refused.status, refused.code, refused.message, refused.problems
        ) from None


@router.post(
    "/releases",
    response={200: PublishAnswer, 201: PublishAnswer, **ERRORS},
    summary="Publish a release or a release package",
    description=(
        "Checks every release (schema, codelists, UK notice rules against the process's earlier "
        "releases) and, if none has a blocking problem, appends them all to the log and compiles "
        "their processes. 201 when anything was stored; 200 when every release was already "
        "published with the same body (idempotent: nothing is stored twice). Problems that do "
        "not block come back with the answer."
    ),
    openapi_extra=RELEASE_BODY,
)
@scoped(ORGANISATION)
def releases(request: HttpRequest):
    outcome = _publish(request, dry_run=False)
    oversight.tell(request, request.auth.organisation, outcome.flagged)
    return _json(_answer(outcome), 201 if outcome.created else 200)


@router.post(
    "/validate",
    response={200: ValidateAnswer, **ERRORS},
    summary="Check a release or a release package without publishing it",
    description=(
        "The same checks, and the same answers, as POST /api/publish/releases; nothing is "
        "stored. 200 when it would be published, with the problems that would not block it."
    ),
    openapi_extra=RELEASE_BODY,
)
@scoped(ORGANISATION)
def validate(request: HttpRequest):
    outcome = _publish(request, dry_run=True)
    return _json({"valid": True, **_answer(outcome)}, 200)


@router.post(
    "/ocids",
    response={201: MintedOcid, **ERRORS},
    summary="Mint a new ocid for a new process",
    description=(
        "A new ocid under the platform's prefix, reserved for your organisation: use it as the "
        "ocid of every release of a new contracting process."
    ),
)
@scoped(ORGANISATION)
def ocids(request: HttpRequest):
    key: Key = request.auth
    ocid = publishers.mint_ocid(Store(), key.organisation, actor(request))
    return _json({"ocid": ocid}, 201)


@router.get(
    "/audit",
    response={200: AuditPage, **ERRORS},
    summary="The audit trail (administrator keys)",
    description=(
        "Every write in the order it was made: publications, keys created and revoked, "
        "publishers and accounts added, ocids minted. Follow `next` for more."
    ),
)
@scoped(PLATFORM)
def audit_trail(
    request: HttpRequest,
    since: str | None = Query(None, max_length=40, description=params.MOMENT_FORMAT),
    publisher: str | None = Query(
        None, max_length=300, description="An organisation's number or identifier (SCHEME-ID)."
    ),
    after: int | None = Query(None, ge=0, description="From `next`: the last event seen."),
    limit: int = Query(100, ge=1, le=1000),
):
    try:
        events = audit.events(
            Store(),
            since=params.moment("since", since),
            publisher=publisher,
            after=after,
            limit=limit,
        )
    except publishers.PublisherError as error:  # not an identifier, or no such organisation
        raise PublishError(400, "invalid-parameter", f"publisher: {error}") from None
    following = None
    if len(events) == limit:
        query = request.GET.copy()
        query["after"] = str(events[-1].id)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return _json({"events": [event.as_dict() for event in events], "next": following}, 200)
