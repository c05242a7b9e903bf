"""How readers see withdrawals and redactions (use case): what a record package, a page of the
feed and the public lists (``GET /api/log/withdrawals``, ``/api/log/redactions``) say of the
statements marked (docs/api.md, "Withdrawn and redacted releases").

A marked statement is never hidden: a withdrawn release stays in the feed and in its record's
releases, as published; a redacted one stays as its entry (seq, hashes), without its body. Each
is listed beside them, with the reason, the time and the statement that marked it:

- withdrawn: ``{"sequence", "ocid", "id", "reason", "withdrawnAt", "withdrawal"}``;
- redacted: ``{"sequence", "ocid", "id", "bodySha256", "leafHash", "reason", "authority",
  "redactedAt", "redaction"}``.

``withdrawal`` and ``redaction`` are the seqs of the marking statements. A reason is null if
the marking statement's own body was redacted since.
"""

from collections.abc import Sequence
from typing import Any

import orjson

from openbook.standards import marks as standard
from openbook.store import log, marks
from openbook.store.database import Store

REGISTERS = (standard.WITHDRAWALS, standard.REDACTIONS)


def record_marks(
    store: Store, statements: Sequence[log.StoredStatement], corrections: marks.Corrections
) -> tuple[list[dict], list[dict]]:
    """The withdrawn and the redacted among a record's statements."""
    wanted = {*corrections.withdrawn.values(), *corrections.redacted.values()}
    found = log.statements_at(store, sorted(wanted)) if wanted else {}
    by_seq = {statement.entry.seq: statement for statement in statements}
    withdrawn = [
        _withdrawn(by_seq[seq], found.get(by))
        for seq, by in sorted(corrections.withdrawn.items())
        if seq in by_seq
    ]
    redacted = [
        _redacted(by_seq[seq], found.get(by))
        for seq, by in sorted(corrections.redacted.items())
        if seq in by_seq
    ]
    return withdrawn, redacted


def page_marks(store: Store, seqs: Sequence[int]) -> tuple[list[dict], list[dict]]:
    """The withdrawn and the redacted among a page of the feed (its statements' seqs, in
    order): one lookup by seq range when nothing is marked, as is usual."""
    if not seqs:
        return [], []
    page = set(seqs)
    found = {
        seq: mark
        for seq, mark in marks.marks_between(store, seqs[0], seqs[-1]).items()
        if seq in page
    }
    if not found:
        return [], []
    wanted = set(found)
    for mark in found.values():
        wanted.update(s for s in (mark.withdrawal_seq, mark.redaction_seq) if s is not None)
    statements = log.statements_at(store, sorted(wanted))
    withdrawn, redacted = [], []
    for seq, mark in sorted(found.items()):
        if mark.withdrawal_seq is not None:
            withdrawn.append(_withdrawn(statements[seq], statements.get(mark.withdrawal_seq)))
        if mark.redaction_seq is not None:
            redacted.append(_redacted(statements[seq], statements.get(mark.redaction_seq)))
    return withdrawn, redacted


def statements_page(store: Store, register: str, start: int, limit: int) -> list[dict]:
    """The statements of ``withdrawals`` or ``redactions`` from seq ``start``: each its entry's
    fields and its body (null once redacted), as the public lists show them."""
    return [
        {
            "sequence": statement.entry.seq,
            "logTime": statement.entry.log_time,
            "recordKey": statement.entry.record_key,
            "statementId": statement.entry.statement_id,
            "publisher": statement.entry.publisher,
            "bodySha256": statement.entry.body_hash,
            "leafHash": statement.leaf_hash,
            "body": orjson.loads(statement.body) if statement.body is not None else None,
        }
        for statement in marks.statements_page(store, register, start, limit)
    ]


def _withdrawn(marked: log.StoredStatement, by: log.StoredStatement | None) -> dict[str, Any]:
    reason = None
    if by is not None and by.body is not None:
        try:
            reason = standard.read_withdrawal(by.body).reason
        except standard.MarkError:
            reason = None
    return {
        "sequence": marked.entry.seq,
        "ocid": marked.entry.record_key,
        "id": marked.entry.statement_id,
        "reason": reason,
        "withdrawnAt": by.entry.log_time if by else None,
        "withdrawal": by.entry.seq if by else None,
    }


def _redacted(marked: log.StoredStatement, by: log.StoredStatement | None) -> dict[str, Any]:
    reason = authority = None
    if by is not None and by.body is not None:
        try:
            redaction = standard.read_redaction(by.body).redaction
            reason, authority = redaction.reason, redaction.authority
        except standard.MarkError:
            pass
    return {
        "sequence": marked.entry.seq,
        "ocid": marked.entry.record_key,
        "id": marked.entry.statement_id,
        "bodySha256": marked.entry.body_hash,
        "leafHash": marked.leaf_hash,
        "reason": reason,
        "authority": authority,
        "redactedAt": by.entry.log_time if by else None,
        "redaction": by.entry.seq if by else None,
    }
