"""The search page: every filter the search API offers, facet counts, chosen filters as tags,
results sorted and paged by the use case's cursor, the same search as an API call, as CSV and
as an Atom feed; bad parameters answered with the form and each fault on its field."""

import csv
import io
import re
import xml.etree.ElementTree as ET  # the feeds parsed are the page's own
from html import unescape
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest
from django.test import Client, RequestFactory

from openbook import search
from openbook.store.search import Found
from openbook.web.pages import formats, search_feed, search_form
from openbook.web.pages import search as search_page

ATOM = "{http://www.w3.org/2005/Atom}"
FILTERED = {
    "q": "services",
    "stage": "contract",
    "status": "complete",
    "region": "UKE",
    "value_min": "10000",
    "currency": "GBP",
    "published_from": "2020-01-01",
    "above_threshold": "false",
}


def _get(address: str, data: dict | None = None, **headers):
    return Client().get(address, data or {}, **headers)


def _twin(address: str, data: dict | None = None) -> dict:
    if data is None:  # the address's own query (the test client drops it when given data)
        answer = _get(address + ("&" if "?" in address else "?") + "format=json")
    else:
        answer = _get(address, {**data, "format": "json"})
    assert answer["Content-Type"] == "application/json"
    return orjson.loads(answer.content)


def _links_to_processes(html: str) -> list[str]:
    found = re.findall(r'<a class="govuk-link" href="/processes/([^"]+)">', html)
    return [unescape(ocid) for ocid in found]


def test_the_page_lists_what_the_use_case_finds(site):
    expected = search.search_processes(site.store, search.Query(limit=20))
    answer = _get("/search")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "<title>Search contracts – Open contracting – GOV.UK</title>" in html
    assert f"{expected.count} contracting processes found" in html
    assert _links_to_processes(html) == [found.ocid for found in expected.items]
    first = expected.items[0]
    assert formats.money(first.value_amount, first.value_currency) in html
    assert f"Published {formats.day(first.published)}" in html
    assert '<link rel="stylesheet" href="/assets/moj-frontend.min.css">' in html
    assert 'class="moj-filter-layout"' in html and 'class="moj-filter"' in html


def test_its_json_twin_is_the_context_the_page_shows(site):
    expected = search.search_processes(site.store, search.Query(limit=20))
    twin = _twin("/search")
    assert twin["count"] == expected.count and twin["count_exact"] is True
    assert twin["facets"] == expected.facets
    assert [result["ocid"] for result in twin["results"]] == [f.ocid for f in expected.items]
    assert twin["query"]["sort"] == "date" and twin["query"]["order"] == "desc"
    assert twin["links"]["api"] == "/api/ocds/processes"
    assert twin["links"]["next"].startswith("/search?cursor=")
    assert twin["error"] is None
    html = _get("/search").content.decode()
    for result in twin["results"]:
        assert f'href="/processes/{result["ocid"]}"' in html
    for option in twin["panel"]["lists"]["stage"]:
        if option["count"] is not None:
            assert f"{option['text']} ({option['count']})" in html


def test_filters_find_what_the_api_finds_with_the_same_parameters(site):
    twin = _twin("/search", FILTERED)
    api = orjson.loads(_get("/api/ocds/processes", FILTERED).content)
    assert twin["count"] == api["count"] > 0
    assert [result["ocid"] for result in twin["results"]] == [
        result["ocid"] for result in api["results"]
    ]
    assert twin["facets"] == api["facets"]
    understood = twin["query"]
    assert understood["words"] == ["services"] and understood["sort"] == "relevance"
    assert understood["stage"] == ["contract"] and understood["region"] == ["UKE"]
    assert understood["value_min"] == 10000 and understood["flags"] == {"above_threshold": False}
    assert understood["dates"]["published"]["from"].startswith("2020-01-01T00:00:00")
    for result in twin["results"]:
        assert result["stage"] == "contract" and result["value"]["amount"] >= 10000


def test_the_api_link_asks_the_api_the_same_question(site):
    twin = _twin("/search", {**FILTERED, "sort": "value", "order": "asc"})
    api = orjson.loads(_get(twin["links"]["api"]).content)
    assert [result["ocid"] for result in api["results"]] == [
        result["ocid"] for result in twin["results"]
    ]
    assert api["sort"] == "value" and api["order"] == "asc"


def test_every_filter_of_the_api_is_a_field_of_the_form(site):
    html = _get("/search").content.decode()
    form = html[html.index('<form action="/search" method="get"') : html.index("</form>")]
    for name in search_form.PARAMETERS:
        if name == "cursor":
            assert 'name="cursor"' not in form  # a new search starts at its first page
        else:
            assert f'name="{name}"' in form, name
            assert f'id="{name}"' in form, name


def test_a_plain_form_submission_repeats_a_list_and_is_read_as_the_api_reads_commas(site):
    repeated = _twin("/search?stage=contract&stage=tender&region=UKE&region=UKJ")
    commas = _twin("/search", {"stage": "contract,tender", "region": "UKE,UKJ"})
    assert repeated["results"] == commas["results"] and repeated["count"] == commas["count"]
    assert (
        repeated["links"]["api"] == "/api/ocds/processes?stage=contract%2Ctender&region=UKE%2CUKJ"
    )
    html = _get("/search?stage=contract&stage=tender").content.decode()
    assert re.search(r'name="stage" type="checkbox" value="contract" checked', html)
    assert re.search(r'name="stage" type="checkbox" value="tender" checked', html)
    assert not re.search(r'name="stage" type="checkbox" value="award" checked', html)


def test_chosen_filters_are_tags_each_removing_itself(site):
    answer = _get(
        "/search", {"q": "services", "stage": "contract,tender", "award_from": "2020-01-01"}
    )
    html = answer.content.decode()
    assert 'class="moj-filter__selected"' in html
    tags = {
        unescape(re.sub(r"<[^>]+>|\s+", " ", text)).split(":", 1)[1].strip(): unescape(href)
        for href, text in re.findall(r'<a class="moj-filter__tag" href="([^"]+)">(.*?)</a>', html)
    }
    assert tags == {
        "Contract": "/search?q=services&stage=tender&award_from=2020-01-01",
        "Tender": "/search?q=services&stage=contract&award_from=2020-01-01",
        "From 1 January 2020": "/search?q=services&stage=contract%2Ctender",
    }
    assert 'href="/search?q=services">Clear filters</a>' in html
    assert 'class="moj-filter__selected"' not in _get("/search?q=services").content.decode()


def test_results_sort_by_value_either_way(site):
    for order, reverse in (("asc", False), ("desc", True)):
        twin = _twin("/search", {"sort": "value", "order": order})
        amounts = [result["value"]["amount"] for result in twin["results"] if result["value"]]
        assert amounts == sorted(amounts, reverse=reverse) and len(amounts) > 10
        assert twin["query"]["sort"] == "value"


def test_pages_follow_the_cursor_without_repeating_or_skipping(site):
    seen: list[str] = []
    address = "/search?sort=date"
    pages = 0
    while address:
        twin = _twin(address)
        seen += [result["ocid"] for result in twin["results"]]
        html = _get(address).content.decode()
        if pages:
            assert 'rel="prev"' in html and twin["links"]["first"] == "/search?sort=date"
        else:
            assert "first" not in twin["links"]
        address = twin["links"].get("next")
        if address:
            assert f'href="{address.replace("&", "&amp;")}" rel="next"' in html
        pages += 1
        assert len(twin["results"]) == (20 if address else twin["count"] - 20 * (pages - 1))
    assert len(seen) == len(set(seen)) == twin["count"] == 87
    assert pages == 5


def test_a_count_beyond_the_cap_is_at_least(site, monkeypatch):
    monkeypatch.setattr(search, "COUNT_CAP", 10)
    twin = _twin("/search")
    assert twin["count"] == 10 and twin["count_exact"] is False
    html = _get("/search").content.decode()
    assert "At least 10 contracting processes found" in html


def test_the_csv_link_downloads_the_search(site):
    twin = _twin("/search", FILTERED)
    answer = _get(twin["links"]["csv"])
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in answer["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(answer.content.decode())))
    assert len(rows) == twin["count"]
    assert [row["ocid"] for row in rows[:20]] == [result["ocid"] for result in twin["results"]]
    assert rows[0]["url"] == f"http://testserver/processes/{rows[0]['ocid']}"
    assert float(rows[0]["value_amount"]) == twin["results"][0]["value"]["amount"]


def test_a_long_csv_continues_by_its_link_header(site, monkeypatch):
    monkeypatch.setattr(search_page, "CSV_ROWS", 50)
    first = _get("/search.csv")
    following = re.fullmatch(
        r'<(http://testserver/search\.csv\?cursor=[^>]+)>; rel="next"', first["Link"]
    )
    assert following
    rest = _get(following.group(1).removeprefix("http://testserver"))
    assert "Link" not in rest
    ocids = [
        row["ocid"]
        for answer in (first, rest)
        for row in csv.DictReader(io.StringIO(answer.content.decode()))
    ]
    assert len(ocids) == len(set(ocids)) == 87


def test_csv_cells_a_spreadsheet_would_run_are_quoted():
    hostile = _found(title='=HYPERLINK("http://evil")', buyer_name="@SUM(A1)", buyer_id="-1+1")
    request = RequestFactory().get("/search.csv")
    rows = list(csv.reader(io.StringIO(search_page.table(request, [hostile]))))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["title"] == '\'=HYPERLINK("http://evil")'
    assert row["buyer_name"] == "'@SUM(A1)" and row["buyer_id"] == "'-1+1"
    assert row["value_amount"] == "-5.0"  # a number stays a number


def test_the_feed_is_atom_of_the_newest_matching_notices(site):
    twin = _twin("/search", {"q": "services", "sort": "value"})
    answer = _get(twin["links"]["feed"])
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/atom+xml; charset=utf-8"
    feed = _parse(answer.content)
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id").text == "http://testserver/search/feed?q=services"
    assert feed.find(f"{ATOM}title").text and feed.find(f"{ATOM}author/{ATOM}name").text
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links == {
        "self": "http://testserver/search/feed?q=services",
        "alternate": "http://testserver/search?q=services",
    }
    newest = search.search_processes(
        site.store, search.Query(text="services", sort="date", limit=search_page.FEED_ENTRIES)
    )
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == search_page.FEED_ENTRIES
    for entry, found in zip(entries, newest.items, strict=True):
        address = f"http://testserver/processes/{found.ocid}"
        assert entry.find(f"{ATOM}id").text == address
        assert entry.find(f"{ATOM}link").get("href") == address
        assert entry.find(f"{ATOM}title").text == found.title
        assert entry.find(f"{ATOM}updated").text == found.published
    assert feed.find(f"{ATOM}updated").text == newest.items[0].published
    html = _get("/search?q=services").content.decode()
    assert (
        '<link rel="alternate" type="application/atom+xml" href="/search/feed?q=services"' in html
    )


def test_the_feed_escapes_what_publishers_wrote():
    hostile = _found(title="<script>alert('x')</script> & \x01more\ufffe", buyer_name="A & B <b>")
    body = search_feed.atom(
        [hostile],
        self_url="http://testserver/search/feed?q=a&b=<c>",
        page_url="http://testserver/search?q=a",
        entry_url=lambda ocid: f"http://testserver/processes/{ocid}",
    )
    assert b"<script>" not in body and b"\x01" not in body
    feed = _parse(body)
    entry = feed.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == "<script>alert('x')</script> & more"
    assert entry.find(f"{ATOM}summary").text.startswith("A & B <b>")
    assert feed.find(f"{ATOM}id").text == "http://testserver/search/feed?q=a&b=<c>"


# Bad parameters: (parameter, value, what the field then says).
BAD = [
    ("q", "x" * 501, "Enter up to 20 words"),
    ("q", "the and of", "not only common words"),
    ("q", " ".join(f"word{n}" for n in range(21)), "Enter up to 20 words"),
    ("buyer", "b" * 301, "Buyer must be 300 characters or fewer"),
    ("buyer", "a\x00b", "Enter a buyer’s name, or an identifier"),
    ("supplier", "s" * 301, "Supplier must be 300 characters or fewer"),
    ("cpv", "4", "Enter CPV codes"),
    ("cpv", "45,abc", "Enter CPV codes"),
    ("value_min", "lots", "Enter a number for ‘Lowest value’"),
    ("value_max", "1e999", "Enter a number for ‘Highest value’"),
    ("currency", "POUNDS", "Enter a currency as its 3-letter code"),
    ("stage", "nonsense", "Select stages from the list"),
    ("status", "active,bogus", "Select tender statuses from the list"),
    ("procurement_method", "auction", "Select procurement methods from the list"),
    ("notice_type", "UK4;DROP TABLE", "Enter notice types as their codes"),
    ("region", "UKI,\x07", "Enter regions as codes or names"),
    ("published_from", "2024-13-01", "as YYYY-MM-DD, such as 2025-03-27"),
    ("published_to", "yesterday", "as YYYY-MM-DD, such as 2025-03-27"),
    ("deadline_from", "2024-02-30", "as YYYY-MM-DD, such as 2025-03-27"),
    ("award_to", "2024-01-01T25:00:00", "as YYYY-MM-DD, such as 2025-03-27"),
    ("contract_start_from", "1" * 41, "as YYYY-MM-DD, such as 2025-03-27"),
    ("contract_end_to", "01/02/2024", "as YYYY-MM-DD, such as 2025-03-27"),
    ("above_threshold", "maybe", "Select yes, no or either for ‘"),
    ("suitable_sme", "yes", "Select yes, no or either for ‘"),
    ("suitable_vcse", "1", "Select yes, no or either for ‘"),
    ("awarded_sme", "TRUE", "Select yes, no or either for ‘"),
    ("awarded_vcse", "<b>", "Select yes, no or either for ‘"),
    ("sort", "up", "Select relevance, date or value"),
    ("sort", "relevance", "Enter search words to sort by relevance"),
    ("order", "sideways", "Select an order from the list"),
]


@pytest.mark.parametrize(("name", "value", "says"), BAD)
def test_a_bad_parameter_is_a_400_with_the_fault_on_its_field(site, name, value, says):
    answer = _get("/search", {name: value})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "<title>Error: Search contracts – Open contracting – GOV.UK</title>" in html
    summary = html[html.index('class="govuk-error-summary"') : html.index("<h1")]
    assert f'href="#{name}"' in summary and says in unescape(summary)
    assert f'id="{name}"' in html  # the summary's link lands on the field
    field_error = re.search(
        rf'<p id="{name}-error" class="govuk-error-message">(.*?)</p>', html, re.S
    )
    assert field_error and says in unescape(field_error.group(1))
    assert _links_to_processes(html) == []
    twin = _twin("/search", {name: value})
    assert [problem["field"] for problem in twin["error"]["problems"]] == [name]
    assert twin["error"]["problems"][0]["href"] == f"#{name}"
    assert twin["results"] == [] and twin["count"] is None


def test_the_form_keeps_what_was_typed_escaped(site):
    hostile = '"><script>alert(1)</script>'
    html = _get("/search", {"q": hostile, "buyer": hostile, "value_min": hostile}).content.decode()
    assert "<script>alert(1)" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html


def test_hostile_words_are_searched_for_as_words(site):
    answer = _get("/search", {"q": "<script>alert(1)</script> OR 1=1; --"})
    assert answer.status_code == 200
    twin = _twin("/search", {"q": "<script>alert(1)</script> OR 1=1; --"})
    assert twin["query"]["words"] == ["script", "alert", "1"]
    assert "<script>alert(1)" not in answer.content.decode()


def test_every_fault_is_named_at_once_in_the_forms_order(site):
    twin = _twin(
        "/search",
        {
            "sort": "up",
            "value_min": "10",
            "value_max": "5",
            "stage": "nonsense",
            "published_from": "2024-13-01",
            "q": "x" * 501,
        },
    )
    problems = twin["error"]["problems"]
    assert [problem["field"] for problem in problems] == [
        "q",
        "value_max",
        "stage",
        "published_from",
        "sort",
    ]
    assert problems[1]["message"] == (
        "The highest value must be the same as or more than the lowest value"
    )
    assert problems[1]["detail"] == "is less than value_min: the range is empty"


def test_a_date_range_that_ends_before_it_starts_is_named_at_its_end(site):
    twin = _twin("/search", {"deadline_from": "2025-01-02", "deadline_to": "2025-01-01"})
    (problem,) = twin["error"]["problems"]
    assert problem["field"] == "deadline_to"
    assert problem["message"] == (
        "Deadline for tenders: the ‘to’ date must be the same as or after the ‘from’ date"
    )
    html = _get("/search", {"deadline_from": "2025-01-02", "deadline_to": "2025-01-01"}).content
    assert b'<details class="govuk-details" open>' in html  # the dates are shown, not folded


def test_text_that_is_not_utf8_is_named(site):
    answer = Client().get("/search?q=%ff%fe&buyer=%e2%82&stage=contract")
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "The text given for ‘Search words’ is not valid UTF-8" in unescape(html)
    assert "The text given for ‘Buyer’ is not valid UTF-8" in unescape(html)
    twin = orjson.loads(Client().get("/search?q=%ff%fe&buyer=%e2%82&format=json").content)
    assert [problem["field"] for problem in twin["error"]["problems"]] == ["q", "buyer"]


@pytest.mark.parametrize("tamper", ["flip", "other search", "garbage"])
def test_a_tampered_cursor_is_a_400_that_starts_again(site, tamper):
    cursor = parse_qs(urlsplit(_twin("/search")["links"]["next"]).query)["cursor"][0]
    given = {
        "flip": {"cursor": cursor[:-3] + ("AAA" if not cursor.endswith("AAA") else "BBB")},
        "other search": {"cursor": cursor, "stage": "tender"},
        "garbage": {"cursor": "not-a-cursor!"},
    }[tamper]
    answer = _get("/search", given)
    assert answer.status_code == 400
    twin = _twin("/search", given)
    (problem,) = twin["error"]["problems"]
    assert problem["field"] == "cursor" and problem["href"] is None
    assert "start again from the first page" in problem["message"]


def test_downloads_and_feeds_of_a_bad_search_are_400_pages(site):
    for address in ("/search.csv", "/search/feed"):
        answer = _get(address, {"value_min": "lots", "stage": "nonsense"})
        assert answer.status_code == 400
        html = unescape(answer.content.decode())
        assert "value_min: Enter a number" in html and "stage: Select stages" in html


def test_the_feed_ignores_order_and_page(site):
    cursor = parse_qs(urlsplit(_twin("/search")["links"]["next"]).query)["cursor"][0]
    answer = _get("/search/feed", {"sort": "value", "order": "asc", "cursor": cursor})
    assert answer.status_code == 200
    entries = _parse(answer.content).findall(f"{ATOM}entry")
    newest = search.search_processes(site.store, search.Query(sort="date", limit=20))
    assert [entry.find(f"{ATOM}id").text for entry in entries] == [
        f"http://testserver/processes/{found.ocid}" for found in newest.items
    ]


def test_the_page_only_reads(site):
    assert Client().post("/search", {"q": "services"}).status_code == 405
    assert Client().head("/search").status_code == 200


def test_the_page_in_welsh(site):
    client = Client()
    client.cookies["openbook_language"] = "cy"
    html = client.get("/search", {"stage": "contract", "deadline_to": "2024-01-01"}).content
    text = unescape(html.decode())
    assert '<html lang="cy"' in text
    assert "Chwilio am gontractau" in text and "Hidlwyr a ddewiswyd" in text
    assert "Cam" in text and "Contract" in text and "Hyd at 1 Ionawr 2024" in text
    count = orjson.loads(client.get("/search", {"format": "json"}).content)["count"]
    assert f"Canfuwyd {count} o brosesau contractio" in unescape(
        client.get("/search").content.decode()
    )
    bad = unescape(client.get("/search", {"value_min": "lots"}).content.decode())
    assert "Rhowch rif ar gyfer ‘Gwerth isaf’, fel 250000" in bad


def _parse(feed: bytes) -> ET.Element:
    return ET.fromstring(feed)  # noqa: S314 (the service's own feed, not untrusted input)


def _found(**given) -> Found:
    values = {
        "ocid": "ocds-test-1",
        "title": "A title",
        "buyer_id": "GB-X-1",
        "buyer_name": "A buyer",
        "value_amount": -5.0,
        "value_currency": "GBP",
        "value_source": "tender",
        "stage": "tender",
        "status": "active",
        "procurement_method": "open",
        "published": "2025-01-02T03:04:05Z",
        "deadline": None,
        "award_date": None,
        "contract_start": None,
        "contract_end": None,
        "score": None,
        "key": None,
        "tie": None,
    }
    return Found(**{**values, **given})
