"""UK time and working days: London dates across clock changes, bank holidays, deadlines."""

import importlib.util
import json
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openbook.standards.uk import calendar
from openbook.standards.uk.calendar import (
    CALENDARS,
    NATIONS,
    UNITED_KINGDOM,
    CalendarOutOfRange,
    NaiveDatetime,
    UnknownNation,
    add_working_days,
    bank_holidays,
    coverage,
    is_working_day,
    london_date,
    london_time,
    period_end,
    start_of_london_day,
    working_days_between,
)

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "bank_holidays.py"
DATA = json.loads(calendar.DATA_FILE.read_text(encoding="utf-8"))

EW, SCOTLAND, NI, UK = "england-and-wales", "scotland", "northern-ireland", UNITED_KINGDOM


def load_script():
    spec = importlib.util.spec_from_file_location("bank_holidays_script", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# London time


@pytest.mark.parametrize(
    ("moment", "expected_date", "offset_hours"),
    [
        # Clocks go forward at 01:00 UTC on the last Sunday in March (30 March 2025).
        (utc(2025, 3, 29, 23, 59), date(2025, 3, 29), 0),
        (utc(2025, 3, 30, 0, 30), date(2025, 3, 30), 0),
        (utc(2025, 3, 30, 1, 30), date(2025, 3, 30), 1),
        # Clocks go back at 01:00 UTC on the last Sunday in October (26 October 2025).
        (utc(2025, 10, 25, 22, 59), date(2025, 10, 25), 1),
        (utc(2025, 10, 25, 23, 30), date(2025, 10, 26), 1),
        (utc(2025, 10, 26, 0, 30), date(2025, 10, 26), 1),
        (utc(2025, 10, 26, 1, 30), date(2025, 10, 26), 0),
        # In summer a late-evening UTC moment is already tomorrow in London; in winter it is not.
        (utc(2025, 6, 30, 23, 30), date(2025, 7, 1), 1),
        (utc(2025, 12, 31, 23, 30), date(2025, 12, 31), 0),
        # Any aware datetime, not only UTC.
        (datetime(2025, 7, 1, 4, 30, tzinfo=timezone(timedelta(hours=5))), date(2025, 7, 1), 1),
    ],
)
def test_london_date_follows_the_clock_changes(moment, expected_date, offset_hours):
    assert london_date(moment) == expected_date
    local = london_time(moment)
    # The same instant (compared as timestamps: Python's == across zones is False in the
    # repeated hour, PEP 495).
    assert local.timestamp() == moment.timestamp()
    assert local.utcoffset() == timedelta(hours=offset_hours)
    assert local.tzinfo == calendar.LONDON


def test_the_repeated_hour_in_october_is_told_apart():
    first, second = london_time(utc(2025, 10, 26, 0, 30)), london_time(utc(2025, 10, 26, 1, 30))
    assert (
        first.replace(tzinfo=None) == second.replace(tzinfo=None) == datetime(2025, 10, 26, 1, 30)
    )
    assert (first.fold, second.fold) == (0, 1)


def test_a_naive_datetime_is_refused():
    with pytest.raises(NaiveDatetime, match="no time zone"):
        london_date(datetime(2025, 3, 30, 0, 30))
    with pytest.raises(NaiveDatetime):
        london_time(datetime(2025, 3, 30, 0, 30))
    with pytest.raises(TypeError):
        london_date(date(2025, 3, 30))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("day", "instant"),
    [
        (date(2025, 3, 30), utc(2025, 3, 30)),
        (date(2025, 7, 1), utc(2025, 6, 30, 23)),
        (date(2025, 10, 26), utc(2025, 10, 25, 23)),
        (date(2025, 10, 27), utc(2025, 10, 27)),
    ],
)
def test_start_of_london_day(day, instant):
    assert start_of_london_day(day) == instant


@given(st.datetimes(min_value=datetime(2012, 1, 1), max_value=datetime(2028, 12, 30)))
def test_a_moment_falls_within_its_london_day(naive_utc):
    moment = naive_utc.replace(tzinfo=UTC)
    day = london_date(moment)
    assert start_of_london_day(day) <= moment < start_of_london_day(day + timedelta(days=1))


# Standstill periods (Procurement Act 2023, s.51: eight working days beginning with the day the
# contract award notice is published).


@pytest.mark.parametrize(
    ("nation", "last_day"),
    [
        # Good Friday 18 April and Easter Monday 21 April 2025; Easter Monday is not a bank
        # holiday in Scotland.
        (EW, date(2025, 4, 30)),
        (SCOTLAND, date(2025, 4, 29)),
        (NI, date(2025, 4, 30)),
        (UK, date(2025, 4, 30)),
    ],
)
def test_a_standstill_over_easter(nation, last_day):
    published = date(2025, 4, 17)
    assert period_end(published, 8, nation) == last_day
    assert working_days_between(published - timedelta(days=1), last_day, nation) == 8


@pytest.mark.parametrize(
    ("nation", "last_day"),
    [
        # Christmas 25-26 December 2025, New Year's Day 1 January 2026; 2 January is a bank
        # holiday in Scotland only.
        (EW, date(2026, 1, 5)),
        (SCOTLAND, date(2026, 1, 6)),
        (NI, date(2026, 1, 5)),
        (UK, date(2026, 1, 6)),
    ],
)
def test_a_standstill_over_christmas(nation, last_day):
    assert period_end(date(2025, 12, 22), 8, nation) == last_day


def test_period_end_counts_the_first_day_and_add_working_days_does_not():
    published = date(2025, 6, 2)  # a Monday
    assert period_end(published, 8, UK) == date(2025, 6, 11)
    assert add_working_days(published, 8, UK) == date(2025, 6, 12)
    # Published on a Saturday, the period begins with the Monday.
    assert period_end(date(2025, 6, 7), 8, UK) == date(2025, 6, 18)
    assert add_working_days(date(2025, 4, 17), 8, EW) == date(2025, 5, 1)


@pytest.mark.parametrize(
    ("first_day", "days", "expected"),
    [
        # St Andrew's Day, Sunday 30 November 2025, is a bank holiday on Monday 1 December.
        (date(2025, 11, 27), {EW: date(2025, 12, 1), SCOTLAND: date(2025, 12, 2)}, 3),
        # St Patrick's Day, Monday 17 March 2025.
        (date(2025, 3, 14), {EW: date(2025, 3, 17), NI: date(2025, 3, 18)}, 2),
        # 12 July 2025 is a Saturday: the Northern Ireland holiday is Monday 14 July.
        (
            date(2025, 7, 11),
            {EW: date(2025, 7, 14), NI: date(2025, 7, 15), UK: date(2025, 7, 15)},
            2,
        ),
    ],
)
def test_periods_over_a_single_nations_holiday(first_day, days, expected):
    for nation, last_day in days.items():
        assert period_end(first_day, expected, nation) == last_day, nation


# Which days are working days


@pytest.mark.parametrize(
    ("day", "working"),
    [
        # Substitute days: Christmas Day and Boxing Day 2027 fall on a weekend.
        (date(2027, 12, 27), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2027, 12, 28), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2027, 12, 29), {EW: True, SCOTLAND: True, NI: True, UK: True}),
        # New Year's Day 2022 was a Saturday; Scotland's 2 January a Sunday.
        (date(2022, 1, 3), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2022, 1, 4), {EW: True, SCOTLAND: False, NI: True, UK: False}),
        (date(2027, 1, 4), {EW: True, SCOTLAND: False, NI: True, UK: False}),
        # Scotland's summer bank holiday is the first Monday in August, the others' the last.
        (date(2025, 8, 4), {EW: True, SCOTLAND: False, NI: True, UK: False}),
        (date(2025, 8, 25), {EW: False, SCOTLAND: True, NI: False, UK: False}),
        (date(2026, 3, 17), {EW: True, SCOTLAND: True, NI: False, UK: False}),
        (date(2026, 7, 13), {EW: True, SCOTLAND: True, NI: False, UK: False}),
        (date(2026, 11, 30), {EW: True, SCOTLAND: False, NI: True, UK: False}),
        # One-off proclamations.
        (date(2020, 5, 8), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2020, 5, 4), {EW: True, SCOTLAND: True, NI: True, UK: True}),
        (date(2022, 5, 30), {EW: True, SCOTLAND: True, NI: True, UK: True}),
        (date(2022, 6, 2), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2022, 6, 3), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2022, 9, 19), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2023, 5, 8), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        # Weekends.
        (date(2025, 6, 7), {EW: False, SCOTLAND: False, NI: False, UK: False}),
        (date(2025, 6, 8), {EW: False, SCOTLAND: False, NI: False, UK: False}),
    ],
)
def test_is_working_day(day, working):
    assert {nation: is_working_day(day, nation) for nation in working} == working


def test_the_united_kingdom_calendar_is_the_union_of_the_nations():
    """The Act's working day excludes a bank holiday in any part of the UK (s.123)."""
    union = {holiday.date for holiday in bank_holidays(UK)}
    assert union == {holiday.date for nation in NATIONS for holiday in bank_holidays(nation)}
    first, last, _ = coverage()
    for year in range(first, last + 1):
        titles = " ".join(holiday.title for holiday in bank_holidays(UK, year))
        assert "Good Friday" in titles
        assert "Christmas Day" in titles


def test_bank_holiday_titles():
    scotland_2025 = dict(bank_holidays(SCOTLAND, 2025))
    assert scotland_2025[date(2025, 12, 1)] == "St Andrew’s Day (substitute day)"
    assert date(2025, 4, 21) not in scotland_2025
    united = dict(bank_holidays(UK, 2025))
    assert united[date(2025, 12, 1)] == "Scotland: St Andrew’s Day (substitute day)"
    assert united[date(2025, 4, 21)] == "England and Wales, Northern Ireland: Easter Monday"
    assert united[date(2025, 12, 25)] == "Christmas Day"
    assert [day for day, _ in bank_holidays(EW, 2025)] == [
        date(2025, 1, 1),
        date(2025, 4, 18),
        date(2025, 4, 21),
        date(2025, 5, 5),
        date(2025, 5, 26),
        date(2025, 8, 25),
        date(2025, 12, 25),
        date(2025, 12, 26),
    ]
    assert all(day.year == 2024 for day, _ in bank_holidays(NI, 2024))
    assert len(bank_holidays(NI)) > len(bank_holidays(NI, 2024))


# Errors


@pytest.mark.parametrize("name", ["england", "wales", "uk", "Scotland", ""])
def test_an_unknown_nation_is_refused_with_the_valid_names(name):
    with pytest.raises(UnknownNation) as raised:
        is_working_day(date(2025, 1, 2), name)
    assert isinstance(raised.value, ValueError)
    for valid in CALENDARS:
        assert valid in str(raised.value)
    for call in (
        lambda: add_working_days(date(2025, 1, 2), 1, name),
        lambda: working_days_between(date(2025, 1, 2), date(2025, 1, 9), name),
        lambda: bank_holidays(name),
        lambda: period_end(date(2025, 1, 2), 8, name),
    ):
        with pytest.raises(UnknownNation):
            call()


def test_a_day_outside_the_carried_years_is_refused():
    first, last, computed = coverage()
    for day in (date(first - 1, 12, 31), date(last + 1, 1, 3)):
        with pytest.raises(CalendarOutOfRange, match=f"{first} to {last}") as raised:
            is_working_day(day, EW)
        assert isinstance(raised.value, ValueError)
        assert "scripts/bank_holidays.py" in str(raised.value)
        if computed:
            assert "computed from the statutory rules" in str(raised.value)
    # A count that runs past the data fails, however it starts.
    with pytest.raises(CalendarOutOfRange):
        add_working_days(date(last, 12, 20), 30, UK)
    with pytest.raises(CalendarOutOfRange):
        period_end(date(last, 12, 24), 8, SCOTLAND)
    with pytest.raises(CalendarOutOfRange):
        working_days_between(date(last, 12, 1), date(last + 1, 1, 31), NI)
    with pytest.raises(CalendarOutOfRange):
        working_days_between(date(first, 1, 10), date(first - 1, 12, 1), NI)
    with pytest.raises(CalendarOutOfRange):
        bank_holidays(EW, last + 1)


def test_a_datetime_or_a_negative_count_is_refused():
    with pytest.raises(TypeError, match="london_date"):
        is_working_day(utc(2025, 12, 25, 12), EW)
    with pytest.raises(TypeError):
        add_working_days("2025-12-25", 1, EW)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="zero or more"):
        add_working_days(date(2025, 1, 2), -1, EW)
    with pytest.raises(ValueError, match="one working day or more"):
        period_end(date(2025, 1, 2), 0, EW)


# Properties

covered_days = st.dates(min_value=date(2012, 1, 2), max_value=date(2027, 9, 30))


@given(start=covered_days, days=st.integers(0, 60), nation=st.sampled_from(CALENDARS))
def test_adding_then_counting_gives_the_days_back(start, days, nation):
    end = add_working_days(start, days, nation)
    assert working_days_between(start, end, nation) == days
    assert working_days_between(end, start, nation) == -days
    if days:
        assert end > start
        assert is_working_day(end, nation)
        # The result is the first day that far: the day before it is one working day short.
        assert working_days_between(start, end - timedelta(days=1), nation) == days - 1
    else:
        assert end == start


@given(first_day=covered_days, days=st.integers(1, 60), nation=st.sampled_from(CALENDARS))
def test_a_period_ends_on_a_working_day_and_holds_its_days(first_day, days, nation):
    last_day = period_end(first_day, days, nation)
    assert last_day >= first_day
    assert is_working_day(last_day, nation)
    assert working_days_between(first_day - timedelta(days=1), last_day, nation) == days


@given(day=covered_days, nation=st.sampled_from(NATIONS))
def test_a_working_day_in_the_union_is_one_in_every_nation(day, nation):
    if is_working_day(day, UK):
        assert is_working_day(day, nation)


# The carried data


def test_the_data_file_is_well_formed():
    assert set(DATA) == {"description", "source", *NATIONS, "years"}
    assert DATA["source"] == "https://www.gov.uk/bank-holidays.json"
    years = {int(year): status for year, status in DATA["years"].items()}
    assert sorted(years) == list(range(min(years), max(years) + 1)), "years are contiguous"
    assert set(range(2018, 2028)) <= set(years)
    assert set(years.values()) <= {"announced", "computed"}
    announced = [year for year, status in years.items() if status == "announced"]
    computed = [year for year, status in years.items() if status == "computed"]
    assert not computed or min(computed) > max(announced), "only years after the announced ones"
    assert coverage() == (min(years), max(years), tuple(sorted(computed)))
    minimum = {EW: 8, SCOTLAND: 9, NI: 10}
    for nation in NATIONS:
        entries = DATA[nation]
        days = [date.fromisoformat(entry["date"]) for entry in entries]
        assert days == sorted(days), f"{nation} is in date order"
        assert len(set(days)) == len(days), f"{nation} has no duplicate"
        for entry, day in zip(entries, days, strict=True):
            assert set(entry) <= {"date", "title", "notes", "computed"}, entry
            assert entry["date"] == day.isoformat()
            assert entry["title"].strip() == entry["title"] != ""
            # Bank holidays are never on a weekend: one that falls there moves to a weekday.
            assert day.weekday() < 5, entry
            assert day.year in years, entry
            assert entry.get("computed", False) == (years[day.year] == "computed"), entry
        for year in years:
            titles = [
                entry["title"] for entry, day in zip(entries, days, strict=True) if day.year == year
            ]
            assert len(titles) >= minimum[nation], (nation, year)
            assert {"New Year’s Day", "Good Friday", "Christmas Day", "Boxing Day"} <= set(titles)


def test_the_data_holds_the_one_off_bank_holidays():
    for nation in NATIONS:
        titles = dict(bank_holidays(nation))
        assert titles[date(2012, 6, 5)].startswith("Queen’s Diamond Jubilee")
        assert titles[date(2020, 5, 8)] == "Early May bank holiday (VE day)"
        assert titles[date(2022, 6, 3)] == "Platinum Jubilee bank holiday"
        assert "State Funeral of Queen Elizabeth II" in titles[date(2022, 9, 19)]
        assert "coronation of King Charles III" in titles[date(2023, 5, 8)]


# The update script and the statutory rules


def test_the_computus():
    script = load_script()
    assert script.easter_sunday(2024) == date(2024, 3, 31)
    assert script.easter_sunday(2025) == date(2025, 4, 20)
    assert script.easter_sunday(2038) == date(2038, 4, 25)  # the latest possible
    assert script.easter_sunday(2285) == date(2285, 3, 22)  # the earliest possible


# What the royal proclamations changed from the standing rules in announced years: the 2012
# Diamond Jubilee (spring bank holiday moved to 4 June, 5 June added), VE day 75 (early May bank
# holiday moved to 8 May 2020), the 2022 Platinum Jubilee (spring bank holiday moved to 2 June,
# 3 June added), the state funeral of Queen Elizabeth II (19 September 2022) and the coronation of
# King Charles III (8 May 2023).
PROCLAIMED = {
    2012: ({date(2012, 6, 4), date(2012, 6, 5)}, {date(2012, 5, 28)}),
    2020: ({date(2020, 5, 8)}, {date(2020, 5, 4)}),
    2022: ({date(2022, 6, 2), date(2022, 6, 3), date(2022, 9, 19)}, {date(2022, 5, 30)}),
    2023: ({date(2023, 5, 8)}, set()),
}


def test_the_statutory_rules_reproduce_every_announced_year_but_its_proclamations():
    """An independent check of the announced dates, and of the rules that compute later years."""
    script = load_script()
    announced = [int(year) for year, status in DATA["years"].items() if status == "announced"]
    for year in announced:
        rules = script.statutory_year(year)
        added, removed = PROCLAIMED.get(year, (set(), set()))
        for nation in NATIONS:
            published = {day for day, _ in bank_holidays(nation, year)}
            computed = {holiday.date for holiday in rules[nation]}
            assert (published - computed, computed - published) == (added, removed), (year, nation)


def test_computed_years_are_the_statutory_rules():
    script = load_script()
    for year in coverage().computed_years:
        for nation, holidays in script.statutory_year(year).items():
            assert [day for day, _ in bank_holidays(nation, year)] == [h.date for h in holidays]


def run_script(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_the_script_reproduces_the_carried_file(tmp_path):
    copy = tmp_path / "bank-holidays.json"
    shutil.copy(calendar.DATA_FILE, copy)
    result = run_script("--data", str(copy))
    assert result.returncode == 0, result.stderr
    assert copy.read_bytes() == calendar.DATA_FILE.read_bytes()


def govuk_file(path: Path, years: dict[int, dict[str, list[tuple[date, str, str]]]]) -> Path:
    """A file in the shape of https://www.gov.uk/bank-holidays.json."""
    content = {
        nation: {
            "division": nation,
            "events": [
                {"title": title, "date": day.isoformat(), "notes": notes, "bunting": True}
                for year in sorted(years)
                for day, title, notes in years[year][nation]
            ],
        }
        for nation in NATIONS
    }
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


def test_the_script_takes_an_announced_year_and_computes_the_next(tmp_path):
    script = load_script()
    copy = tmp_path / "bank-holidays.json"
    shutil.copy(calendar.DATA_FILE, copy)
    last = coverage().last_year
    year = {
        nation: [(h.date, h.title, h.notes) for h in holidays]
        for nation, holidays in script.statutory_year(last).items()
    }
    # A hypothetical one-off, as a proclamation would add, to see that announced dates win.
    extra = (date(last, 6, 6), "Extra bank holiday (test)", "")
    year = {nation: sorted([*holidays, extra]) for nation, holidays in year.items()}
    result = run_script("--data", str(copy), str(govuk_file(tmp_path / "govuk.json", {last: year})))
    assert result.returncode == 0, result.stderr
    updated = json.loads(copy.read_text(encoding="utf-8"))
    assert updated["years"][str(last)] == "announced"
    assert updated["years"][str(last + 1)] == "computed"
    assert {"date": extra[0].isoformat(), "title": extra[1]} in updated[EW]
    assert all(
        entry.get("computed") for entry in updated[SCOTLAND] if entry["date"] > f"{last}-12-31"
    )
    # Given the same file again, nothing changes.
    before = copy.read_bytes()
    assert run_script("--data", str(copy), str(tmp_path / "govuk.json")).returncode == 0
    assert copy.read_bytes() == before


def test_the_script_reports_changes_to_announced_years_and_refuses_bad_files(tmp_path):
    script = load_script()
    copy = tmp_path / "bank-holidays.json"
    shutil.copy(calendar.DATA_FILE, copy)
    _, carried = script.read_data(calendar.DATA_FILE)
    year_2025 = {
        nation: [(h.date, h.title, h.notes) for h in holidays if h.date != date(2025, 8, 25)]
        for nation, holidays in carried[2025].items()
    }
    result = run_script(
        "--data", str(copy), str(govuk_file(tmp_path / "a.json", {2025: year_2025}))
    )
    assert result.returncode == 0, result.stderr
    changes = [line for line in result.stdout.splitlines() if line.startswith("changed:")]
    assert changes == [
        "changed: 2025 england-and-wales: - 2025-08-25 Summer bank holiday",
        "changed: 2025 northern-ireland: - 2025-08-25 Summer bank holiday",
    ]
    # A file without Northern Ireland is not GOV.UK's.
    partial = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    del partial[NI]
    (tmp_path / "b.json").write_text(json.dumps(partial), encoding="utf-8")
    result = run_script("--data", str(copy), str(tmp_path / "b.json"))
    assert result.returncode == 1
    assert "northern-ireland" in result.stderr
