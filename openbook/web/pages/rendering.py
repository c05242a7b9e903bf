"""One page, one context, two renderings (docs/pages.md): the HTML page and its JSON twin come
from the same dict, so the API covers everything a page shows.

The twin is asked for with ``?format=json`` or ``Accept: application/json``; every page links to
it (``<link rel="alternate" type="application/json">``)."""

from urllib.parse import quote, urlencode

import orjson
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from openbook.web.pages import i18n

JSON = "application/json"


def wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accepted = request.headers.get("Accept", "")
    return accepted.split(",")[0].split(";")[0].strip() == JSON


def json_link(request: HttpRequest) -> str:
    """The address of this page's JSON twin."""
    values = [(key, value) for key, value in request.GET.lists() for value in value]
    values = [(key, value) for key, value in values if key != "format"] + [("format", "json")]
    return f"{quote(request.path)}?{urlencode(values)}"


def page(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    title: str,
    status: int = 200,
    error: bool = False,
) -> HttpResponse:
    """The page: ``context`` as JSON for the twin, else rendered by ``template`` with
    ``title`` (the page's own part of the ``<title>``; ``error``: prefixed "Error:", as GOV.UK
    pages with an error summary are)."""
    if wants_json(request):
        response = HttpResponse(
            orjson.dumps(context, option=orjson.OPT_NON_STR_KEYS, default=str),
            content_type=JSON,
            status=status,
        )
    else:
        response = HttpResponse(
            render_to_string(
                template,
                {
                    **context,
                    "page": {
                        "title": title,
                        "error": error,
                        "json": json_link(request),
                        "language": i18n.current(),
                        "path": request.get_full_path(),
                    },
                },
                request=request,
            ),
            status=status,
        )
    response["Vary"] = "Accept, Cookie"
    return response
