"""The pages' security headers (issue 8, item 5): a content security policy whose scripts run
only with this response's nonce, and the headers every GOV.UK service sends.

The only inline script is GOV.UK Frontend's template line that marks the body ``js-enabled``;
it carries the nonce. No inline styles: charts are SVG styled by classes."""

import secrets

from django.http import HttpRequest, HttpResponse

POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "form-action 'self'; "
    "frame-ancestors 'none'"
)


class ContentSecurityPolicy:
    """A fresh nonce for every request (``request.csp_nonce``), in the policy of every page.
    The API's JSON answers get the same policy: they run no scripts at all."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", POLICY.format(nonce=nonce))
        response.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
