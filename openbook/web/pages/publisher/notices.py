"""Publishing a notice through question pages (issue 8, item 2): one question a page, the
GOV.UK error summary and error messages, then check your answers. The answers become a release
(openbook.publishing.notice_forms) checked and published by the same use case as the publish
API: what the pages publish, the API would have accepted, and what the API would refuse, the
check page shows against the question to change."""

from datetime import UTC, datetime
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook.publishing import notice_forms
from openbook.publishing.answers import Problem, Refused
from openbook.publishing.notice_forms import AnswerProblem, NoticeForm
from openbook.publishing.publish import publish
from openbook.publishing.publishers import PUBLISHER, mint_ocid
from openbook.standards.ocds.summary import summarise
from openbook.store.database import Store
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.process import OwnProcess, own_process, process_address
from openbook.web.pages.publisher.session import Publisher, actor, signed_in
from openbook.web.pages.rendering import page

DRAFT = "openbook_draft"  # as openbook.web.pages.publisher.process starts it
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
        if code in {form.code for form in _starting()}:
            request.session[DRAFT] = {"code": code, "answers": {}}
            first = notice_forms.FORMS[code].questions[0].name
            return HttpResponseRedirect(f"{BASE}/draft/{first}")
        error = _("Select the notice you want to publish")
    context = {
        "forms": [{"code": form.code, "title": form.title} for form in _starting()],
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


def _starting() -> list[NoticeForm]:
    """The forms a notice starts from here: a new procurement's, or the authority's. A notice
    of a procurement already published starts from its page (openbook.web.pages.publisher
    .process), bound to it."""
    return [
        form
        for form in notice_forms.FORMS.values()
        if form.level in (notice_forms.NEW_PROCESS, notice_forms.AUTHORITY)
    ]


def _bound(form: NoticeForm, draft: dict) -> bool:
    """Whether the draft is a notice of a procurement already published: the next notice of
    one (chosen on its page: ``bound``), or a correction of one of its notices."""
    return (
        form.level == notice_forms.PROCESS
        or bool(draft.get("corrects"))
        or draft.get("bound") is True
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
        "back": f"{BASE}/draft/check" if change else _before(form, draft, name),
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


def _before(form: NoticeForm, draft: dict, name: str) -> str:
    names = [question.name for question in form.questions]
    index = names.index(name)
    if index > 0:
        return f"{BASE}/draft/{names[index - 1]}"
    if _bound(form, draft) and isinstance(draft.get("ocid"), str):
        return process_address(draft["ocid"])
    return f"{BASE}/new"


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def check(request: HttpRequest) -> HttpResponse:
    """Check your answers: every answer with a link to change it, and what the publish checks
    would say of the notice; sending the form publishes it. A notice of a procurement already
    published is written for it as published so far (``Context.compiled``), once the page has
    made sure the procurement is the organisation's; a correction is the notice's release made
    a correction of the one it corrects."""
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
    try:
        context, process = _written_for(request, publisher, form, draft)
    except PageError as refusal:
        return page(
            request,
            "pages/publisher/check.html",
            _check_context(
                form,
                draft,
                answers,
                problems=[{"question": None, "message": refusal.title, "pointer": None}],
                release=None,
                process=None,
            ),
            title=_title(draft),
            status=refusal.status,
            error=True,
        )
    return _checked(request, publisher, (form, draft, answers), context, process)


def _written_for(
    request: HttpRequest, publisher: Publisher, form: NoticeForm, draft: dict
) -> tuple[notice_forms.Context, OwnProcess | None]:
    """What the notice is written for: a procurement already published, which must be the
    organisation's (PageError 403 or 404 otherwise: a draft's ocid comes from a page, but the
    session is not taken on trust), or a new one, whose ocid is minted once."""
    organisation = publisher.organisation
    assert organisation is not None
    store = Store()
    process = None
    if _bound(form, draft):
        if not isinstance(draft.get("ocid"), str):
            raise PageError(404, _("Page not found"))
        process = own_process(store, organisation, draft["ocid"])
    elif "ocid" not in draft:
        draft["ocid"] = mint_ocid(store, organisation, actor(request, publisher))
        request.session[DRAFT] = draft
    context = notice_forms.Context(
        ocid=str(draft["ocid"]),
        buyer_id=organisation.party_id,
        buyer_name=organisation.name,
        now=datetime.now(UTC),
        compiled=process.compiled if process is not None else None,
    )
    return context, process


def _checked(
    request: HttpRequest,
    publisher: Publisher,
    drafted: tuple[NoticeForm, dict, dict],
    context: notice_forms.Context,
    process: OwnProcess | None,
) -> HttpResponse:
    """The release the answers make, checked by the publish use case (and published, for a
    POST it does not refuse)."""
    form, draft, answers = drafted
    problems: list[dict] = []
    order = form.order_problem(answers, context)  # and the procurement
    if order is not None:
        problems.append({"question": order[0], "message": _(order[1]), "pointer": None})
    release = form.build(context, answers)
    if draft.get("corrects"):
        # A correction is a new release that says what it amends, and changes the awards and
        # contracts the notice it corrects wrote rather than adding others.
        from openbook.publishing.notice_forms.corrections import as_correction
        from openbook.web.pages.publisher.corrections import correctable

        organisation = publisher.organisation
        assert organisation is not None
        try:
            original = correctable(Store(), organisation, context.ocid, str(draft["corrects"]))
        except PageError as refusal:
            return answer(request, refusal)
        release = as_correction(release, str(draft["corrects"]), context, original=original)
    dry_run = request.method != "POST" or bool(problems)
    status = 200
    if not problems:
        organisation = publisher.organisation
        assert organisation is not None
        try:
            outcome = publish(
                Store(), organisation, release, actor(request, publisher), dry_run=dry_run
            )
        except Refused as refused:
            problems += [_problem(form, problem) for problem in refused.problems] or [
                {"question": None, "message": refused.message, "pointer": None}
            ]
            status = refused.status if request.method == "POST" else 200
        else:
            if not dry_run:
                del request.session[DRAFT]
                return HttpResponseRedirect(f"{BASE}/published?ocid={quote(context.ocid)}")
            warnings = [_problem(form, problem) for problem in outcome.problems]
            problems += [{**warning, "warning": True} for warning in warnings]
    blocking = [problem for problem in problems if not problem.get("warning")]
    if blocking and request.method == "POST" and status == 200:
        status = 422
    return page(
        request,
        "pages/publisher/check.html",
        _check_context(form, draft, answers, problems=problems, release=release, process=process),
        title=_title(draft),
        status=status,
        error=bool(blocking),
    )


def _title(draft: dict) -> str:
    if draft.get("corrects"):
        return _(
            "Check your answers before publishing your correction of notice %(id)s",
            id=str(draft["corrects"]),
        )
    return _("Check your answers before publishing your notice")


def _check_context(
    form: NoticeForm,
    draft: dict,
    answers: dict,
    *,
    problems: list[dict],
    release: dict | None,
    process: OwnProcess | None,
) -> dict:
    ocid = draft.get("ocid")
    return {
        "notice": {
            "code": form.code,
            "title": _(form.title),
            "ocid": ocid,
            "corrects": draft.get("corrects"),
            "process": {
                "title": summarise(process.compiled).title,
                "href": process_address(process.ocid),
            }
            if process is not None
            else None,
        },
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
        "refused": release is None,
    }


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
