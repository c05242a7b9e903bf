"""The publish API's withdrawals and redactions (docs/publishing-api.md, "Withdrawals" and
"Redactions"): thin adapters over openbook.publishing.withdraw and openbook.redaction.

A publisher key withdraws its own organisation's notices published in error; an administrator
key redacts a statement's body. Both are new, public statements in the log, never edits.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from orjson import dumps

from openbook import redaction
from openbook.publishing.fields import Fields
from openbook.publishing.publish import Refused
from openbook.publishing.withdraw import withdraw
from openbook.standards import marks as standard
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.web.publish.auth import ORGANISATION, PLATFORM, PUBLISH_KEY, actor, scoped
from openbook.web.publish.errors import PublishError
from openbook.web.publish.requests import read_json
from openbook.web.publish.schemas import ERRORS, Error

router = Router(auth=PUBLISH_KEY, tags=["Withdrawals and redactions"])

MARK_ERRORS = {**ERRORS, 404: Error, 503: Error}
REDACTION_FIELDS = ("sequence", "reason", "authority")


class WithdrawnRelease(Schema):
    sequence: int
    ocid: str
    id: str
    leaf_hash: str
    body_sha256: str


class MarkingEntry(Schema):
    sequence: int  # the withdrawal's or redaction's own log entry
    log_time: str
    leaf_hash: str
    entry_timestamp: dict | None  # the log's signed promise to include it in a tree head


class WithdrawalAnswer(Schema):
    withdrawn: WithdrawnRelease
    reason: str
    time: str
    withdrawal: MarkingEntry
    record: str


class RedactionEntry(MarkingEntry):
    key_id: str  # the log's key that signed the redaction
    signed_note: str  # openbook-redaction/v1, signed (docs/log-format.md)


class RedactionAnswer(Schema):
    # The entry redacted: sequence, register, record_key, statement_id, leaf_hash, body_sha256
    # (a dict: pydantic's Schema has an attribute named "register").
    redacted: dict[str, int | str]
    reason: str
    authority: str | None
    time: str
    administrator: str
    redaction: RedactionEntry


def _body(description: str, properties: dict[str, Any], required: list[str]) -> dict:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "description": description,
                        "type": "object",
                        "properties": properties,
                        "required": required,
                        "additionalProperties": False,
                    }
                }
            },
        }
    }


SEQUENCE = {"type": "integer", "minimum": 0, "description": "The entry's log sequence number."}
REASON = {"type": "string", "minLength": 1, "maxLength": standard.MAX_REASON}
WITHDRAWAL_BODY = _body(
    "The release to withdraw, by `sequence` or by `ocid` and `releaseId`, and why.",
    {
        "sequence": SEQUENCE,
        "ocid": {"type": "string"},
        "releaseId": {"type": "string"},
        "reason": {**REASON, "description": "Why it was published in error: shown publicly."},
    },
    ["reason"],
)
REDACTION_BODY = _body(
    "The entry whose body to remove, why, and on what legal authority.",
    {
        "sequence": SEQUENCE,
        "reason": {**REASON, "description": "Why the body goes: shown publicly."},
        "authority": {
            "type": ["string", "null"],
            "maxLength": standard.MAX_AUTHORITY,
            "description": "The legal authority: a court order, a section of an Act.",
        },
    },
    ["sequence", "reason"],
)


def _json(value: object, status: int) -> HttpResponse:
    return HttpResponse(dumps(value), status=status, content_type="application/json")


@router.post(
    "/withdrawals",
    response={201: WithdrawalAnswer, **MARK_ERRORS},
    summary="Withdraw a notice published in error",
    description=(
        "Marks one of your organisation's releases withdrawn, with a reason, by a new statement "
        "in the log: the release stays readable and verifiable, listed as withdrawn with the "
        "reason and time, and its process is compiled again without it. Once per release."
    ),
    openapi_extra=WITHDRAWAL_BODY,
)
@scoped(ORGANISATION)
def withdrawals(request: HttpRequest):
    key: Key = request.auth
    value = read_json(request)
    try:
        withdrawn = withdraw(Store(), key.organisation, value, actor(request))
    except Refused as refused:
        raise PublishError(
            refused.status, refused.code, refused.message, refused.problems
        ) from None
    return _json(withdrawn.as_dict(), 201)


@router.post(
    "/redactions",
    response={201: RedactionAnswer, **MARK_ERRORS},
    summary="Redact a statement's body (administrator keys)",
    description=(
        "Removes the body of a log entry where the law requires it (personal data, a court "
        "order), by a redaction statement signed with the log's key: the entry, its hashes and "
        "every proof stay, and the redaction itself is public (GET /api/log/redactions). Once "
        "per entry; a redaction is never redacted."
    ),
    openapi_extra=REDACTION_BODY,
)
@scoped(PLATFORM)
def redactions(request: HttpRequest):
    key: Key = request.auth
    value = read_json(request)
    try:
        fields = Fields(value, REDACTION_FIELDS, "a redaction")
        seq = fields.sequence("sequence")
        if not fields.given("sequence"):
            fields.problem("sequence", "sequence-missing", "give the sequence of the entry")
        reason = fields.reason("reason", standard.MAX_REASON)
        authority = fields.reason("authority", standard.MAX_AUTHORITY, required=False)
        fields.check()
    except Refused as refused:
        raise PublishError(
            refused.status, refused.code, refused.message, refused.problems
        ) from None
    assert seq is not None and reason is not None
    try:
        redacted = redaction.redact(
            Store(),
            seq,
            reason,
            actor(request),
            authority=authority,
            organisation_id=key.organisation.id,
        )
    except redaction.RedactionRefused as refused:
        raise PublishError(refused.status, refused.code, refused.message) from None
    return _json(redacted.as_dict(), 201)
