"""The APIs a harvest reads, told apart by their address (docs/harvest.md, "Sources"):

- another openbook's change feed, ``/api/ocds/releases``, read by following ``links.next``;
- the Find a Tender Service's read API, ``/api/1.0/ocdsReleasePackages``, read in time windows
  of ``updatedFrom`` and ``updatedTo``, because its cursors are known to stop giving a next link
  and long windows are known to miss releases;
- Contracts Finder's ``/Published/Notices/OCDS/Search``, read in windows of ``publishedFrom`` and
  ``publishedTo``; it answers 403 when it rate-limits.

All three answer OCDS release packages. Any other API of the same shape is read by giving its
address with ``--api``.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from openbook.harvest.exceptions import SourceNotUnderstood


@dataclass(frozen=True, slots=True)
class Api:
    name: str  # as --api takes it
    title: str
    path: str  # the standard path of its list of release packages
    window: tuple[str, str] | None  # the parameters of a time window, if read in windows
    max_limit: int  # the most releases a page may hold
    delay: float  # seconds between requests, by default
    since: str | None  # where a first windowed harvest starts, by default
    rate_limit_statuses: frozenset[int]


APIS = {
    "openbook": Api(
        "openbook", "openbook", "/api/ocds/releases", None, 1000, 0.0, None, frozenset({429})
    ),
    # Find a Tender allows 12 requests per 2 minutes, hence one every 10 s; it opened in 2021.
    "fts": Api(
        "fts",
        "Find a Tender",
        "/api/1.0/ocdsReleasePackages",
        ("updatedFrom", "updatedTo"),
        100,
        10.0,
        "2021-01-01T00:00:00",
        frozenset({429}),
    ),
    # Contracts Finder rate-limits without saying how (Kingfisher Collect's spider waits and
    # retries on 403); its data starts in 2014, as Kingfisher Collect found.
    "cf": Api(
        "cf",
        "Contracts Finder",
        "/Published/Notices/OCDS/Search",
        ("publishedFrom", "publishedTo"),
        100,
        1.0,
        "2014-01-01T00:00:00",
        frozenset({429, 403}),
    ),
}
_HOSTS = {"find-tender.service.gov.uk": "fts", "contractsfinder.service.gov.uk": "cf"}


@dataclass(frozen=True, slots=True)
class Source:
    api: Api
    endpoint: str  # scheme, host and path of the list of release packages
    filters: tuple[tuple[str, str], ...]  # the address's own query parameters, kept

    @property
    def key(self) -> str:
        """The source's address as the harvest state names it: its filters included, the
        parameters the harvest sets itself left out."""
        return self.endpoint + (f"?{urlencode(self.filters)}" if self.filters else "")

    def first_page(self, limit: int, window: tuple[datetime, datetime] | None = None) -> str:
        parameters = [*self.filters, ("limit", str(limit))]
        if window is not None and self.api.window is not None:
            parameters += [
                (self.api.window[0], format_moment(window[0])),
                (self.api.window[1], format_moment(window[1])),
            ]
        return f"{self.endpoint}?{urlencode(parameters)}"


def source(url: str, api: str | None = None) -> Source:
    """The source at this address: the API is the one named, or the one its path (or, for the
    two UK services, its host) shows; a bare site address is taken as another openbook. An
    address with the API's path is its list of release packages; a bare site address gets the
    API's standard path."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SourceNotUnderstood(f"{url!r} is not an http:// or https:// address")
    path = parts.path.rstrip("/")
    shown = _by_path(path)
    host = (parts.hostname or "").removeprefix("www.")
    named = api or shown or _HOSTS.get(host) or ("openbook" if not path else None)
    if named is None:
        raise SourceNotUnderstood(
            f"{url!r}: which API is this? Its path is none of {_paths()}; give --api "
            f"({', '.join(APIS)}) to read it as one of them"
        )
    chosen = APIS[named]
    if path and shown is not None and shown != named:
        raise SourceNotUnderstood(
            f"{url!r} is {APIS[shown].title}'s path ({APIS[shown].path}), not {chosen.title}'s"
        )
    if not path:
        path = chosen.path
    own = {"cursor", "limit", *(chosen.window or ())}
    filters = tuple(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if name not in own
    )
    endpoint = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return Source(chosen, endpoint, filters)


def _by_path(path: str) -> str | None:
    lowered = path.lower()
    for name, api in APIS.items():
        if lowered.endswith(api.path.lower()):
            return name
    return None


def _paths() -> str:
    return ", ".join(api.path for api in APIS.values())


_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def duration(text: str) -> timedelta:
    """``90s``, ``30m``, ``6h``, ``1d``, ``2w``: a window's length, at least a second."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None:
        raise ValueError(f"{text!r} is not a length of time such as 30m, 6h, 1d or 2w")
    length = timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    if length < timedelta(seconds=1):
        raise ValueError(f"{text!r} is shorter than a second")
    return length


def moment(text: str) -> datetime:
    """``2024-01-31``, ``2024-01-31T12:00:00`` (UTC) or with ``Z`` or an offset."""
    try:
        value = datetime.fromisoformat(text.strip().replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date or a date and time such as 2024-01-31 or "
            "2024-01-31T12:00:00 (UTC)"
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def format_moment(value: datetime) -> str:
    """As Find a Tender takes it: ``YYYY-MM-DDTHH:MM:SS``, UTC, no offset."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
