"""Action plans as a register: loading a plan file into the log's ``plans`` register, recording
what the plan does not state and the progress made, and reading a plan back (the use case
behind ``openbook plans`` and ``/api/plans``; docs/plans.md).

A plan file is read and checked whole (openbook.standards.plans.document), then, holding the
log's lock, reconciled against the register and appended, in one database transaction: a
record whose facts are as the register holds them is left alone (loading a file again stores
nothing); one whose facts changed gets a correction, its next statement; a record the file no
longer has is withdrawn by a statement saying so; a new one starts at statement 1.

The read functions answer plain dicts (openbook.standards.plans.state), which the API, the bulk
files and the pages all give as they are.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import orjson

from openbook import config, plan_measures
from openbook.standards.canonical import canonical_json
from openbook.standards.log import format_log_time
from openbook.standards.plans import (
    COMMITMENT,
    LONGEST_NAME,
    LONGEST_TEXT,
    LONGEST_URL,
    MILESTONE,
    NO_EVIDENCE,
    PLAN,
    REGISTER,
    SETTABLE_FIELDS,
    STATUSES,
    assessment,
    checks,
    dates,
    key,
    measures,
    state,
)
from openbook.standards.plans.document import PlanFileRefused, read_file
from openbook.standards.uk.calendar import london_date
from openbook.store import log
from openbook.store import plans as stored
from openbook.store.database import Store

BUNDLED = Path(__file__).resolve().parent / "standards" / "plans" / "data" / "nap5.json"


class NotFound(Exception):
    """No such plan, commitment or milestone; the message says which there are."""


class Invalid(Exception):
    """What was given cannot be recorded: ``problems``, each (what, why). Nothing was stored."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{what}: {why}" for what, why in problems))
        self.problems = problems


class OutOfStep(Exception):
    """The register's rows and the log disagree: the load is undone."""


def today(now: datetime | None = None) -> date:
    """The day in the UK: a plan's dates are the UK's."""
    return london_date(now or datetime.now(UTC))


# Loading


@dataclass
class LoadReport:
    file: str
    sha256: str
    plan: str = ""
    commitments: int = 0
    milestones: int = 0
    created: list[str] = field(default_factory=list)  # record keys
    corrected: list[str] = field(default_factory=list)
    reinstated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    unchanged: int = 0
    flags: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "sha256": self.sha256,
            "plan": self.plan,
            "commitments": self.commitments,
            "milestones": self.milestones,
            "created": self.created,
            "corrected": self.corrected,
            "reinstated": self.reinstated,
            "withdrawn": self.withdrawn,
            "unchanged": self.unchanged,
            "flags": self.flags,
        }


def load(
    store: Store,
    path: Path | None = None,
    *,
    publisher: str | None = None,
    recorded_by: str = "openbook",
    now: datetime | None = None,
) -> LoadReport:
    """Load a plan file (default: the bundled NAP5). Idempotent. Raises ``PlanFileRefused``
    with every problem of the file, having stored nothing."""
    path = path or BUNDLED
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PlanFileRefused(f"{path} cannot be read: {error.strerror}") from None
    sha256 = hashlib.sha256(data).hexdigest()
    parsed = read_file(data, sha256)
    facts = state.facts_of(parsed.plan, parsed.commitments)
    plan_id = parsed.plan["id"]
    report = LoadReport(path.name, sha256, plan_id, len(parsed.commitments))
    report.milestones = sum(len(each.get("milestones", [])) for each in parsed.commitments)
    source = {"file": path.name, "sha256": sha256}
    with store.atomic():
        log.lock(store)
        current = {each.record_key: each for each in stored.of_plan(store, plan_id)}
        made: list[tuple[str, dict]] = []
        for record_key, given in facts.items():
            known = current.get(record_key)
            if known is None:
                report.created.append(record_key)
            elif known.withdrawn:
                report.reinstated.append(record_key)
            elif known.facts_hash == _hash(given):
                report.unchanged += 1
                continue
            else:
                report.corrected.append(record_key)
            made.append((record_key, state.facts_body(record_key, given, source, recorded_by)))
        reason = f"no longer in {path.name} (SHA-256 {sha256[:12]}...)"
        for record_key, known in current.items():
            if record_key not in facts and not known.withdrawn:
                report.withdrawn.append(record_key)
                made.append(
                    (record_key, state.withdrawal_body(record_key, reason, source, recorded_by))
                )
        _append(store, plan_id, made, current, publisher=publisher, now=now)
    report.flags = _flags(store, plan_id)
    return report


def _hash(facts: dict) -> str:
    return hashlib.sha256(canonical_json(facts)).hexdigest()


def _append(
    store: Store,
    plan_id: str,
    made: list[tuple[str, dict]],
    current: dict[str, stored.Record],
    *,
    publisher: str | None,
    now: datetime | None,
) -> list[stored.Record]:
    """Under the log's lock: append each record's next statement and write its row."""
    if not made:
        return []
    moment = format_log_time(now or datetime.now(UTC))
    statements = []
    for record_key, body in made:
        known = current.get(record_key)
        data = canonical_json(body)
        statements.append(
            log.Statement(
                record_key=record_key,
                statement_id=str((known.statements if known else 0) + 1),
                statement_date=moment,
                body=data,
                body_hash=hashlib.sha256(data).hexdigest(),
                problems=[],
                source=_where(record_key, body),
            )
        )
    appended = log.append(
        store,
        REGISTER,
        statements,
        publisher or config.publisher_name(),
        now,
        compiled=False,
        locked=True,
    )
    if appended.duplicates or appended.conflicts:
        raise OutOfStep(
            "the plans register's rows and the log disagree about "
            f"{(appended.duplicates or appended.conflicts)[0][0].record_key}: nothing stored"
        )
    logged = log.statements_at(store, [seq for _, seq in appended.entries])
    rows = []
    for (record_key, body), (_, seq) in zip(made, appended.entries, strict=True):
        known = current.get(record_key)
        entry = logged[seq].entry
        folded = state.apply(
            known.state if known else state.initial(record_key),
            seq=seq,
            log_time=entry.log_time,
            publisher=entry.publisher,
            body=body,
        )
        rows.append(_row(plan_id, folded))
    stored.save(store, rows)
    return rows


def _where(record_key: str, body: dict) -> str:
    """Where a statement came from: the plan file, or who recorded it."""
    given = body.get("source")
    origin = given["file"] if isinstance(given, dict) else body.get("recordedBy")
    return f"{origin}: {body['statement']} of {record_key}"


def _row(plan_id: str, folded: dict) -> stored.Record:
    facts = folded["facts"]
    end_last_day = None
    if folded["kind"] == MILESTONE and facts is not None:
        last = dates.parse(facts["end"]).last
        end_last_day = last.isoformat() if last else None
    latest = folded["latestUpdate"]
    return stored.Record(
        record_key=folded["key"],
        plan_id=plan_id,
        kind=folded["kind"],
        statements=folded["statements"],
        seq=folded["seq"],
        facts_hash=_hash(facts) if facts is not None else None,
        withdrawn=folded["withdrawn"] is not None,
        status=latest["status"] if latest else NO_EVIDENCE,
        end_last_day=end_last_day,
        state=folded,
        created_time=folded["created"],
        updated_time=folded["updated"],
    )


def _flags(store: Store, plan_id: str) -> list[dict]:
    return plan(store, plan_id)["flags"]


# Recording


def record_field(
    store: Store,
    plan_id: str,
    commitment_id: str,
    name: str,
    value: object,
    *,
    source: str,
    recorded_by: str,
    publisher: str | None = None,
    now: datetime | None = None,
) -> str:
    """Record a commitment's field the plan does not state (its lead body, its OGP values) or
    did not have transcribed (its problem), with where it comes from. Answers "recorded", or
    "unchanged" if it already stands so. Raises ``NotFound`` or ``Invalid``."""
    problems = []
    if name not in SETTABLE_FIELDS:
        problems.append(("field", f"{name[:40]!r} is not a field to record; it is one of: "
                                  f"{', '.join(SETTABLE_FIELDS)}"))  # fmt: skip
    else:
        value = checks.field_value(name, value, problems)
    cited = checks.text("source", source, LONGEST_URL, problems, about="where it comes from: an "
                  "address or a citation (a document and its page)")  # fmt: skip
    if problems:
        raise Invalid(problems)
    with store.atomic():
        log.lock(store)
        found = _target(store, plan_id, commitment_id, None)
        recorded = found.state["fields"].get(name)
        if recorded and recorded["value"] == value and recorded["source"] == cited:
            return "unchanged"
        body = state.field_body(found.record_key, name, value, str(cited), recorded_by)
        _append(store, plan_id, [(found.record_key, body)], {found.record_key: found},
                publisher=publisher, now=now)  # fmt: skip
    return "recorded"


def record_update(
    store: Store,
    plan_id: str,
    commitment_id: str,
    milestone_id: str | None,
    *,
    day: str,
    status: str,
    narrative: str,
    evidence: list[dict],
    recorded_by: str,
    publisher: str | None = None,
    now: datetime | None = None,
) -> str:
    """Record a dated progress update of a milestone (or, ``milestone_id`` None, of a
    commitment): its status on ``day``, what happened, and the evidence (each a ``url`` and
    a ``title``). Answers "recorded", or "unchanged" if the newest update says exactly this.
    A milestone the platform measures (``measures.MEASURES``) takes no update: its status
    follows from the figures. Raises ``NotFound`` or ``Invalid``."""
    problems: list[tuple[str, str]] = []
    when = checks.day(
        day, problems, today(now), about="an update says how things stood on a day that has come"
    )
    if status not in STATUSES:
        problems.append(
            ("status", f"{str(status)[:40]!r} is not a status; it is one of: {', '.join(STATUSES)}")
        )
    told = checks.text(
        "narrative", narrative, LONGEST_TEXT, problems, about="what happened, in words"
    )
    links = checks.evidence(evidence, problems)
    if problems:
        raise Invalid(problems)
    with store.atomic():
        log.lock(store)
        found = _target(store, plan_id, commitment_id, milestone_id)
        measure = measures.MEASURES.get(found.record_key)
        if measure is not None:
            why = (
                f"{found.record_key} is a milestone the platform measures ({measure.kind}, "
                f"{measures.DOC}): its status follows from the figures, never from an update"
            )
            raise Invalid([("status", why)])
        latest = found.state["latestUpdate"]
        said = {"date": when, "status": status, "narrative": told, "evidence": links}
        if latest and {name: latest[name] for name in said} == said:
            return "unchanged"
        body = state.update_body(found.record_key, day=when, status=status, narrative=str(told),
                                 evidence=links, recorded_by=recorded_by)  # fmt: skip
        _append(store, plan_id, [(found.record_key, body)], {found.record_key: found},
                publisher=publisher, now=now)  # fmt: skip
    return "recorded"


def record_assessment(
    store: Store,
    plan_id: str,
    commitment_id: str,
    *,
    day: str,
    source: str,
    indicators: dict[str, str | None],
    lens_values: object = None,
    assessed_by: str | None = None,
    note: str | None = None,
    recorded_by: str,
    publisher: str | None = None,
    now: datetime | None = None,
) -> str:
    """Record an assessment of a commitment in the manner of the IRM (any of the indicators of
    ``assessment.INDICATORS``; ``lens_values`` the OGP values its lens advances), dated ``day``
    (the assessment's, as its source gives it), with where it comes from (an address or a
    document's name) and who made it. Answers "recorded", or "unchanged" if the assessment
    recorded last says exactly this. Raises ``NotFound`` or ``Invalid``."""
    problems: list[tuple[str, str]] = []
    when = checks.day(day, problems, today(now), about="an assessment is dated the day it was made")
    given, values, wrong = assessment.check(indicators, lens_values)
    problems += wrong
    cited = checks.text("source", source, LONGEST_URL, problems, about="where it comes from: an "
                  "address or a document's name")  # fmt: skip
    by = None
    if assessed_by is not None and str(assessed_by).strip():
        by = checks.text(
            "assessed by", assessed_by, LONGEST_NAME, problems, about="who assessed it"
        )
    said = None
    if note is not None and str(note).strip():
        said = checks.text("note", note, LONGEST_TEXT, problems, about="what the assessment says")
    if problems:
        raise Invalid(problems)
    with store.atomic():
        log.lock(store)
        found = _target(store, plan_id, commitment_id, None)
        body = state.assessment_body(found.record_key, day=when, source=str(cited),
                                     assessed_by=by, indicators=given, lens_values=values,
                                     note=said, recorded_by=recorded_by)  # fmt: skip
        latest = found.state.get("latestAssessment")
        names = ("date", "source", "assessedBy", "indicators", "lensValues", "note")
        if latest and all(latest.get(name) == body.get(name) for name in names):
            return "unchanged"
        _append(store, plan_id, [(found.record_key, body)], {found.record_key: found},
                publisher=publisher, now=now)  # fmt: skip
    return "recorded"


def refold(store: Store, record_key: str) -> None:
    """Fold a record's state again from its statements as the log holds them now: after one
    of them was redacted (openbook.redaction), what it said goes from the register's row too.
    Call inside the transaction that redacts."""
    folded = state.initial(record_key)
    for each in log.record_statements(store, REGISTER, record_key):
        folded = state.apply(
            folded,
            seq=each.entry.seq,
            log_time=each.entry.log_time,
            publisher=each.entry.publisher,
            body=orjson.loads(each.body) if each.body is not None else None,
        )
    if folded["statements"]:
        stored.save(store, [_row(record_key.split("/", maxsplit=1)[0], folded)])


def _target(
    store: Store, plan_id: str, commitment_id: str, milestone_id: str | None
) -> stored.Record:
    """The record an update or a field is about; it must be in its plan (not withdrawn)."""
    records = {each.record_key: each for each in stored.of_plan(store, plan_id)}
    if plan_id not in records:
        raise NotFound(_no_plan(store, plan_id))
    commitment = records.get(key(plan_id, commitment_id))
    if commitment is None or commitment.withdrawn:
        raise NotFound(_missing(records, key(plan_id), COMMITMENT, commitment_id))
    if milestone_id is None:
        return commitment
    milestone = records.get(key(plan_id, commitment_id, milestone_id))
    if milestone is None or milestone.withdrawn:
        raise NotFound(_missing(records, commitment.record_key, MILESTONE, milestone_id))
    return milestone


def _no_plan(store: Store, plan_id: str) -> str:
    known = [each.plan_id for each in stored.plans(store)]
    there = f"the plans are: {', '.join(known)}" if known else "no plan is loaded"
    return f"there is no plan {plan_id[:40]!r}: {there}"


def _missing(records: dict[str, stored.Record], parent: str, kind: str, ident: str) -> str:
    facts = records[parent].state["facts"] or {}
    known = facts.get("commitments" if kind == COMMITMENT else "milestones", [])
    listing = f"its {kind}s are {', '.join(known)}" if known else f"it has no {kind}s"
    where = "plan" if records[parent].kind == PLAN else "commitment"
    return f"{where} {parent} has no {kind} {ident[:40]!r}: {listing}"


# Reading


def _states(store: Store, plan_id: str) -> dict[str, dict]:
    return {each.record_key: each.state for each in stored.of_plan(store, plan_id)}


def plans(store: Store, on: date | None = None) -> list[dict]:
    """Every plan, as lists give it (without its commitments), by id."""
    day = on or today()
    found = []
    for each in stored.plans(store):
        states = _states(store, each.plan_id)
        measured = plan_measures.measured(store, states, each.plan_id, day)
        found.append(state.listed(state.plan(states, each.plan_id, day, measured)))
    return found


def plan(store: Store, plan_id: str, on: date | None = None) -> dict:
    """A plan with its commitments and milestones as they read on ``on`` (default: today in the
    UK). Raises ``NotFound``."""
    states = _states(store, plan_id)
    if plan_id not in states:
        raise NotFound(_no_plan(store, plan_id))
    day = on or today()
    return state.plan(states, plan_id, day, plan_measures.measured(store, states, plan_id, day))


def commitment(store: Store, plan_id: str, commitment_id: str, on: date | None = None) -> dict:
    """A commitment with its milestones, its plan's id and title, and every statement of it.
    A commitment withdrawn from its plan is still read (``withdrawn`` says when and why).
    Raises ``NotFound``."""
    states, found = _read(store, plan_id, commitment_id, None)
    plan_facts = states[plan_id]["facts"]
    day = on or today()
    measured = plan_measures.measured(store, states, plan_id, day)
    return {
        **state.commitment(found, states, plan_facts, day, measured),
        "planTitle": plan_facts.get("title"),
        "history": history(store, found["key"]),
    }


def milestone(
    store: Store, plan_id: str, commitment_id: str, milestone_id: str, on: date | None = None
) -> dict:
    """A milestone, its plan's and commitment's titles, and every statement of it: its facts
    as loaded and corrected, its withdrawal, its progress updates. Raises ``NotFound``."""
    states, found = _read(store, plan_id, commitment_id, milestone_id)
    plan_facts = states[plan_id]["facts"]
    commitment_facts = states[key(plan_id, commitment_id)]["facts"] or {}
    day = on or today()
    measured = plan_measures.measured(store, states, plan_id, day).get(found["key"])
    return {
        **state.milestone(found, plan_facts, day, measured),
        "planTitle": plan_facts.get("title"),
        "commitmentTitle": commitment_facts.get("title"),
        "history": history(store, found["key"]),
    }


def _read(
    store: Store, plan_id: str, commitment_id: str, milestone_id: str | None
) -> tuple[dict[str, dict], dict]:
    records = {each.record_key: each for each in stored.of_plan(store, plan_id)}
    if plan_id not in records:
        raise NotFound(_no_plan(store, plan_id))
    parent, kind, ident = key(plan_id), COMMITMENT, commitment_id
    wanted = key(plan_id, commitment_id)
    if milestone_id is not None:
        parent, kind, ident = wanted, MILESTONE, milestone_id
        wanted = key(plan_id, commitment_id, milestone_id)
    if parent not in records:
        raise NotFound(_missing(records, key(plan_id), COMMITMENT, commitment_id))
    if wanted not in records or records[wanted].state["facts"] is None:
        raise NotFound(_missing(records, parent, kind, ident))
    return {name: each.state for name, each in records.items()}, records[wanted].state


def history(store: Store, record_key: str) -> list[dict]:
    """Every statement of a record, the first first, as the log keeps it."""
    return [each.described("id") for each in log.record_statements(store, REGISTER, record_key)]
