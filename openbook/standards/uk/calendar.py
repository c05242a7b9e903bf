"""UK time and working days: the date a moment falls on in the UK, and each nation's bank holidays.

UK procurement deadlines are counted in days as they fall in the UK, so this module answers two
questions. Which calendar day does a moment fall on? ``london_date`` reads it in Europe/London
(GMT in winter, BST in summer). Is a day a working day? ``is_working_day``, ``add_working_days``,
``working_days_between`` and ``period_end`` count weekdays that are not bank holidays.

The bank holidays are facts the package carries in ``data/bank-holidays.json``: GOV.UK's
published dates for England and Wales, Scotland and Northern Ireland
(https://www.gov.uk/bank-holidays.json), and, after the last year announced, dates computed from
the statutory rules (the Banking and Financial Dealings Act 1971, Schedule 1, and the
proclamations made each year under its section 1(3)), marked as computed until GOV.UK announces
them. Nothing is fetched at run time; ``scripts/bank_holidays.py`` updates the file. A day outside
the years the file covers raises ``CalendarOutOfRange``: no deadline is ever counted without its
holidays.

Which calendar to use: the Procurement Act 2023 (section 123, interpretation) defines a working
day as a day other than a Saturday or Sunday or a bank holiday under the 1971 Act in any part of
the United Kingdom. Deadlines under the Act therefore use ``"united-kingdom"``, on which a bank
holiday in any nation is not a working day: St Andrew's Day and 12 July are not working days for
an authority in England either. Christmas Day and Good Friday are bank holidays under the 1971
Act in Scotland, so they are never working days on that calendar. The single-nation calendars
(``NATIONS``) serve rules that name one part of the UK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

DATA_FILE = Path(__file__).parent / "data" / "bank-holidays.json"

#: The UK's civil time zone: GMT in winter, BST (UTC+1) from the last Sunday in March to the last
#: Sunday in October.
LONDON = ZoneInfo("Europe/London")

#: The three bank-holiday calendars of the UK, named as GOV.UK names them.
NATIONS = ("england-and-wales", "scotland", "northern-ireland")
#: The calendar of the Procurement Act 2023: a bank holiday anywhere in the UK is not a working day.
UNITED_KINGDOM = "united-kingdom"
#: Every calendar a ``nation`` argument accepts.
CALENDARS = (*NATIONS, UNITED_KINGDOM)

NATION_NAMES = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}

ONE_DAY = timedelta(days=1)
SATURDAY = 5


class UnknownNation(ValueError):
    """A calendar name that is not one of ``CALENDARS``."""

    def __init__(self, nation: object) -> None:
        super().__init__(f"unknown nation {nation!r}: use one of {', '.join(CALENDARS)}")
        self.nation = nation


class CalendarOutOfRange(ValueError):
    """A day in a year the carried bank holidays do not cover."""


class NaiveDatetime(ValueError):
    """A datetime without a time zone, whose UK date cannot be known."""


class BankHoliday(NamedTuple):
    date: date
    title: str


class Coverage(NamedTuple):
    """The years the carried bank holidays cover, and those computed rather than announced."""

    first_year: int
    last_year: int
    computed_years: tuple[int, ...]


@dataclass(frozen=True)
class _Calendars:
    holidays: dict[str, dict[date, str]]
    coverage: Coverage


def _title(entry: dict[str, str]) -> str:
    notes = entry.get("notes", "")
    return f"{entry['title']} ({notes.lower()})" if notes else entry["title"]


def _union_title(titles: dict[str, str]) -> str:
    """One title for a day that is a bank holiday in one or more nations."""
    nations_by_title: dict[str, list[str]] = {}
    for nation, title in titles.items():
        nations_by_title.setdefault(title, []).append(nation)
    if len(nations_by_title) == 1 and len(titles) == len(NATIONS):
        return next(iter(nations_by_title))
    return "; ".join(
        f"{', '.join(NATION_NAMES[nation] for nation in nations)}: {title}"
        for title, nations in nations_by_title.items()
    )


@cache
def _calendars() -> _Calendars:
    """The carried bank holidays, read once."""
    content = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    years = {int(year): status for year, status in content["years"].items()}
    holidays = {
        nation: {date.fromisoformat(entry["date"]): _title(entry) for entry in content[nation]}
        for nation in NATIONS
    }
    by_day: dict[date, dict[str, str]] = {}
    for nation in NATIONS:
        for day, title in holidays[nation].items():
            by_day.setdefault(day, {})[nation] = title
    holidays[UNITED_KINGDOM] = {day: _union_title(by_day[day]) for day in sorted(by_day)}
    computed = tuple(sorted(year for year, status in years.items() if status == "computed"))
    return _Calendars(holidays, Coverage(min(years), max(years), computed))


def coverage() -> Coverage:
    """The years the carried bank holidays cover (see ``scripts/bank_holidays.py`` to extend)."""
    return _calendars().coverage


def _holidays(nation: str) -> dict[date, str]:
    try:
        return _calendars().holidays[nation]
    except (KeyError, TypeError):
        raise UnknownNation(nation) from None


def _out_of_range(what: str) -> CalendarOutOfRange:
    first, last, computed = coverage()
    note = (
        f" ({', '.join(map(str, computed))} computed from the statutory rules, not yet announced)"
        if computed
        else ""
    )
    return CalendarOutOfRange(
        f"{what} is outside the years whose bank holidays openbook carries, {first} to {last}"
        f"{note}: update openbook/standards/uk/data/bank-holidays.json with "
        "scripts/bank_holidays.py"
    )


def _check_covered(day: date) -> None:
    first, last, _ = coverage()
    if not first <= day.year <= last:
        raise _out_of_range(day.isoformat())


def _require_date(day: object) -> None:
    # A datetime is a date to Python, but its UK day depends on its time zone, and it never
    # equals the date of a holiday: take london_date(moment) first.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"expected a date, not {day!r}: for a moment, use london_date(moment)")


def london_time(moment: datetime) -> datetime:
    """``moment`` in Europe/London time. A naive datetime is refused: its instant is unknown."""
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime, not {moment!r}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(
            f"{moment.isoformat()} has no time zone, so its UK date is unknown: "
            "give an aware datetime (for example with tzinfo=datetime.UTC)"
        )
    return moment.astimezone(LONDON)


def london_date(moment: datetime) -> date:
    """The calendar date in the UK (Europe/London) at ``moment``, an aware datetime."""
    return london_time(moment).date()


def start_of_london_day(day: date) -> datetime:
    """The first instant of ``day`` in the UK, as an aware datetime.

    A period that ends with a day ends at ``start_of_london_day(day + timedelta(days=1))``.
    Midnight always exists and is never repeated in Europe/London, whose clocks change at 01:00
    UTC, so this is one instant.
    """
    _require_date(day)
    return datetime.combine(day, time(), tzinfo=LONDON)


def is_working_day(day: date, nation: str) -> bool:
    """Whether ``day`` is neither a weekend day nor a bank holiday on ``nation``'s calendar."""
    _require_date(day)
    holidays = _holidays(nation)
    _check_covered(day)
    return day.weekday() < SATURDAY and day not in holidays


def add_working_days(start: date, days: int, nation: str) -> date:
    """The day that is ``days`` working days after ``start``, ``start`` itself not counted.

    ``add_working_days(start, 0, nation)`` is ``start``; for ``days`` above zero the result is
    always a working day. This counts from the day after ``start``: for a period "beginning with"
    a day, as the Procurement Act 2023 counts its standstill period, see ``period_end``.
    """
    _require_date(start)
    if days < 0:
        raise ValueError(f"days must be zero or more, not {days}")
    holidays = _holidays(nation)
    day = start
    while days:
        day += ONE_DAY
        _check_covered(day)
        if day.weekday() < SATURDAY and day not in holidays:
            days -= 1
    return day


def period_end(first_day: date, days: int, nation: str) -> date:
    """The last day of the period of ``days`` working days beginning with ``first_day``.

    This is how the Procurement Act 2023 counts: its mandatory standstill period (section 51(2))
    is "the period of eight working days beginning with the day on which the contract award
    notice is published", so the day of publication counts when it is a working day, the
    standstill's last day is ``period_end(published, 8, "united-kingdom")``, and the contract
    may be entered into from the start of the next day. If ``first_day`` is not a working day,
    the period's first working day is the next one.
    """
    _require_date(first_day)
    if days < 1:
        raise ValueError(f"a period has one working day or more, not {days}")
    return add_working_days(first_day - ONE_DAY, days, nation)


def working_days_between(start: date, end: date, nation: str) -> int:
    """The number of working days after ``start``, up to and including ``end``.

    So ``working_days_between(start, add_working_days(start, n, nation), nation) == n``. When
    ``end`` is before ``start`` the count is negative: ``-working_days_between(end, start)``.
    """
    _require_date(start)
    _require_date(end)
    if end < start:
        return -working_days_between(end, start, nation)
    holidays = _holidays(nation)
    count = 0
    day = start
    while day < end:
        day += ONE_DAY
        _check_covered(day)
        if day.weekday() < SATURDAY and day not in holidays:
            count += 1
    return count


def bank_holidays(nation: str, year: int | None = None) -> list[BankHoliday]:
    """The bank holidays on ``nation``'s calendar, in date order: all of them, or one year's.

    A substitute day's title says so, for example "Boxing Day (substitute day)". On the
    ``"united-kingdom"`` calendar a day that is a bank holiday in some nations only names them,
    for example "Scotland: St Andrew's Day" (titles use GOV.UK's typographic apostrophe).
    """
    holidays = _holidays(nation)
    if year is not None:
        first, last, _ = coverage()
        if not first <= year <= last:
            raise _out_of_range(str(year))
    return [
        BankHoliday(day, title)
        for day, title in sorted(holidays.items())
        if year is None or day.year == year
    ]
