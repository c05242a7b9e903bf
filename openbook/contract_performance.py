"""The contract performance register (issue 5, item 4; docs/contract-performance.md): each
contract's key performance indicators and their ratings (UK9 contract performance notices),
its performance failures and penalties, and its termination (UK11), per contract and rolled
up per supplier.

Derived at read time from the published data: candidates from the process search and its
parties, and for the page shown only, their compiled releases and the implementation-stage
releases (each UK9 rates a year; the compiled release keeps only the last rating of an
observation id), with the parties' names and identifiers as the search's mentions keep them
(checking an identifier again costs more than reading the rest). A supplier's record reads
each of its processes once, for its figures and its page. Nothing is written when data
loads. Every field is read defensively: real data carries lists that are not lists, ratings
left out and amounts written as text.

Beside them, each contract's spend to date: the payments linked to it by the last linking run
(openbook.linked_spend), summed per currency when read.
"""

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, islice

import orjson

from openbook import linked_spend
from openbook.standards.identifiers import check_party_id
from openbook.standards.ocds.shapes import as_dict as _dict
from openbook.standards.ocds.shapes import dicts as _dicts
from openbook.standards.ocds.shapes import text as _text
from openbook.standards.ocds.summary import mentions, utc
from openbook.standards.spend import linkage
from openbook.store import contract_performance, records
from openbook.store import linked_spend as stored_spend
from openbook.store.contract_performance import Party
from openbook.store.database import Store

MAX_LIMIT = 100
# Processes read, at most, for one page when a filter is tested on their contracts (rating,
# terminated, supplier): a page may then hold fewer contracts than asked, with a ``next``.
SCAN_LIMIT = 1000
# Processes read, at most, for a supplier's rollup: its figures say whether they are whole.
ROLLUP_LIMIT = 5000
BATCH = 200
# Processes of a supplier's rollup kept for its page, at most: the page is made from those the
# rollup read rather than reading them again, and never reads more than a scan's limit and a
# page's batch (memory stays bounded whatever the supplier's count).
KEPT_FOR_PAGE = SCAN_LIMIT + MAX_LIMIT

# The notices that report on a contract's performance and its end: the Act's contract
# performance notice (s.71) and contract termination notice (s.80).
NOTICES = ("UK9", "UK11")
# The UK extension's Observation.measureClassification ids: whether the KPI's standard was
# met. "unrated" is openbook's, for an observation that gives none.
RATINGS = ("met", "slightlyBelow", "below", "significantlyBelow", "other")
UNRATED = "unrated"
# The UK extension's closed penaltyType codelist.
PENALTY_TYPES = ("contracted", "imposed", "negotiated")
TEXT_CHARACTERS = 2000
CODE_CHARACTERS = 100
# An amount written as text is read only if it is a plain decimal number ("1500", "-2.50").
_DECIMAL = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?")
# ``next``: the last contract shown, "process:index", or "process" when a page ends after
# all of a process's contracts (a scan that stopped at its limit).
CURSOR = re.compile(r"(\d{1,18})(?::(\d{1,6}))?")


# A process's party by its local id: its name and identifier, None if none has that id.
Named = Callable[[str | None], Party | None]


class InvalidIdentifier(Exception):
    """The identifier asked for is none its register could have issued; the message says why."""


class InvalidCursor(ValueError):
    """A ``before`` this register did not write."""


@dataclass
class _Totals:
    """A supplier's figures, added up contract by contract."""

    contracts: int = 0
    kpis: int = 0
    ratings: dict[str, int] = field(default_factory=lambda: dict.fromkeys((*RATINGS, UNRATED), 0))
    failures: int = 0
    penalties: int = 0
    penalty_value: dict[str, float] = field(default_factory=dict)
    terminations: int = 0
    with_rationale: int = 0
    spent: linked_spend.Sums = field(default_factory=linked_spend.Sums)


def register(
    store: Store,
    *,
    supplier: str | None = None,
    buyer: str | None = None,
    rating: str | None = None,
    terminated: bool | None = None,
    before: str | None = None,
    limit: int = 20,
) -> dict:
    """A page of contracts, those of the most recently changed process first, and the
    ``next`` to give as ``before``. ``supplier`` and ``buyer`` are normalised identifiers;
    ``rating`` one of RATINGS or "unrated" (a contract with an observation so rated)."""

    def keep(entry: dict) -> bool:
        if supplier is not None and supplier not in _supplier_ids(entry):
            return False
        if rating is not None and not entry["ratings"].get(rating):
            return False
        return terminated is None or (entry["termination"] is not None) == terminated

    filters = contract_performance.Filters(NOTICES, supplier=supplier, buyer=buyer)
    batch = _batch(rating, terminated, limit)
    through, after = _start(before)
    read = _processes(store, filters, through, batch)
    return _page(read, keep, after, limit, batch)


def _batch(rating: str | None, terminated: bool | None, limit: int) -> int:
    # Without a filter on contracts, nearly every process read has contracts to show: read
    # no more than the page needs.
    return limit if rating is None and terminated is None else BATCH


def _start(before: str | None) -> tuple[int | None, tuple[int, int] | None]:
    """The last process a page may begin with, and the contract of it already shown."""
    if not before:
        return None, None
    process_id, index = _cursor(before)
    # After a contract: that process again, from the next one; after a whole process: on.
    if index is None:
        return process_id - 1, None
    return process_id, (process_id, index)


Read = tuple[contract_performance.Candidate, list[dict]]  # a process and its entries


def _processes(
    store: Store, filters: contract_performance.Filters, through: int | None, batch: int
) -> Iterator[Read]:
    """The processes matching, from ``through`` on, each with its entries; read ``batch`` at a
    time, and only as far as they are taken."""
    while True:
        rows = contract_performance.page(store, filters, through, batch)
        yield from zip(rows, _contracts_of(store, rows), strict=True)
        if len(rows) < batch:
            return
        through = rows[-1].process_id - 1


def _page(
    read: Iterator[Read],
    keep: Callable[[dict], bool],
    after: tuple[int, int] | None,
    limit: int,
    batch: int,
) -> dict:
    """A page of the entries kept, taken ``batch`` processes at a time from ``read``, and its
    ``next``: at most SCAN_LIMIT processes (rounded up to a whole batch) are looked at."""
    found: list[dict] = []
    scanned = 0
    while True:
        rows = list(islice(read, batch))
        for row, contracts in rows:
            scanned += 1
            for index, entry in enumerate(contracts):
                if after is not None and row.process_id == after[0] and index <= after[1]:
                    continue
                if keep(entry):
                    found.append(entry)
                    if len(found) == limit:
                        return {"page": found, "next": f"{row.process_id}:{index}"}
        if len(rows) < batch:
            return {"page": found, "next": None}
        after = None
        if scanned >= SCAN_LIMIT:
            # Resume after the last process read, its contracts all seen.
            return {"page": found, "next": str(rows[-1][0].process_id)}


def _cursor(text: str) -> tuple[int, int | None]:
    matched = CURSOR.fullmatch(text)
    if matched is None:
        raise InvalidCursor(f"{text[:40]!r} is not a `next` this register gave")
    return int(matched[1]), None if matched[2] is None else int(matched[2])


def supplier(store: Store, text: str, *, before: str | None = None, limit: int = 20) -> dict | None:
    """A supplier's performance record: its figures over every contract naming it (at most
    ROLLUP_LIMIT processes read), and a page of those contracts; None if no process names it
    as a supplier. Each process is read once: the page is made from those the rollup read."""
    checked = check_party_id(text)
    if checked.identifier is None:
        raise InvalidIdentifier(checked.message)
    identifier = str(checked.identifier)
    through, after = _start(before)  # refused before the rollup's work
    if not contract_performance.names_supplier(store, identifier):
        return None
    filters = contract_performance.Filters(NOTICES, supplier=identifier)
    totals = _Totals()
    # The processes a page from ``through`` on looks at, as the rollup reads them, in order.
    kept: list[Read] = []
    cut = False  # whether one the page may look at was read and not kept
    # One query, not streamed: on PostgreSQL a cursor's plan, made for its first rows, walks
    # the whole search in order testing each process (2 s at 20,000 processes, against 20 ms).
    rows = contract_performance.page(store, filters, None, ROLLUP_LIMIT + 1)
    complete = len(rows) <= ROLLUP_LIMIT
    rows = rows[:ROLLUP_LIMIT]
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        for row, contracts in zip(batch, _contracts_of(store, batch), strict=True):
            _add(totals, identifier, contracts)
            if through is None or row.process_id <= through:
                if len(kept) < KEPT_FOR_PAGE:
                    kept.append((row, contracts))
                else:
                    cut = True
    batch_size = _batch(None, None, limit)
    read: Iterator[Read] = iter(kept)
    if cut or not complete:
        # The page may go past those kept: on from the last of them, as register would.
        resume = kept[-1][0].process_id - 1 if kept else through
        read = chain(kept, _processes(store, filters, resume, batch_size))
    page = _page(read, lambda entry: identifier in _supplier_ids(entry), after, limit, batch_size)
    return {
        "identifier": identifier,
        "contracts": totals.contracts,
        "kpis": totals.kpis,
        "ratings": totals.ratings,
        "failures": totals.failures,
        "penalties": totals.penalties,
        "penaltyValue": _values(totals.penalty_value),
        "terminations": totals.terminations,
        "terminationsWithRationale": totals.with_rationale,
        "spentToDate": totals.spent.shown(),
        "spendLinkage": {"methodVersion": linkage.METHOD_VERSION, "method": linked_spend.DOCS},
        "complete": complete,
        "page": page["page"],
        "next": page["next"],
    }


def _add(totals: _Totals, identifier: str, contracts: list[dict]) -> None:
    """Add a process's entries naming the supplier to its figures."""
    for entry in contracts:
        if identifier not in _supplier_ids(entry):
            continue
        totals.contracts += 1
        totals.kpis += len(entry["kpis"])
        for rating, count in entry["ratings"].items():
            totals.ratings[rating] = totals.ratings.get(rating, 0) + count
        for failure in entry["failures"]:
            # A failure that names its suppliers counts for those only.
            named = {s["identifier"] for s in failure["suppliers"]}
            if failure["suppliers"] and identifier not in named:
                continue
            totals.failures += 1
            if failure["penalty"]:
                totals.penalties += 1
                value = failure["penaltyValue"]
                if value is not None and value["amount"] is not None:
                    currency = value["currency"] or ""
                    totals.penalty_value[currency] = (
                        totals.penalty_value.get(currency, 0.0) + value["amount"]
                    )
        if entry["termination"] is not None:
            totals.terminations += 1
            totals.with_rationale += bool(entry["termination"]["rationale"])
        totals.spent.add_shown(entry["spentToDate"])


def bulk(store: Store) -> Iterator[dict]:
    """Every contract of the register, one JSON-able dict each (a line of the JSON Lines bulk
    file), those of the most recently changed process first; streamed, a batch of processes
    at a time."""
    rows: list[contract_performance.Candidate] = []
    for row in contract_performance.every(store, contract_performance.Filters(NOTICES)):
        rows.append(row)
        if len(rows) == BATCH:
            for contracts in _contracts_of(store, rows):
                yield from contracts
            rows = []
    for contracts in _contracts_of(store, rows):
        yield from contracts


def _supplier_ids(entry: dict) -> set[str]:
    return {s["identifier"] for s in entry["suppliers"] if s["identifier"]}


def _contracts_of(store: Store, rows: Sequence[contract_performance.Candidate]) -> list[list[dict]]:
    """For each process, the register's entries of its contracts, in the compiled release's
    order: those with KPIs, failures or a termination; each with its spend to date."""
    if not rows:
        return []
    ocids = [row.ocid for row in rows]
    compiled = records.compiled_of(store, contract_performance.REGISTER, ocids)
    releases = contract_performance.implementation_releases(store, ocids)
    parties = contract_performance.parties(store, [row.process_id for row in rows])
    found = [
        contracts(
            _json(compiled.get(row.ocid)),
            [_json(body) for body in releases[row.ocid]],
            parties[row.process_id],
        )
        for row in rows
    ]
    spent: dict[tuple[str, ...], list[stored_spend.Part]] = {}
    if any(found):
        for part in stored_spend.on_contracts(store, ocids):
            spent.setdefault(part.place, []).append(part)
    for entries in found:
        for entry in entries:
            # Payments are linked to a contract by its id: a contract without one has none.
            place = (entry["ocid"], entry["contractId"] or "")
            entry["spentToDate"] = linked_spend.summed(spent.get(place, []))
    return found


def contracts(
    compiled: dict, releases: Sequence[dict] = (), parties: Mapping[str | None, Party] | None = None
) -> list[dict]:
    """The register's entries of a process's contracts: from its compiled release, with the
    KPI observations and failures as its implementation-stage releases (``releases``, in log
    order) give them. ``parties``: the process's parties by local id, as the process search
    has them (openbook.store.contract_performance.parties); read from the release if not
    given."""
    named = parties.get if parties is not None else _parties(compiled)
    awards = {_text(a.get("id")): a for a in _dicts(compiled.get("awards")) if a.get("id")}
    buyer = _dict(compiled.get("buyer"))
    buyer_party = named(_text(buyer.get("id")) or None)
    found = []
    for contract in _dicts(compiled.get("contracts")):
        contract_id = _text(contract.get("id"))
        # Each observation and failure as the last implementation-stage release giving it
        # states it: the compiled release merges a year's observation into the year before's
        # when they share an id, so a rating left out of one year shows the year before's.
        # The compiled release fills in those no such release gives.
        versions = [contract]
        versions += [
            version
            for release in releases
            for version in _dicts(release.get("contracts"))
            if _text(version.get("id")) == contract_id
        ]
        kpis = _kpis(versions)
        failures = _failures(versions, named)
        termination = _termination(contract)
        if not kpis and not failures and termination is None:
            continue
        award = awards.get(_text(contract.get("awardID")), {})
        references = _dicts(contract.get("suppliers")) or _dicts(award.get("suppliers"))
        ratings = dict.fromkeys((*RATINGS, UNRATED), 0)
        for kpi in kpis:
            for observation in kpi["observations"]:
                # A code outside the UK's list is counted as given, under its own name.
                rating = observation["rating"] or UNRATED
                ratings[rating] = ratings.get(rating, 0) + 1
        penalties = [failure for failure in failures if failure["penalty"]]
        values: dict[str, float] = {}
        for failure in penalties:
            value = failure["penaltyValue"]
            if value is not None and value["amount"] is not None:
                currency = value["currency"] or ""
                values[currency] = values.get(currency, 0.0) + value["amount"]
        found.append(
            {
                "ocid": _text(compiled.get("ocid")),
                "contractId": contract_id or None,
                "title": _short(contract.get("title")) or _short(award.get("title")),
                "status": _code(contract.get("status")),
                "buyer": {
                    "name": _short(buyer.get("name")),
                    "identifier": buyer_party[1] if buyer_party else None,
                },
                "suppliers": [_organisation(ref, named) for ref in references],
                "value": _value(contract.get("value")),
                "period": _period(contract.get("period")),
                "kpis": kpis,
                "ratings": ratings,
                "noKpisRationale": _short(contract.get("noAgreedMetricsRationale")),
                "failures": failures,
                "penalties": {"count": len(penalties), "value": _values(values)},
                "termination": termination,
            }
        )
    return found


def _kpis(versions: Sequence[dict]) -> list[dict]:
    """The contract's KPIs (implementation.metrics) with every observation any version gives,
    one per (observation id, period); a later version's replaces an earlier one's."""
    kpis: dict[str, dict] = {}
    for version in versions:
        for position, metric in enumerate(
            _dicts(_dict(version.get("implementation")).get("metrics"))
        ):
            key = _text(metric.get("id")) or _text(metric.get("title")) or f"#{position}"
            kpi = kpis.setdefault(key, {"id": _text(metric.get("id")) or None, "observations": {}})
            kpi["title"] = _short(metric.get("title")) or kpi.get("title")
            kpi["description"] = _short(metric.get("description")) or kpi.get("description")
            for observation in _dicts(metric.get("observations")):
                period = _period(observation.get("period"))
                at = (_text(observation.get("id")), period["startDate"], period["endDate"])
                kpi["observations"][at] = {
                    "id": _text(observation.get("id")) or None,
                    "period": period,
                    "rating": _rating(observation.get("measureClassification")),
                    "notes": _short(observation.get("notes")),
                }
    found = []
    for kpi in kpis.values():
        observations = sorted(
            kpi["observations"].values(),
            key=lambda o: (o["period"]["endDate"] or o["period"]["startDate"] or "", o["id"] or ""),
        )
        latest = observations[-1]["rating"] if observations else None
        found.append(
            {
                "id": kpi["id"],
                "title": kpi.get("title"),
                "description": kpi.get("description"),
                "latestRating": latest,
                "observations": observations,
            }
        )
    return found


def _rating(value: object) -> str | None:
    """An observation's rating: the UK's code (any case), any other code as given, or None."""
    code = _code(_dict(value).get("id") if isinstance(value, dict) else value)
    if code is None:
        return None
    known = {rating.casefold(): rating for rating in RATINGS}
    return known.get(code.casefold(), code)


def _failures(versions: Sequence[dict], named: Named) -> list[dict]:
    """The contract's performance failures (implementation.performanceFailures, the
    performance_failures extension with the UK extension's fields), one per (id, decision
    date, period); a later version's replaces an earlier one's."""
    failures: dict[tuple, dict] = {}
    for version in versions:
        given = _dicts(_dict(version.get("implementation")).get("performanceFailures"))
        for position, failure in enumerate(given):
            period = _period(failure.get("period"))
            key = (
                _text(failure.get("id")) or f"#{position}",
                utc(failure.get("decisionDate")),
                period["startDate"],
            )
            penalty_type = _code(failure.get("penaltyType"))
            value = _value(failure.get("penaltyValue"))
            events = _number(failure.get("events"))
            found = {
                "id": _text(failure.get("id")) or None,
                "period": period,
                "category": _short(failure.get("category")),
                "events": events,
                "requirement": _short(failure.get("requirement")),
                "description": _short(failure.get("description")),
                "decisionDate": utc(failure.get("decisionDate")),
                "penaltyDate": utc(failure.get("penaltyDate")),
                "penaltyType": penalty_type if penalty_type in PENALTY_TYPES else None,
                "penaltyTypeEntered": _short(failure.get("penaltyTypeEntered"))
                or (penalty_type if penalty_type not in PENALTY_TYPES else None),
                "penaltyValue": value,
                "penaltyContracted": _short(failure.get("penaltyContracted")),
                "penaltyImposed": _short(failure.get("penaltyImposed")),
                "penaltyPaid": failure.get("penaltyPaid")
                if isinstance(failure.get("penaltyPaid"), bool)
                else None,
                "partialTermination": _short(failure.get("partialTermination")),
                "suppliers": [
                    _organisation(ref, named) for ref in _dicts(failure.get("suppliers"))
                ],
            }
            found["penalty"] = any(
                found[name] is not None
                for name in (
                    "penaltyType",
                    "penaltyTypeEntered",
                    "penaltyDate",
                    "penaltyImposed",
                    "partialTermination",
                )
            ) or (value is not None and bool(value["amount"]))
            failures[key] = found
    return list(failures.values())


def _termination(contract: dict) -> dict | None:
    """The contract's termination: its status ``terminated``, rationale classifications (the
    UK extension's, with the deprecated single one) or a UK11 among its documents. For the
    Act's notice, termination is every way a contract ends, expiry included (Cabinet Office,
    "Guidance: Contract Termination", paragraph 2); the rationale says why, when given."""
    rationale = [
        *_dicts(contract.get("terminationRationaleClassifications")),
        _dict(contract.get("terminationRationaleClassification")),
    ]
    rationale = [
        {
            "scheme": _code(item.get("scheme")),
            "id": _code(item.get("id")),
            "description": _short(item.get("description")),
        }
        for item in rationale
        if item
    ]
    implementation = _dict(contract.get("implementation"))
    documents = [*_dicts(contract.get("documents")), *_dicts(implementation.get("documents"))]
    notices = [
        utc(document.get("datePublished"))
        for document in documents
        if _code(document.get("noticeType")) == "UK11"
    ]
    status = _code(contract.get("status"))
    if status != "terminated" and not rationale and not notices:
        return None
    return {
        "endDate": utc(implementation.get("endDate")) or _period(contract.get("period"))["endDate"],
        "noticeDate": min((day for day in notices if day), default=None),
        "rationale": rationale,
        "details": _short(implementation.get("endDateDetails")),
        "finalValue": _value(implementation.get("finalValue")),
    }


def _parties(compiled: dict) -> Named:
    """The parties of a compiled release by their local id, the last of an id counting, read
    from it as the process search reads them."""
    return {m.party_id: (m.name, m.identifier) for m in mentions(compiled)}.get


def _organisation(reference: dict, named: Named) -> dict:
    party = named(_text(reference.get("id")) or None)
    return {
        "name": _short(reference.get("name")) or (party[0] if party else None),
        "identifier": party[1] if party else None,
    }


def _value(value: object) -> dict | None:
    given = _dict(value)
    if not given:
        return None
    amount = _number(given.get("amount"))
    currency = _code(given.get("currency"))
    if amount is None and currency is None:
        return None
    return {"amount": amount, "currency": currency.upper() if currency else None}


def _values(totals: dict[str, float]) -> list[dict]:
    return [
        {"currency": currency or None, "amount": amount}
        for currency, amount in sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    ]


def _number(value: object) -> float | None:
    """A number, or a plain decimal written as text; None otherwise (never a guess)."""
    if isinstance(value, str) and _DECIMAL.fullmatch(value.strip()):
        value = float(value.strip())
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _period(value: object) -> dict:
    period = _dict(value)
    return {"startDate": utc(period.get("startDate")), "endDate": utc(period.get("endDate"))}


def _json(body: str | None) -> dict:
    if body is None:
        return {}
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _short(value: object) -> str | None:
    text = _text(value).strip()
    return text[:TEXT_CHARACTERS] or None


def _code(value: object) -> str | None:
    text = _text(value).strip()
    return text[:CODE_CHARACTERS] or None
