"""Standstill (Procurement Act 2023, s.51): the wait between award notice and contract.

A contract may be entered into only after 8 working days beginning with the day the contract
award notice is published (s.51(2)), or after a longer period the notice gives (s.51(1)(b), (4)).
Working days are those of s.123, counted with the ``ACT_CALENDAR``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from openbook.standards.uk.notices import format_day, parse_moment
from openbook.standards.uk.rules.context import (
    ACT_CALENDAR,
    WARNING,
    Finding,
    NoticeContext,
    award_notices,
    first_earlier,
    id_text,
    name_awards,
    objects,
    release_published,
    value_at,
)
from openbook.standards.uk.rules.facts import (
    is_direct_award,
    is_dynamic_market_award,
    is_framework_call_off,
    is_light_touch,
    is_private_utility,
    is_protect_life_award,
)

STANDSTILL_WORKING_DAYS = 8  # s.51(2), and the least voluntary standstill, s.51(5)


def _standstill_exemption(ctx: NoticeContext) -> str | None:
    """The s.51(3) exemption the data shows, in words; None if none shows."""
    exemptions = (
        (is_light_touch, "a light touch contract (s.51(3)(f))"),
        (is_framework_call_off, "a call-off under a framework (s.51(3)(d))"),
        (is_dynamic_market_award, "an award by reference to a dynamic market (s.51(3)(e))"),
        (is_protect_life_award, "a direct award to protect life, etc (s.51(3)(b))"),
        (
            lambda c: is_private_utility(c) and is_direct_award(c),
            "a direct award by a private utility (s.51(3)(c))",
        ),
    )
    return next((words for applies, words in exemptions if applies(ctx)), None)


def _stated_ends(release: Mapping[str, Any]) -> list[tuple[int, datetime]]:
    """The standstill end dates a release's awards give, with the awards' indexes."""
    return [
        (i, moment)
        for i, award in objects(release.get("awards"))
        if (moment := parse_moment(value_at(award, "standstillPeriod", "endDate"))) is not None
    ]


@dataclass(slots=True)
class _AwardNotices:
    """What the procurement's contract award notices (UK6) say, award by award: a standstill
    runs from the award notice of the contract's own award (s.51(2)), and ends no earlier than
    the end that notice states (s.51(1)(b), (4))."""

    published: dict[str, datetime] = field(default_factory=dict)  # the first UK6 naming it
    stated: dict[str, datetime] = field(default_factory=dict)  # the latest end stated for it
    any_stated: datetime | None = None  # the latest end stated for any award

    def state(self, release: Mapping[str, Any]) -> None:
        for i, moment in _stated_ends(release):
            key = id_text(release["awards"][i].get("id"))
            if key is not None and (key not in self.stated or self.stated[key] < moment):
                self.stated[key] = moment
            if self.any_stated is None or self.any_stated < moment:
                self.any_stated = moment


def _award_notices(ctx: NoticeContext) -> _AwardNotices:
    found = _AwardNotices()
    for release, published in award_notices(ctx):
        if published is not None:
            name_awards(found.published, release, published)
        found.state(release)
    found.state(ctx.release)
    return found


def check_standstill(ctx: NoticeContext) -> Iterator[Finding]:
    first_notice = first_earlier(ctx, "UK6")
    if first_notice is None or first_notice.published is None:
        return
    signed = [
        (f"/contracts/{i}/dateSigned", moment, id_text(contract.get("awardID")))
        for i, contract in objects(ctx.release.get("contracts"))
        if (moment := parse_moment(contract.get("dateSigned"))) is not None
    ]
    if not signed:
        return
    exemption = _standstill_exemption(ctx)
    calendar = ctx.calendar
    notices = _award_notices(ctx)
    for path, moment, award in signed:
        # The contract's own award notice; where no award notice names its award, the first of
        # the procurement's (the earliest a standstill can have begun).
        named = award if award in notices.published else None
        own = notices.published[named] if named is not None else first_notice.published
        published = calendar.london_date(own)
        try:
            last = calendar.period_end(published, STANDSTILL_WORKING_DAYS, ACT_CALENDAR)
        except ValueError as error:
            yield Finding(path, f"The standstill period could not be checked: {error}", WARNING)
            return
        # The end its own award notice states; where the award is not known, the latest any gave.
        stated = notices.any_stated if named is None else notices.stated.get(named)
        day = calendar.london_date(moment)
        if exemption is None and day <= last:
            yield _early_finding(ctx, path, day, published, last)
        elif stated is not None and moment < stated:
            yield Finding(
                path,
                f"The contract was entered into on {format_day(day)}, before the end of the "
                f"standstill period the contract award notice gave (it ends on "
                f"{format_day(calendar.london_date(stated))}, {stated:%H:%M} {stated:%Z}). A "
                "contract may not be entered into before the end of a standstill period stated "
                "in the award notice (section 51(1)(b) and (4)).",
            )


def _early_finding(
    ctx: NoticeContext, path: str, day: date, published: date, last: date
) -> Finding:
    message = (
        f"The contract was entered into on {format_day(day)}, but the contract award notice was "
        f"published on {format_day(published)}, and the mandatory standstill period of 8 "
        f"working days beginning with that day runs to the end of {format_day(last)} (weekends "
        "and bank holidays in any part of the UK do not count). The contract may be entered "
        f"into from {format_day(last + timedelta(days=1))}."
    )
    if is_direct_award(ctx):
        # Extreme and unavoidable urgency (Sch. 5 para. 13) is exempt (s.51(3)(a)) but not
        # marked in OCDS.
        return Finding(
            path,
            f"{message} If this is a direct award for extreme and unavoidable urgency (Schedule "
            "5, paragraph 13), no standstill applies; otherwise the dates are wrong.",
            WARNING,
        )
    return Finding(
        path,
        f"{message} Check the dates; if they are right, the contract was "
        "entered into during the standstill period.",
    )


def check_stated_standstill(ctx: NoticeContext) -> Iterator[Finding]:
    published = release_published(ctx)
    if published is None:
        return
    calendar = ctx.calendar
    day = calendar.london_date(published)
    for i, end in _stated_ends(ctx.release):
        path = f"/awards/{i}/standstillPeriod/endDate"
        try:
            last = calendar.period_end(day, STANDSTILL_WORKING_DAYS, ACT_CALENDAR)
        except ValueError as error:
            yield Finding(path, str(error), WARNING)
            return
        if calendar.london_date(end) < last:
            yield Finding(
                path,
                f"The standstill period this notice gives ends on "
                f"{format_day(calendar.london_date(end))}, but a standstill period is at least 8 "
                f"working days beginning with the day the contract award notice is published "
                f"({format_day(day)}), so it ends no earlier than {format_day(last)}. Give the "
                "correct end date.",
            )
