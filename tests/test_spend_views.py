"""What users see of spend (openbook.spend_views; docs/spend.md, "What users see"): a contract's
value against its spend to date and the payments behind it, a supplier's payments by body, a
body's spend coverage with its largest unlinked suppliers and payments to debarred suppliers;
spend coverage as a metric, in the progress report and recomputed from the bulk file. One
database a kind, with the linkage tests' processes and payments loaded and linked."""

import gzip
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from openbook import metrics, registers, reports, spend, spend_links, spend_views
from openbook.export.snapshot import export
from openbook.publishing.publishers import Actor
from openbook.reports import html, table
from openbook.standards.metrics import spend as method
from openbook.standards.metrics.figures import EVERYONE
from openbook.store import metrics as stored_metrics
from tests.conftest import reuse
from tests.publishing import create_publisher
from tests.test_spend_linkage import BEACON, COUNCIL, RELEASES, SPEND, release
from tests.web.conftest import publish

BODY = "example-borough-council"
# Beyond the linkage tests' rows: a credit and a payment in euros (both excluded from the
# share), and another body's payment to Acme.
MORE = (
    "Date,Supplier,Amount,Transaction number,Contract number\n"
    "2026-08-01,Acme Ltd,-250.00,T10,\n"
    "2026-08-02,Zebra Consulting,40.00,T11,\n"
)
EUROS = "Date,Supplier,Amount,Currency,Transaction number\n2026-08-03,Acme Ltd,70.00,EUR,E1\n"
OTHER = "Date,Supplier,Amount,Transaction number\n2027-01-05,ACME LTD,300.00,L1\n"


def load_spend(store, folder: Path) -> None:
    """The linkage tests' processes and payments, and a few more, linked; Acme debarred from
    March to December 2026 and Beacon for the whole of 2026."""
    publish(store, [release(ocid) for ocid in RELEASES])
    for name, text in (("2026.csv", SPEND), ("more.csv", MORE), ("euros.csv", EUROS)):
        (folder / name).write_text(text)
        spend.load(store, [folder / name], body=COUNCIL)
    (folder / "leeds.csv").write_text(OTHER)
    spend.load(store, [folder / "leeds.csv"], body=spend.resolve_body(store, "Leeds Council"),
               )  # fmt: skip
    spend_links.link(store)
    administrator = create_publisher(store)
    for party, start in (
        ({"identifier": "GB-COH-01234567", "name": "Acme Ltd"}, "2026-03-01"),
        ({"identifier": BEACON["id"], "name": BEACON["name"]}, "2026-01-01"),
    ):
        registers.record(
            store, "debarment",
            {"supplier": party, "ground": {"type": "mandatory", "reference": "Schedule 6"},
             "decisionDate": "2025-12-01", "startDate": start, "endDate": "2026-12-31",
             "status": "active"},
            organisation=administrator, role="administrator", actor=Actor("cli:test"),
        )  # fmt: skip


@pytest.fixture(scope="module")
def _loaded(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    load_spend(store, tmp_path_factory.mktemp("spend"))
    metrics.compute(store)
    return shared_database


@pytest.fixture
def loaded(shared_database, _loaded):
    return reuse(shared_database).store


def test_a_contract_value_against_its_spend_to_date(loaded):
    found = spend_views.contract(loaded, "ocds-tst001-a")
    [road] = found["contracts"]
    assert (road["kind"], road["id"], road["value"]) == (
        "contract", "1", {"amount": 120_000, "currency": "GBP"}
    )  # fmt: skip
    # T1 by name, the UK8 notice's payment once (T2 is that payment, as the file gives it), a
    # credit, and a payment in euros: each currency its own running total
    assert [(m["month"], m["currency"], m["amount"], m["cumulative"]) for m in road["months"]] == [
        ("2026-02", "GBP", "10000.00", "10000.00"), ("2026-03", "GBP", "5000.00", "15000.00"),
        ("2026-08", "EUR", "70.00", "70.00"), ("2026-08", "GBP", "-250.00", "14750.00"),
    ]  # fmt: skip
    assert road["spentToDate"] == [
        {"currency": "GBP", "amount": "14750.00", "payments": 3},
        {"currency": "EUR", "amount": "70.00", "payments": 1},
    ]
    assert road["shareOfValue"] == pytest.approx(14750 / 120_000)
    listed = {(p["kind"], p["date"]): p for p in found["payments"]}
    assert found["paymentCount"] == 5 == len(listed)
    duplicate = listed[("spend", "2026-03-16")]
    assert duplicate["duplicateOf"] == "notice ocds-tst001-a 1 1" and duplicate["current"]
    notice = listed[("notice", "2026-03-15")]
    assert (notice["supplier"], notice["body"]["name"], notice["href"]) == (
        "Acme Ltd", "Example Borough Council", None
    )  # fmt: skip
    assert listed[("spend", "2026-02-10")]["supplier"] == "ACME LIMITED"
    first = spend_views.contract(loaded, "ocds-tst001-a", limit=2)
    rest = spend_views.contract(loaded, "ocds-tst001-a", before=tuple(first["next"].split("/", 1)))
    assert [p["id"] for p in first["payments"] + rest["payments"]] == [
        p["id"] for p in found["payments"]
    ] and rest["next"] is None
    # an award without a contract yet is paid on too; a process with none has nothing to show
    [cleaning] = spend_views.contract(loaded, "ocds-tst001-b")["contracts"]
    assert (cleaning["kind"], cleaning["spentToDate"][0]["amount"]) == ("award", "5100.00")
    assert spend_views.contract(loaded, "ocds-tst001-d")["payments"] == []
    assert spend_views.contract(loaded, "ocds-nothing-here") is None


def test_a_supplier_paid_by_each_body_with_and_without_a_contract(loaded):
    found = spend_views.supplier(loaded, "GB-COH-1234567")  # normalised
    assert found["identifier"] == "GB-COH-01234567" and found["names"] == ["Acme Ltd"]
    by_body = {(row["body"], row["currency"]): row for row in found["bodies"]}
    council = by_body[(BODY, "GBP")]
    # T1, T2 and the credit T10 under its contract; T6, two years after it ended, under none
    assert (council["linked"], council["unlinked"], council["notLinkedYet"]) == (
        {"payments": 3, "amount": "14750.00"}, {"payments": 1, "amount": "1000.00"},
        {"payments": 0, "amount": "0.00"},
    )  # fmt: skip
    assert (council["first"], council["last"], council["total"]) == (
        "2026-02-10", "2028-06-01", "15750.00"
    )  # fmt: skip
    assert by_body[(BODY, "EUR")]["total"] == "70.00"
    assert [total["currency"] for total in found["totals"]] == ["GBP", "EUR"]
    assert found["totals"][0]["unlinked"] == {"payments": 2, "amount": "1300.00"}
    assert by_body[("leeds-council", "GBP")]["unlinked"] == {"payments": 1, "amount": "300.00"}
    assert found["paymentCount"] == sum(
        row[state]["payments"] for row in found["bodies"]
        for state in ("linked", "unlinked", "notLinkedYet")
    ) == 6  # fmt: skip
    assert [each["date"] for each in found["payments"]] == sorted(
        (each["date"] for each in found["payments"]), reverse=True
    )
    # Beacon: paid under its award by reference and by a misspelt name, none by its own name
    beacon = spend_views.supplier(loaded, BEACON["id"])
    [row] = beacon["bodies"]
    assert row["linked"] == {"payments": 3, "amount": "5100.00"}
    assert spend_views.supplier(loaded, "GB-COH-09999999") is None


def test_a_body_spend_coverage_largest_unlinked_and_debarred(loaded):
    found = spend_views.body(loaded, "Example Borough Council")
    assert (found["body"], found["payments"]) == (BODY, 12)
    assert found["name"] == "Example Borough Council"
    assert found["organisations"] == [
        {"identifier": "GB-GOR-E0001", "href": "/organisations/GB-GOR-E0001"}
    ]
    assert found["counted"]["by"] == "metrics run"  # as the metric's pages and the report
    overall = found["coverage"]
    linked, unlinked = Decimal("20100"), Decimal("2240")  # T1-T4, T9; T5-T8, T11
    assert overall["share"] == pytest.approx(float(linked / (linked + unlinked)))
    assert overall["payments"] == {"linked": 5, "unlinked": 5, "notLinkedYet": 0, "excluded": 2}
    assert overall["pounds"] == {"linked": 20100, "unlinked": 2240, "notLinkedYet": 0}
    assert overall["byMethod"] == {
        "notice": 1, "reference": 2, "supplier-name": 1, "supplier-name-fuzzy": 1
    }  # fmt: skip
    assert [year["period"] for year in found["years"]] == ["2026", "2028"]
    assert [(s["supplier"], s["amount"]) for s in found["largestUnlinked"][:2]] == [
        ("Acme Ltd", "1000.00"), ("Cedar Construction Ltd", "1000.00"),
    ]  # fmt: skip
    withheld = next(s for s in found["largestUnlinked"] if s["supplierWithheld"])
    assert withheld["supplier"] is None and withheld["amount"] == "100.00"
    # Acme by name while debarred (T2 in March, E1 and the credit T10 in August), not before
    # (T1) nor after (T6); Beacon by its award (T3, T4, T9), each named otherwise
    debarred = found["debarred"]
    assert debarred["count"] == 6
    assert [(p["date"], p["debarment"]["matchedBy"]) for p in debarred["payments"]] == [
        ("2026-08-03", "name"), ("2026-08-01", "name"), ("2026-07-01", "contract"),
        ("2026-05-01", "contract"), ("2026-04-01", "contract"), ("2026-03-16", "name"),
    ]  # fmt: skip
    assert debarred["payments"][2]["debarment"]["supplier"]["identifier"] == BEACON["id"]
    assert debarred["amounts"] == [
        {"currency": "EUR", "payments": 1, "amount": "70.00"},
        {"currency": "GBP", "payments": 5, "amount": "9850.00"},
    ]
    assert spend_views.body(loaded, "GB-GOR-E0001") is None  # its files name no identifier
    assert spend_views.body(loaded, "Nobody at all") is None


def test_spend_coverage_is_a_metric_in_the_report_and_recomputed_from_the_bulk_file(
    loaded, tmp_path
):
    figures = {
        (f.subject, f.period): f
        for f in stored_metrics.figures(loaded, metric=method.SPEND_COVERAGE)
    }
    council = figures[(BODY, "all")]
    assert (council.for_count, council.against_count, council.excluded_count) == (5, 5, 2)
    assert council.value == pytest.approx(20100 / 22340)
    assert council.extra["pounds"] == {"linked": 20100, "unlinked": 2240, "pending": 0}
    assert figures[(EVERYONE, "2027")].against_count == 1  # Leeds's payment
    assert metrics.overview(loaded)["run"]["methods"]["spend"] == method.METHOD_VERSION
    # the twice-yearly report: a section, its figures in the CSV
    report = reports.progress(loaded, "2026-H2")
    section = report["spend"]
    assert section["headline"]["share"] == pytest.approx(100 / 140)  # T9 of T9 and T11
    assert section["bodies"][0]["subject"] == BODY
    assert "Spend linked to a published contract" in html.render(report)
    assert "spend-coverage,example-borough-council" in table.render(report)
    # the bulk file: every payment with its link; the figures recomputed from it alone
    manifest = export(loaded, tmp_path / "snapshot")
    with gzip.open(tmp_path / "snapshot" / "registers" / "spend.jsonl.gz") as written:
        lines = [orjson.loads(line) for line in written]
    assert len(lines) == 13 and "registers/spend.jsonl.gz" in {
        each["name"] for each in manifest["derivedRegisters"]
    }
    t5 = next(each for each in lines if each["transaction"]["transactionNumber"] == "T5")
    assert t5["link"]["status"] == "unlinked" and len(t5["link"]["candidates"]) == 3
    done = subprocess.run(
        [sys.executable, "scripts/recompute_metrics.py", str(tmp_path / "snapshot")],
        capture_output=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    recomputed = [json.loads(line) for line in done.stdout.splitlines()]
    mine = {(f["subject"], f["period"]): f for f in recomputed if f["metric"] == "spend-coverage"}
    assert {key: (f["for"], f["against"], f["value"]) for key, f in mine.items()} == {
        key: (f.for_count, f.against_count, f.value) for key, f in figures.items()
    }
