"""A supplier's own pages: signing in and out, its details as a summary list, and changing one
of them through its question page. A change is recorded by the use case behind
``PUT /api/publish/supplier`` (openbook.suppliers.change), with its version check: the form
carries the version it was read at, and a change made since is refused with a clear message,
never silently overwritten."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from openbook import alerts, config, supplier_signup
from openbook.publishing import accounts
from openbook.publishing.answers import Refused
from openbook.store.database import Store
from openbook.web.middleware import client_address
from openbook.web.pages import i18n
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.links import after_sign_in
from openbook.web.pages.rendering import page
from openbook.web.pages.supplier import answers, session

HOME = "/suppliers/account"
CHANGED = "openbook_supplier_changed"
LONGEST_USERNAME = 254


def _refusal(kind: str) -> str:
    if kind == accounts.LOCKED:
        return _(
            "This account cannot sign in for %(minutes)s minutes after too many attempts "
            "with a wrong password. Try again later.",
            minutes=accounts.LOCK_MINUTES,
        )
    return _("Enter a correct email address and password")


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    problems: list[dict] = []
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()[: LONGEST_USERNAME + 50]
        password = request.POST.get("password", "")
        if not email:
            problems.append(_problem("email", _("Enter your email address")))
        if not password:
            problems.append(_problem("password", _("Enter your password")))
        address = _address(email) if not problems else None
        if not problems and address is None:  # names no account: refused as a wrong password
            problems.append(_problem("password", _refusal(accounts.WRONG)))
        elif address is not None:
            try:
                organisation, found = supplier_signup.sign_in(
                    Store(), address, password, client_address(request, config.proxy_count())
                )
            except accounts.SignInRefused as refused:
                problems.append(_problem("password", _refusal(refused.kind)))
            else:
                session.remember(request, found, organisation)
                return HttpResponseRedirect(after_sign_in(request, HOME, "/suppliers/"))
    shown = "".join(char for char in email if char.isprintable())  # shown again, never NUL
    context = {
        "email": shown,
        "next": after_sign_in(request, HOME, "/suppliers/"),
        "errors": problems,
    }
    response = page(
        request,
        "pages/supplier/sign_in.html",
        context,
        title=_("Sign in to your supplier account"),
        status=400 if problems else 200,
        error=bool(problems),
    )
    response["Cache-Control"] = "no-store"
    return response


def _address(email: str) -> str | None:
    """The address as accounts are named by it (its domain in lower case); None when it is no
    address, which names no account."""
    try:
        return alerts.checked_email(email)
    except alerts.InvalidEmail:
        return None


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    session.forget(request)
    return HttpResponseRedirect("/")


def _problem(field: str, message: str) -> dict:
    return {"field": field, "message": message, "href": f"#{field}"}


@require_safe
@session.signed_in
def details(request: HttpRequest) -> HttpResponse:
    supplier: session.Supplier = request.supplier
    found = supplier_signup.own(Store(), supplier.organisation)
    kept = answers.from_entry(found)
    rows = []
    for name in answers.QUESTIONS:
        if name == "password":
            continue
        rows.append(
            {
                "question": name,
                "label": answers.label(name),
                "lines": answers.shown_identifiers(found)
                if name == "identifiers"
                else answers.shown(name, kept.get(name)),
                "change": f"{HOME}/{name}" if name in answers.CHANGEABLE else None,
            }
        )
    context = {
        "number": supplier.number,
        "email": supplier.username,
        "version": found["version"],
        "status": found.get("status"),
        "details": rows,
        "changed": bool(request.session.pop(CHANGED, False)),
        "register": f"/registers/suppliers/{supplier.number}",
    }
    response = page(
        request, "pages/supplier/account.html", context, title=_("Your supplier details")
    )
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "HEAD", "POST"])
@session.signed_in
def change(request: HttpRequest, name: str) -> HttpResponse:
    """One detail's question page, showing it as it stands; POST records the next version."""
    if name not in answers.CHANGEABLE:
        return answer(request, PageError(404, _("Page not found")))
    supplier: session.Supplier = request.supplier
    store = Store()
    found = supplier_signup.own(store, supplier.organisation)
    version = found["version"]
    values = answers.values(name, answers.from_entry(found).get(name))
    problems: list[dict] = []
    status = 200
    if request.method == "POST":
        read = answers.read(name, request.POST, email=supplier.username)
        values, problems = read.values, read.problems
        given = request.POST.get("version", "")
        if not given.isdigit() or len(given) > 9:
            problems.append(_problem(_first_field(name), _stale()))
            status = 409
        if not problems:
            try:
                supplier_signup.change(
                    store,
                    supplier.organisation,
                    answers.changed_entry(found, name, read.answer),
                    int(given),
                    session.actor(request, supplier),
                )
            except Refused as refused:
                if refused.code == "version-changed":
                    problems.append(_problem(_first_field(name), _stale()))
                    status = 409
                    values = answers.values(name, answers.from_entry(found).get(name))
                else:
                    # Each problem by its code's summary, in the reader's language (the
                    # register's messages are English, for the API).
                    problems += [
                        _problem(
                            _first_field(name), _("Check this answer: %(problem)s", problem=said)
                        )
                        for said in [i18n.rule_said(p.code, p.message) for p in refused.problems]
                        or [i18n.rule_said(refused.code, refused.message)]
                    ]
            else:
                request.session[CHANGED] = True
                return HttpResponseRedirect(HOME)
        if problems and status == 200:
            status = 400
    context = {
        "question": {"name": name, "title": answers.title(name), "hint": answers.hint(name)},
        "values": values,
        "errors": problems,
        "action": f"{HOME}/{name}",
        "version": version,
        "back": HOME,
        "caption": supplier.number,
    }
    response = page(
        request,
        "pages/supplier/question.html",
        context,
        title=answers.title(name),
        status=status,
        error=bool(problems),
    )
    response["Cache-Control"] = "no-store"
    return response


def _stale() -> str:
    return _(
        "Your details were changed since you opened this page, perhaps in another window or "
        "through the API. This page now shows them as they stand: make your change again"
    )


def _first_field(name: str) -> str:
    return {"address": "address-line-1"}.get(name, name)
