"""Linking payments to the contracts they pay for (issue 9, item 3; docs/spend.md, "Linkage"):
the use case behind ``openbook spend link``, run also after ``openbook spend load`` and after
``openbook load`` when the spend register holds payments.

A run is incremental and idempotent. It reads again the processes whose compiled release
changed since they were read (their search row's id is the seq of their newest statement), and
links again: the transactions new or corrected since linked, every payment of a body one of
whose buyer's contracts changed, and the payments whose text names a changed process. A run
with nothing new reads and writes nothing; a full run (``full=True``, or after the method's
version changes) reads every process and links every payment again. A payment's row is written
only when its decision changes.

The pure work (reading compiled releases, deciding a body's payments) runs in worker processes
(openbook.pool) when there is much of it, this process reading and writing meanwhile; what is
decided, and written, is the same either way.
"""

import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

import orjson

from openbook import spend
from openbook.pool import Pool, pickle_by_values
from openbook.standards.log import format_log_time
from openbook.standards.spend import contracts, duplicates, linkage
from openbook.standards.spend.contracts import Buyer
from openbook.store import log, records
from openbook.store import spend_links as stored
from openbook.store.database import Store, chunked

REGISTER = "ocds"
BATCH = 5000  # links written per database transaction, about
PARALLEL_FROM = 20_000  # payments to decide from which worker processes decide them
Progress = Callable[[str, int, int], None]  # (what, done, total)
# What crosses to the workers and back, pickled cheaply (openbook.pool.pickle_by_values).
pickle_by_values(
    contracts.Target,
    contracts.Supplier,
    contracts.NoticePayment,
    linkage.Features,
    duplicates.Gross,
    stored.Paid,
    stored.Link,
)


@dataclass
class Report:
    full: bool = False
    processes: int = 0  # processes read again
    targets: int = 0  # contracts and awards among them
    notices: int = 0  # payments their notices published
    bodies: int = 0  # paying bodies whose payments were linked again
    payments: int = 0  # payments decided
    changed: int = 0  # whose link (or reason for none) changed
    dropped: int = 0  # links of transactions withdrawn since
    counts: dict[str, int] = field(default_factory=dict)  # every payment, by method
    seconds: float = 0.0

    def as_dict(self) -> dict:
        linked = sum(count for method, count in self.counts.items() if method != "unlinked")
        return {
            "methodVersion": linkage.METHOD_VERSION,
            "full": self.full,
            "processesRead": self.processes,
            "targets": self.targets,
            "noticePayments": self.notices,
            "bodies": self.bodies,
            "paymentsDecided": self.payments,
            "linksChanged": self.changed,
            "linksDropped": self.dropped,
            "linked": linked,
            "unlinked": self.counts.get("unlinked", 0),
            "byMethod": self.counts,
            "seconds": round(self.seconds, 2),
        }


def link(
    store: Store,
    *,
    full: bool = False,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> Report:
    """Link what is new since the last run (everything, if ``full``); see the module's
    docstring."""
    started = time.monotonic()
    report = Report(full=full or stored.outdated(store, linkage.METHOD_VERSION))
    moment = format_log_time(now or datetime.now(UTC))
    if report.full:
        stored.forget_targets(store)
    changed_ocids, changed_buyers = _read_targets(store, report, moment, progress)
    stored.refresh_statistics(store)
    report.dropped = stored.drop_withdrawn(store)
    buyers = stored.buyers(store)
    work, matched = _work(store, report.full, buyers, changed_ocids, changed_buyers)
    if work:
        bodies = stored.paying_bodies(store)
        run = _Run(
            store,
            report,
            matched,
            aliases=stored.supplier_identifiers_by_name(store),
            names={key: name for key, name, _ in bodies},
            notices=stored.has_notices(store),
            moment=moment,
        )
        counts = {key: count for key, _, count in bodies}
        deciding = sum(counts[key] if keys is None else len(keys) for key, keys in work.items())
        with Pool(from_records=PARALLEL_FROM) as pool:
            run.link(sorted(work.items()), pool if deciding >= PARALLEL_FROM else None, progress)
    report.bodies = len(work)
    report.counts = stored.counts(store)
    report.seconds = time.monotonic() - started
    return report


def _read_targets(
    store: Store, report: Report, moment: str, progress: Progress | None
) -> tuple[set[str], set[Buyer]]:
    """Read the processes changed since last read (their compiled releases read by worker
    processes when there are many); returns their ocids and the buyers of their targets,
    before and after."""
    changed, gone, before = stored.changed_processes(store)
    ocids = {ocid for ocid, _, _ in changed} | set(gone)
    buyers = stored.buyers_of(store, sorted(before | set(gone)))  # none never read has any
    if gone:
        stored.save_targets(store, [(ocid, -1) for ocid in gone], [], [])
    with Pool() as pool:
        executor = pool.for_records(len(changed))
        in_flight: deque = deque()
        done = 0
        for chunk in chunked(changed, 500):
            compiled = records.compiled_of(
                store, REGISTER, [ocid for ocid, _, awarded in chunk if awarded]
            )
            texts = [(ocid, seq, compiled.get(ocid)) for ocid, seq, _ in chunk]
            if executor is None:
                in_flight.append(_Ready(_targets_of(texts, moment)))
            else:
                in_flight.append(executor.submit(_targets_of, texts, moment))
            while in_flight and (executor is None or len(in_flight) > 2 * pool.size):
                done += _save_targets(store, report, buyers, before, in_flight.popleft().result())
                if progress:
                    progress("reading contracts", done, len(changed))
        while in_flight:
            done += _save_targets(store, report, buyers, before, in_flight.popleft().result())
    return ocids, buyers


@dataclass
class _Ready:
    """A result at hand, read as a future's."""

    value: tuple

    def result(self) -> tuple:
        return self.value


def _targets_of(
    texts: Sequence[tuple[str, int, str | None]], moment: str
) -> tuple[list[tuple[str, int]], list[contracts.Target], list[stored.Link]]:
    """Read processes' compiled releases (pure: in a worker, or here)."""
    targets: list[contracts.Target] = []
    notices: list[stored.Link] = []
    for ocid, seq, text in texts:
        release = orjson.loads(text) if text is not None else None
        if not isinstance(release, dict):
            continue
        targets += contracts.targets(ocid, release)
        notices += [
            _notice_link(each, seq, moment) for each in contracts.notice_payments(ocid, release)
        ]
    return [(ocid, seq) for ocid, seq, _ in texts], targets, notices


def _save_targets(
    store: Store, report: Report, buyers: set[Buyer], before: set[str], read: tuple
) -> int:
    processes, targets, notices = read
    stored.save_targets(store, processes, targets, notices, before)
    buyers.update(Buyer(each.buyer_id, each.buyer_key) for each in targets)
    report.processes += len(processes)
    report.targets += len(targets)
    report.notices += len(notices)
    return len(processes)


def _notice_link(payment: contracts.NoticePayment, seq: int, moment: str) -> stored.Link:
    features = [
        payment.payer_id,
        payment.payer_key,
        payment.payee_id,
        payment.payee_key,
        payment.id,
    ]
    return stored.Link(
        payment_key=payment.key,
        kind=stored.NOTICE,
        version=seq,
        body_key=payment.payer_id or payment.payer_key,
        date=payment.date,
        amount=None if payment.amount is None else _amount_text(payment.amount),
        currency=payment.currency,
        linked=True,
        ocid=payment.ocid,
        target_kind=contracts.CONTRACT,
        target_id=payment.contract_id,
        method=linkage.NOTICE,
        score=linkage.BASE[linkage.NOTICE],
        reason=None,
        notes="[]",
        candidates="[]",
        duplicate_of=None,
        features=orjson.dumps(features).decode(),
        linker=linkage.METHOD_VERSION,
        linked_time=moment,
    )


def _amount_text(amount: float) -> str:
    return format(Decimal(repr(amount)).normalize(), "f")


def _work(
    store: Store,
    full: bool,
    buyers: Sequence[Buyer],
    changed_ocids: set[str],
    changed_buyers: set[Buyer],
) -> tuple[dict[str, set[str] | None], dict[str, tuple[list[Buyer], str | None]]]:
    """The payments to link, by body (None: all of the body's), and each body's buyers."""
    matched = {
        key: contracts.match_buyers(key, name, buyers)
        for key, name, _ in stored.paying_bodies(store)
    }
    work: dict[str, set[str] | None] = {}
    for key, (chosen, _) in matched.items():
        if full or changed_buyers.intersection(chosen):
            work[key] = None
    if len(work) == len(matched):  # every body's payments, all of them
        return work, matched
    for found in (stored.stale(store, linkage.METHOD_VERSION), stored.naming(store, changed_ocids)):
        for key, keys in found.items():
            if key in matched and work.get(key, set()) is not None:
                work[key] = (work.get(key) or set()) | keys
    return work, matched


@dataclass
class _Run:
    """What linking each body's payments reads once a run."""

    store: Store
    report: Report
    matched: dict[str, tuple[list[Buyer], str | None]]  # each body's buyers
    aliases: dict[str, str]  # supplier name keys with the one identifier they are given
    names: dict[str, str]  # each body's name
    notices: bool  # whether any notice published a payment
    moment: str
    pending: list[tuple[stored.Link, linkage.Features]] = field(default_factory=list)
    replacing: list[str] = field(default_factory=list)  # pending links' payments linked before

    def link(
        self,
        work: Sequence[tuple[str, set[str] | None]],
        pool: Pool | None,
        progress: Progress | None,
    ) -> None:
        """Link each body's payments (those given, or all): decided by worker processes if
        given a pool (this one reading and writing meanwhile), written in order."""
        # The workers, forked next, read the run's aliases there rather than a copy a task.
        _ALIASES.clear()
        _ALIASES.update(self.aliases)
        executor = pool.executor() if pool is not None else None
        in_flight: deque = deque()
        for done, (body_key, keys) in enumerate(work):
            gathered = self.gather(body_key, keys)
            if executor is None:
                self.apply(_decided(gathered, self.aliases))
            else:
                in_flight.append(executor.submit(_decided, gathered))
                while len(in_flight) > 2 * (pool.size if pool else 1):
                    self.apply(in_flight.popleft().result())
            if progress:
                progress("linking", done + 1, len(work))
        while in_flight:
            self.apply(in_flight.popleft().result())
        self.flush()

    def gather(self, body_key: str, keys: set[str] | None) -> "_Work":
        """What deciding a body's payments (these only, if given) needs, read here."""
        store = self.store
        chosen, _ = self.matched[body_key]
        targets = stored.targets_of_buyers(store, chosen)
        paid = stored.payments_of(store, body_key, None if keys is None else sorted(keys))
        features, bodies = _features(store, paid)
        prefixes = {
            ocid
            for found in features.values()
            for token in found.ocids
            for ocid, _ in linkage.ocid_prefixes(token)
        }
        return _Work(
            body_key=body_key,
            body_name=self.names[body_key],
            targets=targets,
            notices=stored.notices_of(store, [each.ocid for each in targets])
            if self.notices
            else [],
            buyers=frozenset(
                {each.id for each in chosen if each.id} | {each.key for each in chosen}
            ),
            referenced=stored.targets_of_ocids(store, sorted(prefixes)) if prefixes else {},
            paid=paid,
            features=features,
            bodies=bodies,
            moment=self.moment,
        )

    def apply(self, decided: "_Decided") -> None:
        """Keep the links that changed, to be written."""
        self.pending += decided.changed
        self.replacing += decided.replacing
        if len(self.pending) >= BATCH:
            self.flush()
        self.report.payments += decided.payments
        self.report.changed += len(decided.changed)

    def flush(self) -> None:
        """Write the links decided so far, with the ocids their payments' text may name."""
        names = [
            (ocid, link.payment_key)
            for link, found in self.pending
            for token in found.ocids
            for ocid, _ in linkage.ocid_prefixes(token)
        ]
        stored.save_links(self.store, [link for link, _ in self.pending], names, self.replacing)
        self.pending, self.replacing = [], []
        stored.refresh_statistics(self.store)  # as the links double


def _features(
    store: Store, paid: Sequence[stored.Paid]
) -> tuple[dict[str, linkage.Features], dict[str, str | bytes]]:
    """What each payment offers to link by, where known here: kept with its link, else read
    from its statement (a redacted one offers its withheld supplier only). The statements
    naming no ocid are returned to be read where the payments are decided."""
    found: dict[str, linkage.Features] = {}
    bodies: dict[str, str | bytes] = {}
    read = []
    for each in paid:
        link, current = each.link, (each.version, linkage.METHOD_VERSION)
        # what a link keeps was read by its own method's version: another's may differ in shape
        if link is not None and (link.version, link.linker) == current:
            found[each.record_key] = linkage.Features.from_list(orjson.loads(link.features))
        else:
            read.append(each)
    texts = log.bodies_at(store, [each.seq for each in read])
    for each in read:
        text = texts.get(each.seq)
        body = text.encode() if text else None  # as bytes, as the check below always read it
        if not body:
            found[each.record_key] = linkage.Features(each.supplier_key)
        elif (b"ocds-" if isinstance(body, bytes) else "ocds-") in body.lower():
            found[each.record_key] = _features_of(body, each.supplier_key)
        else:
            bodies[each.record_key] = body
    return found, bodies


def _features_of(body: str | bytes, supplier_key: str) -> linkage.Features:
    parsed = orjson.loads(body)
    transaction = parsed.get("transaction") if isinstance(parsed, dict) else None
    if not isinstance(transaction, dict):
        return linkage.Features(supplier_key)
    return linkage.features(transaction)


@dataclass
class _Work:
    """A body's payments to decide, and all deciding them needs: plain data, for a worker."""

    body_key: str
    body_name: str
    targets: list[contracts.Target]
    notices: list[contracts.NoticePayment]
    buyers: frozenset[str]  # the body's buyers' identifiers and keys
    referenced: dict[str, list[contracts.Target]]  # the ocids the payments may name
    paid: list[stored.Paid]
    features: dict[str, linkage.Features]  # those known
    bodies: dict[str, str | bytes]  # the others' statements
    moment: str


@dataclass
class _Decided:
    changed: list[tuple[stored.Link, linkage.Features]]  # links that changed, new ones too
    replacing: list[str]  # the payments among them that had a link
    payments: int  # decided


_ALIASES: dict[str, str] = {}  # a run's, for its workers: set before they fork


def _decided(work: _Work, aliases: dict[str, str] | None = None) -> _Decided:
    """Decide a body's payments (pure: in a worker, or here)."""
    features = dict(work.features)
    for key, body in work.bodies.items():
        features[key] = _features_of(body, "")
    index = linkage.BodyIndex(
        work.targets, _ALIASES if aliases is None else aliases, work.notices, work.buyers
    )
    decided = _Decided([], [], len(work.paid))
    for each in work.paid:
        found = features[each.record_key]
        payment = linkage.Payment(
            key=each.record_key,
            body_key=work.body_key,
            body_name=work.body_name,
            date=each.date,
            amount=float(each.amount),
            currency=each.currency,
            supplier_key=found.supplier_key,
            supplier_ids=found.supplier_ids,
            postcode=found.postcode,
            references=found.references,
            ocids=found.ocids,
            description=found.description,
            gross=found.gross,
        )
        row = _row(each, linkage.decide(payment, index, work.referenced), found, work.moment)
        if each.link is None or each.link.decided() != row.decided():
            decided.changed.append((row, found))
            if each.link is not None:
                decided.replacing.append(each.record_key)
    return decided


def _row(
    each: stored.Paid, decision: linkage.Decision, features: linkage.Features, moment: str
) -> stored.Link:
    target = decision.target
    return stored.Link(
        payment_key=each.record_key,
        kind=stored.SPEND,
        version=each.version,
        body_key=each.body_key,
        date=each.date,
        amount=each.amount,
        currency=each.currency,
        linked=target is not None,
        ocid=target.ocid if target else None,
        target_kind=target.kind if target else None,
        target_id=target.id if target else None,
        method=decision.method,
        score=decision.score,
        reason=decision.reason,
        notes=orjson.dumps(list(decision.notes)).decode(),
        candidates=orjson.dumps([c.described() for c in decision.candidates]).decode(),
        duplicate_of=decision.duplicate_of,
        features=orjson.dumps(features.as_list()).decode(),
        linker=linkage.METHOD_VERSION,
        linked_time=moment,
    )


# Reading


def described(link: stored.Link | None) -> dict | None:
    """A payment's link as the API and the CLI give it."""
    if link is None:
        return None
    current = link.linker == linkage.METHOD_VERSION
    found = {
        "status": "linked" if link.linked else "unlinked",
        "ocid": link.ocid,
        "kind": link.target_kind,
        "id": link.target_id,
        "method": link.method,
        "score": link.score,
        "methodVersion": link.linker,
        "linkedAt": link.linked_time,
        "current": current,
        "notes": orjson.loads(link.notes),
        "reason": link.reason,
        "duplicateOf": link.duplicate_of,
    }
    if not link.linked:
        found["candidates"] = orjson.loads(link.candidates)
    return found


def links(store: Store, transactions: Iterable[dict]) -> dict[str, dict | None]:
    """The links of these transactions (as openbook.spend.page gives them), by id; None for
    one not linked yet, or linked at an older version of it."""
    listed = list(transactions)
    found = stored.links_of(store, [each["id"] for each in listed])
    answer: dict[str, dict | None] = {}
    for each in listed:
        link = found.get(each["id"])
        answer[each["id"]] = described(link) if link and link.version == each["version"] else None
    return answer


def has_payments(store: Store) -> bool:
    return stored.has_payments(store)


def unlinked(
    store: Store,
    *,
    body: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
) -> dict:
    """Payments linked to no contract, in date order: each with its transaction as stated,
    why it has no link, and its best candidates; ``next`` continues (None on the last page)."""
    found = stored.unlinked(
        store, body_key=spend.body_key(body) if body else None, after=after, limit=limit + 1
    )
    more, found = len(found) > limit, found[:limit]
    statements = log.statements_at(store, [seq for _, seq in found])
    payments = []
    for link, seq in found:
        statement = statements.get(seq)
        body_of = orjson.loads(statement.body) if statement and statement.body else None
        payments.append(
            {
                "id": link.payment_key,
                "version": link.version,
                "body": link.body_key,
                "date": link.date,
                "amount": link.amount,
                "currency": link.currency,
                "redacted": body_of is None,
                "transaction": body_of["transaction"] if body_of else None,
                "source": body_of["source"] if body_of else None,
                "link": described(link),
            }
        )
    last = found[-1][0] if found else None
    return {
        "payments": payments,
        "next": f"{last.date}/{last.payment_key}" if more and last else None,
    }


def spend_to_date(store: Store, ocid: str, contract_id: str | None = None) -> list[dict]:
    """What has been paid on a process's contracts (or one), by month, as the views show it
    (openbook.store.spend_links.spend_to_date)."""
    return [
        {
            "kind": each.target_kind,
            "id": each.target_id,
            "month": each.month,
            "currency": each.currency,
            "amount": each.amount,
            "payments": each.payments,
        }
        for each in stored.spend_to_date(store, ocid, contract_id)
    ]
