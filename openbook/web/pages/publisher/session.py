"""Who is signed in: the account, its role and organisation, kept in the session (which
expires after OPENBOOK_SESSION_MINUTES idle). Pages that need an account send others to sign
in, and come back after."""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from openbook import config
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
    }


def forget(request: HttpRequest) -> None:
    request.session.flush()


def current(request: HttpRequest) -> Publisher | None:
    kept = request.session.get(KEY)
    if not isinstance(kept, dict):
        return None
    organisation_id = kept.get("organisation")
    organisation = (
        stored.organisation(Store(), organisation_id) if isinstance(organisation_id, int) else None
    )
    return Publisher(str(kept.get("username")), str(kept.get("role")), organisation)


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
