"""Loading beneficial ownership statements (BODS 0.4) into the log's ``bods`` register, and
compiling their records (the use case behind ``openbook bods load``; docs/bods.md).

Every statement with a usable identity (``statementId``, ``recordId``, ``statementDate``) is
kept, valid or not: a statement someone made is history, and its problems (against the BODS 0.4
schema, openbook.standards.bods.validate) are kept with it and reported. A statement already in
the log with the same body is a duplicate (nothing is stored twice, so loading a file again is a
no-op); with another body under the same ``statementId``, a conflict, kept aside. Then every
record with new statements is compiled (openbook.standards.bods.records).
"""

import csv
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import orjson

from openbook.load import bods as reading
from openbook.standards.bods import (
    REGISTER,
    ownership,
    psc,
    psc_stream,
    records,
    upgrade,
    validate,
)
from openbook.standards.canonical import CanonicalizationError, canonical_json_and_value
from openbook.standards.log import format_log_time
from openbook.store import log, publishers
from openbook.store import ownership as stored_ownership
from openbook.store import records as stored
from openbook.store.database import Store

BATCH = 1000
UNKNOWN_PUBLISHER = "(publisher not stated)"


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
    _store_all(store, _from_files(paths, report), report, progress, compile_as_appended=True)
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


def _store_all(
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
    with store.bulk() as settle:
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


def import_psc(
    store: Store,
    paths: Sequence[Path],
    companies: Sequence[Path] = (),
    progress: Callable[[int], None] | None = None,
    *,
    full_snapshot: bool = False,
    snapshot_date: str | None = None,
) -> Report:
    """Companies House PSC snapshot records as BODS statements (openbook.standards.bods.psc):
    a statement already in the log is left alone, so a newer snapshot adds only its changes.

    With ``full_snapshot`` the files are the whole of one snapshot: every company they name is
    listed with all its PSCs, so the relationship of a PSC they no longer list is closed
    (docs/bods.md, "A PSC no longer listed"). Without it they may be a part, and close nothing
    but what they say has ceased.

    ``snapshot_date`` (YYYY-MM-DD): the snapshot's day, for its records that carry none
    (Companies House's own files do not): their statements, and the closures of a full
    snapshot, are of that day rather than of the import's. Checked first
    (``psc.InvalidSnapshotDate``: not a real day, in the future, or before the register
    began), so a wrong one stores nothing."""
    if snapshot_date is not None:
        snapshot_date = psc.snapshot_date(snapshot_date, date.today())
    report = Report(full_snapshot=full_snapshot, snapshot_date=snapshot_date)
    known = company_data(companies)
    items = _from_psc(store, paths, known, report, (full_snapshot, snapshot_date))
    _store_all(store, items, report, progress)
    return report


@dataclass
class _Coverage:
    """What the files of a PSC import list: for each company record, the snapshot's day and
    whether that is the snapshot's own date; the companies one of whose records is broken; and
    how many broken records name no company (any of which might be about any company)."""

    days: dict[str, tuple[str, bool]] = field(default_factory=dict)
    broken_companies: set[str] = field(default_factory=set)
    broken: int = 0
    _shared: dict[tuple[str, bool], tuple[str, bool]] = field(default_factory=dict)

    def listed(self, relationship: dict, day: str | None) -> None:
        """A record of a company listed, its relationship statement made from it."""
        given = (day or relationship["publicationDetails"]["publicationDate"], day is not None)
        given = self._shared.setdefault(given, given)  # a snapshot has a day or two, not millions
        subject = relationship["recordDetails"]["subject"]
        self.days[subject] = max(self.days.get(subject, given), given)


@dataclass
class _Seen:
    """What a PSC import knows of the records it states: each record as compiled before the
    import (looked up once per PSC record read), the records given a statement so far, and of
    the relationship records stated in the import, those closed (with the days of their closing
    statement: its ``statementDate`` and its snapshot's), and the newest and first statement
    dates of a PSC's later records (openbook.standards.bods.psc.successor)."""

    store: Store
    made: set[str] = field(default_factory=set)
    closed: dict[str, tuple[str, str]] = field(default_factory=dict)
    newest: dict[str, str] = field(default_factory=dict)
    first: dict[str, str] = field(default_factory=dict)
    looked_up: dict[str, dict | None] = field(default_factory=dict)
    # relationship statements made from streaming API events, by record: a deletion later in
    # the same import closes after them (they may not be in the log yet)
    streamed: dict[str, list[dict]] = field(default_factory=dict)

    def compiled(self, record_id: str) -> dict | None:
        if record_id not in self.looked_up:
            found = stored.get(self.store, REGISTER, record_id)
            compiled = found.compiled if found is not None else None
            self.looked_up[record_id] = orjson.loads(compiled) if compiled else None
        return self.looked_up[record_id]

    def exists(self, record_id: str) -> bool:
        return record_id in self.made or self.compiled(record_id) is not None

    def current(self, record_id: str) -> tuple[str, str | None]:
        """The relationship record a PSC's statements now go to: its first (``record_id``)
        while that is open, else the first of its later records that is not closed; with the
        record closed before it (None for its first)."""
        number, closed = 1, None
        while True:
            candidate = psc.successor(record_id, number)
            compiled = self.compiled(candidate)
            if candidate not in self.closed and not (compiled and compiled.get("closed")):
                return candidate, closed
            number, closed = number + 1, candidate

    def closed_on(self, record_id: str) -> tuple[str, str]:
        """The days of a closed record's closing statement: its ``statementDate`` and its
        snapshot's (``publicationDate``)."""
        if record_id in self.closed:
            return self.closed[record_id]
        compiled = self.compiled(record_id) or {}
        closing = str((compiled.get("statements") or [""])[-1])
        found: dict = next(
            (
                orjson.loads(s.body)
                for s in log.record_statements(self.store, REGISTER, record_id)
                if s.body is not None and s.entry.statement_id == closing
            ),
            {},
        )
        details = found.get("publicationDetails")
        published = details.get("publicationDate") if isinstance(details, dict) else None
        self.closed[record_id] = (
            str(compiled.get("lastStatementDate") or "")[:10],
            str(published or "")[:10],
        )
        return self.closed[record_id]

    def started(self, record_id: str) -> str:
        """The day of the snapshot that started a PSC's later record (its first statement is
        dated so: openbook.standards.bods.psc.listed_again)."""
        if record_id in self.first:
            return self.first[record_id]
        return str((self.compiled(record_id) or {}).get("firstStatementDate") or "")[:10]

    def stated(self, statement: dict) -> None:
        """A statement given to the log in this import."""
        record_id = statement["recordId"]
        self.made.add(record_id)
        if statement["recordType"] != "relationship":
            return
        if statement["recordStatus"] == "closed":
            day = str(statement["publicationDetails"]["publicationDate"])[:10]
            self.closed[record_id] = (statement["statementDate"][:10], day)
        elif psc.SUCCESSOR in record_id:
            self.newest[record_id] = max(self.newest.get(record_id, ""), statement["statementDate"])
            if statement["recordStatus"] == "new":
                self.first[record_id] = statement["statementDate"][:10]


def _from_psc(
    store: Store,
    paths: Sequence[Path],
    companies: dict[str, dict],
    report: Report,
    options: tuple[bool, str | None],
) -> Iterator[tuple[Path | str, reading.Read]]:
    """``options``: whether the files are a full snapshot, and the snapshot's date if given."""
    full_snapshot, day = options
    seen = _Seen(store)
    produced: set[str] = set()  # statement ids made in this import
    coverage = _Coverage()

    for path in paths:
        report.files += 1
        for item in reading.read(path):
            seen.looked_up.clear()
            if isinstance(item, reading.Unreadable):
                report.unusable.append(f"{path}: {item.where}: {item.message}")
                coverage.broken += 1
                continue
            event = _event(item.statement, full_snapshot)
            if isinstance(event, psc_stream.Streamed) and event.deleted:
                yield from _deleted(event, seen, report, (path, item.where))
                continue
            found = _made(item.statement, event, seen, companies, day)
            if isinstance(found, psc.Skipped):
                _skipped(found, f"{path}: {item.where}", report, coverage)
                continue
            if full_snapshot:
                coverage.listed(found[-1], psc.snapshot_day(item.statement) or day)
            logged = publishers.stored_entries(
                store, REGISTER, [(s["recordId"], s["statementId"]) for s in found]
            )
            for statement in found:
                seen.made.add(statement["recordId"])
                key = (statement["recordId"], statement["statementId"])
                given = _in_order(statement, key in logged, seen, report)
                # A company with several PSCs is stated once.
                if given is not None and given["statementId"] not in produced:
                    produced.add(given["statementId"])
                    seen.stated(given)
                    if event is not None and given["recordType"] == "relationship":
                        seen.streamed.setdefault(given["recordId"], []).append(given)
                    yield path, reading.Read(item.where, given)
                else:
                    report.duplicates += 1
    if full_snapshot:
        yield from _no_longer_listed(store, paths, coverage, seen.made, report)


def _made(
    record: Any,
    event: psc_stream.Streamed | psc.Skipped | None,
    seen: _Seen,
    companies: dict[str, dict],
    day: str | None,
) -> list[dict] | psc.Skipped:
    """The statements of a PSC record read: a snapshot's (of ``day``, when it gives none), or a
    changed event's (of its own day)."""
    if isinstance(event, psc.Skipped):
        return event
    if event is not None:
        return psc.statements(event.record, seen.exists, companies, event.day)
    return psc.statements(record, seen.exists, companies, day)


def _skipped(found: psc.Skipped, where: str, report: Report, coverage: _Coverage) -> None:
    """A PSC record that gives no statements: about no one, or broken (and then not known to
    list all of its company's PSCs, or any company's when it names none)."""
    if not found.malformed:
        report.skipped += 1
        return
    report.unusable.append(f"{where}: {found.why}; it is not stored")
    if found.subject is None:
        coverage.broken += 1
    else:
        coverage.broken_companies.add(found.subject)


def _event(record: Any, full_snapshot: bool) -> psc_stream.Streamed | psc.Skipped | None:
    """The streaming API event a record read is (openbook.standards.bods.psc.streamed), or
    None for a snapshot record; a full snapshot holds no events."""
    event = psc_stream.streamed(record)
    if isinstance(event, psc_stream.Streamed) and full_snapshot:
        return psc.Skipped(
            "a streaming API event: a full snapshot holds snapshot records only", True
        )
    return event


def _deleted(
    event: psc_stream.Streamed, seen: _Seen, report: Report, where: tuple[Path, str]
) -> Iterator[tuple[Path | str, reading.Read]]:
    """The statement closing the relationship record of a PSC whose record the streaming API
    reports deleted (openbook.standards.bods.psc.deleted); none, with why in the report, when
    no open record of it is stated or it has newer news."""
    current, _ = seen.current(event.relationship)
    if not seen.exists(current):
        report.not_closed.append(
            f"{event.relationship}: deleted on {event.day}, but no open relationship record of "
            "this PSC is stated"
        )
        return
    statements = {
        each.entry.statement_id: orjson.loads(each.body)
        for each in log.record_statements(seen.store, REGISTER, current)
        if each.body is not None
    }
    for statement in seen.streamed.get(current, []):
        statements.setdefault(statement["statementId"], statement)
    closing = psc_stream.deleted(list(statements.values()), event.day)
    if isinstance(closing, str):
        report.not_closed.append(f"{current}: {closing}")
        return
    seen.stated(closing)
    report.deleted += 1
    yield where[0], reading.Read(where[1], closing)


def _in_order(statement: dict, logged: bool, seen: _Seen, report: Report) -> dict | None:
    """A statement made from a PSC record as it is to be stored, or None (the log has it; or
    its record is closed, and no statement follows a closing one: BODS 0.4's ``closed``).

    A relationship statement goes to the PSC's current record (``_Seen.current``): once its
    first is closed, a snapshot no older than the closure that lists the PSC (not ceased)
    starts a new record, and the PSC's later statements go to that one (``_after_closure``).

    Records are compiled newest statement first by ``statementDate``, and a PSC's statements
    are dated by its ``notified_on``: a statement the log does not have, dated before the
    record's newest, is dated its snapshot's day instead, when that is later (news of a PSC
    whose details changed is then the newest)."""
    record_id = statement["recordId"]
    if statement["recordType"] == "relationship":
        current, closed = seen.current(record_id)
        if closed is not None:
            return _after_closure(statement, logged, seen, report, (current, closed))
    if logged:
        return None
    compiled = seen.compiled(record_id)
    if compiled is not None and compiled.get("closed"):  # closed by another publisher
        report.after_closed += 1
        return None
    return _dated(statement, compiled, report)


def _after_closure(
    statement: dict, logged: bool, seen: _Seen, report: Report, records: tuple[str, str]
) -> dict | None:
    """A PSC's relationship statement once its first record is closed: for its ``current``
    record, the first not closed (a new one, openbook.standards.bods.psc.listed_again, when
    none is stated yet), the newest ``closed`` before it."""
    current, closed = records
    ceased, started = statement["recordStatus"] == "closed", seen.exists(current)
    if started:
        seen.made.add(current)  # listed: a full snapshot does not close it
    day = str(statement["publicationDetails"]["publicationDate"])[:10]
    # Not stated: a ceased PSC whose record is closed (the closing statement was its last),
    # and news older than the closure, or than the record that followed it (an older snapshot
    # imported later, or in the same command after a newer one).
    closed_on, closed_in = ("", "") if started or ceased else seen.closed_on(closed)
    if (ceased and not started) or day < (seen.started(current) if started else closed_in):
        if not logged:
            report.after_closed += 1
        return None
    if started:
        given = psc.restated(statement, current, "closed" if ceased else "updated")
        if publishers.stored_entries(seen.store, REGISTER, [(current, given["statementId"])]):
            return None
        return _dated(given, seen.compiled(current), report, seen.newest.get(current, ""))
    report.listed_again.append(
        f"{current}: listed again in the snapshot of {day}, after {closed} was closed on "
        f"{closed_on} (in the snapshot of {closed_in})"
    )
    return psc.listed_again(statement, current, closed, closed_on)


def _dated(statement: dict, compiled: dict | None, report: Report, newest: str = "") -> dict | None:
    """The statement, dated its snapshot's day when it would otherwise be older than the
    record's newest statement (``compiled``, or ``newest`` of one stated in this import); None
    for a closing statement older than that even so (from a snapshot imported after a newer
    one): it would not be the record's final statement."""
    newest = max(newest, str((compiled or {}).get("lastStatementDate") or ""))[:10]
    day = statement["publicationDetails"]["publicationDate"]
    if statement["statementDate"] >= newest:
        return statement
    if day > statement["statementDate"]:
        statement = {**statement, "statementDate": day}
    if statement["recordStatus"] == "closed" and statement["statementDate"] < newest:
        report.not_closed.append(
            f"{statement['recordId']}: ceased in the snapshot of {day}, but a statement of it "
            f"is dated {newest}: an older snapshot does not close it"
        )
        return None
    return statement


def _no_longer_listed(
    store: Store,
    paths: Sequence[Path],
    coverage: _Coverage,
    listed: set[str],
    report: Report,
) -> Iterator[tuple[Path | str, reading.Read]]:
    """The closing statements of the open PSC relationships of the companies a full snapshot
    lists that it no longer lists (made last, once every file is read)."""
    if coverage.broken:
        report.not_closed.append(
            f"no relationship is closed as no longer listed: {coverage.broken:,} record(s) "
            "could not be read or name no company, so the snapshot is not known to list every "
            "PSC of its companies"
        )
        return
    report.not_closed.extend(
        f"{subject}: no relationship of this company is closed as no longer listed: one of "
        "its records could not be identified"
        for subject in sorted(coverage.broken_companies)
    )
    where = str(paths[0]) + (f" and {len(paths) - 1} more file(s)" if len(paths) > 1 else "")
    subjects = sorted(set(coverage.days) - coverage.broken_companies)
    for start in range(0, len(subjects), 500):
        gone = {
            link.relationship_id: link.subject_id
            for link in stored_ownership.owners(store, subjects[start : start + 500])
            if not link.closed
            and link.relationship_id.startswith(psc.RELATIONSHIP_PREFIX)
            and link.relationship_id not in listed
        }
        found = log.records_statements(store, REGISTER, sorted(gone))
        for record_id, statements in found.items():
            bodies = [orjson.loads(s.body) for s in statements if s.body is not None]
            if not bodies:
                continue
            day, dated = coverage.days[gone[record_id]]
            closing = psc.no_longer_listed(bodies, day, dated)
            if isinstance(closing, str):
                report.not_closed.append(f"{record_id}: {closing}")
                continue
            report.no_longer_listed += 1
            yield where, reading.Read(f"no longer listed: {record_id}", closing)


def company_data(paths: Sequence[Path]) -> dict[str, dict]:
    """Companies House's company data (its "basic company data" CSV, or the same rows as a
    JSON array), by company number."""
    found: dict[str, dict] = {}
    for path in paths:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as file:
                rows = [
                    {key.strip(): value for key, value in row.items() if key}
                    for row in csv.DictReader(file)
                ]
        else:
            rows = [item.statement for item in reading.read(path) if isinstance(item, reading.Read)]
        for row in rows:
            if isinstance(row, dict) and isinstance(row.get("CompanyNumber"), str):
                found[row["CompanyNumber"].strip().upper()] = row
    return found


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
    back from its canonical text (as the log gives it to compile_pending); or, for one that
    cannot be stored, why. Pure."""
    identity = records.identity(statement)
    if isinstance(identity, str):
        return f"{where}: {identity}; it is not stored"
    statement_id, record_id, date = identity
    try:
        body, value = canonical_json_and_value(statement)
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
            compiled = records.compile_record([value for _, value in history])
            compiled_records.append((key, compiled))
            results.append(
                stored.Compiled(
                    record_key=key,
                    compiled=orjson.dumps(compiled).decode(),
                    compile_error=None,
                    statement_count=len(history),
                    last_seq=history[-1][0],
                )
            )
        if results:
            now = format_log_time(datetime.now(UTC))
            stored.save_first(store, cursor, REGISTER, results, now)
            _index_ownership(store, cursor, compiled_records, {key for key, _ in compiled_records})
    report.records += len(results)


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
