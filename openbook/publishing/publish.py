"""Publishing releases through the API (use case behind ``POST /api/publish/releases`` and
``/validate``): the checks, then one append, then the processes compiled.

The checks, in the order their answers come (docs/publishing-api.md):

1. what was sent is a release or a release package (else ``Refused`` 400) of at most
   ``OPENBOOK_PUBLISH_MAX_RELEASES`` releases (else 413);
2. every release is its organisation's (``openbook.publishing.ownership``; else 403);
3. no release reuses a stored release's id with another body (else 409: a correction is a new
   release, with a new id);
4. for the notice forms, the entries a release adds numbered after its process's own (a
   contract's next payment: ``new_entries``, openbook.publishing.numbering) are not in the
   process yet (else 409: another notice numbered alike was published first);
5. every release passes the loader's review (``openbook.load.loader.review``: schema, codelists,
   identity), the UK notice rules (``check_notice``, against the process's earlier releases
   in the log and in the same request) and its documents and what it declares withheld
   (``openbook.documents.references``); ``BLOCKING`` problems refuse the whole request (422),
   others are returned with the answer and kept with the release's review.

Nothing is stored unless every release passes; then all are appended in one transaction, with
the audit event, and their processes compiled, so that the read API shows them at once.
Idempotent: a release already stored with the same body is not stored again, and is answered
with its stored sequence number.

The checks that read the log (2 to 5) run outside the append's transaction, so that requests
are checked side by side. They hold only while the processes they read are unchanged: the
append takes the log's write lock and reads the newest entry of each process again, and if
another request added to one meanwhile (a release, a withdrawal, a redaction), the checks are
made again on the log as it now is: of two organisations sending one new ocid at once, one has
it and the other is refused. The last of ``ATTEMPTS`` is made holding the lock, so a request
never waits on others for ever.
"""

import hashlib
import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import orjson

from openbook import config, records, transparency
from openbook.documents import references
from openbook.load.loader import new_statement, package_metadata, review
from openbook.load.reading import Found, Issue, package_releases
from openbook.publishing import exclusion, numbering, ownership, supplier_numbers
from openbook.publishing.answers import Outcome, Problem, Published, Refused
from openbook.publishing.publishers import Actor
from openbook.signing_keys import SigningKeyError
from openbook.standards.log import format_log_time
from openbook.standards.marks import REDACTIONS, WITHDRAWALS
from openbook.standards.ocds import validate
from openbook.standards.uk.rules import check_notice
from openbook.store import audit, log, publishers
from openbook.store import marks as stored_marks
from openbook.store.database import refresh_statistics
from openbook.store.publishers import Organisation

logger = logging.getLogger(__name__)

# Notice rules whose errors are accepted, with the problem returned and kept: they record what
# happened (a notice published late, a contract signed within the standstill, a short tendering
# period). Refusing the notice would not undo that; it would keep a notice the law requires from
# being published at all. Every other error is refused: the publisher can put it right.
NOT_BLOCKING = ("notice.deadline.", "notice.standstill.", "notice.period.", "pcr.deadline.")


# How many times a request may be checked: all but the last outside the append's transaction,
# the last holding the log's lock.
ATTEMPTS = 3
# Whose process an ocid is and which of its releases count: its releases, and the withdrawals
# and redactions of them, all logged under the ocid.
HISTORY_REGISTERS = (records.REGISTER, WITHDRAWALS, REDACTIONS)


class _Changed(Exception):
    """A process of the request was added to between its checks and the append."""


@dataclass(slots=True)
class _Read:
    """What the checks read of the request's processes, in one query (``_read_log``): the
    newest entry of each (-1 for none), its statements and their withdrawals and redactions,
    as ``records.compile_records`` takes them, and its statements' log entries by (ocid,
    release id). Once the append has found the processes as ``seen`` (or the checks held the
    lock), these are the log as the append found it, so the append looks none of them up
    again, and the processes are compiled from them and the new statements, not read again."""

    seen: dict[str, int]
    rows: dict[str, list[tuple[int, str | None, str | None]]]
    corrections: dict[str, stored_marks.Corrections]
    stored: dict[tuple[str, str], publishers.StoredEntry]

    def hashes(self) -> dict[tuple[str, str], tuple[str, int]]:
        """The statements' body hashes and seqs, as ``log.append`` looks them up."""
        return {key: (entry.body_hash, entry.seq) for key, entry in self.stored.items()}


@dataclass(slots=True)
class _Release:
    index: int
    base: str  # its pointer in the body: "" or "/releases/4"
    release: dict
    body: bytes | None = None
    problems: list[Problem] = field(default_factory=list)
    stored: publishers.StoredEntry | None = None
    review: list[dict] = field(default_factory=list)  # as kept with the statement
    terms: list[str] = field(default_factory=list)
    flags: list[exclusion.Flag] = field(default_factory=list)  # awards to debarred suppliers

    @property
    def key(self) -> tuple[str, str]:
        return self.release["ocid"], self.release["id"]

    @property
    def at(self) -> int | None:
        """Its index in the package, as its problems give it (None for a release alone)."""
        return self.index if self.base else None


def publish(
    store,
    organisation: Organisation,
    value: Any,
    actor: Actor,
    *,
    dry_run: bool = False,
    new_entries: Sequence[str] = (),
    source: str | None = None,  # what the log's statements name as their source
) -> Outcome:
    """Check a release or a release package (parsed JSON) sent for ``organisation`` and, unless
    ``dry_run``, append it. Raises ``Refused`` with every problem when it cannot be stored.
    ``new_entries``: JSON pointers into each release of entries it adds as new, numbered after
    its process's (the notice forms': ``NoticeForm.adds``); the release is refused if its
    process has one already."""
    package, sent, problems = _read(value)
    extensions, package_state = _review_package(package, problems)
    for item in sent:
        item.problems, item.body, item.terms = _review(item, extensions)
    for attempt in range(1 if dry_run else ATTEMPTS):
        locked = attempt == ATTEMPTS - 1
        found = [replace(i, problems=list(i.problems), review=list(i.review)) for i in sent]
        try:
            with _holding_the_log(store, locked):
                kept, read = _check(store, organisation, found, list(problems), new_entries)
                if dry_run:
                    return _validated(found, kept)
                appended = _append(
                    store,
                    organisation,
                    found=found,
                    package=package_state,
                    actor=actor,
                    read=read,
                    locked=locked,
                    source=source,
                )
        except _Changed:
            continue
        return _answer(store, found, appended, kept, read)
    raise AssertionError("the last attempt holds the log's lock: its processes cannot change")


@contextmanager
def _holding_the_log(store, locked: bool) -> Iterator[None]:
    if not locked:
        yield
        return
    with store.atomic():
        log.lock(store)
        yield


def _check(
    store,
    organisation: Organisation,
    found: list[_Release],
    problems: list[Problem],
    new_entries: Sequence[str] = (),
) -> tuple[list[Problem], _Read]:
    """The checks that read the log. Returns the problems, none blocking, and what the checks
    read of the processes (the newest entry of each as they found it first)."""
    read = _read_log(store, sorted({item.release["ocid"] for item in found}))
    histories, counted = _histories(read)
    ownership.check(store, organisation, found, histories)
    _check_conflicts(found, read.stored)
    _check_new_entries(found, counted, new_entries)
    pending: dict[str, list[Mapping[str, Any]]] = {}
    new = [item for item in found if item.stored is None]
    debarred = exclusion.listed(store, new)
    unregistered = supplier_numbers.check(store, new)
    for position, item in enumerate(new):
        item.problems += unregistered.get(position, [])
    for item in found:
        if item.stored is None:
            ocid = item.release["ocid"]
            history = [*counted[ocid], *pending.get(ocid, [])]
            item.problems += _notice_problems(item, history)
            item.problems += _document_problems(store, item, history)
            excluded, item.flags = exclusion.check(item, debarred)
            item.problems += excluded
            pending.setdefault(ocid, []).append(item.release)
            problems += item.problems
    if any(problem.blocking for problem in problems):
        blocking = sum(problem.blocking for problem in problems)
        raise Refused(
            422,
            "invalid",
            f"nothing was published: {blocking} problem{'s' if blocking > 1 else ''} must be "
            "put right first (each has a pointer into what was sent, and a message)",
            problems,
        )
    return problems, read


def _read_log(store, ocids: list[str]) -> _Read:
    """The processes as the log holds them, each read in one snapshot (so that its newest
    entry is the newest of what was read: a change after it is seen at the append)."""
    logged = publishers.process_log(store, HISTORY_REGISTERS, records.REGISTER, ocids)
    read = _Read({}, {}, {}, {})
    for ocid in ocids:
        entries = logged[ocid]
        read.seen[ocid] = entries[-1].seq if entries else -1
        rows: list[tuple[int, str | None, str | None]] = []
        corrections = stored_marks.Corrections()
        for entry in entries:
            if entry.register == records.REGISTER:
                read.stored[(ocid, entry.statement_id)] = publishers.StoredEntry(
                    entry.seq, entry.body_hash, entry.log_time, entry.leaf_hash
                )
                if entry.has_body:  # as records.bodies reads them
                    rows.append((entry.seq, entry.body, entry.package_hash))
            else:  # as marks.corrections reads them
                named = (
                    corrections.withdrawn if entry.register == WITHDRAWALS else corrections.redacted
                )
                named[int(entry.statement_id)] = entry.seq
                corrections.last_seq = max(corrections.last_seq, entry.seq)
        read.rows[ocid], read.corrections[ocid] = rows, corrections
    return read


def _newest(store, ocids: list[str]) -> dict[str, int]:
    """The seq of each process's newest entry (-1 for a process not in the log yet)."""
    found = publishers.latest_seqs(store, HISTORY_REGISTERS, ocids)
    return {ocid: found.get(ocid, -1) for ocid in ocids}


def _validated(found: list[_Release], problems: list[Problem]) -> Outcome:
    outcome = Outcome(
        [Published(item.index, *item.key, "duplicate" if item.stored else "new") for item in found],
        problems,
    )
    _answer_stored(outcome, {item.key: item.stored for item in found if item.stored})
    return outcome


def _read(value: Any) -> tuple[dict | None, list[_Release], list[Problem]]:
    """The package (without its releases) and the usable releases, with the problems of those
    that cannot be identified."""
    if isinstance(value, list):
        raise Refused(
            400,
            "body-not-release",
            "the body is a JSON list: send one release (an object) or one release package",
        )
    if not isinstance(value, dict):
        raise Refused(
            400,
            "body-not-release",
            "the body must be a JSON object: a release or a release package",
        )
    if "records" in value:
        raise Refused(
            400,
            "body-not-release",
            "the body is a record package: the platform compiles records itself, so send the "
            "releases, in a release package",
        )
    is_package = "releases" in value
    if is_package and (not isinstance(value["releases"], list) or not value["releases"]):
        raise Refused(
            400,
            "body-not-release",
            "the release package's 'releases' must be a list of at least one release",
        )
    most = config.publish_max_releases()
    if is_package and len(value["releases"]) > most:
        raise Refused(
            413,
            "too-many-releases",
            f"the release package holds {len(value['releases']):,} releases; a request may hold "
            f"at most {most:,}: send them in several packages",
        )
    wrapped = value if is_package else {"releases": [value]}
    found: list[_Release] = []
    problems: list[Problem] = []
    for index, item in enumerate(package_releases(wrapped)):
        base = f"/releases/{index}" if is_package else ""
        if isinstance(item, Issue):
            message = item.message.removeprefix(f"{item.where}: ")
            problems.append(
                Problem(base, item.code, message, "error", True, release=_at(index, is_package))
            )
        elif isinstance(item, Found):
            found.append(_Release(index, base, item.release))
    package = (
        {key: value for key, value in value.items() if key != "releases"} if is_package else None
    )
    return package, found, problems


def _at(index: int, is_package: bool) -> int | None:
    return index if is_package else None


def _histories(
    read: _Read,
) -> tuple[dict[str, list[Mapping[str, Any]]], dict[str, list[Mapping[str, Any]]]]:
    """Each process's releases in the log, oldest first: all of them (whose process it is),
    and those that count for the notice rules (not those withdrawn: published in error)."""
    every: dict[str, list[Mapping[str, Any]]] = {}
    counted: dict[str, list[Mapping[str, Any]]] = {}
    for ocid, rows in read.rows.items():
        withdrawn = read.corrections[ocid].withdrawn
        every[ocid], counted[ocid] = [], []
        for seq, body, _ in rows:
            if body is None:  # redacted
                continue
            release = orjson.loads(body)
            every[ocid].append(release)
            if seq not in withdrawn:
                counted[ocid].append(release)
    return every, counted


def _review_package(
    package: dict | None, problems: list[Problem]
) -> tuple[tuple[str, ...], tuple[str, bytes] | None]:
    """The extensions the releases are reviewed against, and the package's metadata to keep."""
    extensions = records.package_profile(package)[1]
    if package is None:
        return extensions, None
    for problem in validate.review_package({**package, "releases": [{}]}, "release"):
        pointer = f"/{problem.path}" if problem.path else ""
        problems.append(Problem(pointer, problem.code, problem.message, "warning", False))
    return extensions, package_metadata(package)


def _review(
    item: _Release, extensions: tuple[str, ...]
) -> tuple[list[Problem], bytes | None, list[str]]:
    reviewed, body, unwritable, terms = review(item.release, extensions)
    item.review = list(reviewed)
    found = [
        Problem(
            f"{item.base}/{problem['path']}" if problem["path"] else item.base,
            problem["code"],
            problem["message"],
            problem["severity"],
            problem["severity"] == "error",
            release=item.at,
        )
        for problem in reviewed
    ]
    if body is None:
        found.append(
            Problem(
                item.base, "not-canonicalizable", str(unwritable), "error", True, release=item.at
            )
        )
    return [*item.problems, *found], body, terms


def _notice_problems(item: _Release, history: list[Mapping[str, Any]]) -> list[Problem]:
    found = []
    for problem in check_notice(item.release, history):
        blocking = problem.severity == "error" and not problem.code.startswith(NOT_BLOCKING)
        found.append(
            Problem(
                item.base + problem.path,
                problem.code,
                problem.message,
                problem.severity,
                blocking,
                citation=problem.citation,
                release=item.at,
            )
        )
        item.review.append({**problem.as_dict(), "path": problem.path.lstrip("/")})
    return found


def _document_problems(store, item: _Release, history: list[Mapping[str, Any]]) -> list[Problem]:
    """The documents the release links to, and what it declares withheld
    (openbook.documents.references): errors in the declaration block, the rest are warnings."""
    found = []
    for problem in references.problems(store, item.release, history):
        found.append(
            Problem(
                item.base + problem.path,
                problem.code,
                problem.message,
                problem.severity,
                problem.severity == "error",
                citation=problem.citation or None,
                release=item.at,
            )
        )
        item.review.append({**problem.as_dict(), "path": problem.path.lstrip("/")})
    return found


def _check_conflicts(
    found: list[_Release], stored: Mapping[tuple[str, str], publishers.StoredEntry]
) -> None:
    """Marks releases already stored (``stored``: the processes' log entries, by ocid and
    release id) with the same body; refuses any with another body."""
    seen: dict[tuple[str, str], bytes | None] = {}
    conflicts: list[Problem] = []
    for item in found:
        entry = stored.get(item.key)
        if item.body is None:  # not canonicalizable: reported as such, whatever is stored
            continue
        if entry is not None and entry.body_hash == hashlib.sha256(item.body).hexdigest():
            item.stored = entry
        elif entry is not None:
            conflicts.append(
                _conflict(item, f"is already published (log entry {entry.seq}) with another body")
            )
        elif item.key in seen and seen[item.key] != item.body:
            conflicts.append(
                _conflict(item, "is sent twice in this request, with different bodies")
            )
        seen.setdefault(item.key, item.body)
    if conflicts:
        raise Refused(
            409,
            "conflict",
            "nothing was published: a release id is already used for a different release. "
            "Published releases are never changed: publish a correction as a new release, with "
            "a new id and the same ocid (tag it as an update, such as 'tenderUpdate')",
            conflicts,
        )


def _check_new_entries(
    found: list[_Release], counted: Mapping[str, list[Mapping[str, Any]]], pointers: Sequence[str]
) -> None:
    """Refuses (409) releases adding an entry their process has already (``new_entries``): two
    notices numbered alike, the second would replace the first's entry when merged. A release
    already stored (sent twice) has its own entries, and is answered as a duplicate."""
    taken = [
        problem
        for item in found
        if item.stored is None and item.body is not None
        for problem in numbering.taken(
            item.release, pointers, counted[item.release["ocid"]], base=item.base, at=item.at
        )
    ]
    if taken:
        raise Refused(
            409,
            numbering.CODE,
            "nothing was published: the notice adds an entry its procurement already has, "
            "published by another notice numbered alike since this one was written; publish it "
            "again to number it after that one",
            taken,
        )


def _conflict(item: _Release, what: str) -> Problem:
    ocid, identifier = item.key
    return Problem(
        f"{item.base}/id",
        "conflict",
        f"release {identifier!r} of {ocid!r} {what}; a correction needs a new release id",
        "error",
        True,
        release=item.at,
    )


def _append(
    store,
    organisation: Organisation,
    *,
    found: list[_Release],
    package: tuple[str, bytes] | None,
    actor: Actor,
    read: _Read,
    locked: bool,
    source: str | None = None,
) -> log.Appended:
    """Append the new releases, with the audit event, if the processes are still as the checks
    ``read`` them (``_Changed`` otherwise), or the checks held the lock (``locked``)."""
    statements = [
        new_statement(
            item.release,
            item.body,
            item.review,
            item.terms,
            source=(source or f"POST /api/publish/releases {actor.who}")
            + (f" {item.base[1:]}" if item.base else ""),
            package=package,
        )
        for item in found
        if item.stored is None and item.body is not None
    ]
    with store.atomic():
        if statements and not locked:
            log.lock(store)  # held until the end: nothing can be added to them before this is
            if _newest(store, sorted(read.seen)) != read.seen:
                raise _Changed
        # Whenever there is anything to append, the lock is held: taken just above, or for
        # the last attempt by the caller (``_holding_the_log``); and the processes are as
        # ``read``, so the append need not look their statements up again.
        appended = log.append(
            store,
            records.REGISTER,
            statements,
            organisation.name,
            locked=True,
            known=read.hashes(),
        )
        if appended.conflicts:  # published by another request since the check: nothing is kept
            raise Refused(
                409,
                "conflict",
                "nothing was published: a release id was used for a different release by a "
                "request that arrived at the same time; publish a correction with a new id",
                [
                    Problem(
                        "",
                        "conflict",
                        f"release {s.statement_id!r} of {s.record_key!r}",
                        "error",
                        True,
                    )
                    for s, _ in appended.conflicts
                ],
            )
        exclusion.record(
            store,
            [flag for item in found for flag in item.flags],
            {(s.record_key, s.statement_id): seq for s, seq in appended.entries},
            organisation_id=organisation.id,
            actor=actor,
            now=format_log_time(datetime.now(UTC)),
        )
        audit.record(
            store,
            actor=actor.who,
            action="publish",
            subject=" ".join(sorted({item.release["ocid"] for item in found})),
            organisation_id=organisation.id,
            address=actor.address,
            detail={
                "created": sorted(seq for _, seq in appended.entries),
                "duplicates": sorted(
                    {seq for _, seq in appended.duplicates}
                    | {item.stored.seq for item in found if item.stored}
                ),
            },
        )
    return appended


def _answer(
    store, found: list[_Release], appended: log.Appended, problems: list[Problem], read: _Read
) -> Outcome:
    """The processes compiled, so the read API shows them at once, and the answer: each
    release's log entry (created ones as the append made them, their log time and leaf hash
    being the log's), with its signed entry timestamp."""
    if appended.entries:
        # The package just stored is the one its releases are compiled with: not read back.
        records.remember_packages(dict(s.package for s, _ in appended.entries if s.package))
        records.compile_records(
            store, sorted({s.record_key for s, _ in appended.entries}), _known(read, appended)
        )
        _keep_statistics(store, [seq for _, seq in appended.entries])
    created = {(s.record_key, s.statement_id) for s, _ in appended.entries}
    outcome = Outcome(
        [
            Published(item.index, *item.key, "created" if item.key in created else "duplicate")
            for item in found
        ],
        problems,
        [flag for item in found if item.key in created for flag in item.flags],
    )
    _answer_stored(outcome, _entries(store, found, appended))
    stored = {
        release.sequence: (release.leaf_hash, release.log_time)
        for release in outcome.releases
        if release.sequence is not None and release.leaf_hash and release.log_time
    }
    timestamps = entry_timestamps(store, list(stored), stored)
    for release in outcome.releases:
        if release.sequence is not None:
            release.entry_timestamp = timestamps.get(release.sequence)
    return outcome


# Tables whose statistics the publish path's plans hang on (``_keep_statistics``): the log and
# each process's compiled record and search row, looked up by key.
PLANNED_TABLES = ("log_entry", "record", "process_search")
# The first refresh: the log's size then, and again each time it doubles.
STATISTICS_FROM = 1024


def _keep_statistics(store, seqs: list[int]) -> None:
    """Refresh PostgreSQL's statistics of PLANNED_TABLES when this append took the log past a
    power of two (from STATISTICS_FROM): the checks and the compile look processes up by key,
    and planned without statistics (never gathered: autovacuum off, as on this machine, or
    behind; a publishing server's tables grow a request at a time, and a load's refresh
    (``Store.bulk``) never comes) PostgreSQL reads a register's whole index for each lookup, a
    cost growing with the log: at 15,000 entries, half the database's CPU time a package of
    100 releases cost (docs/performance.md). An ``ANALYZE`` of these tables takes a bounded
    sample (some 0.1 to 0.3 s of one request's time), some 14 times in all up to 10,000,000
    entries: after one, PostgreSQL scales the row counts by the tables' sizes as they grow.
    Each append has a range of seqs of its own, so one request a power of two pays for it."""
    first, after = min(seqs), max(seqs) + 1
    if after >= STATISTICS_FROM and first.bit_length() < after.bit_length():
        refresh_statistics(store, PLANNED_TABLES)


def _known(read: _Read, appended: log.Appended) -> dict[str, records.Known]:
    """The appended processes' statements and corrections, as ``records.compile_records``
    would read them: what the checks read (``_Read``), and the statements just appended."""
    rows = {s.record_key: list(read.rows[s.record_key]) for s, _ in appended.entries}
    for statement, seq in appended.entries:
        package_hash = statement.package[0] if statement.package else None
        rows[statement.record_key].append((seq, statement.body.decode(), package_hash))
    return {ocid: (found, read.corrections[ocid]) for ocid, found in rows.items()}


def _entries(
    store, found: list[_Release], appended: log.Appended
) -> dict[tuple[str, str], publishers.StoredEntry]:
    """The log entry of each release of the request: as just appended (a release sent twice
    in it has the first one's), as found stored by the checks, and any other (found stored by
    the append alone) read from the log."""
    entries = {
        (s.record_key, s.statement_id): publishers.StoredEntry(
            seq, s.body_hash, appended.stamps[seq][1], appended.stamps[seq][0]
        )
        for s, seq in appended.entries
    }
    entries.update({item.key: item.stored for item in found if item.stored is not None})
    missing = [item.key for item in found if item.key not in entries]
    if missing:
        entries.update(publishers.stored_entries(store, records.REGISTER, missing))
    return entries


def entry_timestamp(store, seq: int | None) -> dict | None:
    """The signed entry timestamp of a stored statement, or None (``entry_timestamps``)."""
    return None if seq is None else entry_timestamps(store, [seq]).get(seq)


def entry_timestamps(
    store, seqs: Sequence[int], known: Mapping[int, tuple[str, str]] | None = None
) -> dict[int, dict]:
    """The signed entry timestamps of stored statements, by seq (``known``: their leaf hashes
    and log times, as just read). A statement is published whether or not the log can sign one
    now (its key unreadable, say): that is logged for the operator, and the answer gives none
    rather than fail a publication that was made."""
    if not seqs:
        return {}
    try:
        return transparency.entry_timestamps(store, seqs, known)
    except (transparency.TransparencyError, SigningKeyError) as error:
        logger.warning("no entry timestamps for log entries from %s: %s", min(seqs), error)
        return {}


def _answer_stored(
    outcome: Outcome, stored: Mapping[tuple[str, str], publishers.StoredEntry | None]
) -> None:
    for release in outcome.releases:
        entry = stored.get((release.ocid, release.id))
        if entry is not None:
            release.sequence, release.log_time, release.leaf_hash = (
                entry.seq,
                entry.log_time,
                entry.leaf_hash,
            )
