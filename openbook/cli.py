"""The ``openbook`` command: thin wrappers over the use cases (docs/cli.md)."""

import argparse
import gc
import os
import sys
import time
from pathlib import Path

import orjson

from openbook import (
    __version__,
    cli_alerts,
    cli_bods,
    cli_local,
    cli_log,
    cli_metrics,
    cli_payments,
    cli_plans,
    cli_publishing,
    cli_redact,
    cli_registers,
    cli_spend,
    cli_spend_links,
    config,
)


def run() -> None:
    """The console script: ``main``, then the database connections closed (on SQLite the last
    close checkpoints the WAL) and an exit without the interpreter's final garbage collections,
    which walk every object a load left (a fifth of a second); the objects are freed with the
    process all the same."""
    code = main()
    if "django.db" in sys.modules:
        from django.conf import settings
        from django.db import connections

        if settings.configured:
            connections.close_all()
    gc.freeze()
    sys.exit(code)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if not hasattr(arguments, "run"):
        parser.print_help()
        return 2
    try:
        return int(arguments.run(arguments) or 0)
    except config.ConfigurationError as error:
        print(f"openbook: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "\nopenbook: interrupted. Everything appended so far is kept; run the same command "
            "again to finish (it skips what is already loaded).",
            file=sys.stderr,
        )
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openbook",
        description="openbook: open contracting data (OCDS) in an append-only, verifiable log. "
        "The database is chosen by OPENBOOK_DATABASE_URL (default: SQLite under "
        "OPENBOOK_DATA_DIR); every command creates and migrates it when needed.",
    )
    parser.add_argument("--version", action="version", version=f"openbook {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    load = commands.add_parser(
        "load",
        help="load OCDS files (packages, JSON Lines, arrays, gzip) into the log",
        description="Load OCDS release packages, record packages (embedded releases), JSON Lines "
        "of releases or packages, JSON arrays or concatenated JSON, plain or gzipped; the format "
        "is detected. Every parseable release is kept with its review (unless --strict). Safe to "
        "interrupt and re-run: releases already stored are reported as duplicates. Exits 1 if "
        "anything was rejected.",
    )
    load.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files to load")
    load.add_argument("--publisher", help="publisher name to record (default: the package's)")
    load.add_argument(
        "--strict", action="store_true", help="do not store releases whose review has errors"
    )
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.add_argument(
        "--no-progress", action="store_true", help="no progress bar even on a terminal"
    )
    load.set_defaults(run=_load)

    _harvest_command(commands)
    # The commands' modules, in their order in the help: one loop, so that a module added is
    # not another statement of this function (ruff's PLR0915 allows it 50).
    for module in (
        cli_publishing,
        cli_payments,
        cli_log,
        cli_redact,
        cli_bods,
        cli_registers,
        cli_spend,
        cli_local,
        cli_metrics,
        cli_alerts,
        cli_plans,
    ):
        module.add_commands(commands)

    record = commands.add_parser(
        "record",
        help="print a contracting process as an OCDS record package",
        description="Print the OCDS record package of one ocid (compiled release, versioned "
        "release, and the releases) as JSON to standard output.",
    )
    record.add_argument("ocid")
    record.add_argument("--compact", action="store_true", help="no indentation")
    record.set_defaults(run=_record)

    stats = commands.add_parser(
        "stats",
        help="counts per register and per publisher",
        description="Counts of statements, "
        "records, conflicts and releases with errors, per register and per publisher.",
    )
    stats.add_argument("--json", action="store_true", help="print as JSON")
    stats.set_defaults(run=_stats)

    identifiers = commands.add_parser(
        "identifiers",
        help="report the organisation identifier problems of the data held",
        description="Check every party's identifiers in every process held (docs/identifiers.md):"
        " parties without any, malformed ones and placeholders by scheme with examples, those"
        " repaired by normalising, identifiers shared by parties of different names, and names"
        " carried with several identifiers.",
    )
    identifiers.add_argument("--json", action="store_true", help="print the report as JSON")
    identifiers.add_argument(
        "--top", type=_positive, default=10, metavar="N", help="list N of each (default 10)"
    )
    identifiers.set_defaults(run=_identifiers)

    export = commands.add_parser(
        "export",
        help="write the bulk downloads: JSON Lines, CSV, Excel, Parquet, checksums",
        description="Write a snapshot of the whole log into the downloads directory "
        "(OPENBOOK_DOWNLOADS_DIR, or --to DIR), which /downloads/ serves: every release and every "
        "compiled release as gzipped JSON Lines, releases by year, flattened CSV and Excel "
        "(flatterer), Parquet tables, SHA256SUMS and manifest.json with the log's tree head. "
        "Consistent with the log as it was at the start, whatever is loaded meanwhile; the "
        "previous snapshot is replaced atomically once the new one is complete "
        "(docs/downloads.md).",
    )
    export.add_argument("--to", type=Path, metavar="DIR", help="write here instead")
    export.add_argument("--json", action="store_true", help="print the manifest as JSON")
    export.add_argument(
        "--no-progress", action="store_true", help="no progress bar even on a terminal"
    )
    export.set_defaults(run=_export)

    serve = commands.add_parser(
        "serve",
        help="run the web server (gunicorn)",
        description="Run the platform's web server: gunicorn, a production WSGI server.",
    )
    _serve_arguments(serve)
    serve.set_defaults(run=_serve)

    generate = commands.add_parser(
        "generate",
        help="write realistic UK-style OCDS releases as JSON Lines",
        description="Write generated UK-style OCDS releases (whole lifecycles, Procurement Act "
        "notice types) as JSON Lines, for demos, tests and benchmarks. Deterministic per seed.",
    )
    generate.add_argument("--processes", type=_positive, required=True, metavar="N")
    generate.add_argument("--seed", type=int, default=1, metavar="S")
    generate.add_argument(
        "--output", "-o", type=Path, help="file to write (default: standard output); .gz is gzipped"
    )
    cli_spend_links.add_generate_arguments(generate)
    generate.set_defaults(run=_generate)

    migrate = commands.add_parser(
        "migrate",
        help="create or upgrade the database",
        description="Create the database and "
        "apply migrations. Other commands do this themselves when needed.",
    )
    migrate.set_defaults(run=_migrate)

    demo = commands.add_parser(
        "demo",
        help="load demonstration data if the database is empty, then serve",
        description="Create the database, load generated UK-style procurement data if it holds "
        "no releases yet, then run the web server.",
    )
    demo.add_argument("--processes", type=_positive, default=2000, metavar="N")
    demo.add_argument("--no-serve", action="store_true", help="load only")
    _serve_arguments(demo)
    demo.set_defaults(run=_demo)
    return parser


def _harvest_command(commands) -> None:
    harvest = commands.add_parser(
        "harvest",
        help="copy another openbook, Find a Tender or Contracts Finder into the log",
        description="Copy the releases of another openbook (its /api/ocds/releases), the Find a "
        "Tender Service's read API or Contracts Finder's OCDS search into the log, page by page, "
        "through the same review and append as `openbook load`. Polite (a delay between "
        "requests, 429 and Retry-After honoured, backoff on failures) and resumable: running the "
        "same command again continues where it stopped, then fetches only what is new. Exits 1 "
        "if anything was rejected, 3 if the source kept failing (docs/harvest.md).",
    )
    harvest.add_argument("url", metavar="URL", help="the source's address, or its site's")
    harvest.add_argument(
        "--api", choices=["openbook", "fts", "cf"], help="the source's API (default: from the URL)"
    )
    harvest.add_argument(
        "--limit", type=_positive, metavar="N", help="releases per page (default: the API's most)"
    )
    harvest.add_argument(
        "--window",
        type=_harvest_type("duration"),
        metavar="LENGTH",
        help="fts and cf: read in time windows this long, such as 6h, 1d, 2w (default: 1d)",
    )
    harvest.add_argument(
        "--since",
        type=_harvest_type("moment"),
        metavar="WHEN",
        help="fts and cf: where the first harvest starts, UTC (default: 2021-01-01 for fts, "
        "2014-01-01 for cf)",
    )
    harvest.add_argument(
        "--until", type=_harvest_type("moment"), metavar="WHEN", help="fts and cf (default: now)"
    )
    harvest.add_argument(
        "--delay",
        type=_seconds,
        metavar="SECONDS",
        help="between requests (default: 0 for openbook, 10 for fts, 1 for cf)",
    )
    harvest.add_argument(
        "--timeout", type=_timeout, default=60.0, metavar="SECONDS", help="(default: 60)"
    )
    harvest.add_argument(
        "--retries", type=int, default=5, metavar="N", help="further attempts at a failed request"
    )
    harvest.add_argument("--max-pages", type=_positive, metavar="N", help="pause after N pages")
    harvest.add_argument(
        "--from-start", action="store_true", help="forget where the last harvest stopped"
    )
    harvest.add_argument("--publisher", help="publisher name to record (default: the package's)")
    harvest.add_argument(
        "--strict", action="store_true", help="do not store releases whose review has errors"
    )
    harvest.add_argument("--json", action="store_true", help="print the report as JSON")
    harvest.add_argument("--no-progress", action="store_true", help="no progress bar")
    harvest.set_defaults(run=_harvest)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value < 86400:
        raise argparse.ArgumentTypeError(f"{text!r} must be from 0 to 86400 seconds")
    return value


def _timeout(text: str) -> float:
    value = _seconds(text)
    if value == 0:
        raise argparse.ArgumentTypeError("a timeout must be more than 0 seconds")
    return value


def _harvest_type(name: str):
    def parse(text: str):
        from openbook.harvest import sources

        try:
            return getattr(sources, name)(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    parse.__name__ = name
    return parse


def _serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default=os.environ.get("OPENBOOK_HOST", "127.0.0.1"))
    parser.add_argument(
        "--port", type=int, default=int(os.environ.get("OPENBOOK_PORT", "8000")), metavar="N"
    )
    parser.add_argument("--workers", type=_positive, default=2, metavar="N")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _store():
    """Configure Django, create and migrate the database when needed, return the store."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openbook.settings")
    import django

    django.setup()
    from openbook.store.database import Store, migrate

    store = Store()
    migrate(store)
    return store


def _load(arguments) -> int:
    from openbook.load.loader import LoadStopped, load
    from openbook.load.progress import Bar

    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        print(f"openbook load: no such file: {', '.join(missing)}", file=sys.stderr)
    paths = [path for path in arguments.paths if path.exists()]
    progress = None if arguments.no_progress else Bar()
    # The store opened by the loader once its workers are reading.
    stopped = False
    try:
        report = load(
            _store,
            paths,
            publisher=arguments.publisher,
            strict=arguments.strict,
            progress=progress,
        )
    except LoadStopped as stop:  # where, why, and what it stored: no traceback
        print(f"openbook load: {stop}", file=sys.stderr)
        report, stopped = stop.report, True  # its counts: what it stored
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print(report.as_text())
    if report.compiled:
        cli_spend_links.link_after_load(_store())
    return 1 if report.rejected or missing or stopped else 0


def _harvest(arguments) -> int:
    from openbook.harvest.exceptions import HarvestError
    from openbook.harvest.fetch import Fetcher, Politeness
    from openbook.harvest.harvester import Options, check, harvest
    from openbook.harvest.progress import Bar
    from openbook.harvest.report import HarvestReport
    from openbook.harvest.sources import source
    from openbook.harvest.state import FILE_NAME, SavedState

    try:
        found = source(arguments.url, arguments.api)
        options = Options(
            limit=arguments.limit,
            window=arguments.window,
            since=arguments.since,
            until=arguments.until,
            publisher=arguments.publisher,
            strict=arguments.strict,
            max_pages=arguments.max_pages,
            from_start=arguments.from_start,
        )
        check(found, options)
    except HarvestError as error:
        print(f"openbook harvest: {error}", file=sys.stderr)
        return 2
    politeness = Politeness(
        delay=found.api.delay if arguments.delay is None else arguments.delay,
        timeout=arguments.timeout,
        retries=max(0, arguments.retries),
    )
    saved = SavedState(
        config.data_dir() / FILE_NAME, found.key, config.redacted(config.database_url())
    )
    store = _store()
    report = HarvestReport(found.key, found.api.name)
    progress = None if arguments.no_progress else Bar(found.endpoint)
    try:
        harvest(
            store,
            found,
            Fetcher(politeness, found.api.rate_limit_statuses),
            saved,
            options,
            report=report,
            progress=progress,
        )
    except HarvestError as error:
        print(f"openbook harvest: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(report.as_text())
        raise
    finally:
        if progress is not None:
            progress.close()
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print(report.as_text())
    if report.outcome == "stopped":
        print(f"openbook harvest: {report.reason}", file=sys.stderr)
        return 3
    return 1 if report.rejected else 0


def _record(arguments) -> int:
    from openbook.records import record_package

    package = record_package(_store(), arguments.ocid)
    if package is None:
        print(
            f"openbook record: no release with ocid {arguments.ocid!r} is in the log",
            file=sys.stderr,
        )
        return 1
    option = 0 if arguments.compact else orjson.OPT_INDENT_2
    sys.stdout.buffer.write(orjson.dumps(package, option=option) + b"\n")
    return 0


def _identifiers(arguments) -> int:
    from openbook.identifiers import report

    found = report(_store())
    if arguments.json:
        text = orjson.dumps(found.as_dict(arguments.top), option=orjson.OPT_INDENT_2)
        sys.stdout.buffer.write(text + b"\n")
    else:
        print(found.as_text(arguments.top))
    return 0


def _stats(arguments) -> int:
    from openbook.store import log

    counts = log.counts(_store())
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(counts, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    if not counts["registers"]:
        print("The log is empty.")
        return 0
    print(f"{'register':<10} {'statements':>12} {'records':>10} {'conflicts':>10}")
    for row in counts["registers"]:
        print(
            f"{row['register']:<10} {row['statements']:>12,} {row['records']:>10,} "
            f"{row['conflicts']:>10,}"
        )
    print()
    print(
        f"{'register':<10} {'publisher':<40} {'statements':>12} {'records':>10} {'with errors':>12}"
    )
    for row in counts["publishers"]:
        name = row["publisher"] or "(not stated)"
        print(
            f"{row['register']:<10} {name[:40]:<40} {row['statements']:>12,} "
            f"{row['records']:>10,} {row['with_errors']:>12,}"
        )
    return 0


def _export(arguments) -> int:
    from openbook.export import ExportError, Progress, export
    from openbook.export.progress import Bar

    store = _store()
    target = arguments.to or config.downloads_dir()
    try:
        written = export(store, target, progress=Progress() if arguments.no_progress else Bar())
    except ExportError as error:
        print(f"openbook export: {error}", file=sys.stderr)
        return 1
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(written, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    counts, head = written["counts"], written["log"]["treeHead"]
    print(
        f"openbook export: {counts['releases']:,} releases and {counts['compiledReleases']:,} "
        f"compiled releases in {len(written['files'])} files, written to {target}"
    )
    print(f"consistent with the log's first {head['treeSize']:,} entries; root {head['rootHash']}")
    if not written["excel"]["available"]:
        print(f"no Excel workbook: {written['excel']['reason']}")
    return 0


def _serve(arguments) -> int:
    from openbook.web.server import run

    _store()
    return run(arguments.host, arguments.port, arguments.workers)


def _generate(arguments) -> int:
    import gzip

    from openbook.generate import generate_releases, write_jsonl

    releases = generate_releases(arguments.processes, arguments.seed)
    if arguments.output is None:
        count = write_jsonl(releases, sys.stdout.buffer)
    else:
        opener = gzip.open if arguments.output.suffix == ".gz" else open
        with opener(arguments.output, "wb") as out:
            count = write_jsonl(releases, out)
    print(f"openbook generate: wrote {count:,} releases", file=sys.stderr)
    cli_spend_links.generate_spend(arguments)
    return 0


def _migrate(arguments) -> int:
    store = _store()
    print(f"openbook: database ready ({store.vendor}: {config.redacted(config.database_url())})")
    return 0


def _demo(arguments) -> int:
    # The data published up to now, its suppliers' ownership, a signed tree head and
    # a bulk snapshot (openbook.demo; issue 8, D5).
    from openbook import demo
    from openbook.load.progress import Bar
    from openbook.store.log import log_size

    store = _store()
    if log_size(store) == 0:
        directory = config.data_dir()
        loaded = demo.load_data(store, arguments.processes, directory, progress=Bar())
        print(loaded.report)
        # The bodies' payments on these contracts, as their spending files would give them.
        linked = cli_spend_links.load_generated(
            store,
            directory / f"demo-{arguments.processes}-spend",
            arguments.processes,
            demo.SEED,
            4.0,
            start=loaded.start,
            until=loaded.until.date(),
            span=demo.SPAN,
        )
        print(f"openbook demo: loaded generated spending files, {linked:,} payments linked")
        print(f"openbook demo: loaded {loaded.ownership:,} beneficial ownership statements")
    else:
        print("openbook demo: the database already holds data; not loading again.")
    from openbook import metrics

    if metrics.overview(store)["run"] is None:
        # The figures the metrics API and the reports show (docs/methods/).
        computed = metrics.compute(store)
        print(f"openbook demo: computed the metrics in {computed.seconds:.0f} s")
    from openbook import plans

    # The action plan the platform delivers (NAP5), as bundled; loading it again stores nothing.
    plans.load(store, recorded_by="openbook demo")
    _demo_sign_and_export(store)
    if arguments.no_serve:
        return 0
    from openbook.web.server import run

    return run(arguments.host, arguments.port, arguments.workers)


def _demo_sign_and_export(store) -> None:
    """A tree head over everything loaded, as `openbook log sign` signs it, and the snapshot
    /downloads/ serves, as `openbook export` writes it: what cannot be done is said, and the
    demo goes on without it."""
    from openbook import demo, signing_keys, transparency
    from openbook.export import ExportError

    try:
        head = demo.sign(store)
    except (transparency.TransparencyError, signing_keys.SigningKeyError) as error:
        print(f"openbook demo: no tree head signed: {error}", file=sys.stderr)
    else:
        print(f"openbook demo: signed a tree head over {head['treeSize']:,} log entries")
    started = time.monotonic()
    try:
        written = demo.export_if_none(store)
    except ExportError as error:
        print(f"openbook demo: no bulk downloads written: {error}", file=sys.stderr)
    else:
        if written is not None:
            print(f"openbook demo: wrote the bulk downloads in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
