"""The process search: ``GET /api/ocds/processes`` (docs/search.md)."""

from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from openbook import search
from openbook.standards.ocds import schema
from openbook.standards.ocds.terms import STAGES
from openbook.store.database import Store
from openbook.store.search import Found
from openbook.web.api import params
from openbook.web.api.errors import bad_parameter
from openbook.web.api.responses import absolute, json_value
from openbook.web.api.schemas import ERRORS, ProcessSearch

router = Router(tags=["Search"])

MAX_LIMIT = 100
STATUSES = tuple(sorted(schema.codelists()["tenderStatus.csv"]))
METHODS = tuple(sorted(schema.codelists()["method.csv"]))
CURRENCIES = frozenset(schema.codelists()["currency.csv"])
ANY = "Comma-separated; a process matching any of them matches."
DATE = f"{params.MOMENT_FORMAT}; a date alone covers the whole day."
YES_NO = "true or false."
DATE_RANGES = {
    "published": "The first release's date",
    "deadline": "The tender deadline (tender.tenderPeriod.endDate)",
    "award": "The earliest award date (awards[].date)",
    "contract_start": "The earliest contract start (contracts, else awards, else tender)",
    "contract_end": "The latest contract end (contracts, else awards, else tender)",
}


def _given(max_length: int, description: str) -> Any:
    """A parameter as given, its length bounded: ``read_query`` reads and checks it."""
    return Field(None, max_length=max_length, description=description)


def _date(name: str, upper: bool = False) -> Any:
    """One end of a date range (DATE_RANGES)."""
    end = "up to" if upper else "from"
    return _given(40, f"{DATE_RANGES[name]}, {end} (inclusive). {DATE}")


def _flag(description: str) -> Any:
    return _given(10, f"{description} {YES_NO}")


class ProcessFilters(Schema):
    """The search's query parameters, as given (docs/search.md); read by ``read_query``."""

    q: str | None = _given(
        500,
        "Words, all of which must occur (stemmed) in titles, descriptions or party names; "
        f"punctuation and operators are ignored; at most {search.MAX_WORDS} words.",
    )
    buyer: str | None = _given(300, "Buyer's identifier (SCHEME-ID), party id or name.")
    supplier: str | None = _given(300, "Supplier's identifier (SCHEME-ID), party id or name.")
    cpv: str | None = _given(
        300, f"CPV code prefixes of the tender and its items (45, 4523, 45233140-2). {ANY}"
    )
    value_min: str | None = _given(40, "Least value (contracts, else awards, else tender).")
    value_max: str | None = _given(40, "Greatest value (contracts, else awards, else tender).")
    currency: str | None = _given(40, "ISO 4217 code of the value.")
    stage: str | None = _given(200, f"Furthest stage reached: {', '.join(STAGES)}. {ANY}")
    status: str | None = _given(200, f"tender.status: {', '.join(STATUSES)}. {ANY}")
    procurement_method: str | None = _given(
        200, f"tender.procurementMethod: {', '.join(METHODS)}. {ANY}"
    )
    notice_type: str | None = _given(200, f"A notice's documents[].noticeType (UK4). {ANY}")
    region: str | None = _given(
        300, f"A NUTS or ITL code at any level (UKI, UKI31) or a region's name. {ANY}"
    )
    published_from: str | None = _date("published")
    published_to: str | None = _date("published", upper=True)
    deadline_from: str | None = _date("deadline")
    deadline_to: str | None = _date("deadline", upper=True)
    award_from: str | None = _date("award")
    award_to: str | None = _date("award", upper=True)
    contract_start_from: str | None = _date("contract_start")
    contract_start_to: str | None = _date("contract_start", upper=True)
    contract_end_from: str | None = _date("contract_end")
    contract_end_to: str | None = _date("contract_end", upper=True)
    above_threshold: str | None = _flag("tender.aboveThreshold (UK extension).")
    suitable_sme: str | None = _flag("Suitable for SMEs (tender or a lot).")
    suitable_vcse: str | None = _flag("Suitable for VCSEs (tender or a lot).")
    awarded_sme: str | None = _flag("A supplier is an SME (details.scale).")
    awarded_vcse: str | None = _flag("A supplier is a VCSE (details.vcse).")
    sort: str | None = _given(
        20,
        "relevance (with q; the default then), date (published; the default otherwise) or value.",
    )
    order: str | None = _given(10, "desc (the default) or asc.")
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="Results per page.")
    cursor: str | None = _given(500, "From `links.next`.")


@router.get(
    "/processes",
    response={200: ProcessSearch, **ERRORS},
    summary="Search contracting processes",
    description=(
        "Contracting processes (one per ocid, as their compiled releases stand) found by text, "
        "filtered, sorted and counted, with facet counts; pages follow `links.next` (a keyset "
        "cursor: no process repeated or skipped). Filters of different parameters must all "
        "match. Counts and facets are exact up to "
        f"{search.COUNT_CAP:,} matches, then `count_exact` is false and they are lower bounds "
        "(docs/search.md)."
    ),
)
def processes(request: HttpRequest, filters: Query[ProcessFilters]):
    query = read_query(filters)
    try:
        results = search.search_processes(Store(), query)
    except search.QueryError as error:
        raise bad_parameter(error.parameter, error.message) from None
    return json_value(
        {
            "results": [_result(request, item) for item in results.items],
            "count": results.count,
            "count_exact": results.exact,
            "facets": results.facets,
            "sort": results.sort,
            "order": "desc" if query.descending else "asc",
            "links": _links(request, results.next_cursor),
        }
    )


def read_query(given: ProcessFilters) -> search.Query:
    """The search asked for, every parameter checked: a 400 names the first one at fault."""
    dates = {}
    for name in DATE_RANGES:
        start = params.instant(f"{name}_from", getattr(given, f"{name}_from"))
        end = params.instant(f"{name}_to", getattr(given, f"{name}_to"), upper=True)
        if start and end and start > end:
            raise bad_parameter(f"{name}_to", f"is before {name}_from: the range is empty")
        dates[name] = (start, end)
    flags = {}
    for name in search.FLAGS:
        value = params.flag(name, getattr(given, name))
        if value is not None:
            flags[name] = value
    value_min = params.number("value_min", given.value_min)
    value_max = params.number("value_max", given.value_max)
    if value_min is not None and value_max is not None and value_min > value_max:
        raise bad_parameter("value_max", "is less than value_min: the range is empty")
    if given.currency and given.currency not in CURRENCIES:
        raise bad_parameter(
            "currency", f"{given.currency[:40]!r} is not an ISO 4217 currency code (such as GBP)"
        )
    if given.sort:
        params.one_of("sort", given.sort, search.SORTS)
    if given.order and given.order not in ("asc", "desc"):
        raise bad_parameter("order", f"{given.order[:40]!r} is not asc or desc")
    return search.Query(
        text=given.q or None,
        buyer=next(iter(params.texts("buyer", given.buyer)), None),
        supplier=next(iter(params.texts("supplier", given.supplier)), None),
        cpv=params.listed(
            "cpv", given.cpv, r"\d{2,8}(?:-\d)?", "a CPV code or its first digits (at least two)"
        ),
        value_min=value_min,
        value_max=value_max,
        currency=given.currency or None,
        stages=params.choices("stage", given.stage, STAGES),
        statuses=params.choices("status", given.status, STATUSES),
        procurement_methods=params.choices("procurement_method", given.procurement_method, METHODS),
        notice_types=params.listed(
            "notice_type", given.notice_type, r"[A-Za-z0-9_.-]{1,50}", "a notice type (such as UK4)"
        ),
        regions=params.listed(
            "region",
            given.region,
            r"[^\x00-\x1f]{1,100}",
            "a region code or name (up to 100 characters)",
        ),
        dates=dates,
        flags=flags,
        sort=given.sort or None,
        descending=given.order != "asc",
        limit=given.limit,
        cursor=given.cursor or None,
    )


def _result(request: HttpRequest, item: Found) -> dict:
    value = None
    if item.value_amount is not None:
        value = {
            "amount": item.value_amount,
            "currency": item.value_currency,
            "source": item.value_source,
        }
    result: dict[str, object] = {
        "ocid": item.ocid,
        "title": item.title,
        "buyer": {"id": item.buyer_id, "name": item.buyer_name}
        if item.buyer_id or item.buyer_name
        else None,
        "value": value,
        "stage": item.stage,
        "status": item.status,
        "procurement_method": item.procurement_method,
        "dates": {
            "published": item.published,
            "deadline": item.deadline,
            "award": item.award_date,
            "contract_start": item.contract_start,
            "contract_end": item.contract_end,
        },
        "links": {
            "record": request.build_absolute_uri(f"/api/ocds/records/{quote(item.ocid, safe='')}")
        },
    }
    if item.score is not None:
        result["score"] = item.score
    return result


def _links(request: HttpRequest, next_cursor: str | None) -> dict:
    if next_cursor is None:
        return {}
    kept = {key: value for key, value in request.GET.items() if key != "cursor"}
    return {"next": absolute(request, request.path, {**kept, "cursor": next_cursor})}
