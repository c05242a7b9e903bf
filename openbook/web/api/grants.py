"""GET /api/grants and /api/grants/{id}: the grants register, 360Giving grants as loaded from
grant-makers' files, their recipients resolved to organisations (docs/local-transparency.md)."""

import re

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import grants
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import bad_parameter, not_found
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Grants"])

# A cursor: the award day ("" for a grant whose day could not be read) and the grant's id.
ORDERS = ("oldest", "newest")
_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2}|)/(\S.{0,999})", re.DOTALL)


class Recipient(Schema):
    identifier: str
    processes: int


class Funder(Schema):
    key: str
    name: str


class Grant(Schema):
    id: str
    version: int
    seq: int
    redacted: bool
    awardDate: str | None
    amount: str | None
    currency: str | None
    errors: int
    grant: dict | None
    source: dict | None
    recipients: list[Recipient]
    funder: Funder


class GrantPage(Schema):
    grants: list[Grant]
    next: str | None


class Statement(Schema):
    version: int
    seq: int
    logTime: str
    publisher: str
    leafHash: str
    statement: dict | None
    problems: list[dict]


class History(Schema):
    id: str
    version: int
    statements: list[Statement]


@router.get(
    "/grants",
    response={200: GrantPage, **ERRORS},
    summary="Grants from grant-makers' 360Giving files",
    description=(
        "The grants register's grants, in award date order (then id; a grant whose award date "
        "could not be read comes first): each with its newest statement's `grant` (exactly as "
        "the 360Giving file gave it), its `source` (the file, its SHA-256 and where in it), "
        "the identifiers its recipient organisations resolve to with the number of "
        "contracting processes naming each, and the count of schema `errors` in its review. "
        "Filters: `funder` (an identifier, SCHEME-ID, or the funder's name), `recipient` (an "
        "organisation identifier, SCHEME-ID), `from` and `to` (award dates, YYYY-MM-DD, "
        "inclusive). `order=newest` lists the most recent award dates first. Follow `next` as "
        "`cursor`, with the same `order`."
    ),
)
def grant_list(
    request: HttpRequest,
    *,
    funder: str | None = Query(None, description="The funder: SCHEME-ID or name."),
    recipient: str | None = Query(None, description="A recipient's identifier, SCHEME-ID."),
    date_from: str | None = Query(None, alias="from", description="YYYY-MM-DD."),
    date_to: str | None = Query(None, alias="to", description="YYYY-MM-DD."),
    cursor: str | None = Query(None, description="From `next`."),
    limit: int = Query(100, ge=1, le=grants.MAX_LIMIT),
    order: str = Query(ORDERS[0], description="`oldest` (award date order) or `newest`."),
):
    params.one_of("order", order, ORDERS)
    start, end = params.day("from", date_from), params.day("to", date_to)
    params.order_range(start, end, "from", "to")
    try:
        found = grants.page(
            Store(),
            funder=params.text("funder", funder),
            recipient=params.text("recipient", recipient),
            date_from=start,
            date_to=end,
            after=params.from_cursor(cursor, _CURSOR),
            limit=limit,
            newest_first=order == "newest",
        )
    except grants.InvalidIdentifier as error:
        raise bad_parameter("recipient", str(error)) from None
    following = found["next"]
    return {
        "grants": found["grants"],
        "next": f"{following[0]}/{following[1]}" if following else None,
    }


@router.get(
    "/grants/{path:id}",
    response={200: History, **ERRORS},
    summary="A grant and every statement of it",
    description=(
        "A grant of the grants register with every statement of it in log order: as first "
        "loaded, then each version a later file gave it, each with its review against the "
        "360Giving schema (docs/local-transparency.md). `404` if there is no such grant."
    ),
)
def grant(request: HttpRequest, id: str):
    if len(id.encode()) > 1000 or "\x00" in id:
        raise bad_parameter("id", "is not a grant's id")
    found = grants.history(Store(), id)
    if found is None:
        raise not_found(f"no grant {id[:80]!r}")
    return found
