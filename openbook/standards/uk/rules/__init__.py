"""Notice-aware validation: the rules a UK notice must keep, and ``check_notice``.

Each rule in ``RULES`` has a stable code, the regime it applies to, the notices it checks, the
section or regulation it comes from, its exceptions in words, and a check function. A check reads
only the release and the earlier releases of the same process (``history``, oldest first) and
yields findings; ``check_notice`` turns them into problems with a JSON pointer, the rule's code,
a message a procurement officer can act on, a severity and the citation. ``docs/notices.md``
explains every rule.

What the data cannot show is not guessed. Where an exception of the law cannot be recognised in
OCDS (a direct award for extreme urgency, a user choice contract), a breach it could excuse is a
warning that names the exception, not an error.

Days are counted as the Act counts them: a period "beginning with" a day includes that day, and
dates are UK dates (Europe/London). Working days are those of section 123, a bank holiday in any
part of the UK not being one: the ``"united-kingdom"`` calendar of
``openbook.standards.uk.calendar``, which ``check_notice`` uses unless given another calendar.

This module is the entry point; the rules live by concept in its modules: ``table`` (the rule
table), ``context`` (what a check reads and yields), ``facts`` (what decides the exceptions),
``notice_type``, ``fields``, ``sequence``, ``standstill``, ``deadlines``, ``dates`` and
``periods``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from openbook.standards.uk.notices import NOTICE_TYPES, legal_regime, notice_mentions
from openbook.standards.uk.rules.context import (
    ACT_CALENDAR,
    ERROR,
    WARNING,
    Calendar,
    Check,
    Finding,
    NoticeContext,
    NoticeProblem,
    default_calendar,
)
from openbook.standards.uk.rules.fields import REQUIRED_FIELDS, FieldRequirement
from openbook.standards.uk.rules.notice_type import type_problem
from openbook.standards.uk.rules.standstill import STANDSTILL_WORKING_DAYS
from openbook.standards.uk.rules.table import ANY_REGIME, RULE_CODES, RULES, Rule

__all__ = [
    "ACT_CALENDAR",
    "ANY_REGIME",
    "ERROR",
    "REQUIRED_FIELDS",
    "RULES",
    "RULE_CODES",
    "STANDSTILL_WORKING_DAYS",
    "WARNING",
    "Calendar",
    "Check",
    "FieldRequirement",
    "Finding",
    "NoticeContext",
    "NoticeProblem",
    "Rule",
    "check_notice",
    "default_calendar",
]


def _applies(rule: Rule, notice_code: str | None, regime: str) -> bool:
    if not rule.needs_notice:
        return True
    if notice_code is None:
        return False
    if rule.regime not in (ANY_REGIME, regime):
        return False
    return not rule.notices or notice_code in rule.notices


# The rules that apply to a notice, in RULES' order, by (notice code or None, regime): worked
# out once for each pair met rather than rule by rule for every notice (issue 4, Performance).
_APPLYING: dict[tuple[str | None, str], tuple[Rule, ...]] = {}


def _applying(notice_code: str | None, regime: str) -> tuple[Rule, ...]:
    key = (notice_code, regime)
    found = _APPLYING.get(key)
    if found is None:
        found = _APPLYING[key] = tuple(
            rule for rule in RULES if _applies(rule, notice_code, regime)
        )
    return found


def check_notice(
    release: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]] = (),
    *,
    calendar: Calendar | None = None,
) -> list[NoticeProblem]:
    """Every problem of the notice ``release``, given the earlier releases of its process.

    ``history`` is oldest first. ``calendar`` defaults to ``openbook.standards.uk.calendar``.
    A notice with no problems returns ``[]``.
    """
    earlier = tuple(mention for past in history for mention in notice_mentions(past))
    mention, found_type_problem = type_problem(release, frozenset(m.code for m in earlier))
    notice = NOTICE_TYPES.get(mention.code) if mention is not None else None
    ctx = NoticeContext(
        release=release,
        history=history,
        notice=notice,
        mention=mention,
        regime=legal_regime(release, history),
        earlier=earlier,
        calendar=calendar or default_calendar(),
        type_problem=found_type_problem,
    )
    return [
        NoticeProblem(
            path=finding.path,
            code=rule.code,
            message=finding.message,
            severity=finding.severity or rule.severity,
            citation=finding.citation or rule.citation,
        )
        for rule in _applying(notice.code if notice is not None else None, ctx.regime.regime)
        for finding in rule.check(ctx)
    ]
