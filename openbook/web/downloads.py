"""/downloads/: the latest snapshot (openbook export), listed on a page and served file by file
(docs/downloads.md). /api/downloads gives the same context as JSON.

Only the manifest and the files it names are served: no other path in or beside the downloads
directory can be reached, whatever the URL. Files are served with their checksum as a strong
ETag, Content-Length, and single byte ranges (RFC 9110 section 14), so an interrupted
download of a large file can resume.
"""

import hashlib
import io
import re
from html import escape
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import config
from openbook.export import manifest
from openbook.export.manifest import Snapshot

PAGE = "/downloads/"
BLOCK = 1 << 16
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def read_snapshot() -> Snapshot | None:
    return manifest.read(config.downloads_dir())


def context(request: HttpRequest, snapshot: Snapshot) -> dict:
    """What the page shows and /api/downloads returns: the manifest, with absolute URLs."""
    files = [
        {**entry, "url": request.build_absolute_uri(PAGE + entry["name"])}
        for entry in snapshot.files.values()
    ]
    return {
        **snapshot.manifest,
        "files": files,
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
        return _page(
            "No downloads yet",
            "<p>No snapshot of the data has been made yet. The bulk downloads appear here once "
            "the platform's operator runs <code>openbook export</code>.</p>",
            status=404,
        )
    with snapshot:
        return _page("Bulk downloads", _listing(context(request, snapshot)))


@require_safe
def download(request: HttpRequest, name: str) -> HttpResponse:
    snapshot = read_snapshot()
    handle = snapshot.open(name) if snapshot is not None else None
    if snapshot is None or handle is None:
        if snapshot is not None:
            snapshot.close()
        return _page(
            "Not found",
            f"<p>There is no file {escape(name)!r} in the downloads. "
            f'<a href="{PAGE}">See the files there are</a>.</p>',
            status=404,
        )
    with snapshot:
        entry = snapshot.files.get(name)
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


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size:,} bytes" if unit == "bytes" else f"{value:,.1f} {unit}"
        value /= 1000
    return f"{size:,} bytes"


def _listing(page: dict) -> str:
    counts = page.get("counts", {})
    head = page.get("log", {}).get("treeHead", {})
    links = page["links"]
    parts = [
        f"<p>A snapshot of everything published here: {counts.get('releases', 0):,} releases "
        f"and the compiled releases of {counts.get('compiledReleases', 0):,} contracting "
        f"processes, made on {escape(str(page.get('generated', '')))} from the first "
        f"{page.get('log', {}).get('size', 0):,} entries of the log. Published by "
        f"{escape(str(page.get('publisher', {}).get('name', '')))} under "
        f'the licence at <a href="{escape(str(page.get("license", "")))}">'
        f"{escape(str(page.get('license', '')))}</a>.</p>",
        "<h2>Files</h2>",
        '<table><caption class="visually-hidden">Files of the snapshot</caption>'
        '<thead><tr><th scope="col">File</th><th scope="col">What it holds</th>'
        '<th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead><tbody>',
    ]
    for entry in page["files"]:
        parts.append(
            f'<tr><td><a href="{escape(entry["url"])}">{escape(entry["name"])}</a></td>'
            f"<td>{escape(str(entry.get('description', '')))}</td>"
            f"<td>{escape(_size(int(entry['size'])))}</td>"
            f'<td><code class="hash">{escape(entry["sha256"])}</code></td></tr>'
        )
    parts.append("</tbody></table>")
    excel = page.get("excel", {})
    if not excel.get("available"):
        parts.append(
            "<p>There is no Excel workbook in this snapshot: "
            f"{escape(str(excel.get('reason', '')))}. The CSV tables hold the same data.</p>"
        )
    parts += [
        "<h2>Check what you downloaded</h2>",
        f'<p>Every file\'s SHA-256 is in <a href="{escape(links["checksums"])}">SHA256SUMS</a>'
        ": in the folder you downloaded to, run <code>sha256sum -c SHA256SUMS</code>.</p>",
        f"<p>The snapshot is consistent with the log's first {head.get('treeSize', 0):,} "
        "entries, whose Merkle tree head (RFC 9162) is "
        f'<code class="hash">{escape(str(head.get("rootHash", "")))}</code>. '
        f'<a href="{escape(links["manifest"])}">manifest.json</a> holds this and every count; '
        'the same as JSON for programs: <a href="/api/downloads">/api/downloads</a>.</p>',
    ]
    by_year = counts.get("releasesByYear") or {}
    if by_year:
        parts.append(
            '<h2>Releases by year</h2><table><caption class="visually-hidden">Releases by the '
            'year of their date</caption><thead><tr><th scope="col">Year of the release '
            'date</th><th scope="col">Releases</th></tr></thead><tbody>'
        )
        for year, count in by_year.items():
            parts.append(f"<tr><td>{escape(year)}</td><td>{int(count):,}</td></tr>")
        parts.append("</tbody></table>")
    return "\n".join(parts)


def _page(title: str, body: str, status: int = 200) -> HttpResponse:
    html = "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(title)} - openbook</title>",
            "<style>body{font-family:sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.5}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px "
            "solid #b1b4b6;padding:.3em .6em;text-align:left;vertical-align:top}"
            "code{background:#f3f2f1;padding:0 .2em}.hash{word-break:break-all}"
            ".visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;"
            "clip:rect(0 0 0 0)}a{color:#1d70b8}a:focus{outline:3px solid #fd0}</style>",
            "</head><body><main>",
            f"<h1>{escape(title)}</h1>",
            body,
            "</main></body></html>",
        ]
    )
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
