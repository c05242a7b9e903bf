"""Figures: counts of items per metric, subject and period (docs/methods/milestones.md,
"Figures"). Pure.

A figure is about a *subject*: one contracting authority (its key), central government as a
whole (``CENTRAL``), or everyone (``EVERYONE``); and a *period*: ``all``, a year ``2023``, a
half-year ``2023-H1`` or a month ``2023-04``, by the day that places each item. An undated item
counts only in ``all``. Its share is ``for / (for + against)``; excluded and pending items are
counted beside it, never in it.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

EVERYONE = ""
CENTRAL = "*central"
ALL = "all"

FOR = "for"
AGAINST = "against"
EXCLUDED = "excluded"
PENDING = "pending"
OUTCOMES = (FOR, AGAINST, EXCLUDED, PENDING)


def periods(day: str | None) -> tuple[str, ...]:
    """The periods an item of ``day`` (YYYY-MM-DD) counts in."""
    if not day or len(day) < 7 or not day[:4].isdigit() or not day[5:7].isdigit():
        return (ALL,)
    year, month = day[:4], int(day[5:7])
    if not 1 <= month <= 12:
        return (ALL,)
    return (ALL, year, f"{year}-H{1 if month <= 6 else 2}", day[:7])


def is_period(text: str) -> bool:
    """Whether ``text`` names a period as figures do: all, 2023, 2023-H1 or 2023-04."""
    if text == ALL or (len(text) == 4 and text.isdigit()):
        return True
    if len(text) != 7 or not text[:4].isdigit() or text[4] != "-":
        return False
    return text[5:] in ("H1", "H2") or (text[5:].isdigit() and 1 <= int(text[5:]) <= 12)


def is_half(text: str) -> bool:
    """Whether ``text`` names a half-year (2023-H1), the period of the NAP5 progress reports."""
    return len(text) == 7 and text[:4].isdigit() and text[4:] in ("-H1", "-H2")


class Subject(NamedTuple):
    """Who an item is about: an authority (or a publisher, for data quality)."""

    key: str
    name: str
    central: bool


@dataclass(slots=True)
class Figure:
    metric: str
    subject: str
    subject_name: str
    period: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    extra: dict[str, dict[str, int]] = field(default_factory=dict)  # breakdowns: name: value: n
    # A figure whose value is not for / (for + against), such as a mean of shares.
    score: float | None = None

    @property
    def numerator(self) -> int:
        return self.counts[FOR]

    @property
    def denominator(self) -> int:
        return self.counts[FOR] + self.counts[AGAINST]

    @property
    def value(self) -> float | None:
        """The share for (or the score, where one is given); None when nothing counts either
        way."""
        if self.score is not None:
            return self.score
        return self.numerator / self.denominator if self.denominator else None


class Tally:
    """Figures being counted: every item adds to its subject's, central government's (if the
    subject is central government) and everyone's figures, in each of its periods.

    Items are counted by month first, and the months summed into their periods at the end: one
    counter step per item, however many figures it adds to."""

    def __init__(self) -> None:
        self._counts: Counter[tuple] = Counter()
        self._names: dict[str, str] = {}

    def add(
        self,
        metric: str,
        subject: Subject,
        day: str | None,
        outcome: str,
        *,
        breakdown: Iterable[tuple[str, str]] = (),
        count: int = 1,
    ) -> None:
        if subject.key and subject.name:
            self._names.setdefault(subject.key, subject.name)
        month = day[:7] if day else None
        self._counts[(metric, subject.key, subject.central, month, outcome, tuple(breakdown))] += (
            count
        )

    def merge(self, other: "Tally") -> None:
        """Add another tally's counts (of processes this one has not seen)."""
        self._counts.update(other._counts)
        for key, name in other._names.items():
            self._names.setdefault(key, name)

    def sorted(self) -> list[Figure]:
        figures: dict[tuple[str, str, str], Figure] = {}
        for (metric, key, central, month, outcome, breakdown), count in self._counts.items():
            subjects = [(EVERYONE, "Everyone")]
            if central:
                subjects.append((CENTRAL, "Central government"))
            if key:
                subjects.append((key, self._names.get(key, "")))
            for subject, name in subjects:
                for period in periods(f"{month}-01" if month else None):
                    figure = figures.get((metric, subject, period))
                    if figure is None:
                        figure = figures[(metric, subject, period)] = Figure(
                            metric, subject, name, period
                        )
                    figure.counts[outcome] += count
                    for breakdown_name, value in breakdown:
                        counted = figure.extra.setdefault(breakdown_name, {})
                        counted[value] = counted.get(value, 0) + count
        return [figures[key] for key in sorted(figures)]
