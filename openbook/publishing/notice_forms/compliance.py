"""The payments compliance notice (UK17) through question pages: how promptly the authority paid
its suppliers under public contracts over a reporting period (Procurement Act 2023, s.69;
Procurement Regulations 2024, reg. 38). Like the pipeline notice it belongs to the authority, not
to a procurement (level AUTHORITY): a release under an ocid of its own that names the authority
as its buyer (openbook.publishing.scope).

The figures are the statistics extension's top-level ``statistics``, one a figure of reg.
38(2)(c) and (d), each dated at the end of the reporting period; percentages as proportions, as
that extension writes them (0.925 for 92.5%). The notice's document, in ``tender.documents``,
names who approved it as its ``author`` (the documentation details extension, which the Find a
Tender Service declares), with the statement of reg. 38(2)(e). The release is tagged
``implementation``: the notice reports payments under contracts, and no planning or tender
stage (so no pipeline register entry, and no tender count, takes it for a procurement).
"""

import re
from collections.abc import Mapping
from datetime import date

from openbook.publishing.notice_forms.questions import (
    AUTHORITY,
    DATE,
    LONDON,
    TEXT,
    AnswerProblem,
    Context,
    NoticeForm,
    Question,
    end_of,
    moment,
    notice_document,
    read_answer,
    release_id,
)

# s.69(3): a reporting period ends on 31 March or 30 September; the first began when s.69 came
# into force, 1 January 2026 (the Procurement Act 2023 (Commencement No. 4) Regulations 2025;
# 1 April 2026 for procurements the Welsh Ministers regulate, whose first period then ends on
# 30 September 2026 like any other).
IN_FORCE = date(2026, 1, 1)
FIRST_END = date(2026, 3, 31)
MOST_DAYS = 1000  # an average beyond it is a typing slip
_PERCENT = re.compile(r"(\d{1,3})(\.\d{1,2})?")
_DAYS = re.compile(r"(\d{1,4})(\.\d{1,2})?")
_ORDER_PROBLEMS = (
    "The percentages of payments made within 30 days, in 31 to 60 days and in 61 days or more "
    "must add up to 100",
    "The reporting period must have ended: publish this notice from its last day",
)


def _given(question: Question, data: Mapping[str, str]) -> str:
    value = data.get(question.name, "")
    return value.strip() if isinstance(value, str) else ""


def _period_end(question: Question, data: Mapping[str, str]) -> date | None:
    """The last day of a reporting period: a real date that is 31 March or 30 September."""
    asked = Question(question.name, DATE, question.label, missing=question.missing)
    day = read_answer(asked, data)
    assert isinstance(day, date)
    if (day.month, day.day) not in ((3, 31), (9, 30)):
        raise AnswerProblem(
            "A reporting period ends on 31 March or 30 September: enter one of them"
        )
    if day < FIRST_END:
        raise AnswerProblem(
            "The first reporting period ended on 31 March 2026: enter that or later"
        )
    return day


def period_start(end: date) -> date:
    """The first day of the reporting period that ends on ``end`` (s.69(3))."""
    if end == FIRST_END:
        return IN_FORCE
    return date(end.year, 4, 1) if end.month == 9 else date(end.year - 1, 10, 1)


def _number(value: str) -> float | int:
    number = float(value)
    return int(number) if number.is_integer() else number


def _percent(question: Question, data: Mapping[str, str]) -> float | int:
    value = _given(question, data).removesuffix("%").strip()
    if not value:
        raise AnswerProblem(question.missing)
    if _PERCENT.fullmatch(value) is None:
        raise AnswerProblem("Enter the percentage as a number, such as 92 or 92.5")
    number = _number(value)
    if number > 100:
        raise AnswerProblem("Enter a percentage between 0 and 100")
    return number


def _days(question: Question, data: Mapping[str, str]) -> float | int:
    value = _given(question, data)
    if not value:
        raise AnswerProblem(question.missing)
    if _DAYS.fullmatch(value) is None:
        raise AnswerProblem("Enter the number of days as a number, such as 18 or 18.5")
    number = _number(value)
    if number > MOST_DAYS:
        raise AnswerProblem("Enter an average of no more than %(most)s days", most=f"{MOST_DAYS:,}")
    return number


def _approver(question: Question, data: Mapping[str, str]) -> str:
    """A name, a comma, then a job title: text as any short answer is, with both parts."""
    asked = Question(question.name, TEXT, question.label, missing=question.missing)
    text = str(read_answer(asked, data))
    name, _, title = text.partition(",")
    if not name.strip() or not title.strip():
        raise AnswerProblem(
            "Enter their name, a comma, then their job title, such as Jane Smith, Director of "
            "Finance"
        )
    return f"{name.strip()}, {title.strip()}"


def _day_words(day: object) -> str:
    assert isinstance(day, date)
    return f"{day.day} {day:%B %Y}"


# The figures of reg. 38(2)(c) and (d): (answer, measure, what it is), in that order.
_FIGURES = (
    (
        "average_days",
        "averageDaysToPay",
        "The average (arithmetic mean) number of days taken to pay the sums paid under public "
        "contracts in the reporting period, day 1 being the day after the invoice was received "
        "(Procurement Regulations 2024, reg. 38(2)(c)(i)).",
    ),
    (
        "within_30",
        "paidWithin30Days",
        "The proportion of those payments made from day 1 to day 30 (reg. 38(2)(c)(ii)(aa)).",
    ),
    (
        "within_60",
        "paidIn31To60Days",
        "The proportion of those payments made from day 31 to day 60 (reg. 38(2)(c)(ii)(bb)).",
    ),
    (
        "after_60",
        "paidOnOrAfterDay61",
        "The proportion of those payments made on or after day 61 (reg. 38(2)(c)(ii)(cc)).",
    ),
    (
        "not_paid",
        "payableNotPaidInPeriod",
        "The proportion of the sums that became payable under public contracts in the "
        "reporting period that were not paid in it (reg. 38(2)(d)).",
    ),
)


def _compliance_release(context: Context, answers: Mapping[str, object]) -> dict:
    end = answers["period_end"]
    assert isinstance(end, date)
    period = f"{_day_words(period_start(end))} to {_day_words(end)}"
    statistics = []
    for name, measure, notes in _FIGURES:
        value = answers[name]
        assert isinstance(value, int | float)
        if name != "average_days":
            value = round(value / 100, 4)  # a proportion, as the statistics extension asks
        statistics.append(
            {
                "id": measure,
                "measure": measure,
                "value": value,
                "date": end_of(end),
                "notes": f"{notes} Reporting period: {period}.",
            }
        )
    document = {
        **notice_document("UK17", context),
        "description": "The director or similar officer responsible for the authority's "
        "finances, named as this document's author, approves this payments compliance notice "
        "(Procurement Regulations 2024, reg. 38(2)(e)).",
        "author": answers["approver"],  # the documentation details extension
    }
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    return {
        "ocid": context.ocid,
        "id": release_id("UK17", context),
        "date": moment(context.now.astimezone(LONDON)),
        "tag": ["implementation"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}],
        "tender": {
            "id": "1",
            "title": f"Payments compliance notice: {period}",
            "documents": [document],
        },
        "statistics": statistics,
    }


def _compliance_order(answers: Mapping[str, object]) -> tuple[str, str] | None:
    shares = [answers.get(name) for name in ("within_30", "within_60", "after_60")]
    numbers = [share for share in shares if isinstance(share, int | float)]
    # Each percentage may be rounded to a decimal place or two: allow for that, no more.
    if len(numbers) == len(shares) and abs(sum(numbers) - 100) > 0.5:
        return "after_60", _ORDER_PROBLEMS[0]
    return None


def _compliance_fits(context: Context, answers: Mapping[str, object]) -> tuple[str, str] | None:
    end = answers.get("period_end")
    if isinstance(end, date) and end > context.now.astimezone(LONDON).date():
        return "period_end", _ORDER_PROBLEMS[1]
    return None


def _share(name: str, label: str, hint: str, missing: str, index: int) -> Question:
    return Question(
        name,
        TEXT,
        label,
        hint,
        pointers=(f"/statistics/{index}/value",),
        missing=missing,
        reader=_percent,
    )


PAYMENTS_COMPLIANCE_NOTICE = NoticeForm(
    "UK17",
    "Payments compliance notice",
    (
        Question(
            "period_end",
            DATE,
            "When did the reporting period end?",
            "Reporting periods end on 31 March and 30 September. For example, 30 9 2026 for "
            "the period from 1 April to 30 September 2026. The first period ran from 1 January "
            "to 31 March 2026.",
            pointers=("/statistics/0/date",),
            missing="Enter the last day of the reporting period",
            reader=_period_end,
        ),
        Question(
            "average_days",
            TEXT,
            "On average, how many days did you take to pay?",
            "Across the sums paid under public contracts in the reporting period, from the day "
            "after you received the invoice (day 1) to the day the supplier received the "
            "payment. For example, 18 or 18.5.",
            pointers=("/statistics/0/value",),
            missing="Enter the average number of days taken to pay",
            reader=_days,
        ),
        _share(
            "within_30",
            "What percentage of those payments did you make within 30 days?",
            "Counting the day after you received the invoice as day 1. For example, 92 or 92.5.",
            "Enter the percentage of payments made within 30 days",
            1,
        ),
        _share(
            "within_60",
            "What percentage did you make in 31 to 60 days?",
            "Counted the same way. For example, 6 or 6.5.",
            "Enter the percentage of payments made in 31 to 60 days",
            2,
        ),
        _share(
            "after_60",
            "What percentage did you make in 61 days or more?",
            "Counted the same way. The three percentages add up to 100.",
            "Enter the percentage of payments made in 61 days or more",
            3,
        ),
        _share(
            "not_paid",
            "What percentage of the sums that became payable in the period were not paid in it?",
            "Of the sums that became payable under public contracts in the reporting period, "
            "those not paid by its end. For example, 3 or 3.5.",
            "Enter the percentage of sums not paid in the reporting period",
            4,
        ),
        Question(
            "approver",
            TEXT,
            "Who approved this notice?",
            "The director or similar officer responsible for your organisation's finances: "
            "their name, a comma, then their job title, such as Jane Smith, Director of "
            "Finance. Their approval, name and job title are published with the notice.",
            pointers=("/tender/documents/0/author",),
            missing="Enter the name and job title of the person who approved this notice",
            reader=_approver,
        ),
    ),
    _compliance_release,
    level=AUTHORITY,
    order=_compliance_order,
    order_messages=_ORDER_PROBLEMS,
    fits=_compliance_fits,
)
