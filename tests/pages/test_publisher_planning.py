"""The planning and transparency notices through the publisher's question pages (issue 8, item
2): UK1 pipeline, UK2 preliminary market engagement, UK3 planned procurement and UK5
transparency notices, each published end to end and read back through the read API, each
form's release accepted unchanged by the publish API, and every wrong answer refused with the
GOV.UK error summary, storing nothing."""

import re
from datetime import UTC, date, datetime

import orjson
import pytest
from django.test import Client

from openbook.publishing import notice_forms
from openbook.publishing.notice_forms import Context
from openbook.publishing.notice_forms.planning import (
    ENGAGEMENT_NOTICE,
    PIPELINE_NOTICE,
    PLANNED_PROCUREMENT_NOTICE,
    TRANSPARENCY_NOTICE,
)
from openbook.store import log
from openbook.store.database import Store
from tests.pages import test_publisher as tender_pages
from tests.pages.test_publisher import (
    _publisher_once,
    _token,
    publisher,
    send,
    signed_in,
    signed_in_once,
)
from tests.publishing import BUYER, OTHER_BUYER, create_key, post

# The fixtures, imported from the tender notice's tests.
__all__ = ["_publisher_once", "publisher", "signed_in_once"]

NEXT_YEAR = date.today().year + 1


def _day(name: str, day: date) -> dict:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


# Every form's answers, in the order its pages ask them.
ANSWERS = {
    "UK1": {
        "title": {"title": "Highways maintenance 2027 to 2031"},
        "description": {"description": "Resurfacing and repair of the county's roads."},
        "value": {"value": "£12,500,000"},
        "tender_expected": _day("tender_expected", date(NEXT_YEAR, 9, 1)),
    },
    "UK2": {
        "title": {"title": "Library self-service kiosks"},
        "description": {"description": "Kiosks for borrowing and returning books in 9 libraries."},
        "cpv": {"cpv": "30123000"},
        "engagement_start": _day("engagement_start", date(NEXT_YEAR, 3, 2)),
        "engagement_end": _day("engagement_end", date(NEXT_YEAR, 3, 27)),
        "how": {"how": "Register for the supplier day on 10 March, or answer the questionnaire."},
        "value": {"value": "450000"},
    },
    "UK3": {
        "title": {"title": "School meals catering"},
        "description": {"description": "Hot meals for 31 primary schools."},
        "cpv": {"cpv": "55524000"},
        "value": {"value": "£8,000,000"},
        "tender_expected": _day("tender_expected", date(NEXT_YEAR, 5, 1)),
        "contract_start": _day("contract_start", date(NEXT_YEAR + 1, 4, 1)),
    },
    "UK5": {
        "title": {"title": "Flood barrier repair"},
        "description": {"description": "Emergency repair of the river flood barrier."},
        "supplier_name": {"supplier_name": "River Works Ltd"},
        "supplier_id": {"supplier_id": "GB-COH-SC 12345"},
        "value": {"value": "320000.50"},
        "ground": {"ground": "urgency"},
        "rationale": {"rationale": "The barrier failed in the storm of 3 January."},
    },
}
FORMS = {form.code: form for form in notice_forms.FORMS.values()}
# What each notice's release must carry: its tag, where its notice document is, the
# documentType docs/notices.md gives it.
EXPECTED = {
    "UK1": ("planning", "planning", "plannedProcurementNotice"),
    "UK2": ("planning", "planning", "marketEngagementNotice"),
    "UK3": ("planning", "planning", "plannedProcurementNotice"),
    "UK5": ("tender", "tender", "tenderNotice"),
}


def _answer_all(client: Client, code: str, **changed: dict) -> None:
    """Start the notice on /publish/notices/new and answer every question, in order (with the
    ``changed`` answers instead of the usual ones)."""
    answers = {**ANSWERS[code], **changed}
    answer = send(client, "/publish/notices/new", {"code": code})
    first = FORMS[code].questions[0].name
    assert answer.status_code == 302, answer.content[:2000]
    assert answer["Location"] == f"/publish/notices/draft/{first}"
    names = [question.name for question in FORMS[code].questions]
    assert names == list(answers)
    for name in names:
        answer = send(client, f"/publish/notices/draft/{name}", answers[name])
        assert answer.status_code == 302, (name, answer.content[:3000])
    assert answer["Location"] == "/publish/notices/draft/check"


def _publish(client: Client, store) -> str:
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert check.status_code == 200, html[:3000]
    assert "govuk-error-summary" not in html, html[html.find("govuk-error-summary") :][:2000]
    before = log.log_size(store)
    answer = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, answer.content[:3000]
    assert log.log_size(store) == before + 1
    return answer["Location"].split("ocid=")[1]


def _compiled(ocid: str) -> dict:
    """The process's compiled release, from the read API, with its one release's tags."""
    record = orjson.loads(Client().get(f"/api/ocds/records/{ocid}").content)
    [found] = record["records"]
    [release] = found["releases"]
    return {**found["compiledRelease"], "tag": release["tag"]}


def _notice(compiled: dict, code: str) -> dict:
    tag, section, document_type = EXPECTED[code]
    assert compiled["tag"] == [tag]
    [document] = compiled[section]["documents"]
    assert document["noticeType"] == code and document["documentType"] == document_type
    assert compiled["buyer"] == BUYER
    return compiled


@pytest.mark.parametrize("code", ["UK1", "UK2", "UK3", "UK5"])
def test_each_notice_is_on_the_list_of_notices(publisher, code):
    html = signed_in().get("/publish/notices/new").content.decode()
    assert f'value="{code}"' in html


def test_a_pipeline_notice_published_through_the_pages(publisher, store):
    client = signed_in()
    _answer_all(client, "UK1")
    ocid = _publish(client, store)
    compiled = _notice(_compiled(ocid), "UK1")
    tender = compiled["tender"]
    assert tender["title"] == "Highways maintenance 2027 to 2031"
    assert tender["status"] == "planned"
    assert tender["value"] == {"amount": 12500000, "currency": "GBP"}
    assert tender["communication"]["futureNoticeDate"] == f"{NEXT_YEAR}-09-01T00:00:00+01:00"
    assert "s.93" in compiled["planning"]["rationale"]
    # It belongs to the authority: the pipeline register lists it under its buyer.
    pipeline = orjson.loads(Client().get("/api/registers/pipeline").content)
    [entry] = [item for item in pipeline["page"] if item["ocid"] == ocid]
    assert entry["planningNotices"] == ["UK1"]


def test_an_engagement_notice_published_through_the_pages(publisher, store):
    client = signed_in()
    _answer_all(client, "UK2")
    ocid = _publish(client, store)
    compiled = _notice(_compiled(ocid), "UK2")
    opens, closes = compiled["planning"]["milestones"]
    assert opens["type"] == closes["type"] == "engagement"
    assert opens["dueDate"] == f"{NEXT_YEAR}-03-02T00:00:00+00:00"
    assert closes["dueDate"] == f"{NEXT_YEAR}-03-27T23:59:59+00:00"
    assert closes["description"].startswith("Register for the supplier day")
    tender = compiled["tender"]
    assert tender["title"] == "Library self-service kiosks" and tender["status"] == "planning"
    assert tender["items"][0]["classification"] == {"scheme": "CPV", "id": "30123000"}
    assert tender["value"] == {"amount": 450000, "currency": "GBP"}


def test_a_planned_procurement_notice_published_through_the_pages(publisher, store):
    client = signed_in()
    _answer_all(client, "UK3")
    ocid = _publish(client, store)
    compiled = _notice(_compiled(ocid), "UK3")
    tender = compiled["tender"]
    assert tender["title"] == "School meals catering" and tender["status"] == "planned"
    assert tender["value"] == {"amount": 8000000, "currency": "GBP"}
    assert tender["communication"]["futureNoticeDate"] == f"{NEXT_YEAR}-05-01T00:00:00+01:00"
    assert tender["contractPeriod"]["startDate"] == f"{NEXT_YEAR + 1}-04-01T00:00:00+01:00"
    assert tender["items"][0]["classification"]["id"] == "55524000"


def test_a_transparency_notice_published_through_the_pages(publisher, store):
    client = signed_in()
    _answer_all(client, "UK5")
    check = client.get("/publish/notices/draft/check").content.decode()
    assert "River Works Ltd" in check and "£320,000.50" in check
    assert "Extreme and unavoidable urgency (paragraph 13)" in check
    ocid = _publish(client, store)
    compiled = _notice(_compiled(ocid), "UK5")
    tender = compiled["tender"]
    assert tender["procurementMethod"] == "direct"
    assert tender["procurementMethodDetails"] == (
        "Direct award: Extreme and unavoidable urgency (paragraph 13)"
    )
    assert tender["procurementMethodRationale"] == "The barrier failed in the storm of 3 January."
    assert tender["value"] == {"amount": 320000.5, "currency": "GBP"}
    # The supplier as its register writes it: spaces gone, zero-padded to 8 characters.
    supplier = next(party for party in compiled["parties"] if "supplier" in party["roles"])
    assert supplier["id"] == "GB-COH-SC012345"
    assert supplier["identifier"] == {
        "scheme": "GB-COH",
        "id": "SC012345",
        "legalName": "River Works Ltd",
    }
    [award] = compiled["awards"]
    assert award["status"] == "pending"
    assert award["suppliers"] == [{"id": "GB-COH-SC012345", "name": "River Works Ltd"}]


def _built(code: str, ocid: str) -> dict:
    """The release ``code``'s form builds from the answers the pages would read."""
    form = FORMS[code]
    answers = {}
    for question in form.questions:
        answers[question.name] = notice_forms.read_answer(question, ANSWERS[code][question.name])
    context = Context(ocid, BUYER["id"], BUYER["name"], datetime.now(UTC))
    return form.build(context, answers)


@pytest.mark.parametrize("code", ["UK1", "UK2", "UK3", "UK5"])
def test_each_forms_release_passes_the_publish_api_unchanged(publisher, store, code):
    key = create_key(store, publisher)
    ocid = orjson.loads(post(Client(), "/api/publish/ocids", {}, key).content)["ocid"]
    release = _built(code, ocid)
    answer = post(Client(), "/api/publish/validate", release, key)
    assert answer.status_code == 200, answer.content[:3000]
    body = orjson.loads(answer.content)
    assert body["problems"] == []
    # And the API publishes it, as the pages would.
    assert post(Client(), "/api/publish/releases", release, key).status_code == 201


def test_a_pipeline_notice_for_another_authority_is_refused_by_the_same_checks(publisher, store):
    """The pages build a pipeline notice for the signed-in organisation only; one naming
    another authority is refused by the publish checks, as through the API."""
    key = create_key(store, publisher)
    ocid = orjson.loads(post(Client(), "/api/publish/ocids", {}, key).content)["ocid"]
    release = _built("UK1", ocid)
    release["buyer"] = dict(OTHER_BUYER)
    release["parties"] = [{**OTHER_BUYER, "roles": ["buyer"]}]
    answer = post(Client(), "/api/publish/releases", release, key)
    assert answer.status_code == 403
    assert "pipeline notice belongs to the authority" in answer.content.decode()


def _wrong(client: Client, code: str, question: str, values: dict, says: str) -> str:
    send(client, "/publish/notices/new", {"code": code})
    answer = send(client, f"/publish/notices/draft/{question}", values)
    html = answer.content.decode()
    assert answer.status_code == 400, html[:3000]
    assert 'class="govuk-error-summary"' in html and says in html, html[:5000]
    assert 'class="govuk-error-message"' in html
    assert "<script>alert" not in html
    return html


@pytest.mark.parametrize(
    ("code", "question", "values", "says"),
    [
        # Missing.
        ("UK1", "title", {"title": "   "}, "Enter the name of the planned procurement"),
        ("UK2", "how", {"how": ""}, "Say how suppliers can take part"),
        ("UK3", "tender_expected", {}, "Enter the date you expect to publish the tender notice"),
        ("UK5", "supplier_name", {}, "Enter the supplier&#39;s name"),
        ("UK5", "supplier_id", {"supplier_id": ""}, "Enter the supplier&#39;s identifier"),
        ("UK5", "ground", {"ground": ""}, "Select the direct award justification"),
        ("UK5", "rationale", {"rationale": " \n "}, "Explain why the justification applies"),
        ("UK3", "value", {"value": ""}, "Enter an amount in pounds"),
        # Malformed.
        ("UK2", "value", {"value": "about a million"}, "using numbers only"),
        ("UK2", "cpv", {"cpv": "3012300"}, "8 digits"),
        (
            "UK2",
            "engagement_end",
            {
                "engagement_end-day": "30",
                "engagement_end-month": "2",
                "engagement_end-year": "2027",
            },
            "must be a real date",
        ),
        (
            "UK3",
            "contract_start",
            {"contract_start-day": "1", "contract_start-year": "2027"},
            "must include a month",
        ),
        (
            "UK1",
            "tender_expected",
            {
                "tender_expected-day": "1",
                "tender_expected-month": "9",
                "tender_expected-year": "27",
            },
            "between 2000 and 2100",
        ),
        ("UK5", "value", {"value": "-5"}, "using numbers only"),
        (
            "UK5",
            "supplier_id",
            {"supplier_id": "GB-COH-123456789"},
            "a Companies House number is 8 characters",
        ),
        ("UK5", "supplier_id", {"supplier_id": "GB-VAT-217967236"}, "not the check digits"),
        ("UK5", "supplier_id", {"supplier_id": "GB-PPON-PMZV-7732-XXT0"}, "never contain"),
        ("UK5", "supplier_id", {"supplier_id": "GB-COH-N/A"}, "stands in for an id nobody gave"),
        ("UK5", "supplier_id", {"supplier_id": "01234567"}, "is not an organisation identifier"),
        ("UK5", "value", {"value": "0"}, "greater than £0"),
        # Oversized.
        ("UK5", "supplier_name", {"supplier_name": "L" * 301}, "no more than 300 characters"),
        ("UK2", "description", {"description": "x" * 10_001}, "no more than 10,000 characters"),
        ("UK1", "value", {"value": "9" * 30}, "less than £10,000,000,000,000"),
        ("UK5", "supplier_id", {"supplier_id": "GB-COH-" + "1" * 200}, "no more than 100"),
        (
            "UK3",
            "tender_expected",
            {
                "tender_expected-day": "1" * 500,
                "tender_expected-month": "1",
                "tender_expected-year": "2027",
            },
            "must be a real date, in numbers",
        ),
        # Wrongly encoded.
        ("UK5", "supplier_id", {"supplier_id": "GB-COH-0123\x004567"}, "without control"),
        ("UK1", "title", {"title": "Roads\x1b[31m"}, "without control characters"),
        ("UK2", "title", {"title": "Two\nlines"}, "without control characters or line breaks"),
        ("UK3", "description", {"description": "bell \x07"}, "without control characters"),
        # Hostile.
        (
            "UK5",
            "supplier_id",
            {"supplier_id": "<script>alert(1)</script>"},
            "is not an organisation identifier",
        ),
        (
            "UK5",
            "supplier_id",
            {"supplier_id": "GB-XX-../../etc/passwd"},
            "an id of letters and digits",
        ),
        ("UK5", "ground", {"ground": "../../etc/passwd"}, "Select the direct award justification"),
        ("UK5", "ground", {"ground": "user-choice"}, "Select the direct award justification"),
    ],
)
def test_a_wrong_answer_gets_the_error_summary_and_stores_nothing(
    signed_in_once, code, question, values, says
):
    client = signed_in_once
    store = Store()  # the shared database's, which signed_in_once points Django at
    before = log.log_size(store)
    _wrong(client, code, question, values, says)
    assert log.log_size(store) == before
    # The answer was not kept: the check page sends the publisher back to a question.
    assert client.get("/publish/notices/draft/check").status_code == 302


def test_hostile_text_is_kept_as_text_and_shown_escaped(publisher, store):
    client = signed_in()
    _answer_all(
        client,
        "UK5",
        supplier_name={"supplier_name": "<script>alert(1)</script> Ltd"},
        rationale={"rationale": "../../../etc/passwd and ocds-b5fd17-other-1"},
    )
    html = client.get("/publish/notices/draft/check").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Ltd" in html
    assert "<script>alert(1)" not in html
    ocid = _publish(client, store)
    compiled = _compiled(ocid)
    # Another organisation's ocid written in an answer is only words: the notice is published
    # under the ocid minted for the signed-in organisation.
    assert compiled["ocid"] == ocid and ocid != "ocds-b5fd17-other-1"
    assert compiled["tender"]["procurementMethodRationale"].startswith("../../../etc/passwd")


def _answered_then_changed(client: Client, code: str, question: str, values: dict) -> str:
    _answer_all(client, code)
    path = f"/publish/notices/draft/{question}?change=1"
    answer = client.post(
        path, {**values, "change": "1", "csrfmiddlewaretoken": _token(client.get(path))}
    )
    assert answer.status_code == 302, answer.content[:3000]
    assert answer["Location"] == "/publish/notices/draft/check"
    return path


@pytest.mark.parametrize(
    ("code", "question", "values", "says"),
    [
        (
            "UK2",
            "engagement_end",
            _day("engagement_end", date(NEXT_YEAR, 3, 1)),
            "The engagement must close on or after the day it starts",
        ),
        (
            "UK3",
            "contract_start",
            _day("contract_start", date(NEXT_YEAR, 5, 1)),
            "The contract must start after the tender notice is published",
        ),
    ],
)
@pytest.mark.usefixtures("publisher")
def test_answers_that_do_not_fit_together_are_shown_on_the_check_page(
    store, code, question, values, says
):
    client = signed_in()
    path = _answered_then_changed(client, code, question, values)
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert "The notice cannot be published yet" in html and says in html
    assert f'href="{path}"' in html
    before = log.log_size(store)
    answer = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422
    assert log.log_size(store) == before


def _change(client: Client, name: str, values: dict) -> str:
    path = f"/publish/notices/draft/{name}?change=1"
    answer = client.post(
        path, {**values, "change": "1", "csrfmiddlewaretoken": _token(client.get(path))}
    )
    assert answer.status_code == 302, answer.content[:3000]
    return path


def test_an_unregistered_openbook_supplier_number_is_refused_against_its_question(publisher, store):
    """A well-formed platform supplier number that no supplier was given: the publish checks
    refuse it (openbook.publishing.supplier_numbers), shown against the number's question."""
    client = signed_in()
    _answer_all(client, "UK5")
    path = _change(client, "supplier_id", {"supplier_id": "GB-OPENBOOK-ABCD-1234-Z"})
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert "is no registered supplier" in html and f'href="{path}"' in html
    before = log.log_size(store)
    answer = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422 and log.log_size(store) == before


@pytest.mark.parametrize(
    "form", [PIPELINE_NOTICE, ENGAGEMENT_NOTICE, PLANNED_PROCUREMENT_NOTICE, TRANSPARENCY_NOTICE]
)
def test_every_question_places_its_answer_in_the_release(form):
    """Each question names where its answer goes, so a problem the publish checks find there
    is shown against it."""
    release = _built(form.code, "ocds-b5fd17-1")
    for question in form.questions:
        assert question.pointers, question.name
        assert form.question_at(question.pointers[0]) == question
        assert _at(release, question.pointers[0]) is not None, (form.code, question.name)


def _at(document, pointer: str):
    found = document
    for token in pointer.split("/")[1:]:
        found = found[int(token)] if isinstance(found, list) else found.get(token)
    return found


def test_a_tender_notice_follows_a_planned_procurement_notice_in_its_procurement(publisher, store):
    """A planned procurement notice (UK3), then the tender notice (UK4) chosen on the
    procurement's own page: one procurement, one ocid, both notices in its record (where the
    rules see the UK3 before the tender), rather than a new procurement for the tender."""
    client = signed_in()
    _answer_all(client, "UK3")
    ocid = _publish(client, store)
    page = client.get(f"/publish/processes/{ocid}").content.decode()
    offered = re.findall(r'name="code" type="radio" value="([^"]+)"', page)
    assert "UK4" in offered and "UK3" not in offered
    answer = send(client, f"/publish/processes/{ocid}", {"code": "UK4"})
    assert answer["Location"] == "/publish/notices/draft/title"
    answers = {**tender_pages.ANSWERS, "deadline": tender_pages._deadline_answer(40)}
    for name in ("title", "description", "category", "cpv", "value", "procedure", "deadline"):
        assert send(client, f"/publish/notices/draft/{name}", answers[name]).status_code == 302
    for name in ("contract_start", "contract_end", "sme", "vcse"):
        assert send(client, f"/publish/notices/draft/{name}", answers[name]).status_code == 302
    assert _publish(client, store) == ocid
    record = orjson.loads(Client().get(f"/api/ocds/records/{ocid}").content)["records"][0]
    assert [release["tag"] for release in record["releases"]] == [["planning"], ["tender"]]
    compiled = record["compiledRelease"]
    assert [d["noticeType"] for d in compiled["planning"]["documents"]] == ["UK3"]
    assert [d["noticeType"] for d in compiled["tender"]["documents"]] == ["UK4"]
