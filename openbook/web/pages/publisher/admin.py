"""Administration (issue 8: "administrators manage the debarment list and review entries"): the
dashboard, and what the debarment and review pages share: who may use them, the organisation
an administrator records for, GOV.UK date inputs, and the register use case's problems
(JSON pointers into the entry) turned back into the form's fields.

Entries are recorded by openbook.registers.record, the use case behind the publish API's
register routes, so the pages store nothing the API would refuse. The use case keeps, with each
version, the registered organisation it was recorded for (the command line's ``--publisher``);
an administrator account belongs to none, so the forms ask for it, remembered for the session.
"""

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from openbook import registers
from openbook.publishing.answers import Problem as AnswerProblem
from openbook.publishing.publishers import ADMINISTRATOR, PublisherError, find_publisher
from openbook.standards.registers import Register, fields
from openbook.standards.registers.fields import OBJECT, Field
from openbook.store import publishers as stored
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.web.pages.errors import PageError, Problem, answer, bad_request
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.session import signed_in
from openbook.web.pages.rendering import page

BASE = "/publish/admin"
RECORDER = "openbook_admin_recorder"  # the organisation last recorded for, this session
COUNTED = 1000  # counts above this read "more than 1,000": the lists are paged, never counted
# What awaits review: the statuses of a case not yet closed (openbook.standards.registers.cases).
OPEN = {"complaints": ("received", "under-review"), "challenges": ("filed", "in-progress")}
_ENTRY_ID = re.compile(r"[A-Z]{3}-\d{6}")
_BEFORE_DAY = re.compile(r"before (\d{4}-\d{2}-\d{2})")
LONGEST_REFERENCE = 200


def administrator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for administrator accounts: others get a 403 page, the signed-out go to sign in."""

    @signed_in
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.publisher.role != ADMINISTRATOR:
            refusal = PageError(403, _("Only the platform's administrators can use these pages"))
            return answer(request, refusal)
        try:
            return view(request, *args, **kwargs)
        except PageError as error:
            return answer(request, error)

    return wrapped


def today() -> str:
    return date.today().isoformat()


def count(store: Store, code: str, statuses: tuple[str, ...], in_force_on: str | None) -> dict:
    """How many entries have these statuses, read as a bounded list: ``{"count", "more"}``."""
    total = 0
    for status in statuses:
        found = registers.entries(
            store, code, status=status, in_force_on=in_force_on, limit=COUNTED + 1
        )
        total += len(found)
    return {"count": min(total, COUNTED), "more": total > COUNTED}


@require_safe
@administrator
def dashboard(request: HttpRequest) -> HttpResponse:
    store = Store()
    context = {
        "account": {"username": request.publisher.username, "role": ADMINISTRATOR},
        "debarment": {
            "inForce": count(store, "debarment", ("active",), today()),
            "today": today(),
        },
        "awaitingReview": {
            code: count(store, code, statuses, None) for code, statuses in OPEN.items()
        },
    }
    return page(request, "pages/publisher/admin/dashboard.html", context, title=_("Administration"))


# What the forms share


def checked_id(register: Register, key: str) -> str:
    """An entry id of the register, else a 404 page (before the database is asked)."""
    if not _ENTRY_ID.fullmatch(key) or not key.startswith(register.prefix):
        raise PageError(404, _("Page not found"))
    return key


def paging(request: HttpRequest, register: Register) -> str | None:
    """The ``before`` parameter of a register's list: an entry id of that register."""
    before = request.GET.get("before")
    if before is None:
        return None
    if not _ENTRY_ID.fullmatch(before) or not before.startswith(register.prefix):
        raise bad_request(
            [
                Problem(
                    "before",
                    _("Give an entry id, such as %(example)s", example=f"{register.prefix}-000001"),
                )
            ]
        )
    return before


def recorder_value(request: HttpRequest, fallback: int | None = None) -> str:
    """The organisation to prefill: the one recorded for this session, else ``fallback``."""
    kept = request.session.get(RECORDER)
    number = kept if isinstance(kept, int) else fallback
    found = stored.organisation(Store(), number) if number is not None else None
    return found.org_id if found is not None else ""


def read_recorder(request: HttpRequest, text: str) -> tuple[Organisation | None, str | None]:
    """The registered organisation named (identifier or number), and the message if none is."""
    text = text.strip()
    if not text:
        return None, _(
            "Enter the organisation you record this for: its identifier, such as GB-GOR-D1, "
            "or its number"
        )
    if len(text) > LONGEST_REFERENCE:
        return None, _("Enter no more than %(limit)s characters", limit=LONGEST_REFERENCE)
    if "\x00" in text:
        return None, _("Remove the NUL character from this answer")
    try:
        found = find_publisher(Store(), text)
    except PublisherError:
        return None, _(
            "No organisation %(reference)s is registered: enter the identifier or number of "
            "a registered organisation",
            reference=text,
        )
    request.session[RECORDER] = found.id
    return found, None


@dataclass(frozen=True, slots=True)
class FormProblem:
    field: str  # the form's field, as its element id: "supplier-name", "start-day"; "" none
    message: str

    @property
    def href(self) -> str | None:
        return f"#{self.field}" if self.field else None

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "href": self.href}


def read_date(
    form: Mapping[str, str], name: str, label: str, problems: list[FormProblem]
) -> str | None:
    """A GOV.UK date input's day, month and year as YYYY-MM-DD; None if left empty. A date
    partly given or not in the calendar is a problem against its day field."""
    parts = [form.get(f"{name}-{part}", "").strip() for part in ("day", "month", "year")]
    if not any(parts):
        return None
    where = f"{name}-day"
    if not all(parts):
        problems.append(
            FormProblem(where, _("%(date)s must include a day, month and year", date=label))
        )
        return None
    if not all(part.isdigit() and len(part) <= 4 for part in parts) or len(parts[2]) != 4:
        problems.append(FormProblem(where, _("%(date)s must be a real date", date=label)))
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0])).isoformat()
    except ValueError:
        problems.append(FormProblem(where, _("%(date)s must be a real date", date=label)))
        return None


def date_values(name: str, iso: object) -> dict[str, str]:
    """A date's day, month and year for a date input, from YYYY-MM-DD."""
    if not isinstance(iso, str) or len(iso) != 10:
        return {}
    year, month, day = iso.split("-")
    return {f"{name}-day": str(int(day)), f"{name}-month": str(int(month)), f"{name}-year": year}


def field_at(fields: tuple[Field, ...], pointer: str) -> Field | None:
    """The declared field a JSON pointer into an entry leads to (list positions skipped)."""
    found = None
    for part in pointer.strip("/").split("/"):
        if part.isdigit() and found is not None:
            continue
        found = next((each for each in fields if each.name == part), None)
        if found is None:
            return None
        fields = found.fields if found.kind == OBJECT or found.fields else ()
    return found


def problem_message(problem, register: Register, messages: Mapping[tuple[str, str], str]) -> str:
    """The reader's words for a problem the use case found: by (pointer, code), else by code;
    the use case's own message where there are none."""
    pointer, code = problem.pointer or "", problem.code
    if (pointer, code) in messages:
        return messages[(pointer, code)]
    if (pointer, "") in messages and code == "required":
        return messages[(pointer, "")]
    spec = field_at(register.fields, pointer)
    if code == "too-long" and spec is not None:
        return _("Enter no more than %(limit)s characters", limit=f"{spec.longest:,}")
    if code == "invalid-character":
        return _("Remove the NUL character from this answer")
    if code == "malformed-url":
        return _("Enter the address of the document, starting https://")
    return problem.message


def ends_before(message: str) -> str | None:
    """The day the use case says an entry must end before (YYYY-MM-DD), from its message."""
    found = _BEFORE_DAY.search(message)
    return found.group(1) if found else None


def prechecked(register: Register, sent: dict) -> tuple[dict, list[AnswerProblem]]:
    """The entry in the register's normal form, and what its own checks (each field's, then
    the register's rules: dates in order, at most five years) find wrong: the checks the use
    case makes first, before it looks anything up."""
    entry, found = fields.read(sent, register.fields)
    if not found:
        found = register.rules(entry)
    return entry, [AnswerProblem(p.path, p.code, p.message, "error", True) for p in found]


def form_problems(
    problems: list[AnswerProblem],
    pointers: Mapping[str, str],
    words: Callable[[AnswerProblem], str],
    already: list[FormProblem],
) -> list[FormProblem]:
    """The use case's problems against the form's fields, in the reader's ``words`` (none
    twice: a field the form could not read is already wrong, and the use case would only say
    it is missing)."""
    taken = {each.field for each in already}
    found = list(already)
    for problem in problems:
        where = pointers.get(problem.pointer or "", "")
        if where and where in taken:
            continue
        taken.add(where)
        found.append(FormProblem(where, words(problem)))
    return found
