"""Spend in the commercial tools and contract performance registers (openbook.linked_spend;
docs/commercial-tools.md "Spent", docs/contract-performance.md "Spend to date"): a framework of
two lots with call-offs on each and on the whole, payments linked by reference and by a UK8
notice, a credit, a payment in euros, one unlinked, one to the framework agreement itself; as
the use cases give it, in the bulk files, through the API (its bad requests refused as before)
and on the pages (valid HTML, in English and Welsh). One database a kind, loaded once: nothing
here writes."""

import gzip
from decimal import Decimal

import orjson
import pytest
from django.test import Client

from openbook import commercial_tools, contract_performance, linked_spend, spend, spend_links
from openbook.export.snapshot import export
from openbook.standards.spend import linkage
from openbook.store import linked_spend as stored_spend
from openbook.store.linked_spend import Part
from tests.conftest import reuse
from tests.factories import create_release
from tests.pages.conftest import validate_html
from tests.web.conftest import publish
from tests.web.test_commercial_tools_api import ALPHA, BETA, FRAMEWORK, framework_releases

LEEDS = {"id": "GB-GOR-LCC", "name": "Leeds City Council", "roles": ["buyer"]}
ON_LOT_1, ON_LOT_2, ON_THE_WHOLE = "ocds-213czf-sa1", "ocds-213czf-sb1", "ocds-213czf-sc1"


def _party(supplier: tuple[str, str]) -> dict:
    scheme, number = supplier[0].rsplit("-", 1)
    return {
        "id": supplier[0],
        "name": supplier[1],
        "roles": ["supplier"],
        "identifier": {"scheme": scheme, "id": number},
    }


def call_off(ocid: str, lots: list[str] | None, supplier: tuple[str, str], amount: float,
             **contract) -> dict:  # fmt: skip
    """A call-off under the framework (on these of its lots), awarded and contracted, at the
    implementation stage."""
    link = {"id": "1", "relationship": ["framework"], "scheme": "ocid", "identifier": FRAMEWORK}
    if lots is not None:
        link["relatedLots"] = lots
    return create_release(
        ocid,
        f"{ocid}-1",
        date="2026-02-01T00:00:00Z",
        tag=["award", "contract", "implementation"],
        parties=[LEEDS, _party(supplier)],
        buyer={"id": LEEDS["id"], "name": LEEDS["name"]},
        tender={"id": f"t-{ocid[-3:]}", "title": f"Call-off {ocid[-3:]}"},
        relatedProcesses=[link],
        awards=[
            {
                "id": "1",
                "status": "active",
                "date": "2026-02-01T00:00:00Z",
                "suppliers": [{"id": supplier[0], "name": supplier[1]}],
                "value": {"amount": amount, "currency": "GBP"},
            }
        ],
        contracts=[
            {
                "id": "1",
                "awardID": "1",
                "status": "active",
                "value": {"amount": amount, "currency": "GBP"},
                "period": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2026-12-31T00:00:00Z"},
                "implementation": {
                    "metrics": [
                        {
                            "id": "kpi-1",
                            "title": "Deliveries on time",
                            "observations": [
                                {
                                    "id": "1",
                                    "period": {
                                        "startDate": "2026-01-01T00:00:00Z",
                                        "endDate": "2026-12-31T00:00:00Z",
                                    },
                                    "measureClassification": {"id": "met"},
                                }
                            ],
                        }
                    ],
                    **contract,
                },
            }
        ],
    )


# On lot 1, a payment its UK8 notice published (and the spending file's row of it, counted
# once); on lot 2; on no lot (the whole framework).
CALL_OFFS = [
    call_off(
        ON_LOT_1,
        ["1"],
        ALPHA,
        10_000,
        transactions=[
            {
                "id": "1",
                "date": "2026-05-01T00:00:00Z",
                "value": {"amount": 1000, "currency": "GBP"},
                "payer": {"id": LEEDS["id"], "name": LEEDS["name"]},
                "payee": {"id": ALPHA[0], "name": ALPHA[1]},
            }
        ],
    ),
    call_off(ON_LOT_2, ["2"], BETA, 5_000),
    call_off(ON_THE_WHOLE, None, ALPHA, 2_000),
]
SPENDING = (
    "Date,Supplier,Amount,Currency,Transaction number,Contract number\n"
    f"2026-03-01,Alpha Ltd,4000.00,GBP,P1,{ON_LOT_1}\n"
    f"2026-04-01,Alpha Ltd,-500.00,GBP,P2,{ON_LOT_1}\n"  # a credit
    f"2026-04-02,Alpha Ltd,300.00,EUR,P3,{ON_LOT_1}\n"
    f"2026-04-03,Beta Ltd,2500.00,GBP,P4,{ON_LOT_2}\n"
    f"2026-04-04,Alpha Ltd,700.00,GBP,P5,{ON_THE_WHOLE}\n"
    "2026-04-05,Nobody In Particular Ltd,999.00,GBP,P6,\n"  # linked to nothing
    f"2026-04-06,Alpha Ltd,123.45,GBP,P7,{FRAMEWORK}/a1\n"  # the framework agreement's own
    "2026-05-02,Alpha Ltd,1000.00,GBP,P8,\n"  # the UK8 notice's payment, as the file gives it
)


def load_registers_spend(store, folder) -> None:
    """The framework, its call-offs and the council's payments, linked."""
    publish(store, framework_releases())
    publish(store, CALL_OFFS)
    path = folder / "leeds.csv"
    path.write_text(SPENDING)
    spend.load(store, [path], body=spend.resolve_body(store, "Leeds City Council"))
    spend_links.link(store)


@pytest.fixture(scope="module")
def _loaded(shared_database, tmp_path_factory):
    load_registers_spend(reuse(shared_database).store, tmp_path_factory.mktemp("spend"))


@pytest.fixture
def loaded(shared_database, _loaded):
    return reuse(shared_database).store


def pounds(amount: str, payments: int, currency: str | None = "GBP") -> tuple:
    return (currency, amount, payments)


def short(totals: list[dict]) -> list[tuple]:
    return [(t["currency"], t["amount"], t["payments"]) for t in totals]


def test_sums_keep_currencies_apart_and_credits_subtract():
    parts = [
        Part(("x",), "GBP", "reference", "spend-linkage/1", 2, Decimal("100.10"), 0.99),
        Part(("x",), "GBP", "supplier-name", "spend-linkage/2", 1, Decimal("-30.00"), 0.85),
        Part(("x",), None, "notice", "spend-linkage/2", 1, Decimal("5.00"), 1.0),
        Part(("x",), "EUR", "reference", "spend-linkage/2", 1, Decimal("500.00"), 0.95),
    ]
    shown = linked_spend.summed(parts)
    assert [(t["currency"], t["amount"], t["payments"]) for t in shown] == [
        ("EUR", "500.00", 1), ("GBP", "70.10", 3), (None, "5.00", 1)
    ]  # fmt: skip
    gbp = shown[1]
    assert (gbp["lowestScore"], gbp["linkedBy"]) == (0.85, ["spend-linkage/1", "spend-linkage/2"])
    assert gbp["byMethod"] == [
        {"method": "reference", "payments": 2, "amount": "100.10"},
        {"method": "supplier-name", "payments": 1, "amount": "-30.00"},
    ]
    # added up again from what was shown (a supplier's rollup of its contracts): the same
    again = linked_spend.Sums()
    again.add_shown(shown)
    again.add_shown(shown)
    assert [t["amount"] for t in again.shown()] == ["1000.00", "140.20", "10.00"]
    assert linked_spend.summed([]) == []


def test_spent_through_the_call_offs_of_each_lot_beside_the_value_awarded(loaded):
    tool = commercial_tools.lineage(loaded, FRAMEWORK)
    assert tool is not None
    # 4,000 and the notice's 1,000 less the credit of 500 on lot 1; 2,500 on lot 2; 700 on the
    # whole framework; the euros apart; the agreement's own 123.45 and the unlinked 999 not
    assert short(tool["spent"]) == [pounds("7700.00", 5), pounds("300.00", 1, "EUR")]
    assert tool["callOffsPaid"] == 3
    by_lots = {tuple(group["lots"]): group for group in tool["awardedByLot"]}
    assert short(by_lots[("1",)]["spent"]) == [pounds("4500.00", 3), pounds("300.00", 1, "EUR")]
    assert by_lots[("1",)]["awarded"] == [{"currency": "GBP", "amount": 10_000.0}]
    assert short(by_lots[("2",)]["spent"]) == [pounds("2500.00", 1)]
    assert short(by_lots[()]["spent"]) == [pounds("700.00", 1)]
    [gbp, _] = by_lots[("1",)]["spent"]
    assert gbp["byMethod"] == [
        {"method": "reference", "payments": 2, "amount": "3500.00"},
        {"method": "notice", "payments": 1, "amount": "1000.00"},
    ]
    assert gbp["lowestScore"] < 1 and gbp["linkedBy"] == [linkage.METHOD_VERSION]
    assert short(tool["spentOnAgreement"]) == [pounds("123.45", 1)]
    assert tool["spendLinkage"]["methodVersion"] == linkage.METHOD_VERSION
    shown = {call["ocid"]: call for call in tool["callOffs"]}
    assert short(shown[ON_LOT_2]["spent"]) == [pounds("2500.00", 1)]
    # the register's list: the same totals, each tool's
    [listed] = commercial_tools.register(loaded)["page"]
    assert listed["spent"] == tool["spent"]


def test_spend_to_date_beside_the_kpis_per_contract_and_per_supplier(loaded):
    entries = {e["ocid"]: e for e in contract_performance.register(loaded, limit=100)["page"]}
    assert set(entries) == {ON_LOT_1, ON_LOT_2, ON_THE_WHOLE}
    lot_1 = entries[ON_LOT_1]
    assert lot_1["ratings"]["met"] == 1
    assert short(lot_1["spentToDate"]) == [pounds("4500.00", 3), pounds("300.00", 1, "EUR")]
    assert short(entries[ON_LOT_2]["spentToDate"]) == [pounds("2500.00", 1)]
    alpha = contract_performance.supplier(loaded, ALPHA[0])
    assert alpha is not None and alpha["contracts"] == 2
    assert short(alpha["spentToDate"]) == [pounds("5200.00", 4), pounds("300.00", 1, "EUR")]
    [gbp, _] = alpha["spentToDate"]
    assert {m["method"]: m["amount"] for m in gbp["byMethod"]} == {
        "reference": "4200.00", "notice": "1000.00"
    }  # fmt: skip
    assert alpha["spendLinkage"]["method"] == "docs/spend.md#linkage"


def test_the_bulk_files_carry_the_spend(loaded, tmp_path):
    export(loaded, tmp_path / "snapshot")
    registers = tmp_path / "snapshot" / "registers"
    with gzip.open(registers / "commercial-tools.jsonl.gz") as lines:
        [tool] = [orjson.loads(line) for line in lines]
    assert short(tool["spent"]) == [pounds("7700.00", 5), pounds("300.00", 1, "EUR")]
    assert {call["ocid"]: short(call["spent"]) for call in tool["callOffs"]}[ON_THE_WHOLE] == [
        pounds("700.00", 1)
    ]
    with gzip.open(registers / "performance.jsonl.gz") as lines:
        contracts = {entry["ocid"]: entry for entry in map(orjson.loads, lines)}
    assert short(contracts[ON_LOT_2]["spentToDate"]) == [pounds("2500.00", 1)]


def test_the_api_answers_with_the_spend(loaded):
    answer = Client().get(f"/api/registers/commercial-tools/{FRAMEWORK}?limit=1")
    assert answer.status_code == 200, answer.content[:300]
    tool = orjson.loads(answer.content)
    assert short(tool["spent"]) == [pounds("7700.00", 5), pounds("300.00", 1, "EUR")]
    assert [len(group["spent"]) for group in tool["awardedByLot"]] == [1, 2, 1]
    assert len(tool["callOffs"]) == 1 and "spent" in tool["callOffs"][0]
    assert short(tool["spentOnAgreement"]) == [pounds("123.45", 1)]
    listed = orjson.loads(Client().get("/api/registers/commercial-tools").content)
    assert short(listed["page"][0]["spent"]) == short(tool["spent"])
    page = orjson.loads(Client().get("/api/registers/performance?limit=100").content)
    assert sorted(short(e["spentToDate"])[0][1] for e in page["page"]) == [
        "2500.00", "4500.00", "700.00"
    ]  # fmt: skip
    record = Client().get(f"/api/registers/performance/suppliers/{BETA[0]}")
    assert short(orjson.loads(record.content)["spentToDate"]) == [pounds("2500.00", 1)]


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/api/registers/commercial-tools?limit=0", 400),
        ("/api/registers/commercial-tools/ocds-213czf-nothing", 404),
        (f"/api/registers/commercial-tools/{ON_LOT_1}", 404),  # a call-off, not a tool
        ("/api/registers/performance?before=x", 400),
        ("/api/registers/performance/suppliers/GB-COH-1", 404),
        ("/api/registers/performance/suppliers/nonsense", 400),
    ],
)
def test_bad_requests_are_refused_as_before(loaded, address, status):
    assert Client().get(address).status_code == status


def test_the_pages_show_what_was_paid_beside_what_was_awarded(loaded, tmp_path):
    pages = {}
    for address, language in (
        (f"/registers/commercial-tools/{FRAMEWORK}", "en"),
        (f"/registers/commercial-tools/{FRAMEWORK}", "cy"),
        ("/registers/performance", "en"),
        ("/registers/commercial-tools", "en"),
        (f"/organisations/{ALPHA[0]}", "en"),
    ):
        client = Client()
        client.cookies["openbook_language"] = language
        answer = client.get(address)
        assert answer.status_code == 200, address
        pages[f"{address} ({language})"] = answer.content
    tool = pages[f"/registers/commercial-tools/{FRAMEWORK} (en)"].decode()
    assert "Paid through call-offs" in tool and "Awarded and paid, lot by lot" in tool
    assert "£7,700 (5 payments)" in tool and "€300 (1 payment)" in tool
    assert "£123.45" in tool  # on the framework agreement itself, apart
    assert "No lot named: the whole tool" in tool
    welsh = pages[f"/registers/commercial-tools/{FRAMEWORK} (cy)"].decode()
    assert "Wedi’i dalu drwy gontractau galw i ffwrdd" in welsh
    assert "Paid to date: £4,500" in pages["/registers/performance (en)"].decode()
    assert "Paid to date: £7,700" in pages["/registers/commercial-tools (en)"].decode()
    supplier = pages[f"/organisations/{ALPHA[0]} (en)"].decode()
    assert (
        "Paid to date on these contracts" in supplier and "£5,200</span> (4 payments)" in supplier
    )
    # the page's JSON twin is what the API gives
    twin = Client().get(f"/registers/commercial-tools/{FRAMEWORK}", HTTP_ACCEPT="application/json")
    api = Client().get(f"/api/registers/commercial-tools/{FRAMEWORK}")
    assert orjson.loads(twin.content)["tool"]["spent"] == orjson.loads(api.content)["spent"]
    if loaded.vendor == "sqlite":  # the same HTML on both databases: checked once (slow)
        assert validate_html(pages, tmp_path) == []


def test_sums_are_exact_and_the_same_in_the_registers_and_on_the_contract(database, tmp_path):
    """Amounts of more than two decimals, and totals past SQLite's 64-bit integers: added
    exactly and rounded once, alike on both databases, in the registers and on the contract."""
    store = database.store
    publish(store, framework_releases())
    publish(store, [call_off(ON_THE_WHOLE, None, ALPHA, 2_000)])
    amounts = ["100.005", "100.005", "100.005", "1.015"] + ["999999999999999"] * 100
    path = tmp_path / "leeds.csv"
    path.write_text(
        "Date,Supplier,Amount,Currency,Transaction number,Contract number\n"
        + "".join(
            f"2026-04-01,Alpha Ltd,{amount},GBP,Q{number},{ON_THE_WHOLE}\n"
            for number, amount in enumerate(amounts)
        )
    )
    spend.load(store, [path], body=spend.resolve_body(store, "Leeds City Council"))
    spend_links.link(store)
    exact = f"{sum(Decimal(amount) for amount in amounts):.2f}"
    assert exact == "100000000000000201.03"  # 301.03 and 100 times 999,999,999,999,999

    registers = linked_spend.summed(stored_spend.on_contracts(store, [ON_THE_WHOLE]))
    assert short(registers) == [pounds(exact, len(amounts))]
    (month,) = spend_links.spend_to_date(store, ON_THE_WHOLE)
    assert (month["amount"], month["payments"]) == (exact, len(amounts))
