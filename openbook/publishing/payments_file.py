"""A quarter's payments under public contracts published from one file (Procurement Act 2023,
s.70; issue 9, item 1; docs/spend.md, "Payments under public contracts: by file").

A contracting authority publishes every payment of more than £30,000 it made under a public
contract, within 30 days of the end of the quarter; the Cabinet Office's guidance lets it upload
one file for the quarter rather than a notice per payment. This reads such a file (CSV, or JSON
Lines of the same fields), one row per payment, and makes of each contract's payments one
contract payments notice (UK8: ``contracts[].implementation.transactions``, as the UK8 form
writes them, openbook.publishing.notice_forms.performance), then publishes them all through the
publish use case (openbook.publishing.publish), with exactly its checks, in one request: the
whole file is published or none of it.

Each row's problems name the file, the row (its line, the header being line 1) and the column.
A payment's transaction id is made from the payment itself (``payment-`` and the authority's own
reference, or its day and amount), so a row already published is recognised and not published
again: the same file twice is a no-op, and a file with rows added publishes only those. A row
whose transaction its contract has with another day, amount, currency or payee refuses the
file: a file adds payments and never changes one (docs/contract-payments.md, "Correcting a
payment"). What is
checked here (the file, each value, the contract and whose it is) comes first, so that each
problem names its row; the publish use case checks the releases again, and its problems are
named by the rows they come from.
"""

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from openbook import config
from openbook.publishing import scope
from openbook.publishing.answers import Outcome, Problem, Refused
from openbook.publishing.notice_forms.following import entries, repeated_tender, with_roles
from openbook.publishing.notice_forms.questions import (
    LONDON,
    Context,
    moment,
    notice_document,
    start_of,
)
from openbook.publishing.payments_rows import (
    CSV,
    JSON_LINES,
    Payment,
    PaymentsRefused,
    RowProblem,
    checked_rows,
    duplicates,
    kind_of,
    read,
)
from openbook.publishing.publish import publish
from openbook.publishing.publishers import Actor
from openbook.records import BARE_EXTENSIONS
from openbook.store import records
from openbook.store.publishers import Organisation

__all__ = ["CSV", "JSON_LINES", "PaymentsRefused", "Published", "RowProblem", "kind_of"]

CODE = "UK8"
REGISTER = "ocds"


@dataclass(slots=True)
class Published:
    """What the file became: a notice per contract, each with the rows it carries."""

    file: str
    rows: int
    payments: int  # published now (or, checking, that would be)
    already: int  # rows already published before, not published again
    releases: list[dict] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)  # none blocking

    @property
    def created(self) -> bool:
        return any(release["status"] == "created" for release in self.releases)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "payments": self.payments,
            "alreadyPublished": self.already,
            "releases": self.releases,
            "problems": [
                problem.as_dict() for problem in sorted(self.problems, key=lambda p: p.row or 0)
            ],
        }


def publish_payments(
    store,
    organisation: Organisation,
    data: bytes,
    actor: Actor,
    *,
    name: str,
    kind: str,
    now: datetime | None = None,
    dry_run: bool = False,
    via: str = "file",
) -> Published:
    """Publish the payments of the file ``data`` (named ``name``, of ``kind`` CSV or JSON
    Lines) for ``organisation``: all of them, or none (``PaymentsRefused`` with every problem).
    Idempotent: rows already published are reported and skipped. ``dry_run``: the same checks
    and answer, nothing stored. ``via``: how it came (the statements' source names it)."""
    moment_now = now or datetime.now(UTC)
    found = read(data, name, kind)
    payments, problems = checked_rows(found, name, moment_now.astimezone(LONDON).date())
    compiled = _compiled(store, sorted({p.ocid for p in payments}))
    contracts = _contracts(payments, compiled, organisation, name, problems)
    duplicates(payments, contracts, name, problems)  # by the contract each row pays under
    problems.sort(key=lambda problem: problem.row or 0)  # in the file's order, stably
    _refuse_if_blocking(problems)
    new, already = _new_payments(payments, contracts, compiled, name, problems)
    _refuse_if_blocking(problems)  # a payment published already, and differently
    answer = Published(name, len(found[1]), len(new), already, problems=problems)
    if not new:
        return answer
    groups: dict[tuple[str, str], list[Payment]] = {}
    for payment in new:
        groups.setdefault((payment.ocid, contracts[payment.row]), []).append(payment)
    most = config.publish_max_releases()
    if len(groups) > most:
        raise PaymentsRefused(
            413,
            "too-many-contracts",
            f"the file pays under {len(groups):,} contracts; one file may hold at most {most:,} "
            "(a notice each): split it",
        )
    releases = [
        _release(
            organisation,
            process=compiled[ocid],
            ocid=ocid,
            contract_id=contract,
            paid=paid,
            now=moment_now,
        )
        for (ocid, contract), paid in sorted(groups.items())
    ]
    package = {
        "uri": f"urn:openbook:payments:{hashlib.sha256(data).hexdigest()}",
        "version": "1.1",
        "extensions": list(BARE_EXTENSIONS),
        "publishedDate": moment(moment_now.astimezone(LONDON)),
        "publisher": {"name": organisation.name},
        "license": config.licence(),
        "releases": releases,
    }
    carried = [(contract, paid) for (_, contract), paid in sorted(groups.items())]
    try:
        outcome = publish(
            store,
            organisation,
            package,
            actor,
            dry_run=dry_run,
            source=f"payments file {name[:200]!r} ({via}) {actor.who}",
        )
    except Refused as refused:
        raise PaymentsRefused(
            refused.status,
            refused.code,
            refused.message,
            [
                _from_release(problem, carried, name)
                for problem in refused.problems
                if _publishers(problem)
            ],
        ) from None
    answer.releases = _described(outcome, carried)
    # The package is this module's wrapping, not the publisher's: its own warnings are not theirs.
    answer.problems += [
        _from_release(problem, carried, name)
        for problem in outcome.problems
        if _publishers(problem)
    ]
    return answer


def _publishers(problem: Problem) -> bool:
    """Whether a problem of the publish use case is the publisher's: one of a release made of
    the file's rows, or one that blocks. The package is this module's wrapping, not the
    publisher's: its own warnings (no ``publicationPolicy``) are not theirs."""
    return problem.release is not None or problem.blocking


def _compiled(store, ocids: list[str]) -> dict[str, dict]:
    found = records.compiled_of(store, REGISTER, ocids)
    return {ocid: orjson.loads(text) for ocid, text in found.items()}


def _contracts(
    payments: list[Payment],
    compiled: Mapping[str, dict],
    organisation: Organisation,
    name: str,
    problems: list[RowProblem],
) -> dict[int, str]:
    """The contract each row pays under, by row: the process must be the organisation's, and
    the contract one of its contracts (the only one, when the row names none)."""
    chosen: dict[int, str] = {}
    for payment in payments:

        def problem(column: str, code: str, message: str, row: int = payment.row) -> None:
            problems.append(RowProblem(name, row, column, code, message))

        process = compiled.get(payment.ocid)
        if process is None:
            problem(
                "ocid",
                "contract-unknown",
                f"no procurement {payment.ocid[:100]!r} is published here: give the ocid of "
                "the procurement the contract was awarded under",
            )
            continue
        buyer = scope.buyer_of(process)
        if buyer is None or not scope.names(buyer, organisation):
            problem(
                "ocid",
                "other-organisation",
                f"procurement {payment.ocid[:100]!r} is "
                + (f"{buyer.label}'s" if buyer is not None else "no organisation's")
                + f", not {organisation.name}'s: an authority publishes the payments under its "
                "own contracts only",
            )
            continue
        contracts = [str(c.get("id")) for c in entries(process, "contracts") if c.get("id")]
        if payment.contract_id is not None:
            if payment.contract_id not in contracts:
                known = ", ".join(repr(c) for c in contracts[:10]) or "none yet"
                problem(
                    "contract_id",
                    "contract-unknown",
                    f"procurement {payment.ocid[:100]!r} has no contract "
                    f"{payment.contract_id[:100]!r} (its contracts: {known})",
                )
                continue
            chosen[payment.row] = payment.contract_id
        elif len(contracts) == 1:
            chosen[payment.row] = contracts[0]
        elif not contracts:
            problem(
                "ocid",
                "contract-unknown",
                f"procurement {payment.ocid[:100]!r} has no contract published yet: publish "
                "its contract details notice (UK7) first",
            )
            continue
        else:
            problem(
                "contract_id",
                "contract-ambiguous",
                f"procurement {payment.ocid[:100]!r} has {len(contracts)} contracts: give the "
                f"one paid under ({', '.join(repr(c) for c in contracts[:10])})",
            )
            continue
        if payment.supplier_id is not None:
            suppliers = _suppliers(process, chosen[payment.row])
            if payment.supplier_id not in {s["id"] for s in suppliers}:
                del chosen[payment.row]
                problem(
                    "supplier_id",
                    "supplier-not-on-contract",
                    f"{payment.supplier_id[:100]!r} is not a supplier the contract's award "
                    f"names ({', '.join(repr(s['id']) for s in suppliers[:10]) or 'none'})",
                )
    return chosen


def _suppliers(process: Mapping, contract_id: str) -> list[dict]:
    """The suppliers of the contract, as its award names them."""
    contract = next(
        (c for c in entries(process, "contracts") if str(c.get("id")) == contract_id), {}
    )
    award = next(
        (a for a in entries(process, "awards") if str(a.get("id")) == str(contract.get("awardID"))),
        {},
    )
    return [
        {"id": str(ref["id"]), **({"name": ref["name"]} if ref.get("name") else {})}
        for ref in entries(award, "suppliers")
        if ref.get("id") is not None
    ]


def _refuse_if_blocking(problems: list[RowProblem]) -> None:
    blocking = [problem for problem in problems if problem.blocking]
    if not blocking:
        return
    others = all(problem.code == "other-organisation" for problem in blocking)
    raise PaymentsRefused(
        403 if others else 422,
        "other-organisation" if others else "invalid",
        f"nothing was published: {len(blocking)} problem{'s' if len(blocking) > 1 else ''} "
        "must be put right first (each names its row and column); the file is published "
        "whole or not at all",
        problems,
    )


def _new_payments(
    payments: list[Payment],
    contracts: Mapping[int, str],
    compiled: Mapping[str, dict],
    name: str,
    problems: list[RowProblem],
) -> tuple[list[Payment], int]:
    """The payments not published yet, and how many were. A payment is published already when
    its contract has a transaction of its id, or (a row without payment_id) of its day and
    amount, such as the UK8 form publishes; a row with a payment_id whose day and amount a
    transaction of another id has is published, and warned of. A transaction of its id that
    says another day, amount, currency or payee is a conflict, which refuses the file: a file
    adds payments and never changes one published (docs/contract-payments.md, "Correcting a
    payment")."""
    new: list[Payment] = []
    already = 0
    for payment in payments:
        contract = next(
            c
            for c in entries(compiled[payment.ocid], "contracts")
            if str(c.get("id")) == contracts[payment.row]
        )
        implementation = contract.get("implementation")
        published = entries(
            implementation if isinstance(implementation, dict) else {}, "transactions"
        )
        ids = {str(t.get("id")): t for t in published}
        alike = [str(t.get("id")) for t in published if _same(t, payment)]
        if payment.transaction_id in ids:
            conflicts = _conflicts(ids[payment.transaction_id], payment, name)
            if conflicts:
                problems += conflicts
                continue
        if payment.transaction_id in ids or (payment.payment_id is None and alike):
            already += 1
            problems.append(
                RowProblem(
                    name,
                    payment.row,
                    None,
                    "already-published",
                    "this payment is published already (transaction "
                    f"{(payment.transaction_id if payment.transaction_id in ids else alike[0])!r} "
                    "of the contract): not published again",
                    "warning",
                    False,
                )
            )
            continue
        if alike:
            problems.append(
                RowProblem(
                    name,
                    payment.row,
                    "payment_id",
                    "possible-duplicate",
                    f"the contract has a payment of this amount on this day already (transaction "
                    f"{alike[0]!r}); this one is published beside it, being another payment_id",
                    "warning",
                    False,
                )
            )
        new.append(payment)
    return new, already


def _conflicts(transaction: Mapping, payment: Payment, name: str) -> list[RowProblem]:
    """How the row differs from the transaction of its id its contract has: a problem for each
    column, saying what was published and what the file says."""
    value = transaction.get("value")
    value = value if isinstance(value, dict) else {}
    amount = value.get("amount")
    payee = transaction.get("payee")
    payee_id = str(payee.get("id")) if isinstance(payee, dict) and "id" in payee else "no payee"
    published = {
        "payment_date": str(transaction.get("date", ""))[:10],
        "amount": (
            f"£{round(Decimal(str(amount)), 2):,.2f}"
            if isinstance(amount, int | float) and not isinstance(amount, bool)
            else repr(amount)
        ),
        "currency": str(value.get("currency") or "GBP"),
        "supplier_id": payee_id,
    }
    given = {
        "payment_date": payment.day.isoformat(),
        "amount": f"£{payment.amount:,.2f}",
        "currency": payment.currency,
        "supplier_id": payment.supplier_id,
    }
    which = f"payment_id {payment.payment_id[:100]!r}" if payment.payment_id else "this payment"
    return [
        RowProblem(
            name,
            payment.row,
            column,
            "payment-conflict",
            f"{which} is published already on the contract (transaction "
            f"{payment.transaction_id[:100]!r}) with {column} {published[column]}; the file "
            f"says {given[column]}. A file adds payments and does not change one published: "
            # The publisher pages correct one payment of a notice of several too
            "if the file is right, correct the published payment (a correction of its notice, "
            "from its Correct link on the publisher pages or through the publish API: "
            'docs/contract-payments.md, "Correcting a payment") and send the file again; if '
            "the payment published is right, put the row right",
        )
        for column in ("payment_date", "amount", "currency", "supplier_id")
        if published[column] != given[column]
        and (column != "supplier_id" or payment.supplier_id is not None)
    ]


def _same(transaction: Mapping, payment: Payment) -> bool:
    value = transaction.get("value")
    value = value if isinstance(value, dict) else {}
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float):
        return False
    return (
        str(transaction.get("date", ""))[:10] == payment.day.isoformat()
        and round(Decimal(str(amount)), 2) == round(payment.amount, 2)
        and (value.get("currency") or "GBP") == payment.currency
    )


def _release(
    organisation: Organisation,
    *,
    process: dict,
    ocid: str,
    contract_id: str,
    paid: list[Payment],
    now: datetime,
) -> dict:
    """One contract's payments as one contract payments notice, as the UK8 form writes one
    payment (openbook.publishing.notice_forms.performance): the buyer the payer, the contract's
    one supplier (or the one the row names) the payee. Its id names the payments it carries."""
    context = Context(ocid, organisation.party_id, organisation.name, now, process)
    buyer = {"id": organisation.party_id, "name": organisation.name}
    suppliers = _suppliers(process, contract_id)
    by_id = {supplier["id"]: supplier for supplier in suppliers}
    transactions = []
    payees: dict[str, dict] = {}
    for payment in paid:
        transaction: dict = {
            "id": payment.transaction_id,
            "date": start_of(payment.day),
            "value": {"amount": _number(payment.amount), "currency": payment.currency},
            "payer": buyer,
        }
        payee = by_id.get(payment.supplier_id or "") or (
            suppliers[0] if len(suppliers) == 1 else None
        )
        if payee is not None:
            transaction["payee"] = payee
            payees[payee["id"]] = payee
        transactions.append(transaction)
    digest = hashlib.sha256("\n".join(sorted(t["id"] for t in transactions)).encode()).hexdigest()[
        :12
    ]
    document = notice_document(CODE, context)
    document["id"] = f"{document['id']}-file-{digest}"
    contract = next(c for c in entries(process, "contracts") if str(c.get("id")) == contract_id)
    parties = [with_roles(context, {**buyer, "roles": ["buyer"]}, "payer")]
    parties += [
        with_roles(context, {**payee, "roles": ["supplier"]}, "payee") for payee in payees.values()
    ]
    return {
        "ocid": ocid,
        "id": f"{ocid}-{CODE}-{contract_id}-file-{digest}",
        "date": moment(now.astimezone(LONDON)),
        "tag": ["implementation"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": parties,
        "tender": repeated_tender(context),
        "contracts": [
            {
                "id": contract_id,
                "awardID": str(contract.get("awardID") or contract_id),
                "implementation": {"transactions": transactions, "documents": [document]},
            }
        ],
    }


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _from_release(
    problem: Problem, carried: list[tuple[str, list[Payment]]], name: str
) -> RowProblem:
    """A problem the publish use case found in a release, named by the rows it comes from: a
    payment's row when the pointer is into one of its transactions, else the contract's first."""
    paid = carried[problem.release if problem.release is not None else 0][1]
    matched = re.search(r"/transactions/(\d+)", problem.pointer)
    row = paid[int(matched[1])].row if matched and int(matched[1]) < len(paid) else paid[0].row
    rows_of = ", ".join(str(p.row) for p in paid)
    message = problem.message if matched else f"{problem.message} (the notice of rows {rows_of})"
    if problem.citation:
        message += f" [{problem.citation}]"
    return RowProblem(name, row, None, problem.code, message, problem.severity, problem.blocking)


def _described(outcome: Outcome, carried: list[tuple[str, list[Payment]]]) -> list[dict]:
    return [
        {
            **release.as_dict(),
            "record": f"/api/ocds/records/{release.ocid}",
            "contract": carried[release.index][0],
            "rows": [payment.row for payment in carried[release.index][1]],
        }
        for release in outcome.releases
    ]
