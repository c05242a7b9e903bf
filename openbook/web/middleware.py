"""Cross-cutting HTTP behaviour of the public side: CORS for reading, and rate limits.

Rate limits are per client address, per server process (gunicorn worker): a token bucket that
holds ``OPENBOOK_RATE_LIMIT`` requests and refills at that many a minute. Exceeding it gets a 429
with ``Retry-After`` (docs/api.md). Generous by default; 0 turns it off.
"""

import math
import threading
import time

from django.http import HttpRequest, HttpResponse
from django.middleware.gzip import GZipMiddleware

from openbook import config
from openbook.web.api.errors import ApiError, error_response

PUBLIC_PREFIXES = ("/api/", "/downloads/")


class Cors:
    """Anyone may read the public API and downloads from a browser on another site (GET, HEAD);
    nothing else is offered cross-origin, and no credentials are ever shared."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        public = request.path.startswith(PUBLIC_PREFIXES)
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
            if response.status_code == 405:
                message = f"{request.method} is not offered here; {message}"
            replaced = error_response(ApiError(response.status_code, code, message))
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response


class GZip(GZipMiddleware):
    """gzip, except for downloaded files (openbook.web.downloads): they are compressed already
    (gzip, zip, Parquet, xlsx), and compressing them again would cost CPU for nothing and lose
    their Content-Length and byte ranges."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if request.path.startswith("/downloads/") and request.path != "/downloads/":
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
        wait = self.bucket.take(self.client(request))
        if wait:
            seconds = max(1, math.ceil(wait))
            return error_response(
                ApiError(
                    429,
                    "rate-limited",
                    f"more than {int(self.bucket.capacity)} requests a minute from this address;"
                    f" retry after {seconds} s (docs/api.md, rate limits)",
                ),
                {"Retry-After": str(seconds)},
            )
        return self.get_response(request)

    def client(self, request: HttpRequest) -> str:
        forwarded = request.headers.get("X-Forwarded-For")
        if self.proxies and forwarded:
            hops = [hop.strip() for hop in forwarded.split(",")]
            return hops[-min(self.proxies, len(hops))]
        return str(request.META.get("REMOTE_ADDR", ""))
