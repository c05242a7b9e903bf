"""The organisation pages: finding an organisation by name or identifier, and one organisation
as the data shows it (docs/organisations.md): its names and registers, and what it did as a
buyer (its notices, its milestone figures, the quality of what it published) and as a
supplier (openbook.web.pages.organisations_supplier)."""

import re
from datetime import date
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.views.decorators.http import require_safe

from openbook import organisations
from openbook.standards.identifiers import check_party_id
from openbook.store.database import Store
from openbook.web.pages import errors, i18n
from openbook.web.pages.errors import Problem
from openbook.web.pages.i18n import _
from openbook.web.pages.organisations_grants import as_recipient
from openbook.web.pages.organisations_supplier import as_supplier
from openbook.web.pages.rendering import page
from openbook.web.pages.spend import organisation_section
from openbook.web.pages.summaries import in_language

PAGE = 20
LONGEST_QUERY = 200
LONGEST_IDENTIFIER = 300
LARGEST_KEY = 2**63 - 1  # paging keys are log seqs: 64-bit integers on both databases
# A page of names found continues after a name key (letters, digits, spaces) and an identifier.
_AFTER = re.compile(r"([0-9a-z ]{1,500})\|([^\x00-\x1f]{1,300})")
# Roles the pages show a section for.
BUYER = "buyer"
SUPPLIER = "supplier"


@require_safe
def find(request: HttpRequest) -> HttpResponse:
    try:
        context = find_context(Store(), request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(request, "pages/organisations.html", context, title=_("Find an organisation"))


def find_context(store: Store, params: QueryDict) -> dict:
    """``q``: a name or an identifier; ``after``: from ``next``."""
    text = _text(params, "q", LONGEST_QUERY)
    after_text = _text(params, "after", 820)
    after = None
    if after_text is not None:
        matched = _AFTER.fullmatch(after_text)
        if matched is None:
            raise errors.bad_request([Problem("after", _("give the value from the next link"))])
        after = (matched[1], matched[2])
    if text is None or not text.strip():
        if after is not None:
            raise errors.bad_request(
                [Problem("q", _("give a name or an identifier to find"), "#q")]
            )
        return {"q": text or "", "found": None}
    try:
        found = organisations.find(store, text, after=after, limit=PAGE)
    except organisations.InvalidIdentifier as error:
        raise errors.bad_request([Problem("q", _not_found_by(error), "#q")]) from None
    following = found["next"]
    return {
        "q": text,
        "found": {**_in_words(text, found), "next": "|".join(following) if following else None},
    }


def _not_found_by(error: organisations.InvalidIdentifier) -> str:
    """Why the text finds nothing, in the reader's language."""
    if error.phrase is not None:
        return i18n.said(error.phrase)
    return _(
        "give a name of at least %(least)s letters or digits, or an identifier such as "
        "GB-COH-01234567",
        least=organisations.SHORTEST_NAME,
    )


def _in_words(text: str, found: dict) -> dict:
    """What the identifier check said of the text (why it is no identifier, what normalising it
    changed) in the reader's language: the use case says it in English, for the API."""
    if not found["problem"] and not found["changes"]:
        return found
    checked = check_party_id(text)
    return {
        **found,
        "problem": i18n.said(checked.phrase) if found["problem"] else None,
        "changes": [i18n.said(change) for change in checked.changed],
    }


@require_safe
def organisation(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        context = organisation_context(Store(), identifier, request.GET)
    except errors.PageError as error:
        return errors.answer(request, error)
    written = context["organisation"]["identifier"]
    if written != identifier:  # the address as its register writes the identifier
        query = request.GET.urlencode()
        address = f"/organisations/{quote(written, safe='')}"
        return HttpResponseRedirect(address + (f"?{query}" if query else ""))
    names = context["organisation"]["names"]
    granted = context["organisation"]["registers"]["grants"]["recipientNames"]
    return page(
        request,
        "pages/organisation.html",
        context,
        title=names[0]["name"] if names else (granted[0] if granted else written),
    )


def organisation_context(store: Store, identifier: str, params: QueryDict) -> dict:
    """``identifier``: SCHEME-ID in any form the identifier check accepts; ``before``,
    ``notices_before`` and ``contracts_before``: from the ``next`` of each list."""
    problems = []
    if len(identifier) > LONGEST_IDENTIFIER:
        problems.append(
            Problem("identifier", _("is longer than %(most)s characters", most=LONGEST_IDENTIFIER))
        )
    elif _unreadable(identifier):
        problems.append(Problem("identifier", _("has characters an identifier cannot have")))
    keys = {}
    for name in ("before", "notices_before", "contracts_before"):
        try:
            keys[name] = _key(params, name)
        except errors.PageError as error:
            problems += error.problems
    if problems:
        raise errors.bad_request(problems)
    try:
        found = organisations.organisation(store, identifier, before=keys["before"], limit=PAGE)
    except organisations.InvalidIdentifier as error:
        raise errors.bad_request([Problem("identifier", _not_found_by(error))]) from None
    if found is None:
        raise errors.PageError(404, _("No process or register names this organisation"))
    written = found["identifier"]
    roles = found["roles"]
    is_buyer, is_supplier = BUYER in roles, SUPPLIER in roles
    if is_buyer or is_supplier:  # its processes are listed by role instead
        found = {key: value for key, value in found.items() if key not in ("page", "next")}
    today = date.today().isoformat()
    # Its lists of processes with Welsh titles for a reader in Welsh (issue 8).
    buyer = as_buyer(store, written, keys["notices_before"]) if is_buyer else None
    supplier = as_supplier(store, found, keys["contracts_before"], today, PAGE)
    in_language(
        store,
        found.get("page", []),
        buyer["notices"]["page"] if buyer else [],
        supplier["contracts"]["page"] if supplier and supplier["contracts"] else [],
        supplier["commercialTools"]["page"] if supplier else [],
    )
    return {
        "organisation": found,
        "buyer": buyer,
        "supplier": supplier,
        # what the spending files show it paid and was paid
        "spend": organisation_section(store, written, [each["name"] for each in found["names"]]),
        "grants": as_recipient(store, written),  # the grants it received (360Giving)
        "params": keys,
    }


def as_buyer(store: Store, identifier: str, before: int | None) -> dict:
    """Its notices, its figures for the NAP5 milestones by half-year, and, if it publishes to
    the platform, the quality of what it published."""
    return {
        "notices": organisations.processes_as(store, identifier, BUYER, before=before, limit=PAGE),
        "milestones": organisations.milestones_of(store, identifier),
        "quality": organisations.quality_of(store, identifier),
    }


def _text(params: QueryDict, name: str, longest: int) -> str | None:
    given = params.getlist(name)
    if not given:
        return None
    if len(given) > 1:
        raise errors.bad_request([Problem(name, _("give it once"), f"#{name}")])
    value = given[0]
    if len(value) > longest:
        raise errors.bad_request(
            [Problem(name, _("is longer than %(most)s characters", most=longest), f"#{name}")]
        )
    if _unreadable(value):
        raise errors.bad_request([Problem(name, _("has characters that are not text"), f"#{name}")])
    return value


def _unreadable(value: str) -> bool:
    """Control characters, or bytes that were not UTF-8 (decoded as U+FFFD)."""
    return "\ufffd" in value or any(ord(char) < 32 or ord(char) == 127 for char in value)


def _key(params: QueryDict, name: str) -> int | None:
    value = _text(params, name, 20)
    if value is None or value == "":
        return None
    if not value.isascii() or not value.isdigit() or int(value) > LARGEST_KEY:
        raise errors.bad_request([Problem(name, _("give the value from the next link"))])
    return int(value)
