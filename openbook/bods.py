"""Loading beneficial ownership statements (BODS 0.4) into the log's ``bods`` register, and
compiling their records (the use case behind ``openbook bods load``; docs/bods.md).

Every statement with a usable identity (``statementId``, ``recordId``, ``statementDate``) is
kept, valid or not: a statement someone made is history, and its problems (against the BODS 0.4
schema, openbook.standards.bods.validate) are kept with it and reported. A statement already in
the log with the same body is a duplicate (nothing is stored twice, so loading a file again is a
no-op); with another body under the same ``statementId``, a conflict, kept aside. Then every
record with new statements is compiled (openbook.standards.bods.records).
"""

import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from openbook.load import bods as reading
from openbook.pool import Pool, few_collections, submitted
from openbook.standards.bods import (
    REGISTER,
    ownership,
    records,
    upgrade,
    validate,
)
from openbook.standards.canonical import (
    CanonicalizationError,
    canonical_form,
)
from openbook.standards.log import format_log_time
from openbook.store import log
from openbook.store import ownership as stored_ownership
from openbook.store import records as stored
from openbook.store.database import Store

# Statements a batch appends: in log order, its statements by publisher (in the order of each
# one's first), then as read.
BATCH = 1000
# Batches ``load`` appends in one transaction (a PSC import, one). A transaction costs about
# fifteen round trips to PostgreSQL whatever its size (the log's lock, the lookup of what the
# log holds, six COPYs) and a commit: five batches to one cut the time a load waited on the
# server by a quarter on a busy machine (docs/performance.md). The log's order is the batches'
# all the same.
TRANSACTION_BATCHES = 5
UNKNOWN_PUBLISHER = "(publisher not stated)"
# How far ``_records_02`` looks for a file's first statement, past lines that are not one
# (broken, or not JSON): a file of nothing else is not read to its end once more for it.
FIRST_STATEMENT_WITHIN = 1000
# The size of JSON Lines file from which workers read it (``load``): below, starting them
# costs more than they save.
PARALLEL_FROM_BYTES = 4 * 2**20
# Blocks of lines in the workers' hands at once (sent, their statements not yet taken for a
# batch): at least this many per worker, and beyond that as many as hold two transactions'
# lines, so that the workers prepare the next transaction's while this process stores one (it
# takes no blocks meanwhile); but never more than IN_FLIGHT_BYTES of them.
IN_FLIGHT = 3
IN_FLIGHT_BYTES = 16 * 2**20
# At most this many workers by default: the workers' part of a statement's work is about as
# much as what stays in the loading process (the log's rows, the SQL: cachegrind, 190,000
# instructions each), so more than two or three only wait for it.
MAX_WORKERS = 3


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
    store: Store,
    paths: Sequence[Path],
    progress: Callable[[int], None] | None = None,
    *,
    workers: int | None = None,
    parallel_from_bytes: int = PARALLEL_FROM_BYTES,
) -> Report:
    """Load BODS files, in file order, TRANSACTION_BATCHES batches a transaction. A record
    whose first statement a transaction appends is compiled in it, from the statements in hand
    (``_append_compiling``); the others after the last transaction, from the log.

    JSON Lines files of BODS 0.4 of ``parallel_from_bytes`` or more are read, checked,
    canonicalised and their records of one statement compiled by ``workers`` processes (one a
    CPU by default, up to MAX_WORKERS), handed blocks of raw lines and handing back text
    (``_prepare_block``): this process keeps the log's rows and the SQL. Sending parsed
    statements to workers and back measured slower than checking them here
    (docs/performance.md); text is cheap to send. Other files (arrays, gzip, BODS 0.2) are
    read and checked here. Either way the same statements are stored, in the same order, in
    the same batches."""
    report = Report()
    workers = workers if workers is not None else min(os.cpu_count() or 1, MAX_WORKERS)
    stopped: list[tuple[Path, int]] = []  # where a worker ended abruptly
    with Pool(workers, parallel_from_bytes) as pool:
        chunks = _chunks(_from_files(paths, report, pool, stopped), report)
        _store_chunks(store, chunks, report, progress, compile_as_appended=True)
    if stopped:
        raise LoadStopped(_worker_died(*stopped[0], len(paths) - report.files, report), report)
    return report


class LoadStopped(Exception):
    """A load stopped part way by a fault outside its data: a worker process ended abruptly
    (killed by the machine's out-of-memory killer, say). What it stored is whole transactions
    of the statements read before the fault, their records compiled: ``report`` counts them.
    Loading is idempotent, so loading the same files again stores the rest, nothing twice."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


class _WorkerDied(Exception):
    """A worker ended abruptly while it prepared the block of lines from this line on."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def _from_files(
    paths: Sequence[Path], report: Report, pool: Pool, stopped: list[tuple[Path, int]]
) -> Iterator[Any]:
    """The statements of BODS files, BODS 0.2 ones upgraded, each prepared (``_prepare``); a
    1-tuple for a part of a file that cannot be read, saying where and why. A worker that
    ends abruptly ends them: where goes on ``stopped``."""
    for path in paths:
        report.files += 1
        records_02 = _records_02(path)
        blocks = reading.json_lines_blocks(path) if records_02 is None else None
        parallel = blocks is not None and _size(path) >= pool.from_bytes
        # Forked here, as the load runs: the workers keep few_collections' collector settings.
        executor = pool.executor() if parallel else None
        if blocks is not None and executor is not None:
            try:
                for prepared in _in_workers(executor, pool.size, path, blocks):
                    yield from prepared
            except _WorkerDied as died:
                stopped.append((path, died.line))
                return
            continue
        for item in reading.read(path):
            if isinstance(item, reading.Unreadable):
                yield (f"{path}: {item.where}: {item.message}",)
                continue
            statement = item.statement
            if records_02 is not None and upgrade.is_bods_02(statement):
                report.upgraded += 1
                statement = upgrade.upgrade(statement, records_02)
            yield _prepare(statement, f"{path}: {item.where}", compiling=True)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since it was read: ``reading.read`` says so
        return 0


def _worker_died(path: Path, line: int, not_read: int, report: Report) -> str:
    rest = f"; the {not_read} file(s) after it were not read" if not_read else ""
    return (
        f"{path}: line {line}: a worker process preparing the lines from here on ended "
        "abruptly (killed: by the system when memory runs out, or by a signal), so the load "
        f"stopped here{rest}. The statements read before this line are stored "
        f"({report.loaded:,} statement(s) stored, {report.records:,} record(s) compiled); "
        "nothing stored before was changed. Loading is idempotent: run the same load again "
        "(with more memory, or with fewer files at once) to store the rest, nothing twice"
    )


def _in_workers(
    executor: Executor, workers: int, path: Path, blocks: Iterator[tuple[int, bytes]]
) -> Iterator[list]:
    """The blocks' lines prepared by the workers (``_prepare_block``), in file order. A file
    that cannot be read to its end is said so, where, after the lines read (of whole blocks:
    the fault's block is not read). A worker ending abruptly (its pool broken) raises
    ``_WorkerDied`` with the first line of the first block not prepared, once the blocks
    before it are taken."""
    in_flight: deque[tuple[Future, int, int, int]] = deque()  # block's first line, lines, bytes
    lines = size = 0  # in flight
    line = 1  # the first line of the next block
    offset = 0  # the first byte of the next block
    fault: list[tuple[str]] = []
    try:
        iterated = iter(blocks)
        while True:
            try:
                first, block = next(iterated)
            except StopIteration:
                break
            except OSError as error:
                fault.append(
                    (
                        f"{path}: line {line} (byte {offset:,}): the file cannot be read from "
                        f"here on: {error.strerror or error} (within the next "
                        f"{reading.BLOCK_BYTES:,} bytes); the lines before it are read",
                    )
                )
                break
            count = block.count(b"\n")
            future = submitted(executor, _prepare_block, str(path), first, block)
            in_flight.append((future, first, count, len(block)))
            line, offset = first + count, offset + len(block)
            lines, size = lines + count, size + len(block)
            while len(in_flight) >= IN_FLIGHT * workers and (
                lines >= 2 * BATCH * TRANSACTION_BATCHES or size >= IN_FLIGHT_BYTES
            ):
                lines, size = lines - in_flight[0][2], size - in_flight[0][3]
                yield _result(in_flight.popleft())
        while in_flight:
            yield _result(in_flight.popleft())
        yield fault
    finally:
        for future, *_ in in_flight:
            future.cancel()


def _result(sent: tuple[Future, int, int, int]) -> list:
    future, first, _, _ = sent
    try:
        return future.result()
    except BrokenProcessPool:
        raise _WorkerDied(first) from None


def _prepare_block(path: str, first: int, block: bytes) -> list:
    """In a worker: the lines of a block of JSON Lines prepared as ``_from_files`` prepares
    them. What crosses back is tuples of text, as pickled quickly."""
    shared: dict[str, str] = {}
    return [
        _prepare(value, f"{path}: {where}", compiling=True, shared=shared)
        if ok
        else (f"{path}: {where}: {value}",)
        for where, ok, value in reading.parse_block(first, block)
    ]


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
    prepared = (
        _prepare(item.statement, f"{path}: {item.where}", compiling=compile_as_appended)
        for path, item in items
    )
    _store_chunks(
        store, _chunks(prepared, report), report, progress, compile_as_appended=compile_as_appended
    )


def _store_chunks(
    store: Store,
    chunks: Iterator[list],
    report: Report,
    progress: Callable[[int], None] | None,
    *,
    compile_as_appended: bool,
) -> None:
    with few_collections(), store.bulk() as settle:
        first_new = log.log_size(store)
        again: set[str] = set()
        # Each batch made as it is read (the report says what cannot be stored in the order
        # ``_chunks`` gives), appended with the next ones in one transaction.
        batches = ((_batch(chunk, report), len(chunk)) for chunk in chunks)
        size = TRANSACTION_BATCHES if compile_as_appended else 1
        for held in iter(lambda: list(islice(batches, size)), []):
            if compile_as_appended:
                _append_compiling(store, [batch for batch, _ in held], report, (first_new, again))
            else:
                _append(store, held[0][0], report)
            if progress:
                progress(sum(count for _, count in held))
        settle()  # the appends reach the database file while the compile runs
        if compile_as_appended:
            # Records compiled in a transaction and given statements by a later one are
            # compiled again (and counted once).
            report.records += compile_pending(store) - len(again)
        else:
            report.records = compile_pending(store, first_new)


def _batch(chunk: list, report: Report) -> list[tuple[str, log.Statement, Any]]:
    """A batch's statements to append, as (publisher, statement, its record compiled alone),
    from their prepared tuples (``_prepare``); those that cannot be stored, and the problems of
    the others, counted in the report."""
    batch = []
    for outcome in chunk:
        if type(outcome) is str:
            report.unusable.append(outcome)
            continue
        publisher, key, statement_id, date, body, hashed, problems, where = outcome[:8]
        keywords, single = outcome[8:]
        if keywords:
            report.invalid += 1
            for keyword in keywords:
                report.problems[keyword] = report.problems.get(keyword, 0) + 1
        statement = log.Statement(key, statement_id, date, body, hashed, problems, where)
        batch.append((publisher, statement, single))
    return batch


def _chunks(prepared: Iterator[Any], report: Report) -> Iterator[list]:
    """Batches of BATCH statements as read, prepared. What could not be read (a 1-tuple) is
    reported as it comes: before the problems of the batch it is read with."""
    chunk: list = []
    for outcome in prepared:
        if type(outcome) is tuple and len(outcome) == 1:
            report.unusable.append(outcome[0])
            continue
        report.read += 1
        chunk.append(outcome)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _records_02(path: Path) -> dict[str, str] | None:
    """For a file of BODS 0.2 statements (its first statement tells, within the file's first
    FIRST_STATEMENT_WITHIN lines or statements), the record of each statement, from the chains
    of replacements through the whole file (read once more for it); None for a file of 0.4
    statements, or of none."""
    for item in islice(reading.read(path), FIRST_STATEMENT_WITHIN):
        if isinstance(item, reading.Read):
            if not upgrade.is_bods_02(item.statement):
                return None
            break
    else:
        return None
    return upgrade.record_ids(
        item.statement for item in reading.read(path) if isinstance(item, reading.Read)
    )


def _prepare(
    statement: Any, where: str, *, compiling: bool, shared: dict | None = None
) -> tuple | str:
    """A statement ready to append: (publisher, the seven fields of its ``log.Statement``,
    the keywords of its problems, and, ``compiling``, its record as compiled from it alone with
    the record's graph rows (``_single``)); or, for one that cannot be stored, why. Pure.

    Plain tuples, built and pickled (by the workers) far more cheaply than objects; no
    problems, no keywords: empty tuples. ``shared``: the publisher and date strings of
    statements prepared before, to give one object for equal strings (pickled once)."""
    identity = records.identity(statement)
    if isinstance(identity, str):
        return f"{where}: {identity}; it is not stored"
    statement_id, record_id, date = identity
    try:
        canonical = canonical_form(statement)
        body = canonical.text
        if canonical.as_given:
            value: Any = statement  # compiled as given (``_single``)
        else:
            if not canonical.orjson_writes:
                return (
                    f"{where}: it is nested more than {WRITABLE_DEPTH} levels deep, deeper than a "
                    "record can be written; it is not stored"
                )
            value = orjson.loads(body) if compiling else None
    except CanonicalizationError as error:
        return f"{where}: {error}; it is not stored"
    publisher = _publisher(statement)
    if shared is not None:
        publisher = shared.setdefault(publisher, publisher)
        date = shared.setdefault(date, date)
    single = _single(record_id, value, as_given=value is statement) if compiling else None
    if validate.is_valid([statement]):
        return (
            publisher,
            *(record_id, statement_id, date, body, hashlib.sha256(body).hexdigest(), (), where),
            (),
            single,
        )
    problems, keywords = [], []
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
        publisher,
        *(record_id, statement_id, date, body, hashlib.sha256(body).hexdigest(), problems, where),
        keywords,
        single,
    )


# How deep a record's JSON can be written (orjson's limit; it reads 1,024 levels): a statement
# deeper than this, which no real one is, would end the load when its record is written.
WRITABLE_DEPTH = 254


def _single(key: str, value: Any, *, as_given: bool) -> tuple:
    """The record of a statement compiled from it alone: (its JSON, its ``ownership_link``
    row or None, the identifiers it gives), as ``_append_compiling`` stores them for a record
    whose only statement a batch appends. ``value``: the statement as read back from its
    canonical text; or, ``as_given``, a plain statement (``canonical_form``'s) as read,
    equal to that but for the order of its dicts' keys: nothing built from its record depends
    on that order but the record's JSON and a relationship's interests, then written with
    sorted keys (``_record_json``, ``link_row``), as reading back would have ordered them."""
    compiled = records.compile_record([value])
    text = _record_json(compiled) if as_given else orjson.dumps(compiled).decode()
    return (text, *_graph_rows(key, compiled, sort_keys=as_given))


def _graph_rows(
    key: str, record: dict, *, sort_keys: bool = False
) -> tuple[tuple | None, Sequence[str]]:
    """A compiled record's ``ownership_link`` row (a relationship's) and its identifiers (an
    entity's), as stored_ownership.write writes them."""
    kind = record.get("recordType")
    if kind == "relationship":
        return stored_ownership.link_row(key, record, sort_keys=sort_keys), ()
    return None, ownership.entity_identifiers(record) if kind == "entity" else ()


def _record_json(compiled: dict) -> str:
    """A record compiled from one plain statement as given (``_single``) as JSON: the JSON of the
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
    batches: list[list[tuple[str, log.Statement, Any]]],
    report: Report,
    load: tuple[int, set[str]],
) -> None:
    """Append batches in one transaction and, in it, compile the records they start (of which
    the log held no statement before them) from their statements as read back from their
    canonical text: what compile_pending would read back from the log, without reading it. Their
    other records go on the list to compile. ``load``: the log's size when the load began, and
    the records compiled in an earlier transaction of it and put back on the list (added to).

    The log's order is each batch's statements by publisher (``BATCH``), whatever the batches
    a transaction holds: a publisher's statements that follow each other in it (all of them,
    from one publisher) are appended together, by one ``log.append``."""
    first_new, again = load
    singles: dict[int, Any] = {
        id(statement): single for batch in batches for _, statement, single in batch
    }
    # by record: (seq, statement), in log order
    started: dict[str, list[tuple[int, log.Statement]]] = {}
    earlier: dict[str, int] = {}  # records with statements before these: the first's seq
    with store.atomic() as cursor:
        for publisher, statements in _by_publisher(batches):
            appended = log.append(store, REGISTER, statements, publisher, compiled=False)
            report.loaded += len(appended.entries)
            report.duplicates += len(appended.duplicates)
            report.conflicts += len(appended.conflicts)
            for key, seq in appended.earlier.items():
                if key not in started:  # not one these started (for another publisher)
                    earlier[key] = seq
            for statement, seq in appended.entries:
                started.setdefault(statement.record_key, []).append((seq, statement))
        waiting = sorted(key for key in started if key in earlier)
        if waiting:
            log.mark_pending(store, cursor, REGISTER, waiting)
            again.update(key for key in waiting if earlier[key] >= first_new)
        results, links = [], []
        identifiers: list[tuple[str, str]] = []
        for key in sorted(started.keys() - earlier.keys()):
            history = started[key]
            # One statement: compiled as it was prepared; several: from each as read back.
            if len(history) == 1:
                text, link, given = singles[id(history[0][1])]
            else:
                compiled = records.compile_record(
                    [orjson.loads(statement.body) for _, statement in history]
                )
                text = orjson.dumps(compiled).decode()
                link, given = _graph_rows(key, compiled)
            if link is not None:
                links.append(link)
            identifiers.extend((identifier, key) for identifier in given)
            results.append((key, text, len(history), history[-1][0]))
        if results:
            now = format_log_time(datetime.now(UTC))
            stored.save_first_rows(store, cursor, REGISTER, results, now)
            stored_ownership.write_rows(store, cursor, links, identifiers)
    report.records += len(results)


def _by_publisher(
    batches: list[list[tuple[str, log.Statement, Any]]],
) -> list[tuple[str, list[log.Statement]]]:
    """The batches' statements in log order, as (publisher, statements) to append: each
    batch's by publisher, in the order of each one's first statement in it, then as read;
    one publisher's that follow each other (from one batch to the next), together."""
    groups: list[tuple[str, list[log.Statement]]] = []
    for batch in batches:
        by_publisher: dict[str, list[log.Statement]] = {}
        for publisher, statement, _ in batch:
            by_publisher.setdefault(publisher, []).append(statement)
        for publisher, statements in by_publisher.items():
            if groups and groups[-1][0] == publisher:
                groups[-1][1].extend(statements)
            else:
                groups.append((publisher, statements))
    return groups


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
