"""Reading a publish request's body: its type, its length before any of it is read, then JSON
read strictly (openbook.publishing.body). Each refusal is a precise error; nothing is stored.

The body is read here, not through Django's ``request.body`` (whose own limit,
DATA_UPLOAD_MAX_MEMORY_SIZE, would answer differently), and never beyond
``OPENBOOK_PUBLISH_MAX_BYTES``: a body declared larger is refused before a byte of it is read.
"""

from typing import Any

from django.http import HttpRequest

from openbook import config
from openbook.publishing.body import BodyError, parse
from openbook.web.publish.errors import PublishError


def read_json(request: HttpRequest) -> Any:
    if request.content_type != "application/json":
        given = request.content_type or "none"
        raise PublishError(
            415,
            "unsupported-media-type",
            "the body must be JSON, sent with 'Content-Type: application/json' "
            f"(got {given[:60]!r})",
        )
    charset = request.content_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise PublishError(
            415, "unsupported-media-type", f"send the JSON as UTF-8, not {charset[:40]!r}"
        )
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise PublishError(
            415,
            "unsupported-media-type",
            f"the body is {encoding[:40]!r}-encoded: send it uncompressed (up to the size limit)",
        )
    most = config.publish_max_bytes()
    length = request.META.get("CONTENT_LENGTH", "")
    if not length:
        raise PublishError(
            411, "length-required", "send the body with a Content-Length header (not chunked)"
        )
    if not length.isdigit():
        raise PublishError(
            400, "bad-content-length", f"Content-Length {length[:40]!r} is not a number"
        )
    if int(length) > most:
        raise PublishError(413, "body-too-large", _too_large(int(length), most))
    data = request.read(most + 1)
    if len(data) > most:
        raise PublishError(413, "body-too-large", _too_large(len(data), most))
    try:
        return parse(data)
    except BodyError as error:
        raise PublishError(400, error.code, error.message) from None


def _too_large(size: int, most: int) -> str:
    return (
        f"the body is {size:,} bytes; the most this API accepts in one request is {most:,} bytes "
        f"({most / 2**20:g} MB): send the releases in several smaller packages"
    )
