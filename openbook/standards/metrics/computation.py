"""One computation of every metric over a log, process by process: the same code for the
platform (openbook.metrics) and for anyone recomputing from a snapshot
(scripts/recompute_metrics.py). Pure: processes come in, figures and items go out."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import orjson

from openbook.standards.metrics import milestones
from openbook.standards.metrics.figures import Figure, Subject, Tally
from openbook.standards.metrics.process import Process

METHODS = {"milestones": milestones.METHOD_VERSION}
METRICS = dict(milestones.METRICS)

# Items kept for every figure but these, which only count (one per process, all "for").
_COUNTED_ONLY = frozenset({milestones.STAGE_COVERAGE})


@dataclass(frozen=True, slots=True)
class ItemRow:
    """An item as stored and as the API lists it (detail as JSON text)."""

    metric: str
    subject: str
    central: bool
    day: str | None
    ocid: str
    item: str
    outcome: str
    detail: str

    def as_tuple(self) -> tuple:
        return (
            self.metric,
            self.subject,
            self.central,
            self.day,
            self.ocid,
            self.item,
            self.outcome,
            self.detail,
        )


class Computation:
    """Add every process once (in any order); then ``figures()``."""

    def __init__(self, as_of: date, context: object = None) -> None:
        self.as_of = as_of
        self.context = context
        self.tally = Tally()
        self.processes = 0

    def add(self, process: Process) -> Iterator[ItemRow]:
        """Count a process's items, and give those that are kept."""
        self.processes += 1
        for item in milestones.items(process, self.as_of):
            subject = Subject(item.authority, item.authority_name, item.central)
            self.tally.add(
                item.metric, subject, item.day, item.outcome, breakdown=milestones.breakdown(item)
            )
            if item.metric not in _COUNTED_ONLY:
                yield ItemRow(
                    item.metric,
                    item.authority,
                    item.central,
                    item.day,
                    item.ocid,
                    item.item,
                    item.outcome,
                    orjson.dumps(item.detail, option=orjson.OPT_SORT_KEYS).decode(),
                )

    def finish(self) -> Iterator[ItemRow]:
        """The items only the whole log shows (processes published twice under two ocids),
        once every process was added."""
        yield from ()

    def figures(self) -> list[Figure]:
        return self.tally.sorted()


def figure_row(figure: Figure) -> tuple:
    """A figure as stored (openbook.store.metrics.FIGURE_COLUMNS)."""
    return (
        figure.metric,
        figure.subject,
        figure.subject_name,
        figure.period,
        figure.counts["for"],
        figure.counts["against"],
        figure.counts["excluded"],
        figure.counts["pending"],
        figure.value,
        orjson.dumps(figure.extra, option=orjson.OPT_SORT_KEYS).decode(),
    )


def flags_context(registers: dict[str, list[dict]]) -> object:
    """What the red flags read from the registers, from their entries as the API and the
    snapshot give them."""
    return registers
