"""The public read API under /api/, with its OpenAPI document at /api/openapi.json and a
reference page at /api/docs (docs/api.md)."""

import logging

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from openbook.web.api import (
    commercial_tools,
    contract_performance,
    documents,
    downloads,
    fts,
    grants,
    identifiers,
    log,
    metrics,
    ocds,
    organisations,
    ownership,
    pipeline,
    plans,
    reference,
    registers,
    search,
    spend,
    spend_views,
)
from openbook.web.api.errors import ApiError, error_response

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="openbook public API",
    version="1",
    description=(
        "Public procurement data in the Open Contracting Data Standard: the change feed, "
        "releases, records, search and downloads; the verifiable log's signed tree heads, "
        "proofs and keys; and the Find a Tender Service's read API, "
        "reproduced for existing harvesters. Public: no key needed. Errors are JSON "
        '`{"error": {"code", "message", "parameter"}}`.'
    ),
    urls_namespace="api",
    docs_url=None,
    openapi_url="/openapi.json",
)
api.add_router("/ocds", ocds.router)
api.add_router("/ocds", search.router)
api.add_router("/1.0", fts.router)
api.add_router("", reference.router)
api.add_router("", downloads.router)
api.add_router("/log", log.router)
api.add_router("", documents.router)
api.add_router("", identifiers.router)
api.add_router("", organisations.router)
api.add_router("", ownership.router)
api.add_router("", commercial_tools.router)
api.add_router("", registers.router)
api.add_router("", pipeline.router)
api.add_router("", contract_performance.router)
api.add_router("", metrics.router)
api.add_router("", spend.router)
api.add_router("", spend_views.router)
api.add_router("", grants.router)
api.add_router("", plans.router)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, error: ApiError):
    return error_response(error)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError):
    return error_response(_first_problem(request, error.errors))


def _first_problem(request: HttpRequest, errors: list[dict]) -> ApiError:
    # One precise message, about the first parameter at fault (then the client fixes and retries).
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if location else None
    message = str(first.get("msg", "is not valid"))
    message = message[0].lower() + message[1:]
    given = request.GET.get(parameter) if parameter else None
    if given is not None:
        message += f" (got {given[:40]!r})"
    return ApiError(400, "invalid-parameter", f"{parameter}: {message}", parameter)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404):
    return error_response(ApiError(404, "not-found", "no such resource here"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError):
    return error_response(ApiError(error.status_code, "http-error", error.message))


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, error: Exception):
    # Logged with its trace for the operator; the client gets a stable code, never the trace.
    logger.exception("unexpected error answering %s", request.get_full_path())
    return error_response(
        ApiError(500, "internal-error", "the server failed to answer; the error is logged")
    )
