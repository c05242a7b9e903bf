"""The downloads page and the API reference page: GOV.UK pages, each with its JSON twin (the
snapshot's files with their sizes, checksums and tree head; the OpenAPI document's operations by
tag), in English and Welsh, usable without JavaScript; a file or page that is not there is a
404 page that repeats nothing unescaped."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from django.test import Client

from openbook import config
from openbook.export import export, manifest
from openbook.store.database import Store
from tests.pages.conftest import axe_violations, validate_html

API_DOCUMENT = "/api/openapi.json"


def ensure_snapshot(store: Store) -> None:
    """A snapshot of ``store`` where /downloads/ looks for one, unless there is one already:
    for the pages' structural tests (tests/pages/addresses.py), which need the listing. They
    point OPENBOOK_DOWNLOADS_DIR at a folder of their own first (test_every_page's
    ``downloads``), so that no later module on the worker finds it."""
    if manifest.read(config.downloads_dir()) is None:
        export(store, config.downloads_dir())


@pytest.fixture(scope="module")
def snapshot(site, tmp_path_factory) -> Iterator[tuple[Path, dict]]:
    """The site exported to a directory of its own, which /downloads/ serves for this module
    (and ``openbook serve``, started after it, too)."""
    target = tmp_path_factory.mktemp("snapshot") / "downloads"
    before = os.environ.get("OPENBOOK_DOWNLOADS_DIR")
    os.environ["OPENBOOK_DOWNLOADS_DIR"] = str(target)
    try:
        yield target, export(site.store, target)
    finally:
        if before is None:
            del os.environ["OPENBOOK_DOWNLOADS_DIR"]
        else:
            os.environ["OPENBOOK_DOWNLOADS_DIR"] = before


def welsh() -> Client:
    client = Client()
    client.cookies["openbook_language"] = "cy"
    return client


def twin(address: str) -> dict:
    answer = Client().get(address, HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json", address
    return orjson.loads(answer.content)


def text_of(html: str) -> str:
    """The page's words, tags dropped and spaces collapsed (for sentences that hold links)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# The downloads page ---------------------------------------------------------------------


def test_the_page_lists_every_file_with_its_size_and_checksum(snapshot):
    _, made = snapshot
    answer = Client().get("/downloads/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<title>Bulk downloads – Open contracting – GOV.UK</title>" in html
    assert 'class="govuk-table"' in html and 'class="govuk-breadcrumbs' in html
    assert "<style" not in html and 'style="' not in html
    for entry in [*made["files"], *made["derivedRegisters"]]:
        assert f'href="http://testserver/downloads/{entry["name"]}"' in html, entry["name"]
        assert f">{entry['sha256']}</code>" in html
    releases = next(entry for entry in made["files"] if entry["name"] == "releases.jsonl.gz")
    size = releases["size"]
    written = f"{size} bytes" if size < 1000 else None
    for unit, scale in (("KB", 1e3), ("MB", 1e6), ("GB", 1e9)):
        if size >= scale:
            written = f"{size / scale:,.1f} {unit}"
    assert written in html
    words = text_of(html)
    assert f"{made['counts']['releases']:,} releases" in words
    assert f"{made['counts']['compiledReleases']:,} contracting processes" in words
    assert "sha256sum -c SHA256SUMS" in html


def test_its_twin_is_what_the_api_gives(snapshot):
    _, made = snapshot
    page = twin("/downloads/")
    assert page == orjson.loads(Client().get("/api/downloads").content)
    assert [entry["name"] for entry in page["files"]] == [e["name"] for e in made["files"]]
    assert {(entry["name"], entry["size"], entry["sha256"]) for entry in page["files"]} == {
        (entry["name"], entry["size"], entry["sha256"]) for entry in made["files"]
    }
    assert page["log"]["treeHead"] == made["log"]["treeHead"]
    assert [entry["name"] for entry in page["derivedRegisters"]] == [
        "registers/pipeline.jsonl.gz",
        "registers/commercial-tools.jsonl.gz",
        "registers/performance.jsonl.gz",
        "registers/ownership.jsonl.gz",
        "registers/spend.jsonl.gz",
    ]
    for entry in page["derivedRegisters"]:
        assert entry["url"] == f"http://testserver/downloads/{entry['name']}"


def test_the_page_shows_the_tree_head_the_snapshot_is_consistent_with(snapshot):
    _, made = snapshot
    html = Client().get("/downloads/").content.decode()
    head = made["log"]["treeHead"]
    assert head["rootHash"] in html
    assert f"consistent with the log's first {head['treeSize']:,} entries" in text_of(html)
    signed = made["log"]["signedTreeHead"]
    assert signed["keyId"] in html
    assert 'href="http://testserver/downloads/manifest.json"' in html
    assert 'href="/api/downloads"' in html and 'href="/verify"' in html


def test_every_year_of_releases_is_counted(snapshot):
    _, made = snapshot
    html = Client().get("/downloads/").content.decode()
    for year, count in made["counts"]["releasesByYear"].items():
        assert re.search(rf">{re.escape(year)}</th>\s*<td[^>]*>{count:,}</td>", html), year


def test_the_derived_registers_download_as_listed(snapshot):
    target, made = snapshot
    for entry in made["derivedRegisters"]:
        answer = Client().get(f"/downloads/{entry['name']}")
        assert answer.status_code == 200, entry["name"]
        try:
            content = b"".join(answer.streaming_content)
        finally:
            answer.close()
        assert content == (target / entry["name"]).read_bytes()
        assert answer["ETag"] == f'"{entry["sha256"]}"'


def test_the_page_in_welsh(snapshot):
    html = welsh().get("/downloads/").content.decode()
    assert '<html lang="cy"' in html
    assert "<title>Lawrlwythiadau swmp – Contractio agored – GOV.UK</title>" in html
    assert "Gwirio’r hyn a lawrlwythwyd gennych" in html
    # The files' descriptions are the manifest's English, marked so for screen readers.
    assert '<td class="govuk-table__cell" lang="en">' in html


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("no-such-file.csv", "“no-such-file.csv”"),
        ("<script>alert(1)</script>.csv", "“&lt;script&gt;alert(1)&lt;/script&gt;.csv”"),
        ("a%00b", "“a\ufffdb”"),
        ("x" * 5000, "“" + "x" * 200 + "”"),
    ],
)
def test_a_file_that_is_not_there_is_a_404_page_naming_it(snapshot, name, shown):
    answer = Client().get(f"/downloads/{name}")
    assert answer.status_code == 404
    html = answer.content.decode()
    assert "<title>File not found – Open contracting – GOV.UK</title>" in html
    assert f"There is no file {shown} in the downloads." in html
    assert "<script>alert" not in html
    assert 'href="/downloads/"' in html


def test_the_twin_of_a_missing_file_says_so(snapshot):
    answer = Client().get("/downloads/nothing.csv?format=json")
    assert answer.status_code == 404
    assert orjson.loads(answer.content)["error"] == {
        "status": 404,
        "title": "File not found",
        "problems": [],
        "file": "nothing.csv",
    }


def test_no_snapshot_yet_is_a_404_page_saying_how_one_is_made(site, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(tmp_path / "never"))
    answer = Client().get("/downloads/")
    assert answer.status_code == 404
    html = answer.content.decode()
    assert "<title>No downloads yet – Open contracting – GOV.UK</title>" in html
    assert "<code>openbook export</code>" in html
    assert twin("/downloads/")["error"]["file"] is None
    cymraeg = welsh().get("/downloads/").content.decode()
    assert "Dim lawrlwythiadau eto" in cymraeg


def test_the_format_parameter_only_chooses_the_rendering(snapshot):
    for value in ["html", "", "x" * 3000, "<b>", "json\u00e9"]:
        answer = Client().get("/downloads/", {"format": value})
        assert answer.status_code == 200, value
        assert answer["Content-Type"] == "text/html; charset=utf-8"
        assert "<b>" not in answer.content.decode().split("</head>")[0]


def test_the_pages_are_valid_html(snapshot, tmp_path, monkeypatch):
    fetched = {
        "listing": Client().get("/downloads/").content,
        "listing in Welsh": welsh().get("/downloads/").content,
        "missing file": Client().get("/downloads/no-such-file.csv").content,
        "API reference in Welsh": welsh().get("/api/docs").content,
    }
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(tmp_path / "never"))
    fetched["no snapshot"] = Client().get("/downloads/").content
    assert validate_html(fetched, tmp_path) == []


@pytest.mark.slow
def test_the_listing_has_no_accessibility_violation(snapshot, server, browser):
    assert axe_violations(browser, f"{server}/downloads/") == []


# The API reference ----------------------------------------------------------------------


def operations_of(document: dict) -> dict[tuple[str, str], dict]:
    return {
        (method.upper(), path): operation
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
    }


def test_the_reference_groups_every_operation_by_tag_with_a_contents_list(site):
    document = orjson.loads(Client().get(API_DOCUMENT).content)
    reference = twin("/api/docs")
    assert reference["document"] == API_DOCUMENT
    assert reference["api"]["title"] == document["info"]["title"]
    listed = {
        (operation["method"], operation["path"]): (tag["name"], operation)
        for tag in reference["tags"]
        for operation in tag["operations"]
    }
    expected = operations_of(document)
    assert set(listed) == set(expected)
    html = Client().get("/api/docs").content.decode()
    for key, (tag, operation) in listed.items():
        described = expected[key]
        assert tag == described["tags"][0]
        assert operation["summary"] == described["summary"]
        assert f'id="{operation["id"]}"' in html
        assert f'href="#{operation["id"]}"' in html
        assert f"<code>{key[0]} {key[1]}</code>" in html
    for tag in reference["tags"]:
        assert f'<a class="govuk-link" href="#{tag["id"]}" lang="en">{tag["name"]}</a>' in html
    assert f'href="{API_DOCUMENT}"' in html


def test_each_parameter_and_response_is_described(site):
    document = orjson.loads(Client().get(API_DOCUMENT).content)
    expected = operations_of(document)
    reference = twin("/api/docs")
    html = Client().get("/api/docs").content.decode()
    for tag in reference["tags"]:
        for operation in tag["operations"]:
            described = expected[(operation["method"], operation["path"])]
            parameters = described.get("parameters", [])
            assert [(p["name"], p["in"], p["required"]) for p in operation["parameters"]] == [
                (p["name"], p["in"], bool(p.get("required"))) for p in parameters
            ]
            assert {r["status"] for r in operation["responses"]} == set(described["responses"])
    search = next(
        operation
        for tag in reference["tags"]
        for operation in tag["operations"]
        if operation["path"] == "/api/ocds/processes"
    )
    q = next(parameter for parameter in search["parameters"] if parameter["name"] == "q")
    # An optional parameter's type and limits are those of its non-null option.
    assert q["type"] == "string" and q["constraints"] == {"maxLength": 500}
    assert "At most 500 characters" in html
    document_operation = next(
        operation
        for tag in reference["tags"]
        for operation in tag["operations"]
        if operation["path"] == "/api/documents/{sha256}" and operation["method"] == "GET"
    )
    assert document_operation["parameters"][0]["constraints"] == {"pattern": "^[0-9a-fA-F]{64}$"}
    # Code in the document's descriptions (`...`) is shown as code.
    assert "<code>documents[].url</code>" in html
    assert "`" not in text_of(html.split("<main", 1)[1])


def test_the_reference_works_without_javascript_and_in_welsh(site):
    html = Client().get("/api/docs").content.decode()
    assert "<title>API reference – Open contracting – GOV.UK</title>" in html
    assert "<style" not in html and 'style="' not in html
    cymraeg = welsh().get("/api/docs").content.decode()
    assert '<html lang="cy"' in cymraeg
    assert "<title>Cyfeirlyfr yr API – Contractio agored – GOV.UK</title>" in cymraeg
    assert ">Paramedrau</h4>" in cymraeg and ">Ymatebion</h4>" in cymraeg


def test_the_summary_reads_any_openapi_document():
    from openbook.web.api.reference import summary

    thing = {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}
    listed = {"type": "array", "items": {"type": "integer"}}
    given = {
        "summary": "A",
        "parameters": [
            {"name": "when", "in": "query", "schema": {"$ref": "#/components/schemas/D"}},
            {"name": "ids", "in": "query", "required": True, "schema": listed},
        ],
        "responses": {"404": {"description": "No"}, "200": {"description": "Ys", "content": thing}},
    }
    found = summary(
        {
            "info": {"title": "T", "version": "2"},
            "paths": {
                "/a": {"get": given, "parameters": []},
                "/b": {"post": {"summary": "B", "tags": ["Tag B"], "responses": {}}},
            },
            "components": {
                "schemas": {"D": {"type": "string", "format": "date", "default": "today"}}
            },
        }
    )
    assert [tag["name"] for tag in found["tags"]] == ["Other", "Tag B"]
    first = found["tags"][0]["operations"][0]
    assert [(p["name"], p["type"], p["required"]) for p in first["parameters"]] == [
        ("when", "string (date)", False),
        ("ids", "integer[]", True),
    ]
    assert first["parameters"][0]["constraints"] == {"default": "today"}
    assert [(r["status"], r["content"]) for r in first["responses"]] == [
        ("200", [{"mediaType": "application/json", "schema": "Thing"}]),
        ("404", []),
    ]
    ids = [first["id"], found["tags"][1]["operations"][0]["id"]] + [
        tag["id"] for tag in found["tags"]
    ]
    assert ids == ["get-a", "post-b", "tag-other", "tag-tag-b"]
