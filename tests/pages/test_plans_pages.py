"""The action plan's pages (issue 10, item 5): the plan at a glance, a commitment and a milestone
with their history, in English and Welsh, each with its JSON twin holding the API's answer; the
milestones the platform measures following the figures (item 3), in the pages, the API and the
twice-yearly report. One site per database: generated processes from April 2022 (NAP5's
period), their metrics, a bulk download, NAP5 loaded with an update and an assessment. Their
HTML validity and accessibility are checked with every page (tests/pages/addresses.py)."""

import os
import re
from datetime import date

import orjson
import pytest
from django.test import Client

from openbook import metrics, plans, reports
from openbook.export.snapshot import export
from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from openbook.reports import html, pdf
from openbook.standards.plans import measures
from openbook.store import metrics as stored
from tests.conftest import fresh_database

PLAN = "/plans/uk-nap5"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(request, tmp_path_factory):
    """NAP5 over generated processes published from April 2022, measured, exported."""
    with fresh_database(request.param, request) as database:
        store = database.store
        source = tmp_path_factory.mktemp("plans") / "generated.jsonl"
        with source.open("wb") as out:
            write_jsonl(generate_releases(processes=80, seed=5, start=date(2022, 4, 1)), out)
        load(store, [source], publisher="generated")
        metrics.compute(store)
        plans.load(store, recorded_by="test")
        plans.record_update(
            store, "uk-nap5", "5", "4", day="2022-12-20", status="complete",
            narrative="Civil society consulted on the strategy.", recorded_by="cli:alice",
            evidence=[{"url": "https://example.org/strategy", "title": "The strategy"}],
        )  # fmt: skip
        plans.record_assessment(
            store, "uk-nap5", "1", day="2022-06-01", source="https://example.org/irm",
            indicators={"verifiable": "verifiable", "openGovernmentLens": "yes",
                        "completion": "limited"},
            lens_values=["access-to-information"], recorded_by="cli:alice",
        )  # fmt: skip
        downloads = tmp_path_factory.mktemp("plans") / "downloads"
        before = os.environ.get("OPENBOOK_DOWNLOADS_DIR")
        os.environ["OPENBOOK_DOWNLOADS_DIR"] = str(downloads)
        export(store, downloads)
        try:
            yield database
        finally:
            if before is None:
                del os.environ["OPENBOOK_DOWNLOADS_DIR"]
            else:
                os.environ["OPENBOOK_DOWNLOADS_DIR"] = before


def fetch(address: str, language: str = "en") -> str:
    client = Client()
    client.cookies["openbook_language"] = language
    answer = client.get(address)
    assert answer.status_code == 200, (address, answer.content[:400])
    return answer.content.decode()


def twin(address: str) -> dict:
    answer = Client().get(address, HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json", address
    return orjson.loads(answer.content)


def api(address: str) -> dict:
    answer = Client().get(address)
    assert answer.status_code == 200, (address, answer.content[:300])
    return orjson.loads(answer.content)


def tags(page: str, text: str | None = None) -> int:
    """How many GOV.UK tags the page shows (saying ``text``)."""
    return len(re.findall(r'<strong class="govuk-tag[^"]*">\s*' + re.escape(text or ""), page))


def without(found: dict, name: str) -> dict:
    """A reading without a key the page adds (its own words) at any depth."""
    if isinstance(found, dict):
        return {key: without(value, name) for key, value in found.items() if key != name}
    if isinstance(found, list):
        return [without(each, name) for each in found]
    return found


def test_the_plan_at_a_glance(site):
    page = fetch(PLAN)
    plan = api("/api/plans/uk-nap5")
    shown = twin(PLAN)
    assert without(shown["plan"], "measuredSaid") == plan  # the twin holds the API's answer
    for commitment in plan["commitments"]:
        assert commitment["title"] in page
        for milestone in commitment["milestones"]:
            link = f"{PLAN}/commitments/{commitment['id']}/milestones/{milestone['id']}"
            assert f'href="{link}"' in page
    assert tags(page, "Overdue") == plan["summary"]["overdue"] > 0
    # A tag for each milestone's status and each overdue, and the phase banner's.
    assert tags(page) == plan["summary"]["milestones"] + plan["summary"]["overdue"] + 1
    assert "The plan gives an end before the start" in page  # milestone 3/2's flag
    assert f"{measured_text(plan)}" in page
    # Linked from the service's navigation and the registers' list; the list of plans.
    assert 'href="/plans"' in fetch("/registers") and 'href="/plans"' in fetch("/")
    listed = fetch("/plans")
    assert f'href="{PLAN}"' in listed and plan["title"] in listed
    # Read as of another day: which milestones were overdue then.
    earlier = twin(f"{PLAN}?on=2022-04-01")["plan"]
    assert earlier["asOf"] == "2022-04-01" and earlier["summary"]["overdue"] == 1


def measured_text(plan: dict) -> str:
    """What the page says of the tenders milestone's figure (the first measured)."""
    measured = plan["commitments"][0]["milestones"][0]["measured"]
    counted = measured["for"] + measured["against"]
    return f"{measured['value'] * 100:.1f}% of {counted:,} counted"


def test_measured_milestones_follow_the_figures(site):
    store = site.store
    plan = plans.plan(store, "uk-nap5")
    run = stored.latest_run(store)
    tenders, awards, documents, bulk, halves = plan["commitments"][0]["milestones"]
    assert {m["statusFrom"] for m in (tenders, awards, documents, bulk, halves)} == {"measured"}
    # The tenders milestone: its months' figures summed, against the plan's 95%.
    months = [f"2022-{month:02d}" for month in range(4, 13)] + ["2023-01", "2023-02", "2023-03"]
    figures = stored.figures(store, metric="tender-published", subject="", periods=months)
    counted_for = sum(f.for_count for f in figures)
    against = sum(f.against_count for f in figures)
    assert counted_for + against > 0
    found = tenders["measured"]
    assert (found["for"], found["against"], found["period"]) == (
        counted_for,
        against,
        {"from": "2022-04", "to": "2023-03"},
    )
    share = counted_for / (counted_for + against)
    assert found["value"] == share and found["met"] == (share >= 0.95)
    assert tenders["status"] == ("complete" if share >= 0.95 else "limited")
    assert tenders["overdue"] == (share < 0.95)  # March 2023 is long past
    assert (found["run"]["logSize"], found["metricsMethodVersion"], found["methodVersion"]) == (
        run.log_size,
        run.methods["milestones"],
        measures.METHOD_VERSION,
    )
    # Awards within 90 days: central government's figures only.
    central = stored.figures(
        store,
        metric="award-published-90-days",
        subject="*central",
        periods=measures.periods(measures.MEASURES["uk-nap5/1/2"], {"start": "April 2023",
                                 "end": "March 2024"}, date.today()),
    )  # fmt: skip
    assert awards["measured"]["against"] == sum(f.against_count for f in central)
    assert awards["measured"]["subject"] == "*central"
    # The yearly report: 2022 and 2023, both over and counted.
    assert [p["period"] for p in documents["measured"]["periods"]] == ["2022", "2023"]
    assert documents["status"] == "complete" and not documents["overdue"]
    # The bulk download made for this site.
    assert (bulk["status"], bulk["measured"]["snapshot"]["releases"]) == (
        "complete",
        twin("/api/downloads")["counts"]["releases"],
    )
    # The twice-yearly report: each half-year since April 2022 that is over.
    due = halves["measured"]["due"]
    assert due >= 8 and halves["measured"]["periods"][0]["period"] == "2022-H1"
    assert halves["status"] in ("complete", "limited")
    # The milestone's page says so, with the figures and the method.
    page = fetch(f"{PLAN}/commitments/1/milestones/1")
    assert "What the service measures" in page and "docs/methods/plan-milestones.md" in page
    assert f"{counted_for:,} for, {against:,} against" in page
    assert "Measured by this service from the published data, never typed in." in page
    # The twice-yearly report gives the plan's status, as the API reads it.
    report = reports.progress(store, "2023-H1")
    [section] = report["plan"]["plans"]
    read = [(m["id"], m["status"], m["overdue"]) for m in section["commitments"][0]["milestones"]]
    assert read == [
        (m["id"], m["status"], m["overdue"]) for m in plan["commitments"][0]["milestones"]
    ]
    assert section["commitments"][0]["milestones"][0]["measured"]["for"] == counted_for
    assert section["summary"] == plan["summary"]
    page = html.render(report)
    assert '<h2 id="action-plan">The action plan</h2>' in page and found["why"] in page
    assert pdf.render(report).startswith(b"%PDF")
    assert api("/api/reports/progress/2023-H1")["plan"]["plans"][0]["summary"] == plan["summary"]


def test_a_commitment_and_a_milestone_with_their_history(site):
    address = f"{PLAN}/commitments/1"
    page = fetch(address)
    found = api("/api/plans/uk-nap5/commitments/1")
    assert without(twin(address)["commitment"], "measuredSaid") == found
    assert "Verifiable" in page and 'href="https://example.org/irm"' in page
    assert "Access to information" in page and "Not assessed yet" in page
    assert page.count('<td class="govuk-table__cell govuk-table__cell--numeric">') >= len(
        found["history"]
    )
    assert "Achieve 95% of &#39;above threshold&#39; tenders on Contracts Finder" in page
    milestone = f"{PLAN}/commitments/5/milestones/4"
    page = fetch(milestone)
    shown = twin(milestone)
    assert without(shown["milestone"], "measuredSaid") == api(f"/api{milestone}")
    assert [each["statement"]["narrative"] for each in shown["updates"]] == [
        "Civil society consulted on the strategy."
    ]
    assert 'href="https://example.org/strategy"' in page and "The strategy" in page
    assert "Civil society consulted on the strategy." in page and "by cli:alice" in page
    assert "From its newest progress update." in page
    assert len(re.findall(r"Entry \d+", page)) == len(shown["milestone"]["history"]) == 2
    # The milestone that ends before it starts says so.
    page = fetch(f"{PLAN}/commitments/3/milestones/2?on=2022-06-01")
    assert "The plan gives an end before the start" in page and tags(page, "Overdue") == 1


def test_the_pages_in_welsh(site):
    page = fetch(PLAN, "cy")
    assert '<html lang="cy"' in page and "Cynllun gweithredu" in page
    assert "Dim tystiolaeth ar gael" in page and "Cerrig milltir yn ôl statws" in page
    # The plan's own words are English, marked so for screen readers.
    assert '<span lang="en">Open contracting</span>' in page
    for address in (f"{PLAN}/commitments/1", f"{PLAN}/commitments/1/milestones/1",
                    f"{PLAN}/commitments/5/milestones/4", "/plans"):  # fmt: skip
        welsh = fetch(address, "cy")
        for english in ("Milestones", "Status", "History", "Overdue", "What the service measures",
                        "Assessment", "Progress updates", "Not assessed yet"):  # fmt: skip
            assert not re.search(rf">\s*{english}\s*<", welsh), (address, english)


@pytest.mark.parametrize(
    ("address", "status", "says"),
    [
        ("/plans/uk-nap6", 404, "Page not found"),
        ("/plans/UK%20NAP5", 404, "Page not found"),
        (f"{PLAN}/commitments/9", 404, "Page not found"),
        (f"{PLAN}/commitments/3/milestones/3", 404, "Page not found"),
        (f"{PLAN}/commitments/%00", 404, "Page not found"),
        (f"{PLAN}?on=yesterday", 400, "on: &#39;yesterday&#39; is not a date: write YYYY-MM-DD"),
        (f"{PLAN}/commitments/1?on=2024-02-30", 400, "is not a date"),
    ],
)
def test_bad_addresses_say_why(site, address, status, says):
    answer = Client().get(address)
    assert answer.status_code == status and says in answer.content.decode()
    shown = orjson.loads(Client().get(address, HTTP_ACCEPT="application/json").content)
    assert shown["error"]["status"] == status
