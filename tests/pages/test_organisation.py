"""The organisation pages: finding an organisation by name or identifier, and one organisation
as buyer (notices, milestone figures) and as supplier (contracts, value by year, frameworks,
performance, debarment, ownership), each page with its JSON twin; bad input gets a 400 page."""

import re

import orjson
import pytest
from django.test import Client

from openbook import bods, metrics, organisations, registers
from openbook.standards import organisation_names
from openbook.standards.identifiers import check_party_id
from openbook.store import parties
from openbook.web.pages import organisations as pages
from tests.conftest import use_database
from tests.publishing import create_publisher
from tests.test_registers import ADMIN
from tests.web.conftest import publish
from tests.web.test_ownership_api import company, owns, person
from tests.web.test_registers_api import LISTED, debarment, name_the_supplier


@pytest.fixture
def client(site) -> Client:
    use_database(site.url)  # a test on a fresh database may have pointed Django elsewhere
    return Client()


def twin(client: Client, address: str) -> dict:
    answer = client.get(address + ("&" if "?" in address else "?") + "format=json")
    assert answer.status_code == 200, answer.content[:500]
    return orjson.loads(answer.content)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def buyer_of(site) -> str:
    return parties.newest_with_role(site.store, "buyer")


def supplier_of(site) -> str:
    return parties.newest_with_role(site.store, "supplier")


# Finding an organisation


def test_a_name_finds_the_organisations_whose_names_start_with_it(client, site):
    identifier = buyer_of(site)
    name = parties.names(site.store, identifier)[0].name
    word = name.split()[0]
    found = twin(client, f"/organisations?q={word}")["found"]
    assert found == {
        **organisations.find(site.store, word, limit=pages.PAGE),
        "next": found["next"],
    }
    listed = {each["identifier"] for each in found["organisations"]}
    assert identifier in listed
    key = organisation_names.key(word)
    for each in found["organisations"]:
        assert organisation_names.key(each["name"]).startswith(key)
    html = client.get("/organisations", {"q": word}).content.decode()
    assert f'href="/organisations/{identifier}"' in html
    assert f'value="{word}"' in html


def test_the_names_found_come_a_page_at_a_time(client, site, monkeypatch):
    monkeypatch.setattr(pages, "PAGE", 1)
    everything = organisations.find(site.store, "co", limit=1000)["organisations"]
    assert len(everything) > 1
    seen, address = [], "/organisations?q=co"
    while address:
        found = twin(client, address)["found"]
        seen += found["organisations"]
        assert len(found["organisations"]) <= 1
        if found["next"] is None:
            break
        html = client.get(address).content.decode()
        link = re.search(r'href="(/organisations\?[^"]+)" rel="next"', html)
        address = link.group(1).replace("&amp;", "&")
    assert seen == everything


def test_an_identifier_in_any_form_finds_its_organisation(client, site):
    identifier = supplier_of(site)
    scheme, number = identifier.split("-", 2)[1], identifier.split("-", 2)[2]
    written = f"gb-{scheme.lower()}-{number.lstrip('0')}"
    found = twin(client, f"/organisations?q={written}")["found"]
    assert found["identifier"] == identifier
    assert [each["identifier"] for each in found["organisations"]] == [identifier]
    assert found["changes"]  # the page says it was written otherwise
    assert identifier in client.get("/organisations", {"q": written}).content.decode()


def test_a_malformed_identifier_in_the_search_says_why(client):
    found = twin(client, "/organisations?q=GB-COH-12%2F3")["found"]
    assert "is not a GB-COH id" in found["problem"] and found["organisations"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "x" * 201}, "q"),
        ({"q": ["leeds", "york"]}, "q"),
        ({"q": "lee\x00ds"}, "q"),
        ({"q": "lee\ufffdds"}, "q"),
        ({"q": "a"}, "q"),
        ({"q": "!!"}, "q"),
        ({"q": "leeds", "after": "no bar"}, "after"),
        ({"q": "leeds", "after": "Leeds|GB-X-1"}, "after"),
        ({"after": "leeds|GB-X-1"}, "q"),
    ],
)
def test_a_bad_search_is_a_400_page_naming_the_parameter(client, query, field):
    answer = client.get("/organisations", query)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "govuk-error-summary" in html and "<script>" not in html.replace("<script type", "")
    problems = orjson.loads(client.get("/organisations", {**query, "format": "json"}).content)
    assert [problem["field"] for problem in problems["error"]["problems"]] == [field]


def test_the_find_page_escapes_what_it_is_given(client):
    html = client.get("/organisations", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


# One organisation

SOME = "/organisations/GB-COH-01234567"


def test_a_buyer_shows_its_notices_and_milestone_figures(client, site):
    identifier = buyer_of(site)
    context = twin(client, f"/organisations/{identifier}")
    assert context["organisation"] == {
        key: value
        for key, value in organisations.organisation(site.store, identifier).items()
        if key not in ("page", "next")
    }
    notices = organisations.processes_as(site.store, identifier, "buyer", limit=pages.PAGE)
    assert context["buyer"]["notices"] == orjson.loads(orjson.dumps(notices))
    html = client.get(f"/organisations/{identifier}").content.decode()
    for notice in notices["page"]:
        assert f'href="/processes/{notice["ocid"]}"' in html
    assert context["buyer"]["milestones"], "the generated buyer has milestone figures"
    for milestone in context["buyer"]["milestones"]:
        metric = milestone["metric"]["id"]
        for figure in milestone["figures"]:
            assert re.fullmatch(r"\d{4}-H[12]", figure["period"])
            [expected] = metrics.figures_of(
                site.store, metric, subject=identifier, period=figure["period"]
            )["figures"]
            assert figure == expected
            link = f"/api/metrics/{metric}/items?subject={identifier}&amp;period={figure['period']}"
            assert link in html
    periods = [f["period"] for f in context["buyer"]["milestones"][0]["figures"]]
    assert periods == sorted(periods, reverse=True)


def test_a_buyer_lists_its_notices_a_page_at_a_time(client, site, monkeypatch):
    monkeypatch.setattr(pages, "PAGE", 2)
    identifier = buyer_of(site)
    every = organisations.processes_as(site.store, identifier, "buyer", limit=100)["page"]
    seen, query = [], ""
    while True:
        notices = twin(client, f"/organisations/{identifier}?x=1{query}")["buyer"]["notices"]
        seen += notices["page"]
        if notices["next"] is None:
            break
        query = f"&notices_before={notices['next']}"
    assert [n["ocid"] for n in seen] == [n["ocid"] for n in every]


def test_a_supplier_shows_its_contracts_and_their_value_by_year(client, site):
    identifier = supplier_of(site)
    context = twin(client, f"/organisations/{identifier}")
    supplier = context["supplier"]
    contracts = organisations.processes_as(site.store, identifier, "supplier", limit=pages.PAGE)
    assert supplier["contracts"] == orjson.loads(orjson.dumps(contracts))
    awarded = {each["currency"]: each["amount"] for each in context["organisation"]["awarded"]}
    for series in supplier["awardedByYear"]:
        assert sum(year["amount"] for year in series["years"]) == pytest.approx(
            awarded[series["currency"]]
        )
    html = client.get(f"/organisations/{identifier}").content.decode()
    bars = re.findall(r'<rect class="openbook-chart__bar"[^>]*height="([\d.]+)"', html)
    assert len(bars) == sum(len(series["years"]) for series in supplier["awardedByYear"]) > 0
    assert max(float(bar) for bar in bars) == 170.0
    for series in supplier["awardedByYear"]:
        for year in series["years"]:
            assert f"£{year['amount']:,.2f}".replace(".00", "") in html or (
                f"£{year['amount']:,.2f}" in html
            )
    for contract in contracts["page"]:
        assert f'href="/processes/{contract["ocid"]}"' in html
    assert supplier["performance"]["identifier"] == identifier
    assert supplier["debarment"] == {"debarred": False, "until": None, "entries": []}
    assert "The debarment list does not name it." in html
    assert supplier["ownership"] is None and "No beneficial ownership statement" in html


def test_a_framework_member_lists_its_frameworks(client, site):
    with site.store.cursor() as cursor:
        cursor.execute(
            "SELECT identifier FROM commercial_tool_member WHERE identifier IS NOT NULL LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        pytest.skip("the generated data has no framework with an identified member")
    context = twin(client, f"/organisations/{row[0]}")
    tools = context["supplier"]["commercialTools"]["page"]
    assert tools and all(tool["membership"] for tool in tools)
    html = client.get(f"/organisations/{row[0]}").content.decode()
    assert all(f'href="/processes/{tool["ocid"]}"' in html for tool in tools)


def test_another_form_of_the_identifier_redirects_to_the_registers_own(client, site):
    identifier = supplier_of(site)
    written = identifier.lower()
    answer = client.get(f"/organisations/{written}", {"contracts_before": "5"})
    assert answer.status_code == 302
    assert answer["Location"] == f"/organisations/{identifier}?contracts_before=5"


def test_the_page_reads_in_welsh(client, site):
    client.cookies["openbook_language"] = "cy"
    html = client.get(f"/organisations/{buyer_of(site)}").content.decode()
    assert '<html lang="cy"' in html
    assert "Fel prynwr" in html and "Ei hysbysiadau" in html and "Ei enwau" in html


@pytest.mark.parametrize(
    ("address", "field", "says"),
    [
        ("/organisations/GB-COH-12X", "identifier", "is not a GB-COH id"),
        ("/organisations/justaname", "identifier", "is not an organisation identifier"),
        ("/organisations/" + "GB-X-" + "9" * 300, "identifier", None),
        ("/organisations/GB-X-%01", "identifier", None),
        ("/organisations/GB-COH-01234567?before=x", "before", None),
        ("/organisations/GB-COH-01234567?notices_before=-1", "notices_before", None),
        (f"{SOME}?contracts_before=99999999999999999999", "contracts_before", None),
        (f"{SOME}?contracts_before=1&contracts_before=2", "contracts_before", None),
    ],
)  # fmt: skip
def test_a_bad_identifier_or_key_is_a_400_page(client, address, field, says):
    answer = client.get(address)
    assert answer.status_code == 400, answer.content[:300]
    assert "govuk-error-summary" in answer.content.decode()
    joiner = "&" if "?" in address else "?"
    problems = orjson.loads(client.get(address + joiner + "format=json").content)
    problems = problems["error"]["problems"]
    assert [problem["field"] for problem in problems] == [field]
    if says:
        assert says in problems[0]["message"]


def test_the_identifier_checks_message_is_the_pages(client):
    message = check_party_id("GB-COH-12X").message
    answer = client.get("/organisations/GB-COH-12X", {"format": "json"})
    assert orjson.loads(answer.content)["error"]["problems"][0]["message"] == message


@pytest.mark.parametrize("identifier", ["GB-COH-99999999", "XX-UNKNOWN-1", "GB-LAE-NOWHERE"])
def test_an_organisation_nobody_names_is_a_404_page(client, identifier):
    answer = client.get(f"/organisations/{identifier}")
    assert answer.status_code == 404
    assert "No process or register names this organisation" in answer.content.decode()


# Debarment and ownership: the generated data has neither, so a fresh database gets both.


def test_a_debarred_supplier_and_who_owns_it(database, tmp_path):
    store = database.store
    name_the_supplier(store)  # GB-COH-01234567, Green Spaces Ltd, a supplier of a process
    administrator = create_publisher(store)
    registers.record(
        store, "debarment", debarment(), organisation=administrator, role="administrator",
        actor=ADMIN,
    )  # fmt: skip
    statements = [
        company("ent-g", "01234567", "Green Spaces Ltd"),
        company("ent-h", "02222222", "Hedge Holdings Ltd"),
        company("ent-c", "03333333", "Copse Ltd"),
        person("per-jo", "Jo Bloggs", pep=True),
        owns("rel-gh", "ent-g", "ent-h", {"exact": 60}),
        owns("rel-hj", "ent-h", "per-jo", {"minimum": 50, "maximum": 50}),
        owns("rel-hc", "ent-h", "ent-c", {"exclusiveMinimum": 25, "maximum": 50}),
        owns("rel-cg", "ent-c", "ent-g", {"exact": 100}),
        owns(
            "rel-gx",
            "ent-g",
            {"reason": "interestedPartyExemptFromDisclosure", "description": "protected"},
            {"exact": 40},
        ),
    ]
    path = tmp_path / "owners.json"
    path.write_bytes(orjson.dumps(statements))
    assert bods.load(store, [path]).invalid == 0

    client = Client()
    address = f"/organisations/{LISTED['identifier']}"
    answer = client.get(address)
    assert answer.status_code == 200, answer.content[:500]
    html = answer.content.decode()
    context = orjson.loads(client.get(address, {"format": "json"}).content)
    supplier = context["supplier"]

    [entry] = supplier["debarment"]["entries"]
    assert supplier["debarment"]["debarred"] is True
    assert supplier["debarment"]["until"] == "2027-01-14" == entry["endDate"]
    assert "This supplier is on the debarment list until 14 January 2027." in html
    assert f'href="{entry["url"]}"' in html and "govuk-warning-text" in html

    [record] = supplier["ownership"]["records"]
    assert record["recordId"] == "ent-g"
    assert [owner["name"] for owner in record["ultimateOwners"]] == ["Jo Bloggs"]
    flags = {flag["flag"] for flag in record["flags"]}
    assert {"circular-ownership", "politically-exposed-owner", "owner-not-disclosed"} <= flags
    text = text_of(html)
    assert "Jo Bloggs" in text and "Hedge Holdings Ltd (60–60%)" in text
    assert "30%" in text  # 60% of 50%, along the chain to Jo Bloggs
    assert "15 to 30%" in text  # 60% of 25-50%, of 100%: back round the circle
    assert "Circular ownership" in text and "A politically exposed owner" in text
    assert "An owner is not disclosed" in text
    assert 'href="/api/ownership/GB-COH-01234567"' in html
    assert context["organisation"]["registers"]["ownership"]["records"] == ["ent-g"]


def test_parties_without_an_identifier_are_offered_as_candidates(database):
    name_the_supplier(database.store)
    unnamed = {"id": "u", "name": "GREEN SPACES LIMITED", "roles": ["supplier"]}
    publish(
        database.store,
        [
            {
                "ocid": "ocds-b5fd17-unidentified",
                "id": "1",
                "date": "2024-06-01T00:00:00Z",
                "tag": ["award"],
                "initiationType": "tender",
                "parties": [unnamed],
            }
        ],
    )
    found = orjson.loads(Client().get("/organisations?q=Green+Spaces&format=json").content)
    assert [each["identifier"] for each in found["found"]["organisations"]] == [
        LISTED["identifier"]
    ]
    assert found["found"]["candidates"] == [
        {"name": "GREEN SPACES LIMITED", "parties": 1, "score": 100.0}
    ]
    html = Client().get("/organisations?q=Green+Spaces").content.decode()
    assert "GREEN SPACES LIMITED" in html and "Parties without an identifier" in html
    page = orjson.loads(Client().get(f"/organisations/{LISTED['identifier']}?format=json").content)
    assert page["organisation"]["candidates"] == found["found"]["candidates"]
