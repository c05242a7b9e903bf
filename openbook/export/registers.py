"""The registers people enter, as bulk files of a snapshot: each entry as it stood at the
snapshot's log size, one per line in id order, as the API gives it (docs/registers.md).

Made from the registers' statements as the snapshot reads the log (every version below its size
N, in log order), not from the entries' rows, so that the files agree with the snapshot's tree
head whatever is recorded meanwhile. Registers are small (thousands of entries): the newest
version of each entry is held in memory until the end.
"""

import importlib
from dataclasses import dataclass
from pathlib import Path

import orjson

from openbook.export import jsonl
from openbook.standards.registers import by_code, describe
from openbook.store.database import Store
from openbook.store.export import LogRow

FOLDER = "registers"


@dataclass(slots=True)
class _Newest:
    created: str
    updated: str
    seq: int
    version: int
    entry: dict | None  # None: its newest version was redacted


class RegisterFiles:
    def __init__(self, folder: Path, compressor: jsonl.Compressor, today: str) -> None:
        self.folder = folder
        self.today = today  # the snapshot's day: whether each debarment entry is in force
        self.compressor = compressor
        self.entries: dict[str, dict[str, _Newest]] = {code: {} for code in by_code()}

    def add(self, row: LogRow) -> None:
        """A statement of the log, in log order; those of other registers are ignored."""
        entries = self.entries.get(row.register)
        if entries is None:
            return
        entry = orjson.loads(row.body)["entry"] if row.body is not None else None
        known = entries.get(row.record_key)
        created = known.created if known else row.log_time
        entries[row.record_key] = _Newest(
            created, row.log_time, row.seq, int(row.statement_id), entry
        )

    def close(self) -> dict[str, int]:
        """Write the files; the count of entries of each register, by name."""
        counts = {}
        for code, entries in self.entries.items():
            self.folder.mkdir(exist_ok=True)
            lines = jsonl.LinesFile(self.folder / f"{code}.jsonl.gz", self.compressor)
            for key in sorted(entries):
                newest = entries[key]
                if newest.entry is None:
                    line = {"id": key, "register": code, "version": newest.version,
                            "redacted": True}  # fmt: skip
                else:
                    line = describe(
                        code,
                        key,
                        version=newest.version,
                        created=newest.created,
                        updated=newest.updated,
                        seq=newest.seq,
                        entry=newest.entry,
                        today=self.today,
                    )
                lines.add(orjson.dumps(line))
            lines.close()
            counts[code] = lines.count
        return counts


# The registers derived from the published processes, each from its use case's ``bulk``: file
# name, and the module (imported when the files are written: export workers import this module
# before Django is set up, and these need it).
DERIVED = (
    ("pipeline", "openbook.pipeline"),
    ("commercial-tools", "openbook.commercial_tools"),
    ("performance", "openbook.contract_performance"),
    ("ownership", "openbook.ownership"),
    ("spend", "openbook.spend_views"),  # payments with their links to contracts
)


def write_derived(store: Store, folder: Path, compressor: jsonl.Compressor) -> dict[str, int]:
    """Write the derived registers' files; the count of lines of each, by name. They are read
    from the processes as the store holds them when the export reaches them, which can include
    releases accepted after the snapshot's log size (docs/downloads.md)."""
    counts = {}
    folder.mkdir(exist_ok=True)
    for name, module in DERIVED:
        lines = jsonl.LinesFile(folder / f"{name}.jsonl.gz", compressor)
        for entry in importlib.import_module(module).bulk(store):
            lines.add(orjson.dumps(entry))
        lines.close()
        counts[name] = lines.count
    return counts
