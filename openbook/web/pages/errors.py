"""When a page cannot be shown: a question it cannot answer (400, with the GOV.UK error
summary naming each parameter at fault and why), something that is not there (404), or a
failure of ours (500). Each is a page with its JSON twin, never a stack trace."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a request: the parameter (or form field) and what is wrong; ``href``
    the field on the page it is about, when the page has one (``#q``)."""

    field: str
    message: str
    href: str | None = None

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "href": self.href}


class PageError(Exception):
    """Raised by a page's context function; the view answers with ``answer``."""

    def __init__(self, status: int, title: str, problems: list[Problem] | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.problems = problems or []


def answer(request: HttpRequest, error: PageError) -> HttpResponse:
    """The page for an error a context function raised."""
    return page(
        request,
        "pages/problem.html",
        {
            "error": {
                "status": error.status,
                "title": error.title,
                "problems": [problem.as_dict() for problem in error.problems],
            },
        },
        title=error.title,
        status=error.status,
        error=bool(error.problems),
    )


def bad_request(problems: list[Problem]) -> PageError:
    return PageError(400, _("There is a problem with the address"), problems)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 handler for the pages (the API answers its own, as JSON)."""
    return answer(request, PageError(404, _("Page not found")))


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 handler for the pages: no detail of the failure reaches the reader."""
    return answer(request, PageError(500, _("Sorry, there is a problem with the service")))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without this session's token (an old page, or another site's form)."""
    return answer(
        request,
        PageError(
            403,
            _("Your session has changed: go back, reload the page and send the form again"),
        ),
    )
