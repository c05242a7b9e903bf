"""Who is signed in: the account, its role and organisation, kept in the session (which
expires after OPENBOOK_SESSION_MINUTES idle). Pages that need an account send others to sign
in, and come back after."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from openbook import config
from openbook.publishing import accounts
from openbook.publishing.accounts import SignedIn
from openbook.publishing.publishers import Actor
from openbook.store import publishers as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.web.middleware import client_address

KEY = "openbook_account"
SIGN_IN = "/publish/sign-in"


@dataclass(frozen=True, slots=True)
class Publisher:
    """The signed-in account and the organisation it acts for (None for an administrator)."""

    username: str
    role: str
    organisation: Organisation | None

    @property
    def actor(self) -> str:
        return f"account:{self.username}"


def remember(request: HttpRequest, signed_in: SignedIn) -> None:
    """Start the signed-in session: a new session key (so a key planted before signing in is
    worthless) holding who signed in."""
    request.session.cycle_key()
    request.session[KEY] = {
        "username": signed_in.username,
        "role": signed_in.role,
        "organisation": signed_in.organisation_id,
        "signed": signed_in.fingerprint,
    }


def forget(request: HttpRequest) -> None:
    request.session.flush()


def current(request: HttpRequest) -> Publisher | None:
    """Who is signed in, checked against the accounts on every request: a session whose account
    has lost its role (``openbook account remove``) or has a new password ends at once, rather
    than when it expires."""
    kept = request.session.get(KEY)
    if not isinstance(kept, dict):
        return None
    store = Store()
    username, role = str(kept.get("username")), str(kept.get("role"))
    organisation_id = kept.get("organisation")
    if not isinstance(organisation_id, int):
        organisation_id = None
    organisation = stored.organisation(store, organisation_id) if organisation_id else None
    if (organisation_id is not None and organisation is None) or not accounts.still_signed_in(
        store, username, role, organisation_id, str(kept.get("signed", ""))
    ):
        forget(request)
        return None
    return Publisher(username, role, organisation)


def actor(request: HttpRequest, publisher: Publisher) -> Actor:
    return Actor(publisher.actor, client_address(request, config.proxy_count()))


def signed_in(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for signed-in accounts: others go to sign in, then back here."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        publisher = current(request)
        if publisher is None:
            return HttpResponseRedirect(f"{SIGN_IN}?next={quote(request.get_full_path())}")
        request.publisher = publisher
        return view(request, *args, **kwargs)

    return wrapped
