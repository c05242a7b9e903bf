"""The search page (``/search``): contracting processes found by words and filtered by
everything the search API offers, with facet counts, sorting and paging; the same search as an
API call, as CSV (``/search.csv``) and as an Atom feed of its newest notices (``/search/feed``).

The page reads its address as the API reads its own (openbook.web.pages.search_form), so a
search's address and its API call differ only in their path."""

import csv
import io
from dataclasses import replace
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import search
from openbook.reports.table import spreadsheet_safe
from openbook.store.database import Store
from openbook.store.search import Found
from openbook.web.pages import errors, formats, search_feed, search_form, summaries
from openbook.web.pages.i18n import _, ngettext
from openbook.web.pages.rendering import page
from openbook.web.pages.summaries import process_summary

PER_PAGE = 20
# Rows of a CSV download; its Link header continues the search beyond them.
CSV_ROWS = 1000
# Entries of the Atom feed: the newest matching processes.
FEED_ENTRIES = 20
# What a feed leaves out of its search: it is always the newest first, from the start.
UNFED = ("sort", "order", "cursor")
CSV_COLUMNS = (
    "ocid",
    "title",
    "buyer_id",
    "buyer_name",
    "value_amount",
    "value_currency",
    "stage",
    "status",
    "procurement_method",
    "published",
    "deadline",
    "award_date",
    "contract_start",
    "contract_end",
    "url",
)


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    values, garbled = search_form.given(request)
    query, faults = search_form.understand(values, garbled)
    title = _("Search contracts")
    if query is None:
        return page(
            request,
            "pages/search.html",
            refused(values, faults),
            title=title,
            status=400,
            error=True,
        )
    found = context(Store(), values, replace(query, limit=PER_PAGE))
    return page(request, "pages/search.html", found, title=title)


def context(store: Store, values: dict[str, str], query: search.Query) -> dict:
    """The page: the search as asked and as understood, its count, results, facets, the filter
    panel and the addresses of the same search elsewhere."""
    results = search.search_processes(store, query)
    shown = [result(found) for found in results.items]
    summaries.in_language(store, shown)
    return {
        "parameters": values,
        "query": understood(query, results.sort),
        "count": results.count,
        "count_exact": results.exact,
        "heading": heading(results.count, exact=results.exact),
        "results": shown,
        "facets": results.facets,
        "panel": search_form.panel(values, results.facets),
        "selected": search_form.selected(values),
        "links": links(values, results.next_cursor),
        "error": None,
    }


def heading(count: int, *, exact: bool) -> str:
    written = formats.number(count)
    if not exact:
        return _("At least %(num)s contracting processes found", num=written)
    return ngettext(
        "%(num)s contracting process found",
        "%(num)s contracting processes found",
        count,
        num=written,
    )


def result(found: Found) -> dict:
    """A process as the results list it: its summary, with its stage and status in words."""
    words = search_form.code_labels()
    summary = process_summary(found)
    summary["stageLabel"] = words["stage"].get(found.stage or "", found.stage)
    summary["statusLabel"] = words["status"].get(found.status or "", found.status)
    return summary


def refused(values: dict[str, str], faults: list[dict]) -> dict:
    """The page for a search that cannot run: the form as it was filled, each fault on its
    field and in the error summary; no results."""
    failure = errors.bad_request([])
    return {
        "parameters": values,
        "query": None,
        "count": None,
        "count_exact": None,
        "heading": None,
        "results": [],
        "facets": {},
        "panel": search_form.panel(values, {}),
        "selected": [],
        "links": {"clear": "/search"},
        "error": {"status": failure.status, "title": failure.title, "problems": faults},
    }


def understood(query: search.Query, sort: str) -> dict:
    """The search as the use case reads it: the words it looks for, codes as lists, dates as
    UTC instants (a ``to`` date is the end of its day)."""
    return {
        "words": search.words(query.text) if query.text else [],
        "buyer": query.buyer,
        "supplier": query.supplier,
        "cpv": list(query.cpv),
        "value_min": query.value_min,
        "value_max": query.value_max,
        "currency": query.currency,
        "stage": list(query.stages),
        "status": list(query.statuses),
        "procurement_method": list(query.procurement_methods),
        "notice_type": list(query.notice_types),
        "region": list(query.regions),
        "dates": {
            name: {"from": start, "to": end}
            for name, (start, end) in query.dates.items()
            if start or end
        },
        "flags": dict(query.flags),
        "sort": sort,
        "order": "desc" if query.descending else "asc",
        "cursor": query.cursor,
    }


def links(values: dict[str, str], next_cursor: str | None) -> dict:
    """The same search elsewhere: as an API call (this very page of it), as CSV and as a feed
    (from the start), its next page and its first; and the search without its filters."""
    unpaged = {name: value for name, value in values.items() if name != "cursor"}
    newest = {name: value for name, value in values.items() if name not in UNFED}
    kept = {name: value for name, value in values.items() if name in ("q", *search_form.ORDERING)}
    found = {
        "api": search_form.address("/api/ocds/processes", values),
        "csv": search_form.address("/search.csv", unpaged),
        "feed": search_form.address("/search/feed", newest),
        "clear": search_form.address("/search", kept),
    }
    if next_cursor:
        found["next"] = search_form.address("/search", {**values, "cursor": next_cursor})
    if "cursor" in values:
        found["first"] = search_form.address("/search", unpaged)
    return found


def _checked(request: HttpRequest, leave_out: tuple[str, ...] = ()) -> search.Query:
    """The search asked of a download or feed; a fault is a 400 page naming each parameter."""
    values, garbled = search_form.given(request)
    values = {name: value for name, value in values.items() if name not in leave_out}
    query, faults = search_form.understand(values, garbled - set(leave_out))
    if query is None:
        problems = [errors.Problem(fault["field"], fault["message"]) for fault in faults]
        raise errors.bad_request(problems)
    return query


@require_safe
def search_csv(request: HttpRequest) -> HttpResponse:
    """Up to CSV_ROWS processes of the search in its order, one a row; text cells that a
    spreadsheet would run as a formula start with an apostrophe. More continue from the
    ``Link: rel="next"`` header's address."""
    try:
        query = _checked(request)
    except errors.PageError as error:
        return errors.answer(request, error)
    results = search.search_processes(Store(), replace(query, limit=CSV_ROWS))
    response = HttpResponse(table(request, results.items), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="search.csv"'
    if results.next_cursor:
        values, _garbled = search_form.given(request)
        following = search_form.address("/search.csv", {**values, "cursor": results.next_cursor})
        response["Link"] = f'<{request.build_absolute_uri(following)}>; rel="next"'
    return response


def table(request: HttpRequest, items: list[Found]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for item in items:
        row = [getattr(item, column, None) for column in CSV_COLUMNS[:-1]]
        row.append(request.build_absolute_uri(process_address(item.ocid)))
        writer.writerow(
            [
                spreadsheet_safe(cell) if isinstance(cell, str) else "" if cell is None else cell
                for cell in row
            ]
        )
    return out.getvalue()


def process_address(ocid: str) -> str:
    return f"/processes/{quote(ocid, safe='')}"


@require_safe
def search_atom(request: HttpRequest) -> HttpResponse:
    """The newest FEED_ENTRIES processes the search finds, newest first, as Atom 1.0."""
    try:
        query = _checked(request, leave_out=UNFED)
    except errors.PageError as error:
        return errors.answer(request, error)
    newest = replace(query, sort="date", descending=True, cursor=None, limit=FEED_ENTRIES)
    store = Store()
    results = search.search_processes(store, newest)
    items, welsh = summaries.found_in_language(store, results.items)
    values, _garbled = search_form.given(request)
    shown = {name: value for name, value in values.items() if name not in UNFED}
    return HttpResponse(
        search_feed.atom(
            items,
            translated=welsh,
            self_url=request.build_absolute_uri(search_form.address("/search/feed", shown)),
            page_url=request.build_absolute_uri(search_form.address("/search", shown)),
            entry_url=lambda ocid: request.build_absolute_uri(process_address(ocid)),
        ),
        content_type=search_feed.ATOM,
    )
