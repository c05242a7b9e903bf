"""Which award, contract or lots a notice is about (issue 8, item 2), on both databases: asked
first, and only when the procurement has more than one to choose from; a page not asked is
skipped, with "Back" and "Change" links that still lead where they should; a draft whose
procurement gained a contract since it was answered is asked which; wrong answers refused with
the GOV.UK error summary, storing nothing; a correction keeps the contract chosen."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape

import pytest

from openbook.publishing import publishers
from openbook.publishing.notice_forms import FORMS, Context, Words, texts
from openbook.publishing.notice_forms.following import contract_choices, lot_choices
from openbook.publishing.publish import publish
from openbook.store import log
from tests.pages.test_publisher import _token, publisher, send, signed_in
from tests.pages.test_publisher_notices import (
    DRAFT,
    _answer,
    _award_answers,
    _correct,
    _day,
    _details_answers,
    _record,
    _summary,
    _today,
)
from tests.publishing import BUYER, CLI, SUPPLIER, award, contract_details, notice, tender

__all__ = ["publisher"]  # the fixture, shared with the publisher pages' tests

OTHER = {"id": "GB-COH-07654321", "name": "Parks & <b>Gardens</b> Ltd"}
LOTS = [
    {"id": "1", "title": "North parks", "value": {"amount": 600000, "currency": "GBP"}},
    {"id": "2", "title": "South parks"},
]


def _awards(ocid: str) -> dict:
    """Two awards, one a lot, to two suppliers (the second named with HTML in it)."""
    return notice(
        "UK6",
        "2025-07-15",
        ocid,
        tag=["award"],
        section="awards",
        parties=[
            {**BUYER, "roles": ["buyer"]},
            {**SUPPLIER, "roles": ["supplier"]},
            {**OTHER, "roles": ["supplier"]},
        ],
        awards=[
            {"id": "1", "suppliers": [SUPPLIER], "relatedLots": ["1"], "value": _pounds(90)},
            {"id": "2", "suppliers": [OTHER], "relatedLots": ["2"], "value": _pounds(350000)},
        ],
    )


def _dated(release: dict) -> dict:
    for entry in release["awards"]:
        entry["date"] = "2025-07-14T09:00:00+01:00"
    return release


def _contracts(ocid: str) -> dict:
    signed = "2025-07-28T09:00:00+01:00"
    return notice(
        "UK7",
        "2025-08-01",
        ocid,
        tag=["contract"],
        section="contracts",
        contracts=[
            {"id": "1", "awardID": "1", "dateSigned": signed, "value": _pounds(240000)},
            {"id": "2", "awardID": "2", "dateSigned": signed, "value": _pounds(350000)},
        ],
    )


def _pounds(amount: int) -> dict:
    return {"amount": amount, "currency": "GBP"}


@pytest.fixture
def two_contracts(publisher, store) -> str:
    """A procurement of the signed-in organisation with two lots, two awards and two contracts,
    published through the publish use case."""
    ocid = publishers.mint_ocid(store, publisher, CLI)
    for release in (tender(ocid, lots=LOTS), _dated(_awards(ocid)), _contracts(ocid)):
        publish(store, publisher, release, CLI)
    return ocid


def _back(html: str) -> str:
    return unescape(re.search(r'<a href="([^"]+)" class="govuk-back-link"', html).group(1))


def _choices(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" type="(?:radio|checkbox)" value="([^"]+)"', html)


def test_the_contract_a_change_is_about_is_asked_first(publisher, store, two_contracts):
    client, ocid = signed_in(), two_contracts
    started = send(client, f"/publish/processes/{ocid}", {"code": "UK10"})
    assert started["Location"] == f"{DRAFT}/contract"
    page = client.get(f"{DRAFT}/contract").content.decode()
    assert "Which contract is this notice about?" in page
    assert _back(page) == f"/publish/processes/{ocid}"
    assert _choices(page, "contract") == ["1", "2"]
    assert "Contract 1 with Green Spaces Ltd, worth £240,000, for lot 1" in page
    # the supplier's name is data: shown as text, never as HTML
    assert "Contract 2 with Parks &amp; &lt;b&gt;Gardens&lt;/b&gt; Ltd, worth £350,000" in page
    assert "<b>Gardens" not in page

    before = log.log_size(store)
    for wrong in ({}, {"contract": "3"}, {"contract": "award:2"}, {"contract": "<script>"}):
        answer = send(client, f"{DRAFT}/contract", wrong)
        html = answer.content.decode()
        assert answer.status_code == 400, wrong
        assert "Select the contract this notice is about" in _summary(html)
        assert 'href="#contract"' in html and "<script>" not in html
        assert "contract" not in client.session["openbook_draft"]["answers"]
    assert log.log_size(store) == before

    chosen = send(client, f"{DRAFT}/contract", {"contract": "2"})
    assert chosen["Location"] == f"{DRAFT}/change"
    assert _back(client.get(f"{DRAFT}/change").content.decode()) == f"{DRAFT}/contract"
    _answer(
        client,
        {
            "change": {"change": "A third park is added."},
            "new_value": {"new_value": "400000"},
            "new_end": {"new_end-day": ""},
        },
    )
    check = client.get(f"{DRAFT}/check").content.decode()
    assert "Which contract is this notice about?" in check
    assert "Contract 2 with Parks" in check and f'href="{DRAFT}/contract?change=1"' in check
    # Changing it: back to check your answers, where it now says contract 1.
    change = client.get(f"{DRAFT}/contract?change=1").content.decode()
    assert _back(change) == f"{DRAFT}/check" and 'value="2" checked' in change
    changed = send(client, f"{DRAFT}/contract?change=1", {"contract": "1", "change": "1"})
    assert changed["Location"] == f"{DRAFT}/check"
    send(client, f"{DRAFT}/contract?change=1", {"contract": "2", "change": "1"})
    check = client.get(f"{DRAFT}/check")
    published = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert published.status_code == 302, _summary(published.content.decode())

    record = _record(ocid)
    first, second = record["compiledRelease"]["contracts"]
    assert second["value"] == _pounds(400000) and second["awardID"] == "2"
    assert second["amendments"][0]["description"] == "A third park is added."
    assert first["value"] == _pounds(240000) and "amendments" not in first

    # A correction keeps the contract chosen, and shows it chosen.
    change_id = record["releases"][-1]["id"]
    _correct(client, ocid, change_id, {"new_value": {"new_value": "410000"}})
    first, second = _record(ocid)["compiledRelease"]["contracts"]
    assert second["value"] == _pounds(410000) and first["value"] == _pounds(240000)
    assert second["amendments"][-1]["amendsReleaseID"] == change_id


def test_a_question_with_one_choice_is_not_asked_until_there_are_two(publisher, store):
    """With one contract, the contract's page is skipped (its address leads on), Back from the
    first question leads to the procurement, and check your answers does not list it; once a
    second contract is published, the draft is asked which."""
    client = signed_in()
    ocid = publishers.mint_ocid(store, publisher, CLI)
    for release in (tender(ocid), award(ocid), contract_details(ocid)):
        publish(store, publisher, release, CLI)

    started = send(client, f"/publish/processes/{ocid}", {"code": "UK11"})
    assert started["Location"] == f"{DRAFT}/reason"
    assert _back(client.get(f"{DRAFT}/reason").content.decode()) == f"/publish/processes/{ocid}"
    assert client.get(f"{DRAFT}/contract")["Location"] == f"{DRAFT}/check"
    token = _token(client.get("/publish"))
    skipped = client.post(f"{DRAFT}/contract", {"contract": "1", "csrfmiddlewaretoken": token})
    assert skipped["Location"] == f"{DRAFT}/check"
    assert "contract" not in client.session["openbook_draft"]["answers"]
    ended = _today() - timedelta(days=2)
    _answer(
        client,
        {
            "reason": {"reason": "Ended by agreement."},
            "ended": _day("ended", ended),
            "final_value": {"final_value": "200000"},
        },
    )
    check = client.get(f"{DRAFT}/check").content.decode()
    assert "govuk-error-summary" not in check and "Which contract" not in check

    # A second contract published before this draft is: the draft is asked which it is about,
    # and comes back to check your answers.
    second = contract_details(ocid)
    second["id"] += "-second"
    second["contracts"][0]["id"] = "2"  # another contract under the same award
    publish(store, publisher, second, CLI)
    asked = client.get(f"{DRAFT}/check")
    assert asked["Location"] == f"{DRAFT}/contract?change=1"
    answer = send(client, f"{DRAFT}/contract?change=1", {"contract": "1", "change": "1"})
    assert answer["Location"] == f"{DRAFT}/check"
    check = client.get(f"{DRAFT}/check")
    assert "Contract 1 with Green Spaces Ltd" in check.content.decode()
    published = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert published.status_code == 302
    first, other = _record(ocid)["compiledRelease"]["contracts"]
    assert first["status"] == "terminated" and other.get("status") != "terminated"


def test_lots_and_then_the_award_a_contract_is_for(publisher, store):
    """A contract award notice on a procurement with lots asks which lots first; the contract
    details notice after two awards asks which award."""
    client = signed_in()
    ocid = publishers.mint_ocid(store, publisher, CLI)
    publish(store, publisher, tender(ocid, lots=LOTS), CLI)
    started = send(client, f"/publish/processes/{ocid}", {"code": "UK6"})
    assert started["Location"] == f"{DRAFT}/lots"
    page = client.get(f"{DRAFT}/lots").content.decode()
    assert _choices(page, "lots") == ["1", "2"] and 'type="checkbox"' in page
    assert "Lot 1: North parks, worth £600,000" in page and "Lot 2: South parks" in page
    for wrong in ({}, {"lots": ["1", "9"]}, {"lots": "<b>"}):
        answer = send(client, f"{DRAFT}/lots", wrong)
        assert answer.status_code == 400 and "Select the lots this award is for" in (
            _summary(answer.content.decode())
        )
    answer = send(client, f"{DRAFT}/lots", {"lots": ["2", "1"]})
    assert answer["Location"] == f"{DRAFT}/supplier_name"
    again = client.get(f"{DRAFT}/lots").content.decode()
    assert 'value="1" checked' in again and 'value="2" checked' in again
    _answer(client, _award_answers())
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert "Lot 1: North parks, worth £600,000<br>Lot 2: South parks" in html
    assert client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)}).status_code == 302

    # A second award, for lot 2 alone; then the contract details notice asks which award.
    send(client, f"/publish/processes/{ocid}", {"code": "UK6"})
    send(client, f"{DRAFT}/lots", {"lots": "2"})
    _answer(client, {**_award_answers(), "supplier_id": {"supplier_id": "GB-COH-07654321"}})
    check = client.get(f"{DRAFT}/check")
    done = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert done.status_code == 302, _summary(done.content.decode())
    started = send(client, f"/publish/processes/{ocid}", {"code": "UK7"})
    assert started["Location"] == f"{DRAFT}/award"
    page = client.get(f"{DRAFT}/award").content.decode()
    assert "Award 1 to Green Spaces Ltd, worth £1,200,000, for lot 1, 2" in page
    assert _choices(page, "award") == ["1", "2"]
    assert send(client, f"{DRAFT}/award", {"award": "2"})["Location"] == f"{DRAFT}/date_signed"
    _answer(client, _details_answers())
    check = client.get(f"{DRAFT}/check")
    assert client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)}).status_code == 302

    compiled = _record(ocid)["compiledRelease"]
    first, second = compiled["awards"]
    assert first["relatedLots"] == ["1", "2"] and second["relatedLots"] == ["2"]
    assert [first["status"], second["status"]] == ["pending", "active"]
    (contract,) = compiled["contracts"]
    assert contract["awardID"] == "2"
    # The Welsh page of a choice drawn from the procurement: its words translated, its data not.
    welsh = client.get(f"/publish/processes/{ocid}?lang=cy")
    assert welsh.status_code == 200


# The choices themselves, without pages.

NOW = datetime(2026, 7, 20, 9, 30, tzinfo=UTC)


def _context(compiled: dict) -> Context:
    return Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], NOW, compiled)


def test_an_award_without_a_contract_is_offered_beside_the_contracts():
    """A contract notice may follow a contract award notice alone: its contract takes the
    award's id, unless a contract has it."""
    compiled = {
        "awards": [{"id": "1"}, {"id": "2", "suppliers": [SUPPLIER]}, {"id": "3"}],
        "contracts": [{"id": "2", "awardID": "1"}],
    }
    context = _context(compiled)
    values = [value for value, _ in contract_choices(context)]
    assert values == ["2", "award:2", "award:3"]
    answers = {"change": "More parks", "new_value": None, "new_end": None}
    release = FORMS["UK10"].build(context, {**answers, "contract": "award:3"})
    assert {k: release["contracts"][0][k] for k in ("id", "awardID")} == {"id": "3", "awardID": "3"}
    release = FORMS["UK10"].build(context, {**answers, "contract": "award:2"})
    assert {k: release["contracts"][0][k] for k in ("id", "awardID")} == {"id": "3", "awardID": "2"}
    cancelled = {**compiled, "awards": [{"id": "1"}, {"id": "2", "status": "cancelled"}]}
    assert [value for value, _ in contract_choices(_context(cancelled))] == ["2"]


def test_one_lot_is_the_award_s_without_asking():
    compiled = {"tender": {"id": "1", "lots": [{"id": "L1", "title": "x" * 400}]}}
    context = _context(compiled)
    form = FORMS["UK6"]
    assert "lots" not in [q.name for q in form.asked(context, {})]
    (label,) = [str(label) for _, label in lot_choices(context)]
    assert len(label) < 170 and label.endswith("…")  # a long title is shortened
    answers = {"supplier_name": "Green", "supplier_id": "GB-COH-01234567", "value": 5}
    answers |= {"supplier_sme": "no", "supplier_vcse": "no", "award_date": date(2026, 7, 1)}
    release = form.build(context, answers)
    assert release["awards"][0]["relatedLots"] == ["L1"]
    assert "relatedLots" not in form.build(_context({}), answers)["awards"][0]


def test_the_words_of_the_choices_are_catalogued():
    catalogued = set(texts())
    compiled = {
        "tender": {"lots": LOTS},
        "awards": [{"id": "1", "suppliers": [SUPPLIER], "relatedLots": ["1"]}],
        "contracts": [{"id": "1", "awardID": "1", "value": _pounds(5)}],
    }
    for choices in (contract_choices(_context(compiled)), lot_choices(_context(compiled))):
        for _value, label in choices:
            assert isinstance(label, Words)
            assert {message for message, _ in label.parts} <= catalogued
