"""An organisation as a grant recipient, on its page: the grants the grants register holds whose
recipients resolve to it (360Giving files, openbook.grants; docs/local-transparency.md,
docs/organisations.md). Read through the same use case as ``/api/grants?recipient=``, so the
page's JSON twin and the API agree."""

from urllib.parse import quote

from openbook import grants
from openbook.store.database import Store

# Grants shown on the page, the most recent first; the rest are a link away (the API's list).
SHOWN = 20


def as_recipient(store: Store, identifier: str) -> dict | None:
    """The grants it received, the ``SHOWN`` most recent by award date; None when it received
    none the register knows."""
    found = grants.page(store, recipient=identifier, limit=SHOWN, newest_first=True)
    if not found["grants"]:
        return None
    return {
        "grants": [_outline(each) for each in found["grants"]],
        "more": found["next"] is not None,
        "links": {"api": f"/api/grants?recipient={quote(identifier, safe='')}&order=newest"},
    }


def _outline(each: dict) -> dict:
    grant = each["grant"] or {}
    return {
        "id": each["id"],
        "title": grant.get("title") if isinstance(grant.get("title"), str) else None,
        "awardDate": each["awardDate"],
        "amount": each["amount"],
        "currency": each["currency"],
        "funder": each["funder"]["name"],
        "redacted": each["redacted"],
        "href": f"/api/grants/{quote(each['id'], safe='')}",
    }
