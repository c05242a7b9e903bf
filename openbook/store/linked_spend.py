"""What has been paid through the registers' processes (issue 5, item 4; openbook.linked_spend):
the payments the last linking run linked (``spend_link``, openbook.store.spend_links), summed
for the commercial tools register (through a tool's call-offs, and on the tool's own process)
and the contract performance register (on each contract). Read when asked, nothing kept:
each sum follows the links' indexes (``process_link_related`` from a tool to its call-offs,
``spend_link_target`` from a process to its payments).

Payments are counted as ``spend_to_date`` counts them (openbook.store.spend_links): linked,
each once (a spending file's row that is a UK8 notice's own payment, ``duplicate_of``, counts
as the notice's), credits as the negative amounts they are; summed per currency, never across
currencies; summed exactly, on both databases."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from openbook.standards.ocds.commercial_tools import CALL_OFF
from openbook.store.database import Store, among, chunked, exact_sum

CONTRACT = "contract"


def _counted(store: Store) -> str:
    """The payments counted. On SQLite, ``+`` keeps its planner (with no statistics) off the
    index on ``linked`` (every linked payment): the ocid's index is the one to follow."""
    linked = "+l.linked" if store.vendor == "sqlite" else "l.linked"
    return f"{linked} = %s AND l.duplicate_of IS NULL"


@dataclass(frozen=True, slots=True)
class Part:
    """Payments alike in where they were linked, currency, method and the method's version:
    how many, their sum, and the least sure link's score. ``place`` is what they were summed
    by: (framework, call-off, its lots) through call-offs, (ocid,) on a process,
    (ocid, contract id) on a contract."""

    place: tuple[str, ...]
    currency: str | None
    method: str
    linker: str
    payments: int
    amount: Decimal
    lowest_score: float


def _sum(store: Store) -> str:
    """The payments' exact sum, as the contract's spend to date sums them; rounded to the
    penny only when shown (openbook.linked_spend): the same on both databases."""
    return exact_sum(store, "l.amount")


def _pounds(value: object) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0.00")


def _parts(store: Store, sql: str, params: list, places: int) -> list[Part]:
    with store.cursor() as cursor:
        cursor.execute(sql, params)
        return [
            Part(
                tuple(row[:places]),
                row[places],
                row[places + 1],
                row[places + 2],
                int(row[places + 3]),
                _pounds(row[places + 4]),
                float(row[places + 5]),
            )
            for row in cursor.fetchall()
        ]


_MEASURES = "l.currency, l.method, l.linker, COUNT(*), {sum}, MIN(l.score)"


def through_call_offs(
    store: Store, frameworks: Sequence[str], *, by_call_off: bool = True
) -> list[Part]:
    """The payments linked to the call-offs of these tools: the processes naming one as their
    framework (``process_link``, as the register counts call-offs), each call-off's payments
    under each framework it names. ``place`` is (framework, call-off, the framework's lots it
    names, newline-joined) or, not ``by_call_off``, (framework,)."""
    keys = "pl.related_ocid, s.ocid, pl.related_lots" if by_call_off else "pl.related_ocid"
    places = 3 if by_call_off else 1
    found: list[Part] = []
    for chunk in chunked(sorted(set(frameworks)), 200):
        condition, params = among(store, "pl.related_ocid", chunk)
        sql = (
            f"SELECT {keys}, {_MEASURES.format(sum=_sum(store))} FROM process_link pl"
            " JOIN process_search s ON s.id = pl.process_id"
            " JOIN spend_link l ON l.ocid = s.ocid"
            f" WHERE {condition} AND pl.relationship = %s AND {_counted(store)}"
            f" GROUP BY {keys}, l.currency, l.method, l.linker"
        )
        found += _parts(store, sql, [*params, CALL_OFF, True], places)
    return found


def on_processes(store: Store, ocids: Sequence[str]) -> list[Part]:
    """The payments linked to these processes' own contracts and awards (for a tool: to its
    framework agreement, not through its call-offs); ``place`` is (ocid,)."""
    found: list[Part] = []
    for chunk in chunked(sorted(set(ocids)), 200):
        condition, params = among(store, "l.ocid", chunk)
        sql = (
            f"SELECT l.ocid, {_MEASURES.format(sum=_sum(store))} FROM spend_link l"
            f" WHERE {condition} AND {_counted(store)}"
            " GROUP BY l.ocid, l.currency, l.method, l.linker"
        )
        found += _parts(store, sql, [*params, True], 1)
    return found


def on_contracts(store: Store, ocids: Sequence[str]) -> list[Part]:
    """The payments linked to these processes' contracts (not to awards no contract followed
    when they were linked); ``place`` is (ocid, contract id)."""
    found: list[Part] = []
    for chunk in chunked(sorted(set(ocids)), 200):
        condition, params = among(store, "l.ocid", chunk)
        sql = (
            f"SELECT l.ocid, l.target_id, {_MEASURES.format(sum=_sum(store))} FROM spend_link l"
            f" WHERE {condition} AND l.target_kind = %s AND {_counted(store)}"
            " GROUP BY l.ocid, l.target_id, l.currency, l.method, l.linker"
        )
        found += _parts(store, sql, [*params, CONTRACT, True], 2)
    return found
