"""Harvesting another OCDS API into the log (use case behind ``openbook harvest``).

Each page a source answers is an OCDS release package. Its releases go through the same review
and append as ``openbook load``'s (openbook.load.loader.load_package): the statement's publisher
is the package's publisher, and the package's metadata (its ``publishedDate`` among it) is kept
as their source package, so the source's dates stay dates the source asserts, beside the log
time at which this platform accepted each release. The position is saved after each page is
committed (openbook.harvest.state), so running the same command again continues from there.
Records are compiled every COMPILE_EVERY new releases and at the end.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

from openbook import records
from openbook.harvest.exceptions import SourceFailed, SourceNotUnderstood
from openbook.harvest.fetch import Fetcher
from openbook.harvest.report import HarvestReport
from openbook.harvest.sources import Source, format_moment, moment
from openbook.harvest.state import SavedState
from openbook.load.loader import load_package
from openbook.load.report import FileReport
from openbook.pool import Pool
from openbook.store.database import Store
from openbook.store.log import log_size

# New releases between two compiles of the records they touch, in a long harvest.
COMPILE_EVERY = 20_000
# A source may show a release some time after the moment it gives it: a windowed harvest that
# caught up with the present reads the last ten minutes again next time (duplicates cost nothing).
SETTLE = timedelta(minutes=10)
SECOND = timedelta(seconds=1)
WINDOW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Options:
    limit: int | None = None  # releases per page; by default the most the API allows
    window: timedelta | None = None  # windowed APIs: the length of a window (WINDOW)
    since: datetime | None = None  # windowed APIs: where a first harvest starts
    until: datetime | None = None  # windowed APIs: where it ends (by default, now)
    publisher: str | None = None  # instead of the packages' publisher name
    strict: bool = False  # as `openbook load --strict`
    max_pages: int | None = None  # pause after this many pages
    from_start: bool = False  # forget the saved position


def check(source: Source, options: Options) -> None:
    """That the options fit the source's API (SourceNotUnderstood, saying why, if not)."""
    api = source.api
    if options.limit is not None and options.limit > api.max_limit:
        raise SourceNotUnderstood(
            f"--limit {options.limit}: {api.title}'s pages hold at most {api.max_limit} releases"
        )
    if api.window is None:
        given = [
            name
            for name, value in (
                ("--window", options.window),
                ("--since", options.since),
                ("--until", options.until),
            )
            if value is not None
        ]
        if given:
            raise SourceNotUnderstood(
                f"{', '.join(given)}: for the APIs read in time windows (fts, cf); {api.title}'s "
                "feed is read from its start by following links.next"
            )
    elif options.since and options.until and options.since >= options.until:
        raise SourceNotUnderstood("--since must come before --until")


def harvest(
    store: Store,
    source: Source,
    fetcher: Fetcher,
    saved: SavedState,
    options: Options,
    *,
    report: HarvestReport | None = None,
    progress: Callable[[HarvestReport], None] | None = None,
) -> HarvestReport:
    """Harvest until the source has nothing more, ``max_pages`` are done, or the source fails
    (then ``report.outcome`` is "stopped" and its reason says why); what was appended is kept
    and compiled in every case but an interruption (KeyboardInterrupt), which leaves the
    compiling to the next run."""
    report = report or HarvestReport(source.key, source.api.name)
    started = time.monotonic()
    with Pool() as pool, store.bulk():
        try:
            walk = _Walk(source, options, report)
            _follow(store, walk, fetcher, saved, pool=pool, progress=progress)
        except SourceFailed as error:
            report.outcome, report.reason = "stopped", str(error)
        except KeyboardInterrupt:
            report.outcome = "interrupted"
            raise
        finally:
            report.requests, report.retried = fetcher.requests, fetcher.retried
            report.waited = fetcher.waited
            report.seconds = time.monotonic() - started
        report.compiled += records.compile_pending(store, pool=pool)
    report.seconds = time.monotonic() - started
    return report


def _follow(
    store: Store,
    walk: "_Walk",
    fetcher: Fetcher,
    saved: SavedState,
    *,
    pool: Pool,
    progress: Callable[[HarvestReport], None] | None,
) -> None:
    """Page after page, each appended in its own transaction, then its position saved."""
    options, report = walk.options, walk.report
    position = walk.start(store, saved)
    # A windowed API's cursor may not outlive the run that got it (Find a Tender does not say):
    # one the source refuses on resuming sends the harvest back to the start of its window.
    resumed = position.get("page") if walk.source.api.window else None
    pending = 0
    while options.max_pages is None or report.pages < options.max_pages:
        url = walk.page(position)
        if url is None:
            return
        try:
            package = fetcher.json(url)
            following = _check(url, package)
        except SourceFailed as error:
            if url != resumed:
                raise
            report.note(url, "cursor-refused", f"{error}; reading its window again")
            position, resumed = {**position, "page": None}, None
            continue
        resumed = None
        page = FileReport(path=url)
        load_package(
            store, package, page, report.reviews, publisher=options.publisher, strict=options.strict
        )
        report.add_page(page)
        position, done = walk.advance(position, url, following, package)
        position["stored"] = position.get("stored", 0) + page.loaded
        saved.write(position)
        if progress is not None:
            progress(report)
        pending += page.loaded
        if pending >= COMPILE_EVERY:
            report.compiled += records.compile_pending(store, pool=pool)
            pending = 0
        if done:
            return
    report.outcome = "paused"
    report.reason = f"after {report.pages:,} pages, as --max-pages asks"


class _Walk:
    """Which page comes next. A position is a small dict, saved as it is: ``page``, the next
    page's address (None: the first page of the window); for windowed APIs ``from`` and ``to``,
    the window (``to`` None: not chosen yet); ``stored``, releases this harvest appended."""

    def __init__(self, source: Source, options: Options, report: HarvestReport) -> None:
        self.source = source
        self.options = options
        self.report = report
        self.limit = options.limit or source.api.max_limit
        self.until = options.until or datetime.now(UTC).replace(microsecond=0)

    def start(self, store: Store, saved: SavedState) -> dict:
        if self.options.from_start:
            saved.forget()
        position = saved.read()
        if position and position.get("stored") and log_size(store) == 0:
            self.report.note(
                self.source.key,
                "empty-log",
                f"the log is empty, yet {position['stored']:,} releases were harvested into this "
                "database before (was it replaced?): starting from the start",
            )
            position = None
        if position is not None:
            return position
        if self.source.api.window is None:
            return {"page": None, "stored": 0}
        since = self.options.since or moment(self.source.api.since or "2000-01-01")
        return {"from": format_moment(since), "to": None, "page": None, "stored": 0}

    def page(self, position: dict) -> str | None:
        """The next page's address; None when there is nothing to ask for (caught up)."""
        if position.get("page"):
            return str(position["page"])
        if self.source.api.window is None:
            return self.source.first_page(self.limit)
        start = moment(position["from"])
        if position.get("to"):
            end = moment(position["to"])
        else:
            end = min(start + (self.options.window or WINDOW), self.until)
        if end <= start:
            return None
        position["to"] = format_moment(end)
        return self.source.first_page(self.limit, (start, end))

    def advance(
        self, position: dict, url: str, following: str | None, package: dict
    ) -> tuple[dict, bool]:
        """The position after this page, and whether the harvest is then complete."""
        if following == url:
            self.report.note(url, "next-link-loop", "links.next is this page's own address")
            following = None
        if following is not None:
            return {**position, "page": following}, False
        if self.source.api.window is None:
            # The last page for now: the next run reads it again, for what is new after it.
            return {**position, "page": url}, True
        start, end = moment(position["from"]), moment(position["to"])
        full = len(package["releases"]) >= self.limit
        window = f"{format_moment(start)} to {format_moment(end)}"
        if full and end - start > SECOND:
            # Find a Tender's cursors are known to stop giving a next link: read it in halves.
            self.report.note(
                url,
                "full-page-without-next",
                f"a full page ({self.limit} releases) without links.next: the source may hold "
                f"more in the window {window}; reading the window again in halves",
            )
            middle = start + (end - start) // 2
            return {**position, "to": format_moment(middle), "page": None}, False
        if full:
            self.report.note(
                url,
                "full-page-without-next",
                f"a full page ({self.limit} releases) without links.next in the window {window}, "
                "which cannot be split further: releases of that second may be missing",
            )
        if end < self.until:
            return {**position, "from": format_moment(end), "to": None, "page": None}, False
        again = max(start, end - SETTLE)
        return {**position, "from": format_moment(again), "to": None, "page": None}, True


def _check(url: str, package: object) -> str | None:
    """That the answer is a release package (SourceFailed if not, before anything from it is
    stored); its next page's address, if any."""
    where = f"GET {url}: the answer is JSON but not an OCDS release package"
    if not isinstance(package, dict):
        raise SourceFailed(f"{where}: it is {_kind(package)}, not an object")
    releases = package.get("releases")
    if "records" in package and releases is None:
        raise SourceFailed(
            f"{where}: it is a record package; give the address of the source's release packages"
        )
    if releases is None:
        keys = ", ".join(sorted(package)[:10]) or "none"
        raise SourceFailed(f"{where}: it has no releases list (its keys: {keys})")
    if not isinstance(releases, list):
        raise SourceFailed(f"{where}: its releases are {_kind(releases)}, not a list")
    links = package.get("links")
    if links is None:
        return None
    if not isinstance(links, dict):
        raise SourceFailed(f"{where}: its links are {_kind(links)}, not an object")
    following = links.get("next")
    if following is None or following == "":
        return None
    if not isinstance(following, str):
        raise SourceFailed(f"{where}: its links.next is {_kind(following)}, not an address")
    resolved = urljoin(url, following)
    if urlsplit(resolved).scheme not in ("http", "https"):
        raise SourceFailed(f"{where}: its links.next {following[:200]!r} is not an http address")
    return resolved


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
