"""A report as a PDF (fpdf2, pure Python): the HTML page's content, every chart drawn as bars
with its data table beside it.

Text is set in DejaVu Sans where the machine has it (Debian's fonts-dejavu-core), which covers
Welsh and every European name; without it, in the PDF core font Helvetica, which covers Latin-1
only, so other characters are shown as their nearest Latin-1 form or "?"."""

import unicodedata
from pathlib import Path

from fpdf import FPDF

from openbook.reports import (  # plan_section
    plan_section,
    spend_section,
    table,
)

_FONTS = Path("/usr/share/fonts/truetype/dejavu")
_BLUE = (29, 112, 184)
_GREY = (177, 180, 182)
_PUNCTUATION = str.maketrans(
    {
        "\u2013": "-",
        "\u2014": "-",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2026": "...",
    }
)


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.unicode = (_FONTS / "DejaVuSans.ttf").exists() and (
            _FONTS / "DejaVuSans-Bold.ttf"
        ).exists()
        if self.unicode:
            self.add_font("body", "", str(_FONTS / "DejaVuSans.ttf"))
            self.add_font("body", "B", str(_FONTS / "DejaVuSans-Bold.ttf"))
        self.family = "body" if self.unicode else "helvetica"
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)

    def text_of(self, value: str) -> str:
        if self.unicode:
            return value
        plain = unicodedata.normalize("NFKD", value.translate(_PUNCTUATION))
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
        return plain.encode("latin-1", "replace").decode("latin-1")

    def words(self, value: str, size: float = 10, bold: bool = False, height: float = 5) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_of(value), align="L", new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 8)
        self.cell(0, 5, f"openbook  |  page {self.page_no()}", align="R")


def render(report: dict) -> bytes:
    pdf = _Document()
    pdf.set_title(pdf.text_of(report["title"]))
    pdf.add_page()
    pdf.words(report["title"], 20, bold=True, height=9)
    run = report["run"]
    methods = ", ".join(f"{k} version {v}" for k, v in run["methods"].items())
    pdf.words(
        f"From the log's first {run['logSize']:,} entries; notices judged as of {run['asOf']}; "
        f"computed {run['computed'][:19]} UTC. Methods: {methods}. Every figure can be "
        "recomputed from the bulk download (docs/methods/recompute.md); the CSV holds them all."
    )
    for section in report["sections"]:
        _section(pdf, section)
    if "plan" in report:  # the progress report's action plan section
        plan_section.pdf(pdf, report["plan"])
    if "spend" in report:  # the progress report's spend coverage section
        spend_section.pdf(pdf, report["spend"])
    return bytes(pdf.output())


def _section(pdf: _Document, section: dict) -> None:
    metric = section["metric"]
    pdf.ln(4)
    pdf.words(metric["title"], 14, bold=True, height=7)
    pdf.words(f"The plan: {metric['milestone']}.", 9)
    rows = [
        [
            figure["subjectName"],
            table.share(figure["value"]),
            f"{figure['for']:,}",
            f"{figure['against']:,}",
            f"{figure['excluded']:,}",
            _target(figure, metric),
        ]
        for figure in section["headline"]
    ]
    _table(
        pdf,
        ["Who", "Share", "For", "Against", "Excluded", "Target"],
        rows,
        [50, 22, 22, 22, 22, 42],
    )
    for chart in section["charts"]:
        _chart(pdf, chart)
    if section["authorities"]:
        pdf.words(
            f"By authority ({len(section['authorities'])} of {section['authorityCount']}, "
            "the most against first)",
            10,
            bold=True,
        )
        rows = [
            [
                f["subjectName"] or f["subject"],
                table.share(f["value"]),
                f"{f['for']:,}",
                f"{f['against']:,}",
            ]
            for f in section["authorities"]
        ]
        _table(pdf, ["Authority", "Share", "For", "Against"], rows, [105, 25, 25, 25])
    if section["against"]:
        pdf.words(
            f"What counts against ({len(section['against'])} of {section['againstTotal']:,}; "
            f"all of them: {section['itemsUrl']})",
            10,
            bold=True,
        )
        for item in section["against"]:
            label = item["ocid"] + (f" {item['item']}" if item["item"] else "")
            pdf.words(f"{label}: {table.reason(item)}", 8, height=4)


def _target(figure: dict, metric: dict) -> str:
    if figure["met"] is None:
        return "no target" if metric["target"] is None else "no figure"
    return f"{table.share(metric['target'])} {'met' if figure['met'] else 'not met'}"


def _table(pdf: _Document, header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    pdf.set_font(pdf.family, "B", 8)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 5, pdf.text_of(text), border="B")
    pdf.ln()
    pdf.set_font(pdf.family, "", 8)
    for row in rows:
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 5, pdf.text_of(str(text))[: int(width / 1.6)], border="B")
        pdf.ln()
    pdf.ln(2)


def _chart(pdf: _Document, chart: dict) -> None:
    """Bars on the left, the same numbers in a table on the right."""
    rows = chart["rows"]
    share = chart["unit"] == "share"
    pdf.words(chart["title"], 9, bold=True)
    if pdf.will_page_break(6 * len(rows) + 8):
        pdf.add_page()
    top = 1.0 if share else max([row["value"] or 0 for row in rows] + [1])
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_font(pdf.family, "B", 7)
    pdf.set_xy(x + 105, y)
    headers = ["", "Share", "For", "Against"] if share else ["", "Count"]
    for text, width in zip(headers, [35, 15, 15, 15] if share else [35, 20], strict=True):
        pdf.cell(width, 5, text, border="B", align="R" if text else "L")
    y += 6
    pdf.set_font(pdf.family, "", 7)
    for position, row in enumerate(rows):
        line = y + position * 6
        pdf.set_xy(x, line)
        pdf.cell(30, 5, pdf.text_of(row["label"])[:22])
        length = 55 * (row["value"] or 0) / top if top else 0
        pdf.set_fill_color(*_BLUE)
        if length > 0:
            pdf.rect(x + 31, line + 0.5, length, 4, style="F")
        pdf.set_xy(x + 31 + length + 1, line)
        pdf.cell(15, 5, table.share(row["value"]) if share else f"{row['value'] or 0:,}")
        # The table beside: label, then the numbers.
        pdf.set_xy(x + 105, line)
        pdf.set_draw_color(*_GREY)
        pdf.cell(35, 5, pdf.text_of(row["label"])[:24], border="B")
        if share:
            pdf.cell(15, 5, table.share(row["value"]), border="B", align="R")
            pdf.cell(15, 5, f"{row['for']:,}", border="B", align="R")
            pdf.cell(15, 5, f"{row['against']:,}", border="B", align="R")
        else:
            pdf.cell(20, 5, f"{row['value'] or 0:,}", border="B", align="R")
    pdf.set_xy(x, y + 6 * len(rows) + 2)
