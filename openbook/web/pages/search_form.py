"""The search page's form (docs/pages.md): the address's parameters read exactly as the search
API reads them (``GET /api/ocds/processes``: the same names and the same checks, so that a page
and its API call are one question), every fault found at once and said in plain words on its
field, the filter panel's options with their facet counts, and the chosen filters as tags that
each remove one."""

from collections.abc import Callable, Collection
from urllib.parse import unquote_to_bytes, urlencode

from django.http import HttpRequest
from pydantic import ValidationError

from openbook import search
from openbook.standards.ocds.terms import STAGES
from openbook.standards.uk.notices import NOTICE_TYPES
from openbook.web.api import search as api_search
from openbook.web.api.errors import ApiError
from openbook.web.pages import formats
from openbook.web.pages.i18n import _

# The API's parameters, in its order; the page shows a fixed number of results a page.
PARAMETERS = tuple(name for name in api_search.ProcessFilters.model_fields if name != "limit")
# Parameters that take several values, comma-separated (a form's checkboxes repeat them).
LISTS = ("cpv", "stage", "status", "procurement_method", "notice_type", "region")
RANGES = ("published", "deadline", "award", "contract_start", "contract_end")
# What a search is after its filters: kept when filters are cleared.
ORDERING = ("sort", "order")
# Free text, whose fault may be its length alone.
TEXTS = ("buyer", "supplier", *LISTS)
KNOWN = {
    "stage": STAGES,
    "status": api_search.STATUSES,
    "procurement_method": api_search.METHODS,
}


def labels() -> dict[str, str]:
    """Each parameter's name on the page, in the reader's language."""
    named = {
        "q": _("Search words"),
        "buyer": _("Buyer"),
        "supplier": _("Supplier"),
        "cpv": _("CPV codes"),
        "value_min": _("Lowest value"),
        "value_max": _("Highest value"),
        "currency": _("Currency"),
        "stage": _("Stage"),
        "status": _("Tender status"),
        "procurement_method": _("Procurement method"),
        "notice_type": _("Notice type"),
        "region": _("Region"),
        "sort": _("Sort by"),
        "order": _("Order"),
        "cursor": _("Page of results"),
        **flag_labels(),
    }
    for name, legend in range_labels().items():
        named[f"{name}_from"] = _("%(range)s: from", range=legend)
        named[f"{name}_to"] = _("%(range)s: to", range=legend)
    return named


def range_labels() -> dict[str, str]:
    return {
        "published": _("Published"),
        "deadline": _("Deadline for tenders"),
        "award": _("Awarded"),
        "contract_start": _("Contract starts"),
        "contract_end": _("Contract ends"),
    }


def flag_labels() -> dict[str, str]:
    return {
        "above_threshold": _("Above the procurement threshold"),
        "suitable_sme": _("Suitable for small and medium-sized enterprises (SMEs)"),
        "suitable_vcse": _("Suitable for voluntary, community and social enterprises (VCSEs)"),
        "awarded_sme": _("Awarded to an SME"),
        "awarded_vcse": _("Awarded to a VCSE"),
    }


def code_labels() -> dict[str, dict[str, str]]:
    """The words for the codes of each list the panel offers."""
    return {
        "stage": {
            "planning": _("Planning"),
            "tender": _("Tender"),
            "award": _("Award"),
            "contract": _("Contract"),
            "implementation": _("Implementation"),
        },
        "status": {
            "planning": _("Planning"),
            "planned": _("Planned"),
            "active": _("Active"),
            "cancelled": _("Cancelled"),
            "unsuccessful": _("Unsuccessful"),
            "complete": _("Complete"),
            "withdrawn": _("Withdrawn"),
        },
        "procurement_method": {
            "open": _("Open"),
            "selective": _("Selective"),
            "limited": _("Limited"),
            "direct": _("Direct award"),
        },
        # The International Territorial Levels' first level (ONS): the regions the facets count.
        "region": {
            "UKC": _("North East England"),
            "UKD": _("North West England"),
            "UKE": _("Yorkshire and the Humber"),
            "UKF": _("East Midlands"),
            "UKG": _("West Midlands"),
            "UKH": _("East of England"),
            "UKI": _("London"),
            "UKJ": _("South East England"),
            "UKK": _("South West England"),
            "UKL": _("Wales"),
            "UKM": _("Scotland"),
            "UKN": _("Northern Ireland"),
        },
    }


# Reading the address


def given(request: HttpRequest) -> tuple[dict[str, str], set[str]]:
    """The search's parameters as given, each once (a list's repeats joined by commas, as the
    API takes them; otherwise the last), empty ones left out; and the names of those whose
    percent-encoding is not UTF-8 (Django reads those with replacement characters)."""
    values = {}
    for name in PARAMETERS:
        found = [value.strip() for value in request.GET.getlist(name) if value.strip()]
        if found:
            values[name] = ",".join(found) if name in LISTS else found[-1]
    garbled = set()
    for pair in request.META.get("QUERY_STRING", "").split("&"):
        raw_name, _sign, raw_value = pair.partition("=")
        name = unquote_to_bytes(raw_name.replace("+", " ")).decode("utf-8", "replace")
        if name in values:
            try:
                unquote_to_bytes(raw_value.replace("+", " ")).decode("utf-8")
            except UnicodeDecodeError:
                garbled.add(name)
    return values, garbled


def understand(
    values: dict[str, str], garbled: Collection[str] = ()
) -> tuple[search.Query | None, list[dict]]:
    """The search these values ask for, read by the API's own reader and checked by the use
    case; else None and every fault (in the form's order): each parameter at fault is set
    aside and the rest read again, until none is left. No search runs here."""
    remaining = {name: value for name, value in values.items() if name not in garbled}
    faults = [_fault(name, "encoding", "is not UTF-8 text") for name in sorted(garbled)]
    for _attempt in range(len(PARAMETERS) + 1):
        found = _faults_of(remaining)
        if isinstance(found, search.Query):
            return (None if faults else found), _in_form_order(faults)
        faults.extend(_fault(name, kind, detail) for name, kind, detail in found)
        if not all(name in remaining for name, _kind, _detail in found):
            break
        for name, _kind, _detail in found:
            remaining.pop(name)
    return None, _in_form_order(faults)


def _faults_of(values: dict[str, str]) -> search.Query | list[tuple[str, str, str]]:
    """The search these values ask for, or the first faults found in them: (parameter, kind
    of fault, the reader's own reason)."""
    try:
        query = _read(values)
        search.check(query)
    except ValidationError as error:
        return [(str(each["loc"][0]), "length", each["msg"]) for each in error.errors()]
    except ApiError as error:
        parameter = error.parameter or ""
        detail = error.message.removeprefix(f"{parameter}: ")
        kind = "range" if _valid_alone(parameter, values.get(parameter)) else "value"
        return [(parameter, kind, detail)]
    except search.QueryError as error:
        return [(error.parameter, "search", error.message)]
    return query


def _in_form_order(faults: list[dict]) -> list[dict]:
    """Faults in the order of the fields they are about, as an error summary lists them."""
    order = {name: position for position, name in enumerate(PARAMETERS)}
    return sorted(faults, key=lambda fault: order.get(fault["field"], len(order)))


def _read(values: dict[str, str]) -> search.Query:
    """The API's own reader of its parameters: the page asks exactly what its API call asks."""
    return api_search.read_query(api_search.ProcessFilters.model_validate(values))


def _valid_alone(name: str, value: str | None) -> bool:
    """Whether a value the API refused is good by itself (so that it was refused beside
    another: a range that ends before it starts)."""
    if value is None or name not in PARAMETERS:
        return False
    try:
        _read({name: value})
    except (ValidationError, ApiError):
        return False
    return True


def _fault(name: str, kind: str, detail: str) -> dict:
    """A fault as the page shows it: the parameter, what to do in plain words, the field it is
    about, and the search's own reason (in English, as the API gives it)."""
    return {
        "field": name,
        "message": _message(name, kind),
        "href": None if name == "cursor" or name not in PARAMETERS else f"#{name}",
        "detail": detail,
    }


def _message(name: str, kind: str) -> str:  # noqa: PLR0911 (one answer for each kind of fault)
    """What to do about a fault, naming its field: the error summary lists these alone."""
    label = labels().get(name, name)
    if kind == "encoding":
        return _("The text given for ‘%(label)s’ is not valid UTF-8: type it again", label=label)
    if name == "cursor":
        return _(
            "The link to this page of results is broken or belongs to another search: start "
            "again from the first page"
        )
    if kind == "length" and name in TEXTS:
        limit = api_search.ProcessFilters.model_fields[name].metadata
        most = next((rule.max_length for rule in limit if hasattr(rule, "max_length")), None)
        return _("%(label)s must be %(most)s characters or fewer", label=label, most=most)
    if kind == "range" and name == "value_max":
        return _("The highest value must be the same as or more than the lowest value")
    if kind == "range":
        return _(
            "%(range)s: the ‘to’ date must be the same as or after the ‘from’ date",
            range=range_labels()[name.removesuffix("_to")],
        )
    if kind == "search" and name == "sort":
        return _("Enter search words to sort by relevance")
    if name.endswith(("_from", "_to")):
        return _("Enter a real date for ‘%(label)s’ as YYYY-MM-DD, such as 2025-03-27", label=label)
    if name in search.FLAGS:
        return _("Select yes, no or either for ‘%(label)s’", label=label)
    return _field_messages()[name]


def _field_messages() -> dict[str, str]:
    named = labels()
    return {
        "q": _(
            "Enter up to %(most)s words to search for in up to 500 characters, not only common "
            "words such as ‘the’ or ‘and’",
            most=search.MAX_WORDS,
        ),
        "buyer": _("Enter a buyer’s name, or an identifier such as GB-COH-01234567"),
        "supplier": _("Enter a supplier’s name, or an identifier such as GB-COH-01234567"),
        "cpv": _("Enter CPV codes or their first 2 or more digits, such as 45 or 45233140-2"),
        **{
            name: _("Enter a number for ‘%(label)s’, such as 250000", label=named[name])
            for name in ("value_min", "value_max")
        },
        "currency": _("Enter a currency as its 3-letter code, such as GBP"),
        "stage": _("Select stages from the list"),
        "status": _("Select tender statuses from the list"),
        "procurement_method": _("Select procurement methods from the list"),
        "order": _("Select an order from the list"),
        "notice_type": _("Enter notice types as their codes, such as UK4"),
        "region": _("Enter regions as codes or names, such as UKI or London"),
        "sort": _("Select relevance, date or value"),
    }


# The filter panel


def listed(values: dict[str, str], name: str) -> list[str]:
    """The values of a list parameter, each once."""
    return list(dict.fromkeys(p.strip() for p in values.get(name, "").split(",") if p.strip()))


def panel(values: dict[str, str], facets: dict[str, dict[str, int]]) -> dict:
    """What the filter panel offers: for each list, its options (the codes it knows, those the
    facets found, and whatever was asked for), each with its facet count where the search gave
    one; for each yes-or-no filter, its choices; the date ranges."""
    lists = {}
    words = code_labels()
    for name in ("stage", "status", "procurement_method", "notice_type", "region"):
        # The codes in the order the labels give them (a process's course), then any other.
        known = [*words.get(name, {}), *KNOWN.get(name, ())]
        counts = facets.get(name, {})
        chosen = listed(values, name)
        codes = list(dict.fromkeys([*known, *_natural(counts), *chosen]))
        lists[name] = [
            {
                "value": code,
                "text": words.get(name, {}).get(code, code),
                "hint": _notice_name(code) if name == "notice_type" else None,
                "count": counts.get(code),
                "checked": code in chosen,
            }
            for code in codes
        ]
    flags = [
        {
            "name": name,
            "legend": legend,
            "options": [
                {"value": "", "text": _("Either"), "count": None, "checked": name not in values},
                *(
                    {
                        "value": value,
                        "text": text,
                        "count": facets.get(name, {}).get(value),
                        "checked": values.get(name) == value,
                    }
                    for value, text in (("true", _("Yes")), ("false", _("No")))
                ),
            ],
        }
        for name, legend in flag_labels().items()
    ]
    ranges = [
        {"name": name, "legend": legend, "from": f"{name}_from", "to": f"{name}_to"}
        for name, legend in range_labels().items()
    ]
    return {"lists": lists, "flags": flags, "ranges": ranges}


def _natural(counts: dict[str, int]) -> list[str]:
    """Facet values in a reader's order: UK2 before UK10."""
    return sorted(counts, key=lambda code: (code.rstrip("0123456789"), len(code), code))


def _notice_name(code: str) -> str | None:
    notice = NOTICE_TYPES.get(code)
    return notice.name if notice is not None else None


# The chosen filters


def address(path: str, values: dict[str, str]) -> str:
    """``path`` asking these values, in the API's order."""
    pairs = [(name, values[name]) for name in PARAMETERS if values.get(name)]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def selected(values: dict[str, str]) -> list[dict]:
    """The filters chosen (not the words, order or page), grouped as the panel groups them,
    each a link to the same search without it (and from its first page)."""
    named = labels()
    words = code_labels()
    kept = {name: value for name, value in values.items() if name != "cursor"}

    def without(name: str, part: str | None = None) -> str:
        rest = dict(kept)
        if part is None:
            rest.pop(name)
        else:
            rest[name] = ",".join(value for value in listed(values, name) if value != part)
        return address("/search", rest)

    groups: list[dict] = []
    for name in PARAMETERS:
        if name not in kept or name in ("q", *ORDERING):
            continue
        if name in LISTS:
            items = [
                {"text": words.get(name, {}).get(part, part), "href": without(name, part)}
                for part in listed(values, name)
            ]
        elif name.endswith(("_from", "_to")):
            start, end = (f"{name.rsplit('_', 1)[0]}_{edge}" for edge in ("from", "to"))
            if name == end and start in kept:
                continue  # shown with its start
            groups.append(_range(name.rsplit("_", 1)[0], kept, without))
            continue
        elif name in search.FLAGS:
            items = [{"text": _("Yes") if kept[name] == "true" else _("No"), "href": without(name)}]
        elif name in ("value_min", "value_max"):
            items = [{"text": formats.number(float(kept[name])), "href": without(name)}]
        else:
            items = [{"text": kept[name], "href": without(name)}]
        groups.append({"heading": named[name], "items": items})
    return groups


def _range(name: str, kept: dict[str, str], without: Callable[[str], str]) -> dict:
    """A date range's tags: its start and its end, each removable."""
    items = []
    for end in ("from", "to"):
        parameter = f"{name}_{end}"
        if parameter in kept:
            written = kept[parameter]
            day = formats.day(written) if len(written) == 10 else formats.moment(written)
            text = _("From %(day)s", day=day) if end == "from" else _("Up to %(day)s", day=day)
            items.append({"text": text, "href": without(parameter)})
    return {"heading": range_labels()[name], "items": items}
