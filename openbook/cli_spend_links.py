"""``openbook spend link`` and ``openbook spend unlinked``: payments linked to the contracts
they pay for (docs/spend.md, "Linkage"); the linking run after ``spend load`` and ``load``; and
``openbook generate --spend DIR``. Thin wrappers over openbook.spend_links and
openbook.generate.spend."""

import argparse
import math
import re
import sys
from datetime import date
from pathlib import Path

import orjson

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_AFTER = re.compile(r"(\d{4}-\d{2}-\d{2})/(\S{1,400})")


def add_actions(actions) -> None:
    link = actions.add_parser(
        "link",
        help="link payments to the contracts they pay for",
        description="Link each payment of the spend register to the contract (or award) it "
        "pays for, by reference, supplier, body, date and amount (docs/spend.md, "
        "'Linkage'). Incremental: reads again only the processes changed since the last run, "
        "and links again the payments new or corrected since, and those of bodies whose "
        "contracts changed. Also run after `openbook spend load` and `openbook load`.",
    )
    link.add_argument(
        "--full", action="store_true", help="read every process and link every payment again"
    )
    link.add_argument("--json", action="store_true", help="print the report as JSON")
    link.add_argument("--no-progress", action="store_true", help="no progress bar")
    link.set_defaults(run=_link)
    unlinked = actions.add_parser(
        "unlinked",
        help="list payments linked to no contract, with their candidates",
        description="Payments no contract was found for, in date order, each with why and "
        "the best candidates, and why each fell short.",
    )
    unlinked.add_argument("--body", metavar="NAME-or-ID")
    unlinked.add_argument("--after", metavar="DATE/ID", help="continue after this (from --json)")
    unlinked.add_argument("--limit", type=int, default=50, metavar="N")
    unlinked.add_argument("--json", action="store_true", help="print as JSON")
    unlinked.set_defaults(run=_unlinked)


def add_no_link(load) -> None:
    load.add_argument(
        "--no-link",
        action="store_true",
        help="do not link the payments to contracts after loading (`openbook spend link` does)",
    )


def _bar(enabled: bool):
    if not enabled or not sys.stderr.isatty():
        return None, None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(what: str, done: int, total: int) -> None:
        bar = bars.get(what)
        if bar is None:
            for each in bars.values():
                each.close()
            bar = bars[what] = tqdm(total=total, desc=what, leave=False)
        bar.update(done - bar.n)

    def close() -> None:
        for each in bars.values():
            each.close()

    return progress, close


def run_link(store, *, full: bool = False, progress: bool = True, quiet: bool = False) -> dict:
    """Link, print a line saying what became of the payments (unless ``quiet``), and return
    the report."""
    from openbook import spend_links

    show, close = _bar(progress)
    try:
        report = spend_links.link(store, full=full, progress=show).as_dict()
    finally:
        if close:
            close()
    if not quiet:
        by = ", ".join(f"{count:,} by {method}" for method, count in report["byMethod"].items())
        print(
            f"openbook spend link: {report['linked']:,} payment(s) linked to contracts, "
            f"{report['unlinked']:,} not ({by or 'no payments'}); this run read "
            f"{report['processesRead']:,} process(es) and decided {report['paymentsDecided']:,} "
            f"payment(s), {report['linksChanged']:,} changed ({report['seconds']} s)",
            file=sys.stderr,
        )
    return report


def _link(arguments) -> int:
    from openbook.cli import _store

    report = run_link(
        _store(), full=arguments.full, progress=not arguments.no_progress, quiet=arguments.json
    )
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(report, option=orjson.OPT_INDENT_2) + b"\n")
    return 0


def _unlinked(arguments) -> int:
    from openbook.cli import _store

    if not 1 <= arguments.limit <= 500:
        print("openbook spend unlinked: --limit: give 1 to 500", file=sys.stderr)
        return 2
    after = None
    if arguments.after is not None:
        match = _AFTER.fullmatch(arguments.after)
        if not match:
            print(
                f"openbook spend unlinked: --after: {arguments.after[:40]!r} is not DATE/ID "
                "as a listing's next gives it",
                file=sys.stderr,
            )
            return 2
        after = (match.group(1), match.group(2))
    store = _store()
    from openbook import spend_links

    page = spend_links.unlinked(store, body=arguments.body, after=after, limit=arguments.limit)
    if arguments.json:
        sys.stdout.buffer.write(orjson.dumps(page, option=orjson.OPT_INDENT_2) + b"\n")
        return 0
    for each in page["payments"]:
        found = each["transaction"]
        supplier = (
            (found.get("supplier") or {}).get("name") or "(withheld)" if found else "(redacted)"
        )
        print(f"{each['date']}  {each['amount']:>14}  {supplier}  {each['id']}")
        print(f"    {each['link']['reason']}")
        for candidate in each["link"]["candidates"]:
            short = "; ".join(candidate["fellShort"]) or "fits"
            print(f"    - {candidate['ocid']} {candidate['kind']} {candidate['id']}: {short}")
    if page["next"]:
        print(f"more: --after {page['next']}")
    return 0


# openbook generate --spend


def add_generate_arguments(generate) -> None:
    generate.add_argument(
        "--spend",
        type=Path,
        metavar="DIR",
        help="also write spending files consistent with the contracts, and the truth of which "
        "payment pays which (docs/generator.md)",
    )
    generate.add_argument(
        "--payments-per-contract",
        type=_mean,
        default=4.0,
        metavar="M",
        help="with --spend: payments a contract gets on average (default 4)",
    )


def _mean(value: str) -> float:
    try:
        found = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not math.isfinite(found) or not 1 <= found <= 60:
        raise argparse.ArgumentTypeError("give 1 to 60")
    return found


def generate_spend(arguments) -> None:
    if arguments.spend is None:
        return
    from openbook.generate.spend import write_spend

    written = write_spend(
        arguments.spend,
        arguments.processes,
        arguments.seed,
        per_contract=arguments.payments_per_contract,
    )
    print(
        f"openbook generate: wrote {written.payments:,} payments of {written.bodies:,} bodies "
        f"in {written.files:,} files under {arguments.spend}",
        file=sys.stderr,
    )


def link_after_load(store) -> None:
    """After ``openbook load``: link if the spend register holds payments."""
    from openbook import spend_links

    if spend_links.has_payments(store):
        run_link(store)


def load_generated(
    store,
    directory: Path,
    processes: int,
    seed: int,
    per_contract: float,
    *,
    start: date | None = None,
    until: date | None = None,
    span: int | None = None,
) -> int:
    """The spending files of a generated run (``openbook generate --spend``) written under
    ``directory``, each body's loaded as ``openbook spend load`` would (central government's
    with their body named, from ``bodies.csv``), then linked: for ``openbook demo`` and the page
    tests' site. Returns the payments linked."""
    import csv

    from openbook import spend, spend_links
    from openbook.generate.spend import write_spend
    from openbook.standards.spend.transactions import Body

    write_spend(
        directory, processes, seed, start, per_contract=per_contract, until=until, span=span
    )
    with (directory / "bodies.csv").open(encoding="utf-8") as lines:
        for row in csv.DictReader(lines):
            body = Body(row["body"]) if row["columns"] == "central" else None
            spend.load(store, sorted((directory / row["folder"]).glob("*.csv")), body=body)
    return spend_links.link(store).as_dict()["linked"]
