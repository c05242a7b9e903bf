"""GET /api/registers/performance and /api/registers/performance/suppliers/{identifier}: the
contract performance register (docs/contract-performance.md)."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import contract_performance
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.commercial_tools import SpendLinkage, Spent
from openbook.web.api.errors import ApiError, bad_parameter, not_found
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Registers"])

RATING_CHOICES = (*contract_performance.RATINGS, contract_performance.UNRATED)


class Organisation(Schema):
    name: str | None
    identifier: str | None


class Money(Schema):
    amount: float | None
    currency: str | None


class Total(Schema):
    currency: str | None
    amount: float


class Period(Schema):
    startDate: str | None
    endDate: str | None


class Observation(Schema):
    id: str | None
    period: Period
    rating: str | None
    notes: str | None


class Kpi(Schema):
    id: str | None
    title: str | None
    description: str | None
    latestRating: str | None
    observations: list[Observation]


class Failure(Schema):
    id: str | None
    period: Period
    category: str | None
    events: float | None
    requirement: str | None
    description: str | None
    decisionDate: str | None
    penaltyDate: str | None
    penaltyType: str | None
    penaltyTypeEntered: str | None
    penaltyValue: Money | None
    penaltyContracted: str | None
    penaltyImposed: str | None
    penaltyPaid: bool | None
    partialTermination: str | None
    suppliers: list[Organisation]
    penalty: bool


class Classification(Schema):
    scheme: str | None
    id: str | None
    description: str | None


class Termination(Schema):
    endDate: str | None
    noticeDate: str | None
    rationale: list[Classification]
    details: str | None
    finalValue: Money | None


class Penalties(Schema):
    count: int
    value: list[Total]


class ContractEntry(Schema):
    ocid: str
    contractId: str | None
    title: str | None
    status: str | None
    buyer: Organisation
    suppliers: list[Organisation]
    value: Money | None
    period: Period
    kpis: list[Kpi]
    ratings: dict[str, int]
    noKpisRationale: str | None
    failures: list[Failure]
    penalties: Penalties
    termination: Termination | None
    spentToDate: list[Spent]


class PerformancePage(Schema):
    page: list[ContractEntry]
    next: str | None


class SupplierPerformance(Schema):
    identifier: str
    contracts: int
    kpis: int
    ratings: dict[str, int]
    failures: int
    penalties: int
    penaltyValue: list[Total]
    terminations: int
    terminationsWithRationale: int
    spentToDate: list[Spent]
    spendLinkage: SpendLinkage
    complete: bool
    page: list[ContractEntry]
    next: str | None


def _before(value: str | None) -> str | None:
    if value and not contract_performance.CURSOR.fullmatch(value):
        raise bad_parameter("before", f"{value[:40]!r} is not a `next` this register gave")
    return value or None


@router.get(
    "/registers/performance",
    response={200: PerformancePage, **ERRORS},
    summary="Contract performance: KPIs and ratings, failures and penalties, terminations",
    description=(
        "Contracts of processes with a contract performance notice (UK9), a contract "
        "termination notice (UK11) or at the implementation stage, that have KPIs, "
        "performance failures or a termination: each KPI with every rating published for it "
        "(met, slightlyBelow, below, significantlyBelow, other), the counts of ratings, the "
        "failures and their penalties, the termination with its rationale, and the spend to "
        "date (the payments linked to the contract, per currency). Those of the "
        "most recently changed process first; follow `next` as `before`. At most "
        f"{contract_performance.SCAN_LIMIT} processes are read for a page, which may then be "
        "short with a `next`."
    ),
)
def performance_register(
    request: HttpRequest,
    *,
    supplier: str | None = Query(None, description="A supplier's identifier, SCHEME-ID."),
    buyer: str | None = Query(None, description="The buyer's identifier, SCHEME-ID."),
    rating: str | None = Query(None, description=", ".join(RATING_CHOICES) + "."),
    terminated: str | None = Query(None, description="true or false."),
    before: str | None = Query(None, description="From `next`."),
    limit: int = Query(20, ge=1, le=contract_performance.MAX_LIMIT),
):
    ratings = params.choices("rating", rating, RATING_CHOICES)
    if len(ratings) > 1:
        raise bad_parameter("rating", "give one rating")
    return contract_performance.register(
        Store(),
        supplier=params.identifier("supplier", supplier),
        buyer=params.identifier("buyer", buyer),
        rating=ratings[0] if ratings else None,
        terminated=params.flag("terminated", terminated),
        before=_before(before),
        limit=limit,
    )


@router.get(
    "/registers/performance/suppliers/{path:identifier}",
    response={200: SupplierPerformance, **ERRORS},
    summary="A supplier's performance record",
    description=(
        "Over every contract naming the supplier (by identifier, SCHEME-ID, normalised "
        "first): how many contracts and KPIs, the ratings by value, the performance failures "
        "and penalties (a failure naming its suppliers counts for those only) with the "
        "penalties' value per currency, the terminations, and the spend to date on those "
        "contracts (per currency); `complete` is false when more "
        f"than {contract_performance.ROLLUP_LIMIT} processes would have to be read. Then a "
        "page of its contracts (follow `next` as `before`). `400` if the identifier is none "
        "its register could have issued, `404` if no process names it as a supplier."
    ),
)
def supplier_performance(
    request: HttpRequest,
    identifier: str,
    *,
    before: str | None = Query(None, description="From `next`."),
    limit: int = Query(20, ge=1, le=contract_performance.MAX_LIMIT),
):
    if len(identifier) > 300:
        raise bad_parameter("identifier", "at most 300 characters")
    try:
        found = contract_performance.supplier(
            Store(), identifier, before=_before(before), limit=limit
        )
    except contract_performance.InvalidIdentifier as error:
        raise ApiError(400, "invalid-identifier", str(error), "identifier") from None
    if found is None:
        raise not_found(f"no process names the supplier {identifier!r}")
    return found
