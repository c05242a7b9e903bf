"""/downloads/: the latest snapshot (openbook export), listed on a page and served file by file
(docs/downloads.md). /api/downloads gives the same context as JSON, and so does the page's JSON
twin.

Only the manifest and the files it names (``files`` and ``derivedRegisters``) are served: no
other path in or beside the downloads directory can be reached, whatever the URL. Files are
served with their checksum as a strong ETag, Content-Length, and single byte ranges (RFC 9110
section 14), so an interrupted download of a large file can resume.
"""

import hashlib
import io
import re
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import config
from openbook.export import manifest
from openbook.export.manifest import Snapshot
from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page

PAGE = "/downloads/"
TEMPLATE = "pages/downloads.html"
BLOCK = 1 << 16
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
# How much of a file name that is not there the 404 page repeats.
NAME_SHOWN = 200


def read_snapshot() -> Snapshot | None:
    return manifest.read(config.downloads_dir())


def context(request: HttpRequest, snapshot: Snapshot) -> dict:
    """What the page shows and /api/downloads returns: the manifest, with absolute URLs."""

    def located(entries: dict[str, dict]) -> list[dict]:
        return [
            {**entry, "url": request.build_absolute_uri(PAGE + entry["name"])}
            for entry in entries.values()
        ]

    return {
        **snapshot.manifest,
        "files": located(snapshot.files),
        "derivedRegisters": located(snapshot.derived),
        "links": {
            "page": request.build_absolute_uri(PAGE),
            "manifest": request.build_absolute_uri(PAGE + manifest.MANIFEST),
            "checksums": request.build_absolute_uri(PAGE + manifest.CHECKSUMS),
        },
    }


@require_safe
def index(request: HttpRequest) -> HttpResponse:
    snapshot = read_snapshot()
    if snapshot is None:
        return _missing(request, _("No downloads yet"))
    with snapshot:
        return page(request, TEMPLATE, context(request, snapshot), title=_("Bulk downloads"))


@require_safe
def download(request: HttpRequest, name: str) -> HttpResponse:
    snapshot = read_snapshot()
    handle = snapshot.open(name) if snapshot is not None else None
    if snapshot is None or handle is None:
        if snapshot is not None:
            snapshot.close()
        return _missing(request, _("File not found"), name)
    with snapshot:
        entry = snapshot.entry(name)
    if entry is None:  # the manifest itself: no file holds its checksum
        with handle:
            data = handle.read()
        etag = f'"{hashlib.sha256(data).hexdigest()}"'
        media_type = manifest.media_type(name)
        return serve(
            request, io.BytesIO(data), size=len(data), etag=etag, media_type=media_type, name=name
        )
    return serve(
        request,
        handle,
        size=int(entry["size"]),
        etag=f'"{entry["sha256"]}"',
        media_type=entry["mediaType"],
        name=name,
    )


def _missing(request: HttpRequest, title: str, name: str | None = None) -> HttpResponse:
    """The 404 page: no snapshot made yet, or no such file in it (``name``, as asked for, with
    characters that cannot be shown replaced)."""
    shown = None
    if name is not None:
        shown = "".join(c if c.isprintable() else "\ufffd" for c in name[:NAME_SHOWN])
    return page(
        request,
        TEMPLATE,
        {"error": {"status": 404, "title": title, "problems": [], "file": shown}},
        title=title,
        status=404,
    )


def serve(
    request: HttpRequest, handle: BinaryIO, *, size: int, etag: str, media_type: str, name: str
) -> HttpResponse:
    """A file, with its strong ETag (answering If-None-Match with 304) and one byte range if
    asked; also serves uploaded documents (openbook.web.api.documents)."""
    if _matches(request.headers.get("If-None-Match"), etag):
        handle.close()
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    wanted = _range(request, size, etag)
    if isinstance(wanted, str):  # "unsatisfiable"
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is not None:
        start, end = wanted
        handle.seek(start)
        response = FileResponse(
            _Slice(handle, end - start + 1), status=206, content_type=media_type
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(handle, content_type=media_type)
        response["Content-Length"] = str(size)
    filename = name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    given = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in given or etag in given


def _range(request: HttpRequest, size: int, etag: str) -> tuple[int, int] | str | None:
    """The one byte range asked for, "unsatisfiable", or None for the whole file. Several
    ranges, or a range on a changed file (If-Range), get the whole file, as RFC 9110 allows."""
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header is None or (if_range is not None and if_range.strip() != etag):
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
        return (start, end) if int(last) > 0 and size > 0 else "unsatisfiable"
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if last and int(last) < start:
        return None  # not a valid range: ignored
    return (start, end) if start < size else "unsatisfiable"


class _Slice:
    """``length`` bytes of a file from where it stands (no tell or seek: FileResponse then
    leaves Content-Length to the view)."""

    def __init__(self, handle: BinaryIO, length: int) -> None:
        self.handle = handle
        self.left = length

    def read(self, size: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        size = self.left if size < 0 else min(size, self.left)
        data = self.handle.read(size)
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.handle.close()
