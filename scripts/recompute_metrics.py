"""Recompute every figure of openbook's metrics from a bulk snapshot alone.

    python scripts/recompute_metrics.py SNAPSHOT_DIR [--output figures.jsonl] [--compare URL]

SNAPSHOT_DIR is a downloaded snapshot (docs/downloads.md): the script reads its
``manifest.json``, ``log-entries.jsonl.gz`` (log times, publishers, withdrawals),
``releases.jsonl.gz``, ``published-on-platform.jsonl.gz``, the registers the red flags need
(``registers/debarment.jsonl.gz``, ``registers/suppliers.jsonl.gz``) and the payments with their
links, for spend coverage (``registers/spend.jsonl.gz``, where present). It needs openbook's pure
``openbook.standards.metrics`` package (``pip install`` this repository); nothing of a database
or a server. It prints (or writes to ``--output``) one figure per line, as
``GET /api/metrics/{metric}`` gives them, sorted by metric, subject and period; with
``--compare`` it fetches the platform's figures for the same run and lists every difference.
docs/methods/recompute.md explains each step.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import urllib.request
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO

import orjson

from openbook.standards.metrics import spend
from openbook.standards.metrics.computation import Computation, flags_context
from openbook.standards.metrics.milestones import as_of_day
from openbook.standards.metrics.process import Process, Release
from openbook.standards.metrics.reading import InvalidSetting, read_settings


class SnapshotError(Exception):
    """The directory is not a usable snapshot; the message says which file and why."""


def _lines(path: Path) -> Iterator[bytes]:
    if not path.exists():
        raise SnapshotError(f"{path.name} is missing from {path.parent}")
    with gzip.open(path) as file:
        for line in file:
            if line.strip():
                yield line


def recompute(directory: Path, settings: dict | None = None) -> list[dict]:
    """Every figure, from the snapshot in ``directory``, with the red flags' ``settings`` (those
    the platform's run used: ``/api/metrics``, ``run.settings``; the defaults if None)."""
    manifest_path = directory / "manifest.json"
    if not manifest_path.exists():
        raise SnapshotError(f"{directory} has no manifest.json: it is not a snapshot")
    manifest = json.loads(manifest_path.read_text())
    size = int(manifest["log"]["size"])
    redacted = set(manifest["log"].get("redactedEntries", []))
    on_platform = {
        orjson.loads(line)["seq"] for line in _lines(directory / "published-on-platform.jsonl.gz")
    }
    # The log entries: which OCDS entries there are, their log times and publishers; which are
    # withdrawn (a withdrawal's statement id is the seq it withdraws: docs/log-format.md).
    entries: dict[int, tuple[str, str, str]] = {}  # seq: (ocid, log time, publisher)
    withdrawn: set[int] = set()
    newest_time = None
    for line in _lines(directory / "log-entries.jsonl.gz"):
        entry = orjson.loads(line)
        newest_time = entry["logTime"]
        if entry["register"] == "ocds":
            entries[entry["seq"]] = (entry["recordKey"], entry["logTime"], entry["publisher"])
        elif entry["register"] == "withdrawals":
            withdrawn.add(int(entry["statementId"]))
    if len(entries) + 0 > size:
        raise SnapshotError("log-entries.jsonl.gz holds more entries than the manifest's size")
    computation = Computation(
        as_of_day(newest_time),
        flags_context(_registers(directory)),
        read_settings(settings or {}),
    )
    with tempfile.TemporaryFile() as spool:
        where = _spool_releases(directory, entries, redacted, spool)
        for ocid in sorted(where):
            releases = []
            for seq, offset, length in where[ocid]:
                if seq in withdrawn:
                    continue
                spool.seek(offset)
                body = orjson.loads(spool.read(length))
                _, log_time, publisher = entries[seq]
                releases.append(Release(seq, log_time, publisher, seq in on_platform, body))
            if releases:
                for _ in computation.add(Process(ocid, tuple(releases))):
                    pass
        for _ in computation.finish():
            pass
    made = [*computation.figures(), *_spend_figures(directory, size)]
    return [figure_dict(f) for f in sorted(made, key=lambda f: (f.metric, f.subject, f.period))]


def _spend_figures(directory: Path, size: int) -> list:
    """Spend coverage (docs/methods/spend-coverage.md), from the payments of
    ``registers/spend.jsonl.gz`` whose newest statement is below the snapshot's size, as their
    links were when the snapshot was made; none for a snapshot without the file."""
    path = directory / "registers" / "spend.jsonl.gz"
    if not path.exists():
        return []
    states = {"linked": spend.LINKED, "unlinked": spend.UNLINKED}
    groups, names = [], {}
    for line in _lines(path):
        paid = orjson.loads(line)
        if paid["seq"] >= size:
            continue
        key, link, amount = paid["body"]["key"], paid["link"] or {}, Decimal(paid["amount"])
        names[key] = min(names.get(key, paid["body"]["name"]), paid["body"]["name"])
        state = states.get(link.get("status"), spend.NOT_LINKED_YET)
        method = link.get("method") if state == spend.LINKED else None
        groups.append(
            spend.Group(key, paid["date"][:7], paid["currency"], state, amount > 0, method, 1,
                        amount)
        )  # fmt: skip
    return spend.figures(groups, names)


def _spool_releases(
    directory: Path,
    entries: dict[int, tuple[str, str, str]],
    redacted: set[int],
    spool: IO[bytes],
) -> dict[str, list[tuple[int, int, int]]]:
    """Copy the releases into ``spool`` and say where each process's are: releases.jsonl.gz
    holds the OCDS entries in log order, but those redacted."""
    where: dict[str, list[tuple[int, int, int]]] = {}
    seqs = iter(sorted(seq for seq in entries if seq not in redacted))
    for line in _lines(directory / "releases.jsonl.gz"):
        seq = next(seqs, None)
        if seq is None:
            raise SnapshotError("releases.jsonl.gz holds more releases than the log entries")
        offset = spool.tell()
        spool.write(line)
        where.setdefault(entries[seq][0], []).append((seq, offset, len(line)))
    if next(seqs, None) is not None:
        raise SnapshotError("releases.jsonl.gz holds fewer releases than the log entries")
    return where


def _registers(directory: Path) -> dict[str, list[dict]]:
    """What the red flags read, as the snapshot holds it: the entered registers as they stood,
    and the beneficial ownership statements (for when suppliers were incorporated)."""
    found: dict[str, list[dict]] = {}
    for name, path in (
        ("debarment", directory / "registers" / "debarment.jsonl.gz"),
        ("suppliers", directory / "registers" / "suppliers.jsonl.gz"),
        ("bods", directory / "statements" / "bods.jsonl.gz"),
    ):
        found[name] = [orjson.loads(line) for line in _lines(path)] if path.exists() else []
    return found


def figure_dict(figure) -> dict:
    return {
        "metric": figure.metric,
        "subject": figure.subject,
        "period": figure.period,
        "for": figure.counts["for"],
        "against": figure.counts["against"],
        "excluded": figure.counts["excluded"],
        "pending": figure.counts["pending"],
        "value": figure.value,
        "breakdown": figure.extra,
    }


def _compare(figures: list[dict], url: str) -> list[str]:
    """Differences between these figures and the platform's (every metric, every period)."""
    differences = []
    by_metric: dict[str, list[dict]] = {}
    for figure in figures:
        by_metric.setdefault(figure["metric"], []).append(figure)
    for metric, mine in by_metric.items():
        for period in sorted({figure["period"] for figure in mine}):
            address = f"{url}/api/metrics/{metric}?period={period}"
            # main() accepts only http and https addresses.
            with urllib.request.urlopen(address) as answer:  # noqa: S310
                theirs = {f["subject"]: f for f in json.load(answer)["figures"]}
            for figure in (f for f in mine if f["period"] == period):
                platform = theirs.pop(figure["subject"], None)
                if platform is None or any(platform[k] != figure[k] for k in figure):
                    differences.append(f"{metric} {figure['subject']!r} {period}: differs")
            differences += [f"{metric} {s!r} {period}: only on the platform" for s in theirs]
    return differences


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshot", type=Path, metavar="SNAPSHOT_DIR")
    parser.add_argument("--output", type=Path, help="write the figures here (JSON Lines)")
    parser.add_argument("--compare", metavar="URL", help="an openbook, to compare figures with")
    parser.add_argument(
        "--settings", metavar="JSON", help="the red flags' settings, as the run used them"
    )
    arguments = parser.parse_args(argv)
    if arguments.compare and not arguments.compare.startswith(("http://", "https://")):
        print("recompute_metrics: --compare takes an http or https address", file=sys.stderr)
        return 2
    try:
        settings = json.loads(arguments.settings) if arguments.settings else None
        figures = recompute(arguments.snapshot, settings)
    except (SnapshotError, OSError, ValueError, KeyError, InvalidSetting) as error:
        print(f"recompute_metrics: {error}", file=sys.stderr)
        return 2
    lines = b"".join(orjson.dumps(f, option=orjson.OPT_SORT_KEYS) + b"\n" for f in figures)
    if arguments.output:
        arguments.output.write_bytes(lines)
    elif not arguments.compare:
        sys.stdout.buffer.write(lines)
    if arguments.compare:
        differences = _compare(figures, arguments.compare.rstrip("/"))
        for difference in differences:
            print(difference)
        print(f"{len(figures):,} figures recomputed; {len(differences):,} differences.")
        return 1 if differences else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
