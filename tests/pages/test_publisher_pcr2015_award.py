"""Section V ("Award of contract") of the 2015 Regulations' contract award notice (F03) through
the publisher pages (issue 8, item 2; openbook/publishing/notice_forms/pcr2015_award.py): the
tenders received, a group of suppliers, the values and subcontracting, one thing a page, in
the release the publish API accepts (``POST /api/publish/validate``, then published); read back
for a correction; wrong answers in the GOV.UK error summary, storing nothing. On both
databases."""

import re
from datetime import UTC, date, datetime, timedelta

import orjson
import pytest

from openbook.publishing import publishers
from openbook.publishing.notice_forms import FORMS, Context, read_answer
from openbook.publishing.notice_forms.corrections import answers_from
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
from tests.pages.test_publisher_notices import DRAFT, _answer, _correct, _day, _record, _summary
from tests.pages.test_publisher_pcr2015 import (
    _checked_and_accepted,
    _pcr_procurement,
    _publish_checked,
    _today,
)
from tests.publishing import BUYER, CLI, notice

__all__ = ["_publisher_once", "publisher", "signed_in_once"]

F03 = FORMS["F03"]


def _section_v() -> dict[str, dict]:
    """Every question of an awarded F03 on a procurement started before 2025, in page order:
    a group of two suppliers, the offers and subcontracting given."""
    return {
        "awarded": {"awarded": "yes"},
        "tenders": {"tenders": "12"},
        "sme_tenders": {"sme_tenders": "7"},
        "eu_tenders": {"eu_tenders": "2"},
        "other_tenders": {"other_tenders": "1"},
        "electronic_tenders": {"electronic_tenders": "11"},
        "group": {"group": "yes"},
        "supplier_name": {"supplier_name": "Green Spaces Ltd"},
        "supplier_id": {"supplier_id": "GB-COH-01234567"},
        "supplier_sme": {"supplier_sme": "yes"},
        "group_members": {"group_members": "Smith, Jones & Co, GB-COH-07654321"},
        "estimated_value": {"estimated_value": "£90,000"},
        "value": {"value": "£84,000"},
        "lowest_offer": {"lowest_offer": "80000"},
        "highest_offer": {"highest_offer": "£120,000.50"},
        "concluded": _day("concluded", _today() - timedelta(days=3)),
        "subcontracting": {"subcontracting": "yes"},
        "subcontract_value": {"subcontract_value": "21000"},
        "subcontract_share": {"subcontract_share": "25%"},
    }


def test_section_v_is_asked_a_thing_a_page_and_published_as_the_api_accepts(publisher, store):
    client = signed_in()
    ocid = _pcr_procurement(store)
    started = send(client, f"/publish/processes/{ocid}", {"code": "F03"})
    assert started["Location"] == f"{DRAFT}/awarded"
    assert send(client, f"{DRAFT}/awarded", {"awarded": "yes"})["Location"] == f"{DRAFT}/tenders"
    page = client.get(f"{DRAFT}/tenders").content.decode()
    assert "How many tenders were received?" in page
    assert 'inputmode="numeric"' in page and "govuk-input--width-5" in page
    _answer(client, _section_v())
    checked = _checked_and_accepted(client, store, publisher)  # problems == [] from the API
    html = checked["html"]
    for shown in ("How many tenders were received?", "12", "Smith, Jones &amp; Co", "£120,000.50"):
        assert shown in html, shown
    assert f'href="{DRAFT}/sme_tenders?change=1"' in html
    release = checked["release"]
    award_id = release["awards"][0]["id"]
    assert release["bids"]["statistics"] == [
        {"id": f"{award_id}-bids", "measure": "bids", "value": 12},
        {"id": f"{award_id}-smeBids", "measure": "smeBids", "value": 7},
        {"id": f"{award_id}-foreignBidsFromEU", "measure": "foreignBidsFromEU", "value": 2},
        {"id": f"{award_id}-foreignBidsFromNonEU", "measure": "foreignBidsFromNonEU", "value": 1},
        {"id": f"{award_id}-electronicBids", "measure": "electronicBids", "value": 11},
        {
            "id": f"{award_id}-lowestValidBidValue",
            "measure": "lowestValidBidValue",
            "value": 80000,
            "currency": "GBP",
        },
        {
            "id": f"{award_id}-highestValidBidValue",
            "measure": "highestValidBidValue",
            "value": 120000.5,
            "currency": "GBP",
        },
    ]
    assert _publish_checked(client) == ocid

    record = _record(ocid)
    compiled = record["compiledRelease"]
    (award,) = compiled["awards"]
    assert [s["id"] for s in award["suppliers"]] == ["GB-COH-01234567", "GB-COH-07654321"]
    member = next(p for p in compiled["parties"] if p["id"] == "GB-COH-07654321")
    assert member["roles"] == ["supplier"] and member["name"] == "Smith, Jones & Co"
    assert award["hasSubcontracting"] is True
    assert award["subcontracting"] == {
        "value": {"amount": 21000, "currency": "GBP"},
        "minimumPercentage": 0.25,
        "maximumPercentage": 0.25,
    }
    assert compiled["tender"]["value"] == {"amount": 90000, "currency": "GBP"}
    assert len(compiled["bids"]["statistics"]) == 7

    # A correction reads the counts back (only the group, typed as a list, is asked again).
    _correct(
        client,
        ocid,
        record["releases"][-1]["id"],
        {
            "sme_tenders": {"sme_tenders": "8"},
            "group": {"group": "yes"},
            "group_members": {"group_members": "Smith, Jones & Co, GB-COH-07654321"},
        },
    )
    compiled = _record(ocid)["compiledRelease"]
    statistics = {s["measure"]: s["value"] for s in compiled["bids"]["statistics"]}
    assert statistics["smeBids"] == 8 and statistics["bids"] == 12
    assert len(compiled["bids"]["statistics"]) == 7  # replaced, by id, not added


def test_an_award_without_a_group_offers_or_subcontracting(publisher, store):
    """The fewest answers: counts, no group, no subcontracting; nothing optional given."""
    client = signed_in()
    ocid = _pcr_procurement(store)
    send(client, f"/publish/processes/{ocid}", {"code": "F03"})
    answers = {
        name: values
        for name, values in _section_v().items()
        if name not in ("group_members", "estimated_value", "lowest_offer", "highest_offer")
        and not name.startswith("subcontract_")
    }
    answers["group"] = {"group": "no"}
    answers["subcontracting"] = {"subcontracting": "no"}
    _answer(client, answers)
    release = _checked_and_accepted(client, store, publisher)["release"]
    (award,) = release["awards"]
    assert award["hasSubcontracting"] is False and "subcontracting" not in award
    assert len(award["suppliers"]) == 1
    assert [s["measure"] for s in release["bids"]["statistics"]] == [
        "bids",
        "smeBids",
        "foreignBidsFromEU",
        "foreignBidsFromNonEU",
        "electronicBids",
    ]
    assert "value" not in release["tender"]


def test_section_v_is_read_back_from_its_release():
    """Pure: a correction's draft holds the answers the release gives (the group's members and
    the share, read their own way, are asked again)."""
    compiled = {"ocid": "ocds-b5fd17-c1", "tender": {"id": "T1", "title": "Grounds"}}
    now = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    context = Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], now, compiled=compiled)
    answers = {
        name: read_answer(F03.question(name), values)
        for name, values in _section_v().items()
        if name != "concluded"
    }
    answers["concluded"] = date(2026, 1, 2)
    release = F03.build(context, answers)
    found = answers_from(F03, release, compiled)
    assert {name: answers[name] for name in found} == found
    assert set(answers) - set(found) == {"group", "group_members", "subcontract_share"}


_WRONG = [
    ("tenders", {"tenders": "-3"}, "Enter a number of 0 or more"),
    ("tenders", {"tenders": "four"}, "Enter a whole number, such as 4"),
    ("tenders", {"tenders": "2.5"}, "Enter a whole number, such as 4"),
    ("tenders", {"tenders": "100001"}, "Enter a number no more than 100,000"),
    ("tenders", {"tenders": "9" * 400}, "Enter a number no more than 100,000"),
    ("tenders", {"tenders": ""}, "Enter the number of tenders received"),
    ("sme_tenders", {"sme_tenders": "<script>alert(1)</script>"}, "Enter a whole number"),
    ("eu_tenders", {"eu_tenders": "1\x00"}, "Enter a whole number, such as 4"),
    ("group", {"group": "maybe"}, "Select yes if the contract was awarded to a group"),
    ("lowest_offer", {"lowest_offer": "-5"}, "using numbers only"),
    ("highest_offer", {"highest_offer": "£99,999,999,999,999"}, "less than £10,000,000"),
    ("subcontracting", {}, "Select yes if the contract is likely to be subcontracted"),
    ("subcontract_share", {"subcontract_share": "150"}, "between 0 and 100"),
    ("subcontract_share", {"subcontract_share": "-10"}, "Enter a percentage more than 0"),
    ("subcontract_share", {"subcontract_share": "a quarter"}, "as a number, such as 25"),
]


@pytest.fixture(scope="module")
def _pcr_once(shared_database, _publisher_once) -> str:
    """A procurement under the 2015 Regulations, in the module's database."""
    store = shared_database.store
    (organisation,) = publishers.list_publishers(store)
    ocid = publishers.mint_ocid(store, organisation, CLI)
    tender = {"id": "T1", "title": "Grounds maintenance", "status": "active"}
    publish(store, organisation, notice("F02", "2024-06-03", ocid, tender=tender), CLI)
    return ocid


@pytest.mark.parametrize(("question", "values", "says"), _WRONG)
def test_a_wrong_answer_gets_the_error_summary_and_stores_nothing(
    signed_in_once, _pcr_once, question, values, says
):
    client = signed_in_once
    store = Store()
    before = log.log_size(store)
    send(client, f"/publish/processes/{_pcr_once}", {"code": "F03"})
    send(client, f"{DRAFT}/awarded", {"awarded": "yes"})
    if question.startswith("subcontract_"):
        send(client, f"{DRAFT}/subcontracting", {"subcontracting": "yes"})
    answer = send(client, f"{DRAFT}/{question}", values)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html, _summary(html)
    assert f'href="#{question}' in html and 'class="govuk-error-message"' in html
    assert "<script>alert" not in html
    assert question not in client.session["openbook_draft"]["answers"]
    assert log.log_size(store) == before


_CROSSED = [
    ({"sme_tenders": "13"}, "sme_tenders", "more tenders from SMEs than tenders received"),
    ({"eu_tenders": "13"}, "eu_tenders", "more tenders from the EU than tenders received"),
    ({"electronic_tenders": "13"}, "electronic_tenders", "sent electronically than tenders"),
    ({"eu_tenders": "7", "other_tenders": "6"}, "other_tenders", "from elsewhere outside the UK"),
    ({"tenders": "0", "sme_tenders": "0", "eu_tenders": "0", "other_tenders": "0",
      "electronic_tenders": "0"}, "tenders", "at least 1 tender was received"),
    ({"lowest_offer": "130000"}, "lowest_offer", "lowest offer cannot be more than the highest"),
    ({"lowest_offer": ""}, "lowest_offer", "Give both the lowest and the highest offer"),
    ({"subcontract_value": "90000"}, "subcontract_value", "more than the contract’s total value"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "question", "says"), _CROSSED)
def test_answers_that_contradict_each_other_are_refused_at_check(
    signed_in_once, _pcr_once, changes, question, says
):
    """Each answer is fine alone; together they cannot be true. The check page says which to
    change, and publishing is refused (422), storing nothing."""
    client = signed_in_once
    store = Store()
    before = log.log_size(store)
    send(client, f"/publish/processes/{_pcr_once}", {"code": "F03"})
    for name, values in _section_v().items():
        name_changes = {key: value for key, value in changes.items() if key == name}
        answer = send(client, f"{DRAFT}/{name}", {**values, **name_changes})
        assert answer.status_code == 302, (name, _summary(answer.content.decode()))
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html, _summary(html)
    assert f'href="{DRAFT}/{question}?change=1"' in html or f"#{question}" in html
    refused = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert refused.status_code == 422
    assert log.log_size(store) == before


def test_the_pages_are_valid_html_and_in_welsh(
    shared_database, signed_in_once, _pcr_once, tmp_path
):
    client = signed_in_once
    send(client, f"/publish/processes/{_pcr_once}", {"code": "F03"})
    send(client, f"{DRAFT}/awarded", {"awarded": "yes"})
    pages = {"tenders": client.get(f"{DRAFT}/tenders").content}
    pages["tenders wrong"] = send(client, f"{DRAFT}/tenders", {"tenders": "-1"}).content
    send(client, f"{DRAFT}/group", {"group": "yes"})
    pages["members"] = client.get(f"{DRAFT}/group_members").content
    send(client, f"{DRAFT}/subcontracting", {"subcontracting": "yes"})
    welsh = client.get(f"{DRAFT}/tenders?lang=cy").content.decode()
    assert "Faint o dendrau a ddaeth i law?" in welsh
    pages["tenders in Welsh"] = welsh.encode()
    wrong = send(client, f"{DRAFT}/subcontract_share?lang=cy", {"subcontract_share": "x"})
    assert "Rhowch y ganran fel rhif" in wrong.content.decode()
    for name, html in pages.items():
        ids = re.findall(r'\sid="([^"]+)"', html.decode())
        assert len(ids) == len(set(ids)), name
    if shared_database.vendor == "sqlite":
        assert validate_html(pages, tmp_path) == []
    twin = orjson.loads(client.get(f"{DRAFT}/tenders?format=json").content)
    assert twin["question"]["name"] == "tenders" and twin["question"]["kind"] == "count"
