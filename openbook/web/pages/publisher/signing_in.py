"""Signing in and out of the publisher pages."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_POST

from openbook import config
from openbook.publishing import accounts
from openbook.publishing.publishers import SUPPLIER
from openbook.store.database import Store
from openbook.web.middleware import client_address
from openbook.web.pages.form_input import nul_refusal
from openbook.web.pages.i18n import _
from openbook.web.pages.links import after_sign_in
from openbook.web.pages.publisher import session
from openbook.web.pages.rendering import page

HOME = "/publish"


def _refusal(kind: str) -> str:
    if kind == accounts.LOCKED:
        return _(
            "This account cannot sign in for %(minutes)s minutes after too many attempts "
            "with a wrong password. Try again later, or ask your administrator.",
            minutes=accounts.LOCK_MINUTES,
        )
    if kind == accounts.NO_ROLE:
        return _("This account has no role on the platform: ask your administrator.")
    return _("Enter a correct user name and password")


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    username = ""
    if request.method == "POST":
        username = request.POST.get("username", "").strip()
        password = request.POST.get("password", "")
        if not username:
            errors["username"] = _("Enter your user name")
        elif refusal := nul_refusal(username):
            errors["username"] = refusal
        if not password:
            errors["password"] = _("Enter your password")
        if not errors:
            try:
                found = accounts.sign_in(
                    Store(), username, password, client_address(request, config.proxy_count())
                )
            except accounts.SignInRefused as refused:
                errors["password"] = _refusal(refused.kind)
            else:
                # A supplier's account opens the supplier pages only.
                if found.role == SUPPLIER:
                    errors["password"] = _(
                        "This is a supplier’s account: sign in at %(page)s",
                        page="/suppliers/sign-in",
                    )
                else:
                    session.remember(request, found)
                    return HttpResponseRedirect(after_sign_in(request, HOME, "/"))
    context = {
        "username": username,
        "next": after_sign_in(request, HOME, "/"),
        "errors": [{"field": field, "message": message} for field, message in errors.items()],
    }
    return page(
        request,
        "pages/publisher/sign_in.html",
        context,
        title=_("Sign in to publish"),
        status=400 if errors else 200,
        error=bool(errors),
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.forget(request)
    return HttpResponseRedirect("/")
