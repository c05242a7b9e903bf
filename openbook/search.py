"""Searching contracting processes (use case behind ``GET /api/ocds/processes``, docs/search.md):
words of a text query, filters, sorting, counts and facets, and cursors for keyset paging."""

import base64
import binascii
import hashlib
import math
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import TypeVar

import orjson

from openbook.standards.ocds import summary, terms
from openbook.store import records as stored_records
from openbook.store import search
from openbook.store.database import Store

# Counts and facets are exact up to this many matching processes; beyond it the count says
# "at least" and facets count the first COUNT_CAP matches found (docs/search.md).
COUNT_CAP = 10_000
# Values listed per facet, largest counts first.
FACET_SIZE = 20
# Words a text query may have.
MAX_WORDS = 20
SORTS = ("relevance", "date", "value")
_SORT_KEYS = {"relevance": "score", "date": "published", "value": "value_amount"}
# PostgreSQL's ``english`` stop words (tsearch_data/english.stop): words it never indexes. They
# are dropped from queries on both databases, so that both find the same processes.
_STOP_WORDS_TEXT = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom "
    "this that these those am is are was were be been being have has had having do does did "
    "doing a an the and but if or because as until while of at by for with about against "
    "between into through during before after above below to from up down in out on off over "
    "under again further then once here there when where why how all any both each few more "
    "most other some such no nor not only own same so than too very s t can will just don "
    "should now"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
# What a word is, for both engines: letters and digits (FTS5's unicode61 tokenizer and
# PostgreSQL's parser split on everything else, the underscore included).
_WORD = re.compile(r"[^\W_]+")
_CURSOR_VERSION = 1


class QueryError(ValueError):
    """A query the search cannot run, with the parameter at fault."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True, slots=True)
class Query:
    """A search as asked: values already checked for form (the web layer's job); dates as UTC
    datetimes, ``*_to`` inclusive."""

    text: str | None = None
    buyer: str | None = None
    supplier: str | None = None
    cpv: Sequence[str] = ()
    value_min: float | None = None
    value_max: float | None = None
    currency: str | None = None
    stages: Sequence[str] = ()
    statuses: Sequence[str] = ()
    procurement_methods: Sequence[str] = ()
    notice_types: Sequence[str] = ()
    regions: Sequence[str] = ()
    dates: dict[str, tuple[datetime | None, datetime | None]] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)  # above_threshold, suitable_sme...
    sort: str | None = None  # relevance (with text), date or value; by default relevance or date
    descending: bool = True
    limit: int = 20
    cursor: str | None = None


# Date filters: the parameter's name and the column it looks at.
DATE_COLUMNS = {
    "published": "published",
    "deadline": "deadline",
    "award": "award_date",
    "contract_start": "contract_start",
    "contract_end": "contract_end",
}
FLAGS = ("above_threshold", "suitable_sme", "suitable_vcse", "awarded_sme", "awarded_vcse")


@dataclass(frozen=True, slots=True)
class Results:
    items: list[search.Found]
    count: int
    exact: bool  # whether count (and facets) are exact, or at least that many
    facets: dict[str, dict[str, int]]
    sort: str
    next_cursor: str | None


def words(text: str) -> list[str]:
    """The words of a text query: letters and digits, lower case, without diacritics or stop
    words, each once. Quotes, operators and brackets of either engine's syntax are not words,
    so they are dropped, never interpreted."""
    found = _WORD.findall(summary.plain(text).casefold())
    kept = list(dict.fromkeys(word for word in found if word not in STOP_WORDS))
    if not kept:
        if found:
            raise QueryError(
                "q", "has only words too common to be indexed (such as 'the' or 'and')"
            )
        raise QueryError("q", "has no words to search for (letters or digits)")
    if len(kept) > MAX_WORDS:
        raise QueryError("q", f"has {len(kept)} distinct words; at most {MAX_WORDS}")
    return kept


def search_processes(store: Store, query: Query) -> Results:
    prepared = _prepared(query)
    count, exact, counted = _counted(store, prepared[0])
    items, next_cursor = _page(store, query, prepared)
    return Results(items, count, exact, counted, prepared[1], next_cursor)


def first_processes(store: Store, query: Query) -> list[search.Found]:
    """The page of processes a query asks for, without counting or facets: for lists that
    only show a few (the home page's newest)."""
    return _page(store, query, _prepared(query))[0]


def _page(store: Store, query: Query, prepared: tuple) -> tuple[list, str | None]:
    criteria, sort, fingerprint, after = prepared
    items = search.page(
        store,
        criteria,
        sort=_SORT_KEYS[sort],
        descending=query.descending,
        after=after,
        limit=query.limit + 1,
    )
    next_cursor = None
    if len(items) > query.limit:
        items = items[: query.limit]
        last = items[-1]
        next_cursor = encode_cursor(sort, last.key, last.tie, fingerprint)
    return items, next_cursor


# What the pages ask again and again and cost a read of many rows (the counts and facets of the
# searches asked lately, the number of processes), kept by what it is, the log's newest entry
# and the search index's newest row, for at most a minute: the same search asked again (its
# next page, the search page with no filters) is not counted again while nothing is published.
# A change that moves neither (a process leaving the index after a failed compile) shows within
# the minute. Per server process.
_KEPT: dict[tuple, tuple[float, object]] = {}
_KEPT_MOST = 256
_KEPT_SECONDS = 60.0


T = TypeVar("T")


def _kept(store: Store, what: tuple, compute: Callable[[], T]) -> T:
    key = (store.connection.settings_dict["NAME"], *what, *search.version(store))
    now = time.monotonic()
    found = _KEPT.get(key)
    if found is None or now - found[0] > _KEPT_SECONDS:
        found = (now, compute())
        if len(_KEPT) >= _KEPT_MOST:
            _KEPT.pop(next(iter(_KEPT)))
        _KEPT[key] = found
    return found[1]  # type: ignore[return-value]  # what compute gave for this key


def _counted(
    store: Store, criteria: search.Criteria
) -> tuple[int, bool, dict[str, dict[str, int]]]:
    """How many processes match (exact up to COUNT_CAP) and their facets."""

    def count() -> tuple[int, bool, dict[str, dict[str, int]]]:
        rows = search.sample(store, criteria, COUNT_CAP + 1)
        return min(len(rows), COUNT_CAP), len(rows) <= COUNT_CAP, facets(rows[:COUNT_CAP])

    return _kept(store, ("counted", COUNT_CAP, _fingerprint(criteria, "", False)), count)


def process_count(store: Store) -> int:
    """How many processes the log holds (compiled records), as the home page says it."""
    return _kept(store, ("processes",), lambda: stored_records.count(store, search.REGISTER))


def check(query: Query) -> None:
    """Raise the QueryError that searching would (the text's words, the sort, the cursor),
    without searching: a form can then name every fault before any search runs."""
    _prepared(query)


def _prepared(query: Query) -> tuple[search.Criteria, str, str, tuple[object, object] | None]:
    """The search's criteria, its sort, its fingerprint and where its cursor points."""
    criteria = criteria_of(query)
    sort = query.sort or ("relevance" if criteria.words else "date")
    if sort == "relevance" and not criteria.words:
        raise QueryError("sort", "relevance needs a text query (q)")
    fingerprint = _fingerprint(criteria, sort, query.descending)
    after = decode_cursor(query.cursor, sort, fingerprint) if query.cursor else None
    return criteria, sort, fingerprint, after


def facets(rows: Sequence[tuple]) -> dict[str, dict[str, int]]:
    """Counts by value of each facet over these rows (search.FACET_COLUMNS), the FACET_SIZE
    largest of each; yes-or-no facets count true, false and unknown."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in search.FACET_COLUMNS]
    found: dict[str, dict[str, int]] = {}
    for name, values in zip(search.FACET_COLUMNS, columns, strict=True):
        # Counted a column at a time: Counter counts in C, which 10,000 rows need.
        if name in FLAGS:
            counted = Counter(values)
            counter = Counter(
                {
                    "true": sum(n for value, n in counted.items() if value),
                    "false": sum(
                        n for value, n in counted.items() if value is not None and not value
                    ),
                    "unknown": counted.get(None, 0),
                }
            )
        elif name == "notice_types":
            counter = Counter(chain.from_iterable(search.listed(value) for value in values))
        elif name == "regions":
            counter = Counter(
                region
                for value in values
                for region in search.listed(value)
                if summary.is_region_facet(region)
            )
        else:
            counter = Counter(value for value in values if value is not None)
        top = sorted((pair for pair in counter.items() if pair[1]), key=lambda p: (-p[1], p[0]))
        found[_FACET_NAMES.get(name, name)] = dict(top[:FACET_SIZE])
    return found


_FACET_NAMES = {"notice_types": "notice_type", "regions": "region"}


def criteria_of(query: Query) -> search.Criteria:
    groups: list[tuple[str, ...]] = []
    if query.buyer:
        groups.append((terms.party_term("buyer", query.buyer),))
    if query.supplier:
        groups.append((terms.party_term("supplier", query.supplier),))
    containing: list[tuple[str, tuple[str, ...]]] = []
    if query.notice_types:
        containing.append(
            ("notice_types", tuple(f"\n{notice.upper()}\n" for notice in query.notice_types))
        )
    if query.regions:
        regions = sorted({region for given in query.regions for region in region_values(given)})
        containing.append(("regions", tuple(f"\n{region}\n" for region in regions)))
    if query.cpv:
        containing.append(("cpv", tuple(f"\n{cpv_prefix(code)}" for code in query.cpv)))
    among: list[tuple[str, tuple[object, ...]]] = []
    for column, values in (
        ("stage", query.stages),
        ("status", query.statuses),
        ("procurement_method", query.procurement_methods),
        ("value_currency", (query.currency,) if query.currency else ()),
    ):
        if values:
            among.append((column, tuple(values)))
    among.extend((name, (query.flags[name],)) for name in FLAGS if name in query.flags)
    at_least: list[tuple[str, object]] = []
    at_most: list[tuple[str, object]] = []
    if query.value_min is not None:
        at_least.append(("value_amount", query.value_min))
    if query.value_max is not None:
        at_most.append(("value_amount", query.value_max))
    for name, column in DATE_COLUMNS.items():
        start, end = query.dates.get(name, (None, None))
        if start is not None:
            at_least.append((column, _text_time(start, upper=False)))
        if end is not None:
            at_most.append((column, _text_time(end, upper=True)))
    return search.Criteria(
        words=tuple(words(query.text)) if query.text is not None else (),
        term_groups=tuple(groups),
        containing=tuple(containing),
        among=tuple(among),
        at_least=tuple(at_least),
        at_most=tuple(at_most),
    )


def region_values(value: str) -> list[str]:
    """What a region filter looks for: a NUTS or ITL code (at any level, in any case), or a
    region's name."""
    found = []
    code = value.strip().upper()
    levels = summary.normalise_region(code)
    if levels and levels[-1] == code:
        found.append(code)
    found.extend(summary.normalise_region(value.casefold()))
    return found


def cpv_prefix(code: str) -> str:
    """The start of the CPV codes under a code: ``45`` and ``45000000`` both stand for the
    whole division (a CPV code's trailing zeros are the groups below it); a check digit is
    ignored."""
    return code.split("-", 1)[0].rstrip("0").ljust(2, "0")


def _text_time(moment: datetime, *, upper: bool) -> str:
    """A bound as stored dates are written (whole seconds, UTC): a lower bound rounded up, an
    upper one down, so that the comparison is exact."""
    moment = moment.astimezone(UTC)
    if moment.microsecond and not upper:
        moment = moment.replace(microsecond=0) + timedelta(seconds=1)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class CursorError(QueryError):
    def __init__(self, message: str) -> None:
        super().__init__("cursor", message)


def _fingerprint(criteria: search.Criteria, sort: str, descending: bool) -> str:
    """What a cursor belongs to: the filters and order it was made under."""
    return hashlib.sha256(orjson.dumps([criteria, sort, descending])).hexdigest()[:16]


def encode_cursor(sort: str, key: object, tie: object, fingerprint: str) -> str:
    """The position after a process: its sort key and what breaks ties (its ocid; by
    relevance, its row's id), with the query's fingerprint; URL-safe base64 of JSON, unpadded."""
    text = orjson.dumps([_CURSOR_VERSION, sort, key, tie, fingerprint])
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, fingerprint: str) -> tuple[object, object]:
    """The (key, tie) a cursor holds, checked to belong to this very query."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        version, made_for, key, tie, printed = orjson.loads(text)
    except (binascii.Error, ValueError, TypeError, OverflowError):
        raise CursorError("is not a cursor from this API: take it from links.next") from None
    if version != _CURSOR_VERSION or not isinstance(printed, str):
        raise CursorError("is not a cursor from this API: take it from links.next")
    if made_for != sort or printed != fingerprint:
        raise CursorError(
            "belongs to another search (other filters, text or order): a cursor continues only"
            " the search whose links.next gave it"
        )
    if sort == "relevance":
        if _number(key) is None or not _whole(tie):
            raise CursorError("is not a cursor from this API: take it from links.next")
        return _number(key), tie
    if not isinstance(tie, str) or "\x00" in tie:
        raise CursorError("is not a cursor from this API: take it from links.next")
    if key is None:
        return None, tie
    if sort == "date" and isinstance(key, str) and "\x00" not in key:
        return key, tie
    if sort == "value" and _number(key) is not None:
        return _number(key), tie
    raise CursorError("is not a cursor from this API: take it from links.next")


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63
