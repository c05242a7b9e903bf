"""The publish API's errors: JSON ``{"error": {"code", "message", "problems"}}``, with every
problem when there are several (docs/publishing-api.md lists the codes). Apart from the public
API's errors (openbook.web.api.errors), whose answers name one query parameter."""

from collections.abc import Sequence

from django.http import HttpResponse
from orjson import dumps

from openbook.publishing.publish import Problem

# RFC 6750 section 3: a 401 says which scheme it wants, and why the token was refused.
CHALLENGE = 'Bearer realm="openbook publishing"'


class PublishError(Exception):
    """A request the publish API refuses, with the status and code it answers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        problems: Sequence[Problem] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = list(problems)
        self.headers = headers or {}


def error_response(error: PublishError) -> HttpResponse:
    body: dict = {"code": error.code, "message": error.message}
    if error.problems:
        body["problems"] = [problem.as_dict() for problem in error.problems]
    response = HttpResponse(
        dumps({"error": body}), status=error.status, content_type="application/json"
    )
    for name, value in error.headers.items():
        response[name] = value
    return response


def unauthorised(code: str, message: str) -> PublishError:
    error = "invalid_request" if code == "key-missing" else "invalid_token"
    return PublishError(
        401, code, message, headers={"WWW-Authenticate": f'{CHALLENGE}, error="{error}"'}
    )
