"""``openbook spend``: public bodies' spending files loaded into the log's spend register, and
its transactions read back (docs/spend.md). Thin wrappers over openbook.spend."""

import sys
from pathlib import Path

import orjson

from openbook import cli_show, cli_spend_links

SHOWN = 50  # refused rows and notes printed per file; --json gives them all


def add_commands(commands) -> None:
    spend = commands.add_parser(
        "spend",
        help="load public bodies' spending files (CSV) and read their transactions",
        description="Payments as public bodies publish them (central government spend over "
        "£25,000, the Local Government Transparency Code's over £500, and their variants), "
        "each a statement in the log's spend register (docs/spend.md).",
    )
    actions = spend.add_subparsers(title="actions", metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load spending files (CSV): each row a transaction",
        description="Load spending CSV files. Columns are found by their names (known "
        "variants), or as a --mapping file says; the report says what was understood of each "
        "file. Loading a file again stores nothing; an amended file (same name, same body) "
        "stores exactly its corrections, and withdraws the transactions it no longer has. A "
        "file refused stores nothing. Exits 1 if a file or a row was refused.",
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument(
        "--body",
        metavar="NAME-or-ID",
        help="the body that paid (a registered organisation, its identifier SCHEME-ID, or a "
        "name); needed when the files do not name it",
    )
    load.add_argument(
        "--mapping",
        type=Path,
        metavar="FILE",
        help="a JSON or TOML file naming the column of each field (docs/spend.md)",
    )
    load.add_argument(
        "--as",
        dest="source",
        metavar="NAME",
        help="the name the file goes by (default: its file name): an amended file given the "
        "earlier one's name corrects it",
    )
    load.add_argument(
        "--date-order",
        choices=("day-first", "month-first"),
        help="how to read numeric dates such as 03/04/2022 when the file does not settle it",
    )
    load.add_argument("--encoding", metavar="NAME", help="the files' encoding, if not detected")
    load.add_argument(
        "--replace",
        action="store_true",
        help="the file replaces the earlier one of its name even though it drops most of it",
    )
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    cli_spend_links.add_no_link(load)
    load.set_defaults(run=_load)
    show = actions.add_parser(
        "show",
        help="list transactions, or show one with every statement of it",
        description="With ID, a transaction and its statements, as JSON. Without, published "
        "transactions in date order, filtered.",
    )
    show.add_argument("record_key", nargs="?", metavar="ID")
    show.add_argument("--body", metavar="NAME-or-ID")
    show.add_argument("--supplier", metavar="NAME")
    show.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    show.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    show.add_argument("--limit", type=int, default=100, metavar="N")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(run=_show)
    cli_spend_links.add_actions(actions)


# The use case is imported after _store(), which sets Django up: it imports the models.


def _load(arguments) -> int:
    from openbook.cli import _store

    missing = [str(path) for path in arguments.files if not path.is_file()]
    if missing:
        print(f"openbook spend load: no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    if arguments.source is not None and len(arguments.files) > 1:
        print("openbook spend load: --as names one file: give one FILE", file=sys.stderr)
        return 2
    from openbook.standards.spend import mapping

    explicit = None
    if arguments.mapping is not None:
        try:
            explicit = mapping.read_explicit(arguments.mapping.read_bytes(), arguments.mapping.name)
        except OSError as error:
            print(f"openbook spend load: --mapping: {error.strerror}", file=sys.stderr)
            return 2
        except mapping.MappingError as error:
            print(f"openbook spend load: --mapping: {error}", file=sys.stderr)
            return 2
    store = _store()
    from openbook import spend

    body = None
    if arguments.body is not None:
        try:
            body = spend.resolve_body(store, arguments.body)
        except spend.BodyProblem as error:
            print(f"openbook spend load: --body: {error}", file=sys.stderr)
            return 2
    report = spend.load(
        store,
        arguments.files,
        body=body,
        explicit=explicit,
        source=arguments.source,
        date_order=arguments.date_order,
        encoding=arguments.encoding,
        replace=arguments.replace,
    )
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
    else:
        for found in report.files:
            _print_file(found.as_dict())
    changed = sum(map(report.count, ("loaded", "corrected", "reinstated", "withdrawn")))
    if changed and not arguments.no_link:
        cli_spend_links.run_link(store, quiet=arguments.json)
    return 1 if report.problems else 0


def _print_file(found: dict) -> None:
    if found["refused"]:
        print(f"{found['file']}: refused, nothing stored: {found['refused']}")
        return
    mapped = found["mapping"]
    fields = ", ".join(
        f"{name} = {each['column']!r}" + ("" if each["how"] == "known" else f" ({each['how']})")
        for name, each in mapped["fields"].items()
    )
    print(f"{found['file']} (as {found['source']!r}): {found['encoding']}; header on line "
          f"{mapped['headerRow']} ({found['linesAbove']} line(s) above it)")  # fmt: skip
    print(f"  columns: {fields}")
    if mapped["otherColumns"]:
        print(f"  kept as they are: {', '.join(map(repr, mapped['otherColumns']))}")
    for header, why in mapped["ignored"].items():
        print(f"  not kept: {header!r}: {why}")
    print(f"  dates: {found['dates']}")
    print(f"  {found['rows']:,} row(s) read ({found['blank']:,} blank passed over): "
          f"{found['loaded']:,} loaded, {found['alreadyThere']:,} already there, "
          f"{found['corrected']:,} corrected, {found['reinstated']:,} reinstated, "
          f"{found['withdrawn']:,} withdrawn (no longer in the file), "
          f"{len(found['refusedRows']):,} refused")  # fmt: skip
    totals = "; ".join(f"{amount} {currency}" for currency, amount in found["totals"].items())
    print(f"  total of the rows read: {totals or 'none'}")
    if found["withdrawalsHeldBack"]:
        print(f"  {found['withdrawalsHeldBack']:,} transaction(s) no longer in the file were "
              "not withdrawn, as rows were refused: correct the file, load it again")  # fmt: skip
    for each in found["refusedRows"][:SHOWN]:
        print(f"  refused: {each['file']}, row {each['row']}: {each['reason']}")
    if len(found["refusedRows"]) > SHOWN:
        print(f"  ... and {len(found['refusedRows']) - SHOWN:,} more refused (--json lists all)")
    for each in found["skipped"][:SHOWN]:
        print(f"  passed over: row {each['row']}: {each['reason']}")
    for note in found["notes"][:SHOWN]:
        print(f"  note: {note}")


def _show(arguments) -> int:
    # Openbook.spend is imported only once cli_show has opened the store (its
    # models need Django set up), hence here and in listing rather than above.
    def history(store, key: str):
        from openbook import spend

        return spend.history(store, key)

    def listing(store):
        from openbook import spend

        page = spend.page(
            store,
            body=arguments.body,
            supplier=arguments.supplier,
            date_from=arguments.date_from,
            date_to=arguments.date_to,
            limit=max(1, min(arguments.limit, spend.MAX_LIMIT)),
        )
        return page, page["transactions"]

    def printed(each: dict) -> str:
        found = each["transaction"] or {}
        supplier = found.get("supplier", {})
        name = supplier.get("name") or "(withheld)" if found else "(redacted)"
        return (f"{found.get('date', '')}  {found.get('amount', ''):>14}  "
                f"{found.get('currency', '')}  {name}  {each['id']}")  # fmt: skip

    return cli_show.show(
        arguments,
        "openbook spend show",
        "transaction",
        history=history,
        listing=listing,
        printed=printed,
    )
