"""An organisation by its identifier: what every process that names it says (docs/api.md)."""

from django.http import HttpRequest
from ninja import Query, Router

from openbook import organisations
from openbook.store.database import Store
from openbook.web.api.errors import ApiError, bad_parameter, not_found
from openbook.web.api.params import MAX_KEY
from openbook.web.api.schemas import ERRORS, Organisation

router = Router(tags=["Organisations"])


@router.get(
    "/organisations/{path:identifier}",
    response={200: Organisation, **ERRORS},
    summary="An organisation, by its identifier",
    description=(
        "Every process whose parties carry the identifier (SCHEME-ID, normalised first: "
        "`GB-COH-1234567` is company `01234567`): the names it is given and when, the "
        "processes per role, the value of the awards naming it as a supplier per currency, a "
        "page of its processes (most recently changed first; follow `next` as `before`), and "
        "parties without an identifier whose names are alike (candidates with a score, never "
        "merged). `400` if the identifier is none its register could have issued, `404` if "
        "no process names it."
    ),
)
def organisation(
    request: HttpRequest,
    identifier: str,
    *,
    before: int | None = Query(None, ge=0, le=MAX_KEY, description="From `next`."),
    limit: int = Query(20, ge=1, le=organisations.MAX_LIMIT),
):
    if len(identifier) > 300:
        raise bad_parameter("identifier", "at most 300 characters")
    try:
        found = organisations.organisation(Store(), identifier, before=before, limit=limit)
    except organisations.InvalidIdentifier as error:
        raise ApiError(400, "invalid-identifier", str(error), "identifier") from None
    if found is None:
        raise not_found(f"no process names the organisation {identifier!r}")
    return found
