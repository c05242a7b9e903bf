"""``openbook bods``: beneficial ownership statements (BODS 0.4) loaded into the log, and their
records (docs/bods.md). Thin wrappers over openbook.bods and openbook.psc_import."""

import argparse
import sys
from datetime import date
from pathlib import Path

import orjson


def add_commands(commands) -> None:
    bods = commands.add_parser(
        "bods",
        help="load beneficial ownership statements (BODS 0.4) and read their records",
        description="Beneficial ownership statements in the Beneficial Ownership Data "
        "Standard 0.4, in the log's bods register (docs/bods.md).",
    )
    actions = bods.add_subparsers(title="actions", metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load BODS files: JSON arrays, JSON Lines, gzip",
        description="Load BODS 0.4 statements: each is validated against the BODS 0.4 schema "
        "and kept with its problems; loading a file again stores nothing twice. Then every "
        "record with new statements is compiled.",
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.set_defaults(run=_load)
    imported = actions.add_parser(
        "import-psc",
        help="import Companies House PSC snapshot records as BODS statements",
        description="Companies House persons with significant control (the PSC snapshot's "
        "JSON Lines, or JSON arrays of its records; gzip too) as BODS 0.4 statements: each "
        "company, person or body and their relationship (docs/bods.md). A newer snapshot adds "
        "only what changed: updates, and closures of ceased PSCs; with --full-snapshot, "
        "closures of PSCs it no longer lists too. Companies House's streaming API events (its "
        "PSC stream, saved as JSON Lines) load the same way: a changed event as a record of "
        "its day, a deleted one closing the PSC's relationship.",
    )
    imported.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imported.add_argument(
        "--companies",
        action="append",
        type=Path,
        default=[],
        metavar="FILE",
        help="Companies House company data (its basic company data CSV, or a JSON array of "
        "its rows), for the companies' names, addresses and incorporation dates",
    )
    imported.add_argument(
        "--full-snapshot",
        action="store_true",
        help="the files are the whole of one snapshot (give every part of it in this one "
        "command): close the relationship of each PSC that a company they list no longer has. "
        "Without it, the files may be a part and close nothing but PSCs that have ceased",
    )
    imported.add_argument(
        "--snapshot-date",
        type=_snapshot_date,
        metavar="YYYY-MM-DD",
        help="the day of the snapshot, for its records that carry no date (Companies House's "
        "own files name it only in the file name): their statements and, with "
        "--full-snapshot, the closures are of that day. Without it, of the day of the import",
    )
    imported.add_argument("--json", action="store_true", help="print the report as JSON")
    imported.set_defaults(run=_import_psc)
    record = actions.add_parser(
        "record",
        help="print a record and its statements as JSON",
        description="A compiled BODS record (entity, person or relationship), by its recordId, "
        "with every statement of it in log order.",
    )
    record.add_argument("record_id", metavar="RECORD_ID")
    record.set_defaults(run=_record)


# The use cases are imported after _store(), which sets Django up: they import the models.


def _load(arguments) -> int:
    from openbook.cli import _store

    if _missing("load", arguments.files):
        return 2
    store = _store()
    from openbook import bods

    try:
        report = bods.load(store, arguments.files)
    except bods.LoadStopped as stopped:  # where, why, and what it stored: no traceback
        print(f"openbook bods load: {stopped}", file=sys.stderr)
        _report(stopped.report, arguments)  # its counts: what was stored before it stopped
        return 1
    return _report(report, arguments)


def _import_psc(arguments) -> int:
    from openbook.cli import _store

    if _missing("import-psc", [*arguments.files, *arguments.companies]):
        return 2
    store = _store()
    from openbook import psc_import

    try:
        report = psc_import.import_psc(
            store,
            arguments.files,
            arguments.companies,
            full_snapshot=arguments.full_snapshot,
            snapshot_date=arguments.snapshot_date,
        )
    except psc_import.ImportStopped as stopped:  # where, why, and what it stored: no traceback
        print(f"openbook bods import-psc: {stopped}", file=sys.stderr)
        _report(stopped.report, arguments)  # its counts: what was stored before it stopped
        return 1
    return _report(report, arguments)


def _snapshot_date(text: str) -> str:
    """--snapshot-date, refused with why before anything is read (argparse's exit status 2)."""
    from openbook.standards.bods import psc

    try:
        return psc.snapshot_date(text, date.today())
    except psc.InvalidSnapshotDate as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _missing(action: str, paths: list[Path]) -> bool:
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        print(f"openbook bods {action}: no such file: {', '.join(missing)}", file=sys.stderr)
    return bool(missing)


def _report(report, arguments) -> int:
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        print(
            f"{report.files} file(s), {report.read:,} statements read: {report.loaded:,} loaded, "
            f"{report.duplicates:,} already in the log, {report.conflicts:,} conflicting with "
            f"a stored statement of the same id; {report.invalid:,} invalid (kept, with their "
            f"problems); {report.records:,} records compiled."
        )
        if report.full_snapshot is not None:
            _print_closures(report)
        for keyword, count in sorted(report.problems.items()):
            print(f"  problems '{keyword}': {count:,}")
        for line in report.unusable[:50]:
            print(f"  not loaded: {line}")
        if len(report.unusable) > 50:
            print(f"  ... and {len(report.unusable) - 50:,} more not loaded (--json lists all)")
    return 1 if report.unusable else 0


def _print_closures(report) -> None:
    if report.full_snapshot:
        print(f"  Full snapshot: {report.no_longer_listed:,} relationship(s) closed (PSC no "
              "longer listed).")  # fmt: skip
    else:
        print("  Not a full snapshot (--full-snapshot): no PSC closed for not being listed.")
    if report.deleted:
        print(f"  {report.deleted:,} relationship(s) closed: the streaming API reported the PSC's "
              "record deleted.")  # fmt: skip
    for line in report.listed_again[:50]:
        print(f"  new record, PSC listed again: {line}")
    if len(report.listed_again) > 50:
        print(f"  ... and {len(report.listed_again) - 50:,} more listed again (--json lists all)")
    if report.after_closed:
        print(f"  {report.after_closed:,} statement(s) not made: their record is closed "
              "(a ceased PSC changed, or a snapshot older than the closure).")  # fmt: skip
    for line in report.not_closed[:50]:
        print(f"  not closed: {line}")
    if len(report.not_closed) > 50:
        print(f"  ... and {len(report.not_closed) - 50:,} more not closed (--json lists all)")


def _record(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import bods

    found = bods.record(store, arguments.record_id)
    if found is None:
        print(f"openbook bods record: no record {arguments.record_id!r}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(orjson.dumps(found, option=orjson.OPT_INDENT_2) + b"\n")
    return 0
