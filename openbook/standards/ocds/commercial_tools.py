"""What makes a process a commercial tool (a framework agreement or a dynamic market) or a
call-off under one, read from its compiled release (docs/commercial-tools.md). Pure functions.

OCDS links the stages of a framework as separate contracting processes: a call-off names its
framework in ``relatedProcesses`` with the relationship ``framework``, the scheme ``ocid`` and
the framework's ocid as ``identifier`` (OCDS 1.1, "Framework agreements"; the lots extension
adds ``relatedLots``, the framework's lots it is under). The framework says what it is in
``tender.techniques`` (the techniques extension: ``hasFrameworkAgreement``,
``hasDynamicPurchasingSystem``, the UK extension's ``frameworkAgreement``), for the whole tender
or a lot. Suppliers awarded onto it are the suppliers of its awards.

Many frameworks do not declare themselves: Contracts Finder's releases have no techniques, and
say "framework" only in titles (docs/commercial-tools.md, "How frameworks are marked in real
data"). A process that another names as its framework is one all the same: ``named`` says so,
and the store finds it from the call-offs' links (openbook.store.commercial_tools), since no
release of the framework's own says it.

Most processes are neither: ``facts`` returns None for them after a few dictionary look-ups,
since it runs for every process compiled.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from openbook.standards.ocds.shapes import as_dict as _dict
from openbook.standards.ocds.shapes import as_list as _list
from openbook.standards.ocds.shapes import dicts as _dicts
from openbook.standards.ocds.shapes import text as _text

FRAMEWORK = "framework"
DYNAMIC_MARKET = "dynamic-market"
KINDS = (FRAMEWORK, DYNAMIC_MARKET)
# relatedProcess codelist: how a call-off names its framework, and how tools renew or replace
# one another ("prior": this one renews or replaces that one; "parent": this one sits under
# that one; "replacementProcess", "renewalProcess": that one may replace or renew this one).
CALL_OFF = "framework"
# How the register knows a tool is one: its own techniques, or a call-off naming it.
BY_TECHNIQUES = "techniques"
BY_CALL_OFF = "call-off"
LINEAGE = ("prior", "parent", "replacementProcess", "renewalProcess")
# Award statuses (awardStatus codelist) that end a membership or award nothing.
ENDED = frozenset({"cancelled", "unsuccessful"})
NOT_AWARDED = ENDED | {"pending"}
# Bounds: identifiers and names as an index holds them, and how many links one process keeps.
TEXT_CHARACTERS = 500
MOST_LINKS = 100


class Party(Protocol):
    """A party of the process as the search mentions it (openbook.standards.ocds.summary)."""

    @property
    def party_id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def identifier(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Member:
    """One supplier on one lot (None: the whole tool) through one award."""

    award_id: str | None
    lot: str | None
    party_id: str | None
    name: str | None
    identifier: str | None  # SCHEME-ID, as organisations are keyed; None without a valid one
    state: str  # active, pending or ended
    joined: str | None  # YYYY-MM-DD: the award's date
    ended: str | None  # YYYY-MM-DD: the release that cancelled the award; None if not shown


@dataclass(frozen=True, slots=True)
class Link:
    """A related process named by ocid, with the relationship and the lots of it named."""

    relationship: str
    ocid: str
    lots: tuple[str, ...]
    # For a call-off's link to its framework: the value of the call-off's awards per currency
    # ("" for none given), awards that awarded nothing left out.
    awarded: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Facts:
    """What the register keeps of a tool or call-off. ``kind`` is None for a call-off."""

    kind: str | None
    start: str | None  # YYYY-MM-DD: the tool's period
    end: str | None
    lots: int
    members: tuple[Member, ...]
    links: tuple[Link, ...]
    recognised: str | None = None  # BY_TECHNIQUES or BY_CALL_OFF for a tool


def facts(
    compiled: dict,
    releases: Sequence[dict] = (),
    parties: Sequence[Party] = (),
    *,
    named: bool = False,
) -> Facts | None:
    """The register's facts of a process: for a framework or dynamic market, its kind, period,
    lots, members and lineage links; for a call-off, its links to its frameworks with what
    it awarded; None for any other process. ``releases`` (in log order) show when an award
    was cancelled; ``parties`` give the suppliers' identifiers. ``named``: another process
    names this one as its framework (OCDS 1.1, "Framework agreements"), which makes it a tool
    whatever its own releases declare: a framework, or the dynamic market it declares (a
    dynamic market's call-offs name it with the same relationship)."""
    tender = _dict(compiled.get("tender"))
    techniques = _techniques(tender)
    contracts = compiled.get("contracts")
    nested = isinstance(contracts, list) and any(
        isinstance(contract, dict) and contract.get("relatedProcesses") for contract in contracts
    )
    if not techniques and not compiled.get("relatedProcesses") and not nested and not named:
        return None  # the common case: neither a tool nor a call-off
    own = _text(compiled.get("ocid"))
    links = [link for link in related(compiled) if link.ocid != own]
    awarded = _awarded(compiled)
    # A call-off's link to its framework carries what it awarded (a tool named by call-offs
    # may itself be called off another framework: its link does too).
    links = [
        Link(link.relationship, link.ocid, link.lots, awarded)
        if link.relationship == CALL_OFF
        else link
        for link in links
    ]
    call_offs = [link for link in links if link.relationship == CALL_OFF]
    declared = None if call_offs else _kind(techniques)
    kind = declared or ((_kind(techniques) or FRAMEWORK) if named else None)
    if kind is None:
        if not call_offs:
            return None
        return Facts(None, None, None, 0, (), tuple(call_offs[:MOST_LINKS]))
    start, end = _period(tender, techniques, compiled)
    lots = [lot for lot in _dicts(tender.get("lots")) if _text(lot.get("id"))]
    return Facts(
        kind=kind,
        start=start,
        end=end,
        lots=len(lots),
        members=tuple(members(compiled, releases, parties)),
        links=tuple(links[:MOST_LINKS]),
        recognised=BY_TECHNIQUES if declared else BY_CALL_OFF,
    )


def related(compiled: dict) -> list[Link]:
    """The processes a release names by ocid, for the relationships the register follows, from
    ``relatedProcesses`` and each contract's; each once. Entries that are not objects, name no
    identifier, or use another scheme (a notice id, a URL) are passed over; a process named
    twice with one relationship is one link, with the lots of both."""
    entries = list(_dicts(compiled.get("relatedProcesses")))
    for contract in _dicts(compiled.get("contracts")):
        entries.extend(_dicts(contract.get("relatedProcesses")))
    found: dict[tuple[str, str], Link] = {}
    for entry in entries:
        scheme = entry.get("scheme")
        if not isinstance(scheme, str) or scheme.strip().casefold() != "ocid":
            continue
        ocid = _text(entry.get("identifier")).strip()
        if not ocid or len(ocid) > TEXT_CHARACTERS:
            continue
        relationships = entry.get("relationship")
        if isinstance(relationships, str):  # OCDS 1.0 and some publishers: a string, not a list
            relationships = [relationships]
        if not isinstance(relationships, list):
            continue
        lots = tuple(_unique(_text(lot).strip() for lot in _list(entry.get("relatedLots"))))
        for relationship in relationships:
            if relationship == CALL_OFF or relationship in LINEAGE:
                # Named twice (in relatedProcesses and a contract's): once, with every lot.
                seen = found.get((relationship, ocid))
                merged = tuple(_unique([*(seen.lots if seen else ()), *lots]))
                found[(relationship, ocid)] = Link(relationship, ocid, merged)
    return list(found.values())


def members(
    compiled: dict, releases: Sequence[dict] = (), parties: Sequence[Party] = ()
) -> list[Member]:
    """The suppliers of a tool's awards, one per award, supplier and lot (an award without
    ``relatedLots`` is for the whole tool). An award cancelled or unsuccessful has ended its
    suppliers' membership, on the date of the release that first said so (after any that said
    otherwise); a pending one has not begun it."""
    by_id = {party.party_id: party for party in parties if party.party_id}
    ended_on = _ended_on(releases)
    found = []
    for award in _dicts(compiled.get("awards")):
        award_id = _text(award.get("id")).strip() or None
        status = _text(award.get("status"))
        state = "ended" if status in ENDED else "pending" if status == "pending" else "active"
        lots: list[str | None] = list(
            _unique(_text(lot).strip() for lot in _list(award.get("relatedLots")))
        )
        for supplier in _dicts(award.get("suppliers")):
            party_id = _text(supplier.get("id")).strip()[:TEXT_CHARACTERS] or None
            party = by_id.get(party_id) if party_id else None
            name = (party.name if party else None) or _text(supplier.get("name")).strip()
            for lot in lots or [None]:
                found.append(
                    Member(
                        award_id=award_id,
                        lot=lot,
                        party_id=party_id,
                        name=name[:TEXT_CHARACTERS] or None,
                        identifier=party.identifier if party else None,
                        state=state,
                        joined=day(award.get("date")),
                        ended=ended_on.get(award_id) if state == "ended" and award_id else None,
                    )
                )
    return found


def estimated_value(compiled: dict) -> dict | None:
    """A tool's estimated value, as its notice gives it: the framework's total upper estimate
    (``techniques.frameworkAgreement.value``), else the tender's value. An estimate, never
    what was awarded."""
    tender = _dict(compiled.get("tender"))
    for technique in _techniques(tender):
        value = _value(_dict(technique.get("frameworkAgreement")).get("value"))
        if value:
            return {**value, "source": "frameworkAgreement"}
    value = _value(tender.get("value"))
    return {**value, "source": "tender"} if value else None


def lots(compiled: dict) -> list[dict]:
    """A tool's lots: id, title, status and estimated value as its tender gives them."""
    found = []
    for lot in _dicts(_dict(compiled.get("tender")).get("lots")):
        lot_id = _text(lot.get("id")).strip()
        if lot_id:
            found.append(
                {
                    "id": lot_id,
                    "title": _text(lot.get("title")).strip() or None,
                    "status": _text(lot.get("status")).strip() or None,
                    "estimatedValue": _value(lot.get("value")),
                }
            )
    return found


def day(value: object) -> str | None:
    """A date or date-time as its date, ``YYYY-MM-DD`` as the publisher wrote it; None when it
    is not one."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _kind(techniques: list[dict]) -> str | None:
    framework = dynamic = False
    for technique in techniques:
        if technique.get("hasDynamicPurchasingSystem") is True or (
            technique.get("hasDynamicPurchasingSystem") is not False
            and _dict(technique.get("dynamicPurchasingSystem"))
        ):
            dynamic = True
        if technique.get("hasFrameworkAgreement") is True or (
            technique.get("hasFrameworkAgreement") is not False
            and _dict(technique.get("frameworkAgreement"))
        ):
            framework = True
    # A dynamic market is also run as a framework of sorts; its own flag is the more precise.
    return DYNAMIC_MARKET if dynamic else FRAMEWORK if framework else None


def _techniques(tender: dict) -> list[dict]:
    found = [_dict(tender.get("techniques"))]
    found += [_dict(lot.get("techniques")) for lot in _dicts(tender.get("lots"))]
    return [technique for technique in found if technique]


def _period(tender: dict, techniques: list[dict], compiled: dict) -> tuple[str | None, str | None]:
    """The framework agreement's period, else the tender's contract period, else the span of
    the awards' contract periods."""
    periods = [_dict(_dict(t.get("frameworkAgreement")).get("period")) for t in techniques]
    candidates = [
        [period for period in periods if period],
        [_dict(tender.get("contractPeriod"))],
        [_dict(award.get("contractPeriod")) for award in _dicts(compiled.get("awards"))],
    ]
    for given in candidates:
        starts = [d for d in (day(period.get("startDate")) for period in given) if d]
        ends = [d for d in (day(period.get("endDate")) for period in given) if d]
        if starts or ends:
            return min(starts, default=None), max(ends, default=None)
    return None, None


def _awarded(compiled: dict) -> tuple[tuple[str, float], ...]:
    """The value of a process's awards per currency ("" where none is given): never a sum of
    two currencies; awards that awarded nothing (cancelled, unsuccessful, pending) left out."""
    totals: dict[str, float] = {}
    for award in _dicts(compiled.get("awards")):
        if _text(award.get("status")) in NOT_AWARDED:
            continue
        value = _value(award.get("value"))
        if value:
            currency = value["currency"] or ""
            totals[currency] = totals.get(currency, 0.0) + value["amount"]
    return tuple(sorted(totals.items()))


def _ended_on(releases: Sequence[dict]) -> dict[str, str | None]:
    """Per award id, the date of the release from which its status has been cancelled or
    unsuccessful (None if that release gives no date)."""
    ended: dict[str, str | None] = {}
    for release in releases:
        if not isinstance(release, dict):
            continue
        for award in _dicts(release.get("awards")):
            award_id, status = _text(award.get("id")).strip(), award.get("status")
            if not award_id or not isinstance(status, str):
                continue
            if status in ENDED:
                ended.setdefault(award_id, day(release.get("date")))
            else:
                ended.pop(award_id, None)
    return ended


def _value(value: object) -> dict | None:
    value = _dict(value)
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return None
    if not math.isfinite(amount):
        return None
    currency = value.get("currency")
    currency = currency.strip().upper()[:10] if isinstance(currency, str) else ""
    return {"amount": float(amount), "currency": currency or None}


def _unique(values: Iterable[str]) -> list[str]:
    return [value for value in dict.fromkeys(values) if value][:MOST_LINKS]
