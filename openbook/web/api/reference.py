"""The API reference page (/api/docs): the OpenAPI document rendered as plain HTML on the
server, so it works without JavaScript or a CDN."""

from html import escape

from django.http import HttpRequest, HttpResponse
from ninja import Router

router = Router(tags=["Reference"])


@router.get("/docs", include_in_schema=False)
def docs(request: HttpRequest):
    from openbook.web.api import api

    document = api.get_openapi_schema(path_prefix="/api")
    return HttpResponse(render(document), content_type="text/html; charset=utf-8")


def render(document: dict) -> str:
    info = document.get("info", {})
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(info.get('title', 'API'))} reference</title>",
        "<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
        "line-height:1.5}code{background:#f3f2f1;padding:0 .2em}table{border-collapse:collapse}"
        "td,th{border-bottom:1px solid #b1b4b6;padding:.3em .6em;text-align:left;"
        "vertical-align:top}</style></head><body><main>",
        f"<h1>{escape(info.get('title', 'API'))} reference</h1>",
        f"<p>{escape(info.get('description', ''))}</p>",
        '<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI).</p>',
    ]
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            parts.append(f"<h2><code>{escape(method.upper())} {escape(path)}</code></h2>")
            parts.append(f"<p><strong>{escape(operation.get('summary', ''))}</strong></p>")
            if operation.get("description"):
                parts.append(f"<p>{escape(operation['description'])}</p>")
            parameters = operation.get("parameters", [])
            if parameters:
                parts.append(
                    "<table><thead><tr><th>Parameter</th><th>In</th><th>Constraints</th>"
                    "<th>Description</th></tr></thead><tbody>"
                )
                for parameter in parameters:
                    schema = parameter.get("schema", {})
                    constraints = ", ".join(
                        f"{key} {schema[key]}"
                        for key in ("minimum", "maximum", "maxLength", "pattern", "default")
                        if key in schema
                    )
                    parts.append(
                        f"<tr><td><code>{escape(parameter['name'])}</code></td>"
                        f"<td>{escape(parameter.get('in', ''))}</td>"
                        f"<td>{escape(constraints)}</td>"
                        f"<td>{escape(parameter.get('description', ''))}</td></tr>"
                    )
                parts.append("</tbody></table>")
            codes = ", ".join(escape(str(code)) for code in operation.get("responses", {}))
            parts.append(f"<p>Responses: {codes}</p>")
    parts.append("</main></body></html>")
    return "\n".join(parts)
