"""Following the money on the pages (docs/pages.md; docs/spend.md, "What users see"): a paying
body's spend coverage page (/spend/bodies/<body>), a contract's spend on its process's page,
and a supplier's payments (and, for a buyer, its spend coverage) on an organisation's page.
Read through openbook.spend_views, as the API is; each section's words in the reader's
language, its chart's geometry worked out here for the template to draw."""

from decimal import Decimal
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_safe

from openbook import spend_links, spend_views
from openbook.organisations import InvalidIdentifier
from openbook.store.database import Store
from openbook.web.pages import errors
from openbook.web.pages.errors import Problem
from openbook.web.pages.formats import money
from openbook.web.pages.i18n import _
from openbook.web.pages.progress import period_name
from openbook.web.pages.rendering import page

LONGEST = 300
PAYMENTS = 20  # a contract's or a supplier's newest payments shown; the API has every one
LARGEST = 10
MONTHS_CHARTED = 24  # beyond this, a contract's chart goes by year (its table by month)
# A chart's geometry, in SVG user units: labels, then bars up to BAR long, a row each.
LABEL_WIDTH = 150
BAR = 300
ROW = 30
VALUE_WIDTH = 110


def method_names() -> dict[str, str]:
    """How the linker found each link (openbook.standards.spend.linkage), in words."""
    return {
        "notice": _("Published by the contract's own notice"),
        "reference": _("The payment names the contract"),
        "supplier-identifier": _("The supplier's identifier"),
        "supplier-name": _("The supplier's name"),
        "supplier-name-fuzzy": _("The supplier's name, spelt alike"),
    }


def state_names() -> dict[str, str]:
    return {
        "linked": _("Linked to a contract"),
        "unlinked": _("No contract found"),
        "notLinkedYet": _("Not linked yet"),
    }


def _checked(field: str, value: str) -> str:
    if len(value) > LONGEST:
        raise errors.bad_request(
            [Problem(field, _("is longer than %(most)s characters", most=LONGEST))]
        )
    if "\ufffd" in value or any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise errors.bad_request([Problem(field, _("has characters that are not text"))])
    return value


# /spend/bodies/<body>


@require_safe
def body_page(request: HttpRequest, body: str) -> HttpResponse:
    try:
        written = spend_views.body_key(_checked("body", body))
        if written and written != body:  # the address of the body's own key
            return page_redirect(request, spend_views.body_href(written))
        context = body_context(Store(), body)
    except errors.PageError as error:
        return errors.answer(request, error)
    return page(
        request,
        "pages/spend/body.html",
        context,
        title=_("Spend coverage: %(name)s", name=context["name"]),
    )


def page_redirect(request: HttpRequest, address: str) -> HttpResponse:
    query = request.GET.urlencode()
    return HttpResponseRedirect(address + (f"?{query}" if query else ""))


def body_context(store: Store, body: str) -> dict:
    """A paying body's spend coverage, by year, with a chart; the suppliers it paid most
    without a linked contract; its payments to suppliers on the debarment list."""
    found = spend_views.body(store, _checked("body", body), limit=LARGEST)
    if found is None:
        raise errors.PageError(404, _("No payments of this body are here"))
    years = found["years"]
    rows = [{"label": year["period"], "value": year["share"], "coverage": year} for year in years]
    title = _("Share of the pounds paid linked, by year")
    return {
        **found,
        "chart": _share_chart("chart-coverage", title, rows) if rows else None,
        "methodNames": method_names(),
        "stateNames": state_names(),
    }


def _share_chart(identifier: str, title: str, rows: list[dict]) -> dict:
    bars = []
    for position, row in enumerate(rows):
        value = row["value"]
        bars.append(
            {
                **row,
                "y": position * ROW,
                "length": round(BAR * (value or 0), 1),
                "shown": "%.1f%%" % (value * 100) if value is not None else _("no figure"),
            }
        )
    return _chart(identifier, title, bars)


def _chart(identifier: str, title: str, bars: list[dict], line: dict | None = None) -> dict:
    return {
        "id": identifier,
        "title": title,
        "rows": bars,
        "width": LABEL_WIDTH + BAR + VALUE_WIDTH,
        "height": max(len(bars), 1) * ROW,
        "labelWidth": LABEL_WIDTH,
        "line": line,
    }


# A contract's spend, on its process's page


def contract_section(store: Store, ocid: str) -> dict | None:
    """What has been paid on a process's contracts, each with a chart of its spend to date
    against its value; None when it has no contract or award to pay, or when nothing is
    paid on it and no spending file has been loaded."""
    found = spend_views.contract(store, ocid, limit=PAYMENTS)
    if found is None or not found["contracts"]:
        return None
    if not found["paymentCount"] and not spend_links.has_payments(store):
        return None
    shown = [
        {
            **each,
            "months": [{**m, "label": period_name(m["month"])} for m in each["months"]],
            "chart": _spend_chart(each, f"chart-spend-{number}"),
        }
        for number, each in enumerate(found["contracts"])
    ]
    return {
        **found,
        "contracts": shown,
        "methodNames": method_names(),
        "more": max(0, found["paymentCount"] - len(found["payments"])),
    }


def _spend_chart(target: dict, identifier: str) -> dict | None:
    """Spend to date (in the value's currency, else the one most paid in) at the end of each
    month with a payment (each year, past MONTHS_CHARTED months), against the value."""
    value = target["value"]
    currency = value["currency"] if value else None
    if currency is None and target["spentToDate"]:
        currency = target["spentToDate"][0]["currency"]
    months = [m for m in target["months"] if m["currency"] == currency]
    if not months:
        return None
    points = [(period_name(m["month"]), Decimal(m["cumulative"])) for m in months]
    if len(points) > MONTHS_CHARTED:
        by_year: dict[str, Decimal] = {}
        for m in months:
            by_year[m["month"][:4]] = Decimal(m["cumulative"])
        points = list(by_year.items())
    worth = Decimal(str(value["amount"])) if value else Decimal(0)
    top = max([worth, *(amount for _, amount in points), Decimal(1)])
    bars = [
        {
            "label": label,
            "value": float(amount),
            "y": position * ROW,
            "length": round(float(BAR * max(amount, Decimal(0)) / top), 1),
            "shown": money(float(amount), currency),
        }
        for position, (label, amount) in enumerate(points)
    ]
    line = {"value": value["amount"], "x": LABEL_WIDTH + round(float(BAR * worth / top), 1)}
    return {
        **_chart(
            identifier,
            _("Spent to date against the value (%(currency)s)", currency=currency),
            bars,
            line if value and worth > 0 else None,
        ),
        "currency": currency,
    }


# An organisation's payments, on its page


def organisation_section(store: Store, identifier: str, names: list[str]) -> dict | None:
    """As a supplier: what each body paid it, with and without a contract, and its newest
    payments; as a paying body: its spend coverage, with a link to its page. None when the
    spending files show neither."""
    try:
        received = spend_views.supplier(store, identifier, limit=10)
    except InvalidIdentifier:
        received = None
    if received is not None and not received["paymentCount"]:
        received = None
    paying = [
        {
            "body": key,
            "href": spend_views.body_href(key),
            "coverage": spend_views.coverage_of(store, key),
        }
        for key in spend_views.bodies_of(store, identifier, names)
    ]
    if received is None and not paying:
        return None
    return {
        "asSupplier": received,
        "asBody": paying,
        "stateNames": state_names(),
        "links": {"api": f"/api/spend/suppliers/{quote(identifier, safe='')}"},
    }
