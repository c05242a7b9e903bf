"""The commercial tools register (issue 5; docs/commercial-tools.md): frameworks and dynamic
markets with their lots, their members over time, their call-offs and the value awarded
through each lot, and a tool's whole lineage in one view. Read from the rows the search's
indexing writes for tools and call-offs (openbook.store.commercial_tools) and, for what a
view shows of a few tools, from their compiled releases.

Values are per currency, never added across currencies; a tool's estimated value is shown as
the estimate it is, apart from what its call-offs awarded. What was spent through its
call-offs, beside what they awarded, is the payments linked to them (openbook.linked_spend),
summed when read."""

import math
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import orjson

from openbook import linked_spend, records
from openbook.standards.identifiers import Phrase, check_party_id
from openbook.standards.ocds import commercial_tools as facts
from openbook.standards.spend import linkage
from openbook.store import commercial_tools as stored
from openbook.store import linked_spend as stored_spend
from openbook.store import log
from openbook.store import records as compiled_records
from openbook.store.database import Store

KINDS = facts.KINDS
STATUSES = ("active", "ended")
MAX_LIMIT = 100
MAX_CALL_OFFS = 500
# Tools described at a time by ``bulk``.
BULK_CHUNK = 200


class InvalidIdentifier(Exception):
    """An organisation identifier none its register could have issued; the message says why
    (in English, for the API), and ``phrase`` too, for a page to say it in its reader's
    language (openbook.web.pages.i18n.said; docs/welsh.md)."""

    def __init__(self, parameter: str, phrase: Phrase) -> None:
        super().__init__(str(phrase))
        self.parameter = parameter
        self.phrase = phrase


class NotATool(Exception):
    """The process is held but is no framework or dynamic market; ``frameworks`` are those it
    names as its own, if it is a call-off."""

    def __init__(self, message: str, frameworks: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.frameworks = list(frameworks)


def register(
    store: Store,
    *,
    kind: str | None = None,
    status: str | None = None,
    cpv: str | None = None,
    buyer: str | None = None,
    member: str | None = None,
    title: str | None = None,
    before: int | None = None,
    limit: int = 20,
    today: str | None = None,
) -> dict:
    """A page of the register, the most recently changed tools first; ``next`` is given as
    ``before`` for the next page. ``buyer`` and ``member`` are organisation identifiers
    (SCHEME-ID, normalised first); with ``member``, each tool says that member's lots."""
    member_id = _identifier("member", member)
    filters = stored.Filters(
        kind=kind,
        status=status,
        today=today or _today(),
        cpv=cpv,
        buyer=_identifier("buyer", buyer),
        member=member_id,
        title=title.lower() if title else None,
    )
    tools = stored.page(store, filters, before, limit)
    ids = [tool.process_id for tool in tools]
    counts = stored.member_counts(store, ids)
    call_offs = stored.call_off_counts(store, [tool.ocid for tool in tools])
    spent: dict[str, list[stored_spend.Part]] = {}
    for part in stored_spend.through_call_offs(
        store, [tool.ocid for tool in tools], by_call_off=False
    ):
        spent.setdefault(part.place[0], []).append(part)
    memberships: dict[int, list[dict]] = {}
    if member_id is not None:
        for row in stored.members(store, ids, member_id):
            memberships.setdefault(row.process_id, []).append(_membership(row))
    page = []
    for tool in tools:
        item = _outline(tool, filters.today)
        item["members"] = counts.get(tool.process_id, 0)
        item["callOffs"] = call_offs.get(tool.ocid, 0)
        item["spent"] = linked_spend.summed(spent.get(tool.ocid, []))
        if member_id is not None:
            item["membership"] = memberships.get(tool.process_id, [])
        page.append(item)
    return {"page": page, "next": tools[-1].process_id if len(tools) == limit else None}


def lineage(
    store: Store,
    ocid: str,
    *,
    before: int | None = None,
    limit: int = 50,
    today: str | None = None,
) -> dict | None:
    """A tool's whole lineage: itself, its lots, its members over time, the value awarded
    through each lot, the tools it renews or replaces and those renewing or replacing it, and
    a page of its call-offs (the most recently changed first, with their awards). None if no
    process has this ocid; NotATool if it is no framework or dynamic market."""
    tool = stored.by_ocid(store, ocid)
    if tool is None:
        if not stored.exists(store, ocid):
            return None
        named = stored.frameworks_named(store, ocid)
        if named:
            raise NotATool(
                f"{ocid} is a call-off, not a framework: it names {', '.join(named)} as its"
                " framework",
                named,
            )
        raise NotATool(
            f"{ocid} is not a framework or dynamic market: its tender declares neither"
            " (tender.techniques), no call-off names it as its framework, and it names no"
            " framework in relatedProcesses"
        )
    every = stored.call_offs(store, ocid)  # the figures cover all of them; a page is shown
    spent = _Spent(
        stored_spend.through_call_offs(store, [ocid]), stored_spend.on_processes(store, [ocid])
    )
    described = _describe(
        store,
        tool,
        compiled_text=compiled_records.compiled_of(store, records.REGISTER, [ocid]).get(ocid),
        rows=stored.members(store, [tool.process_id]),
        call_offs=every,
        spent=spent,
        today=today or _today(),
    )
    page = [c for c in every if before is None or c.process_id < before][:limit]
    suppliers = stored.suppliers(store, [call_off.process_id for call_off in page])
    described["callOffs"] = [
        {
            **_call_off(call_off, spent),
            "buyer": {"id": call_off.buyer_id, "name": call_off.buyer_name},
            "published": call_off.published,
            "awardDate": call_off.award_date,
            "suppliers": [
                {"name": name, "identifier": identifier}
                for name, identifier in suppliers.get(call_off.process_id, [])
            ],
        }
        for call_off in page
    ]
    described["next"] = page[-1].process_id if len(page) == limit else None
    return described


def bulk(store: Store) -> Iterator[dict]:
    """Every tool's lineage, one JSON-able dict each, in ocid order (for a JSON Lines bulk
    file): as ``lineage`` describes it, with every call-off in short (ocid, title, lots,
    awarded) rather than a page. Streamed, a chunk of tools at a time."""
    today = _today()
    chunk: list[stored.Tool] = []
    for tool in stored.all_tools(store):
        chunk.append(tool)
        if len(chunk) == BULK_CHUNK:
            yield from _bulk_chunk(store, chunk, today)
            chunk = []
    yield from _bulk_chunk(store, chunk, today)


def _bulk_chunk(store: Store, tools: list[stored.Tool], today: str) -> Iterator[dict]:
    if not tools:
        return
    compiled = compiled_records.compiled_of(store, records.REGISTER, [tool.ocid for tool in tools])
    by_tool: dict[int, list[stored.MemberRow]] = {}
    for row in stored.members(store, [tool.process_id for tool in tools]):
        by_tool.setdefault(row.process_id, []).append(row)
    ocids = [tool.ocid for tool in tools]
    through: dict[str, list[stored_spend.Part]] = {}
    for part in stored_spend.through_call_offs(store, ocids):
        through.setdefault(part.place[0], []).append(part)
    own: dict[str, list[stored_spend.Part]] = {}
    for part in stored_spend.on_processes(store, ocids):
        own.setdefault(part.place[0], []).append(part)
    for tool in tools:
        call_offs = stored.call_offs(store, tool.ocid)
        spent = _Spent(through.get(tool.ocid, []), own.get(tool.ocid, []))
        described = _describe(
            store,
            tool,
            compiled_text=compiled.get(tool.ocid),
            rows=by_tool.get(tool.process_id, []),
            call_offs=call_offs,
            spent=spent,
            today=today,
        )
        described["callOffs"] = [_call_off(call_off, spent) for call_off in reversed(call_offs)]
        yield described


def index_stored(store: Store) -> int:
    """List, to be compiled again, the processes compiled before the register existed
    (migration 0015) that are tools or call-offs (a few in a hundred; their compiled releases
    are read, streamed): compiling writes their rows, as any compile does, at the end of the
    migrate run (openbook.apps). Returns how many."""
    keys = [
        ocid
        for ocid, text in stored.candidates(store)
        if facts.facts(orjson.loads(text)) is not None
    ]
    if not keys:
        return 0
    with store.atomic() as cursor:
        log.mark_pending(store, cursor, records.REGISTER, keys)
    return len(keys)


def index_named(store: Store) -> int:
    """List, to be compiled again, the frameworks compiled before the register read call-offs'
    links (migration 0024): held processes that others name as their framework and that
    declare nothing themselves. Compiling them writes their rows at the end of the migrate run
    (openbook.apps), as ``index_stored`` does. Returns how many."""
    with store.atomic() as cursor:
        keys = stored.out_of_step(store, cursor, stored.every_named(store, cursor))
        if keys:
            log.mark_pending(store, cursor, records.REGISTER, keys)
    return len(keys)


def _describe(
    store: Store,
    tool: stored.Tool,
    *,
    compiled_text: str | None,
    rows: list[stored.MemberRow],
    call_offs: list[stored.CallOff],
    spent: "_Spent",
    today: str,
) -> dict:
    """A tool with its lots, members, the values its call-offs awarded and what was spent
    through them, and its lineage (all but the list of call-offs)."""
    compiled = orjson.loads(compiled_text) if compiled_text else {}
    members = _members(rows)
    lots = facts.lots(compiled)
    for lot in lots:
        lot["members"] = sum(
            1
            for member in members
            if any(m["lot"] == lot["id"] and m["state"] == "active" for m in member["awards"])
        )
    described = _outline(tool, today)
    described.update(
        {
            "estimatedValue": facts.estimated_value(compiled),
            "lots": lots,
            "members": members,
            "callOffCount": len(call_offs),
            "awarded": _totals([call_off.awarded for call_off in call_offs]),
            "awardedByLot": _by_lot(call_offs, spent),
            "spent": linked_spend.summed(spent.through),
            "callOffsPaid": len({part.place[1] for part in spent.through}),
            "spentOnAgreement": linked_spend.summed(spent.own),
            "spendLinkage": {"methodVersion": linkage.METHOD_VERSION, "method": linked_spend.DOCS},
            "lineage": _lineage(store, tool),
        }
    )
    return described


def _outline(tool: stored.Tool, today: str) -> dict:
    return {
        "ocid": tool.ocid,
        "title": tool.title,
        "kind": tool.kind,
        "status": "ended" if tool.end_date is not None and tool.end_date < today else "active",
        "period": {"startDate": tool.start_date, "endDate": tool.end_date},
        "buyer": {"id": tool.buyer_id, "name": tool.buyer_name},
        "published": tool.published,
        "lotCount": tool.lots,
        "recognisedBy": tool.recognised_by,
    }


def _members(rows: list[stored.MemberRow]) -> list[dict]:
    """Member rows grouped by supplier (its identifier, else its party id, else its name),
    in the order they first appear; each with its awards onto the tool, per lot."""
    found: dict[str, dict] = {}
    for row in rows:
        key = row.identifier or (f"party:{row.party_id}" if row.party_id else f"name:{row.name}")
        member = found.setdefault(
            key,
            {"name": row.name, "identifier": row.identifier, "partyId": row.party_id, "awards": []},
        )
        member["awards"].append(_membership(row))
    for member in found.values():
        states = {award["state"] for award in member["awards"]}
        member["state"] = next(s for s in ("active", "pending", "ended") if s in states)
    return list(found.values())


def _membership(row: stored.MemberRow) -> dict:
    return {
        "lot": row.lot,
        "award": row.award_id,
        "state": row.state,
        "joined": row.joined,
        "ended": row.ended,
    }


class _Spent:
    """The payments linked to a tool's call-offs (``through``: parts placed by framework,
    call-off and the lots it names) and to its own process (``own``: its framework agreement,
    never a call-off's), by call-off and by the lots they name."""

    def __init__(self, through: list[stored_spend.Part], own: list[stored_spend.Part]) -> None:
        self.through, self.own = through, own
        self.by_call_off: dict[str, list[stored_spend.Part]] = {}
        self.by_lots: dict[tuple[str, ...], list[stored_spend.Part]] = {}
        for part in through:
            self.by_call_off.setdefault(part.place[1], []).append(part)
            lots = tuple(part.place[2].split("\n")) if part.place[2] else ()
            self.by_lots.setdefault(lots, []).append(part)


def _call_off(call_off: stored.CallOff, spent: _Spent) -> dict:
    return {
        "ocid": call_off.ocid,
        "title": call_off.title,
        "lots": list(call_off.lots),
        "awarded": _totals([call_off.awarded]),
        "spent": linked_spend.summed(spent.by_call_off.get(call_off.ocid, [])),
    }


def _by_lot(call_offs: list[stored.CallOff], spent: _Spent) -> list[dict]:
    """The value awarded and spent through each lot: call-offs grouped by the framework lots
    they name (none: the whole framework), their awards summed per currency, and the payments
    linked to them (the same call-offs, by the same link's lots)."""
    groups: dict[tuple[str, ...], list[stored.CallOff]] = {}
    for call_off in call_offs:
        groups.setdefault(call_off.lots, []).append(call_off)
    return [
        {
            "lots": list(lots),
            "callOffs": len(group),
            "awarded": _totals([call_off.awarded for call_off in group]),
            "spent": linked_spend.summed(spent.by_lots.get(lots, [])),
        }
        for lots, group in sorted(groups.items())
    ]


def _totals(values: list[dict[str, float]]) -> list[dict]:
    """Amounts per currency (most first), each currency summed apart; "" is no currency."""
    by_currency: dict[str, list[float]] = {}
    for value in values:
        for currency, amount in value.items():
            by_currency.setdefault(currency, []).append(amount)
    totals = [
        {"currency": currency or None, "amount": math.fsum(amounts)}
        for currency, amounts in by_currency.items()
    ]
    return sorted(totals, key=lambda total: (-total["amount"], total["currency"] or ""))


# What the other process of a lineage link is to the tool, by who names whom how (the
# relatedProcess codelist: "prior", this one renews or replaces that one; "parent", this one
# sits under that one; "replacementProcess", "renewalProcess", that one may replace or renew
# this one).
_ROLES = {
    ("names", "prior"): "predecessor",
    ("names", "parent"): "parent",
    ("names", "replacementProcess"): "successor",
    ("names", "renewalProcess"): "successor",
    ("named by", "prior"): "successor",
    ("named by", "parent"): "child",
    ("named by", "replacementProcess"): "predecessor",
    ("named by", "renewalProcess"): "predecessor",
}


def _lineage(store: Store, tool: stored.Tool) -> list[dict]:
    """The processes the tool renews or replaces, those renewing or replacing it, its parent
    and children, as either side's ``relatedProcesses`` say (one step each way)."""
    links = stored.lineage(store, tool.process_id, tool.ocid)
    held = stored.titles(store, [other for _, _, other in links])
    found = []
    for direction, relationship, other in links:
        title, kind = held.get(other, (None, None))
        found.append(
            {
                "ocid": other,
                "role": _ROLES[(direction, relationship)],
                "relationship": relationship,
                "namedBy": tool.ocid if direction == "names" else other,
                "held": other in held,
                "title": title,
                "kind": kind,
            }
        )
    return found


def _identifier(parameter: str, text: str | None) -> str | None:
    if not text:
        return None
    if "\x00" in text:
        raise InvalidIdentifier(parameter, Phrase("contains a NUL character"))
    checked = check_party_id(text)
    if checked.identifier is None:
        raise InvalidIdentifier(parameter, checked.phrase or Phrase(str(checked.message)))
    return str(checked.identifier)


def _today() -> str:
    return datetime.now(UTC).date().isoformat()
