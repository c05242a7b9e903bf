"""The commercial tools register as a use case: its bulk file, one lineage per tool, on both
databases."""

import orjson

from openbook import commercial_tools
from tests.web.conftest import publish
from tests.web.test_commercial_tools_api import (
    FRAMEWORK,
    RENEWAL,
    call_offs,
    framework_releases,
    renewal,
)


def test_the_bulk_file_has_every_tools_lineage_in_ocid_order(store, monkeypatch):
    publish(store, framework_releases())
    publish(store, call_offs())
    publish(store, [renewal()])
    monkeypatch.setattr(commercial_tools, "BULK_CHUNK", 1)  # chunks end mid-register too
    lines = [orjson.dumps(tool) for tool in commercial_tools.bulk(store)]
    tools = [orjson.loads(line) for line in lines]
    assert [tool["ocid"] for tool in tools] == [FRAMEWORK, RENEWAL]
    framework = tools[0]
    looked_up = commercial_tools.lineage(store, FRAMEWORK)
    assert looked_up is not None
    for field in ("members", "lots", "awarded", "awardedByLot", "lineage", "estimatedValue"):
        assert framework[field] == looked_up[field]
    # Every call-off, oldest first, in short; nothing spent (tests/test_linked_spend.py).
    assert framework["callOffs"] == [
        {
            "ocid": "ocds-213czf-co1",
            "title": "Call-off co1",
            "lots": ["1"],
            "awarded": [{"currency": "GBP", "amount": 1000.0}],
            "spent": [],
        },
        {
            "ocid": "ocds-213czf-co2",
            "title": "Call-off co2",
            "lots": ["1"],
            "awarded": [{"currency": "EUR", "amount": 500.0}],
            "spent": [],
        },
        {
            "ocid": "ocds-213czf-co3",
            "title": "Call-off co3",
            "lots": [],
            "awarded": [{"currency": "GBP", "amount": 200.5}],
            "spent": [],
        },
    ]
    assert "next" not in framework


def test_an_empty_register_has_an_empty_bulk_file(store):
    assert list(commercial_tools.bulk(store)) == []


def test_the_status_is_by_the_period_and_the_day(store):
    publish(store, framework_releases())
    page = commercial_tools.register(store, status="ended", today="2100-01-01")["page"]
    assert [tool["ocid"] for tool in page] == [FRAMEWORK]
    assert commercial_tools.register(store, status="ended", today="2099-12-31")["page"] == []
