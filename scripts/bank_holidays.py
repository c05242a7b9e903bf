"""Update the bank holidays openbook carries, from GOV.UK's published list.

    python scripts/bank_holidays.py [--data FILE] [--compute-through YEAR] [GOVUK_JSON ...]

GOV.UK publishes the bank holidays of England and Wales, Scotland and Northern Ireland at
https://www.gov.uk/bank-holidays.json (the page https://www.gov.uk/bank-holidays shows the same
dates). Download that file with a browser or ``curl -o bank-holidays.json
https://www.gov.uk/bank-holidays.json`` and give its path here: this script reads files only and
never goes to the network, so that what the platform ships is what an operator has looked at.

It updates ``openbook/standards/uk/data/bank-holidays.json`` (the default ``--data``):

- Every year that a given file lists replaces that year in the data, for all three nations, and
  is marked ``announced``. GOV.UK's file holds a rolling window of years, so years it no longer
  lists are kept as they are. Files are applied in the order given: give older copies first and
  the newest last. Each change to a year that was already announced is printed, for review.
- Years after the last announced year, up to ``--compute-through`` (by default the later of the
  year after the last announced one and the last year the data already covers), are computed
  from the statutory rules below and marked ``computed``. GOV.UK's dates replace them once given.

The statutory rules: the Banking and Financial Dealings Act 1971, Schedule 1, names most bank
holidays; royal proclamations under its section 1(3) add New Year's Day (all nations), the early
May bank holiday (England and Wales, Northern Ireland), Boxing Day and the spring bank holiday
(Scotland) and 12 July (Northern Ireland) each year, and move a holiday that falls on a weekend
to the next weekday (a "substitute day"); the St Andrew's Day Bank Holiday (Scotland) Act 2007
adds 30 November. Christmas Day and Good Friday are common-law holidays in England, Wales and
Northern Ireland and bank holidays under the Act in Scotland. One-off proclamations (a jubilee, a
coronation, a state funeral, a moved early May bank holiday) cannot be computed: that is why
computed years are marked, and replaced as soon as GOV.UK announces them.

The output is deterministic: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "openbook" / "standards" / "uk" / "data" / "bank-holidays.json"
NATIONS = ("england-and-wales", "scotland", "northern-ireland")
SOURCE = "https://www.gov.uk/bank-holidays.json"
DESCRIPTION = (
    "Bank holidays in each nation of the United Kingdom. Years marked 'announced' hold GOV.UK's "
    "published dates (source); years marked 'computed' follow the Banking and Financial Dealings "
    "Act 1971 and the royal proclamations made every year, are not yet announced, and are "
    "replaced when GOV.UK announces them. Regenerate with scripts/bank_holidays.py."
)
SUBSTITUTE = "Substitute day"

# Titles as GOV.UK writes them (with typographic apostrophes), so that computed years read the
# same as announced ones.
NEW_YEAR = "New Year’s Day"
SECOND_JANUARY = "2nd January"
ST_PATRICK = "St Patrick’s Day"
GOOD_FRIDAY = "Good Friday"
EASTER_MONDAY = "Easter Monday"
EARLY_MAY = "Early May bank holiday"
SPRING = "Spring bank holiday"
BOYNE = "Battle of the Boyne (Orangemen’s Day)"
SUMMER = "Summer bank holiday"
ST_ANDREW = "St Andrew’s Day"
CHRISTMAS = "Christmas Day"
BOXING = "Boxing Day"

MONDAY, FRIDAY = 0, 4


class Holiday(NamedTuple):
    date: date
    title: str
    notes: str = ""
    computed: bool = False


class DataError(ValueError):
    """An input file or the data file is not what this script expects."""


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (the anonymous computus, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(MONDAY - first.weekday()) % 7)


def last_monday(year: int, month: int) -> date:
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - MONDAY) % 7)


def _with_substitutes(fixed: list[tuple[date, str]], movable: list[Holiday]) -> list[Holiday]:
    """Place fixed-date holidays, moving any on a weekend to the next free weekday.

    Holidays that fall on a weekday keep their day first; then each weekend one, in date order,
    takes the first later weekday not already a holiday. This is how the proclamations have
    placed them: Christmas on a Sunday gives Boxing Day on the Monday 26th and Christmas on the
    Tuesday 27th; New Year's Day on a Sunday in Scotland gives 2nd January on the Monday and New
    Year's Day on the Tuesday.
    """
    taken = {holiday.date for holiday in movable}
    placed = [Holiday(day, title) for day, title in fixed if day.weekday() <= FRIDAY]
    taken |= {holiday.date for holiday in placed}
    for day, title in sorted(fixed):
        if day.weekday() <= FRIDAY:
            continue
        substitute = day + timedelta(days=1)
        while substitute.weekday() > FRIDAY or substitute in taken:
            substitute += timedelta(days=1)
        taken.add(substitute)
        placed.append(Holiday(substitute, title, SUBSTITUTE))
    return sorted(movable + placed)


def statutory_year(year: int) -> dict[str, list[Holiday]]:
    """The bank holidays of ``year`` in each nation by the standing rules, without one-offs."""
    easter = easter_sunday(year)
    good_friday = Holiday(easter - timedelta(days=2), GOOD_FRIDAY)
    easter_monday = Holiday(easter + timedelta(days=1), EASTER_MONDAY)
    early_may = Holiday(first_monday(year, 5), EARLY_MAY)
    spring = Holiday(last_monday(year, 5), SPRING)
    new_year = (date(year, 1, 1), NEW_YEAR)
    christmas = [(date(year, 12, 25), CHRISTMAS), (date(year, 12, 26), BOXING)]
    england = _with_substitutes(
        [new_year, *christmas],
        [good_friday, easter_monday, early_may, spring, Holiday(last_monday(year, 8), SUMMER)],
    )
    scotland = _with_substitutes(
        [new_year, (date(year, 1, 2), SECOND_JANUARY), (date(year, 11, 30), ST_ANDREW), *christmas],
        [good_friday, early_may, spring, Holiday(first_monday(year, 8), SUMMER)],
    )
    northern_ireland = _with_substitutes(
        [new_year, (date(year, 3, 17), ST_PATRICK), (date(year, 7, 12), BOYNE), *christmas],
        [good_friday, easter_monday, early_may, spring, Holiday(last_monday(year, 8), SUMMER)],
    )
    return {
        "england-and-wales": england,
        "scotland": scotland,
        "northern-ireland": northern_ireland,
    }


def read_govuk(path: Path) -> dict[int, dict[str, list[Holiday]]]:
    """A GOV.UK bank-holidays.json, by year then nation; every year must list every nation."""
    content = json.loads(path.read_text(encoding="utf-8"))
    years: dict[int, dict[str, list[Holiday]]] = {}
    for nation in NATIONS:
        if not isinstance(content.get(nation), dict) or "events" not in content[nation]:
            raise DataError(f"{path}: no {nation!r} division with events: is it GOV.UK's file?")
        for event in content[nation]["events"]:
            day = date.fromisoformat(event["date"])
            holiday = Holiday(day, event["title"].strip(), (event.get("notes") or "").strip())
            years.setdefault(day.year, {name: [] for name in NATIONS})[nation].append(holiday)
    for year, nations in sorted(years.items()):
        missing = [nation for nation in NATIONS if not nations[nation]]
        if missing:
            raise DataError(f"{path}: {year} lists no bank holidays for {', '.join(missing)}")
    return years


def read_data(path: Path) -> tuple[dict[int, str], dict[int, dict[str, list[Holiday]]]]:
    """The carried data: each year's status, and its holidays by year then nation."""
    if not path.exists():
        return {}, {}
    content = json.loads(path.read_text(encoding="utf-8"))
    status = {int(year): value for year, value in content["years"].items()}
    years: dict[int, dict[str, list[Holiday]]] = {
        year: {nation: [] for nation in NATIONS} for year in status
    }
    for nation in NATIONS:
        for entry in content[nation]:
            day = date.fromisoformat(entry["date"])
            notes, computed = entry.get("notes", ""), entry.get("computed", False)
            holiday = Holiday(day, entry["title"], notes, computed)
            if day.year not in years:
                raise DataError(f"{path}: {entry['date']} is in no year the file declares")
            years[day.year][nation].append(holiday)
    return status, years


def _describe(holidays: Iterable[Holiday]) -> set[str]:
    return {
        f"{holiday.date.isoformat()} {holiday.title}"
        + (f" ({holiday.notes})" if holiday.notes else "")
        for holiday in holidays
    }


def apply_announced(
    status: dict[int, str],
    years: dict[int, dict[str, list[Holiday]]],
    announced: dict[int, dict[str, list[Holiday]]],
    report: list[str] | None = None,
) -> tuple[dict[int, str], dict[int, dict[str, list[Holiday]]]]:
    """Replace each year that one GOV.UK file lists, noting changes to announced years."""
    status, years = dict(status), dict(years)
    for year, nations in sorted(announced.items()):
        if status.get(year) == "announced" and report is not None:
            for nation in NATIONS:
                before, after = _describe(years[year][nation]), _describe(nations[nation])
                report += [f"{year} {nation}: - {item}" for item in sorted(before - after)]
                report += [f"{year} {nation}: + {item}" for item in sorted(after - before)]
        status[year] = "announced"
        years[year] = {nation: sorted(nations[nation]) for nation in NATIONS}
    return status, years


def complete(
    status: dict[int, str], years: dict[int, dict[str, list[Holiday]]], through: int | None
) -> tuple[dict[int, str], dict[int, dict[str, list[Holiday]]]]:
    """Compute the years after the last announced one, through ``through``; check for gaps."""
    status, years = dict(status), dict(years)
    announced = [year for year, value in status.items() if value == "announced"]
    if not announced:
        raise DataError("no announced year: give GOV.UK's bank-holidays.json")
    last_announced = max(announced)
    if through is None:
        through = max(last_announced + 1, *status)
    if through < last_announced:
        raise DataError(f"--compute-through {through} is before {last_announced}, announced")
    for year in [year for year in status if year > through]:
        del status[year], years[year]
    for year in range(last_announced + 1, through + 1):
        status[year] = "computed"
        years[year] = {
            nation: [holiday._replace(computed=True) for holiday in holidays]
            for nation, holidays in statutory_year(year).items()
        }
    gaps = sorted(set(range(min(status), max(status) + 1)) - set(status))
    if gaps:
        raise DataError(f"the data would have no bank holidays for {gaps}: give those years too")
    return status, years


def render(status: dict[int, str], years: dict[int, dict[str, list[Holiday]]]) -> str:
    """The data file's text: one holiday a line, so that a change reads as a small diff."""
    lines = [
        "{",
        f'  "description": {json.dumps(DESCRIPTION)},',
        f'  "source": {json.dumps(SOURCE)},',
        '  "years": {' + ", ".join(f'"{year}": "{status[year]}"' for year in sorted(status)) + "},",
    ]
    for index, nation in enumerate(NATIONS):
        entries = []
        for year in sorted(years):
            for holiday in years[year][nation]:
                entry: dict[str, Any] = {"date": holiday.date.isoformat(), "title": holiday.title}
                if holiday.notes:
                    entry["notes"] = holiday.notes
                if holiday.computed:
                    entry["computed"] = True
                entries.append("    " + json.dumps(entry, ensure_ascii=False))
        closing = "]," if index < len(NATIONS) - 1 else "]"
        lines += [f'  "{nation}": [', ",\n".join(entries), f"  {closing}"]
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="GOV.UK bank-holidays.json files")
    parser.add_argument("--data", type=Path, default=DATA, help=f"default: {DATA}")
    parser.add_argument("--compute-through", type=int, help="the last year to compute")
    args = parser.parse_args(argv)
    try:
        status, years = read_data(args.data)
        report: list[str] = []
        for path in args.files:
            status, years = apply_announced(status, years, read_govuk(path), report)
        status, years = complete(status, years, args.compute_through)
    except (DataError, OSError, KeyError, ValueError) as error:
        print(f"bank_holidays: {error}", file=sys.stderr)
        return 1
    for line in report:
        print(f"changed: {line}")
    args.data.parent.mkdir(parents=True, exist_ok=True)
    args.data.write_text(render(status, years), encoding="utf-8")
    computed = sorted(year for year, value in status.items() if value == "computed")
    print(
        f"{args.data}: {min(status)}-{max(status)}"
        + (f", computed (not yet announced): {computed}" if computed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
