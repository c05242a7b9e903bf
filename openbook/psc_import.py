"""Importing Companies House's persons with significant control (PSC) data as BODS 0.4
statements (the use case behind ``openbook bods import-psc``; docs/bods.md, "Companies House
PSC data"): snapshot records and streaming API events become statements
(openbook.standards.bods.psc and psc_stream), each kept once; a newer snapshot adds only what
changed, closes the relationships of PSCs that ceased (and, given a full snapshot, of those no
longer listed), and starts a new record for a PSC listed again after its closure. They are
stored and compiled as ``openbook bods load`` stores them (openbook.bods.store_all).
"""

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from openbook import bods
from openbook.load import bods as reading
from openbook.standards.bods import REGISTER, psc, psc_stream
from openbook.store import log, publishers
from openbook.store import ownership as stored_ownership
from openbook.store import records as stored
from openbook.store.database import Store


def import_psc(
    store: Store,
    paths: Sequence[Path],
    companies: Sequence[Path] = (),
    progress: Callable[[int], None] | None = None,
    *,
    full_snapshot: bool = False,
    snapshot_date: str | None = None,
) -> bods.Report:
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
    report = bods.Report(full_snapshot=full_snapshot, snapshot_date=snapshot_date)
    known = company_data(companies)
    seen = _Seen(store)
    items = _from_psc(seen, paths, known, report, (full_snapshot, snapshot_date))
    first_new = log.log_size(store)
    try:
        bods.store_all(store, items, report, progress)
    except Exception as error:
        raise _stopped(store, report, (seen.reading, first_new), error) from error
    return report


class ImportStopped(Exception):
    """A PSC import stopped part way by a fault (in openbook, or the database), not by its
    data (which is reported line by line and never stops it). What it stored is whole batches,
    the first of the import's statements in file order, their records compiled: ``report``
    says how many. Importing the same files again stores the rest, and nothing twice."""

    def __init__(self, message: str, report: bods.Report) -> None:
        super().__init__(message)
        self.report = report


def _stopped(
    store: Store, report: bods.Report, where: tuple[str, int], error: Exception
) -> ImportStopped:
    """The import stopped at ``where`` (the last record read, and the log's size before the
    import) by ``error``: the records of the batches it appended are compiled (left pending,
    the next import's look-ups would find them as they were before), and it says so."""
    place, first_new = where
    try:
        report.records = bods.compile_pending(store, first_new)
        compiled = f"{report.records:,} record(s) compiled"
    except Exception as again:  # the database itself failing: say so, and what is known
        compiled = f"their records not compiled ({type(again).__name__}: {again})"
    message = (
        f"{place}: the import stopped ({type(error).__name__}: {error}); "
        f"{report.loaded:,} statement(s) stored before it, in whole batches in file order, "
        f"{compiled}; nothing read after the last stored batch is stored (no closure of a "
        "full snapshot either). Importing the same files again stores the rest, and nothing "
        "twice."
    )
    return ImportStopped(message, report)


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
    # The relationship statements among the last BATCH to BATCH * 2 statements given to the
    # log, by record (those of the newest BATCH or fewer, then of the BATCH before): a deletion
    # closes after them, and the log may not have them yet (store_all appends a batch once it
    # has BATCH, so fewer wait). Older ones are in the log; keeping every statement the import
    # gives would cost a snapshot's worth of memory.
    recent: tuple[dict[str, list[dict]], dict[str, list[dict]]] = field(
        default_factory=lambda: ({}, {})
    )
    given: int = 0  # statements given to the log since ``recent`` last moved on
    reading: str = "before the first file"  # the record being read: where an import stopped

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

    def stated_lately(self, record_id: str) -> list[dict]:
        """The record's relationship statements given to the log lately (``recent``)."""
        return [*self.recent[1].get(record_id, []), *self.recent[0].get(record_id, [])]

    def same_news(self, statement: dict) -> bool:
        """Whether the log holds ``statement`` (its id under its record) as of the same
        snapshot day: the same news again, not a later snapshot that repeats the PSC record
        (its etag, and so the statement's id, unchanged)."""
        for each in log.record_statements(self.store, REGISTER, statement["recordId"]):
            if each.entry.statement_id == statement["statementId"] and each.body is not None:
                logged = orjson.loads(each.body).get("publicationDetails") or {}
                return logged.get("publicationDate") == statement["publicationDetails"].get(
                    "publicationDate"
                )
        return False

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
        self.given += 1
        if self.given > bods.BATCH:
            self.recent, self.given = ({}, self.recent[0]), 1
        if statement["recordType"] != "relationship":
            return
        self.recent[0].setdefault(record_id, []).append(statement)
        if statement["recordStatus"] == "closed":
            day = str(statement["publicationDetails"]["publicationDate"])[:10]
            self.closed[record_id] = (statement["statementDate"][:10], day)
        elif psc.SUCCESSOR in record_id:
            self.newest[record_id] = max(self.newest.get(record_id, ""), statement["statementDate"])
            if statement["recordStatus"] == "new":
                self.first[record_id] = statement["statementDate"][:10]


def _from_psc(
    seen: _Seen,
    paths: Sequence[Path],
    companies: dict[str, dict],
    report: bods.Report,
    options: tuple[bool, str | None],
) -> Iterator[tuple[Path | str, reading.Read]]:
    """``options``: whether the files are a full snapshot, and the snapshot's date if given."""
    full_snapshot, day = options
    store, today = seen.store, _latest_today()
    produced: set[str] = set()  # statement ids made in this import
    coverage = _Coverage()

    for path in paths:
        report.files += 1
        for item in reading.read(path):
            seen.looked_up.clear()
            seen.reading = f"{path}: {item.where}"
            if isinstance(item, reading.Unreadable):
                report.unusable.append(f"{path}: {item.where}: {item.message}")
                coverage.broken += 1
                continue
            event = _event(item.statement, full_snapshot, today)
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
                    yield path, reading.Read(item.where, given)
                else:
                    report.duplicates += 1
    if full_snapshot:
        seen.reading = f"{paths[-1]}: after its last record, closing PSCs no longer listed"
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


def _skipped(found: psc.Skipped, where: str, report: bods.Report, coverage: _Coverage) -> None:
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


def _latest_today() -> str:
    """The latest day it is anywhere now (UTC+14): an event's day, in whatever time zone it was
    written, is not after it (Companies House writes UK time, without an offset)."""
    return (datetime.now(UTC) + timedelta(hours=14)).date().isoformat()


def _event(
    record: Any, full_snapshot: bool, today: str
) -> psc_stream.Streamed | psc.Skipped | None:
    """The streaming API event a record read is (openbook.standards.bods.psc_stream.streamed),
    or None for a snapshot record; a full snapshot holds no events."""
    event = psc_stream.streamed(record, today)
    if isinstance(event, psc_stream.Streamed) and full_snapshot:
        return psc.Skipped(
            "a streaming API event: a full snapshot holds snapshot records only", True
        )
    return event


def _deleted(
    event: psc_stream.Streamed, seen: _Seen, report: bods.Report, where: tuple[Path, str]
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
    for statement in seen.stated_lately(current):
        statements.setdefault(statement["statementId"], statement)
    if not statements:  # its statements redacted from the log: nothing to close after
        report.not_closed.append(
            f"{current}: deleted on {event.day}, but none of its statements can be read"
        )
        return
    closing = psc_stream.deleted(list(statements.values()), event.day)
    if isinstance(closing, str):
        report.not_closed.append(f"{current}: {closing}")
        return
    seen.stated(closing)
    report.deleted += 1
    yield where[0], reading.Read(where[1], closing)


def _in_order(statement: dict, logged: bool, seen: _Seen, report: bods.Report) -> dict | None:
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
        # The same news again (a file imported again) is not a listing after the closure,
        # even of the closure's day (a deletion closes a record stated the same day).
        if closed is not None and logged and seen.same_news(statement):
            return None
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
    statement: dict, logged: bool, seen: _Seen, report: bods.Report, records: tuple[str, str]
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


def _dated(
    statement: dict, compiled: dict | None, report: bods.Report, newest: str = ""
) -> dict | None:
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
    report: bods.Report,
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
