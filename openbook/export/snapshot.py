"""Writing a snapshot of the whole log (the use case behind ``openbook export``).

One log size N is taken at the start, and every file is made from the log entries below it:
releases in log order, releases by year, Parquet tables, compiled releases (recompiled where
the stored one is not the process as of N), their flattened CSV and Excel, the tree head over
the N leaf hashes, checksums and the manifest. A load running meanwhile changes nothing in the
snapshot. Everything is streamed, so memory stays flat however large the log.

The snapshot is written into a temporary directory beside the target and put in place
atomically at the end (openbook.export.swap): readers see the previous snapshot until the new
one is complete, and an export that fails leaves the previous one as it was.
"""

import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import orjson

from openbook import config
from openbook.export import flat, jsonl, manifest, swap
from openbook.export.compiled import compiled_releases
from openbook.export.parquet import Tables, TablesWorker, WorkerError
from openbook.export.plans import PlanFiles
from openbook.export.registers import FOLDER as REGISTERS_FOLDER
from openbook.export.registers import RegisterFiles, write_derived
from openbook.records import REGISTER
from openbook.signing_keys import SigningKeyError
from openbook.standards.log import Entry
from openbook.standards.merkle import TreeHead
from openbook.store import export as exported
from openbook.store import log
from openbook.store import records as stored
from openbook.store.database import Store
from openbook.store.metrics import platform_seqs as published_through_api
from openbook.transparency import TransparencyError

RELEASES = "releases.jsonl.gz"
COMPILED = "compiled-releases.jsonl.gz"
LOG_ENTRIES = "log-entries.jsonl.gz"  # every entry's leaf data, so the tree can be recomputed
# The seqs of the releases published through the publish API (not loaded or harvested): whose
# log time is their publication time for the metrics (docs/methods/milestones.md).
PUBLISHED_ON_PLATFORM = "published-on-platform.jsonl.gz"
# The statements of the log's other registers (withdrawals, redactions, documents), a file each.
STATEMENTS = "statements"
YEARS = "years"
PARQUET = "parquet"
PROGRESS_EVERY = 1000
# Logs at least this long have their Parquet tables made in a worker process (a core of its
# own); below it, starting one costs more than it saves.
TABLES_IN_A_WORKER_FROM = 20_000


class ExportError(Exception):
    """A snapshot cannot be written; the message says where and why. The previous snapshot,
    if any, is unchanged."""


class Progress:
    """Callbacks a front end (the CLI's progress bar) gets; the default does nothing."""

    def stage(self, name: str, total: int | None = None) -> None: ...
    def advance(self, count: int) -> None: ...
    def close(self) -> None: ...


def export(
    store: Store,
    target: Path | None = None,
    *,
    progress: Progress | None = None,
    on_log_size: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> dict:
    """Write a snapshot into ``target`` (default: the downloads directory, replacing the
    snapshot there) and return its manifest. ``on_log_size`` is called with N once it is taken
    (tests append to the log there, as a concurrent load would)."""
    target = (target or config.downloads_dir()).expanduser().absolute()
    _check_target(target)
    work = _workspace(target)
    try:
        written = _write(store, work, progress or Progress(), on_log_size, now)
        swap.replace_directory(work, target)
    except OSError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise ExportError(
            f"writing the snapshot failed ({error}); the previous snapshot in {target}, if any, "
            "is unchanged"
        ) from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return written


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} exists and is not a directory")
    # A snapshot replaces the whole directory: never someone's other files.
    if target.is_dir() and any(target.iterdir()) and not manifest.is_snapshot(target):
        raise ExportError(
            f"{target} holds files that are not an openbook snapshot (no manifest.json of "
            "ours); a snapshot replaces the whole directory, so choose a new or empty one"
        )


def _workspace(target: Path) -> Path:
    """A new directory beside the target: the same file system, so that it can be swapped in."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(
            tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
        )
        # mkdtemp makes it private; a snapshot is public, and the web server may run as
        # another user.
        work.chmod(0o755)
        return work
    except OSError as error:
        raise ExportError(f"cannot write beside {target}: {error}") from error


@dataclass
class _Releases:
    tree_head: TreeHead = field(default_factory=TreeHead)
    entries: Counter = field(default_factory=Counter)  # by register
    releases: int = 0
    redacted: int = 0  # releases
    redacted_entries: list[int] = field(default_factory=list)  # seqs, of every register
    years: dict[str, int] = field(default_factory=dict)
    tables: dict[str, int] = field(default_factory=dict)
    statements: dict[str, int] = field(default_factory=dict)  # other registers': by register
    registers: dict[str, int] = field(default_factory=dict)  # entries of entered registers
    derived: dict[str, int] = field(default_factory=dict)  # entries of derived registers
    on_platform: int = 0  # releases published through the publish API


@dataclass
class _Compiled:
    records: int = 0
    compiled: int = 0
    errors: int = 0
    recompiled: int = 0
    longest: flat.LongestCell = field(default_factory=flat.LongestCell)


def _write(
    store: Store,
    work: Path,
    progress: Progress,
    on_log_size: Callable[[int], None] | None,
    now: datetime | None,
) -> dict:
    with exported.reading(store):
        size = log.log_size(store)
        if on_log_size is not None:
            on_log_size(size)
        compressor = jsonl.Compressor()
        flattening = None
        try:
            compiled = _write_compiled(store, size, work, compressor, progress)
            compressor.wait()
            # flatterer's CSV (in a worker, for large logs) while the releases are written.
            flattening = flat.Flattening(work / COMPILED, work, compiled.longest)
            today = (now or datetime.now(UTC)).astimezone(UTC).date().isoformat()
            releases = _write_releases(store, size, work, compressor, progress, today=today)
            releases.on_platform = _write_published_on_platform(store, size, work, compressor)
            progress.stage("registers")
            releases.derived = write_derived(store, work / REGISTERS_FOLDER, compressor)
        except BaseException:
            if flattening is not None:
                flattening.close()
            raise
        finally:
            compressor.finish()
        extensions = _extensions(store, size)
    # After the read-only transaction: signing a head, if none covers N yet, writes.
    try:
        signed_head = manifest.signed_tree_head(store, size)
    except (TransparencyError, SigningKeyError) as error:
        raise ExportError(f"the snapshot cannot carry a signed tree head: {error}") from None
    progress.stage("flattening (flatterer)")
    try:
        flattened = flattening.finish()
    except flat.FlattenError as error:
        raise ExportError(f"flatterer could not flatten the compiled releases: {error}") from None
    progress.stage("checksums")
    files = _describe(work, releases, compiled, flattened)
    derived = [
        manifest.describe(
            work,
            f"{REGISTERS_FOLDER}/{register}.jsonl.gz",
            f"The {register} register, derived from the processes as the platform held them "
            "when the export ran, one entry per line (docs/downloads.md)",
            count=count,
        )
        for register, count in releases.derived.items()
    ]
    files.append(manifest.write_checksums(work, [*files, *derived]))
    written = {
        "format": manifest.FORMAT,
        "formatVersion": manifest.FORMAT_VERSION,
        "generated": (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "publisher": {"name": config.publisher_name()},
        "license": config.licence(),
        "log": {
            "size": size,
            "treeHead": {
                "treeSize": releases.tree_head.size,
                "rootHash": releases.tree_head.root().hex(),
                "hashAlgorithm": "SHA-256",
                "construction": "RFC 9162 section 2.1.1, over the leaf hashes of entries 0 to "
                "size - 1 (docs/log-format.md)",
            },
            "signedTreeHead": signed_head,
            "redactedEntries": releases.redacted_entries,
        },
        "extensions": extensions,
        "counts": {
            "logEntries": size,
            "logEntriesByRegister": dict(sorted(releases.entries.items())),
            "releases": releases.releases,
            "redactedReleases": releases.redacted,
            "releasesByYear": releases.years,
            "records": compiled.records,
            "compiledReleases": compiled.compiled,
            "compileErrors": compiled.errors,
            "recompiledForSnapshot": compiled.recompiled,
            "parquetRows": releases.tables,
            "csvRows": flattened.tables,
            "registerEntries": releases.registers,
        },
        "excel": {
            "available": flattened.xlsx is not None,
            "reason": flattened.no_xlsx_reason,
        },
        "files": files,
        # Not bound to the log's size: read from the live processes (docs/downloads.md).
        "derivedRegisters": derived,
    }
    manifest.write_manifest(work, written)
    progress.close()
    return written


def _write_releases(
    store: Store,
    size: int,
    work: Path,
    compressor: jsonl.Compressor,
    progress: Progress,
    *,
    today: str,
) -> _Releases:
    found = _Releases()
    every = jsonl.LinesFile(work / RELEASES, compressor)
    leaves = jsonl.LinesFile(work / LOG_ENTRIES, compressor)
    others = _Statements(work / STATEMENTS, compressor)
    entered = RegisterFiles(work / REGISTERS_FOLDER, compressor, today)
    plan_files = PlanFiles(work / REGISTERS_FOLDER, compressor, today, store)
    years = jsonl.YearFiles(work / YEARS, "releases", compressor)
    tables: Tables | TablesWorker = (
        TablesWorker(work / PARQUET) if size >= TABLES_IN_A_WORKER_FROM else Tables(work / PARQUET)
    )
    progress.stage("releases", size)
    try:
        for row in exported.entries_before(store, size):
            if row.seq != found.tree_head.size:
                raise ExportError(
                    f"the log has no entry {found.tree_head.size} (the next one read is "
                    f"{row.seq}): a log's entries are numbered without gaps, so this database "
                    "is damaged"
                )
            found.tree_head.add(bytes.fromhex(row.leaf_hash))
            found.entries[row.register] += 1
            leaves.add(_leaf_data(row))
            entered.add(row)
            plan_files.add(row)
            if row.body is None:  # redacted, whatever its register
                found.redacted_entries.append(row.seq)
                found.redacted += row.register == REGISTER
            elif row.register == REGISTER:
                line = row.body.encode()
                every.add(line)
                years.add(jsonl.year_of(row.statement_date), line)
                tables.add_json(row.seq, row.log_time, row.publisher, line)
            else:
                others.add(row.register, row.body.encode())
            if found.tree_head.size % PROGRESS_EVERY == 0:
                progress.advance(PROGRESS_EVERY)
        if found.tree_head.size != size:
            raise ExportError(
                f"the log has {found.tree_head.size} entries below {size}; a log's entries are "
                "numbered without gaps, so this database is damaged"
            )
        found.tables = tables.close()
    except WorkerError as error:
        raise ExportError(f"making the Parquet tables failed: {error}") from error
    except BaseException:
        tables.abort()
        raise
    progress.advance(size % PROGRESS_EVERY)
    every.close()
    leaves.close()
    years.close()
    found.statements = others.close()
    found.registers = entered.close() | plan_files.close()
    found.releases = every.count
    found.years = years.counts()
    return found


def _write_published_on_platform(
    store: Store, size: int, work: Path, compressor: jsonl.Compressor
) -> int:
    published = jsonl.LinesFile(work / PUBLISHED_ON_PLATFORM, compressor)
    for seq in sorted(published_through_api(store, size)):
        published.add(b'{"seq":%d}' % seq)
    published.close()
    return published.count


class _Statements:
    """The statements of the registers other than OCDS's, a file each, made when the register's
    first statement comes."""

    def __init__(self, folder: Path, compressor: jsonl.Compressor) -> None:
        self.folder = folder
        self.compressor = compressor
        self.files: dict[str, jsonl.LinesFile] = {}

    def add(self, register: str, line: bytes) -> None:
        if register not in self.files:
            # The platform's registers are plain words; anything else is not a file name.
            if not register.isascii() or not register.replace("-", "").replace("_", "").isalnum():
                raise ExportError(f"the log has a register named {register!r}: not a file name")
            self.folder.mkdir(exist_ok=True)
            path = self.folder / f"{register}.jsonl.gz"
            self.files[register] = jsonl.LinesFile(path, self.compressor)
        self.files[register].add(line)

    def close(self) -> dict[str, int]:
        """The count of statements of each register, by name."""
        for lines in self.files.values():
            lines.close()
        return {register: lines.count for register, lines in sorted(self.files.items())}


def _leaf_data(row: exported.LogRow) -> bytes:
    return Entry(
        row.seq,
        row.register,
        row.record_key,
        row.statement_id,
        row.statement_date,
        row.log_time,
        row.publisher,
        row.body_hash,
    ).leaf_data()


def _write_compiled(
    store: Store, size: int, work: Path, compressor: jsonl.Compressor, progress: Progress
) -> _Compiled:
    found = _Compiled()
    out = jsonl.LinesFile(work / COMPILED, compressor)
    progress.stage("compiled releases", stored.count(store, REGISTER))
    for item in compiled_releases(store, size):
        found.records += 1
        found.recompiled += item.recompiled
        if item.compiled is None:
            # None without an error: every release of the process withdrawn or redacted.
            found.errors += item.error is not None
        else:
            line = item.compiled.encode()
            out.add(line)
            found.longest.observe(item.record_key, line)
        if found.records % PROGRESS_EVERY == 0:
            progress.advance(PROGRESS_EVERY)
    out.close()
    found.compiled = out.count
    return found


def _extensions(store: Store, size: int) -> list[str]:
    """The extensions declared by the packages the snapshot's releases arrived in."""
    hashes = exported.package_hashes_before(store, REGISTER, size)
    declared: set[str] = set()
    for metadata in stored.packages(store, hashes).values():
        urls = orjson.loads(metadata).get("extensions")
        if isinstance(urls, list):
            declared.update(url for url in urls if isinstance(url, str))
    return sorted(declared)


def _describe(
    work: Path, releases: _Releases, compiled: _Compiled, flattened: flat.Flattened
) -> list[dict]:
    files = [
        manifest.describe(
            work,
            RELEASES,
            "Every release, in log order, one per line, exactly as stored (RFC 8785 canonical "
            "JSON)",
            count=releases.releases,
        ),
        manifest.describe(
            work,
            COMPILED,
            "The compiled release of every contracting process, one per line, in ocid order",
            count=compiled.compiled,
        ),
        manifest.describe(
            work,
            LOG_ENTRIES,
            "Every log entry's leaf data, in log order, one per line: SHA-256 of 0x00 and a line "
            "is the entry's leaf hash, from which the tree head is recomputed "
            "(docs/log-format.md)",
            count=releases.tree_head.size,
        ),
        manifest.describe(
            work,
            PUBLISHED_ON_PLATFORM,
            "The log positions (seq) of the releases published through the publish API rather "
            "than loaded or harvested, one per line in log order: their log time is when they "
            "were published (docs/methods/milestones.md)",
            count=releases.on_platform,
        ),
    ]
    if flattened.csv_zip is not None:
        files.append(
            manifest.describe(
                work,
                flattened.csv_zip.name,
                "The compiled releases flattened into CSV tables by flatterer, zipped",
                tables=flattened.tables,
            )
        )
    if flattened.xlsx is not None:
        files.append(
            manifest.describe(
                work,
                flattened.xlsx.name,
                "The same tables as one Excel workbook, a sheet per table",
                tables=flattened.tables,
            )
        )
    for name, rows in releases.tables.items():
        files.append(
            manifest.describe(
                work,
                f"{PARQUET}/{name}.parquet",
                f"Parquet table of the {name} in every release",
                rows=rows,
            )
        )
    for register, count in releases.statements.items():
        files.append(
            manifest.describe(
                work,
                f"{STATEMENTS}/{register}.jsonl.gz",
                f"Every statement of the log's {register} register, in log order, one per line, "
                "exactly as stored (RFC 8785 canonical JSON)",
                count=count,
            )
        )
    for register, count in releases.registers.items():
        files.append(
            manifest.describe(
                work,
                f"{REGISTERS_FOLDER}/{register}.jsonl.gz",
                f"Every entry of the {register} register as it stood at the snapshot's log "
                "size, one per line in id order, as the API gives it (docs/registers.md)",
                count=count,
            )
        )
    for year, count in releases.years.items():
        which = "without a year in their date" if year == jsonl.UNDATED else f"dated {year}"
        files.append(
            manifest.describe(
                work,
                f"{YEARS}/releases-{year}.jsonl.gz",
                f"The releases {which}, in log order",
                count=count,
            )
        )
    return files
