"""The pages of a question whose answer is a list of things added one at a time (a GROUP, such
as a contract performance notice's key performance indicators): the GOV.UK "add another"
pattern (https://design-system.service.gov.uk/patterns/add-multiple-things/). A page for one
thing's fields (``/publish/notices/draft/<question>/<n>``), a page listing those added, each
with links to change or remove it, that asks "Do you need to add another?"
(``/publish/notices/draft/<question>``), and a page confirming a removal
(``/publish/notices/draft/<question>/<n>/remove``). How many are enough is the form's to say
(``Repeating.enough``); no more than ``Repeating.most`` are taken. Each thing is read by its
fields' own readers, and a thing with a problem is kept nowhere."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from openbook.publishing import notice_forms
from openbook.publishing.notice_forms import AnswerProblem, NoticeForm, Question
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _, ngettext
from openbook.web.pages.publisher.notices import (
    BASE,
    DRAFT,
    _answers,
    _draft,
    after,
    asking,
    before,
    shown_lines,
    thing_line,
    words,
)
from openbook.web.pages.publisher.session import signed_in
from openbook.web.pages.rendering import page

YES_NO = (("yes", "Yes"), ("no", "No"))


def _things(kept: dict[str, object], name: str) -> list[dict]:
    found = kept.get(name)
    return [thing for thing in found if isinstance(thing, dict)] if isinstance(found, list) else []


def _address(name: str, item: int | None = None, change: bool = False, remove: bool = False) -> str:
    path = f"{BASE}/draft/{name}" + (f"/{item}" if item is not None else "")
    path += "/remove" if remove else ""
    return path + ("?change=1" if change else "")


def _keep(request: HttpRequest, draft: dict, name: str, things: list[dict]) -> None:
    draft.setdefault("answers", {})[name] = things
    request.session[DRAFT] = draft


def group_page(
    request: HttpRequest,
    drafted: tuple[NoticeForm, dict, dict[str, object]],
    context: notice_forms.Context,
    asked: Question,
    change: bool,
) -> HttpResponse:
    """The things added, and "Do you need to add another?" (or, with none yet, the page adding
    the first). "No" goes on only with enough of them."""
    form, draft, kept = drafted
    spec = asked.repeating
    assert spec is not None
    things = _things(kept, asked.name)
    if not things and request.method != "POST":
        return HttpResponseRedirect(_address(asked.name, 1, change))
    error = None
    full = len(things) >= spec.most
    if request.method == "POST":
        another = "no" if full else request.POST.get("another", "")
        if another == "yes" and things:
            return HttpResponseRedirect(_address(asked.name, len(things) + 1, change))
        if another == "no" or not things:
            given = {**form.answered(context, kept), asked.name: things}
            problem = spec.enough(context, given) if spec.enough is not None else None
            if not things:
                problem = asked.missing
            if problem is None:
                return HttpResponseRedirect(after(form, context, given, asked.name, change))
            error = _(problem)
        else:
            error = _(spec.another_missing)
    rows = [
        {
            "name": str(thing.get(spec.thing, "")),
            "rest": [
                line
                for part in spec.fields
                if part.name != spec.thing
                for line in shown_lines(part, thing.get(part.name))
            ],
            "change": _address(asked.name, number, change),
            "remove": _address(asked.name, number, change, remove=True),
        }
        for number, thing in enumerate(things, start=1)
    ]
    title = ngettext(spec.added[0], spec.added[1], len(things))
    page_context = {
        "notice": {"code": form.code, "title": _(form.title)},
        "question": {"name": asked.name, "label": _(asked.label)},
        "things": rows,
        "another": _(spec.another),
        "full": _(spec.too_many, most=spec.most) if full else None,
        "choices": [{"value": value, "text": _(text)} for value, text in YES_NO],
        "error": error,
        "change": change,
        "back": f"{BASE}/draft/check" if change else before(form, context, draft, kept, asked.name),
    }
    return page(
        request,
        "pages/publisher/group.html",
        page_context,
        title=title,
        status=400 if error else 200,
        error=bool(error),
    )


Found = tuple[tuple[NoticeForm, dict, dict[str, object]], notice_forms.Context, Question, int]


def _group_of(
    request: HttpRequest, name: str, item: str, *, existing: bool
) -> Found | HttpResponse:
    """The draft, its GROUP question ``name`` as asked, and the thing's number ``item``: one
    added (``existing``), or the next to add; else the page to go to instead."""
    found = _draft(request)
    if found is None:
        return HttpResponseRedirect(f"{BASE}/new")
    form, draft = found
    question = form.question(name)
    if question is None or question.repeating is None:
        return answer(request, PageError(404, _("Page not found")))
    try:
        context, _process = asking(request.publisher, form, draft)
    except PageError as refusal:
        return answer(request, refusal)
    kept = _answers(form, draft)
    if not any(q.name == name for q in form.asked(context, kept)):
        return HttpResponseRedirect(f"{BASE}/draft/check")
    things = _things(kept, name)
    last = len(things) if existing else min(len(things) + 1, question.repeating.most)
    if not (item.isascii() and item.isdigit()) or not 1 <= int(item) <= last:
        return answer(request, PageError(404, _("Page not found")))
    return (form, draft, kept), context, question, int(item)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def thing(request: HttpRequest, name: str, item: str) -> HttpResponse:
    """One thing's fields: added as the next one, or changed."""
    found = _group_of(request, name, item, existing=False)
    if isinstance(found, HttpResponse):
        return found
    (form, draft, kept), context, asked, number = found
    spec = asked.repeating
    assert spec is not None
    change = request.GET.get("change") == "1" or request.POST.get("change") == "1"
    things = _things(kept, name)
    given = things[number - 1] if number <= len(things) else {}
    values: dict[str, object] = {}
    for part in spec.fields:
        values |= notice_forms.form_values(part, given.get(part.name))
    problems: dict[str, AnswerProblem] = {}
    if request.method == "POST":
        values = {part.name: request.POST.get(part.name, "") for part in spec.fields}
        read, problems = notice_forms.read_thing(asked, request.POST)
        named = str(read.get(spec.thing, "")).casefold()
        others = [t for index, t in enumerate(things, start=1) if index != number]
        if spec.thing not in problems and any(
            str(t.get(spec.thing, "")).casefold() == named for t in others
        ):
            problems[spec.thing] = AnswerProblem(spec.duplicate, thing=read[spec.thing])
        if not problems:
            kept_thing = {key: notice_forms.stored(value) for key, value in read.items()}
            things = [*things[: number - 1], kept_thing, *things[number:]]
            _keep(request, draft, name, things)
            return HttpResponseRedirect(_address(name, change=change))
    errors = {field: _(problem.message, **problem.values) for field, problem in problems.items()}
    page_context = {
        "notice": {"code": form.code, "title": _(form.title)},
        "question": {"name": name, "item": number},
        "fields": [
            {
                "name": part.name,
                "kind": part.kind,
                "label": _(part.label),
                "hint": _(part.hint) if part.hint else "",
                "choices": [{"value": v, "text": words(text)} for v, text in part.choices],
                "error": errors.get(part.name),
            }
            for part in spec.fields
        ],
        "errors": [
            {"text": errors[part.name], "href": f"#{part.name}"}
            for part in spec.fields
            if part.name in errors
        ],
        "values": values,
        "change": change,
        "back": _address(name, change=change)
        if things
        else before(form, context, draft, kept, name),
    }
    return page(
        request,
        "pages/publisher/thing.html",
        page_context,
        title=_(spec.add) if number > len(_things(kept, name)) else _(spec.change),
        status=400 if problems else 200,
        error=bool(problems),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def remove(request: HttpRequest, name: str, item: str) -> HttpResponse:
    """ "Are you sure you want to remove it?": yes removes the thing, no keeps it."""
    found = _group_of(request, name, item, existing=True)
    if isinstance(found, HttpResponse):
        return found
    (form, draft, kept), _context, asked, number = found
    spec = asked.repeating
    assert spec is not None
    change = request.GET.get("change") == "1" or request.POST.get("change") == "1"
    things = _things(kept, name)
    error = None
    if request.method == "POST":
        confirmed = request.POST.get("confirm", "")
        if confirmed in ("yes", "no"):
            if confirmed == "yes":
                _keep(request, draft, name, [*things[: number - 1], *things[number:]])
            return HttpResponseRedirect(_address(name, change=change))
        error = _(spec.remove_missing)
    named = str(things[number - 1].get(spec.thing, ""))
    page_context = {
        "notice": {"code": form.code, "title": _(form.title)},
        "question": {"name": name, "item": number},
        "thing": thing_line(asked, things[number - 1]),
        "choices": [{"value": value, "text": _(text)} for value, text in YES_NO],
        "error": error,
        "change": change,
        "back": _address(name, change=change),
    }
    return page(
        request,
        "pages/publisher/remove.html",
        page_context,
        title=_(spec.remove, thing=named),
        status=400 if error else 200,
        error=bool(error),
    )
