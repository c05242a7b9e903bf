"""Deadlines for publishing a notice after the event it reports.

The Act's are counted in days beginning with the event (ss.53, 71, 80): the day of the event is
the first of them. The earlier regulations' award notice is due no later than 30 days after the
award (Public Contracts Regulations 2015, reg. 50(1)).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from openbook.standards.uk.notices import format_day, parse_moment
from openbook.standards.uk.rules.context import (
    Finding,
    NoticeContext,
    objects,
    release_published,
    value_at,
)
from openbook.standards.uk.rules.dates import contract_ended
from openbook.standards.uk.rules.facts import (
    is_below_threshold,
    is_dynamic_market_award,
    is_framework_call_off,
    is_light_touch,
    is_private_utility,
)


def _late(
    ctx: NoticeContext, path: str, event: datetime, days: int, *, notice: str, what: str
) -> Iterator[Finding]:
    """A finding at ``path`` if the notice came after ``days`` days beginning with ``event``.

    ``notice`` names the notice and ``what`` says what happened at ``event``, for the message.
    """
    published = release_published(ctx)
    if published is None:
        return
    first = ctx.calendar.london_date(event)
    last = first + timedelta(days=days - 1)
    day = ctx.calendar.london_date(published)
    if day > last:
        yield Finding(
            path,
            f"This {notice} was published on {format_day(day)}, but {what} on "
            f"{format_day(first)}: the notice is due within {days} days beginning with that "
            f"day, by {format_day(last)}.",
        )


def check_details_deadline(ctx: NoticeContext) -> Iterator[Finding]:
    if is_private_utility(ctx) or is_below_threshold(ctx):
        return  # s.53(6)(a); s.87(3) asks "as soon as reasonably practicable"
    days, kind = (120, "light touch contract") if is_light_touch(ctx) else (30, "contract")
    for i, contract in objects(ctx.release.get("contracts")):
        signed = parse_moment(contract.get("dateSigned"))
        if signed is not None:
            yield from _late(
                ctx,
                f"/contracts/{i}/dateSigned",
                signed,
                days,
                notice="contract details notice",
                what=f"the {kind} was entered into",
            )


def check_termination_deadline(ctx: NoticeContext) -> Iterator[Finding]:
    if is_private_utility(ctx):
        return  # s.80(4)(a)
    for i, contract in objects(ctx.release.get("contracts")):
        value, path = contract_ended(contract, i)
        ended = parse_moment(value)
        if ended is not None:
            yield from _late(
                ctx,
                path,
                ended,
                30,
                notice="contract termination notice",
                what="the contract ended",
            )


def check_performance_deadline(ctx: NoticeContext) -> Iterator[Finding]:
    if is_light_touch(ctx) or is_private_utility(ctx):
        return  # s.71(6), (7)
    for i, contract in objects(ctx.release.get("contracts")):
        failures = objects(value_at(contract, "implementation", "performanceFailures"))
        dates = [
            (f"/contracts/{i}/implementation/performanceFailures/{j}/{key}", moment)
            for j, failure in failures
            for key in ("decisionDate", "penaltyDate")
            if (moment := parse_moment(failure.get(key))) is not None
        ]
        if dates:
            path, first_event = min(dates, key=lambda item: item[1])
            yield from _late(
                ctx,
                path,
                first_event,
                30,
                notice="contract performance notice",
                what="the breach or failure it reports was established",
            )


def check_pcr_award_notice(ctx: NoticeContext) -> Iterator[Finding]:
    if is_framework_call_off(ctx) or is_dynamic_market_award(ctx):
        return  # reg. 50(4) and (5)
    published = release_published(ctx)
    if published is None:
        return
    day = ctx.calendar.london_date(published)
    for i, award in objects(ctx.release.get("awards")):
        decided = parse_moment(award.get("date"))
        if decided is None:
            continue
        awarded = ctx.calendar.london_date(decided)
        if (day - awarded).days > 30:
            yield Finding(
                f"/awards/{i}/date",
                f"This contract award notice was published on {format_day(day)}, more than 30 "
                f"days after the award on {format_day(awarded)}. The notice must be sent for "
                "publication no later than 30 days after the award.",
            )
