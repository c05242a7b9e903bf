"""GET /api/spend/contracts/{ocid}, /api/spend/suppliers/{identifier} and /api/spend/bodies/{body}
(docs/spend.md, "What users see"): what the use cases give, as JSON; bad input answered with a
400 naming the parameter, unknown things with a 404, never a server error. One database a kind,
spend loaded and linked (tests/test_spend_views.py)."""

from urllib.parse import quote

import orjson
import pytest

from tests.conftest import reuse
from tests.test_spend_views import BODY, load_spend


@pytest.fixture(scope="module")
def _loaded(shared_database, tmp_path_factory):
    load_spend(reuse(shared_database).store, tmp_path_factory.mktemp("spend"))


@pytest.fixture
def loaded(shared_database, _loaded):
    return reuse(shared_database).store


def get(client, address: str, status: int = 200) -> dict:
    answer = client.get(address)
    assert answer.status_code == status, (address, answer.content[:400])
    assert answer["Content-Type"].startswith("application/json")
    return orjson.loads(answer.content)


def test_a_contract_a_supplier_and_a_body_as_json(loaded, reader):
    found = get(reader, "/api/spend/contracts/ocds-tst001-a?limit=2")
    assert found["contracts"][0]["spentToDate"][0] == {
        "currency": "GBP", "amount": "14750.00", "payments": 3
    }  # fmt: skip
    assert found["paymentCount"] == 5 and len(found["payments"]) == 2
    listed = found["payments"]
    while found["next"]:
        following = quote(found["next"])
        found = get(reader, f"/api/spend/contracts/ocds-tst001-a?limit=2&cursor={following}")
        listed += found["payments"]
    assert len({each["id"] for each in listed}) == 5
    assert [each["kind"] for each in listed].count("notice") == 1
    supplier = get(reader, "/api/spend/suppliers/GB-COH-01234567?limit=2")
    assert len(supplier["payments"]) == 2 and supplier["paymentCount"] == 6
    assert supplier["bodies"][0]["href"] == f"/spend/bodies/{BODY}"
    body = get(reader, f"/api/spend/bodies/{BODY}?limit=1")
    assert body["name"] == "Example Borough Council" and len(body["largestUnlinked"]) == 1
    assert body["debarred"]["count"] == 6
    assert body["coverage"]["payments"]["excluded"] == 2
    assert body["counted"] == {"by": "this answer", "computed": None, "logSize": None}
    assert body["coverage"]["share"] == pytest.approx(20100 / 22340)  # no metrics run: counted
    by_name = get(reader, "/api/spend/bodies/Example%20Borough%20Council")
    assert by_name["body"] == BODY


@pytest.mark.parametrize(
    ("address", "status", "parameter"),
    [
        ("/api/spend/contracts/ocds-nothing-here", 404, None),
        ("/api/spend/contracts/" + "x" * 301, 400, "ocid"),
        ("/api/spend/contracts/ocds-tst001-a%01", 400, "ocid"),
        ("/api/spend/contracts/ocds-tst001-a?cursor=yesterday", 400, "cursor"),
        ("/api/spend/contracts/ocds-tst001-a?cursor=2026-13-01/x", 400, "cursor"),
        ("/api/spend/contracts/ocds-tst001-a?limit=0", 400, "limit"),
        ("/api/spend/contracts/ocds-tst001-a?limit=501", 400, "limit"),
        ("/api/spend/suppliers/GB-COH-09999999", 404, None),
        ("/api/spend/suppliers/GB-COH-ABC", 400, "identifier"),
        ("/api/spend/suppliers/not%20an%20identifier", 400, "identifier"),
        ("/api/spend/suppliers/GB-COH-01234567?limit=101", 400, "limit"),
        ("/api/spend/bodies/nobody-here", 404, None),
        ("/api/spend/bodies/" + "x" * 301, 400, "body"),
        (f"/api/spend/bodies/{BODY}?limit=x", 400, "limit"),
    ],
)
def test_bad_requests_are_refused_precisely(loaded, reader, address, status, parameter):
    error = get(reader, address, status)["error"]
    assert error.get("parameter") == parameter, error
    assert error["message"]
