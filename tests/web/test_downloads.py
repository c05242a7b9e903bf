"""/downloads/ and /api/downloads: the snapshot listed and served through real HTTP (Django's test
client), on both databases; nothing outside the manifest is ever served."""

import hashlib
import re
from html.parser import HTMLParser

import orjson
import pytest

from openbook.export import export
from openbook.export.manifest import CHECKSUMS, MANIFEST
from tests.conftest import reuse
from tests.web.conftest import a_process, publish


def body(response) -> bytes:
    """A streamed response's bytes; closing it closes the file, as a WSGI server does."""
    try:
        return b"".join(response.streaming_content)
    finally:
        response.close()


@pytest.fixture(scope="module")
def _snapshot(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    target = tmp_path_factory.mktemp("snapshot") / "downloads"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENBOOK_DOWNLOADS_DIR", str(target))
        publish(
            store, [r for n in range(4) for r in a_process(f"ocds-dl-{n}", supplier="Acme Ltd")]
        )
        made = export(store, target)
    # Beside the snapshot, never to be served: a file the manifest does not list, and one
    # outside the directory.
    (target / "not-listed.txt").write_text("private")
    (target.parent / "x").write_text("outside")
    return target, made


@pytest.fixture
def snapshot(shared_database, _snapshot, monkeypatch):
    """A snapshot of a few processes in the configured downloads directory, on one database a
    kind for the module, since every test only reads it."""
    reuse(shared_database)
    target, _ = _snapshot
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(target))
    return _snapshot


@pytest.fixture
def nothing_yet(shared_database, tmp_path, monkeypatch):
    """No snapshot in the configured downloads directory (the module's database, which only
    ``snapshot`` exports)."""
    reuse(shared_database)
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(tmp_path / "never-exported"))


def test_no_snapshot_yet(reader, nothing_yet):
    page = reader.get("/downloads/")
    assert page.status_code == 404
    assert b"openbook export" in page.content
    answer = reader.get("/api/downloads")
    assert answer.status_code == 404
    assert answer["Content-Type"] == "application/json"
    error = orjson.loads(answer.content)["error"]
    assert error["code"] == "not-found"
    assert "no snapshot has been made yet" in error["message"]
    assert reader.get("/downloads/releases.jsonl.gz").status_code == 404


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: list[str] = []
        self.links: list[str] = []
        self.title = ""
        self._in_title = False
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if "id" in attributes:
            self.ids.append(attributes["id"])
        if tag == "a":
            self.links.append(attributes["href"])
        if tag == "html":
            self.lang = attributes.get("lang")
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False


def test_the_page_lists_every_file(reader, snapshot):
    _, manifest = snapshot
    response = reader.get("/downloads/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    page = _Page()
    page.feed(html)
    assert page.lang == "en" and page.title.strip()
    assert len(page.ids) == len(set(page.ids))
    assert page.tags.count("h1") == 1
    assert "<caption" in html and 'scope="col"' in html
    for entry in manifest["files"]:
        assert f"http://testserver/downloads/{entry['name']}" in page.links
        assert entry["sha256"] in html
    assert manifest["log"]["treeHead"]["rootHash"] in html
    assert f"{manifest['counts']['releases']:,} releases" in html
    assert "sha256sum -c SHA256SUMS" in html
    # Every link on the page leads somewhere that answers.
    for link in page.links:
        if link.startswith("http://testserver/"):
            path = link.removeprefix("http://testserver")
            response = reader.get(path)
            assert response.status_code == 200, path
            response.close()


def test_the_api_gives_the_same_as_json(reader, snapshot):
    _, manifest = snapshot
    response = reader.get("/api/downloads")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    answer = orjson.loads(response.content)
    assert answer["log"] == manifest["log"]
    assert answer["counts"] == manifest["counts"]
    assert answer["license"] == manifest["license"]
    assert [f["name"] for f in answer["files"]] == [f["name"] for f in manifest["files"]]
    for entry, listed in zip(answer["files"], manifest["files"], strict=True):
        assert entry == {**listed, "url": f"http://testserver/downloads/{listed['name']}"}
    assert answer["links"] == {
        "page": "http://testserver/downloads/",
        "manifest": "http://testserver/downloads/manifest.json",
        "checksums": "http://testserver/downloads/SHA256SUMS",
    }


def test_the_api_document_describes_downloads(client):
    document = orjson.loads(client.get("/api/openapi.json").content)
    operation = document["paths"]["/api/downloads"]["get"]
    assert operation["tags"] == ["Downloads"]
    assert {"200", "404"} <= set(operation["responses"])


def test_files_are_served_as_they_are(reader, snapshot):
    target, manifest = snapshot
    types = {
        "releases.jsonl.gz": "application/gzip",
        "parquet/tenders.parquet": "application/vnd.apache.parquet",
        "compiled-releases-csv.zip": "application/zip",
        "compiled-releases.xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        CHECKSUMS: "text/plain; charset=utf-8",
    }
    listed = {entry["name"]: entry for entry in manifest["files"]}
    for name, media_type in types.items():
        # A client that accepts gzip gets the file's own bytes, not gzip of them.
        response = reader.get(f"/downloads/{name}", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, name
        content = body(response)
        assert content == (target / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == listed[name]["sha256"]
        assert response["Content-Type"] == media_type
        assert response["Content-Length"] == str(listed[name]["size"])
        assert response["ETag"] == f'"{listed[name]["sha256"]}"'
        assert response["Accept-Ranges"] == "bytes"
        assert not response.has_header("Content-Encoding")
        filename = name.rsplit("/", 1)[-1]
        assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
        assert response["Access-Control-Allow-Origin"] == "*"
    manifest_response = reader.get(f"/downloads/{MANIFEST}")
    assert manifest_response["Content-Type"] == "application/json"
    assert orjson.loads(body(manifest_response)) == manifest


def test_the_derived_registers_are_served_as_listed(reader, snapshot):
    """The registers derived from the processes are listed apart, in ``derivedRegisters``
    (docs/downloads.md), and served like the files: each with its checksum as ETag, and a
    range of it."""
    target, manifest = snapshot
    derived = {entry["name"]: entry for entry in manifest["derivedRegisters"]}
    assert set(derived) == {
        f"registers/{name}.jsonl.gz"
        for name in ("pipeline", "commercial-tools", "performance", "ownership",
                     "spend")  # payments with their links
    }  # fmt: skip
    for name, entry in derived.items():
        response = reader.get(f"/downloads/{name}")
        assert response.status_code == 200, name
        content = body(response)
        assert content == (target / name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == entry["sha256"]
        assert response["Content-Type"] == "application/gzip"
        assert response["Content-Length"] == str(entry["size"])
        assert response["ETag"] == f'"{entry["sha256"]}"'
        part = reader.get(f"/downloads/{name}", HTTP_RANGE="bytes=0-3")
        assert part.status_code == 206 and body(part) == content[:4]
    checksums = body(reader.get(f"/downloads/{CHECKSUMS}")).decode()
    for name, entry in derived.items():
        assert f"{entry['sha256']}  {name}\n" in checksums
    listed = orjson.loads(reader.get("/api/downloads").content)["derivedRegisters"]
    assert [entry["url"] for entry in listed] == [
        f"http://testserver/downloads/{name}" for name in derived
    ]


def test_conditional_and_range_requests(reader, snapshot):
    target, manifest = snapshot
    data = (target / "releases.jsonl.gz").read_bytes()
    etag = next(f'"{e["sha256"]}"' for e in manifest["files"] if e["name"] == "releases.jsonl.gz")
    path = "/downloads/releases.jsonl.gz"

    assert reader.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert body(reader.get(path, HTTP_IF_NONE_MATCH='"other"')) == data

    part = reader.get(path, HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert body(part) == data[10:20]
    assert part["Content-Range"] == f"bytes 10-19/{len(data)}"
    assert part["Content-Length"] == "10"

    tail = reader.get(path, HTTP_RANGE="bytes=-7")
    assert body(tail) == data[-7:]
    rest = reader.get(path, HTTP_RANGE=f"bytes={len(data) - 3}-")
    assert body(rest) == data[-3:]
    beyond = reader.get(path, HTTP_RANGE="bytes=5-999999999")
    assert body(beyond) == data[5:]

    unsatisfiable = reader.get(path, HTTP_RANGE=f"bytes={len(data)}-")
    assert unsatisfiable.status_code == 416
    assert unsatisfiable["Content-Range"] == f"bytes */{len(data)}"
    # Several ranges, nonsense, or a changed file (If-Range): the whole file.
    for headers in (
        {"HTTP_RANGE": "bytes=0-1,5-6"},
        {"HTTP_RANGE": "lines=1-2"},
        {"HTTP_RANGE": "bytes=0-9", "HTTP_IF_RANGE": '"an-older-version"'},
    ):
        whole = reader.get(path, **headers)
        assert whole.status_code == 200
        assert body(whole) == data
    resumed = reader.get(path, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert resumed.status_code == 206
    assert body(resumed) == data[:10]

    head = reader.head(path)
    assert head.status_code == 200
    assert head["Content-Length"] == str(len(data))
    head.close()
    assert reader.post(path).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/downloads/../x",
        "/downloads/%2e%2e/x",
        "/downloads/%2e%2e%2fx",
        "/downloads/..%2f..%2fetc%2fpasswd",
        "/downloads/parquet/../manifest.json",
        "/downloads//etc/passwd",
        "/downloads/%2fetc%2fpasswd",
        "/downloads/parquet",
        "/downloads/parquet/",
        "/downloads/no-such-file.csv",
        "/downloads/.flatterer/csv/fields.csv",
        "/downloads/not-listed.txt",
        "/downloads/releases.jsonl.gz%00",
    ],
)
def test_only_what_the_manifest_lists_is_served(reader, snapshot, path):
    target, _ = snapshot
    assert (target / "not-listed.txt").read_text() == "private"
    assert (target.parent / "x").read_text() == "outside"
    response = reader.get(path)
    assert response.status_code == 404, path
    assert b"private" not in response.content and b"outside" not in response.content
    if path == "/downloads/no-such-file.csv":
        assert re.search(rb"no file .*no-such-file\.csv", response.content)
