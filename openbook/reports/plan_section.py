"""The action plan's status in the twice-yearly progress report (issue 10, item 5;
docs/reports.md): each plan loaded, its commitments and milestones with their status, what is
overdue, and the figures behind each milestone the platform measures, as the plan reads on the
day the report is made (openbook.plans). Its context, and its HTML and PDF renderings."""

from datetime import date
from html import escape

from openbook import plans
from openbook.store.database import Store


def context(store: Store, on: date | None = None) -> dict:
    """The plans as they stand ``on`` (default today in the UK), condensed for a report."""
    day = on or plans.today()
    return {
        "asOf": day.isoformat(),
        "plans": [_plan(plans.plan(store, each["id"], day)) for each in plans.plans(store, day)],
    }


def _plan(found: dict) -> dict:
    return {
        "id": found["id"],
        "title": found["title"],
        "summary": found["summary"],
        "commitments": [
            {
                "id": commitment["id"],
                "number": commitment["number"],
                "title": commitment["title"],
                "status": commitment["status"],
                "statusLabel": commitment["statusLabel"],
                "milestones": [_milestone(each) for each in commitment["milestones"]],
            }
            for commitment in found["commitments"]
        ],
    }


# What a report gives of a milestone's measure (openbook.standards.plans.measures).
_MEASURED = (
    "kind", "metrics", "target", "value", "for", "against", "excluded", "period", "due",
    "reported", "why", "method", "methodVersion", "metricsMethodVersion", "run",
)  # fmt: skip


def _milestone(found: dict) -> dict:
    measured = found["measured"]
    return {
        "id": found["id"],
        "text": found["text"],
        "start": found["start"]["asPublished"],
        "end": found["end"]["asPublished"],
        "status": found["status"],
        "statusLabel": found["statusLabel"],
        "statusFrom": found["statusFrom"],
        "statusDate": found["statusDate"],
        "overdue": found["overdue"],
        "measured": None
        if measured is None
        else {name: measured[name] for name in _MEASURED if name in measured},
    }


def html(section: dict) -> str:
    parts = ['<h2 id="action-plan">The action plan</h2>']
    parts.append(f"<p>As the plan stands on {escape(section['asOf'])}, when this report was made."
                 " A measured milestone's status follows from the figures; the others' from "
                 "their newest progress update.</p>")  # fmt: skip
    if not section["plans"]:
        parts.append("<p>No action plan is loaded.</p>")
    for plan in section["plans"]:
        summary = plan["summary"]
        parts.append(f"<h3>{escape(plan['title'])}</h3>")
        parts.append(f"<p>{summary['commitments']:,} commitments, {summary['milestones']:,} "
                     f"milestones, {summary['overdue']:,} overdue.</p>")  # fmt: skip
        rows = []
        for commitment in plan["commitments"]:
            for each in commitment["milestones"]:
                overdue = ' <span class="unmet">overdue</span>' if each["overdue"] else ""
                measured = each["measured"]
                figure = escape(measured["why"]) if measured else ""
                rows.append(
                    f'<tr><th scope="row">{escape(commitment["id"])}/{escape(each["id"])}</th>'
                    f"<td>{escape(each['text'])}</td><td>{escape(each['start'])} to "
                    f"{escape(each['end'])}</td><td>{escape(each['statusLabel'])}{overdue}</td>"
                    f"<td>{figure}</td></tr>"
                )
        parts.append(
            '<table><caption>Milestones</caption><thead><tr><th scope="col">Milestone</th>'
            '<th scope="col">Text</th><th scope="col">Dates</th><th scope="col">Status</th>'
            '<th scope="col">Measured</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
        )
    return "\n".join(parts)


def pdf(document, section: dict) -> None:
    """The section into a report's PDF (openbook.reports.pdf's document)."""
    document.ln(4)
    document.words("The action plan", 15, bold=True, height=8)
    document.words(f"As the plan stands on {section['asOf']}, when this report was made.")
    if not section["plans"]:
        document.words("No action plan is loaded.")
    for plan in section["plans"]:
        summary = plan["summary"]
        document.words(plan["title"], 12, bold=True, height=7)
        document.words(f"{summary['commitments']:,} commitments, {summary['milestones']:,} "
                       f"milestones, {summary['overdue']:,} overdue.")  # fmt: skip
        for commitment in plan["commitments"]:
            for each in commitment["milestones"]:
                said = f"{commitment['id']}/{each['id']}: {each['statusLabel']}"
                said += " (overdue)" if each["overdue"] else ""
                said += f", {each['start']} to {each['end']}. {each['text']}"
                if each["measured"]:
                    said += f" Measured: {each['measured']['why']}."
                document.words(said, 9, height=4.5)
