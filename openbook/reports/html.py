"""A report as one HTML page in the platform's style (GOV.UK typography and colours, no
scripts), every chart an SVG with its data table beside it, for people who cannot see the chart
and for those who want the numbers."""

from html import escape

from openbook.reports import (  # plan_section
    plan_section,
    spend_section,
    table,
)

_STYLE = """
body{font-family:Arial,sans-serif;color:#0b0c0c;margin:0;line-height:1.4}
header{background:#0b0c0c;color:#fff;padding:10px 30px;font-weight:bold;font-size:19px}
main{max-width:960px;margin:0 auto;padding:20px 30px}
h1{font-size:36px;margin:30px 0 15px}h2{font-size:27px;margin:45px 0 15px}
h3{font-size:19px;margin:25px 0 10px}p,li,td,th,caption{font-size:16px}
table{border-collapse:collapse;margin-bottom:20px;width:100%}
th,td{text-align:left;padding:6px 10px 6px 0;border-bottom:1px solid #b1b4b6;vertical-align:top}
td.n,th.n{text-align:right}caption{text-align:left;font-weight:bold;margin-bottom:8px}
.figure{display:flex;gap:30px;flex-wrap:wrap;align-items:flex-start}.figure>*{flex:1 1 300px}
.met{color:#00703c;font-weight:bold}.unmet{color:#d4351c;font-weight:bold}
.lede{font-size:19px}code{font-size:14px}a{color:#1d70b8}
"""


def render(report: dict) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en-GB"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report['title'])} - openbook</title><style>{_STYLE}</style></head>",
        "<body><header>openbook</header><main>",
        f"<h1>{escape(report['title'])}</h1>",
        _run(report["run"]),
    ]
    for index, section in enumerate(report["sections"]):
        parts.append(_section(section, index))
    if "plan" in report:  # the progress report's action plan section
        parts.append(plan_section.html(report["plan"]))
    if "spend" in report:  # the progress report's spend coverage section
        parts.append(spend_section.html(report["spend"]))
    parts.append(
        "<h2>Method and data</h2><p>Every figure is computed by the methods in "
        "<code>docs/methods/</code> (versions above) and can be recomputed from the bulk "
        "download with <code>scripts/recompute_metrics.py</code>. The CSV beside this report "
        "holds every figure.</p>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)


def _run(run: dict) -> str:
    methods = ", ".join(f"{escape(k)} version {escape(v)}" for k, v in run["methods"].items())
    return (
        f'<p class="lede">From the log\'s first {run["logSize"]:,} entries; notices judged '
        f"as of {escape(run['asOf'])}; computed {escape(run['computed'][:19])} UTC. Methods: "
        f"{methods}.</p>"
    )


def _section(section: dict, index: int) -> str:
    metric = section["metric"]
    parts = [f'<h2 id="{escape(metric["id"])}">{escape(metric["title"])}</h2>']
    parts.append(f"<p>The plan: {escape(metric['milestone'])}.</p>")
    parts.append(_headline(section["headline"], metric))
    for number, chart in enumerate(section["charts"]):
        parts.append(_chart(chart, f"chart-{index}-{number}"))
    if section["authorities"]:
        parts.append(_authorities(section))
    if section["against"]:
        parts.append(_against(section))
    return "\n".join(parts)


def _headline(figures: list[dict], metric: dict) -> str:
    if not figures:
        return "<p>No figures for this period.</p>"
    rows = []
    for figure in figures:
        value = table.share(figure["value"])
        met = ""
        if figure["met"] is not None:
            met = (
                f'<span class="met">target {table.share(metric["target"])} met</span>'
                if figure["met"]
                else f'<span class="unmet">target {table.share(metric["target"])} not met</span>'
            )
        rows.append(
            f'<tr><th scope="row">{escape(figure["subjectName"])}</th>'
            f'<td class="n">{value}</td><td class="n">{figure["for"]:,}</td>'
            f'<td class="n">{figure["against"]:,}</td><td class="n">{figure["excluded"]:,}</td>'
            f"<td>{met}</td></tr>"
        )
    return (
        '<table><caption>Figures for the period</caption><thead><tr><th scope="col">Who</th>'
        '<th class="n" scope="col">Share</th><th class="n" scope="col">For</th>'
        '<th class="n" scope="col">Against</th><th class="n" scope="col">Excluded</th>'
        '<th scope="col">Target</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
    )


def _chart(chart: dict, identifier: str) -> str:
    rows = chart["rows"]
    share = chart["unit"] == "share"
    top = 1.0 if share else max([row["value"] or 0 for row in rows] + [1])
    height, width, bar = 24, 260, 220
    size = f'width="{width + 160}" height="{height * len(rows) + 10}"'
    svg = [
        f'<svg role="img" aria-labelledby="{identifier}-title" {size}>',
        f'<title id="{identifier}-title">{escape(chart["title"])}: the table beside gives the '
        "numbers</title>",
    ]
    for position, row in enumerate(rows):
        value = row["value"] or 0
        y = position * height + 5
        length = int(bar * value / top) if top else 0
        shown = table.share(row["value"]) if share else f"{value:,}"
        svg.append(
            f'<text x="0" y="{y + 15}" font-size="13">{escape(row["label"][:22])}</text>'
            f'<rect x="150" y="{y}" width="{length}" height="{height - 8}" fill="#1d70b8"/>'
            f'<text x="{155 + length}" y="{y + 14}" font-size="12">{escape(shown)}</text>'
        )
    svg.append("</svg>")
    header = (
        '<th class="n" scope="col">Share</th><th class="n" scope="col">For</th>'
        '<th class="n" scope="col">Against</th>'
        if share
        else '<th class="n" scope="col">Count</th>'
    )
    body = []
    for row in rows:
        cells = (
            f'<td class="n">{table.share(row["value"])}</td><td class="n">{row["for"]:,}</td>'
            f'<td class="n">{row["against"]:,}</td>'
            if share
            else f'<td class="n">{(row["value"] or 0):,}</td>'
        )
        body.append(f'<tr><th scope="row">{escape(row["label"])}</th>{cells}</tr>')
    data = (
        f"<table><caption>{escape(chart['title'])}</caption><thead><tr>"
        f'<th scope="col">{"Month" if share else "Value"}</th>{header}</tr></thead><tbody>'
        + "".join(body)
        + "</tbody></table>"
    )
    return f'<div class="figure">{"".join(svg)}{data}</div>'


def _authorities(section: dict) -> str:
    rows = "".join(
        f'<tr><th scope="row">{escape(f["subjectName"] or f["subject"])}</th>'
        f'<td class="n">{table.share(f["value"])}</td><td class="n">{f["for"]:,}</td>'
        f'<td class="n">{f["against"]:,}</td></tr>'
        for f in section["authorities"]
    )
    shown = len(section["authorities"])
    return (
        f"<h3>By authority ({shown:,} of {section['authorityCount']:,}, the most against "
        'first)</h3><table><thead><tr><th scope="col">Authority</th>'
        '<th class="n" scope="col">Share</th><th class="n" scope="col">For</th>'
        f'<th class="n" scope="col">Against</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def _against(section: dict) -> str:
    items = "".join(
        f"<li><code>{escape(item['ocid'])}</code>"
        + (f" {escape(item['item'])}" if item["item"] else "")
        + f": {escape(table.reason(item))}</li>"
        for item in section["against"]
    )
    link = escape(section["itemsUrl"])
    return (
        f"<h3>What counts against ({len(section['against']):,} of "
        f"{section['againstTotal']:,})</h3><ul>{items}</ul>"
        f'<p>All of them: <a href="{link}">{link}</a></p>'
    )
