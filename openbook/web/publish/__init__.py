"""The authenticated publish API under /api/publish/, for contracting authorities' systems, with
its own OpenAPI document at /api/publish/openapi.json (docs/publishing-api.md). Kept apart from
the public read API (openbook.web.api): its own keys, errors, limits and description."""

import logging

from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from openbook.web.api.errors import ApiError
from openbook.web.publish import documents, marks, payments, registers, suppliers, views
from openbook.web.publish.errors import PublishError, error_response, unauthorised

logger = logging.getLogger(__name__)

publish_api = NinjaAPI(
    title="openbook publish API",
    version="1",
    description=(
        "For contracting authorities' e-procurement systems: publish OCDS releases (UK "
        "notices) and their documents with an API key, `Authorization: Bearer obk_...`. A key "
        'publishes only for its own organisation. Errors are JSON `{"error": {"code", '
        '"message", "problems"}}`, '
        "each problem with a JSON pointer into what was sent (docs/publishing-api.md)."
    ),
    urls_namespace="publish",
    docs_url=None,
    openapi_url="/openapi.json",
)
publish_api.add_router("", views.router)
publish_api.add_router("", documents.router)
publish_api.add_router("", marks.router)
publish_api.add_router("", registers.router)
publish_api.add_router("", suppliers.router)
publish_api.add_router("", payments.router)  # payments files (s.70)


@publish_api.exception_handler(PublishError)
def _refused(request: HttpRequest, error: PublishError):
    return error_response(error)


@publish_api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, error: AuthenticationError):
    return error_response(unauthorised("key-missing", "this operation needs an API key"))


@publish_api.exception_handler(ApiError)
def _bad_parameter(request: HttpRequest, error: ApiError):
    return error_response(PublishError(error.status, error.code, error.message))


@publish_api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, error: ValidationError):
    first = error.errors[0] if error.errors else {}
    location = [str(part) for part in first.get("loc", ())]
    parameter = location[-1] if location else "request"
    message = str(first.get("msg", "is not valid"))
    return error_response(
        PublishError(400, "invalid-parameter", f"{parameter}: {message[0].lower()}{message[1:]}")
    )


@publish_api.exception_handler(Http404)
def _not_found(request: HttpRequest, error: Http404):
    return error_response(PublishError(404, "not-found", "no such resource here"))


@publish_api.exception_handler(HttpError)
def _http_error(request: HttpRequest, error: HttpError):
    return error_response(PublishError(error.status_code, "http-error", error.message))


@publish_api.exception_handler(Exception)
def _unexpected(request: HttpRequest, error: Exception):
    # Logged with its trace for the operator (never the request's headers: they hold the key);
    # the client gets a stable code, and nothing was stored unless the answer says so.
    logger.exception("unexpected error answering %s %s", request.method, request.path)
    return error_response(
        PublishError(500, "internal-error", "the server failed to answer; the error is logged")
    )
