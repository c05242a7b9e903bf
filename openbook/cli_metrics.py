"""``openbook metrics`` and ``openbook report``: computing the plan's measures and printing
them, and the twice-yearly and yearly reports (docs/methods/, docs/reports.md). Thin wrappers
over openbook.metrics and openbook.reports."""

import sys

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


def _compute(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from tqdm import tqdm

    from openbook import metrics

    with tqdm(
        unit=" processes", desc="metrics", disable=arguments.no_progress or None, leave=False
    ) as bar:
        run = metrics.compute(store, progress=lambda done: bar.update(done - bar.n))
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
