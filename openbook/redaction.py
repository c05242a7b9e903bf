"""Redaction by a platform administrator (use case behind ``openbook redact`` and
``POST /api/publish/redactions``): the body of a statement removed where the law requires it
(personal data, a court order), by a signed, public redaction statement (DESIGN.md, principle 1).

The redaction statement (register ``redactions``; openbook.standards.marks) names the entry, its
leaf hash and body hash, the reason, the legal authority, the time and the administrator, and
carries a signed note by the log's signing key. It is appended and the body emptied in one
transaction (openbook.store.marks.redact); the entry, its hashes and every proof stay. Its record
is then compiled again without it, which rebuilds the process's search rows, and every reader
(feed, record, snapshots) shows the entry as redacted, with a pointer to the redaction.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openbook import (
    config,
    plans,  # a plans record is folded again without it
    records,
    transparency,
)
from openbook.publishing.publish import entry_timestamp
from openbook.publishing.publishers import Actor
from openbook.signing_keys import SigningKeyError
from openbook.standards import grants, spend  # grants
from openbook.standards import marks as standard
from openbook.standards.log import format_log_time
from openbook.store import audit, marks
from openbook.store import grants as stored_grants
from openbook.store import spend as stored_spend
from openbook.store.database import Store


class RedactionRefused(Exception):
    """The redaction cannot be made; nothing was changed. ``status`` and ``code`` are what the
    publish API answers."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Redacted:
    redaction: standard.SignedRedaction
    entry: marks.Target  # the redaction statement's own entry
    entry_timestamp: dict | None  # the log's signed promise to include it in a tree head

    def as_dict(self) -> dict[str, Any]:
        made = self.redaction.redaction
        statement = made.statement
        return {
            "redacted": {
                "sequence": statement.seq,
                "register": statement.register,
                "record_key": statement.record_key,
                "statement_id": statement.statement_id,
                "leaf_hash": statement.leaf_hash,
                "body_sha256": statement.body_hash,
            },
            "reason": made.reason,
            "authority": made.authority,
            "time": made.time,
            "administrator": made.administrator,
            "redaction": {
                "sequence": self.entry.seq,
                "log_time": self.entry.log_time,
                "leaf_hash": self.entry.leaf_hash,
                "key_id": self.redaction.key_id,
                "signed_note": self.redaction.signed_note,
                "entry_timestamp": self.entry_timestamp,
            },
        }


def redact(
    store: Store,
    seq: int,
    reason: str,
    actor: Actor,
    *,
    authority: str | None = None,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> Redacted:
    """Redact the body of entry ``seq``. Not idempotent by design: a second redaction of the same
    entry is refused (``already-redacted``), as is a redaction of a redaction."""
    try:
        reason = standard.check_reason(reason)
        if authority is not None:
            authority = standard.check_reason(
                authority, most=standard.MAX_AUTHORITY, name="authority"
            )
    except standard.ReasonError as error:
        raise RedactionRefused(422, error.code, error.message) from None
    found = marks.target(store, seq)
    if found is None:
        raise RedactionRefused(404, "not-found", f"the log has no entry {seq}")
    if found.register == standard.REDACTIONS:
        raise RedactionRefused(
            409,
            "redaction-of-redaction",
            f"entry {seq} is itself a redaction: a redaction stays on the record, whole, so that "
            "anyone can see what was removed and why",
        )
    if found.body is None or found.redaction_seq is not None:
        by = f", by entry {found.redaction_seq}" if found.redaction_seq is not None else ""
        raise RedactionRefused(
            409, "already-redacted", f"entry {seq} was redacted already{by}: its body is gone"
        )
    moment = format_log_time(now or datetime.now(UTC))
    redaction = standard.Redaction(
        standard.StatementRef(
            found.seq,
            found.register,
            found.record_key,
            found.statement_id,
            found.leaf_hash,
            found.body_hash,
        ),
        reason,
        authority,
        moment,
        actor.who,
    )
    try:
        key = transparency.signing_key(store)
    except (transparency.TransparencyError, SigningKeyError) as error:
        raise RedactionRefused(
            503, "cannot-sign", f"the redaction cannot be signed, so nothing was redacted: {error}"
        ) from None
    signed = standard.sign_redaction(redaction, config.log_origin(), key.private)
    body = signed.body()
    statement = marks.statement(found, body, moment, f"redaction by {actor.who}")
    compiled = found.register == records.REGISTER
    try:
        with store.atomic():
            redaction_seq = marks.redact(
                store, found, statement, config.publisher_name(), compiled=compiled, now=now
            )
            if found.register == spend.REGISTER:
                stored_spend.redacted(store, found.record_key, found.seq)
            if found.register == grants.REGISTER:
                stored_grants.redacted(store, found.record_key, found.seq)
            if found.register == plans.REGISTER:
                plans.refold(store, found.record_key)
            audit.record(
                store,
                actor=actor.who,
                action="redact",
                subject=f"entry:{seq}",
                organisation_id=organisation_id,
                address=actor.address,
                detail={
                    "redacted": seq,
                    "redaction": redaction_seq,
                    "register": found.register,
                    "recordKey": found.record_key,
                    "authority": authority,
                },
                now=now,
            )
    except marks.AlreadyMarked as error:
        raise RedactionRefused(
            409, "already-redacted", f"entry {seq} was redacted already, by entry {error.seq}"
        ) from None
    except marks.MarkRefused as error:
        raise RedactionRefused(409, "already-redacted", str(error)) from None
    if compiled:
        records.compile_records(store, [found.record_key])
    entry = marks.target(store, redaction_seq)
    assert entry is not None
    return Redacted(signed, entry, entry_timestamp(store, redaction_seq))
