"""The verifiable log's public API over real HTTP (the test client), on both databases:
/api/log/tree-head, /api/log/proof/inclusion, /api/log/proof/consistency, /api/log/keys."""

import base64

import orjson
import pytest

from openbook import transparency
from openbook.standards import checkpoint, merkle, note
from tests.conftest import Database, reuse
from tests.standards.test_merkle import reference_root
from tests.test_transparency import ORIGIN, append, key_dir, keys_in, recomputed_leaves

__all__ = ["key_dir"]  # a fixture every test here uses
pytestmark = pytest.mark.usefixtures("key_dir")


def get(client, path: str, status: int = 200) -> dict:
    response = client.get(path)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return orjson.loads(response.content)


@pytest.fixture
def signed(database):
    """A log of 40 entries with a head over the first 30 (the last 10 not yet signed)."""
    _sign(database.store)
    return database


def _sign(store) -> None:
    append(store, 30)
    transparency.sign_tree_head(store)
    append(store, 10)


@pytest.fixture(scope="module")
def _signed_once(shared_database, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        keys_in(tmp_path_factory.mktemp("keys"), patch)
        _sign(reuse(shared_database).store)


@pytest.fixture
def signed_once(shared_database, _signed_once) -> Database:
    """The log of ``signed``, on one database a kind for the module's tests that only read it
    (each test's own key directory, ``key_dir``, signs nothing here)."""
    return reuse(shared_database)


def test_nothing_is_signed_yet(client):
    for path in (
        "/api/log/tree-head",
        "/api/log/proof/inclusion?sequence=0&tree_size=1",
        "/api/log/proof/consistency?first=0&second=1",
    ):
        error = get(client, path, 404)["error"]
        assert error["code"] == "not-found"
        assert "openbook log sign" in error["message"]
    assert get(client, "/api/log/keys") == {"keys": []}


def test_the_tree_head_verifies_with_the_published_key(reader, signed_once):
    head = get(reader, "/api/log/tree-head")
    keys = get(reader, "/api/log/keys")["keys"]
    assert set(head) == {"treeSize", "rootHash", "timestamp", "keyId", "signature", "checkpoint"}
    assert head["treeSize"] == 30
    leaves = recomputed_leaves(signed_once.store)
    assert head["rootHash"] == reference_root(leaves[:30]).hex()
    (key,) = keys
    public = base64.b64decode(key["publicKey"])
    assert key["keyId"] == note.key_id(public) == head["keyId"]
    assert key["status"] == "current" and key["retired"] is None
    assert key["verifierKey"] == note.verifier_key(ORIGIN, public)
    assert key["publicKeyPem"].startswith("-----BEGIN PUBLIC KEY-----")
    found, _ = checkpoint.verify_tree_head(
        head["checkpoint"], ORIGIN, {key["keyId"]: (key["name"], public)}
    )
    assert (found.size, found.root.hex(), found.time) == (30, head["rootHash"], head["timestamp"])


def test_proofs_over_http_verify_against_the_signed_head(reader, signed_once):
    head = get(reader, "/api/log/tree-head")
    root = bytes.fromhex(head["rootHash"])
    leaves = recomputed_leaves(signed_once.store)
    for seq in range(30):
        proof = get(reader, f"/api/log/proof/inclusion?sequence={seq}&tree_size=30")
        assert proof["leafHash"] == leaves[seq].hex()
        path = [bytes.fromhex(value) for value in proof["auditPath"]]
        assert merkle.verify_inclusion(leaves[seq], seq, 30, path, root)
    for first in range(31):
        proof = get(reader, f"/api/log/proof/consistency?first={first}&second=30")
        path = [bytes.fromhex(value) for value in proof["consistencyPath"]]
        old = reference_root(leaves[:first]) if first else merkle.EMPTY_ROOT
        assert proof["firstRootHash"] == old.hex()
        assert merkle.verify_consistency(first, 30, old, root, path)


def test_keys_stay_published_after_rotation(client, signed):
    old = get(client, "/api/log/tree-head")
    transparency.rotate_key(signed.store)
    keys = {key["keyId"]: key for key in get(client, "/api/log/keys")["keys"]}
    assert keys[old["keyId"]]["status"] == "retired"
    new = get(client, "/api/log/tree-head")
    assert new["keyId"] != old["keyId"] and keys[new["keyId"]]["status"] == "current"
    for head in (old, new):
        key = keys[head["keyId"]]
        trusted = {key["keyId"]: (key["name"], base64.b64decode(key["publicKey"]))}
        checkpoint.verify_tree_head(head["checkpoint"], ORIGIN, trusted)


HUGE = "9" * 30


@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("sequence=a&tree_size=30", "sequence", "integer"),
        ("sequence=1.5&tree_size=30", "sequence", "integer"),
        ("sequence=&tree_size=30", "sequence", ""),
        ("sequence=-1&tree_size=30", "sequence", "greater than or equal to 0"),
        (f"sequence={HUGE}&tree_size=30", "sequence", "less than or equal"),
        ("tree_size=30", "sequence", "required"),
        ("sequence=0", "tree_size", "required"),
        ("sequence=0&tree_size=0", "tree_size", "greater than or equal to 1"),
        ("sequence=0&tree_size=-5", "tree_size", "greater than or equal to 1"),
        (f"sequence=0&tree_size={HUGE}", "tree_size", "less than or equal"),
        ("sequence=0&tree_size=31", "tree_size", "more than the size of the latest signed"),
        ("sequence=0&tree_size=40", "tree_size", "more than the size of the latest signed"),
        ("sequence=30&tree_size=30", "sequence", "is not an entry of a tree of 30"),
        ("sequence=29&tree_size=29&sequence=x", "sequence", "integer"),
    ],
)
def test_bad_inclusion_requests(reader, signed_once, query, parameter, says):
    error = get(reader, f"/api/log/proof/inclusion?{query}", 400)["error"]
    assert error["code"] == "invalid-parameter"
    assert error["parameter"] == parameter
    assert says in error["message"]


@pytest.mark.parametrize(
    ("query", "parameter", "says"),
    [
        ("first=x&second=30", "first", "integer"),
        ("first=1&second=", "second", ""),
        ("first=-1&second=30", "first", "greater than or equal to 0"),
        ("first=1&second=-30", "second", "greater than or equal to 0"),
        (f"first={HUGE}&second=30", "first", "less than or equal"),
        ("second=30", "first", "required"),
        ("first=3", "second", "required"),
        ("first=20&second=10", "first", "20 is more than second (10)"),
        ("first=20&second=31", "second", "more than the size of the latest signed tree head (30)"),
    ],
)
def test_bad_consistency_requests(reader, signed_once, query, parameter, says):
    error = get(reader, f"/api/log/proof/consistency?{query}", 400)["error"]
    assert error["code"] == "invalid-parameter"
    assert error["parameter"] == parameter
    assert says in error["message"]


def test_the_log_api_is_public_and_read_only(reader, signed_once):
    assert reader.post("/api/log/tree-head").status_code == 405
    assert reader.get("/api/log/tree-head", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200


def test_a_damaged_stored_tree_answers_503_not_500(client, signed):
    from tests.test_verify import tamper

    tamper(
        signed.store,
        *(
            (f"DELETE FROM {table} WHERE seq = %s", [17])
            for table in ("review", "statement_term", "log_body", "log_entry")
        ),
    )
    for path in (
        "/api/log/proof/inclusion?sequence=17&tree_size=30",
        "/api/log/proof/inclusion?sequence=3&tree_size=30",
        "/api/log/proof/consistency?first=10&second=30",
    ):
        error = get(client, path, 503)["error"]
        assert error["code"] == "log-damaged"
        assert "the log has no entry 17" in error["message"]
        assert "openbook verify" in error["message"]
    assert get(client, "/api/log/tree-head")["treeSize"] == 30  # the head is still served
