"""A spending file's row that is a payment a contract's notice published (section 70: UK8,
``implementation.transactions``) counts once, as the notice's (issue 9; docs/spend.md,
"The same payment in both"). Section 70 payments are stated with VAT (docs/contract-payments.md);
spending files mostly state amounts net of recoverable VAT (HM Treasury's guidance, the Local
Government Association's "net amount"), some gross (Salford's "Gross"), some both. The match is
pure (openbook.standards.spend.duplicates and .linkage), and the totals that read it are checked
on both databases."""

import orjson
import pytest
from django.test import Client

from openbook import spend, spend_links, spend_views
from openbook.standards.spend import contracts, linkage
from openbook.standards.spend.transactions import WITHHELD
from openbook.store import spend_links as stored
from tests.test_spend_linkage import ACME, BUYER, COUNCIL, award, contract
from tests.web.conftest import publish

OCID = "ocds-tst002-a"
# The notice's payments (each with VAT, as section 70 publishes them), by transaction id:
# (date, amount).
NOTICE_PAYMENTS = {
    "1": ("2026-05-14", 36_000.00),  # N1 gives it net: 30,000.00 and VAT at 20%
    "2": ("2026-06-01", 43_000.00),  # L2: 40,000.00 and irrecoverable VAT of 3,000.00
    "3": ("2026-07-01", 31_000.00),  # N3: the same amount (no VAT charged)
    "4": ("2026-08-03", 61_200.00),  # S4: a gross column taken as the amount
    "5": ("2026-10-02", 45_000.00),  # G5: net amount, and a gross column beside it
    "7": ("2026-09-09", 48_000.00),  # S7's 40,000.00 is gross: not this payment
}


def _transaction(number: str, day: str, amount: float) -> dict:
    return {
        "id": number,
        "date": f"{day}T00:00:00Z",
        "value": {"amount": amount, "currency": "GBP"},
        "payer": {"id": BUYER["id"], "name": BUYER["name"]},
        "payee": {"id": ACME["id"], "name": ACME["name"]},
    }


RELEASE = {
    "ocid": OCID,
    "id": f"{OCID}-1",
    "date": "2026-10-05T00:00:00Z",
    "tag": ["contract", "implementation"],
    "initiationType": "tender",
    "buyer": {"id": BUYER["id"], "name": BUYER["name"]},
    "parties": [BUYER, ACME],
    "tender": {"id": "EBC-2001", "title": "Highway maintenance"},
    "awards": [award("1", ACME)],
    "contracts": [
        contract(
            "1",
            "2026-01-01",
            "2027-12-31",
            1_000_000,
            implementation={
                "transactions": [
                    _transaction(number, day, amount)
                    for number, (day, amount) in NOTICE_PAYMENTS.items()
                ]
            },
        )
    ],
}

# Four publishers' layouts (docs/spend.md, "The files it reads"), one body.
FILES = {
    "central.csv": (  # HM Treasury's spend over £25,000: net where VAT is recoverable
        "Date,Supplier,Amount,Transaction number\n"
        "15/05/2026,Acme Ltd,30000.00,N1\n"
        "01/07/2026,Acme Ltd,31000.00,N3\n"
        "03/06/2026,Acme Ltd,20000.00,N6\n"
    ),
    "lgtc.csv": (  # the Transparency Code's columns, as Trafford publishes them
        "OrganisationLabel,BeneficiaryName,PaymentDate,TransactionNumber,Amount,"
        "IrrecoverableVATAmount,Purpose\n"
        "Example Borough Council,Acme Ltd,2026-06-02,L2,40000.00,3000.00,Highway maintenance\n"
    ),
    "salford.csv": (  # Salford's: Gross (the amount), VAT and Net
        "Authority Name,Date of Payment,DocumentNo,Gross,VAT,Net,Vendor Name\n"
        "Example Borough Council,2026-08-03,S4,61200.00,10200.00,51000.00,Acme Ltd\n"
        "Example Borough Council,2026-09-10,S7,40000.00,6666.67,33333.33,Acme Ltd\n"
    ),
    "manchester.csv": (  # a net amount, and a gross column kept beside it
        "Body Name,Supplier Name,Invoice Payment Date,Transaction Number,Net Amount,Gross\n"
        "Example Borough Council,Acme Ltd,2026-10-01,G5,37500.00,45000.00\n"
    ),
}


def _notice(number: str) -> str:
    return f"notice {OCID} 1 {number}"


def _links(store) -> dict[str, stored.Link]:
    page = spend.page(store, limit=500)["transactions"]
    found = stored.links_of(store, [each["id"] for each in page])
    return {each["identity"]["transactionNumber"]: found[each["id"]] for each in page}


def test_each_payment_in_both_sources_counts_once(database, tmp_path):
    store = database.store
    publish(store, [RELEASE])
    for name, text in FILES.items():
        (tmp_path / name).write_text(text)
        report = spend.load(store, [tmp_path / name], body=COUNCIL)
        assert not report.problems, report.as_dict()
    spend_links.link(store)
    found = _links(store)
    # the contract's spend to date: the six notice payments and N6 and S7, each once
    [total] = spend_views.contract(store, OCID)["contracts"][0]["spentToDate"]
    assert total == {"currency": "GBP", "amount": "324200.00", "payments": 8}
    # which spend rows are the notice's payments, and why
    duplicates = {
        number: (link.duplicate_of, link.method, link.score)
        for number, link in found.items()
        if link.duplicate_of
    }
    assert duplicates == {
        "N1": (_notice("1"), "notice", 0.97),
        "L2": (_notice("2"), "notice", 0.99),
        "N3": (_notice("3"), "notice", 1.0),
        "S4": (_notice("4"), "notice", 1.0),
        "G5": (_notice("5"), "notice", 0.99),
    }
    assert orjson.loads(found["N1"].notes) == [
        "the notice's payment of 36,000.00 GBP on 2026-05-14 (notice ocds-tst002-a 1 1): this "
        "payment's 30,000.00 with VAT at the standard rate of 20% (36,000.00), 1 day apart (basis:"
        " standard-vat)"
    ]
    assert "the VAT the row gives (IrrecoverableVATAmount: 3,000.00)" in found["L2"].notes
    assert "the gross amount the row gives (Gross: 45,000.00)" in found["G5"].notes
    assert "the same amount" in found["N3"].notes
    # S7's 40,000.00 is gross (its Net column says so): another payment than the 48,000.00
    assert (found["S7"].method, found["S7"].duplicate_of) == ("supplier-name", None)
    assert (found["N6"].method, found["N6"].duplicate_of) == ("supplier-name", None)
    months = {
        m["month"]: (m["amount"], m["payments"]) for m in spend_links.spend_to_date(store, OCID)
    }
    assert months["2026-05"] == ("36000.00", 1) and months["2026-06"] == ("63000.00", 2)
    # the API and the page show which payments were taken for the notice's, and why
    client = Client()
    answer = orjson.loads(client.get(f"/api/spend/contracts/{OCID}").content)
    [n1] = [p for p in answer["payments"] if p["kind"] == "spend" and p["date"] == "2026-05-15"]
    assert n1["duplicateOf"] == _notice("1") and "standard rate of 20%" in n1["notes"][0]
    page = client.get(f"/processes/{OCID}").content.decode()
    assert "with VAT at the standard rate of 20%" in page
    # a run again changes nothing
    again = spend_links.link(store).as_dict()
    assert (again["paymentsDecided"], again["linksChanged"]) == (0, 0)


def _payment(amount: float, day: str, gross=(), supplier_key: str = "acme") -> linkage.Payment:
    return linkage.Payment(
        key="p", body_key="GB-GOR-E0001", body_name=BUYER["name"], date=day, amount=amount,
        currency="GBP", supplier_key=supplier_key, gross=tuple(gross),
    )  # fmt: skip


def _index() -> linkage.BodyIndex:
    compiled = {k: v for k, v in RELEASE.items() if k not in ("id", "date", "tag")}
    return linkage.BodyIndex(
        contracts.targets(OCID, compiled),
        {},
        contracts.notice_payments(OCID, compiled),
        frozenset({"GB-GOR-E0001"}),
    )


def _gross(transaction: dict) -> list[tuple[str, float]]:
    return [(each.basis, each.amount) for each in linkage.features(transaction).gross]


def test_what_a_row_says_of_its_amount_with_vat():
    supplier = {"name": "Acme Ltd"}
    # net by the guidance, with nothing else: VAT at the standard rate
    assert _gross({"amount": 30000, "supplier": supplier}) == [("standard-vat", 36000.0)]
    # the Transparency Code's irrecoverable VAT, and the standard rate should it be recoverable
    assert _gross(
        {"amount": 40000, "supplier": supplier,
         "columns": {"IrrecoverableVATAmount": "3,000.00"}}
    ) == [("vat-given", 43000.0), ("standard-vat", 48000.0)]  # fmt: skip
    assert _gross(
        {"amount": 742.5, "supplier": supplier, "columns": {"IrrecoverableVATAmount": "0.00"}}
    ) == [("standard-vat", 891.0)]
    # Salford's: the amount is the gross (its Net says so), its VAT given: nothing else
    assert (
        _gross(
            {"amount": 61200, "supplier": supplier, "columns": {"VAT": "10200.00", "Net": "51000"}}
        )
        == []
    )
    assert (
        _gross(
            {
                "amount": 13141.36,
                "supplier": supplier,
                "columns": {"VAT": "0.00", "Net": "13141.36"},
            }
        )
        == []
    )
    # a gross column beside a net amount
    assert _gross({"amount": 37500, "supplier": supplier, "columns": {"Gross": "£45,000"}}) == [
        ("gross-given", 45000.0)
    ]
    # what cannot be read as an amount is passed over; a credit has none
    assert _gross({"amount": 100, "supplier": supplier, "columns": {"Gross": "n/a"}}) == [
        ("standard-vat", 120.0)
    ]
    assert _gross({"amount": -500, "supplier": supplier}) == []
    # nothing a row holds stops it being read: what is no amount is none
    for amount in (None, "nan", "inf", "-inf", "twelve", True, [1], 10**400):
        assert _gross({"amount": amount, "supplier": supplier}) == [], amount
    odd = {"Gross": "1e400", "VAT": ["x"], "Net": None, "vat amount": "=1+1", 7: "3"}
    assert _gross({"amount": 100, "supplier": supplier, "columns": odd}) == [
        ("standard-vat", 120.0)
    ]


def _net(amount: float, day: str, supplier_key: str = "acme") -> linkage.Payment:
    """A payment as a file gives it net, with nothing else: VAT at the standard rate."""
    gross = linkage.features({"amount": amount}).gross
    return _payment(amount, day, gross, supplier_key=supplier_key)


# (payment, the notice payment it is and the link's score, or None)
DECISIONS = [
    (_payment(36_000, "2026-05-15"), (_notice("1"), 1.0)),  # the same amount
    (_net(30_000, "2026-05-15"), (_notice("1"), 0.97)),
    (_net(30_000, "2026-05-21"), (_notice("1"), 0.97)),  # 7 days apart
    (_net(30_000, "2026-05-22"), None),  # 8: another payment
    (_net(30_000.01, "2026-05-15"), (_notice("1"), 0.97)),  # VAT rounded: a penny apart
    (_net(30_000.02, "2026-05-15"), None),  # two pence: another payment
    (_payment(30_000, "2026-05-15"), None),  # a row showing its amount gross: another
    (_payment(40_000, "2026-09-10"), None),  # S7: gross, 48,000.00 is 40,000.00 net
    (_net(30_000, "2026-05-15", WITHHELD), (_notice("1"), 0.97)),  # no other method: the notice's
]


@pytest.mark.parametrize(("paid", "expected"), DECISIONS)
def test_the_same_payment_with_or_without_vat(paid, expected):
    decision = linkage.decide(paid, _index())
    assert decision.target is not None and decision.target.ocid == OCID
    found = (decision.duplicate_of, decision.score) if decision.duplicate_of else None
    assert found == expected, decision
    if expected is None:
        assert decision.method == linkage.NAME and not decision.notes
    else:
        [note] = decision.notes
        assert note.startswith(
            f"the notice's payment of 36,000.00 GBP on 2026-05-14 ({_notice('1')})"
        )


def test_what_a_duplicate_says():
    same = linkage.decide(_payment(36_000, "2026-05-14"), _index())
    assert same.notes == (
        f"the notice's payment of 36,000.00 GBP on 2026-05-14 ({_notice('1')}): the same amount,"
        " the same day (basis: same-amount)",
    )
    later = linkage.decide(_net(30_000, "2026-05-21"), _index())
    assert later.notes[0].endswith(
        "with VAT at the standard rate of 20% (36,000.00), 7 days apart (basis: standard-vat)"
    )


def test_the_same_amount_is_preferred_to_one_with_vat():
    """Of a contract's payments near the date, the one of the same amount is the payment; one
    its amount with VAT would be is another."""
    [target] = _index().targets
    both = [
        contracts.NoticePayment(OCID, "1", number, "2026-05-14", amount, "GBP", BUYER["id"],
                                "example-borough-council", ACME["id"], "acme")
        for number, amount in (("a", 43_200.0), ("b", 36_000.0))
    ]  # fmt: skip
    index = linkage.BodyIndex([target], {}, both, frozenset({"GB-GOR-E0001"}))
    decision = linkage.decide(_net(36_000, "2026-05-14"), index)
    assert decision.duplicate_of == f"notice {OCID} 1 b" and decision.score == 1.0
