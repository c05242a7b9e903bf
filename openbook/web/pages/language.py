"""The reader's language: Welsh or English, chosen with the toggle every page shows and kept in
a cookie (one year); until chosen, the browser's preference when it puts Welsh first. A link
may ask for one language for its page alone (``?lang=cy``)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_safe

from openbook import config
from openbook.web.pages import i18n

YEAR = 365 * 86400


def chosen(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in i18n.LANGUAGES:  # a link to a page in one language (shared, or in an email)
        return asked
    cookie = request.COOKIES.get(i18n.COOKIE, "")
    if cookie in i18n.LANGUAGES:
        return cookie
    preferred = request.headers.get("Accept-Language", "").split(",")[0].split(";")[0]
    return i18n.WELSH if preferred.strip().lower().startswith("cy") else i18n.ENGLISH


class Language:
    """Sets the current language for the request; ``Content-Language`` says which it was."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = chosen(request)
        token = i18n.use(language)
        try:
            response = self.get_response(request)
        finally:
            i18n.reset(token)
        response.setdefault("Content-Language", language)
        return response


@require_safe
def choose(request: HttpRequest, code: str) -> HttpResponse:
    """``/language/cy?next=/path``: remember the language and go back to the page. Only a path
    on this site is followed; anything else goes home."""
    target = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith(
        "/"
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in i18n.LANGUAGES:
        response.set_cookie(
            i18n.COOKIE, code, max_age=YEAR, samesite="Lax", secure=config.secure_cookies()
        )
    return response
