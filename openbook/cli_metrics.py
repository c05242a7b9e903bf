"""``openbook metrics`` and ``openbook report``: computing the plan's measures and printing
them, and the twice-yearly and yearly reports (docs/methods/, docs/reports.md). Thin wrappers
over openbook.metrics and openbook.reports."""

import sys
from pathlib import Path

import orjson


def add_commands(commands) -> None:
    metrics = commands.add_parser(
        "metrics",
        help="compute and show the NAP5 milestone metrics, data quality and red flags",
        description="The plan's measures (docs/methods/): computed from the whole log into the "
        "tables the API and the reports read.",
    )
    actions = metrics.add_subparsers(title="actions", metavar="ACTION")
    compute = actions.add_parser("compute", help="compute every figure afresh from the log")
    compute.add_argument("--no-progress", action="store_true", help="no progress bar")
    compute.set_defaults(run=_compute)
    show = actions.add_parser("show", help="print a metric's figures for a period")
    show.add_argument("metric", help="a metric id (openbook metrics show --list lists them)")
    show.add_argument("--period", default="all", help="all, 2023, 2023-H1 or 2023-04")
    show.add_argument("--subject", help="an authority's key, central or everyone")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(run=_show)
    listing = actions.add_parser("list", help="list the metrics and the newest run")
    listing.set_defaults(run=_list)
    report = commands.add_parser(
        "report",
        help="write the twice-yearly progress report or the yearly documents report",
        description="A report from the newest metrics run, as HTML, PDF and CSV of every "
        "figure (docs/reports.md).",
    )
    which = report.add_mutually_exclusive_group(required=True)
    which.add_argument("--half", metavar="YYYY-HN", help="the progress report for a half-year")
    which.add_argument(
        "--documents", metavar="YYYY", help="the contract documents and redactions report"
    )
    report.add_argument(
        "--to",
        type=Path,
        default=Path(),
        metavar="DIR",
        help="the directory to write into (default: here)",
    )
    report.set_defaults(run=_report)


def _compute(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from tqdm import tqdm

    from openbook import metrics

    with tqdm(
        unit=" processes", desc="metrics", disable=arguments.no_progress or None, leave=False
    ) as bar:
        try:
            run = metrics.compute(store, progress=lambda done: bar.update(done - bar.n))
        except metrics.MetricsError as error:
            print(f"openbook metrics compute: {error}", file=sys.stderr)
            return 2
    summary = run.as_dict()
    print(
        f"Computed the metrics of {summary['processes']:,} processes (log size "
        f"{run.log_size:,}, as of {run.as_of}) in {run.seconds:.1f} s."
    )
    return 0


def _show(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import metrics

    subject = {"everyone": metrics.EVERYONE, "central": metrics.CENTRAL}.get(
        arguments.subject or "", arguments.subject
    )
    try:
        found = metrics.figures_of(
            store, arguments.metric, subject=subject, period=arguments.period
        )
    except metrics.MetricsError as error:
        print(f"openbook metrics show: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(found, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if found["run"] is None:
        print("No figures yet: run openbook metrics compute.")
        return 0
    print(
        f"{found['metric']['title']}, {found['period']} (method {found['metric']['methodVersion']})"
    )
    for figure in found["figures"]:
        value = "-" if figure["value"] is None else f"{figure['value']:.1%}"
        print(
            f"{value:>7}  {figure['for']:>7,} for  {figure['against']:>7,} against  "
            f"{figure['excluded']:>7,} excluded  {figure['subjectName'] or figure['subject']}"
        )
    return 0


def _list(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import metrics

    found = metrics.overview(store)
    run = found["run"]
    print(
        "No run yet."
        if run is None
        else f"Newest run: log size {run['logSize']:,}, "
        f"as of {run['asOf']}, computed {run['computed']}."
    )
    for metric in found["metrics"]:
        print(f"{metric['id']:<32} {metric['title']}")
    return 0


def _report(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import reports
    from openbook.reports import html, pdf, table

    try:
        if arguments.half:
            built = reports.progress(store, arguments.half)
            name = f"progress-report-{arguments.half}"
        else:
            built = reports.documents(store, arguments.documents)
            name = f"documents-report-{arguments.documents}"
    except reports.ReportError as error:
        print(f"openbook report: {error}", file=sys.stderr)
        return 2
    try:
        arguments.to.mkdir(parents=True, exist_ok=True)
        written = [
            _write(arguments.to / f"{name}.html", html.render(built).encode()),
            _write(arguments.to / f"{name}.pdf", pdf.render(built)),
            _write(arguments.to / f"{name}.csv", table.render(built).encode()),
        ]
    except OSError as error:
        print(f"openbook report: cannot write into {arguments.to}: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(path)
    return 0


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path
