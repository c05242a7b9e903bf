"""The order the suite's modules are handed to its workers: the longest first.

The README's test command runs the suite on both cores with pytest-xdist's ``loadscope``, which
gives each worker whole modules (a module's set-up, such as a database of generated data, is
then made once). A worker takes the next module when it is nearly done with its own, so a long
module taken last runs alone at the end while the other core idles. Handing out the longest
modules first (longest processing time first, the classic rule for this) leaves short ones for
the end, where they even out.

How long each module takes is read from ``tests/durations.json``: seconds a module, as measured
by a run of the whole suite with ``OPENBOOK_TEST_DURATIONS`` set to a file name (this plugin then
writes the file at the end of the run). A module not in the file counts as a tenth of a second a
test. Stale figures only make the order worse, never a test wrong.
"""

import json
import os
from collections import Counter
from pathlib import Path

import pytest

DURATIONS = Path(__file__).with_name("durations.json")
UNKNOWN_PER_TEST = 0.1  # seconds, for a module not measured yet

_measured: Counter[str] = Counter()


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Modules in descending order of their time, each module's tests in the order pytest
    gave them (after it grouped them by their module-scoped fixtures' parameters)."""
    known = json.loads(DURATIONS.read_text()) if DURATIONS.exists() else {}
    tests = Counter(_module(item.nodeid) for item in items)
    first_seen = {module: number for number, module in enumerate(tests)}

    def cost(item: pytest.Item) -> tuple[float, int]:
        module = _module(item.nodeid)
        return -known.get(module, tests[module] * UNKNOWN_PER_TEST), first_seen[module]

    items.sort(key=cost)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if os.environ.get("OPENBOOK_TEST_DURATIONS"):
        _measured[_module(report.nodeid)] += report.duration


def write_durations(session: pytest.Session) -> None:
    """With OPENBOOK_TEST_DURATIONS set, write each module's time (set-up, test and tear-down
    of all its tests) there, longest first: at the end of the session, by the process that saw
    every test's report (under xdist the controller, not a worker)."""
    target = os.environ.get("OPENBOOK_TEST_DURATIONS")
    if not target or hasattr(session.config, "workerinput") or not _measured:
        return
    ordered = {module: round(seconds, 1) for module, seconds in _measured.most_common()}
    Path(target).write_text(json.dumps(ordered, indent=1) + "\n")
