"""The generator's options for ``openbook demo`` (issue 8, D5): a run published up to a moment
(``until``), started so that its processes have all arrived by a day (``start_ending``), its
spending up to that day; and the generated ownership of its suppliers (BODS 0.4)."""

import io
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from openbook.generate import generate_releases, ownership, write_jsonl, writer
from openbook.generate.spend import write_spend
from openbook.generate.stream import start_ending
from openbook.standards.bods import validate


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_run_until_a_moment_is_the_full_runs_releases_up_to_it():
    whole = list(generate_releases(120, 5, date(2025, 3, 3)))
    until = datetime(2025, 11, 14, 12, tzinfo=UTC)
    cut = list(generate_releases(120, 5, date(2025, 3, 3), until=until))
    assert cut == [each for each in whole if _moment(each["date"]) <= until]
    assert 0 < len(cut) < len(whole)


def test_the_default_run_is_unchanged_by_the_option():
    """Benchmarks and tests depend on the default output, seeded: ``until=None`` is it."""
    assert list(generate_releases(60, 3)) == list(generate_releases(60, 3, until=None))


def test_a_run_until_a_moment_is_the_same_written_in_parallel():
    until = datetime(2025, 9, 1, tzinfo=UTC)
    serial, parallel = io.BytesIO(), io.BytesIO()
    write_jsonl(iter(list(generate_releases(300, 9, until=until))), serial)
    writer._write_parallel(generate_releases(300, 9, until=until), parallel, 3)
    assert parallel.getvalue() == serial.getvalue()


def test_a_run_started_to_end_today_publishes_up_to_now_and_not_beyond():
    now = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    start = start_ending(200, now.date())
    releases = list(generate_releases(200, 1, start, until=now))
    moments = [_moment(each["date"]) for each in releases]
    assert max(moments) <= now
    # processes arrive until the last days: the newest notices are recent, not a year old
    assert max(moments) > now - timedelta(days=14)
    assert min(moments) >= datetime.combine(start, datetime.min.time(), UTC)
    tenders = [each for each in releases if "tender" in each.get("tag", [])]
    assert tenders and any(_moment(each["date"]) > now - timedelta(days=30) for each in tenders)


def test_a_naive_until_is_refused_with_why():
    with pytest.raises(ValueError, match="aware datetime"):
        generate_releases(10, 1, until=datetime(2026, 1, 1))


def test_spending_up_to_a_day_has_no_later_payment(tmp_path):
    start, last = date(2025, 3, 3), date(2025, 12, 31)
    write_spend(tmp_path / "all", 80, 4, start)
    write_spend(tmp_path / "cut", 80, 4, start, until=last)
    # a file a body and year: none after the last day's year, where the whole run has some
    years = {path.name[-8:-4] for path in (tmp_path / "cut").glob("*/*.csv")}
    assert years and max(years) == "2025"
    assert max(path.name[-8:-4] for path in (tmp_path / "all").glob("*/*.csv")) > "2025"


def test_ownership_of_a_share_of_the_suppliers_is_valid_bods_naming_them():
    releases = list(generate_releases(150, 1))
    companies = ownership.suppliers(releases)
    assert len(companies) > 20
    statements = list(ownership.statements(companies, 1, date(2026, 11, 30)))
    assert validate.problems(statements) == []
    named = {
        each["recordDetails"]["identifiers"][0]["id"]
        for each in statements
        if each["recordType"] == "entity" and each["recordId"].removeprefix("gen-ent-") in companies
    }
    assert 0.4 * len(companies) < len(named) < 0.8 * len(companies)  # OWNED_SHARE, 0.6
    kinds = {each["recordType"] for each in statements}
    assert kinds == {"entity", "person", "relationship"}
    # some through a holding company: a relationship whose interested party is an entity
    entities = {each["recordId"] for each in statements if each["recordType"] == "entity"}
    held = [
        each
        for each in statements
        if each["recordType"] == "relationship"
        and each["recordDetails"]["interestedParty"] in entities
    ]
    assert held
    # each record's statement comes before any relationship naming it
    seen: set[str] = set()
    for each in statements:
        details = each["recordDetails"]
        if each["recordType"] == "relationship":
            assert details["subject"] in seen and details["interestedParty"] in seen
        seen.add(each["recordId"])
    # the same for the same seed; statement ids unique
    again = list(ownership.statements(companies, 1, date(2026, 11, 30)))
    assert orjson.dumps(again) == orjson.dumps(statements)
    assert len({each["statementId"] for each in statements}) == len(statements)
