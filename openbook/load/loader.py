"""Loading OCDS files into the log (use case behind ``openbook load``).

Each file is read as a stream (openbook.load.reading), each release reviewed and canonicalised,
and appended in batches; processes that received releases are compiled once at the end. Loading
is idempotent and safe to interrupt: every batch is one transaction, and the processes still to
compile are recorded in the same transaction as their releases.
"""

import gc
import hashlib
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

import orjson

from openbook import records
from openbook.load.reading import (
    Deferred,
    Found,
    Issue,
    Reader,
    package_releases,
    plain_release,
)
from openbook.load.report import FileReport, LoadReport
from openbook.pool import Pool, few_collections, submitted
from openbook.standards.canonical import CanonicalizationError, canonical_json
from openbook.standards.ocds import schema, terms, validate
from openbook.store import log
from openbook.store import records as stored_records
from openbook.store.database import Store

BATCH_SIZE = 2000


class Progress:
    """Callbacks a front end (the CLI's progress bar) gets; the default does nothing."""

    def start_file(self, path: Path, size: int) -> None: ...
    def advance(self, position: int) -> None: ...
    def start_compile(self, total: int) -> None: ...
    def compiled(self, count: int) -> None: ...
    def close(self) -> None: ...


# Inputs at least this large are reviewed in worker processes, one per core; below it, starting
# them costs more than it saves.
PARALLEL_FROM_BYTES = 16 * 2**20
# Compiles of at least this many processes run in worker processes.
PARALLEL_FROM_RECORDS = 2000
# Releases handed to a worker at a time.
CHUNK = 500
# Chunks in flight per worker: enough that the workers keep reviewing while this process
# appends a batch and commits it (BATCH_SIZE releases, four chunks), which takes longer than
# their share of it.
CHUNKS_PER_WORKER = 8
# With workers, files up to this size are read by a worker, whole (parsed, split into releases
# and reviewed there), in groups of up to GROUP_BYTES of files: this process then only writes.
# Larger files are read here and their releases handed on in chunks, so memory stays bounded.
WORKER_FILE_BYTES = 4 * 2**20
GROUP_BYTES = 2**20


def load(
    store: Store | Callable[[], Store],
    paths: Iterable[Path],
    *,
    publisher: str | None = None,
    strict: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    workers: int | None = None,
    parallel_from_bytes: int = PARALLEL_FROM_BYTES,
    parallel_from_records: int = PARALLEL_FROM_RECORDS,
) -> LoadReport:
    """Load files; ``publisher`` overrides the name the packages give (bare releases have none).

    Reviewing and canonicalising (pure CPU) run in ``workers`` processes for large inputs, and so
    does compiling; this process reads the files and writes to the database, in file order, so
    the log's order never depends on the number of workers. ``store`` may be a function that
    opens it: the workers then start reading while it runs (for the command line, Django's
    set-up and the migration check, a fifth of a second)."""
    progress = progress or Progress()
    paths = [Path(path) for path in paths]
    report = LoadReport()
    died: list[str] = []  # where a worker ended abruptly
    with few_collections(), Pool(workers, parallel_from_bytes, parallel_from_records) as pool:
        size = sum(path.stat().st_size for path in paths if path.is_file())
        executor = pool.for_input(size, warm_up)
        reviewed = _reviewed(_files(paths, report, strict), executor, pool.size, progress, died)
        if callable(store):
            # Taking the first result hands the workers their first pieces of work.
            first = list(itertools.islice(reviewed, 1))
            store = store()
            reviewed = itertools.chain(first, reviewed)
        with store.bulk() as settle:
            # One batch, and one stream of work to the workers, run across files: many small
            # files cost neither a transaction nor a wait for the workers each.
            batch = _Batch(store, batch_size)
            for file, found, package, outcome in reviewed:
                statement = file.prepare.statement(found, package, outcome)
                if statement is not None:
                    name = publisher if publisher is not None else _publisher_name(found.package)
                    batch.add(statement, name, file.report)
            batch.flush()
            settle()  # the appends reach the database file while the compile runs
            pending = stored_records.pending_count(store, records.REGISTER)
            progress.start_compile(pending)
            left = 0  # to compile, after a worker died compiling
            try:
                # After a worker died the others are gone too: this process compiles.
                report.compiled = records.compile_pending(
                    store, progress=progress.compiled, pool=None if died else pool
                )
            except BrokenProcessPool:
                left = stored_records.pending_count(store, records.REGISTER)
                report.compiled = pending - left
    progress.close()
    if died:
        raise LoadStopped(_died_reading(died[0], report), report)
    if left:
        raise LoadStopped(_died_compiling(left, report), report)
    return report


class LoadStopped(Exception):
    """A load stopped part way by a fault outside its data: a worker process ended abruptly
    (killed by the machine's out-of-memory killer, say). What it stored is the releases read
    before the fault, each batch a transaction, their processes compiled (or, for a fault while
    compiling, left listed to compile): ``report`` counts them. Loading is idempotent, so
    loading the same files again stores the rest, nothing twice, and compiles what is listed."""

    def __init__(self, message: str, report: LoadReport) -> None:
        super().__init__(message)
        self.report = report


class _WorkerDied(Exception):
    """A worker ended abruptly (its pool broken) while it had the work that begins here."""


_ENDED = "ended abruptly (killed: by the system when memory runs out, or by a signal)"
_AGAIN = (
    "Loading is idempotent: run the same load again (with more memory, or with fewer files at "
    "once) to"
)


def _stored(report: LoadReport) -> str:
    return (
        f"{report.total('loaded'):,} release(s) stored in the log, {report.compiled:,} "
        "process(es) compiled"
    )


def _died_reading(where: str, report: LoadReport) -> str:
    return (
        f"{where}: a worker process reviewing the releases from here on {_ENDED}, so the load "
        f"stopped here. The releases read before it are stored ({_stored(report)}); nothing "
        f"stored before was changed. {_AGAIN} store the rest, nothing twice"
    )


def _died_compiling(left: int, report: LoadReport) -> str:
    return (
        f"a worker process compiling {_ENDED}, so the load stopped there. Every release read "
        f"is stored ({_stored(report)}; {left:,} left listed to compile); nothing stored before "
        f"was changed. {_AGAIN} compile the rest; nothing is stored twice"
    )


def load_package(
    store: Store,
    package: dict,
    file_report: FileReport,
    report: LoadReport,
    *,
    publisher: str | None = None,
    strict: bool = False,
) -> None:
    """Review and append the releases of a release package already in memory (a page that
    ``openbook harvest`` fetched) as ``load`` does a file's: the same reading of each release,
    review, statement, publisher and append; one transaction for a page of up to BATCH_SIZE
    releases. ``file_report.path`` names where it came from. Compiling is left to the caller."""
    file_report.format = "release-package"
    prepare = _Preparer(None, file_report, report, strict)
    batch = _Batch(store, BATCH_SIZE)
    for item in package_releases(package):
        if isinstance(item, Issue):
            file_report.note(item.where, item.code, item.message, item.severity)
            continue
        file_report.read += 1
        extensions, metadata = prepare.for_package(item.package)
        statement = prepare.statement(item, metadata, review(item.release, extensions))
        if statement is not None:
            name = publisher if publisher is not None else _publisher_name(item.package)
            batch.add(statement, name, file_report)
    batch.flush()


# (problems, canonical body or None, why it could not be canonicalised or None, feed terms)
Reviewed = tuple[list[dict], bytes | None, str | None, list[str]]


def review_chunk(chunk: list[tuple[bytes, tuple[str, ...] | None]]) -> list:
    """What a worker does with a chunk of releases, each given as JSON text with the extensions
    to review it against, or as a deferred JSON Lines line (extensions None: a bare release).

    For each: (identity, review) where identity is (ocid, id, date) for a deferred line and
    None otherwise; or None for a deferred line the reader must settle itself."""
    results: list = []
    for data, extensions in chunk:
        if extensions is not None:
            results.append((None, review(orjson.loads(data), extensions)))
            continue
        release = plain_release(data)
        if release is None:
            results.append(None)
        else:
            identity = (release["ocid"], release["id"], release["date"])
            results.append((identity, review(release, schema.UK_PROFILE)))
    return results


def review(release: dict, extensions: tuple[str, ...]) -> Reviewed:
    """Where the whole release is parsed (here or in a worker): its problems, canonical body and
    the terms the feed finds it by (openbook.standards.ocds.terms)."""
    problems = [problem.as_dict() for problem in validate.review_release(release, extensions)]
    found_by = terms.release_terms(release)
    try:
        return problems, canonical_json(release), None, found_by
    except CanonicalizationError as error:
        return problems, None, str(error), found_by


def warm_up() -> bool:
    """Run in each worker as it starts: imports, schema validators and the default merger are
    built while the loading process is still reading."""
    review({"ocid": "ocds-x", "id": "1", "date": "2026-01-01T00:00:00Z"}, schema.UK_PROFILE)
    records.merger(records.BARE)
    # What the worker holds now (the loading process's modules and data, forked, and the
    # validators and merger just built) lives as long as it does: out of the collector's
    # sight, the full collections that the review's garbage brings on do not walk it again.
    gc.freeze()
    return True


# A release as a worker read it from a whole file: (ocid, id, date), the package's metadata (one
# dict for all the releases of a package), where it is in the file, and its review.
ReadRelease = tuple[tuple[str, str, str], dict | None, str, Reviewed]


def read_files(paths: list[Path]) -> list[tuple[str, list[ReadRelease | Issue]]]:
    """What a worker does with a group of small files: read each exactly as the loading process
    would (openbook.load.reading), and review every release against its package's extensions.
    For each file, its format and its releases and issues in file order."""
    results = []
    for path in paths:
        reader = Reader(path)
        items: list[ReadRelease | Issue] = []
        profile: tuple[object, tuple[str, ...]] = (None, schema.UK_PROFILE)
        for item in reader:
            if isinstance(item, Issue):
                items.append(item)
                continue
            assert isinstance(item, Found)  # a reader that does not defer finds or tells
            if item.package is not profile[0]:
                profile = (item.package, records.package_profile(item.package)[1])
            release = item.release
            identity = (release["ocid"], release["id"], release["date"])
            items.append((identity, item.package, item.where, review(release, profile[1])))
        results.append((reader.format, items))
    return results


@dataclass
class _File:
    path: Path
    reader: Reader
    report: FileReport
    prepare: "_Preparer"


def _files(paths, report, strict) -> Iterator[_File]:
    for path in paths:
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        reader = Reader(path)
        yield _File(path, reader, file_report, _Preparer(reader, file_report, report, strict))


def _reviewed(files, executor, workers, progress, died):
    """Every file's releases with their reviews, in file order: reviewed here, or by worker
    processes (``_InFlight``). With workers, JSON Lines lines reach them unparsed, and small
    files are read by them whole: this process only reads and writes. A worker ending
    abruptly ends them: where goes on ``died``."""
    work = _InFlight(executor, workers, progress) if executor is not None else None
    try:
        for file in files:
            reader = file.reader
            if work is not None and reader.size <= WORKER_FILE_BYTES:
                yield from work.add_file(file)
                continue
            progress.start_file(file.path, reader.size)
            reader.defer = work is not None
            for count, item in enumerate(reader, 1):
                if count % 1024 == 0:
                    progress.advance(reader.position)
                if isinstance(item, Issue):
                    file.report.note(item.where, item.code, item.message, item.severity)
                elif isinstance(item, Deferred):
                    yield from work.add_release((file, item, None, None))
                else:
                    extensions, package = file.prepare.for_package(item.package)
                    if work is None:
                        file.report.read += 1
                        yield file, item, package, review(item.release, extensions)
                    else:
                        yield from work.add_release((file, item, extensions, package))
            file.report.format = reader.format
            progress.advance(reader.size)
        if work is not None:
            yield from work.finish()
    except _WorkerDied as stopped:
        died.append(str(stopped))


class _InFlight:
    """Work handed to the worker processes, collected in the order handed, with a few pieces
    in flight (so memory stays bounded): groups of small files, read whole by a worker, and
    chunks of the releases of larger files."""

    def __init__(self, executor, workers: int, progress: Progress) -> None:
        self.executor = executor
        self.progress = progress
        self.queue: deque = deque()
        self.chunk: list = []
        self.group: list[_File] = []
        self.depth = CHUNKS_PER_WORKER * workers  # chunks in flight
        self.group_depth = 4 * workers  # groups: smaller, and the workers never wait for one

    def add_file(self, file: "_File"):
        self._hand_on_chunk()  # files go to the log in the order given
        self.group.append(file)
        if sum(member.reader.size for member in self.group) >= GROUP_BYTES:
            self._hand_on_group()
            yield from self._take(self.group_depth)

    def add_release(self, entry: tuple):
        self._hand_on_group()
        self.chunk.append(entry)
        if len(self.chunk) >= CHUNK:
            self._hand_on_chunk()
            yield from self._take(self.depth)

    def finish(self):
        self._hand_on_group()
        self._hand_on_chunk()
        yield from self._take(0)

    def _hand_on_group(self) -> None:
        if self.group:
            paths = [file.path for file in self.group]
            self.queue.append((self.group, submitted(self.executor, read_files, paths)))
            self.group = []

    def _hand_on_chunk(self) -> None:
        if self.chunk:
            self.queue.append((self.chunk, _submit(self.executor, self.chunk)))
            self.chunk = []

    def _take(self, keep: int):
        """Results in the order handed; a worker ended abruptly raises ``_WorkerDied`` with
        where the first work whose results the broken pool lost begins."""
        while len(self.queue) > keep:
            work, future = self.queue.popleft()
            try:
                results = future.result()
            except BrokenProcessPool:
                self.queue.clear()
                raise _WorkerDied(_begins(work)) from None
            yield from _collect(work, results, self.progress)


def _begins(work: list) -> str:
    if isinstance(work[0], _File):  # a group of files, read whole
        return str(work[0].path)
    file, item, _, _ = work[0]
    return f"{file.path}: {item.where}" if item.where else str(file.path)


def _submit(executor, chunk):
    return submitted(
        executor,
        review_chunk,
        [
            (item.line, None) if extensions is None else (orjson.dumps(item.release), extensions)
            for _, item, extensions, _ in chunk
        ],
    )


def _collect(work, results, progress):
    if work and isinstance(work[0], _File):
        yield from _collect_files(work, results, progress)
        return
    for (file, item, _, package), result in zip(work, results, strict=True):
        if not isinstance(item, Deferred):
            file.report.read += 1
            yield file, item, package, result[1]
        elif result is not None:
            (ocid, identifier, date), reviewed = result
            file.report.read += 1
            identity = {"ocid": ocid, "id": identifier, "date": date}
            yield file, Found(identity, None, item.where), None, reviewed
        else:
            # Not a plain release: read it here, exactly as the reader would have.
            for settled in file.reader.settle(item):
                if isinstance(settled, Issue):
                    file.report.note(settled.where, settled.code, settled.message, settled.severity)
                    continue
                file.report.read += 1
                extensions, metadata = file.prepare.for_package(settled.package)
                yield file, settled, metadata, review(settled.release, extensions)


def _collect_files(files: list[_File], results, progress):
    """The releases of files a worker read (``read_files``), as if read here."""
    for file, (kind, items) in zip(files, results, strict=True):
        progress.start_file(file.path, file.reader.size)
        file.reader.format = file.report.format = kind
        for item in items:
            if isinstance(item, Issue):
                file.report.note(item.where, item.code, item.message, item.severity)
                continue
            (ocid, identifier, date), package, where, reviewed = item
            file.report.read += 1
            metadata = file.prepare.for_package(package)[1]
            identity = {"ocid": ocid, "id": identifier, "date": date}
            yield file, Found(identity, package, where), metadata, reviewed
        progress.advance(file.reader.size)


class _Batch:
    """Statements waiting to be appended, each with the report of the file it came from; one
    transaction per batch (and per change of publisher)."""

    def __init__(self, store: Store, size: int) -> None:
        self.store = store
        self.size = size
        self.items: list[tuple[log.Statement, FileReport]] = []
        self.publisher = ""

    def add(self, statement: log.Statement, publisher: str, file_report: FileReport) -> None:
        if self.items and (len(self.items) >= self.size or publisher != self.publisher):
            self.flush()
        self.items.append((statement, file_report))
        self.publisher = publisher

    def flush(self) -> None:
        if not self.items:
            return
        reports = {id(statement): report for statement, report in self.items}
        statements = [statement for statement, _ in self.items]
        self.items = []
        # The first seqs of records (for BODS) are not wanted here.
        outcome = log.append(
            self.store, records.REGISTER, statements, self.publisher, earlier=False
        )
        for statement, _ in outcome.entries:
            report = reports[id(statement)]
            report.loaded += 1
            report.loaded_with_errors += _has_errors(statement.problems)
        for statement, _ in outcome.duplicates:
            reports[id(statement)].duplicates += 1
        for statement, stored_seq in outcome.conflicts:
            report = reports[id(statement)]
            report.conflicts += 1
            report.keep(
                {
                    "where": statement.source.removeprefix(report.path).lstrip(),
                    "code": "conflict",
                    "message": f"release {statement.statement_id!r} of {statement.record_key!r} "
                    f"is already in the log (entry {stored_seq}) with a different body; the "
                    "stored one is unchanged and this one is kept aside (see `openbook stats`)",
                    "severity": "error",
                }
            )


def _more(problems: list[dict]) -> str:
    others = len(problems) - 1
    return f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""


def _has_errors(problems: list[dict]) -> bool:
    return any(problem["severity"] == "error" for problem in problems)


def _publisher_name(package: dict | None) -> str:
    publisher = (package or {}).get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        # NUL cannot be stored in PostgreSQL text: such a name is taken as not given.
        return publisher["name"] if "\x00" not in publisher["name"] else ""
    return ""


class _Preparer:
    """Turns a reviewed release into a statement; does the package-level work (extensions
    resolved, package reviewed, package metadata hashed) once per package, not per release."""

    def __init__(
        self, reader: Reader | None, file_report: FileReport, report: LoadReport, strict: bool
    ) -> None:
        self.reader = reader
        self.file_report = file_report
        self.report = report
        self.strict = strict
        self._package: dict | None = None
        self._package_state: tuple[tuple[str, ...], tuple[str, bytes] | None] = (
            schema.UK_PROFILE,
            None,
        )

    def statement(
        self, found: Found, package: tuple[str, bytes] | None, reviewed: Reviewed
    ) -> log.Statement | None:
        problems, body, unwritable, found_by = reviewed
        self.report.count_problems(problems)
        if self.strict and _has_errors(problems):
            self.file_report.invalid += 1
            first = next(p for p in problems if p["severity"] == "error")
            self.file_report.keep(
                {
                    "where": found.where,
                    "code": "invalid",
                    "message": f"not stored (--strict): {first['message']}" + _more(problems),
                    "severity": "error",
                }
            )
            return None
        if body is None:
            self.file_report.note(found.where, "not-canonicalizable", str(unwritable), "error")
            return None
        return new_statement(
            found.release,
            body,
            problems,
            found_by,
            source=f"{self.file_report.path} {found.where}",
            package=package,
        )

    def for_package(self, package: dict | None):
        """(extensions to review against, (hash, canonical metadata) or None)."""
        if package is self._package:
            return self._package_state
        self._package = package
        # The extensions its releases are reviewed against are those they are compiled with.
        known = records.package_profile(package)[1]
        if package is None:
            self._package_state = (known, None)
            return self._package_state
        record_package = self.reader is not None and self.reader.format == "record-package"
        kind, listed = ("record", "records") if record_package else ("release", "releases")
        # The metadata comes without its list, which is not empty: a release was found in it.
        for problem in validate.review_package({**package, listed: [{}]}, kind):
            self.file_report.note(
                f"package {problem.path or '(root)'}", problem.code, problem.message, "warning"
            )
        self._package_state = (known, package_metadata(package))
        return self._package_state


def new_statement(
    release: dict,
    body: bytes,
    problems: list[dict],
    found_by: list[str],
    *,
    source: str,
    package: tuple[str, bytes] | None,
) -> log.Statement:
    """The statement of a reviewed release with a usable identity (its ``ocid``, ``id`` and
    ``date``), ``body`` its canonical JSON: for the loader and for the publish API alike."""
    return log.Statement(
        record_key=release["ocid"],
        statement_id=release["id"],
        statement_date=release["date"],
        body=body,
        body_hash=hashlib.sha256(body).hexdigest(),
        problems=problems,
        source=source,
        package=package,
        terms=found_by,
    )


def package_metadata(package: dict) -> tuple[str, bytes] | None:
    """(hash, canonical JSON) of a package's metadata, given without its releases or records;
    None if it cannot be canonicalised."""
    try:
        metadata = canonical_json(package)
    except CanonicalizationError:
        return None
    return hashlib.sha256(metadata).hexdigest(), metadata
