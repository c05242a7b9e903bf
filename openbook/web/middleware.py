"""Cross-cutting HTTP behaviour of the public side: CORS for reading, and rate limits.

Rate limits are per client address, per server process (gunicorn worker): a token bucket that
holds ``OPENBOOK_RATE_LIMIT`` requests and refills at that many a minute. Exceeding it gets a 429
with ``Retry-After`` (docs/api.md). Generous by default; 0 turns it off.

The publish API (``/api/publish/``) is not for browsers on other sites, so it gets no CORS
headers; a request to it that carries an API key is limited per key, by the publish API itself
(``OPENBOOK_PUBLISH_RATE_LIMIT``), not per address: many publishers behind one gateway must not
throttle each other. Requests to it without a key are limited per address like the rest of /api/,
and so are those whose key is refused: a key that is not one cannot buy itself out of the limit.
"""

import math
import threading
import time

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

from openbook import config
from openbook.publishing.keys import looks_like_key
from openbook.web.api.errors import ApiError, error_response

PUBLIC_PREFIXES = ("/api/", "/downloads/")
PUBLISH_PREFIX = "/api/publish/"


class Cors:
    """Anyone may read the public API and downloads from a browser on another site (GET, HEAD);
    nothing else is offered cross-origin, and no credentials are ever shared."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public = request.path.startswith(PUBLIC_PREFIXES) and not request.path.startswith(
            PUBLISH_PREFIX
        )
        if public and request.method == "OPTIONS" and "Origin" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            response["Access-Control-Max-Age"] = "86400"
        else:
            response = self.get_response(request)
        if public and request.method in ("GET", "HEAD", "OPTIONS"):
            response["Access-Control-Allow-Origin"] = "*"
            response["Access-Control-Expose-Headers"] = "ETag, Last-Modified, Retry-After, Link"
        return response


class ApiErrorsAsJson:
    """Under /api/, the answers Django and django-ninja give outside the API's views (no such
    path, a method not offered) are JSON errors like every other (docs/api.md, "Errors")."""

    MESSAGES = {
        404: ("not-found", "no such path in the API: see /api/docs"),
        405: ("method-not-allowed", "the public API is read-only: use GET"),
    }

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        known = self.MESSAGES.get(response.status_code)
        if (
            known
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = known
            if request.path.startswith(PUBLISH_PREFIX):
                message = "see the publish API's description: /api/publish/openapi.json"
                if response.status_code == 404:
                    message = f"no such path in the publish API; {message}"
            if response.status_code == 405:
                message = f"{request.method} is not offered here; {message}"
            replaced = error_response(ApiError(response.status_code, code, message))
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response


class GZip(GZipMiddleware):
    """gzip, except for downloaded files (openbook.web.downloads) and uploaded documents
    (/api/documents/): they are compressed already (gzip, zip, Parquet, xlsx, PDF), and
    compressing them again would cost CPU for nothing and lose their Content-Length and byte
    ranges."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith("/downloads/") and request.path != "/downloads/":
            return response
        if request.path.startswith("/api/documents/"):
            return response
        return super().process_response(request, response)


class Bucket:
    """Token buckets by client: ``take`` answers 0 when a request may go, otherwise the seconds
    until one may."""

    def __init__(self, per_minute: int, clock=time.monotonic) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.clock = clock
        self.tokens: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, client: str) -> float:
        now = self.clock()
        with self.lock:
            tokens, then = self.tokens.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if tokens >= 1:
                self.tokens[client] = (tokens - 1, now)
                return 0.0
            self.tokens[client] = (tokens, now)
            if len(self.tokens) > 100_000:
                self._forget_full(now)
            return (1 - tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        # Clients whose buckets have refilled hold nothing worth remembering.
        self.tokens = {
            client: (tokens, then)
            for client, (tokens, then) in self.tokens.items()
            if tokens + (now - then) * self.rate < self.capacity
        }


class RateLimit:
    def __init__(self, get_response) -> None:
        self.get_response = get_response
        per_minute = config.rate_limit()
        self.bucket = Bucket(per_minute) if per_minute else None
        self.proxies = config.proxy_count()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.bucket is None or not request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        if request.path.startswith(PUBLISH_PREFIX) and _presents_key(request):
            response = self.get_response(request)
            # A key the publish API refused (forged, unknown, revoked) is charged to the address,
            # as a request with no key is: keys cannot be tried without limit, and a real key
            # is never held back by the refused ones sent from its address.
            if response.status_code == 401:
                wait = self.bucket.take(client_address(request, self.proxies))
                if wait:
                    return self._limited(wait, " with keys that are not valid")
            return response
        wait = self.bucket.take(client_address(request, self.proxies))
        if wait:
            return self._limited(wait)
        return self.get_response(request)

    def _limited(self, wait: float, what: str = "") -> HttpResponse:
        assert self.bucket is not None
        seconds = max(1, math.ceil(wait))
        return error_response(
            ApiError(
                429,
                "rate-limited",
                f"more than {int(self.bucket.capacity)} requests a minute from this address{what};"
                f" retry after {seconds} s (docs/api.md, rate limits)",
            ),
            {"Retry-After": str(seconds)},
        )


def client_address(request: HttpRequest, proxies: int) -> str:
    """The client's address: REMOTE_ADDR, or behind ``proxies`` reverse proxies
    (``OPENBOOK_PROXY_COUNT``) the address that many hops from the end of X-Forwarded-For."""
    forwarded = request.headers.get("X-Forwarded-For")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",")]
        return hops[-min(proxies, len(hops))]
    return str(request.META.get("REMOTE_ADDR", ""))


def _presents_key(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and looks_like_key(token.strip())
