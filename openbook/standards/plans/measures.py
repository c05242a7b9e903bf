"""Milestones the platform measures (issue 10, item 3; docs/methods/plan-milestones.md). Pure.

Where a plan's milestone is something the platform itself measures, nobody records its status:
each time the plan is read, it follows from the metrics' figures (the milestones family,
docs/methods/milestones.md) or from the bulk download, against the target stated here and in
the method's documentation. ``MEASURES`` says which milestones, which figures, which target; a
change to any rule that can change a status makes a new ``METHOD_VERSION``.

The status is on the plan's own scale (the IRM's completion scale), so that a measured
milestone reads like any other, and is overdue like any other once its end has passed and it
is not complete.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from openbook.standards.metrics.figures import CENTRAL, EVERYONE
from openbook.standards.metrics.milestones import (
    AWARD_PUBLISHED_90_DAYS,
    CONTRACT_DOCUMENTS,
    TENDER_PUBLISHED,
)
from openbook.standards.plans import dates

METHOD = "plan-milestones"
METHOD_VERSION = "1"
DOC = "docs/methods/plan-milestones.md"

# How a milestone is measured.
SHARE = "share"  # a metric's share over the milestone's months, against the plan's target
YEARLY_REPORT = "yearly-report"  # a report for each calendar year the milestone spans
HALF_YEARLY_REPORTS = "half-yearly-reports"  # a report for each half-year since it began
BULK_DOWNLOAD = "bulk-download"  # the bulk download (openbook export) is there to download


@dataclass(frozen=True, slots=True)
class Measure:
    milestone: str  # its record key
    kind: str
    metrics: tuple[str, ...]
    subject: str  # whose figures: everyone's, or central government's
    target: float | None  # the share the plan sets, for SHARE
    anchor: str  # its section in DOC


# NAP5, commitment 1 (open contracting): every milestone of it is one the platform measures.
MEASURES = {
    each.milestone: each
    for each in (
        # "Achieve 95% of 'above threshold' tenders on Contracts Finder", April 2022 to March
        # 2023: the plan's 95%, of every authority's procurements (the milestone names none).
        Measure("uk-nap5/1/1", SHARE, (TENDER_PUBLISHED,), EVERYONE, 0.95, "uk-nap5-1-1"),
        # "Publish 90% of 'above threshold' central government awards ... within 90 calendar
        # days", April 2023 to March 2024: the plan's 90%, of central government's awards.
        Measure("uk-nap5/1/2", SHARE, (AWARD_PUBLISHED_90_DAYS,), CENTRAL, 0.90, "uk-nap5-1-2"),
        # "Report every year on publication of contract documents, and extent of redactions",
        # July 2022 to July 2023: the yearly report of each calendar year it spans.
        Measure("uk-nap5/1/3", YEARLY_REPORT, (CONTRACT_DOCUMENTS,), EVERYONE, None, "uk-nap5-1-3"),
        # "Cabinet Office to make available enhanced published data for download in OCDS",
        # April 2023, ongoing: the bulk download.
        Measure("uk-nap5/1/4", BULK_DOWNLOAD, (), EVERYONE, None, "uk-nap5-1-4"),
        # "Issue twice-yearly report on progress in meeting NAP5 Open Contracting milestones",
        # April 2022, ongoing: the progress report of each half-year since.
        Measure(
            "uk-nap5/1/5",
            HALF_YEARLY_REPORTS,
            (TENDER_PUBLISHED, AWARD_PUBLISHED_90_DAYS, CONTRACT_DOCUMENTS),
            EVERYONE,
            None,
            "uk-nap5-1-5",
        ),
    )
}


@dataclass(frozen=True, slots=True)
class Counts:
    """A figure's counts (openbook.store.metrics.StoredFigure) as the measures read them."""

    counted_for: int = 0
    against: int = 0
    excluded: int = 0
    pending: int = 0
    breakdown: Mapping = field(default_factory=dict)

    @property
    def counted(self) -> int:
        return self.counted_for + self.against


def _span(facts: Mapping, today: date) -> tuple[date | None, date | None]:
    """The first day the milestone's start can mean, and the last its end can (today's, for
    an end that is "Ongoing")."""
    start, end = dates.parse(facts["start"]), dates.parse(facts["end"])
    return start.first, end.last or (today if start.first else None)


def periods(measure: Measure, facts: Mapping, today: date) -> list[str]:
    """The metrics' periods (openbook.standards.metrics.figures) a measure reads."""
    first, last = _span(facts, today)
    if first is None or last is None or last < first or measure.kind == BULK_DOWNLOAD:
        return []
    if measure.kind == SHARE:
        return [f"{year}-{month:02d}" for year, month in _months(first, last)]
    if measure.kind == YEARLY_REPORT:
        return [str(year) for year in range(first.year, last.year + 1)]
    return _halves(first, last)


def _months(first: date, last: date) -> list[tuple[int, int]]:
    found, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        found.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _half(year: int, month: int) -> str:
    return f"{year}-H{1 if month <= 6 else 2}"


def _halves(first: date, last: date) -> list[str]:
    return list(dict.fromkeys(_half(year, month) for year, month in _months(first, last)))


def _half_end(half: str) -> date:
    year = int(half[:4])
    return date(year, 6, 30) if half.endswith("H1") else date(year, 12, 31)


def measured(
    measure: Measure,
    facts: Mapping,
    *,
    run: Mapping | None,
    figures: Mapping[tuple[str, str], Counts],
    snapshot: Mapping | None,
    today: date,
) -> dict:
    """What the platform measures of a milestone on ``today``, and the status that follows:
    ``run`` the metrics run the figures are from (``Run.as_dict()``, None before the first),
    ``figures`` its figures for the measure's subject by (metric, period), ``snapshot`` the
    newest bulk download's ``generated``, ``logSize`` and ``releases`` (None if none)."""
    first, last = _span(facts, today)
    found: dict = {
        "method": METHOD,
        "methodVersion": METHOD_VERSION,
        "methodDoc": f"{DOC}#{measure.anchor}",
        "kind": measure.kind,
        "metrics": list(measure.metrics),
        "subject": measure.subject,
        "target": measure.target,
        "run": None,
        "metricsMethodVersion": None,
        "asOf": None,
    }
    if measure.kind != BULK_DOWNLOAD and run is not None:
        found["run"] = {name: run.get(name) for name in ("logSize", "asOf", "computed")}
        found["metricsMethodVersion"] = (run.get("methods") or {}).get("milestones")
        found["asOf"] = run.get("asOf")
    if first is not None and today < first:
        return _status(found, "not-started", "not-started", f"it starts {facts['start']}")
    if measure.kind == BULK_DOWNLOAD:
        return _bulk_download(found, snapshot)
    if run is None:
        return _status(found, "no-evidence", "no-run", "no figures have been computed yet")
    as_of = date.fromisoformat(str(run["asOf"]))
    wanted = periods(measure, facts, today)
    if measure.kind == SHARE:
        return _share(found, measure, months=wanted, figures=figures, as_of=as_of, last=last)
    return _reports(found, measure, wanted=wanted, figures=figures, as_of=as_of, today=today)


def _status(found: dict, status: str, reason: str, why: str) -> dict:
    return {**found, "status": status, "reason": reason, "why": why}


def _share(
    found: dict,
    measure: Measure,
    *,
    months: list[str],
    figures: Mapping[tuple[str, str], Counts],
    as_of: date,
    last: date | None,
) -> dict:
    (metric,) = measure.metrics
    summed = [figures.get((metric, month), Counts()) for month in months]
    counts = {
        "for": sum(each.counted_for for each in summed),
        "against": sum(each.against for each in summed),
        "excluded": sum(each.excluded for each in summed),
        "pending": sum(each.pending for each in summed),
    }
    counted = counts["for"] + counts["against"]
    value = counts["for"] / counted if counted else None
    target = measure.target or 0.0
    whole = last is not None and as_of > last  # the figures count every day of its months
    found = {
        **found,
        "period": {"from": months[0] if months else None, "to": months[-1] if months else None},
        **counts,
        "value": value,
        "met": None if value is None else value >= target,
        "whole": whole,
    }
    if value is None:
        return _status(found, "no-evidence", "nothing-counted",
                       "nothing in its months counts for or against it")  # fmt: skip
    said = f"{value:.1%} of {counted:,} against the target of {target:.0%}"
    if value < target:
        return _status(found, "limited", "below-target", f"{said}: below it")
    if whole:
        return _status(found, "complete", "target-met", f"{said}: met over its whole period")
    return _status(found, "substantial", "on-course", f"{said}: met so far; its period is not over")


def _reports(
    found: dict,
    measure: Measure,
    *,
    wanted: list[str],
    figures: Mapping[tuple[str, str], Counts],
    as_of: date,
    today: date,
) -> dict:
    """A report for each period (a year, or a half-year) that is over: it can be made when the
    run counted something in it and read the whole of it."""
    yearly = measure.kind == YEARLY_REPORT
    each = []
    for period in wanted:
        end = date(int(period), 12, 31) if yearly else _half_end(period)
        counts = [figures.get((metric, period), Counts()) for metric in measure.metrics]
        counted = sum(one.counted for one in counts)
        entry: dict = {
            "period": period,
            "due": end < today,
            "counted": counted,
            "whole": as_of > end,
            "report": f"/api/reports/{'documents' if yearly else 'progress'}/{period}",
        }
        entry["reported"] = entry["due"] and entry["whole"] and counted > 0
        if yearly:
            documents = counts[0]
            entry["for"], entry["against"] = documents.counted_for, documents.against
            entry["value"] = documents.counted_for / counted if counted else None
            withheld = documents.breakdown.get("withheld", {})
            entry["withheld"] = withheld.get("with withheld information", 0)
        each.append(entry)
    due = sum(1 for entry in each if entry["due"])
    reported = sum(1 for entry in each if entry["reported"])
    found = {**found, "periods": each, "due": due, "reported": reported}
    what = "year" if yearly else "half-year"
    if not due:
        return _status(found, "not-started", "none-due", f"no {what} of it is over yet")
    said = f"{reported} of the {due} {what}s over have figures for their report"
    if reported == due:
        return _status(found, "complete", "all-reported", said)
    if reported:
        return _status(found, "limited", "some-reported", said)
    return _status(found, "no-evidence", "none-reported", said)


def _bulk_download(found: dict, snapshot: Mapping | None) -> dict:
    found = {**found, "snapshot": dict(snapshot) if snapshot else None, "link": "/downloads/"}
    if snapshot is None:
        return _status(found, "no-evidence", "none-made", "no bulk download has been made")
    found["asOf"] = str(snapshot.get("generated") or "")[:10] or None
    releases = snapshot.get("releases") or 0
    if not releases:
        return _status(found, "limited", "empty", "the bulk download holds no release")
    return _status(found, "complete", "available",
                   f"the bulk download made {found['asOf']} holds {releases:,} releases in "
                   "OCDS")  # fmt: skip
