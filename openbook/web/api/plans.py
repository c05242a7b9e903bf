"""GET /api/plans and below: open government action plans (NAP5 first), each with its
commitments and milestones, their dates as published and as parsed, status and whether they are
overdue; one commitment or milestone with every statement of it (docs/plans.md)."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import plans
from openbook.standards.plans import is_id
from openbook.store.database import Store
from openbook.web.api.errors import bad_parameter, not_found
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Plans"])

_ON = Query(
    None,
    description="The day to read the plan as of, YYYY-MM-DD (default: today in the UK): a "
    "milestone is overdue once the last day its end date can mean is before it.",
)


class _Record(Schema):
    key: str
    version: int
    statements: int
    withdrawn: dict | None
    created: str | None
    updated: str | None
    seq: int | None
    source: dict | None


class Milestone(_Record):
    id: str
    plan: str
    commitment: str
    objective: str | None
    text: str | None
    newOrOngoing: str | None
    start: dict
    end: dict
    status: str
    statusLabel: str
    statusDate: str | None
    statusFrom: str
    measured: dict | None
    overdue: bool
    dueBy: str | None
    latestUpdate: dict | None
    updates: int
    flags: list[dict]
    notes: list[str]


class Commitment(_Record):
    id: str
    plan: str
    number: str | None
    title: str | None
    objectives: list[dict]
    problem: dict
    actions: dict
    leadBody: dict
    ogpValues: dict
    status: str
    statusLabel: str
    statusDate: str | None
    latestUpdate: dict | None
    updates: int
    assessment: dict
    assessments: int
    flags: list[dict]
    notes: list[str]
    summary: dict
    milestones: list[Milestone]


class Listed(_Record):
    id: str
    title: str | None
    shortTitle: str | None
    country: str | None
    period: dict
    document: dict | None
    notes: list[str]
    asOf: str
    summary: dict


class Plan(Listed):
    flags: list[dict]
    commitments: list[Commitment]


class Statement(Schema):
    id: int
    seq: int
    logTime: str
    publisher: str
    leafHash: str
    statement: dict | None


class CommitmentHistory(Commitment):
    planTitle: str | None
    history: list[Statement]


class MilestoneHistory(Milestone):
    planTitle: str | None
    commitmentTitle: str | None
    history: list[Statement]


def _on(value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise bad_parameter("on", f"{value[:40]!r} is not a date: write YYYY-MM-DD") from None


def _ids(*given: tuple[str, str]) -> None:
    for what, value in given:
        if not is_id(value):
            raise not_found(f"there is no {what} {value[:40]!r} (ids are lower-case letters, "
                            "digits, '.' and '-')")  # fmt: skip


@router.get(
    "/plans",
    response={200: list[Listed], **ERRORS},
    summary="Open government action plans",
    description=(
        "Every plan loaded (the UK's National Action Plan 2021-2023, NAP5, first), by id: its "
        "title, period, the published document it transcribes, and `summary`: its commitments "
        "and milestones, milestones by status, overdue and flagged."
    ),
)
def plan_list(request: HttpRequest, on: str | None = _ON):
    return plans.plans(Store(), _on(on))


@router.get(
    "/plans/{plan_id}",
    response={200: Plan, **ERRORS},
    summary="A plan with its commitments and milestones",
    description=(
        "The plan, its commitments in its order, and each commitment's milestones: the text, "
        "new or ongoing, `start` and `end` as published (`asPublished`) and as parsed (`from` "
        "and `to`, the first and last day the date can mean, with its `precision`: day, month, "
        "quarter, year or none for 'Ongoing'; `toBeConfirmed` for 'TBC'), `status` (the newest "
        "progress update's, `no-evidence` if none; for a milestone the platform measures, "
        "`statusFrom` is `measured` and `measured` gives the figures it follows from, their "
        "method and version, the target and why), `overdue` and `flags` (what the plan itself "
        "says that does not add up, such as a milestone that ends before it starts). "
        "Commitments give their fields the plan does not state as empty with `whyEmpty`, or as "
        "recorded later with their `source`, and their `assessment` in the manner of the OGP's "
        "Independent Reporting Mechanism: each indicator's newest value with its source and "
        "date. `404` if there is no such plan."
    ),
)
def plan_one(request: HttpRequest, plan_id: str, on: str | None = _ON):
    _ids(("plan", plan_id))
    day = _on(on)
    try:
        return plans.plan(Store(), plan_id, day)
    except plans.NotFound as error:
        raise not_found(str(error)) from None


@router.get(
    "/plans/{plan_id}/commitments/{commitment_id}",
    response={200: CommitmentHistory, **ERRORS},
    summary="A commitment, its milestones and its history",
    description=(
        "A commitment as in its plan, with `history`: every statement of it in the log, the "
        "first first (its facts as loaded and corrected, fields recorded with their source, "
        "progress updates, assessments, its withdrawal), each with its log entry (`seq`), "
        "`logTime`, `publisher` and `leafHash`. `404` if there is no such plan or commitment."
    ),
)
def commitment_one(request: HttpRequest, plan_id: str, commitment_id: str, on: str | None = _ON):
    _ids(("plan", plan_id), ("commitment", commitment_id))
    day = _on(on)
    try:
        return plans.commitment(Store(), plan_id, commitment_id, day)
    except plans.NotFound as error:
        raise not_found(str(error)) from None


@router.get(
    "/plans/{plan_id}/commitments/{commitment_id}/milestones/{milestone_id}",
    response={200: MilestoneHistory, **ERRORS},
    summary="A milestone and its history",
    description=(
        "A milestone as in its plan, with its plan's and commitment's titles and `history`: "
        "every statement of it in the log, the first first (its facts as loaded and corrected, "
        "its progress updates with their status, narrative, evidence and who recorded them, "
        "its withdrawal). For a milestone the platform measures, `measured` gives the figures "
        "its status follows from (docs/methods/plan-milestones.md). `404` if there is no such "
        "plan, commitment or milestone."
    ),
)
def milestone_one(
    request: HttpRequest,
    plan_id: str,
    commitment_id: str,
    milestone_id: str,
    on: str | None = _ON,
):
    _ids(("plan", plan_id), ("commitment", commitment_id), ("milestone", milestone_id))
    day = _on(on)
    try:
        return plans.milestone(Store(), plan_id, commitment_id, milestone_id, day)
    except plans.NotFound as error:
        raise not_found(str(error)) from None
