"""Loading beneficial ownership statements (BODS 0.4) into the log's ``bods`` register, and
compiling their records (the use case behind ``openbook bods load``; docs/bods.md).

Every statement with a usable identity (``statementId``, ``recordId``, ``statementDate``) is
kept, valid or not: a statement someone made is history, and its problems (against the BODS 0.4
schema, openbook.standards.bods.validate) are kept with it and reported. A statement already in
the log with the same body is a duplicate (nothing is stored twice, so loading a file again is a
no-op); with another body under the same ``statementId``, a conflict, kept aside. Then every
record with new statements is compiled (openbook.standards.bods.records).
"""

import gc
import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from openbook.load import bods as reading
from openbook.standards.bods import (
    REGISTER,
    ownership,
    records,
    upgrade,
    validate,
)
from openbook.standards.canonical import (
    CanonicalizationError,
    canonical_json,
    canonical_json_if_plain,
)
from openbook.standards.log import format_log_time
from openbook.store import log
from openbook.store import ownership as stored_ownership
from openbook.store import records as stored
from openbook.store.database import Store

BATCH = 1000
UNKNOWN_PUBLISHER = "(publisher not stated)"
# Statements of these record types, when plain (canonical_json_if_plain), are compiled
# as given rather than as read back from their canonical text: nothing built from their records
# depends on the order of their keys but the record's JSON, which is written with sorted keys
# (_record_json). A relationship's graph row writes its interests as they are: read back.
_AS_GIVEN = ("entity", "person")  # a tuple: an invalid recordType may be unhashable


@dataclass
class Report:
    files: int = 0
    read: int = 0
    loaded: int = 0
    duplicates: int = 0
    conflicts: int = 0
    invalid: int = 0  # stored, with schema problems
    upgraded: int = 0  # BODS 0.2 statements upgraded to 0.4
    skipped: int = 0  # PSC snapshot records about no one (totals, exemptions)
    full_snapshot: bool | None = None  # a PSC import: whether its files are a full snapshot
    snapshot_date: str | None = None  # a PSC import: the date given its records without one
    no_longer_listed: int = 0  # PSC relationships closed: a full snapshot no longer lists them
    deleted: int = 0  # PSC relationships closed: the streaming API reported them deleted
    listed_again: list[str] = field(default_factory=list)  # PSCs given a new relationship record
    after_closed: int = 0  # PSC statements not made: their record is closed (BODS: final)
    not_closed: list[str] = field(default_factory=list)  # not listed, yet not closed: why
    unusable: list[str] = field(default_factory=list)  # not stored: where and why
    problems: dict[str, int] = field(default_factory=dict)  # per keyword, of invalid statements
    records: int = 0

    def as_dict(self) -> dict:
        return {
            "files": self.files,
            "read": self.read,
            "loaded": self.loaded,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "invalid": self.invalid,
            "upgradedFrom02": self.upgraded,
            "skipped": self.skipped,
            **(
                {
                    "fullSnapshot": self.full_snapshot,
                    "snapshotDate": self.snapshot_date,
                    "closedNoLongerListed": self.no_longer_listed,
                    "closedDeleted": self.deleted,
                    "listedAgain": self.listed_again,
                    "afterClosed": self.after_closed,
                    "notClosed": self.not_closed,
                }
                if self.full_snapshot is not None
                else {}
            ),
            "problems": dict(sorted(self.problems.items())),
            "unusable": self.unusable,
            "recordsCompiled": self.records,
        }


def load(
    store: Store, paths: Sequence[Path], progress: Callable[[int], None] | None = None
) -> Report:
    """Load BODS files, in file order. Checking and canonicalising run in this process: worker
    processes, as the OCDS load uses, measured slower here (sending each statement to a worker
    and back costs more than checking it; docs/performance.md). A record whose first statement
    a batch appends is compiled with that batch, from the statements in hand
    (``_append_compiling``); the others after the last batch, from the log."""
    report = Report()
    store_all(store, _from_files(paths, report), report, progress, compile_as_appended=True)
    return report


def _from_files(paths: Sequence[Path], report: Report) -> Iterator[tuple[Path, reading.Read]]:
    """The statements of BODS files, BODS 0.2 ones upgraded."""
    for path in paths:
        report.files += 1
        records_02 = _records_02(path)
        for item in reading.read(path):
            if isinstance(item, reading.Unreadable):
                report.unusable.append(f"{path}: {item.where}: {item.message}")
                continue
            if records_02 is not None and upgrade.is_bods_02(item.statement):
                report.upgraded += 1
                item = reading.Read(item.where, upgrade.upgrade(item.statement, records_02))  # noqa: PLW2901
            yield path, item


def store_all(
    store: Store,
    items: Iterator[tuple[Path | str, reading.Read]],
    report: Report,
    progress: Callable[[int], None] | None,
    *,
    compile_as_appended: bool = False,
) -> None:
    """Check, append in batches, then compile the records that changed. With
    ``compile_as_appended``, the records each batch starts are compiled with it (not for a PSC
    import, which looks records up as compiled before it while it makes its statements)."""
    with _few_collections(), store.bulk() as settle:
        first_new = log.log_size(store)
        again: set[str] = set()
        for chunk in map(_prepare_chunk, _chunks(items, report)):
            batch = []
            for outcome in chunk:
                if isinstance(outcome, str):
                    report.unusable.append(outcome)
                    continue
                publisher, statement, keywords, value = outcome
                if keywords:
                    report.invalid += 1
                    for keyword in keywords:
                        report.problems[keyword] = report.problems.get(keyword, 0) + 1
                batch.append((publisher, statement, value))
            if compile_as_appended:
                _append_compiling(store, batch, report, (first_new, again))
            else:
                _append(store, batch, report)
            if progress:
                progress(len(chunk))
        settle()  # the appends reach the database file while the compile runs
        if compile_as_appended:
            # Records compiled with a batch and given statements by a later one are compiled
            # again (and counted once).
            report.records += compile_pending(store) - len(again)
        else:
            report.records = compile_pending(store, first_new)


@contextmanager
def _few_collections() -> Iterator[None]:
    """Fewer runs of the cyclic garbage collector while a load runs. A statement as read is a
    dozen dicts and lists, each counted by CPython's collector: with its usual thresholds
    (700, 10, 10) it walked its youngest generation every 50 or so statements and, as a
    batch's statements outlive those walks, the whole heap (every object Django and the
    modules hold) every few batches: a quarter of the load's CPU time (docs/performance.md).
    Here the objects allocated before the load are frozen (never walked again) and the young
    generation is walked every 100,000 allocations rather than 700; the older ones as usual
    (every 10 walks of the one before). Statements hold no reference cycles: they are freed by
    reference counting, as ever, so memory does not grow."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _chunks(
    items: Iterator[tuple[Path | str, reading.Read]], report: Report
) -> Iterator[list[tuple[Any, str]]]:
    chunk: list[tuple[Any, str]] = []
    for path, item in items:
        report.read += 1
        chunk.append((item.statement, f"{path}: {item.where}"))
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _prepare_chunk(chunk: list[tuple[Any, str]]) -> list:
    return [_prepare(statement, where) for statement, where in chunk]


def _records_02(path: Path) -> dict[str, str] | None:
    """For a file of BODS 0.2 statements (its first statement tells), the record of each
    statement, from the chains of replacements through the whole file (read once more for
    it); None for a file of 0.4 statements."""
    for item in reading.read(path):
        if not isinstance(item, reading.Read) or not upgrade.is_bods_02(item.statement):
            return None
        break
    else:
        return None
    return upgrade.record_ids(
        item.statement for item in reading.read(path) if isinstance(item, reading.Read)
    )


def _prepare(statement: Any, where: str) -> tuple[str, log.Statement, list[str], Any] | str:
    """A statement ready to append, with the keywords of its problems and the statement as read
    back from its canonical text (as the log gives it to compile_pending), or an ``_AsGiven``
    of it when reading back can only reorder its keys; or, for one that cannot be stored, why.
    Pure."""
    identity = records.identity(statement)
    if isinstance(identity, str):
        return f"{where}: {identity}; it is not stored"
    statement_id, record_id, date = identity
    try:
        body = canonical_json_if_plain(statement)
        if body is not None and statement.get("recordType") in _AS_GIVEN:
            value: Any = _AsGiven(statement)
        else:
            body = body if body is not None else canonical_json(statement)
            value = orjson.loads(body)
    except CanonicalizationError as error:
        return f"{where}: {error}; it is not stored"
    problems, keywords = [], []
    if not validate.is_valid([statement]):
        for problem in validate.problems([statement]):
            problems.append(
                {
                    "path": "$" + problem.path.removeprefix("$[0]"),
                    "code": f"bods.{problem.keyword}",
                    "message": problem.message,
                    "severity": "error",
                }
            )
            keywords.append(problem.keyword)
    return (
        _publisher(statement),
        log.Statement(
            record_key=record_id,
            statement_id=statement_id,
            statement_date=date,
            body=body,
            body_hash=hashlib.sha256(body).hexdigest(),
            problems=problems,
            source=where,
        ),
        keywords,
        value,
    )


class _AsGiven:
    """A plain entity or person statement as read (``_prepare``): equal to what reading it back
    from its canonical text gives, but for the order of its dicts' keys."""

    __slots__ = ("statement",)

    def __init__(self, statement: dict) -> None:
        self.statement = statement


def _record_json(compiled: dict) -> str:
    """A record compiled from one statement as given (``_AsGiven``) as JSON: the JSON of the
    record compiled from it as read back, whose every object's keys are in code point order
    (the statement's text is plain: no key above U+FFFF, whose UTF-16 order would differ)."""
    return orjson.dumps(
        {
            name: orjson.Fragment(orjson.dumps(item, option=orjson.OPT_SORT_KEYS))
            if type(item) is dict or type(item) is list
            else item
            for name, item in compiled.items()
        }
    ).decode()


def _publisher(statement: dict) -> str:
    details = statement.get("publicationDetails")
    publisher = details.get("publisher") if isinstance(details, dict) else None
    name = publisher.get("name") if isinstance(publisher, dict) else None
    return name.strip()[:200] if isinstance(name, str) and name.strip() else UNKNOWN_PUBLISHER


def _append(store: Store, batch: list[tuple[str, log.Statement, Any]], report: Report) -> None:
    by_publisher: dict[str, list[log.Statement]] = {}
    for publisher, statement, _ in batch:
        by_publisher.setdefault(publisher, []).append(statement)
    for publisher, statements in by_publisher.items():
        appended = log.append(store, REGISTER, statements, publisher)
        report.loaded += len(appended.entries)
        report.duplicates += len(appended.duplicates)
        report.conflicts += len(appended.conflicts)


def _append_compiling(
    store: Store,
    batch: list[tuple[str, log.Statement, Any]],
    report: Report,
    load: tuple[int, set[str]],
) -> None:
    """Append a batch and, in the same transaction, compile the records it starts (of which
    the log held no statement before it) from its statements as read back from their canonical
    text: what compile_pending would read back from the log, without reading it. The batch's
    other records go on the list to compile. ``load``: the log's size when the load began, and
    the records compiled with an earlier batch of it and put back on the list (added to)."""
    first_new, again = load
    by_publisher: dict[str, list[log.Statement]] = {}
    values: dict[int, Any] = {}
    for publisher, statement, value in batch:
        by_publisher.setdefault(publisher, []).append(statement)
        values[id(statement)] = value
    started: dict[str, list[tuple[int, Any]]] = {}  # by record: (seq, statement), in log order
    earlier: dict[str, int] = {}  # records with statements before the batch: the first's seq
    with store.atomic() as cursor:
        for publisher, statements in by_publisher.items():
            appended = log.append(store, REGISTER, statements, publisher, compiled=False)
            report.loaded += len(appended.entries)
            report.duplicates += len(appended.duplicates)
            report.conflicts += len(appended.conflicts)
            for key, seq in appended.earlier.items():
                if key not in started:  # not one this batch started (for another publisher)
                    earlier[key] = seq
            for statement, seq in appended.entries:
                started.setdefault(statement.record_key, []).append((seq, values[id(statement)]))
        waiting = sorted(key for key in started if key in earlier)
        if waiting:
            log.mark_pending(store, cursor, REGISTER, waiting)
            again.update(key for key in waiting if earlier[key] >= first_new)
        results, compiled_records = [], []
        for key in sorted(started.keys() - earlier.keys()):
            history = started[key]
            # One statement as given: compiled from it, written with sorted keys;
            # several: each read back, as they are ordered by their contents.
            if len(history) == 1 and type(history[0][1]) is _AsGiven:
                compiled = records.compile_record([history[0][1].statement])
                text = _record_json(compiled)
            else:
                compiled = records.compile_record([_read_back(value) for _, value in history])
                text = orjson.dumps(compiled).decode()
            compiled_records.append((key, compiled))
            results.append((key, text, len(history), history[-1][0]))
        if results:
            now = format_log_time(datetime.now(UTC))
            stored.save_first_rows(store, cursor, REGISTER, results, now)
            _index_ownership(store, cursor, compiled_records, {key for key, _ in compiled_records})
    report.records += len(results)


def _read_back(value: Any) -> Any:
    """A statement as read back from its canonical text (``_prepare``'s value)."""
    if type(value) is _AsGiven:
        return orjson.loads(canonical_json(value.statement))
    return value


def compile_pending(store: Store, first_new: int | None = None) -> int:
    """Compile every BODS record with new statements; how many. A record all of whose
    statements are at or after log entry ``first_new`` is new: it has no graph rows to
    replace."""
    done = 0
    while keys := stored.pending(store, REGISTER, 500):
        results, compiled_records, new = [], [], set()
        for key, statements in stored.bodies(store, REGISTER, keys).items():
            if first_new is not None and min(seq for seq, _, _ in statements) >= first_new:
                new.add(key)
            kept = [(seq, orjson.loads(body)) for seq, body, _ in statements if body is not None]
            compiled = records.compile_record([body for _, body in kept]) if kept else None
            compiled_records.append((key, compiled))
            results.append(
                stored.Compiled(
                    record_key=key,
                    compiled=orjson.dumps(compiled).decode() if compiled else None,
                    compile_error=None,
                    statement_count=len(statements),
                    last_seq=max(seq for seq, _, _ in statements),
                )
            )
        with store.atomic() as cursor:
            stored.save(store, REGISTER, results, format_log_time(datetime.now(UTC)))
            _index_ownership(store, cursor, compiled_records, new)
        done += len(results)
    return done


def _index_ownership(
    store: Store,
    cursor,
    compiled: Sequence[tuple[str, dict | None]],
    new: set[str] | frozenset[str] = frozenset(),
) -> None:
    """The ownership graph's rows of records just compiled (openbook.store.ownership); ``new``
    records have none to replace."""
    rows = [
        (key, record, ownership.entity_identifiers(record) if record else [])
        for key, record in compiled
    ]
    stored_ownership.write(store, cursor, rows, [key for key, _ in compiled if key not in new])


def index_ownership_again(store: Store) -> int:
    """Write the ownership graph's rows of every compiled record (the migration that adds the
    tables fills them so)."""
    done, batch = 0, []
    for key, text in stored.compiled_releases(store, REGISTER):
        batch.append((key, orjson.loads(text)))
        if len(batch) == 500:
            with store.atomic() as cursor:
                _index_ownership(store, cursor, batch)
            done, batch = done + len(batch), []
    with store.atomic() as cursor:
        _index_ownership(store, cursor, batch)
    return done + len(batch)


def record(store: Store, record_id: str) -> dict | None:
    """A compiled record, with its statements as the log holds them."""
    found = stored.get(store, REGISTER, record_id)
    if found is None or found.compiled is None:
        return None
    statements = log.record_statements(store, REGISTER, record_id)
    return {
        "record": orjson.loads(found.compiled),
        "statements": [
            {
                "seq": statement.entry.seq,
                "logTime": statement.entry.log_time,
                "statement": orjson.loads(statement.body) if statement.body else None,
                "problems": statement.problems,
            }
            for statement in statements
        ],
    }


def statements(store: Store, after: int | None, limit: int) -> list[dict]:
    """The register's statements in log order, after log entry ``after``: each with its log
    entry, log time and leaf hash (to prove it is in the log), and its problems; a redacted
    statement's body is None."""
    start = (after + 1) if after is not None else 0
    if start > log.LAST_SEQ:  # nothing can come after the last seq a log can hold
        return []
    found = log.register_statements(store, REGISTER, start, limit)
    return [
        {
            "seq": statement.entry.seq,
            "logTime": statement.entry.log_time,
            "leafHash": statement.leaf_hash,
            "statement": orjson.loads(statement.body) if statement.body else None,
            "problems": statement.problems,
        }
        for statement in found
    ]
