"""An organisation's API keys, for its publishers: named, listed with their last use, created
(the whole key shown once, never again: only its hash is kept) and revoked."""

import re

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_POST

from openbook.publishing import publishers
from openbook.store.database import Store
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.form_input import nul_refusal
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.session import Publisher, actor, signed_in
from openbook.web.pages.rendering import page

MAX_NAME = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _organisation_of(publisher: Publisher):
    if publisher.role != publishers.PUBLISHER or publisher.organisation is None:
        raise PageError(403, _("Only a publisher of an organisation can manage its API keys"))
    return publisher.organisation


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def keys(request: HttpRequest) -> HttpResponse:
    try:
        organisation = _organisation_of(request.publisher)
    except PageError as refusal:
        return answer(request, refusal)
    store = Store()
    error = None
    created = None
    name = ""
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        if not name:
            error = _("Enter a name for the key, saying what uses it")
        elif len(name) > MAX_NAME:
            error = _("Enter a name of no more than %(limit)s characters", limit=MAX_NAME)
        elif holds_nul := nul_refusal(name):
            error = holds_nul
        elif _CONTROL.search(name):
            error = _("Enter text without control characters or line breaks")
        else:
            made = publishers.create_key(
                store, organisation.org_id, name, actor(request, request.publisher)
            )
            created = {"keyId": made.key.key_id, "name": made.key.name, "secret": made.secret}
            name = ""
    listed = publishers.list_keys(store, organisation.org_id)
    context = {
        "organisation": {"name": organisation.name, "identifier": organisation.org_id},
        "keys": [
            {
                "keyId": key.key_id,
                "name": key.name,
                "role": key.role,
                "created": key.created_time,
                "createdBy": key.created_by,
                "lastUsed": key.last_used_time,
                "revoked": key.revoked_time,
            }
            for key in listed
        ],
        "created": created,
        "name": name,
        "error": error,
    }
    response = page(
        request,
        "pages/publisher/keys.html",
        context,
        title=_("API keys"),
        status=400 if error else (201 if created else 200),
        error=bool(error),
    )
    if created:
        response["Cache-Control"] = "no-store"  # the key is shown once: never kept by a cache
    return response


@require_POST
@signed_in
def revoke(request: HttpRequest, key_id: str) -> HttpResponse:
    try:
        organisation = _organisation_of(request.publisher)
    except PageError as error:
        return answer(request, error)
    store = Store()
    own = {key.key_id for key in publishers.list_keys(store, organisation.org_id)}
    if key_id not in own:
        return answer(request, PageError(404, _("Page not found")))
    publishers.revoke_key(store, key_id, actor(request, request.publisher))
    return HttpResponseRedirect("/publish/keys")
