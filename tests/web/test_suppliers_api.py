"""Supplier registration through the publish API, the register of suppliers in the public API,
and share codes, on both databases."""

import hashlib
from datetime import date, timedelta

import orjson
import pytest
from django.test import Client

from openbook.standards import identifiers
from openbook.standards.canonical import canonical_json
from openbook.store import audit, log, models
from openbook.store import registers as stored
from tests.conftest import reuse
from tests.publishing import (
    OTHER_BUYER,
    award,
    bearer,
    create_key,
    create_publisher,
    post,
    tender,
)

ACME = {
    "legalName": "Acme Grounds Limited",
    "otherNames": ["Acme Gardens"],
    "address": {"streetAddress": "1 High Street", "locality": "Leeds", "postalCode": "LS1 1AA"},
    "identifiers": ["GB-COH-1234567", "GB-VAT-GB217967235"],
    "sme": True,
    "vcse": False,
    "status": "active",
    "contact": {"name": "Bids team", "email": "bids@acme.example"},
    "connectedPersons": [
        {"name": "Jane Smith", "kind": "individual", "role": "person-with-significant-control"}
    ],
}
PRIVATE_NAMES = ("contact", "connectedPersons", "exclusions")


def error_of(response) -> dict:
    return orjson.loads(response.content)["error"]


def put(client, path, value, key, version):
    return client.put(
        path, data=orjson.dumps(value), content_type="application/json",
        HTTP_IF_MATCH=f'"{version}"', **bearer(key),
    )  # fmt: skip


@pytest.fixture
def keys(store):
    return _keys(store)


def _keys(store) -> dict:
    own = create_publisher(store)
    other = create_publisher(store, OTHER_BUYER)
    return {
        "buyer": create_key(store, own),
        "other_buyer": create_key(store, other),
        "admin": create_key(store, own, role="administrator"),
    }


@pytest.fixture
def acme(client, keys):
    return _register_acme(client, keys)


def _register_acme(client, keys) -> tuple[str, str]:
    response = post(client, "/api/publish/suppliers", ACME, keys["admin"])
    assert response.status_code == 201, response.content
    answer = response.json()
    return answer["entry"]["id"], answer["key"]


@pytest.fixture(scope="module")
def _shared(shared_database):
    store = reuse(shared_database).store
    made = _keys(store)
    registered = _register_acme(Client(), made)
    listed = Client().get("/api/registers/suppliers").json()["entries"]
    return made, registered, log.log_size(store), listed


@pytest.fixture
def shared(shared_database, _shared) -> dict:
    """The keys and Acme registered, on one database a kind for the module's refusals: each
    checks that nothing was stored, against the log and the register of suppliers as they
    were at this set-up ("logged", "listed")."""
    store = reuse(shared_database).store
    made, registered, logged, listed = _shared
    return {"store": store, "keys": made, "acme": registered, "logged": logged, "listed": listed}


def test_a_registered_supplier_gets_a_number_and_a_key(client, store, keys, acme):
    number, key = acme
    assert number.startswith("GB-OPENBOOK-")
    assert identifiers.check_party_id(number).ok  # its check character is right
    assert key.startswith("obk_")
    public = client.get(f"/api/registers/suppliers/{number}").json()
    assert public["legalName"] == "Acme Grounds Limited"
    assert public["identifiers"] == ["GB-COH-01234567", "GB-VAT-217967235"]  # normalised
    assert not any(name in public for name in PRIVATE_NAMES)
    [version] = public["versions"]
    assert not any(name in version["entry"] for name in PRIVATE_NAMES)
    # The log holds a salted hash of the private part, which proves it without showing it.
    salt, private = stored.private(store, number, 1)
    assert private["contact"]["email"] == "bids@acme.example"
    expected = hashlib.sha256(canonical_json({"salt": salt, "private": private})).hexdigest()
    assert version["entry"]["private"] == {"sha256": expected}
    [statement] = log.record_statements(store, "suppliers", number)
    assert b"bids@acme.example" not in statement.body and b"Jane Smith" not in statement.body
    # Found by any of its identifiers, as any source writes them.
    listed = client.get("/api/registers/suppliers", {"organisation": "GB-COH-01234567"}).json()
    assert [entry["id"] for entry in listed["entries"]] == [number]
    by_number = client.get("/api/registers/suppliers", {"organisation": number}).json()
    assert len(by_number["entries"]) == 1
    assert public["debarment"] == []


def test_the_supplier_keeps_its_own_entry(client, acme):
    number, key = acme
    own = client.get("/api/publish/supplier", **bearer(key))
    assert own.status_code == 200 and own["ETag"] == '"1"'
    assert own.json()["contact"]["email"] == "bids@acme.example"
    moved = {**ACME, "address": {**ACME["address"], "locality": "Bradford"}}
    changed = put(client, "/api/publish/supplier", moved, key, 1)
    assert changed.status_code == 201, changed.content
    assert changed.json()["entry"]["version"] == 2
    # A private change alone is a new version too (its hash in the log changes).
    private_only = {**moved, "contact": {"email": "tenders@acme.example"}}
    assert put(client, "/api/publish/supplier", private_only, key, 2).status_code == 201
    same = put(client, "/api/publish/supplier", private_only, key, 3)
    assert same.status_code == 200 and same.json()["outcome"] == "unchanged"
    stale = put(client, "/api/publish/supplier", moved, key, 1)
    assert stale.status_code == 409
    versions = client.get(f"/api/registers/suppliers/{number}").json()["versions"]
    assert [v["entry"]["address"]["locality"] for v in versions] == [
        "Leeds",
        "Bradford",
        "Bradford",
    ]
    assert client.get("/api/publish/supplier", **bearer(key)).json()["contact"] == {
        "email": "tenders@acme.example"
    }


def test_keys_act_only_within_their_role(client, keys, acme):
    _, key = acme
    # A supplier key publishes nothing, registers no one, reads no audit trail.
    for path, body in [
        ("/api/publish/releases", tender("ocds-b5fd17-s1")),
        ("/api/publish/suppliers", ACME),
    ]:
        response = post(client, path, body, key)
        assert response.status_code == 403 and error_of(response)["code"] == "role-required"
    # A publisher key registers no supplier and has no supplier entry.
    assert post(client, "/api/publish/suppliers", ACME, keys["buyer"]).status_code == 403
    assert client.get("/api/publish/supplier", **bearer(keys["buyer"])).status_code == 403


def test_a_supplier_registers_once(client, store, keys, acme):
    before = log.log_size(store)
    organisations = models.Organisation.objects.using(store.alias).count()
    again = {**ACME, "legalName": "Acme Grounds Ltd", "identifiers": ["GB-COH-01234567"]}
    response = post(client, "/api/publish/suppliers", again, keys["admin"])
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "identifier-held"
    assert acme[0] in error["message"] and "GB-COH-01234567" in error["message"]
    assert log.log_size(store) == before
    assert models.Organisation.objects.using(store.alias).count() == organisations


@pytest.mark.parametrize(
    ("changes", "pointer", "code"),
    [
        ({"identifiers": ["GB-COH-ABC"]}, "/identifiers/0", None),
        ({"identifiers": ["GB-OPENBOOK-ABCD-1234-X"]}, "/identifiers/0", None),
        ({"identifiers": ["GB-COH-01234567", "GB-COH-1234567"]}, "/identifiers/1", "duplicate"),
        ({"sme": "yes"}, "/sme", "not-a-boolean"),
        ({"legalName": "  "}, "/legalName", "required"),
        ({"contact": {"email": "not an address"}}, "/contact/email", "malformed-email"),
        ({"connectedPersons": [{"name": "X", "kind": "robot", "role": "director"}]},
         "/connectedPersons/0/kind", "unknown-code"),
        ({"website": "ftp://acme"}, "/website", "malformed-url"),
    ],
)  # fmt: skip
def test_a_bad_registration_is_refused(reader, shared, changes, pointer, code):
    response = post(reader, "/api/publish/suppliers", {**ACME, **changes}, shared["keys"]["admin"])
    assert response.status_code == 422, response.content
    problems = error_of(response)["problems"]
    assert pointer in [problem["pointer"] for problem in problems]
    if code is not None:
        assert code in [problem["code"] for problem in problems]
    assert log.log_size(shared["store"]) == shared["logged"]
    assert reader.get("/api/registers/suppliers").json()["entries"] == shared["listed"]


def _share(client, key, buyer="GB-PPON-PXXX-1234-BCDG", days=30):
    expires = (date.today() + timedelta(days=days)).isoformat()
    return post(client, "/api/publish/supplier/share-codes", {"buyer": buyer, "expires": expires},
                key)  # fmt: skip


def _read(client, number, code, key):
    return post(client, f"/api/publish/suppliers/{number}/shared", {"shareCode": code}, key)


def test_a_share_code_opens_the_private_part_to_one_buyer(client, store, keys, acme):
    number, key = acme
    made = _share(client, key)
    assert made.status_code == 201, made.content
    code = made.json()["code"]
    assert code.startswith("obs_")
    shared = _read(client, number, code, keys["buyer"])
    assert shared.status_code == 200, shared.content
    assert shared.json()["connectedPersons"][0]["name"] == "Jane Smith"
    other = _read(client, number, code, keys["other_buyer"])
    assert other.status_code == 403 and error_of(other)["code"] == "share-code-other-buyer"
    forged = _read(client, number, code[:-4] + "AAAA", keys["buyer"])
    assert error_of(forged)["code"] == "share-code-invalid"
    assert error_of(_read(client, number, None, keys["buyer"]))["code"] == "share-code-invalid"
    # Expired: the last day it could be used has passed.
    models.ShareCode.objects.using(store.alias).update(
        expires=(date.today() - timedelta(days=1)).isoformat()
    )
    expired = _read(client, number, code, keys["buyer"])
    assert expired.status_code == 403 and error_of(expired)["code"] == "share-code-expired"
    # Revoked.
    fresh = _share(client, key).json()
    revoked = client.delete(f"/api/publish/supplier/share-codes/{fresh['id']}", **bearer(key))
    assert revoked.status_code == 204
    again = client.delete(f"/api/publish/supplier/share-codes/{fresh['id']}", **bearer(key))
    assert again.status_code == 409
    late = _read(client, number, fresh["code"], keys["buyer"])
    assert error_of(late)["code"] == "share-code-revoked"
    listed = client.get("/api/publish/supplier/share-codes", **bearer(key)).json()["shareCodes"]
    assert [c["revoked"] is not None for c in listed] == [False, True]
    assert not any("code" in c for c in listed)  # the secret is shown once only
    # Every use and refusal is in the audit trail.
    actions = [event.action for event in audit.events(store, limit=1000)]
    assert actions.count("share-code.use") == 1
    assert actions.count("share-code.refused") == 5


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"buyer": "GB-PPON-PXXX-1234-BCDG", "expires": "2020-01-01"}, "invalid"),
        ({"buyer": "GB-PPON-PXXX-1234-BCDG", "expires": "01/01/2030"}, "invalid"),
        ({"buyer": "GB-PPON-PXXX-1234-BCDG"}, "invalid"),
        ({"buyer": "GB-GOR-ZZ999", "expires": date.today().isoformat()}, "unknown-buyer"),
        ({"expires": date.today().isoformat()}, "invalid"),
    ],
)
def test_a_bad_share_code_request_is_refused(reader, shared, body, code):
    _, key = shared["acme"]
    response = post(reader, "/api/publish/supplier/share-codes", body, key)
    assert response.status_code == 422 and error_of(response)["code"] == code
    assert "expires" in error_of(response)["message"] or "buyer" in error_of(response)["message"]
    assert models.ShareCode.objects.using(shared["store"].alias).count() == 0
    assert log.log_size(shared["store"]) == shared["logged"]


def test_a_share_code_lasts_at_most_a_year(client, acme):
    _, key = acme
    assert _share(client, key, days=366).status_code == 201
    too_long = _share(client, key, days=367)
    assert too_long.status_code == 422 and "at most 366 days" in error_of(too_long)["message"]


def test_an_unknown_supplier_is_not_found(reader, shared):
    assert reader.get("/api/registers/suppliers/GB-OPENBOOK-ABCD-1234-X").status_code == 404
    assert reader.get("/api/registers/suppliers/acme").status_code == 404


def _award_naming(ocid, number):
    release = award(ocid)
    release["parties"][1]["identifier"] = {"scheme": "GB-OPENBOOK", "id": number}
    return release


def test_publishers_name_suppliers_by_their_number(client, store, keys, acme):
    number, _ = acme
    ocid = "ocds-b5fd17-sup1"
    assert post(client, "/api/publish/releases", tender(ocid), keys["buyer"]).status_code == 201
    eight = "ABCD2345" if number[12:21].replace("-", "") != "ABCD2345" else "ABCD2346"
    unknown = f"{eight[:4]}-{eight[4:]}-{identifiers.platform_check_character(eight)}"
    before = log.log_size(store)
    refused = post(client, "/api/publish/releases", _award_naming(ocid, unknown), keys["buyer"])
    assert refused.status_code == 422, refused.content
    [problem] = [p for p in error_of(refused)["problems"] if p["blocking"]]
    assert problem["code"] == "party.identifier.unregistered"
    assert problem["pointer"] == "/parties/1/identifier"
    assert log.log_size(store) == before
    own = number.removeprefix("GB-OPENBOOK-")
    published = post(client, "/api/publish/releases", _award_naming(ocid, own), keys["buyer"])
    assert published.status_code == 201, published.content
    # A registered supplier can be debarred by its number alone; its page then shows it.
    entry = {
        "supplier": {"identifier": number, "name": "Acme Grounds Limited"},
        "ground": {"type": "discretionary", "reference": "Schedule 7, paragraph 2"},
        "decisionDate": "2025-01-10",
        "startDate": "2025-01-15",
        "endDate": "2026-01-14",
        "status": "active",
    }
    assert post(client, "/api/publish/registers/debarment", entry, keys["admin"]).status_code == 201
    page = client.get(f"/api/registers/suppliers/{number}").json()
    assert [listed["id"] for listed in page["debarment"]] == ["DEB-000001"]


def test_a_supplier_key_cannot_claim_or_drop_identifiers(client, store, keys, acme):
    _, key = acme
    claimed = {**ACME, "identifiers": [*ACME["identifiers"], "GB-COH-09999999"]}
    response = put(client, "/api/publish/supplier", claimed, key, 1)
    assert response.status_code == 403 and error_of(response)["code"] == "identifiers-locked"
    dropped = {**ACME, "identifiers": []}
    assert put(client, "/api/publish/supplier", dropped, key, 1).status_code == 403
    # So the real holder of that number can still register.
    other = {**ACME, "legalName": "Other Ltd", "identifiers": ["GB-COH-09999999"]}
    assert post(client, "/api/publish/suppliers", other, keys["admin"]).status_code == 201


def test_identifiers_match_exactly_on_both_databases(client, keys):
    """Schemes the platform does not check keep their ids as given: case counts."""
    lower = {**ACME, "identifiers": ["XI-FOO-abc"]}
    upper = {**ACME, "legalName": "Upper Ltd", "identifiers": ["XI-FOO-ABC"]}
    assert post(client, "/api/publish/suppliers", lower, keys["admin"]).status_code == 201
    assert post(client, "/api/publish/suppliers", upper, keys["admin"]).status_code == 201
    found = client.get("/api/registers/suppliers", {"organisation": "XI-FOO-ABC"}).json()
    assert [entry["legalName"] for entry in found["entries"]] == ["Upper Ltd"]


@pytest.mark.parametrize("listed_as", ["number", "company"])
def test_a_registered_supplier_is_debarred_under_all_its_identifiers(
    client, store, keys, acme, listed_as
):
    """Listed by one identifier, awarded by another: the award still needs its reason."""
    number, _ = acme
    listed = number if listed_as == "number" else "GB-COH-01234567"
    entry = {
        "supplier": {"identifier": listed, "name": "Acme Grounds Limited"},
        "ground": {"type": "mandatory", "reference": "Schedule 6, paragraph 1"},
        "decisionDate": "2025-01-10",
        "startDate": "2025-01-15",
        "endDate": "2027-01-14",
        "status": "active",
    }
    assert post(client, "/api/publish/registers/debarment", entry, keys["admin"]).status_code == 201
    ocid = f"ocds-b5fd17-alias-{listed_as}"
    assert post(client, "/api/publish/releases", tender(ocid), keys["buyer"]).status_code == 201
    release = award(ocid)
    supplier = release["parties"][1]
    if listed_as == "number":  # awarded by its company number
        supplier["identifier"] = {"scheme": "GB-COH", "id": "01234567"}
    else:  # awarded by its supplier number only, under a party id that is no identifier
        supplier["id"] = "sup-1"
        release["awards"][0]["suppliers"] = [{"id": "sup-1", "name": "Acme"}]
        supplier["identifier"] = {"scheme": "GB-OPENBOOK", "id": number[12:]}
    refused = post(client, "/api/publish/releases", release, keys["buyer"])
    assert refused.status_code == 422, refused.content
    codes = [problem["code"] for problem in error_of(refused)["problems"]]
    assert "award.supplier.debarred" in codes
