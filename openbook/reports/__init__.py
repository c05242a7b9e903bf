"""The reports (docs/reports.md): the twice-yearly open contracting progress report for a
half-year, and the yearly report on contract documents and redactions. Each is one context,
built here from the stored figures, rendered as JSON (the API), HTML, PDF and CSV
(openbook.reports.html, .pdf, .table): the same figures in every form."""

from dataclasses import dataclass

from openbook import metrics
from openbook.reports import (
    plan_section,
    spend_section,
)
from openbook.standards.metrics import figures as periods
from openbook.standards.metrics import milestones
from openbook.store import metrics as stored
from openbook.store.database import Store

PROGRESS = "progress"
DOCUMENTS = "documents"
# How many authorities and items a report lists per section; the API has all of them.
AUTHORITIES_SHOWN = 25
ITEMS_SHOWN = 25
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class ReportError(Exception):
    """A report that cannot be made: a period of the wrong form."""


class NoFigures(ReportError):
    """No metrics run yet: there is nothing to report."""


@dataclass(frozen=True, slots=True)
class Section:
    metric: str
    charts: tuple[str, ...]  # "months": the share per month; a breakdown's name: its counts


PROGRESS_SECTIONS = (
    Section(milestones.TENDER_PUBLISHED, ("months",)),
    Section(milestones.AWARD_PUBLISHED_90_DAYS, ("months", "delay")),
    Section(milestones.CONTRACT_DOCUMENTS, ("months",)),
    Section(milestones.NOTICES_ON_TIME, ("months", "status")),
    Section(milestones.STAGE_COVERAGE, ("stages",)),
)
DOCUMENTS_SECTIONS = (Section(milestones.CONTRACT_DOCUMENTS, ("months", "withheld", "grounds")),)


def half_name(half: str) -> str:
    year, which = half[:4], half[5:]
    return f"January to June {year}" if which == "H1" else f"July to December {year}"


def progress(store: Store, half: str, base_url: str = "") -> dict:
    """The twice-yearly progress report for ``half`` (``2023-H1``)."""
    if len(half) != 7 or not periods.is_period(half) or half[5] != "H":
        raise ReportError(f"{half[:20]!r} is not a half-year: give one as 2023-H1 or 2023-H2")
    first = 1 if half.endswith("H1") else 7
    months = [f"{half[:4]}-{month:02d}" for month in range(first, first + 6)]
    built = _report(
        store,
        kind=PROGRESS,
        period=half,
        title=f"Open contracting progress report: {half_name(half)}",
        months=months,
        sections=PROGRESS_SECTIONS,
        base_url=base_url,
    )
    built["plan"] = plan_section.context(store)  # the action plan's status
    built["spend"] = spend_section.context(store, half)  # spend coverage
    built["figures"] += built["spend"]["figures"]  # in the CSV too
    return built


def documents(store: Store, year: str, base_url: str = "") -> dict:
    """The yearly report on contract documents and redactions for ``year`` (``2023``)."""
    if len(year) != 4 or not year.isdigit():
        raise ReportError(f"{year[:20]!r} is not a year: give one as 2023")
    return _report(
        store,
        kind=DOCUMENTS,
        period=year,
        title=f"Contract documents and redactions: {year}",
        months=[f"{year}-{month:02d}" for month in range(1, 13)],
        sections=DOCUMENTS_SECTIONS,
        base_url=base_url,
    )


def _report(
    store: Store,
    *,
    kind: str,
    period: str,
    title: str,
    months: list[str],
    sections: tuple[Section, ...],
    base_url: str,
) -> dict:
    run = stored.latest_run(store)
    if run is None:
        raise NoFigures("no figures yet: run openbook metrics compute first")
    built = [_section(store, section, period, months, base_url) for section in sections]
    every = [figure for section in built for figure in section["figures"]]
    return {
        "kind": kind,
        "title": title,
        "period": period,
        "run": run.as_dict(),
        "sections": built,
        "figures": every,
    }


def _section(store: Store, section: Section, period: str, months: list[str], base: str) -> dict:
    metric = milestones.METRICS[section.metric]
    found = stored.figures(store, metric=section.metric, periods=[period, *months])
    by_period: dict[str, dict[str, dict]] = {}
    for figure in found:
        by_period.setdefault(figure.period, {})[figure.subject] = metrics.figure_dict(figure)
    here = by_period.get(period, {})
    headline = [here[s] for s in (periods.EVERYONE, periods.CENTRAL) if s in here]
    authorities = sorted(
        (
            f
            for s, f in here.items()
            if s not in (periods.EVERYONE, periods.CENTRAL) and f["for"] + f["against"]
        ),
        key=lambda f: (-f["against"], -(f["for"] + f["against"]), f["subjectName"]),
    )
    everyone = here.get(periods.EVERYONE)
    charts = [
        _months_chart(metric, months, by_period)
        if chart == "months"
        else _breakdown_chart(metric, chart, everyone)
        for chart in section.charts
    ]
    days = metrics.period_days(period)
    against = stored.items(
        store,
        metric=section.metric,
        subject=None,
        days=days,
        outcomes=["against"],
        limit=ITEMS_SHOWN,
    )
    return {
        "metric": metric.as_dict(),
        "headline": headline,
        "charts": charts,
        "authorities": authorities[:AUTHORITIES_SHOWN],
        "authorityCount": len(authorities),
        "against": [metrics.item_dict(item) for item in against],
        "againstTotal": everyone["against"] if everyone else 0,
        "itemsUrl": f"{base}/api/metrics/{section.metric}/items?period={period}&outcome=against",
        "figures": [f for subjects in by_period.values() for f in subjects.values()],
    }


def _months_chart(metric, months: list[str], by_period: dict[str, dict[str, dict]]) -> dict:
    rows = []
    for month in months:
        figure = by_period.get(month, {}).get(periods.EVERYONE, {})
        rows.append(
            {
                "label": _month_name(month),
                "value": figure.get("value"),
                "for": figure.get("for", 0),
                "against": figure.get("against", 0),
            }
        )
    return {"title": f"{metric.title}, by month", "unit": "share", "rows": rows}


def _breakdown_chart(metric, name: str, everyone: dict | None) -> dict:
    counts = (everyone or {}).get("breakdown", {}).get(name, {})
    return {
        "title": f"{metric.title}: {name}",
        "unit": "count",
        "rows": [{"label": label, "value": count} for label, count in _ordered(counts)],
    }


def _ordered(counts: dict[str, int]) -> list[tuple[str, int]]:
    bands = [name for name, _, _ in milestones.DELAY_BANDS]
    stages = list(milestones.STAGES)

    def position(label: str) -> tuple[int, str]:
        for order in (bands, stages):
            if label in order:
                return order.index(label), label
        return len(bands), label

    return sorted(counts.items(), key=lambda pair: position(pair[0]))


def _month_name(month: str) -> str:
    return f"{_MONTHS[int(month[5:]) - 1]} {month[:4]}"
