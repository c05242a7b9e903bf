"""The audit trail of every write: recorded with who, when, from where and what; append-only;
visible to platform administrators (``openbook audit``, ``GET /api/publish/audit``)."""

import orjson
import pytest
from django.db import DatabaseError
from django.test import Client

from openbook import audit
from openbook.cli import main
from openbook.publishing import publishers
from tests.publishing import CLI, OTHER_BUYER, create_key, create_publisher, post, tender


def test_every_write_is_recorded_with_who_when_where_and_what(database, store, monkeypatch):
    monkeypatch.setenv("OPENBOOK_PROXY_COUNT", "1")
    organisation = create_publisher(store)
    key = create_key(store, organisation)
    key_id = key[4:16]
    client = Client()
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.7"}
    minted = post(client, "/api/publish/ocids", {}, key, **forwarded).json()["ocid"]
    response = post(client, "/api/publish/releases", tender(minted), key, **forwarded)
    assert response.status_code == 201
    post(client, "/api/publish/releases", tender(minted), key, **forwarded)  # a duplicate
    post(client, "/api/publish/validate", tender(minted), key)  # not a write
    post(client, "/api/publish/releases", {"broken": True}, key)  # refused: nothing written
    publishers.revoke_key(store, key_id, CLI)
    publishers.add_account(store, "alice", "reviewer", CLI, publisher=str(organisation.id))
    events = audit.events(store)
    assert [e.action for e in events] == [
        "publisher.add",
        "key.create",
        "ocid.mint",
        "publish",
        "publish",
        "key.revoke",
        "account.role",
    ]
    publish = events[3]
    assert publish.actor == f"key:{key_id}"
    assert publish.address == "198.51.100.7"  # one proxy: the hop it saw
    assert publish.organisation_id == organisation.id
    assert publish.subject == minted
    assert publish.detail == {"created": [0], "duplicates": []}
    assert events[4].detail == {"created": [], "duplicates": [0]}
    assert events[1].actor == "cli:test" and events[1].subject == f"key:{key_id}"
    assert all(e.time.endswith("Z") for e in events)


def test_the_audit_trail_is_append_only(database, store):
    create_publisher(store)
    for statement in ("UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"), store.atomic() as cursor:
            cursor.execute(statement)
    assert audit.events(store)[0].actor == "cli:test"


def test_events_are_filtered_by_time_and_organisation(database, store):
    first = create_publisher(store)
    second = create_publisher(store, OTHER_BUYER)
    create_key(store, second)
    assert [e.action for e in audit.events(store, publisher=OTHER_BUYER["id"])] == [
        "publisher.add",
        "key.create",
    ]
    assert len(audit.events(store, publisher=str(first.id))) == 1
    assert audit.events(store, since="2999-01-01T00:00:00.000000Z") == []
    everything = audit.events(store)
    assert audit.events(store, after=everything[0].id, limit=1) == everything[1:2]


def test_administrators_read_the_audit_trail_through_the_api(database, store):
    organisation = create_publisher(store)
    admin = create_key(store, organisation, role="administrator")
    client = Client()
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {admin}"}
    response = client.get("/api/publish/audit?limit=1", **bearer)
    assert response.status_code == 200
    page = orjson.loads(response.content)
    assert [e["action"] for e in page["events"]] == ["publisher.add"]
    following = client.get(page["next"], **bearer)
    assert [e["action"] for e in orjson.loads(following.content)["events"]] == ["key.create"]
    filtered = client.get(f"/api/publish/audit?publisher={OTHER_BUYER['id']}", **bearer)
    assert filtered.status_code == 400
    assert "no organisation" in orjson.loads(filtered.content)["error"]["message"]
    bad = client.get("/api/publish/audit?since=yesterday", **bearer)
    assert bad.status_code == 400
    assert orjson.loads(bad.content)["error"]["code"] == "invalid-parameter"
    assert client.get("/api/publish/audit").status_code == 401


def test_the_audit_command_shows_every_write(database, store, capsys):
    organisation = create_publisher(store)
    create_key(store, organisation)
    assert main(["audit"]) == 0
    text = capsys.readouterr().out
    assert "publisher.add" in text and "key.create" in text and "cli:test" in text
    assert main(["audit", "--json", "--publisher", organisation.org_id]) == 0
    lines = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["action"] for line in lines] == ["publisher.add", "key.create"]
    assert main(["audit", "--since", "2999-01-01"]) == 0
    assert "No writes are recorded in this range." in capsys.readouterr().out
