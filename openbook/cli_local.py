"""``openbook lgtc`` and ``openbook grants``: local transparency on the spine (issue 9, item 5;
docs/local-transparency.md). Councils' contracts registers become OCDS releases; 360Giving grant
files become the grants register. Thin wrappers over openbook.lgtc and openbook.grants."""

import sys
from pathlib import Path

import orjson

from openbook import cli_show

SHOWN = 50  # refused rows and notes printed per file; --json gives them all


def add_commands(commands) -> None:
    _lgtc(commands)
    _grants(commands)


def _lgtc(commands) -> None:
    lgtc = commands.add_parser(
        "lgtc",
        help="load councils' contracts registers (Transparency Code, over £5,000) as OCDS",
        description="The Local Government Transparency Code 2015's contracts over £5,000, as "
        "councils publish them, loaded as OCDS releases of the log's processes "
        "(docs/local-transparency.md).",
    )
    actions = lgtc.add_subparsers(title="actions", metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load contracts registers (CSV): each contract a release of its process",
        description="Load contracts register CSV files. Columns are found by their names "
        "(the Local Government Association's, the Code's and real councils' variants), or as "
        "a --mapping file says; the report says what was understood of each file. Each "
        "process is the file's Open Contracting ID, or an ocid minted from the council and the "
        "contract's reference. Loading a file again appends nothing; an amended row appends a "
        "new release of its process. A file refused stores nothing. Exits 1 if a file or a "
        "row was refused.",
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument(
        "--council",
        metavar="NAME-or-ID",
        help="the council whose register it is (a registered organisation, its identifier, or "
        "a name); needed when the files do not name it",
    )
    load.add_argument(
        "--council-id",
        metavar="SCHEME-ID",
        help="the council's organisation identifier, such as GB-LAE-SLF",
    )
    load.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="a JSON or TOML file naming the column of each field (docs/local-transparency.md)",
    )
    load.add_argument(
        "--date-order",
        choices=("day-first", "month-first"),
        help="how to read numeric dates such as 03/04/2022 when the file does not settle it",
    )
    load.add_argument("--encoding", metavar="NAME", help="the files' encoding, if not detected")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.set_defaults(run=_lgtc_load)


# The use cases are imported after _store(), which sets Django up: they import the models.


def _missing(command: str, files: list[Path]) -> bool:
    missing = [str(path) for path in files if not path.is_file()]
    if missing:
        print(f"openbook {command}: no such file: {', '.join(missing)}", file=sys.stderr)
    return bool(missing)


def _lgtc_load(arguments) -> int:
    from openbook.cli import _store

    if _missing("lgtc load", arguments.files):
        return 2
    if arguments.council_id is not None and arguments.council is None:
        print("openbook lgtc load: --council-id goes with --council NAME", file=sys.stderr)
        return 2
    from openbook.standards.lgtc import FIELDS
    from openbook.standards.spend import mapping

    explicit = None
    if arguments.mapping is not None:
        try:
            explicit = mapping.read_explicit(
                arguments.mapping.read_bytes(), arguments.mapping.name, FIELDS
            )
        except OSError as error:
            print(f"openbook lgtc load: --mapping: {error.strerror}", file=sys.stderr)
            return 2
        except mapping.MappingError as error:
            print(f"openbook lgtc load: --mapping: {error}", file=sys.stderr)
            return 2
    store = _store()
    from openbook import lgtc
    from openbook.spend import BodyProblem

    council = None
    if arguments.council is not None:
        try:
            council = lgtc.resolve_council(store, arguments.council, arguments.council_id)
        except BodyProblem as error:
            print(f"openbook lgtc load: --council: {error}", file=sys.stderr)
            return 2
    report = lgtc.load(
        store,
        arguments.files,
        council=council,
        explicit=explicit,
        date_order=arguments.date_order,
        encoding=arguments.encoding,
    )
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        for found in report.files:
            _print_lgtc_file(found.as_dict())
        print(f"processes compiled: {report.compiled:,}")
        for problem in report.review.problems_text():
            print(problem)
    if report.compiled:
        # New contracts: payments are linked again, as after `openbook load`.
        from openbook import cli_spend_links

        cli_spend_links.link_after_load(store)
    return 1 if report.problems else 0


def _print_lgtc_file(found: dict) -> None:
    if found["refused"]:
        print(f"{found['file']}: refused, nothing stored: {found['refused']}")
        return
    mapped = found["mapping"]
    fields = ", ".join(
        f"{name} = {each['column']!r}" + ("" if each["how"] == "known" else f" ({each['how']})")
        for name, each in mapped["fields"].items()
    )
    print(f"{found['file']}: {found['encoding']}; header on line {mapped['headerRow']} "
          f"({found['linesAbove']} line(s) above it); councils: "
          f"{', '.join(found['councils']) or 'none'}")  # fmt: skip
    print(f"  columns: {fields}")
    for header, why in mapped["ignored"].items():
        print(f"  not mapped: {header!r}: {why}")
    print(f"  dates: {found['dates']}")
    print(f"  {found['rows']:,} row(s) read ({found['blank']:,} blank passed over): "
          f"{found['contracts']:,} contract(s) in {found['processes']:,} process(es) "
          f"({found['ocidsGiven']:,} contracts with the file's ocid, {found['ocidsMinted']:,} "
          f"minted); {len(found['repeated']):,} repeated rows, "
          f"{len(found['refusedRows']):,} refused")  # fmt: skip
    print(f"  processes: {found['newProcesses']:,} new, {found['amendedProcesses']:,} with a "
          f"new release, {found['alreadyThere']:,} already there; {found['releasesLoaded']:,} "
          f"release(s) appended")  # fmt: skip
    for name, count in found["read"].items():
        print(f"  {name}: {count:,}")
    for each in found["refusedRows"][:SHOWN]:
        print(f"  refused: {each['file']}, row {each['row']}: {each['reason']}")
    for each in found["notes"][:SHOWN]:
        print(f"  note: {each['file']}, row {each['row']}, {each['column']!r}: {each['message']}")
    hidden = max(0, len(found["refusedRows"]) - SHOWN) + max(0, len(found["notes"]) - SHOWN)
    if hidden:
        print(f"  ... and {hidden:,} more (--json lists all)")
    for each in found["repeated"][:SHOWN]:
        print(f"  row {each['row']} repeats row {each['repeats']}: one contract")
    for each in found["skipped"][:SHOWN]:
        print(f"  passed over: row {each['row']}: {each['reason']}")


def _grants(commands) -> None:
    grants = commands.add_parser(
        "grants",
        help="load 360Giving grant files and read the grants register",
        description="Grants in the 360Giving Data Standard (JSON, or its spreadsheet form saved "
        "as CSV), each a statement in the log's grants register, its recipients resolved to "
        "organisations by identifier (docs/local-transparency.md).",
    )
    actions = grants.add_subparsers(title="actions", metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load 360Giving files (JSON or CSV): each grant a statement",
        description="Load 360Giving files. Each grant is reviewed against the standard's schema "
        "and kept with its review; a grant without an id is refused. Loading a file again "
        "stores nothing; a grant changed since stores its next version. A file refused stores "
        "nothing. Exits 1 if a file or a grant was refused.",
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--encoding", metavar="NAME", help="the files' encoding, if not detected")
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.set_defaults(run=_grants_load)
    show = actions.add_parser(
        "show",
        help="list grants, or show one with every statement of it",
        description="With ID, a grant and its statements, as JSON. Without, grants in award "
        "date order, filtered.",
    )
    show.add_argument("record_key", nargs="?", metavar="ID")
    show.add_argument("--funder", metavar="NAME-or-ID")
    show.add_argument("--recipient", metavar="SCHEME-ID")
    show.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    show.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    show.add_argument("--limit", type=int, default=100, metavar="N")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(run=_grants_show)


def _grants_load(arguments) -> int:
    from openbook.cli import _store

    if _missing("grants load", arguments.files):
        return 2
    store = _store()
    from openbook import grants

    report = grants.load(store, arguments.files, encoding=arguments.encoding)
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        return 1 if report.problems else 0
    for found in report.files:
        _print_grants_file(found.as_dict())
    return 1 if report.problems else 0


def _print_grants_file(found: dict) -> None:
    if found["refused"]:
        print(f"{found['file']}: refused, nothing stored: {found['refused']}")
        return
    print(f"{found['file']}: {found['format'].upper()}, {found['encoding']}")
    if found["mapping"]:
        mapped = found["mapping"]
        print(f"  columns of the standard: {len(mapped['fields']):,}; kept as they are: "
              f"{', '.join(map(repr, mapped['otherColumns'])) or 'none'}")  # fmt: skip
    print(f"  {found['grants']:,} grant(s) read: {found['loaded']:,} loaded, "
          f"{found['updated']:,} updated (a new version), {found['alreadyThere']:,} already "
          f"there, {len(found['refusedGrants']):,} refused, {len(found['repeated']):,} "
          "repeated")  # fmt: skip
    print(f"  award dates: {found['awardDates']}")
    for what, count in found["recipients"].items():
        print(f"  recipients {what}: {count:,}")
    for what, count in found["read"].items():
        print(f"  {what}: {count:,}")
    for each in found["refusedGrants"][:SHOWN]:
        print(f"  refused: {each['file']}, {each['where']}: {each['reason']}")
    for each in found["topProblems"]:
        print(f"  {each['count']:>7,}  {each['severity']:<7} {each['code']:<10} "
              f"{each['path'] or '(grant)'}  e.g. {each['example']}")  # fmt: skip


def _grants_show(arguments) -> int:
    from openbook import grants

    def listing(store):
        try:
            page = grants.page(
                store,
                funder=arguments.funder,
                recipient=arguments.recipient,
                date_from=arguments.date_from,
                date_to=arguments.date_to,
                limit=max(1, min(arguments.limit, grants.MAX_LIMIT)),
            )
        except grants.InvalidIdentifier as error:
            raise cli_show.OptionProblem("--recipient", str(error)) from None
        return page, page["grants"]

    def printed(each: dict) -> str:
        grant = each["grant"] or {}
        recipients = grant.get("recipientOrganization") or [grant.get("recipientIndividual")]
        names = [r.get("name", "") for r in recipients if isinstance(r, dict)]
        return (f"{each['awardDate'] or '':<10}  {each['amount'] or '':>12} "
                f"{each['currency'] or '':<3}  {', '.join(names) or '(redacted)'}  "
                f"{each['id']}")  # fmt: skip

    return cli_show.show(
        arguments,
        "openbook grants show",
        "grant",
        history=grants.history,
        listing=listing,
        printed=printed,
    )
