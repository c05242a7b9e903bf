"""The progress pages: every metric by family, and a metric's figures for a period with its
chart and data table, each authority's figure (sorted, paged), the items against, and the
method; the figures the same as openbook.metrics (and the API) gives; bad parameters named."""

import re
from pathlib import Path

import orjson
import pytest
from django.test import Client

from openbook import metrics
from openbook.standards.metrics import figures as periods
from openbook.standards.metrics.computation import (
    DATA_QUALITY,
    MILESTONES,
    RED_FLAGS,
    SPEND,
)
from openbook.web.pages import progress

ROOT = Path(__file__).resolve().parents[2]


def twin(address: str) -> dict:
    answer = Client().get(address, HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json", address
    return orjson.loads(answer.content)


def test_every_metric_is_reachable_from_the_overview_by_family(site):
    answer = Client().get("/metrics")
    assert answer.status_code == 200
    html = answer.content.decode()
    page = twin("/metrics")
    assert [family["family"] for family in page["families"]] == [
        MILESTONES,
        DATA_QUALITY,
        RED_FLAGS,
        SPEND,
    ]
    listed = [metric["id"] for family in page["families"] for metric in family["metrics"]]
    assert sorted(listed) == sorted(metrics.METRICS)
    for family in page["families"]:
        for metric in family["metrics"]:
            assert metrics.METRICS[metric["id"]].family == family["family"]
            assert f'href="/metrics/{metric["id"]}"' in html
    milestones = page["families"][0]["metrics"]
    for metric in milestones:
        assert metric["latest"] == metrics.latest_figure(site.store, metric["id"])
    assert page["run"] == metrics.overview(site.store)["run"]


def test_the_overview_links_each_half_years_report(site):
    page = twin("/metrics")
    assert page["reports"], "the generated data spans half-years"
    html = Client().get("/metrics").content.decode()
    for report in page["reports"]:
        assert periods.is_half(report["half"])
        assert f'href="/api/reports/progress/{report["half"]}"' in html
        assert f'href="/api/reports/progress/{report["half"]}?format=csv"' in html
        assert Client().get(report["csv"]).status_code == 200
    assert [r["half"] for r in page["reports"]] == sorted(
        [r["half"] for r in page["reports"]], reverse=True
    )


def test_a_metric_page_gives_the_figures_of_its_period(site):
    metric = "award-published-90-days"
    page = twin(f"/metrics/{metric}?period=all")
    found = metrics.figures_of(site.store, metric, subject=None, period="all")
    assert page["metric"] == found["metric"]
    both = [*page["headline"], *page["subjects"]["figures"]]
    assert len(page["headline"]) + page["subjects"]["count"] == len(found["figures"])
    assert len(page["subjects"]["figures"]) == min(page["subjects"]["count"], 50)
    for figure in both:
        expected = next(f for f in found["figures"] if f["subject"] == figure["subject"])
        assert {k: v for k, v in figure.items() if k != "name"} == expected
    html = Client().get(f"/metrics/{metric}?period=all").content.decode()
    everyone = next(f for f in page["headline"] if f["subject"] == periods.EVERYONE)
    assert f"{everyone['value'] * 100:.1f}%" in html
    assert ("Target met" if everyone["met"] else "Target not met") in html


def test_the_default_period_is_the_newest_half_year_with_figures(site):
    page = twin("/metrics/tender-published")
    latest = metrics.latest_figure(site.store, "tender-published")
    assert page["period"] == (latest["period"] if latest else "all")


def test_the_chart_has_its_data_table_and_no_inline_style(site):
    metric = "award-published-90-days"
    page = twin(f"/metrics/{metric}?period=all")
    html = Client().get(f"/metrics/{metric}?period=all").content.decode()
    share = page["charts"][0]
    assert share["unit"] == "share" and share["rows"]
    for row in share["rows"]:
        figure = metrics.figures_of(site.store, metric, subject="", period=row["label"])
        assert figure["figures"][0]["value"] == row["value"]
        assert f'<th scope="row" class="govuk-table__header">{row["label"]}</th>' in html
    assert share["target"]["value"] == metrics.METRICS[metric].target
    assert 'class="openbook-chart__bar"' in html and 'class="openbook-chart__target"' in html
    assert f'aria-labelledby="{share["id"]}-title"' in html
    breakdown = page["charts"][1:]
    everyone = next(f for f in page["headline"] if f["subject"] == periods.EVERYONE)
    assert len(breakdown) == len([c for c in everyone["breakdown"].values() if c])
    assert not re.search(r"\sstyle=", html) and "<style" not in html


def test_a_half_year_is_charted_by_month(site):
    page = twin("/metrics/tender-published?period=2025-H2")
    months = [row["label"] for row in page["charts"][0]["rows"]] if page["charts"] else []
    assert all(label.endswith("2025") for label in months)
    assert set(months) <= {"July 2025", "August 2025", "September 2025", "October 2025",
                           "November 2025", "December 2025"}  # fmt: skip
    assert page["links"]["report"]["json"] == "/api/reports/progress/2025-H2"


def test_the_items_listed_are_those_the_api_gives(site):
    metric = "tender-published"
    for outcome in ("against", "for"):
        page = twin(f"/metrics/{metric}?period=all&outcome={outcome}")
        given = metrics.items_of(
            site.store, metric, subject=None, period="all", outcomes=[outcome], after=0,
            limit=progress.ITEMS_SHOWN,
        )  # fmt: skip
        assert [i["ocid"] for i in page["items"]["items"]] == [i["ocid"] for i in given["items"]]
        assert page["items"]["next"] == given["next"]
        html = Client().get(f"/metrics/{metric}?period=all&outcome={outcome}").content.decode()
        for item in given["items"]:
            assert f'href="/processes/{item["ocid"]}"' in html
    central = twin(f"/metrics/{metric}?period=all&subject=central&outcome=for")
    given = metrics.items_of(
        site.store, metric, subject=periods.CENTRAL, period="all", outcomes=["for"], after=0,
        limit=progress.ITEMS_SHOWN,
    )  # fmt: skip
    assert [i["ocid"] for i in central["items"]["items"]] == [i["ocid"] for i in given["items"]]


def test_the_table_of_authorities_sorts_and_pages(site, monkeypatch):
    metric = "tender-published"
    by_name = twin(f"/metrics/{metric}?period=all&sort=name&order=asc")["subjects"]
    names = [f["name"].lower() for f in by_name["figures"]]
    assert names == sorted(names) and len(names) > 2
    by_against = twin(f"/metrics/{metric}?period=all&sort=against&order=desc")["subjects"]
    against = [f["against"] for f in by_against["figures"]]
    assert against == sorted(against, reverse=True)
    html = Client().get(f"/metrics/{metric}?period=all&sort=name&order=asc").content.decode()
    assert 'aria-sort="ascending"' in html
    monkeypatch.setattr(progress, "SUBJECTS_SHOWN", 2)
    second = twin(f"/metrics/{metric}?period=all&sort=name&order=asc&page=2")["subjects"]
    assert [f["name"].lower() for f in second["figures"]] == names[2:4]
    assert second["pages"] == -(-by_name["count"] // 2)


def test_the_method_document_is_named_and_exists(site):
    for metric in ("tender-published", "quality", "flag:uk-single-bid"):
        page = twin(f"/metrics/{metric}?period=all")
        method = page["links"]["method"]
        assert (ROOT / method.split("#")[0]).is_file()
        assert method in Client().get(f"/metrics/{metric}?period=all").content.decode()


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("period=2024-H3", "period"),
        ("period=2024-13", "period"),
        ("period=" + "9" * 11, "period"),
        ("subject=%00", "subject"),
        ("subject=" + "x" * 301, "subject"),
        ("sort=bogus", "sort"),
        ("order=up", "order"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=999", "page"),
        ("outcome=maybe", "outcome"),
        ("after=-1", "after"),
        ("after=99999999999999999999", "after"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(site, query, parameter):
    answer = Client().get(f"/metrics/tender-published?period=all&{query}")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert f"{parameter}: " in html and f'href="#{parameter}"' in html
    problems = twin(f"/metrics/tender-published?period=all&{query}")["error"]["problems"]
    assert parameter in [problem["field"] for problem in problems]


@pytest.mark.parametrize("metric", ["no-such-metric", "flag:R001", "quality:nothing"])
def test_an_unknown_metric_is_a_404(site, metric):
    assert Client().get(f"/metrics/{metric}").status_code == 404


def test_the_pages_read_in_welsh(site):
    client = Client()
    client.cookies["openbook_language"] = "cy"
    html = client.get("/metrics/tender-published?period=2025-H2").content.decode()
    assert "Gorffennaf i Rhagfyr 2025" in html and "Pob awdurdod neu gyhoeddwr" in html
    assert 'lang="en">Above-threshold procurements' in html
