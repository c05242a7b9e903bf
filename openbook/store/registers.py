"""The registers people enter (openbook.standards.registers): the newest version of each entry,
as its lists read it, and the awards flagged against the debarment list. The versions
themselves are statements in the log (openbook.store.log)."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import orjson

from openbook.store.database import Store, among, chunked, stream


@dataclass(frozen=True, slots=True)
class Entry:
    register: str
    entry_id: str
    version: int
    seq: int
    created_time: str
    updated_time: str
    organisation_id: int
    entry: dict
    organisations: tuple[str, ...]
    ocid: str | None
    status: str
    start_date: str | None
    end_date: str | None


@dataclass(frozen=True, slots=True)
class Filters:
    organisation: str | None = None  # an identifier, SCHEME-ID, normalised
    ocid: str | None = None
    status: str | None = None
    in_force_on: str | None = None  # YYYY-MM-DD: start <= day <= end (no end: still going)


@dataclass(frozen=True, slots=True)
class ExcludedAward:
    entry_id: str
    supplier: str
    ocid: str
    release_id: str
    award_id: str
    seq: int
    award_date: str
    rationale: str
    flagged_time: str
    id: int | None = None  # its row, once stored: the paging key

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "debarmentEntry": self.entry_id,
            "supplier": self.supplier,
            "ocid": self.ocid,
            "releaseId": self.release_id,
            "awardId": self.award_id,
            "seq": self.seq,
            "awardDate": self.award_date,
            "awardRationale": self.rationale,
            "flaggedTime": self.flagged_time,
        }


_COLUMNS = (
    "register, entry_id, version, seq, created_time, updated_time, organisation_id, entry,"
    " organisations, ocid, status, start_date, end_date"
)


def _entry(row: Sequence) -> Entry:
    return Entry(
        register=row[0],
        entry_id=row[1],
        version=row[2],
        seq=row[3],
        created_time=row[4],
        updated_time=row[5],
        organisation_id=row[6],
        entry=orjson.loads(row[7]),
        organisations=tuple(part for part in row[8].split("\n") if part),
        ocid=row[9],
        status=row[10],
        start_date=row[11],
        end_date=row[12],
    )


def count(store: Store, register: str) -> int:
    """How many entries the register has (their numbers are 1 to this: entries are never
    deleted, and are numbered under the log's lock)."""
    with store.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM register_entry WHERE register = %s", [register])
        return int(cursor.fetchone()[0])


def get(store: Store, register: str, entry_id: str) -> Entry | None:
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM register_entry WHERE register = %s AND entry_id = %s",
            [register, entry_id],
        )
        row = cursor.fetchone()
    return _entry(row) if row else None


def save(store: Store, entry: Entry) -> bool:
    """Write an entry's newest version: version 1 is inserted, a later one replaces the version
    before it. False if that version is no longer the newest (another write came first). Call
    inside the transaction that appends the version's statement."""
    values = [
        entry.version,
        entry.seq,
        entry.updated_time,
        entry.organisation_id,
        orjson.dumps(entry.entry).decode(),
        "".join(f"\n{each}" for each in entry.organisations) + "\n",
        entry.ocid,
        entry.status,
        entry.start_date,
        entry.end_date,
    ]
    with store.atomic(savepoint=False) as cursor:
        if entry.version == 1:
            cursor.execute(
                f"INSERT INTO register_entry ({_COLUMNS})"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [entry.register, entry.entry_id, entry.version, entry.seq, entry.created_time,
                 *values[2:]],
            )  # fmt: skip
            return True
        cursor.execute(
            "UPDATE register_entry SET version = %s, seq = %s, updated_time = %s,"
            " organisation_id = %s, entry = %s, organisations = %s, ocid = %s, status = %s,"
            " start_date = %s, end_date = %s"
            " WHERE register = %s AND entry_id = %s AND version = %s",
            [*values, entry.register, entry.entry_id, entry.version - 1],
        )
        return cursor.rowcount == 1


def entries(
    store: Store,
    register: str,
    filters: Filters,
    *,
    before: str | None = None,
    limit: int = 100,
) -> list[Entry]:
    """A page of the register's entries, the newest first (by id), before entry ``before``."""
    where, params = _where(store, register, filters)
    if before is not None:
        where.append("entry_id < %s")
        params.append(before)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM register_entry WHERE {' AND '.join(where)}"
            " ORDER BY entry_id DESC LIMIT %s",
            [*params, limit],
        )
        return [_entry(row) for row in cursor.fetchall()]


def _where(store: Store, register: str, filters: Filters) -> tuple[list[str], list]:
    where, params = ["register = %s"], [register]
    if filters.organisation is not None:
        # A substring, case and all: LIKE would ignore case on SQLite and not on PostgreSQL,
        # and identifiers of schemes the platform does not check keep the case they were given.
        where.append(f"{_position(store)}(organisations, %s) > 0")
        params.append(f"\n{filters.organisation}\n")
    if filters.ocid is not None:
        where.append("ocid = %s")
        params.append(filters.ocid)
    if filters.status is not None:
        where.append("status = %s")
        params.append(filters.status)
    if filters.in_force_on is not None:
        where.append("start_date <= %s AND (end_date IS NULL OR end_date >= %s)")
        params += [filters.in_force_on, filters.in_force_on]
    return where, params


def _position(store: Store) -> str:
    return "strpos" if store.vendor == "postgresql" else "instr"


def naming(store: Store, register: str, identifiers: Sequence[str]) -> list[Entry]:
    """Every entry of the register naming any of these organisations: one reading of the
    register for up to a hundred of them (a package's suppliers), not one each."""
    found: dict[str, Entry] = {}
    position = _position(store)
    for chunk in chunked(sorted(set(identifiers)), 100):
        named = " OR ".join(f"{position}(organisations, %s) > 0" for _ in chunk)
        with store.cursor() as cursor:
            cursor.execute(
                f"SELECT {_COLUMNS} FROM register_entry WHERE register = %s AND ({named})",
                [register, *(f"\n{identifier}\n" for identifier in chunk)],
            )
            for row in cursor.fetchall():
                entry = _entry(row)
                found[entry.entry_id] = entry
    return [found[key] for key in sorted(found)]


def every(store: Store, register: str, status: str | None = None) -> Iterator[Entry]:
    """Every entry of the register (of that status) in id order; streamed."""
    where, params = _where(store, register, Filters(status=status))
    for row in stream(
        store,
        f"SELECT {_COLUMNS} FROM register_entry WHERE {' AND '.join(where)} ORDER BY entry_id",
        params,
    ):
        yield _entry(row)


def add_excluded_awards(store: Store, awards: Sequence[ExcludedAward]) -> None:
    """Call inside the transaction that appends the releases."""
    with store.atomic(savepoint=False) as cursor:
        for award in awards:
            cursor.execute(
                "INSERT INTO excluded_award (entry_id, supplier, ocid, release_id, award_id,"
                " seq, award_date, rationale, flagged_time)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [
                    award.entry_id,
                    award.supplier,
                    award.ocid,
                    award.release_id,
                    award.award_id,
                    award.seq,
                    award.award_date,
                    award.rationale,
                    award.flagged_time,
                ],
            )


def excluded_awards(
    store: Store,
    *,
    entry_ids: Sequence[str] = (),
    ocid: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[ExcludedAward]:
    """Flagged awards in the order they were published, after the one of id ``after``."""
    where: list[str] = []
    params: list = []
    if entry_ids:
        condition, values = among(store, "entry_id", list(entry_ids))
        where.append(condition)
        params += values
    if ocid is not None:
        where.append("ocid = %s")
        params.append(ocid)
    if after is not None:
        where.append("id > %s")
        params.append(after)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT entry_id, supplier, ocid, release_id, award_id, seq, award_date, rationale,"
            f" flagged_time, id FROM excluded_award {clause} ORDER BY id LIMIT %s",
            [*params, limit],
        )
        return [ExcludedAward(*row) for row in cursor.fetchall()]


def save_private(store: Store, entry_id: str, version: int, salt: str, private: dict) -> None:
    """A supplier's private information as of a version. Call inside the version's append."""
    with store.atomic(savepoint=False) as cursor:
        cursor.execute(
            "INSERT INTO supplier_private (entry_id, version, salt, body) VALUES (%s, %s, %s, %s)",
            [entry_id, version, salt, orjson.dumps(private).decode()],
        )


def private(store: Store, entry_id: str, version: int) -> tuple[str, dict] | None:
    """The salt and private information of a version of a supplier's entry."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT salt, body FROM supplier_private WHERE entry_id = %s AND version = %s",
            [entry_id, version],
        )
        row = cursor.fetchone()
    return (row[0], orjson.loads(row[1])) if row else None


def existing(store: Store, register: str, entry_ids: Sequence[str]) -> set[str]:
    """Which of these entries the register has."""
    found: set[str] = set()
    if not entry_ids:
        return found
    condition, params = among(store, "entry_id", list(entry_ids))
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT entry_id FROM register_entry WHERE register = %s AND {condition}",
            [register, *params],
        )
        found.update(row[0] for row in cursor.fetchall())
    return found
