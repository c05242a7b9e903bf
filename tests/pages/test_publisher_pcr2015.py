"""The notices of the Public Contracts Regulations 2015 through the publisher pages (issue 8,
item 2): a contract award notice (F03) for a call-off under a framework set up under them, from
the start page; an F03 and a modification notice (F20) on a procurement started before
24 February 2025, from its page; each published by the publish API's own checks, and accepted
unchanged by the publish API; wrong answers in the GOV.UK error summary, storing nothing."""

import re
from datetime import timedelta

import orjson
import pytest
from django.test import Client

from openbook.publishing import notice_forms, publishers
from openbook.publishing.notice_forms import pcr2015
from openbook.publishing.publish import publish
from openbook.store import log
from openbook.store.database import Store
from tests.pages.conftest import validate_html
from tests.pages.test_publisher import (
    _publisher_once,
    _token,
    publisher,
    send,
    signed_in,
    signed_in_once,
)
from tests.pages.test_publisher_notices import (
    DRAFT,
    _answer,
    _correct,
    _day,
    _next_codes,
    _record,
    _summary,
    _today,
)
from tests.publishing import CLI, create_key, notice, post, tender

__all__ = ["_publisher_once", "publisher", "signed_in_once"]

FRAMEWORK = "ocds-b5fd17-framework-2023-1"


def _call_off_answers() -> dict[str, dict]:
    return {
        "framework_title": {"framework_title": "Grounds maintenance framework 2023"},
        "framework_ocid": {"framework_ocid": FRAMEWORK},
        "title": {"title": "Mowing for Riverside Park"},
        "description": {"description": "Weekly mowing from April to September."},
        "cpv": {"cpv": "77314000"},
        **TENDERS_RECEIVED,
        "supplier_name": {"supplier_name": "Green Spaces Ltd"},
        "supplier_id": {"supplier_id": "GB-COH-01234567"},
        "supplier_sme": {"supplier_sme": "yes"},
        "value": {"value": "£84,000"},
        "concluded": _day("concluded", _today() - timedelta(days=3)),
        "subcontracting": {"subcontracting": "no"},
    }


# The standard form's section V.2.2 (pcr2015_award.py; test_publisher_pcr2015_award.py asks
# the rest of it).
TENDERS_RECEIVED = {
    "tenders": {"tenders": "4"},
    "sme_tenders": {"sme_tenders": "2"},
    "eu_tenders": {"eu_tenders": "0"},
    "other_tenders": {"other_tenders": "0"},
    "electronic_tenders": {"electronic_tenders": "4"},
    "group": {"group": "no"},
}


def _award_answers() -> dict[str, dict]:
    answers = _call_off_answers()
    for name in ("framework_title", "framework_ocid", "title", "description", "cpv"):
        del answers[name]
    return {"awarded": {"awarded": "yes"}, **answers}


def _modification_answers() -> dict[str, dict]:
    return {
        "ground": {"ground": "unforeseen"},
        "change": {"change": "Two more parks are added after the flood."},
        "reason": {"reason": "The flood of March closed the parks the contract covered."},
        "modified": _day("modified", _today() - timedelta(days=1)),
        "new_value": {"new_value": "100000"},
        "new_end": _day("new_end", _today() + timedelta(days=400)),
    }


def _pcr_procurement(store: Store) -> str:
    """A procurement started in 2024 under the 2015 Regulations: its contract notice (F02),
    published through the publish API's use case."""
    (organisation,) = publishers.list_publishers(store)
    ocid = publishers.mint_ocid(store, organisation, CLI)
    tender = {"id": "T1", "title": "Grounds maintenance", "status": "active"}
    publish(store, organisation, notice("F02", "2024-06-03", ocid, tender=tender), CLI)
    return ocid


def _checked_and_accepted(client: Client, store: Store, organisation) -> dict:
    """The check page with no problem, and its release accepted unchanged by the publish API
    (``POST /api/publish/validate``)."""
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert check.status_code == 200 and "govuk-error-summary" not in html, _summary(html)
    release = orjson.loads(client.get(f"{DRAFT}/check?format=json").content)["release"]
    key = create_key(store, organisation)
    validated = post(Client(), "/api/publish/validate", release, key)
    assert validated.status_code == 200, validated.content[:3000]
    assert orjson.loads(validated.content)["problems"] == []
    return {"html": html, "release": release, "key": key}


def _publish_checked(client: Client) -> str:
    check = client.get(f"{DRAFT}/check")
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, _summary(answer.content.decode())
    return answer["Location"].split("ocid=")[1]


def _accepted_as_published(release: dict, key: str) -> None:
    """A release as stored is one the publish API takes as it is (a duplicate of itself)."""
    validated = post(Client(), "/api/publish/validate", release, key)
    assert validated.status_code == 200, validated.content[:3000]
    assert orjson.loads(validated.content)["problems"] == []


def test_a_call_off_under_a_2015_framework_is_published_from_the_start_page(publisher, store):
    client = signed_in()
    start = client.get("/publish/notices/new").content.decode()
    assert 'value="F03"' in start and 'value="F20"' not in start
    assert "Procurements started before 24 February 2025" in start
    started = send(client, "/publish/notices/new", {"code": "F03"})
    assert started["Location"] == f"{DRAFT}/framework_title"
    answers = _call_off_answers()
    _answer(client, answers)
    checked = _checked_and_accepted(client, store, publisher)
    html = checked["html"]
    assert "Grounds maintenance framework 2023" in html and "£84,000" in html
    assert f'href="{DRAFT}/framework_ocid?change=1"' in html
    assert "Which lots" not in html
    ocid = _publish_checked(client)

    record = _record(ocid)
    (release,) = record["releases"]
    assert release["tag"] == ["award", "contract"]
    assert release["relatedProcesses"] == [
        {
            "id": "1",
            "relationship": ["framework"],
            "title": "Grounds maintenance framework 2023",
            "scheme": "ocid",
            "identifier": FRAMEWORK,
        }
    ]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["title"] == "Mowing for Riverside Park"
    assert compiled["tender"]["items"][0]["classification"] == {"scheme": "CPV", "id": "77314000"}
    (award,) = compiled["awards"]
    (contract,) = compiled["contracts"]
    assert award["status"] == "active" and award["value"] == {"amount": 84000, "currency": "GBP"}
    assert award["suppliers"] == [{"id": "GB-COH-01234567", "name": "Green Spaces Ltd"}]
    assert [d["noticeType"] for d in award["documents"]] == ["F03"]
    assert award["documents"][0]["documentType"] == "awardNotice"
    concluded = (_today() - timedelta(days=3)).isoformat()
    assert contract["awardID"] == award["id"] and contract["dateSigned"].startswith(concluded)
    supplier = next(p for p in compiled["parties"] if p["id"] == "GB-COH-01234567")
    assert supplier["details"] == {"scale": "sme"}
    _accepted_as_published(release, checked["key"])
    # The procurement is under the 2015 Regulations from now on: its page says so, and offers
    # their notices only.
    page = client.get(f"/publish/processes/{ocid}").content.decode()
    assert "Public Contracts Regulations 2015: started before 24 February 2025" in page
    assert _next_codes(page) == ["F03", "F20"]
    # Corrected by a corrigendum, which asks nothing of the framework again and keeps it.
    _correct(client, ocid, release["id"], {"value": {"value": "£85,000"}})
    compiled = _record(ocid)["compiledRelease"]
    (award,) = compiled["awards"]
    assert award["value"]["amount"] == 85000
    assert [d["noticeType"] for d in award["documents"]] == ["F03", "F14"]
    assert compiled["relatedProcesses"] == release["relatedProcesses"]


def test_an_award_then_a_modification_on_a_procurement_started_before_2025(publisher, store):
    client = signed_in()
    ocid = _pcr_procurement(store)
    page = client.get(f"/publish/processes/{ocid}").content.decode()
    assert "Public Contracts Regulations 2015: started before 24 February 2025" in page
    assert _next_codes(page) == ["F03"]  # nothing to modify yet
    started = send(client, f"/publish/processes/{ocid}", {"code": "F03"})
    assert started["Location"] == f"{DRAFT}/awarded"  # the procurement is not asked
    _answer(client, _award_answers())
    checked = _checked_and_accepted(client, store, publisher)
    assert checked["release"]["tender"] == {"id": "T1", "title": "Grounds maintenance"}
    assert "relatedProcesses" not in checked["release"]
    assert _publish_checked(client) == ocid

    page = client.get(f"/publish/processes/{ocid}").content.decode()
    assert "F03: Contract award notice (Public Contracts Regulations 2015)" in page
    assert _next_codes(page) == ["F03", "F20"]
    started = send(client, f"/publish/processes/{ocid}", {"code": "F20"})
    assert started["Location"] == f"{DRAFT}/ground"  # one contract: it is not asked
    _answer(client, _modification_answers())
    checked = _checked_and_accepted(client, store, publisher)
    assert "A need brought about by circumstances" in checked["html"]
    _publish_checked(client)

    record = _record(ocid)
    assert [r["tag"] for r in record["releases"]] == [
        ["tender"],
        ["award", "contract"],
        ["contractUpdate"],
    ]
    (contract,) = record["compiledRelease"]["contracts"]
    assert contract["value"] == {"amount": 100000, "currency": "GBP"}
    assert contract["period"]["endDate"].startswith((_today() + timedelta(days=400)).isoformat())
    (amendment,) = contract["amendments"]
    assert amendment["description"] == "Two more parks are added after the flood."
    assert amendment["rationale"].startswith("The flood of March")
    assert amendment["date"].startswith((_today() - timedelta(days=1)).isoformat())
    documents = contract["documents"]
    assert [d["noticeType"] for d in documents] == ["F20"]
    assert "regulation 72(1)(c)" in documents[0]["description"]
    assert record["compiledRelease"]["tender"]["title"] == "Grounds maintenance"  # unchanged
    for release in record["releases"][1:]:
        _accepted_as_published(release, checked["key"])


def test_a_contract_not_awarded(publisher, store):
    """An F03 may say no contract was awarded, and why (the standard form's section V)."""
    client = signed_in()
    ocid = _pcr_procurement(store)
    send(client, f"/publish/processes/{ocid}", {"code": "F03"})
    answer = send(client, f"{DRAFT}/awarded", {"awarded": "no-tenders"})
    assert answer["Location"] == f"{DRAFT}/check"  # no supplier, value or date is asked
    checked = _checked_and_accepted(client, store, publisher)
    assert "no tenders or requests to participate were received" in checked["html"]
    assert "What is the name of the supplier" not in checked["html"]
    _publish_checked(client)
    record = _record(ocid)
    assert record["releases"][-1]["tag"] == ["award"]
    compiled = record["compiledRelease"]
    (award,) = compiled["awards"]
    assert award["status"] == "unsuccessful" and "suppliers" not in award
    assert award["documents"][0]["description"].startswith("No contract was awarded")
    assert compiled["tender"]["status"] == "unsuccessful"
    page = client.get(f"/publish/processes/{ocid}").content.decode()
    assert _next_codes(page) == ["F03"]  # an unsuccessful award has nothing to modify
    _accepted_as_published(record["releases"][-1], checked["key"])


def test_an_award_and_a_modification_corrected_by_corrigenda(publisher, store):
    """A correction of an F03 or F20 is published as an F14 corrigendum (reg. 51(1)): the
    award or contract corrected, not another added; and a corrigendum is corrected again."""
    client = signed_in()
    ocid = _pcr_procurement(store)
    send(client, f"/publish/processes/{ocid}", {"code": "F03"})
    _answer(client, _award_answers())
    _publish_checked(client)
    send(client, f"/publish/processes/{ocid}", {"code": "F20"})
    _answer(client, _modification_answers())
    _publish_checked(client)
    award_id, modification_id = [r["id"] for r in _record(ocid)["releases"][1:]]

    _correct(client, ocid, award_id, {"value": {"value": "£85,000"}})
    _correct(client, ocid, modification_id, {"new_value": {"new_value": "101000"}})
    record = _record(ocid)
    first, second = record["releases"][3:]
    assert first["tag"] == ["tenderUpdate", "awardUpdate", "contractUpdate"]
    assert second["tag"] == ["tenderUpdate", "contractUpdate"]
    compiled = record["compiledRelease"]
    (award,) = compiled["awards"]
    (contract,) = compiled["contracts"]
    assert award["value"]["amount"] == 85000 and contract["value"]["amount"] == 101000
    assert [d["noticeType"] for d in award["documents"]] == ["F03", "F14"]
    assert "documentType" not in award["documents"][1]
    assert [d["noticeType"] for d in contract["documents"]] == ["F20", "F14"]
    changes = [a for a in contract["amendments"] if "amendsReleaseID" not in a]
    assert len(changes) == 1  # the modification corrected, not said twice
    page = client.get(f"/publish/processes/{ocid}").content.decode()
    assert "F14: corrigendum" in page or "F14: Corrigendum" in page
    key = create_key(store, publisher)
    for release in (first, second):
        _accepted_as_published(release, key)

    # The corrigendum of the award is corrected again with the award's form.
    _correct(client, ocid, first["id"], {"value": {"value": "£86,000"}})
    (award,) = _record(ocid)["compiledRelease"]["awards"]
    assert award["value"]["amount"] == 86000
    # each corrigendum keeps its notice document, even two in one second (issue 8;
    # test_corrections_in_one_second.py)
    assert [d["noticeType"] for d in award["documents"]] == ["F03", "F14", "F14"]


def test_the_2015_forms_that_may_follow():
    """The 2015 Regulations' forms follow their own procurements only; the Act's follow the
    Act's (test_publisher_notices.test_the_notices_that_may_follow)."""
    context = notice_forms.Context("ocds-x-1", "", "", _now(), {"contracts": [{"id": "1"}]})
    assert [form.code for form in pcr2015.following(context)] == ["F03", "F20"]
    assert [form.code for form in pcr2015.following(notice_forms.Context("o", "", "", _now()))] == [
        "F03"
    ]


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


@pytest.fixture(scope="module")
def _pcr_once(shared_database, _publisher_once) -> str:
    """A procurement under the 2015 Regulations with a contract, in the module's database."""
    store = shared_database.store
    ocid = _pcr_procurement(store)
    (organisation,) = publishers.list_publishers(store)
    concluded = "2024-09-02T00:00:00+01:00"
    award = {"id": "1", "status": "active", "date": concluded, "suppliers": [], "value": None}
    award["value"] = {"amount": 90000, "currency": "GBP"}
    contract = {"id": "1", "awardID": "1", "status": "active", "dateSigned": concluded}
    release = notice(
        "F03",
        "2024-09-10",
        ocid,
        tag=["award", "contract"],
        section="awards",
        awards=[award],
        contracts=[contract],
    )
    publish(store, organisation, release, CLI)
    return ocid


@pytest.fixture(scope="module")
def _act_once(shared_database, _publisher_once) -> str:
    """A procurement under the Procurement Act 2023 (a UK4 of June 2025), in the module's
    database."""
    store = shared_database.store
    (organisation,) = publishers.list_publishers(store)
    ocid = publishers.mint_ocid(store, organisation, CLI)
    publish(store, organisation, tender(ocid), CLI)
    return ocid


def test_the_2015_forms_are_not_offered_under_the_act(signed_in_once, _act_once):
    client = signed_in_once
    store = Store()
    page = client.get(f"/publish/processes/{_act_once}").content.decode()
    assert "Procurement Act 2023: started on or after 24 February 2025" in page
    assert "F03" not in _next_codes(page) and "F20" not in _next_codes(page)
    before = log.log_size(store)
    for code in ("F03", "F20"):
        answer = send(client, f"/publish/processes/{_act_once}", {"code": code})
        assert answer.status_code == 400
        assert "Select the notice you want to publish" in answer.content.decode()
    assert log.log_size(store) == before


_WRONG = [
    # F03 of a call-off, from the start page.
    ("F03", "framework_title", {"framework_title": ""}, "Enter the name of the framework"),
    ("F03", "framework_title", {"framework_title": "x" * 301}, "no more than 300 characters"),
    ("F03", "framework_ocid", {"framework_ocid": "RM6089"}, "Enter an ocid, such as"),
    ("F03", "framework_ocid", {"framework_ocid": "ocds-b5fd17-<b>"}, "Enter an ocid, such as"),
    ("F03", "framework_ocid", {"framework_ocid": "ocds-b5fd17-\x00"}, "Enter an ocid, such as"),
    ("F03", "cpv", {"cpv": "7731"}, "Enter a CPV code of 8 digits"),
    ("F03-bound", "awarded", {"awarded": "unsuccessful"}, "Select whether a contract was"),
    ("F03", "supplier_id", {"supplier_id": "<script>alert(1)</script>"}, "not an organisation"),
    ("F03", "supplier_sme", {"supplier_sme": "maybe"}, "Select yes if the supplier is an SME"),
    ("F03", "value", {"value": "-5"}, "using numbers only"),
    ("F03", "value", {"value": "0"}, "greater than £0"),
    ("F03", "concluded", {"concluded-day": "31", "concluded-month": "2"}, "must include a year"),
    (
        "F03",
        "concluded",
        {"concluded-day": "31", "concluded-month": "2", "concluded-year": "2026"},
        "must be a real date",
    ),
    # F20 on a procurement under the 2015 Regulations, from its page.
    ("F20", "ground", {"ground": "72(1)(e)"}, "Select why the contract may be modified"),
    ("F20", "change", {"change": ""}, "Describe what has changed in the contract"),
    ("F20", "reason", {"reason": "x" * 10_001}, "no more than 10,000 characters"),
    ("F20", "new_value", {"new_value": "a lot"}, "using numbers only"),
    ("F20", "modified", {}, "Enter the date the contract was modified"),
]


@pytest.mark.parametrize(("code", "question", "values", "says"), _WRONG)
def test_a_wrong_answer_gets_the_error_summary_and_stores_nothing(
    signed_in_once, _pcr_once, code, question, values, says
):
    client = signed_in_once
    store = Store()  # the shared database's, which signed_in_once points Django at
    before = log.log_size(store)
    if code == "F03":
        assert send(client, "/publish/notices/new", {"code": "F03"}).status_code == 302
    else:  # on the procurement's page
        chosen = {"code": code.removesuffix("-bound")}
        assert send(client, f"/publish/processes/{_pcr_once}", chosen).status_code == 302
    answer = send(client, f"{DRAFT}/{question}", values)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html, _summary(html)
    assert f'href="#{question}' in html and 'class="govuk-error-message"' in html
    assert "<script>alert" not in html and "<b>" not in html
    assert question not in client.session["openbook_draft"]["answers"]
    assert log.log_size(store) == before


def test_the_pages_are_valid_html_and_in_welsh(
    shared_database, signed_in_once, _pcr_once, tmp_path
):
    """The pages only a signed-in publisher sees (tests/pages/addresses.py lists public pages):
    the start page with the 2015 Regulations' form, the procurement's page saying which rules it
    is under, each new kind of question with its error, in English and in Welsh. Their HTML is
    the same on either database: the checker (a Java program, 12 seconds) reads it once."""
    client = signed_in_once
    pages = {"start": client.get("/publish/notices/new").content}
    pages["procurement"] = client.get(f"/publish/processes/{_pcr_once}").content
    welsh = client.get(f"/publish/processes/{_pcr_once}?lang=cy").content.decode()
    assert "Rheoliadau Contractau Cyhoeddus 2015" in welsh
    pages["procurement in Welsh"] = welsh.encode()
    send(client, "/publish/notices/new", {"code": "F03"})
    pages["ocid wrong"] = send(client, f"{DRAFT}/framework_ocid", {"framework_ocid": "x"}).content
    send(client, f"/publish/processes/{_pcr_once}", {"code": "F20"})
    pages["ground"] = client.get(f"{DRAFT}/ground").content
    welsh = client.get(f"{DRAFT}/ground?lang=cy").content.decode()
    assert "rheoliad 72(1)(c)" in welsh
    pages["ground in Welsh"] = welsh.encode()
    twin = orjson.loads(client.get(f"/publish/processes/{_pcr_once}?format=json").content)
    assert twin["regime"]["code"] == "PCR2015"
    assert [form["code"] for form in twin["next"]] == ["F03", "F20"]
    for name, html in pages.items():
        ids = re.findall(r'\sid="([^"]+)"', html.decode())
        assert len(ids) == len(set(ids)), name
    if shared_database.vendor == "sqlite":
        assert validate_html(pages, tmp_path) == []
