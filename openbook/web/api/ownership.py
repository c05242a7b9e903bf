"""Who owns an organisation, from beneficial ownership statements (docs/bods.md)."""

from datetime import date

from django.http import HttpRequest
from ninja import Router

from openbook import ownership
from openbook.store.database import Store
from openbook.web.api.errors import bad_parameter, not_found
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Ownership"])


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
