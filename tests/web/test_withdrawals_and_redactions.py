"""Corrections, cancellations, withdrawals and redactions through the publish API, on SQLite and
PostgreSQL (issue 4, item 6): every one a new statement, history showing both, a withdrawn
release no longer counting in its process, a redacted body gone from every reader while its
entry, hashes and proofs stay; and every way a request can be wrong."""

import base64

import orjson
import pytest
from django.test import Client

from openbook import transparency
from openbook.standards import marks, merkle
from openbook.store import audit, log
from openbook.verify import database as verify_database
from tests.conftest import reuse
from tests.publishing import (
    OTHER_BUYER,
    award,
    create_key,
    create_publisher,
    notice,
    post,
    tender,
)
from tests.test_transparency import key_dir, keys_in

__all__ = ["key_dir"]
pytestmark = pytest.mark.usefixtures("key_dir")

RELEASES = "/api/publish/releases"
WITHDRAWALS = "/api/publish/withdrawals"
REDACTIONS = "/api/publish/redactions"
OCID = "ocds-b5fd17-900"


@pytest.fixture
def publisher(store):
    return create_publisher(store)


@pytest.fixture
def key(store, publisher):
    return create_key(store, publisher)


@pytest.fixture
def admin(store, publisher):
    return create_key(store, publisher, role="administrator", name="platform administrator")


@pytest.fixture(scope="module")
def _shared(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    with pytest.MonkeyPatch.context() as patch:
        keys_in(tmp_path_factory.mktemp("keys"), patch)
        organisation = create_publisher(store)
        made = {
            WITHDRAWALS: create_key(store, organisation),
            REDACTIONS: create_key(
                store, organisation, role="administrator", name="platform administrator"
            ),
        }
        published(Client(), made[WITHDRAWALS], tender(OCID))
    return made, log.log_size(store)


@pytest.fixture
def shared(shared_database, _shared) -> dict:
    """A published tender, and the keys that may withdraw it (a publisher's) and redact it (an
    administrator's) by path, on one database a kind for the bad requests: each is refused
    storing nothing, which each checks against the log's size at this set-up ("logged")."""
    store = reuse(shared_database).store
    made, logged = _shared
    return {"store": store, "keys": made, "logged": logged}


def published(client, key, release) -> int:
    response = post(client, RELEASES, release, key)
    assert response.status_code == 201, response.content
    return response.json()["releases"][0]["sequence"]


def record_of(client, ocid=OCID) -> dict:
    response = client.get(f"/api/ocds/records/{ocid}")
    assert response.status_code == 200, response.content
    return orjson.loads(response.content)["records"][0]


def feed(client) -> dict:
    return orjson.loads(client.get("/api/ocds/releases?limit=1000").content)


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return orjson.loads(response.content)["error"]


def amendment(ocid=OCID) -> dict:
    """A tenderAmendment: the deadline extended, with the amendment said in tender.amendments."""
    release = tender(ocid, day="2025-06-10", tenderPeriod={"endDate": "2025-07-18T12:00:00+01:00"})
    release["tag"] = ["tenderAmendment"]
    release["tender"]["amendments"] = [
        {
            "id": "A1",
            "date": "2025-06-10T10:00:00+01:00",
            "rationale": "Deadline extended after questions from suppliers",
            "amendsReleaseID": f"{ocid}-UK4-2025-06-02",
            "releaseID": f"{ocid}-UK4-2025-06-10",
        }
    ]
    return release


def cancellation(ocid=OCID) -> dict:
    return notice(
        "UK12",
        "2025-06-20",
        ocid,
        tag=["tenderCancellation"],
        tender={
            "id": "T1",
            "title": "Grounds maintenance",
            "status": "cancelled",
            "statusDetails": "No longer needed",
        },
    )


def test_a_correction_and_a_cancellation_are_new_releases_and_history_shows_both(client, key):
    first = published(client, key, tender(OCID))
    corrected = published(client, key, amendment())
    cancelled = published(client, key, cancellation())
    assert first < corrected < cancelled
    record = record_of(client)
    # Every release stays, in log order; the compiled release is the latest state...
    assert [r["tag"] for r in record["releases"]] == [
        ["tender"],
        ["tenderAmendment"],
        ["tenderCancellation"],
    ]
    compiled = record["compiledRelease"]["tender"]
    assert compiled["tenderPeriod"]["endDate"] == "2025-07-18T12:00:00+01:00"
    assert compiled["status"] == "cancelled"
    assert compiled["amendments"][0]["amendsReleaseID"] == f"{OCID}-UK4-2025-06-02"
    # ...and the versioned release has the original value beside the correction.
    versions = record["versionedRelease"]["tender"]["tenderPeriod"]["endDate"]
    assert [v["value"] for v in versions] == [
        "2025-07-04T12:00:00+01:00",
        "2025-07-18T12:00:00+01:00",
    ]
    assert [v["releaseTag"] for v in versions] == [["tender"], ["tenderAmendment"]]
    # The feed has all three, in order; nothing is marked.
    page = feed(client)
    assert [r["tag"][0] for r in page["releases"]] == [
        "tender",
        "tenderAmendment",
        "tenderCancellation",
    ]
    assert "x_openbook_withdrawn" not in page and "x_openbook_withdrawn" not in record


def test_a_notice_published_in_error_is_withdrawn_and_history_keeps_it(client, key, store):
    published(client, key, tender(OCID))
    wrong = published(client, key, award(OCID))  # the award was for another procurement
    transparency.sign_tree_head(store)  # the log's key, recorded: entry timestamps are signed
    before = client.get(f"/api/ocds/records/{OCID}")
    assert "awards" in record_of(client)["compiledRelease"]
    response = post(
        client, WITHDRAWALS, {"sequence": wrong, "reason": "Published in error: wrong tender"}, key
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["withdrawn"]["sequence"] == wrong
    assert answer["withdrawn"]["id"] == award(OCID)["id"]
    assert answer["reason"] == "Published in error: wrong tender"
    assert answer["record"] == f"/api/ocds/records/{OCID}"
    withdrawal = answer["withdrawal"]
    assert (
        withdrawal["sequence"] > wrong
        and withdrawal["entry_timestamp"]["seq"] == withdrawal["sequence"]
    )
    # The record keeps the release, marked withdrawn with the reason and time; the compiled and
    # versioned releases no longer have it.
    record = record_of(client)
    assert [r["id"] for r in record["releases"]] == [tender(OCID)["id"], award(OCID)["id"]]
    assert "awards" not in record["compiledRelease"]
    assert "awards" not in record["versionedRelease"]
    [marked] = record["x_openbook_withdrawn"]
    assert marked == {
        "sequence": wrong,
        "ocid": OCID,
        "id": award(OCID)["id"],
        "reason": "Published in error: wrong tender",
        "withdrawnAt": withdrawal["log_time"],
        "withdrawal": withdrawal["sequence"],
    }
    # The record changed: a cache holding it is told so.
    assert client.get(f"/api/ocds/records/{OCID}")["ETag"] != before["ETag"]
    assert (
        client.get(f"/api/ocds/records/{OCID}", HTTP_IF_NONE_MATCH=before["ETag"]).status_code
        == 200
    )
    # The feed still has it, as published, and says it was withdrawn since.
    page = feed(client)
    assert [r["id"] for r in page["releases"]] == [tender(OCID)["id"], award(OCID)["id"]]
    assert page["x_openbook_withdrawn"] == [marked]
    # The public list of withdrawals, and the audit trail.
    listed = client.get("/api/log/withdrawals").json()["withdrawals"]
    assert [w["sequence"] for w in listed] == [withdrawal["sequence"]]
    assert listed[0]["body"]["withdrawal"]["statement"]["seq"] == wrong
    assert listed[0]["body"]["withdrawal"]["publisher"]["name"] == "Example Borough Council"
    [event] = [e for e in audit.events(store) if e.action == "withdraw"]
    assert event.detail == {"withdrawn": wrong, "withdrawal": withdrawal["sequence"]}
    assert event.actor.startswith("key:") and event.subject == OCID
    # The process search no longer finds the withdrawn award's supplier.
    found = client.get("/api/ocds/processes?supplier=GB-COH-01234567").json()
    assert found["count"] == 0
    # Withdrawn once: again, by sequence or by ocid and release id, is a conflict.
    again = post(client, WITHDRAWALS, {"sequence": wrong, "reason": "again"}, key)
    assert again.status_code == 409 and error_of(again)["code"] == "already-withdrawn"
    by_identity = {"ocid": OCID, "releaseId": award(OCID)["id"], "reason": "again"}
    assert post(client, WITHDRAWALS, by_identity, key).status_code == 409


def test_a_release_is_withdrawn_by_ocid_and_release_id(client, key):
    published(client, key, tender(OCID))
    value = {"ocid": OCID, "releaseId": tender(OCID)["id"], "reason": "Duplicate notice"}
    response = post(client, WITHDRAWALS, value, key)
    assert response.status_code == 201, response.content
    # Every release of the process withdrawn: it has no compiled release, and is not searched.
    record = record_of(client)
    assert "compiledRelease" not in record and "x_openbook_compileError" not in record
    assert len(record["releases"]) == 1 and record["x_openbook_withdrawn"]
    assert client.get("/api/ocds/processes?q=grounds").json()["count"] == 0


def test_another_organisations_key_cannot_withdraw_and_an_unknown_release_is_not_found(
    client, key, store
):
    seq = published(client, key, tender(OCID))
    other = create_key(store, create_publisher(store, OTHER_BUYER))
    response = post(client, WITHDRAWALS, {"sequence": seq, "reason": "Not theirs"}, other)
    assert response.status_code == 403
    assert error_of(response)["code"] == "other-organisation"
    assert "Another District Council" in error_of(response)["message"]
    for value in (
        {"sequence": 999, "reason": "No such entry"},
        {"ocid": OCID, "releaseId": "no-such-release", "reason": "No such release"},
    ):
        response = post(client, WITHDRAWALS, value, key)
        assert response.status_code == 404 and error_of(response)["code"] == "not-found"
    # An administrator key does not withdraw notices: that is the publisher's.
    admin = create_key(
        store, create_publisher(store, {"id": "GB-GOR-X1", "name": "Admin"}), "administrator"
    )
    response = post(client, WITHDRAWALS, {"sequence": seq, "reason": "x"}, admin)
    assert response.status_code == 403 and error_of(response)["code"] == "role-required"
    assert "x_openbook_withdrawn" not in record_of(client)


@pytest.mark.parametrize("path", [WITHDRAWALS, REDACTIONS])
@pytest.mark.parametrize(
    "case",
    [
        (b"{not json", 400, "body-not-json", None),
        (b"  ", 400, "body-empty", None),
        (b"[1]", 400, "body-not-object", None),
        (b'{"sequence": 0}', 422, "invalid", "reason-missing"),
        (b'{"sequence": 0, "reason": "   "}', 422, "invalid", "reason-missing"),
        (b'{"sequence": 0, "reason": 5}', 422, "invalid", "reason-missing"),
        (
            orjson.dumps({"sequence": 0, "reason": "x" * (marks.MAX_REASON + 1)}),
            422,
            "invalid",
            "reason-too-long",
        ),
        (b'{"sequence": 0, "reason": "x", "extra": 1}', 422, "invalid", "unknown-field"),
        (b'{"sequence": "0", "reason": "x"}', 422, "invalid", "invalid-sequence"),
        (b'{"sequence": -1, "reason": "x"}', 422, "invalid", "invalid-sequence"),
        (b'{"sequence": true, "reason": "x"}', 422, "invalid", "invalid-sequence"),
        (b'{"sequence": 0, "sequence": 1, "reason": "x"}', 400, "body-duplicate-key", None),
    ],
)
def test_bad_input_is_refused_with_a_precise_error(reader, shared, path, case):
    body, status, code, problem = case
    response = post(reader, path, body, shared["keys"][path])
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    if problem:
        assert problem in [p["code"] for p in error["problems"]]
        assert all(p["pointer"].startswith("/") or p["pointer"] == "" for p in error["problems"])
    # Nothing was stored: no withdrawal, no redaction.
    assert reader.get("/api/log/withdrawals").json()["withdrawals"] == []
    assert reader.get("/api/log/redactions").json()["redactions"] == []
    assert record_of(reader)["releases"]
    assert log.log_size(shared["store"]) == shared["logged"]


def test_a_withdrawal_names_one_release_one_way(client, key):
    published(client, key, tender(OCID))
    for value, code in (
        ({"reason": "x"}, "statement-missing"),
        ({"ocid": OCID, "reason": "x"}, "statement-missing"),
        ({"sequence": 0, "ocid": OCID, "releaseId": "r", "reason": "x"}, "statement-ambiguous"),
    ):
        response = post(client, WITHDRAWALS, value, key)
        assert response.status_code == 422
        assert [p["code"] for p in error_of(response)["problems"]] == [code]
    # Too large a body is refused before it is read, as for releases.
    response = post(client, WITHDRAWALS, b"{}", key, CONTENT_LENGTH=str(100 * 2**20))
    assert response.status_code == 413


def test_an_administrator_redacts_a_body_and_everything_but_the_body_stays(
    client, key, admin, store
):
    seq = published(client, key, tender(OCID))
    published(client, key, amendment())
    head = transparency.sign_tree_head(store)  # a head over the body before it goes
    body_hash = log.entries(store, seq, seq + 1)[0].entry.body_hash
    # A publisher key cannot redact.
    refused = post(client, REDACTIONS, {"sequence": seq, "reason": "x"}, key)
    assert refused.status_code == 403 and error_of(refused)["code"] == "role-required"
    response = post(
        client,
        REDACTIONS,
        {
            "sequence": seq,
            "reason": "Personal data: a named officer's mobile number",
            "authority": "UK GDPR, Article 17(1)",
        },
        admin,
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["redacted"]["sequence"] == seq and answer["redacted"]["body_sha256"] == body_hash
    assert answer["authority"] == "UK GDPR, Article 17(1)"
    assert answer["administrator"].startswith("key:")
    redaction = answer["redaction"]
    assert redaction["signed_note"].startswith("openbook-redaction/v1\n")
    # The body is gone from the feed and the record; the entry is listed as redacted.
    page = feed(client)
    assert [r["id"] for r in page["releases"]] == [amendment()["id"]]
    [redacted] = page["x_openbook_redacted"]
    assert redacted["sequence"] == seq and redacted["bodySha256"] == body_hash
    # The log entries beside the releases are those of the releases shown, in their order.
    assert seq not in [entry["sequence"] for entry in page["x_openbook_log"]]
    assert len(page["x_openbook_log"]) == len(page["releases"])
    assert redacted["redaction"] == redaction["sequence"]
    assert redacted["reason"] == "Personal data: a named officer's mobile number"
    record = record_of(client)
    assert [r["id"] for r in record["releases"]] == [amendment()["id"]]
    assert record["x_openbook_redacted"] == [redacted]
    # Compiled again without it: only the amendment's fields remain.
    assert record["compiledRelease"]["tender"]["tenderPeriod"]["endDate"].startswith("2025-07-18")
    assert len(record["versionedRelease"]["tender"]["tenderPeriod"]["endDate"]) == 1
    assert client.get(f"/api/ocds/releases/{OCID}/{tender(OCID)['id']}").status_code == 200
    # The redaction is public, and its signature verifies with the log's published keys.
    [listed] = client.get("/api/log/redactions").json()["redactions"]
    assert listed["sequence"] == redaction["sequence"] and listed["statementId"] == str(seq)
    keys = {
        k["keyId"]: (k["name"], base64.b64decode(k["publicKey"]))
        for k in client.get("/api/log/keys").json()["keys"]
    }
    verified = marks.verify_redaction(orjson.dumps(listed["body"]), keys)
    assert verified.redaction.statement.seq == seq
    # The old head's proof of the redacted entry still verifies, and a new head covers both.
    proof = client.get(
        f"/api/log/proof/inclusion?sequence={seq}&tree_size={head['treeSize']}"
    ).json()
    assert proof["leafHash"] == answer["redacted"]["leaf_hash"]
    assert merkle.verify_inclusion(
        bytes.fromhex(proof["leafHash"]),
        seq,
        head["treeSize"],
        [bytes.fromhex(h) for h in proof["auditPath"]],
        bytes.fromhex(head["rootHash"]),
    )
    transparency.sign_tree_head(store)
    report = verify_database(store)
    assert report.ok, report.as_text()
    # Once per entry; a redaction is never redacted; an unknown entry is not found.
    again = post(client, REDACTIONS, {"sequence": seq, "reason": "again"}, admin)
    assert again.status_code == 409 and error_of(again)["code"] == "already-redacted"
    itself = post(client, REDACTIONS, {"sequence": redaction["sequence"], "reason": "x"}, admin)
    assert itself.status_code == 409 and error_of(itself)["code"] == "redaction-of-redaction"
    missing = post(client, REDACTIONS, {"sequence": 10**6, "reason": "x"}, admin)
    assert missing.status_code == 404
    # A redacted release cannot be withdrawn any more.
    response = post(client, WITHDRAWALS, {"sequence": seq, "reason": "x"}, key)
    assert response.status_code == 409 and error_of(response)["code"] == "redacted"
    [event] = [e for e in audit.events(store) if e.action == "redact"]
    assert event.detail["redacted"] == seq and event.detail["redaction"] == redaction["sequence"]


def test_the_openapi_document_and_the_docs_describe_the_new_operations(client):
    document = client.get("/api/publish/openapi.json").json()
    for path in (WITHDRAWALS, REDACTIONS):
        operation = document["paths"][path]["post"]
        assert {"201", "401", "403", "404", "409", "422"} <= set(operation["responses"])
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["additionalProperties"] is False and "reason" in body["required"]
    public = client.get("/api/openapi.json").json()
    assert {"/api/log/withdrawals", "/api/log/redactions"} <= set(public["paths"])


def test_the_public_lists_page_by_cursor_and_refuse_a_bad_one(client, key, store):
    sequences = [published(client, key, tender(f"ocds-b5fd17-{n}")) for n in range(3)]
    transparency.sign_tree_head(store)
    for seq in sequences:
        response = post(client, WITHDRAWALS, {"sequence": seq, "reason": f"Duplicate {seq}"}, key)
        assert response.status_code == 201, response.content
    seen, url = [], "/api/log/withdrawals?limit=2"
    while url:
        page = client.get(url).json()
        seen += [w["body"]["withdrawal"]["statement"]["seq"] for w in page["withdrawals"]]
        url = page["links"].get("next")
    assert seen == sequences  # each once, in log order
    for query in ("cursor=not-a-cursor", "limit=0", "limit=1001"):
        response = client.get(f"/api/log/redactions?{query}")
        assert response.status_code == 400
        assert orjson.loads(response.content)["error"]["code"] == "invalid-parameter"
