"""A report's figures as CSV: one row per figure, then one per breakdown count, so that a
spreadsheet holds every number the report shows; and the small formatting the renderings
share."""

import csv
import io

from openbook.standards.metrics.figures import CENTRAL, EVERYONE

COLUMNS = (
    "metric",
    "subject",
    "subject_name",
    "period",
    "for",
    "against",
    "excluded",
    "pending",
    "value",
    "target",
    "met",
    "breakdown",
    "breakdown_value",
    "count",
)


def render(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for figure in sorted(
        report["figures"], key=lambda f: (f["metric"], f["period"], _subject_order(f["subject"]))
    ):
        common = [
            figure["metric"],
            figure["subject"],
            spreadsheet_safe(figure["subjectName"]),
            figure["period"],
        ]
        writer.writerow(
            [
                *common,
                figure["for"],
                figure["against"],
                figure["excluded"],
                figure["pending"],
                "" if figure["value"] is None else f"{figure['value']:.6f}",
                "" if figure["target"] is None else figure["target"],
                "" if figure["met"] is None else str(figure["met"]).lower(),
                "",
                "",
                "",
            ]
        )
        # A breakdown's rows: how many of the figure's items had each value.
        for name, counts in sorted(figure["breakdown"].items()):
            for value, count in sorted(counts.items()):
                writer.writerow([*common, *[""] * 7, name, spreadsheet_safe(value), count])
    return out.getvalue()


def _subject_order(subject: str) -> tuple[int, str]:
    return ({EVERYONE: 0, CENTRAL: 1}.get(subject, 2), subject)


def spreadsheet_safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (OWASP, CSV injection): a leading =, +, -,
    @, tab or carriage return is quoted with an apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def share(value: float | None) -> str:
    return "no figure" if value is None else f"{value:.1%}"


def reason(item: dict) -> str:
    """Why an item counts against, in a few words with its numbers."""
    detail = item["detail"]
    if "delayDays" in detail:
        return f"published {detail['delayDays']} days after the award ({detail['awardDate']})"
    if "status" in detail:
        late = detail.get("daysLate") or detail.get("daysOverdue")
        return f"{detail['notice']}: {detail['status']}, {late} days after {detail['deadline']}"
    if "contractDocuments" in detail:
        return f"no contract document among its {detail['documents']} documents"
    return str(detail.get("reason") or detail.get("detail") or "")
