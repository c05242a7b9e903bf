"""The procurement pipeline's reads (docs/pipeline.md): the processes planned in the published
data, found through the process search and the feed's stage terms, and for a page of them the
releases that say when a tender was expected and when it came. Nothing here is written: the
register is derived at read time from what loading already indexes."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from openbook.standards.ocds.terms import STAGES, stage_term
from openbook.store.database import Store, among, chunked, stream
from openbook.store.search import REGISTER, listed

_STAGE_TERMS = tuple(stage_term(stage) for stage in STAGES)


@dataclass(frozen=True, slots=True)
class Filters:
    r"""What planned processes must match. ``planning_notices`` and ``tender_notices`` are
    notice types (``UK1``); ``reached_stages`` the stages that mean a tender came; ``cpv`` CPV
    prefixes (any one); ``buyer`` a normalised identifier of a party with the buyer role;
    ``reached`` whether the process reached tender (None: either)."""

    planning_notices: tuple[str, ...]
    tender_notices: tuple[str, ...]
    reached_stages: tuple[str, ...]
    buyer: str | None = None
    cpv: tuple[str, ...] = ()
    reached: bool | None = None


@dataclass(frozen=True, slots=True)
class Planned:
    process_id: int  # process_search.id: the paging key
    ocid: str
    title: str | None
    buyer_name: str | None
    value_amount: float | None
    value_currency: str | None
    stage: str | None
    published: str | None
    notice_types: tuple[str, ...]
    cpv: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Statement:
    """A release of a process as the log has it: its seq, date as given, and the lifecycle
    stages its tags report on (the feed's stage terms)."""

    seq: int
    date: str
    stages: frozenset[str]


_COLUMNS = (
    "p.id, p.ocid, p.title, p.buyer_name, p.value_amount, p.value_currency, p.stage,"
    " p.published, p.notice_types, p.cpv"
)


def _where(store: Store, filters: Filters) -> tuple[list[str], list[object]]:
    position = "strpos" if store.vendor == "postgresql" else "instr"
    # A planned process: a planning notice among its notice types, its stage planning, or a
    # release of it tagged for the planning stage (``planned``, written when it is compiled).
    planned = [f"{position}(p.notice_types, %s) > 0" for _ in filters.planning_notices]
    planned += ["p.stage = 'planning'", "p.planned"]
    where = ["(" + " OR ".join(planned) + ")"]
    params: list[object] = [f"\n{code}\n" for code in filters.planning_notices]
    if filters.buyer is not None:
        where.append(
            "p.id IN (SELECT process_id FROM process_party WHERE identifier = %s"
            " AND ' ' || roles || ' ' LIKE '%% buyer %%')"
        )
        params.append(filters.buyer)
    if filters.cpv:
        where.append("(" + " OR ".join(f"{position}(p.cpv, %s) > 0" for _ in filters.cpv) + ")")
        params.extend(f"\n{prefix}" for prefix in filters.cpv)
    if filters.reached is not None:
        reached = [f"p.stage IN ({', '.join(['%s'] * len(filters.reached_stages))})"]
        reached += [f"{position}(p.notice_types, %s) > 0" for _ in filters.tender_notices]
        test = "(" + " OR ".join(reached) + ")"
        # A NULL stage is not reached: COALESCE keeps NOT from making the test unknown.
        where.append(test if filters.reached else f"NOT COALESCE({test}, FALSE)")
        params.extend(filters.reached_stages)
        params.extend(f"\n{code}\n" for code in filters.tender_notices)
    return where, params


def page(store: Store, filters: Filters, before: int | None, limit: int) -> list[Planned]:
    """Up to ``limit`` planned processes, the most recently changed first (by the search
    row's id, the log seq of the process's last release), from ``before`` (excluded)."""
    where, params = _where(store, filters)
    if before is not None:
        where.append("p.id < %s")
        params.append(before)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_COLUMNS} FROM process_search p WHERE {' AND '.join(where)}"
            " ORDER BY p.id DESC LIMIT %s",
            [*params, limit],
        )
        return [_planned(row) for row in cursor.fetchall()]


def every(store: Store, filters: Filters) -> Iterator[Planned]:
    """Every planned process, the most recently changed first; streamed."""
    where, params = _where(store, filters)
    for row in stream(
        store,
        f"SELECT {_COLUMNS} FROM process_search p WHERE {' AND '.join(where)} ORDER BY p.id DESC",
        params,
    ):
        yield _planned(row)


def _planned(row: tuple) -> Planned:
    process_id, ocid, title, buyer_name, amount, currency, stage, published, notices, cpv = row
    return Planned(
        process_id,
        ocid,
        title,
        buyer_name,
        amount,
        currency,
        stage,
        published,
        tuple(listed(notices)),
        tuple(listed(cpv)),
    )


def statements(store: Store, ocids: Sequence[str]) -> dict[str, list[Statement]]:
    """For each process, its releases in log order, with the stages they report on: entries
    and their stage terms only, no bodies."""
    found: dict[str, dict[int, tuple[str, set[str]]]] = {ocid: {} for ocid in ocids}
    with store.cursor() as cursor:
        for chunk in chunked(list(ocids), 200):
            condition, parameters = among(store, "e.record_key", chunk)
            terms, term_parameters = among(store, "t.term", _STAGE_TERMS)
            cursor.execute(
                "SELECT e.record_key, e.seq, e.statement_date, t.term FROM log_entry e"
                f" LEFT JOIN statement_term t ON t.seq = e.seq AND {terms}"
                f" WHERE e.register = %s AND {condition} ORDER BY e.record_key, e.seq",
                [*term_parameters, REGISTER, *parameters],
            )
            for ocid, seq, date, term in cursor.fetchall():
                _, stages = found[ocid].setdefault(seq, (date, set()))
                if term:
                    stages.add(term.removeprefix("stage:"))
    return {
        ocid: [Statement(seq, date, frozenset(stages)) for seq, (date, stages) in seen.items()]
        for ocid, seen in found.items()
    }


def bodies(store: Store, seqs: Sequence[int]) -> dict[int, str | None]:
    """Release bodies by seq (JSON text; None once redacted)."""
    found: dict[int, str | None] = {}
    with store.cursor() as cursor:
        for chunk in chunked(list(seqs), 500):
            condition, parameters = among(store, "seq", chunk)
            cursor.execute(f"SELECT seq, body FROM log_body WHERE {condition}", parameters)
            found.update(cursor.fetchall())
    return found


def buyers(store: Store, process_ids: Sequence[int]) -> dict[int, str]:
    """For each process, the identifier of its first party with the buyer role that has one."""
    found: dict[int, str] = {}
    with store.cursor() as cursor:
        for chunk in chunked(list(process_ids), 500):
            condition, parameters = among(store, "process_id", chunk)
            cursor.execute(
                "SELECT process_id, identifier FROM process_party"
                f" WHERE {condition} AND identifier IS NOT NULL"
                " AND ' ' || roles || ' ' LIKE '%% buyer %%' ORDER BY process_id, position",
                parameters,
            )
            for process_id, identifier in cursor.fetchall():
                found.setdefault(process_id, identifier)
    return found
