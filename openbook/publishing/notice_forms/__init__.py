"""Notices written through question pages (issue 8, item 2): for each notice type, the
questions (one thing per page, in the GOV.UK pattern), how each answer is read and checked, and
the release the answers make. The release then goes through exactly the checks of the publish
API (openbook.publishing.publish): the pages publish nothing the API would refuse.

Each notice type's form is a module here; ``FORMS`` lists them all.
"""

from openbook.publishing.notice_forms.questions import (
    AUTHORITY,
    CHOICE,
    NEW_PROCESS,
    PROCESS,
    SHARED_TEXTS,
    AnswerProblem,
    Context,
    NoticeForm,
    Question,
    form_values,
    read_answer,
    restored,
    shown,
    stored,
    texts_of,
)
from openbook.publishing.notice_forms.tender import TENDER_NOTICE

# Each area's forms on a line of its own.
_ALL: list[NoticeForm] = [TENDER_NOTICE]

FORMS: dict[str, NoticeForm] = {form.code: form for form in _ALL}


def texts() -> list[str]:
    """Every text of the forms that the pages show, for the Welsh catalogue."""
    return [*(text for form in FORMS.values() for text in texts_of(form)), *SHARED_TEXTS]


__all__ = [
    "AUTHORITY",
    "CHOICE",
    "FORMS",
    "NEW_PROCESS",
    "PROCESS",
    "AnswerProblem",
    "Context",
    "NoticeForm",
    "Question",
    "form_values",
    "read_answer",
    "restored",
    "shown",
    "stored",
    "texts",
]
