"""Who owns an organisation, from beneficial ownership statements (docs/bods.md)."""

from datetime import date

from django.http import HttpRequest
from ninja import Query, Router

from openbook import bods, ownership
from openbook.store import search
from openbook.store.database import Store
from openbook.web.api.errors import bad_parameter, not_found
from openbook.web.api.params import MAX_KEY
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Ownership"])


@router.get(
    "/ocds/records/{ocid}/ownership",
    response={200: dict, **ERRORS},
    summary="Who owns the suppliers of a contracting process",
    description=(
        "For each supplier of the process, the flags of its ownership (as "
        "`/api/ownership/{identifier}` gives them, each with its path) and a link to the whole "
        "of it; a supplier without an identifier, or without ownership information, is flagged "
        "so. `404` if the process is not in the search."
    ),
)
def of_process(request: HttpRequest, ocid: str):
    if len(ocid) > 300:
        raise bad_parameter("ocid", "at most 300 characters")
    store = Store()
    if not search.exists(store, ocid):
        raise not_found(f"no process {ocid[:80]!r} is published here")
    return {"ocid": ocid, "suppliers": ownership.of_process(store, ocid, date.today().isoformat())}


@router.get(
    "/bods/statements",
    response={200: dict, **ERRORS},
    summary="Beneficial ownership statements, in log order",
    description=(
        "Every BODS 0.4 statement in the order the log accepted them, each with its log entry "
        "(`seq`), log time, leaf hash and problems; follow `next` (it carries `after`, the last "
        "entry seen) for more, and come back to it later for what is new: nothing is ever "
        "skipped or repeated."
    ),
)
def bods_statements(
    request: HttpRequest,
    after: int | None = Query(
        None, ge=0, le=MAX_KEY, description="From `next`: the last entry seen."
    ),
    limit: int = Query(100, ge=1, le=1000),
):
    found = bods.statements(Store(), after, limit)
    query = request.GET.copy()
    query["after"] = str(found[-1]["seq"] if found else (after if after is not None else -1))
    if query["after"] == "-1":
        del query["after"]
    following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"statements": found, "next": following}


@router.get(
    "/bods/records/{path:record_id}",
    response={200: dict, **ERRORS},
    summary="A beneficial ownership record and its statements",
    description=(
        "A BODS 0.4 record (entity, person or relationship) by its `recordId`: as compiled "
        "(its newest statement's details, status, history) and every statement of it in log "
        "order, with its log entry, log time and problems. `404` if there is none."
    ),
)
def bods_record(request: HttpRequest, record_id: str):
    if len(record_id) > 300:
        raise bad_parameter("record_id", "at most 300 characters")
    found = bods.record(Store(), record_id)
    if found is None:
        raise not_found(f"no beneficial ownership record {record_id[:80]!r}")
    return found


@router.get(
    "/ownership/{path:identifier}",
    response={200: dict, **ERRORS},
    summary="Who owns an organisation",
    description=(
        "The BODS entity records an identifier (SCHEME-ID, normalised first) or a BODS "
        "`recordId` names, each with every path of current ownership up to its ultimate owners "
        "(the share range of each step and along the path), its ultimate owners, and flags: no "
        "ownership information, owners not disclosed (with the reason), circular ownership, "
        "a politically exposed owner, an owner on the debarment list. `404` if the ownership "
        "data knows neither."
    ),
)
def owners(request: HttpRequest, identifier: str):
    if len(identifier) > 300:
        raise bad_parameter("identifier", "at most 300 characters")
    found = ownership.owners(Store(), identifier, date.today().isoformat())
    if found is None:
        raise not_found(f"no beneficial ownership statement names {identifier[:80]!r}")
    return found
