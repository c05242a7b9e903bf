"""Who is signed in to the supplier pages: a supplier account and the supplier it keeps, in the
session under a key of its own, apart from the publisher pages' (openbook.web.pages.publisher
.session), so that neither kind of session opens the other's pages."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from openbook import config
from openbook.publishing import accounts
from openbook.publishing.accounts import SignedIn
from openbook.publishing.publishers import SUPPLIER, Actor
from openbook.store import publishers as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.web.middleware import client_address

KEY = "openbook_supplier"
SIGN_IN = "/suppliers/sign-in"


@dataclass(frozen=True, slots=True)
class Supplier:
    username: str  # the account's email address
    organisation: Organisation  # whose party id is the supplier's number

    @property
    def number(self) -> str:
        return self.organisation.party_id


def remember(request: HttpRequest, signed_in: SignedIn, organisation: Organisation) -> None:
    """A new session key (a key planted before signing in is worthless) holding who signed in."""
    request.session.cycle_key()
    request.session[KEY] = {
        "username": signed_in.username,
        "organisation": organisation.id,
        "signed": signed_in.fingerprint,
    }


def forget(request: HttpRequest) -> None:
    request.session.flush()


def current(request: HttpRequest) -> Supplier | None:
    """The supplier signed in, if the account still keeps it with the password it signed in
    with; else None, and the session is ended."""
    kept = request.session.get(KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get("organisation"), int):
        return None
    store = Store()
    username, organisation_id = str(kept.get("username")), kept["organisation"]
    organisation = stored.organisation(store, organisation_id)
    if organisation is None or not accounts.still_signed_in(
        store, username, SUPPLIER, organisation_id, str(kept.get("signed", ""))
    ):
        forget(request)
        return None
    return Supplier(username, organisation)


def actor(request: HttpRequest, supplier: Supplier) -> Actor:
    return Actor(f"account:{supplier.username}", client_address(request, config.proxy_count()))


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for signed-in suppliers: others go to sign in, then back here."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        supplier = current(request)
        if supplier is None:
            return HttpResponseRedirect(f"{SIGN_IN}?next={quote(request.get_full_path())}")
        request.supplier = supplier
        return view(request, *args, **kwargs)

    return wrapped
