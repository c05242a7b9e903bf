"""The plans register's records as their statements leave them (openbook.plans; docs/plans.md).
The statements themselves are in the log (openbook.store.log); each row here is written in the
transaction that appends its record's newest statement."""

from collections.abc import Sequence
from dataclasses import dataclass

import orjson

from openbook.store.database import Store


@dataclass(frozen=True, slots=True)
class Record:
    record_key: str
    plan_id: str
    kind: str
    statements: int
    seq: int
    facts_hash: str | None
    withdrawn: bool
    status: str
    end_last_day: str | None
    state: dict
    created_time: str
    updated_time: str


_COLUMNS = (
    "record_key, plan_id, kind, statements, seq, facts_hash, withdrawn, status, end_last_day,"
    " state, created_time, updated_time"
)


def _record(row: Sequence) -> Record:
    return Record(
        record_key=row[0],
        plan_id=row[1],
        kind=row[2],
        statements=row[3],
        seq=row[4],
        facts_hash=row[5],
        withdrawn=bool(row[6]),
        status=row[7],
        end_last_day=row[8],
        state=orjson.loads(row[9]),
        created_time=row[10],
        updated_time=row[11],
    )


def of_plan(store: Store, plan_id: str) -> list[Record]:
    """Every record of a plan (withdrawn ones too), by record key."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM plan_record WHERE plan_id = %s ORDER BY record_key",
            [plan_id],
        )
        return [_record(row) for row in cursor.fetchall()]


def get(store: Store, record_key: str) -> Record | None:
    with store.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM plan_record WHERE record_key = %s", [record_key])
        row = cursor.fetchone()
    return _record(row) if row else None


def plans(store: Store) -> list[Record]:
    """Every plan's own record, by id."""
    with store.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM plan_record WHERE kind = 'plan' ORDER BY plan_id")
        return [_record(row) for row in cursor.fetchall()]


def save(store: Store, records: Sequence[Record]) -> None:
    """Write each record's newest state. Call inside the transaction that appends its
    statements."""
    if not records:
        return
    names = [name.strip() for name in _COLUMNS.split(",")]
    updated = ", ".join(f"{name} = excluded.{name}" for name in names[1:])
    with store.atomic(savepoint=False) as cursor:
        cursor.executemany(
            f"INSERT INTO plan_record ({_COLUMNS}) VALUES ({', '.join(['%s'] * len(names))})"
            f" ON CONFLICT (record_key) DO UPDATE SET {updated}",
            [
                (
                    each.record_key,
                    each.plan_id,
                    each.kind,
                    each.statements,
                    each.seq,
                    each.facts_hash,
                    each.withdrawn,
                    each.status,
                    each.end_last_day,
                    orjson.dumps(each.state).decode(),
                    each.created_time,
                    each.updated_time,
                )
                for each in records
            ],
        )
