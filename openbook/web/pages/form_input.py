"""What a form sends, before and while a page reads it (issue 8): a post over Django's limits,
answers that are not UTF-8, and NUL characters, each refused with a precise message on the
service's own error page (or its JSON twin), and nothing stored.

- Over the limits (``DATA_UPLOAD_MAX_MEMORY_SIZE``, 2.5 MB of answers;
  ``DATA_UPLOAD_MAX_NUMBER_FIELDS``, 1,000 answers; ``DATA_UPLOAD_MAX_NUMBER_FILES``) Django
  raises as the form is first read; ``refused_request`` (the ``handler400``) says which limit,
  where Django's own answer is a bare "Bad Request (400)".
- Django decodes a form's answers with replacement characters, so bytes that are not UTF-8
  would be kept as U+FFFD: they are read strictly first (``form_utf8``), a URL-encoded form by
  ``FormInput``, a multipart one as Django parses it, each field at fault named.
- PostgreSQL text cannot hold NUL (SQLite keeps it): each form checks its own fields, and
  ``FormInput`` refuses any query a page's post would run with NUL in a text value, so a field
  a form forgets is answered 400 on both databases, never 500 on one and kept on the other.
"""

import re
from collections.abc import Callable
from contextlib import ExitStack

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import connections
from django.http import HttpRequest, HttpResponse

from openbook.web.pages import form_utf8, i18n
from openbook.web.pages.errors import Problem
from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page

NUL = "\x00"
_ESCAPED_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")  # an odd run of backslashes, then u0000
_FORM = "application/x-www-form-urlencoded"


def nul_refusal(text: str) -> str | None:
    """The message for a form's answer holding NUL, which PostgreSQL text cannot keep."""
    return _("Remove the NUL character from this answer") if NUL in text else None


class NulRefused(Exception):
    """A page's post was about to send NUL to the database."""


def _holds_nul(value: object) -> bool:
    """NUL itself, or in JSON text (an object or array) NUL escaped, which PostgreSQL's jsonb
    refuses too; an escaped backslash before ``u0000`` (text quoting the escape) is no NUL."""
    if not isinstance(value, str):
        return False
    if NUL in value:
        return True
    return value[:1] in ("{", "[") and "\\u0000" in value and bool(_ESCAPED_NUL.search(value))


def _refuse_nul(execute: Callable, sql: str, params, many: bool, context: dict):
    rows = params if many else [params]
    for row in rows or ():
        values = row.values() if isinstance(row, dict) else row or ()
        if any(_holds_nul(value) for value in values):
            raise NulRefused(sql[:60])
    return execute(sql, params, many, context)


class FormInput:
    """For the pages' posts (not the APIs, which read their own bodies): answers that are not
    UTF-8 refused before the view; NUL refused at the database (``_refuse_nul``)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path.startswith("/api/"):
            return self.get_response(request)
        with ExitStack() as wrappers:
            for alias in connections:
                wrappers.enter_context(connections[alias].execute_wrapper(_refuse_nul))
            return self.get_response(request)

    def process_view(self, request: HttpRequest, view, args, kwargs) -> HttpResponse | None:
        if request.method != "POST" or request.path.startswith("/api/"):
            return None
        if request.content_type != _FORM or (request.encoding or "utf-8").lower() not in (
            "utf-8",
            "utf8",
        ):
            return None
        unreadable = form_utf8.urlencoded(request.body)
        if not unreadable:
            return None
        return _not_utf8(request, unreadable)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, NulRefused):
            return None
        named = [
            name
            for name, values in request.POST.lists()
            if NUL in name or any(NUL in value for value in values)
        ]
        return _refused(
            request,
            400,
            _("An answer contains a NUL character, which cannot be kept"),
            problems=[
                Problem(name.replace(NUL, "\\0"), _("Remove the NUL character from this answer"))
                for name in named
            ],
        )


def _refused(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str = "",
    problems: list[Problem] | None = None,
) -> HttpResponse:
    """The service's error page (or its JSON twin) for what a form sent."""
    listed = [problem.as_dict() for problem in problems or []]
    return page(
        request,
        "pages/problem.html",
        {
            "error": {
                "status": status,
                "title": title,
                "detail": detail,
                "problems": listed,
                "form": True,
            }
        },
        title=title,
        status=status,
        error=bool(listed),
    )


def _not_utf8(request: HttpRequest, unreadable: list[form_utf8.Unreadable]) -> HttpResponse:
    """The service's page naming each field whose name or answer is not UTF-8."""
    problems = [found.problem() for found in unreadable]
    return _refused(request, 400, _("The form sent could not be read"), problems=problems)


def _megabytes(size: int) -> str:
    """A size as people read it, and exactly (2.5 MB and 2.5 MB and one byte differ)."""
    return f"{size / 1024 / 1024:,.1f} MB ({size:,} bytes)"


def refused_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400 handler: a request it refused before any view ran, chiefly a form over
    its limits, said precisely; as JSON, in English, under /api/ (in each API's own error
    format)."""
    if isinstance(exception, form_utf8.FormNotUtf8):
        if not request.path.startswith("/api/"):
            return _not_utf8(request, exception.unreadable)
        return _api_error(request, 400, "form-not-utf8", f"the form sent: {exception}")
    if not request.path.startswith("/api/"):
        status, code, title, detail = _said(request, exception)
        return _refused(request, status, title, detail)
    token = i18n.use(i18n.ENGLISH)
    try:
        status, code, title, detail = _said(request, exception)
    finally:
        i18n.reset(token)
    message = f"{title}: {detail}" if detail else title
    return _api_error(request, status, code, message)


def _api_error(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    """In each API's own error format."""
    if request.path.startswith("/api/publish/"):
        from openbook.web.publish.errors import PublishError, error_response

        return error_response(PublishError(status, code, message))
    from openbook.web.api.errors import ApiError
    from openbook.web.api.errors import error_response as api_error_response

    return api_error_response(ApiError(status, code, message))


def _said(request: HttpRequest, exception: Exception | None) -> tuple[int, str, str, str]:
    """The status, code, title and detail for what Django refused."""
    if isinstance(exception, RequestDataTooBig):
        limit = _megabytes(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        sent = request.META.get("CONTENT_LENGTH", "")
        detail = (
            _(
                "The form sent was %(size)s; a form can be at most %(limit)s. Send less at "
                "once, such as shorter answers",
                size=_megabytes(int(sent)),
                limit=limit,
            )
            if sent.isdigit()
            else _("A form can be at most %(limit)s. Send less at once", limit=limit)
        )
        return 413, "request-too-large", _("The form sent is too large"), detail
    if isinstance(exception, TooManyFieldsSent):
        limit = f"{settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,}"
        detail = _(
            "The form sent has more than %(limit)s answers; a form can have at most "
            "%(limit)s. Send it in parts",
            limit=limit,
        )
        return 400, "too-many-fields", _("The form sent has too many answers"), detail
    if isinstance(exception, TooManyFilesSent):
        limit = f"{settings.DATA_UPLOAD_MAX_NUMBER_FILES:,}"
        detail = _(
            "The form sent has more than %(limit)s files; a form can have at most %(limit)s",
            limit=limit,
        )
        return 400, "too-many-files", _("The form sent has too many files"), detail
    return (
        400,
        "bad-request",
        _("The request could not be read"),
        _("Send the form again from its page"),
    )
