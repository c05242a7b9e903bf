"""The commercial tools register: frameworks and dynamic markets, their lots, members and
call-offs, and a tool's whole lineage (docs/commercial-tools.md)."""

import re

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from openbook import commercial_tools
from openbook.search import cpv_prefix
from openbook.store.database import Store
from openbook.web.api.errors import ApiError, bad_parameter, not_found
from openbook.web.api.params import MAX_KEY, one_of
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Registers"])

_CPV = re.compile(r"\d{2,8}(?:-\d)?")


class Money(Schema):
    amount: float
    currency: str | None


class MethodSpent(Schema):
    method: str
    payments: int
    amount: str  # decimal text, to the penny


class Spent(Schema):
    """Payments linked to the processes counted, in one currency (openbook.linked_spend)."""

    currency: str | None
    amount: str  # decimal text, to the penny; credits subtract
    payments: int
    byMethod: list[MethodSpent]
    lowestScore: float | None
    linkedBy: list[str]  # the linker's method versions


class SpendLinkage(Schema):
    methodVersion: str
    method: str


class Estimate(Money):
    source: str  # frameworkAgreement or tender


class Period(Schema):
    startDate: str | None
    endDate: str | None


class Buyer(Schema):
    id: str | None
    name: str | None


class Membership(Schema):
    lot: str | None
    award: str | None
    state: str
    joined: str | None
    ended: str | None


class ToolOutline(Schema):
    ocid: str
    title: str | None
    kind: str
    status: str
    period: Period
    buyer: Buyer
    published: str | None
    lotCount: int
    recognisedBy: str  # techniques, or call-off (docs/commercial-tools.md)


class ListedTool(ToolOutline):
    members: int
    callOffs: int
    spent: list[Spent]
    membership: list[Membership] | None = None


class ToolList(Schema):
    page: list[ListedTool]
    next: int | None


class Lot(Schema):
    id: str
    title: str | None
    status: str | None
    estimatedValue: Money | None
    members: int


class Member(Schema):
    name: str | None
    identifier: str | None
    partyId: str | None
    state: str
    awards: list[Membership]


class LotValue(Schema):
    lots: list[str]
    callOffs: int
    awarded: list[Money]
    spent: list[Spent]


class Related(Schema):
    ocid: str
    role: str
    relationship: str
    namedBy: str
    held: bool
    title: str | None
    kind: str | None


class Supplier(Schema):
    name: str | None
    identifier: str | None


class CallOff(Schema):
    ocid: str
    title: str | None
    lots: list[str]
    awarded: list[Money]
    spent: list[Spent]
    buyer: Buyer
    published: str | None
    awardDate: str | None
    suppliers: list[Supplier]


class Lineage(ToolOutline):
    estimatedValue: Estimate | None
    lots: list[Lot]
    members: list[Member]
    callOffCount: int
    awarded: list[Money]
    awardedByLot: list[LotValue]
    spent: list[Spent]
    callOffsPaid: int
    spentOnAgreement: list[Spent]
    spendLinkage: SpendLinkage
    lineage: list[Related]
    callOffs: list[CallOff]
    next: int | None


def _given(max_length: int, description: str):
    return Field(None, max_length=max_length, description=description)


class ToolFilters(Schema):
    kind: str | None = _given(20, "framework or dynamic-market.")
    status: str | None = _given(
        10, "active (its period has not ended, or gives no end) or ended (its end has passed)."
    )
    cpv: str | None = _given(12, "A CPV code or its first digits (45, 4523, 45233140-2).")
    buyer: str | None = _given(300, "The identifier (SCHEME-ID) of a buyer party of the tool.")
    member: str | None = _given(
        300, "The identifier (SCHEME-ID) of a supplier awarded onto the tool, on any lot."
    )
    q: str | None = _given(200, "Words the tool's title contains, as written (any case).")
    before: int | None = Field(None, ge=0, le=MAX_KEY, description="From `next`.")
    limit: int = Field(20, ge=1, le=commercial_tools.MAX_LIMIT)


@router.get(
    "/registers/commercial-tools",
    response={200: ToolList, **ERRORS},
    summary="The commercial tools register",
    description=(
        "Frameworks and dynamic markets (processes whose tender declares a framework agreement "
        "or dynamic purchasing system), the most recently changed first, with their period, "
        "status, lots, active members and call-offs, and what was spent through the call-offs "
        "per currency (the payments linked to them); follow `next` as `before`. With `member`, "
        "the tools an organisation was awarded onto, and its awards on each "
        "(docs/commercial-tools.md)."
    ),
)
def tools(request: HttpRequest, filters: Query[ToolFilters]):
    if filters.kind:
        one_of("kind", filters.kind, commercial_tools.KINDS)
    if filters.status:
        one_of("status", filters.status, commercial_tools.STATUSES)
    cpv = None
    if filters.cpv:
        if not _CPV.fullmatch(filters.cpv):
            raise bad_parameter(
                "cpv", f"{filters.cpv!r} is not a CPV code or its first digits (at least two)"
            )
        cpv = cpv_prefix(filters.cpv)
    if filters.q is not None and "\x00" in filters.q:
        raise bad_parameter("q", "contains a NUL character")
    try:
        return commercial_tools.register(
            Store(),
            kind=filters.kind or None,
            status=filters.status or None,
            cpv=cpv,
            buyer=filters.buyer,
            member=filters.member,
            title=filters.q.strip() if filters.q and filters.q.strip() else None,
            before=filters.before,
            limit=filters.limit,
        )
    except commercial_tools.InvalidIdentifier as error:
        raise ApiError(400, "invalid-identifier", str(error), error.parameter) from None


@router.get(
    "/registers/commercial-tools/{ocid}",
    response={200: Lineage, **ERRORS},
    summary="A framework or dynamic market, its whole lineage",
    description=(
        "One tool with everything linked to it: its lots and estimated value, its members over "
        "time (per lot, with when each award joined and, if cancelled, ended), the value its "
        "call-offs awarded per currency through each lot and what was spent through them (the "
        "payments linked to them, per currency, by linking method; payments linked to the "
        "framework agreement itself apart), the tools it renews or replaces and "
        "those renewing or replacing it, and a page of its call-offs with their awards (follow "
        "`next` as `before`). `404` if no process has the ocid, or if the process is no "
        "framework or dynamic market (for a call-off, the message names its framework)."
    ),
)
def tool(
    request: HttpRequest,
    ocid: str,
    *,
    before: int | None = Query(None, ge=0, le=MAX_KEY, description="From `next`."),
    limit: int = Query(50, ge=1, le=commercial_tools.MAX_CALL_OFFS, description="Call-offs."),
):
    if len(ocid) > 300:
        raise bad_parameter("ocid", "at most 300 characters")
    if "\x00" in ocid:
        raise bad_parameter("ocid", "contains a NUL character")
    try:
        found = commercial_tools.lineage(Store(), ocid, before=before, limit=limit)
    except commercial_tools.NotATool as error:
        where = "".join(f"; see {request.path.rsplit('/', 1)[0]}/{f}" for f in error.frameworks)
        raise not_found(f"{error}{where}") from None
    if found is None:
        raise not_found(f"no process has the ocid {ocid!r}")
    return found
