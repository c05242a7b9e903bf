"""What every notice form is made of: questions (one thing per page, in the GOV.UK pattern), how
each answer is read and checked, kept in the session and shown again, and the pieces every
notice's release shares (its notice document, its moments in UK time).

Pure: answers in, problems and releases out. The words are English here; the pages translate
them (openbook/web/locale/cy/).
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from openbook.publishing.notice_forms.ids import stamp
from openbook.standards.identifiers import check_party_id
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
# An organisation identifier, SCHEME-ID (openbook.standards.identifiers)
IDENTIFIER = "identifier"
CHECKBOXES = "checkboxes"  # one or more of the choices: a list of their values
# Things of one kind, as many as it takes (the GOV.UK "add another" pattern,
# https://design-system.service.gov.uk/patterns/add-multiple-things/): each thing's fields on a
# page of their own, then a list of those added and "Do you need to add another?". The answer
# is a list of the things, each a dict of its fields' answers (Question.repeating says how).
GROUP = "group"

YES_NO = (("yes", "Yes"), ("no", "No"))  # the choices of a yes-or-no question

MAX_TEXT = 300
MAX_TEXTAREA = 10_000
MAX_MONEY = 10**13  # £10 trillion: more is a typing slip
_MONEY = re.compile(r"£?\s*(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
_TIME = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Words:
    """A label written from the procurement as published (a contract's id, its suppliers, its
    value): messages to translate, each with the values that fill its ``%(name)s``
    placeholders, shown joined by commas. The pages translate each message, then fill it."""

    parts: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]

    def __str__(self) -> str:
        return ", ".join(message % dict(values) for message, values in self.parts)


Choices = tuple[tuple[str, "str | Words"], ...]  # (value, label)


@dataclass(frozen=True, slots=True)
class Question:
    name: str  # its answer's key, and its form field's name (and id)
    kind: str
    label: str  # the question, as the page's heading
    hint: str = ""
    choices: Choices = ()  # for CHOICE and CHECKBOXES
    pointers: tuple[str, ...] = ()  # where its answer goes in the release (JSON pointers)
    optional: bool = False
    missing: str = ""  # what to say when it is not answered ("Enter the title")
    # Reads the answer in place of its kind's reader (a kind says how the page asks it): for
    # answers a form checks its own way, such as a percentage or a list of suppliers.
    reader: Callable[["Question", Mapping[str, str]], object] | None = field(
        default=None, repr=False, compare=False
    )
    # Asked only when this holds of the procurement and the answers to the questions asked
    # before it (a route chosen, a procurement with more than one contract): the GOV.UK
    # pattern of a page skipped. None: always asked.
    applies: Callable[["Context", Mapping[str, object]], bool] | None = field(
        default=None, repr=False, compare=False
    )
    # Choices drawn from the procurement as published (its contracts, its lots), in place of
    # ``choices``: ``NoticeForm.resolved`` gives the question with them.
    options: Callable[["Context"], Choices] | None = field(default=None, repr=False, compare=False)
    repeating: "Repeating | None" = field(default=None, repr=False, compare=False)  # GROUP
    # For a DATE answer that reports what has happened (a contract entered into, a
    # payment made), what to say when it is after today in the UK: the page refuses it at
    # once, as the publish checks would (the notice.date rules, docs/notices.md).
    past: str = ""


@dataclass(frozen=True, slots=True)
class Repeating:
    """How a GROUP question asks for its things: the fields of one thing (questions of the
    kinds above, whose ``pointers`` are relative to the thing's place in the release), the most
    a notice may have, the words of its pages, and how many are enough."""

    fields: tuple[Question, ...]
    most: int
    thing: str  # the thing's field that names it in the list ("name")
    add: str  # the heading of the page adding one: "Add a key performance indicator"
    change: str  # of the page changing one
    added: tuple[str, str]  # "You have added %(num)s ...", its singular and plural
    another: str  # "Do you need to add another ...?"
    another_missing: str
    too_many: str  # "You cannot add more than %(most)s ..."
    remove: str  # "Are you sure you want to remove %(thing)s?"
    remove_missing: str
    duplicate: str  # "You have already added %(thing)s": two things of one name
    # A problem with how many were added, given the procurement and the other answers (a
    # contract over £5 million needs at least three KPIs), as a message; None if enough.
    enough: Callable[["Context", Mapping[str, object]], str | None] | None = field(
        default=None, repr=False, compare=False
    )
    # A problem across one thing's fields, as (field, message), such as a rating of "other"
    # without the comment that says why.
    order: Callable[[Mapping[str, object]], tuple[str, str] | None] | None = field(
        default=None, repr=False, compare=False
    )
    messages: tuple[str, ...] = ()  # the messages of ``enough`` and ``order``

    def texts(self) -> list[str]:
        found = [self.add, self.change, self.added[0], self.another, self.another_missing]
        found += [self.too_many, self.remove, self.remove_missing, self.duplicate]
        return [*found, *self.messages]


# What a notice is published for (NoticeForm.level): a procurement it starts (a new ocid is
# minted), a procurement already published (the notice follows others in it), or the authority
# itself (pipeline and payments compliance notices).
NEW_PROCESS = "new-process"
PROCESS = "process"
AUTHORITY = "authority"


@dataclass(frozen=True, slots=True)
class NoticeForm:
    code: str  # the notice type, such as UK4
    title: str  # as the pages name it
    questions: tuple[Question, ...]
    build: Callable[["Context", Mapping[str, object]], dict] = field(repr=False)
    level: str = NEW_PROCESS
    # A problem across answers, as (question, message), such as a contract ending before it
    # starts; its messages are listed in ``order_messages`` for translation.
    order: Callable[[Mapping[str, object]], tuple[str, str] | None] | None = field(
        default=None, repr=False
    )
    order_messages: tuple[str, ...] = ()
    # A problem across the answers and the procurement as published (Context.compiled), such
    # as a supplier removed from a dynamic market it never joined; messages in order_messages.
    fits: Callable[["Context", Mapping[str, object]], tuple[str, str] | None] | None = field(
        default=None, repr=False
    )
    # The entries the release adds numbered after the procurement's own (a contract's next
    # payment), as JSON pointers into it: the publish use case refuses the release if the
    # procurement as stored has one already (openbook.publishing.numbering).
    adds: Callable[[dict], tuple[str, ...]] | None = field(default=None, repr=False)

    def order_problem(
        self,
        answers: Mapping[str, object],
        context: "Context | None" = None,
    ) -> tuple[str, str] | None:
        found = self.order(answers) if self.order is not None else None
        if found is None and context is not None and self.fits is not None:
            found = self.fits(context, answers)
        return found

    def question(self, name: str) -> Question | None:
        return next((q for q in self.questions if q.name == name), None)

    @property
    def conditional(self) -> bool:
        """Whether a question is asked only sometimes, or its choices come from the
        procurement: the pages then read the procurement to know what to ask."""
        return any(q.applies is not None or q.options is not None for q in self.questions)

    def asked(self, context: "Context", answers: Mapping[str, object]) -> list[Question]:
        """The questions asked of this notice, in order, with their choices: each that applies
        to the procurement and the answers given to those asked before it. An answer to a
        question not asked, or no longer one of its choices (the procurement changed since),
        counts as none."""
        found: list[Question] = []
        before: dict[str, object] = {}
        for question in self.questions:
            if question.applies is not None and not question.applies(context, before):
                continue
            asked = self.resolved(question, context)
            found.append(asked)
            if asked.name in answers and still_chosen(asked, answers[asked.name]):
                before[asked.name] = answers[asked.name]
        return found

    def answered(self, context: "Context", answers: Mapping[str, object]) -> dict[str, object]:
        """The answers to the questions asked (``asked``): those a release is built from."""
        return {
            q.name: answers[q.name]
            for q in self.asked(context, answers)
            if q.name in answers and still_chosen(q, answers[q.name])
        }

    def resolved(self, question: Question, context: "Context") -> Question:
        """``question`` with its choices drawn from the procurement, if it has ``options``."""
        if question.options is None:
            return question
        return replace(question, choices=question.options(context))

    def question_at(self, pointer: str) -> Question | None:
        """The question whose answer is at (or holds) this place in the release, for a problem
        the publish checks found there."""
        for question in self.questions:
            if any(pointer == p or pointer.startswith(p + "/") for p in question.pointers):
                return question
        return None


def still_chosen(question: Question, value: object) -> bool:
    """Whether a kept answer is still one a question drawing its choices from the procurement
    offers (every answer of any other question is)."""
    if question.options is None:
        return True
    offered = {choice for choice, _ in question.choices}
    if question.kind == CHECKBOXES:
        return isinstance(value, list) and bool(value) and set(value) <= offered
    return value in offered


def more_than_one(
    options: Callable[["Context"], Choices],
) -> Callable[["Context", Mapping[str, object]], bool]:
    """A question's ``applies`` when its choices come from the procurement (``options``): asked
    only when there is more than one to choose from; with one, there is nothing to choose."""
    return lambda context, _answers: len(options(context)) > 1


@dataclass(frozen=True, slots=True)
class DateOrder:
    """A date answer that must not come before another: ``later`` on or after ``earlier`` (after
    it, unless ``same_day``), else ``message``, shown at the question ``at`` (``later``'s)."""

    earlier: str
    later: str
    message: str
    same_day: bool = True
    at: str | None = None


def dates_in_order(*orders: DateOrder) -> Callable[[Mapping[str, object]], tuple[str, str] | None]:
    """A form's ``order`` for its dates: the first of ``orders`` the answers break, as
    (question, message); None when they keep them all, or a date is not answered."""

    def order(answers: Mapping[str, object]) -> tuple[str, str] | None:
        for each in orders:
            first, second = answers.get(each.earlier), answers.get(each.later)
            if not isinstance(first, date) or not isinstance(second, date):
                continue
            if second < first or (second == first and not each.same_day):
                return each.at or each.later, each.message
        return None

    return order


@dataclass(frozen=True, slots=True)
class Context:
    """What a notice is written for: the process, the buyer, and the moment."""

    ocid: str
    buyer_id: str  # the organisation's party id
    buyer_name: str
    now: datetime
    # The procurement's compiled release as published so far, for a notice that follows others
    # in it (level PROCESS); None for a new procurement.
    compiled: dict | None = None


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
    reader = question.reader or _READERS[question.kind]
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


def _checkboxes(question: Question, data: Mapping[str, str]) -> list[str] | None:
    """The values ticked, in the order the choices list them; each must be one of them."""
    getlist = getattr(data, "getlist", None)
    given = getlist(question.name) if getlist is not None else [data.get(question.name, "")]
    values = {value.strip() for value in given if isinstance(value, str) and value.strip()}
    if not values:
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    offered = [choice for choice, _ in question.choices]
    if not values <= set(offered):
        raise AnswerProblem(question.missing)
    return [choice for choice in offered if choice in values]


def read_thing(
    question: Question, data: Mapping[str, str]
) -> tuple[dict, dict[str, AnswerProblem]]:
    """One thing of a GROUP question from the posted ``data``: its fields' answers, and the
    problem with each field that has one (the thing is usable when there are none)."""
    assert question.repeating is not None
    found: dict[str, object] = {}
    problems: dict[str, AnswerProblem] = {}
    for part in question.repeating.fields:
        try:
            found[part.name] = read_answer(part, data)
        except AnswerProblem as problem:
            problems[part.name] = problem
    order = question.repeating.order
    if not problems and order is not None:
        wrong = order(found)
        if wrong is not None:
            problems[wrong[0]] = AnswerProblem(wrong[1])
    return found, problems


def _group(question: Question, data: Mapping[str, str]) -> object:
    raise AnswerProblem(question.missing)  # a GROUP's things are read one at a time


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


# An identifier's scheme is an org-id.guide list code (GB-COH); its id letters and
# digits, single spaces, dots, hyphens or underscores between them (nothing a path or a page
# could read as anything but an id). Known schemes are checked by their register's numbering.
MAX_IDENTIFIER = 100
_SCHEME = re.compile(r"[A-Z]{2}(-[A-Z0-9]+)+")
_ID = re.compile(r"[A-Za-z0-9]+([ ._-][A-Za-z0-9]+)*")


def _identifier(question: Question, data: Mapping[str, str]) -> str | None:
    value = _given(question, data)
    if not value:
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    if len(value) > MAX_IDENTIFIER:
        raise AnswerProblem("Enter no more than %(limit)s characters", limit=MAX_IDENTIFIER)
    if _CONTROL.search(value) or "\n" in value or "\r" in value:
        raise AnswerProblem("Enter text without control characters or line breaks")
    checked = check_party_id(value)
    if checked.identifier is None:
        raise AnswerProblem(
            "Enter the identifier as its register writes it: %(why)s", why=checked.phrase or ""
        )
    if not _SCHEME.fullmatch(checked.identifier.scheme) or not _ID.fullmatch(checked.identifier.id):
        raise AnswerProblem(
            "Enter a register code and an id of letters and digits, such as GB-COH-01234567"
        )
    return str(checked.identifier)


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
    IDENTIFIER: _identifier,
    CHECKBOXES: _checkboxes,
    GROUP: _group,
}


def after_today(question: Question, value: object, now: datetime) -> bool:
    """Whether ``value``, the answer to a question of what has happened (``past``), is a day
    after ``now``'s day in the UK."""
    today = now.astimezone(LONDON).date()
    return bool(question.past) and isinstance(value, date) and value > today


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
    if question.kind in (CHOICE, CHECKBOXES, GROUP):
        return _listed(question, value)
    return str(value)


def _listed(question: Question, value: object) -> str:
    """A choice, the choices ticked, or the things added, as the check page writes them."""
    labels = dict(question.choices)
    if question.kind == CHOICE:
        return str(labels.get(str(value), str(value)))
    listed = value if isinstance(value, list) else [value]
    if question.kind == CHECKBOXES:
        return "; ".join(str(labels.get(str(item), item)) for item in listed)
    return "; ".join(thing_shown(question, thing) for thing in listed)


def thing_shown(question: Question, thing: object) -> str:
    """One thing of a GROUP question as a line: its fields' answers, those not given left out."""
    assert question.repeating is not None
    kept = thing if isinstance(thing, dict) else {}
    return ": ".join(
        shown(part, kept.get(part.name))
        for part in question.repeating.fields
        if kept.get(part.name) not in (None, "")
    )


def stored(value: object) -> object:
    """An answer as the session keeps it (JSON): dates and times as ISO text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def restored(question: Question, value: object) -> object:
    """An answer kept in the session, as ``read_answer`` gave it; a list of choices or things
    that is no such list, none."""
    if question.kind in (CHECKBOXES, GROUP):
        return _listed_kept(question, value)
    if not isinstance(value, str):
        return value
    if question.kind == DATE:
        return date.fromisoformat(value)
    if question.kind == DATETIME:
        return datetime.fromisoformat(value)
    return value


def _listed_kept(question: Question, value: object) -> list | None:
    """The choices ticked (text), or the things added (each a dict of its fields' text)."""
    if not isinstance(value, list):
        return None
    if question.repeating is None:
        return value if all(isinstance(item, str) for item in value) else None
    names = [part.name for part in question.repeating.fields]
    return [
        {name: thing.get(name) for name in names}
        for thing in value
        if isinstance(thing, dict) and all(isinstance(thing.get(n), str | None) for n in names)
    ]


def form_values(question: Question, value: object) -> dict[str, object]:
    """The form fields that show an answer again (to change it): for CHECKBOXES, the list of
    values ticked."""
    if value is None:
        return {}
    if question.kind == CHECKBOXES and isinstance(value, list):
        return {question.name: [str(item) for item in value]}
    if question.kind in (DATE, DATETIME) and isinstance(value, date):
        found: dict[str, object] = {
            f"{question.name}-day": str(value.day),
            f"{question.name}-month": str(value.month),
            f"{question.name}-year": str(value.year),
        }
        if isinstance(value, datetime):
            found[f"{question.name}-time"] = value.astimezone(LONDON).strftime("%H:%M")
        return found
    if question.kind == MONEY and isinstance(value, int | float):
        # Pence as two digits, never an exponent: 1250000.5 is shown as 1250000.50.
        return {question.name: f"{value:.2f}" if isinstance(value, float) else str(value)}
    return {question.name: str(value)}


def moment(value: object) -> str:
    """A date-time answer as OCDS writes it, in UK time with its offset."""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).isoformat(timespec="seconds")
    return str(value)


# The question every notice that plans or tenders a contract asks of its value.
ESTIMATED_VALUE = Question(
    "value",
    MONEY,
    "What is the estimated value of the contract, including VAT?",
    "The most you expect to pay over the whole contract, in pounds.",
    pointers=("/tender/value",),
    missing="Enter the estimated value, in pounds",
)


def start_of(day: object) -> str:
    """A date answer as the first moment of that day in the UK, as OCDS writes a date-time."""
    assert isinstance(day, date)
    return moment(datetime.combine(day, time(0, 0), tzinfo=LONDON))


def end_of(day: object) -> str:
    """A date answer as the last second of that day in the UK."""
    assert isinstance(day, date)
    return moment(datetime.combine(day, time(23, 59, 59), tzinfo=LONDON))


def pounds(amount: object) -> dict:
    """A money answer as an OCDS value: the forms ask in pounds."""
    return {"amount": amount, "currency": "GBP"}


def notice_document(code: str, context: Context, *, recurring: bool = False) -> dict:
    """The notice's own document: its notice type (as the Find a Tender Service publishes it),
    when it was published and, where one fits, its OCDS document type. A ``recurring`` notice
    (one a procurement or contract may have many of, beside one another) has its moment in
    its id: documents of one id are merged into one (OCDS 1.1, "Merging")."""
    published = moment(context.now.astimezone(LONDON))
    named = f"{code}-notice-{stamp(context.now)}" if recurring else f"{code}-notice"
    document = {"id": named, "noticeType": code, "datePublished": published}
    known = NOTICE_TYPES.get(code)
    if known is not None and known.document_type:
        document["documentType"] = known.document_type
    return document


def release_id(code: str, context: Context) -> str:
    """A new release's id: ocid, notice type and moment (to the microsecond: ids.stamp)."""
    return f"{context.ocid}-{code}-{stamp(context.now)}"


def texts_of(form: NoticeForm) -> list[str]:
    """Every text of a form that the pages show, for the Welsh catalogue."""
    found = [form.title, *form.order_messages]
    for question in form.questions:
        found += _texts_of_question(question)
        if question.repeating is not None:
            found += question.repeating.texts()
            for part in question.repeating.fields:
                found += _texts_of_question(part)
    return found


def _texts_of_question(question: Question) -> list[str]:
    found = [question.label, question.missing]
    found += [question.hint] if question.hint else []
    found += [question.past] if question.past else []
    found += [label for _, label in question.choices if isinstance(label, str)]
    return found


SHARED_TEXTS = tuple(_MISSING_PARTS.values())
