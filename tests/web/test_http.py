"""HTTP done properly: gzip, CORS, rate limits, health checks, errors without traces."""

import gzip
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.test import Client

from openbook.web.middleware import Bucket
from tests.conftest import UNUSED_URL, use_database
from tests.web.conftest import a_process, publish


def test_responses_are_gzipped_when_asked(client, store):
    publish(store, [r for n in range(20) for r in a_process(f"ocds-gz-{n}", supplier="Acme")])
    plain = client.get("/api/ocds/releases")
    zipped = client.get("/api/ocds/releases", headers={"Accept-Encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 3


def test_cors_lets_any_site_read(client, store):
    publish(store, a_process("ocds-cors"))
    response = client.get("/api/ocds/records/ocds-cors", headers={"Origin": "https://x.example"})
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        "/api/ocds/releases",
        headers={"Origin": "https://x.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Access-Control-Allow-Credentials" not in preflight


def test_cors_is_not_offered_for_writing(client):
    response = client.post("/api/ocds/releases", headers={"Origin": "https://x.example"})
    assert "Access-Control-Allow-Origin" not in response


def test_over_the_rate_limit_is_a_429_with_retry_after(database, monkeypatch):
    monkeypatch.setenv("OPENBOOK_RATE_LIMIT", "5")
    client = Client()  # a new handler reads the setting
    statuses = [client.get("/api/ocds/releases").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response = client.get("/api/ocds/releases")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    error = orjson.loads(response.content)["error"]
    assert error["code"] == "rate-limited"
    assert "more than 5 requests a minute" in error["message"]
    # Another client address has its own allowance; health checks are never limited.
    assert client.get("/api/ocds/releases", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_default_rate_limit_is_generous(database, monkeypatch):
    monkeypatch.delenv("OPENBOOK_RATE_LIMIT")
    client = Client()
    assert all(client.get("/api/ocds/releases").status_code == 200 for _ in range(200))


def test_a_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = Bucket(60, clock=lambda: now[0])  # one a second, bursts of 60
    assert all(bucket.take("a") == 0 for _ in range(60))
    assert bucket.take("a") == pytest.approx(1.0)
    now[0] = 1.0
    assert bucket.take("a") == 0
    assert bucket.take("a") > 0


def test_a_bad_rate_limit_setting_is_refused_clearly(database, monkeypatch):
    from openbook.config import ConfigurationError

    monkeypatch.setenv("OPENBOOK_RATE_LIMIT", "lots")
    with pytest.raises(ConfigurationError, match="OPENBOOK_RATE_LIMIT 'lots' is not a whole"):
        Client().get("/api/ocds/releases")


def test_healthz_and_readyz(client):
    assert orjson.loads(client.get("/healthz").content) == {"status": "alive"}
    assert orjson.loads(client.get("/readyz").content) == {"status": "ready"}


def test_readyz_warns_of_a_late_tree_head_but_stays_ready(client, store, tmp_path, monkeypatch):
    # docs/operators.md, "Monitoring": a signer that stopped is a warning, not an outage.
    from openbook import transparency
    from tests.test_transparency import append

    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("OPENBOOK_MAX_MERGE_DELAY", "60")
    ready = {"status": "ready"}
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    append(store, 2, now=long_ago)
    assert orjson.loads(client.get("/readyz").content) == ready  # no head yet: nothing promised
    transparency.sign_tree_head(store, create_key=True)
    assert orjson.loads(client.get("/readyz").content) == ready  # every entry in the head
    append(store, 1, now=long_ago + timedelta(minutes=1))  # waiting for 9 minutes
    response = client.get("/readyz")
    assert response.status_code == 200
    body = orjson.loads(response.content)
    assert body["status"] == "ready"
    (warning,) = body["warnings"]
    assert "does not include entry 2" in warning and "openbook log sign" in warning
    transparency.sign_tree_head(store)
    append(store, 1)  # accepted now: within the delay
    assert orjson.loads(client.get("/readyz").content) == ready


def test_readyz_says_when_migrations_are_missing(database):
    use_database(UNUSED_URL)  # an empty, unmigrated database
    response = Client().get("/readyz")
    assert response.status_code == 503
    body = orjson.loads(response.content)
    assert body["status"] == "not-ready"
    assert "run `openbook migrate`" in body["reason"]


def test_readyz_says_when_the_database_does_not_answer(database):
    use_database("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert "the database does not answer" in orjson.loads(response.content)["reason"]
    use_database(UNUSED_URL)


def test_an_unexpected_failure_is_json_without_a_trace(database, caplog):
    use_database("postgresql://nobody@127.0.0.1:9/none?connect_timeout=1")
    response = Client().get("/api/ocds/releases")
    use_database(UNUSED_URL)
    assert response.status_code == 500
    assert orjson.loads(response.content) == {
        "error": {
            "code": "internal-error",
            "message": "the server failed to answer; the error is logged",
        }
    }
    assert "Traceback" not in response.content.decode()
    assert "unexpected error answering /api/ocds/releases" in caplog.text
