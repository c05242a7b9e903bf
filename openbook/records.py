"""Compiled records (use case): keeping compiled releases current, and OCDS record packages."""

from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from openbook import config, marks
from openbook.pool import Pool, pickle_by_values
from openbook.standards.log import format_log_time
from openbook.standards.ocds import commercial_tools as tool_facts
from openbook.standards.ocds import compile as ocds_compile
from openbook.standards.ocds import schema, summary
from openbook.store import commercial_tools, log, records
from openbook.store import marks as stored_marks
from openbook.store.database import Store, pending_migrations

REGISTER = "ocds"
RECORD_PACKAGE_VERSION = "1.1"
# What the compile workers hand back, pickled cheaply (openbook.pool.pickle_by_values).
pickle_by_values(
    records.Compiled,
    summary.Summary,
    summary.Mention,
    tool_facts.Facts,
    tool_facts.Member,
    tool_facts.Link,
)


def compile_after_migrating(sender=None, using: str = "default", **kwargs) -> None:
    """Compile the records a migration put on the list to compile again (0014 does, so that
    what compiling writes covers what was compiled before), once the schema is whole: compiling
    writes every table today's code knows, which a migration half-way along the way may lack.
    A migrate run that stops short of the newest migration (going back, say) leaves them
    listed for the next one, or for the next load. (Connected in openbook.apps.)"""
    store = Store(using)
    if pending_migrations(store) or not records.pending_count(store, REGISTER):
        return
    compile_pending(store)


def compile_pending(
    store: Store,
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
    pool: Pool | None = None,
) -> int:
    """Compile every record with new statements, each once, in batches; returns how many.

    Given a process pool, the merging (pure CPU) runs in its workers while this process reads
    statements and writes results. Safe to interrupt: a record leaves the pending list only in
    the transaction that stores its compiled release."""
    done = 0
    count = records.pending_count(store, REGISTER)
    executor = pool.for_records(count) if pool else None
    if executor is not None:
        assert pool is not None
        # Batches small enough that every worker gets several: with a few batches only, one
        # worker is left merging the last while the others wait.
        share = max(50, -(-count // (4 * pool.size)))
        done += _compile_in_parallel(store, min(batch_size, share), progress, executor, pool.size)
    # Sequentially: everything (small loads), or what was appended while the workers ran.
    while keys := records.pending(store, REGISTER, batch_size):
        compile_records(store, keys)
        done += len(keys)
        if progress:
            progress(len(keys))
    return done


# Rounds of compiling again the frameworks that what was just compiled names or no longer
# names (openbook.store.commercial_tools.out_of_step): one settles them; any left stay listed.
FRAMEWORK_ROUNDS = 3


# A record's statements, as ``records.bodies`` reads them, and their corrections.
Known = tuple[list[tuple[int, str | None, str | None]], stored_marks.Corrections]


def compile_records(
    store: Store, record_keys: Sequence[str], known: Mapping[str, Known] | None = None
) -> None:
    """Compile these records now (a publication, a withdrawal, a redaction), and then the
    frameworks their call-offs newly name, or stopped naming, so the register shows them.
    ``known``: records whose statements and corrections the caller has read under the log's
    lock and holds, as the log has them (the publish API's), compiled without reading them
    again."""
    keys: Sequence[str] = record_keys
    for _ in range(FRAMEWORK_ROUNDS):
        keys = _save(store, [_compile(work) for work in _work(store, keys, known or {})])
        known = None
        if not keys:
            return


def _compile_in_parallel(store, batch_size, progress, executor, depth) -> int:
    done = 0
    after = ""
    in_flight: deque = deque()
    while True:
        keys = records.pending_after(store, REGISTER, after, batch_size)
        if keys:
            after = keys[-1]
            in_flight.append(executor.submit(_compile_batch, _work(store, keys)))
        # Keep every worker busy and one batch waiting; save results in order.
        while in_flight and (not keys or len(in_flight) > depth):
            results = in_flight.popleft().result()
            _save(store, results)
            done += len(results)
            if progress:
                progress(len(results))
        if not keys and not in_flight:
            return done


# How a process is merged: the OCDS version ("1.0" or "1.1") and the extensions applied.
Profile = tuple[str, tuple[str, ...]]
# What a worker needs for one record: key, bodies (JSON text), profile, count, last seq, and
# whether another process names it as its framework.
_Work = tuple[str, list[str], Profile, int, int, bool]


def _work(
    store: Store, record_keys: Sequence[str], known: Mapping[str, Known] | None = None
) -> list[_Work]:
    # What the caller holds (``compile_records``) is not read again.
    known = known or {}
    unknown = [key for key in record_keys if key not in known]
    found = records.bodies(store, REGISTER, unknown) if unknown else {}
    corrections = stored_marks.corrections(store, unknown) if unknown else {}
    for key in record_keys:
        if key in known:
            found[key], corrections[key] = known[key]
    named = commercial_tools.named_frameworks(store, record_keys)
    declarations = stored_declarations(store, [row[2] for rows in found.values() for row in rows])
    work = []
    for key in record_keys:
        rows = found[key]
        profile = process_profile(declarations[row[2]].profile for row in rows)
        bodies = contributing(rows, corrections[key])
        # A withdrawal or a redaction changes the record as a new release does: the record is as
        # of the newest of them (its ETag, and which compiled release is current).
        last_seq = max(rows[-1][0] if rows else -1, corrections[key].last_seq)
        work.append((key, bodies, profile, len(rows), last_seq, key in named))
    return work


def contributing(
    rows: Sequence[tuple[int, str | None, str | None]], corrections: stored_marks.Corrections
) -> list[str]:
    """The bodies a record is compiled from: its releases in log order, but those withdrawn
    (published in error: as if never published) and those redacted (their body is gone)."""
    return [body for seq, body, _ in rows if body is not None and seq not in corrections.withdrawn]


def _compile_batch(work: list[_Work]) -> list[records.Compiled]:
    return [_compile(item) for item in work]


def _compile(work: _Work) -> records.Compiled:
    key, bodies, profile, count, last_seq, named = work
    compiled, error, found_by = None, None, None
    if not bodies:  # every release withdrawn or redacted: no process to show, nor to search
        return records.Compiled(key, None, None, count, last_seq)
    try:
        releases = [orjson.loads(body) for body in bodies]
        merged = merger(profile).compiled_release(releases)
        compiled = orjson.dumps(merged).decode()
        # Summarised here, in the compile workers, and stored with the compiled release.
        found_by = summary.summarise(merged, releases, named_framework=named)
    except ocds_compile.CompileError as exception:
        error = str(exception)
    return records.Compiled(
        record_key=key,
        compiled=compiled,
        compile_error=error,
        statement_count=count,
        last_seq=last_seq,
        summary=found_by,
    )


def _save(store: Store, results: list[records.Compiled]) -> list[str]:
    """Store the results; returns the frameworks put back on the list to compile again."""
    return records.save(store, REGISTER, results, format_log_time(datetime.now(UTC)))


# A release without a package is taken as OCDS 1.1 with the UK profile, as its review was.
BARE: Profile = ("1.1", schema.UK_PROFILE)
# ...and declared, where the platform packages it, as the Find a Tender Service declares them.
BARE_EXTENSIONS = schema.FIND_A_TENDER_EXTENSIONS


def package_profile(package: dict | None) -> Profile:
    """The OCDS version and carried extensions a package declares (docs/review-codes.md)."""
    if package is None:
        return BARE
    # OCDS 1.1 reads a package without `version` as 1.0; real 1.1 publishers often leave it out,
    # so 1.0 merge rules are used only when a package says 1.0 outright.
    version = "1.0" if package.get("version") == "1.0" else "1.1"
    declared = package.get("extensions")
    if not isinstance(declared, list):
        return version, ()
    known = schema.resolve_extensions([url for url in declared if isinstance(url, str)])[0]
    return version, known


def process_profile(profiles: Iterable[Profile | None]) -> Profile:
    """How a process is merged: 1.0 if all its releases were declared 1.0, else 1.1 with every
    extension its releases declared (``None`` for a release without a package)."""
    versions: set[str] = set()
    union: set[str] = set()
    for profile in profiles:
        version, extensions = profile or BARE
        versions.add(version)
        union.update(extensions)
    return ("1.0", ()) if versions == {"1.0"} else ("1.1", tuple(sorted(union)))


def merger(profile: Profile) -> ocds_compile.Merger:
    version, extensions = profile
    if version == "1.0":
        return ocds_compile.legacy_merger()
    return ocds_compile.extended_merger(extensions)


@dataclass(frozen=True, slots=True)
class Declaration:
    """What a release's package declared, as the log's readers need it."""

    profile: Profile  # how the release is merged
    extensions: tuple[str, ...]  # the extension URLs as given, declared again where packaged


BARE_DECLARATION = Declaration(BARE, BARE_EXTENSIONS)
# Each stored package's declaration, by package hash (packages never change).
_DECLARATIONS: dict[str, Declaration] = {}


def declaration(package: dict | None) -> Declaration:
    """What a package declared (BARE_DECLARATION for a release without one)."""
    if package is None:
        return BARE_DECLARATION
    declared = package.get("extensions")
    urls = [url for url in declared if isinstance(url, str)] if isinstance(declared, list) else []
    return Declaration(package_profile(package), tuple(urls))


def stored_declarations(
    store: Store, package_hashes: Iterable[str | None]
) -> dict[str | None, Declaration]:
    """The declarations of these stored packages, by hash (``None``, or a hash not stored: a
    release without a package). Each package is read once and kept."""
    wanted = set(package_hashes)
    missing = sorted(h for h in wanted - _DECLARATIONS.keys() if h)
    for package_hash, metadata in records.packages(store, missing).items():
        _DECLARATIONS[package_hash] = declaration(orjson.loads(metadata))
    return {h: _DECLARATIONS.get(h, BARE_DECLARATION) if h else BARE_DECLARATION for h in wanted}


def remember_packages(packages: Mapping[str, bytes]) -> None:
    """Keep the declarations of packages just stored (metadata as stored, by hash), so that
    ``stored_declarations`` does not read them back (the publish API compiles its processes
    right after storing their package)."""
    for package_hash, metadata in packages.items():
        if package_hash not in _DECLARATIONS:
            _DECLARATIONS[package_hash] = declaration(orjson.loads(metadata))


def declared_extensions(declarations: Iterable[Declaration]) -> list[str]:
    """The extensions declared for these releases together, in order: each package's, and for
    a release without a package those of the UK profile it was reviewed and compiled with (so
    that a mirror compiles it the same way)."""
    return sorted({url for declared in declarations for url in declared.extensions})


def record_package(store: Store, ocid: str, uri: str | None = None) -> dict | None:
    """The OCDS record package of one contracting process, or None if the log has no release of
    it (as ``record_package_bytes``, parsed)."""
    package = record_package_bytes(store, ocid, uri)
    return orjson.loads(package) if package is not None else None


def record_package_bytes(store: Store, ocid: str, uri: str | None = None) -> bytes | None:
    """The OCDS record package of one contracting process as JSON, or None if the log has no
    release of it. Releases are embedded in log order, as stored, withdrawn ones included; the
    compiled release as stored (or, for a process whose latest statements are not compiled yet,
    compiled here and not stored); the versioned release built here, from the releases that
    count (``contributing``). Withdrawn and redacted releases are listed in
    ``x_openbook_withdrawn`` and ``x_openbook_redacted`` (openbook.marks). Reading never writes:
    many readers at once never wait on each other or on a load. Written around the stored
    texts, not re-serialised."""
    statements = log.record_statements(store, REGISTER, ocid)
    if not statements:
        return None
    corrections = stored_marks.corrections(store, [ocid])[ocid]
    bodies = [s.body for s in statements if s.body is not None]
    record = [b'{"ocid":', orjson.dumps(ocid), b',"releases":[', b",".join(bodies), b"]"]
    declarations = [declaration(s.package) for s in statements]
    profile = process_profile(declared.profile for declared in declarations)
    counted = contributing(
        [(s.entry.seq, s.body.decode() if s.body else None, None) for s in statements],
        corrections,
    )
    last_seq = max(statements[-1].entry.seq, corrections.last_seq)
    stored = records.get(store, REGISTER, ocid)
    if stored is not None and stored.last_seq == last_seq:
        compiled = stored.compiled.encode() if stored.compiled is not None else None
        compile_error = stored.compile_error
    else:  # appended since the last compile, which the load that appended it will redo
        result = _compile((ocid, counted, profile, 0, -1, False))  # summary unused
        compiled = result.compiled.encode() if result.compiled is not None else None
        compile_error = result.compile_error
    if compiled is not None:
        releases = [orjson.loads(body) for body in counted]
        versioned = orjson.dumps(merger(profile).versioned_release(releases))
        record += [b',"compiledRelease":', compiled, b',"versionedRelease":', versioned]
    if compile_error:
        # No compiled release can be given; say why rather than leave the reader guessing.
        record += [b',"x_openbook_compileError":', orjson.dumps(compile_error)]
    withdrawn, redacted = marks.record_marks(store, statements, corrections)
    marked = [m["withdrawnAt"] for m in withdrawn] + [m["redactedAt"] for m in redacted]
    if withdrawn:
        record += [b',"x_openbook_withdrawn":', orjson.dumps(withdrawn)]
    if redacted:
        record += [b',"x_openbook_redacted":', orjson.dumps(redacted)]
    extensions = declared_extensions(declarations)
    metadata: dict = {
        "uri": uri or f"/api/ocds/records/{ocid}",
        "version": RECORD_PACKAGE_VERSION,
        # The package is as new as the newest statement the log accepted for the process,
        # withdrawals and redactions of its releases included.
        "publishedDate": max(
            [s.entry.log_time for s in statements] + [time for time in marked if time]
        ),
        "publisher": {"name": config.publisher_name()},
        "license": config.licence(),
    }
    if extensions:
        metadata["extensions"] = extensions
    return orjson.dumps(metadata)[:-1] + b',"records":[' + b"".join(record) + b"}]}"
