"""Frameworks that declare nothing, in the commercial tools register because a call-off names
them (docs/commercial-tools.md), on both databases: in whichever order the processes come,
compiled at once after a publication, out again when no call-off names them, and listed by the
migration that brought the rule in."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from openbook import commercial_tools, records
from openbook.records import REGISTER
from openbook.store import log
from openbook.store import records as stored_records
from tests.conftest import SHARED_DATA
from tests.factories import create_statement
from tests.web.conftest import publish

EXAMPLES = SHARED_DATA / "ocds-standard-examples" / "frameworks"
FRAMEWORK = "ocds-r6ebe6-9af22e2f-5307-4e98-bff6-1ebffbff343d"
CALL_OFF = "ocds-r6ebe6-95f19d21-d066-4931-a431-071211033960"


def _release(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))["releases"][0]


def framework_award() -> dict:
    """The framework's award, which declares no technique (the standard's example)."""
    return _release("closed_single_supplier.json")


def call_off() -> dict:
    """A call-off naming it as its framework, awarding £10,000."""
    return _release("closed_single_award.json")


def _listed(store) -> list[tuple[str, str]]:
    return [(t["ocid"], t["recognisedBy"]) for t in commercial_tools.register(store)["page"]]


def _assert_named_framework(store) -> None:
    assert _listed(store) == [(FRAMEWORK, "call-off")]
    found = commercial_tools.lineage(store, FRAMEWORK)
    assert found is not None
    assert found["kind"] == "framework" and found["recognisedBy"] == "call-off"
    assert [member["name"] for member in found["members"]] == ["Movianto UK"]
    assert [c["ocid"] for c in found["callOffs"]] == [CALL_OFF]
    assert found["awarded"] == [{"currency": "GBP", "amount": 10000.0}]
    assert stored_records.pending_count(store, REGISTER) == 0


@pytest.mark.parametrize("order", ["framework-first", "call-off-first", "together"])
def test_a_framework_a_call_off_names_is_in_the_register(store, order):
    if order == "framework-first":
        publish(store, [framework_award()])
        assert _listed(store) == []  # nothing says it is a framework yet
        publish(store, [call_off()])
    elif order == "call-off-first":
        publish(store, [call_off()])
        publish(store, [framework_award()])
    else:
        publish(store, [call_off(), framework_award()])
    _assert_named_framework(store)


def test_a_publication_compiles_the_framework_it_names_at_once(store):
    # As the publish API compiles: only the releases it appended (records.compile_records).
    publish(store, [framework_award()])
    log.append(store, REGISTER, [create_statement(call_off())], "Test Council")
    records.compile_records(store, [CALL_OFF])
    _assert_named_framework(store)
    # Its page says why it is listed; its data says how it is known.
    page = Client().get(f"/registers/commercial-tools/{FRAMEWORK}")
    assert page.status_code == 200
    assert "it is listed because a call-off names it as its framework" in page.content.decode()
    api = Client().get(f"/api/registers/commercial-tools/{FRAMEWORK}").json()
    assert api["recognisedBy"] == "call-off"


def test_named_no_more_it_leaves_the_register(store):
    publish(store, [framework_award(), call_off()])
    assert _listed(store) == [(FRAMEWORK, "call-off")]
    # The call-off's correction: the process it names is its parent, not its framework.
    corrected = call_off()
    corrected["id"] = "correction"
    corrected["date"] = "2021-01-01T00:00:00Z"
    corrected["relatedProcesses"][0]["relationship"] = ["parent"]
    log.append(store, REGISTER, [create_statement(corrected)], "Test Council")
    records.compile_records(store, [CALL_OFF])
    assert _listed(store) == []
    with pytest.raises(commercial_tools.NotATool, match="no call-off names it"):
        commercial_tools.lineage(store, FRAMEWORK)


def test_a_framework_that_declares_itself_says_so(store):
    publish(store, [_release("closed_single_first_stage.json"), framework_award(), call_off()])
    assert _listed(store) == [(FRAMEWORK, "techniques")]


def test_the_migration_lists_the_frameworks_compiled_before_it(store):
    # A database compiled before migration 0024: the call-off's link is there, the framework
    # it names has no row. Migrating lists it, and compiles it at the end of the run.
    publish(store, [framework_award(), call_off()])
    call_command("migrate", "store", "0023_metric_item_page", verbosity=0)
    with store.atomic() as cursor:
        cursor.execute("DELETE FROM commercial_tool WHERE ocid = %s", [FRAMEWORK])
    call_command("migrate", "store", verbosity=0)
    _assert_named_framework(store)
