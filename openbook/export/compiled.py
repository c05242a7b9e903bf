"""Compiled releases as of a log size N: the stored ones where they are current, the others
recompiled from their statements below N.

A stored compiled release can be ahead of N (a load recompiled its process during the export)
or behind it (the process waits in the pending list). Either way it is rebuilt from exactly the
statements below N, with the merge rules the loader uses (openbook.records), so that the
compiled releases and every other file of a snapshot describe the same log.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import orjson

from openbook.records import (
    REGISTER,
    contributing,
    merger,
    process_profile,
    stored_declarations,
)
from openbook.standards.ocds.compile import CompileError
from openbook.store import export as exported
from openbook.store import marks
from openbook.store import records as stored
from openbook.store.database import Store

BATCH = 500


@dataclass(frozen=True, slots=True)
class Compiled:
    record_key: str
    compiled: str | None  # JSON text
    error: str | None
    recompiled: bool  # rebuilt for the snapshot rather than taken as stored


def compiled_releases(store: Store, stop: int) -> Iterator[Compiled]:
    """Every OCDS record with a statement below ``stop``, in ocid order: compiled from the
    releases that count as of ``stop`` (not those withdrawn or redacted below it)."""
    corrections = marks.corrections_before(store, stop)
    batch: list[exported.RecordRow] = []
    for row in exported.records_before(store, REGISTER, stop):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _resolve(store, batch, stop, corrections)
            batch = []
    yield from _resolve(store, batch, stop, corrections)


def _resolve(
    store: Store,
    rows: Sequence[exported.RecordRow],
    stop: int,
    corrections: dict[str, marks.Corrections],
) -> Iterator[Compiled]:
    current = {row.record_key: _current(row, corrections.get(row.record_key)) for row in rows}
    stale = [row.record_key for row in rows if not current[row.record_key]]
    rebuilt = _recompile(store, stale, stop, corrections) if stale else {}
    for row in rows:
        if current[row.record_key]:
            yield Compiled(row.record_key, row.compiled, row.compile_error, recompiled=False)
        else:
            yield rebuilt[row.record_key]


def _current(row: exported.RecordRow, corrections: marks.Corrections | None) -> bool:
    """Whether the stored compiled release is the record as of the snapshot: built from its
    statements below N and the withdrawals and redactions of them below N (the stored record's
    last seq is the newest of either: openbook.records)."""
    if corrections is None:
        return row.current
    return row.compiled_seq == max(row.last_seq, corrections.last_seq)


def _recompile(
    store: Store, keys: list[str], stop: int, corrections: dict[str, marks.Corrections]
) -> dict[str, Compiled]:
    found = stored.bodies(store, REGISTER, keys)
    declarations = stored_declarations(
        store, [package for rows in found.values() for seq, _, package in rows if seq < stop]
    )
    rebuilt = {}
    for key in keys:
        statements = [row for row in found[key] if row[0] < stop]
        profile = process_profile(declarations[package].profile for *_, package in statements)
        compiled, error = None, None
        counted = contributing(statements, corrections.get(key, marks.Corrections()))
        try:
            if counted:  # else every release was withdrawn or redacted: nothing to compile
                releases = [orjson.loads(body) for body in counted]
                compiled = orjson.dumps(merger(profile).compiled_release(releases)).decode()
        except CompileError as exception:
            error = str(exception)
        rebuilt[key] = Compiled(key, compiled, error, recompiled=True)
    return rebuilt
