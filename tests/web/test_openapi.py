"""The OpenAPI document tells the truth: schemathesis sends generated requests to every
operation, on both databases, and checks that no answer is a server error or contradicts the
document (status codes, content types, response schemas)."""

import orjson
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from openbook.export import export
from openbook.web.wsgi import application
from tests.conftest import reuse
from tests.web.conftest import a_process, publish

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)


@pytest.fixture(scope="module")
def _published(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    publish(
        store,
        [r for n in range(3) for r in a_process(f"ocds-schema-{n}", supplier="Acme Ltd")],
    )
    downloads = tmp_path_factory.mktemp("openapi") / "downloads"
    export(store, downloads)
    return downloads


@pytest.fixture
def published(shared_database, _published, monkeypatch):
    """A few processes, so that the generated requests meet real data as well as misses: one
    database a kind for every operation, since they only read (every operation in the document
    is a GET or a HEAD: test_the_document_lists_every_public_operation); and their bulk
    download, so that /api/downloads answers with its manifest, not whatever another module
    left in the default folder."""
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(_published))
    return reuse(shared_database)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_the_document(case, published):
    # The WSGI transport does not undo gzip (tests/web/test_http.py tests gzip itself).
    response = case.call(headers={"Accept-Encoding": "identity"})
    case.validate_response(
        response,
        checks=[
            checks.not_a_server_error,
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance,
        ],
    )


def test_the_document_lists_every_public_operation(client):
    document = orjson.loads(client.get("/api/openapi.json").content)
    paths = set(document["paths"])
    assert {
        "/api/ocds/releases",
        "/api/ocds/releases/{ocid}/{release_id}",
        "/api/ocds/records/{ocid}",
        "/api/1.0/ocdsReleasePackages",
        "/api/1.0/ocdsReleasePackages/{identifier}",
        "/api/1.0/ocdsRecordPackages/{ocid}",
    } <= paths
    for operations in document["paths"].values():
        assert set(operations) <= {"get", "head"}  # so the operations may share a database
        for operation in operations.values():
            assert operation.get("summary"), operation
            assert "400" in operation["responses"] or not operation.get("parameters")


def test_the_reference_page_describes_every_operation(client):
    document = orjson.loads(client.get("/api/openapi.json").content)
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert page["Content-Type"] == "text/html; charset=utf-8"
    text = page.content.decode()
    assert "<title>API reference – Open contracting – GOV.UK</title>" in text
    assert f"{document['info']['title']}, version {document['info']['version']}" in text
    for path, operations in document["paths"].items():
        for method in operations:
            assert f"<code>{method.upper()} {path}</code>" in text


def test_docs_describe_every_operation(client):
    from pathlib import Path

    docs = Path(__file__).resolve().parents[2] / "docs"
    text = "".join(path.read_text() for path in docs.glob("*.md"))
    document = orjson.loads(client.get("/api/openapi.json").content)
    undocumented = [
        path
        for path in document["paths"]
        # The Find a Tender paths' {identifier} is documented as what it takes.
        if path not in text and path.replace("{identifier}", "{ocid or notice id}") not in text
    ]
    assert undocumented == []
