"""Dates as action plans publish them: "April 2022", "Jan 2023", "Q1 2022", "TBC 2022", "2023",
"Ongoing" (issue 10; docs/plans.md, "Dates"). Pure.

A plan's date names a span of days, not a day: "Q1 2022" is any day from 1 January to 31 March
2022. Each is kept exactly as published and read into the first and last day it can mean, with
its precision (``day``, ``month``, ``quarter``, ``year``, or ``none`` for "Ongoing"). A
milestone is late only once the last day its end date can mean has passed; one end date is
before its start only when the last day it can mean is before the first day the start can.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

DAY, MONTH, QUARTER, YEAR, NONE = "day", "month", "quarter", "year", "none"
PRECISIONS = (DAY, MONTH, QUARTER, YEAR, NONE)

# Month names as plans write them: in full, in three letters, and "Sept".
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_MONTH = re.compile(r"([A-Za-z]+)\.?\s+(\d{4})")
_QUARTER = re.compile(r"Q([1-4])\s+(\d{4})", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_TBC = re.compile(r"(?:TBC|to be confirmed)(?:\s+(.*))?", re.IGNORECASE)
_ONGOING = re.compile(r"ongoing", re.IGNORECASE)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Years a plan can name (the Open Government Partnership began in 2011): a typo such as 2202
# is refused, not read as a date two centuries away.
FIRST_YEAR, LAST_YEAR = 1990, 2100

FORMS = (
    "a month and year ('April 2022', 'Jan 2023'), a quarter ('Q1 2022'), a year ('2023'), "
    "a day (YYYY-MM-DD), any of these after 'TBC' ('TBC 2022'), or 'Ongoing'"
)


class DateNotUnderstood(ValueError):
    """The text is none of the forms ``FORMS`` lists; the message says what was given."""


@dataclass(frozen=True, slots=True)
class PlanDate:
    as_published: str
    precision: str
    first: date | None  # the first day it can mean; None for "Ongoing"
    last: date | None  # the last
    to_be_confirmed: bool = False

    @property
    def ongoing(self) -> bool:
        return self.precision == NONE

    def as_dict(self) -> dict:
        return {
            "asPublished": self.as_published,
            "precision": self.precision,
            "from": self.first.isoformat() if self.first else None,
            "to": self.last.isoformat() if self.last else None,
            "toBeConfirmed": self.to_be_confirmed,
            "ongoing": self.ongoing,
        }


def parse(text: str) -> PlanDate:
    """Read a plan's date. Raises ``DateNotUnderstood``."""
    given = " ".join(text.split())
    tbc = _TBC.fullmatch(given)
    if tbc:
        rest = tbc.group(1)
        if not rest:
            return PlanDate(text, NONE, None, None, to_be_confirmed=True)
        found = _dated(rest, text)
        return PlanDate(text, found.precision, found.first, found.last, to_be_confirmed=True)
    if _ONGOING.fullmatch(given):
        return PlanDate(text, NONE, None, None)
    return _dated(given, text)


def _dated(given: str, text: str) -> PlanDate:
    if _ISO_DAY.fullmatch(given):
        try:
            day = date.fromisoformat(given)
        except ValueError:
            raise DateNotUnderstood(f"{text[:40]!r} is no day of the calendar") from None
        _year(day.year, text)
        return PlanDate(text, DAY, day, day)
    if _YEAR.fullmatch(given):
        year = _year(int(given), text)
        return PlanDate(text, YEAR, date(year, 1, 1), date(year, 12, 31))
    quarter = _QUARTER.fullmatch(given)
    if quarter:
        number, year = int(quarter.group(1)), _year(int(quarter.group(2)), text)
        first_month = 3 * number - 2
        return PlanDate(text, QUARTER, date(year, first_month, 1), _month_end(year, 3 * number))
    month = _MONTH.fullmatch(given)
    if month and month.group(1).lower() in _MONTHS:
        number, year = _MONTHS[month.group(1).lower()], _year(int(month.group(2)), text)
        return PlanDate(text, MONTH, date(year, number, 1), _month_end(year, number))
    raise DateNotUnderstood(f"{text[:40]!r} is not a date a plan gives: write {FORMS}")


def _year(year: int, text: str) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateNotUnderstood(
            f"{text[:40]!r} names the year {year}: a plan's dates are from {FIRST_YEAR} to "
            f"{LAST_YEAR}"
        )
    return year


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
