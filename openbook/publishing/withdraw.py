"""Withdrawing a notice published in error (use case behind ``POST /api/publish/withdrawals``).

A withdrawal is a new statement, never an edit (DESIGN.md, principle 1): a statement in the
log's ``withdrawals`` register naming the release withdrawn and the publisher's reason
(openbook.standards.marks). The release stays in the log, in the feed and in its record's
releases, readable and verifiable, marked withdrawn with the reason and time; its process is
compiled again without it, so the compiled release, the versioned release and the search show
the process as if it had never been published (docs/publishing-api.md, "Withdrawals").

Why a statement of its own rather than an OCDS release in the same process: OCDS has no way to
take a release back. Merging (OCDS 1.1, "Merging") applies every release of a process, so any
release added after a wrong one, even one setting fields to null, leaves the wrong release's
other fields in the compiled release, and a correction says the wrong notice was once right.
The UK services do the same: Contracts Finder withdraws a notice with a reason, keeps it at its
address marked withdrawn and drops it from search; the Find a Tender Service keeps every
version of an edited notice. What happened in the procurement itself (an amendment, a
cancellation, a termination) stays an OCDS release: tenderAmendment, tenderCancellation...
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from openbook import records
from openbook.publishing import scope
from openbook.publishing.fields import Fields
from openbook.publishing.publish import Problem, Refused, entry_timestamp
from openbook.publishing.publishers import Actor
from openbook.standards import marks as standard
from openbook.standards.log import format_log_time
from openbook.store import audit, marks
from openbook.store.database import Store
from openbook.store.publishers import Organisation

FIELDS = ("sequence", "ocid", "releaseId", "reason")


@dataclass(frozen=True, slots=True)
class Withdrawn:
    withdrawal: standard.Withdrawal
    entry: marks.Target  # the withdrawal statement's own entry
    entry_timestamp: dict | None  # the log's signed promise to include it in a tree head

    def as_dict(self) -> dict[str, Any]:
        statement = self.withdrawal.statement
        return {
            "withdrawn": {
                "sequence": statement.seq,
                "ocid": statement.record_key,
                "id": statement.statement_id,
                "leaf_hash": statement.leaf_hash,
                "body_sha256": statement.body_hash,
            },
            "reason": self.withdrawal.reason,
            "time": self.withdrawal.time,
            "withdrawal": {
                "sequence": self.entry.seq,
                "log_time": self.entry.log_time,
                "leaf_hash": self.entry.leaf_hash,
                "entry_timestamp": self.entry_timestamp,
            },
            "record": f"/api/ocds/records/{statement.record_key}",
        }


def withdraw(
    store: Store, organisation: Organisation, value: Any, actor: Actor, now: datetime | None = None
) -> Withdrawn:
    """Withdraw a release of ``organisation``'s, named in ``value`` (parsed JSON) by its
    ``sequence`` or by ``ocid`` and ``releaseId``, with a ``reason``. Raises ``Refused``."""
    seq, reason = _read(store, value)
    found = marks.target(store, seq)
    if found is None:
        raise Refused(404, "not-found", f"the log has no entry {seq}")
    if found.register != records.REGISTER:
        raise Refused(
            422,
            "invalid",
            f"entry {seq} is not a release (it is in the log's {found.register!r} register): only "
            "releases are withdrawn this way",
            [Problem("/sequence", "not-a-release", f"entry {seq} is not a release", "error", True)],
        )
    if found.body is None:
        raise Refused(
            409,
            "redacted",
            f"release {found.statement_id!r} (entry {seq}) was redacted (entry "
            f"{found.redaction_seq}): it no longer counts in its process, and cannot be withdrawn",
        )
    buyer = scope.buyer_of(orjson.loads(found.body))
    if buyer is None or not scope.names(buyer, organisation):
        named = buyer.label if buyer else "no buyer"
        raise Refused(
            403,
            "other-organisation",
            f"release {found.statement_id!r} (entry {seq}) names {named} as its buyer, but this "
            f"key publishes for {organisation.name} ({organisation.party_id}): an organisation "
            "withdraws only its own notices",
        )
    if found.withdrawal_seq is not None:
        raise _already(found.statement_id, seq, found.withdrawal_seq)
    moment = format_log_time(now or datetime.now(UTC))
    withdrawal = standard.Withdrawal(
        _reference(found),
        reason,
        moment,
        {"id": organisation.party_id, "name": organisation.name},
    )
    body = withdrawal.body()
    statement = marks.statement(found, body, moment, f"POST /api/publish/withdrawals {actor.who}")
    try:
        with store.atomic():
            withdrawal_seq = marks.withdraw(
                store, found, statement, organisation.name, compiled=True, now=now
            )
            audit.record(
                store,
                actor=actor.who,
                action="withdraw",
                subject=found.record_key,
                organisation_id=organisation.id,
                address=actor.address,
                detail={"withdrawn": seq, "withdrawal": withdrawal_seq},
                now=now,
            )
    except marks.AlreadyMarked as error:
        raise _already(found.statement_id, seq, error.seq) from None
    records.compile_records(store, [found.record_key])
    entry = marks.target(store, withdrawal_seq)
    assert entry is not None
    return Withdrawn(withdrawal, entry, entry_timestamp(store, withdrawal_seq))


def _read(store: Store, value: Any) -> tuple[int, str]:
    fields = Fields(value, FIELDS, "a withdrawal")
    seq = fields.sequence("sequence")
    ocid = fields.text("ocid", 1000)
    release_id = fields.text("releaseId", 1000)
    reason = fields.reason("reason", standard.MAX_REASON)
    by_identity = fields.given("ocid") or fields.given("releaseId")
    if fields.given("sequence") and by_identity:
        fields.problem(
            "", "statement-ambiguous", "name the release by sequence, or by ocid and releaseId"
        )
    elif not fields.given("sequence") and not by_identity:
        fields.problem(
            "",
            "statement-missing",
            "name the release to withdraw: its sequence (as publishing answered it), or its "
            "ocid and releaseId",
        )
    elif by_identity and not (fields.given("ocid") and fields.given("releaseId")):
        fields.problem("", "statement-missing", "give both ocid and releaseId")
    fields.check()
    assert reason is not None
    if seq is None:
        assert ocid is not None and release_id is not None
        seq = marks.target_by_identity(store, records.REGISTER, ocid, release_id)
        if seq is None:
            raise Refused(404, "not-found", f"no release {release_id!r} of {ocid!r} is published")
    return seq, reason


def _reference(found: marks.Target) -> standard.StatementRef:
    return standard.StatementRef(
        found.seq,
        found.register,
        found.record_key,
        found.statement_id,
        found.leaf_hash,
        found.body_hash,
    )


def _already(release_id: str, seq: int, by: int) -> Refused:
    return Refused(
        409,
        "already-withdrawn",
        f"release {release_id!r} (entry {seq}) was withdrawn already, by entry {by}: a "
        "withdrawal is made once, and stays",
    )
