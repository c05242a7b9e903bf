"""The central debarment list, for administrators (Procurement Act 2023, s.62): its entries,
paged; an entry with every version; adding or changing an entry on one form, then check your
answers; ending an entry early (s.64: removal). Every write goes through openbook.registers
.record, as the publish API's do, with the account as the actor; a change names the version it
was made to, and a change someone else made meanwhile is never overwritten."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook import registers
from openbook.publishing.answers import Problem as AnswerProblem
from openbook.publishing.answers import Refused
from openbook.publishing.publishers import ADMINISTRATOR
from openbook.standards.registers import debarment
from openbook.standards.registers.debarment import REGISTER
from openbook.store import publishers as stored
from openbook.store.database import Store
from openbook.web.pages.errors import PageError, Problem, bad_request
from openbook.web.pages.formats import day
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher import admin
from openbook.web.pages.publisher.admin import FormProblem
from openbook.web.pages.publisher.session import actor
from openbook.web.pages.rendering import page

BASE = f"{admin.BASE}/debarment"
DRAFT = "openbook_admin_debarment"
DONE = "openbook_admin_done"  # what the last save did, shown once on the entry's page
PAGE = 50

# Where each of the use case's JSON pointers is on the form (the element its error links to).
POINTERS = {
    "/supplier": "supplier-identifier",
    "/supplier/identifier": "supplier-identifier",
    "/supplier/name": "supplier-name",
    "/ground": "ground-type",
    "/ground/type": "ground-type",
    "/ground/reference": "ground-reference",
    "/ground/description": "ground-description",
    "/decisionDate": "decision-day",
    "/startDate": "start-day",
    "/endDate": "end-day",
    "/status": "status",
    "/review": "review-outcome",
    "/review/outcome": "review-outcome",
    "/review/date": "review-date-day",
    "/review/body": "review-body",
    "/summary": "summary",
    "/documents/0": "document-title",
    "/documents/0/title": "document-title",
    "/documents/0/url": "document-url",
}
TEXTS = (
    "supplier-identifier",
    "supplier-name",
    "ground-type",
    "ground-reference",
    "ground-description",
    "status",
    "review-outcome",
    "review-body",
    "summary",
    "document-title",
    "document-url",
)
DATES = ("decision", "start", "end", "review-date")


def _messages(sent: dict) -> dict[tuple[str, str], str]:
    """The reader's words for the use case's problems, by (pointer, code)."""
    supplier = sent.get("supplier")
    identifier = str(supplier.get("identifier", "")) if isinstance(supplier, dict) else ""
    return {
        ("/supplier/identifier", ""): _("Enter the supplier's identifier"),
        ("/supplier/name", ""): _("Enter the supplier's legal name"),
        ("/ground/type", ""): _("Select the kind of exclusion ground"),
        ("/ground/type", "unknown-code"): _("Select the kind of exclusion ground"),
        ("/ground/reference", ""): _(
            "Enter the statutory reference of the ground, such as Schedule 6, paragraph 1"
        ),
        ("/decisionDate", ""): _("Enter the date of the decision"),
        ("/startDate", ""): _("Enter the first day the entry applies"),
        ("/endDate", ""): _("Enter the last day the entry applies"),
        ("/status", ""): _("Select the status of the entry"),
        ("/status", "unknown-code"): _("Select the status of the entry"),
        ("/review/outcome", "unknown-code"): _("Select the outcome of the review"),
        ("/documents/0/title", ""): _("Enter the title of the document"),
        ("/documents/0/url", ""): _("Enter the address of the document, starting https://"),
        ("/startDate", "dates-out-of-order"): _(
            "The first day the entry applies must be the same as or after the date of the decision"
        ),
        ("/endDate", "dates-out-of-order"): _(
            "The last day the entry applies must be the same as or after the first"
        ),
        ("/review/date", "dates-out-of-order"): _(
            "The date of the review must be the same as or after the date of the decision"
        ),
        ("/supplier/identifier", "unknown-supplier"): _(
            "No process names %(identifier)s and no organisation is registered with it: check "
            "the identifier (the supplier's own, such as its Companies House number), or "
            "register the supplier first",
            identifier=identifier,
        ),
    }


def _words(sent: dict) -> Callable[[AnswerProblem], str]:
    messages = _messages(sent)

    def words(problem: AnswerProblem) -> str:
        if problem.pointer == "/endDate" and problem.code == "too-long":
            limit = admin.ends_before(problem.message)
            if limit is not None:
                return _(
                    "An entry can last at most 5 years: the last day must be before %(day)s",
                    day=day(limit),
                )
        if problem.code.startswith("identifier-"):
            # The identifier check says exactly what is wrong (in English): kept, after the
            # reader's own words.
            return _(
                "Enter the supplier's identifier as its register gives it, written SCHEME-ID, "
                "such as GB-COH-01234567: %(detail)s",
                detail=problem.message,
            )
        return admin.problem_message(problem, REGISTER, messages)

    return words


def _choices() -> dict[str, list[dict]]:
    return {
        "groundTypes": [
            {
                "value": debarment.MANDATORY,
                "text": _("Mandatory exclusion ground (Schedule 6)"),
                "hint": _("The supplier is an excluded supplier"),
            },
            {
                "value": debarment.DISCRETIONARY,
                "text": _("Discretionary exclusion ground (Schedule 7)"),
                "hint": _("The supplier is an excludable supplier"),
            },
        ],
        "statuses": [
            {"value": debarment.ACTIVE, "text": _("Active"), "hint": ""},
            {
                "value": debarment.SUSPENDED,
                "text": _("Suspended"),
                "hint": _("While a court considers an application (section 63)"),
            },
            {
                "value": debarment.REMOVED,
                "text": _("Removed"),
                "hint": _("Taken off the list (section 64)"),
            },
        ],
        "outcomes": [
            {"value": "", "text": _("No application for review or removal"), "hint": ""},
            {"value": "pending", "text": _("Pending: not yet decided"), "hint": ""},
            {"value": "upheld", "text": _("Upheld: the entry stands"), "hint": ""},
            {"value": "varied", "text": _("Varied: the entry was changed"), "hint": ""},
            {"value": "removed", "text": _("Removed: the entry was taken off"), "hint": ""},
        ],
    }


def _values(entry: dict) -> dict[str, str]:
    """The form's values for an entry."""
    supplier = entry.get("supplier") or {}
    ground = entry.get("ground") or {}
    review = entry.get("review") or {}
    documents = entry.get("documents") or [{}]
    values = {
        "supplier-identifier": supplier.get("identifier", ""),
        "supplier-name": supplier.get("name", ""),
        "ground-type": ground.get("type", ""),
        "ground-reference": ground.get("reference", ""),
        "ground-description": ground.get("description", ""),
        "status": entry.get("status", debarment.ACTIVE),
        "review-outcome": review.get("outcome", ""),
        "review-body": review.get("body", ""),
        "summary": entry.get("summary", ""),
        "document-title": documents[0].get("title", ""),
        "document-url": documents[0].get("url", ""),
    }
    for name, field in (
        ("decision", "decisionDate"),
        ("start", "startDate"),
        ("end", "endDate"),
    ):
        values.update(admin.date_values(name, entry.get(field)))
    values.update(admin.date_values("review-date", review.get("date")))
    return values


def _labels() -> dict[str, str]:
    return {
        "decision": _("Date of the decision"),
        "start": _("First day the entry applies"),
        "end": _("Last day the entry applies"),
        "review-date": _("Date of the review"),
    }


def _read(form, current: dict | None, problems: list[FormProblem]) -> tuple[dict, dict]:
    """What the form was sent (its values, to show again) and the entry it makes: the current
    entry's documents after the first, which the form does not show, are kept."""
    values = {name: form.get(name, "") for name in TEXTS}
    for name in DATES:
        for part in ("day", "month", "year"):
            values[f"{name}-{part}"] = form.get(f"{name}-{part}", "")
    labels = _labels()
    dates = {name: admin.read_date(form, name, labels[name], problems) for name in DATES}
    sent: dict = {
        "supplier": {
            "identifier": values["supplier-identifier"],
            "name": values["supplier-name"],
        },
        "ground": {
            "type": values["ground-type"],
            "reference": values["ground-reference"],
            "description": values["ground-description"],
        },
        "decisionDate": dates["decision"],
        "startDate": dates["start"],
        "endDate": dates["end"],
        "status": values["status"] if current is not None else debarment.ACTIVE,
        "summary": values["summary"],
    }
    if current is not None and values["review-outcome"]:
        sent["review"] = {
            "outcome": values["review-outcome"],
            "date": dates["review-date"],
            "body": values["review-body"],
        }
    documents = list((current or {}).get("documents") or [])[1:]
    if values["document-title"].strip() or values["document-url"].strip():
        documents.insert(0, {"title": values["document-title"], "url": values["document-url"]})
    if documents:
        sent["documents"] = documents
    return values, sent


def _version(form) -> int:
    given = form.get("version", "")
    if not given.isdigit() or len(given) > 9:
        raise bad_request([Problem("version", _("Open the entry again, and change it there"))])
    return int(given)


def _current(store: Store, key: str):
    try:
        return registers.entry(store, REGISTER.code, admin.checked_id(REGISTER, key))
    except registers.UnknownEntry:
        raise PageError(404, _("Page not found")) from None


def conflict(key: str, version: int) -> str:
    return _(
        "Someone else changed %(entry)s since you opened it: it is now at version "
        "%(version)s. Open the entry again to see their change, then make yours.",
        entry=key,
        version=version,
    )


@require_safe
@admin.administrator
def entries(request: HttpRequest) -> HttpResponse:
    """The debarment list, the newest entry first, paged with ``before``."""
    status = request.GET.get("status") or None
    if status is not None and status not in REGISTER.statuses:
        raise bad_request(
            [
                Problem(
                    "status",
                    _("Choose one of: %(statuses)s", statuses=", ".join(REGISTER.statuses)),
                    "#status",
                )
            ]
        )
    before = admin.paging(request, REGISTER)
    found = registers.entries(Store(), REGISTER.code, status=status, before=before, limit=PAGE + 1)
    shown = found[:PAGE]
    context = {
        "entries": [_row(each) for each in shown],
        "status": status,
        "statuses": list(REGISTER.statuses),
        "before": before,
        "next": shown[-1].entry_id if len(found) > PAGE else None,
    }
    return page(
        request, "pages/publisher/admin/debarment_list.html", context, title=_("Debarment list")
    )


def _row(found) -> dict:
    entry = found.entry
    return {
        "id": found.entry_id,
        "version": found.version,
        "supplier": entry["supplier"],
        "ground": entry["ground"],
        "startDate": entry["startDate"],
        "endDate": entry["endDate"],
        "status": entry["status"],
        "inForce": debarment.in_force(entry, admin.today()),
    }


@require_http_methods(["GET", "HEAD", "POST"])
@admin.administrator
def add(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@require_http_methods(["GET", "HEAD", "POST"])
@admin.administrator
def change(request: HttpRequest, key: str) -> HttpResponse:
    return _form(request, key)


def _form(request: HttpRequest, key: str | None) -> HttpResponse:
    """The entry on one form: a new one, or a change to ``key`` made to the version shown."""
    store = Store()
    current = _current(store, key) if key is not None else None
    target = key or "new"
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict) or draft.get("target") != target:
        draft = None
    version = current.version if current is not None else None
    problems: list[FormProblem] = []
    conflicted = False
    if request.method == "POST":
        values, sent = _read(request.POST, current.entry if current else None, problems)
        recorder, refusal = admin.read_recorder(request, request.POST.get("recorder", ""))
        values["recorder"] = request.POST.get("recorder", "")
        if current is not None:
            version = _version(request.POST)
            if version != current.version:
                conflicted = True
                problems.insert(0, FormProblem("", conflict(current.entry_id, current.version)))
        entry, found = admin.prechecked(REGISTER, sent)
        problems = admin.form_problems(found, POINTERS, _words(sent), problems)
        if refusal is not None:
            problems.append(FormProblem("recorder", refusal))
        if not problems and recorder is not None:
            request.session[DRAFT] = {
                "target": target,
                "version": version,
                "entry": entry,
                "recorder": recorder.id,
            }
            return HttpResponseRedirect(f"{BASE}/check")
    elif draft is not None and draft.get("version") == version:
        values = _values(draft["entry"])
        values["recorder"] = admin.recorder_value(request, draft.get("recorder"))
    else:
        values = _values(current.entry) if current else {"status": debarment.ACTIVE}
        values["recorder"] = admin.recorder_value(
            request, current.organisation_id if current else None
        )
    kept = len((current.entry.get("documents") or [])[1:]) if current else 0
    context = {
        "entry": {"id": key, "version": version} if key else None,
        "values": values,
        "problems": [problem.as_dict() for problem in problems],
        "conflict": conflicted,
        "keptDocuments": kept,
        **_choices(),
    }
    title = _("Change %(entry)s", entry=key) if key else _("Add an entry to the debarment list")
    return page(
        request,
        "pages/publisher/admin/debarment_form.html",
        context,
        title=title,
        status=(409 if conflicted else 400) if problems else 200,
        error=bool(problems),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@admin.administrator
def check(request: HttpRequest) -> HttpResponse:
    """Check your answers; sending the form records the entry."""
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict):
        return HttpResponseRedirect(f"{BASE}/new")
    store = Store()
    key = None if draft["target"] == "new" else draft["target"]
    form = f"{BASE}/{key}/change" if key else f"{BASE}/new"
    recorder = stored.organisation(store, draft["recorder"])
    if recorder is None:
        return HttpResponseRedirect(form)
    problems: list[FormProblem] = []
    conflicted = None
    if request.method == "POST":
        try:
            recorded = registers.record(
                store,
                REGISTER.code,
                draft["entry"],
                organisation=recorder,
                role=ADMINISTRATOR,
                actor=actor(request, request.publisher),
                entry_id_=key,
                replaces=draft["version"],
            )
        except registers.UnknownEntry:
            raise PageError(404, _("Page not found")) from None
        except Refused as refused:
            if refused.code == "version-changed" and key is not None:
                now = _current(store, key)
                conflicted = conflict(key, now.version)
            else:
                problems = admin.form_problems(
                    refused.problems, POINTERS, _words(draft["entry"]), []
                )
                if not problems:
                    problems = [FormProblem("", refused.message)]
        else:
            del request.session[DRAFT]
            request.session[DONE] = {
                "entry": recorded.entry.entry_id,
                "outcome": recorded.outcome,
                "version": recorded.entry.version,
            }
            return HttpResponseRedirect(f"{BASE}/{recorded.entry.entry_id}")
    context = {
        "entry": {"id": key, "version": draft["version"]} if key else None,
        "form": form,
        "answers": _answers(draft["entry"], recorder),
        "problems": [
            {**problem.as_dict(), "href": f"{form}{problem.href}" if problem.href else None}
            for problem in problems
        ],
        "conflict": conflicted,
    }
    failed = bool(problems or conflicted)
    return page(
        request,
        "pages/publisher/admin/debarment_check.html",
        context,
        title=_("Check the entry before you record it"),
        status=(409 if conflicted else 422) if failed else 200,
        error=failed,
    )


def _answers(entry: dict, recorder) -> list[dict]:
    """Check your answers' rows: the question, the answer as the register will show it, and
    the field to change it at."""
    choices = _choices()
    named = {
        choice["value"]: choice["text"]
        for group in choices.values()
        for choice in group
        if choice["value"]
    }
    review = entry.get("review") or {}
    documents = entry.get("documents") or []
    rows = [
        (_("Recorded for"), f"{recorder.name} ({recorder.org_id})", "recorder"),
        (_("Supplier's identifier"), entry["supplier"]["identifier"], "supplier-identifier"),
        (_("Supplier's legal name"), entry["supplier"]["name"], "supplier-name"),
        (_("Exclusion ground"), named.get(entry["ground"]["type"], ""), "ground-type"),
        (_("Statutory reference"), entry["ground"]["reference"], "ground-reference"),
        (_("The ground in words"), entry["ground"].get("description", ""), "ground-description"),
        (_("Date of the decision"), day(entry["decisionDate"]), "decision-day"),
        (_("First day the entry applies"), day(entry["startDate"]), "start-day"),
        (_("Last day the entry applies"), day(entry["endDate"]), "end-day"),
        (_("Status"), named.get(entry["status"], entry["status"]), "status"),
    ]
    if review:
        rows += [
            (_("Outcome of the review"), named.get(review["outcome"], ""), "review-outcome"),
            (_("Date of the review"), day(review.get("date", "")), "review-date-day"),
            (_("Who decided"), review.get("body", ""), "review-body"),
        ]
    rows += [
        (_("The decision in words"), entry.get("summary", ""), "summary"),
        (
            _("Published decision"),
            f"{documents[0]['title']} ({documents[0]['url']})" if documents else "",
            "document-title",
        ),
    ]
    return [{"label": label, "answer": answer, "field": field} for label, answer, field in rows]


@require_safe
@admin.administrator
def entry(request: HttpRequest, key: str) -> HttpResponse:
    """An entry as it stands, every version of it, and what can be done to it."""
    store = Store()
    found = _current(store, key)
    done = request.session.get(DONE)
    if isinstance(done, dict) and done.get("entry") == found.entry_id:
        del request.session[DONE]
    else:
        done = None
    context = {
        "entry": {
            **registers.described(found),
            "inForce": debarment.in_force(found.entry, admin.today()),
        },
        "versions": _versions(store, found.entry_id),
        "done": done,
    }
    return page(
        request,
        "pages/publisher/admin/debarment_entry.html",
        context,
        title=_("Debarment entry %(entry)s", entry=found.entry_id),
    )


def _versions(store: Store, key: str) -> list[dict]:
    return [
        {
            "version": version["version"],
            "logTime": version["logTime"],
            "recordedBy": version["recordedBy"],
            "status": (version["entry"] or {}).get("status"),
            "endDate": (version["entry"] or {}).get("endDate"),
            "review": (version["entry"] or {}).get("review"),
        }
        for version in reversed(registers.versions(store, REGISTER.code, key))
    ]


@require_http_methods(["GET", "HEAD", "POST"])
@admin.administrator
def end(request: HttpRequest, key: str) -> HttpResponse:
    """End an entry early: the Minister removed it (s.64). It is given the status removed, its
    last day, and the review that removed it; its earlier versions stay in the log."""
    store = Store()
    current = _current(store, key)
    problems: list[FormProblem] = []
    conflicted = False
    values = {**admin.date_values("end", admin.today()), "review-body": ""}
    values["recorder"] = admin.recorder_value(request, current.organisation_id)
    if request.method == "POST" and current.status != debarment.REMOVED:
        values = {
            name: request.POST.get(name, "")
            for name in ("end-day", "end-month", "end-year", "review-body", "recorder")
        }
        last = admin.read_date(request.POST, "end", _("Last day the entry applies"), problems)
        if last is None and not problems:
            problems.append(FormProblem("end-day", _("Enter the last day the entry applies")))
        elif last is not None and last > current.entry["endDate"]:
            problems.append(
                FormProblem(
                    "end-day",
                    _(
                        "The entry already ends on %(day)s: enter that day or an earlier one",
                        day=day(current.entry["endDate"]),
                    ),
                )
            )
        recorder, refusal = admin.read_recorder(request, values["recorder"])
        if refusal is not None:
            problems.append(FormProblem("recorder", refusal))
        version = _version(request.POST)
        if version != current.version:
            conflicted = True
            problems.insert(0, FormProblem("", conflict(current.entry_id, current.version)))
        if not problems and recorder is not None and last is not None:
            review = {"outcome": "removed", "date": last, "body": values["review-body"]}
            sent = {**current.entry, "endDate": last, "status": debarment.REMOVED, "review": review}
            try:
                recorded = registers.record(
                    store,
                    REGISTER.code,
                    sent,
                    organisation=recorder,
                    role=ADMINISTRATOR,
                    actor=actor(request, request.publisher),
                    entry_id_=current.entry_id,
                    replaces=version,
                )
            except Refused as refused:
                if refused.code == "version-changed":
                    conflicted = True
                    now = _current(store, key)
                    problems = [FormProblem("", conflict(now.entry_id, now.version))]
                else:
                    problems = admin.form_problems(refused.problems, END_POINTERS, _words(sent), [])
            else:
                request.session[DONE] = {
                    "entry": recorded.entry.entry_id,
                    "outcome": "ended",
                    "version": recorded.entry.version,
                }
                return HttpResponseRedirect(f"{BASE}/{current.entry_id}")
    removed_already = current.status == debarment.REMOVED
    context = {
        "entry": registers.described(current),
        "removed": removed_already,
        "values": values,
        "problems": [problem.as_dict() for problem in problems],
        "conflict": conflicted,
    }
    return page(
        request,
        "pages/publisher/admin/debarment_end.html",
        context,
        title=_("End %(entry)s early", entry=current.entry_id),
        status=409
        if conflicted or (removed_already and request.method == "POST")
        else (400 if problems else 200),
        error=bool(problems),
    )


END_POINTERS = {"/endDate": "end-day", "/review/date": "end-day", "/review/body": "review-body"}
