"""GET /api/metrics...: the plan's milestones measured, data quality and red flags, from the
precomputed figures of the newest run (docs/methods/, docs/api.md "Metrics")."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from openbook import metrics, reports
from openbook.reports import table
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import ApiError, bad_parameter
from openbook.web.api.responses import json_value
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Metrics"])

SUBJECT = (
    "Whose figures: an authority's key (its identifier SCHEME-ID, or `name:` and its name as "
    "the figures give it), `central` for central government, `everyone`; omit for all."
)
PERIOD = "all, a year (2023), a half-year (2023-H1) or a month (2023-04)."


def _subject(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if len(value) > 300 or "\x00" in value:
        raise bad_parameter("subject", "is not an authority's key (at most 300 characters)")
    return {"everyone": metrics.EVERYONE, "central": metrics.CENTRAL}.get(value, value)


def _asked(call):
    try:
        return json_value(call())
    except metrics.MetricsError as error:
        raise ApiError(400, "invalid-parameter", str(error), error.parameter) from None


@router.get(
    "/metrics",
    response={200: dict, **ERRORS},
    summary="What is measured, and when the figures were computed",
    description=(
        "Every metric (the NAP5 milestones, data-quality checks, red flags) with its method "
        "document and version, and the run the figures come from: the log size it read and "
        "the day overdue notices were judged at."
    ),
)
def overview(request: HttpRequest):
    return json_value(metrics.overview(Store()))


@router.get(
    "/metrics/processes/{ocid}",
    response={200: dict, **ERRORS},
    summary="How one process counts in every metric",
    description="Its items in each milestone, its failed data-quality checks and its red flags.",
)
def process_items(request: HttpRequest, ocid: str):
    if len(ocid) > 300 or "\x00" in ocid:
        raise bad_parameter("ocid", "is not an ocid (at most 300 characters)")
    return json_value(metrics.process_items(Store(), ocid))


@router.get(
    "/metrics/{metric}",
    response={200: dict, **ERRORS},
    summary="A metric's figures for a period",
    description=(
        "Everyone's, central government's and each authority's figure (or one subject's): "
        "`for`, `against`, `excluded` and `pending` counts, `value` = for / (for + against), "
        "the target and whether it was met, and breakdowns (such as the delays of award "
        "notices)."
    ),
)
def figures(
    request: HttpRequest,
    metric: str,
    *,
    subject: str | None = Query(None, description=SUBJECT),
    period: str = Query("all", max_length=10, description=PERIOD),
):
    return _asked(
        lambda: metrics.figures_of(Store(), metric, subject=_subject(subject), period=period)
    )


@router.get(
    "/metrics/{metric}/items",
    response={200: dict, **ERRORS},
    summary="The items behind a figure",
    description=(
        "The procurements, awards, contracts or notices a figure counts, with the numbers and "
        "the reason, in pages; `outcome=against` lists those that count against the target. "
        "Follow `next` as `after`."
    ),
)
def items(
    request: HttpRequest,
    metric: str,
    *,
    subject: str | None = Query(None, description=SUBJECT),
    period: str = Query("all", max_length=10, description=PERIOD),
    outcome: str | None = Query(
        None, max_length=60, description="for, against, excluded, pending; commas for several."
    ),
    after: int = Query(0, ge=0, le=2**63 - 1, description="From `next`."),
    limit: int = Query(100, ge=1, le=1000),
):
    outcomes = params.choices("outcome", outcome, metrics.OUTCOMES)
    return _asked(
        lambda: metrics.items_of(
            Store(),
            metric,
            subject=_subject(subject),
            period=period,
            outcomes=outcomes,
            after=after,
            limit=limit,
        )
    )


def _report(call, format_: str):
    try:
        built = call()
    except reports.NoFigures as error:
        raise ApiError(404, "not-found", str(error)) from None
    except reports.ReportError as error:
        raise bad_parameter("period", str(error)) from None
    if format_ == "csv":
        response = HttpResponse(table.render(built), content_type="text/csv; charset=utf-8")
        name = f"{built['kind']}-report-{built['period']}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return json_value(built)


@router.get(
    "/reports/progress/{half}",
    response={200: dict, **ERRORS},
    summary="The twice-yearly open contracting progress report",
    description=(
        "Every figure of the report for a half-year (`2023-H1`, `2023-H2`) from the newest "
        "run: each milestone's figures for everyone and central government, by month, the "
        "authorities with the most against, and the first items that count against. "
        "`format=csv` gives every figure as CSV. `404` before the first run."
    ),
)
def progress_report(
    request: HttpRequest, half: str, format: str = Query("json", pattern="^(json|csv)$")
):
    base = request.build_absolute_uri("/").rstrip("/")
    return _report(lambda: reports.progress(Store(), half, base), format)


@router.get(
    "/reports/documents/{year}",
    response={200: dict, **ERRORS},
    summary="The yearly report on contract documents and redactions",
    description=(
        "Every figure of the yearly report (`2023`): contracts with their documents published, "
        "withheld information and its grounds, for everyone, central government and each "
        "authority. `format=csv` gives every figure as CSV. `404` before the first run."
    ),
)
def documents_report(
    request: HttpRequest, year: str, format: str = Query("json", pattern="^(json|csv)$")
):
    base = request.build_absolute_uri("/").rstrip("/")
    return _report(lambda: reports.documents(Store(), year, base), format)
