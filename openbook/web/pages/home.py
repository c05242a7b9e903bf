"""The home page: what is here, headline figures, the newest notices, and a search box."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import metrics, search
from openbook.store.database import Store
from openbook.store.log import log_size
from openbook.web.pages.i18n import _
from openbook.web.pages.rendering import page
from openbook.web.pages.summaries import in_language, process_summary

NEWEST = 5
# The NAP5 milestones shown on the home page, with their latest half-year's figure.
HEADLINE_METRICS = ("tender-published", "award-published-90-days")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return page(request, "pages/home.html", context(Store()), title=_("Home"))


def context(store: Store) -> dict:
    newest = [
        process_summary(found)
        for found in search.first_processes(store, search.Query(sort="date", limit=NEWEST))
    ]
    in_language(store, newest)
    return {
        "statements": log_size(store),
        "processes": search.process_count(store),
        "newest": newest,
        "milestones": _headline(store),
    }


def _headline(store: Store) -> list[dict]:
    """Everyone's figure for each headline milestone in the newest half-year that has one."""
    found = []
    for metric in HEADLINE_METRICS:
        latest = metrics.latest_figure(store, metric)
        if latest is not None:
            found.append(latest)
    return found
