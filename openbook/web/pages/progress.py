"""The progress pages: how the NAP5 open contracting milestones, the data-quality checks and the
red flags measure up (docs/methods/). ``/metrics`` lists every metric by family; a metric's page
gives its figures for a period (everyone, central government, each authority or publisher), a
chart with its data table, the target and whether it was met, and the items that count against
it. Read through openbook.metrics, as the API's views (openbook.web.api.metrics) do."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import metrics, reports
from openbook.reports import table
from openbook.standards.metrics import figures as periods
from openbook.standards.metrics.computation import (
    DATA_QUALITY,
    MILESTONES,
    RED_FLAGS,
    SPEND,
)
from openbook.store import metrics as stored
from openbook.store.database import Store
from openbook.web.pages import errors
from openbook.web.pages.errors import Problem
from openbook.web.pages.formats import MONTHS
from openbook.web.pages.i18n import _, current
from openbook.web.pages.rendering import page

SUBJECTS_SHOWN = 50
ITEMS_SHOWN = 25
SORTS = ("name", "share", "for", "against")
ORDERS = ("asc", "desc")
LARGEST = 2**63 - 1
# A chart's geometry, in SVG user units: labels, then bars up to BAR long, a row each.
LABEL_WIDTH = 190
BAR = 300
ROW = 30
VALUE_WIDTH = 90


def family_names() -> dict[str, dict[str, str]]:
    return {
        MILESTONES: {
            "title": _("Open contracting milestones"),
            "about": _(
                "The UK's fifth National Action Plan for Open Government commits to publishing "
                "more of each procurement, sooner. Each milestone is the share of procurements, "
                "awards, contracts or notices that met it."
            ),
        },
        DATA_QUALITY: {
            "title": _("Data quality"),
            "about": _(
                "Checks of the published data beyond its schema, for each publisher: dates in "
                "order, parties referred to, values and identifiers that make sense."
            ),
        },
        RED_FLAGS: {
            "title": _("Red flags"),
            "about": _(
                "Signs in the data that a procurement may carry a risk, such as a single bid or "
                "a short tender period. A red flag is a reason to look closer, not a finding of "
                "wrongdoing."
            ),
        },
        SPEND: {
            "title": _("Follow the money"),
            "about": _(
                "How much of what public bodies paid, as their spending files publish it, is "
                "linked to a contract published here: the share of the pounds paid."
            ),
        },
    }


def subject_name(figure: dict) -> str:
    """Who a figure is about, in the reader's language where the name is the platform's own."""
    if figure["subject"] == periods.EVERYONE:
        return _("Everyone")
    if figure["subject"] == periods.CENTRAL:
        return _("Central government")
    return figure["subjectName"] or figure["subject"]


# /metrics --------------------------------------------------------------------------------


@require_safe
def overview(request: HttpRequest) -> HttpResponse:
    return page(
        request, "pages/progress/overview.html", overview_context(Store()), title=_("Progress")
    )


def overview_context(store: Store) -> dict:
    """Every metric by family (the milestones with their newest half-year's figure), the run
    the figures are from, and the progress reports there are figures for."""
    found = metrics.overview(store)
    names = family_names()
    families = []
    for family in (MILESTONES, DATA_QUALITY, RED_FLAGS, SPEND):
        listed = []
        for metric in found["metrics"]:
            if metric["family"] != family:
                continue
            latest = metrics.latest_figure(store, metric["id"]) if family == MILESTONES else None
            listed.append({**metric, "link": metric_link(metric["id"]), "latest": latest})
        families.append({"family": family, **names[family], "metrics": listed})
    return {
        "run": found["run"],
        "families": families,
        "reports": [report_links(half) for half in _halves(store)],
    }


def metric_link(metric: str) -> str:
    return f"/metrics/{metric}"


def report_links(half: str) -> dict:
    first, _last = metrics.period_days(half) or ("", "")
    return {
        "half": half,
        "first": first,
        "json": f"/api/reports/progress/{half}",
        "csv": f"/api/reports/progress/{half}?format=csv",
    }


def _halves(store: Store) -> list[str]:
    """The half-years the first milestone has a figure for, newest first."""
    first = next(iter(reports.PROGRESS_SECTIONS)).metric
    return sorted(
        {
            figure.period
            for figure in stored.figures(store, metric=first, subject=periods.EVERYONE)
            if periods.is_half(figure.period)
        },
        reverse=True,
    )


# /metrics/<metric> -----------------------------------------------------------------------


@require_safe
def metric_page(request: HttpRequest, metric: str) -> HttpResponse:
    try:
        context = metric_context(Store(), metric, request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(request, "pages/progress/metric.html", context, title=context["metric"]["title"])


def metric_context(store: Store, metric: str, query) -> dict:
    if metric not in metrics.METRICS:
        raise errors.PageError(404, _("Page not found"))
    asked = _asked(query)
    everyone = {
        figure.period: metrics.figure_dict(figure)
        for figure in stored.figures(store, metric=metric, subject=periods.EVERYONE)
    }
    period = asked["period"] or _default_period(everyone)
    subject = _subject_key(asked["subject"])
    try:
        found = metrics.figures_of(store, metric, subject=None, period=period)
        items = metrics.items_of(
            store,
            metric,
            subject=subject,
            period=period,
            outcomes=[asked["outcome"]],
            after=asked["after"],
            limit=ITEMS_SHOWN,
        )
    except metrics.MetricsError as error:
        raise errors.bad_request(
            [Problem(error.parameter, error.message, f"#{error.parameter}")]
        ) from None
    figures = [{**figure, "name": subject_name(figure)} for figure in found["figures"]]
    headline = [f for f in figures if f["subject"] in (periods.EVERYONE, periods.CENTRAL)]
    others = [f for f in figures if f["subject"] not in (periods.EVERYONE, periods.CENTRAL)]
    shown, pages = _sorted_page(others, asked["sort"], asked["order"], asked["page"])
    chosen = next((f for f in figures if f["subject"] == (subject or periods.EVERYONE)), None)
    target = found["metric"]["target"]
    return {
        "metric": found["metric"],
        "family": family_names()[found["metric"]["family"]]["title"],
        "period": period,
        "periods": _periods(everyone, period),
        "subject": asked["subject"] or "everyone",
        "subjectFigure": chosen,
        "run": found["run"],
        "headline": headline,
        "subjects": {
            "count": len(others),
            "sort": asked["sort"],
            "order": asked["order"],
            "page": asked["page"],
            "pages": pages,
            "figures": shown,
        },
        "charts": _charts(found["metric"], everyone, period, target),
        "items": {
            "outcome": asked["outcome"],
            "after": asked["after"],
            "next": items["next"],
            "items": [{**item, "reason": table.reason(item)} for item in items["items"]],
        },
        "links": {
            "api": f"/api/metrics/{metric}?period={period}",
            "items": f"/api/metrics/{metric}/items?period={period}&outcome={asked['outcome']}",
            "method": found["metric"]["method"],
            "report": report_links(period) if periods.is_half(period) else None,
        },
    }


def _asked(query) -> dict:
    """The page's parameters, each checked; a 400 naming the first at fault."""
    problems = []

    def text(name: str, longest: int, default: str = "") -> str:
        value = query.get(name, default)
        if len(value) > longest or "\x00" in value:
            problems.append(
                Problem(
                    name,
                    _("is not a value this page takes (at most %(most)s characters)", most=longest),
                    f"#{name}",
                )
            )
            return default
        return value

    def choice(name: str, allowed: tuple[str, ...], default: str) -> str:
        value = text(name, 40, default) or default
        if value not in allowed:
            problems.append(
                Problem(
                    name,
                    _(
                        "%(given)s is not one of %(allowed)s",
                        given=repr(value[:40]),
                        allowed=", ".join(allowed),
                    ),
                    f"#{name}",
                )
            )
            return default
        return value

    def whole(name: str, default: int, least: int) -> int:
        value = text(name, 20, str(default)) or str(default)
        if not value.isdigit() or not least <= int(value) <= LARGEST:
            problems.append(
                Problem(
                    name,
                    _(
                        "%(given)s is not a whole number of at least %(least)s",
                        given=repr(value[:20]),
                        least=least,
                    ),
                    f"#{name}",
                )
            )
            return default
        return int(value)

    asked = {
        "period": text("period", 10),
        "subject": text("subject", 300),
        "sort": choice("sort", SORTS, "against"),
        "order": choice("order", ORDERS, "desc"),
        "page": whole("page", 1, 1),
        "outcome": choice("outcome", metrics.OUTCOMES, "against"),
        "after": whole("after", 0, 0),
    }
    if problems:
        raise errors.bad_request(problems)
    return asked


def _subject_key(given: str) -> str | None:
    """A subject as the API's ``subject`` takes it: ``everyone``, ``central`` or a key."""
    if not given:
        return None
    return {"everyone": periods.EVERYONE, "central": periods.CENTRAL}.get(given, given)


def _default_period(everyone: dict[str, dict]) -> str:
    """The newest half-year with something counted, else all of them."""
    halves = [p for p, f in everyone.items() if periods.is_half(p) and f["for"] + f["against"]]
    return max(halves) if halves else periods.ALL


def _periods(everyone: dict[str, dict], chosen: str) -> list[dict]:
    """The periods there are figures for, to choose from: all, then years, half-years and
    months, the newest first."""
    found = set(everyone) | {periods.ALL, chosen}

    def order(period: str) -> tuple[int, str]:
        if period == periods.ALL:
            return (0, "")
        kind = 1 if len(period) == 4 else 2 if periods.is_half(period) else 3
        return (kind, "".join(chr(0x10FFFF - ord(c)) for c in period))

    return [{"value": p, "text": period_name(p)} for p in sorted(found, key=order)]


def period_name(period: str) -> str:
    """A period in words, in the reader's language: "January to June 2024", "April 2024"."""
    months = MONTHS[current()] if current() in MONTHS else MONTHS["en"]
    if period == periods.ALL:
        return _("All time")
    if len(period) == 4:
        return period
    year = period[:4]
    if periods.is_half(period):
        first, last = (0, 5) if period.endswith("H1") else (6, 11)
        return _(
            "%(first)s to %(last)s %(year)s", first=months[first], last=months[last], year=year
        )
    return f"{months[int(period[5:]) - 1]} {year}"


def _sorted_page(found: list[dict], sort: str, order: str, number: int) -> tuple[list[dict], int]:
    keys = {
        "name": lambda f: (f["name"].lower(),),
        "share": lambda f: (f["value"] is not None, f["value"] or 0.0, f["name"].lower()),
        "for": lambda f: (f["for"], f["name"].lower()),
        "against": lambda f: (f["against"], f["for"] + f["against"], f["name"].lower()),
    }
    ordered = sorted(found, key=keys[sort], reverse=order == "desc")
    pages = max(1, -(-len(ordered) // SUBJECTS_SHOWN))
    if number > pages:
        raise errors.bad_request(
            [Problem("page", _("there are %(pages)s pages", pages=pages), "#page")]
        )
    start = (number - 1) * SUBJECTS_SHOWN
    return ordered[start : start + SUBJECTS_SHOWN], pages


# Charts ----------------------------------------------------------------------------------


def _charts(metric: dict, everyone: dict[str, dict], period: str, target: float | None) -> list:
    """Everyone's share over the period (by year for all time, else by month), and the
    breakdowns of everyone's figure (such as how long award notices took)."""
    if period == periods.ALL:
        parts = sorted(p for p in everyone if len(p) == 4)
        title = _("Everyone's share by year")
    else:
        days = metrics.period_days(period)
        first, last = (days[0][:7], days[1][:7]) if days else ("", "")
        parts = sorted(
            p
            for p in everyone
            if len(p) == 7 and p[4] == "-" and p[5:].isdigit() and first <= p <= last
        )
        title = _("Everyone's share by month")
    charts = []
    if parts:
        rows = [
            {
                "label": period_name(part),
                "value": everyone[part]["value"],
                "for": everyone[part]["for"],
                "against": everyone[part]["against"],
            }
            for part in parts
        ]
        charts.append(chart("chart-share", title, rows, share=True, target=target))
    figure = everyone.get(period)
    for number, (name, counts) in enumerate(sorted((figure or {}).get("breakdown", {}).items())):
        if isinstance(counts, dict) and counts:
            rows = [{"label": str(label), "value": count} for label, count in counts.items()]
            charts.append(
                chart(
                    f"chart-breakdown-{number}",
                    _("How the items divide: %(name)s", name=name),
                    rows,
                    share=False,
                )
            )
    return charts


def chart(
    identifier: str, title: str, rows: list[dict], *, share: bool, target: float | None = None
) -> dict:
    """A horizontal bar chart as the template draws it in SVG: each row's bar length, and the
    target's line, in user units; the rows are also its data table."""
    top = 1.0 if share else max([row["value"] or 0 for row in rows] + [1])
    bars = []
    for position, row in enumerate(rows):
        value = row["value"] or 0
        length = round(BAR * value / top, 1) if top else 0
        bars.append(
            {
                **row,
                "y": position * ROW,
                "length": length,
                "shown": ("%.1f%%" % (row["value"] * 100))
                if share and row["value"] is not None
                else (str(value) if not share else _("no figure")),
            }
        )
    return {
        "id": identifier,
        "title": title,
        "unit": "share" if share else "count",
        "rows": bars,
        "width": LABEL_WIDTH + BAR + VALUE_WIDTH,
        "height": max(len(rows), 1) * ROW,
        "labelWidth": LABEL_WIDTH,
        "target": {"value": target, "x": LABEL_WIDTH + BAR * target}
        if share and target is not None
        else None,
    }
