"""``openbook demo``: a database that shows every part of the platform at once (README; issue 8,
D5). Generated UK-style processes published up to now (so the newest notices are today's, and
the processes still running stop where a register read today would show them), the bodies'
payments on their contracts, the ownership of a share of their suppliers (generated BODS
statements, openbook.generate.ownership), the metrics, the bundled action plan, a signed tree
head (every process page then proves its notices' inclusion, and /verify has a head to check)
and a bulk snapshot for /downloads/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from openbook import config
from openbook.store.database import Store

PUBLISHER = "openbook demonstration data"
SEED = 1
# The working days over which the processes arrive: three years, so that the oldest have run
# their whole lifecycle (awarded, contracted, paid, completed) while the newest are open tenders.
SPAN = 3 * 250


@dataclass(slots=True)
class Loaded:
    """What the demonstration data loaded: the releases' report, the ownership statements
    loaded, and the run's first day and last moment (its payments are generated for the same
    span, ``openbook.cli_spend_links.load_generated``, with SPAN)."""

    report: str
    ownership: int
    start: date
    until: datetime


def load_data(
    store: Store,
    processes: int,
    directory: Path,
    *,
    now: datetime | None = None,
    progress: object = None,
    say: Callable[[str], None] = print,
) -> Loaded:
    """Generate and load the demonstration data into an empty log: the releases published up to
    ``now`` (default: now) and the ownership of the suppliers they name. Files are written under
    ``directory``."""
    from openbook import bods
    from openbook.generate import ownership, write_jsonl
    from openbook.generate.stream import generate_releases, start_ending
    from openbook.load.loader import load

    now = now or datetime.now(UTC)
    start = start_ending(processes, now.date(), SPAN)
    path = directory / f"demo-{processes}.jsonl"
    directory.mkdir(parents=True, exist_ok=True)
    say(
        f"openbook demo: generating {processes:,} UK-style processes into {path}, published "
        f"from {start.isoformat()} up to now"
    )
    with path.open("wb") as out:
        write_jsonl(generate_releases(processes, SEED, start, until=now, span=SPAN), out)
    report = load(store, [path], publisher=PUBLISHER, progress=progress)  # type: ignore[arg-type]
    # Who owns a share of the suppliers: BODS statements naming them by company number.
    with path.open("rb") as lines:
        companies = ownership.suppliers(orjson.loads(line) for line in lines)
    owners = directory / f"demo-{processes}-ownership.jsonl"
    with owners.open("wb") as out:
        for statement in ownership.statements(companies, SEED, now.date(), PUBLISHER):
            out.write(orjson.dumps(statement, option=orjson.OPT_APPEND_NEWLINE))
    owned = bods.load(store, [owners])
    return Loaded(report.as_text(), owned.loaded, start, now)


def sign(store: Store) -> dict:
    """Sign a tree head over the log as it is (as ``openbook log sign`` does; the key is made in
    OPENBOOK_SIGNING_KEY_DIR the first time). Idempotent."""
    from openbook import transparency

    return transparency.sign_tree_head(store, create_key=True)


def export_if_none(store: Store) -> dict | None:
    """The bulk snapshot (as ``openbook export`` writes it) if the downloads directory has none
    yet; its manifest, or None if one was there."""
    from openbook.export import manifest
    from openbook.export.snapshot import export

    target = config.downloads_dir()
    if target.is_dir() and manifest.is_snapshot(target):
        return None
    return export(store, target)
