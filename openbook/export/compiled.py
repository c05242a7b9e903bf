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

from openbook.records import REGISTER, Profile, merger, package_profile, process_profile
from openbook.standards.ocds.compile import CompileError
from openbook.store import export as exported
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
    """Every OCDS record with a statement below ``stop``, in ocid order."""
    profiles: dict[str, Profile] = {}
    batch: list[exported.RecordRow] = []
    for row in exported.records_before(store, REGISTER, stop):
        batch.append(row)
        if len(batch) == BATCH:
            yield from _resolve(store, batch, stop, profiles)
            batch = []
    yield from _resolve(store, batch, stop, profiles)


def _resolve(
    store: Store, rows: Sequence[exported.RecordRow], stop: int, profiles: dict[str, Profile]
) -> Iterator[Compiled]:
    stale = [row.record_key for row in rows if not row.current]
    rebuilt = _recompile(store, stale, stop, profiles) if stale else {}
    for row in rows:
        if row.current:
            yield Compiled(row.record_key, row.compiled, row.compile_error, recompiled=False)
        else:
            yield rebuilt[row.record_key]


def _recompile(
    store: Store, keys: list[str], stop: int, profiles: dict[str, Profile]
) -> dict[str, Compiled]:
    found = stored.bodies(store, REGISTER, keys)
    hashes = sorted(
        {package for rows in found.values() for seq, _, package in rows if package and seq < stop}
        - profiles.keys()
    )
    for package_hash, metadata in stored.packages(store, hashes).items():
        profiles[package_hash] = package_profile(orjson.loads(metadata))
    rebuilt = {}
    for key in keys:
        statements = [row for row in found[key] if row[0] < stop]
        profile = process_profile(
            profiles.get(package) if package else None for *_, package in statements
        )
        compiled, error = None, None
        try:
            releases = [orjson.loads(body) for _, body, _ in statements if body is not None]
            compiled = orjson.dumps(merger(profile).compiled_release(releases)).decode()
        except CompileError as exception:
            error = str(exception)
        rebuilt[key] = Compiled(key, compiled, error, recompiled=True)
    return rebuilt
