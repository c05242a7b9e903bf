"""One computation of every metric over a log, process by process: the same code for the
platform (openbook.metrics) and for anyone recomputing from a snapshot
(scripts/recompute_metrics.py). Pure: processes come in, figures and items go out.

Three families: the NAP5 milestones (openbook.standards.metrics.milestones), the data-quality
checks (.quality) and the red flags (.flags). A family can be left out (``families``): the
benchmarks time them apart.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date

import orjson

from openbook.standards.metrics import duplicates, flags, milestones, quality, reading
from openbook.standards.metrics import spend as spend_coverage
from openbook.standards.metrics.figures import AGAINST, EXCLUDED, FOR, Figure, Subject, Tally
from openbook.standards.metrics.process import Process

MILESTONES = "milestones"
DATA_QUALITY = "data-quality"
RED_FLAGS = "red-flags"
FAMILIES = (MILESTONES, DATA_QUALITY, RED_FLAGS)
# spend coverage, from the spend register's payments and their links, not from the
# processes: openbook.metrics counts it beside these families (openbook.standards.metrics.spend).
SPEND = spend_coverage.FAMILY
METHODS = {
    MILESTONES: milestones.METHOD_VERSION,
    DATA_QUALITY: quality.METHOD_VERSION,
    RED_FLAGS: flags.METHOD_VERSION,
    SPEND: spend_coverage.METHOD_VERSION,
}
# A data-quality check's figures are those of metric "quality:" and its id, about a publisher
# (who published the releases to the platform): for, the releases (or processes) that passed
# it; against, those that failed. "quality" alone is a publisher's score: the unweighted mean
# of its checks' shares (docs/methods/data-quality.md, "Scores").
QUALITY = "quality"
QUALITY_PREFIX = "quality:"
PUBLISHER_PREFIX = "publisher:"
# A red flag's figures are those of metric "flag:" and its id: for, the processes it ran on
# and did not raise on; against, those it was raised on (docs/methods/red-flags.md, "Rates").
FLAG_PREFIX = "flag:"


def _about(indicator: flags.Indicator) -> str:
    if indicator.runs:
        return f"{indicator.source}; runs where the data has {', '.join(indicator.needs)}"
    return f"{indicator.source}; not run: {indicator.why_not}"


METRICS: dict[str, milestones.Metric] = {
    **milestones.METRICS,
    QUALITY: milestones.Metric(
        QUALITY,
        "Data quality score: the mean share of releases and processes passing each check",
        "check",
        None,
        "Data quality per publisher: checks beyond the schema",
        family=DATA_QUALITY,
        method="docs/methods/data-quality.md",
        version=quality.METHOD_VERSION,
    ),
    **{
        f"{QUALITY_PREFIX}{check.id}": milestones.Metric(
            f"{QUALITY_PREFIX}{check.id}",
            f"Data quality: {check.title}",
            check.applies_to,
            None,
            f"Data quality check ({check.family})",
            family=DATA_QUALITY,
            method="docs/methods/data-quality.md",
            version=quality.METHOD_VERSION,
        )
        for check in quality.CHECKS.values()
    },
    **{
        f"{FLAG_PREFIX}{indicator.id}": milestones.Metric(
            f"{FLAG_PREFIX}{indicator.id}",
            f"Red flag {indicator.id}: {indicator.title}",
            "process",
            None,
            _about(indicator),
            family=RED_FLAGS,
            method="docs/methods/red-flags.md",
            version=flags.METHOD_VERSION,
        )
        for indicator in flags.REGISTRY.values()
    },
    **spend_coverage.METRICS,
}

# Items kept for every figure but these, which only count (one per process, all "for").
_COUNTED_ONLY = frozenset({milestones.STAGE_COVERAGE})


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item as stored and as the API lists it (detail as JSON text)."""

    metric: str
    subject: str
    central: bool
    day: str | None
    ocid: str
    item: str
    outcome: str
    detail: str

    def as_tuple(self) -> tuple:
        return (
            self.metric,
            self.subject,
            self.central,
            self.day,
            self.ocid,
            self.item,
            self.outcome,
            self.detail,
        )


def _outside(item: milestones.Item) -> bool:
    """An award outside the award milestone because its authority is not central government:
    counted among the excluded, not listed (most awards are; docs/methods/milestones.md)."""
    return (
        item.metric == milestones.AWARD_PUBLISHED_90_DAYS
        and item.outcome == EXCLUDED
        and not item.central
    )


def _json(value: object) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


class Computation:
    """Add every process once (in any order); then ``finish()`` and ``figures()``."""

    def __init__(
        self,
        as_of: date,
        context: reading.Context | None = None,
        settings: reading.Settings | None = None,
        families: tuple[str, ...] = FAMILIES,
    ) -> None:
        self.as_of = as_of
        self.context = context or reading.Context()
        self.settings = settings or reading.Settings()
        self.families = families
        self.tally = Tally()
        self.processes = 0
        self.coverage: dict[str, int] = dict.fromkeys(flags.REGISTRY, 0)  # processes it ran on
        self.across = duplicates.Across()
        self._placed: dict[str, tuple[Subject, str | None]] = {}  # ocid: its duplicates' place

    def add(self, process: Process) -> Iterator[ItemRow]:
        """Count a process's items, and give those that are kept."""
        self.processes += 1
        subject, day = self._milestones(process)
        kept = list(subject[1])
        if DATA_QUALITY in self.families:
            kept += self._quality(process)
        if RED_FLAGS in self.families:
            kept += self._flags(process, subject[0], day)
        yield from kept

    def _milestones(self, process: Process) -> tuple[tuple[Subject, list[ItemRow]], str | None]:
        """The milestones' items (when that family is on), and who the process is about and
        its first publication day, for the other families."""
        rows: list[ItemRow] = []
        if MILESTONES not in self.families:
            authority, name, central, first = milestones.placement(process)
            return (Subject(authority, name, central), rows), first
        found = milestones.items(process, self.as_of)
        coverage = next(item for item in found if item.metric == milestones.STAGE_COVERAGE)
        subject = Subject(coverage.authority, coverage.authority_name, coverage.central)
        for item in found:
            self.tally.add(
                item.metric,
                subject,
                item.day,
                item.outcome,
                breakdown=milestones.breakdown(item),
            )
            if item.metric not in _COUNTED_ONLY and not _outside(item):
                rows.append(
                    ItemRow(
                        item.metric,
                        item.authority,
                        item.central,
                        item.day,
                        item.ocid,
                        item.item,
                        item.outcome,
                        _json(item.detail),
                    )
                )
        return (subject, rows), coverage.day

    def _flags(self, process: Process, subject: Subject, day: str | None) -> list[ItemRow]:
        raised, covered = flags.assess(process, self.context, self.settings)
        by_flag: dict[str, list[flags.Flag]] = {}
        for flag in raised:
            by_flag.setdefault(flag.flag, []).append(flag)
        rows = []
        for code, runs in covered.items():
            shown = by_flag.get(code)
            if not runs and not shown:
                continue
            self.coverage[code] += 1
            metric = f"{FLAG_PREFIX}{code}"
            self.tally.add(metric, subject, day, AGAINST if shown else FOR)
            for flag in shown or ():
                detail = {"detail": flag.detail, "values": flag.values, "release": flag.release_id}
                rows.append(
                    ItemRow(
                        metric,
                        subject.key,
                        subject.central,
                        day,
                        process.ocid,
                        flag.release_id or "",
                        AGAINST,
                        _json(detail),
                    )
                )
        return rows

    def _quality(self, process: Process) -> list[ItemRow]:
        """Each check's outcome counted for the publisher of the release it judged (a process
        check: its newest release), in the period of that release's publication."""
        result = quality.check(process)
        where = {release.seq: release for release in process.releases}
        counted: dict[tuple[str, str, str | None, str], int] = {}
        for seq, check, passed in result.outcomes():
            release = where[seq]
            key = (check, release.publisher, _day(release.published), FOR if passed else AGAINST)
            counted[key] = counted.get(key, 0) + 1
        for (check, publisher, day, outcome), count in counted.items():
            self.tally.add(
                f"{QUALITY_PREFIX}{check}", _publisher(publisher), day, outcome, count=count
            )
        newest = process.releases[-1]
        if self.across.add(process):
            place = (_publisher(newest.publisher), _day(newest.published))
            self._placed[process.ocid] = place
            self.tally.add(f"{QUALITY_PREFIX}duplicates-same-process", place[0], place[1], FOR)
        rows = []
        for failure in result.failures:
            release = where.get(failure.seq, newest) if failure.seq is not None else newest
            rows.append(
                self._failure_row(failure, _publisher(release.publisher), _day(release.published))
            )
        return rows

    def _failure_row(self, failure: quality.Failure, subject: Subject, day: str | None) -> ItemRow:
        detail = {
            "detail": failure.detail,
            "path": failure.path,
            "release": failure.release_id,
            "seq": failure.seq,
        }
        return ItemRow(
            f"{QUALITY_PREFIX}{failure.check}",
            subject.key,
            False,
            day,
            failure.ocid,
            failure.release_id or "",
            AGAINST,
            _json(detail),
        )

    def finish(self) -> Iterator[ItemRow]:
        """The items only the whole log shows, once every process was added: processes
        published under several ocids (each was counted as passing when added)."""
        if DATA_QUALITY not in self.families:
            return
        for failure in self.across.failures():
            subject, day = self._placed[failure.ocid]
            metric = f"{QUALITY_PREFIX}{failure.check}"
            self.tally.add(metric, subject, day, FOR, count=-1)
            self.tally.add(metric, subject, day, AGAINST)
            yield self._failure_row(failure, subject, day)

    def partial(self) -> "Partial":
        """What this computation counted, without its context: for a worker to hand back."""
        return Partial(self.tally, self.processes, self.coverage, self.across, self._placed)

    def merge(self, other: "Partial") -> None:
        """Add what another computation counted, of processes this one has not seen."""
        self.tally.merge(other.tally)
        self.processes += other.processes
        for code, count in other.coverage.items():
            self.coverage[code] += count
        self.across.merge(other.across)
        self._placed.update(other.placed)

    def figures(self) -> list[Figure]:
        return figures_of_tally(self.tally)

    def summary(self) -> dict:
        """What the run tells beside its figures: how many processes, and on how many each
        red flag could run (a flag that runs on none is not shown as an empty result)."""
        return {
            "processes": self.processes,
            "redFlags": {
                code: {
                    "ranOn": self.coverage[code],
                    "runs": indicator.runs,
                    "whyNot": indicator.why_not or None,
                    "needs": list(indicator.needs),
                    "missing": indicator.missing,
                }
                for code, indicator in flags.REGISTRY.items()
            }
            if RED_FLAGS in self.families
            else {},
            "settings": _settings(self.settings) if RED_FLAGS in self.families else {},
        }


@dataclass(slots=True)
class Partial:
    """A computation's counts over some processes (``Computation.partial``)."""

    tally: Tally
    processes: int
    coverage: dict[str, int]
    across: duplicates.Across
    placed: dict[str, tuple[Subject, str | None]]


def figures_of_tally(tally: Tally) -> list[Figure]:
    """Every figure a tally counted, with the publishers' data-quality scores, in (metric,
    subject, period) order."""
    found = tally.sorted()
    return sorted([*found, *_scores(found)], key=lambda f: (f.metric, f.subject, f.period))


def _publisher(name: str) -> Subject:
    return Subject(f"{PUBLISHER_PREFIX}{name}", name or "(no publisher named)", False)


def _day(moment: str | None) -> str | None:
    return moment[:10] if moment else None


def _scores(found: list[Figure]) -> list[Figure]:
    """Each publisher's score for each period: the unweighted mean of its checks' shares, so
    that a check judging every release does not drown one judging a few processes."""
    checks: dict[tuple[str, str], list[Figure]] = {}
    for figure in found:
        if figure.metric.startswith(QUALITY_PREFIX):
            checks.setdefault((figure.subject, figure.period), []).append(figure)
    scores = []
    for (subject, period), figures in checks.items():
        score = Figure(QUALITY, subject, figures[0].subject_name, period)
        for figure in figures:
            for outcome, count in figure.counts.items():
                score.counts[outcome] += count
        score.score = quality.overall(figure.value for figure in figures)
        scores.append(score)
    return scores


def _settings(settings: reading.Settings) -> dict:
    return {name: getattr(settings, name) for name in settings.__dataclass_fields__}


def figure_row(figure: Figure) -> tuple:
    """A figure as stored (openbook.store.metrics.FIGURE_COLUMNS)."""
    return (
        figure.metric,
        figure.subject,
        figure.subject_name,
        figure.period,
        figure.counts["for"],
        figure.counts["against"],
        figure.counts["excluded"],
        figure.counts["pending"],
        figure.value,
        _json(figure.extra),
    )


def flags_context(registers: Mapping[str, list[dict]]) -> reading.Context:
    """What the red flags read from the registers, from their entries as the snapshot gives
    them (``debarment``, ``suppliers``) and the BODS statements (``bods``)."""
    return reading.registers_context(
        registers.get("debarment", []), registers.get("suppliers", []), registers.get("bods", [])
    )
