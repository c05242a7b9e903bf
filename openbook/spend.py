"""Loading spending files into the log's ``spend`` register, and reading it (the use case behind
``openbook spend``; docs/spend.md).

Each file is read whole (openbook.standards.spend.transactions), then, holding the log's lock,
reconciled against what the register holds and appended, all or nothing (a savepoint of a
transaction that stores a few thousand rows' files together): a file refused stores nothing,
and two loads never interleave.

Reconciling a file (docs/spend.md, "Corrections"): within each identity group (the body and
the transaction number, or the body, date, amount and supplier), a row exactly as a stored
transaction already is is that transaction ("already there", whichever file stated it); a row
that is not pairs with a transaction of the group that the same file (by name, for the same
body) stated before and this version no longer has as it was: a correction, a new statement
for that transaction; a row exactly as a withdrawn transaction last was puts it back; any other
row is a new transaction, with the group's next line number. A transaction the same file stated
before and this version no longer has at all is withdrawn by a statement saying so.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import orjson

from openbook import files
from openbook.standards import organisation_names
from openbook.standards.canonical import canonical_json
from openbook.standards.identifiers import check_party_id
from openbook.standards.log import format_log_time
from openbook.standards.spend import REGISTER, mapping, transactions
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.transactions import Body, Parsed, Transaction
from openbook.store import log, publishers
from openbook.store import spend as stored
from openbook.store.database import Store

# A version of a file that would withdraw more than half of what the file gave before (if it
# gave at least this many) is more likely another publication under the same name: refused
# unless ``replace`` says it is the same one.
WITHDRAWAL_GUARD = 10
# Rows read before the files read so far are stored, in one database transaction: a commit
# (and its flush to disk) a file was a fifth of what a 100,000-payment load waited for on
# PostgreSQL (issue 9; docs/performance.md, "Spend linkage").
COMMIT_ROWS = 5000
MAX_LIMIT = 500


class OutOfStep(Exception):
    """The register's rows and the log disagree: the load is undone."""


@dataclass
class FileReport:
    """What was understood of one file, and what became of its rows."""

    file: str
    source: str  # the name its statements give it, and corrections match by
    refused: str | None = None  # why the whole file was refused (nothing stored)
    parsed: Parsed | None = None
    loaded: int = 0
    already: int = 0
    corrected: int = 0
    reinstated: int = 0
    withdrawn: int = 0
    held_back: int = 0  # withdrawals not made: some rows were refused

    def as_dict(self) -> dict:
        found: dict = {"file": self.file, "source": self.source, "refused": self.refused}
        parsed = self.parsed
        if parsed is None:
            return found
        found |= {
            "sha256": parsed.sha256,
            "bytes": parsed.size,
            "encoding": parsed.encoding,
            "delimiter": parsed.delimiter,
            "linesAbove": parsed.lines_above,
            "mapping": parsed.mapping.described(),
            "dates": parsed.dates,
            "bodies": sorted({each.body.name for each in parsed.transactions}),
            "rows": parsed.rows,
            "blank": parsed.blank,
            "loaded": self.loaded,
            "alreadyThere": self.already,
            "corrected": self.corrected,
            "reinstated": self.reinstated,
            "withdrawn": self.withdrawn,
            "withdrawalsHeldBack": self.held_back,
            "refusedRows": [
                {"file": self.file, "row": row, "reason": why} for row, why in parsed.refused
            ],
            "skipped": [{"row": row, "reason": why} for row, why in parsed.skipped],
            "totalsRows": [
                {"row": row, "amount": None if amount is None else str(amount)}
                for row, amount in parsed.totals_rows
            ],
            "totals": {currency: str(amount) for currency, amount in parsed.totals().items()},
            "notes": parsed.notes,
        }
        return found


@dataclass
class Report:
    files: list[FileReport] = field(default_factory=list)

    def count(self, name: str) -> int:
        return sum(getattr(each, name) for each in self.files)

    @property
    def refused_rows(self) -> int:
        return sum(len(each.parsed.refused) for each in self.files if each.parsed)

    @property
    def problems(self) -> bool:
        return self.refused_rows > 0 or any(each.refused for each in self.files)

    def as_dict(self) -> dict:
        return {
            "files": [each.as_dict() for each in self.files],
            "filesRefused": sum(1 for each in self.files if each.refused),
            **{
                name: self.count(attribute)
                for name, attribute in (
                    ("loaded", "loaded"),
                    ("alreadyThere", "already"),
                    ("corrected", "corrected"),
                    ("reinstated", "reinstated"),
                    ("withdrawn", "withdrawn"),
                )
            },
            "refusedRows": self.refused_rows,
        }


class BodyProblem(Exception):
    pass


def resolve_body(store: Store, given: str) -> Body:
    """``--body``: an organisation registered here (by its identifier or its name), else an
    identifier of a known scheme (SCHEME-ID), else a body's name."""
    name = " ".join(given.split())
    if not name or len(name) > 300:
        raise BodyProblem("give the paying body's name or identifier, at most 300 characters")
    for each in publishers.organisations(store):
        if name.upper() in {each.org_id.upper(), each.party_id.upper()} or (
            name.casefold() == each.name.casefold()
        ):
            return Body(each.name, each.org_id)
    checked = check_party_id(name)
    if checked.identifier is not None and checked.known:
        return Body(str(checked.identifier), str(checked.identifier))
    if not Body(name).key:
        raise BodyProblem(f"{name[:40]!r} has no letters or digits to name a body by")
    return Body(name)


def load(
    store: Store,
    paths: Sequence[Path],
    *,
    body: Body | None = None,
    explicit: mapping.Explicit | None = None,
    source: str | None = None,
    date_order: str | None = None,
    encoding: str | None = None,
    replace: bool = False,
    now: datetime | None = None,
) -> Report:
    """Load spending files, in order, each all or nothing. ``source`` names the file for its
    statements (one file only; default: the file's name)."""
    report = Report()
    parsed: list[FileReport] = []  # read, not yet stored
    for path in paths:
        found = FileReport(str(path), source or path.name)
        report.files.append(found)
        try:
            found.parsed = _parse(
                path,
                name=found.source,
                body=body,
                explicit=explicit,
                date_order=date_order,
                encoding=encoding,
            )
        except FileRefused as error:
            found.refused = str(error)
            continue
        parsed.append(found)
        if sum(len(each.parsed.transactions) for each in parsed if each.parsed) >= COMMIT_ROWS:
            _store_files(store, parsed, body=body, replace=replace, now=now)
            parsed = []
    _store_files(store, parsed, body=body, replace=replace, now=now)
    return report


def _store_files(
    store: Store,
    parsed: list[FileReport],
    *,
    body: Body | None,
    replace: bool,
    now: datetime | None,
) -> None:
    """Store files read, in one database transaction (one commit, and the log's lock taken
    once), each file in a savepoint of it: a file refused stores nothing, and the files before
    it stay."""
    if not parsed:
        return
    with store.atomic():
        log.lock(store)
        for found in parsed:
            try:
                _store(store, found, body=body, replace=replace, now=now)
            except FileRefused as error:
                found.refused = str(error)
    stored.refresh_statistics(store)  # as the register's rows double


def _parse(
    path: Path,
    *,
    name: str,
    body: Body | None,
    explicit: mapping.Explicit | None,
    date_order: str | None,
    encoding: str | None,
) -> Parsed:
    data = files.read_within_limit(path, "a spending file", ": split it by month")
    return transactions.parse(
        data, name=name, body=body, explicit=explicit, date_order=date_order, encoding=encoding
    )


@dataclass
class _Plan:
    """What a file's rows do to the register."""

    new: list[tuple[Transaction, int]] = field(default_factory=list)  # with their line
    corrected: list[tuple[Transaction, stored.Stored]] = field(default_factory=list)
    reinstated: list[tuple[Transaction, stored.Stored]] = field(default_factory=list)
    withdrawn: list[stored.Stored] = field(default_factory=list)
    already: int = 0


def _store(
    store: Store, found: FileReport, *, body: Body | None, replace: bool, now: datetime | None
) -> None:
    parsed = found.parsed
    assert parsed is not None
    moment = format_log_time(now or datetime.now(UTC))
    with store.atomic():  # within _store_files': a savepoint
        plan = _reconcile(store, parsed, found.source, body)
        if parsed.refused and plan.withdrawn:
            found.held_back = len(plan.withdrawn)
            plan.withdrawn = []
        _guard(store, parsed, found.source, plan, replace)
        _append(store, parsed, found.source, plan, moment)
    found.loaded, found.already = len(plan.new), plan.already
    found.corrected, found.reinstated = len(plan.corrected), len(plan.reinstated)
    found.withdrawn = len(plan.withdrawn)


def _reconcile(store: Store, parsed: Parsed, source: str, body: Body | None) -> _Plan:
    plan = _Plan()
    groups: dict[str, list[Transaction]] = {}
    for each in parsed.transactions:
        groups.setdefault(each.group_key, []).append(each)
    known = stored.by_groups(store, list(groups))
    taken: set[str] = set()
    for group_key, rows in groups.items():
        _reconcile_group(rows, known.get(group_key, []), source, taken, plan)
    # The bodies whose earlier transactions from this file a version can withdraw: those it
    # names (a file naming several bodies drops one only by naming it with its other rows).
    bodies = sorted(
        {each.body.key for each in parsed.transactions} | ({body.key} if body else set())
    )
    plan.withdrawn = [
        each
        for each in stored.published_from(store, bodies, source)
        if each.record_key not in taken
    ]
    return plan


def _reconcile_group(
    rows: list[Transaction], lines: list[stored.Stored], source: str, taken: set[str], plan: _Plan
) -> None:
    published = [each for each in lines if each.status == stored.PUBLISHED]
    pending = []
    for row in rows:  # exactly as stored: the same file's first, then the lowest line
        same = [
            each
            for each in published
            if each.record_key not in taken and each.content_hash == row.content_hash
        ]
        if same:
            taken.add(min(same, key=lambda each: (each.source != source, each.line)).record_key)
            plan.already += 1
        else:
            pending.append(row)
    left = [each for each in published if each.record_key not in taken and each.source == source]
    unpaired = []
    for row in pending:  # changed: paired with the most alike of what this file gave before
        if not left:
            unpaired.append(row)
            continue
        pick = max(left, key=lambda each: (_alike(each, row), -each.line))
        left.remove(pick)
        taken.add(pick.record_key)
        plan.corrected.append((row, pick))
    withdrawn = [each for each in lines if each.status == stored.WITHDRAWN]
    next_line = max((each.line for each in lines), default=0) + 1
    for row in unpaired:
        back = [
            each
            for each in withdrawn
            if each.record_key not in taken and each.content_hash == row.content_hash
        ]
        if back:
            taken.add(back[0].record_key)
            plan.reinstated.append((row, back[0]))
        else:
            plan.new.append((row, next_line))
            next_line += 1


def _alike(each: stored.Stored, row: Transaction) -> int:
    return (
        (each.date == row.date)
        + (each.amount == str(row.amount))
        + (each.supplier_key == row.supplier_key)
    )


def _guard(store: Store, parsed: Parsed, source: str, plan: _Plan, replace: bool) -> None:
    if replace or not plan.withdrawn:
        return
    before = len(
        stored.published_from(store, sorted({each.body_key for each in plan.withdrawn}), source)
    )
    if before >= WITHDRAWAL_GUARD and len(plan.withdrawn) * 2 > before:
        raise FileRefused(
            f"{source} was loaded before with {before:,} transactions, and this file has only "
            f"{before - len(plan.withdrawn):,} of them: loading it would withdraw "
            f"{len(plan.withdrawn):,}. If it is another publication under the same name, load "
            "it under its own name with --as; if it does replace the earlier file, say so with "
            "--replace. Nothing was stored"
        )


@dataclass(frozen=True, slots=True)
class _Loading:
    """The file being loaded, as its statements name it, and when."""

    source: str
    sha256: str
    moment: str

    @property
    def where(self) -> dict:
        return {"file": self.source, "sha256": self.sha256}


def _append(store: Store, parsed: Parsed, source: str, plan: _Plan, moment: str) -> None:
    loading = _Loading(source, parsed.sha256, moment)
    # (publisher, statement, what its row is made from once its seq is known: the
    # transaction as read with its record key, line and version, or the row it withdraws)
    made: list[tuple[str, log.Statement, _Published | stored.Stored]] = []
    for row, line in plan.new:
        identity = transactions.identity_text(row.group, line)
        key = transactions.record_key(row.group, line, identity)
        made.append(_published(loading, row, key, line, 1, identity=identity))
    for row, before in [*plan.corrected, *plan.reinstated]:
        made.append(_published(loading, row, before.record_key, before.line, before.version + 1))
    lasts = log.statements_at(store, [before.seq for before in plan.withdrawn])
    for before in plan.withdrawn:
        made.append(_withdrawal(loading, before, lasts.get(before.seq)))
    by_publisher: dict[str, list[tuple[log.Statement, _Published | stored.Stored, bool]]] = {}
    for index, (publisher, statement, state) in enumerate(made):
        fresh = index < len(plan.new)  # a new transaction's
        by_publisher.setdefault(publisher, []).append((statement, state, fresh))
    rows: list[stored.Stored] = []
    new: list[stored.Stored] = []
    for publisher, pairs in sorted(by_publisher.items()):
        appended = log.append(
            store,
            REGISTER,
            [each for each, _, _ in pairs],
            publisher,
            compiled=False,
            locked=True,
            # A new transaction's record key was made for it under the log's lock, so the
            # log holds no statement of it: nothing to look up (issue 9).
            known={} if all(fresh for _, _, fresh in pairs) else None,
        )
        if appended.duplicates or appended.conflicts:
            raise OutOfStep(
                "the spend register's rows and the log disagree about "
                f"{(appended.duplicates or appended.conflicts)[0][0].record_key}: nothing stored"
            )
        seqs = {id(statement): seq for statement, seq in appended.entries}
        for statement, state, fresh in pairs:
            (new if fresh else rows).append(_row(state, seqs[id(statement)], loading.source))
    stored.save(store, rows, new)


class _Published(NamedTuple):
    """A transaction as read, stated under this record key, line and version."""

    row: Transaction
    key: str
    line: int
    version: int


def _row(state: "_Published | stored.Stored", seq: int, source: str) -> stored.Stored:
    """The register's row of a statement appended at ``seq``: made once, with its seq, not
    made without it and copied by ``dataclasses.replace`` (issue 9)."""
    if isinstance(state, stored.Stored):  # withdrawn
        return state._replace(
            version=state.version + 1, seq=seq, status=stored.WITHDRAWN, source=source
        )
    row = state.row
    return stored.Stored(
        state.key,
        row.group_key,
        state.line,
        row.body.key,
        row.body.name,
        source,
        state.version,
        seq,
        stored.PUBLISHED,
        row.content_hash,
        row.date,
        str(row.amount),
        row.currency,
        row.supplier_key,
        row.transaction_number,
    )


def _published(
    loading: _Loading,
    row: Transaction,
    key: str,
    line: int,
    version: int,
    *,
    identity: bytes | None = None,
) -> tuple[str, log.Statement, _Published]:
    body = transactions.statement_text(row, line, loading.where, identity)
    where = f"{loading.source}: row {row.row}"
    statement = _statement(key, version, body, loading.moment, where)
    return row.body.name, statement, _Published(row, key, line, version)


def _withdrawal(
    loading: _Loading, before: stored.Stored, last: log.StoredStatement | None
) -> tuple[str, log.Statement, stored.Stored]:
    body = orjson.loads(last.body) if last is not None and last.body is not None else {}
    identity = body.get("identity", {"line": before.line})  # its last statement redacted
    reason = (
        f"no longer in {loading.source} as loaded on {loading.moment[:10]} "
        f"(SHA-256 {loading.sha256[:12]}...)"
    )
    statement_body = canonical_json(transactions.withdrawal_body(identity, loading.where, reason))
    statement = _statement(
        before.record_key, before.version + 1, statement_body, loading.moment, loading.source
    )
    return before.body_name, statement, before


def _statement(key: str, version: int, body: bytes, moment: str, where: str) -> log.Statement:
    return log.Statement(
        record_key=key,
        statement_id=str(version),
        statement_date=moment,
        body=body,
        body_hash=hashlib.sha256(body).hexdigest(),
        problems=[],
        source=where,
    )


# Reading


def body_key(given: str) -> str:
    """The key a body filter means: an identifier as checked, else the name's key."""
    checked = check_party_id(given)
    if checked.identifier is not None and checked.known:
        return str(checked.identifier)
    return Body(" ".join(given.split())).key


def supplier_key(given: str) -> str:
    return organisation_names.key(given) or given.strip().lower()


def page(
    store: Store,
    *,
    body: str | None = None,
    supplier: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
) -> dict:
    """Published transactions in date order, with each one's newest statement; ``next`` is
    the ``after`` of the next page (None on the last)."""
    filters = stored.Filters(
        body_key=body_key(body) if body else None,
        supplier_key=supplier_key(supplier) if supplier else None,
        date_from=date_from,
        date_to=date_to,
    )
    found = stored.page(store, filters, after=after, limit=limit + 1)
    more, found = len(found) > limit, found[:limit]
    bodies = log.statements_at(store, [each.seq for each in found])
    return {
        "transactions": [_described(each, bodies.get(each.seq)) for each in found],
        "next": (found[-1].date, found[-1].record_key) if more else None,
    }


def _described(each: stored.Stored, statement: log.StoredStatement | None) -> dict:
    body = orjson.loads(statement.body) if statement and statement.body else None
    return {
        "id": each.record_key,
        "version": each.version,
        "seq": each.seq,
        "status": each.status,
        "redacted": body is None,
        "transaction": body["transaction"] if body else None,
        "source": body["source"] if body else None,
        "identity": body["identity"] if body else None,
    }


def history(store: Store, record_key: str) -> dict | None:
    """A transaction and every statement of it, the first first."""
    found = stored.get(store, record_key)
    if found is None:
        return None
    statements = log.record_statements(store, REGISTER, record_key)
    return {
        "id": record_key,
        "status": found.status,
        "version": found.version,
        "statements": [each.described() for each in statements],
    }
