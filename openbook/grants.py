"""Loading 360Giving grant files into the log's ``grants`` register, and reading it (the use case
behind ``openbook grants`` and GET /api/grants; docs/local-transparency.md, "Grants").

Each file is read whole (openbook.standards.grants.reading), each grant reviewed and its
organisations resolved (openbook.standards.grants.review); then, holding the log's lock, each
grant is compared with the register: a grant the register holds exactly so is already there; a
grant it holds otherwise gets its next version; a new grant its first. One database transaction
a file: a file refused stores nothing. A grant is its own record (its 360Giving id); nothing is
withdrawn when a later file no longer lists a grant, since grant files cover periods and
publishers, not the whole of a register.
"""

import dataclasses
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import orjson

from openbook import files
from openbook.standards import organisation_names
from openbook.standards.canonical import CanonicalizationError, canonical_json
from openbook.standards.days import day_of
from openbook.standards.grants import REGISTER, reading, review
from openbook.standards.log import format_log_time
from openbook.standards.spend import values
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.values import ValueProblem
from openbook.store import grants as stored
from openbook.store import log
from openbook.store.database import Store

MAX_LIMIT = 500
_CURRENCY = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class InvalidIdentifier(Exception):
    """A recipient asked for that is no organisation identifier; the message says why."""


@dataclass(slots=True)
class _Grant:
    where: str
    key: str
    grant: dict
    content_hash: str
    problems: list[dict]
    recipients: list[review.Organisation]
    funders: list[review.Organisation]


@dataclass
class FileReport:
    """What was understood of one file, and what became of its grants."""

    file: str
    refused: str | None = None
    parsed: reading.Parsed | None = None
    sha256: str = ""
    loaded: int = 0
    updated: int = 0  # grants the register held otherwise: a new version
    already: int = 0
    refused_grants: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    repeated: list[tuple[str, str]] = field(default_factory=list)  # (where, the first)
    problems: Counter = field(default_factory=Counter)  # (severity, code, path) -> count
    examples: dict = field(default_factory=dict)
    organisations: Counter = field(default_factory=Counter)
    funders: Counter = field(default_factory=Counter)
    dates: str = ""

    def as_dict(self) -> dict:
        found: dict = {"file": self.file, "refused": self.refused}
        parsed = self.parsed
        if parsed is None:
            return found
        return found | {
            "sha256": self.sha256,
            "format": parsed.format,
            "encoding": parsed.encoding,
            "package": {key: parsed.package[key] for key in sorted(parsed.package)[:20]},
            "mapping": parsed.mapping.described() if parsed.mapping else None,
            "blank": parsed.blank,
            "grants": len(parsed.grants),
            "loaded": self.loaded,
            "updated": self.updated,
            "alreadyThere": self.already,
            "refusedGrants": [
                {"file": self.file, "where": where, "reason": why}
                for where, why in [*parsed.refused, *self.refused_grants]
            ],
            "repeated": [{"where": where, "repeats": first} for where, first in self.repeated],
            "awardDates": self.dates,
            "read": dict(sorted(parsed.counts.items())),
            "funders": dict(self.funders.most_common(20)),
            "recipients": dict(sorted(self.organisations.items())),
            "topProblems": [
                {
                    "severity": severity,
                    "code": code,
                    "path": path,
                    "count": count,
                    "example": self.examples[(severity, code, path)],
                }
                for (severity, code, path), count in self.problems.most_common(10)
            ],
        }


@dataclass
class Report:
    files: list[FileReport] = field(default_factory=list)

    @property
    def problems(self) -> bool:
        return any(
            each.refused or each.refused_grants or (each.parsed and each.parsed.refused)
            for each in self.files
        )

    def as_dict(self) -> dict:
        return {
            "files": [each.as_dict() for each in self.files],
            "filesRefused": sum(1 for each in self.files if each.refused),
            "loaded": sum(each.loaded for each in self.files),
            "updated": sum(each.updated for each in self.files),
            "alreadyThere": sum(each.already for each in self.files),
        }


def load(
    store: Store,
    paths: Sequence[Path],
    *,
    encoding: str | None = None,
    now: datetime | None = None,
) -> Report:
    """Load 360Giving files, each in its own database transaction, in order."""
    report = Report()
    for path in paths:
        found = FileReport(str(path))
        report.files.append(found)
        try:
            data = files.read_within_limit(path, "a grants file", ": split it by year")
            found.sha256 = hashlib.sha256(data).hexdigest()
            found.parsed = reading.parse(data, name=path.name, encoding=encoding)
            _store(store, found, path.name, now or datetime.now(UTC))
        except FileRefused as error:
            found.refused = str(error)
    return report


def _reviewed(found: FileReport) -> list[_Grant]:
    parsed = found.parsed
    assert parsed is not None
    made: dict[str, _Grant] = {}
    for each in parsed.grants:
        try:
            key = review.grant_id(each.grant)
            content = hashlib.sha256(canonical_json(each.grant)).hexdigest()
        except review.Unidentified as error:
            found.refused_grants.append((each.where, str(error)))
            continue
        except CanonicalizationError as error:
            found.refused_grants.append((each.where, f"cannot be kept as JSON: {error}"))
            continue
        first = made.get(key)
        if first is not None:
            if first.content_hash == content:
                found.repeated.append((each.where, first.where))
            else:
                why = (
                    f"the id {key[:60]!r} is given again, with other content, after "
                    f"{first.where}: the first is loaded"
                )
                found.refused_grants.append((each.where, why))
            continue
        problems = review.problems(each.grant)
        made[key] = _Grant(
            each.where,
            key,
            each.grant,
            content,
            problems,
            review.recipients(each.grant),
            review.funders(each.grant),
        )
        for problem in problems:
            counted = (problem["severity"], problem["code"], _general(problem["path"]))
            found.problems[counted] += 1
            found.examples.setdefault(counted, problem["message"])
        _count_organisations(found, made[key])
    return list(made.values())


def _general(path: str) -> str:
    return "/".join("*" if part.isdigit() else part for part in path.split("/"))


def _count_organisations(found: FileReport, grant: _Grant) -> None:
    if isinstance(grant.grant.get("recipientIndividual"), dict):
        found.organisations["to individuals"] += 1
    for each in grant.recipients:
        if each.identifiers:
            found.organisations["resolved by identifier"] += 1
        elif each.local:
            found.organisations["publisher's own id (360G-): not resolved"] += 1
        else:
            found.organisations["without a usable identifier"] += 1
    for each in grant.funders:
        found.funders[each.name or each.given or "(not named)"] += 1


def _store(store: Store, found: FileReport, name: str, moment: datetime) -> None:
    made = _reviewed(found)
    days = _award_days(found, made)
    published = format_log_time(moment)
    with store.atomic():
        log.lock(store)
        held = stored.get_many(store, [each.key for each in made])
        by_publisher: dict[str, list[tuple[log.Statement, stored.Stored, _Grant]]] = {}
        for each in made:
            before = held.get(each.key)
            if before is not None and before.content_hash == each.content_hash:
                found.already += 1
                continue
            version = before.version + 1 if before else 1
            if before:
                found.updated += 1
            else:
                found.loaded += 1
            body = canonical_json(
                {
                    "grant": each.grant,
                    "source": {"file": name, "sha256": found.sha256, "at": each.where},
                }
            )
            statement = log.Statement(
                record_key=each.key,
                statement_id=str(version),
                statement_date=published,
                body=body,
                body_hash=hashlib.sha256(body).hexdigest(),
                problems=each.problems,
                source=f"{name} {each.where}",
            )
            row = _row(each, version, name, days.get(each.key, ""))
            publisher = each.funders[0].name if each.funders and each.funders[0].name else ""
            by_publisher.setdefault(publisher or "(funder not named)", []).append(
                (statement, row, each)
            )
        rows, recipients = [], {}
        for publisher, made_here in sorted(by_publisher.items()):
            appended = log.append(
                store,
                REGISTER,
                [statement for statement, _, _ in made_here],
                publisher,
                compiled=False,
                locked=True,
            )
            seqs = {id(statement): seq for statement, seq in appended.entries}
            for statement, row, each in made_here:
                if id(statement) not in seqs:
                    raise FileRefused(
                        f"the grants register and the log disagree about {each.key!r}: nothing "
                        "was stored"
                    )
                rows.append(dataclasses.replace(row, seq=seqs[id(statement)]))
                recipients[each.key] = [
                    identifier for org in each.recipients for identifier in org.identifiers
                ]
        stored.save(store, rows, recipients)


def _row(each: _Grant, version: int, source: str, day: str) -> stored.Stored:
    funder = each.funders[0] if each.funders else None
    amount = each.grant.get("amountAwarded")
    currency = each.grant.get("currency")
    return stored.Stored(
        record_key=each.key,
        version=version,
        seq=-1,
        content_hash=each.content_hash,
        source=source,
        funder_key=_organisation_key(funder),
        funder_name=(funder.name or funder.given or "") if funder else "",
        recipient_name=each.recipients[0].name if each.recipients else None,
        award_date=day,
        amount=_decimal(amount),
        currency=currency
        if isinstance(currency, str) and len(currency) == 3 and set(currency) <= _CURRENCY
        else None,
        errors=sum(1 for problem in each.problems if problem["severity"] == "error"),
    )


def _organisation_key(organisation: review.Organisation | None) -> str:
    if organisation is None:
        return ""
    if organisation.key:
        return organisation.key
    return organisation_names.key(organisation.name or "") or (organisation.given or "")


def _decimal(amount: object) -> str | None:
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    try:
        return format(Decimal(str(amount)).normalize(), "f")
    except InvalidOperation:
        return None


def _award_days(found: FileReport, made: list[_Grant]) -> dict[str, str]:
    """Each grant's award day as the register sorts it: the day an ISO date or date-time
    begins with; other forms (05/06/2014) read in the order the file's own dates settle; a
    date that reads two ways or none is ""."""
    given = [(each.key, each.grant.get("awardDate")) for each in made]
    days = {key: day for key, value in given if (day := day_of(value))}
    others = [(key, value) for key, value in given if isinstance(value, str) and key not in days]
    style = values.date_style(enumerate((value for _, value in others), start=1))
    said = [f"year-month-day, or a date-time ({len(days):,})"] if days else []
    unread = 0
    for key, value in others:
        try:
            days[key] = values.payment_date(value, style, what="an award date").isoformat()
        except ValueProblem:
            unread += 1
    forms = Counter(values.date_form(value) for _, value in others)
    said += [f"{form} ({count:,})" for form, count in forms.most_common()]
    if others:
        said.append(style.description)
    if unread:
        said.append(f"{unread:,} not read: not sorted by date")
    found.dates = "; ".join(said) or "none"
    return days


# Reading


def funder_key(given: str) -> str:
    """The key a funder filter means: an identifier as checked, else the name's key."""
    identifier = review.identifier_of(given)
    if identifier is not None and "-" in given.strip():
        return str(identifier)
    return organisation_names.key(given) or given.strip()


def recipient_key(given: str) -> str:
    identifier = review.identifier_of(given)
    if identifier is None:
        raise InvalidIdentifier(
            f"{given[:60]!r} is not an organisation identifier: write it as SCHEME-ID, such as "
            "GB-CHC-1126147 (a charity) or GB-COH-07962245 (a company)"
        )
    return str(identifier)


def page(
    store: Store,
    *,
    funder: str | None = None,
    recipient: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
    newest_first: bool = False,
) -> dict:
    """Grants in award date order (the most recent first with ``newest_first``), each with its
    newest statement and its recipients resolved; ``next`` is the ``after`` of the next page
    (None on the last)."""
    filters = stored.Filters(
        funder_key=funder_key(funder) if funder else None,
        recipient=recipient_key(recipient) if recipient else None,
        date_from=date_from,
        date_to=date_to,
    )
    found = stored.page(store, filters, after=after, limit=limit + 1, newest_first=newest_first)
    more, found = len(found) > limit, found[:limit]
    bodies = log.statements_at(store, [each.seq for each in found])
    resolved = stored.recipients_of(store, [each.record_key for each in found])
    processes = stored.processes_naming(
        store, [identifier for each in resolved.values() for identifier in each]
    )
    return {
        "grants": [
            _described(each, bodies.get(each.seq), resolved.get(each.record_key, []), processes)
            for each in found
        ],
        "next": (found[-1].award_date, found[-1].record_key) if more else None,
    }


def _described(
    each: stored.Stored,
    statement: log.StoredStatement | None,
    identifiers: list[str],
    processes: dict[str, int],
) -> dict:
    body = orjson.loads(statement.body) if statement and statement.body else None
    grant = body["grant"] if body else None
    return {
        "id": each.record_key,
        "version": each.version,
        "seq": each.seq,
        "redacted": body is None,
        "awardDate": each.award_date or None,
        "amount": each.amount,
        "currency": each.currency,
        "errors": each.errors,
        "grant": grant,
        "source": body["source"] if body else None,
        "recipients": [
            {"identifier": identifier, "processes": processes.get(identifier, 0)}
            for identifier in identifiers
        ],
        "funder": {"key": each.funder_key, "name": each.funder_name},
    }


def history(store: Store, record_key: str) -> dict | None:
    """A grant and every statement of it, the first first, each with its review."""
    found = stored.get(store, record_key)
    if found is None:
        return None
    statements = log.record_statements(store, REGISTER, record_key)
    return {
        "id": record_key,
        "version": found.version,
        "statements": [{**each.described(), "problems": each.problems} for each in statements],
    }
