"""Spend coverage in the twice-yearly progress report (issue 9, item 4; docs/reports.md): the
share of the pounds public bodies paid in the half-year that is linked to a published contract,
everyone's and each body's, the bodies with the most paid without a linked contract first
(docs/methods/spend-coverage.md). From the stored figures of the same metrics run as the rest
of the report. Its context, and its HTML and PDF renderings."""

from html import escape

from openbook import metrics
from openbook.reports import table
from openbook.standards.metrics import spend
from openbook.standards.metrics.figures import EVERYONE
from openbook.store import metrics as stored
from openbook.store.database import Store

BODIES_SHOWN = 25


def context(store: Store, half: str) -> dict:
    """Everyone's figure for the half-year and each body's, the most unlinked first; with
    every figure, for the report's CSV."""
    found = [
        metrics.figure_dict(figure)
        for figure in stored.figures(store, metric=spend.SPEND_COVERAGE, periods=[half])
    ]
    everyone = next((figure for figure in found if figure["subject"] == EVERYONE), None)
    bodies = sorted(
        (f for f in found if f["subject"] != EVERYONE and f["for"] + f["against"]),
        key=lambda f: (-_pounds(f, "unlinked"), -f["against"], f["subjectName"]),
    )
    return {
        "metric": spend.METRIC.as_dict(),
        "period": half,
        "headline": _shown(everyone) if everyone else None,
        "bodies": [_shown(figure) for figure in bodies[:BODIES_SHOWN]],
        "bodyCount": len(bodies),
        "figures": found,
    }


def _pounds(figure: dict, which: str) -> int:
    return int(figure["breakdown"].get(spend.POUNDS, {}).get(which, 0))


def _shown(figure: dict) -> dict:
    return {
        "subject": figure["subject"],
        "name": figure["subjectName"],
        "share": figure["value"],
        "linked": figure["for"],
        "unlinked": figure["against"],
        "notLinkedYet": figure["pending"],
        "excluded": figure["excluded"],
        "poundsLinked": _pounds(figure, "linked"),
        "poundsUnlinked": _pounds(figure, "unlinked"),
    }


def _row(each: dict) -> list[str]:
    return [
        each["name"] or each["subject"],
        table.share(each["share"]),
        f"£{each['poundsLinked']:,}",
        f"£{each['poundsUnlinked']:,}",
        f"{each['linked']:,}",
        f"{each['unlinked']:,}",
    ]


_HEADER = ["Who", "Share", "Pounds linked", "Not linked", "Payments linked", "Not linked"]


def html(section: dict) -> str:
    metric = section["metric"]
    parts = [f'<h2 id="{escape(metric["id"])}">{escape(metric["title"])}</h2>']
    parts.append(
        "<p>The payments public bodies' spending files publish, linked to the contracts they "
        "pay for by the last linking run: the share of the pounds paid in the half-year that "
        "is linked to a contract or award published here. Credits and payments in other "
        "currencies are left out.</p>"
    )
    if section["headline"] is None:
        parts.append("<p>No payments for this period.</p>")
        return "\n".join(parts)
    numeric = ' class="n"'
    header = "".join(
        f'<th scope="col"{numeric if number else ""}>{escape(name)}</th>'
        for number, name in enumerate(_HEADER)
    )
    rows = []
    for each in [section["headline"], *section["bodies"]]:
        cells = _row(each)
        rows.append(
            f'<tr><th scope="row">{escape(cells[0])}</th>'
            + "".join(f'<td class="n">{escape(cell)}</td>' for cell in cells[1:])
            + "</tr>"
        )
    shown = len(section["bodies"])
    parts.append(
        f"<table><caption>Everyone, then by body ({shown:,} of {section['bodyCount']:,}, the "
        f"most paid without a linked contract first)</caption><thead><tr>{header}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return "\n".join(parts)


def pdf(document, section: dict) -> None:
    """The section into a report's PDF (openbook.reports.pdf's document)."""
    document.ln(4)
    document.words(section["metric"]["title"], 14, bold=True, height=7)
    document.words(
        "The share of the pounds public bodies paid in the half-year that the last linking run "
        "linked to a contract or award published here; credits and other currencies left out."
    )
    if section["headline"] is None:
        document.words("No payments for this period.")
        return
    rows = [_row(each) for each in [section["headline"], *section["bodies"]]]
    widths = [60, 20, 30, 30, 20, 20]
    document.set_font(document.family, "B", 8)
    for text, width in zip(_HEADER, widths, strict=True):
        document.cell(width, 5, document.text_of(text), border="B")
    document.ln()
    document.set_font(document.family, "", 8)
    for row in rows:
        for text, width in zip(row, widths, strict=True):
            document.cell(width, 5, document.text_of(text)[: int(width / 1.6)], border="B")
        document.ln()
