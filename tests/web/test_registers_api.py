"""The registers people enter, through the publish API (writes) and the public API (reads), on
both databases: the debarment list and the awards it flags, complaints, legal challenges."""

from datetime import date, timedelta

import orjson
import pytest
from django.test import Client

from openbook.store import audit, log
from tests.conftest import reuse
from tests.publishing import (
    BUYER,
    OTHER_BUYER,
    award,
    bearer,
    create_key,
    create_publisher,
    post,
    tender,
)
from tests.web.conftest import publish

LISTED = {"identifier": "GB-COH-01234567", "name": "Green Spaces Ltd"}


def debarment(**changes) -> dict:
    entry = {
        "supplier": dict(LISTED),
        "ground": {"type": "mandatory", "reference": "Schedule 6, paragraph 1"},
        "decisionDate": "2025-01-10",
        "startDate": "2025-01-15",
        "endDate": "2027-01-14",
        "status": "active",
    }
    entry.update(changes)
    return entry


def complaint(ocid, **changes) -> dict:
    entry = {
        "ocid": ocid,
        "parties": [
            {"name": "Rival Mowing Ltd", "identifier": "GB-COH-07654321", "role": "complainant"},
            {"name": BUYER["name"], "role": "authority"},
        ],
        "grounds": "The award criteria were applied inconsistently.",
        "reviewBody": "Example Borough Council",
        "receivedDate": "2025-07-20",
        "status": "received",
    }
    entry.update(changes)
    return entry


def challenge(ocid, **changes) -> dict:
    entry = {
        "ocid": ocid,
        "parties": [
            {"name": "Rival Mowing Ltd", "identifier": "GB-COH-07654321", "role": "claimant"},
            {"name": BUYER["name"], "role": "defendant"},
        ],
        "grounds": "Breach of the duty to treat suppliers the same (s.12).",
        "court": "High Court (Technology and Construction Court)",
        "filedDate": "2025-07-25",
        "automaticSuspension": True,
        "status": "filed",
    }
    entry.update(changes)
    return entry


def put(client, path, value, key, version=None):
    headers = bearer(key)
    if version is not None:
        headers["HTTP_IF_MATCH"] = f'"{version}"'
    return client.put(path, data=orjson.dumps(value), content_type="application/json", **headers)


def error_of(response) -> dict:
    return orjson.loads(response.content)["error"]


def name_the_supplier(store) -> None:
    """Make the supplier known to the platform: a process names it."""
    supplier = {
        "id": "s",
        "name": "Green Spaces Ltd",
        "roles": ["supplier"],
        "identifier": {"scheme": "GB-COH", "id": "01234567"},
    }
    release = {
        "ocid": "ocds-b5fd17-known",
        "id": "1",
        "date": "2024-05-01T00:00:00Z",
        "tag": ["award"],
        "initiationType": "tender",
        "parties": [supplier],
    }
    publish(store, [release])


@pytest.fixture
def keys(store):
    return _keys(store)


def _keys(store) -> dict:
    own = create_publisher(store)
    other = create_publisher(store, OTHER_BUYER)
    name_the_supplier(store)
    return {
        "own": create_key(store, own),
        "other": create_key(store, other),
        "admin": create_key(store, own, role="administrator"),
    }


COMPLAINED = "ocds-b5fd17-cmp2"  # the bad complaints' process


@pytest.fixture(scope="module")
def _shared(shared_database):
    store = reuse(shared_database).store
    made = _keys(store)
    _process_with_lots(Client(), made["own"], COMPLAINED)
    return made, log.log_size(store)


@pytest.fixture
def shared(shared_database, _shared) -> dict:
    """The keys and a process with lots (COMPLAINED), on one database a kind for the module's
    refusals and bad requests: each is refused storing nothing, which each refusal checks
    against the log's size at this set-up ("logged")."""
    store = reuse(shared_database).store
    made, logged = _shared
    return {"store": store, "keys": made, "logged": logged}


def test_an_administrator_lists_a_supplier_and_anyone_reads_it(client, keys):
    today = date.today()
    current = debarment(
        decisionDate=(today - timedelta(days=40)).isoformat(),
        startDate=(today - timedelta(days=30)).isoformat(),
        endDate=(today + timedelta(days=365)).isoformat(),
    )
    old = debarment(status="active")  # 2025-01-15 to 2027-01-14
    response = post(client, "/api/publish/registers/debarment", current, keys["admin"])
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["outcome"] == "created"
    assert answer["entry"]["id"] == "DEB-000001" and answer["entry"]["version"] == 1
    assert response["ETag"] == '"1"'
    assert response["Location"] == "/api/registers/debarment/DEB-000001"
    # Read back: in the list (found by the supplier's identifier as any source writes it)...
    listed = client.get("/api/registers/debarment", {"organisation": "GB-COH-1234567"}).json()
    assert [entry["id"] for entry in listed["entries"]] == ["DEB-000001"]
    assert listed["entries"][0]["supplier"] == LISTED
    assert listed["entries"][0]["inForce"] is True
    assert post(client, "/api/publish/registers/debarment", old, keys["admin"]).status_code == 201
    assert (
        client.get("/api/registers/debarment", {"organisation": "GB-COH-07654321"}).json()[
            "entries"
        ]
        == []
    )
    on_day = client.get("/api/registers/debarment", {"in_force_on": "2025-03-01"}).json()
    assert [entry["id"] for entry in on_day["entries"]] == ["DEB-000002"]
    now = client.get("/api/registers/debarment", {"in_force_on": "today"}).json()
    assert "DEB-000001" in [entry["id"] for entry in now["entries"]]
    later = (today + timedelta(days=400)).isoformat()
    after = client.get("/api/registers/debarment", {"in_force_on": later}).json()
    assert after["entries"] == []
    # ...and as an entry with its history, each version a statement in the log.
    entry = client.get("/api/registers/debarment/DEB-000001").json()
    [version] = entry["versions"]
    assert version["version"] == 1 and version["entry"] == current | {"supplier": LISTED}
    assert version["recordedBy"]["role"] == "administrator"
    assert entry["excludedAwards"] == []


def test_only_administrators_keep_the_debarment_list(client, keys):
    response = post(client, "/api/publish/registers/debarment", debarment(), keys["own"])
    assert response.status_code == 403
    assert error_of(response)["code"] == "role-required"
    assert client.get("/api/registers/debarment").json()["entries"] == []


@pytest.mark.parametrize(
    ("entry", "pointer", "code"),
    [
        ({"supplier": {"identifier": "GB-COH-12", "name": "X"}}, "/supplier/identifier", None),
        ({"supplier": {"identifier": "GB-COH-99999999", "name": "X"}}, "/supplier/identifier",
         "unknown-supplier"),
        ({"endDate": "2024-12-31"}, "/endDate", "dates-out-of-order"),
        ({"startDate": "2025-01-01"}, "/startDate", "dates-out-of-order"),
        ({"endDate": "2030-01-15"}, "/endDate", "too-long"),
        ({"startDate": "2025-02-30"}, "/startDate", "malformed-date"),
        ({"startDate": "15/01/2025"}, "/startDate", "malformed-date"),
        ({"status": "debarred"}, "/status", "unknown-code"),
        ({"ground": {"type": "mandatory"}}, "/ground/reference", "required"),
        ({"ground": "Schedule 6"}, "/ground", "not-an-object"),
        ({"status": 1}, "/status", "not-a-string"),
        ({"suppliers": []}, "/suppliers", "unknown-field"),
        ({"summary": "x" * 5001}, "/summary", "too-long"),
        ({"summary": "a\x00b"}, "/summary", "invalid-character"),
        ({"documents": [{"title": "Decision", "url": "javascript:alert(1)"}]},
         "/documents/0/url", "malformed-url"),
        ({"documents": [{"title": "D", "url": "https://x.example/d"}] * 51}, "/documents",
         "too-many"),
    ],
)  # fmt: skip
def test_a_bad_debarment_entry_is_refused_and_nothing_is_stored(
    reader, shared, entry, pointer, code
):
    admin = shared["keys"]["admin"]
    response = post(reader, "/api/publish/registers/debarment", debarment(**entry), admin)
    assert response.status_code == 422, response.content
    problems = error_of(response)["problems"]
    assert [problem["pointer"] for problem in problems] == [pointer]
    if code is not None:
        assert problems[0]["code"] == code
    assert problems[0]["message"]
    assert log.log_size(shared["store"]) == shared["logged"]
    assert reader.get("/api/registers/debarment").json()["entries"] == []


@pytest.mark.parametrize("body", [b"[]", b'"entry"', b"{", b'{"a": 1, "a": 2}'])
def test_a_body_that_is_no_entry_is_refused(reader, shared, body):
    response = post(reader, "/api/publish/registers/debarment", body, shared["keys"]["admin"])
    assert response.status_code in (400, 422)
    assert error_of(response)["message"]
    assert log.log_size(shared["store"]) == shared["logged"]


def test_a_change_names_the_version_it_changes(client, store, keys):
    post(client, "/api/publish/registers/debarment", debarment(), keys["admin"])
    path = "/api/publish/registers/debarment/DEB-000001"
    removed = debarment(status="removed", review={"outcome": "removed", "date": "2025-06-01"})
    missing = put(client, path, removed, keys["admin"])
    assert missing.status_code == 428 and error_of(missing)["code"] == "version-required"
    stale = put(client, path, removed, keys["admin"], version=7)
    assert stale.status_code == 409 and "is at version 1" in error_of(stale)["message"]
    changed = put(client, path, removed, keys["admin"], version=1)
    assert changed.status_code == 201, changed.content
    assert changed.json()["entry"]["version"] == 2 and changed["ETag"] == '"2"'
    again = put(client, path, removed, keys["admin"], version=2)
    assert again.status_code == 200 and again.json()["outcome"] == "unchanged"
    late = put(client, path, debarment(), keys["admin"], version=1)  # made to version 1
    assert late.status_code == 409
    entry = client.get("/api/registers/debarment/DEB-000001").json()
    assert entry["status"] == "removed" and entry["inForce"] is False
    assert [version["entry"]["status"] for version in entry["versions"]] == ["active", "removed"]
    assert len(log.record_statements(store, "debarment", "DEB-000001")) == 2
    assert put(client, "/api/publish/registers/debarment/DEB-000009", removed, keys["admin"],
               version=1).status_code == 404  # fmt: skip
    assert put(client, "/api/publish/registers/debarment/nope", removed, keys["admin"],
               version=1).status_code == 404  # fmt: skip
    bad = put(client, path, removed, keys["admin"])
    bad_match = client.put(
        path, data=orjson.dumps(removed), content_type="application/json",
        HTTP_IF_MATCH="latest", **bearer(keys["admin"]),
    )  # fmt: skip
    assert bad.status_code == 428 and bad_match.status_code == 400


def _award_to_listed(ocid: str, rationale: str | None = None) -> dict:
    release = award(ocid)
    if rationale is not None:
        supplier = release["parties"][1]
        supplier["details"] = {"excludedSupplier": {"awardRationale": rationale}}
    return release


def test_an_award_to_a_listed_supplier_needs_the_authoritys_reason(client, store, keys):
    post(client, "/api/publish/registers/debarment", debarment(), keys["admin"])
    ocid = "ocds-b5fd17-deb1"
    assert post(client, "/api/publish/releases", tender(ocid), keys["own"]).status_code == 201
    before = log.log_size(store)
    refused = post(client, "/api/publish/releases", _award_to_listed(ocid), keys["own"])
    assert refused.status_code == 422, refused.content
    [problem] = [p for p in error_of(refused)["problems"] if p["blocking"]]
    assert problem["code"] == "award.supplier.debarred"
    assert problem["pointer"] == "/parties/1/details/excludedSupplier/awardRationale"
    assert "DEB-000001" in problem["message"] and "2025-07-14" in problem["message"]
    assert log.log_size(store) == before
    # With the reason it is published, and flagged on the process, the register and the trail.
    reason = "The only supplier able to restore the flood defences before winter."
    published = post(client, "/api/publish/releases", _award_to_listed(ocid, reason), keys["own"])
    assert published.status_code == 201, published.content
    [flag] = published.json()["problems"]
    assert flag["code"] == "award.supplier.debarred.rationale-given"
    assert flag["pointer"] == "/awards/0" and not flag["blocking"]
    awards = client.get("/api/registers/debarment/awards").json()["awards"]
    assert [(a["ocid"], a["awardId"], a["awardRationale"]) for a in awards] == [(ocid, "1", reason)]
    assert awards[0]["supplier"] == "GB-COH-01234567"
    entry = client.get("/api/registers/debarment/DEB-000001").json()
    assert [a["ocid"] for a in entry["excludedAwards"]] == [ocid]
    assert client.get("/api/registers/debarment/awards", {"ocid": "x"}).json()["awards"] == []
    actions = [event.action for event in audit.events(store, limit=100)]
    assert "oversight.excluded-award" in actions
    # The warning is kept with the release's review in the log.
    [stored] = [
        s for s in log.record_statements(store, "ocds", ocid) if "UK6" in s.entry.statement_id
    ]
    assert "award.supplier.debarred.rationale-given" in [p["code"] for p in stored.problems]


@pytest.mark.parametrize(
    "entry",
    [
        {"status": "removed"},
        {"status": "suspended"},
        {"startDate": "2025-08-01", "endDate": "2026-01-01"},  # not yet listed on the award date
        {"decisionDate": "2024-01-01", "startDate": "2024-01-01", "endDate": "2025-07-13"},
    ],
)
def test_an_award_outside_an_entrys_force_is_not_refused(client, keys, entry):
    post(client, "/api/publish/registers/debarment", debarment(**entry), keys["admin"])
    ocid = "ocds-b5fd17-deb2"
    post(client, "/api/publish/releases", tender(ocid), keys["own"])
    response = post(client, "/api/publish/releases", _award_to_listed(ocid), keys["own"])
    assert response.status_code == 201, response.content
    assert client.get("/api/registers/debarment/awards").json()["awards"] == []


def _process_with_lots(client, key, ocid):
    release = tender(ocid, lots=[{"id": "1", "title": "North"}, {"id": "2", "title": "South"}])
    response = post(client, "/api/publish/releases", release, key)
    assert response.status_code == 201, response.content


def test_an_authority_records_complaints_about_its_own_processes(client, store, keys):
    ocid = "ocds-b5fd17-cmp"
    _process_with_lots(client, keys["own"], ocid)
    response = post(
        client, "/api/publish/registers/complaints", complaint(ocid, lot="2"), keys["own"]
    )
    assert response.status_code == 201, response.content
    assert response.json()["entry"]["id"] == "CMP-000001"
    other = post(client, "/api/publish/registers/complaints", complaint(ocid), keys["other"])
    assert other.status_code == 403
    assert error_of(other)["code"] == "other-organisation"
    by_admin = post(client, "/api/publish/registers/complaints", complaint(ocid), keys["admin"])
    assert by_admin.status_code == 201
    found = client.get("/api/registers/complaints", {"ocid": ocid}).json()["entries"]
    assert [entry["id"] for entry in found] == ["CMP-000002", "CMP-000001"]
    by_party = client.get("/api/registers/complaints", {"organisation": "GB-COH-7654321"}).json()
    assert len(by_party["entries"]) == 2
    # Paging: one at a time, newest first.
    first = client.get("/api/registers/complaints", {"limit": 1}).json()
    assert [entry["id"] for entry in first["entries"]] == ["CMP-000002"]
    second = client.get(first["next"]).json()
    assert [entry["id"] for entry in second["entries"]] == ["CMP-000001"]
    # Another authority cannot change it either.
    closed = complaint(
        ocid, lot="2", status="closed", outcome="not-upheld", closedDate="2025-08-30"
    )
    path = "/api/publish/registers/complaints/CMP-000001"
    assert put(client, path, closed, keys["other"], version=1).status_code == 403
    assert put(client, path, closed, keys["own"], version=1).status_code == 201


@pytest.mark.parametrize(
    ("changes", "pointer", "code"),
    [
        ({"ocid": "ocds-b5fd17-none"}, "/ocid", "unknown-ocid"),
        ({"ocid": "not an ocid"}, "/ocid", "malformed-ocid"),
        ({"lot": "9"}, "/lot", "unknown-lot"),
        ({"status": "closed"}, "/outcome", "required"),
        ({"outcome": "upheld"}, "/outcome", "outcome-before-closed"),
        ({"decisionDate": "2025-07-01"}, "/decisionDate", "dates-out-of-order"),
        ({"parties": [{"name": "X", "role": "judge"}]}, "/parties/0/role", "unknown-code"),
        ({"parties": [{"name": "X", "role": "complainant", "identifier": "GB-COH-123456789"}]},
         "/parties/0/identifier", None),
        ({"parties": "Rival Mowing"}, "/parties", "not-a-list"),
        ({"grounds": None}, "/grounds", "required"),
    ],
)  # fmt: skip
def test_a_bad_complaint_is_refused(reader, shared, changes, pointer, code):
    entry = complaint(COMPLAINED) | changes
    response = post(reader, "/api/publish/registers/complaints", entry, shared["keys"]["own"])
    assert response.status_code == 422, response.content
    problems = error_of(response)["problems"]
    assert pointer in [problem["pointer"] for problem in problems]
    if code is not None:
        assert code in [problem["code"] for problem in problems]
    assert log.log_size(shared["store"]) == shared["logged"]


def test_legal_challenges(client, keys):
    ocid = "ocds-b5fd17-lch"
    _process_with_lots(client, keys["own"], ocid)
    path = "/api/publish/registers/challenges"
    assert post(client, path, challenge(ocid), keys["own"]).status_code == 201
    lifted = challenge(ocid, automaticSuspension=False, suspensionLiftedDate="2025-08-20")
    refused = post(client, path, lifted, keys["own"])
    assert refused.status_code == 422
    assert error_of(refused)["problems"][0]["code"] == "no-suspension"
    early = post(client, path, challenge(ocid, judgmentDate="2025-07-01"), keys["own"])
    assert error_of(early)["problems"][0]["code"] == "dates-out-of-order"
    entry = client.get("/api/registers/challenges/LCH-000001").json()
    assert entry["court"].startswith("High Court") and entry["automaticSuspension"] is True
    assert "inForce" not in entry


@pytest.mark.parametrize(
    ("path", "query", "parameter"),
    [
        ("/api/registers/debarment", {"organisation": "Acme Ltd"}, "organisation"),
        ("/api/registers/debarment", {"status": "open"}, "status"),
        ("/api/registers/debarment", {"in_force_on": "2025-13-01"}, "in_force_on"),
        ("/api/registers/debarment", {"before": "x"}, "before"),
        ("/api/registers/debarment", {"limit": "0"}, "limit"),
        ("/api/registers/complaints", {"ocid": "nope"}, "ocid"),
        ("/api/registers/debarment/awards", {"entry": "x"}, "entry"),
    ],
)
def test_bad_filters_are_refused(reader, shared, path, query, parameter):
    response = reader.get(path, query)
    assert response.status_code == 400, response.content
    assert orjson.loads(response.content)["error"]["parameter"] == parameter


def test_an_unknown_entry_is_not_found(reader, shared):
    for path in ("/api/registers/debarment/DEB-000001", "/api/registers/complaints/<script>"):
        response = reader.get(path)
        assert response.status_code == 404
        assert orjson.loads(response.content)["error"]["code"] == "not-found"


def test_an_organisation_shows_every_register_naming_it(client, keys):
    post(client, "/api/publish/registers/debarment", debarment(), keys["admin"])
    ocid = "ocds-b5fd17-org"
    _process_with_lots(client, keys["own"], ocid)
    post(client, "/api/publish/registers/complaints", complaint(ocid), keys["own"])
    post(client, "/api/publish/registers/challenges", challenge(ocid), keys["own"])
    supplier = client.get("/api/organisations/GB-COH-1234567").json()["registers"]
    [listed] = supplier["debarment"]
    assert listed["id"] == "DEB-000001" and listed["ground"] == "mandatory"
    assert listed["inForce"] is ("2025-01-15" <= date.today().isoformat() <= "2027-01-14")
    assert listed["url"] == "/api/registers/debarment/DEB-000001"
    assert supplier["complaints"] == [] and supplier["suppliers"] == []
    assert supplier["commercialTools"]["memberOf"] == 0
    # The authority whose process it is sees the complaint and the challenge about it, though
    # they name it only by its name.
    buyer = client.get("/api/organisations/GB-PPON-PXXX-1234-BCDG").json()["registers"]
    assert [(entry["id"], entry["ocid"]) for entry in buyer["complaints"]] == [("CMP-000001", ocid)]
    assert [entry["id"] for entry in buyer["challenges"]] == ["LCH-000001"]
    # So does the complainant, by its identifier.
    rival = client.get("/api/organisations/GB-COH-07654321")
    assert rival.status_code == 200  # no process names it: the registers do
    assert rival.json()["processes"] == 0
    assert [e["id"] for e in rival.json()["registers"]["complaints"]] == ["CMP-000001"]
    assert client.get("/api/organisations/GB-COH-07777777").status_code == 404


@pytest.mark.parametrize("reference", [["x"], {"id": "x"}, None, 1.5])
def test_a_malformed_award_supplier_is_no_crash(client, keys, reference):
    ocid = "ocds-b5fd17-odd"
    post(client, "/api/publish/releases", tender(ocid), keys["own"])
    release = award(ocid)
    release["awards"][0]["suppliers"] = [{"id": reference}]
    response = post(client, "/api/publish/releases", release, keys["own"])
    assert response.status_code in (201, 422), response.content


def test_if_match_compares_strongly(client, keys):
    post(client, "/api/publish/registers/debarment", debarment(), keys["admin"])
    path = "/api/publish/registers/debarment/DEB-000001"
    for weak in ('W/"1"', '"1'):
        response = client.put(
            path, data=orjson.dumps(debarment(status="removed")),
            content_type="application/json", HTTP_IF_MATCH=weak, **bearer(keys["admin"]),
        )  # fmt: skip
        assert response.status_code == 400, weak
