"""Linking payments to contracts (openbook.standards.spend.linkage and .contracts, pure;
openbook.spend_links on both databases): each method and each reason for no link, a run again
changing nothing, corrections, withdrawals and changed contracts linked again, the API and the
command, and the generated spend measured against its truth."""

import csv
from pathlib import Path

import orjson
import pytest
from django.test import Client

from openbook import cli, spend, spend_links, transparency
from openbook.generate import generate_releases
from openbook.generate.spend import CATEGORIES, write_spend
from openbook.publishing.publishers import Actor
from openbook.redaction import redact
from openbook.standards.spend import contracts, linkage
from openbook.standards.spend.transactions import WITHHELD, Body
from openbook.store import spend_links as stored
from tests.test_transparency import key_dir
from tests.web.conftest import publish

__all__ = ["key_dir"]  # the fixture, from the transparency tests

BUYER = {
    "id": "GB-GOR-E0001",
    "name": "Example Borough Council",
    "roles": ["buyer"],
    "identifier": {"scheme": "GB-GOR", "id": "E0001"},
}


def supplier(party_id: str, name: str, postcode: str = "LS1 4AB") -> dict:
    scheme, _, number = party_id.rpartition("-")
    return {
        "id": party_id,
        "name": name,
        "roles": ["supplier"],
        "identifier": {"scheme": scheme, "id": number},
        "address": {"postalCode": postcode},
    }


ACME = supplier("GB-COH-01234567", "Acme Ltd")
BEACON = supplier("GB-COH-07654321", "Beacon Cleaning Services Ltd", "M1 1AA")
CEDAR = supplier("GB-COH-05555555", "Cedar Construction Ltd", "S1 2BB")


def contract(number: str, start: str, end: str, amount: float, **more) -> dict:
    return {
        "id": number,
        "awardID": number,
        "status": "active",
        "value": {"amount": amount, "currency": "GBP"},
        "period": {"startDate": f"{start}T00:00:00Z", "endDate": f"{end}T00:00:00Z"},
        **more,
    }


def award(number: str, party: dict, amount: float = 0.0, **more) -> dict:
    found = {"id": number, "status": "active", "suppliers": [{"id": party["id"]}], **more}
    if amount:
        found["value"] = {"amount": amount, "currency": "GBP"}
    return found


# Process A: a contract with Acme, and a payment its UK8 notice published. B: an award to
# Beacon, no contract yet. C: two contracts with Cedar at once. D: a cancelled contract and a
# framework agreement.
RELEASES = {
    "ocds-tst001-a": {
        "parties": [BUYER, ACME],
        "tender": {"id": "EBC-0001", "title": "Road repairs"},
        "awards": [award("1", ACME)],
        "contracts": [
            contract(
                "1",
                "2026-01-01",
                "2026-12-31",
                120_000,
                implementation={
                    "transactions": [
                        {
                            "id": "1",
                            "date": "2026-03-15T00:00:00Z",
                            "value": {"amount": 5000, "currency": "GBP"},
                            "payer": {"id": BUYER["id"], "name": BUYER["name"]},
                            "payee": {"id": ACME["id"], "name": ACME["name"]},
                        }
                    ]
                },
            )
        ],
    },
    "ocds-tst001-b": {
        "parties": [BUYER, BEACON],
        "tender": {"id": "EBC-1234", "title": "Cleaning"},
        "awards": [
            award(
                "1",
                BEACON,
                50_000,
                contractPeriod={"startDate": "2026-02-01", "endDate": "2027-01-31"},
            )
        ],
    },
    "ocds-tst001-c": {
        "parties": [BUYER, CEDAR],
        "tender": {"id": "EBC-5678", "title": "Building works"},
        "awards": [award("1", CEDAR), award("2", CEDAR)],
        "contracts": [
            contract("1", "2026-01-01", "2026-12-31", 80_000, title="Building works: east wing"),
            contract("2", "2026-01-01", "2026-12-31", 90_000, title="Building works: west wing"),
        ],
    },
    "ocds-tst001-d": {
        "parties": [BUYER, CEDAR],
        "tender": {"id": "EBC-9999", "techniques": {"hasFrameworkAgreement": True}},
        "awards": [award("1", CEDAR), award("2", CEDAR, status="unsuccessful")],
        "contracts": [contract("1", "2026-01-01", "2026-12-31", 10, status="cancelled")],
    },
}


def compiled(ocid: str) -> dict:
    return {"ocid": ocid, "buyer": {"id": BUYER["id"], "name": BUYER["name"]}} | RELEASES[ocid]


def release(ocid: str, number: int = 1, **changes) -> dict:
    return {
        "ocid": ocid,
        "id": f"{ocid}-{number}",
        "date": f"2026-0{number}-01T00:00:00Z",
        "tag": ["contract"],
        "initiationType": "tender",
        **compiled(ocid),
        **changes,
    }


def index(*ocids: str) -> linkage.BodyIndex:
    targets = [target for ocid in ocids for target in contracts.targets(ocid, compiled(ocid))]
    notices = [each for ocid in ocids for each in contracts.notice_payments(ocid, compiled(ocid))]
    return linkage.BodyIndex(targets, {}, notices, frozenset({"GB-GOR-E0001"}))


def payment(supplier_name: str, day: str, amount: float, **more) -> linkage.Payment:
    key = WITHHELD if supplier_name == WITHHELD else contracts.name_key(supplier_name)
    return linkage.Payment(
        key="p", body_key="GB-GOR-E0001", body_name="Example Borough Council", date=day,
        amount=amount, currency="GBP", supplier_key=key, **more,
    )  # fmt: skip


def test_what_contracts_offer_to_link_to():
    [acme] = contracts.targets("ocds-tst001-a", compiled("ocds-tst001-a"))
    assert (acme.kind, acme.id, acme.award_id, acme.buyer_id, acme.buyer_key) == (
        "contract", "1", "1", "GB-GOR-E0001", "example-borough-council"
    )  # fmt: skip
    assert acme.suppliers == (contracts.Supplier("GB-COH-01234567", "acme", "Acme Ltd", "LS14AB"),)
    assert (acme.amount, acme.start, acme.end, acme.references) == (
        120_000, "2026-01-01", "2026-12-31", ("EBC0001",)
    )  # fmt: skip
    [beacon] = contracts.targets("ocds-tst001-b", compiled("ocds-tst001-b"))
    assert (beacon.kind, beacon.start, beacon.end) == ("award", "2026-02-01", "2027-01-31")
    # cancelled contracts and unsuccessful awards are none; a framework agreement is marked
    [framework] = contracts.targets("ocds-tst001-d", compiled("ocds-tst001-d"))
    assert (framework.kind, framework.id, framework.framework) == ("award", "1", True)
    [paid] = contracts.notice_payments("ocds-tst001-a", compiled("ocds-tst001-a"))
    assert (paid.key, paid.date, paid.amount, paid.payer_id, paid.payee_id) == (
        "notice ocds-tst001-a 1 1", "2026-03-15", 5000, "GB-GOR-E0001", "GB-COH-01234567"
    )  # fmt: skip
    assert contracts.targets("x", {"contracts": "not a list", "awards": [None, 3]}) == []
    buyers = [contracts.Buyer("GB-GOR-E0001", "example-borough-council"),
              contracts.Buyer(None, "leeds-city-council")]  # fmt: skip
    assert contracts.match_buyers("GB-GOR-E0001", "Whatever", buyers)[1] == "identifier"
    assert contracts.match_buyers("leeds-city-council", "LEEDS CITY COUNCIL", buyers) == (
        [buyers[1]], "name"
    )  # fmt: skip
    found, how = contracts.match_buyers("leeds-city-counci", "Leeds City Counci", buyers)
    assert found == [buyers[1]] and how.startswith("fuzzy")
    assert contracts.match_buyers("york", "York", buyers) == ([], None)


def test_what_a_payment_offers_to_link_by():
    found = linkage.features(
        {
            "supplier": {"name": "Acme P.L.C.", "id": "1234567", "postcode": "ls1 4ab"},
            "contractReference": "ocds-tst001-a/1; EBC-0001",
            "description": "Paid under ocds-tst001-c.",
            "columns": {"Notes": "see ocds-abcdef-42"},
        }
    )
    assert found.supplier_key == "acme" and found.postcode == "LS14AB"
    assert found.supplier_ids == ("GB-COH-01234567", "GB-CHC-1234567")
    assert found.references == ("OCDSTST001A1EBC0001", "OCDSTST001A1", "EBC0001")
    assert found.ocids == ("ocds-tst001-a/1", "ocds-tst001-c", "ocds-abcdef-42")
    assert linkage.features({"supplier": {"redacted": True}}).supplier_key == WITHHELD
    assert contracts.name_key("Norwich Furniture Limted") == "norwich furniture"
    assert linkage.ocid_prefixes("ocds-abcdef-42-c01/2") == [
        ("ocds-abcdef-42-c01/2", ""), ("ocds-abcdef-42-c01", "2"), ("ocds-abcdef-42", "c01/2"),
    ]  # fmt: skip


A_REFERENCED = {"ocds-tst001-c": contracts.targets("ocds-tst001-c", compiled("ocds-tst001-c"))}
# (payment, referenced, expected (ocid, kind, id, method) or a reason's words)
DECISIONS = [
    (payment("Other Name", "2026-06-01", 10, ocids=("ocds-tst001-c/2",)), A_REFERENCED,
     ("ocds-tst001-c", "contract", "2", "reference")),
    (payment("Cedar Construction", "2026-06-01", 10, ocids=("ocds-tst001-c",)), A_REFERENCED,
     "it names ocds-tst001-c, and fits 2 of its 2 contracts equally"),
    (payment("Anyone", "2026-06-01", 10, ocids=("ocds-tst001-x",)), {"ocds-tst001-x": []},
     "it names ocds-tst001-x, which has no award or contract published yet"),
    (payment("Anyone", "2026-06-01", 10, references=("EBC1234",)), {},
     ("ocds-tst001-b", "award", "1", "reference")),
    (payment("Anyone Else", "2026-06-01", 10, supplier_ids=("GB-COH-01234567",)), {},
     ("ocds-tst001-a", "contract", "1", "supplier-identifier")),
    (payment("ACME LIMITED", "2026-06-01", 10), {},
     ("ocds-tst001-a", "contract", "1", "supplier-name")),
    (payment("Beacon Cleaning Servces", "2026-06-01", 10), {},
     ("ocds-tst001-b", "award", "1", "supplier-name-fuzzy")),
    (payment("Acme Ltd", "2026-03-16", 5000), {},
     ("ocds-tst001-a", "contract", "1", "notice")),
    (payment("Acme Ltd", "2027-06-01", 10), {},
     "the 1 contract(s) of this body naming the supplier do not fit"),
    (payment("Acme Ltd", "2026-06-01", 500_000), {},
     "the 1 contract(s) of this body naming the supplier do not fit"),
    (payment("Acme Ltd", "2026-06-01", 10, postcode="E11AA"), {},
     "the 1 contract(s) of this body naming the supplier do not fit"),
    (payment("Acme Ltd", "2026-06-01", 10, supplier_ids=("GB-COH-09999999",)), {},
     "the 1 contract(s) of this body naming the supplier do not fit"),
    (payment("Cedar Construction", "2026-06-01", 10), {},
     "2 contracts of this body with the supplier fit equally"),
    (payment("Cedar Construction", "2026-06-01", 10, description="building works west wing"), {},
     ("ocds-tst001-c", "contract", "2", "supplier-name")),
    (payment(WITHHELD, "2026-06-01", 10), {},
     "the supplier's name is withheld, and no reference given"),
    (payment("Zebra Consulting", "2026-06-01", 10), {},
     "no contract of this body names the supplier"),
]  # fmt: skip


@pytest.mark.parametrize(("paid", "referenced", "expected"), DECISIONS)
def test_each_method_and_each_reason_for_no_link(paid, referenced, expected):
    every = index("ocds-tst001-a", "ocds-tst001-b", "ocds-tst001-c")
    decision = linkage.decide(paid, every, referenced)
    if isinstance(expected, str):
        assert decision.target is None and decision.reason == expected
        return
    target = decision.target
    assert (target.ocid, target.kind, target.id, decision.method) == expected, decision
    assert 0.5 <= decision.score <= 1


def test_why_candidates_fell_short_and_what_scores_less():
    every = index("ocds-tst001-a", "ocds-tst001-b", "ocds-tst001-c")
    late = linkage.decide(payment("Acme Ltd", "2027-06-01", 10), every)
    assert late.candidates[0].fell_short == ("paid 152 days after the contract's end (2026-12-31)",)
    slack = linkage.decide(payment("Acme Ltd", "2027-01-15", 10), every)
    assert slack.method == "supplier-name" and slack.score == 0.85
    assert slack.notes == ("paid 15 days after the contract's end",)
    nearest = linkage.decide(payment("Beacon Cleaning", "2026-06-01", 10), every)
    assert nearest.candidates[0].fell_short[0].startswith("the supplier's name is only")
    notice = linkage.decide(payment("Acme Ltd", "2026-03-16", 5000), every)
    assert notice.duplicate_of == "notice ocds-tst001-a 1 1" and notice.score == 1.0
    other = linkage.BodyIndex([], {}, (), frozenset({"leeds-city-council"}))
    named = linkage.decide(
        payment("Acme Ltd", "2026-06-01", 10, ocids=("ocds-tst001-a",)),
        other,
        {"ocds-tst001-a": contracts.targets("ocds-tst001-a", compiled("ocds-tst001-a"))},
    )
    assert named.method == "reference" and named.score == 0.94
    assert named.notes == ("the contract's buyer is another body (Example Borough Council)",)


SPEND = (
    "Date,Supplier,Amount,Transaction number,Contract number\n"
    "2026-02-10,ACME LIMITED,10000.00,T1,\n"
    "2026-03-16,Acme Ltd,5000.00,T2,\n"
    "2026-04-01,Some Other Name,2000.00,T3,ocds-tst001-b\n"
    "2026-05-01,Beacon Cleaning Servces Ltd,3000.00,T4,\n"
    "2026-06-01,Cedar Construction Ltd,1000.00,T5,\n"
    "2028-06-01,Acme Ltd,1000.00,T6,\n"
    "2026-06-01,Redacted Personal Information,100.00,T7,\n"
    "2026-06-01,Zebra Consulting,100.00,T8,\n"
    "2026-07-01,Unknown,100.00,T9,EBC-1234\n"
)
COUNCIL = Body("Example Borough Council")


def links_by_number(store) -> dict[str, stored.Link]:
    page = spend.page(store, limit=500)["transactions"]
    found = stored.links_of(store, [each["id"] for each in page])
    return {each["identity"]["transactionNumber"]: found.get(each["id"]) for each in page}


def target(link: stored.Link | None) -> tuple | None:
    return (link.ocid, link.target_kind, link.target_id, link.method) if link else None


def test_linking_end_to_end_again_and_after_changes(database, tmp_path, capsys, key_dir):
    store = database.store
    publish(store, [release(ocid) for ocid in RELEASES])
    path = tmp_path / "2026.csv"
    path.write_text(SPEND)
    spend.load(store, [path], body=COUNCIL)
    report = spend_links.link(store).as_dict()
    assert (report["processesRead"], report["targets"], report["noticePayments"]) == (4, 5, 1)
    assert report["byMethod"] == {
        "notice": 1, "reference": 2, "supplier-name": 1, "supplier-name-fuzzy": 1, "unlinked": 4,
    }  # fmt: skip
    found = links_by_number(store)
    assert target(found["T1"]) == ("ocds-tst001-a", "contract", "1", "supplier-name")
    assert target(found["T2"]) == ("ocds-tst001-a", "contract", "1", "notice")
    assert target(found["T3"]) == ("ocds-tst001-b", "award", "1", "reference")
    assert target(found["T4"]) == ("ocds-tst001-b", "award", "1", "supplier-name-fuzzy")
    assert target(found["T9"]) == ("ocds-tst001-b", "award", "1", "reference")
    assert [found[each].linked for each in ("T5", "T6", "T7", "T8")] == [False] * 4
    # what has been paid on A: T1, and the notice's payment once (T2 is the notice's)
    assert spend_links.spend_to_date(store, "ocds-tst001-a") == [
        {"kind": "contract", "id": "1", "month": "2026-02", "currency": "GBP",
         "amount": "10000.00", "payments": 1},
        {"kind": "contract", "id": "1", "month": "2026-03", "currency": "GBP",
         "amount": "5000.00", "payments": 1},
    ]  # fmt: skip
    again = spend_links.link(store).as_dict()
    assert (again["processesRead"], again["paymentsDecided"], again["linksChanged"]) == (0, 0, 0)
    full = spend_links.link(store, full=True).as_dict()
    assert (full["processesRead"], full["paymentsDecided"], full["linksChanged"]) == (4, 9, 0)
    _api(store)
    _after_changes(store, path)
    _the_command(capsys)


def _api(store):
    client = Client()
    page = orjson.loads(client.get("/api/spend/transactions?limit=500").content)
    by_number = {each["identity"]["transactionNumber"]: each for each in page["transactions"]}
    link = by_number["T1"]["link"]
    assert (link["status"], link["ocid"], link["kind"], link["id"], link["method"]) == (
        "linked", "ocds-tst001-a", "contract", "1", "supplier-name"
    )  # fmt: skip
    assert link["methodVersion"] == linkage.METHOD_VERSION and link["current"] is True
    unlinked = orjson.loads(client.get("/api/spend/unlinked?limit=2").content)
    listed = unlinked["payments"]
    while unlinked["next"]:
        unlinked = orjson.loads(
            client.get(f"/api/spend/unlinked?limit=2&cursor={unlinked['next']}").content
        )
        listed += unlinked["payments"]
    assert [each["date"] for each in listed] == ["2026-06-01"] * 3 + ["2028-06-01"]
    numbers = {each["transaction"]["transactionNumber"]: each for each in listed}
    assert set(numbers) == {"T5", "T6", "T7", "T8"}
    cedar = numbers["T5"]["link"]
    assert cedar["reason"] == "2 contracts of this body with the supplier fit equally"
    assert [(each["ocid"], each["id"]) for each in cedar["candidates"]] == [
        ("ocds-tst001-c", "1"), ("ocds-tst001-c", "2"), ("ocds-tst001-d", "1"),
    ]  # the framework agreement fits too, and ranks below  # fmt: skip
    # T5 says nothing of what was bought, so no candidate's title tells them apart
    assert [each["descriptionMatches"] for each in cedar["candidates"]] == [False] * 3
    late = numbers["T6"]["link"]["candidates"][0]
    assert late["fellShort"] == ["paid 518 days after the contract's end (2026-12-31)"]
    for query, parameter in (("cursor=nonsense", "cursor"), ("limit=0", "limit"),
                             ("body=" + "x" * 301, "body")):  # fmt: skip
        response = client.get(f"/api/spend/unlinked?{query}")
        assert response.status_code == 400, query
        assert orjson.loads(response.content)["error"]["parameter"] == parameter


def _after_changes(store, path):
    # A correction is linked again, alone; a payment withdrawn loses its link.
    path.write_text(SPEND.replace("10000.00,T1", "10500.00,T1").replace(
        "2026-06-01,Zebra Consulting,100.00,T8,\n", ""))  # fmt: skip
    spend.load(store, [path], body=COUNCIL)
    report = spend_links.link(store).as_dict()
    assert (report["paymentsDecided"], report["linksChanged"], report["linksDropped"]) == (1, 1, 1)
    assert "T8" not in links_by_number(store)
    # C's second contract ends early: the body's payments are linked again, T5 to contract 1.
    ended = release("ocds-tst001-c", 2)
    ended["contracts"] = [contract("2", "2026-01-01", "2026-03-31", 90_000)]
    publish(store, [ended])
    report = spend_links.link(store).as_dict()
    assert (report["processesRead"], report["paymentsDecided"], report["linksChanged"]) == (1, 8, 1)
    assert target(links_by_number(store)["T5"]) == (
        "ocds-tst001-c", "contract", "1", "supplier-name"
    )  # fmt: skip
    # A redacted payment's link goes with its supplier's name, and it is linked as withheld.
    transparency.sign_tree_head(store)
    key = _key(store, "T1")
    [acme] = [each for each in spend.page(store)["transactions"] if each["id"] == key]
    redact(store, acme["seq"], "Personal data", Actor("cli:test"))
    assert stored.links_of(store, [key]) == {}
    spend_links.link(store)
    [link] = stored.links_of(store, [key]).values()
    assert (link.linked, link.reason) == (
        False, "the supplier's name is withheld, and no reference given"
    )  # fmt: skip
    assert "acme" not in link.features


def _key(store, number: str) -> str:
    [found] = [
        each["id"]
        for each in spend.page(store, limit=500)["transactions"]
        if each["identity"] and each["identity"].get("transactionNumber") == number
    ]
    return found


def _the_command(capsys):
    capsys.readouterr()
    assert cli.main(["spend", "link", "--json", "--no-progress"]) == 0
    assert orjson.loads(capsys.readouterr().out)["linksChanged"] == 0
    assert cli.main(["spend", "unlinked", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "2026-02-10        10500.00  (redacted)" in out
    assert "the supplier's name is withheld, and no reference given" in out
    after = out.split("more: --after ")[1].strip()
    assert (
        cli.main(["spend", "unlinked", "--after", after, "--body", "Example Borough Council"]) == 0
    )
    out = capsys.readouterr().out
    assert "2028-06-01" in out and "(withheld)" in out and "Redacted Personal" not in out
    assert "ocds-tst001-a contract 1: paid 518 days after the contract's end" in out
    assert cli.main(["spend", "unlinked", "--after", "yesterday"]) == 2
    assert "--after: 'yesterday' is not DATE/ID" in capsys.readouterr().err
    assert cli.main(["spend", "unlinked", "--limit", "0"]) == 2
    with pytest.raises(SystemExit) as exited:
        cli.main(["generate", "--processes", "1", "--payments-per-contract", "0"])
    assert exited.value.code == 2
    assert "--payments-per-contract: give 1 to 60" in capsys.readouterr().err


def test_generated_spend_is_linked_as_its_truth_says(database, tmp_path):
    store = database.store
    processes = 150
    publish(store, list(generate_releases(processes, 3)))
    written = write_spend(tmp_path, processes, 3, per_contract=3)
    assert written.payments > 300
    with (tmp_path / "truth.csv").open(encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines))
    truth = {(Body(row["body"]).key, row["transactionNumber"]): row for row in rows}
    assert len(truth) == written.payments
    assert {row["category"] for row in truth.values()} <= set(CATEGORIES)
    with (tmp_path / "bodies.csv").open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            body = Body(row["body"]) if row["columns"] == "central" else None
            files = sorted(Path(tmp_path / row["folder"]).glob("*.csv"))
            report = spend.load(store, files, body=body)
            assert not report.problems, report.as_dict()
    spend_links.link(store)
    rows = stored.linked_transactions(store)
    assert len(rows) == written.payments
    due = made = right = 0
    for body_key, number, linked, ocid, kind, target_id, _ in rows:
        expected = truth[(body_key, number)]
        due += bool(expected["ocid"])
        made += linked
        right += linked and (ocid, kind, target_id) == (
            expected["ocid"], expected["kind"], expected["id"]
        )  # fmt: skip
    assert right / made >= 0.98 and right / due >= 0.9, (due, made, right)


def test_links_an_earlier_method_version_kept_are_read_again(database, tmp_path):
    """The first run after an upgrade: links stored by ``spend-linkage/1`` kept what a payment
    offers in an older shape (no description); they are read again from the statements, not
    from that, and the payments are linked as before, by this version."""
    store = database.store
    publish(store, [release(ocid) for ocid in RELEASES])
    path = tmp_path / "2026.csv"
    path.write_text(SPEND)
    spend.load(store, [path], body=COUNCIL)
    spend_links.link(store)
    query = (
        "SELECT payment_key, ocid, target_id, method, linker FROM spend_link"
        " WHERE kind = 'spend' ORDER BY payment_key"
    )
    with store.cursor() as cursor:
        cursor.execute(query)
        linked = [row[:4] for row in cursor.fetchall()]
        cursor.execute("SELECT payment_key, features FROM spend_link WHERE kind = 'spend'")
        kept = cursor.fetchall()
    with store.atomic() as cursor:  # as spend-linkage/1 left them: five features
        for key, features in kept:
            older = orjson.dumps(orjson.loads(features)[:5]).decode()
            cursor.execute(
                "UPDATE spend_link SET linker = 'spend-linkage/1', features = %s"
                " WHERE payment_key = %s",
                [older, key],
            )
    spend_links.link(store)
    with store.cursor() as cursor:
        cursor.execute(query)
        again = cursor.fetchall()
    assert [row[:4] for row in again] == linked and linked
    assert {row[4] for row in again} == {linkage.METHOD_VERSION}


# A title's and a description's words are read whole (linkage.words), not their first
# 200 characters; the method's version changed with it, so links kept by the one before are
# made again.
LONG = "Building works " + " ".join(f"phase{n} block{n}" for n in range(1, 25))  # 380 characters
LONG_TITLES = {"1": f"{LONG} east wing", "2": f"{LONG} west wing"}
LONG_RELEASE = {
    "ocid": "ocds-tst003-a",
    "buyer": {"id": BUYER["id"], "name": BUYER["name"]},
    "parties": [BUYER, CEDAR],
    "tender": {"id": "EBC-3000", "title": "Building works"},
    "awards": [award("1", CEDAR), award("2", CEDAR)],
    "contracts": [
        contract(number, "2026-01-01", "2026-12-31", 90_000, title=title)
        for number, title in LONG_TITLES.items()
    ],
}


def test_the_end_of_a_long_title_tells_contracts_apart():
    assert len(LONG) > 200
    targets = contracts.targets("ocds-tst003-a", LONG_RELEASE)
    every = linkage.BodyIndex(targets, {}, (), frozenset({"GB-GOR-E0001"}))
    for number, described in (
        ("2", "building works west wing"),
        ("1", "Building works, east wing"),
        ("2", f"{LONG} west wing"),  # a description as long: its end counts too
    ):
        paid = payment("Cedar Construction", "2026-06-01", 10, description=linkage.words(described))
        decision = linkage.decide(paid, every)
        assert decision.target is not None and decision.target.id == number, decision
    assert linkage.decide(payment("Cedar Construction", "2026-06-01", 10), every).target is None


def test_words_are_bounded_by_their_number():
    assert linkage.words("Building WORKS: east-wing, east wing") == "building works east wing"
    many = linkage.words(" ".join(f"w{n}" for n in range(100_000)))
    assert many.split() == [f"w{n}" for n in range(linkage.WORDS)]
    assert linkage.words("x" * 1_000_000) == "x" * linkage.WORD_CHARACTERS
    assert linkage.words("") == "" and linkage.words("£ — …") == ""


def test_a_run_after_the_method_changed_links_again_with_whole_titles(database, tmp_path):
    """Links kept by ``spend-linkage/2`` (what a payment offered, in its shape: six features,
    the description cut at 200 characters) are made again by this version, from the
    statements: the payment naming the end of a long title is linked to that contract."""
    store = database.store
    publish(store, [{**LONG_RELEASE, "id": "ocds-tst003-a-1", "date": "2026-01-01T00:00:00Z",
                     "tag": ["contract"], "initiationType": "tender"}])  # fmt: skip
    path = tmp_path / "2026.csv"
    path.write_text(
        "Date,Supplier,Amount,Transaction number,Description\n"
        "2026-06-01,Cedar Construction Ltd,1000.00,W1,Building works west wing\n"
        f"2026-06-02,Cedar Construction Ltd,1000.00,W2,{LONG} east wing\n"
    )
    spend.load(store, [path], body=COUNCIL)
    spend_links.link(store)
    linked = {number: target(link) for number, link in links_by_number(store).items()}
    assert linked == {
        "W1": ("ocds-tst003-a", "contract", "2", "supplier-name"),
        "W2": ("ocds-tst003-a", "contract", "1", "supplier-name"),
    }
    with store.cursor() as cursor:
        cursor.execute("SELECT payment_key, features FROM spend_link WHERE kind = 'spend'")
        kept = cursor.fetchall()
    with store.atomic() as cursor:  # as spend-linkage/2 left them: unlinked, six features
        for key, features in kept:
            older = orjson.loads(features)[:6]
            older[5] = " ".join(linkage._WORDS.findall(older[5]))[:200]
            cursor.execute(
                "UPDATE spend_link SET linker = 'spend-linkage/2', features = %s, linked = %s,"
                " ocid = NULL, target_kind = NULL, target_id = NULL, method = NULL,"
                " reason = 'fit equally' WHERE payment_key = %s",
                [orjson.dumps(older).decode(), False, key],
            )
    report = spend_links.link(store).as_dict()
    assert report["full"] and report["paymentsDecided"] == 2 and report["linksChanged"] == 2
    assert {number: target(link) for number, link in links_by_number(store).items()} == linked
    assert {link.linker for link in links_by_number(store).values()} == {"spend-linkage/3"}


def test_the_names_alike_are_those_token_sort_ratio_finds():
    """``BodyIndex.alike`` compares names with their words sorted once (issue 9): the same
    names, scores and order as rapidfuzz's token sort ratio, for names as keys are made and
    for a payee's name that is not one (its words then as rapidfuzz splits them)."""
    from rapidfuzz import fuzz, process

    names = [
        "Meridian Construction Ltd", "Construction Meridian", "Meridian Constructions",
        "Acme Cleaning Services", "Cleaning Acme", "Acme Services Cleaning", "Beta",
        "Northern Rail", "Rail Northern Services", "Meridan Construction",
    ]  # fmt: skip
    targets = []
    for number, name in enumerate(names):
        supplier = contracts.Supplier(None, contracts.name_key(name), name, None)
        ocid = f"ocds-213czf-{number}"
        fields = (None, None, "leeds", "Leeds", (supplier,), None, None, None, None, (), "", False)
        targets.append(contracts.Target(ocid, contracts.CONTRACT, "1", *fields))
    index = linkage.BodyIndex(targets)
    queries = [
        "meridian construction", "construction meridian ltd", "acme cleaning", "services acme",
        "rail  northern\tx", "\u00e9 meridian", "beta", "zzz", "",
    ]  # fmt: skip
    for query in queries:
        found = process.extract(
            query, index.keys, scorer=fuzz.token_sort_ratio, score_cutoff=60, limit=5
        )
        assert index.alike(query) == [(key, round(score, 1)) for key, score, _ in found]
