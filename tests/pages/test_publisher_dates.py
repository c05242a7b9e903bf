"""Dates through the publisher pages (helper H): check your answers writes every date and
date-time as the rest of the service does, in English and Welsh; and a notice cannot say that
what it reports happened after it (the notice.date rules, docs/notices.md), on the question's
own page and, through the publish checks, on check your answers against the question."""

from datetime import date, datetime, timedelta

import pytest

from openbook.publishing import notice_forms
from openbook.publishing.notice_forms.questions import DATE, DATETIME, LONDON, Question
from openbook.store import log
from openbook.web.pages import i18n
from openbook.web.pages.publisher.notices import shown_lines
from tests.pages.test_publisher import _answer_all, _deadline, publisher, send, signed_in
from tests.pages.test_publisher_notices import (
    DRAFT,
    _award_answers,
    _day,
    _details_answers,
    _publish_next,
    _record,
    _start,
    _summary,
    _tender_published,
    _today,
)

__all__ = ["publisher"]  # the fixture, shared with the publisher pages' tests


def _dated_questions() -> list[tuple[str, Question]]:
    """Every date and date-time question of every form, with its form's code (those of a
    thing added one at a time too)."""
    found = []
    for code, form in notice_forms.FORMS.items():
        for question in form.questions:
            parts = question.repeating.fields if question.repeating is not None else ()
            found += [(code, q) for q in (question, *parts) if q.kind in (DATE, DATETIME)]
    return found


@pytest.mark.parametrize(
    ("code", "question"), _dated_questions(), ids=lambda v: getattr(v, "name", v)
)
@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [
        ("en", "29 January 2027", "29 January 2027 at 5pm"),
        ("cy", "29 Ionawr 2027", "29 Ionawr 2027 am 5pm"),
    ],
)
def test_every_date_question_is_shown_as_the_service_writes_dates(
    code, question, language, day, moment
):
    value: date = date(2027, 1, 29)
    if question.kind == DATETIME:
        value = datetime(2027, 1, 29, 17, 0, tzinfo=LONDON)
    token = i18n.use(language)
    try:
        assert shown_lines(question, value) == [moment if question.kind == DATETIME else day]
    finally:
        i18n.reset(token)


def test_a_summer_time_answer_is_shown_in_uk_time():
    question = Question("deadline", DATETIME, "When is the deadline for tenders?")
    kept = notice_forms.restored(question, "2027-07-01T16:30:00+00:00")  # 5:30pm in the UK
    assert shown_lines(question, kept) == ["1 July 2027 at 5:30pm"]


def test_check_your_answers_writes_the_tender_notices_dates_in_english_and_welsh(publisher):
    client = signed_in()
    _answer_all(client)  # a deadline at 12pm in 40 days; the contract from 1 June next year
    deadline = _deadline(40).date()
    year = _deadline(60).year + 1
    html = client.get(f"{DRAFT}/check").content.decode()
    assert f"{deadline.day} {deadline:%B %Y} at 12pm" in html
    assert f"1 June {year}" in html and f"31 May {year + 3}" in html
    assert f"{year}-06-01" not in html and "T12:00" not in html and ":00+" not in html
    welsh = client.get(f"{DRAFT}/check?lang=cy").content.decode()
    assert f"1 Mehefin {year}" in welsh and f"31 Mai {year + 3}" in welsh
    assert " am 12pm" in welsh and f"{year}-06-01" not in welsh
    twin = client.get(f"{DRAFT}/check?format=json").json()
    shown = {row["question"]: row["answer"] for row in twin["answers"]}
    assert shown["contract_start"] == f"1 June {year}"


# Dates of what has happened, after today.


@pytest.mark.parametrize(
    ("code", "question", "says"),
    [
        ("UK6", "award_date", "The date of the decision to award must be today or in the past"),
        ("UK7", "date_signed", "The date the contract was entered into must be today or in"),
        ("UK12", "terminated", "The date you decided to end the procurement must be today"),
    ],
)
def test_a_date_after_today_is_refused_on_its_own_page(publisher, store, code, question, says):
    client = signed_in()
    ocid = _tender_published(client)
    if code == "UK7":
        _publish_next(client, ocid, "UK6", _award_answers())
    _start(client, ocid, code)
    if code == "UK12":
        send(client, f"{DRAFT}/reason", {"reason": "No tenders."})
    before = log.log_size(store)
    answer = send(client, f"{DRAFT}/{question}", _day(question, _today() + timedelta(days=1)))
    html = answer.content.decode()
    assert answer.status_code == 400 and 'class="govuk-error-summary"' in html, html[:3000]
    assert says in html
    assert 'class="govuk-error-message"' in html
    assert question not in client.session["openbook_draft"]["answers"]
    today = send(client, f"{DRAFT}/{question}", _day(question, _today()))
    assert today.status_code == 302  # today is not after today
    assert log.log_size(store) == before


def test_the_welsh_page_says_it_in_welsh(publisher):
    client = signed_in()
    ocid = _tender_published(client)
    _start(client, ocid, "UK12")
    send(client, f"{DRAFT}/reason", {"reason": "No tenders."})
    tomorrow = _day("terminated", _today() + timedelta(days=1))
    html = send(client, f"{DRAFT}/terminated?lang=cy", tomorrow).content.decode()
    assert "fod heddiw neu yn y gorffennol" in html


def test_an_assessment_before_the_contract_began_is_shown_against_its_question(publisher, store):
    """The reviewer's chain: a contract starting in the future (as a contract details notice
    may say), then an assessment of a period before it. The publish checks refuse it, and
    check your answers shows it against the question of the period's end."""
    client = signed_in()
    ocid = _tender_published(client)
    _publish_next(client, ocid, "UK6", _award_answers())
    details = _details_answers()
    start = _today() + timedelta(days=120)
    details["contract_start"] = _day("contract_start", start)
    _publish_next(client, ocid, "UK7", details)
    _start(client, ocid, "UK9")
    send(client, f"{DRAFT}/route", {"route": "assessment"})
    send(client, f"{DRAFT}/assessed_from", _day("assessed_from", _today() - timedelta(days=300)))
    send(client, f"{DRAFT}/assessed_to", _day("assessed_to", _today() - timedelta(days=100)))
    added = send(client, f"{DRAFT}/kpis/1", {"kpi_name": "Parks mown", "kpi_rating": "met"})
    assert added.status_code == 302, added.content[:3000]
    assert send(client, f"{DRAFT}/kpis", {"another": "no"})["Location"] == f"{DRAFT}/check"
    before = log.log_size(store)
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert 'class="govuk-error-summary"' in html, html[:3000]
    assert "before the contract began on" in _summary(html)
    assert f'href="{DRAFT}/assessed_to?change=1"' in html
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    refused = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": token})
    assert refused.status_code == 422 and log.log_size(store) == before
    assert len(_record(ocid)["releases"]) == 3
