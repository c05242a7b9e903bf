"""Documents publishers uploaded, for everyone to download at a stable URL: ``/api/documents/
{sha256}`` (docs/documents.md). Public and read-only.

The URL names the content, so what it serves never changes: the SHA-256 is a strong ETag, a
download can resume with a byte range, and anyone can check the file against the hash the log
holds. A withheld document answers 451 (RFC 7725, Unavailable For Legal Reasons) with the
ground it is withheld on. Served as an attachment, never to be shown in the browser's own page,
with a Content-Security-Policy that lets nothing in it run.
"""

import logging

from django.http import HttpRequest
from django.utils.http import content_disposition_header
from ninja import Path, Router

from openbook.documents import published
from openbook.store.database import Store
from openbook.web.api.errors import ApiError, error_response, not_found
from openbook.web.api.schemas import ERRORS, Error
from openbook.web.downloads import serve

logger = logging.getLogger(__name__)

router = Router(tags=["Documents"])

SHA256 = r"^[0-9a-fA-F]{64}$"
FILE = {
    "responses": {
        200: {
            "description": (
                "The document, as an attachment with its name; its media type is the one its "
                "content was detected as (PDF, office documents, CSV, text, images)."
            ),
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


PATH = "/documents/{sha256}"
DESCRIPTION = (
    "The file whose SHA-256 is in the URL, as its publisher uploaded it (releases link to it in "
    "`documents[].url`). ETag is the SHA-256; a Range of bytes may be asked for. 451 if it is "
    "withheld from publication, with the ground; 404 if there is none."
)


def document(
    request: HttpRequest,
    sha256: str = Path(..., pattern=SHA256, description="The document's SHA-256, in hex."),
):
    try:
        found = published.download(Store(), sha256.lower())
    except published.NoSuchDocument as missing:
        raise not_found(str(missing)) from None
    except published.Withheld as withheld:
        return error_response(ApiError(451, "withheld", str(withheld)))
    except published.FileMissing:
        logger.error("document %s is recorded but its file is missing: restore it", sha256)
        raise ApiError(
            500,
            "document-missing",
            "the platform holds the record of this document but not its file; its operator "
            "has been told",
        ) from None
    document = found.document
    response = serve(
        request,
        found.handle,
        size=document.size,
        etag=f'"{document.sha256}"',
        media_type=document.media_type,
        name=document.name,
    )
    response["Content-Disposition"] = content_disposition_header(True, document.name) or ""
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    # The URL names the content, which never changes; a day's caching, revalidated by ETag
    # after, lets a withdrawal (a court order) reach caches within a day.
    response["Cache-Control"] = "public, max-age=86400"
    return response


# One view, two operations (OpenAPI wants an operationId per method): GET, and HEAD for the
# headers alone (size, type, ETag) without the file.
router.api_operation(
    ["GET"],
    PATH,
    response={451: Error, 500: Error, **ERRORS},
    summary="Download a document a publisher uploaded",
    description=DESCRIPTION,
    operation_id="get_document",
    openapi_extra=FILE,
)(document)
router.api_operation(
    ["HEAD"],
    PATH,
    response={451: Error, 500: Error, **ERRORS},
    summary="A document's headers (size, type, ETag), without the file",
    description=DESCRIPTION,
    operation_id="head_document",
    openapi_extra=FILE,
)(document)
