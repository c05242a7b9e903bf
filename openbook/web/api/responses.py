"""HTTP details shared by the API's views: JSON bytes as responses, links that keep the query,
and conditional requests on records (ETag and Last-Modified, answered with 304)."""

import zlib
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from orjson import dumps

from openbook import config


def json_bytes(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


def json_value(value: object, status: int = 200) -> HttpResponse:
    return json_bytes(dumps(value), status)


def absolute(request: HttpRequest, path: str, query: dict[str, object] | None = None) -> str:
    """An absolute URL on this server, with the given query (None values left out)."""
    pairs = {key: value for key, value in (query or {}).items() if value not in (None, "")}
    return request.build_absolute_uri(path) + (f"?{urlencode(pairs)}" if pairs else "")


def record_validators(last_seq: int, log_time: str) -> tuple[str, str]:
    """ETag and Last-Modified of a record as of its last statement. Weak, because gzip changes
    the bytes but not the meaning; the publisher's name is in the package, so it is in the tag."""
    moment = datetime.strptime(log_time, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    # crc32, not hash(): the same in every server process (str hashes are salted per process).
    settings = zlib.crc32((config.publisher_name() + config.licence()).encode())
    tag = f'W/"{last_seq}-{settings:08x}"'
    return tag, format_datetime(moment.replace(microsecond=0), usegmt=True)


def not_modified(request: HttpRequest, etag: str, last_modified: str) -> bool:
    """RFC 9110 section 13.2.2: If-None-Match decides when given; else If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        given = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in given or etag.removeprefix("W/") in given
    if_modified_since = request.headers.get("If-Modified-Since")
    if if_modified_since:
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return parsedate_to_datetime(last_modified) <= since
    return False


def conditional(request: HttpRequest, etag: str, last_modified: str) -> HttpResponse | None:
    if not not_modified(request, etag, last_modified):
        return None
    response = HttpResponse(status=304)
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    return response


def with_validators(response: HttpResponse, etag: str, last_modified: str) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response
