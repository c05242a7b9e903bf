"""GET /api/organisations/{identifier}: an organisation as every process naming it shows it,
on both databases."""

import orjson
import pytest

from openbook.store import parties
from openbook.store.database import Store
from tests.conftest import reuse
from tests.factories import create_release
from tests.web.conftest import publish

ACME = {"scheme": "GB-COH", "id": "01234567"}


def _process(ocid, supplier_name, identifier, *, amount=100.0, currency="GBP", date="2026-01-01"):
    supplier = {"id": "s", "name": supplier_name, "roles": ["supplier"]}
    if identifier is not None:
        supplier["identifier"] = identifier
    return create_release(
        ocid,
        "1",
        date=f"{date}T00:00:00Z",
        tag=["award"],
        parties=[
            {"id": "b", "name": "Leeds City Council", "roles": ["buyer"]},
            supplier,
            {"id": "t", "name": "Widget-Works", "roles": ["tenderer"]},  # no identifier
        ],
        awards=[
            {
                "id": "1",
                "status": "active",
                "suppliers": [{"id": "s", "name": supplier_name}],
                "value": {"amount": amount, "currency": currency},
            },
            {  # cancelled: its value is nobody's
                "id": "2",
                "status": "cancelled",
                "suppliers": [{"id": "s"}],
                "value": {"amount": 5000, "currency": "GBP"},
            },
        ],
    )


def _get(client, identifier, **query):
    response = client.get(f"/api/organisations/{identifier}", query)
    return response.status_code, orjson.loads(response.content)


@pytest.fixture
def acme(store):
    """Acme's processes on a fresh database, for the tests that publish or migrate."""
    return _acme(store)


@pytest.fixture(scope="module")
def _acme_once(shared_database):
    _acme(reuse(shared_database).store)


@pytest.fixture
def acme_once(shared_database, _acme_once) -> Store:
    """Acme's processes, on one database a kind for the module's tests that only read them."""
    return reuse(shared_database).store


def _acme(store):
    publish(
        store,
        [
            _process("ocds-213czf-o1", "Acme Limited", ACME, amount=100.0, date="2026-01-01"),
            _process("ocds-213czf-o2", "ACME LTD", {"scheme": "GB-COH", "id": "1234567"}),
            _process("ocds-213czf-o3", "Acme Widgets", ACME, amount=50.5, date="2026-03-01"),
            _process("ocds-213czf-o4", "Acme Europe", ACME, amount=70.0, currency="EUR"),
            _process("ocds-213czf-o5", "Widget Works", {"scheme": "GB-COH", "id": "07654321"}),
        ],
    )
    return store


def test_an_organisation_is_every_process_naming_its_identifier(reader, acme_once):
    status, body = _get(reader, "gb-coh-1234567")  # any form the check accepts
    assert status == 200
    assert body["identifier"] == "GB-COH-01234567"
    assert (body["scheme"], body["id"], body["registerName"]) == (
        "GB-COH",
        "01234567",
        "Companies House",
    )
    assert body["processes"] == 4
    assert body["roles"] == {"supplier": 4}
    assert [(n["name"], n["processes"]) for n in body["names"]] == [
        ("ACME LTD", 1),
        ("Acme Europe", 1),
        ("Acme Limited", 1),
        ("Acme Widgets", 1),
    ]
    assert body["awarded"] == [
        {"currency": "GBP", "amount": 250.5, "processes": 3},
        {"currency": "EUR", "amount": 70.0, "processes": 1},
    ]
    assert [p["ocid"] for p in body["page"]] == [
        "ocds-213czf-o4",
        "ocds-213czf-o3",
        "ocds-213czf-o2",
        "ocds-213czf-o1",
    ]
    assert body["page"][1]["awarded"] == {"amount": 50.5, "currency": "GBP"}
    assert body["next"] is None


def test_parties_without_identifiers_are_candidates_never_merged(reader, acme_once):
    body = _get(reader, "GB-COH-07654321")[1]
    assert body["processes"] == 1
    assert body["candidates"] == [{"name": "Widget-Works", "parties": 5, "score": 100.0}]
    assert _get(reader, "GB-COH-01234567")[1]["candidates"] == []


def test_the_processes_page_through_without_gaps_or_repeats(reader, acme_once):
    seen, before = [], None
    while True:
        query = {"limit": 3} if before is None else {"limit": 3, "before": before}
        body = _get(reader, "GB-COH-01234567", **query)[1]
        seen += [p["ocid"] for p in body["page"]]
        before = body["next"]
        if before is None:
            break
    assert sorted(seen) == ["ocds-213czf-o1", "ocds-213czf-o2", "ocds-213czf-o3", "ocds-213czf-o4"]
    assert len(seen) == 4


def test_a_process_compiled_again_replaces_its_parties(client, acme):
    # A later release names another supplier: the process no longer counts for Acme.
    later = _process("ocds-213czf-o1", "Other Ltd", {"scheme": "GB-COH", "id": "01111111"})
    later["id"] = "2"
    later["date"] = "2026-05-01T00:00:00Z"
    later["parties"][1]["id"] = "s"
    publish(acme, [later])
    body = _get(client, "GB-COH-01234567")[1]
    # The compiled release merges parties by id: "s" is now Other Ltd.
    assert body["processes"] == 3
    assert _get(client, "GB-COH-01111111")[1]["processes"] == 1
    with acme.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM process_party")
        assert cursor.fetchone()[0] == 15  # 5 processes of 3 parties, none left behind
    assert parties.process_count(acme, "GB-COH-01234567") == 3


@pytest.mark.parametrize(
    "case",
    [
        ("GB-COH-123456789", {}, 400, "invalid-identifier", "8 characters"),
        ("GB-COH-N%2FA", {}, 400, "invalid-identifier", "stands in for an id"),
        ("nonsense", {}, 400, "invalid-identifier", "org-id.guide list code"),
        ("GB-COH-09999999", {}, 404, "not-found", "no process names"),
        ("GB-COH-01234567", {"limit": 0}, 400, "invalid-parameter", "limit"),
        ("GB-COH-01234567", {"limit": 101}, 400, "invalid-parameter", "limit"),
        ("GB-COH-01234567", {"before": -1}, 400, "invalid-parameter", "before"),
        ("GB-COH-01234567", {"before": "x"}, 400, "invalid-parameter", "before"),
        ("G" * 301, {}, 400, "invalid-parameter", "at most 300"),
    ],
)
def test_bad_requests_get_a_precise_error(reader, acme_once, case):
    identifier, query, status, code, words = case
    got, body = _get(reader, identifier, **query)
    assert got == status
    assert body["error"]["code"] == code
    assert words in body["error"]["message"]


def test_the_migration_fills_in_processes_compiled_before_it(client, acme):
    from django.core.management import call_command

    call_command("migrate", "store", "0013_tree_append_only", verbosity=0)
    call_command("migrate", "store", verbosity=0)
    assert _get(client, "GB-COH-01234567")[1]["processes"] == 4
