"""Addresses the pages make from what a request says: where links in emails start
(confirming an alert, registering as a supplier), and where signing in leads."""

from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils.http import url_has_allowed_host_and_scheme

from openbook import alerts, config

# Hosts a request may give its own address from when OPENBOOK_SITE_URL is not set: this
# machine's loopback names (development), and the name Django's test client sends.
_OWN_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "testserver"})


def email_site(request: HttpRequest) -> str:
    """OPENBOOK_SITE_URL; without it, the request's own address, but only for a request to
    this machine's loopback address. A link made from any other Host header could be forged:
    someone asking for a link to another person's address, with their own host in the header,
    would be sent that person's token when they clicked. ``config.ConfigurationError`` then,
    which the pages answer as an email they could not send."""
    configured = alerts.site_url()
    if configured:
        return configured
    domain, _ = split_domain_port(request.get_host())
    if domain.strip("[]") not in _OWN_HOSTS:
        raise config.ConfigurationError(
            "OPENBOOK_SITE_URL is not set: emails with links are sent only when the platform's "
            "address is configured (docs/operators.md)"
        )
    return request.build_absolute_uri("/").rstrip("/")


def after_sign_in(request: HttpRequest, home: str, within: str) -> str:
    """Where signing in leads: the form's or the address's ``next``, if it is a path of this
    site under ``within``; else ``home``. Never another site (an open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or home
    if not target.startswith(within) or not url_has_allowed_host_and_scheme(target, None):
        return home
    return target
