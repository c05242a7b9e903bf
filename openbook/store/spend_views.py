"""Reading payments with their links for what users see (openbook.spend_views; docs/spend.md,
"What users see"): a contract's payments, a supplier's, a body's spend coverage, the payments
to suppliers on the debarment list, and every payment for the bulk file. Reads only: the
payments are openbook.store.spend's rows, their links openbook.store.spend_links'.

A payment's link counts only at the payment's current version (``l.version = t.version``): a
payment corrected since it was linked is "not linked yet" until the next linking run."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openbook.standards.metrics.spend import LINKED, NOT_LINKED_YET, UNLINKED, Group
from openbook.store.database import Store, among, chunked, stream
from openbook.store.spend import PUBLISHED
from openbook.store.spend_links import NOTICE, SPEND

# How a published payment stands with the linker, in SQL.
_STATE = (
    f"CASE WHEN l.payment_key IS NULL OR l.version <> t.version THEN '{NOT_LINKED_YET}'"
    f" WHEN l.linked THEN '{LINKED}' ELSE '{UNLINKED}' END"
)
_PAYMENT = (
    "t.record_key, t.version, t.seq, t.body_key, t.body_name, t.date, t.amount, t.currency,"
    f" t.supplier_key, {_STATE}, l.ocid, l.target_kind, l.target_id, l.method, l.score,"
    " l.duplicate_of, l.linked_time"
)
_FROM = (
    " FROM spend_transaction t LEFT JOIN spend_link l ON l.payment_key = t.record_key"
    " AND l.version = t.version"
)


@dataclass(frozen=True, slots=True)
class Payment:
    """A published spend transaction and its link at its version, if any."""

    record_key: str
    version: int
    seq: int
    body_key: str
    body_name: str
    date: str
    amount: str  # decimal text
    currency: str
    supplier_key: str
    state: str  # LINKED, UNLINKED or NOT_LINKED_YET
    ocid: str | None
    target_kind: str | None
    target_id: str | None
    method: str | None
    score: float | None
    duplicate_of: str | None
    linked_time: str | None


def _sum(store: Store) -> str:
    """The SQL of a sum of amounts exact to the penny on both databases: PostgreSQL's numeric;
    on SQLite, whole pence (its decimals are floating point)."""
    if store.vendor == "postgresql":
        return "SUM(CAST(t.amount AS numeric))"
    return "SUM(CAST(ROUND(CAST(t.amount AS REAL) * 100) AS INTEGER))"


def _pounds(store: Store, value: object) -> Decimal:
    """A sum of ``_sum`` as pounds."""
    if value is None:
        return Decimal(0)
    if store.vendor == "postgresql":
        return Decimal(str(value)).quantize(Decimal("0.01"))
    return Decimal(str(value)) / 100


def _positive(store: Store) -> str:
    kind = "numeric" if store.vendor == "postgresql" else "REAL"
    return f"CAST(t.amount AS {kind}) > 0"


# Counting (spend coverage)


def groups(store: Store, *, body_key: str | None = None, stop: int | None = None) -> list[Group]:
    """The published payments (of one body; whose newest statement is below log entry
    ``stop``) counted by body, month, currency, linker state, sign and method."""
    where: list[str] = ["t.status = %s"]
    params: list = [PUBLISHED]
    if body_key is not None:
        where.append("t.body_key = %s")
        params.append(body_key)
    if stop is not None:
        where.append("t.seq < %s")
        params.append(stop)
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT t.body_key, substr(t.date, 1, 7), t.currency, {_STATE}, {_positive(store)},"
            f" CASE WHEN l.linked THEN l.method END, COUNT(*), {_sum(store)}{_FROM}"
            f" WHERE {' AND '.join(where)} GROUP BY 1, 2, 3, 4, 5, 6",
            params,
        )
        return [
            Group(key, month or None, currency, state, bool(positive), method, int(count),
                  _pounds(store, total))
            for key, month, currency, state, positive, method, count, total in cursor.fetchall()
        ]  # fmt: skip


def body_names(store: Store, body_keys: Sequence[str] | None = None) -> dict[str, str]:
    """A name of each paying body with published payments (of these, if given)."""
    found: dict[str, str] = {}
    with store.cursor() as cursor:
        if body_keys is None:
            cursor.execute(
                "SELECT body_key, MIN(body_name) FROM spend_transaction WHERE status = %s"
                " GROUP BY body_key",
                [PUBLISHED],
            )
            return dict(cursor.fetchall())
        for chunk in chunked(sorted(set(body_keys)), 500):
            condition, params = among(store, "body_key", chunk)
            cursor.execute(
                "SELECT body_key, MIN(body_name) FROM spend_transaction"
                f" WHERE status = %s AND {condition} GROUP BY body_key",
                [PUBLISHED, *params],
            )
            found.update(cursor.fetchall())
    return found


def bodies_among(store: Store, body_keys: Sequence[str]) -> list[str]:
    """Those of these keys that are paying bodies with published payments."""
    return sorted(body_names(store, body_keys))


# A contract's payments


@dataclass(frozen=True, slots=True)
class Linked:
    """A payment linked to a process: a spend transaction, or a payment a notice published."""

    payment_key: str
    kind: str  # SPEND or NOTICE
    version: int
    body_key: str
    date: str | None
    amount: str | None
    currency: str | None
    target_kind: str
    target_id: str
    method: str
    score: float
    notes: str  # JSON
    duplicate_of: str | None
    features: str  # JSON
    linker: str
    linked_time: str
    seq: int | None  # a spend transaction's newest statement
    current: bool  # linked at the transaction's current version (a notice's: always)
    body_name: str | None


def linked_to(
    store: Store, ocid: str, *, before: tuple[str, str] | None = None, limit: int = 100
) -> list[Linked]:
    """The payments linked to a process's contracts and awards, the newest first (by date,
    then key), before ``before`` (date, key); undated ones last."""
    where, params = ["l.ocid = %s", "l.linked = %s"], [ocid, True]
    if before is not None:
        where.append(
            "(COALESCE(l.date, '') < %s OR (COALESCE(l.date, '') = %s AND l.payment_key < %s))"
        )
        params += [before[0], before[0], before[1]]
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT l.payment_key, l.kind, l.version, l.body_key, l.date, l.amount, l.currency,"
            " l.target_kind, l.target_id, l.method, l.score, l.notes, l.duplicate_of,"
            " l.features, l.linker, l.linked_time, t.seq, t.version, t.body_name"
            " FROM spend_link l LEFT JOIN spend_transaction t ON t.record_key = l.payment_key"
            f" WHERE {' AND '.join(where)}"
            " ORDER BY COALESCE(l.date, '') DESC, l.payment_key DESC LIMIT %s",
            [*params, limit],
        )
        return [_linked(row) for row in cursor.fetchall()]


def _linked(row: Sequence) -> Linked:
    (key, kind, version, body_key, day, amount, currency, target_kind, target_id, method, score,
     notes, duplicate_of, features, linker, linked_time, seq, current_version,
     body_name) = row  # fmt: skip
    return Linked(
        key, kind, version, body_key, day, amount, currency, target_kind, target_id, method,
        score, notes, duplicate_of, features, linker, linked_time, seq,
        kind == NOTICE or current_version == version, body_name,
    )  # fmt: skip


def count_linked_to(store: Store, ocid: str) -> int:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM spend_link WHERE ocid = %s AND linked = %s", [ocid, True]
        )
        return int(cursor.fetchone()[0])


# A supplier's payments


def supplier_ocids(store: Store, identifier: str) -> list[str]:
    """The processes naming this organisation as a supplier."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT s.ocid FROM process_party p JOIN process_search s"
            " ON s.id = p.process_id WHERE p.identifier = %s AND p.roles LIKE %s ORDER BY s.ocid",
            [identifier, "%supplier%"],
        )
        return [row[0] for row in cursor.fetchall()]


@dataclass(frozen=True, slots=True)
class Received:
    """Published payments of one body to a supplier, alike in currency and linker state."""

    body_key: str
    body_name: str
    currency: str
    state: str
    payments: int
    amount: Decimal
    first: str  # the earliest payment's date
    last: str


def received_by_name(store: Store, supplier_keys: Sequence[str]) -> list[Received]:
    """Payments to these suppliers' names (their keys), by body, currency and linker state."""
    found: list[Received] = []
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(supplier_keys)), 200):
            condition, params = among(store, "t.supplier_key", chunk)
            cursor.execute(
                f"SELECT t.body_key, MIN(t.body_name), t.currency, {_STATE}, COUNT(*),"
                f" {_sum(store)}, MIN(t.date), MAX(t.date){_FROM}"
                f" WHERE t.status = %s AND {condition} GROUP BY t.body_key, t.currency, 4",
                [PUBLISHED, *params],
            )
            found += [
                Received(key, name, currency, state, int(count), _pounds(store, total), first,
                         last)
                for key, name, currency, state, count, total, first, last in cursor.fetchall()
            ]  # fmt: skip
    return found


def paid_to_names(
    store: Store,
    supplier_keys: Sequence[str],
    *,
    body_key: str | None = None,
    limit: int | None = None,
) -> list[Payment]:
    """Published payments to these suppliers' names (of one body), the newest first; at most
    ``limit``."""
    found: list[Payment] = []
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(supplier_keys)), 200):
            condition, params = among(store, "t.supplier_key", chunk)
            where = f"t.status = %s AND {condition}"
            if body_key is not None:
                where += " AND t.body_key = %s"
                params.append(body_key)
            cursor.execute(
                f"SELECT {_PAYMENT}{_FROM} WHERE {where} ORDER BY t.date DESC, t.record_key DESC"
                + (" LIMIT %s" if limit is not None else ""),
                [PUBLISHED, *params] + ([limit] if limit is not None else []),
            )
            found += [Payment(*row) for row in cursor.fetchall()]
    found.sort(key=lambda each: (each.date, each.record_key), reverse=True)
    return found[:limit] if limit is not None else found


def paid_under(
    store: Store,
    ocids: Sequence[str],
    *,
    body_key: str | None = None,
    other_than: Sequence[str] = (),
) -> list[Payment]:
    """Published payments linked (at their version) to these processes (paid by one body;
    to suppliers of names other than these keys), the newest first."""
    found: list[Payment] = []
    others = sorted(set(other_than))
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(ocids)), 200):
            condition, params = among(store, "l.ocid", chunk)
            where = f"t.status = %s AND l.kind = %s AND l.linked = %s AND {condition}"
            params = [PUBLISHED, SPEND, True, *params]
            if body_key is not None:
                where += " AND t.body_key = %s"
                params.append(body_key)
            if others:
                # A few names, from the processes naming the supplier: one list, not chunked.
                where += f" AND t.supplier_key NOT IN ({', '.join(['%s'] * len(others))})"
                params += others
            cursor.execute(f"SELECT {_PAYMENT}{_FROM} WHERE {where}", params)
            found += [Payment(*row) for row in cursor.fetchall()]
    found.sort(key=lambda each: (each.date, each.record_key), reverse=True)
    return found


# A body's payments


def body_span(store: Store, body_key: str) -> tuple[str, str, str] | None:
    """A body's first and last payment dates, and a name it was given; None for a body with no
    published payments. Read along the body's index, whatever its size."""
    with store.cursor() as cursor:
        found = []
        for order in ("", " DESC"):
            cursor.execute(
                "SELECT date, body_name FROM spend_transaction WHERE body_key = %s"
                f" AND status = %s ORDER BY date{order}, record_key{order} LIMIT 1",
                [body_key, PUBLISHED],
            )
            found.append(cursor.fetchone())
    first, last = found
    if first is None or last is None:
        return None
    return first[0], last[0], first[1]


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A supplier a body paid without a link, by currency: how often, how much, and its
    newest payment's statement (for the name it was written with)."""

    supplier_key: str
    currency: str
    payments: int
    amount: Decimal
    seq: int


def largest_unlinked(store: Store, body_key: str, limit: int) -> list[Unlinked]:
    """The suppliers a body paid most without a link (the linker found none), the most first:
    the body's payments along their index, each with its link (120 to 250 ms for a body of
    200,000 payments)."""
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT t.supplier_key, t.currency, COUNT(*), {_sum(store)}, MAX(t.seq){_FROM}"
            " WHERE t.body_key = %s AND t.status = %s AND l.linked = %s"
            " GROUP BY t.supplier_key, t.currency ORDER BY 4 DESC, 1 LIMIT %s",
            [body_key, PUBLISHED, False, limit],
        )
        return [
            Unlinked(key, currency, int(count), _pounds(store, total), seq)
            for key, currency, count, total, seq in cursor.fetchall()
        ]


@dataclass(frozen=True, slots=True)
class Mention:
    """An organisation as the processes name it: its name's key, and a process it supplies."""

    identifier: str
    name_key: str
    ocid: str
    supplier: bool


def mentions(store: Store, identifiers: Sequence[str]) -> list[Mention]:
    """Every party of a process carrying one of these identifiers."""
    found: list[Mention] = []
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(identifiers)), 200):
            condition, params = among(store, "p.identifier", chunk)
            cursor.execute(
                "SELECT p.identifier, p.name_key, s.ocid, p.roles FROM process_party p"
                f" JOIN process_search s ON s.id = p.process_id WHERE {condition}",
                params,
            )
            found += [
                Mention(identifier, key, ocid, "supplier" in roles.split())
                for identifier, key, ocid, roles in cursor.fetchall()
            ]
    return found


# Every payment, for the bulk file


@dataclass(frozen=True, slots=True)
class Bulk:
    payment: Payment
    body: str | bytes | None  # its newest statement's body; None once redacted
    notes: str | None  # the link's JSON, when linked or not
    reason: str | None
    candidates: str | None
    linker: str | None


def every(store: Store) -> Iterator[Bulk]:
    """Every published payment, in id order, with its newest statement and its link at its
    version; streamed."""
    for row in stream(
        store,
        f"SELECT {_PAYMENT}, b.body, l.notes, l.reason, l.candidates, l.linker{_FROM}"
        " LEFT JOIN log_body b ON b.seq = t.seq WHERE t.status = %s ORDER BY t.record_key",
        [PUBLISHED],
    ):
        yield Bulk(Payment(*row[:17]), *row[17:])


def buyer_identifiers(store: Store, body_key: str) -> list[str]:
    """The identifiers of the buyers of published contracts that a paying body's key names (by
    identifier, or by name's key)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT buyer_id FROM spend_target WHERE buyer_id IS NOT NULL"
            " AND (buyer_id = %s OR buyer_key = %s) ORDER BY buyer_id",
            [body_key, body_key],
        )
        return [row[0] for row in cursor.fetchall()]
