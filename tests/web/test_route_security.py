"""Security by construction (issue 4, item 10): every route is either public and read-only or
needs an API key, every publishing operation declares and enforces its scope, and a key is
refused everywhere it does not belong. Keys never reach the logs."""

import inspect
import logging
import re
from unittest import mock

import orjson
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from ninja.openapi.views import openapi_json
from ninja.operation import PathView

from openbook.publishing import publishers
from openbook.publishing.keys import PREFIX
from openbook.store import log
from openbook.web.api import api
from openbook.web.publish import publish_api
from openbook.web.publish.auth import (
    ORGANISATION,
    ORGANISATION_OR_PLATFORM,
    PLATFORM,
    SUPPLIER_OWN,
    PublishKey,
)
from tests.conftest import reuse
from tests.publishing import (
    CLI,
    OTHER_BUYER,
    create_key,
    create_publisher,
    pipeline,
    post,
    tender,
)

READ_ONLY = {"GET", "HEAD", "OPTIONS"}
# The platform's own writes, for administrator keys only: redacting a body (docs/log-format.md),
# keeping the debarment list (docs/registers.md).
ADMINISTRATOR_WRITES = {
    "/redactions",
    "/suppliers",
    "/registers/debarment",
    "/registers/debarment/{entry_id}",
}
# Writes an authority makes about its own processes, or an administrator about any: complaints
# and legal challenges (the use case checks whose the process is).
SHARED_WRITES = {
    "/registers/complaints",
    "/registers/complaints/{entry_id}",
    "/registers/challenges",
    "/registers/challenges/{entry_id}",
}
WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _patterns(resolver=None, prefix=""):
    """Every URL pattern, with its route, through nested includes."""
    for pattern in (resolver or get_resolver()).url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def _path_view(pattern: URLPattern) -> PathView | None:
    """The django-ninja operations behind a URL pattern, if it is one of theirs."""
    if not inspect.isfunction(pattern.callback):
        return None
    found = inspect.getclosurevars(pattern.callback).nonlocals.get("self")
    return found if isinstance(found, PathView) else None


def _is_openapi_document(pattern: URLPattern) -> bool:
    # django-ninja's OpenAPI documents answer any method with the document: they only render.
    return getattr(pattern.callback, "func", None) is openapi_json


def _operations(ninja_api):
    for router in ninja_api._get_bound_routers():
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                yield path, operation


def test_every_route_is_public_and_read_only_or_needs_a_key():
    checked = 0
    for route, pattern in _patterns():
        path_view = _path_view(pattern)
        if path_view is None:
            continue  # plain Django views: checked by requests below
        for operation in path_view.operations:
            checked += 1
            methods = set(operation.methods)
            keyed = any(isinstance(auth, PublishKey) for auth in operation.auth_callbacks)
            assert methods <= READ_ONLY or keyed, f"{route} {methods} is a write without a key"
            if route.startswith("api/publish/"):
                assert keyed, f"{route}: every publish API operation needs a key"
            else:
                assert methods <= READ_ONLY and not keyed, f"{route}: the public API is read-only"
    assert checked >= 10


# The pages' forms (docs/pages.md): the only plain views that take writes, each only with the
# session's CSRF token: the publisher pages (all but signing in only for a signed-in account)
# and the email alerts' subscriptions.
FORMS = ("publish/", "alerts/", "suppliers/")


@pytest.mark.parametrize("method", WRITES)
def test_plain_views_refuse_writes(reader, shared, method):
    checked_forms = 0
    for route, pattern in _patterns():
        if _path_view(pattern) is not None or _is_openapi_document(pattern):
            continue
        path = "/" + re.sub(r"<(\w+:)?(\w+)>", r"\2", route.replace("<path:name>", "SHA256SUMS"))
        if route.startswith(FORMS):
            answer = Client(enforce_csrf_checks=True).generic(method, path)
            # 404: a one-click unsubscribe (RFC 8058) is a POST its token alone authorises.
            assert answer.status_code in (403, 404, 405), f"{method} {path}: {answer.status_code}"
            checked_forms += 1
            continue
        response = reader.generic(method, path)
        assert response.status_code in (405, 404), f"{method} {path}: {response.status_code}"
    assert checked_forms >= 5
    assert log.log_size(shared["store"]) == shared["logged"]


def test_the_publisher_pages_need_a_signed_in_account(shared):
    for route, _pattern in _patterns():
        if not route.startswith(FORMS[0]) or route == "publish/sign-in":
            continue
        path = "/" + re.sub(r"<(\w+:)?(\w+)>", r"\2", route)
        answer = Client().get(path)
        assert answer.status_code in (302, 405), f"GET {path}: {answer.status_code}"
        if answer.status_code == 302:
            assert answer["Location"].startswith("/publish/sign-in?next="), path


def test_every_publishing_operation_declares_and_enforces_its_scope():
    operations = list(_operations(publish_api))
    assert {path for path, _ in operations} >= {
        "/releases",
        "/validate",
        "/ocids",
        "/audit",
        "/documents",
        "/documents/{sha256}",
    }
    for path, operation in operations:
        scope = getattr(operation.view_func, "openbook_scope", None)
        scopes = (ORGANISATION, PLATFORM, ORGANISATION_OR_PLATFORM, SUPPLIER_OWN)
        assert scope in scopes, f"{path}: no scope"
        assert operation.auth_callbacks and all(
            isinstance(auth, PublishKey) for auth in operation.auth_callbacks
        ), f"{path} is not declared with the API key"
        if path in ADMINISTRATOR_WRITES:
            assert scope == PLATFORM, f"{path}: only administrator keys may do this"
        elif path in SHARED_WRITES:
            assert scope == ORGANISATION_OR_PLATFORM, f"{path}: an authority's or the platform's"
        elif path == "/supplier" or path.startswith("/supplier/"):
            assert scope == SUPPLIER_OWN, f"{path}: a supplier's own"
        elif set(operation.methods) - READ_ONLY:
            assert scope == ORGANISATION, f"{path}: writes act for the key's organisation only"
    # The public API has no authenticated operation at all.
    assert all(not operation.auth_callbacks for _, operation in _operations(api))


@pytest.fixture
def keys(store):
    return _keys(store)


@pytest.fixture(scope="module")
def _shared(shared_database):
    store = reuse(shared_database).store
    made = _keys(store)
    return made, log.log_size(store)


@pytest.fixture
def shared(shared_database, _shared) -> dict:
    """The keys, on one database a kind for the module's requests refused or read: each stores
    nothing, which the refusals check against the log's size at this set-up ("logged")."""
    store = reuse(shared_database).store
    made, logged = _shared
    return {"store": store, "keys": made, "logged": logged}


def _keys(store) -> dict:
    own = create_publisher(store)
    other = create_publisher(store, OTHER_BUYER)
    return {
        "own": create_key(store, own),
        "other": create_key(store, other),
        "admin": create_key(store, own, role="administrator"),
        "own_org": own,
    }


def error_of(response) -> dict:
    return orjson.loads(response.content)["error"]


def test_a_key_cannot_publish_for_another_organisation(client, keys):
    response = post(client, "/api/publish/releases", tender("ocds-b5fd17-1"), keys["other"])
    assert response.status_code == 403
    [problem] = error_of(response)["problems"]
    assert problem["code"] == "other-organisation" and problem["pointer"] == "/buyer"
    assert "Example Borough Council (GB-PPON-PXXX-1234-BCDG)" in problem["message"]
    assert "Another District Council (GB-GOR-PB999)" in problem["message"]
    # Validating is scoped too.
    assert (
        post(client, "/api/publish/validate", tender("ocds-b5fd17-1"), keys["other"]).status_code
        == 403
    )
    assert client.get("/api/ocds/releases").json()["releases"] == []


def test_an_authority_notice_must_name_the_keys_own_organisation(client, keys):
    response = post(client, "/api/publish/releases", pipeline("ocds-b5fd17-p"), keys["other"])
    assert response.status_code == 403
    message = error_of(response)["problems"][0]["message"]
    assert "UK1 pipeline notice belongs to the authority that publishes it" in message
    own = post(
        client, "/api/publish/releases", pipeline("ocds-b5fd17-p2", OTHER_BUYER), keys["other"]
    )
    assert own.status_code == 201, own.content


def test_a_key_cannot_add_to_another_organisations_process(client, keys):
    assert (
        post(client, "/api/publish/releases", tender("ocds-b5fd17-9"), keys["own"]).status_code
        == 201
    )
    # The other organisation names itself as buyer, in the first organisation's process.
    release = tender("ocds-b5fd17-9")
    release["id"] = "hijack"
    release["buyer"] = dict(OTHER_BUYER)
    release["parties"] = [{**OTHER_BUYER, "roles": ["buyer"]}]
    response = post(client, "/api/publish/releases", release, keys["other"])
    assert response.status_code == 403
    [problem] = error_of(response)["problems"]
    assert problem["code"] == "other-organisation-process" and problem["pointer"] == "/ocid"
    # Nor under an ocid the platform minted for another organisation.
    minted = post(client, "/api/publish/ocids", {}, keys["own"]).json()["ocid"]
    release["ocid"] = minted
    response = post(client, "/api/publish/releases", release, keys["other"])
    assert response.status_code == 403
    assert error_of(response)["problems"][0]["code"] == "ocid-not-minted"
    assert len(client.get("/api/ocds/releases").json()["releases"]) == 1


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "key-missing"),
        ("", "key-missing"),
        ("Basic dXNlcjpwYXNz", "key-malformed"),
        ("Bearer", "key-malformed"),
        ("Bearer not-a-key", "key-malformed"),
        (f"Bearer {PREFIX}aaaaaaaaaaaa_" + "A" * 43, "key-invalid"),
    ],
)
def test_a_missing_or_malformed_key_is_refused(reader, shared, header, code):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    response = reader.post(
        "/api/publish/releases", data=b"{}", content_type="application/json", **extra
    )
    assert response.status_code == 401
    assert error_of(response)["code"] == code
    assert response["WWW-Authenticate"].startswith('Bearer realm="openbook publishing"')
    assert log.log_size(shared["store"]) == shared["logged"]


def test_a_forged_key_is_refused_like_an_unknown_one(client, keys):
    real = keys["own"]
    secret = real[len(PREFIX) + 13 :]
    forged = real[:-5] + ("AAAAA" if not real.endswith("AAAAA") else "BBBBB")
    unknown = f"{PREFIX}{'a' * 12}_{secret}"  # a real secret under a key id that is not its own
    answers = [
        post(client, "/api/publish/releases", tender("ocds-b5fd17-1"), key)
        for key in (forged, unknown)
    ]
    assert [a.status_code for a in answers] == [401, 401]
    assert error_of(answers[0]) == error_of(answers[1])  # nothing tells the two apart
    assert error_of(answers[0])["code"] == "key-invalid"


def test_a_revoked_key_is_refused(client, store, keys):
    key_id = keys["own"][len(PREFIX) : len(PREFIX) + 12]
    assert post(client, "/api/publish/ocids", {}, keys["own"]).status_code == 201
    publishers.revoke_key(store, key_id, CLI)
    response = post(client, "/api/publish/releases", tender("ocds-b5fd17-1"), keys["own"])
    assert response.status_code == 401
    assert error_of(response)["code"] == "key-revoked"
    assert key_id in error_of(response)["message"]
    assert post(client, "/api/publish/ocids", {}, keys["own"]).status_code == 401


def test_roles_are_kept_apart(client, keys):
    # A publisher key cannot read the audit trail; an administrator key cannot publish.
    response = client.get("/api/publish/audit", HTTP_AUTHORIZATION=f"Bearer {keys['own']}")
    assert response.status_code == 403 and error_of(response)["code"] == "role-required"
    response = post(client, "/api/publish/releases", tender("ocds-b5fd17-1"), keys["admin"])
    assert response.status_code == 403 and error_of(response)["code"] == "role-required"
    response = client.get("/api/publish/audit", HTTP_AUTHORIZATION=f"Bearer {keys['admin']}")
    assert response.status_code == 200


def test_keys_never_reach_the_logs(client, store, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    organisation = create_publisher(store)
    created = publishers.create_key(store, str(organisation.id), "system", CLI)
    secret = created.secret
    revoked = create_key(store, organisation)
    publishers.revoke_key(store, revoked[len(PREFIX) : len(PREFIX) + 12], CLI)
    forged = secret[:-3] + "zzz"
    for key in (secret, revoked, forged):
        post(client, "/api/publish/releases", tender("ocds-b5fd17-1"), key)
        post(client, "/api/publish/releases", b"{broken", key)
        client.post(
            "/api/publish/releases",
            data=b"{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {key}",
        )
    # An unexpected failure is logged with its trace, and still without the key.
    with mock.patch("openbook.publishing.publish._histories", side_effect=RuntimeError("boom")):
        response = post(client, "/api/publish/releases", tender("ocds-b5fd17-2"), secret)
    assert response.status_code == 500
    assert "boom" not in response.content.decode()
    logged = (
        caplog.text
        + "".join(str(record.__dict__) for record in caplog.records)
        + capsys.readouterr().err
    )
    assert "boom" in logged  # the operator sees the failure
    for key in (secret, revoked, forged):
        assert key not in logged
        assert key[len(PREFIX) + 13 :] not in logged  # nor its secret alone
    # Nor the database: only the hash is stored.
    stored = publishers.list_keys(store, str(organisation.id))
    assert all(secret not in repr(key) for key in stored)


def _named_as(release: dict, buyer: dict, party: dict) -> dict:
    """The release with this buyer reference and this one buyer party."""
    return {**release, "buyer": buyer, "parties": [{**party, "roles": ["buyer"]}]}


def test_an_additional_identifier_does_not_make_another_organisations_release_yours(client, keys):
    # Buyer and buyer party entirely the other organisation's; only an additional identifier
    # names the key's own. Additional identifiers are not authorisation.
    release = _named_as(
        tender("ocds-b5fd17-s1"),
        dict(OTHER_BUYER),
        {
            **OTHER_BUYER,
            "identifier": {"scheme": "GB-GOR", "id": "PB999"},
            "additionalIdentifiers": [{"scheme": "GB-PPON", "id": "PXXX-1234-BCDG"}],
        },
    )
    response = post(client, "/api/publish/releases", release, keys["own"])
    assert response.status_code == 403, response.content
    [problem] = error_of(response)["problems"]
    assert problem["code"] == "other-organisation" and problem["pointer"] == "/buyer"
    assert client.get("/api/ocds/releases").json()["releases"] == []


def test_a_buyer_is_yours_by_its_id_or_its_partys_primary_identifier(client, keys):
    # The party id is the system's own; the party's identifier is the organisation's.
    local = {"id": "buyer-1", "name": "Example Borough Council"}
    release = _named_as(
        tender("ocds-b5fd17-s2"),
        local,
        {**local, "identifier": {"scheme": "GB-PPON", "id": "PXXX-1234-BCDG"}},
    )
    response = post(client, "/api/publish/releases", release, keys["own"])
    assert response.status_code == 201, response.content
    # The identifier of a party that is not the buyer's does not count.
    release = _named_as(tender("ocds-b5fd17-s3"), local, local)
    release["parties"].append(
        {
            "id": "someone",
            "name": "Example Borough Council",
            "identifier": {"scheme": "GB-PPON", "id": "PXXX-1234-BCDG"},
            "roles": ["payer"],
        }
    )
    response = post(client, "/api/publish/releases", release, keys["own"])
    assert response.status_code == 403, response.content


def test_a_release_with_two_parties_of_one_id_is_refused(client, keys):
    # Scope would read one of them and the compiled release keep the other: refused outright.
    release = tender("ocds-b5fd17-s4")
    release["parties"].append({**OTHER_BUYER, "id": release["buyer"]["id"], "roles": ["buyer"]})
    response = post(client, "/api/publish/releases", release, keys["own"])
    assert response.status_code == 422, response.content
    problems = [p for p in error_of(response)["problems"] if p["code"] == "party-id-repeated"]
    assert [p["pointer"] for p in problems] == ["/parties/1/id"]
    assert "GB-PPON-PXXX-1234-BCDG" in problems[0]["message"]
    assert problems[0]["blocking"]
    assert client.get("/api/ocds/releases").json()["releases"] == []


def test_a_buyer_that_also_identifies_another_registered_organisation_is_refused(client, keys):
    for extra in (
        {"additionalIdentifiers": [{"scheme": "GB-GOR", "id": "PB999"}]},
        {"identifier": {"scheme": "GB-GOR", "id": "PB999"}},
    ):
        release = tender("ocds-b5fd17-s5")
        release["parties"][0].update(extra)
        response = post(client, "/api/publish/releases", release, keys["own"])
        assert response.status_code == 403, response.content
        [problem] = error_of(response)["problems"]
        assert problem["code"] == "buyer-ambiguous"
        assert "Another District Council (GB-GOR-PB999)" in problem["message"]
    # An additional identifier that is no registered organisation's is no one's business.
    release = tender("ocds-b5fd17-s5")
    release["parties"][0]["additionalIdentifiers"] = [{"scheme": "GB-CHC", "id": "1234567"}]
    assert post(client, "/api/publish/releases", release, keys["own"]).status_code == 201


def test_an_ocid_minted_for_another_organisation_is_refused_whatever_the_prefix(
    client, keys, monkeypatch
):
    monkeypatch.setenv("OPENBOOK_OCID_PREFIX", "ocds-abc123")
    minted = post(client, "/api/publish/ocids", {}, keys["own"]).json()["ocid"]
    # The operator changes the platform's prefix: the ocid is still the organisation's.
    monkeypatch.setenv("OPENBOOK_OCID_PREFIX", "ocds-def456")
    theirs = _named_as(tender(minted), dict(OTHER_BUYER), dict(OTHER_BUYER))
    response = post(client, "/api/publish/releases", theirs, keys["other"])
    assert response.status_code == 403, response.content
    [problem] = error_of(response)["problems"]
    assert problem["code"] == "ocid-not-minted" and problem["pointer"] == "/ocid"
    assert post(client, "/api/publish/releases", tender(minted), keys["own"]).status_code == 201
