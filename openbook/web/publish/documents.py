"""The publish API's documents: upload one, and read your organisation's own (docs/documents.md,
docs/publishing-api.md). Thin adapters over openbook.documents.

A document is sent as the request body itself, as it is on disk, with its media type in
``Content-Type`` and its name in ``Content-Disposition`` (RFC 6266; ``filename*`` for names
beyond ASCII): what any HTTP client sends without a form library, streamed as it is read, and
safe to send again after a timeout (the same bytes are the same document).
"""

from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_header_parameters
from ninja import Path, Query, Router
from orjson import dumps

from openbook import config
from openbook.documents import published
from openbook.documents.upload import UploadRefused, too_large, upload
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.web.publish.auth import ORGANISATION, PUBLISH_KEY, actor, scoped
from openbook.web.publish.errors import PublishError
from openbook.web.publish.schemas import (
    ERRORS,
    DocumentMetadata,
    DocumentPage,
    Error,
    UploadedDocument,
)

router = Router(auth=PUBLISH_KEY, tags=["Documents"])

BLOCK = 1 << 16
SHA256 = r"^[0-9a-fA-F]{64}$"
DOCUMENT_ERRORS = {**ERRORS, 404: Error, 503: Error}
DOCUMENT_BODY = {
    "parameters": [
        {
            "name": "Content-Disposition",
            "in": "header",
            "required": True,
            "description": (
                'The file\'s name: `attachment; filename="contract.pdf"`, or for a name beyond '
                "ASCII `attachment; filename*=UTF-8''%C3%A9tude.pdf` (RFC 6266)."
            ),
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "description": (
            "The file itself, as it is on disk, with its media type as Content-Type "
            "(application/octet-stream if unknown: the type is told by the content)."
        ),
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    },
}


def _json(value: object, status: int) -> HttpResponse:
    return HttpResponse(dumps(value), status=status, content_type="application/json")


def document_url(request: HttpRequest, sha256: str) -> str:
    return request.build_absolute_uri(f"/api/documents/{sha256}")


@router.post(
    "/documents",
    response={200: UploadedDocument, 201: UploadedDocument, **DOCUMENT_ERRORS},
    summary="Upload a document",
    description=(
        "The file is the body. It is checked (name, size, type told by its content), scanned "
        "for malware, kept under its SHA-256 and logged. 201 for a new document; 200 when your "
        "organisation uploaded the same bytes before (idempotent). Link to it from a release "
        "with the `url` of the answer. With `withheld`, it is kept and logged but not published."
    ),
    openapi_extra=DOCUMENT_BODY,
)
@scoped(ORGANISATION)
def upload_document(
    request: HttpRequest,
    withheld: str | None = Query(
        None,
        max_length=40,
        description=(
            "To keep the document from publication: the ground, a code of the openbook-withheld "
            "codelist (docs/documents.md), such as sensitive-commercial."
        ),
    ),
):
    key: Key = request.auth
    name = _file_name(request)
    most = config.document_max_bytes()
    length = _content_length(request, most)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise PublishError(
            415,
            "unsupported-media-type",
            f"the body is {encoding[:40]!r}-encoded: send the file as it is, uncompressed",
        )
    try:
        uploaded = upload(
            Store(),
            key.organisation,
            _chunks(request, length),
            name=name,
            declared=request.META.get("CONTENT_TYPE", ""),
            withheld=withheld,
            actor=actor(request),
            max_bytes=most,
        )
    except UploadRefused as refused:
        raise PublishError(refused.status, refused.code, refused.message) from None
    answer = uploaded.as_dict(document_url(request, uploaded.document.sha256))
    return _json(answer, 201 if uploaded.status == "created" else 200)


@router.get(
    "/documents",
    response={200: DocumentPage, **DOCUMENT_ERRORS},
    summary="Your organisation's documents",
    description="Every document your organisation uploaded, oldest first; follow `next` for more.",
)
@scoped(ORGANISATION)
def own_documents(
    request: HttpRequest,
    after: int | None = Query(None, ge=0, description="From `next`: the last sequence seen."),
    limit: int = Query(100, ge=1, le=1000),
):
    key: Key = request.auth
    found = published.own_list(Store(), key.organisation, after=after, limit=limit)
    following = None
    if len(found) == limit:
        query = request.GET.copy()
        query["after"] = str(found[-1].seq)
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    described = [published.describe(d, document_url(request, d.sha256)) for d in found]
    return _json({"documents": described, "next": following}, 200)


@router.get(
    "/documents/{sha256}",
    response={200: DocumentMetadata, **DOCUMENT_ERRORS},
    summary="One of your organisation's documents",
    description=(
        "What the platform holds of a document your organisation uploaded. A document only "
        "another organisation uploaded is not found: a key sees its own organisation's alone."
    ),
)
@scoped(ORGANISATION)
def own_document(
    request: HttpRequest,
    sha256: str = Path(..., pattern=SHA256, description="The document's SHA-256, in hex."),
):
    key: Key = request.auth
    try:
        found = published.own(Store(), key.organisation, sha256.lower())
    except published.NoSuchDocument as missing:
        raise PublishError(404, "not-found", str(missing)) from None
    return _json(published.describe(found, document_url(request, found.sha256)), 200)


def _file_name(request: HttpRequest) -> str:
    header = request.headers.get("Content-Disposition", "")
    try:
        _, parameters = parse_header_parameters(header)
    except ValueError as error:
        raise PublishError(400, "document-name-invalid", f"Content-Disposition: {error}") from None
    name = parameters.get("filename", "")
    if not header or not name.strip():
        raise PublishError(
            400,
            "document-name-missing",
            "give the file's name in a Content-Disposition header: "
            "'Content-Disposition: attachment; filename=\"contract.pdf\"' (for a name beyond "
            "ASCII, filename*=UTF-8''%C3%A9tude.pdf)",
        )
    return name


def _content_length(request: HttpRequest, most: int) -> int:
    length = str(request.META.get("CONTENT_LENGTH", "")).strip()
    if not length:
        raise PublishError(
            411, "length-required", "send the file with a Content-Length header (not chunked)"
        )
    if not length.isdigit():
        raise PublishError(
            400, "bad-content-length", f"Content-Length {length[:40]!r} is not a number"
        )
    if int(length) > most:
        raise PublishError(413, "document-too-large", too_large(int(length), most))
    return int(length)


def _chunks(request: HttpRequest, length: int) -> Iterator[bytes]:
    """The body as it arrives, in blocks: never all of it in memory."""
    left = length
    while left > 0:
        chunk = request.read(min(BLOCK, left))
        if not chunk:
            raise PublishError(
                400,
                "body-incomplete",
                f"the body ended after {length - left:,} of the {length:,} bytes its "
                "Content-Length announced: send the whole file",
            )
        left -= len(chunk)
        yield chunk
