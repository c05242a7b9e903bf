"""``openbook publish payments``: a quarter's payments under public contracts published from one
file, for an organisation (Procurement Act 2023, s.70; docs/cli.md, docs/spend.md). A thin
wrapper over openbook.publishing.payments_file; the publication is recorded in the audit trail
as made by ``cli:<system user>``."""

import sys
from pathlib import Path

import orjson


def add_commands(commands) -> None:
    publish = commands.add_parser(
        "publish",
        help="publish for an organisation from a file (its payments under its contracts)",
        description="Publish for a registered organisation from a file, as its publish API "
        "key would.",
    )
    actions = publish.add_subparsers(title="actions", metavar="ACTION")
    payments = actions.add_parser(
        "payments",
        help="publish a quarter's payments over £30,000 under its contracts (s.70)",
        description="Publish the payments in FILE (CSV, or JSON Lines: .jsonl) as contract "
        "payments notices (UK8), one for each contract paid under, with the publish API's "
        "checks. The whole file is published or none of it: every problem is named by its row "
        "and column. Rows already published are skipped, so sending a file again is safe. "
        "Exits 1 if the file is refused.",
    )
    payments.add_argument("path", type=Path, metavar="FILE", help="the payments file")
    payments.add_argument(
        "--publisher",
        "--organisation",
        dest="publisher",
        required=True,
        metavar="ID",
        help="the organisation that made the payments: its number or SCHEME-ID",
    )
    payments.add_argument(
        "--format",
        choices=["csv", "jsonl"],
        help="the file's format (default: by its name, .csv or .jsonl)",
    )
    payments.add_argument(
        "--check", action="store_true", help="check it and say what it would publish; store nothing"
    )
    payments.add_argument("--json", action="store_true", help="print the answer as JSON")
    payments.set_defaults(run=_payments)


def _payments(arguments) -> int:
    from openbook.cli_publishing import _actor, _store
    from openbook.publishing.payments_rows import kind_of  # no Django: before the store

    path: Path = arguments.path
    kind = arguments.format or kind_of(path.name)
    if kind is None:
        print(
            f"openbook publish payments: {path.name}: give a .csv or .jsonl file, or --format",
            file=sys.stderr,
        )
        return 2
    store = _store()  # Django is set up first: the use case's modules import its models
    from openbook.files import read_within_limit
    from openbook.publishing import payments_file, publishers
    from openbook.standards.spend.text import FileRefused

    try:
        organisation = publishers.find_publisher(store, arguments.publisher)
        data = read_within_limit(path, "a payments file", ": split it")
        answer = payments_file.publish_payments(
            store,
            organisation,
            data,
            _actor(),
            name=path.name,
            kind=kind,
            dry_run=arguments.check,
            via="openbook publish payments",
        )
    except (publishers.PublisherError, FileRefused) as error:
        print(f"openbook publish payments: {path.name}: {error}", file=sys.stderr)
        return 1
    except payments_file.PaymentsRefused as refused:
        if arguments.json:
            value = {
                "error": {
                    "code": refused.code,
                    "message": refused.message,
                    "problems": [problem.as_dict() for problem in refused.problems],
                }
            }
            sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
        print(f"openbook publish payments: {refused.message}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(answer.as_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    verb = "would be published" if arguments.check else "published"
    print(
        f"openbook: {path.name}: {answer.rows} row{'s' if answer.rows != 1 else ''}; "
        f"{answer.payments} payment{'s' if answer.payments != 1 else ''} {verb} in "
        f"{len(answer.releases)} notice{'s' if len(answer.releases) != 1 else ''}; "
        f"{answer.already} already published"
    )
    for release in answer.releases:
        print(
            f"  {release['ocid']} contract {release['contract']}: rows "
            f"{', '.join(map(str, release['rows']))} ({release['status']}"
            + (f", log entry {release['sequence']})" if release["sequence"] else ")")
        )
    for problem in answer.problems:
        print(f"  warning: {problem}", file=sys.stderr)
    return 0
