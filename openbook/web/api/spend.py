"""GET /api/spend/transactions and /api/spend/transactions/{id}: public bodies' payments, as
loaded from their spending files (docs/spend.md); each with the contract it pays for, and GET
/api/spend/unlinked: those linked to none, with their candidates (docs/spend.md, "Linkage")."""

import re

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook import spend, spend_links
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import bad_parameter, not_found
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Spend"])

_CURSOR = re.compile(r"(\d{4}-\d{2}-\d{2})/(\S{1,400})")


class Candidate(Schema):
    ocid: str
    kind: str
    id: str
    buyer: str
    suppliers: list[str]
    value: float | None
    currency: str | None
    start: str | None
    end: str | None
    title: str
    supplierMatch: str | None
    fellShort: list[str]
    notes: list[str]
    score: float
    descriptionMatches: bool = False


class Link(Schema):
    status: str
    ocid: str | None
    kind: str | None
    id: str | None
    method: str | None
    score: float
    methodVersion: str
    linkedAt: str
    current: bool
    notes: list[str]
    reason: str | None
    duplicateOf: str | None
    candidates: list[Candidate] | None = None


class Transaction(Schema):
    id: str
    version: int
    seq: int
    status: str
    redacted: bool
    transaction: dict | None
    source: dict | None
    identity: dict | None
    link: Link | None


class TransactionPage(Schema):
    transactions: list[Transaction]
    next: str | None


class Statement(Schema):
    version: int
    seq: int
    logTime: str
    publisher: str
    leafHash: str
    statement: dict | None


class History(Schema):
    id: str
    status: str
    version: int
    statements: list[Statement]


@router.get(
    "/spend/transactions",
    response={200: TransactionPage, **ERRORS},
    summary="Payments from public bodies' spending files",
    description=(
        "Published transactions of the spend register, in date order (then id): each with its "
        "newest statement's `transaction` (as the file gave it: body, date, amount, currency, "
        "supplier, transaction number, and the file's other columns), its `source` (the file "
        "and the row it was read from) and its `identity`. Withdrawn transactions are not "
        "listed. Filters: `body` (an identifier, SCHEME-ID, or the body's name), `supplier` "
        "(a name, compared as names are: case, punctuation and legal forms aside), `from` and "
        "`to` (payment dates, YYYY-MM-DD, inclusive). Follow `next` as `cursor`. Each has its "
        "`link`: the contract it pays for (`ocid`, `kind` contract or award, `id`), how it was "
        "found (`method`) and how sure (`score`, 0 to 1), or `status` unlinked with the `reason`"
        " and its candidates; null until `openbook spend link` has linked it (docs/spend.md, "
        "'Linkage')."
    ),
)
def transactions(
    request: HttpRequest,
    *,
    body: str | None = Query(None, description="The paying body: SCHEME-ID or name."),
    supplier: str | None = Query(None, description="The supplier's name."),
    date_from: str | None = Query(None, alias="from", description="YYYY-MM-DD."),
    date_to: str | None = Query(None, alias="to", description="YYYY-MM-DD."),
    cursor: str | None = Query(None, description="From `next`."),
    limit: int = Query(100, ge=1, le=spend.MAX_LIMIT),
):
    start, end = params.day("from", date_from), params.day("to", date_to)
    params.order_range(start, end, "from", "to")
    found = spend.page(
        Store(),
        body=params.text("body", body),
        supplier=params.text("supplier", supplier),
        date_from=start,
        date_to=end,
        after=params.from_cursor(cursor, _CURSOR),
        limit=limit,
    )
    following = found["next"]
    links = spend_links.links(Store(), found["transactions"])
    return {
        "transactions": [{**each, "link": links.get(each["id"])} for each in found["transactions"]],
        "next": f"{following[0]}/{following[1]}" if following else None,
    }


class UnlinkedPayment(Schema):
    id: str
    version: int
    body: str
    date: str | None
    amount: str | None
    currency: str | None
    redacted: bool
    transaction: dict | None
    source: dict | None
    link: Link


class UnlinkedPage(Schema):
    payments: list[UnlinkedPayment]
    next: str | None


@router.get(
    "/spend/unlinked",
    response={200: UnlinkedPage, **ERRORS},
    summary="Payments linked to no contract, with their candidates",
    description=(
        "Published transactions of the spend register that the last linking run "
        "(`openbook spend link`) found no contract for, in date order (then id): each with "
        "its `transaction` as the file gave it, and its `link` saying why (`reason`) and its "
        "best `candidates`, each with why it fell short (`fellShort`). Filter: `body` (an "
        "identifier, SCHEME-ID, or the body's name). Follow `next` as `cursor` (docs/spend.md,"
        " 'Linkage')."
    ),
)
def unlinked(
    request: HttpRequest,
    *,
    body: str | None = Query(None, description="The paying body: SCHEME-ID or name."),
    cursor: str | None = Query(None, description="From `next`."),
    limit: int = Query(100, ge=1, le=spend.MAX_LIMIT),
):
    return spend_links.unlinked(
        Store(),
        body=params.text("body", body),
        after=params.from_cursor(cursor, _CURSOR),
        limit=limit,
    )


@router.get(
    "/spend/transactions/{id}",
    response={200: History, **ERRORS},
    summary="A payment and every statement of it",
    description=(
        "A transaction of the spend register, published or withdrawn, with every statement of "
        "it in log order: as first loaded, each correction an amended file made, and its "
        "withdrawal if a later version of its file no longer had it (docs/spend.md). `404` if "
        "there is no such transaction."
    ),
)
def transaction(request: HttpRequest, id: str):
    if len(id) > 500 or "\x00" in id:
        raise bad_parameter("id", "is not a transaction's id")
    found = spend.history(Store(), id)
    if found is None:
        raise not_found(f"no transaction {id[:80]!r}")
    return found
