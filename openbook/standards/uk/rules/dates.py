"""Dates a notice reports as past: what it says has happened cannot come after the notice itself.

A contract details notice follows the contract's entry into (Procurement Act 2023, s.53(1),
s.87(3)); a payments notice reports a payment made (s.70); a contract performance notice reports
an assessment made or a breach or failure that has led to a termination, damages, a settlement
or a decision (s.71(2), (5)); a contract termination notice says the contract "has been
terminated" (s.80(2)(a)); a procurement termination notice reports a decision not to award
(s.55); a contract award notice reports the decision to award (s.50). Each of those dates after
the notice's own is an error the publisher can put right, not a fact of what happened: the
publish checks refuse it.

"After the notice" is measured against the release's own ``date`` (when the notice says it was
published), never against the clock of the machine checking it: a release is then judged the
same way whenever it is checked (published, validated, loaded again years later), and data
dated in the future as a whole (the generator's, a test's) is consistent with itself. The
pages date their releases now, so there it is today. Days are UK days (Europe/London): an event
on the notice's own UK day is never after it, whatever the hour, which is also the tolerance
for a date given as a day in another time zone.

A contract change notice (s.75(1)) comes *before* the modification, so its dates are not
checked here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any

from openbook.standards.uk.notices import format_day, parse_moment
from openbook.standards.uk.rules.context import (
    WARNING,
    Finding,
    NoticeContext,
    objects,
    release_published,
    value_at,
)


def _notice_day(ctx: NoticeContext) -> date | None:
    published = release_published(ctx)
    return ctx.calendar.london_date(published) if published is not None else None


def _after(ctx: NoticeContext, path: str, value: object, what: str, why: str) -> Iterator[Finding]:
    """A finding at ``path`` if the moment ``value`` falls on a UK day after the notice's.

    ``what`` names the event ("the contract was entered into"), ``why`` says what the law asks.
    """
    notice_day = _notice_day(ctx)
    moment = parse_moment(value)
    if notice_day is None or moment is None or ctx.notice is None:
        return
    day = ctx.calendar.london_date(moment)
    if day > notice_day:
        yield Finding(
            path,
            f"This {ctx.notice.label} is dated {format_day(notice_day)}, but says {what} on "
            f"{format_day(day)}, a later day. {why} Give the date it happened, on or before "
            f"{format_day(notice_day)}, or publish the notice once it has happened.",
        )


def check_award_decided(ctx: NoticeContext) -> Iterator[Finding]:
    for i, award in objects(ctx.release.get("awards")):
        yield from _after(
            ctx,
            f"/awards/{i}/date",
            award.get("date"),
            "the decision to award was made",
            "A contract award notice follows the decision to award: it says the authority intends "
            "to enter into the contract (s.50(1)-(3)).",
        )


def check_contract_signed(ctx: NoticeContext) -> Iterator[Finding]:
    for i, contract in objects(ctx.release.get("contracts")):
        yield from _after(
            ctx,
            f"/contracts/{i}/dateSigned",
            contract.get("dateSigned"),
            "the contract was entered into",
            "A contract details notice is published after the contract is entered into "
            "(s.53(1); s.87(3) below threshold).",
        )


def check_payment_made(ctx: NoticeContext) -> Iterator[Finding]:
    for i, contract in objects(ctx.release.get("contracts")):
        transactions = objects(value_at(contract, "implementation", "transactions"))
        for j, transaction in transactions:
            yield from _after(
                ctx,
                f"/contracts/{i}/implementation/transactions/{j}/date",
                transaction.get("date"),
                "a payment was made",
                "A payment is published once it has been made (s.70).",
            )


_FAILURE_DATES = (
    ("penaltyDate", "the termination, damages or settlement it reports happened"),
    ("decisionDate", "you decided the supplier had failed to improve"),
)


def check_performance_reported(ctx: NoticeContext) -> Iterator[Finding]:
    """A breach or failure's dates, and the end of a period assessed, on or before the notice."""
    why = "A contract performance notice reports what has already happened (s.71(2), (5))."
    for i, contract in objects(ctx.release.get("contracts")):
        base = f"/contracts/{i}/implementation"
        for j, failure in objects(value_at(contract, "implementation", "performanceFailures")):
            for key, what in _FAILURE_DATES:
                path = f"{base}/performanceFailures/{j}/{key}"
                yield from _after(ctx, path, failure.get(key), what, why)
            for key, what in (("startDate", "started"), ("endDate", "ended")):
                path = f"{base}/performanceFailures/{j}/period/{key}"
                moment = value_at(failure, "period", key)
                yield from _after(ctx, path, moment, f"the breach or failure {what}", why)
        for j, metric in objects(value_at(contract, "implementation", "metrics")):
            for k, observation in objects(metric.get("observations")):
                path = f"{base}/metrics/{j}/observations/{k}/period/endDate"
                ended = value_at(observation, "period", "endDate")
                yield from _after(ctx, path, ended, "the period assessed ends", why)


def contract_ended(contract: Mapping[str, Any], i: int) -> tuple[object, str]:
    """The day a terminated contract ended, and its pointer in the release: its
    ``implementation.endDate`` where given (the mapping of docs/notices.md), else its
    ``period.endDate`` (as the pages write it)."""
    ended = value_at(contract, "implementation", "endDate")
    if parse_moment(ended) is not None:
        return ended, f"/contracts/{i}/implementation/endDate"
    return value_at(contract, "period", "endDate"), f"/contracts/{i}/period/endDate"


def check_contract_ended(ctx: NoticeContext) -> Iterator[Finding]:
    for i, contract in objects(ctx.release.get("contracts")):
        ended, path = contract_ended(contract, i)
        yield from _after(
            ctx,
            path,
            ended,
            "the contract ended",
            "A contract termination notice says the contract has been terminated (s.80).",
        )


def check_procurement_ended(ctx: NoticeContext) -> Iterator[Finding]:
    yield from _after(
        ctx,
        "/tender/finalStatusDate",
        value_at(ctx.release, "tender", "finalStatusDate"),
        "the decision to end the procurement was made",
        "A procurement termination notice is given after the decision is made (s.55(2)).",
    )


# The contract a performance assessment is of: its dates, as the notice or the earlier notices
# of the procurement give them (the newest first).


def _contract_dates(ctx: NoticeContext, contract_id: object) -> dict[str, datetime]:
    found: dict[str, datetime] = {}
    for release in (ctx.release, *reversed(ctx.history)):
        for _, contract in objects(release.get("contracts")):
            if str(contract.get("id")) != str(contract_id):
                continue
            for name, value in (
                ("signed", contract.get("dateSigned")),
                ("start", value_at(contract, "period", "startDate")),
                ("end", value_at(contract, "period", "endDate")),
            ):
                moment = parse_moment(value)
                if moment is not None and name not in found:
                    found[name] = moment
    return found


def check_assessment_within_contract(ctx: NoticeContext) -> Iterator[Finding]:
    """A period assessed before the contract began is an error: there was nothing to assess. One
    reaching outside the contract's period is a warning: the contract's life-cycle (s.71(2))
    begins when it is entered into, which may be before its period starts, and its term may
    have been extended by 10% or less without a contract change notice (s.75(2)(b)), so the
    period published may be out of date."""
    for i, contract in objects(ctx.release.get("contracts")):
        known = _contract_dates(ctx, contract.get("id"))
        began = [known[name] for name in ("signed", "start") if name in known]
        begins = min(ctx.calendar.london_date(m) for m in began) if began else None
        ends = ctx.calendar.london_date(known["end"]) if "end" in known else None
        if begins is None and ends is None:
            continue
        base = f"/contracts/{i}/implementation"
        for j, metric in objects(value_at(contract, "implementation", "metrics")):
            for k, observation in objects(metric.get("observations")):
                yield from _assessed(
                    f"{base}/metrics/{j}/observations/{k}/period",
                    observation,
                    begins,
                    ends,
                    ctx,
                )


def _assessed(
    path: str,
    observation: Mapping[str, Any],
    begins: date | None,
    ends: date | None,
    ctx: NoticeContext,
) -> Iterator[Finding]:
    start = parse_moment(value_at(observation, "period", "startDate"))
    end = parse_moment(value_at(observation, "period", "endDate"))
    first = ctx.calendar.london_date(start) if start is not None else None
    last = ctx.calendar.london_date(end) if end is not None else None
    if begins is not None and last is not None and last < begins:
        yield Finding(
            f"{path}/endDate",
            f"The period assessed ends on {format_day(last)}, before the contract began on "
            f"{format_day(begins)}: there was no performance to assess. Give the period of the "
            "contract you assessed.",
        )
    elif begins is not None and first is not None and first < begins:
        yield Finding(
            f"{path}/startDate",
            f"The period assessed starts on {format_day(first)}, before the contract began on "
            f"{format_day(begins)}. Check the dates: assess the contract's own life-cycle.",
            severity=WARNING,
        )
    elif ends is not None and first is not None and first > ends:
        yield Finding(
            f"{path}/startDate",
            f"The period assessed starts on {format_day(first)}, after the contract's end on "
            f"{format_day(ends)} as published. Check the dates, or publish the contract's new "
            "end date.",
            severity=WARNING,
        )
