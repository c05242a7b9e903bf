"""Reviewing complaints and legal challenges, for administrators: what awaits review (the cases
not yet closed), each case with every version of it, and the review recorded as the register
models it: a change of status (a complaint received, under review, closed; a claim filed, in
progress, closed), with the outcome, the date of the decision or judgment and the day it closed.
The registers have no other review state (openbook.standards.registers.cases), and suppliers
registered by administrators have none to approve (openbook.suppliers): these pages add none.

Each review is a new version of the entry recorded by openbook.registers.record, as the publish
API's PUT records it: made to the version the page showed, checked by the same rules."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook import registers
from openbook.publishing.answers import Problem as AnswerProblem
from openbook.publishing.answers import Refused
from openbook.publishing.publishers import ADMINISTRATOR
from openbook.standards.registers import Register
from openbook.standards.registers.cases import CHALLENGES, COMPLAINTS
from openbook.store.database import Store
from openbook.web.pages.errors import PageError, Problem, bad_request
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher import admin
from openbook.web.pages.publisher.admin import FormProblem
from openbook.web.pages.publisher.admin_debarment import conflict
from openbook.web.pages.publisher.session import actor
from openbook.web.pages.rendering import page

BASE = f"{admin.BASE}/reviews"
DONE = "openbook_admin_reviewed"
PAGE = 50
REGISTERS = {COMPLAINTS.code: COMPLAINTS, CHALLENGES.code: CHALLENGES}
# The date a case was decided: a complaint's decision, a claim's judgment.
DECIDED = {COMPLAINTS.code: "decisionDate", CHALLENGES.code: "judgmentDate"}
POINTERS = {
    "/status": "status",
    "/outcome": "outcome",
    "/closedDate": "closed-day",
    "/decisionDate": "decided-day",
    "/judgmentDate": "decided-day",
    "/summary": "summary",
}


def _register(code: str) -> Register:
    if code not in REGISTERS:
        raise PageError(404, _("Page not found"))
    return REGISTERS[code]


def _names() -> dict[str, str]:
    """The statuses' and outcomes' names, both registers'."""
    return {
        "received": _("Received"),
        "under-review": _("Under review"),
        "filed": _("Filed"),
        "in-progress": _("In progress"),
        "closed": _("Closed"),
        "upheld": _("Upheld"),
        "partly-upheld": _("Partly upheld"),
        "not-upheld": _("Not upheld"),
        "withdrawn": _("Withdrawn"),
        "resolved": _("Resolved"),
        "claim-upheld": _("Claim upheld"),
        "claim-dismissed": _("Claim dismissed"),
        "settled": _("Settled"),
        "discontinued": _("Discontinued"),
    }


def _titles(code: str, key: str = "") -> dict[str, str]:
    if code == COMPLAINTS.code:
        return {
            "list": _("Complaints awaiting review"),
            "entry": _("Complaint %(entry)s", entry=key),
            "decided": _("Date of the decision"),
        }
    return {
        "list": _("Legal challenges awaiting review"),
        "entry": _("Legal challenge %(entry)s", entry=key),
        "decided": _("Date of the judgment"),
    }


@require_safe
@admin.administrator
def cases(request: HttpRequest, code: str) -> HttpResponse:
    """The cases of a register awaiting review (or of one ``status``), the newest first."""
    register = _register(code)
    status = request.GET.get("status") or None
    if status is not None and status not in register.statuses:
        raise bad_request(
            [
                Problem(
                    "status",
                    _("Choose one of: %(statuses)s", statuses=", ".join(register.statuses)),
                )
            ]
        )
    before = admin.paging(request, register)
    store = Store()
    found = []
    for each in (status,) if status else admin.OPEN[code]:
        found += registers.entries(store, code, status=each, before=before, limit=PAGE + 1)
    found.sort(key=lambda entry: entry.entry_id, reverse=True)
    shown = found[:PAGE]
    names = _names()
    context = {
        "register": code,
        "status": status,
        "statuses": [{"value": each, "text": names[each]} for each in register.statuses],
        "cases": [
            {
                "id": each.entry_id,
                "version": each.version,
                "ocid": each.entry["ocid"],
                "parties": each.entry["parties"],
                "began": each.start_date,
                "status": each.status,
                "statusName": names.get(each.status, each.status),
            }
            for each in shown
        ],
        "next": shown[-1].entry_id if len(found) > PAGE else None,
    }
    return page(request, "pages/publisher/admin/reviews.html", context, title=_titles(code)["list"])


def _messages() -> dict[tuple[str, str], str]:
    return {
        ("/status", "unknown-code"): _("Select where the case stands"),
        ("/status", ""): _("Select where the case stands"),
        ("/outcome", "unknown-code"): _("Select the outcome"),
        ("/outcome", "required"): _("Select the outcome: a closed case needs one"),
        ("/closedDate", "required"): _("Enter the date the case was closed"),
        ("/outcome", "outcome-before-closed"): _(
            "Give an outcome only once the case is closed: select Closed, or select Not decided yet"
        ),
        ("/closedDate", "dates-out-of-order"): _(
            "The date the case was closed must be the same as or after the day it began and "
            "the date it was decided"
        ),
        ("/decisionDate", "dates-out-of-order"): _(
            "The date of the decision must be the same as or after the day the complaint was "
            "received"
        ),
        ("/judgmentDate", "dates-out-of-order"): _(
            "The date of the judgment must be the same as or after the day the claim was filed"
        ),
    }


def _words(register: Register) -> Callable[[AnswerProblem], str]:
    messages = _messages()

    def words(problem: AnswerProblem) -> str:
        return admin.problem_message(problem, register, messages)

    return words


def _values(code: str, entry: dict) -> dict[str, str]:
    return {
        "status": entry.get("status", ""),
        "outcome": entry.get("outcome", ""),
        "summary": entry.get("summary", ""),
        **admin.date_values("decided", entry.get(DECIDED[code])),
        **admin.date_values("closed", entry.get("closedDate")),
    }


def _reviewed(code: str, entry: dict, form, problems: list[FormProblem]) -> tuple[dict, dict]:
    """The form's values, and the entry as the review leaves it: the case as it stands with
    its status, outcome, dates and summary as the form gives them (a field emptied is taken
    out)."""
    values = {name: form.get(name, "") for name in ("status", "outcome", "summary", "recorder")}
    for name in ("decided", "closed"):
        for part in ("day", "month", "year"):
            values[f"{name}-{part}"] = form.get(f"{name}-{part}", "")
    titles = _titles(code)
    given = {
        "status": values["status"],
        "outcome": values["outcome"],
        "summary": values["summary"],
        DECIDED[code]: admin.read_date(form, "decided", titles["decided"], problems),
        "closedDate": admin.read_date(form, "closed", _("Date the case was closed"), problems),
    }
    sent = dict(entry)
    for name, value in given.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            sent.pop(name, None)
        else:
            sent[name] = value
    if "status" not in sent:
        sent["status"] = ""  # the use case says it is required
    return values, sent


@require_http_methods(["GET", "HEAD", "POST"])
@admin.administrator
def case(request: HttpRequest, code: str, key: str) -> HttpResponse:
    """A case, every version of it, and the form that records its review."""
    register = _register(code)
    store = Store()
    try:
        current = registers.entry(store, code, admin.checked_id(register, key))
    except registers.UnknownEntry:
        raise PageError(404, _("Page not found")) from None
    problems: list[FormProblem] = []
    conflicted = False
    values = {**_values(code, current.entry), "recorder": admin.recorder_value(request)}
    if request.method == "POST":
        values, sent = _reviewed(code, current.entry, request.POST, problems)
        recorder, refusal = admin.read_recorder(request, values["recorder"])
        given = request.POST.get("version", "")
        if not given.isdigit() or len(given) > 9:
            raise bad_request([Problem("version", _("Open the entry again, and change it there"))])
        if int(given) != current.version:
            conflicted = True
            problems.insert(0, FormProblem("", conflict(current.entry_id, current.version)))
        if refusal is not None:
            problems.append(FormProblem("recorder", refusal))
        if not problems and recorder is not None:
            try:
                recorded = registers.record(
                    store,
                    code,
                    sent,
                    organisation=recorder,
                    role=ADMINISTRATOR,
                    actor=actor(request, request.publisher),
                    entry_id_=current.entry_id,
                    replaces=int(given),
                )
            except Refused as refused:
                if refused.code == "version-changed":
                    conflicted = True
                    now = registers.entry(store, code, current.entry_id)
                    problems = [FormProblem("", conflict(now.entry_id, now.version))]
                else:
                    problems = admin.form_problems(
                        refused.problems, POINTERS, _words(register), []
                    ) or [FormProblem("", refused.message)]
            else:
                request.session[DONE] = {
                    "entry": recorded.entry.entry_id,
                    "outcome": recorded.outcome,
                    "version": recorded.entry.version,
                }
                return HttpResponseRedirect(f"{BASE}/{code}/{current.entry_id}")
    done = request.session.get(DONE)
    if request.method != "POST" and isinstance(done, dict) and done.get("entry") == key:
        del request.session[DONE]
    else:
        done = None
    names = _names()
    titles = _titles(code, current.entry_id)
    context = {
        "register": code,
        "entry": registers.described(current),
        "versions": [
            {
                "version": version["version"],
                "logTime": version["logTime"],
                "recordedBy": version["recordedBy"],
                "status": (version["entry"] or {}).get("status"),
                "outcome": (version["entry"] or {}).get("outcome"),
            }
            for version in reversed(registers.versions(store, code, current.entry_id))
        ],
        "values": values,
        "statuses": [{"value": each, "text": names[each]} for each in register.statuses],
        "outcomes": [
            {"value": "", "text": _("Not decided yet")},
            *[
                {"value": each, "text": names[each]}
                for each in next(f for f in register.fields if f.name == "outcome").codes
            ],
        ],
        "names": names,
        "decided": titles["decided"],
        "problems": [problem.as_dict() for problem in problems],
        "conflict": conflicted,
        "done": done,
    }
    return page(
        request,
        "pages/publisher/admin/review.html",
        context,
        title=titles["entry"],
        status=(409 if conflicted else 400) if problems else 200,
        error=bool(problems),
    )
