"""Welsh notice content in every list of processes (issue 8, D4): search results and their JSON
twin, the search's Atom feed, the home page's newest, an organisation's notices; and the search
finds a process by the Welsh words its publisher gave (OCDS language variants, ``title_cy`` and
``description_cy``), on both databases."""

import xml.etree.ElementTree as ET

import orjson
import pytest
from django.test import Client

from openbook.load.loader import load
from openbook.standards.ocds.summary import summarise
from tests.conftest import reuse
from tests.factories import create_release

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BUYER = {"id": "GB-COH-01234567", "name": "Example Catering Ltd"}
PARTY = {
    **BUYER,
    "identifier": {"scheme": "GB-COH", "id": "01234567"},
    "roles": ["buyer"],
}


def _release(ocid: str, date: str, tender: dict) -> dict:
    return create_release(
        ocid, f"{ocid}-1", date=date, buyer=BUYER, parties=[PARTY], tender={"id": "t", **tender}
    )


MEALS = _release(
    "ocds-test-meals",
    "2026-03-02T10:00:00Z",
    {
        "title": "School meals",
        "title_cy": "Prydau ysgol",
        "description": "Hot food for pupils",
        "description_cy": "Bwyd poeth i ddisgyblion",
    },
)
ROADS = _release("ocds-test-roads", "2026-03-01T10:00:00Z", {"title": "Road repairs"})
# A Welsh title that is not text: read as none, never an error.
ODD = _release(
    "ocds-test-odd", "2026-02-28T10:00:00Z", {"title": "Street lighting", "title_cy": {"x": 1}}
)


@pytest.fixture(scope="module")
def loaded(shared_database, tmp_path_factory):
    path = tmp_path_factory.mktemp("welsh") / "releases.jsonl"
    path.write_bytes(b"".join(orjson.dumps(each) + b"\n" for each in (MEALS, ROADS, ODD)))
    report = load(shared_database.store, [path], publisher="test")
    assert report.compiled == 3
    return shared_database


@pytest.fixture
def site(loaded):
    return reuse(loaded)


def _client(language: str) -> Client:
    client = Client()
    client.cookies["openbook_language"] = language
    return client


def _twin(client: Client, address: str) -> dict:
    answer = client.get(address + ("&" if "?" in address else "?") + "format=json")
    assert answer.status_code == 200, answer.content[:300]
    return orjson.loads(answer.content)


def test_search_results_show_the_welsh_title_to_a_welsh_reader(site):
    welsh = _client("cy")
    html = welsh.get("/search?q=school+meals").content.decode()
    assert "Prydau ysgol" in html and "School meals" not in html
    results = _twin(welsh, "/search?q=school+meals")["results"]
    assert [(each["title"], each["titleLang"]) for each in results] == [("Prydau ysgol", "cy")]
    english = _twin(_client("en"), "/search?q=school+meals")["results"]
    assert [each["title"] for each in english] == ["School meals"]
    assert "titleLang" not in english[0]  # in English the list is as it always was


def test_an_english_title_in_a_welsh_list_says_it_is_english(site):
    results = _twin(_client("cy"), "/search?sort=date")["results"]
    assert [(each["title"], each["titleLang"]) for each in results] == [
        ("Prydau ysgol", "cy"),
        ("Road repairs", "en"),
        ("Street lighting", "en"),
    ]
    html = _client("cy").get("/search?sort=date").content.decode()
    assert '<span lang="en">Road repairs</span>' in html
    assert '<span lang="cy">' not in html  # Welsh on a Welsh page needs no mark
    english = _client("en").get("/search?sort=date").content.decode()
    assert '<span lang="en">' not in english


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("ysgol", ["ocds-test-meals"]),  # a Welsh title's word
        ("prydau", ["ocds-test-meals"]),
        ("poeth", ["ocds-test-meals"]),  # a Welsh description's word
        ("school", ["ocds-test-meals"]),  # the English still finds it
        ("repairs", ["ocds-test-roads"]),
        ("cwningen", []),  # a Welsh word nobody wrote
    ],
)
def test_the_search_finds_a_process_by_its_welsh_words(site, words, found):
    for language in ("cy", "en"):
        results = _twin(_client(language), f"/search?q={words}")["results"]
        assert [each["ocid"] for each in results] == found
    api = orjson.loads(Client().get(f"/api/ocds/processes?q={words}").content)
    assert [each["ocid"] for each in api["results"]] == found


def test_the_atom_feed_shows_the_welsh_title_to_a_welsh_reader(site):
    answer = _client("cy").get("/search/feed")
    assert answer.status_code == 200
    feed = ET.fromstring(answer.content)  # noqa: S314 (the service's own feed)
    assert feed.get(XML_LANG) == "cy"
    titles = [each.find(f"{ATOM}title") for each in feed.findall(f"{ATOM}entry")]
    assert [(each.text, each.get(XML_LANG)) for each in titles] == [
        ("Prydau ysgol", None),  # in the feed's language
        ("Road repairs", "en"),
        ("Street lighting", "en"),
    ]
    english = ET.fromstring(_client("en").get("/search/feed").content)  # noqa: S314
    titles = [each.find(f"{ATOM}title") for each in english.findall(f"{ATOM}entry")]
    assert [(each.text, each.get(XML_LANG)) for each in titles] == [
        ("School meals", None),
        ("Road repairs", None),
        ("Street lighting", None),
    ]


def test_the_home_pages_newest_in_welsh(site):
    newest = _twin(_client("cy"), "/")["newest"]
    assert [each["title"] for each in newest] == ["Prydau ysgol", "Road repairs", "Street lighting"]
    html = _client("cy").get("/").content.decode()
    assert "Prydau ysgol" in html and "School meals" not in html
    assert _twin(_client("en"), "/")["newest"][0]["title"] == "School meals"


def test_an_organisations_notices_in_welsh(site):
    address = "/organisations/GB-COH-01234567"
    notices = _twin(_client("cy"), address)["buyer"]["notices"]["page"]
    assert {each["title"] for each in notices} == {
        "Prydau ysgol",
        "Road repairs",
        "Street lighting",
    }
    html = _client("cy").get(address).content.decode()
    assert "Prydau ysgol" in html and "School meals" not in html
    english = _twin(_client("en"), address)["buyer"]["notices"]["page"]
    assert "School meals" in {each["title"] for each in english}


def test_the_summary_indexes_welsh_words_beside_the_english():
    meals = summarise(MEALS)
    assert meals.title == "School meals" and meals.title_cy == "Prydau ysgol"
    assert meals.title_text.split("\n") == ["School meals", "Prydau ysgol"]
    assert "Bwyd poeth i ddisgyblion" in meals.body_text.split("\n")
    roads = summarise(ROADS)  # no language variants: the text is the English alone
    assert roads.title_cy is None and roads.title_text == "Road repairs"
    assert summarise(ODD).title_cy is None
