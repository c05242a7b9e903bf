"""The pages' files: GOV.UK Frontend's and the Ministry of Justice's styles, scripts, fonts
and images at ``/assets/`` (copied there by ``npm ci``: scripts/assets.mjs), the project's own
at ``/static/``. Served by the application itself, so that one ``openbook serve`` is the whole
service; a day's caching, with ETags for the revalidation after."""

import hashlib
import mimetypes
from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

WEB = Path(__file__).resolve().parent.parent
ROOTS = {"assets": WEB / "assets", "static": WEB / "static"}
MAX_AGE = 86400
TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".mjs": "text/javascript"}


class AssetsMissing(Exception):
    """The front-end packages were never installed: ``npm ci`` makes openbook/web/assets."""


def check_installed() -> None:
    if not (ROOTS["assets"] / "govuk-frontend.min.css").exists():
        raise AssetsMissing(
            f"GOV.UK Frontend's files are missing from {ROOTS['assets']}: run `npm ci` in the "
            "openbook checkout before installing it (README.md)"
        )


def _file(root: str, name: str) -> Path:
    base = ROOTS[root]
    found = (base / name).resolve()
    if base.resolve() not in found.parents or not found.is_file():
        raise Http404(f"no file {name!r} here")
    return found


@require_safe
def serve(request: HttpRequest, name: str, root: str = "assets") -> HttpResponse:
    found = _file(root, name)
    stat = found.stat()
    tag = '"' + hashlib.sha256(f"{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == tag:
        response: HttpResponse = HttpResponseNotModified()
    else:
        kind = TYPES.get(found.suffix) or mimetypes.guess_type(found.name)[0]
        response = FileResponse(found.open("rb"), content_type=kind or "application/octet-stream")
        response["Content-Length"] = str(stat.st_size)
    response["ETag"] = tag
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
