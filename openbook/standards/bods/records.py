"""BODS 0.4 records from their statements (BODS 0.4, "Records and statements"): every statement
about one entity, person or relationship carries the record's ``recordId``, and its
``recordStatus`` says whether it is new, updated, or closes the record. A record as compiled is
its newest statement's details, with what its history says: when it was first and last
declared, by which statements, and whether it is closed. Pure.

Statements are ordered by ``statementDate`` (a record's history is the order its statements
describe, not the order anyone received them), and statements of one date by the order the log
accepted them. The newest statement's status is the record's: a record closed and later
updated again is open, with a problem, as BODS 0.4 makes a closing statement a record's final
one (its recordStatus codelist); loaded data can break that rule, so the record says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

STATUSES = ("new", "updated", "closed")
RECORD_TYPES = ("entity", "person", "relationship")


def identity(statement: Any) -> tuple[str, str, str] | str:
    """(statement id, record id, statement date) of a statement; or why it has no usable
    identity (without one it cannot be stored: the log keys statements by them)."""
    if not isinstance(statement, dict):
        return "a statement must be a JSON object"
    found = []
    for name in ("statementId", "recordId", "statementDate"):
        value = statement.get(name)
        if not isinstance(value, str) or not value.strip():
            return f"the statement has no {name} (a non-empty string)"
        found.append(value)
    if len(found[0]) > 250 or len(found[1]) > 250:
        return "statementId and recordId are at most 250 characters"
    return found[0], found[1], found[2]


def _moment(statement: dict) -> datetime:
    text = statement.get("statementDate", "")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)
    if moment.tzinfo is None:  # a date alone, or no offset: UTC
        moment = moment.replace(tzinfo=UTC)
    return moment


def compile_record(statements: Sequence[dict]) -> dict:
    """The record of a ``recordId`` from its statements (in log order)."""
    if len(statements) == 1:
        return _record(statements[0], statements[0], [statements[0].get("statementId")], [])
    ordered = sorted(enumerate(statements), key=lambda pair: (_moment(pair[1]), pair[0]))
    history = [statement for _, statement in ordered]
    newest = history[-1]
    problems = []
    kinds: list = []
    for statement in history:
        if statement.get("recordType") not in kinds:
            kinds.append(statement.get("recordType"))
    if len(kinds) > 1:
        problems.append(
            "its statements give several record types ("
            + ", ".join(sorted(str(kind) for kind in kinds))
            + "): the newest is used"
        )
    if history[0].get("recordStatus") not in (None, "new") and len(history) > 1:
        problems.append("its first statement is not recordStatus 'new'")
    closing = next((s for s in history[:-1] if s.get("recordStatus") == "closed"), None)
    if closing is not None:
        problems.append(
            f"a statement follows its closing statement {closing.get('statementId')!r}: "
            "recordStatus 'closed' is a record's final statement (BODS 0.4, recordStatus)"
        )
    return _record(history[0], newest, [s.get("statementId") for s in history], problems)


def _record(first: dict, newest: dict, statement_ids: list, problems: list[str]) -> dict:
    status = newest.get("recordStatus")
    return {
        "recordId": newest["recordId"],
        "recordType": newest.get("recordType"),
        "recordStatus": status,
        "closed": status == "closed",
        "declarationSubject": newest.get("declarationSubject"),
        "recordDetails": newest.get("recordDetails"),
        "firstStatementDate": first.get("statementDate"),
        "lastStatementDate": newest.get("statementDate"),
        "statements": statement_ids,
        "problems": problems,
    }
