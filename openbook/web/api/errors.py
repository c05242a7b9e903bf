"""The public API's errors: JSON with a stable code, a message that says what, where and why,
and the parameter at fault; never a stack trace (docs/api.md lists the codes)."""

from django.http import HttpResponse
from orjson import dumps


class ApiError(Exception):
    """A request the API refuses, with the status and code it answers."""

    def __init__(self, status: int, code: str, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.parameter = parameter


def bad_parameter(parameter: str, message: str) -> ApiError:
    return ApiError(400, "invalid-parameter", f"{parameter}: {message}", parameter)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not-found", message)


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> HttpResponse:
    body: dict = {"code": error.code, "message": error.message}
    if error.parameter:
        body["parameter"] = error.parameter
    response = HttpResponse(
        dumps({"error": body}), status=error.status, content_type="application/json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
