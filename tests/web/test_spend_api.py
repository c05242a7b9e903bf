"""GET /api/spend/transactions and /api/spend/transactions/{id}: loaded payments, filtered and
paged, and a payment's statements, on both databases."""

import orjson
import pytest

from openbook import spend
from openbook.standards.spend.transactions import Body

APRIL = (
    "Date,Supplier,Amount,Transaction number\n"
    "2022-04-01,Acme Ltd,100.00,T1\n"
    "2022-04-02,ACME LIMITED,(20.00),T2\n"
    "2022-04-03,Beta Ltd,300.00,T3\n"
    "2022-04-04,Redacted Personal Information,40.00,T4\n"
)


@pytest.fixture
def loaded(database, tmp_path):
    path = tmp_path / "2022-04.csv"
    path.write_text(APRIL)
    spend.load(database.store, [path], body=Body("Example Borough Council"))
    other = tmp_path / "other.csv"
    other.write_text("Date,Supplier,Amount\n2022-05-01,Acme Ltd,7\n")
    spend.load(database.store, [other], body=Body("Another District Council"))
    return path


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    return orjson.loads(response.content)


def test_transactions_filtered_and_paged_and_one_with_its_statements(client, database, loaded):
    every = get(client, "/api/spend/transactions")["transactions"]
    assert [each["transaction"]["date"] for each in every] == [
        "2022-04-01", "2022-04-02", "2022-04-03", "2022-04-04", "2022-05-01",
    ]  # fmt: skip
    first = every[0]
    assert first["source"] == {"file": "2022-04.csv", "row": 2, "sha256": first["source"]["sha256"]}
    assert first["identity"]["transactionNumber"] == "T1" and first["status"] == "published"
    assert every[1]["transaction"]["amount"] == -20
    assert every[3]["transaction"]["supplier"] == {
        "redacted": True,
        "asPublished": "Redacted Personal Information",
    }
    acme = get(client, "/api/spend/transactions?supplier=acme&body=Example+Borough+Council")
    assert [each["transaction"]["amount"] for each in acme["transactions"]] == [100, -20]
    dated = get(client, "/api/spend/transactions?from=2022-04-02&to=2022-04-03")
    assert len(dated["transactions"]) == 2
    page = get(client, "/api/spend/transactions?limit=2")
    seen = [each["id"] for each in page["transactions"]]
    while page["next"]:
        page = get(client, f"/api/spend/transactions?limit=2&cursor={page['next']}")
        seen += [each["id"] for each in page["transactions"]]
    assert seen == [each["id"] for each in every]
    _a_transaction_and_its_statements(client, database, loaded)


def _a_transaction_and_its_statements(client, database, loaded):
    loaded.write_text(APRIL.replace("300.00", "310.00"))
    spend.load(database.store, [loaded], body=Body("Example Borough Council"))
    [beta] = get(client, "/api/spend/transactions?supplier=Beta+Ltd")["transactions"]
    found = get(client, f"/api/spend/transactions/{beta['id']}")
    assert [each["version"] for each in found["statements"]] == [1, 2]
    assert found["statements"][1]["statement"]["transaction"]["amount"] == 310
    assert found["statements"][0]["publisher"] == "Example Borough Council"
    missing = get(client, "/api/spend/transactions/none:here", 404)
    assert missing["error"]["code"] == "not-found"


BAD = [
    ("from=2022-13-01", "from", "'2022-13-01' is not a date: write YYYY-MM-DD"),
    ("to=yesterday", "to", "'yesterday' is not a date"),
    ("from=2022-05-01&to=2022-04-01", "to", "is before from: the range is empty"),
    ("cursor=nonsense", "cursor", "'nonsense' is not a `next` this list gave"),
    ("limit=0", "limit", ""),
    ("supplier=" + "x" * 301, "supplier", "is 301 characters long; at most 300"),
]


def test_bad_parameters_are_refused_with_why(client, database):
    for query, parameter, message in BAD:
        found = get(client, f"/api/spend/transactions?{query}", 400)
        assert found["error"]["code"] == "invalid-parameter"
        assert found["error"]["parameter"] == parameter
        assert message in found["error"]["message"]
