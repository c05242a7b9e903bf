"""The API reference page (/api/docs): the OpenAPI document (/api/openapi.json) as a page on the
GOV.UK Design System, rendered on the server so it works without JavaScript or a CDN.

Its context, the JSON twin, is a summary of the document: each operation by tag, with its
parameters (where they go, whether required, their type and constraints) and responses. The
document itself stays the machine-readable description, and the page links to it."""

import functools
import re

from django.http import HttpRequest, HttpResponse
from ninja import Router

from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page

router = Router(tags=["Reference"])

DOCUMENT = "/api/openapi.json"
METHODS = ("get", "head", "post", "put", "patch", "delete", "options")
# An operation the document gives no tag is listed under this heading.
UNTAGGED = "Other"
# What the page says of a parameter's schema, in this order (JSON Schema's keywords).
CONSTRAINTS = (
    "enum",
    "default",
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
)


@router.get("/docs", include_in_schema=False)
def docs(request: HttpRequest) -> HttpResponse:
    return page(request, "pages/api_reference.html", context(), title=_("API reference"))


@functools.cache
def context() -> dict:
    """The reference of this API. Made once a process: django-ninja takes a few hundred
    milliseconds to build the document, which does not change while the process runs."""
    from openbook.web.api import api

    return summary(api.get_openapi_schema(path_prefix="/api"))


def summary(document: dict) -> dict:
    """An OpenAPI 3 document's operations, grouped by their first tag in the order the tags
    first appear, each with an ``id`` unique on the page for links to it."""
    info = document.get("info", {})
    components = document.get("components", {}).get("schemas", {})
    tags: dict[str, list[dict]] = {}
    ids: set[str] = set()
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in METHODS or not isinstance(operation, dict):
                continue
            tag = (operation.get("tags") or [UNTAGGED])[0]
            anchor = _unique(f"{method}-{path}", ids)
            tags.setdefault(tag, []).append(_operation(anchor, method, path, operation, components))
    return {
        "api": {
            "title": info.get("title", ""),
            "version": info.get("version", ""),
            "description": info.get("description", ""),
        },
        "document": DOCUMENT,
        "tags": [
            {"name": name, "id": _unique(f"tag-{name}", ids), "operations": found}
            for name, found in tags.items()
        ],
    }


def _operation(anchor: str, method: str, path: str, operation: dict, components: dict) -> dict:
    return {
        "id": anchor,
        "method": method.upper(),
        "path": path,
        "summary": operation.get("summary", ""),
        "description": operation.get("description", ""),
        "parameters": [
            _parameter(parameter, components) for parameter in operation.get("parameters", [])
        ],
        "responses": [
            _response(status, response, components)
            for status, response in sorted(
                operation.get("responses", {}).items(), key=lambda item: str(item[0])
            )
        ],
    }


def _parameter(parameter: dict, components: dict) -> dict:
    schema = _resolve(parameter.get("schema", {}), components)
    # An optional parameter is ``anyOf`` its type and null: the constraints are on the type.
    options = [
        option
        for option in (_resolve(each, components) for each in schema.get("anyOf", []))
        if option.get("type") != "null"
    ]
    constraints = {}
    for part in [schema, *options]:
        constraints.update({key: part[key] for key in CONSTRAINTS if key in part})
    return {
        "name": parameter.get("name", ""),
        "in": parameter.get("in", ""),
        "required": bool(parameter.get("required")),
        "type": _type(schema, components),
        "description": parameter.get("description") or schema.get("description", ""),
        "constraints": {key: constraints[key] for key in CONSTRAINTS if key in constraints},
    }


def _response(status: object, response: dict, components: dict) -> dict:
    return {
        "status": str(status),
        "description": response.get("description", ""),
        "content": [
            {
                "mediaType": media_type,
                "schema": _type(described.get("schema", {}), components, named=True),
            }
            for media_type, described in response.get("content", {}).items()
        ],
    }


def _type(schema: dict, components: dict, *, named: bool = False) -> str:
    """A schema's type as the reference writes it: ``integer``, ``string (date)``,
    ``string[]``, ``integer or string``; with ``named``, a component's name (``Error``)."""
    reference = schema.get("$ref")
    if isinstance(reference, str):
        if named:
            return reference.rsplit("/", 1)[-1]
        return _type(_resolve(schema, components), components)
    options = [option for option in schema.get("anyOf", []) if option.get("type") != "null"]
    if options:
        return " or ".join(_type(option, components, named=named) for option in options)
    kind = schema.get("type", "")
    if kind == "array":
        return f"{_type(schema.get('items', {}), components, named=named)}[]"
    if isinstance(kind, list):
        kind = " or ".join(str(each) for each in kind if each != "null")
    given = schema.get("format")
    return f"{kind} ({given})" if kind and given else str(kind)


def _resolve(schema: object, components: dict) -> dict:
    """A schema, or the component its ``$ref`` names (``#/components/schemas/NAME``)."""
    if not isinstance(schema, dict):
        return {}
    reference = schema.get("$ref")
    if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
        found = components.get(reference.rsplit("/", 1)[-1])
        return found if isinstance(found, dict) else {}
    return schema


def _unique(text: str, taken: set[str]) -> str:
    """An id for an HTML element made from ``text`` (letters, digits and hyphens), unlike any
    in ``taken``."""
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"
    found, number = base, 1
    while found in taken:
        number += 1
        found = f"{base}-{number}"
    taken.add(found)
    return found
