"""The registers' pages: the list of registers, each register's entries (the same as its API
gives, with the same filters), an entry with its history, a framework with its lineage; bad
parameters answered with a 400 naming them, unknown things with a 404."""

from datetime import date, timedelta

import orjson
import pytest
from django.test import Client

from openbook import commercial_tools, registers, suppliers
from openbook.publishing.publishers import Actor
from openbook.store import registers as stored
from openbook.web.pages.registers import CODES, ENTERED, PAGE_SIZE
from tests.pages.conftest import axe_violations, validate_html
from tests.publishing import create_publisher
from tests.web.test_registers_api import challenge, complaint, debarment, name_the_supplier

ADMIN = Actor("cli:test")
PRIVATE_EMAIL = "bids@rival-mowing.example"


def twin(address: str) -> dict:
    answer = Client().get(address, HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json", address
    return orjson.loads(answer.content)


def api(address: str) -> dict:
    answer = Client().get(address)
    assert answer.status_code == 200, (address, answer.content[:300])
    return orjson.loads(answer.content)


@pytest.fixture(scope="module")
def entries(site) -> dict[str, str]:
    """An entry of each register people enter (the generated data has none): a debarment in
    force, changed once; a complaint and a challenge about a generated process; a supplier
    with a private contact."""
    store = site.store
    name_the_supplier(store)
    administrator = create_publisher(store)
    today = date.today()

    def record(code, entry, **changes):
        return registers.record(
            store, code, entry, organisation=administrator, role="administrator",
            actor=ADMIN, **changes,
        ).entry  # fmt: skip

    listed = debarment(
        decisionDate=(today - timedelta(days=40)).isoformat(),
        startDate=(today - timedelta(days=30)).isoformat(),
        endDate=(today + timedelta(days=365)).isoformat(),
    )
    first = record("debarment", listed)
    record("debarment", {**listed, "summary": "Convicted of fraud."},
           entry_id_=first.entry_id, replaces=1)  # fmt: skip
    ocid = commercial_tools.register(store, limit=1)["page"][0]["ocid"]
    complained = record("complaints", complaint(ocid))
    challenged = record("challenges", challenge(ocid))
    supplier = suppliers.register(
        store,
        {
            "legalName": "Rival Mowing Ltd",
            "address": {"locality": "Leeds", "countryName": "United Kingdom"},
            "identifiers": ["GB-COH-07654321"],
            "sme": True,
            "vcse": False,
            "status": "active",
            "contact": {"name": "Bids team", "email": PRIVATE_EMAIL},
        },
        administrator=administrator,
        actor=ADMIN,
    ).recorded.entry
    return {
        "debarment": first.entry_id,
        "complaints": complained.entry_id,
        "challenges": challenged.entry_id,
        "suppliers": supplier.entry_id,
        "ocid": ocid,
    }


def test_the_list_names_every_register_with_its_count_and_links(site, entries):
    answer = Client().get("/registers")
    assert answer.status_code == 200
    html = answer.content.decode()
    found = twin("/registers")["registers"]
    assert [register["code"] for register in found] == list(CODES)
    for register in found:
        code = register["code"]
        assert f'href="/registers/{code}"' in html
        assert f'href="/api/registers/{code}"' in html
        assert f'href="/downloads/registers/{code}.jsonl.gz"' in html
        assert register["about"]
        if code in ENTERED:
            assert register["entries"] == stored.count(site.store, code)
    assert {r["code"]: r["entries"] for r in found if r["code"] in ENTERED} == {
        "debarment": 1, "complaints": 1, "challenges": 1, "suppliers": 1,
    }  # fmt: skip


@pytest.mark.parametrize("code", ["debarment", "complaints", "challenges", "suppliers"])
def test_a_register_people_enter_lists_what_its_api_gives(entries, code):
    page = twin(f"/registers/{code}")
    assert page["entries"] == api(f"/api/registers/{code}?limit=50")["entries"]
    html = Client().get(f"/registers/{code}").content.decode()
    assert f'href="/registers/{code}/{entries[code]}"' in html
    assert 'href="/api/registers/' in html


@pytest.mark.parametrize(
    ("code", "query", "limit"),
    [
        ("commercial-tools", "", 20),
        ("commercial-tools", "status=active&kind=framework", 20),
        ("pipeline", "", 20),
        ("pipeline", "reached=yes", 20),
        ("performance", "", 20),
        ("performance", "terminated=true", 20),
    ],
)
def test_a_derived_register_lists_what_its_api_gives(site, code, query, limit):
    page = twin(f"/registers/{code}?{query}")
    given = api(f"/api/registers/{code}?{query}&limit={limit}")
    # The API's schema writes the fields a use case leaves out as null (membership).
    assert page["entries"] == [
        {key: value for key, value in entry.items() if value is not None or key != "membership"}
        for entry in given["page"]
    ]
    assert page["next"] == given["next"]
    assert page["entries"], "the generated data has entries of every derived register"
    html = Client().get(f"/registers/{code}?{query}").content.decode()
    link = "/registers/commercial-tools/" if code == "commercial-tools" else "/processes/"
    for entry in page["entries"]:
        assert f'href="{link}{entry["ocid"]}"' in html


def test_the_next_page_of_a_register_follows_on(site, monkeypatch):
    monkeypatch.setitem(PAGE_SIZE, "derived", 2)
    first = twin("/registers/pipeline")
    assert len(first["entries"]) == 2 and first["next"] is not None
    second = twin(f"/registers/pipeline?before={first['next']}")
    given = api(f"/api/registers/pipeline?before={first['next']}&limit=2")
    assert second["entries"] == given["page"] and second["next"] == given["next"]
    html = Client().get("/registers/pipeline").content.decode()
    assert f'href="/registers/pipeline?before={first["next"]}"' in html
    back = Client().get(f"/registers/pipeline?before={first['next']}").content.decode()
    assert 'href="/registers/pipeline?"' in back


def test_filters_narrow_an_entered_register(entries):
    listed = entries["debarment"]
    assert [e["id"] for e in twin("/registers/debarment?in_force_on=today")["entries"]] == [listed]
    assert twin("/registers/debarment?status=removed")["entries"] == []
    named = twin("/registers/debarment?organisation=GB-COH-01234567")["entries"]
    assert [e["id"] for e in named] == [listed]
    about = twin(f"/registers/complaints?ocid={entries['ocid']}")["entries"]
    assert [e["id"] for e in about] == [entries["complaints"]]
    html = Client().get("/registers/debarment?status=removed").content.decode()
    assert "No entries match." in html
    assert '<option value="removed" selected>' in html


def test_an_entry_shows_its_history_as_its_api_does(entries):
    key = entries["debarment"]
    page = twin(f"/registers/debarment/{key}")
    given = api(f"/api/registers/debarment/{key}")
    assert page["versions"] == given.pop("versions")
    assert page["excludedAwards"] == given.pop("excludedAwards")
    assert page["entry"] == given
    assert [version["version"] for version in page["versions"]] == [1, 2]
    html = Client().get(f"/registers/debarment/{key}").content.decode()
    assert "Green Spaces Ltd" in html and "Convicted of fraud." in html
    assert "Schedule 6, paragraph 1" in html
    for version in page["versions"]:
        assert version["leafHash"] in html
    assert "In force today" in html


def test_a_supplier_entry_shows_its_public_fields_only(entries):
    key = entries["suppliers"]
    answer = Client().get(f"/registers/suppliers/{key}")
    html = answer.content.decode()
    assert "Rival Mowing Ltd" in html and "GB-COH-07654321" in html
    assert PRIVATE_EMAIL not in html and "Bids team" not in html
    page = twin(f"/registers/suppliers/{key}")
    assert PRIVATE_EMAIL not in orjson.dumps(page).decode()
    assert page["debarment"] == []
    listed = twin(f"/registers/suppliers/{key}")["entry"]
    assert listed["legalName"] == "Rival Mowing Ltd"


def test_a_case_links_to_its_process(entries):
    for code in ("complaints", "challenges"):
        html = Client().get(f"/registers/{code}/{entries[code]}").content.decode()
        assert f'href="/processes/{entries["ocid"]}"' in html


def test_a_framework_shows_its_lineage_as_its_api_does(entries):
    ocid = entries["ocid"]
    page = twin(f"/registers/commercial-tools/{ocid}")
    assert page["tool"] == api(f"/api/registers/commercial-tools/{ocid}?limit=50")
    html = Client().get(f"/registers/commercial-tools/{ocid}").content.decode()
    for member in page["tool"]["members"]:
        assert (member["name"] or "").replace("&", "&amp;") in html
    for call in page["tool"]["callOffs"]:
        assert f'href="/processes/{call["ocid"]}"' in html


@pytest.mark.parametrize(
    ("address", "parameter"),
    [
        ("/registers/debarment?status=bogus", "status"),
        ("/registers/debarment?in_force_on=2024-13-01", "in_force_on"),
        ("/registers/debarment?in_force_on=yesterday", "in_force_on"),
        ("/registers/debarment?organisation=nonsense", "organisation"),
        ("/registers/debarment?organisation=" + "G" * 301, "organisation"),
        ("/registers/debarment?before=xyz", "before"),
        ("/registers/suppliers?before=DEB-000001", "before"),
        ("/registers/debarment?status=%00", "status"),
        ("/registers/complaints?ocid=notanocid", "ocid"),
        ("/registers/commercial-tools?cpv=abc", "cpv"),
        ("/registers/commercial-tools?kind=shop", "kind"),
        ("/registers/commercial-tools?buyer=zzz", "buyer"),
        ("/registers/commercial-tools?member=GB-COH-", "member"),
        ("/registers/commercial-tools?before=-1", "before"),
        ("/registers/pipeline?expected_from=yesterday", "expected_from"),
        ("/registers/pipeline?expected_from=2025-02-01&expected_to=2025-01-01", "expected_to"),
        ("/registers/pipeline?reached=maybe", "reached"),
        ("/registers/pipeline?cpv=1", "cpv"),
        ("/registers/pipeline?buyer=%E2%80%AE", "buyer"),
        ("/registers/performance?terminated=maybe", "terminated"),
        ("/registers/performance?rating=excellent", "rating"),
        ("/registers/performance?before=abc", "before"),
        ("/registers/performance?supplier=bad", "supplier"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(site, address, parameter):
    answer = Client().get(address)
    assert answer.status_code == 400, answer.content[:300]
    html = answer.content.decode()
    assert "govuk-error-summary" in html and f"{parameter}: " in html
    problems = twin(address)["error"]["problems"]
    assert [problem["field"] for problem in problems] == [parameter]


def test_what_a_reader_types_is_escaped(site):
    html = Client().get("/registers/debarment?organisation=<script>x</script>").content.decode()
    assert "<script>x" not in html and "&lt;script&gt;x" in html


@pytest.mark.parametrize(
    "address",
    [
        "/registers/sanctions",
        "/registers/debarment/DEB-999999",
        "/registers/debarment/anything",
        "/registers/commercial-tools/ocds-xxxxxx-none",
        "/registers/pipeline/ocds-xxxxxx-none",
    ],
)
def test_what_is_not_there_is_a_404(site, address):
    answer = Client().get(address)
    assert answer.status_code == 404
    assert "Page not found" in answer.content.decode()


def test_a_call_off_is_not_a_framework(entries, site):
    tool = commercial_tools.lineage(site.store, entries["ocid"], limit=1)
    if not tool["callOffs"]:
        pytest.skip("no call-off")
    answer = Client().get(f"/registers/commercial-tools/{tool['callOffs'][0]['ocid']}")
    assert answer.status_code == 404


def _entry_pages(entries) -> dict[str, str]:
    found = {code: f"/registers/{code}/{entries[code]}" for code in ENTERED}
    found["debarment in Welsh"] = f"/registers/debarment/{entries['debarment']}"
    return found


def test_entry_pages_are_valid_html(entries, tmp_path):
    pages = {}
    for name, address in _entry_pages(entries).items():
        client = Client()
        if "Welsh" in name:
            client.cookies["openbook_language"] = "cy"
        answer = client.get(address)
        assert answer.status_code == 200
        pages[name] = answer.content
    assert validate_html(pages, tmp_path) == []
    welsh = pages["debarment in Welsh"].decode()
    assert "Hanes" in welsh and "Rhestr wahardd ganolog" in welsh


@pytest.mark.slow
def test_entry_pages_have_no_accessibility_violation(entries, server, browser):
    found = {}
    for name, address in _entry_pages(entries).items():
        if violations := axe_violations(browser, server + address):
            found[name] = violations
    assert found == {}
