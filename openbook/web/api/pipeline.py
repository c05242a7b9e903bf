"""GET /api/registers/pipeline: the procurement pipeline register (docs/pipeline.md)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import pipeline
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import bad_parameter
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Registers"])

CPV_PREFIX = r"\d{2,8}"


class PipelineBuyer(Schema):
    name: str | None
    identifier: str | None


class PipelineValue(Schema):
    amount: float
    currency: str | None


class PipelineEntry(Schema):
    ocid: str
    title: str | None
    buyer: PipelineBuyer
    cpv: list[str]
    value: PipelineValue | None
    planningNotices: list[str]
    planned: str | None
    expectedDate: str | None
    expectedField: str | None
    stage: str | None
    reachedTender: bool
    tenderDate: str | None
    tenderNotice: str | None
    delayDays: int | None
    overdue: bool


class PipelinePage(Schema):
    page: list[PipelineEntry]
    next: int | None


def utc_text(moment: datetime | None) -> str | None:
    """A moment as the register writes dates: UTC, ``YYYY-MM-DDTHH:MM:SSZ``."""
    return None if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@router.get(
    "/registers/pipeline",
    response={200: PipelinePage, **ERRORS},
    summary="The procurement pipeline: planned procurements and whether they reached tender",
    description=(
        "Processes with a pipeline notice (UK1), another planning notice (UK2, UK3, the 2015 "
        "rules' prior information notices) or a planning-stage release: their buyer, CPV "
        "codes, the date their tender notice was expected (the last estimate published "
        "before the tender), whether and when they reached tender, and whether they are "
        "overdue (not reached, the expected date past). Most recently changed first; follow "
        "`next` as `before`. With `expected_from`, `expected_to` or `reached=overdue`, at "
        f"most {pipeline.SCAN_LIMIT} processes are read for a page, which may then be short "
        "with a `next`."
    ),
)
def pipeline_register(
    request: HttpRequest,
    *,
    buyer: str | None = Query(None, description="The buyer's identifier, SCHEME-ID."),
    cpv: str | None = Query(None, description="CPV codes or prefixes (2 to 8 digits), commas."),
    expected_from: str | None = Query(None, description=params.MOMENT_FORMAT),
    expected_to: str | None = Query(None, description=params.MOMENT_FORMAT),
    reached: str | None = Query(None, description="yes, no or overdue."),
    # A seq is a 64-bit integer: a larger one is refused, not passed to the database.
    before: int | None = Query(None, ge=0, le=2**63 - 1, description="From `next`."),
    limit: int = Query(20, ge=1, le=pipeline.MAX_LIMIT),
):
    start = utc_text(params.instant("expected_from", expected_from))
    end = utc_text(params.instant("expected_to", expected_to, upper=True))
    params.order_range(start, end, "expected_from", "expected_to")
    chosen = params.choices("reached", reached, pipeline.REACHED)
    if len(chosen) > 1:
        raise bad_parameter("reached", "give one of yes, no or overdue")
    return pipeline.register(
        Store(),
        buyer=params.identifier("buyer", buyer),
        cpv=params.listed("cpv", cpv, CPV_PREFIX, "a CPV code or prefix of 2 to 8 digits"),
        expected_from=start,
        expected_to=end,
        reached=chosen[0] if chosen else None,
        before=before,
        limit=limit,
    )
