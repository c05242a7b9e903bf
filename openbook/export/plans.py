"""The plans register as a bulk file of a snapshot: ``registers/plans.jsonl.gz``, each plan
with its commitments and milestones as it stood at the snapshot's log size and read on the
snapshot's day, one per line in id order, as ``GET /api/plans/{plan_id}`` gives it
(docs/plans.md, "Bulk file").

Made from the register's statements as the snapshot reads the log, folded as the store folds
them (openbook.standards.plans.state.apply), so that the file agrees with the snapshot's tree
head whatever is recorded meanwhile. Plans are small (tens of records each): held in memory.
The milestones the platform measures are measured as the export runs (openbook.plan_measures):
from the newest metrics run, and the bulk download before this one (this one is not yet made).
"""

from datetime import date
from pathlib import Path

import orjson

from openbook import plan_measures
from openbook.export import jsonl
from openbook.standards.plans import PLAN, REGISTER, kind_of, state
from openbook.store.database import Store
from openbook.store.export import LogRow

NAME = "plans"


class PlanFiles:
    def __init__(
        self, folder: Path, compressor: jsonl.Compressor, today: str, store: Store
    ) -> None:
        self.folder = folder
        self.store = store
        self.compressor = compressor
        self.today = date.fromisoformat(today)
        self.states: dict[str, dict] = {}

    def add(self, row: LogRow) -> None:
        """A statement of the log, in log order; those of other registers are ignored."""
        if row.register != REGISTER:
            return
        folded = self.states.get(row.record_key) or state.initial(row.record_key)
        self.states[row.record_key] = state.apply(
            folded,
            seq=row.seq,
            log_time=row.log_time,
            publisher=row.publisher,
            body=orjson.loads(row.body) if row.body is not None else None,
        )

    def close(self) -> dict[str, int]:
        """Write the file; the count of plans in it, by the file's name."""
        self.folder.mkdir(exist_ok=True)
        lines = jsonl.LinesFile(self.folder / f"{NAME}.jsonl.gz", self.compressor)
        for record_key in sorted(self.states):
            if kind_of(record_key) == PLAN and self.states[record_key]["facts"] is not None:
                measured = plan_measures.measured(self.store, self.states, record_key, self.today)
                read = state.plan(self.states, record_key, self.today, measured)
                lines.add(orjson.dumps(read))
        lines.close()
        return {NAME: lines.count}
