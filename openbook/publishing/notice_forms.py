"""Notices written through question pages (issue 8, item 2): for each notice type, the
questions (one thing per page, in the GOV.UK pattern), how each answer is read and checked, and
the release the answers make. The release then goes through exactly the checks of the publish
API (openbook.publishing.publish): the pages publish nothing the API would refuse.

Pure: answers in, problems and releases out. The questions' words are English here; the pages
translate them (openbook/web/locale/cy/publisher.po).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from openbook.standards.ocds.summary import cpv_code
from openbook.standards.uk.notices import NOTICE_TYPES

LONDON = ZoneInfo("Europe/London")

# Kinds of question, each read from its own form fields.
TEXT = "text"
TEXTAREA = "textarea"
MONEY = "money"
DATE = "date"  # GOV.UK date input: NAME-day, NAME-month, NAME-year
DATETIME = "datetime"  # a date input and a time (NAME-time: 17:00, 5pm, 5:30pm)
CHOICE = "choice"  # radios
CPV = "cpv"

MAX_TEXT = 300
MAX_TEXTAREA = 10_000
MAX_MONEY = 10**13  # £10 trillion: more is a typing slip
_MONEY = re.compile(r"£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Question:
    name: str  # its answer's key, and its form field's name (and id)
    kind: str
    label: str  # the question, as the page's heading
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) for CHOICE
    pointers: tuple[str, ...] = ()  # where its answer goes in the release (JSON pointers)
    optional: bool = False
    missing: str = ""  # what to say when it is not answered ("Enter the title")


@dataclass(frozen=True, slots=True)
class NoticeForm:
    code: str  # the notice type, such as UK4
    title: str  # as the pages name it
    questions: tuple[Question, ...]
    build: Callable[["Context", Mapping[str, object]], dict] = field(repr=False)

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)

    def question_at(self, pointer: str) -> Question | None:
        """The question whose answer is at (or holds) this place in the release, for a problem
        the publish checks found there."""
        for question in self.questions:
            if any(pointer == p or pointer.startswith(p + "/") for p in question.pointers):
                return question
        return None


@dataclass(frozen=True, slots=True)
class Context:
    """What a notice is written for: the process, the buyer, and the moment."""

    ocid: str
    buyer_id: str  # the organisation's party id
    buyer_name: str
    now: datetime


class AnswerProblem(Exception):
    """An answer that cannot be used: the message says what to do, in GOV.UK's words; its
    ``%(name)s`` placeholders are filled from ``values`` once translated."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message % values if values else message)
        self.message = message
        self.values = values


def read_answer(question: Question, data: Mapping[str, str]) -> object:
    """The answer to ``question`` in the posted ``data``; ``AnswerProblem`` when it is missing
    or cannot be used. Empty optional answers are None."""
    reader = _READERS[question.kind]
    return reader(question, data)


def _given(question: Question, data: Mapping[str, str], suffix: str = "") -> str:
    value = data.get(question.name + suffix, "")
    return value.strip() if isinstance(value, str) else ""


def _text(question: Question, data: Mapping[str, str]) -> str | None:
    value = _given(question, data).replace("\r\n", "\n")
    limit = MAX_TEXTAREA if question.kind == TEXTAREA else MAX_TEXT
    if not value:
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    if len(value) > limit:
        raise AnswerProblem("Enter no more than %(limit)s characters", limit=f"{limit:,}")
    if _CONTROL.search(value) or (question.kind == TEXT and "\n" in value):
        raise AnswerProblem("Enter text without control characters or line breaks")
    return value


def _money(question: Question, data: Mapping[str, str]) -> float | int | None:
    value = _given(question, data).replace(" ", "")
    if not value:
        if question.optional:
            return None
        raise AnswerProblem("Enter an amount in pounds, such as 250000 or £1,250,000.50")
    match = _MONEY.fullmatch(value)
    if match is None:
        raise AnswerProblem("Enter an amount in pounds using numbers only, such as £1,250,000")
    amount = float(value.lstrip("£").replace(",", ""))
    if amount <= 0:
        raise AnswerProblem("Enter an amount greater than £0")
    if amount >= MAX_MONEY:
        raise AnswerProblem("Enter an amount less than £10,000,000,000,000")
    return int(amount) if amount.is_integer() else amount


def _date(question: Question, data: Mapping[str, str]) -> date | None:
    parts = {part: _given(question, data, f"-{part}") for part in ("day", "month", "year")}
    if not any(parts.values()):
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    missing = [part for part, value in parts.items() if not value]
    if missing:
        raise AnswerProblem(_MISSING_PARTS[tuple(missing)])
    if not all(value.isdigit() and len(value) <= 4 for value in parts.values()):
        raise AnswerProblem("The date must be a real date, in numbers, such as 27 3 2026")
    try:
        found = date(int(parts["year"]), int(parts["month"]), int(parts["day"]))
    except ValueError:
        raise AnswerProblem("The date must be a real date") from None
    if not 2000 <= found.year <= 2100:
        raise AnswerProblem("The year must be between 2000 and 2100")
    return found


def _datetime(question: Question, data: Mapping[str, str]) -> datetime | None:
    day = _date(question, data)
    if day is None:
        return None
    written = _given(question, data, "-time")
    match = _TIME.fullmatch(written) if written else None
    if match is None:
        raise AnswerProblem("Enter the time, such as 17:00 or 5pm")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    period = (match.group(3) or "").lower()
    if period:
        if not 1 <= hour <= 12:
            raise AnswerProblem("Enter a real time, such as 5pm or 17:00")
        hour = hour % 12 + (12 if period == "pm" else 0)
    if hour > 23 or minute > 59:
        raise AnswerProblem("Enter a real time, such as 5pm or 17:00")
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def _choice(question: Question, data: Mapping[str, str]) -> str | None:
    value = _given(question, data)
    if not value and question.optional:
        return None
    if value not in {choice for choice, _ in question.choices}:
        raise AnswerProblem(question.missing)
    return value


def _cpv(question: Question, data: Mapping[str, str]) -> str | None:
    value = _given(question, data)
    if not value:
        if question.optional:
            return None
        raise AnswerProblem("Enter the CPV code, such as 77314000")
    code = cpv_code(value) if re.fullmatch(r"\d{8}(-\d)?", value) else None
    if code is None:
        raise AnswerProblem("Enter a CPV code of 8 digits, such as 77314000 or 77314000-4")
    return code


_MISSING_PARTS = {
    ("day",): "The date must include a day",
    ("month",): "The date must include a month",
    ("year",): "The date must include a year",
    ("day", "month"): "The date must include a day and a month",
    ("day", "year"): "The date must include a day and a year",
    ("month", "year"): "The date must include a month and a year",
}

_READERS: dict[str, Callable[[Question, Mapping[str, str]], object]] = {
    TEXT: _text,
    TEXTAREA: _text,
    MONEY: _money,
    DATE: _date,
    DATETIME: _datetime,
    CHOICE: _choice,
    CPV: _cpv,
}


def shown(question: Question, value: object) -> str:
    """An answer as the check-your-answers page writes it (before translation of choices)."""
    if value is None:
        return ""
    if question.kind == MONEY and isinstance(value, int | float):
        return f"£{value:,.2f}".replace(".00", "")
    if question.kind == DATE and isinstance(value, date):
        return value.isoformat()
    if question.kind == DATETIME and isinstance(value, datetime):
        return value.isoformat(timespec="minutes")
    if question.kind == CHOICE:
        return dict(question.choices).get(str(value), str(value))
    return str(value)


def stored(value: object) -> object:
    """An answer as the session keeps it (JSON): dates and times as ISO text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def restored(question: Question, value: object) -> object:
    """An answer kept in the session, as ``read_answer`` gave it."""
    if not isinstance(value, str):
        return value
    if question.kind == DATE:
        return date.fromisoformat(value)
    if question.kind == DATETIME:
        return datetime.fromisoformat(value)
    return value


def form_values(question: Question, value: object) -> dict[str, str]:
    """The form fields that show an answer again (to change it)."""
    if value is None:
        return {}
    if question.kind in (DATE, DATETIME) and isinstance(value, date):
        found = {
            f"{question.name}-day": str(value.day),
            f"{question.name}-month": str(value.month),
            f"{question.name}-year": str(value.year),
        }
        if isinstance(value, datetime):
            found[f"{question.name}-time"] = value.astimezone(LONDON).strftime("%H:%M")
        return found
    if question.kind == MONEY and isinstance(value, int | float):
        return {question.name: f"{value:g}" if isinstance(value, float) else str(value)}
    return {question.name: str(value)}


# The tender notice (UK4) -------------------------------------------------------------------

_PROCEDURES = {
    "open": ("open", "Open procedure"),
    "competitive-flexible": ("selective", "Competitive flexible procedure"),
}
_CATEGORIES = (("goods", "Goods"), ("services", "Services"), ("works", "Works"))
_YES_NO = (("yes", "Yes"), ("no", "No"))


def _moment(value: object) -> str:
    if isinstance(value, datetime):
        return value.astimezone(LONDON).isoformat(timespec="seconds")
    return str(value)


def _notice_document(code: str, context: Context) -> dict:
    published = _moment(context.now.astimezone(LONDON))
    document = {"id": f"{code}-notice", "noticeType": code, "datePublished": published}
    known = NOTICE_TYPES.get(code)
    if known is not None and known.document_type:
        document["documentType"] = known.document_type
    return document


def _tender_release(context: Context, answers: Mapping[str, object]) -> dict:
    method, details = _PROCEDURES[str(answers["procedure"])]
    tender: dict = {
        "id": "1",
        "title": answers["title"],
        "description": answers["description"],
        "status": "active",
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "mainProcurementCategory": answers["category"],
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": answers["cpv"]}}],
        "value": {"amount": answers["value"], "currency": "GBP"},
        "tenderPeriod": {"endDate": _moment(answers["deadline"])},
        "suitability": {"sme": answers["sme"] == "yes", "vcse": answers["vcse"] == "yes"},
        "documents": [_notice_document("UK4", context)],
    }
    if answers.get("contract_start") and answers.get("contract_end"):
        tender["contractPeriod"] = {
            "startDate": f"{answers['contract_start']}T00:00:00Z"
            if isinstance(answers["contract_start"], date)
            else str(answers["contract_start"]),
            "endDate": f"{answers['contract_end']}T23:59:59Z"
            if isinstance(answers["contract_end"], date)
            else str(answers["contract_end"]),
        }
    stamp = context.now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    return {
        "ocid": context.ocid,
        "id": f"{context.ocid}-UK4-{stamp}",
        "date": _moment(context.now.astimezone(LONDON)),
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}],
        "tender": tender,
    }


TENDER_NOTICE = NoticeForm(
    "UK4",
    "Tender notice",
    (
        Question(
            "title",
            TEXT,
            "What is the procurement called?",
            "Use words suppliers would search for, such as 'Grounds maintenance for parks'.",
            pointers=("/tender/title",),
            missing="Enter the name of the procurement",
        ),
        Question(
            "description",
            TEXTAREA,
            "Describe what you are buying",
            "What the contract is for, where, and anything suppliers must know to decide to bid.",
            pointers=("/tender/description",),
            missing="Describe what you are buying",
        ),
        Question(
            "category",
            CHOICE,
            "What are you buying mainly?",
            choices=_CATEGORIES,
            pointers=("/tender/mainProcurementCategory",),
            missing="Select what you are buying mainly",
        ),
        Question(
            "cpv",
            CPV,
            "What is the main CPV code?",
            "The Common Procurement Vocabulary code that best describes it, such as 77314000 "
            "for grounds maintenance services.",
            pointers=("/tender/items",),
            missing="Enter the CPV code, such as 77314000",
        ),
        Question(
            "value",
            MONEY,
            "What is the estimated value of the contract, including VAT?",
            "The most you expect to pay over the whole contract, in pounds.",
            pointers=("/tender/value",),
            missing="Enter the estimated value, in pounds",
        ),
        Question(
            "procedure",
            CHOICE,
            "Which procedure are you using?",
            choices=(
                ("open", "Open procedure: any supplier can bid"),
                ("competitive-flexible", "Competitive flexible procedure"),
            ),
            pointers=("/tender/procurementMethod", "/tender/procurementMethodDetails"),
            missing="Select the procedure",
        ),
        Question(
            "deadline",
            DATETIME,
            "When is the deadline for tenders?",
            "For example, 27 3 2026 and 12pm. The Procurement Act sets a minimum time for "
            "tenders: at least 25 days for an open procedure, often more.",
            pointers=("/tender/tenderPeriod",),
            missing="Enter the deadline for tenders",
        ),
        Question(
            "contract_start",
            DATE,
            "When is the contract expected to start?",
            "For example, 1 6 2026.",
            pointers=("/tender/contractPeriod/startDate",),
            optional=True,
            missing="Enter the date the contract starts",
        ),
        Question(
            "contract_end",
            DATE,
            "When is the contract expected to end?",
            "For example, 31 5 2029.",
            pointers=("/tender/contractPeriod/endDate", "/tender/contractPeriod"),
            optional=True,
            missing="Enter the date the contract ends",
        ),
        Question(
            "sme",
            CHOICE,
            "Is the contract suitable for small and medium-sized enterprises (SMEs)?",
            choices=_YES_NO,
            pointers=("/tender/suitability/sme",),
            missing="Select yes if the contract is suitable for SMEs",
        ),
        Question(
            "vcse",
            CHOICE,
            "Is the contract suitable for voluntary, community and social enterprises (VCSEs)?",
            choices=_YES_NO,
            pointers=("/tender/suitability/vcse",),
            missing="Select yes if the contract is suitable for VCSEs",
        ),
    ),
    _tender_release,
)

FORMS: dict[str, NoticeForm] = {form.code: form for form in (TENDER_NOTICE,)}


def texts() -> list[str]:
    """Every text of the forms' questions that the pages show, for the Welsh catalogue."""
    found = []
    for form in FORMS.values():
        found.append(form.title)
        for question in form.questions:
            found += [question.label, question.missing]
            found += [question.hint] if question.hint else []
            found += [label for _, label in question.choices]
    return [*found, *_MISSING_PARTS.values(), *_ORDER_PROBLEMS]


_ORDER_PROBLEMS = (
    "The contract must end after it starts",
    "Give both the start and the end of the contract, or neither",
)


def order_problem(answers: Mapping[str, object]) -> tuple[str, str] | None:
    """A problem across answers: (question, message), such as a contract ending before it
    starts."""
    start, end = answers.get("contract_start"), answers.get("contract_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        return "contract_end", _ORDER_PROBLEMS[0]
    if (start is None) != (end is None):
        missing = "contract_end" if end is None else "contract_start"
        return missing, _ORDER_PROBLEMS[1]
    return None
