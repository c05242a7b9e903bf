"""The notice forms' answers shown again to be changed read back as they were (pure)."""

import pytest

from openbook.publishing.notice_forms import FORMS, form_values, read_answer
from openbook.publishing.notice_forms.questions import MONEY

MONEY_QUESTION = next(q for form in FORMS.values() for q in form.questions if q.kind == MONEY)


@pytest.mark.parametrize(
    "amount", [1, 250_000, 1_250_000.5, 1_250_000.05, 0.01, 999.99, 9_999_999_999_999.99]
)
def test_an_amount_shown_again_reads_back_the_same(amount):
    """An amount with pence over a million was shown as 1.25e+06, which the page refused."""
    shown = form_values(MONEY_QUESTION, amount)
    assert "e" not in shown[MONEY_QUESTION.name]
    assert read_answer(MONEY_QUESTION, shown) == amount


def test_a_contract_award_notice_after_a_transparency_notice_awards_the_same_award():
    """A transparency notice (UK5) announces its award, pending; the contract award notice
    (UK6) that follows is about that award, not a second one. After a UK6 of its own, a
    further UK6 is another award (another lot or supplier)."""
    from openbook.publishing.notice_forms.award import _award_id

    announced = {"id": "1", "status": "pending", "documents": [{"noticeType": "UK5"}]}
    assert _award_id([announced]) == "1"
    awarded = {**announced, "documents": [{"noticeType": "UK6"}]}
    assert _award_id([awarded]) == "2"
    assert _award_id([{**announced, "status": "active"}]) == "2"
    assert _award_id([{**announced, "documents": 7}]) == "1"  # malformed: none of its own


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"])
def test_answers_read_back_from_a_release_with_a_moment_at_the_ends_of_time(moment):
    """The publish API accepts such a date; reading a notice's answers back (to correct it)
    leaves that answer out rather than failing (it raised OverflowError: a 500)."""
    from openbook.publishing.notice_forms.corrections import answers_from

    release = {
        "ocid": "ocds-x",
        "id": "1",
        "date": moment,
        "tag": ["tender"],
        "tender": {"title": "Parks", "tenderPeriod": {"endDate": moment}},
    }
    answers = answers_from(FORMS["UK4"], release)
    assert answers["title"] == "Parks" and "deadline" not in answers


# Each form's dates that must come in order: (form, the earlier, the later, whether the two may
# be the same day, the question the problem is shown at). One helper checks them all
# (questions.dates_in_order); each form's rule as it was before.
DATE_ORDERS = [
    ("UK2", "engagement_start", "engagement_end", True, "engagement_end"),
    ("UK3", "tender_expected", "contract_start", False, "contract_start"),
    ("UK4", "contract_start", "contract_end", True, "contract_end"),
    ("UK6", "award_date", "standstill_end", False, "standstill_end"),
    ("UK7", "contract_start", "contract_end", True, "contract_end"),
    ("UK7", "date_signed", "contract_end", True, "date_signed"),
    ("UK9", "began", "happened", True, "began"),
    ("UK9", "began", "ended", True, "ended"),
    ("UK13", "market_start", "market_end", False, "market_end"),
]


@pytest.mark.parametrize(("code", "earlier", "later", "same_day", "at"), DATE_ORDERS)
def test_dates_out_of_order_are_refused_at_their_question(code, earlier, later, same_day, at):
    from datetime import date, timedelta

    form = FORMS[code]
    day = date(2026, 6, 1)
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    problem = form.order_problem({earlier: day, later: before})
    assert problem is not None and problem[0] == at and problem[1] in form.order_messages
    assert form.order_problem({earlier: day, later: day}) == (None if same_day else problem)
    assert form.order_problem({earlier: day, later: after}) is None
    # A date not answered (optional) is not out of order; the tender notice asks for both
    # contract dates or neither.
    alone = form.order_problem({earlier: day})
    assert alone is None or (code, alone[0]) == ("UK4", "contract_end")
