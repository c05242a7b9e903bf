"""Compiled records (use case): keeping compiled releases current, and OCDS record packages."""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

import orjson

from openbook.standards.log import format_log_time
from openbook.standards.ocds import compile as ocds_compile
from openbook.standards.ocds import schema
from openbook.store import log, records
from openbook.store.database import Store

REGISTER = "ocds"
RECORD_PACKAGE_VERSION = "1.1"


def compile_pending(
    store: Store, batch_size: int = 500, progress: Callable[[int], None] | None = None
) -> int:
    """Compile every record with new statements, each once, in batches; returns how many.

    Safe to interrupt: a record leaves the pending list only in the transaction that stores its
    compiled release."""
    done = 0
    while keys := records.pending(store, REGISTER, batch_size):
        compile_records(store, keys)
        done += len(keys)
        if progress:
            progress(len(keys))
    return done


def compile_records(store: Store, record_keys: Sequence[str]) -> None:
    found = records.bodies(store, REGISTER, record_keys)
    hashes = sorted(
        {row[2] for rows in found.values() for row in rows if row[2]} - _EXTENSIONS.keys()
    )
    for package_hash, metadata in records.packages(store, hashes).items():
        _EXTENSIONS[package_hash] = declared_extensions(orjson.loads(metadata))
    results = []
    for key in record_keys:
        rows = found[key]
        releases = [orjson.loads(body) for _, body, _ in rows if body is not None]
        merger = merger_for(_EXTENSIONS.get(row[2]) if row[2] else None for row in rows)
        compiled, error = None, None
        try:
            compiled = orjson.dumps(merger.compiled_release(releases)).decode()
        except ocds_compile.CompileError as exception:
            error = str(exception)
        results.append(
            records.Compiled(
                record_key=key,
                compiled=compiled,
                compile_error=error,
                statement_count=len(rows),
                last_seq=rows[-1][0] if rows else -1,
            )
        )
    records.save(store, REGISTER, results, format_log_time(datetime.now(UTC)))


# The extensions each stored package declared, by package hash (packages never change).
_EXTENSIONS: dict[str, tuple[str, ...]] = {}


def declared_extensions(package: dict | None) -> tuple[str, ...]:
    """The carried extensions a package declares; a release without a package gets the UK
    profile, as its review did (docs/review-codes.md)."""
    if package is None:
        return schema.UK_PROFILE
    declared = package.get("extensions")
    if not isinstance(declared, list):
        return ()
    return schema.resolve_extensions([url for url in declared if isinstance(url, str)])[0]


def merger_for(extension_sets: Iterable[tuple[str, ...] | None]) -> ocds_compile.Merger:
    """The merger for a process: the merge rules of every extension its releases declared
    (``None`` for a release that came without a package)."""
    union: set[str] = set()
    for extensions in extension_sets:
        union.update(schema.UK_PROFILE if extensions is None else extensions)
    return ocds_compile.extended_merger(tuple(sorted(union)))


def record_package(store: Store, ocid: str, base_url: str = "") -> dict | None:
    """The OCDS record package of one contracting process, or None if the log has no release of
    it. Releases are embedded in log order; the versioned release is built on first request and
    cached until the process changes."""
    statements = log.record_statements(store, REGISTER, ocid)
    if not statements:
        return None
    stored = records.get(store, REGISTER, ocid)
    if stored is None or stored.last_seq != statements[-1].entry.seq:
        compile_records(store, [ocid])
        stored = records.get(store, REGISTER, ocid)
    assert stored is not None
    releases = [orjson.loads(s.body) for s in statements if s.body is not None]
    record: dict = {"ocid": ocid, "releases": releases}
    if stored.compiled is not None:
        record["compiledRelease"] = orjson.loads(stored.compiled)
        if stored.versioned is not None:
            record["versionedRelease"] = orjson.loads(stored.versioned)
        else:
            merger = merger_for(
                declared_extensions(s.package) if s.package else None for s in statements
            )
            versioned = merger.versioned_release(releases)
            records.save_versioned(
                store, REGISTER, ocid, orjson.dumps(versioned).decode(), stored.last_seq
            )
            record["versionedRelease"] = versioned
    extensions = sorted(
        {
            url
            for s in statements
            if s.package
            for url in s.package.get("extensions") or []
            if isinstance(url, str)
        }
    )
    package = {
        "uri": f"{base_url}/api/ocds/records/{ocid}",
        "version": RECORD_PACKAGE_VERSION,
        # The package is as new as the newest statement the log accepted for the process.
        "publishedDate": max(s.entry.log_time for s in statements),
        "publisher": {"name": "openbook"},
        "records": [record],
    }
    if extensions:
        package["extensions"] = extensions
    if stored.compile_error:
        # No compiled release can be given; say why rather than leave the reader guessing.
        record["x_openbook_compileError"] = stored.compile_error
    return package
