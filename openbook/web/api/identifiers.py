"""Checking an organisation identifier against its register's numbering (docs/identifiers.md),
for publishers' systems and forms: the same check the platform applies to what it is sent."""

from django.http import HttpRequest
from ninja import Query, Router, Schema

from openbook.standards.identifiers import SCHEMES, Checked, check, check_party_id
from openbook.web.api.errors import bad_parameter
from openbook.web.api.schemas import ERRORS

router = Router(tags=["Organisations"])


class IdentifierCheck(Schema):
    valid: bool
    checked: bool  # whether openbook knows the rule of the scheme
    identifier: str | None  # SCHEME-ID, as the register writes it
    scheme: str | None
    id: str | None
    registerName: str | None  # the register's name; camelCase in JSON, as OCDS names fields
    changes: list[str]  # what normalising changed, in words
    problem: str | None  # a code (docs/identifiers.md)
    message: str | None


@router.get(
    "/identifiers/check",
    response={200: IdentifierCheck, **ERRORS},
    summary="Check an organisation identifier",
    description=(
        "Whether an organisation identifier is one its register could have issued, as the "
        "register writes it, or why not: give `identifier` as `SCHEME-ID` "
        "(`GB-COH-01234567`), or `scheme` and `id`. An identifier the check refuses is still "
        "an answer (`200`, `valid: false`, a `problem` code and a `message`); `400` is for a "
        "request that gives neither form, or both."
    ),
)
def check_identifier(
    request: HttpRequest,
    *,
    identifier: str | None = Query(None, max_length=300, description="SCHEME-ID."),
    scheme: str | None = Query(None, max_length=100, description="An org-id.guide list code."),
    id: str | None = Query(None, max_length=200, description="The id in that list."),
):
    if identifier is not None and (scheme is not None or id is not None):
        raise bad_parameter("identifier", "give identifier, or scheme and id, not both")
    if identifier is not None:
        return _answer(check_party_id(identifier))
    if scheme is None or id is None:
        missing = "scheme" if scheme is None else "id"
        raise bad_parameter(missing, "give identifier (SCHEME-ID), or both scheme and id")
    return _answer(check(scheme, id))


def _answer(checked: Checked) -> dict:
    found = checked.identifier
    known = SCHEMES.get(found.scheme) if found is not None else None
    return {
        "valid": checked.ok,
        "checked": checked.known,
        "identifier": str(found) if found is not None else None,
        "scheme": found.scheme if found is not None else None,
        "id": found.id if found is not None else None,
        "registerName": known.name if known is not None else None,
        "changes": list(checked.changes),
        "problem": checked.problem,
        "message": checked.message,
    }
