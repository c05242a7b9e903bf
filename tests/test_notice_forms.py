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
