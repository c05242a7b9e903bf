"""What a rule's check reads and what it yields, and the readers of releases every check shares.

A check reads a ``NoticeContext``: the release, the earlier releases of its process (oldest
first), what is known of the notice, and a ``Calendar``. It yields ``Finding``s, which
``check_notice`` turns into ``NoticeProblem``s.

OCDS data arrives as parsed JSON of any shape: every reader here tolerates missing or mistyped
fields and answers "not given" rather than failing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from openbook.standards.uk.notices import (
    NoticeMention,
    NoticeType,
    RegimeDecision,
    notice_mentions,
    parse_moment,
)

ERROR = "error"
WARNING = "warning"

#: The calendar of the Act's working days (s.123: a bank holiday anywhere in the UK is not one).
ACT_CALENDAR = "united-kingdom"

# The sources rules cite.
ACT = "Procurement Act 2023"
REGULATIONS = "Procurement Regulations 2024"
FTS_GUIDANCE = "Find a Tender Service, Notice types and sequences"

T = TypeVar("T")


class Calendar(Protocol):
    """What the rules need of a calendar (``openbook.standards.uk.calendar`` is one)."""

    def london_date(self, moment: datetime) -> date: ...

    def period_end(self, first_day: date, days: int, nation: str) -> date: ...


def default_calendar() -> Calendar:
    """The package's UK calendar, imported when first needed."""
    from openbook.standards.uk import calendar

    return calendar


@dataclass(frozen=True, slots=True)
class NoticeProblem:
    """One thing wrong (``error``) or doubtful (``warning``) about a notice."""

    path: str  # JSON pointer into the release ("" for the whole release)
    code: str  # the rule's stable code, such as "notice.standstill.entered_too_early"
    message: str  # plain English, for the procurement officer who published the notice
    severity: str
    citation: str  # the section or regulation the rule comes from

    def as_dict(self) -> dict[str, str]:
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    """What a check found; the rule supplies the code, and the severity and citation if absent."""

    path: str
    message: str
    severity: str | None = None
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class NoticeContext:
    """Everything a check may read: the release, its process's history, and what is known of it."""

    release: Mapping[str, Any]
    history: Sequence[Mapping[str, Any]]
    notice: NoticeType | None  # None when the type is missing, unknown or ambiguous
    mention: NoticeMention | None
    regime: RegimeDecision
    earlier: tuple[NoticeMention, ...]  # every notice named in the history, oldest first
    calendar: Calendar
    type_problem: tuple[str, Finding] | None  # (rule code, finding) when the type is not known


Check = Callable[[NoticeContext], Iterable[Finding]]


def value_at(value: Any, *keys: str) -> Any:
    """The value under ``keys`` in nested objects; None where one is missing or not an object."""
    for key in keys:
        # ``type(...) is dict`` first: JSON's objects are dicts, and an ABC's isinstance is slow.
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


def objects(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    """The objects of a list, with their indexes; [] if ``value`` is not a list."""
    if not isinstance(value, list):
        return []
    return [
        (i, item) for i, item in enumerate(value) if type(item) is dict or isinstance(item, Mapping)
    ]


def is_given(value: Any) -> bool:
    """Whether a field has a value: not missing, null, blank, [] or {}."""
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value not in ([], {})


def latest(ctx: NoticeContext, *keys: str) -> Any:
    """A field from the release, or else from the latest earlier release that gives it."""
    for release in (ctx.release, *reversed(ctx.history)):
        value = value_at(release, *keys)
        if is_given(value):
            return value
    return None


def newest(ctx: NoticeContext, read: Callable[[Mapping[str, Any]], T]) -> T | None:
    """What ``read`` finds in the release, or else in the latest earlier release it finds in.

    A false answer (None, "", an empty set) is nothing found; ``latest`` instead keeps a given
    False or 0.
    """
    for release in (ctx.release, *reversed(ctx.history)):
        found = read(release)
        if found:
            return found
    return None


def release_published(ctx: NoticeContext) -> datetime | None:
    """When the release was published: its ``date``."""
    return parse_moment(ctx.release.get("date"))


def earlier_codes(ctx: NoticeContext) -> frozenset[str]:
    return frozenset(mention.code for mention in ctx.earlier)


def first_earlier(ctx: NoticeContext, code: str) -> NoticeMention | None:
    """The earliest dated notice ``code`` of the history, if any."""
    dated = [m for m in ctx.earlier if m.code == code and m.published is not None]
    return min(dated, key=lambda m: m.published or datetime.max, default=None)


def id_text(value: Any) -> str | None:
    """An id (an award's, or a contract's ``awardID``) as text: OCDS ids are strings or
    integers; None for anything else."""
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def award_notices(ctx: NoticeContext) -> Iterator[tuple[Mapping[str, Any], datetime | None]]:
    """The contract award notices (UK6) of the history, each with its publication (the
    earliest its mentions give; None where none is dated)."""
    for release in ctx.history:
        mentions = [m for m in notice_mentions(release) if m.code == "UK6"]
        if mentions:
            yield release, min((m.published for m in mentions if m.published), default=None)


def name_awards(
    found: dict[str, datetime], release: Mapping[str, Any], published: datetime
) -> None:
    """Note ``published`` for each award the notice ``release`` names, unless an earlier
    notice named it first."""
    for _, award in objects(release.get("awards")):
        if (key := id_text(award.get("id"))) is not None:
            found.setdefault(key, published)


def award_notice_dates(ctx: NoticeContext) -> dict[str, datetime]:
    """When each award of the procurement was first named by a contract award notice (UK6) of
    the history: award id to the notice's publication."""
    found: dict[str, datetime] = {}
    for release, published in award_notices(ctx):
        if published is not None:
            name_awards(found, release, published)
    return found
