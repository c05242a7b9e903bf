"""Following the money on the pages (docs/pages.md): a body's spend coverage page, a contract's
spend on its process's page and a supplier's payments on its organisation's page, each the
same as its JSON twin, valid HTML, in Welsh too; bad addresses answered with a 400 or a 404.
One database a kind, spend loaded and linked (tests/test_spend_views.py)."""

import re

import orjson
import pytest
from django.test import Client

from openbook import metrics
from tests.conftest import reuse
from tests.pages.conftest import validate_html
from tests.test_spend_views import BODY, load_spend

ADDRESSES = {
    "body": f"/spend/bodies/{BODY}",
    "process": "/processes/ocds-tst001-a",
    "supplier": "/organisations/GB-COH-01234567",
    "buyer": "/organisations/GB-GOR-E0001",
}


@pytest.fixture(scope="module")
def _loaded(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    load_spend(store, tmp_path_factory.mktemp("spend"))
    metrics.compute(store)


@pytest.fixture
def loaded(shared_database, _loaded):
    return reuse(shared_database).store


def twin(address: str) -> dict:
    answer = Client().get(address, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200, (address, answer.content[:300])
    return orjson.loads(answer.content)


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_pages_show_what_their_twins_give(loaded, tmp_path):
    pages = {name: Client().get(address) for name, address in ADDRESSES.items()}
    assert {name: answer.status_code for name, answer in pages.items()} == dict.fromkeys(
        ADDRESSES, 200
    )
    html = {name: answer.content.decode() for name, answer in pages.items()}
    body = twin(ADDRESSES["body"])
    said = text_of(html["body"])
    assert body["coverage"]["share"] == pytest.approx(20100 / 22340)
    assert "90.0%" in said and "£20,100" in said and "£2,240" in said
    assert '<svg class="openbook-chart" role="img"' in html["body"]
    assert all(f'href="/registers/debarment/{p["debarment"]["id"]}"' in html["body"]
               for p in body["debarred"]["payments"])  # fmt: skip
    assert "Cedar Construction Ltd" in said and "Name withheld" in said
    process = twin(ADDRESSES["process"])["spend"]
    [road] = process["contracts"]
    assert road["chart"]["line"]["value"] == 120_000 and len(road["chart"]["rows"]) == 3
    said = text_of(html["process"])
    assert "£14,750 (3 payments)" in said and "12.3%" in said and "€70 (1 payment)" in said
    assert "The notice's own payment: counted once, as the notice's" in said
    supplier = twin(ADDRESSES["supplier"])["spend"]["asSupplier"]
    assert supplier["paymentCount"] == 6
    assert f'href="/spend/bodies/{BODY}"' in html["supplier"]
    assert "Leeds Council" in text_of(html["supplier"])
    buyer = twin(ADDRESSES["buyer"])["spend"]
    assert [each["body"] for each in buyer["asBody"]] == [BODY] and buyer["asSupplier"] is None
    assert "90.0% of the pounds it paid is linked" in text_of(html["buyer"])
    overview = twin("/metrics")
    assert "spend-coverage" in [m["id"] for f in overview["families"] for m in f["metrics"]]
    assert Client().get("/metrics/spend-coverage?period=all").status_code == 200
    if loaded.vendor == "sqlite":  # the same HTML on either database: checked once
        fetched = {name: answer.content for name, answer in pages.items()}
        assert validate_html(fetched, tmp_path) == []


def test_the_pages_in_welsh(loaded):
    client = Client()
    client.cookies["openbook_language"] = "cy"
    for address in (ADDRESSES["body"], ADDRESSES["process"], ADDRESSES["supplier"]):
        html = client.get(address).content.decode()
        assert '<html lang="cy"' in html
    said = text_of(client.get(ADDRESSES["body"]).content.decode())
    assert "Cwmpas gwariant" in said and "Spend coverage" not in said
    said = text_of(client.get(ADDRESSES["process"]).content.decode())
    assert "Beth sydd wedi’i dalu" in said and "What has been paid" not in said


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/spend/bodies/nobody-here", 404),
        ("/spend/bodies/%21%21", 404),
        ("/spend/bodies/" + "x" * 301, 400),
        ("/spend/bodies/bad%01body", 400),
        ("/spend/bodies/Example%20Borough%20Council?format=json", 302),
    ],
)
def test_bad_addresses(loaded, address, status):
    answer = Client().get(address)
    assert answer.status_code == status, answer.content[:300]
    if status == 302:
        assert answer["Location"] == f"/spend/bodies/{BODY}?format=json"
