"""Registering as a supplier (docs/suppliers.md): the start page, the email address, the
one-time link, one question a page, check your answers, and the confirmation with the new
supplier number. The registration is made by openbook.supplier_signup.register, through the
publish API's own use case, so the pages register nothing the API would refuse.

The answers wait in the session, which the proved address starts: the password only as its
hash. The page after the email is the same whether or not the address has an account; the
email tells its owner which."""

from email.message import EmailMessage

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook import config, mail, supplier_signup
from openbook.publishing.answers import Refused
from openbook.store.database import Store
from openbook.web.middleware import client_address
from openbook.web.pages import i18n
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.links import email_site
from openbook.web.pages.rendering import page
from openbook.web.pages.supplier import answers

BASE = "/suppliers/register"
DRAFT = "openbook_supplier_signup"
REGISTERED = "openbook_supplier_registered"


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    context = {"start": f"{BASE}/email", "linkHours": supplier_signup.LINK_HOURS}
    return page(request, "pages/supplier/start.html", context, title=_("Register as a supplier"))


# The email address and its link


@require_http_methods(["GET", "HEAD", "POST"])
def email(request: HttpRequest) -> HttpResponse:
    """The address (GET), or the link asked for (POST): the form again with its fault, or
    'check your email', the same whether or not the address has an account."""
    read = answers.Read({"email": ""})
    sent = False
    status = 200
    if request.method == "POST":
        read = answers.read_email(request.POST)
        if not read.problems:
            try:
                _send_link(request, str(read.answer))
                sent = True
            except supplier_signup.TooManyRequests:
                read.fault(
                    "email",
                    _(
                        "This email address has asked for %(most)s links in the past hour: "
                        "use the newest link we sent, or try again in an hour",
                        most=supplier_signup.MOST_AN_HOUR,
                    ),
                )
                status = 429
            except (mail.MailError, config.ConfigurationError):
                refusal = PageError(503, _("Sorry, we could not send the email: try again later"))
                return _no_store(answer(request, refusal))
        if read.problems and status == 200:
            status = 400
    context = {
        "question": {"name": "email", "title": answers.title("email")},
        "values": read.values,
        "errors": read.problems,
        "sent": sent,
        "email": read.answer if sent else None,
        "linkHours": supplier_signup.LINK_HOURS,
    }
    title = _("Check your email") if sent else answers.title("email")
    response = page(
        request,
        "pages/supplier/email.html",
        context,
        title=title,
        status=status,
        error=bool(read.problems),
    )
    return _no_store(response)


def _send_link(request: HttpRequest, address: str) -> None:
    store = Store()
    site = email_site(request)  # before anything is stored: it may refuse
    started = supplier_signup.start(store, address)
    message = _link_email(started, site) if started.token else _registered_email(started, site)
    try:
        with mail.sender() as sender:
            sender.send(message)
    except (mail.MailError, config.ConfigurationError):
        supplier_signup.withdraw(store, started)
        raise


def _link_email(started: supplier_signup.Started, site: str) -> EmailMessage:
    link = f"{site}{BASE}/link/{started.token}?lang={i18n.current()}"
    text = "\n\n".join(
        [
            _("To register a supplier on Open contracting, open this link:"),
            link,
            _(
                "The link works once, for %(hours)s hours. If you did not ask to register, "
                "ignore this email: nothing is registered.",
                hours=supplier_signup.LINK_HOURS,
            ),
            _("Open contracting"),
        ]
    )
    return mail.message(
        started.email,
        _("Register as a supplier: your link"),
        text + "\n",
        language=i18n.current(),
    )


def _registered_email(started: supplier_signup.Started, site: str) -> EmailMessage:
    """Sent instead of a link to an address that has an account: the page said nothing."""
    text = "\n\n".join(
        [
            _(
                "Someone asked to register a supplier with this email address, which already "
                "has an account, so nothing was registered."
            ),
            _("To sign in: %(link)s", link=f"{site}/suppliers/sign-in"),
            _("If it was not you, you need do nothing."),
            _("Open contracting"),
        ]
    )
    return mail.message(
        started.email,
        _("Register as a supplier: you already have an account"),
        text + "\n",
        language=i18n.current(),
    )


@require_http_methods(["GET", "HEAD", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button (a link opened by a mail scanner uses nothing); POST: the link used, once,
    and the questions begin."""
    store = Store()
    if request.method != "POST":
        if supplier_signup.waiting(store, token) is None:
            return _link_refused(request)
        context = {"action": f"{BASE}/link/{token}"}
        response = page(
            request, "pages/supplier/link.html", context, title=_("Confirm your email address")
        )
        response["Referrer-Policy"] = "no-referrer"  # the token is in the address
        return _no_store(response)
    confirmed = supplier_signup.confirm(store, token)
    if confirmed is None:
        return _link_refused(request)
    request.session.cycle_key()
    request.session[DRAFT] = {"signup": confirmed.id, "email": confirmed.email, "answers": {}}
    return HttpResponseRedirect(f"{BASE}/{answers.QUESTIONS[0]}")


def _link_refused(request: HttpRequest) -> HttpResponse:
    context = {
        "error": {"status": 404, "title": _("This link does not work")},
        "linkHours": supplier_signup.LINK_HOURS,
        "start": f"{BASE}/email",
    }
    response = page(
        request,
        "pages/supplier/link_refused.html",
        context,
        title=_("This link does not work"),
        status=404,
    )
    response["Referrer-Policy"] = "no-referrer"
    return _no_store(response)


# The questions


def _draft(request: HttpRequest) -> dict | None:
    """The registration under way, if its address was proved and it is not registered yet."""
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict) or not isinstance(draft.get("signup"), int):
        return None
    if not supplier_signup.confirmed(Store(), draft["signup"], str(draft.get("email"))):
        return None
    return draft


def _no_draft(request: HttpRequest) -> HttpResponse:
    refusal = PageError(
        403, _("Your registration has ended or not begun: start again from the email address")
    )
    return _no_store(answer(request, refusal))


def _next_question(draft: dict, name: str) -> str:
    """The next question not answered yet after ``name``; the check page when all are."""
    kept = draft["answers"]
    later = answers.QUESTIONS[answers.QUESTIONS.index(name) + 1 :]
    for each in later:
        if each not in kept:
            return f"{BASE}/{each}"
    return f"{BASE}/check"


def _back(name: str, change: bool) -> str:
    if change:
        return f"{BASE}/check"
    index = answers.QUESTIONS.index(name)
    return f"{BASE}/{answers.QUESTIONS[index - 1]}" if index else f"{BASE}/email"


@require_http_methods(["GET", "HEAD", "POST"])
def question(request: HttpRequest, name: str) -> HttpResponse:
    if name not in answers.QUESTIONS:
        return answer(request, PageError(404, _("Page not found")))
    draft = _draft(request)
    if draft is None:
        return _no_draft(request)
    change = request.GET.get("change") == "1" or request.POST.get("change") == "1"
    kept = draft["answers"]
    values = answers.values(name, kept.get(name))
    problems: list[dict] = []
    if request.method == "POST":
        read = answers.read(name, request.POST, email=draft["email"], store=Store())
        values, problems = read.values, read.problems
        if not problems:
            if name == "password":
                draft["password"] = read.answer
                kept[name] = True
            else:
                kept[name] = read.answer
            request.session[DRAFT] = draft
            return HttpResponseRedirect(f"{BASE}/check" if change else _next_question(draft, name))
    context = {
        "question": {
            "name": name,
            "title": answers.title(name),
            "hint": answers.hint(name),
        },
        "values": values,
        "errors": problems,
        "action": f"{BASE}/{name}",
        "change": change,
        "back": _back(name, change),
        "caption": _("Register as a supplier"),
    }
    response = page(
        request,
        "pages/supplier/question.html",
        context,
        title=answers.title(name),
        status=400 if problems else 200,
        error=bool(problems),
    )
    return _no_store(response)


@require_http_methods(["GET", "HEAD", "POST"])
def check(request: HttpRequest) -> HttpResponse:
    """The answers, each with its change link; POST registers."""
    draft = _draft(request)
    if draft is None:
        return _no_draft(request)
    kept = draft["answers"]
    missing = [name for name in answers.QUESTIONS if name not in kept]
    if missing:
        return HttpResponseRedirect(f"{BASE}/{missing[0]}")
    problems: list[dict] = []
    status = 200
    if request.method == "POST":
        try:
            recorded = supplier_signup.register(
                Store(),
                signup_id=draft["signup"],
                email=draft["email"],
                sent=answers.entry(kept, draft["email"]),
                password_hash=draft["password"],
                address=client_address(request, config.proxy_count()),
            )
        except supplier_signup.SignupEnded:
            return _no_draft(request)
        except supplier_signup.AlreadyRegistered:
            problems = [{"question": None, "message": _("This email address has an account "
                         "already: sign in to keep its supplier’s details")}]  # fmt: skip
            status = 409
        except Refused as refused:
            problems, status = _refusal(refused), refused.status
        else:
            request.session.pop(DRAFT, None)
            request.session[REGISTERED] = recorded.entry.entry_id
            return HttpResponseRedirect(f"{BASE}/registered")
    context = {
        "email": draft["email"],
        "answers": [
            {
                "question": name,
                "label": answers.label(name),
                "lines": answers.shown(name, kept.get(name)),
                "change": f"{BASE}/{name}?change=1",
            }
            for name in answers.QUESTIONS
        ],
        "errors": problems,
        "action": f"{BASE}/check",
    }
    response = page(
        request,
        "pages/supplier/check.html",
        context,
        title=_("Check your answers before registering"),
        status=status,
        error=bool(problems),
    )
    return _no_store(response)


def _refusal(refused: Refused) -> list[dict]:
    """The use case's refusal, against the question to change; an identifier another
    supplier registered since it was asked is named, its holder not."""
    if refused.code == "identifier-held":
        return [
            {
                "question": "identifiers",
                "message": _(
                    "One of these identifiers was registered to another supplier while you "
                    "answered: change the identifiers"
                ),
            }
        ]
    where = {"legalName": "legal-name", "otherNames": "other-names", "address": "address",
             "identifiers": "identifiers", "sme": "sme", "vcse": "vcse",
             "contact": "contact-name"}  # fmt: skip
    found = []
    for problem in refused.problems or []:
        top = problem.pointer.strip("/").split("/")[0]
        found.append(
            {
                "question": where.get(top),
                "message": _(
                    "Check this answer: %(problem)s",
                    problem=i18n.rule_said(problem.code, problem.message),
                ),
            }
        )
    return found or [{"question": None, "message": _("The supplier could not be registered")}]


@require_safe
def registered(request: HttpRequest) -> HttpResponse:
    number = request.session.get(REGISTERED)
    if not isinstance(number, str):
        return answer(request, PageError(404, _("Page not found")))
    context = {"number": number, "signIn": "/suppliers/sign-in"}
    response = page(
        request, "pages/supplier/registered.html", context, title=_("Registration complete")
    )
    return _no_store(response)
