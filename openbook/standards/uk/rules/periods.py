"""Minimum participation and tendering periods (Procurement Act 2023, s.54(3) and (4)).

A period is counted in days: it begins with the day after the invitation (the procurement's
first tender notice) and ends with the deadline day (s.54(5)). The minimum is the shortest the
data allows; what it cannot show (urgency, pre-selected suppliers) makes a short period a
warning rather than an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from openbook.standards.uk.notices import format_day, parse_moment
from openbook.standards.uk.rules.context import (
    WARNING,
    Finding,
    NoticeContext,
    first_earlier,
    is_given,
    latest,
    release_published,
    value_at,
)
from openbook.standards.uk.rules.facts import (
    is_below_threshold,
    is_central_government,
    is_dynamic_market_award,
    is_light_touch,
    is_utilities_contract,
)


def _invited(ctx: NoticeContext) -> date | None:
    first_tender = first_earlier(ctx, "UK4")
    moment = first_tender.published if first_tender is not None else release_published(ctx)
    return ctx.calendar.london_date(moment) if moment is not None else None


def _period(ctx: NoticeContext, *deadline_keys: str) -> tuple[date, int] | None:
    """(invitation day, days to the tender deadline at ``deadline_keys``) where s.54 applies."""
    deadline = parse_moment(value_at(ctx.release, "tender", *deadline_keys))
    invited = _invited(ctx)
    if deadline is None or invited is None:
        return None
    if is_light_touch(ctx) or is_below_threshold(ctx):
        return None  # s.54 tables; s.87(6)
    return invited, (ctx.calendar.london_date(deadline) - invited).days


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _qualifying_planned_notice(ctx: NoticeContext, invited: date) -> bool:
    # s.15(3): published at least 40 days but not more than 12 months before the tender notice.
    for mention in ctx.earlier:
        if mention.code == "UK3" and mention.published is not None:
            day = ctx.calendar.london_date(mention.published)
            if _year_before(invited) <= day and (invited - day).days >= 40:
                return True
    return False


def _electronic_submission(ctx: NoticeContext) -> bool | None:
    methods = latest(ctx, "tender", "submissionMethod")
    policy = latest(ctx, "tender", "submissionTerms", "electronicSubmissionPolicy")
    if policy == "notAllowed":
        return False
    if isinstance(methods, list) and methods:
        return "electronicSubmission" in methods
    return None


def _tender_minimum(ctx: NoticeContext, invited: date) -> tuple[int, str]:
    if is_dynamic_market_award(ctx):
        return 10, "for an award by reference to a dynamic market"
    if _qualifying_planned_notice(ctx, invited):
        return 10, "after a qualifying planned procurement notice"
    if _electronic_submission(ctx) is False:
        return 30, "when tenders may not be submitted electronically"
    return 25, "when tenders may be submitted electronically with all documents provided"


@dataclass(frozen=True, slots=True)
class TenderPeriod:
    """A tender notice's tendering period and the Act's minimum for it (s.54(4))."""

    invited: date  # the London day the first tender notice came out
    days: int  # from the day after ``invited`` to the deadline day (s.54(5))
    minimum: int
    when: str  # the case the minimum is for, in words: "after a qualifying planned ..."


def tender_period(ctx: NoticeContext) -> TenderPeriod | None:
    """The tendering period of the tender notice ``ctx`` reads, where s.54 applies and the
    notice itself invites tenders; None otherwise (also read by the red flags,
    openbook.standards.metrics.uk_flags)."""
    period = _period(ctx, "tenderPeriod", "endDate")
    if period is None:
        return None
    if is_given(value_at(ctx.release, "tender", "expressionOfInterestDeadline")):
        return None  # tenders are invited later, by the procedure, not by this notice
    invited, days = period
    minimum, when = _tender_minimum(ctx, invited)
    return TenderPeriod(invited, days, minimum, when)


def check_tender_period(ctx: NoticeContext) -> Iterator[Finding]:
    period = tender_period(ctx)
    if period is None or period.days >= period.minimum:
        return
    invited, days, minimum, when = period.invited, period.days, period.minimum, period.when
    path = "/tender/tenderPeriod/endDate"
    stated = (
        f"The tendering period of this tender notice is {days} days (from the day after "
        f"{format_day(invited)} to the deadline). The Act's minimum {when} is {minimum} days."
    )
    may_negotiate = is_utilities_contract(ctx) or not is_central_government(ctx)
    if days >= 10:
        yield Finding(
            path,
            f"{stated} A 10-day minimum applies only where the authority considers there is a "
            "state of urgency, or, for a utilities contract or an authority other than central "
            "government, where only pre-selected suppliers may tender. If one applies, say so "
            "in the tender notice; otherwise extend the deadline.",
            WARNING,
        )
    elif may_negotiate:
        yield Finding(
            path,
            f"{stated} Only a tendering period agreed with pre-selected suppliers, for a "
            "utilities contract or by an authority other than central government, may be "
            "shorter than 10 days. If that is the case, say so in the tender notice; otherwise "
            "extend the deadline.",
            WARNING,
        )
    else:
        yield Finding(
            path, f"{stated} Even in a state of urgency it is 10 days. Extend the deadline."
        )


def check_participation_period(ctx: NoticeContext) -> Iterator[Finding]:
    period = _period(ctx, "expressionOfInterestDeadline")
    if period is None:
        return
    invited, days = period
    if days >= 25:
        return
    stated = (
        f"The period for requests to participate is {days} days (from the day after "
        f"{format_day(invited)} to the deadline); the Act's minimum is 25 days"
    )
    if days >= 10:
        yield Finding(
            "/tender/expressionOfInterestDeadline",
            f"{stated}, or 10 days where the authority considers there is a state of urgency "
            "that makes 25 days impractical. If so, say so in the tender notice; otherwise "
            "extend the deadline.",
            WARNING,
        )
    else:
        yield Finding(
            "/tender/expressionOfInterestDeadline",
            f"{stated}, and 10 days even in a state of urgency. Extend the deadline.",
        )
