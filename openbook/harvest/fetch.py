"""Polite HTTP for harvests, with Python's own urllib: one request at a time, a pause between
requests, rate limits honoured (429, and Contracts Finder's 403) with their ``Retry-After``,
exponential backoff on server and network errors, a bounded number of attempts, timeouts, gzip.

Every failure is a SourceFailed whose message says what was asked (the address), what came back
and why the harvest stops.
"""

import contextlib
import html
import http
import http.client
import re
import ssl
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import Any

import orjson

from openbook import __version__
from openbook.harvest.exceptions import SourceFailed

USER_AGENT = f"openbook/{__version__} (OCDS harvester; Python urllib)"
# The most an answer may take, compressed or not: far beyond any real page of releases.
MAX_ANSWER_BYTES = 512 * 2**20
# Answers worth asking again: the server's trouble (5xx), or a request it timed out on.
_RETRIED = frozenset({408, 500, 502, 503, 504})
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Politeness:
    """How a harvest treats its source (docs/harvest.md, "Politeness")."""

    delay: float = 0.0  # seconds from one answer to the next request
    timeout: float = 60.0  # seconds to connect, and to wait for each part of an answer
    retries: int = 5  # further attempts at one request after it fails
    backoff: float = 2.0  # seconds before the first retry after a server or network error
    rate_limited: float = 60.0  # seconds to wait on a rate limit that gives no Retry-After
    longest_wait: float = 900.0  # a source asking for a longer wait stops the harvest


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait, from a ``Retry-After`` header (RFC 9110 section 10.2.3): a number of
    seconds or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """Fetches JSON, politely. ``rate_limit_statuses`` are the answers that mean "too many
    requests" for this source (429; Contracts Finder answers 403). Counts what it did."""

    def __init__(
        self,
        politeness: Politeness,
        rate_limit_statuses: frozenset[int] = frozenset({429}),
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.politeness = politeness
        self.rate_limit_statuses = rate_limit_statuses
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self.retried = 0
        self.waited = 0.0  # seconds spent waiting on rate limits and failures (not the delay)
        self._last: float | None = None

    def json(self, url: str) -> Any:
        """The JSON value at this address (SourceFailed if it cannot be had)."""
        body, headers = self._get(url)
        return _parse(url, body, headers)

    def _get(self, url: str) -> tuple[bytes, Message]:
        politeness = self.politeness
        rate_limited = 0
        last = ""
        for attempt in range(politeness.retries + 1):
            self._pause()
            try:
                status, headers, body = self._request(url)
            except (OSError, http.client.HTTPException) as error:
                if _hopeless(error):
                    raise SourceFailed(f"GET {url}: {_network(error)}") from None
                last = _network(error)
                wait = politeness.backoff * 2**attempt
            else:
                if status == 200:
                    return body, headers
                last = f"HTTP {status} {_phrase(status)}{_detail(body, headers)}"
                given = retry_after(headers.get("Retry-After"))
                if status in self.rate_limit_statuses:
                    last += " (rate limited)"
                    wait = given if given is not None else politeness.rate_limited * 2**rate_limited
                    rate_limited += 1
                elif status in _RETRIED or status >= 500:
                    wait = given if given is not None else politeness.backoff * 2**attempt
                else:
                    raise SourceFailed(f"GET {url}: {last}")
            if attempt == politeness.retries:
                break
            if wait > politeness.longest_wait:
                raise SourceFailed(
                    f"GET {url}: {last}; the source asks to wait {wait:,.0f} s, more than "
                    f"{politeness.longest_wait:,.0f} s: run the same command again later"
                )
            self.sleep(wait)
            self.waited += wait
            self.retried += 1
        tries = politeness.retries + 1
        raise SourceFailed(
            f"GET {url}: failed {tries} time{'s' if tries > 1 else ''}, the last with {last}"
        )

    def _pause(self) -> None:
        if self._last is not None:
            wait = self._last + self.politeness.delay - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.requests += 1

    def _request(self, url: str) -> tuple[int, Message, bytes]:
        request = urllib.request.Request(  # noqa: S310 (sources are checked to be http or https)
            url,
            headers={
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.politeness.timeout) as response:  # noqa: S310
                return response.status, response.headers, _body(url, response)
        except urllib.error.HTTPError as error:
            with error:
                try:
                    body = _body(url, error)
                except (OSError, http.client.HTTPException, SourceFailed):
                    body = b""
                return error.code, error.headers, body
        finally:
            self._last = self.clock()


def _body(url: str, response: Any) -> bytes:
    data = response.read(MAX_ANSWER_BYTES + 1)
    if len(data) > MAX_ANSWER_BYTES:
        raise SourceFailed(f"GET {url}: the answer is larger than {MAX_ANSWER_BYTES:,} bytes")
    if response.headers.get("Content-Encoding", "").strip().lower() != "gzip":
        return bytes(data)
    inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        plain = inflate.decompress(data, MAX_ANSWER_BYTES + 1)
    except zlib.error as error:
        raise SourceFailed(f"GET {url}: the answer's gzip data is damaged ({error})") from None
    if len(plain) > MAX_ANSWER_BYTES or inflate.unconsumed_tail:
        raise SourceFailed(
            f"GET {url}: the answer is larger than {MAX_ANSWER_BYTES:,} bytes once decompressed"
        )
    return plain


def _parse(url: str, body: bytes, headers: Message) -> Any:
    charset = headers.get_content_charset()
    if charset and charset.lower() not in ("utf-8", "utf8", "us-ascii", "ascii"):
        # Contracts Finder, for one, has answered in ISO-8859-1.
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            body = body.decode(charset).encode()
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise SourceFailed(f"GET {url}: the answer is not JSON: {_not_json(body, error)}") from None


def _not_json(body: bytes, error: orjson.JSONDecodeError) -> str:
    start = body.lstrip()[:1]
    if not start:
        return "it is empty"
    if start == b"<":
        title = _TITLE.search(body[:65536])
        named = f" titled {_clean(title.group(1))!r}" if title else ""
        return f"it is an HTML page{named}, not an OCDS release package"
    return f"{error} (it starts {body[:60].decode('utf-8', 'replace')!r})"


def _detail(body: bytes, headers: Message) -> str:
    """What an error answer says, briefly: the message of a JSON error, the title of a page."""
    if not body.strip():
        return ""
    kind = headers.get_content_type()
    if kind == "application/json" or body.lstrip()[:1] == b"{":
        try:
            value = orjson.loads(body)
        except orjson.JSONDecodeError:
            value = None
        if isinstance(value, dict):
            error = value.get("error")
            message = error.get("message") if isinstance(error, dict) else value.get("message")
            if isinstance(message, str):
                return f": {_clean(message.encode())}"
    if body.lstrip()[:1] == b"<":
        title = _TITLE.search(body[:65536])
        return f": an HTML page titled {_clean(title.group(1))!r}" if title else ": an HTML page"
    return f": {_clean(body[:200])}"


def _clean(text: bytes) -> str:
    return " ".join(html.unescape(text.decode("utf-8", "replace")).split())[:200]


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def _network(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    if isinstance(reason, BaseException):
        error = reason
    if isinstance(error, TimeoutError):
        return "no answer in time (timeout)"
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"network error: {text}"


def _hopeless(error: BaseException) -> bool:
    """Failures that asking again cannot mend: a certificate that does not verify."""
    reason = getattr(error, "reason", error)
    return isinstance(reason, ssl.SSLCertVerificationError)
