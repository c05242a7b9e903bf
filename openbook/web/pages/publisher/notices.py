"""Publishing a notice through question pages (issue 8, item 2): one question a page, the
GOV.UK error summary and error messages, then check your answers. The answers become a release
(openbook.publishing.notice_forms) checked and published by the same use case as the publish
API: what the pages publish, the API would have accepted, and what the API would refuse, the
check page shows against the question to change.

Some questions are asked only when they apply (``Question.applies``): the contract a notice is
about when the procurement has more than one, the questions of the route a notice takes. A page
not asked is skipped: "Continue" and "Back" go to the next and previous page asked, the check
page lists only the questions asked, and a draft whose procurement changed since it was answered
(a second contract published) is asked what it now must answer. A question whose things are
added one at a time (a GROUP, the GOV.UK "add another" pattern) has its pages in
openbook.web.pages.publisher.groups."""

from datetime import UTC, date, datetime
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook.publishing import notice_forms, numbering
from openbook.publishing.answers import Problem, Refused
from openbook.publishing.notice_forms import AnswerProblem, NoticeForm, Question, Words
from openbook.publishing.notice_forms.questions import DATE, DATETIME
from openbook.publishing.publish import publish
from openbook.publishing.publishers import PUBLISHER, mint_ocid
from openbook.standards.ocds.summary import summarise
from openbook.store.database import Store
from openbook.web.pages import formats, i18n
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
    """Every answer the draft keeps, asked now or not."""
    kept = draft.get("answers", {})
    return {
        question.name: notice_forms.restored(question, kept[question.name])
        for question in form.questions
        if question.name in kept
    }


def asking(
    publisher: Publisher, form: NoticeForm, draft: dict
) -> tuple[notice_forms.Context, OwnProcess | None]:
    """What the questions are asked for: the procurement as published, read when what is asked
    depends on it (a draft of a procurement already published, whose form has questions asked
    only sometimes); PageError 403 or 404 when it is not the organisation's."""
    organisation = publisher.organisation
    process = None
    if form.conditional and _bound(form, draft):
        if organisation is None:
            raise PageError(403, _("Only a publisher of an organisation can publish its notices"))
        if not isinstance(draft.get("ocid"), str):
            raise PageError(404, _("Page not found"))
        process = own_process(Store(), organisation, draft["ocid"])
    context = notice_forms.Context(
        ocid=str(draft.get("ocid", "")),
        buyer_id=organisation.party_id if organisation is not None else "",
        buyer_name=organisation.name if organisation is not None else "",
        now=datetime.now(UTC),
        compiled=process.compiled if process is not None else None,
    )
    return context, process


def unanswered(asked: list[Question], answers: dict[str, object]) -> list[Question]:
    """The questions asked that have no answer yet (optional ones too, if never shown): a
    GROUP without a thing added has none."""
    return [
        q
        for q in asked
        if q.name not in answers or (q.kind == notice_forms.GROUP and not answers[q.name])
    ]


def words(label: "str | Words") -> str:
    """A choice's label in the reader's language: a message, or messages filled with values
    from the procurement (``Words``)."""
    if isinstance(label, Words):
        return ", ".join(_(message, **dict(values)) for message, values in label.parts)
    return _(label)


def question_address(name: str, change: bool) -> str:
    return f"{BASE}/draft/{name}" + ("?change=1" if change else "")


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
            draft: dict = {"code": code, "answers": {}}
            request.session[DRAFT] = draft
            form = notice_forms.FORMS[code]
            asked_for, _process = asking(request.publisher, form, draft)
            first = form.asked(asked_for, {})[0].name
            return HttpResponseRedirect(f"{BASE}/draft/{first}")
        error = _("Select the notice you want to publish")
    context = {
        "forms": [
            # which rules a form is for, said where the 2015 Regulations' is offered
            {"code": form.code, "title": form.title, "hint": starting_hint(form)}
            for form in _starting()
        ],
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


def starting_hint(form: NoticeForm) -> str | None:
    """What the start page says of a form for a procurement under the earlier legislation:
    which procurements it is for, in plain English."""
    pcr2015 = notice_forms.pcr2015
    return pcr2015.REGIME_WORDS[0] if form in pcr2015.PCR2015_FORMS else None


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
    """One question of the draft notice. A question not asked of this notice (it does not
    apply) leads on to check your answers, which asks whatever is still unanswered."""
    found = _draft(request)
    if found is None:
        return HttpResponseRedirect(f"{BASE}/new")
    form, draft = found
    if form.question(name) is None:
        return answer(request, PageError(404, _("Page not found")))
    try:
        context, _process = asking(request.publisher, form, draft)
    except PageError as refusal:
        return answer(request, refusal)
    kept = _answers(form, draft)
    asked = next((q for q in form.asked(context, kept) if q.name == name), None)
    if asked is None:
        return HttpResponseRedirect(f"{BASE}/draft/check")
    change = request.GET.get("change") == "1" or request.POST.get("change") == "1"
    if asked.kind == notice_forms.GROUP:
        from openbook.web.pages.publisher.groups import group_page

        return group_page(request, (form, draft, kept), context, asked, change)
    return _question_page(request, (form, draft, kept), context, asked, change)


def _question_page(
    request: HttpRequest,
    drafted: tuple[NoticeForm, dict, dict[str, object]],
    context: notice_forms.Context,
    asked: Question,
    change: bool,
) -> HttpResponse:
    """A question's page, and its answer posted: kept, then on to the next page asked."""
    form, draft, kept = drafted
    name = asked.name
    message = None
    values = notice_forms.form_values(asked, kept.get(name))
    if request.method == "POST":
        values = {key: value for key, value in request.POST.items() if key.startswith(name)}
        if asked.kind == notice_forms.CHECKBOXES:
            values[name] = request.POST.getlist(name)
        try:
            value = notice_forms.read_answer(asked, request.POST)
            if notice_forms.after_today(asked, value, context.now):
                raise AnswerProblem(asked.past)
        except AnswerProblem as problem:
            message = _(problem.message, **problem.values)
        else:
            draft.setdefault("answers", {})[name] = notice_forms.stored(value)
            request.session[DRAFT] = draft
            return HttpResponseRedirect(after(form, context, {**kept, name: value}, name, change))
    page_context = {
        "notice": {"code": form.code, "title": _(form.title)},
        "question": {
            "name": asked.name,
            "kind": asked.kind,
            "label": _(asked.label),
            "hint": _(asked.hint) if asked.hint else "",
            "choices": [{"value": value, "text": words(text)} for value, text in asked.choices],
            "optional": asked.optional,
        },
        "values": values,
        "error": message,
        "change": change,
        "back": f"{BASE}/draft/check" if change else before(form, context, draft, kept, name),
    }
    return page(
        request,
        "pages/publisher/question.html",
        page_context,
        title=_(asked.label),
        status=400 if message else 200,
        error=bool(message),
    )


def after(
    form: NoticeForm,
    context: notice_forms.Context,
    answers: dict[str, object],
    name: str,
    change: bool,
) -> str:
    """Where a question answered leads: the next question asked, then check your answers; when
    changing an answer, the first question it left unanswered (a route changed), then check
    your answers again."""
    asked = form.asked(context, answers)
    if change:
        missing = unanswered(asked, answers)
        return question_address(missing[0].name, True) if missing else f"{BASE}/draft/check"
    names = [question.name for question in asked]
    index = names.index(name) if name in names else len(names) - 1
    if index >= len(names) - 1:
        return f"{BASE}/draft/check"
    return f"{BASE}/draft/{names[index + 1]}"


def before(
    form: NoticeForm,
    context: notice_forms.Context,
    draft: dict,
    answers: dict[str, object],
    name: str,
) -> str:
    """The page before a question: the question asked before it, else where the draft began."""
    names = [question.name for question in form.asked(context, answers)]
    index = names.index(name) if name in names else 0
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
    kept = _answers(form, draft)
    try:
        asked_for, process = asking(publisher, form, draft)
        asked = form.asked(asked_for, kept)
        answers = form.answered(asked_for, kept)  # those asked: what the release is built from
        missing = unanswered([q for q in asked if not q.optional], answers)
        if missing:
            # Back to the first question unanswered; with some answered, changing it returns
            # here (a question that applies since the draft was answered, for one).
            return HttpResponseRedirect(question_address(missing[0].name, bool(answers)))
        context, process = _written_for(request, publisher, form, draft, process)
    except PageError as refusal:
        bare = notice_forms.Context("", "", "", datetime.now(UTC))
        return page(
            request,
            "pages/publisher/check.html",
            _check_context(
                (form, draft, form.answered(bare, kept)),
                form.asked(bare, kept),
                problems=[{"question": None, "message": refusal.title, "pointer": None}],
                release=None,
                process=None,
            ),
            title=_title(draft),
            status=refusal.status,
            error=True,
        )
    return _checked(request, publisher, (form, draft, answers), context, (asked, process))


def _written_for(
    request: HttpRequest,
    publisher: Publisher,
    form: NoticeForm,
    draft: dict,
    process: OwnProcess | None,
) -> tuple[notice_forms.Context, OwnProcess | None]:
    """What the notice is written for: a procurement already published, which must be the
    organisation's (PageError 403 or 404 otherwise: a draft's ocid comes from a page, but the
    session is not taken on trust), or a new one, whose ocid is minted once. ``process``: the
    procurement, if the questions already read it."""
    organisation = publisher.organisation
    assert organisation is not None
    store = Store()
    if _bound(form, draft) and process is None:
        if not isinstance(draft.get("ocid"), str):
            raise PageError(404, _("Page not found"))
        process = own_process(store, organisation, draft["ocid"])
    elif not _bound(form, draft) and "ocid" not in draft:
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
    found: tuple[list[Question], OwnProcess | None],
) -> HttpResponse:
    """The release the answers make, checked by the publish use case (and published, for a
    POST it does not refuse)."""
    form, draft, answers = drafted
    asked, process = found
    named = {question.name for question in asked}
    problems: list[dict] = []
    order = form.order_problem(answers, context)  # and the procurement
    if order is not None:
        problems.append({"question": order[0], "message": _(order[1]), "pointer": None})
    release = form.build(context, answers)
    if draft.get("corrects"):
        # A correction is a new release that says what it amends, and changes the awards and
        # contracts the notice it corrects wrote rather than adding others.
        from openbook.publishing.notice_forms.corrections import as_correction
        from openbook.web.pages.publisher.corrections import correctable, release_taken

        organisation = publisher.organisation
        assert organisation is not None
        try:
            original = correctable(Store(), organisation, context.ocid, str(draft["corrects"]))
        except PageError as refusal:
            return answer(request, refusal)
        taken = release_taken(Store(), context.ocid)  # an id none of its releases has
        release = as_correction(
            release, str(draft["corrects"]), context, original=original, taken=taken
        )
        if form.code in notice_forms.pcr2015.CORRECTED:  # the 2015 corrigendum, F14
            release = notice_forms.pcr2015.as_corrigendum(release)
    dry_run = request.method != "POST" or bool(problems)
    status = 200
    if not problems:
        organisation = publisher.organisation
        assert organisation is not None
        # The entries the notice numbers (a contract's next payment) must still be free when
        # it is appended; a correction changes the entries it wrote.
        adds = form.adds(release) if form.adds is not None and not draft.get("corrects") else ()
        try:
            outcome = publish(
                Store(),
                organisation,
                release,
                actor(request, publisher),
                dry_run=dry_run,
                new_entries=adds,
            )
        except Refused as refused:
            problems += [_problem(form, named, problem) for problem in refused.problems] or [
                {
                    "question": None,
                    "message": i18n.rule_said(refused.code, refused.message),
                    "pointer": None,
                }
            ]
            status = refused.status if request.method == "POST" else 200
        else:
            if not dry_run:
                del request.session[DRAFT]
                return HttpResponseRedirect(f"{BASE}/published?ocid={quote(context.ocid)}")
            warnings = [_problem(form, named, problem) for problem in outcome.problems]
            problems += [{**warning, "warning": True} for warning in warnings]
    blocking = [problem for problem in problems if not problem.get("warning")]
    if blocking and request.method == "POST" and status == 200:
        status = 422
    return page(
        request,
        "pages/publisher/check.html",
        _check_context(
            (form, draft, answers), asked, problems=problems, release=release, process=process
        ),
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
    drafted: tuple[NoticeForm, dict, dict],
    asked: list[Question],
    *,
    problems: list[dict],
    release: dict | None,
    process: OwnProcess | None,
) -> dict:
    form, draft, answers = drafted
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
                "answer": "; ".join(lines),
                "lines": lines,
            }
            for q in asked
            for lines in [shown_lines(q, answers.get(q.name))]
        ],
        "problems": problems,
        "release": release,
        "refused": release is None,
    }


def shown_lines(question: Question, value: object) -> list[str]:
    """An answer as check your answers shows it, in the reader's language: a line each, for
    the choices ticked or the things added."""
    if value is None:
        return []
    labels = dict(question.choices)
    if question.kind == notice_forms.CHOICE:
        return [words(labels.get(str(value), str(value)))]
    if question.kind == notice_forms.CHECKBOXES and isinstance(value, list):
        return [words(labels.get(str(item), str(item))) for item in value]
    if question.kind == notice_forms.GROUP and isinstance(value, list):
        return [thing_line(question, thing) for thing in value]
    text = _dated(question, value) or notice_forms.shown(question, value)
    # A list typed a line each (the suppliers of a dynamic market) or a text of several lines
    # is shown a line each, as it was written, not run together.
    return [line for line in text.split("\n") if line.strip()] or [text]


def _dated(question: Question, value: object) -> str:
    """A date or date-time answer as the rest of the service writes it, in the reader's
    language and UK time ("29 January 2027", "29 January 2027 at 5pm"); "" for another."""
    if question.kind == DATETIME and isinstance(value, datetime):
        return formats.moment(value)
    if question.kind == DATE and isinstance(value, date):
        return formats.day(value)
    return ""


def thing_line(question: Question, thing: object) -> str:
    """One thing of a GROUP question as a line: its fields' answers given, choices translated."""
    assert question.repeating is not None
    kept = thing if isinstance(thing, dict) else {}
    return ": ".join(
        line
        for part in question.repeating.fields
        for line in shown_lines(part, kept.get(part.name))
        if line
    )


def _problem(form: NoticeForm, named: set[str], problem: Problem) -> dict:
    """A problem the publish checks found, against the question asked whose answer is there."""
    asked = form.question_at(problem.pointer)
    if asked is not None and (asked.name not in named or problem.code == numbering.CODE):
        asked = None  # an entry numbered alike with another notice's: no answer to change
    return {
        "question": asked.name if asked is not None else None,
        "message": i18n.rule_said(problem.code, problem.message),
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
