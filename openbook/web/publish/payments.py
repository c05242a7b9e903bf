"""The publish API's payments files: a quarter's payments under the organisation's contracts,
published from one file (Procurement Act 2023, s.70; docs/publishing-api.md, "Payments files").
A thin adapter over openbook.publishing.payments_file.

The file is the request body, as it is on disk (``text/csv``, or JSON Lines as
``application/x-ndjson``, ``application/jsonl``), its name in ``Content-Disposition`` if given
(the problems name it). Its length is known before a byte is read, and never read beyond
``OPENBOOK_PUBLISH_MAX_BYTES``, as for releases (openbook.web.publish.requests)."""

from django.http import HttpRequest, HttpResponse
from django.utils.http import parse_header_parameters
from ninja import Router, Schema
from orjson import dumps

from openbook import config
from openbook.publishing import payments_file
from openbook.store.database import Store
from openbook.store.publishers import Key
from openbook.web.publish.auth import ORGANISATION, PUBLISH_KEY, actor, scoped
from openbook.web.publish.errors import PublishError
from openbook.web.publish.schemas import ERRORS, PublishedRelease

router = Router(auth=PUBLISH_KEY, tags=["Payments"])


class RowProblem(Schema):
    file: str
    row: int | None  # its line, the header being 1; none for the file as a whole
    column: str | None
    code: str
    message: str
    severity: str  # "error" or "warning"
    blocking: bool


class PaymentsRelease(PublishedRelease):
    contract: str  # the contract's id in its procurement
    rows: list[int]  # the rows of the file whose payments the notice carries


class PaymentsAnswer(Schema):
    file: str
    rows: int
    payments: int  # published now (validating: that would be)
    alreadyPublished: int
    releases: list[PaymentsRelease]
    problems: list[RowProblem]  # none blocking


class PaymentsValidation(PaymentsAnswer):
    valid: bool


KINDS = {
    "text/csv": payments_file.CSV,
    "application/x-ndjson": payments_file.JSON_LINES,
    "application/jsonl": payments_file.JSON_LINES,
    "application/json-lines": payments_file.JSON_LINES,
}
PAYMENTS_BODY = {
    "parameters": [
        {
            "name": "Content-Disposition",
            "in": "header",
            "required": False,
            "description": (
                'The file\'s name, which the problems name: `attachment; filename="q1.csv"`.'
            ),
            "schema": {"type": "string"},
        }
    ],
    "requestBody": {
        "required": True,
        "description": (
            "The payments file itself: CSV (UTF-8, a byte-order mark allowed) with the columns "
            "ocid, contract_id, payment_date, amount, currency, payment_id, supplier_id (the "
            "first, third and fourth required), one row a payment; or JSON Lines of objects "
            "with the same fields."
        ),
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    },
}
DESCRIPTION = (
    "Each contract's payments in the file become one contract payments notice (UK8), and all of "
    "them are published with the checks of POST /api/publish/releases in one request: the whole "
    "file or none of it. Every problem names the file's row (its line, the header being 1) and "
    "column. Rows already published are skipped (idempotent): 201 when anything was stored, "
    "200 when nothing was new."
)


def _json(value: object, status: int) -> HttpResponse:
    return HttpResponse(dumps(value), status=status, content_type="application/json")


def _refused(refused: payments_file.PaymentsRefused) -> HttpResponse:
    body: dict = {"code": refused.code, "message": refused.message}
    if refused.problems:
        body["problems"] = [problem.as_dict() for problem in refused.problems]
    return _json({"error": body}, refused.status)


def _read(request: HttpRequest) -> tuple[bytes, str, str]:
    kind = KINDS.get(request.content_type or "")
    if kind is None:
        given = request.content_type or "none"
        raise PublishError(
            415,
            "unsupported-media-type",
            "send the payments file as 'Content-Type: text/csv', or JSON Lines as "
            f"'application/x-ndjson' (got {given[:60]!r})",
        )
    charset = request.content_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise PublishError(
            415, "unsupported-media-type", f"send the file as UTF-8, not {charset[:40]!r}"
        )
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise PublishError(
            415, "unsupported-media-type", f"the body is {encoding[:40]!r}-encoded: send it as is"
        )
    most = config.publish_max_bytes()
    length = request.META.get("CONTENT_LENGTH", "")
    if not length:
        raise PublishError(411, "length-required", "send the file with a Content-Length header")
    if not length.isdigit():
        raise PublishError(
            400, "bad-content-length", f"Content-Length {length[:40]!r} is not a number"
        )
    if int(length) > most:
        raise PublishError(
            413,
            "body-too-large",
            f"the file is {int(length):,} bytes; a payments file is at most {most:,} bytes: "
            "split it",
        )
    data = request.read(most + 1)
    name = "payments.csv" if kind == payments_file.CSV else "payments.jsonl"
    disposition = request.headers.get("Content-Disposition")
    if disposition:
        given_name = parse_header_parameters(disposition)[1].get("filename", "")
        if given_name and given_name.isprintable():
            name = given_name.replace("/", "_").replace("\\", "_")[:200]
    return data, name, kind


def _payments(request: HttpRequest, *, dry_run: bool) -> HttpResponse:
    key: Key = request.auth
    data, name, kind = _read(request)
    try:
        answer = payments_file.publish_payments(
            Store(),
            key.organisation,
            data,
            actor(request),
            name=name,
            kind=kind,
            dry_run=dry_run,
            via="POST /api/publish/payments",
        )
    except payments_file.PaymentsRefused as refused:
        return _refused(refused)
    if dry_run:
        return _json({"valid": True, **answer.as_dict()}, 200)
    return _json(answer.as_dict(), 201 if answer.created else 200)


@router.post(
    "/payments",
    response={200: PaymentsAnswer, 201: PaymentsAnswer, **ERRORS},
    summary="Publish a quarter's payments under your contracts from one file (s.70)",
    description=DESCRIPTION,
    openapi_extra=PAYMENTS_BODY,
)
@scoped(ORGANISATION)
def payments(request: HttpRequest):
    return _payments(request, dry_run=False)


@router.post(
    "/payments/validate",
    response={200: PaymentsValidation, **ERRORS},
    summary="Check a payments file without publishing it",
    description="The same checks and answers as POST /api/publish/payments; nothing is stored.",
    openapi_extra=PAYMENTS_BODY,
)
@scoped(ORGANISATION)
def validate_payments(request: HttpRequest):
    return _payments(request, dry_run=True)
