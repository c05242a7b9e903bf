"""The plans register's statements, what a record's statements add up to, and how a plan,
commitment and milestone read (docs/plans.md). Pure.

A record's state is its statements folded in log order (``apply``): the facts its plan file
last gave (or its withdrawal from the plan), the fields recorded later with their sources, and
its newest progress update. The store keeps each record's state beside the log for reading;
the bulk files fold the log's statements themselves with the same ``apply``, so both read the
same. How a record reads on a day (``milestone``, ``commitment``, ``plan``) adds what follows
from its facts: its dates as parsed, its status, whether it is overdue, and its flags.
"""

import copy
from collections.abc import Mapping, Sequence
from datetime import date

from openbook.standards.plans import (
    COMMITMENT,
    DONE,
    MILESTONE,
    NO_EVIDENCE,
    OPTIONAL_FIELDS,
    STATUSES,
    assessment,
    dates,
    kind_of,
)

FACTS, WITHDRAWAL, FIELD, UPDATE = "facts", "withdrawal", "field", "update"
# A commitment's assessment in the IRM's manner (openbook.standards.plans.assessment).
ASSESSMENT = "assessment"

# Flags: what a plan itself says that does not add up, or that a reader tracking it should
# know. Never corrected here: the plan is read as published.
INCONSISTENCY, NOTE = "inconsistency", "note"


# Statements


def facts_body(record_key: str, facts: dict, source: dict, recorded_by: str) -> dict:
    return _body(record_key, FACTS, facts=facts, source=source, recordedBy=recorded_by)


def withdrawal_body(record_key: str, reason: str, source: dict, recorded_by: str) -> dict:
    return _body(record_key, WITHDRAWAL, reason=reason, source=source, recordedBy=recorded_by)


def field_body(record_key: str, name: str, value: object, source: str, recorded_by: str) -> dict:
    return _body(record_key, FIELD, field=name, value=value, source=source,
                 recordedBy=recorded_by)  # fmt: skip


def update_body(
    record_key: str,
    *,
    day: str,
    status: str,
    narrative: str,
    evidence: list[dict],
    recorded_by: str,
) -> dict:
    return _body(record_key, UPDATE, date=day, status=status, narrative=narrative,
                 evidence=evidence, recordedBy=recorded_by)  # fmt: skip


def assessment_body(
    record_key: str,
    *,
    day: str,
    source: str,
    assessed_by: str | None,
    indicators: dict[str, str],
    lens_values: list[str],
    note: str | None,
    recorded_by: str,
) -> dict:
    """An assessment of a commitment: any of the IRM's indicators (``assessment.INDICATORS``),
    with where it comes from, its date and who made it."""
    given = {"assessedBy": assessed_by, "lensValues": lens_values or None, "note": note}
    return _body(record_key, ASSESSMENT, date=day, source=source, indicators=indicators,
                 **{name: value for name, value in given.items() if value},
                 recordedBy=recorded_by)  # fmt: skip


def _body(record_key: str, statement: str, **values: object) -> dict:
    return {"id": record_key, "kind": kind_of(record_key), "statement": statement, **values}


# Folding


def initial(record_key: str) -> dict:
    return {
        "key": record_key,
        "kind": kind_of(record_key),
        "statements": 0,  # every statement of it, redacted ones too: the next is numbered +1
        "version": 0,  # the facts statements
        "facts": None,
        "source": None,  # the plan file the facts came from
        "withdrawn": None,  # {"reason", "logTime", "seq"} while withdrawn
        "fields": {},  # recorded later, by name
        "updates": 0,
        "latestUpdate": None,
        "assessments": 0,
        "assessment": {},  # the newest value of each indicator, by name
        "latestAssessment": None,  # the assessment recorded last
        "redacted": 0,
        "created": None,
        "updated": None,
        "seq": None,
    }


def apply(state: dict, *, seq: int, log_time: str, publisher: str, body: dict | None) -> dict:
    """The state after one more statement (``body`` None: redacted). Returns a new state."""
    found = copy.deepcopy(state)
    found["statements"] += 1
    found["seq"] = seq
    found["created"] = found["created"] or log_time
    found["updated"] = log_time
    if body is None:
        found["redacted"] += 1
        return found
    statement = body.get("statement")
    recorded = {"recordedBy": body.get("recordedBy"), "publisher": publisher,
                "logTime": log_time, "seq": seq}  # fmt: skip
    if statement == FACTS:
        found["facts"] = body["facts"]
        found["source"] = body.get("source")
        found["version"] += 1
        found["withdrawn"] = None
    elif statement == WITHDRAWAL:
        found["withdrawn"] = {"reason": body.get("reason"), **recorded}
    elif statement == FIELD:
        found["fields"][body["field"]] = {
            "value": body.get("value"),
            "source": body.get("source"),
            **recorded,
        }
    elif statement == UPDATE:
        found["updates"] += 1
        update = {
            "date": body["date"],
            "status": body["status"],
            "narrative": body.get("narrative"),
            "evidence": body.get("evidence", []),
            **recorded,
        }
        latest = found["latestUpdate"]
        # The newest by its own date; of two the same day, the one recorded later.
        if latest is None or (update["date"], seq) >= (latest["date"], latest["seq"]):
            found["latestUpdate"] = update
    elif statement == ASSESSMENT:
        _assessed(found, body, recorded)
    return found


def _assessed(found: dict, body: dict, recorded: dict) -> None:
    # States folded before assessments were recorded have none of their keys.
    found["assessments"] = found.get("assessments", 0) + 1
    held = found.setdefault("assessment", {})
    given = {name: body.get(name) for name in ("date", "source", "assessedBy", "note")}
    for name, value in (body.get("indicators") or {}).items():
        entry = {"value": value, **given, **recorded}
        if name == assessment.LENS:
            entry["lensValues"] = body.get("lensValues") or []
        newest = held.get(name)
        # Each indicator's newest by the assessment's date; of two the same day, the later.
        if newest is None or (entry["date"], entry["seq"]) >= (newest["date"], newest["seq"]):
            held[name] = entry
    found["latestAssessment"] = {
        name: body.get(name) for name in ("date", "source", "assessedBy", "indicators",
                                          "lensValues", "note")
    }  # fmt: skip


# Reading


def period(plan_facts: Mapping) -> tuple[dates.PlanDate, dates.PlanDate]:
    return dates.parse(plan_facts["period"]["start"]), dates.parse(plan_facts["period"]["end"])


def flags(state: Mapping, plan_facts: Mapping | None) -> list[dict]:
    """What the record's facts, as published, say that does not add up or should be known."""
    facts = state["facts"]
    if facts is None:
        return []
    found = []
    if state["kind"] == MILESTONE:
        start, end = dates.parse(facts["start"]), dates.parse(facts["end"])
        if start.first and end.last and end.last < start.first:
            found.append(
                _flag(
                    "ends-before-start",
                    INCONSISTENCY,
                    f"it ends {end.as_published!r} (by {_day(end.last)}), before it starts "
                    f"{start.as_published!r} (from {_day(start.first)}): as the plan publishes "
                    "it, not corrected here",
                )
            )
        if plan_facts is not None:
            first, last = period(plan_facts)
            if end.first and last.last and end.first > last.last:
                found.append(
                    _flag(
                        "ends-after-plan",
                        NOTE,
                        f"it ends {end.as_published!r}, after the plan's period "
                        f"({first.as_published} to {last.as_published}) is over",
                    )
                )
            if start.last and first.first and start.last < first.first:
                found.append(
                    _flag(
                        "starts-before-plan",
                        NOTE,
                        f"it starts {start.as_published!r}, before the plan's period "
                        f"({first.as_published} to {last.as_published}) begins",
                    )
                )
    elif state["kind"] == COMMITMENT:
        if not facts.get("number"):
            found.append(_flag("unnumbered", NOTE, "the plan gives it no number, only its title"))
        if not facts.get("milestones"):
            found.append(
                _flag(
                    "no-milestones",
                    NOTE,
                    "the plan gives it no milestones: no dates to hold it to, and nothing to "
                    "mark complete",
                )
            )
    return found


def _flag(code: str, kind: str, message: str) -> dict:
    return {"code": code, "kind": kind, "message": message}


def _day(day: date | None) -> str:
    return day.strftime("%-d %B %Y") if day else ""


def _status(state: Mapping) -> tuple[str, str | None]:
    latest = state["latestUpdate"]
    return (latest["status"], latest["date"]) if latest else (NO_EVIDENCE, None)


def _common(state: Mapping) -> dict:
    return {
        "key": state["key"],
        "version": state["version"],
        "statements": state["statements"],
        "withdrawn": state["withdrawn"],
        "created": state["created"],
        "updated": state["updated"],
        "seq": state["seq"],
        "source": state["source"],
    }


def milestone(
    state: Mapping, plan_facts: Mapping | None, today: date, measured: Mapping | None = None
) -> dict:
    """A milestone as it reads on ``today``: its facts, dates parsed, status, and whether it is
    overdue (its end date's last day passed, and it is neither complete nor withdrawn). A
    milestone the platform measures (``measured``: openbook.standards.plans.measures) takes its
    status from the measure, never from an update."""
    facts = state["facts"] or {}
    start, end = dates.parse(facts["start"]), dates.parse(facts["end"])
    status, status_date = _status(state)
    status_from = "update" if state["latestUpdate"] else "none"
    if measured is not None:
        status, status_date, status_from = measured["status"], measured["asOf"], "measured"
    overdue = end.last is not None and end.last < today and status not in DONE
    plan, commitment, ident = state["key"].split("/")
    return {
        "id": ident,
        "plan": plan,
        "commitment": commitment,
        "objective": facts.get("objective"),
        "text": facts.get("text"),
        "newOrOngoing": facts.get("newOrOngoing"),
        "start": start.as_dict(),
        "end": end.as_dict(),
        "status": status,
        "statusLabel": STATUSES.get(status, status),
        "statusDate": status_date,
        "statusFrom": status_from,
        "measured": dict(measured) if measured is not None else None,
        "overdue": overdue,
        "dueBy": end.last.isoformat() if end.last else None,
        "latestUpdate": state["latestUpdate"],
        "updates": state["updates"],
        "flags": flags(state, plan_facts),
        "notes": facts.get("notes", []),
        **_common(state),
    }


def _field(name: str, facts: Mapping, recorded: Mapping) -> dict:
    if name in recorded:
        each = recorded[name]
        return {"value": each["value"], "from": "recorded", "whyEmpty": None,
                "source": each["source"], "recordedBy": each["recordedBy"],
                "logTime": each["logTime"], "seq": each["seq"]}  # fmt: skip
    return {
        "value": facts.get(name),
        "from": "plan",
        "whyEmpty": None if name in facts else facts.get("whyEmpty", {}).get(name),
        "source": None,
        "recordedBy": None,
        "logTime": None,
        "seq": None,
    }


def assessed(state: Mapping) -> dict:
    """A commitment's assessment: each indicator's newest value, its label on the IRM's scale,
    where it comes from and its date; None for an indicator never assessed."""
    held = state.get("assessment") or {}
    return {
        name: {**held[name], "label": scale.get(held[name]["value"], held[name]["value"])}
        if name in held
        else None
        for name, scale in assessment.INDICATORS.items()
    }


def summary(milestones: Sequence[Mapping]) -> dict:
    """Counts over milestones as read (``milestone``): by status, overdue, flagged."""
    by_status = dict.fromkeys(STATUSES, 0)
    for each in milestones:
        by_status[each["status"]] = by_status.get(each["status"], 0) + 1
    return {
        "milestones": len(milestones),
        "byStatus": by_status,
        "overdue": sum(1 for each in milestones if each["overdue"]),
        "flagged": sum(1 for each in milestones if each["flags"]),
    }


def commitment(
    state: Mapping,
    milestones: Mapping[str, Mapping],
    plan_facts: Mapping | None,
    today: date,
    measured: Mapping[str, Mapping] | None = None,
) -> dict:
    """A commitment as it reads on ``today``, with its milestones in the plan's order
    (``milestones``: the states of its milestones, by record key; ``measured``: what the
    platform measures of them, by record key) and its assessment, each indicator's newest."""
    facts = state["facts"] or {}
    measured = measured or {}
    shown = [
        milestone(milestones[key], plan_facts, today, measured.get(key))
        for key in (f"{state['key']}/{each}" for each in facts.get("milestones", []))
        if key in milestones and milestones[key]["facts"] is not None
    ]
    status, status_date = _status(state)
    plan, ident = state["key"].split("/")
    return {
        "id": ident,
        "plan": plan,
        "number": facts.get("number"),
        "title": facts.get("title"),
        "objectives": facts.get("objectives", []),
        **{name: _field(name, facts, state["fields"]) for name in OPTIONAL_FIELDS},
        "status": status,
        "statusLabel": STATUSES.get(status, status),
        "statusDate": status_date,
        "latestUpdate": state["latestUpdate"],
        "updates": state["updates"],
        "assessment": assessed(state),
        "assessments": state.get("assessments", 0),
        "flags": flags(state, plan_facts),
        "notes": facts.get("notes", []),
        "summary": summary(shown),
        "milestones": shown,
        **_common(state),
    }


def plan(
    states: Mapping[str, Mapping],
    plan_key: str,
    today: date,
    measured: Mapping[str, Mapping] | None = None,
) -> dict:
    """A plan as it reads on ``today``, from the states of its records (by record key), with
    its commitments and their milestones in the plan's order, and every flag of them
    (``measured``: what the platform measures of its milestones, by record key)."""
    state = states[plan_key]
    facts = state["facts"] or {}
    commitments = [
        commitment(states[key], states, facts, today, measured)
        for key in (f"{plan_key}/{each}" for each in facts.get("commitments", []))
        if key in states and states[key]["facts"] is not None
    ]
    milestones = [each for found in commitments for each in found["milestones"]]
    flagged = [
        {"commitment": found["id"], "milestone": None, **flag}
        for found in commitments
        for flag in found["flags"]
    ] + [
        {"commitment": each["commitment"], "milestone": each["id"], **flag}
        for each in milestones
        for flag in each["flags"]
    ]
    first, last = period(facts) if facts else (None, None)
    return {
        "id": plan_key,
        "title": facts.get("title"),
        "shortTitle": facts.get("shortTitle"),
        "country": facts.get("country"),
        "period": {
            "start": first.as_dict() if first else None,
            "end": last.as_dict() if last else None,
        },
        "document": facts.get("document"),
        "notes": facts.get("notes", []),
        "asOf": today.isoformat(),
        "summary": {"commitments": len(commitments), **summary(milestones)},
        "flags": flagged,
        "commitments": commitments,
        **_common(state),
    }


def listed(found: Mapping) -> dict:
    """A plan as lists give it: ``plan``'s reading without its commitments."""
    return {name: value for name, value in found.items() if name not in ("commitments", "flags")}


def facts_of(plan_facts: dict, commitments: Sequence[dict]) -> dict[str, dict]:
    """Each record's facts as a plan file gives them (``document.PlanFile``), by record key:
    the plan's with its commitments' ids in order, each commitment's with its milestones' ids."""
    plan_key = plan_facts["id"]
    found = {plan_key: {**plan_facts, "commitments": [each["id"] for each in commitments]}}
    for each in commitments:
        key = f"{plan_key}/{each['id']}"
        milestones = each.get("milestones", [])
        found[key] = {name: value for name, value in each.items() if name != "milestones"}
        found[key]["milestones"] = [m["id"] for m in milestones]
        for m in milestones:
            found[f"{key}/{m['id']}"] = dict(m)
    return found
