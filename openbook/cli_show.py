"""What the registers' ``show`` commands share (``openbook spend show``, ``openbook grants
show``): the date options checked, one record's history by its key, or a page of the list."""

import re
import sys
from collections.abc import Callable

import orjson

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class OptionProblem(Exception):
    """An option's value the list cannot take: the option, and why."""

    def __init__(self, option: str, reason: str):
        super().__init__(reason)
        self.option = option


def show(
    arguments,
    command: str,
    thing: str,
    *,
    history: Callable,
    listing: Callable,
    printed: Callable[[dict], str],
) -> int:
    """Print the history of ``arguments.record_key`` (``history(store, key)``), or else the
    page ``listing(store)`` gives as JSON (``--json``) or a line per item (``printed``).
    Exit codes: 2 for an option's bad value, 1 for no such record."""
    for name, option in (("date_from", "--from"), ("date_to", "--to")):
        value = getattr(arguments, name)
        if value is not None and not _DAY.fullmatch(value):
            print(f"{command}: {option}: {value!r} is not YYYY-MM-DD", file=sys.stderr)
            return 2
    from openbook.cli import _store

    store = _store()
    if arguments.record_key:
        found = history(store, arguments.record_key)
        if found is None:
            print(f"{command}: no {thing} {arguments.record_key!r}", file=sys.stderr)
            return 1
        _write(found)
        return 0
    try:
        page, items = listing(store)
    except OptionProblem as problem:
        print(f"{command}: {problem.option}: {problem}", file=sys.stderr)
        return 2
    if arguments.json:
        _write(page)
        return 0
    for each in items:
        print(printed(each))
    return 0


def _write(value) -> None:
    sys.stdout.buffer.write(orjson.dumps(value, option=orjson.OPT_INDENT_2) + b"\n")
