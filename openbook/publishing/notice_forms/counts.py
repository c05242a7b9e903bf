"""Questions answered with a whole number, such as how many tenders were received (the 2015
Regulations' contract award notice, pcr2015_award.py): the kind of question, how its answer is
read on its page, and how it is read back from a published release for a correction.

A kind of its own (not text with a reader) so a correction reads a count back from the number
the release holds (corrections.py), and the page asks it in a narrow numeric input.
"""

import re
from collections.abc import Mapping

from openbook.publishing.notice_forms.questions import AnswerProblem, Question

COUNT = "count"
MOST = 100_000  # tenders for one contract: more is a typing slip
_COUNT = re.compile(r"\d{1,3}(,\d{3})+|\d+")
_NEGATIVE = re.compile(r"-\s*[\d,.]+")


def read_count(question: Question, data: Mapping[str, str]) -> int | None:
    """A whole number from 0 to ``MOST``, written with or without thousands commas."""
    given = data.get(question.name, "")
    value = given.strip().replace(" ", "") if isinstance(given, str) else ""
    if not value:
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    if _NEGATIVE.fullmatch(value):
        raise AnswerProblem("Enter a number of 0 or more")
    if _COUNT.fullmatch(value) is None:
        raise AnswerProblem("Enter a whole number, such as 4")
    number = int(value.replace(",", ""))
    if number > MOST:
        raise AnswerProblem("Enter a number no more than %(most)s", most=f"{MOST:,}")
    return number


def count_in(leaf: object) -> int | None:
    """A count as a release holds it (a whole number, not true or false), for a correction."""
    if isinstance(leaf, bool) or not isinstance(leaf, int | float) or leaf < 0:
        return None
    return int(leaf) if float(leaf).is_integer() else None
