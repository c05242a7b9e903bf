"""The contract performance register's reads (docs/contract-performance.md): the processes with
contract performance or termination notices, found through the process search and their
parties, and for a page of them the compiled releases and the implementation-stage releases
that carry each year's KPI ratings. Nothing here is written: the register is derived at read
time from what loading already indexes."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openbook.standards.ocds.terms import stage_term
from openbook.store.database import Store, among, chunked, stream
from openbook.store.search import REGISTER

_IMPLEMENTATION_TERM = stage_term("implementation")


@dataclass(frozen=True, slots=True)
class Filters:
    """What processes must match: a notice type among ``notices`` (``UK9``, ``UK11``) or the
    implementation stage; a party with the supplier role with identifier ``supplier``, and
    one with the buyer role with identifier ``buyer`` (normalised identifiers)."""

    notices: tuple[str, ...]
    supplier: str | None = None
    buyer: str | None = None


# A party's name and identifier (SCHEME-ID, normalised; None without a valid one).
Party = tuple[str | None, str | None]


@dataclass(frozen=True, slots=True)
class Candidate:
    process_id: int  # process_search.id: the paging key
    ocid: str
    title: str | None
    buyer_name: str | None


def _where(store: Store, filters: Filters) -> tuple[list[str], list[object]]:
    position = "strpos" if store.vendor == "postgresql" else "instr"
    tests = [f"{position}(p.notice_types, %s) > 0" for _ in filters.notices]
    where = ["(" + " OR ".join([*tests, "p.stage = 'implementation'"]) + ")"]
    params: list[object] = [f"\n{code}\n" for code in filters.notices]
    for role, identifier in (("supplier", filters.supplier), ("buyer", filters.buyer)):
        if identifier is not None:
            where.append(
                "p.id IN (SELECT process_id FROM process_party WHERE identifier = %s"
                f" AND ' ' || roles || ' ' LIKE '%% {role} %%')"
            )
            params.append(identifier)
    return where, params


_COLUMNS = "p.id, p.ocid, p.title, p.buyer_name"


def page(store: Store, filters: Filters, through: int | None, limit: int) -> list[Candidate]:
    """Up to ``limit`` processes, the most recently changed first (by the search row's id, the
    log seq of the process's last release), from ``through`` (included: a page may end within
    a process's contracts)."""
    where, params = _where(store, filters)
    if through is not None:
        where.append("p.id <= %s")
        params.append(through)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM process_search p WHERE {' AND '.join(where)}"
            " ORDER BY p.id DESC LIMIT %s",
            [*params, limit],
        )
        return [Candidate(*row) for row in cursor.fetchall()]


def every(store: Store, filters: Filters) -> Iterator[Candidate]:
    """Every process matching, the most recently changed first; streamed."""
    where, params = _where(store, filters)
    for row in stream(
        store,
        f"SELECT {_COLUMNS} FROM process_search p WHERE {' AND '.join(where)} ORDER BY p.id DESC",
        params,
    ):
        yield Candidate(*row)


def implementation_releases(store: Store, ocids: Sequence[str]) -> dict[str, list[str]]:
    """For each process, the bodies of its releases tagged for the implementation stage (the
    feed's stage term), in log order; redacted ones left out."""
    found: dict[str, list[str]] = {ocid: [] for ocid in ocids}
    with store.cursor() as cursor:
        for chunk in chunked(list(ocids), 200):
            condition, parameters = among(store, "e.record_key", chunk)
            cursor.execute(
                "SELECT e.record_key, b.body FROM log_entry e"
                " JOIN statement_term t ON t.term = %s AND t.seq = e.seq"
                " JOIN log_body b ON b.seq = e.seq"
                f" WHERE e.register = %s AND {condition} AND b.body IS NOT NULL"
                " ORDER BY e.record_key, e.seq",
                [_IMPLEMENTATION_TERM, REGISTER, *parameters],
            )
            for ocid, body in cursor.fetchall():
                found[ocid].append(body)
    return found


def names_supplier(store: Store, identifier: str) -> bool:
    """Whether any process names a party with this identifier as a supplier."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM process_party WHERE identifier = %s"
            " AND ' ' || roles || ' ' LIKE '%% supplier %%' LIMIT 1",
            [identifier],
        )
        return cursor.fetchone() is not None


def parties(store: Store, process_ids: Sequence[int]) -> dict[int, dict[str | None, Party]]:
    """For each process, its parties' names and identifiers by local id, the last of an id
    counting: as the process search's mentions have them (written with the compiled release,
    from it; openbook.standards.ocds.summary.mentions), so no identifier is checked again."""
    found: dict[int, dict[str | None, Party]] = {int(each): {} for each in process_ids}
    with store.cursor() as cursor:
        for chunk in chunked(list(process_ids), 500):
            condition, parameters = among(store, "process_id", chunk)
            cursor.execute(
                "SELECT process_id, party_id, name, identifier FROM process_party"
                f" WHERE {condition} ORDER BY process_id, position",
                parameters,
            )
            for process_id, party_id, name, identifier in cursor.fetchall():
                found[int(process_id)][party_id] = (name, identifier)
    return found
