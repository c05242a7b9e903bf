"""Following the money (issue 9, item 4; docs/spend.md, "What users see"): what has been paid
on a contract against its value, month by month, and the payments behind it; what a supplier
received from each body, with and without a published contract; how much of a body's spend is
linked to a published contract ("spend coverage"), the suppliers it paid most without one, and
what it paid suppliers while they were on the debarment list. Each answer is a plain dict, the
API's and the pages' alike; and every payment with its link, for the bulk file.

Payments are the spend register's (openbook.spend), linked by the last linking run
(openbook.spend_links): every figure here is as of that run, and names its method's version.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote

import orjson

from openbook import spend, spend_debarred
from openbook.organisations import InvalidIdentifier
from openbook.standards import organisation_names
from openbook.standards.identifiers import check_party_id
from openbook.standards.metrics import spend as coverage_method
from openbook.standards.metrics.figures import AGAINST, ALL, EXCLUDED, FOR, PENDING, Figure
from openbook.standards.spend import contracts, linkage
from openbook.standards.spend.transactions import WITHHELD
from openbook.store import log, parties
from openbook.store import metrics as stored_metrics
from openbook.store import spend_links as stored_links
from openbook.store import spend_views as stored
from openbook.store.database import Store

MAX_LIMIT = 500
LARGEST = 10  # suppliers paid without a link, by default
DEBARRED = 50  # payments to debarred suppliers listed; the rest are counted

# The linker's states, as the answers name them.
STATE_NAMES = {
    coverage_method.LINKED: "linked",
    coverage_method.UNLINKED: "unlinked",
    coverage_method.NOT_LINKED_YET: "notLinkedYet",
}


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def body_href(key: str) -> str:
    return f"/spend/bodies/{quote(key, safe='')}"


def _transaction_href(key: str) -> str:
    return f"/api/spend/transactions/{quote(key, safe='')}"


# A contract


def contract(
    store: Store, ocid: str, *, before: tuple[str, str] | None = None, limit: int = 100
) -> dict | None:
    """A process's contracts (and awards no contract follows yet): each one's value and what
    has been paid on it by month, with the running total; and a page of the payments linked
    to them, the newest first (``next``: the ``before`` of the next page). None for an ocid
    not published here."""
    found = stored_links.targets_of_ocids(store, [ocid])
    if ocid not in found:
        return None
    targets = found[ocid]
    months = stored_links.spend_to_date(store, ocid)
    spent: dict[tuple[str, str], list[stored_links.MonthSpent]] = {}
    for each in months:
        spent.setdefault((each.target_kind, each.target_id), []).append(each)
    shown = [_target(target, spent.pop((target.kind, target.id), [])) for target in targets]
    # Payments linked to a contract the process no longer publishes as it did (changed since
    # the last linking run): shown, without a value.
    shown += [_target(None, rows, kind, key) for (kind, key), rows in sorted(spent.items())]
    page = stored.linked_to(store, ocid, before=before, limit=limit + 1)
    more, page = len(page) > limit, page[:limit]
    statements = log.statements_at(store, [each.seq for each in page if each.seq is not None])
    last = page[-1] if page else None
    return {
        "ocid": ocid,
        "contracts": shown,
        "payments": [_linked_payment(each, statements, targets) for each in page],
        "paymentCount": stored.count_linked_to(store, ocid),
        "next": f"{last.date or ''}/{last.payment_key}" if more and last else None,
        "methodVersion": linkage.METHOD_VERSION,
        "links": {
            "api": f"/api/spend/contracts/{quote(ocid, safe='')}",
            "method": "docs/spend.md#linkage",
        },
    }


def _target(
    target: contracts.Target | None,
    months: Sequence[stored_links.MonthSpent],
    kind: str | None = None,
    key: str | None = None,
) -> dict:
    running: dict[str | None, Decimal] = {}
    counted: dict[str | None, int] = {}
    listed = []
    for each in months:
        running[each.currency] = running.get(each.currency, Decimal(0)) + Decimal(each.amount)
        counted[each.currency] = counted.get(each.currency, 0) + each.payments
        listed.append(
            {
                "month": each.month,
                "currency": each.currency,
                "amount": each.amount,
                "payments": each.payments,
                "cumulative": _money(running[each.currency]),
            }
        )
    value: dict | None = None
    if target is not None and target.amount is not None:
        value = {"amount": target.amount, "currency": target.currency}
    to_date = [
        {"currency": currency, "amount": _money(amount), "payments": counted[currency]}
        for currency, amount in sorted(running.items(), key=lambda pair: -pair[1])
    ]
    share = None
    if value and value["amount"] and value["amount"] > 0:
        paid = running.get(value["currency"])
        share = float(paid) / value["amount"] if paid is not None else 0.0
    return {
        "kind": target.kind if target else kind,
        "id": target.id if target else key,
        "published": target is not None,
        "awardId": target.award_id if target else None,
        "title": target.title or None if target else None,
        "value": value,
        "period": {"startDate": target.start, "endDate": target.end} if target else None,
        "suppliers": [{"name": s.name, "identifier": s.identifier} for s in target.suppliers]
        if target
        else [],
        "framework": target.framework if target else False,
        "spentToDate": to_date,
        "shareOfValue": share,
        "months": listed,
    }


def _linked_payment(
    each: stored.Linked, statements: dict, targets: Sequence[contracts.Target]
) -> dict:
    supplier: str | None = None
    withheld = redacted = False
    body_name = each.body_name
    if each.kind == stored_links.NOTICE:
        # A notice's payment names its payee by identifier or name key: the contract's supplier.
        payer_id, payer_key, payee_id, payee_key, _ = orjson.loads(each.features)
        target = next(
            (t for t in targets if (t.kind, t.id) == (each.target_kind, each.target_id)), None
        )
        for named in target.suppliers if target else ():
            if (payee_id and named.identifier == payee_id) or named.key == payee_key:
                supplier = named.name
        body_name = target.buyer_name if target else payer_id or payer_key
    else:
        statement = statements.get(each.seq)
        supplier, withheld, redacted = _supplier_of(statement)
    return {
        "id": each.payment_key,
        "kind": each.kind,
        "date": each.date,
        "amount": each.amount,
        "currency": each.currency,
        "body": {"key": each.body_key, "name": body_name},
        "supplier": supplier,
        "supplierWithheld": withheld,
        "redacted": redacted,
        "contract": {"kind": each.target_kind, "id": each.target_id},
        "method": each.method,
        "score": each.score,
        "notes": orjson.loads(each.notes),
        "duplicateOf": each.duplicate_of,
        "current": each.current,
        "methodVersion": each.linker,
        "linkedAt": each.linked_time,
        "href": _transaction_href(each.payment_key) if each.kind == stored_links.SPEND else None,
    }


def _supplier_of(statement) -> tuple[str | None, bool, bool]:
    """(the supplier's name as the file wrote it, whether withheld, whether the statement was
    redacted)."""
    body = orjson.loads(statement.body) if statement is not None and statement.body else None
    if body is None:
        return None, False, True
    given = body.get("transaction", {}).get("supplier") or {}
    if given.get("redacted"):
        return None, True, False
    return given.get("name"), False, False


# A supplier


def supplier(store: Store, identifier: str, *, limit: int = 20) -> dict | None:
    """What a supplier (SCHEME-ID, normalised first) was paid by each body, with and without a
    linked contract, and its newest payments. Its payments are those linked to a contract of
    which it is the only identified supplier, and those made to a name it goes by in the
    processes (compared as organisation names are). None if no process names it and no
    payment is found; raises InvalidIdentifier for text no register could have issued."""
    checked = check_party_id(identifier)
    if checked.identifier is None:
        raise InvalidIdentifier(str(checked.message), checked.phrase)
    written = str(checked.identifier)
    names = [each.name for each in parties.names(store, written)]
    keys = sorted({organisation_names.key(name) for name in names} - {""})
    ocids = stored.supplier_ocids(store, written)
    if not names and not ocids:
        return None
    by_contract = _only_supplier(store, ocids, written, keys)
    rows: dict[tuple[str, str], _Received] = {}
    for each in stored.received_by_name(store, keys):
        _row(rows, each.body_key, each.body_name, each.currency).add(
            each.state, each.payments, each.amount, each.first, each.last
        )
    for paid in by_contract:
        _row(rows, paid.body_key, paid.body_name, paid.currency).add(
            paid.state, 1, Decimal(paid.amount), paid.date, paid.date
        )
    bodies = sorted(rows.values(), key=lambda row: (-row.total, row.name))
    recent = sorted(
        [*stored.paid_to_names(store, keys, limit=limit), *by_contract[:limit]],
        key=lambda each: (each.date, each.record_key),
        reverse=True,
    )[:limit]
    totals: dict[tuple[str, str], _Received] = {}
    for row in bodies:
        _row(totals, "", "", row.currency).merge(row)
    return {
        "identifier": written,
        "names": names,
        "bodies": [row.shown() for row in bodies],
        "totals": [
            {k: v for k, v in row.shown().items() if k not in ("body", "name", "href")}
            for row in sorted(totals.values(), key=lambda row: -row.total)
        ],
        "paymentCount": sum(row.payments for row in bodies),
        "payments": described(store, recent),
        "methodVersion": linkage.METHOD_VERSION,
        "links": {"api": f"/api/spend/suppliers/{quote(written, safe='')}"},
    }


@dataclass
class _Received:
    """What one body paid a supplier in one currency: payments and amount by linker state."""

    body: str
    name: str
    currency: str
    first: str = "9999-12-31"
    last: str = "0000-01-01"
    parts: dict[str, list] = field(
        default_factory=lambda: {state: [0, Decimal(0)] for state in coverage_method.STATES}
    )

    @property
    def total(self) -> Decimal:
        return sum((amount for _, amount in self.parts.values()), Decimal(0))

    @property
    def payments(self) -> int:
        return sum(count for count, _ in self.parts.values())

    def add(self, state: str, payments: int, amount: Decimal, first: str, last: str) -> None:
        self.parts[state][0] += payments
        self.parts[state][1] += amount
        self.first, self.last = min(self.first, first), max(self.last, last)

    def merge(self, other: "_Received") -> None:
        for state, (count, amount) in other.parts.items():
            self.add(state, count, amount, other.first, other.last)

    def shown(self) -> dict:
        return {
            "body": self.body,
            "name": self.name,
            "currency": self.currency,
            "first": self.first,
            "last": self.last,
            **{
                STATE_NAMES[state]: {"payments": count, "amount": _money(amount)}
                for state, (count, amount) in self.parts.items()
            },
            "total": _money(self.total),
            "href": body_href(self.body),
        }


def _row(rows: dict[tuple[str, str], _Received], key: str, name: str, currency: str) -> _Received:
    found = rows.get((key, currency))
    if found is None:
        found = rows[(key, currency)] = _Received(key, name, currency)
    return found


def _only_supplier(
    store: Store, ocids: Sequence[str], identifier: str, keys: Sequence[str]
) -> list[stored.Payment]:
    """Payments linked to a contract or award of which this is the only supplier (so that a
    payment to its partner in a joint contract is not taken for its own), made to a name other
    than its own (those are counted by name)."""
    if not ocids:
        return []
    own = {
        (target.ocid, target.kind, target.id)
        for found in stored_links.targets_of_ocids(store, ocids).values()
        for target in found
        if target.suppliers and all(s.identifier == identifier for s in target.suppliers)
    }
    return [
        each
        for each in stored.paid_under(store, sorted({ocid for ocid, _, _ in own}), other_than=keys)
        if (each.ocid, each.target_kind, each.target_id) in own
    ]


def described(store: Store, payments: Sequence[stored.Payment]) -> list[dict]:
    """Payments as the lists give them: each with its supplier's name as written, and how it
    stands with the linker."""
    statements = log.statements_at(store, [each.seq for each in payments])
    shown = []
    for each in payments:
        name, withheld, redacted = _supplier_of(statements.get(each.seq))
        shown.append(
            {
                "id": each.record_key,
                "date": each.date,
                "amount": each.amount,
                "currency": each.currency,
                "body": {"key": each.body_key, "name": each.body_name, "href": body_href(
                    each.body_key)},
                "supplier": name,
                "supplierWithheld": withheld or each.supplier_key == WITHHELD,
                "redacted": redacted,
                "link": {
                    "status": STATE_NAMES[each.state],
                    "ocid": each.ocid,
                    "kind": each.target_kind,
                    "id": each.target_id,
                    "method": each.method,
                    "score": each.score,
                },
                "href": _transaction_href(each.record_key),
            }
        )  # fmt: skip
    return shown


# A body


def body_key(given: str) -> str:
    """The key of a paying body given by its key, identifier or name."""
    return spend.body_key(given)


def body(store: Store, given: str, *, limit: int = LARGEST) -> dict | None:
    """A paying body's spend coverage (the share of its spend linked to a published contract,
    by year and overall), the suppliers it paid most without a link, and its payments to
    suppliers on the debarment list on the day paid. None for a body with no payments here."""
    key = body_key(given)
    span = stored.body_span(store, key)
    if span is None:
        return None
    first, last, name = span
    mine, counted = _coverage(store, key)
    overall = next((f for f in mine if f.period == ALL), None)
    years = [coverage_method.coverage(f) for f in mine if len(f.period) == 4]
    debarred = spend_debarred.payments(store, body_key=key)
    listed = described(store, [each for each, _ in debarred[:DEBARRED]])
    return {
        "body": key,
        "name": name,
        "organisations": [
            {"identifier": each, "href": f"/organisations/{quote(each, safe='')}"}
            for each in stored.buyer_identifiers(store, key)
        ],
        "payments": sum(overall.counts.values()) if overall else 0,
        "first": first,
        "last": last,
        "coverage": coverage_method.coverage(overall) if overall else None,
        "years": years,
        "counted": counted,
        "largestUnlinked": _largest(store, key, limit),
        "debarred": {
            "payments": [
                {**shown, "debarment": entry}
                for shown, (_, entry) in zip(listed, debarred, strict=False)
            ],
            "count": len(debarred),
            "amounts": _by_currency(each for each, _ in debarred),
        },
        "methodVersion": coverage_method.METHOD_VERSION,
        "linkerVersion": linkage.METHOD_VERSION,
        "links": {
            "api": f"/api/spend/bodies/{quote(key, safe='')}",
            "unlinked": f"/api/spend/unlinked?body={quote(key, safe='')}",
            "transactions": f"/api/spend/transactions?body={quote(key, safe='')}",
            "metric": f"/metrics/{coverage_method.SPEND_COVERAGE}?subject={quote(key, safe='')}",
            "method": coverage_method.METRIC.as_dict()["method"],
        },
    }


def _largest(store: Store, key: str, limit: int) -> list[dict]:
    found = stored.largest_unlinked(store, key, limit)
    statements = log.statements_at(store, [each.seq for each in found])
    shown = []
    for each in found:
        name, withheld, redacted = _supplier_of(statements.get(each.seq))
        shown.append(
            {
                "supplier": name,
                "supplierKey": each.supplier_key,
                "supplierWithheld": withheld or each.supplier_key == WITHHELD,
                "redacted": redacted,
                "currency": each.currency,
                "payments": each.payments,
                "amount": _money(each.amount),
            }
        )
    return shown


def _by_currency(payments: Iterable[stored.Payment]) -> list[dict]:
    found: dict[str, list] = {}
    for each in payments:
        into = found.setdefault(each.currency, [0, Decimal(0)])
        into[0] += 1
        into[1] += Decimal(each.amount)
    return [
        {"currency": currency, "payments": count, "amount": _money(amount)}
        for currency, (count, amount) in sorted(found.items())
    ]


def bodies_of(store: Store, identifier: str, names: Sequence[str]) -> list[str]:
    """The paying bodies an organisation may be: its identifier, or a name it goes by."""
    keys = [identifier, *(contracts.body_key_of_name(name) for name in names)]
    return stored.bodies_among(store, [key for key in keys if key])


# The metric and the bulk file


def coverage_figures(store: Store, stop: int | None = None) -> list[Figure]:
    """The spend coverage figures of every paying body and everyone, from the payments whose
    newest statement is below log entry ``stop`` (openbook.metrics)."""
    return coverage_method.figures(stored.groups(store, stop=stop), stored.body_names(store))


def coverage_of(store: Store, key: str) -> dict | None:
    """A paying body's spend coverage over all time (as ``_coverage`` counts it)."""
    mine, _ = _coverage(store, key)
    found = next((f for f in mine if f.period == ALL), None)
    return coverage_method.coverage(found) if found else None


def _coverage(store: Store, key: str) -> tuple[list[Figure], dict]:
    """A body's spend coverage figures, and when they were counted: the newest metrics run's,
    which the metric's pages and the report show (read in a few milliseconds, where counting a
    large body's payments takes most of a second); or, for a body that run has no figures of
    (loaded since, or no run yet), counted now."""
    stored_figures = stored_metrics.figures(
        store, metric=coverage_method.SPEND_COVERAGE, subject=key
    )
    run = stored_metrics.latest_run(store) if stored_figures else None
    if run is not None:
        made = [
            Figure(f.metric, f.subject, f.subject_name, f.period,
                   counts={FOR: f.for_count, AGAINST: f.against_count,
                           EXCLUDED: f.excluded_count, PENDING: f.pending_count},
                   extra=f.extra, score=f.value)
            for f in stored_figures
        ]  # fmt: skip
        return made, {"by": "metrics run", "computed": run.computed_time, "logSize": run.log_size}
    made = coverage_method.figures(stored.groups(store, body_key=key), {})
    return [f for f in made if f.subject == key], {"by": "this answer", "computed": None,
                                                    "logSize": None}  # fmt: skip


def bulk(store: Store) -> Iterator[dict]:
    """Every published payment with its link, one JSON-able dict each (a line of
    ``registers/spend.jsonl.gz``), in id order; streamed."""
    for each in stored.every(store):
        payment = each.payment
        statement = orjson.loads(each.body) if each.body else None
        link = None
        if payment.state != coverage_method.NOT_LINKED_YET:
            link = {
                "status": STATE_NAMES[payment.state],
                "ocid": payment.ocid,
                "kind": payment.target_kind,
                "id": payment.target_id,
                "method": payment.method,
                "score": payment.score,
                "methodVersion": each.linker,
                "linkedAt": payment.linked_time,
                "notes": orjson.loads(each.notes) if each.notes else [],
                "reason": each.reason,
                "duplicateOf": payment.duplicate_of,
            }
            if payment.state == coverage_method.UNLINKED:
                link["candidates"] = orjson.loads(each.candidates) if each.candidates else []
        yield {
            "id": payment.record_key,
            "version": payment.version,
            "seq": payment.seq,
            "body": {"key": payment.body_key, "name": payment.body_name},
            "date": payment.date,
            "amount": payment.amount,
            "currency": payment.currency,
            "redacted": statement is None,
            "transaction": statement["transaction"] if statement else None,
            "source": statement["source"] if statement else None,
            "link": link,
        }
