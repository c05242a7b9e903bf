"""The dynamic market notices (UK13 to UK16) and the payments compliance notice (UK17) through the
publisher's question pages (issue 8, item 2): a dynamic market from its intention notice to its
cessation and a payments compliance notice, each published end to end and read back through the
read API and the commercial tools register, each form's release accepted unchanged by the
publish API, and every wrong answer refused with the GOV.UK error summary, storing nothing."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.test import Client

from openbook.publishing import notice_forms
from openbook.publishing.notice_forms import Context
from openbook.publishing.notice_forms.compliance import period_start
from openbook.publishing.notice_forms.corrections import as_correction
from openbook.publishing.notice_forms.dynamic_markets import DYNAMIC_MARKET_FORMS
from openbook.publishing.notice_forms.members import member_list
from openbook.publishing.notice_forms.questions import notice_document
from openbook.store import log
from tests.pages.test_publisher import _token, publisher, send, signed_in
from tests.publishing import BUYER, OTHER_BUYER, create_key, post

__all__ = ["publisher"]  # the fixture, imported from the tender notice's tests

LONDON = ZoneInfo("Europe/London")
DRAFT = "/publish/notices/draft"
FORMS = notice_forms.FORMS


def _today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


def _day(name: str, day: date) -> dict:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _period_end(today: date, later: bool = False) -> date:
    """The last day of the newest reporting period that has ended (or, ``later``, of the next
    one): 31 March or 30 September."""
    years = range(2026, today.year + 2)
    ends = sorted([*(date(year, 3, 31) for year in years), *(date(year, 9, 30) for year in years)])
    if later:
        return next(end for end in ends if end > today)
    ended = [end for end in ends if end <= today]
    if not ended:
        pytest.skip("no reporting period has ended yet")
    return ended[-1]


def _answers(code: str) -> dict[str, dict]:
    """Every form's answers, in the order its pages ask them."""
    today = _today()
    return {
        "UK13": {
            "title": {"title": "Home care services in the borough"},
            "description": {"description": "Care at home for adults, in three parts by area."},
            "cpv": {"cpv": "85312000"},
            "conditions": {"conditions": "Registered with the Care Quality Commission."},
            "how": {"how": "Apply through the council's supplier portal."},
            "others": {"others": "yes"},
            "market_start": _day("market_start", today + timedelta(days=30)),
            "market_end": _day("market_end", today + timedelta(days=4 * 365)),
            "value": {"value": "£40,000,000"},
        },
        "UK14": {
            "established": _day("established", today - timedelta(days=2)),
            "members": {
                "members": "Green Spaces Ltd, gb-coh-1234567\r\n"
                "Smith, Jones & Partners, GB-CHC-1123456\r\n"
            },
        },
        "UK15": {
            "change": {"change": "A fourth part, for night care, is added."},
            "admitted": {"admitted": "Night Owls Care CIC, GB-COH-07654321"},
            "removed": {"removed": "Green Spaces Ltd, GB-COH-01234567"},
            "new_end": _day("new_end", today + timedelta(days=5 * 365)),
        },
        "UK16": {
            "ceased": _day("ceased", today),
            "reason": {"reason": "Its contracts are now awarded under a new framework."},
        },
        "UK17": {
            "period_end": _day("period_end", _period_end(today)),
            "average_days": {"average_days": "18.5"},
            "within_30": {"within_30": "92.5%"},
            "within_60": {"within_60": "6"},
            "after_60": {"after_60": " 1.5 "},
            "not_paid": {"not_paid": "3"},
            "approver": {"approver": " Jane Smith ,Director of Finance"},
        },
    }[code]


def _answer(client: Client, code: str, answers: dict[str, dict]) -> None:
    names = [question.name for question in FORMS[code].questions]
    assert names == list(answers)
    for name in names:
        answer = send(client, f"{DRAFT}/{name}", answers[name])
        assert answer.status_code == 302, (name, answer.content[:3000])
    assert answer["Location"] == f"{DRAFT}/check"


def _publish(client: Client, store) -> str:
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert check.status_code == 200, html[:3000]
    assert "govuk-error-summary" not in html, _summary(html)
    before = log.log_size(store)
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, _summary(answer.content.decode())
    assert log.log_size(store) == before + 1
    return answer["Location"].split("ocid=")[1]


def _summary(html: str) -> str:
    found = html[html.find('class="govuk-error-summary"') :]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found[: found.find("</ul>")]))


def _start(client: Client, code: str) -> None:
    answer = send(client, "/publish/notices/new", {"code": code})
    assert answer.status_code == 302, answer.content[:2000]
    assert answer["Location"] == f"{DRAFT}/{FORMS[code].questions[0].name}"


def _next(client: Client, ocid: str, code: str) -> None:
    """Choose ``code`` on the procurement's own page."""
    answer = send(client, f"/publish/processes/{ocid}", {"code": code})
    assert answer.status_code == 302, answer.content[:2000]


def _offered(client: Client, ocid: str) -> list[str]:
    html = client.get(f"/publish/processes/{ocid}").content.decode()
    return re.findall(r'name="code" type="radio" value="([^"]+)"', html)


def _record(ocid: str) -> dict:
    answer = Client().get(f"/api/ocds/records/{ocid}")
    assert answer.status_code == 200
    return orjson.loads(answer.content)["records"][0]


def _refused_at_check(client: Client, store, says: str, question: str) -> None:
    """The check page shows the problem against its question; publishing stores nothing."""
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html, _summary(html)
    assert f'href="{DRAFT}/{question}?change=1"' in html
    before = log.log_size(store)
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422 and log.log_size(store) == before


def test_the_new_notices_start_where_they_belong(publisher):
    """UK13 starts a procurement and UK17 is the authority's: both from the list of notices;
    UK14 to UK16 only from a procurement's page, after the notices they follow."""
    client = signed_in()
    offered = re.findall(
        r'name="code" type="radio" value="([^"]+)"',
        client.get("/publish/notices/new").content.decode(),
    )
    assert "UK13" in offered and "UK17" in offered
    assert not {"UK14", "UK15", "UK16"} & set(offered)
    answer = send(client, "/publish/notices/new", {"code": "UK14"})
    assert answer.status_code == 400


def test_a_dynamic_market_from_intention_to_cessation(publisher, store):
    client = signed_in()
    _start(client, "UK13")
    _answer(client, "UK13", _answers("UK13"))
    ocid = _publish(client, store)
    offered = _offered(client, ocid)
    assert "UK14" in offered and not {"UK15", "UK16"} & set(offered)

    _next(client, ocid, "UK14")
    _answer(client, "UK14", _answers("UK14"))
    check = client.get(f"{DRAFT}/check").content.decode()
    # A supplier a line, as they were typed (they ran together on one line).
    assert (
        "Green Spaces Ltd, GB-COH-01234567<br>Smith, Jones &amp; Partners, GB-CHC-1123456" in check
    )
    assert _publish(client, store) == ocid
    assert {"UK15", "UK16"} <= set(_offered(client, ocid))
    tool = orjson.loads(Client().get(f"/api/registers/commercial-tools/{ocid}").content)
    assert tool["kind"] == "dynamic-market"
    members = {m["identifier"]: m["state"] for m in tool["members"]}
    assert members == {"GB-COH-01234567": "active", "GB-CHC-1123456": "active"}

    # Removing a supplier that never joined is refused against its question.
    _next(client, ocid, "UK15")
    wrong = {**_answers("UK15"), "removed": {"removed": "Stranger Ltd, GB-COH-09999999"}}
    _answer(client, "UK15", wrong)
    _refused_at_check(client, store, "is not a member of this dynamic market", "removed")
    # Joining and leaving in one notice too.
    both = {"removed": "Night Owls Care CIC, GB-COH-07654321"}
    assert send(client, f"{DRAFT}/removed?change=1", {**both, "change": "1"}).status_code == 302
    _refused_at_check(client, store, "cannot join and leave in one notice", "removed")
    _answer(client, "UK15", _answers("UK15"))
    assert _publish(client, store) == ocid

    # A market cannot cease before it was established.
    _next(client, ocid, "UK16")
    early = {**_answers("UK16"), "ceased": _day("ceased", _today() - timedelta(days=30))}
    _answer(client, "UK16", early)
    _refused_at_check(client, store, "must cease on or after the day it was established", "ceased")
    _answer(client, "UK16", _answers("UK16"))
    assert _publish(client, store) == ocid

    record = _record(ocid)
    tags = [release["tag"] for release in record["releases"]]
    assert tags[:2] == [["tender"], ["tenderUpdate", "award"]]
    assert tags[2:] == [["tenderUpdate", "awardUpdate"], ["tenderUpdate"]]
    compiled = record["compiledRelease"]
    tender = compiled["tender"]
    assert tender["title"] == "Home care services in the borough"
    assert tender["eligibilityCriteria"] == "Registered with the Care Quality Commission."
    assert tender["techniques"] == {
        "hasDynamicPurchasingSystem": True,
        "dynamicPurchasingSystem": {"status": "terminated", "type": "open"},
    }
    assert tender["status"] == "complete"
    assert tender["finalStatusDate"].startswith(_today().isoformat())
    assert tender["contractPeriod"]["endDate"].startswith(_today().isoformat())
    assert tender["amendments"][0]["description"] == "A fourth part, for night care, is added."
    codes = [(d["noticeType"], d.get("documentType")) for d in tender["documents"]]
    assert codes == [
        ("UK13", "tenderNotice"),
        ("UK14", "awardNotice"),
        ("UK15", "awardNotice"),
        ("UK16", None),
    ]
    assert tender["documents"][-1]["description"].startswith("Its contracts are now awarded")
    states = {award["id"]: award["status"] for award in compiled["awards"]}
    assert states == {
        "member-GB-COH-01234567": "cancelled",
        "member-GB-CHC-1123456": "active",
        "member-GB-COH-07654321": "active",
    }
    charity = next(p for p in compiled["parties"] if p["id"] == "GB-CHC-1123456")
    assert charity["identifier"] == {
        "scheme": "GB-CHC",
        "id": "1123456",
        "legalName": "Smith, Jones & Partners",
    }
    tool = orjson.loads(Client().get(f"/api/registers/commercial-tools/{ocid}").content)
    members = {m["identifier"]: m["state"] for m in tool["members"]}
    assert members == {
        "GB-COH-01234567": "ended",
        "GB-CHC-1123456": "active",
        "GB-COH-07654321": "active",
    }


def test_a_payments_compliance_notice_published_through_the_pages(publisher, store):
    client = signed_in()
    _start(client, "UK17")
    _answer(client, "UK17", _answers("UK17"))
    check = client.get(f"{DRAFT}/check").content.decode()
    assert "92.5" in check and "Director of Finance" in check
    ocid = _publish(client, store)
    record = _record(ocid)
    assert [release["tag"] for release in record["releases"]] == [["implementation"]]
    compiled = record["compiledRelease"]
    assert compiled["buyer"] == BUYER
    end = _period_end(_today())
    figures = {s["measure"]: s["value"] for s in compiled["statistics"]}
    assert figures == {
        "averageDaysToPay": 18.5,
        "paidWithin30Days": 0.925,
        "paidIn31To60Days": 0.06,
        "paidOnOrAfterDay61": 0.015,
        "payableNotPaidInPeriod": 0.03,
    }
    assert {s["date"][:10] for s in compiled["statistics"]} == {end.isoformat()}
    start = period_start(end)
    assert compiled["tender"]["title"] == (
        f"Payments compliance notice: {start.day} {start:%B %Y} to {end.day} {end:%B %Y}"
    )
    [document] = compiled["tender"]["documents"]
    assert document["noticeType"] == "UK17" and "documentType" not in document
    assert document["author"] == "Jane Smith, Director of Finance"
    assert "reg. 38(2)(e)" in document["description"]
    # It is the authority's, not a planned procurement.
    pipeline = orjson.loads(Client().get("/api/registers/pipeline").content)
    assert ocid not in [item["ocid"] for item in pipeline["page"]]


def test_the_reporting_periods_of_section_69():
    assert period_start(date(2026, 3, 31)) == date(2026, 1, 1)  # the first: from commencement
    assert period_start(date(2026, 9, 30)) == date(2026, 4, 1)
    assert period_start(date(2027, 3, 31)) == date(2026, 10, 1)


def test_suppliers_are_read_one_a_line_and_written_as_their_registers_write_them():
    question = FORMS["UK14"].question("members")
    assert question is not None
    answer = notice_forms.read_answer(
        question, {"members": " A, B and C Ltd ,  gb-coh-sc 12345 \r\n\r\nD Ltd, GB-COH-1\r"}
    )
    assert answer == "A, B and C Ltd, GB-COH-SC012345\nD Ltd, GB-COH-00000001"
    assert member_list(answer) == [
        ("A, B and C Ltd", "GB-COH-SC012345"),
        ("D Ltd", "GB-COH-00000001"),
    ]
    assert notice_forms.read_answer(question, {"members": "  "}) is None  # optional


def _built(code: str, context: Context) -> dict:
    form = FORMS[code]
    answers = {q.name: notice_forms.read_answer(q, _answers(code)[q.name]) for q in form.questions}
    return form.build(context, answers)


def test_each_forms_release_passes_the_publish_api_unchanged(publisher, store):
    """The releases the forms build, sent to the publish API as they are: a dynamic market's
    four notices in turn (each built for the market as published so far), and a payments
    compliance notice."""
    key = create_key(store, publisher)
    for codes in (["UK13", "UK14", "UK15", "UK16"], ["UK17"]):
        ocid = orjson.loads(post(Client(), "/api/publish/ocids", {}, key).content)["ocid"]
        compiled = None
        for code in codes:
            context = Context(ocid, BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
            release = _built(code, context)
            answer = post(Client(), "/api/publish/validate", release, key)
            assert answer.status_code == 200, answer.content[:3000]
            assert orjson.loads(answer.content)["problems"] == [], code
            assert post(Client(), "/api/publish/releases", release, key).status_code == 201
            compiled = _record(ocid)["compiledRelease"]


def test_a_payments_compliance_notice_for_another_authority_is_refused(publisher, store):
    key = create_key(store, publisher)
    ocid = orjson.loads(post(Client(), "/api/publish/ocids", {}, key).content)["ocid"]
    release = _built("UK17", Context(ocid, BUYER["id"], BUYER["name"], datetime.now(UTC)))
    release["buyer"] = dict(OTHER_BUYER)
    release["parties"] = [{**OTHER_BUYER, "roles": ["buyer"]}]
    answer = post(Client(), "/api/publish/releases", release, key)
    assert answer.status_code == 403
    assert "payments compliance notice belongs to the authority" in answer.content.decode()


def _draft(client: Client, code: str) -> None:
    """A draft of ``code``: from the list of notices, or (a notice that follows others) as a
    procurement's page starts it; its questions do not read the procurement."""
    if FORMS[code].level != notice_forms.PROCESS:
        _start(client, code)
        return
    session = client.session
    session["openbook_draft"] = {"code": code, "answers": {}, "ocid": "ocds-x", "bound": True}
    session.save()


# Wrong answers: (notice, question, what is sent, what the error message says).
WRONG = [
    # Missing.
    ("UK13", "title", {"title": "  "}, "Enter the name of the dynamic market"),
    ("UK13", "conditions", {}, "Enter the conditions for membership"),
    ("UK13", "others", {"others": ""}, "Select yes if other contracting authorities"),
    ("UK14", "established", {}, "Enter the date the dynamic market was established"),
    ("UK15", "change", {"change": "\r\n"}, "Describe what has changed in the dynamic market"),
    ("UK16", "reason", {}, "Enter why the dynamic market has ceased"),
    ("UK17", "period_end", {}, "Enter the last day of the reporting period"),
    ("UK17", "within_30", {"within_30": " "}, "Enter the percentage of payments made within"),
    ("UK17", "approver", {}, "Enter the name and job title of the person who approved"),
    ("UK17", "approver", {"approver": "Jane Smith"}, "a comma, then their job title"),
    ("UK17", "approver", {"approver": ", Director of Finance"}, "a comma, then their job"),
    # Malformed.
    ("UK14", "members", {"members": "Green Spaces Ltd"}, "its name, a comma, then its"),
    ("UK14", "members", {"members": ", GB-COH-01234567"}, "its name, a comma, then its"),
    ("UK14", "members", {"members": "Acme, ACME"}, "The identifier of Acme cannot be used"),
    ("UK15", "admitted", {"admitted": "A, GB-COH-123456789"}, "is 8 characters"),
    ("UK15", "removed", {"removed": "A, GB-VAT-217967236"}, "check digits"),
    (
        "UK14",
        "members",
        {"members": "A, GB-COH-01234567\nB, gb-coh-1234567"},
        "GB-COH-01234567 is named more than once",
    ),
    ("UK17", "period_end", _day("period_end", date(2026, 6, 30)), "31 March or 30 September"),
    ("UK17", "period_end", _day("period_end", date(2025, 9, 30)), "ended on 31 March 2026"),
    ("UK17", "period_end", {"period_end-day": "31", "period_end-month": "9"}, "a year"),
    ("UK17", "within_30", {"within_30": "ninety"}, "as a number, such as 92 or 92.5"),
    ("UK17", "within_30", {"within_30": "-5"}, "as a number, such as 92 or 92.5"),
    ("UK17", "within_30", {"within_30": "100.5"}, "between 0 and 100"),
    ("UK17", "not_paid", {"not_paid": "3.456"}, "as a number, such as 92 or 92.5"),
    ("UK17", "average_days", {"average_days": "about 20"}, "such as 18 or 18.5"),
    ("UK17", "average_days", {"average_days": "1e3"}, "such as 18 or 18.5"),
    ("UK13", "cpv", {"cpv": "8531200"}, "8 digits"),
    (
        "UK16",
        "ceased",
        {"ceased-day": "31", "ceased-month": "2", "ceased-year": "2027"},
        "must be a real date",
    ),
    # Oversized.
    ("UK17", "average_days", {"average_days": "1001"}, "no more than 1,000 days"),
    ("UK17", "average_days", {"average_days": "9" * 400}, "such as 18 or 18.5"),
    ("UK17", "approver", {"approver": "J, " + "J" * 301}, "no more than 300 characters"),
    ("UK14", "members", {"members": f"{'L' * 301}, GB-COH-01234567"}, "no more than 300"),
    (
        "UK14",
        "members",
        {"members": "\n".join(f"S{n}, GB-COH-{n:08d}" for n in range(1, 202))},
        "no more than 200 suppliers",
    ),
    ("UK15", "change", {"change": "x" * 10_001}, "no more than 10,000 characters"),
    # Wrongly encoded.
    ("UK14", "members", {"members": "Green\x00 Ltd, GB-COH-01234567"}, "without control"),
    ("UK13", "title", {"title": "Care\x1b[31m"}, "without control characters"),
    ("UK17", "approver", {"approver": "Jane,\nDirector"}, "or line breaks"),
    # Hostile.
    (
        "UK14",
        "members",
        {"members": "<script>alert(1)</script>, <script>alert(1)</script>"},
        "is not an organisation identifier",
    ),
    ("UK15", "removed", {"removed": "X, XX-FOO-../../etc/passwd"}, "letters and digits"),
    ("UK13", "others", {"others": "<b>maybe</b>"}, "Select yes if other contracting"),
    ("UK17", "within_30", {"within_30": "50; DROP TABLE log"}, "as a number, such as 92"),
]


@pytest.mark.usefixtures("publisher")
def test_a_wrong_answer_gets_the_error_summary_and_stores_nothing(store):
    """Every answer of ``WRONG``, each to its own new draft, by one signed-in publisher (one
    database for all: the questions read only the draft)."""
    client = signed_in()
    before = log.log_size(store)
    for code, question, values, says in WRONG:
        case = (code, question, says)
        _draft(client, code)
        answer = send(client, f"{DRAFT}/{question}", values)
        html = answer.content.decode()
        assert answer.status_code == 400, (case, html[:3000])
        assert 'class="govuk-error-summary"' in html and says in html, (case, _summary(html))
        assert 'class="govuk-error-message"' in html, case
        assert "<script>alert" not in html and "<b>maybe" not in html, case
        assert question not in client.session["openbook_draft"]["answers"], case
        # The answer was not kept: the check page sends the publisher back to a question.
        assert client.get(f"{DRAFT}/check").status_code == 302, case
    assert log.log_size(store) == before


@pytest.mark.usefixtures("publisher")
def test_answers_that_do_not_fit_together_are_shown_on_the_check_page(store):
    client = signed_in()
    for code, question, values, says in [
        (
            "UK13",
            "market_end",
            _day("market_end", date(2020, 1, 1)),
            "The dynamic market must end after it is established",
        ),
        ("UK17", "after_60", {"after_60": "5"}, "must add up to 100"),
        (
            "UK17",
            "period_end",
            _day("period_end", _period_end(_today(), later=True)),
            "The reporting period must have ended",
        ),
    ]:
        _start(client, code)
        _answer(client, code, {**_answers(code), question: values})
        _refused_at_check(client, store, says, question)


@pytest.mark.parametrize("form", [*DYNAMIC_MARKET_FORMS, FORMS["UK17"]])
def test_every_question_places_its_answer_in_the_release(form):
    """Each question names where its answer goes, so a problem the publish checks find there
    is shown against it (or against a question sharing that place)."""
    compiled = {"tender": {"id": "1", "title": "Home care"}, "awards": []}
    context = Context("ocds-b5fd17-1", BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    release = _built(form.code, context)
    for question in form.questions:
        assert question.pointers, question.name
        found = form.question_at(question.pointers[0])
        assert found is not None and question.pointers[0] in found.pointers
        assert _at(release, question.pointers[0]) is not None, (form.code, question.name)


def _at(document, pointer: str):
    found = document
    for token in pointer.split("/")[1:]:
        found = found[int(token)] if isinstance(found, list) else found.get(token)
    return found


def test_a_corrected_members_list_keeps_each_members_award():
    """A member's award is named by its identifier: a correction of a members list keeps those
    names (it does not take the corrected notice's award ids by position, as it does for the
    awards and contracts a form numbers)."""
    compiled = {"tender": {"id": "1", "title": "Home care"}}
    context = Context("ocds-b5fd17-1", BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    form = FORMS["UK14"]
    answers = {"established": _today()}
    first = form.build(context, {**answers, "members": "A Ltd, GB-COH-00000001\nB Ltd, GB-COH-2"})
    again = form.build(context, {**answers, "members": "A Ltd, GB-COH-00000001\nC Ltd, GB-COH-3"})
    corrected = as_correction(again, first["id"], context, original=first)
    assert [award["id"] for award in corrected["awards"]] == [
        "member-GB-COH-00000001",
        "member-GB-COH-00000003",
    ]
    assert corrected["awards"][1]["suppliers"] == [{"id": "GB-COH-00000003", "name": "C Ltd"}]


def test_two_modifications_keep_both_notices(publisher, store):
    """A dynamic market modified twice: both modification notices (UK15) stay in the compiled
    release, each its own document, as contract changes (UK10) and the 2015 modification
    notices (F20) do: a recurring notice's document has its moment in its id."""
    key = create_key(store, publisher)
    ocid = orjson.loads(post(Client(), "/api/publish/ocids", {}, key).content)["ocid"]
    compiled = None
    second = {
        "change": {"change": "A fifth part, for weekend care, is added."},
        "admitted": {"admitted": "Weekend Care Ltd, GB-COH-07654322"},
        "removed": {"removed": "Smith, Jones & Partners, GB-CHC-1123456"},
        "new_end": _answers("UK15")["new_end"],
    }
    moments = [datetime(2026, 1, 5, 10, 0, second, tzinfo=UTC) for second in range(4)]
    for code, now, given in zip(
        ["UK13", "UK14", "UK15", "UK15"], moments, [None, None, None, second], strict=True
    ):
        context = Context(ocid, BUYER["id"], BUYER["name"], now, compiled)
        form = FORMS[code]
        answers = given or _answers(code)
        read = {q.name: notice_forms.read_answer(q, answers[q.name]) for q in form.questions}
        answer = post(Client(), "/api/publish/releases", form.build(context, read), key)
        assert answer.status_code == 201, answer.content[:3000]
        compiled = _record(ocid)["compiledRelease"]
    documents = [d for d in compiled["tender"]["documents"] if d["noticeType"] == "UK15"]
    assert [d["id"] for d in documents] == [
        "UK15-notice-20260105T100002Z",
        "UK15-notice-20260105T100003Z",
    ]
    assert len(compiled["tender"]["amendments"]) == 2


def test_only_a_recurring_notice_has_its_moment_in_its_document_id():
    now = datetime(2026, 1, 5, 10, 0, 0, 250000, tzinfo=UTC)
    context = Context("ocds-x", BUYER["id"], BUYER["name"], now, None)
    assert notice_document("UK4", context)["id"] == "UK4-notice"
    recurring = notice_document("UK10", context, recurring=True)
    assert recurring["id"] == "UK10-notice-20260105T100000.250000Z"
