"""Documents through real HTTP, on SQLite and PostgreSQL, scanned by the real ClamAV: uploads,
idempotency, public downloads, withheld documents, every way an upload is refused (with nothing
kept), the documents register in the log, and releases that link to documents."""

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from openbook import transparency, verify
from openbook.documents.scan import SIGNATURES
from openbook.redaction import redact
from openbook.store import audit, log
from openbook.store import records as stored_records
from openbook.store.documents import REGISTER
from tests.conftest import reuse
from tests.files import a_docx, a_pdf, a_png, a_zip, an_odt, eicar
from tests.publishing import CLI, OTHER_BUYER, bearer, create_key, create_publisher, post, tender

UPLOAD = "/api/publish/documents"
PDF = a_pdf()
PDF_SHA256 = hashlib.sha256(PDF).hexdigest()


@pytest.fixture(autouse=True)
def documents_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("OPENBOOK_DOCUMENTS_DIR", str(folder))
    return folder


@pytest.fixture
def signing_key(store, tmp_path, monkeypatch) -> None:
    """The log's signing key, which uploads' entry timestamps and redactions are signed with."""
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(tmp_path / "keys"))
    transparency.sign_tree_head(store, create_key=True)


@pytest.fixture
def publisher(store):
    return create_publisher(store)


@pytest.fixture
def key(store, publisher, signing_key):
    """A publisher's key, to upload with (the log's signing key made first)."""
    return create_key(store, publisher)


@pytest.fixture(scope="module")
def _shared(shared_database, tmp_path_factory):
    store = reuse(shared_database).store
    keys = tmp_path_factory.mktemp("keys")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(keys))
        transparency.sign_tree_head(store, create_key=True)
    return keys, create_key(store, create_publisher(store))


@pytest.fixture
def shared(shared_database, _shared, monkeypatch) -> dict:
    """A publisher's key and the log's signing key, as ``key`` makes them, on one database a
    kind for the uploads refused: each checks that nothing was kept, in the log (empty still)
    or in the documents folder (its own: ``documents_dir``)."""
    store = reuse(shared_database).store
    keys, made = _shared
    monkeypatch.setenv("OPENBOOK_SIGNING_KEY_DIR", str(keys))
    return {"store": store, "key": made}


def upload(
    client,
    key,
    content=PDF,
    *,
    name="contract.pdf",
    content_type="application/pdf",
    withheld=None,
    **extra,
):
    disposition = {} if name is None else {"HTTP_CONTENT_DISPOSITION": _disposition(name)}
    if not content:  # the test client leaves out the headers of an empty body; HTTP clients do not
        extra = {"CONTENT_LENGTH": "0", "CONTENT_TYPE": content_type, **extra}
    return client.post(
        UPLOAD + (f"?withheld={withheld}" if withheld else ""),
        data=content,
        content_type=content_type,
        **disposition,
        **bearer(key),
        **extra,
    )


def _disposition(name: str) -> str:
    if name.isascii() and '"' not in name and "\\" not in name:
        return f'attachment; filename="{name}"'
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(name, safe='')}"


def error_of(response) -> dict:
    assert response["Content-Type"] == "application/json", response.content[:200]
    return orjson.loads(response.content)["error"]


def kept_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_a_document_is_uploaded_logged_and_downloaded_by_anyone(client, key, store, documents_dir):
    response = upload(client, key)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["status"] == "created"
    assert answer["sha256"] == PDF_SHA256
    assert answer["size"] == len(PDF)
    assert answer["mediaType"] == "application/pdf"
    assert answer["name"] == "contract.pdf"
    assert answer["url"] == f"http://testserver/api/documents/{PDF_SHA256}"
    assert answer["withheld"] is None
    assert answer["scan"].startswith("clean: ClamAV")
    assert answer["entry_timestamp"]["seq"] == answer["sequence"]
    # Kept once, under its SHA-256, in sharded folders; nothing left in the temporary folder.
    path = documents_dir / PDF_SHA256[:2] / PDF_SHA256[2:4] / PDF_SHA256
    assert kept_files(documents_dir) == [path]
    assert path.read_bytes() == PDF
    # Everyone downloads it, with its type, its name and its hash as ETag.
    public = client.get(f"/api/documents/{PDF_SHA256}")
    assert public.status_code == 200
    assert b"".join(public.streaming_content) == PDF
    assert public["Content-Type"] == "application/pdf"
    assert public["Content-Disposition"] == 'attachment; filename="contract.pdf"'
    assert public["ETag"] == f'"{PDF_SHA256}"'
    assert public["Content-Length"] == str(len(PDF))
    assert public["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in public["Content-Security-Policy"]
    assert public["Access-Control-Allow-Origin"] == "*"
    assert "Content-Encoding" not in public
    again = client.get(f"/api/documents/{PDF_SHA256}", HTTP_IF_NONE_MATCH=f'"{PDF_SHA256}"')
    assert again.status_code == 304
    part = client.get(f"/api/documents/{PDF_SHA256}", HTTP_RANGE="bytes=0-7")
    assert part.status_code == 206 and b"".join(part.streaming_content) == PDF[:8]
    head = client.head(f"/api/documents/{PDF_SHA256}")
    assert head.status_code == 200 and head["ETag"] == f'"{PDF_SHA256}"'
    head.close()
    # Uppercase hex names the same document; a missing one is a 404 in the public API's format.
    upper = client.get(f"/api/documents/{PDF_SHA256.upper()}")
    assert b"".join(upper.streaming_content) == PDF
    missing = client.get(f"/api/documents/{'0' * 64}")
    assert missing.status_code == 404 and error_of(missing)["code"] == "not-found"
    assert client.get("/api/documents/not-a-hash").status_code == 400


def test_the_document_is_a_statement_in_the_documents_register(client, key, store):
    answer = upload(client, key).json()
    [statement] = log.record_statements(store, REGISTER, PDF_SHA256)
    entry = statement.entry
    assert entry.seq == answer["sequence"]
    assert entry.register == "documents"
    assert entry.statement_id == "GB-PPON-PXXX-1234-BCDG"
    assert entry.publisher == "Example Borough Council"
    assert statement.leaf_hash == answer["leaf_hash"]
    assert entry.body_hash == hashlib.sha256(statement.body).hexdigest()
    assert orjson.loads(statement.body) == {
        "sha256": PDF_SHA256,
        "size": len(PDF),
        "mediaType": "application/pdf",
        "name": "contract.pdf",
        "organisation": {"id": "GB-PPON-PXXX-1234-BCDG", "name": "Example Borough Council"},
    }
    # The public feed of OCDS releases does not carry it, nor its Find a Tender twin, and
    # nothing waits to be compiled.
    assert client.get("/api/ocds/releases").json()["releases"] == []
    assert client.get("/api/1.0/ocdsReleasePackages").json()["releases"] == []
    assert stored_records.pending(store, REGISTER, 10) == []
    assert log.log_size(store) == 1
    # The upload is in the audit trail.
    [event] = [e for e in audit.events(store) if e.action.startswith("document")]
    assert event.action == "document.upload" and event.subject == PDF_SHA256
    assert event.detail["created"] == [answer["sequence"]]
    # The log's guarantees cover it: a signed tree head includes it, and the log verifies.
    transparency.sign_tree_head(store, create_key=True)
    proof = client.get(f"/api/log/proof/inclusion?sequence={entry.seq}&tree_size=1").json()
    assert proof["leafHash"] == answer["leaf_hash"]
    report = verify.database(store)
    assert report.ok, report


def test_uploading_the_same_file_again_is_the_same_document(client, key, store, documents_dir):
    first = upload(client, key).json()
    again = upload(client, key)
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "duplicate"
    assert again.json()["sequence"] == first["sequence"]
    # Under another name and declared type: still the same document, and it says so.
    renamed = upload(
        client, key, name="Contract (copy).pdf", content_type="application/octet-stream"
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "contract.pdf"
    assert "uploaded before as 'contract.pdf'" in renamed.json()["note"]
    assert log.log_size(store) == 1
    assert len(kept_files(documents_dir)) == 1
    # Withheld now when it was published before: an upload is never changed.
    refused = upload(client, key, withheld="sensitive-commercial")
    assert refused.status_code == 409
    assert (
        "uploaded this file before (log entry 0) as to be published" in error_of(refused)["message"]
    )


def test_a_key_sees_only_its_own_organisations_documents(client, key, store):
    upload(client, key)
    own = client.get(f"{UPLOAD}/{PDF_SHA256}", **bearer(key))
    assert own.status_code == 200
    assert own.json()["sha256"] == PDF_SHA256 and own.json()["name"] == "contract.pdf"
    listed = client.get(UPLOAD, **bearer(key)).json()
    assert [d["sha256"] for d in listed["documents"]] == [PDF_SHA256] and listed["next"] is None
    other = create_key(store, create_publisher(store, OTHER_BUYER))
    response = client.get(f"{UPLOAD}/{PDF_SHA256}", **bearer(other))
    assert response.status_code == 404
    assert error_of(response)["code"] == "not-found"
    assert "your organisation has uploaded no document" in error_of(response)["message"]
    assert client.get(UPLOAD, **bearer(other)).json()["documents"] == []
    # Without a key, nothing.
    assert client.get(f"{UPLOAD}/{PDF_SHA256}").status_code == 401
    assert client.post(UPLOAD, data=PDF, content_type="application/pdf").status_code == 401


def test_a_withheld_document_is_logged_but_not_published(client, key, store):
    response = upload(client, key, name="unredacted contract.pdf", withheld="national-security")
    assert response.status_code == 201, response.content
    assert response.json()["withheld"] == {
        "ground": "national-security",
        "title": "National security",
        "citation": "Procurement Act 2023, s.94(1)(a)",
    }
    public = client.get(f"/api/documents/{PDF_SHA256}")
    assert public.status_code == 451
    error = error_of(public)
    assert error["code"] == "withheld"
    assert "national security (Procurement Act 2023, s.94(1)(a))" in error["message"]
    # The log holds its hash and the ground, not its name.
    [statement] = log.record_statements(store, REGISTER, PDF_SHA256)
    body = orjson.loads(statement.body)
    assert body["withheld"] == {"ground": "national-security"} and "name" not in body
    # An unknown ground is refused before the file is read.
    refused = upload(
        client, key, content=a_png(), name="plan.png", content_type="image/png", withheld="secret"
    )
    assert refused.status_code == 400
    assert "'secret' is not a ground in the codelist" in error_of(refused)["message"]
    # Another organisation that publishes the same bytes makes them public.
    other = create_key(store, create_publisher(store, OTHER_BUYER))
    assert upload(client, other, name="published.pdf").status_code == 201
    public = client.get(f"/api/documents/{PDF_SHA256}")
    assert public.status_code == 200
    assert public["Content-Disposition"] == 'attachment; filename="published.pdf"'
    assert b"".join(public.streaming_content) == PDF


def test_a_document_whose_statement_is_redacted_is_published_no_more(client, key, store):
    seq = upload(client, key).json()["sequence"]
    redact(store, seq, "Court order: the contract names a protected witness", CLI)
    response = client.get(f"/api/documents/{PDF_SHA256}")
    assert response.status_code == 451
    assert error_of(response)["code"] == "withheld"
    assert (
        f"removed from publication by a redaction recorded in the log (log entry {seq})"
        in (error_of(response)["message"])
    )


@pytest.mark.parametrize(
    ("content", "name", "content_type", "status", "code", "says"),
    [
        (b"", "contract.pdf", "application/pdf", 400, "document-empty", "is empty (0 bytes)"),
        (
            PDF,
            "../../etc/contract.pdf",
            "application/pdf",
            400,
            "document-name-invalid",
            "has a path in it ('/')",
        ),
        (
            PDF,
            "..\\contract.pdf",
            "application/pdf",
            400,
            "document-name-invalid",
            "has a path in it ('\\\\')",
        ),
        (
            PDF,
            "contract\u202efdp.exe.pdf",
            "application/pdf",
            400,
            "document-name-invalid",
            "U+202E, RIGHT-TO-LEFT OVERRIDE",
        ),
        (
            PDF,
            "contract\x07.pdf",
            "application/pdf",
            400,
            "document-name-invalid",
            "a control character (U+0007",
        ),
        (PDF, "CON.pdf", "application/pdf", 400, "document-name-invalid", "Windows reserves"),
        (
            PDF,
            ".contract.pdf",
            "application/pdf",
            400,
            "document-name-invalid",
            "begins with a dot",
        ),
        (
            PDF,
            "x" * 300 + ".pdf",
            "application/pdf",
            400,
            "document-name-invalid",
            "304 bytes long",
        ),
        (PDF, None, "application/pdf", 400, "document-name-missing", "Content-Disposition"),
        (PDF, "setup.exe", "application/pdf", 415, "document-type-not-accepted", "ends in '.exe'"),
        (PDF, "contract", "application/pdf", 415, "document-type-not-accepted", "has no extension"),
        (
            PDF,
            "contract.pdf",
            "application/zip",
            415,
            "document-type-not-accepted",
            "'application/zip' (Content-Type)",
        ),
        (
            PDF,
            "contract.pdf",
            "multipart/form-data; boundary=x",
            415,
            "unsupported-media-type",
            "send the file itself as the body",
        ),
        (
            b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200),
            "contract.pdf",
            "application/pdf",
            415,
            "document-type-not-accepted",
            "a Windows program",
        ),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200),
            "tender.pdf",
            "application/octet-stream",
            415,
            "document-type-not-accepted",
            "save it as .docx, .xlsx or .pptx",
        ),
        (
            b"<!DOCTYPE html><html><script>alert(1)</script></html>",
            "notes.txt",
            "text/plain",
            415,
            "document-type-not-accepted",
            "a web page (HTML)",
        ),
        (
            a_zip(),
            "documents.pdf",
            "application/octet-stream",
            415,
            "document-type-not-accepted",
            "a ZIP archive",
        ),
        (
            a_docx(macros=True),
            "specification.docx",
            "application/octet-stream",
            415,
            "document-type-not-accepted",
            "with macros",
        ),
        (
            "prix unitaires \xe9t\xe9".encode("latin-1"),
            "prices.csv",
            "text/csv",
            415,
            "document-type-not-accepted",
            "is not UTF-8",
        ),
        (
            a_png(),
            "contract.pdf",
            "application/pdf",
            422,
            "document-name-mismatch",
            "the file is a PNG image, but its name 'contract.pdf' ends in '.pdf': name it with "
            "'.png'",
        ),
        (
            a_png(),
            "site plan.png",
            "application/pdf",
            422,
            "document-type-mismatch",
            "sent as 'application/pdf' (Content-Type), which is a PDF document, but its content "
            "is a PNG image: send it with 'Content-Type: image/png'",
        ),
        (
            eicar(),
            "eicar.txt",
            "text/plain",
            422,
            "document-infected",
            "found openbook.EICAR-Test-File",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_a_refused_upload_says_precisely_why_and_keeps_nothing(
    reader, shared, documents_dir, *, content, name, content_type, status, code, says
):
    response = upload(reader, shared["key"], content=content, name=name, content_type=content_type)
    assert response.status_code == status, response.content
    error = error_of(response)
    assert error["code"] == code
    assert says in error["message"], error["message"]
    assert kept_files(documents_dir) == []
    assert log.log_size(shared["store"]) == 0
    assert reader.get(UPLOAD, **bearer(shared["key"])).json()["documents"] == []


def test_other_accepted_kinds_are_recognised(client, key):
    cases = [
        (
            a_docx(),
            "specification.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (an_odt(), "specification.odt", "application/vnd.oasis.opendocument.text"),
        (a_png(), "site plan.png", "image/png"),
        ("Lot,Price\n1,£250,000\n".encode(), "prices.csv", "text/csv; charset=utf-8"),
        (
            b"Clarification: the site visit is on Monday.\n",
            "clarification.TXT",
            "text/plain; charset=utf-8",
        ),
    ]
    for content, name, media_type in cases:
        response = upload(
            client, key, content=content, name=name, content_type="application/octet-stream"
        )
        assert response.status_code == 201, (name, response.content)
        assert response.json()["mediaType"] == media_type
        download = client.get(f"/api/documents/{response.json()['sha256']}")
        assert download["Content-Type"] == media_type
        assert b"".join(download.streaming_content) == content
    # A name beyond ASCII travels in filename* both ways (RFC 6266).
    response = upload(client, key, content=a_pdf("Étude"), name="Étude de marché – lot 2.pdf")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Étude de marché – lot 2.pdf"
    download = client.get(f"/api/documents/{response.json()['sha256']}")
    assert (
        "filename*=utf-8''%C3%89tude%20de%20march%C3%A9%20%E2%80%93%20lot%202.pdf"
        in download["Content-Disposition"]
    )
    download.close()


def test_the_size_limit_is_kept_before_and_while_reading(
    reader, shared, documents_dir, monkeypatch
):
    monkeypatch.setenv("OPENBOOK_DOCUMENT_MAX_BYTES", "1000")
    response = upload(reader, shared["key"], content=a_pdf("x" * 2000))
    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "document-too-large"
    assert "the most this platform accepts is 1,000 bytes" in error["message"]
    # Declared larger than the limit: refused on the header, before a byte is read.
    response = upload(reader, shared["key"], content=PDF, CONTENT_LENGTH="500000000")
    assert response.status_code == 413
    assert "500,000,000 bytes" in error_of(response)["message"]
    # Without a length: refused.
    response = upload(reader, shared["key"], content=PDF, CONTENT_LENGTH="")
    assert response.status_code == 411
    assert kept_files(documents_dir) == [] and log.log_size(shared["store"]) == 0


def test_without_a_scanner_nothing_is_accepted(
    reader, shared, documents_dir, *, monkeypatch, tmp_path
):
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    response = upload(reader, shared["key"])
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "scanner-unavailable"
    assert "its scanner, ClamAV, is not installed" in error["message"]
    assert kept_files(documents_dir) == [] and log.log_size(shared["store"]) == 0


def test_a_failing_scanner_refuses_the_upload(
    reader, shared, documents_dir, *, monkeypatch, tmp_path
):
    broken = tmp_path / "clamav"
    broken.mkdir()
    (broken / "broken.ndb").write_text("not a signature\n")
    monkeypatch.setenv("OPENBOOK_CLAMAV_DATABASE", str(broken))
    response = upload(reader, shared["key"])
    assert response.status_code == 503
    assert error_of(response)["code"] == "scanner-unavailable"
    assert "the malware scanner failed" in error_of(response)["message"]
    assert kept_files(documents_dir) == [] and log.log_size(shared["store"]) == 0


def test_scanning_can_be_turned_off_for_development_only(client, key, monkeypatch):
    monkeypatch.setenv("OPENBOOK_DOCUMENT_SCANNER", "none")
    response = upload(client, key)
    assert response.status_code == 201
    assert response.json()["scan"] == "not scanned (OPENBOOK_DOCUMENT_SCANNER=none)"


def document_entry(sha256: str, **fields) -> dict:
    return {
        "id": "contract-redacted",
        "documentType": "contractSigned",
        "title": "Contract (redacted)",
        "url": f"https://find-tender.example.gov.uk/api/documents/{sha256}",
        "format": "application/pdf",
        **fields,
    }


def test_releases_link_to_documents_and_declare_what_was_withheld(client, key, store):
    published = upload(client, key).json()
    withheld = upload(
        client, key, content=a_pdf("Full"), name="full.pdf", withheld="sensitive-commercial"
    ).json()
    ocid = post(client, "/api/publish/ocids", {}, key).json()["ocid"]
    release = tender(ocid)
    release["tender"]["documents"] += [
        document_entry(published["sha256"]),
        document_entry(withheld["sha256"], id="contract-full", title="Contract"),
        document_entry("ab" * 32, id="annex"),
    ]
    response = post(client, "/api/publish/validate", release, key)
    assert response.status_code == 200, response.content
    problems = {p["code"]: p for p in response.json()["problems"]}
    assert problems["document.not-uploaded"]["pointer"] == "/tender/documents/3/url"
    assert not problems["document.not-uploaded"]["blocking"]
    undeclared = problems["document.withheld-undeclared"]
    assert undeclared["pointer"] == "/tender/documents/2"
    assert "'relatedDocument' is this document's id (contract-full)" in undeclared["message"]
    assert "document.format-differs" not in problems
    # Declared, with a ground the codelist does not have: refused, with the codes to use.
    release["withheldInformation"] = [
        {
            "id": "w1",
            "name": "Pricing schedule",
            "rationale": "Unit prices would let competitors undercut the supplier",
            "relatedDocument": "contract-full",
            "rationaleClassifications": [{"scheme": "openbook-withheld", "id": "confidential"}],
        }
    ]
    response = post(client, "/api/publish/releases", release, key)
    assert response.status_code == 422
    [problem] = [p for p in error_of(response)["problems"] if p["blocking"]]
    assert problem["code"] == "withheld.ground-unknown"
    assert problem["pointer"] == "/withheldInformation/0/rationaleClassifications/0/id"
    assert "use one of national-security, sensitive-commercial" in problem["message"]
    assert problem["citation"] == "Procurement Act 2023, s.94(3)"
    # With no ground at all: refused too, saying the law asks for it.
    release["withheldInformation"][0]["rationaleClassifications"] = []
    response = post(client, "/api/publish/releases", release, key)
    assert response.status_code == 422
    codes = [p["code"] for p in error_of(response)["problems"] if p["blocking"]]
    assert codes == ["withheld.ground-missing"]
    # A sound declaration is published, and kept with the release.
    release["withheldInformation"][0]["rationaleClassifications"] = [
        {
            "scheme": "openbook-withheld",
            "id": "sensitive-commercial",
            "description": "Sensitive commercial information",
        }
    ]
    response = post(client, "/api/publish/releases", release, key)
    assert response.status_code == 201, response.content
    codes = {p["code"] for p in response.json()["problems"]}
    assert "document.withheld-undeclared" not in codes
    assert not any(code.startswith("withheld.") for code in codes)
    [stored] = client.get("/api/ocds/releases").json()["releases"]
    assert stored["withheldInformation"][0]["relatedDocument"] == "contract-full"


def test_documents_are_in_the_publish_apis_description(client):
    document = client.get("/api/publish/openapi.json").json()
    operation = document["paths"]["/api/publish/documents"]["post"]
    assert {"201", "413", "415", "422", "503"} <= set(operation["responses"])
    assert "requestBody" in operation and operation["security"]
    public = client.get("/api/openapi.json").json()
    assert "/api/documents/{sha256}" in public["paths"]
    assert "451" in public["paths"]["/api/documents/{sha256}"]["get"]["responses"]


@pytest.fixture(scope="session")
def clamd(tmp_path_factory) -> Iterator[str]:
    """A real ClamAV daemon (Debian's clamav-daemon, which the README's commands install), in the
    foreground with openbook's signatures alone; its socket."""
    program = shutil.which("clamd") or next(
        (path for path in ("/usr/sbin/clamd",) if Path(path).is_file()), None
    )
    if program is None:
        # Never skipped: the README's test command installs it (scripts/system-packages.sh).
        pytest.fail("clamd is not installed: run `sh scripts/system-packages.sh --test`")
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    shutil.copy(SIGNATURES, folder / "db")
    socket_path = folder / "clamd.sock"
    (folder / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {folder / 'db'}\nForeground yes\n"
        f"TemporaryDirectory {folder}\nLogFile {folder / 'clamd.log'}\n"
    )
    daemon = subprocess.Popen(
        [program, f"--config-file={folder / 'clamd.conf'}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not socket_path.exists():
            if daemon.poll() is not None or time.monotonic() > deadline:
                log_text = (
                    (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
                )
                pytest.fail(f"clamd did not start: {log_text[-1000:]}")
            time.sleep(0.1)
        yield str(socket_path)
    finally:
        daemon.terminate()
        daemon.wait(timeout=30)


def test_a_clamav_daemon_scans_when_configured(
    client, key, store, documents_dir, *, clamd, monkeypatch
):
    monkeypatch.setenv("OPENBOOK_CLAMD_SOCKET", clamd)
    response = upload(client, key)
    assert response.status_code == 201, response.content
    assert response.json()["scan"].startswith("clean: ClamAV") and response.json()["scan"].endswith(
        "(clamd)"
    )
    refused = upload(client, key, content=eicar(), name="eicar.txt", content_type="text/plain")
    assert refused.status_code == 422
    assert error_of(refused)["code"] == "document-infected"
    assert "found openbook.EICAR-Test-File" in error_of(refused)["message"]
    assert log.log_size(store) == 1
    # A daemon that is not there: nothing is accepted.
    monkeypatch.setenv("OPENBOOK_CLAMD_SOCKET", str(documents_dir / "no-such.sock"))
    response = upload(client, key, content=a_png(), name="plan.png", content_type="image/png")
    assert response.status_code == 503
    assert error_of(response)["code"] == "scanner-unavailable"
