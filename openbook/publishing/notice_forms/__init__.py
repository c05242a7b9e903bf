"""Notices written through question pages (issue 8, item 2): for each notice type, the
questions (one thing per page, in the GOV.UK pattern), how each answer is read and checked, and
the release the answers make. The release then goes through exactly the checks of the publish
API (openbook.publishing.publish): the pages publish nothing the API would refuse.

Each notice type's form is a module here; ``FORMS`` lists them all.
"""

from openbook.publishing.notice_forms import payment_corrections
from openbook.publishing.notice_forms.award import PROCESS_FORMS
from openbook.publishing.notice_forms.compliance import PAYMENTS_COMPLIANCE_NOTICE
from openbook.publishing.notice_forms.dynamic_markets import DYNAMIC_MARKET_FORMS
from openbook.publishing.notice_forms.following import WORDS
from openbook.publishing.notice_forms.pcr2015 import PCR2015_FORMS, REGIME_WORDS
from openbook.publishing.notice_forms.performance import PERFORMANCE_FORMS
from openbook.publishing.notice_forms.planning import PLANNING_FORMS
from openbook.publishing.notice_forms.questions import (
    AUTHORITY,
    CHECKBOXES,
    CHOICE,
    GROUP,
    NEW_PROCESS,
    PROCESS,
    SHARED_TEXTS,
    AnswerProblem,
    Context,
    NoticeForm,
    Question,
    Words,
    after_today,
    form_values,
    read_answer,
    read_thing,
    restored,
    shown,
    still_chosen,
    stored,
    texts_of,
    thing_shown,
)
from openbook.publishing.notice_forms.tender import TENDER_NOTICE

# Every notice type of the Procurement Act 2023 with a form: UK1 to UK17; and the earlier
# legislation's still published.
_ALL: list[NoticeForm] = [
    TENDER_NOTICE,
    *PROCESS_FORMS,
    *PERFORMANCE_FORMS,  # UK8 and UK9, on a procurement published
    *PLANNING_FORMS,
    *DYNAMIC_MARKET_FORMS,  # UK13 starts a procurement; UK14 to UK16 follow it
    PAYMENTS_COMPLIANCE_NOTICE,  # UK17, the authority's
    # the Public Contracts Regulations 2015's F03 and F20, for procurements started
    # before 24 February 2025 and call-offs under their frameworks (pcr2015.py).
    *PCR2015_FORMS,
]

FORMS: dict[str, NoticeForm] = {form.code: form for form in _ALL}


def texts() -> list[str]:
    """Every text of the forms that the pages show, for the Welsh catalogue."""
    forms = (text for form in FORMS.values() for text in texts_of(form))
    # With the questions of a payment corrected on its own (payment_corrections.py)
    return [*forms, *SHARED_TEXTS, *WORDS, *REGIME_WORDS, *payment_corrections.texts()]


__all__ = [
    "AUTHORITY",
    "CHECKBOXES",
    "CHOICE",
    "FORMS",
    "GROUP",
    "NEW_PROCESS",
    "PROCESS",
    "AnswerProblem",
    "Context",
    "NoticeForm",
    "Question",
    "Words",
    "after_today",
    "form_values",
    "read_answer",
    "read_thing",
    "restored",
    "shown",
    "still_chosen",
    "stored",
    "texts",
    "thing_shown",
]
