"""The ownership graph's tables (``ownership_link``, ``ownership_identifier``), written from the
compiled BODS records (openbook.bods) and read by openbook.ownership."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from openbook.store.database import Store, among, chunked, stream
from openbook.store.log import insert_rows


@dataclass(frozen=True, slots=True)
class Link:
    relationship_id: str
    subject_id: str
    party_id: str | None
    party_reason: str | None
    party_description: str | None
    interests: list
    closed: bool


def write(
    store: Store,
    cursor,
    records: Sequence[tuple[str, dict | None, Sequence[str]]],
    replaced: Sequence[str],
) -> None:
    """Write the rows of these records: (record id, compiled record or None, the identifiers an
    entity gives, normalised), those of ``replaced`` records first deleted. Call inside the
    transaction that stores the records."""
    for chunk in chunked(list(replaced), 500):
        condition, params = among(store, "relationship_id", chunk)
        cursor.execute(f"DELETE FROM ownership_link WHERE {condition}", params)
        condition, params = among(store, "record_id", chunk)
        cursor.execute(f"DELETE FROM ownership_identifier WHERE {condition}", params)
    links: list[tuple] = []
    identifiers: list[tuple[str, str]] = []
    for key, record, given in records:
        if not record:
            continue
        if record.get("recordType") == "relationship":
            links.append(link_row(key, record))
        identifiers.extend((identifier, key) for identifier in given)
    write_rows(store, cursor, links, identifiers)


def write_rows(
    store: Store, cursor, links: list[tuple], identifiers: list[tuple[str, str]]
) -> None:
    """Write the rows of new records, made already: their ``ownership_link`` rows (``link_row``)
    and (identifier, record id) pairs."""
    if links:
        insert_rows(store, cursor, "ownership_link", LINK_COLUMNS, links)
    if identifiers:
        insert_rows(store, cursor, "ownership_identifier", ("identifier", "record_id"),
                    sorted(set(identifiers)))  # fmt: skip


LINK_COLUMNS = (
    "relationship_id",
    "subject_id",
    "party_id",
    "party_reason",
    "party_description",
    "interests",
    "closed",
)


def link_row(key: str, record: dict, *, sort_keys: bool = False) -> tuple:
    """The ``ownership_link`` row of a compiled relationship record (LINK_COLUMNS), its
    interests (and an unspecified party's reason and description, when not text) written as
    they are, or ``sort_keys``: with every object's keys in order, as reading the record back
    from its canonical text gives them. Pure."""
    details = record.get("recordDetails")
    if not isinstance(details, dict):
        details = {}
    subject = details.get("subject")
    party = details.get("interestedParty")
    interests = details.get("interests") if isinstance(details.get("interests"), list) else []
    unspecified = party if isinstance(party, dict) else {}
    reason, description = unspecified.get("reason"), unspecified.get("description")
    if sort_keys:
        reason, description = _keys_sorted(reason), _keys_sorted(description)
    return (
        key,
        subject if isinstance(subject, str) else "",
        party if isinstance(party, str) else None,
        str(reason) if reason is not None else None,
        str(description) if description else None,
        orjson.dumps(interests, option=orjson.OPT_SORT_KEYS if sort_keys else None).decode(),
        bool(record.get("closed")),
    )


def _keys_sorted(value: Any) -> Any:
    """An object or array with its objects' keys in code point order, at any depth; any other
    value as it is."""
    if type(value) is dict or type(value) is list:
        return orjson.loads(orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    return value


def owners(store: Store, subject_ids: Sequence[str]) -> list[Link]:
    """The relationships whose subject is one of these records."""
    found = []
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(subject_ids)), 500):
            condition, params = among(store, "subject_id", chunk)
            cursor.execute(
                f"SELECT {', '.join(LINK_COLUMNS)} FROM ownership_link WHERE {condition}"
                " ORDER BY subject_id, relationship_id",
                params,
            )
            for row in cursor.fetchall():
                found.append(
                    Link(
                        relationship_id=row[0],
                        subject_id=row[1],
                        party_id=row[2],
                        party_reason=row[3],
                        party_description=row[4],
                        interests=orjson.loads(row[5]),
                        closed=bool(row[6]),
                    )
                )
    return found


def records_identified(store: Store, identifier: str) -> list[str]:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT record_id FROM ownership_identifier WHERE identifier = %s ORDER BY record_id",
            [identifier],
        )
        return [row[0] for row in cursor.fetchall()]


def identifiers_of(store: Store, record_ids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(record_ids)), 500):
            condition, params = among(store, "record_id", chunk)
            cursor.execute(
                f"SELECT record_id, identifier FROM ownership_identifier WHERE {condition}",
                params,
            )
            for record_id, identifier in cursor.fetchall():
                found.setdefault(record_id, []).append(identifier)
    return found


def suppliers_with_owners(store: Store) -> Iterator[str]:
    """The identifiers of organisations that processes name as suppliers and that ownership
    records give, in order; streamed."""
    for (identifier,) in stream(
        store,
        "SELECT DISTINCT p.identifier FROM process_party p"
        " JOIN ownership_identifier o ON o.identifier = p.identifier"
        " WHERE p.roles LIKE %s ORDER BY p.identifier",
        ["%supplier%"],
    ):
        yield identifier
