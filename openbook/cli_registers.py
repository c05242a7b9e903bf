"""``openbook registers``: the debarment list, complaints and legal challenges from the command
line, for the platform's administrators (docs/registers.md). Thin wrappers over
openbook.registers; every write is a version in the log and an event in the audit trail, made by
``cli:<system user>`` for the organisation named with ``--publisher``."""

import sys
from pathlib import Path

import orjson

from openbook import cli_suppliers

ENTERED = ("debarment", "complaints", "challenges")


def add_commands(commands) -> None:
    cli_suppliers.add_commands(commands)  # suppliers' claims (openbook supplier)
    registers = commands.add_parser(
        "registers",
        help="list, show and record entries of the debarment list, complaints and challenges",
        description="The registers people enter (docs/registers.md): every version of an entry "
        "is a statement in the log.",
    )
    actions = registers.add_subparsers(title="actions", metavar="ACTION")
    listing = actions.add_parser("list", help="a register's entries, the newest first")
    listing.add_argument("register", choices=ENTERED)
    listing.add_argument("--organisation", metavar="SCHEME-ID", help="entries naming it")
    listing.add_argument("--status", help="entries of this status")
    listing.add_argument("--limit", type=int, default=100, metavar="N")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=_list)
    show = actions.add_parser("show", help="an entry and every version of it, as JSON")
    show.add_argument("register", choices=ENTERED)
    show.add_argument("entry_id", metavar="ENTRY_ID")
    show.set_defaults(run=_show)
    record = actions.add_parser(
        "record",
        help="record an entry (or, with --entry and --version, its next version)",
        description="Record an entry from a JSON file of its fields (docs/registers.md lists "
        "them), as an administrator of the organisation given with --publisher.",
    )
    record.add_argument("register", choices=ENTERED)
    record.add_argument("file", type=Path, metavar="FILE")
    record.add_argument("--publisher", required=True, metavar="ID", help="number or SCHEME-ID")
    record.add_argument("--entry", metavar="ENTRY_ID", help="the entry to change")
    record.add_argument("--version", type=int, metavar="N", help="the version it changes")
    record.set_defaults(run=_record)


def _list(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import registers

    try:
        found = registers.entries(
            store,
            arguments.register,
            organisation=arguments.organisation,
            status=arguments.status,
            limit=max(1, min(arguments.limit, registers.MAX_LIMIT)),
        )
    except registers.InvalidFilter as error:
        print(f"openbook registers list: {error}", file=sys.stderr)
        return 2
    if arguments.json:
        _print([registers.described(entry) for entry in found])
        return 0
    if not found:
        print(f"No entries in the {arguments.register} register match.")
    for entry in found:
        named = ", ".join(entry.organisations) or entry.ocid or ""
        print(f"{entry.entry_id}  v{entry.version}  {entry.status:<12} {named}")
    return 0


def _show(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import registers

    try:
        found = registers.entry(store, arguments.register, arguments.entry_id)
    except registers.UnknownEntry as error:
        print(f"openbook registers show: {error}", file=sys.stderr)
        return 1
    versions = registers.versions(store, arguments.register, arguments.entry_id)
    _print({**registers.described(found), "versions": versions})
    return 0


def _record(arguments) -> int:
    from openbook.cli import _store
    from openbook.cli_publishing import _actor

    store = _store()
    from openbook import registers
    from openbook.publishing.answers import Refused
    from openbook.publishing.publishers import ADMINISTRATOR, PublisherError, find_publisher

    if (arguments.entry is None) != (arguments.version is None):
        print("openbook registers record: give --entry and --version together", file=sys.stderr)
        return 2
    try:
        sent = orjson.loads(arguments.file.read_bytes())
    except OSError as error:
        print(f"openbook registers record: cannot read {arguments.file}: {error}", file=sys.stderr)
        return 2
    except orjson.JSONDecodeError as error:
        print(f"openbook registers record: {arguments.file} is not JSON: {error}", file=sys.stderr)
        return 2
    try:
        organisation = find_publisher(store, arguments.publisher)
        recorded = registers.record(
            store,
            arguments.register,
            sent,
            organisation=organisation,
            role=ADMINISTRATOR,
            actor=_actor(),
            entry_id_=arguments.entry,
            replaces=arguments.version,
        )
    except (PublisherError, registers.UnknownEntry) as error:
        print(f"openbook registers record: {error}", file=sys.stderr)
        return 1
    except Refused as refused:
        print(f"openbook registers record: {refused.message}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem.pointer or '/'}: {problem.code}: {problem.message}", file=sys.stderr)
        return 1
    entry = recorded.entry
    print(f"openbook: {entry.entry_id} version {entry.version} ({recorded.outcome})")
    return 0


def _print(value) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
