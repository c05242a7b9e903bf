"""Email alerts and following (docs/alerts.md): subscribing an email address to a saved search
(``/alerts/search?`` and the search page's own parameters), a process
(``/alerts/processes/{ocid}``) or an organisation (``/alerts/organisations/{identifier}``);
confirming (``/alerts/confirm/{token}``) and unsubscribing (``/alerts/unsubscribe/{token}``);
and an organisation's Atom feed (``/organisations/{identifier}/feed``).

No account: the confirmation email proves the address. Pages never say whether an address
already has a subscription; the email tells its owner."""

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from openbook import alerts, config, mail, organisations, search
from openbook.standards.identifiers import check_party_id
from openbook.store.database import Store
from openbook.web.pages import alerts_email, errors, i18n, search_feed, search_form
from openbook.web.pages.errors import PageError, Problem
from openbook.web.pages.i18n import _
from openbook.web.pages.links import email_site
from openbook.web.pages.rendering import page

# What a saved search leaves out: it is always of the newest notices, from the start.
UNSAVED = ("sort", "order", "cursor")
MAX_OCID = 300
MAX_IDENTIFIER = 300
SUBSCRIBE = "pages/alerts/subscribe.html"


# Subscribing


@require_http_methods(["GET", "HEAD", "POST"])
def search_alert(request: HttpRequest) -> HttpResponse:
    try:
        followed = search_followed(request)
    except PageError as error:
        return errors.answer(request, error)
    return _subscription(request, followed)


def search_followed(request: HttpRequest) -> dict:
    """The search of the address, read as the search page reads it; a 400 page names each
    parameter it refuses."""
    values, garbled = search_form.given(request)
    values = {name: value for name, value in values.items() if name not in UNSAVED}
    query, faults = search_form.understand(values, garbled - set(UNSAVED))
    if query is None:
        raise errors.bad_request([Problem(fault["field"], fault["message"]) for fault in faults])
    target = search_form.address("", values).removeprefix("?")
    if len(target) > alerts.MAX_TARGET:
        raise errors.bad_request(
            [Problem("search", _("is longer than %(most)s characters", most=alerts.MAX_TARGET))]
        )
    return {
        "kind": "search",
        "target": target,
        "label": search_label(values),
        "page": search_form.address("/search", values),
        "feed": search_form.address("/search/feed", values),
        "action": search_form.address("/alerts/search", values),
    }


def search_label(values: dict[str, str]) -> str:
    """A search in words: its words, then each filter with its values."""
    parts = [f"‘{values['q']}’"] if values.get("q") else []
    for group in search_form.selected(values):
        parts.append(f"{group['heading']}: {', '.join(item['text'] for item in group['items'])}")
    return "; ".join(parts) or _("Every contracting process")


@require_http_methods(["GET", "HEAD", "POST"])
def process_alert(request: HttpRequest, ocid: str) -> HttpResponse:
    try:
        followed = process_followed(Store(), ocid)
    except PageError as error:
        return errors.answer(request, error)
    return _subscription(request, followed)


def process_followed(store: Store, ocid: str) -> dict:
    if len(ocid) > MAX_OCID or _unreadable(ocid):
        raise PageError(404, _("Page not found"))
    found = alerts.process(store, ocid)
    if found is None:
        raise PageError(404, _("Page not found"))
    encoded = quote(ocid, safe="")
    return {
        "kind": "process",
        "target": ocid,
        "label": f"{found.title} ({ocid})" if found.title else ocid,
        "page": f"/processes/{encoded}",
        "feed": None,
        "action": f"/alerts/processes/{encoded}",
    }


@require_http_methods(["GET", "HEAD", "POST"])
def organisation_alert(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        followed = organisation_followed(Store(), identifier)
    except PageError as error:
        return errors.answer(request, error)
    if followed["target"] != identifier and request.method != "POST":
        return HttpResponseRedirect(followed["action"])  # as its register writes it
    return _subscription(request, followed)


def organisation_followed(store: Store, identifier: str) -> dict:
    written = _identifier(identifier)
    found = organisations.organisation(store, written, limit=1)
    if found is None:
        raise PageError(404, _("No process or register names this organisation"))
    names = found["names"]
    encoded = quote(written, safe="")
    return {
        "kind": "organisation",
        "target": written,
        "label": f"{names[0]['name']} ({written})" if names else written,
        "page": f"/organisations/{encoded}",
        "feed": f"/organisations/{encoded}/feed",
        "action": f"/alerts/organisations/{encoded}",
    }


def _identifier(identifier: str) -> str:
    """The identifier as its register writes it; 400 if it is none."""
    if len(identifier) > MAX_IDENTIFIER or _unreadable(identifier):
        raise errors.bad_request(
            [Problem("identifier", _("is not an organisation identifier such as GB-COH-01234567"))]
        )
    checked = check_party_id(identifier)
    if checked.identifier is None:
        raise errors.bad_request([Problem("identifier", i18n.said(checked.phrase))])
    return str(checked.identifier)


def _unreadable(value: str) -> bool:
    return "\ufffd" in value or "\x00" in value or any(ord(char) < 32 for char in value)


def frequencies() -> list[dict]:
    return [
        {
            "value": "immediately",
            "text": _("As soon as they are published"),
            "hint": _("One email each time new notices are found, at most every few minutes"),
        },
        {
            "value": "daily",
            "text": _("Once a day"),
            "hint": _("One email a day listing every new notice"),
        },
    ]


def _subscription(request: HttpRequest, followed: dict) -> HttpResponse:
    """The form (GET), or the subscription asked for (POST): the form again with each
    fault, or 'check your email'."""
    chosen = {
        "email": "",
        "frequency": "immediately",
        "language": i18n.current(),
    }
    problems: list[dict] = []
    sent = False
    status = 200
    if request.method == "POST":
        chosen, problems = _read_form(request.POST)
        if not problems:
            try:
                sent = _subscribe(request, followed, chosen)
            except alerts.TooManyPending:
                problems = [
                    _problem(
                        "email",
                        _(
                            "This email address has %(most)s alerts waiting to be confirmed: "
                            "confirm some of them, or try again in %(days)s days",
                            most=alerts.MAX_PENDING,
                            days=alerts.CONFIRM_DAYS,
                        ),
                    )
                ]
                status = 429
            except (mail.MailError, config.ConfigurationError):
                return errors.answer(
                    request,
                    PageError(
                        503,
                        _("Sorry, we could not send the email: try again later"),
                    ),
                )
        if problems and status == 200:
            status = 400
    context = {
        "followed": followed,
        "form": chosen,
        "frequencies": frequencies(),
        "errors": problems,
        "sent": sent,
        "confirm_days": alerts.CONFIRM_DAYS,
    }
    title = _("Check your email") if sent else _("Get email alerts")
    response = page(request, SUBSCRIBE, context, title=title, status=status, error=bool(problems))
    response["Cache-Control"] = "no-store"
    return response


def _problem(field: str, message: str) -> dict:
    return {"field": field, "message": message, "href": f"#{field}"}


def _read_form(form: QueryDict) -> tuple[dict, list[dict]]:
    given = {name: form.get(name, "") for name in ("email", "frequency", "language")}
    problems = []
    email = given["email"].strip()
    if not email:
        problems.append(_problem("email", _("Enter your email address")))
    elif len(email) > alerts.MAX_EMAIL:
        problems.append(
            _problem(
                "email",
                _("Enter an email address of %(most)s characters or fewer", most=alerts.MAX_EMAIL),
            )
        )
    else:
        try:
            email = alerts.checked_email(email)
        except alerts.InvalidEmail:
            problems.append(
                _problem(
                    "email",
                    _("Enter an email address in the correct format, like name@example.com"),
                )
            )
    if given["frequency"] not in alerts.FREQUENCIES:
        problems.append(_problem("frequency", _("Select how often you want emails")))
    if given["language"] not in alerts.LANGUAGES:
        problems.append(_problem("language", _("Select the language of the emails")))
    chosen = {
        "email": given["email"][: alerts.MAX_EMAIL + 50],
        "frequency": given["frequency"] if given["frequency"] in alerts.FREQUENCIES else "",
        "language": given["language"] if given["language"] in alerts.LANGUAGES else "",
    }
    if not problems:
        chosen["email"] = email
    return chosen, problems


def _subscribe(request: HttpRequest, followed: dict, chosen: dict) -> bool:
    """Ask for the subscription and send its email: a confirmation link, or, to an address
    that has it already, a note saying so. A confirmation that cannot be sent is taken back."""
    store = Store()
    # The label in the language of the emails.
    token = i18n.use(chosen["language"])
    try:
        label = (
            search_label(
                {
                    k: v
                    for k, v in QueryDict(followed["target"]).items()
                    if k in search_form.PARAMETERS
                }
            )
            if followed["kind"] == "search"
            else followed["label"]
        )
    finally:
        i18n.reset(token)
    site = email_site(request)  # before anything is stored: it may refuse
    subscribed = alerts.subscribe(
        store,
        email=chosen["email"],
        kind=followed["kind"],
        target=followed["target"],
        label=label,
        frequency=chosen["frequency"],
        language=chosen["language"],
    )
    if subscribed.confirm_token is None:
        message = alerts_email.already(subscribed, site)
    else:
        message = alerts_email.confirmation(subscribed, site)
    try:
        with mail.sender() as sender:
            sender.send(message)
    except (mail.MailError, config.ConfigurationError):
        alerts.withdraw(store, subscribed.subscription)
        raise
    return True


# Confirming and unsubscribing


@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link confirms, and a button (a link opened by a mail scanner confirms
    nothing); POST: confirmed, once."""
    store = Store()
    waiting = alerts.awaiting(store, token)
    if waiting is None:
        return _link_refused(request)
    done = request.method == "POST"
    if done and alerts.confirm(store, token) is None:
        return _link_refused(request)
    context = {
        "subscription": _shown(waiting),
        "confirmed": done,
        "action": f"/alerts/confirm/{token}",
    }
    title = _("Your email alerts are confirmed") if done else _("Confirm your email alerts")
    response = page(request, "pages/alerts/confirm.html", context, title=title)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"  # the token is in the address
    return response


# RFC 8058: a mail client unsubscribes with a POST to the List-Unsubscribe address, which
# cannot carry this site's CSRF token; the token in the address is what authorises it, and a
# forger would need it. The page's own form sends the CSRF token all the same.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    store = Store()
    if request.method == "POST":
        left = alerts.unsubscribe(store, token)
        if left is None:
            return _link_refused(request)
        context = {"subscription": _shown(left), "unsubscribed": True, "action": None}
        title = _("You have unsubscribed")
    else:
        found = alerts.subscribed(store, token)
        if found is None:
            return _link_refused(request)
        context = {
            "subscription": _shown(found),
            "unsubscribed": False,
            "action": f"/alerts/unsubscribe/{token}",
        }
        title = _("Unsubscribe from email alerts")
    response = page(request, "pages/alerts/unsubscribe.html", context, title=title)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _shown(subscription) -> dict:
    """What a token's page shows of its subscription: never the address."""
    return {
        "kind": subscription.kind,
        "label": subscription.label,
        "frequency": subscription.frequency,
        "page": alerts_email.followed_page(subscription),
    }


def _link_refused(request: HttpRequest) -> HttpResponse:
    return page(
        request,
        "pages/alerts/link.html",
        {
            "error": {"status": 404, "title": _("This link does not work")},
            "confirm_days": alerts.CONFIRM_DAYS,
        },
        title=_("This link does not work"),
        status=404,
    )


# Following as a feed


@require_safe
def organisation_feed(request: HttpRequest, identifier: str) -> HttpResponse:
    """The newest processes naming the organisation as a buyer or supplier, as Atom."""
    try:
        followed = organisation_followed(Store(), identifier)
    except PageError as error:
        return errors.answer(request, error)
    if followed["target"] != identifier:
        return HttpResponseRedirect(followed["feed"])
    items = alerts.organisation_newest(Store(), followed["target"])
    return HttpResponse(
        search_feed.atom(
            items,
            self_url=request.build_absolute_uri(followed["feed"]),
            page_url=request.build_absolute_uri(followed["page"]),
            entry_url=lambda ocid: request.build_absolute_uri(f"/processes/{quote(ocid, safe='')}"),
        ),
        content_type=search_feed.ATOM,
    )


# For openbook alerts send


def read_search(target: str) -> search.Query | None:
    """A saved search's query string as the search page reads it; None if it no longer can."""
    query, _faults = search_form.understand(_saved_values(target))
    return query


def _saved_values(target: str) -> dict[str, str]:
    return {
        name: value
        for name, value in QueryDict(target).items()
        if name in search_form.PARAMETERS and value.strip()
    }
