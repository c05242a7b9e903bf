"""Payments linked to contracts (openbook.spend_links; docs/spend.md, "Linkage"): the link
targets read from compiled releases (``spend_target``, and in ``spend_target_process`` which
version of each process they were read from), each payment's link or why it has none
(``spend_link``), and the ocids payments name (``spend_link_name``). All of it is derived from
the log and the compiled records, and rebuilt whole by a full run."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

import orjson

from openbook.standards.spend.contracts import Buyer, NoticePayment, Supplier, Target
from openbook.store.database import STATISTICS_AFTER, Store, among, chunked, exact_sum
from openbook.store.log import insert_rows
from openbook.store.spend import PUBLISHED, WITHDRAWN

SPEND = "spend"
NOTICE = "notice"
# Stages at which a process can have awards or contracts (openbook.standards.ocds.terms).
_AWARDED_STAGES = ("award", "contract", "implementation")
_TARGET_COLUMNS = (
    "ocid",
    "kind",
    "target_id",
    "award_id",
    "buyer_id",
    "buyer_key",
    "buyer_name",
    "suppliers",
    "amount",
    "currency",
    "start_date",
    "end_date",
    "refs",
    "title",
    "framework",
)


@dataclass(frozen=True, slots=True)
class Link:
    """A payment's row: its link, or why it has none."""

    payment_key: str
    kind: str  # SPEND or NOTICE
    version: int
    body_key: str
    date: str | None
    amount: str | None  # decimal text
    currency: str | None
    linked: bool
    ocid: str | None
    target_kind: str | None
    target_id: str | None
    method: str | None
    score: float
    reason: str | None
    notes: str  # JSON
    candidates: str  # JSON
    duplicate_of: str | None
    features: str  # JSON
    linker: str
    linked_time: str

    def decided(self) -> tuple:
        """What a run decides: a row alike in this is not written again."""
        return (
            self.version,
            self.body_key,
            self.date,
            self.amount,
            self.currency,
            self.linked,
            self.ocid,
            self.target_kind,
            self.target_id,
            self.method,
            self.score,
            self.reason,
            self.notes,
            self.candidates,
            self.duplicate_of,
            self.features,
            self.linker,
        )


_LINK_COLUMNS = tuple(Link.__dataclass_fields__)
_LINK_SELECT = ", ".join(f"l.{column}" for column in _LINK_COLUMNS)
_LINK_ROW = attrgetter(*_LINK_COLUMNS)  # a link as a row, faster than dataclasses.astuple


# Targets


def changed_processes(
    store: Store,
) -> tuple[list[tuple[str, int, bool]], list[str], set[str]]:
    """Processes whose targets are to be read again: (ocid, search row id, whether it has
    reached the award stage) of those new or changed since last read, the ocids read before
    that are no longer searched, and those of the changed that were read before (the only
    ones with targets to replace)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT s.ocid, s.id, s.stage, p.seq IS NOT NULL FROM process_search s"
            " LEFT JOIN spend_target_process p ON p.ocid = s.ocid"
            " WHERE p.seq IS NULL OR p.seq <> s.id ORDER BY s.ocid"
        )
        changed, before = [], set()
        for ocid, seq, stage, read in cursor:
            changed.append((ocid, seq, stage in _AWARDED_STAGES))
            if read:
                before.add(ocid)
        cursor.execute(
            "SELECT p.ocid FROM spend_target_process p"
            " LEFT JOIN process_search s ON s.ocid = p.ocid WHERE s.ocid IS NULL ORDER BY p.ocid"
        )
        gone = [row[0] for row in cursor]
    return changed, gone, before


def forget_targets(store: Store) -> None:
    """Read every process again on the next run (a full run): what was read of them goes
    too, so that only a process read before has targets and notices' payments to replace."""
    with store.atomic() as cursor:
        cursor.execute("DELETE FROM spend_target_process")
        cursor.execute("DELETE FROM spend_target")
        cursor.execute("DELETE FROM spend_link WHERE kind = %s", [NOTICE])


def buyers_of(store: Store, ocids: Sequence[str]) -> set[Buyer]:
    found: set[Buyer] = set()
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(ocids)), 500):
            condition, params = among(store, "ocid", chunk)
            cursor.execute(
                f"SELECT DISTINCT buyer_id, buyer_key FROM spend_target WHERE {condition}", params
            )
            found.update(Buyer(*row) for row in cursor)
    return found


def save_targets(
    store: Store,
    processes: Sequence[tuple[str, int]],
    targets: Sequence[Target],
    notices: Sequence[Link],
    before: Iterable[str] | None = None,
) -> None:
    """Replace what was read of these processes (ocid, seq): their targets, and the payments
    their notices published; in one transaction. ``before``: those of them read before, if
    known (a process never read has nothing to delete: a first run's deletes cost it as much
    as its inserts)."""
    ocids = [ocid for ocid, _ in processes]
    if before is not None:
        read = set(before)
        ocids = [ocid for ocid in ocids if ocid in read]
    with store.atomic() as cursor:
        for chunk in chunked(ocids, 500):
            condition, params = among(store, "ocid", chunk)
            cursor.execute(f"DELETE FROM spend_target WHERE {condition}", params)
            cursor.execute(f"DELETE FROM spend_target_process WHERE {condition}", params)
            cursor.execute(
                f"DELETE FROM spend_link WHERE kind = %s AND {condition}", [NOTICE, *params]
            )
        insert_rows(store, cursor, "spend_target_process", ("ocid", "seq"), list(processes))
        if targets:
            insert_rows(store, cursor, "spend_target", _TARGET_COLUMNS, [_row(t) for t in targets])
        if notices:
            insert_rows(
                store, cursor, "spend_link", _LINK_COLUMNS, [_LINK_ROW(each) for each in notices]
            )


def _row(target: Target) -> tuple:
    suppliers = [[s.identifier, s.key, s.name, s.postcode] for s in target.suppliers]
    return (
        target.ocid,
        target.kind,
        target.id,
        target.award_id,
        target.buyer_id,
        target.buyer_key,
        target.buyer_name,
        orjson.dumps(suppliers).decode(),
        target.amount,
        target.currency,
        target.start,
        target.end,
        "\n".join(target.references),
        target.title,
        target.framework,
    )


def _target(row: Sequence) -> Target:
    (ocid, kind, target_id, award_id, buyer_id, buyer_key, buyer_name, suppliers, amount,
     currency, start, end, refs, title, framework) = row  # fmt: skip
    return Target(
        ocid=ocid,
        kind=kind,
        id=target_id,
        award_id=award_id,
        buyer_id=buyer_id,
        buyer_key=buyer_key,
        buyer_name=buyer_name,
        suppliers=tuple(Supplier(*each) for each in orjson.loads(suppliers)),
        amount=amount,
        currency=currency,
        start=start,
        end=end,
        references=tuple(refs.split("\n")) if refs else (),
        title=title,
        framework=bool(framework),
    )


def buyers(store: Store) -> list[Buyer]:
    """Every buyer a target names."""
    with store.cursor() as cursor:
        cursor.execute("SELECT DISTINCT buyer_id, buyer_key FROM spend_target")
        return [Buyer(*row) for row in cursor]


def targets_of_buyers(store: Store, chosen: Iterable[Buyer]) -> list[Target]:
    """The targets whose buyer is one of these (by identifier, else by name key)."""
    ids = sorted({each.id for each in chosen if each.id})
    keys = sorted({each.key for each in chosen if not each.id})
    found: dict[tuple[str, str, str], Target] = {}
    with store.cursor() as cursor:
        for column, values in (("buyer_id", ids), ("buyer_key", keys)):
            for chunk in chunked(values, 500):
                condition, params = among(store, column, chunk)
                extra = " AND buyer_id IS NULL" if column == "buyer_key" else ""
                cursor.execute(
                    f"SELECT {', '.join(_TARGET_COLUMNS)} FROM spend_target"
                    f" WHERE {condition}{extra} ORDER BY id",
                    params,
                )
                for row in cursor:
                    target = _target(row)
                    found.setdefault((target.ocid, target.kind, target.id), target)
    return list(found.values())


def targets_of_ocids(store: Store, ocids: Sequence[str]) -> dict[str, list[Target]]:
    """The targets of each of these ocids that is a process searched here (an empty list for
    a process without any); ocids not searched here are left out."""
    found: dict[str, list[Target]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(ocids)), 500):
            condition, params = among(store, "ocid", chunk)
            cursor.execute(f"SELECT ocid FROM process_search WHERE {condition}", params)
            for (ocid,) in cursor.fetchall():
                found[ocid] = []
            cursor.execute(
                f"SELECT {', '.join(_TARGET_COLUMNS)} FROM spend_target WHERE {condition}"
                " ORDER BY id",
                params,
            )
            for row in cursor:
                found.setdefault(row[0], []).append(_target(row))
    return found


def notices_of(store: Store, ocids: Sequence[str]) -> list[NoticePayment]:
    """The payments these processes' notices published, as the linker reads them."""
    found = []
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(ocids)), 500):
            condition, params = among(store, "ocid", chunk)
            cursor.execute(
                "SELECT ocid, target_id, date, amount, currency, features"
                f" FROM spend_link WHERE kind = %s AND {condition}",
                [NOTICE, *params],
            )
            for ocid, contract_id, day, amount, currency, features in cursor:
                payer_id, payer_key, payee_id, payee_key, transaction_id = orjson.loads(features)
                found.append(
                    NoticePayment(
                        ocid=ocid,
                        contract_id=contract_id,
                        id=transaction_id,
                        date=day,
                        amount=float(amount) if amount is not None else None,
                        currency=currency,
                        payer_id=payer_id,
                        payer_key=payer_key,
                        payee_id=payee_id,
                        payee_key=payee_key,
                    )
                )
    return found


def supplier_identifiers_by_name(store: Store) -> dict[str, str]:
    """Name keys that the organisations' mentions as suppliers give one identifier only, with
    that identifier (openbook.store.parties: process_party)."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT name_key, MIN(identifier) FROM process_party"
            " WHERE identifier IS NOT NULL AND name_key <> '' AND roles LIKE %s"
            " GROUP BY name_key HAVING COUNT(DISTINCT identifier) = 1",
            ["%supplier%"],
        )
        return dict(cursor.fetchall())


# Payments


def paying_bodies(store: Store) -> list[tuple[str, str, int]]:
    """(key, a name, published transactions) of every body with published transactions."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT body_key, MIN(body_name), COUNT(*) FROM spend_transaction WHERE status = %s"
            " GROUP BY body_key ORDER BY body_key",
            [PUBLISHED],
        )
        return [(key, name, int(count)) for key, name, count in cursor]


def stale(store: Store, linker: str) -> dict[str, set[str]]:
    """Published transactions not linked at their version by this linker, by body."""
    found: dict[str, set[str]] = {}
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT t.body_key, t.record_key FROM spend_transaction t"
            " LEFT JOIN spend_link l ON l.payment_key = t.record_key"
            " WHERE t.status = %s AND (l.payment_key IS NULL OR l.version <> t.version"
            " OR l.linker <> %s)",
            [PUBLISHED, linker],
        )
        for body_key, key in cursor:
            found.setdefault(body_key, set()).add(key)
    return found


def outdated(store: Store, linker: str) -> bool:
    """Whether any payment was linked by another version of the method."""
    with store.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spend_link WHERE linker <> %s LIMIT 1", [linker])
        return cursor.fetchone() is not None


def naming(store: Store, ocids: Iterable[str]) -> dict[str, set[str]]:
    """Payments whose text may name one of these ocids, by body."""
    found: dict[str, set[str]] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(ocids)), 500):
            condition, params = among(store, "n.ocid", chunk)
            cursor.execute(
                "SELECT DISTINCT l.body_key, l.payment_key FROM spend_link_name n"
                f" JOIN spend_link l ON l.payment_key = n.payment_key WHERE {condition}",
                params,
            )
            for body_key, key in cursor:
                found.setdefault(body_key, set()).add(key)
    return found


@dataclass(frozen=True, slots=True)
class Paid:
    """A published transaction, and its link if it has one."""

    record_key: str
    version: int
    seq: int
    body_key: str
    date: str
    amount: str
    currency: str
    supplier_key: str
    link: Link | None


def payments_of(store: Store, body_key: str, keys: Sequence[str] | None = None) -> list[Paid]:
    """A body's published transactions (only these, if given), with their links."""
    select = (
        "SELECT t.record_key, t.version, t.seq, t.body_key, t.date, t.amount, t.currency,"
        f" t.supplier_key, l.payment_key, {_LINK_SELECT} FROM spend_transaction t"
        " LEFT JOIN spend_link l ON l.payment_key = t.record_key"
        " WHERE t.body_key = %s AND t.status = %s"
    )
    found = []
    with store.cursor() as cursor:
        batches: Iterable[Sequence[str] | None] = (
            [None] if keys is None else chunked(sorted(keys), 500)
        )
        for chunk in batches:
            params: list = [body_key, PUBLISHED]
            sql = select
            if chunk is not None:
                condition, more = among(store, "t.record_key", chunk)
                sql += f" AND {condition}"
                params += more
            cursor.execute(sql + " ORDER BY t.record_key", params)
            for row in cursor:
                key, version, seq, body, day, amount, currency, supplier_key = row[:8]
                link = Link(*row[9:]) if row[8] is not None else None
                found.append(
                    Paid(key, version, seq, body, day, amount, currency, supplier_key, link)
                )
    return found


def drop_withdrawn(store: Store) -> int:
    """Forget the links of transactions withdrawn since; returns how many."""
    with store.atomic() as cursor:
        cursor.execute(
            "DELETE FROM spend_link_name WHERE payment_key IN (SELECT record_key"
            " FROM spend_transaction WHERE status = %s)",
            [WITHDRAWN],
        )
        cursor.execute(
            "DELETE FROM spend_link WHERE kind = %s AND payment_key IN (SELECT record_key"
            " FROM spend_transaction WHERE status = %s)",
            [SPEND, WITHDRAWN],
        )
        return max(cursor.rowcount, 0)


def save_links(
    store: Store,
    links: Sequence[Link],
    names: Sequence[tuple[str, str]],
    replacing: Sequence[str] = (),
) -> None:
    """Write these payments' links, and the ocids (ocid, payment key) their text may name, in
    place of what the payments ``replacing`` had; in one transaction."""
    if not links:
        return
    with store.atomic() as cursor:
        for chunk in chunked(sorted(replacing), 500):
            condition, params = among(store, "payment_key", chunk)
            cursor.execute(f"DELETE FROM spend_link WHERE {condition}", params)
            cursor.execute(f"DELETE FROM spend_link_name WHERE {condition}", params)
        insert_rows(store, cursor, "spend_link", _LINK_COLUMNS, list(map(_LINK_ROW, links)))
        if names:
            insert_rows(store, cursor, "spend_link_name", ("ocid", "payment_key"), list(names))


# Reading


def links_of(store: Store, keys: Sequence[str]) -> dict[str, Link]:
    found: dict[str, Link] = {}
    with store.cursor() as cursor:
        for chunk in chunked(sorted(set(keys)), 500):
            condition, params = among(store, "l.payment_key", chunk)
            cursor.execute(f"SELECT {_LINK_SELECT} FROM spend_link l WHERE {condition}", params)
            found.update((row[0], Link(*row)) for row in cursor)
    return found


def unlinked(
    store: Store,
    *,
    body_key: str | None = None,
    after: tuple[str, str] | None = None,
    limit: int = 100,
) -> list[tuple[Link, int]]:
    """Published spend transactions linked (at their version) to no contract, in date order
    (then key), after ``after``; each with its newest statement's seq."""
    where = ["l.linked = %s", "l.kind = %s", "t.status = %s", "t.version = l.version"]
    params: list = [False, SPEND, PUBLISHED]
    if body_key is not None:
        where.append("l.body_key = %s")
        params.append(body_key)
    if after is not None:
        where.append("(l.date > %s OR (l.date = %s AND l.payment_key > %s))")
        params += [after[0], after[0], after[1]]
    with store.cursor() as cursor:
        cursor.execute(
            f"SELECT {_LINK_SELECT}, t.seq FROM spend_link l"
            " JOIN spend_transaction t ON t.record_key = l.payment_key"
            f" WHERE {' AND '.join(where)} ORDER BY l.date, l.payment_key LIMIT %s",
            [*params, limit],
        )
        return [(Link(*row[:-1]), row[-1]) for row in cursor]


@dataclass(frozen=True, slots=True)
class MonthSpent:
    target_kind: str
    target_id: str
    month: str  # YYYY-MM
    currency: str | None
    amount: str  # decimal text: the sum of the payments
    payments: int


def spend_to_date(store: Store, ocid: str, target_id: str | None = None) -> list[MonthSpent]:
    """What has been paid on a process's contracts (or one of them), by month and currency:
    the payments linked to them, each once (a spend row that is a notice's payment counts as
    the notice's), in month order."""
    where, params = ["ocid = %s", "linked = %s", "duplicate_of IS NULL"], [ocid, True]
    if target_id is not None:
        where.append("target_id = %s")
        params.append(target_id)
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT target_kind, target_id, substr(date, 1, 7), currency,"
            f" {exact_sum(store, 'amount')}, COUNT(*) FROM spend_link"
            f" WHERE {' AND '.join(where)}"
            " GROUP BY target_kind, target_id, substr(date, 1, 7), currency"
            " ORDER BY target_kind, target_id, substr(date, 1, 7), currency",
            params,
        )
        return [
            MonthSpent(kind, target, month, currency, _decimal(total), int(count))
            for kind, target, month, currency, total, count in cursor
        ]


def _decimal(value: object) -> str:
    """An exact sum (``exact_sum``) as decimal text, rounded once to the penny."""
    return f"{Decimal(str(value)):.2f}"


def counts(store: Store) -> dict[str, int]:
    """Spend transactions linked, by method, and those not linked ("unlinked")."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(method, 'unlinked'), COUNT(*) FROM spend_link WHERE kind = %s"
            " GROUP BY COALESCE(method, 'unlinked')",
            [SPEND],
        )
        return dict(sorted((method, int(count)) for method, count in cursor))


def has_notices(store: Store) -> bool:
    """Whether any notice published a payment."""
    with store.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spend_link WHERE kind = %s LIMIT 1", [NOTICE])
        return cursor.fetchone() is not None


def has_payments(store: Store) -> bool:
    """Whether the spend register holds any published transaction."""
    with store.cursor() as cursor:
        cursor.execute("SELECT 1 FROM spend_transaction WHERE status = %s LIMIT 1", [PUBLISHED])
        return cursor.fetchone() is not None


def linked_transactions(store: Store) -> list[tuple]:
    """(body key, transaction number, linked, ocid, target kind, target id, method) of every
    published transaction linked at its version: what the benchmark compares with the truth."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT t.body_key, t.transaction_number, l.linked, l.ocid, l.target_kind,"
            " l.target_id, l.method FROM spend_transaction t"
            " JOIN spend_link l ON l.payment_key = t.record_key AND l.version = t.version"
            " WHERE t.status = %s",
            [PUBLISHED],
        )
        return cursor.fetchall()


_ANALYSED = ("spend_target", "spend_target_process", "spend_link", "spend_link_name")


def refresh_statistics(store: Store) -> None:
    """Refresh PostgreSQL's planner statistics of the linkage's tables, each once it has
    doubled since they were last taken (from STATISTICS_AFTER rows; see openbook.store.spend
    .refresh_statistics): planned for empty tables, a run's look-ups by buyer and by payment
    read them whole. Each table on its own count: the targets, read once a run, are not
    sampled again at every doubling of the links (issue 9). SQLite keeps none. One query a
    call otherwise."""
    if store.vendor != "postgresql":
        return
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT s.relname, s.n_live_tup, c.reltuples FROM pg_stat_user_tables s"
            " JOIN pg_class c ON c.oid = s.relid WHERE s.relname = ANY(%s) ORDER BY s.relname",
            [list(_ANALYSED)],
        )
        stale = {
            name
            for name, rows, analysed in cursor.fetchall()
            if rows >= STATISTICS_AFTER and rows > 2 * max(analysed, 0)
        }
        if stale:
            cursor.execute(f"ANALYZE {', '.join(each for each in _ANALYSED if each in stale)}")
