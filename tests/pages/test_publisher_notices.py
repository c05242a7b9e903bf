"""Publishing the notices of a procurement already published, through the publisher pages (issue
8, item 2): its page lists its notices and the notices that may follow them; a contract award
notice (UK6) and a contract details notice (UK7) written through question pages are published by
the publish API's own checks, into the same procurement; another organisation's procurement is
refused."""

import re
from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.test import Client

from openbook.publishing import publishers
from openbook.publishing.publish import publish
from openbook.publishing.withdraw import withdraw
from openbook.store import log
from openbook.web.pages.publisher.process import may_follow
from tests.pages.conftest import validate_html
from tests.pages.test_publisher import _answer_all, _token, publisher, send, signed_in
from tests.publishing import CLI, OTHER_BUYER, create_publisher, tender

__all__ = ["publisher"]  # the fixture, shared with the publisher pages' tests

LONDON = ZoneInfo("Europe/London")
DRAFT = "/publish/notices/draft"


def _today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


def _day(name: str, day: date) -> dict:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _award_answers() -> dict[str, dict]:
    return {
        "supplier_name": {"supplier_name": "Green Spaces Ltd"},
        "supplier_id": {"supplier_id": "gb-coh-1234567"},  # written as people write it
        "supplier_sme": {"supplier_sme": "yes"},
        "supplier_vcse": {"supplier_vcse": "no"},
        "value": {"value": "£1,200,000"},
        "award_date": _day("award_date", _today() - timedelta(days=2)),
        "standstill_end": _day("standstill_end", _today() + timedelta(days=14)),
    }


def _details_answers() -> dict[str, dict]:
    signed = _today()  # a contract details notice follows the signing (notice.date rules)
    return {
        "date_signed": _day("date_signed", signed),
        "contract_start": _day("contract_start", signed + timedelta(days=10)),
        "contract_end": _day("contract_end", signed + timedelta(days=3 * 365)),
        "value": {"value": "1200000"},
    }


def _tender_published(client: Client) -> str:
    _answer_all(client)
    check = client.get(f"{DRAFT}/check")
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, answer.content[:3000]
    return answer["Location"].split("ocid=")[1]


def _start(client: Client, ocid: str, code: str):
    return send(client, f"/publish/processes/{ocid}", {"code": code})


def _answer(client: Client, answers: dict[str, dict]) -> None:
    for name, values in answers.items():
        answer = send(client, f"{DRAFT}/{name}", values)
        assert answer.status_code == 302, (name, answer.content[:3000])
    assert answer["Location"] == f"{DRAFT}/check"


def _publish_next(client: Client, ocid: str, code: str, answers: dict[str, dict]) -> str:
    """Choose ``code`` on the procurement's page, answer its questions and publish it; the check
    page's HTML before publishing."""
    started = _start(client, ocid, code)
    assert started.status_code == 302, started.content[:3000]
    assert started["Location"] == f"{DRAFT}/{next(iter(answers))}"
    _answer(client, answers)
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert check.status_code == 200 and "govuk-error-summary" not in html, _summary(html)
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, answer.content[:5000]
    assert answer["Location"] == f"/publish/notices/published?ocid={ocid}"
    return html


def _summary(html: str) -> str:
    """The error summary's text, for a failure's message."""
    found = html[html.find('class="govuk-error-summary"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[: found.find("</ul>")]))


def _next_codes(html: str) -> list[str]:
    form = html[html.index("Publish the next notice") :]
    return re.findall(r'name="code" type="radio" value="([^"]+)"', form)


def _record(ocid: str) -> dict:
    answer = Client().get(f"/api/ocds/records/{ocid}")
    assert answer.status_code == 200
    return orjson.loads(answer.content)["records"][0]


def test_an_award_and_a_contract_published_on_the_procurements_page(publisher, store):
    client = signed_in()
    ocid = _tender_published(client)
    dashboard = client.get("/publish").content.decode()
    assert f'href="/publish/processes/{ocid}"' in dashboard
    page = client.get(f"/publish/processes/{ocid}")
    html = page.content.decode()
    assert page.status_code == 200, html[:3000]
    assert "Grounds maintenance for parks" in html and "UK4: Tender notice" in html
    (tender_id,) = re.findall(r"<code>([^<]+)</code>", html)
    encoded = quote(tender_id, safe="")
    assert f'href="/publish/processes/{ocid}/notices/{encoded}/correct"' in html
    assert f'href="/publish/processes/{ocid}/notices/{encoded}/withdraw"' in html
    assert _next_codes(html) == ["UK6", "UK7", "UK12", "UK5"]

    check = _publish_next(client, ocid, "UK6", _award_answers())
    assert "Green Spaces Ltd" in check and "GB-COH-01234567" in check and "£1,200,000" in check
    assert f'href="{DRAFT}/supplier_id?change=1"' in check
    html = client.get(f"/publish/processes/{ocid}").content.decode()
    assert "UK6: Contract award notice" in html
    assert _next_codes(html) == ["UK6", "UK7", "UK10", "UK11", "UK12", "UK9", "UK5"]
    _publish_next(client, ocid, "UK7", _details_answers())

    record = _record(ocid)
    tags = [release["tag"] for release in record["releases"]]
    assert tags == [["tender"], ["award"], ["award", "contract"]]
    compiled = record["compiledRelease"]
    (award,) = compiled["awards"]
    assert award["suppliers"] == [{"id": "GB-COH-01234567", "name": "Green Spaces Ltd"}]
    assert award["value"] == {"amount": 1200000, "currency": "GBP"}
    assert award["status"] == "active"  # the contract is entered into
    assert award["title"] == "Grounds maintenance for parks"
    assert award["standstillPeriod"]["endDate"].startswith(
        (_today() + timedelta(days=14)).isoformat()
    )
    assert [d["noticeType"] for d in award["documents"]] == ["UK6"]
    assert award["documents"][0]["documentType"] == "awardNotice"
    (contract,) = compiled["contracts"]
    assert contract["awardID"] == award["id"]
    assert contract["dateSigned"].startswith(_today().isoformat())
    assert contract["value"] == {"amount": 1200000, "currency": "GBP"}
    assert [d["noticeType"] for d in contract["documents"]] == ["UK7"]
    assert contract["documents"][0]["documentType"] == "contractNotice"
    assert [d["noticeType"] for d in compiled["tender"]["documents"]] == ["UK4"]
    supplier = next(p for p in compiled["parties"] if p["id"] == "GB-COH-01234567")
    assert supplier["roles"] == ["supplier"]
    assert supplier["identifier"] == {
        "scheme": "GB-COH",
        "id": "01234567",
        "legalName": "Green Spaces Ltd",
    }
    assert supplier["details"] == {"scale": "sme", "vcse": False}
    assert compiled["tender"]["title"] == "Grounds maintenance for parks"  # unchanged
    html = client.get(f"/publish/processes/{ocid}").content.decode()
    assert html.count("/correct") == 3 and "UK7: Contract details notice" in html


def test_a_procurement_terminated_and_a_notice_withdrawn(publisher, store):
    client = signed_in()
    ocid = _tender_published(client)
    ended = _today() - timedelta(days=1)
    _publish_next(
        client,
        ocid,
        "UK12",
        {
            "reason": {"reason": "No suitable tenders were received."},
            "terminated": _day("terminated", ended),
        },
    )
    compiled = _record(ocid)["compiledRelease"]
    assert compiled["tender"]["status"] == "cancelled"
    assert compiled["tender"]["finalStatusDate"].startswith(ended.isoformat())
    notice = compiled["tender"]["documents"][-1]
    assert notice["noticeType"] == "UK12" and notice["documentType"] == "tenderCancellationNotice"
    assert notice["description"] == "No suitable tenders were received."
    # Withdrawn (published in error): marked, without links, and followed by nothing.
    releases = _record(ocid)["releases"]
    withdraw(
        store,
        publisher,
        {"ocid": ocid, "releaseId": releases[1]["id"], "reason": "Published in error"},
        CLI,
    )
    html = client.get(f"/publish/processes/{ocid}").content.decode()
    assert "Withdrawn" in html
    assert quote(releases[1]["id"], safe="") + "/correct" not in html
    assert quote(releases[0]["id"], safe="") + "/correct" in html


def test_a_contract_changed_then_terminated(publisher, store):
    client = signed_in()
    ocid = _tender_published(client)
    _publish_next(client, ocid, "UK6", _award_answers())
    _publish_next(client, ocid, "UK7", _details_answers())
    new_end = _today() + timedelta(days=5 * 365)
    _publish_next(
        client,
        ocid,
        "UK10",
        {
            "change": {"change": "Two more parks are added to the contract."},
            "new_value": {"new_value": "1400000"},
            "new_end": _day("new_end", new_end),
        },
    )
    _publish_next(
        client,
        ocid,
        "UK11",
        {
            "reason": {"reason": "Ended by agreement with the supplier."},
            "ended": _day("ended", _today()),  # it has ended: notice.date rules
            "final_value": {"final_value": "300000"},
        },
    )
    record = _record(ocid)
    assert [r["tag"] for r in record["releases"]][3:] == [
        ["contractAmendment"],
        ["contractTermination"],
    ]
    (contract,) = record["compiledRelease"]["contracts"]
    assert contract["status"] == "terminated"
    assert contract["value"] == {"amount": 300000, "currency": "GBP"}
    assert contract["amendments"][0]["description"] == "Two more parks are added to the contract."
    codes = [d["noticeType"] for d in contract["documents"]]
    assert codes == ["UK7", "UK10", "UK11"]


def test_the_notices_that_may_follow():
    def codes(*published: str) -> list[str]:
        return [form.code for form in may_follow(frozenset(published))]

    assert codes() == []
    assert codes("UK4") == ["UK6", "UK7", "UK12", "UK5"]
    assert codes("UK4", "UK6") == ["UK6", "UK7", "UK10", "UK11", "UK12", "UK9", "UK5"]
    # Notices that may also start a procurement follow the planning notices in theirs.
    assert codes("UK3") == ["UK4", "UK2", "UK5"]
    assert codes("UK1") == ["UK4", "UK2", "UK3", "UK5"]
    assert codes("F02") == []  # earlier legislation's notices are followed by its own forms


def test_a_new_notice_is_only_one_that_starts_a_procurement(publisher):
    client = signed_in()
    html = client.get("/publish/notices/new").content.decode()
    assert 'value="UK4"' in html and 'value="UK6"' not in html
    answer = send(client, "/publish/notices/new", {"code": "UK6"})
    assert answer.status_code == 400 and "Select the notice you want to publish" in (
        answer.content.decode()
    )


@pytest.fixture
def theirs(store) -> str:
    """A procurement of another organisation, published through the publish API."""
    other = create_publisher(store, OTHER_BUYER)
    ocid = publishers.mint_ocid(store, other, CLI)
    release = tender(ocid)
    release["buyer"] = dict(OTHER_BUYER)
    release["parties"] = [{**OTHER_BUYER, "roles": ["buyer"]}]
    publish(store, other, release, CLI)
    return ocid


def test_another_organisations_procurement_is_refused(publisher, store, theirs):
    client = signed_in()
    answer = client.get(f"/publish/processes/{theirs}")
    html = answer.content.decode()
    assert answer.status_code == 403 and "This procurement is not your organisation" in html
    assert "govuk-heading-l" in html and "Grounds maintenance" not in html
    token = _token(client.get("/publish"))
    chosen = client.post(
        f"/publish/processes/{theirs}", {"code": "UK6", "csrfmiddlewaretoken": token}
    )
    assert chosen.status_code == 403 and "openbook_draft" not in client.session
    assert client.get("/publish/processes/ocds-nothing-here").status_code == 404
    assert client.get("/publish/processes/" + "x" * 400).status_code == 404


@pytest.mark.parametrize("code", ["UK6", "UK4"])
def test_a_draft_for_another_organisations_procurement_is_refused_at_the_check(
    publisher, store, theirs, code
):
    """The session is the server's, so no draft can name another organisation's procurement;
    the check page and the publish use case check anyway, and say so in the error summary."""
    client = signed_in()
    answers = {"title": "Taken over", "description": "x", "category": "goods", "cpv": "77314000"}
    answers |= {"value": 1000, "procedure": "open", "deadline": "2030-01-01T12:00:00+00:00"}
    answers |= {"sme": "yes", "vcse": "no"}
    if code == "UK6":
        answers = {
            "supplier_name": "Green Spaces Ltd",
            "supplier_id": "GB-COH-01234567",
            "supplier_sme": "yes",
            "supplier_vcse": "no",
            "value": 1000,
            "award_date": "2026-01-05",
        }
    session = client.session
    session["openbook_draft"] = {"code": code, "answers": answers, "ocid": theirs}
    session.save()
    before = log.log_size(store)
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert check.status_code in (200, 403), html[:3000]
    assert 'class="govuk-error-summary"' in html and "Traceback" not in html
    assert "another organisation" in html or "not your organisation" in html
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(client.get("/publish"))})
    assert answer.status_code == 403 and 'class="govuk-error-summary"' in answer.content.decode()
    assert log.log_size(store) == before


@pytest.mark.parametrize(
    ("question", "values", "says"),
    [
        ("supplier_id", {"supplier_id": ""}, "Enter the supplier&#39;s identifier"),
        ("supplier_id", {"supplier_id": "   "}, "Enter the supplier&#39;s identifier"),
        ("supplier_id", {"supplier_id": "ACME"}, "is not an organisation identifier"),
        ("supplier_id", {"supplier_id": "GB-COH-123456789"}, "is not a GB-COH id"),
        ("supplier_id", {"supplier_id": "GB-VAT-123456789"}, "check digits"),
        ("supplier_id", {"supplier_id": "GB-COH-N/A"}, "stands in for an id"),
        ("supplier_id", {"supplier_id": "GB-COH-" + "1" * 200}, "no more than 100 characters"),
        ("supplier_id", {"supplier_id": "GB-COH-0123\x004567"}, "without control characters"),
        ("supplier_id", {"supplier_id": "GB-COH-0123\x1b4567"}, "without control characters"),
        ("supplier_id", {"supplier_id": "GB-COH-0123\n4567"}, "without control characters"),
        ("supplier_id", {"supplier_id": "<script>alert(1)</script>"}, "not an organisation"),
        ("supplier_id", {"supplier_id": "XX-<B>-1"}, "letters and digits"),
        ("supplier_id", {"supplier_id": "XX-FOO-../../etc/passwd"}, "letters and digits"),
        ("supplier_id", {"supplier_id": "GB-COH-0123\ufffd4567"}, "is not a GB-COH id"),
        ("supplier_name", {"supplier_name": ""}, "Enter the name of the supplier"),
        ("supplier_name", {"supplier_name": "x" * 301}, "no more than 300 characters"),
        ("supplier_sme", {"supplier_sme": "<script>"}, "Select yes if the supplier is an SME"),
        ("value", {"value": "-5"}, "using numbers only"),
        ("award_date", {"award_date-day": "30", "award_date-month": "2"}, "must include a year"),
    ],
)
def test_a_wrong_award_answer_gets_the_error_summary_and_message(
    publisher, store, question, values, says
):
    client = signed_in()
    ocid = _tender_published(client)
    _start(client, ocid, "UK6")
    before = log.log_size(store)
    answer = send(client, f"{DRAFT}/{question}", values)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html, html[:5000]
    assert 'class="govuk-error-message"' in html
    assert "<script>alert" not in html and "<B>" not in html
    assert question not in client.session["openbook_draft"]["answers"]
    assert log.log_size(store) == before


def test_answers_out_of_order_are_shown_against_their_question(publisher, store):
    client = signed_in()
    ocid = _tender_published(client)
    _start(client, ocid, "UK6")
    answers = _award_answers()
    answers["standstill_end"] = _day("standstill_end", _today() - timedelta(days=5))
    _answer(client, answers)
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert "The standstill period must end after the decision to award" in html
    assert f'href="{DRAFT}/standstill_end?change=1"' in html
    before = log.log_size(store)
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422 and log.log_size(store) == before


def test_the_procurements_page_in_welsh_and_as_json(publisher):
    client = signed_in()
    ocid = _tender_published(client)
    welsh = client.get(f"/publish/processes/{ocid}?lang=cy")
    assert welsh.status_code == 200 and '<html lang="cy"' in welsh.content.decode()
    twin = orjson.loads(client.get(f"/publish/processes/{ocid}?format=json").content)
    assert [notice["noticeType"] for notice in twin["notices"]] == ["UK4"]
    assert [form["code"] for form in twin["next"]] == ["UK6", "UK7", "UK12", "UK5"]
    assert twin["notices"][0]["withdrawn"] is False


def test_the_new_pages_are_valid_html_with_unique_ids(publisher, store, tmp_path):
    """The pages only a signed-in publisher sees, which tests/pages/addresses.py cannot list:
    the procurement's page (with a notice withdrawn and a choice missing), a question of each
    new kind with its error, and check your answers."""
    client = signed_in()
    ocid = _tender_published(client)
    pages = {"procurement": client.get(f"/publish/processes/{ocid}").content}
    pages["no choice"] = send(client, f"/publish/processes/{ocid}", {}).content
    _start(client, ocid, "UK6")
    pages["identifier"] = client.get(f"{DRAFT}/supplier_id").content
    pages["identifier wrong"] = send(client, f"{DRAFT}/supplier_id", {"supplier_id": "x"}).content
    _answer(client, _award_answers())
    pages["check"] = client.get(f"{DRAFT}/check").content
    pages["refused"] = client.get("/publish/processes/ocds-none-such").content
    for name, html in pages.items():
        ids = re.findall(r'\sid="([^"]+)"', html.decode())
        assert len(ids) == len(set(ids)), name
    assert validate_html(pages, tmp_path) == []


def _correct(client: Client, ocid: str, release_id: str, changes: dict[str, dict]) -> None:
    """Correct a published notice through its correct page: its answers read back, ``changes``
    made on their question pages, then published from the check page."""
    address = f"/publish/processes/{ocid}/notices/{quote(release_id, safe='')}/correct"
    started = send(client, address, {})
    assert started.status_code == 302, started.content[:3000]
    for name, values in changes.items():
        assert (
            send(client, f"{DRAFT}/{name}?change=1", {**values, "change": "1"}).status_code == 302
        )
    check = client.get(f"{DRAFT}/check")
    assert check.status_code == 200, _summary(check.content.decode())
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, _summary(answer.content.decode())


def test_a_corrected_award_or_contract_is_changed_not_added(publisher, store):
    """A correction of a contract award notice (UK6) or contract details notice (UK7) changes
    the award or contract it wrote: the forms number a new one after those the procurement
    has, the corrected one among them, and a correction must not add a second."""
    client = signed_in()
    ocid = _tender_published(client)
    _publish_next(client, ocid, "UK6", _award_answers())
    _publish_next(client, ocid, "UK7", _details_answers())
    award_id, details_id = [r["id"] for r in _record(ocid)["releases"][1:]]
    _correct(client, ocid, award_id, {"value": {"value": "£1,300,000"}})
    _correct(client, ocid, details_id, {"value": {"value": "1300000"}})
    compiled = _record(ocid)["compiledRelease"]
    (award,) = compiled["awards"]
    assert award["value"]["amount"] == 1300000
    (contract,) = compiled["contracts"]
    assert contract["value"]["amount"] == 1300000 and contract["awardID"] == award["id"]
    assert [a["amendsReleaseID"] for a in award["amendments"]] == [award_id]
    assert [a["amendsReleaseID"] for a in contract["amendments"]] == [details_id]
