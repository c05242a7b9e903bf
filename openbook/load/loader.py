"""Loading OCDS files into the log (use case behind ``openbook load``).

Each file is read as a stream (openbook.load.reading), each release reviewed and canonicalised,
and appended in batches; processes that received releases are compiled once at the end. Loading
is idempotent and safe to interrupt: every batch is one transaction, and the processes still to
compile are recorded in the same transaction as their releases.
"""

import hashlib
from collections.abc import Iterable
from pathlib import Path

from openbook import records
from openbook.load.reading import Found, Issue, Reader
from openbook.load.report import FileReport, LoadReport
from openbook.standards.canonical import CanonicalizationError, canonical_json
from openbook.standards.ocds import schema, validate
from openbook.store import log
from openbook.store.database import Store

BATCH_SIZE = 2000


class Progress:
    """Callbacks a front end (the CLI's progress bar) gets; the default does nothing."""

    def start_file(self, path: Path, size: int) -> None: ...
    def advance(self, position: int) -> None: ...
    def start_compile(self, total: int) -> None: ...
    def compiled(self, count: int) -> None: ...
    def close(self) -> None: ...


def load(
    store: Store,
    paths: Iterable[Path],
    *,
    publisher: str | None = None,
    strict: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
) -> LoadReport:
    """Load files; ``publisher`` overrides the name the packages give (bare releases have none)."""
    progress = progress or Progress()
    report = LoadReport()
    for path in paths:
        file_report = FileReport(path=str(path))
        report.files.append(file_report)
        _load_file(
            store,
            Path(path),
            file_report=file_report,
            report=report,
            publisher=publisher,
            strict=strict,
            batch_size=batch_size,
            progress=progress,
        )
    from openbook.store import records as stored_records

    progress.start_compile(stored_records.pending_count(store, records.REGISTER))
    report.compiled = records.compile_pending(store, progress=progress.compiled)
    progress.close()
    return report


def _load_file(store, path, *, file_report, report, publisher, strict, batch_size, progress):
    try:
        reader = Reader(path)
    except OSError as error:
        file_report.note(
            str(path), "unreadable-file", f"cannot open the file: {error.strerror}", "error"
        )
        return
    progress.start_file(path, reader.size)
    prepare = _Preparer(reader, file_report, report, strict)
    batch: list[log.Statement] = []
    batch_publisher = None
    for count, item in enumerate(reader, 1):
        if isinstance(item, Issue):
            file_report.note(item.where, item.code, item.message, item.severity)
            continue
        assert isinstance(item, Found)
        file_report.read += 1
        statement = prepare(item)
        if statement is None:
            continue
        name = publisher if publisher is not None else _publisher_name(item.package)
        if batch and (len(batch) >= batch_size or name != batch_publisher):
            _append(store, batch, batch_publisher, file_report)
            batch = []
        batch.append(statement)
        batch_publisher = name
        if count % 256 == 0:
            progress.advance(reader.position)
    _append(store, batch, batch_publisher, file_report)
    file_report.format = reader.format
    progress.advance(reader.size)


def _append(store, batch, publisher, file_report):
    if not batch:
        return
    outcome = log.append(store, records.REGISTER, batch, publisher or "")
    file_report.loaded += len(outcome.entries)
    file_report.loaded_with_errors += sum(
        1 for statement, _ in outcome.entries if _has_errors(statement.problems)
    )
    file_report.duplicates += len(outcome.duplicates)
    file_report.conflicts += len(outcome.conflicts)
    for statement, stored_seq in outcome.conflicts:
        file_report.keep(
            {
                "where": statement.source.removeprefix(file_report.path).lstrip(),
                "code": "conflict",
                "message": f"release {statement.statement_id!r} of {statement.record_key!r} is "
                f"already in the log (entry {stored_seq}) with a different body; the stored one "
                "is unchanged and this one is kept aside (see `openbook stats`)",
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
        return publisher["name"]
    return ""


class _Preparer:
    """Turns a release read from a file into a statement: review, canonical form, hash.

    Package-level work (extensions resolved, package reviewed, package metadata hashed) is done
    once per package, not once per release."""

    def __init__(
        self, reader: Reader, file_report: FileReport, report: LoadReport, strict: bool
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

    def __call__(self, found: Found) -> log.Statement | None:
        extensions, package = self._for_package(found.package)
        release = found.release
        problems = [problem.as_dict() for problem in validate.review_release(release, extensions)]
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
        try:
            body = canonical_json(release)
        except CanonicalizationError as error:
            self.file_report.note(found.where, "not-canonicalizable", str(error), "error")
            return None
        return log.Statement(
            record_key=release["ocid"],
            statement_id=release["id"],
            statement_date=release["date"],
            body=body,
            body_hash=hashlib.sha256(body).hexdigest(),
            problems=problems,
            source=f"{self.file_report.path} {found.where}",
            package=package,
        )

    def _for_package(self, package: dict | None):
        if package is self._package:
            return self._package_state
        self._package = package
        if package is None:
            self._package_state = (schema.UK_PROFILE, None)
            return self._package_state
        declared = package.get("extensions") or []
        declared = (
            [url for url in declared if isinstance(url, str)] if isinstance(declared, list) else []
        )
        known, _unknown = schema.resolve_extensions(declared)
        kind = "record" if self.reader.format == "record-package" else "release"
        for problem in validate.review_package(package, kind):
            self.file_report.note(
                f"package {problem.path or '(root)'}", problem.code, problem.message, "warning"
            )
        try:
            metadata = canonical_json(package)
        except CanonicalizationError:
            metadata = None
        state = (
            known,
            (hashlib.sha256(metadata).hexdigest(), metadata) if metadata is not None else None,
        )
        self._package_state = state
        return state
