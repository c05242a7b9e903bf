"""Following the money (docs/spend.md, "What users see"): GET /api/spend/contracts/{ocid} (a
contract's value against what has been paid on it, month by month, and the payments behind
it), /api/spend/suppliers/{identifier} (what a supplier received from each body, with and
without a published contract) and /api/spend/bodies/{body} (a body's spend coverage, the
suppliers it paid most without a contract, its payments to debarred suppliers)."""

import re
from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import spend_views
from openbook.organisations import InvalidIdentifier
from openbook.store.database import Store
from openbook.web.api.errors import ApiError, bad_parameter, not_found
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Spend"])

LONGEST = 300  # an ocid, identifier or body longer than this is none the platform holds
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Money(Schema):
    amount: float
    currency: str | None


class Period(Schema):
    startDate: str | None
    endDate: str | None


class Named(Schema):
    name: str
    identifier: str | None


class Month(Schema):
    month: str
    currency: str | None
    amount: str
    payments: int
    cumulative: str


class Spent(Schema):
    currency: str | None
    amount: str
    payments: int


class Target(Schema):
    kind: str
    id: str
    published: bool
    awardId: str | None
    title: str | None
    value: Money | None
    period: Period | None
    suppliers: list[Named]
    framework: bool
    spentToDate: list[Spent]
    shareOfValue: float | None
    months: list[Month]


class Body(Schema):
    key: str
    name: str | None
    href: str | None = None


class TargetRef(Schema):
    kind: str | None
    id: str | None


class LinkedPayment(Schema):
    id: str
    kind: str
    date: str | None
    amount: str | None
    currency: str | None
    body: Body
    supplier: str | None
    supplierWithheld: bool
    redacted: bool
    contract: TargetRef
    method: str
    score: float
    notes: list[str]
    duplicateOf: str | None
    current: bool
    methodVersion: str
    linkedAt: str
    href: str | None


class ContractLinks(Schema):
    api: str
    method: str


class ContractSpend(Schema):
    ocid: str
    contracts: list[Target]
    payments: list[LinkedPayment]
    paymentCount: int
    next: str | None
    methodVersion: str
    links: ContractLinks


class LinkShown(Schema):
    status: str
    ocid: str | None
    kind: str | None
    id: str | None
    method: str | None
    score: float | None


class Debarment(Schema):
    id: str
    supplier: dict
    startDate: str | None
    endDate: str | None
    status: str
    matchedBy: str
    href: str


class Payment(Schema):
    id: str
    date: str
    amount: str
    currency: str
    body: Body
    supplier: str | None
    supplierWithheld: bool
    redacted: bool
    link: LinkShown
    href: str
    debarment: Debarment | None = None


class Part(Schema):
    payments: int
    amount: str


class Received(Schema):
    body: str
    name: str
    currency: str
    first: str
    last: str
    linked: Part
    unlinked: Part
    notLinkedYet: Part
    total: str
    href: str


class Total(Schema):
    currency: str
    first: str
    last: str
    linked: Part
    unlinked: Part
    notLinkedYet: Part
    total: str


class SupplierLinks(Schema):
    api: str


class SupplierSpend(Schema):
    identifier: str
    names: list[str]
    bodies: list[Received]
    totals: list[Total]
    paymentCount: int
    payments: list[Payment]
    methodVersion: str
    links: SupplierLinks


class Counts(Schema):
    linked: int
    unlinked: int
    notLinkedYet: int
    excluded: int


class Pounds(Schema):
    linked: int
    unlinked: int
    notLinkedYet: int


class Coverage(Schema):
    period: str
    share: float | None
    payments: Counts
    pounds: Pounds
    byMethod: dict[str, int]


class Largest(Schema):
    supplier: str | None
    supplierKey: str
    supplierWithheld: bool
    redacted: bool
    currency: str
    payments: int
    amount: str


class Debarred(Schema):
    payments: list[Payment]
    count: int
    amounts: list[Spent]


class OrganisationLink(Schema):
    identifier: str
    href: str


class BodyLinks(Schema):
    api: str
    unlinked: str
    transactions: str
    metric: str
    method: str


class Counted(Schema):
    by: str
    computed: str | None
    logSize: int | None


class BodySpend(Schema):
    body: str
    name: str
    organisations: list[OrganisationLink]
    payments: int
    first: str | None
    last: str | None
    coverage: Coverage | None
    years: list[Coverage]
    counted: Counted
    largestUnlinked: list[Largest]
    debarred: Debarred
    methodVersion: str
    linkerVersion: str
    links: BodyLinks


def _text(parameter: str, value: str) -> str:
    if len(value) > LONGEST:
        raise bad_parameter(parameter, f"is {len(value)} characters long; at most {LONGEST}")
    if _CONTROL.search(value) or "\ufffd" in value:
        raise bad_parameter(parameter, "has characters that are not text")
    return value


def _before(value: str | None) -> tuple[str, str] | None:
    """A ``next`` this list gave: DATE/ID (the date empty for an undated payment)."""
    if not value:
        return None
    day, slash, key = value.partition("/")
    valid = bool(slash) and bool(key) and len(key) <= 500 and not _CONTROL.search(key)
    if valid and day:
        try:
            valid = len(day) == 10 and date.fromisoformat(day).isoformat() == day
        except ValueError:
            valid = False
    if not valid:
        raise bad_parameter("cursor", f"{value[:40]!r} is not a `next` this list gave")
    return day, key


@router.get(
    "/spend/contracts/{ocid}",
    response={200: ContractSpend, **ERRORS},
    summary="A contract's value against what has been paid on it",
    description=(
        "Each contract of the process (and each award no contract follows yet) with its value, "
        "period and suppliers, what has been paid on it to date (per currency) and as a share "
        "of its value, and by month with the running total (`months[].cumulative`): the "
        "payments linked to it by the last linking run, each counted once (a spending file's "
        "row that is a UK8 notice's payment counts as the notice's). Then the payments "
        "themselves, the newest first, each with how it was linked (`method`, `score`, "
        "`notes`); follow `next` as `cursor`. `404` if no process has this ocid here "
        "(docs/spend.md, 'What users see')."
    ),
)
def contract(
    request: HttpRequest,
    ocid: str,
    *,
    cursor: str | None = Query(None, description="From `next`."),
    limit: int = Query(100, ge=1, le=spend_views.MAX_LIMIT),
):
    found = spend_views.contract(Store(), _text("ocid", ocid), before=_before(cursor), limit=limit)
    if found is None:
        raise not_found(f"no process {ocid[:80]!r} is published here")
    return found


@router.get(
    "/spend/suppliers/{identifier}",
    response={200: SupplierSpend, **ERRORS},
    summary="What a supplier was paid, by paying body",
    description=(
        "The payments public bodies' spending files show to a supplier (SCHEME-ID, normalised "
        "first), by body and currency: how many and how much were linked to a published "
        "contract (`linked`), found to have none (`unlinked`), or not linked yet "
        "(`notLinkedYet`); the totals; and its newest payments (`limit`). Its payments are "
        "those to a name the processes give it (compared as organisation names are) and those "
        "linked to a contract of which it is the only supplier. `400` if the identifier is "
        "none its register could have issued, `404` if no process names it."
    ),
)
def supplier(
    request: HttpRequest,
    identifier: str,
    *,
    limit: int = Query(20, ge=1, le=100, description="The newest payments listed."),
):
    try:
        found = spend_views.supplier(Store(), _text("identifier", identifier), limit=limit)
    except InvalidIdentifier as error:
        raise ApiError(400, "invalid-identifier", str(error), "identifier") from None
    if found is None:
        raise not_found(f"no process names the organisation {identifier[:80]!r}")
    return found


@router.get(
    "/spend/bodies/{body}",
    response={200: BodySpend, **ERRORS},
    summary="A body's spend coverage",
    description=(
        "How much of a paying body's spend (its key, SCHEME-ID, or its name) is linked to a "
        "published contract: over all time (`coverage`) and by year (`years`), as a share of "
        "the pounds paid (`share`), with the payments and pounds linked, unlinked, not linked "
        "yet and excluded (credits, other currencies) (docs/methods/spend-coverage.md), as the "
        "newest metrics run counted them (`counted`), or now for a body it did not count; the "
        "suppliers it paid most without a linked contract (`largestUnlinked`, `limit` of them);"
        " and its payments to suppliers on the debarment list on the day paid (`debarred`). "
        "`404` if the body has no payments here."
    ),
)
def body(
    request: HttpRequest,
    body: str,
    *,
    limit: int = Query(
        spend_views.LARGEST, ge=1, le=100, description="The suppliers paid without a contract."
    ),
):
    found = spend_views.body(Store(), _text("body", body), limit=limit)
    if found is None:
        raise not_found(f"no payments of a body {body[:80]!r} are here")
    return found
