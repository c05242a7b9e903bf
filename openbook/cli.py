"""The ``openbook`` command: thin wrappers over the use cases (docs/cli.md)."""

import argparse
import os
import sys
from pathlib import Path

import orjson

from openbook import __version__, config


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
    from openbook.load.loader import load
    from openbook.load.progress import Bar

    store = _store()
    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        print(f"openbook load: no such file: {', '.join(missing)}", file=sys.stderr)
    paths = [path for path in arguments.paths if path.exists()]
    progress = None if arguments.no_progress else Bar()
    report = load(
        store, paths, publisher=arguments.publisher, strict=arguments.strict, progress=progress
    )
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print(report.as_text())
    return 1 if report.rejected or missing else 0


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
    return 0


def _migrate(arguments) -> int:
    store = _store()
    print(f"openbook: database ready ({store.vendor}: {config.redacted(config.database_url())})")
    return 0


def _demo(arguments) -> int:
    from openbook.generate import generate_releases, write_jsonl
    from openbook.load.loader import load
    from openbook.load.progress import Bar
    from openbook.store.log import log_size

    store = _store()
    if log_size(store) == 0:
        path = config.data_dir() / f"demo-{arguments.processes}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        print(f"openbook demo: generating {arguments.processes:,} UK-style processes into {path}")
        with path.open("wb") as out:
            write_jsonl(generate_releases(arguments.processes, 1), out)
        report = load(store, [path], publisher="openbook demonstration data", progress=Bar())
        print(report.as_text())
    else:
        print("openbook demo: the database already holds data; not loading again.")
    if arguments.no_serve:
        return 0
    from openbook.web.server import run

    return run(arguments.host, arguments.port, arguments.workers)


if __name__ == "__main__":
    sys.exit(main())
