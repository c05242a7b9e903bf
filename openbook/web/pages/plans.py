"""The action plans' pages (issue 10, item 5; docs/plans.md, docs/pages.md): the plans loaded;
a plan at a glance (its commitments and milestones, their status and what is overdue); a
commitment with its assessment, milestones and history; a milestone with what the platform
measures of it, its progress updates and history. Each reads the use case the API's views read
(openbook.plans) and adds only what the page says in the reader's language, so the JSON twin
holds the API's answer."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import plans
from openbook.standards.plans import is_id
from openbook.standards.plans.assessment import INDICATORS
from openbook.store.database import Store
from openbook.web.pages import errors
from openbook.web.pages.errors import Problem
from openbook.web.pages.formats import day, number
from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page

BULK = "/downloads/registers/plans.jsonl.gz"


def status_labels() -> dict[str, str]:
    """The completion scale (and withdrawn) in the reader's language."""
    return {
        "no-evidence": _("No evidence available"),
        "not-started": _("Not started"),
        "limited": _("Limited"),
        "substantial": _("Substantial"),
        "complete": _("Complete"),
        "withdrawn": _("Withdrawn"),
    }


def labels() -> dict:
    """Every code the plan pages show, in the reader's language."""
    return {
        "status": status_labels(),
        "indicator": {
            "verifiable": _("Verifiability"),
            "openGovernmentLens": _("Open government lens"),
            "potentialForResults": _("Potential for results"),
            "completion": _("Completion"),
            "earlyResults": _("Early results: did it open government?"),
        },
        "value": {
            "verifiable": _("Verifiable"),
            "not-verifiable": _("Not verifiable"),
            "yes": _("Yes"),
            "no": _("No"),
            "unclear": _("Unclear"),
            "modest": _("Modest"),
            **status_labels(),  # completion's scale; its "substantial" too
            "worsened": _("Worsened"),
            "did-not-change": _("Did not change"),
            "marginal": _("Marginal"),
            "major": _("Major"),
            "outstanding": _("Outstanding"),
        },
        "ogpValue": {
            "access-to-information": _("Access to information"),
            "civic-participation": _("Civic participation"),
            "public-accountability": _("Public accountability"),
            "technology-and-innovation": _(
                "Technology and innovation for transparency and accountability"
            ),
        },
        "flag": {
            "ends-before-start": _("The plan gives an end before the start"),
            "ends-after-plan": _("It ends after the plan's period"),
            "starts-before-plan": _("It starts before the plan's period"),
            "unnumbered": _("The plan gives it no number"),
            "no-milestones": _("The plan gives it no milestones"),
        },
        "statement": {
            "facts": _("As the plan file gives it"),
            "withdrawal": _("Withdrawn from the plan"),
            "field": _("Added with its source"),
            "update": _("Progress update"),
            "assessment": _("Assessment"),
        },
        "field": {
            "problem": _("The problem it addresses"),
            "leadBody": _("Lead body"),
            "ogpValues": _("OGP values"),
        },
    }


def measured_said(measured: dict | None) -> str | None:
    """What a milestone's measure found, in a sentence of the reader's language."""
    if measured is None:
        return None
    reason = measured["reason"]
    simple = {
        "not-started": _("It has not started yet."),
        "no-run": _("No figures have been computed yet."),
        "nothing-counted": _("Nothing in its months counts for or against it yet."),
        "none-made": _("No bulk download has been made yet."),
        "empty": _("The bulk download holds no release."),
    }
    if reason in simple:
        return simple[reason]
    if measured["kind"] == "share":
        shares = {
            "value": _percent(measured["value"]),
            "counted": number(measured["for"] + measured["against"]),
            "target": f"{round(measured['target'] * 100, 1):g}%",
        }
        return {
            "below-target": _("%(value)s of %(counted)s counted: below the target of "
                              "%(target)s.", **shares),
            "target-met": _("%(value)s of %(counted)s counted: the target of %(target)s was "
                            "met over the whole period.", **shares),
            "on-course": _("%(value)s of %(counted)s counted: the target of %(target)s is met "
                           "so far, and the period is not over.", **shares),
        }.get(reason, reason)  # fmt: skip
    if measured["kind"] == "bulk-download":
        snapshot = measured.get("snapshot") or {}
        return _(
            "The bulk download made %(day)s holds %(releases)s releases in OCDS.",
            day=day(snapshot.get("generated")),
            releases=number(snapshot.get("releases")),
        )
    if reason == "none-due":
        return _("No period of it is over yet.")
    return _(
        "%(reported)s of the %(due)s periods over have figures for their report.",
        reported=number(measured["reported"]),
        due=number(measured["due"]),
    )


def _percent(value: object) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else _("no figure")


def _read_on(query) -> date | None:
    value = query.get("on")
    if not value:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise errors.bad_request(
            [Problem("on", _("%(given)s is not a date: write YYYY-MM-DD", given=repr(value[:40])))]
        ) from None


def _found(call):
    try:
        return call()
    except plans.NotFound:
        raise errors.PageError(404, _("Page not found")) from None


def _ids(*given: str) -> None:
    if not all(is_id(each) for each in given):
        raise errors.PageError(404, _("Page not found"))


def _said(milestone: dict) -> dict:
    return {**milestone, "measuredSaid": measured_said(milestone["measured"])}


def _commitment_said(commitment: dict) -> dict:
    return {**commitment, "milestones": [_said(each) for each in commitment["milestones"]]}


# /plans -------------------------------------------------------------------------------


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    context = {"plans": plans.plans(Store()), "labels": labels(), "api": "/api/plans",
               "bulk": BULK}  # fmt: skip
    return page(request, "pages/plans/index.html", context, title=_("Action plans"))


# /plans/<plan> --------------------------------------------------------------------------


@require_safe
def plan_page(request: HttpRequest, plan_id: str) -> HttpResponse:
    try:
        context = plan_context(Store(), plan_id, request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(request, "pages/plans/plan.html", context, title=context["plan"]["title"])


def plan_context(store: Store, plan_id: str, query) -> dict:
    """The plan at a glance: each commitment with its milestones, status and what is overdue,
    as ``GET /api/plans/{plan_id}`` gives them, on the day asked for (``on``) or today."""
    _ids(plan_id)
    on = _read_on(query)
    found = _found(lambda: plans.plan(store, plan_id, on))
    found = {**found, "commitments": [_commitment_said(each) for each in found["commitments"]]}
    return {
        "plan": found,
        "on": on.isoformat() if on else None,
        "labels": labels(),
        "api": f"/api/plans/{plan_id}",
        "bulk": BULK,
    }


# /plans/<plan>/commitments/<commitment> --------------------------------------------------


@require_safe
def commitment_page(request: HttpRequest, plan_id: str, commitment_id: str) -> HttpResponse:
    try:
        context = commitment_context(Store(), plan_id, commitment_id, request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(
        request, "pages/plans/commitment.html", context, title=context["commitment"]["title"]
    )


def commitment_context(store: Store, plan_id: str, commitment_id: str, query) -> dict:
    """A commitment as ``GET /api/plans/{plan_id}/commitments/{commitment_id}`` gives it: its
    fields, assessment, milestones and every statement of it."""
    _ids(plan_id, commitment_id)
    on = _read_on(query)
    found = _found(lambda: plans.commitment(store, plan_id, commitment_id, on))
    return {
        "commitment": _commitment_said(found),
        "indicators": list(INDICATORS),
        "on": on.isoformat() if on else None,
        "labels": labels(),
        "api": f"/api/plans/{plan_id}/commitments/{commitment_id}",
    }


# /plans/<plan>/commitments/<commitment>/milestones/<milestone> ---------------------------


@require_safe
def milestone_page(
    request: HttpRequest, plan_id: str, commitment_id: str, milestone_id: str
) -> HttpResponse:
    try:
        context = milestone_context(Store(), plan_id, commitment_id, milestone_id, request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    milestone = context["milestone"]
    title = _(
        "%(commitment)s: milestone %(milestone)s",
        commitment=milestone["commitmentTitle"],
        milestone=milestone["id"],
    )
    return page(request, "pages/plans/milestone.html", context, title=title)


def milestone_context(
    store: Store, plan_id: str, commitment_id: str, milestone_id: str, query
) -> dict:
    """A milestone as ``GET /api/plans/.../milestones/{milestone_id}`` gives it: its dates,
    status (measured, or from its newest update), progress updates and every statement."""
    _ids(plan_id, commitment_id, milestone_id)
    on = _read_on(query)
    found = _found(lambda: plans.milestone(store, plan_id, commitment_id, milestone_id, on))
    return {
        "milestone": _said(found),
        "updates": [
            each
            for each in reversed(found["history"])
            if each["statement"] and each["statement"].get("statement") == "update"
        ],
        "on": on.isoformat() if on else None,
        "labels": labels(),
        "api": f"/api/plans/{plan_id}/commitments/{commitment_id}/milestones/{milestone_id}",
    }
