"""Who may call the publish API: an API key (``Authorization: Bearer obk_...``), limited per key,
and the scope each operation declares.

Every operation of the publish API is declared with ``auth=PUBLISH_KEY`` and decorated with
``scoped``: ``ORGANISATION`` operations act for the key's own organisation only (publisher keys;
the use cases refuse a release of another organisation), ``PLATFORM`` operations are for
administrator keys, ``ORGANISATION_OR_PLATFORM`` ones for either (the use case limits a
publisher key to its organisation's processes). tests/web/test_route_security.py checks that no
operation lacks a scope.
"""

import functools
import math
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer

from openbook import config
from openbook.publishing.publishers import (
    ADMINISTRATOR,
    PUBLISHER,
    SUPPLIER,
    Actor,
    KeyRejected,
    authenticate,
)
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.web.middleware import Bucket, client_address
from openbook.web.publish.errors import PublishError, unauthorised

ORGANISATION = "organisation"
PLATFORM = "platform"
# Publisher keys for their own organisation's processes, administrator keys for any (the use
# case checks whose the process is): complaints and legal challenges.
ORGANISATION_OR_PLATFORM = "organisation-or-platform"
# A registered supplier's key: its own entry and share codes (openbook.suppliers).
SUPPLIER_OWN = "supplier"
ROLES_OF_SCOPE = {
    SUPPLIER_OWN: (SUPPLIER,),
    ORGANISATION: (PUBLISHER,),
    PLATFORM: (ADMINISTRATOR,),
    ORGANISATION_OR_PLATFORM: (PUBLISHER, ADMINISTRATOR),
}


class PublishKey(HttpBearer):
    """An API key in the Authorization header. Never logs what it was given (django-ninja's
    own HttpBearer logs a malformed header in debug mode: it could be a key)."""

    def __call__(self, request: HttpRequest) -> Key:
        header = request.headers.get("Authorization", "")
        if not header.strip():
            raise unauthorised(
                "key-missing",
                "this API needs an API key: send 'Authorization: Bearer obk_...' with the key "
                "your organisation was given (docs/publishing-api.md)",
            )
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorised(
                "key-malformed",
                "the Authorization header must read 'Bearer ' and then the API key",
            )
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Key:
        try:
            key = authenticate(Store(), token)
        except KeyRejected as rejected:
            raise unauthorised(rejected.code, rejected.message) from None
        per_minute = config.publish_rate_limit()
        if per_minute:
            wait = _bucket(per_minute).take(key.key_id)
            if wait:
                seconds = max(1, math.ceil(wait))
                raise PublishError(
                    429,
                    "rate-limited",
                    f"more than {per_minute} requests a minute with this API key; retry after "
                    f"{seconds} s, or send several releases in one release package",
                    headers={"Retry-After": str(seconds)},
                )
        return key


PUBLISH_KEY = PublishKey()
_BUCKETS: dict[int, Bucket] = {}


def _bucket(per_minute: int) -> Bucket:
    # One bucket per limit: a changed setting (in tests) starts afresh.
    if per_minute not in _BUCKETS:
        _BUCKETS[per_minute] = Bucket(per_minute)
    return _BUCKETS[per_minute]


def scoped(scope: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare and enforce an operation's scope: the key's role must be one of the scope's."""
    roles = ROLES_OF_SCOPE[scope]

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            key = getattr(request, "auth", None)
            if not isinstance(key, Key):
                raise unauthorised("key-missing", "this operation needs an API key")
            if key.role not in roles:
                raise PublishError(
                    403,
                    "role-required",
                    f"this operation needs a key with the {' or '.join(roles)} role; this key "
                    f"({key.key_id}) has the {key.role} role",
                )
            return view(request, *args, **kwargs)

        checked.openbook_scope = scope  # type: ignore[attr-defined]
        return checked

    return decorate


def actor(request: HttpRequest) -> Actor:
    """The key making the request, and the client's address, for the audit trail."""
    key: Key = request.auth
    return Actor(f"key:{key.key_id}", client_address(request, config.proxy_count()))
