"""An organisation's page lists the grants it received (the grants register, 360Giving), in
its HTML and its JSON twin alike, on both databases; an organisation that received none has no
grants section."""

import orjson
from django.test import Client

from openbook import grants
from openbook.records import compile_pending
from openbook.store import log
from tests.factories import create_release, create_statement
from tests.test_grants import CYRIL_FLINT, TRAFFORD_JSON

RECIPIENT = "GB-COH-07962245"  # a charitable company Trafford's grants name, and a supplier here
SUPPLIER = {"id": RECIPIENT, "name": "Cyril Flint Befrienders", "roles": ["supplier"],
            "identifier": {"scheme": "GB-COH", "id": "07962245"}}  # fmt: skip
OTHER = {"id": "GB-COH-01234567", "name": "Green Spaces Ltd", "roles": ["supplier"],
         "identifier": {"scheme": "GB-COH", "id": "01234567"}}  # fmt: skip


def test_an_organisations_page_lists_the_grants_it_received(database):
    store = database.store
    release = create_release("ocds-test00-befriending", parties=[SUPPLIER, OTHER])
    log.append(store, "ocds", [create_statement(release)], "Trafford Council")
    compile_pending(store)
    grants.load(store, [TRAFFORD_JSON])
    client = Client()

    twin = orjson.loads(client.get(f"/organisations/{RECIPIENT}?format=json").content)
    received = twin["grants"]
    assert received == {
        "grants": received["grants"],
        "more": False,
        "links": {"api": f"/api/grants?recipient={RECIPIENT}&order=newest"},
    }
    # The most recent first: the first of its grants, in 2013, comes last.
    days = [each["awardDate"] for each in received["grants"]]
    assert len(days) > 1 and days == sorted(days, reverse=True)
    assert received["grants"][-1]["id"] == CYRIL_FLINT
    first = received["grants"][-1]
    assert (first["awardDate"], first["funder"]) == (
        "2013-01-18",
        "Trafford Metropolitan Borough Council",
    )
    api = orjson.loads(client.get(twin["grants"]["links"]["api"]).content)
    assert [each["id"] for each in api["grants"]] == [each["id"] for each in received["grants"]]

    html = client.get(f"/organisations/{RECIPIENT}").content.decode()
    assert 'id="grants"' in html and "Grants received" in html
    assert f'href="/api/grants/{CYRIL_FLINT}"' in html
    assert "18 January 2013" in html and "£3,056.37" in html
    welsh = client.get(f"/organisations/{RECIPIENT}", HTTP_ACCEPT_LANGUAGE="cy").content.decode()
    assert "Grantiau a gafwyd" in welsh

    none = orjson.loads(client.get(f"/organisations/{OTHER['id']}?format=json").content)
    assert none["grants"] is None
    assert 'id="grants"' not in client.get(f"/organisations/{OTHER['id']}").content.decode()


def test_an_organisation_that_only_received_grants_has_a_page(database):
    store = database.store
    charity = "GB-CHC-1146179"  # Cyril Flint Befrienders' charity number: no process names it
    client = Client()
    assert client.get(f"/organisations/{charity}").status_code == 404
    assert client.get(f"/api/organisations/{charity}").status_code == 404

    grants.load(store, [TRAFFORD_JSON])
    found = orjson.loads(client.get(f"/api/organisations/{charity}").content)
    assert (found["processes"], found["names"]) == (0, [])
    received = found["registers"]["grants"]
    assert received == {
        "received": 5,  # one a year from 2013
        "recipientNames": received["recipientNames"],
        "url": f"/api/grants?recipient={charity}&order=newest",
    }
    name = received["recipientNames"][0]
    assert "Cyril Flint" in name
    listed = orjson.loads(client.get(received["url"]).content)
    assert len(listed["grants"]) == 5

    html = client.get(f"/organisations/{charity}").content.decode()
    assert f"<title>{name}" in html and 'id="grants"' in html
    twin = orjson.loads(client.get(f"/organisations/{charity}?format=json").content)
    assert len(twin["grants"]["grants"]) == 5
