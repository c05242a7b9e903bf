"""The reports (issue 7, item 5): the same figures as the API, as JSON, CSV, HTML and PDF, on
both databases."""

import csv
import io
from html.parser import HTMLParser

import orjson
import pytest
from django.test import Client

from openbook import cli, metrics, reports
from openbook.reports import html, pdf, table
from openbook.store import metrics as stored
from tests.conftest import reuse
from tests.test_metrics import measured  # noqa: F401 (a fixture)

HALF = "2025-H2"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.title, self._in_title, self.tables, self.svgs = [], "", False, 0, 0

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if "id" in found:
            self.ids.append(found["id"])
        self._in_title = tag == "title"
        self.tables += tag == "table"
        self.svgs += tag == "svg"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def test_the_progress_report_holds_the_apis_figures(measured):  # noqa: F811
    metrics.compute(measured)
    answer = Client().get(f"/api/reports/progress/{HALF}")
    assert answer.status_code == 200
    report = orjson.loads(answer.content)
    assert report["title"] == "Open contracting progress report: July to December 2025"
    (everyone,) = [f for f in report["sections"][0]["headline"] if f["subject"] == ""]
    api = orjson.loads(
        Client().get(f"/api/metrics/tender-published?period={HALF}&subject=everyone").content
    )
    assert everyone == api["figures"][0]
    for section in report["sections"]:
        months = [c for c in section["charts"] if c["unit"] == "share"]
        for chart in months:
            assert len(chart["rows"]) == 6


def test_the_csv_holds_every_figure_and_breakdown(measured):  # noqa: F811
    metrics.compute(measured)
    report = reports.progress(measured, HALF)
    rows = list(csv.DictReader(io.StringIO(table.render(report))))
    figures = [row for row in rows if not row["breakdown"]]
    assert len(figures) == len(report["figures"])
    stored_figures = {
        (f.metric, f.subject, f.period): f
        for f in stored.figures(measured)
        if f.period == HALF or f.period.startswith("2025-")
    }
    for row in figures:
        figure = stored_figures[(row["metric"], row["subject"], row["period"])]
        assert (int(row["for"]), int(row["against"])) == (figure.for_count, figure.against_count)
    breakdowns = [row for row in rows if row["breakdown"]]
    assert breakdowns and all(int(row["count"]) > 0 for row in breakdowns)
    answer = Client().get(f"/api/reports/progress/{HALF}?format=csv")
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.content.decode() == table.render(report)


def test_a_name_that_looks_like_a_formula_is_not_run_by_a_spreadsheet():
    report = {
        "figures": [
            {
                "metric": "m",
                "subject": "name:x",
                "subjectName": "=HYPERLINK(1)",
                "period": "all",
                "for": 1,
                "against": 0,
                "excluded": 0,
                "pending": 0,
                "value": 1.0,
                "target": None,
                "met": None,
                "breakdown": {"b": {"@SUM(1)": 1}},
            }
        ]
    }
    text = table.render(report)
    assert "'=HYPERLINK(1)" in text and "'@SUM(1)" in text


def test_the_html_page_is_valid_with_a_table_beside_every_chart(measured):  # noqa: F811
    metrics.compute(measured)
    page = html.render(reports.progress(measured, HALF))
    parser = _Page()
    parser.feed(page)
    assert parser.title.startswith("Open contracting progress report")
    assert len(parser.ids) == len(set(parser.ids))
    assert parser.svgs > 0 and parser.tables >= parser.svgs
    assert page.startswith("<!DOCTYPE html>") and 'lang="en-GB"' in page


def test_the_pdf_is_a_pdf_with_every_section(measured):  # noqa: F811
    metrics.compute(measured)
    document = pdf.render(reports.documents(measured, "2025"))
    assert document.startswith(b"%PDF-") and document.rstrip().endswith(b"%%EOF")
    assert len(document) > 2000


def test_the_command_writes_html_pdf_and_csv(measured, tmp_path, capsys):  # noqa: F811
    metrics.compute(measured)
    out = tmp_path / "reports"
    assert cli.main(["report", "--half", HALF, "--to", str(out)]) == 0
    names = sorted(path.name for path in out.iterdir())
    assert names == [f"progress-report-{HALF}.{ext}" for ext in ("csv", "html", "pdf")]
    assert cli.main(["report", "--documents", "2025", "--to", str(out)]) == 0
    assert len(list(out.iterdir())) == 6
    assert cli.main(["report", "--half", "2025-H3"]) == 2
    assert "is not a half-year" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/api/reports/progress/2025-H3", 400, "is not a half-year"),
        ("/api/reports/progress/2025", 400, "is not a half-year"),
        ("/api/reports/documents/25", 400, "is not a year"),
        ("/api/reports/progress/2025-H1?format=xml", 400, "format"),
        ("/api/reports/progress/2025-H1", 404, "no figures yet"),
    ],
)
def test_bad_report_requests(shared_database, path, status, says):
    reuse(shared_database)  # one a kind for the module's bad requests: they only read
    answer = Client().get(path)
    assert answer.status_code == status, answer.content
    assert says in orjson.loads(answer.content)["error"]["message"]
