"""The publisher's dashboard: the organisation's processes, newest first, with the problems
the review found in their notices, and what the account can do next."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import search
from openbook.store import publishers as stored
from openbook.store.database import Store
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.process import process_address
from openbook.web.pages.publisher.session import signed_in
from openbook.web.pages.rendering import page
from openbook.web.pages.summaries import in_language, process_summary

PAGE = 20


@require_safe
@signed_in
def dashboard(request: HttpRequest) -> HttpResponse:
    publisher = request.publisher
    store = Store()
    organisation = publisher.organisation
    processes: list[dict] = []
    if organisation is not None:
        found = search.search_processes(
            store, search.Query(buyer=organisation.party_id, sort="date", limit=PAGE)
        )
        problems = stored.review_counts(store, [item.ocid for item in found.items])
        for item in found.items:
            errors, warnings = problems.get(item.ocid, (0, 0))
            processes.append(
                {
                    **process_summary(item),
                    "errors": errors,
                    "warnings": warnings,
                    "href": process_address(item.ocid),  # its notices, and the next one
                }
            )
        in_language(store, processes)
    context = {
        "account": {"username": publisher.username, "role": publisher.role},
        "organisation": {
            "name": organisation.name,
            "identifier": organisation.org_id,
            "partyId": organisation.party_id,
        }
        if organisation is not None
        else None,
        "processes": processes,
    }
    return page(request, "pages/publisher/dashboard.html", context, title=_("Your notices"))
