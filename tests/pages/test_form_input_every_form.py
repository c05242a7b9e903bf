"""Every form of the pages, each answer in turn sent with a NUL character (issue 8), on both
databases: never a 500 (PostgreSQL text cannot hold NUL), and never NUL kept (SQLite can).

The forms are found in the URL configuration (every view that takes POST), so a form added
later fails ``test_every_form_is_swept`` until it is placed here: in ``FORMS`` (where its page
is, and who opens it) or in ``BEHIND_EARLIER_STEPS`` (a form that only a journey reaches, with
the test that covers its answers). Each form's fields are read from its own page, as a browser
would send them, and sent back with one answer holding NUL; the address's own parameters too.
"""

from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.db import connections
from django.test import Client
from django.urls import URLPattern, URLResolver

from openbook.web.pages import urls as page_urls
from tests.conftest import reuse
from tests.pages.test_admin import KNOWN, RECORDER, _shared  # noqa: F401 (a fixture)
from tests.pages.test_admin import admin as signed_in_admin
from tests.pages.test_publisher import signed_in

NUL = "a\x00b"
CSRF = "csrfmiddlewaretoken"
PLAUSIBLE = {
    "username": "pat",
    "password": "not the password",
    "email": "someone@example.com",
    "name": "tendering system",
    "recorder": RECORDER,
}
TOKEN_PAGE = "/alerts/search?q=school"  # noqa: S105 (a page, not a secret)

# The route, who opens it ("anonymous", "publisher", "administrator"), the page its form is on
# ({nul} where an address parameter is sent with NUL too), and the form's fields where they
# are not read from that page (None): a view that takes POST only, or an address holding a
# token that no page of the test has.
FORMS: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    "publish/sign-in": ("anonymous", "/publish/sign-in", None),
    "publish/sign-out": ("publisher", "/publish/sign-out", ("next",)),
    "publish/keys": ("publisher", "/publish/keys", None),
    "publish/keys/<str:key_id>/revoke": ("publisher", "/publish/keys/{nul}/revoke", ()),
    "publish/payments": ("publisher", "/publish/payments", None),
    "publish/notices/new": ("publisher", "/publish/notices/new", None),
    "publish/admin/debarment/new": ("administrator", "/publish/admin/debarment/new", None),
    "publish/admin/debarment/<str:key>/change": (
        "administrator",
        "/publish/admin/debarment/DEB-000001/change",
        None,
    ),
    "publish/admin/debarment/<str:key>/end": (
        "administrator",
        "/publish/admin/debarment/DEB-000001/end",
        None,
    ),
    "publish/admin/reviews/<str:code>/<str:key>": (
        "administrator",
        "/publish/admin/reviews/complaints/CMP-000001",
        None,
    ),
    "alerts/search": ("anonymous", "/alerts/search?q=school", None),
    "alerts/processes/<str:ocid>": ("anonymous", f"/alerts/processes/{KNOWN}", None),
    "alerts/organisations/<str:identifier>": (
        "anonymous",
        "/alerts/organisations/GB-COH-01234567",  # the supplier test_admin's process names
        None,
    ),
    "alerts/confirm/<str:token>": ("anonymous", "/alerts/confirm/{nul}", ()),
    "alerts/unsubscribe/<str:token>": ("anonymous", "/alerts/unsubscribe/{nul}", ()),
    "suppliers/register/email": ("anonymous", "/suppliers/register/email", None),
    "suppliers/register/link/<str:token>": ("anonymous", "/suppliers/register/link/{nul}", ()),
    "suppliers/sign-in": ("anonymous", "/suppliers/sign-in", None),
    "suppliers/sign-out": ("anonymous", "/suppliers/sign-out", ("next",)),
}

# Forms only a journey reaches (a draft, a published notice, a supplier's session), with the
# tests that send NUL or control characters to their answers. A field any of them forgets is
# still refused at the database by openbook.web.pages.form_input.FormInput (tested in
# test_form_input.py).
BEHIND_EARLIER_STEPS = {
    "publish/notices/draft/check": "test_publisher_notices.py",
    "publish/notices/draft/<str:name>": "test_publisher_notices.py, test_publisher.py",
    "publish/notices/draft/<str:name>/<str:item>": "test_publisher_dynamic_markets.py",
    "publish/notices/draft/<str:name>/<str:item>/remove": "test_publisher_dynamic_markets.py",
    "publish/processes/<str:ocid>": "test_publisher_corrections.py",
    "publish/processes/<str:ocid>/notices/<path:release_id>/correct": (
        "test_publisher_corrections.py"
    ),
    "publish/processes/<str:ocid>/notices/<path:release_id>/correct/payment": (
        "test_publisher_payment_corrections.py"
    ),
    "publish/processes/<str:ocid>/notices/<path:release_id>/correct/payment/<str:name>": (
        "test_publisher_payment_corrections.py"
    ),
    "publish/processes/<str:ocid>/notices/<path:release_id>/withdraw": (
        "test_publisher_corrections.py"
    ),
    "publish/admin/debarment/check": "test_admin.py",
    "suppliers/register/check": "test_supplier_signup.py",
    "suppliers/register/<str:name>": "test_supplier_signup.py",
    "suppliers/account/<str:name>": "test_supplier_signup.py",
}


def _methods(view) -> list[str] | None:
    """The methods ``require_http_methods`` lets through to a view (from its closure)."""
    seen = set()
    while view is not None and id(view) not in seen:
        seen.add(id(view))
        for cell in getattr(view, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, list) and value and all(isinstance(m, str) for m in value):
                return value
        view = getattr(view, "__wrapped__", None)
    return None


def _routes(patterns, prefix=""):
    for each in patterns:
        if isinstance(each, URLResolver):
            yield from _routes(each.url_patterns, prefix + str(each.pattern))
        elif isinstance(each, URLPattern):
            yield prefix + str(each.pattern), each.callback


def posted_routes() -> set[str]:
    """Every page route whose view takes POST (a view with no method limit takes it too)."""
    return {
        route
        for route, view in _routes(page_urls.urlpatterns)
        if "POST" in (_methods(view) or ["POST"])
    }


def test_every_form_is_swept():
    routes = posted_routes()
    assert len(routes) > 25  # the closure reading finds them (it found 32)
    assert routes == set(FORMS) | set(BEHIND_EARLIER_STEPS), (
        f"not placed: {sorted(routes - set(FORMS) - set(BEHIND_EARLIER_STEPS))}; "
        f"no longer a form: {sorted((set(FORMS) | set(BEHIND_EARLIER_STEPS)) - routes)}"
    )


class _Forms(HTMLParser):
    """The fields of a page's POST forms, by form action: name and the value a browser sends
    (checkboxes and radios whether ticked or not: each is sent with NUL in turn)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None
        self._text: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        given = {name: value or "" for name, value in attrs}
        if tag == "form":
            if given.get("method", "get").lower() == "post":
                self._current = self.forms.setdefault(given.get("action", ""), {})
            return
        if self._current is None or not given.get("name"):
            return
        name = given["name"]
        if tag == "input" and given.get("type") not in ("submit", "button"):
            if given.get("type") in ("checkbox", "radio") and name in self._current:
                if "checked" in given:
                    self._current[name] = given.get("value", "on")
                return
            self._current[name] = given.get("value", "")
        elif tag == "textarea":
            self._current[name] = ""
            self._text = name
        elif tag == "select":
            self._current[name] = ""
            self._select = name
        elif tag == "option" and self._select and ("selected" in given):
            self._current[self._select] = given.get("value", "")

    def handle_data(self, data) -> None:
        if self._current is not None and self._text:
            self._current[self._text] += data

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._current = None
        elif tag == "textarea":
            self._text = None
        elif tag == "select":
            self._select = None


def _fields(page: str, path: str) -> dict[str, str]:
    parser = _Forms()
    parser.feed(page)
    target = urlsplit(path).path
    found = {
        action: fields
        for action, fields in parser.forms.items()
        if action in ("", target) or urlsplit(action).path == target
    }
    assert found, f"{path}: no form posting to {target} (forms: {sorted(parser.forms)})"
    return next(iter(found.values()))


def _nul_kept() -> list[str]:
    """The text columns of the database holding NUL (SQLite: PostgreSQL cannot hold it)."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        return []
    kept = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = [name for (name,) in cursor.fetchall() if not name.startswith("sqlite_")]
        for table in tables:
            cursor.execute(f'PRAGMA table_info("{table}")')
            for column in cursor.fetchall():
                name, kind = column[1], (column[2] or "").upper()
                if "BLOB" in kind or "INT" in kind:
                    continue
                cursor.execute(
                    f'SELECT 1 FROM "{table}" WHERE instr(CAST("{name}" AS TEXT), char(0)) > 0 '
                    "LIMIT 1"
                )
                if cursor.fetchone():
                    kept.append(f"{table}.{name}")
    return kept


def _client(who: str) -> Client:
    if who == "publisher":
        return signed_in("pat")
    if who == "administrator":
        return signed_in_admin()
    return Client()


@pytest.mark.parametrize("route", sorted(FORMS))
def test_nul_in_each_answer_of_each_form_is_refused_and_never_kept(shared_database, request, route):
    reuse(shared_database)
    request.getfixturevalue("_shared")  # the platform: accounts, DEB-000001, CMP-000001
    who, address, declared = FORMS[route]
    client = _client(who)
    path = address.replace("{nul}", quote("plain"))
    if declared is not None:
        # The session's CSRF token, from a page any visitor may open.
        token = _fields(client.get(TOKEN_PAGE).content.decode(), "/alerts/search")
        fields = {**dict.fromkeys(declared, ""), CSRF: token[CSRF]}
    else:
        shown = client.get(path)
        assert shown.status_code == 200, f"{path}: {shown.status_code}"
        fields = _fields(shown.content.decode(), path)
    # Each answer as the page gave it (else a plausible one), so that one with NUL is the only
    # thing wrong as far as can be; NUL is added to the end of a given answer (an identifier
    # still looks like one), or is the answer.
    fields = {name: value or PLAUSIBLE.get(name, "") for name, value in fields.items()}
    sends = [
        (path, {**fields, name: f"{value}\x00" if value else NUL})
        for name, value in fields.items()
        if name != CSRF
    ]
    if "{nul}" in address:
        sends.append((address.replace("{nul}", quote(NUL)), fields))
    assert sends, f"{path}: nothing to send"
    for target, values in sends:
        answer = client.post(target, values)
        # Not 403 either: a form refused for its token would have tested nothing.
        assert answer.status_code not in (403, 500), (target, values, answer.content[:1500])
    assert _nul_kept() == [], route
