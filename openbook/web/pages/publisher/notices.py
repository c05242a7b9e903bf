"""Publishing a notice through question pages (issue 8, item 2): one question a page, the
GOV.UK error summary and error messages, then check your answers. The answers become a release
(openbook.publishing.notice_forms) checked and published by the same use case as the publish
API: what the pages publish, the API would have accepted, and what the API would refuse, the
check page shows against the question to change."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook.publishing import notice_forms
from openbook.publishing.answers import Problem, Refused
from openbook.publishing.notice_forms import AnswerProblem, NoticeForm
from openbook.publishing.publish import publish
from openbook.publishing.publishers import PUBLISHER, mint_ocid
from openbook.store.database import Store
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.session import Publisher, actor, signed_in
from openbook.web.pages.rendering import page

DRAFT = "openbook_draft"
BASE = "/publish/notices"


def _may_publish(publisher: Publisher) -> None:
    if publisher.role != PUBLISHER or publisher.organisation is None:
        raise PageError(403, _("Only a publisher of an organisation can publish its notices"))


def _draft(request: HttpRequest) -> tuple[NoticeForm, dict] | None:
    draft = request.session.get(DRAFT)
    if not isinstance(draft, dict):
        return None
    form = notice_forms.FORMS.get(draft.get("code", ""))
    return (form, draft) if form is not None else None


def _answers(form: NoticeForm, draft: dict) -> dict[str, object]:
    kept = draft.get("answers", {})
    return {
        question.name: notice_forms.restored(question, kept[question.name])
        for question in form.questions
        if question.name in kept
    }


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def start(request: HttpRequest) -> HttpResponse:
    """Which notice to publish: those the pages ask for, and the rest through the API."""
    try:
        _may_publish(request.publisher)
    except PageError as refusal:
        return answer(request, refusal)
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        if code in notice_forms.FORMS:
            request.session[DRAFT] = {"code": code, "answers": {}}
            first = notice_forms.FORMS[code].questions[0].name
            return HttpResponseRedirect(f"{BASE}/draft/{first}")
        error = _("Select the notice you want to publish")
    context = {
        "forms": [{"code": form.code, "title": form.title} for form in notice_forms.FORMS.values()],
        "error": error,
    }
    return page(
        request,
        "pages/publisher/start.html",
        context,
        title=_("Which notice do you want to publish?"),
        status=400 if error else 200,
        error=bool(error),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def question(request: HttpRequest, name: str) -> HttpResponse:
    """One question of the draft notice."""
    found = _draft(request)
    if found is None:
        return HttpResponseRedirect(f"{BASE}/new")
    form, draft = found
    asked = form.question(name)
    if asked is None:
        return answer(request, PageError(404, _("Page not found")))
    change = request.GET.get("change") == "1" or request.POST.get("change") == "1"
    message = None
    values = notice_forms.form_values(asked, _answers(form, draft).get(name))
    if request.method == "POST":
        values = {key: value for key, value in request.POST.items() if key.startswith(name)}
        try:
            value = notice_forms.read_answer(asked, request.POST)
        except AnswerProblem as problem:
            message = _(problem.message, **problem.values)
        else:
            draft.setdefault("answers", {})[name] = notice_forms.stored(value)
            request.session[DRAFT] = draft
            return HttpResponseRedirect(_after(form, name, change))
    context = {
        "notice": {"code": form.code, "title": _(form.title)},
        "question": {
            "name": asked.name,
            "kind": asked.kind,
            "label": _(asked.label),
            "hint": _(asked.hint) if asked.hint else "",
            "choices": [{"value": value, "text": _(text)} for value, text in asked.choices],
            "optional": asked.optional,
        },
        "values": values,
        "error": message,
        "change": change,
        "back": f"{BASE}/draft/check" if change else _before(form, name),
    }
    return page(
        request,
        "pages/publisher/question.html",
        context,
        title=_(asked.label),
        status=400 if message else 200,
        error=bool(message),
    )


def _after(form: NoticeForm, name: str, change: bool) -> str:
    names = [question.name for question in form.questions]
    index = names.index(name)
    if change or index == len(names) - 1:
        return f"{BASE}/draft/check"
    return f"{BASE}/draft/{names[index + 1]}"


def _before(form: NoticeForm, name: str) -> str:
    names = [question.name for question in form.questions]
    index = names.index(name)
    return f"{BASE}/new" if index == 0 else f"{BASE}/draft/{names[index - 1]}"


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def check(request: HttpRequest) -> HttpResponse:
    """Check your answers: every answer with a link to change it, and what the publish checks
    would say of the notice; sending the form publishes it."""
    publisher: Publisher = request.publisher
    try:
        _may_publish(publisher)
    except PageError as refusal:
        return answer(request, refusal)
    found = _draft(request)
    if found is None:
        return HttpResponseRedirect(f"{BASE}/new")
    form, draft = found
    answers = _answers(form, draft)
    unanswered = [q.name for q in form.questions if q.name not in answers and not q.optional]
    if unanswered:
        return HttpResponseRedirect(f"{BASE}/draft/{unanswered[0]}")
    problems: list[dict] = []
    order = form.order_problem(answers)
    if order is not None:
        problems.append({"question": order[0], "message": _(order[1]), "pointer": None})
    store = Store()
    organisation = publisher.organisation
    assert organisation is not None
    if "ocid" not in draft:
        draft["ocid"] = mint_ocid(store, organisation, actor(request, publisher))
        request.session[DRAFT] = draft
    release = _release(form, draft, answers, organisation)
    dry_run = request.method != "POST" or bool(problems)
    if not problems:
        try:
            outcome = publish(
                store, organisation, release, actor(request, publisher), dry_run=dry_run
            )
        except Refused as refused:
            problems += [_problem(form, problem) for problem in refused.problems] or [
                {"question": None, "message": refused.message, "pointer": None}
            ]
        else:
            if not dry_run:
                del request.session[DRAFT]
                return HttpResponseRedirect(f"{BASE}/published?ocid={draft['ocid']}")
            warnings = [_problem(form, problem) for problem in outcome.problems]
            problems += [{**warning, "warning": True} for warning in warnings]
    context = {
        "notice": {"code": form.code, "title": _(form.title), "ocid": draft["ocid"]},
        "answers": [
            {
                "question": q.name,
                "label": _(q.label),
                "answer": _(notice_forms.shown(q, answers.get(q.name)))
                if q.kind == notice_forms.CHOICE
                else notice_forms.shown(q, answers.get(q.name)),
            }
            for q in form.questions
        ],
        "problems": problems,
        "release": release,
    }
    blocking = [problem for problem in problems if not problem.get("warning")]
    return page(
        request,
        "pages/publisher/check.html",
        context,
        title=_("Check your answers before publishing your notice"),
        status=422 if blocking and request.method == "POST" else 200,
        error=bool(blocking),
    )


def _release(form: NoticeForm, draft: dict, answers: dict, organisation) -> dict:
    from datetime import UTC, datetime

    context = notice_forms.Context(
        ocid=draft["ocid"],
        buyer_id=organisation.party_id,
        buyer_name=organisation.name,
        now=datetime.now(UTC),
    )
    return form.build(context, answers)


def _problem(form: NoticeForm, problem: Problem) -> dict:
    asked = form.question_at(problem.pointer)
    return {
        "question": asked.name if asked is not None else None,
        "message": problem.message,
        "pointer": problem.pointer,
    }


@require_safe
@signed_in
def published(request: HttpRequest) -> HttpResponse:
    ocid = request.GET.get("ocid", "")[:100]
    return page(
        request,
        "pages/publisher/published.html",
        {"ocid": ocid},
        title=_("Notice published"),
    )
