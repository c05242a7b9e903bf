"""The registers people enter, in the public read API: the central debarment list, complaints
and legal challenges, each a list, an entry with every version of it, and (the debarment list)
the awards made to listed suppliers (docs/registers.md)."""

import re

from django.http import HttpRequest
from ninja import Query, Router

from openbook import registers
from openbook.store import registers as stored
from openbook.store.database import Store
from openbook.web.api import params
from openbook.web.api.errors import ApiError, bad_parameter, not_found
from openbook.web.api.params import MAX_KEY
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Registers"])

_ENTRY_ID = re.compile(r"[A-Z]{3}-\d{6}")
_SUPPLIER_NUMBER = re.compile(r"GB-OPENBOOK-[1-9A-Z]{4}-[1-9A-Z]{4}-[1-9A-Z]")
_OCID = re.compile(r"ocds-[a-z0-9]{6}-\S{1,200}")


def _page(request: HttpRequest, found: list[stored.Entry], limit: int) -> dict:
    following = None
    if len(found) == limit:
        query = request.GET.copy()
        query["before"] = found[-1].entry_id
        following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"entries": [registers.described(entry) for entry in found], "next": following}


def _routes(
    code: str, *, by_ocid: bool, ids: re.Pattern = _ENTRY_ID, example: str = "DEB-000001"
) -> None:
    title = registers.register(code).title
    slug = code.replace("-", "_")
    statuses = ", ".join(registers.register(code).statuses)

    @router.get(
        f"/registers/{code}",
        response={200: dict, **ERRORS},
        summary=f"The {title.lower()}",
        description=(
            f"Entries of the {title.lower()}, the newest first, each as its newest version; "
            "follow `next` for more. Filters: `organisation` (an identifier, SCHEME-ID, of an "
            f"organisation the entry names), `status` ({statuses}), `in_force_on` (YYYY-MM-DD "
            "or `today`: entries whose period covers that day)"
            + (", `ocid` (the process)." if by_ocid else ".")
        ),
        operation_id=f"list_{slug}",
    )
    def listing(
        request: HttpRequest,
        *,
        organisation: str | None = Query(None, max_length=300),
        status: str | None = Query(None, max_length=40),
        in_force_on: str | None = Query(None, max_length=20),
        ocid: str | None = Query(None, max_length=300, include_in_schema=by_ocid),
        before: str | None = Query(None, max_length=20, description="From `next`."),
        limit: int = Query(100, ge=1, le=registers.MAX_LIMIT),
    ):
        if ocid is not None and (not by_ocid or not _OCID.fullmatch(ocid)):
            raise bad_parameter("ocid", f"{ocid[:40]!r} is not an ocid (ocds-xxxxxx-...)")
        if before is not None and not ids.fullmatch(before):
            raise bad_parameter("before", "give the value from `next`")
        try:
            found = registers.entries(
                Store(),
                code,
                organisation=organisation,
                ocid=ocid,
                status=status,
                in_force_on=params.day("in_force_on", in_force_on, today=True),
                before=before,
                limit=limit,
            )
        except registers.InvalidFilter as error:
            parameter = str(error).split(":", 1)[0]
            raise ApiError(400, "invalid-parameter", str(error), parameter) from None
        return _page(request, found, limit)

    if code == "debarment":
        _excluded_awards_route()

    @router.get(
        f"/registers/{code}/{{entry_id}}",
        response={200: dict, **ERRORS},
        summary=f"An entry of the {title.lower()}, with its history",
        description=(
            "The entry as it stands, and every version of it in the log (its log entry, log "
            "time, leaf hash, who recorded it)"
            + (
                ", and the awards made to the supplier while listed."
                if code == "debarment"
                else "; for a supplier, the debarment entries naming any of its identifiers."
                if code == "suppliers"
                else "."
            )
        ),
        operation_id=f"get_{slug}_entry",
    )
    def entry(request: HttpRequest, entry_id: str):
        if not ids.fullmatch(entry_id):
            raise not_found(f"{entry_id[:40]!r} is not an entry id (they read like {example})")
        store = Store()
        try:
            found = registers.entry(store, code, entry_id)
        except registers.UnknownEntry as error:
            raise not_found(str(error)) from None
        answer = {
            **registers.described(found),
            "versions": registers.versions(store, code, entry_id),
        }
        if code == "suppliers":
            listed = stored.naming(store, "debarment", found.organisations)
            answer["debarment"] = [registers.described(each) for each in listed]
        if code == "debarment":
            awards = stored.excluded_awards(store, entry_ids=[entry_id], limit=1000)
            answer["excludedAwards"] = [award.as_dict() for award in awards]
        return answer


def _excluded_awards_route() -> None:
    @router.get(
        "/registers/debarment/awards",
        response={200: dict, **ERRORS},
        summary="Awards made to suppliers on the debarment list",
        description=(
            "Every award published to a supplier while its debarment entry was in force, with "
            "the authority's stated reason, in the order published; follow `next`. Filter by "
            "`ocid` or `entry` (a debarment entry's id)."
        ),
    )
    def excluded_awards(
        request: HttpRequest,
        *,
        ocid: str | None = Query(None, max_length=300),
        entry: str | None = Query(None, max_length=20),
        after: int | None = Query(None, ge=0, le=MAX_KEY, description="From `next`."),
        limit: int = Query(100, ge=1, le=registers.MAX_LIMIT),
    ):
        if entry is not None and not _ENTRY_ID.fullmatch(entry):
            raise bad_parameter("entry", f"{entry[:40]!r} is not an entry id (DEB-000001)")
        awards = stored.excluded_awards(
            Store(), entry_ids=[entry] if entry else [], ocid=ocid, after=after, limit=limit
        )
        following = None
        if len(awards) == limit:
            query = request.GET.copy()
            query["after"] = str(awards[-1].id)
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"awards": [award.as_dict() for award in awards], "next": following}


_routes("debarment", by_ocid=False)
_routes("complaints", by_ocid=True)
_routes("challenges", by_ocid=True)
_routes("suppliers", by_ocid=False, ids=_SUPPLIER_NUMBER, example="GB-OPENBOOK-ABCD-1234-X")
