"""The audit trail: one row per write (a publication, a key created or revoked, a publisher or an
account added), kept append-only by triggers like the log's (docs/publishing-api.md, "Audit")."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson

from openbook.standards.log import format_log_time
from openbook.store import immutability
from openbook.store.database import Store

MESSAGE = "the audit trail is append-only: audit_event rows cannot be changed or removed"


def create_triggers(schema_editor) -> None:
    """For the migration that creates the table."""
    immutability.create_append_only(schema_editor, "audit_event", MESSAGE)


def drop_triggers(schema_editor) -> None:
    """For that migration's reverse: the table goes with its triggers, but not the function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS audit_event_refuse() CASCADE")


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    time: str
    actor: str
    organisation_id: int | None
    address: str | None
    action: str
    subject: str
    detail: dict

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "time": self.time,
            "actor": self.actor,
            "organisation": self.organisation_id,
            "address": self.address,
            "action": self.action,
            "subject": self.subject,
            "detail": self.detail,
        }


def record(
    store: Store,
    *,
    actor: str,
    action: str,
    subject: str,
    organisation_id: int | None = None,
    address: str | None = None,
    detail: dict | None = None,
    now: datetime | None = None,
) -> None:
    """Append one event. Call it inside the transaction of the write it records, so that the
    write and its record stand or fall together."""
    with store.atomic(savepoint=False) as cursor:
        cursor.execute(
            "INSERT INTO audit_event (time, actor, organisation_id, address, action, subject,"
            " detail) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [
                format_log_time(now or datetime.now(UTC)),
                actor,
                organisation_id,
                address,
                action,
                subject,
                orjson.dumps(detail or {}).decode(),
            ],
        )


def events(
    store: Store,
    *,
    since: str | None = None,
    organisation_id: int | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[Event]:
    """Events in the order they were recorded: from ``since`` (a log time), of one organisation,
    after the event ``after`` (for paging); at most ``limit``."""
    conditions: list[str] = []
    parameters: list = []
    for condition, value in (
        ("time >= %s", since),
        ("organisation_id = %s", organisation_id),
        ("id > %s", after),
    ):
        if value is not None:
            conditions.append(condition)
            parameters.append(value)
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT id, time, actor, organisation_id, address, action, subject, detail"
            f" FROM audit_event{where} ORDER BY id LIMIT %s",
            [*parameters, limit],
        )
        return [_event(row) for row in cursor.fetchall()]


def count(store: Store, *, action: str, subject: str, since: str) -> int:
    """How many events of ``action`` about ``subject`` were recorded from ``since`` on."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM audit_event WHERE action = %s AND subject = %s AND time >= %s",
            [action, subject, since],
        )
        return int(cursor.fetchone()[0])


def _event(row: Sequence) -> Event:
    identifier, time, actor, organisation_id, address, action, subject, detail = row
    return Event(
        id=int(identifier),
        time=time,
        actor=actor,
        organisation_id=organisation_id,
        address=address,
        action=action,
        subject=subject,
        detail=orjson.loads(detail) if detail else {},
    )
