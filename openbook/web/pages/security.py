"""The pages' security headers (issue 8, item 5): a content security policy whose scripts run
only with this response's nonce, and the headers every GOV.UK service sends.

The only inline script is GOV.UK Frontend's template line that marks the body ``js-enabled``;
it carries the nonce. No inline styles: charts are SVG styled by classes."""

import math
import secrets

from django.http import HttpRequest, HttpResponse

from openbook import config
from openbook.web.middleware import Bucket, client_address
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _

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


# The forms whose posts send email or check a password.
LIMITED_FORMS = ("/publish/sign-in", "/suppliers/sign-in", "/suppliers/register/email", "/alerts/")


class FormRateLimit:
    """Posts to the forms that send email or check a password, limited per client address
    (``OPENBOOK_FORM_RATE_LIMIT`` a minute, per server process): the limits per email address
    and per account stop one address or account being flooded, not one client trying many (a
    relay of mail to strangers; passwords tried across accounts). Beyond it, a GOV.UK page
    answers 429 with Retry-After."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        per_minute = config.form_rate_limit()
        self.bucket = Bucket(per_minute) if per_minute else None
        self.proxies = config.proxy_count()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            self.bucket is None
            or request.method != "POST"
            or not request.path.startswith(LIMITED_FORMS)
        ):
            return self.get_response(request)
        wait = self.bucket.take(client_address(request, self.proxies))
        if not wait:
            return self.get_response(request)
        seconds = max(1, math.ceil(wait))
        refusal = PageError(
            429,
            _(
                "You have sent this form too many times: try again in %(seconds)s seconds",
                seconds=seconds,
            ),
        )
        response = answer(request, refusal)
        response["Retry-After"] = str(seconds)
        return response
