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
