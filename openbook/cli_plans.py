"""``openbook plans``: open government action plans (NAP5 first) loaded into the log's plans
register, read back, and the fields the plan does not state, progress updates and assessments
recorded with their sources (docs/plans.md). Thin wrappers over openbook.plans."""

import sys
from datetime import date
from pathlib import Path

import orjson


def add_commands(commands) -> None:
    plans = commands.add_parser(
        "plans",
        help="load an action plan (NAP5 by default) and read its commitments and milestones",
        description="Open government action plans: each plan, commitment and milestone a record "
        "of the log's plans register, with its dates as published and as parsed, its status "
        "and whether it is overdue (docs/plans.md).",
    )
    actions = plans.add_subparsers(title="actions", metavar="ACTION")
    load = actions.add_parser(
        "load",
        help="load a plan file (default: the bundled NAP5)",
        description='Load a plan file (JSON, docs/plans.md, "The plan file"); without FILE, '
        "the UK's National Action Plan 2021-2023 (NAP5) as transcribed into openbook. Loading "
        "a file again stores nothing; a changed file stores its corrections, and withdraws what "
        "it no longer has. A file with any problem stores nothing (exit status 1). Prints what "
        "was stored and the plan's flags (a milestone that ends before it starts).",
    )
    load.add_argument("file", nargs="?", type=Path, metavar="FILE")
    load.add_argument("--publisher", metavar="NAME", help="who records it (default: the "
                      "platform's publisher, OPENBOOK_PUBLISHER_NAME)")  # fmt: skip
    load.add_argument("--json", action="store_true", help="print the report as JSON")
    load.set_defaults(run=_load)
    listing = actions.add_parser("list", help="the plans loaded, with their counts")
    listing.add_argument("--on", metavar="YYYY-MM-DD", help="overdue as of this day")
    listing.add_argument("--json", action="store_true", help="print as JSON")
    listing.set_defaults(run=_list)
    show = actions.add_parser(
        "show",
        help="a plan's milestones; or a commitment or a milestone with its history, as JSON",
        description="With PLAN alone, each milestone a line: its commitment and id, status, "
        "start and end as published, and OVERDUE or a flag; --json gives the whole plan as "
        "GET /api/plans/{plan_id} does. With COMMITMENT (and MILESTONE), that one as JSON, "
        "with every statement of it.",
    )
    show.add_argument("plan", metavar="PLAN")
    show.add_argument("commitment", nargs="?", metavar="COMMITMENT")
    show.add_argument("milestone", nargs="?", metavar="MILESTONE")
    show.add_argument("--on", metavar="YYYY-MM-DD", help="overdue as of this day")
    show.add_argument("--json", action="store_true", help="print as JSON")
    show.set_defaults(run=_show)
    record = actions.add_parser(
        "set",
        help="record a commitment's field the plan does not state, with its source",
        description="Record a commitment's leadBody, ogpValues (comma-separated: "
        "access-to-information, civic-participation, public-accountability, "
        "technology-and-innovation) or problem, with where it comes from (--source: an address "
        "or a citation). A statement in the log; the plan's own facts are unchanged.",
    )
    record.add_argument("plan", metavar="PLAN")
    record.add_argument("commitment", metavar="COMMITMENT")
    record.add_argument("field", choices=("leadBody", "ogpValues", "problem"))
    record.add_argument("value", metavar="VALUE")
    record.add_argument("--source", required=True, metavar="SOURCE")
    record.add_argument("--publisher", metavar="NAME")
    record.set_defaults(run=_set)
    _add_update(actions)
    _add_assess(actions)


def _add_update(actions) -> None:
    update = actions.add_parser(
        "update",
        help="record a dated progress update of a milestone (or of a commitment)",
        description="Record how a milestone stood on a day: its status on the IRM's completion "
        "scale (no-evidence, not-started, limited, substantial, complete) or withdrawn, what "
        "happened, and the evidence. Without MILESTONE, an update of the commitment. A "
        "statement in the log, with who recorded it. A milestone the platform measures "
        "(docs/methods/plan-milestones.md) takes no update: its status follows from the "
        "figures. Exit status 2 for what is refused, 1 for an unknown plan, commitment or "
        "milestone.",
    )
    update.add_argument("plan", metavar="PLAN")
    update.add_argument("commitment", metavar="COMMITMENT")
    update.add_argument("milestone", nargs="?", metavar="MILESTONE")
    update.add_argument("--date", required=True, metavar="YYYY-MM-DD",
                        help="the day it stood so (not after today)")  # fmt: skip
    update.add_argument("--status", required=True, metavar="STATUS")
    told = update.add_mutually_exclusive_group(required=True)
    told.add_argument("--narrative", metavar="TEXT", help="what happened, in words")
    told.add_argument("--narrative-file", type=Path, metavar="FILE",
                      help="what happened, from a UTF-8 text file")  # fmt: skip
    update.add_argument("--evidence", action="append", nargs="+", default=[],
                        metavar=("URL", "TITLE"),
                        help="an address showing it, and its title if you like; again for "
                             "more (at most 20)")  # fmt: skip
    update.add_argument("--publisher", metavar="NAME")
    update.set_defaults(run=_update)


def _add_assess(actions) -> None:
    from openbook.standards.plans import OGP_VALUES
    from openbook.standards.plans.assessment import INDICATORS

    assess = actions.add_parser(
        "assess",
        help="record an assessment of a commitment in the manner of the OGP's IRM",
        description="Record an assessment of a commitment on the Independent Reporting "
        "Mechanism's indicators (any of them: an Action Plan Review gives the first three, a "
        "Results Report the last two), with where it comes from (--source: an address or a "
        "document's name) and its date. A statement in the log; the commitment reads each "
        'indicator\'s newest value (docs/plans.md, "Assessment").',
    )
    assess.add_argument("plan", metavar="PLAN")
    assess.add_argument("commitment", metavar="COMMITMENT")
    assess.add_argument("--date", required=True, metavar="YYYY-MM-DD",
                        help="the assessment's date, as its source gives it")  # fmt: skip
    assess.add_argument("--source", required=True, metavar="SOURCE")
    for option, name, about in (
        ("--verifiable", "verifiable", "verifiability"),
        ("--lens", "openGovernmentLens", "does it have an open government lens?"),
        ("--potential", "potentialForResults", "potential for results"),
        ("--completion", "completion", "completion"),
        ("--early-results", "earlyResults", "early results: did it open government?"),
    ):
        assess.add_argument(option, dest=name, metavar="VALUE",
                            help=f"{about}: {', '.join(INDICATORS[name])}")  # fmt: skip
    assess.add_argument("--lens-values", metavar="VALUES",
                        help="the OGP values its lens advances, comma-separated: "
                             f"{', '.join(OGP_VALUES)}")  # fmt: skip
    assess.add_argument("--assessed-by", metavar="NAME",
                        help="who made it (the IRM, a civil society group)")  # fmt: skip
    assess.add_argument("--note", metavar="TEXT", help="what it says, in a few words")
    assess.add_argument("--publisher", metavar="NAME")
    assess.set_defaults(run=_assess)


# The use case is imported after _store(), which sets Django up: it imports the models.


def _load(arguments) -> int:
    from openbook.cli import _store

    if arguments.file is not None and not arguments.file.is_file():
        print(f"openbook plans load: no such file: {arguments.file}", file=sys.stderr)
        return 2
    store = _store()
    from openbook import plans
    from openbook.cli_publishing import _actor
    from openbook.standards.plans.document import PlanFileRefused

    try:
        report = plans.load(
            store, arguments.file, publisher=arguments.publisher, recorded_by=_actor().who
        )
    except PlanFileRefused as refused:
        print(f"openbook plans load: {refused}", file=sys.stderr)
        for problem in refused.problems:
            print(f"  {problem.path or '/'}: {problem.code}: {problem.message}", file=sys.stderr)
        return 1
    found = report.as_dict()
    if arguments.json:
        _print(found)
        return 0
    print(f"{found['file']}: plan {found['plan']}, {found['commitments']} commitments, "
          f"{found['milestones']} milestones: {len(found['created'])} records new, "
          f"{len(found['corrected'])} corrected, {len(found['reinstated'])} reinstated, "
          f"{len(found['withdrawn'])} withdrawn, {found['unchanged']} unchanged")  # fmt: skip
    for name in ("corrected", "reinstated", "withdrawn"):
        for record_key in found[name]:
            print(f"  {name}: {record_key}")
    for flag in found["flags"]:
        where = flag["commitment"] + (f"/{flag['milestone']}" if flag["milestone"] else "")
        print(f"  {flag['kind']}: {where}: {flag['code']}: {flag['message']}")
    return 0


def _day(command: str, value: str | None) -> date | int | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        print(f"openbook plans {command}: --on: {value[:40]!r} is not YYYY-MM-DD", file=sys.stderr)
        return 2


def _list(arguments) -> int:
    from openbook.cli import _store

    on = _day("list", arguments.on)
    if isinstance(on, int):
        return on
    store = _store()
    from openbook import plans

    found = plans.plans(store, on)
    if arguments.json:
        _print(found)
        return 0
    if not found:
        print("No plan is loaded: openbook plans load loads NAP5.")
    for each in found:
        summary = each["summary"]
        print(f"{each['id']}  {each['title']}: {summary['commitments']} commitments, "
              f"{summary['milestones']} milestones, {summary['overdue']} overdue")  # fmt: skip
    return 0


def _show(arguments) -> int:
    from openbook.cli import _store

    on = _day("show", arguments.on)
    if isinstance(on, int):
        return on
    store = _store()
    from openbook import plans

    try:
        if arguments.milestone is not None:
            _print(plans.milestone(store, arguments.plan, arguments.commitment,
                                   arguments.milestone, on))  # fmt: skip
            return 0
        if arguments.commitment is not None:
            _print(plans.commitment(store, arguments.plan, arguments.commitment, on))
            return 0
        found = plans.plan(store, arguments.plan, on)
    except plans.NotFound as error:
        print(f"openbook plans show: {error}", file=sys.stderr)
        return 1
    if arguments.json:
        _print(found)
        return 0
    print(f"{found['title']} (as of {found['asOf']})")
    for commitment in found["commitments"]:
        print(f"{commitment['id']}: {commitment['title']}")
        for each in commitment["milestones"]:
            marks = (["OVERDUE"] if each["overdue"] else []) + [f["code"] for f in each["flags"]]
            if each["measured"] is not None:  # what the status follows from
                marks.append(f"measured: {each['measured']['why']}")
            print(f"  {each['id']:>3}  {each['status']:<12} {each['start']['asPublished']:>10} "
                  f"to {each['end']['asPublished']:<10} {' '.join(marks)}")  # fmt: skip
    return 0


def _set(arguments) -> int:
    from openbook.cli import _store

    store = _store()
    from openbook import plans
    from openbook.cli_publishing import _actor

    try:
        outcome = plans.record_field(
            store,
            arguments.plan,
            arguments.commitment,
            arguments.field,
            arguments.value,
            source=arguments.source,
            recorded_by=_actor().who,
            publisher=arguments.publisher,
        )
    except plans.NotFound as error:
        print(f"openbook plans set: {error}", file=sys.stderr)
        return 1
    except plans.Invalid as error:
        for what, why in error.problems:
            print(f"openbook plans set: {what}: {why}", file=sys.stderr)
        return 2
    print(f"openbook: {arguments.plan}/{arguments.commitment} {arguments.field} {outcome}")
    return 0


def _update(arguments) -> int:
    narrative = arguments.narrative
    if arguments.narrative_file is not None:
        narrative = _read_text("update", arguments.narrative_file)
        if narrative is None:
            return 2
    evidence = []
    for number, given in enumerate(arguments.evidence, start=1):
        if len(given) > 2:
            print(f"openbook plans update: --evidence {number}: give an address and at most a "
                  f"title (in quotes), not {len(given)} words", file=sys.stderr)  # fmt: skip
            return 2
        evidence.append({"url": given[0], **({"title": given[1]} if len(given) > 1 else {})})
    from openbook.cli import _store

    store = _store()
    from openbook import plans
    from openbook.cli_publishing import _actor

    target = "/".join(
        part for part in (arguments.plan, arguments.commitment, arguments.milestone) if part
    )
    return _recorded(
        "update",
        target,
        lambda: plans.record_update(
            store,
            arguments.plan,
            arguments.commitment,
            arguments.milestone,
            day=arguments.date,
            status=arguments.status,
            narrative=narrative,
            evidence=evidence,
            recorded_by=_actor().who,
            publisher=arguments.publisher,
        ),
    )


def _assess(arguments) -> int:
    from openbook.cli import _store
    from openbook.standards.plans.assessment import INDICATORS

    store = _store()
    from openbook import plans
    from openbook.cli_publishing import _actor

    return _recorded(
        "assess",
        f"{arguments.plan}/{arguments.commitment} assessment",
        lambda: plans.record_assessment(
            store,
            arguments.plan,
            arguments.commitment,
            day=arguments.date,
            source=arguments.source,
            indicators={name: getattr(arguments, name) for name in INDICATORS},
            lens_values=arguments.lens_values,
            assessed_by=arguments.assessed_by,
            note=arguments.note,
            recorded_by=_actor().who,
            publisher=arguments.publisher,
        ),
    )


def _recorded(command: str, target: str, record) -> int:
    from openbook import plans

    try:
        outcome = record()
    except plans.NotFound as error:
        print(f"openbook plans {command}: {error}", file=sys.stderr)
        return 1
    except plans.Invalid as error:
        for what, why in error.problems:
            print(f"openbook plans {command}: {what}: {why}", file=sys.stderr)
        print(f"openbook plans {command}: nothing was recorded", file=sys.stderr)
        return 2
    print(f"openbook: {target} {outcome}")
    return 0


def _read_text(command: str, path: Path) -> str | None:
    """A UTF-8 text file's text, or None having said why not."""
    try:
        data = path.read_bytes()
    except OSError as error:
        print(f"openbook plans {command}: {path}: {error.strerror}", file=sys.stderr)
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        print(f"openbook plans {command}: {path}: not UTF-8 text (byte {error.start + 1} is "
              f"{data[error.start]:#04x}): save it as UTF-8", file=sys.stderr)  # fmt: skip
        return None


def _print(value) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
