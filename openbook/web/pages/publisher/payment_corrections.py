"""Correcting one payment of a contract payments notice (UK8), through the publisher pages
(issue 8, item 2; docs/contract-payments.md, "Correcting a payment").

A payments file publishes each contract's payments of a quarter as one notice; the notice's
"Correct" link (openbook.web.pages.publisher.corrections) lists its payments, each with a
"Change" link. A notice of one payment (the UK8 question form writes one a notice) goes
straight to it: the form, reading the notice back, has no payee question, so could not say
whom a payment naming no one was made to, nor correct whom it names. The payment chosen is
shown as check your answers (its date, amount and payee as the procurement shows them now,
each with a link to change it on a page of its own), and
publishing makes the correction of openbook.publishing.notice_forms.payment_corrections: a
release of the notice's own procurement naming only that payment, published through the publish
API's use case with its checks. The notice's other payments are not in the correction, so they
stay exactly as published.

The payment is named in the address (``?contract=1&payment=payment-INV-2``) and checked against
the notice at every step: the answers changed are kept in the session for that notice and
payment only, never taken from the form that publishes.
"""

from datetime import UTC, datetime
from urllib.parse import quote, urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_safe

from openbook.publishing.answers import Problem, Refused
from openbook.publishing.notice_forms import payment_corrections as payments
from openbook.publishing.notice_forms.payment_corrections import Payment
from openbook.publishing.notice_forms.questions import (
    DATE,
    LONDON,
    MONEY,
    AnswerProblem,
    Context,
    Question,
    form_values,
)
from openbook.publishing.publish import publish
from openbook.store.database import Store
from openbook.web.pages import formats, i18n
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.corrections import Notice, own_notice, release_taken
from openbook.web.pages.publisher.process import OwnProcess, own_process
from openbook.web.pages.publisher.session import Publisher, actor, signed_in
from openbook.web.pages.rendering import page

DRAFT = "openbook_payment_correction"  # the answers changed, for one payment of one notice
DONE = "openbook_payment_corrected"  # the correction just published, for its confirmation
MAX_ID = 300  # characters of a contract or payment id in the address (a file's are 200 or less)
# Where a problem the publish checks find in the correction is: the question to change.
_AT = {"date": payments.PAID.name, "value": payments.AMOUNT.name, "payee": payments.PAYEE.name}


def by_payment(notice: Notice) -> bool:
    """Whether a notice is corrected payment by payment here: a contract payments notice
    carrying a payment (with an id). One without is corrected through its question form, as
    any notice (corrections.correct)."""
    return notice.code == payments.CODE and bool(payments.payments_in(notice.release))


def _several(notice: Notice) -> bool:
    """Whether the notice has other payments to correct: a list to go back to."""
    return len(payments.payments_in(notice.release)) > 1


def _found(
    request: HttpRequest, ocid: str, release_id: str
) -> tuple[Notice, OwnProcess, list[Payment]]:
    """The organisation's notice, its procurement as published now, and the notice's payments;
    PageError when the notice is not theirs, unknown, redacted or withdrawn, or carries no
    payment (the form corrects those)."""
    publisher: Publisher = request.publisher
    store = Store()
    notice = own_notice(store, publisher, ocid, release_id)
    if notice.target.withdrawal_seq is not None:
        raise PageError(
            409,
            _(
                "This notice was withdrawn: a withdrawn notice is not corrected. "
                "Publish a new notice instead."
            ),
        )
    if not by_payment(notice):
        raise PageError(404, _("Page not found"))
    assert publisher.organisation is not None  # own_notice made sure
    process = own_process(store, publisher.organisation, notice.ocid)
    return notice, process, payments.payments_in(notice.release, process.compiled)


def _address(notice: Notice, payment: Payment | None = None, step: str = "") -> str:
    """The address of the list of payments, or of a payment's check page (``step`` ""), a
    question (``step`` its name) or the confirmation (``corrected``)."""
    found = f"{notice.address}/correct"
    if payment is None and not step:
        return found
    found += "/payment" + (f"/{step}" if step else "")
    if payment is None:
        return found
    return f"{found}?{urlencode({'contract': payment.contract_id, 'payment': payment.id})}"


def _chosen(
    request: HttpRequest, ocid: str, release_id: str
) -> tuple[Notice, OwnProcess, Payment] | HttpResponse:
    """The notice, its procurement and the payment the address names; or the page saying why
    not (not the organisation's notice, or no such payment in it)."""
    try:
        notice, process, found = _found(request, ocid, release_id)
    except PageError as refusal:
        return answer(request, refusal)
    try:
        return notice, process, _payment(request, found)
    except payments.PaymentNotFound:
        return _not_in_notice(request, notice, found)


def _payment(request: HttpRequest, found: list[Payment]) -> Payment:
    """The payment the address names; PaymentNotFound when the notice carries none such."""
    contract = request.GET.get("contract", "")[:MAX_ID]
    named = request.GET.get("payment", "")[:MAX_ID]
    return payments.payment_of(found, contract, named)


def _list_page(
    request: HttpRequest,
    notice: Notice,
    found: list[Payment],
    *,
    error: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The notice's payments, each with a link to correct it: the GOV.UK list with "Change"."""
    contracts = {payment.contract_id for payment in found}
    context = {
        "notice": notice.as_dict(),
        "payments": [_described(payment, notice) for payment in found],
        "contracts": len(contracts),
        "error": error,
    }
    return page(
        request,
        "pages/publisher/correct_payments.html",
        context,
        title=_("Which payment do you want to correct?"),
        status=status,
        error=bool(error),
    )


def payments_list(request: HttpRequest, ocid: str, release_id: str) -> HttpResponse:
    """The list of payments of a notice, for the notice's "Correct" link; a notice of one
    payment, that payment's check page."""
    try:
        notice, _process, found = _found(request, ocid, release_id)
    except PageError as refusal:
        return answer(request, refusal)
    if len(found) == 1:
        return HttpResponseRedirect(_address(notice, found[0], ""))
    return _list_page(request, notice, found)


def _not_in_notice(request: HttpRequest, notice: Notice, found: list[Payment]) -> HttpResponse:
    """The list again, saying the payment asked for is not one of the notice's (404)."""
    message = _(
        "This notice has no payment %(payment)s of contract %(contract)s: choose one of its "
        "payments below",
        payment=request.GET.get("payment", "")[:100] or _("(none given)"),
        contract=request.GET.get("contract", "")[:100] or _("(none given)"),
    )
    return _list_page(request, notice, found, error=message, status=404)


def _described(payment: Payment, notice: Notice) -> dict:
    payee = payment.payee
    return {
        "number": payment.number,
        "contract": payment.contract_id,
        "id": payment.id,
        "date": payment.transaction.get("date"),
        "day": formats.day(payment.transaction.get("date")),
        "amount": payment.amount,
        "currency": payment.currency,
        "money": formats.money(payment.amount, payment.currency or "GBP"),
        "payee": payee,
        "paidTo": _payee_words(payee),
        "change": _address(notice, payment, ""),
    }


def _payee_words(payee: dict | None) -> str:
    if payee is None:
        return _("Not named")
    return f"{payee['name']} ({payee['id']})" if payee.get("name") else payee["id"]


def _draft(request: HttpRequest, notice: Notice, payment: Payment) -> dict[str, object]:
    """The answers changed so far for this payment of this notice (none for another's)."""
    kept = request.session.get(DRAFT)
    if not isinstance(kept, dict) or [kept.get(k) for k in ("seq", "contract", "payment")] != [
        notice.target.seq,
        payment.contract_id,
        payment.id,
    ]:
        return {}
    answers = kept.get("answers")
    if not isinstance(answers, dict):
        return {}
    found = {}
    for question in payments.QUESTIONS:
        value = payments.restored(question, answers.get(question.name))
        if value is not None:
            found[question.name] = value
    return found


def _answers(request: HttpRequest, notice: Notice, payment: Payment) -> dict[str, object]:
    """The payment as the procurement shows it, with the answers changed so far."""
    return {**payment.answers(), **_draft(request, notice, payment)}


def _context(request: HttpRequest, notice: Notice, process: OwnProcess) -> Context:
    organisation = request.publisher.organisation
    return Context(
        ocid=notice.ocid,  # the notice's procurement: the one its payment is corrected in
        buyer_id=organisation.party_id,
        buyer_name=organisation.name,
        now=datetime.now(UTC),
        compiled=process.compiled,
    )


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def check(request: HttpRequest, ocid: str, release_id: str) -> HttpResponse:
    """Check your answers for the payment chosen: its date, amount and payee with a link to
    change each, what the publish checks say of the correction, and (POST) the correction
    published."""
    chosen = _chosen(request, ocid, release_id)
    if isinstance(chosen, HttpResponse):
        return chosen
    notice, process, payment = chosen
    answers = _answers(request, notice, payment)
    context = _context(request, notice, process)
    problems: list[dict] = []
    release = None
    try:
        release = payments.correction(
            notice.release,
            payment,
            answers,
            context,
            taken=release_taken(Store(), notice.ocid),
        )
    except AnswerProblem as problem:
        if request.method == "POST":  # nothing changed yet is no error until publishing
            problems.append({"question": None, "message": _(problem.message, **problem.values)})
    status = 422 if problems else 200
    if release is not None:
        status, problems, published = _published(request, release, status)
        if published is not None:
            request.session.pop(DRAFT, None)
            request.session[DONE] = {
                "seq": notice.target.seq,
                "release": release["id"],
                "contract": payment.contract_id,
                "payment": payment.id,
            }
            return HttpResponseRedirect(_address(notice, None, "corrected"))
    return _check_page(request, (notice, process, payment), answers, problems, status)


def _published(
    request: HttpRequest, release: dict, status: int
) -> tuple[int, list[dict], str | None]:
    """The correction through the publish use case: checked (GET) or published (POST).
    Returns the page's status, the problems found (warnings marked), and the id published."""
    organisation = request.publisher.organisation
    dry_run = request.method != "POST"
    try:
        outcome = publish(
            Store(), organisation, release, actor(request, request.publisher), dry_run=dry_run
        )
    except Refused as refused:
        problems = [_problem(problem) for problem in refused.problems] or [
            {"question": None, "message": i18n.rule_said(refused.code, refused.message)}
        ]
        return (refused.status if not dry_run else 200), problems, None
    if not dry_run:
        return 302, [], str(release["id"])
    return status, [{**_problem(p), "warning": True} for p in outcome.problems], None


def _problem(problem: Problem) -> dict:
    """A problem of the publish checks, against the question whose answer is where it is."""
    parts = problem.pointer.split("/")
    field = parts[5] if len(parts) > 5 and parts[3] == "transactions" else None
    return {
        "question": _AT.get(field or ""),
        "message": i18n.rule_said(problem.code, problem.message),
    }


def _check_page(
    request: HttpRequest,
    found: tuple[Notice, OwnProcess, Payment],
    answers: dict[str, object],
    problems: list[dict],
    status: int,
) -> HttpResponse:
    notice, process, payment = found
    now = payment.answers()
    compiled = process.compiled
    shown = {
        payments.PAID.name: formats.day(answers[payments.PAID.name]),
        payments.AMOUNT.name: formats.money(answers[payments.AMOUNT.name], payment.currency),
        payments.PAYEE.name: _payee_words(
            payments.payees(compiled, payment).get(str(answers[payments.PAYEE.name]))
        ),
    }
    keys = {
        payments.PAID.name: _("Date paid"),
        payments.AMOUNT.name: _("Amount paid, including VAT"),
        payments.PAYEE.name: _("Paid to"),
    }
    rows = [
        {
            "question": q.name,
            "label": keys[q.name],
            "value": shown[q.name],
            "changed": answers[q.name] != now[q.name],
            "was": _was(q, payment) if answers[q.name] != now[q.name] else None,
            "change": _address(notice, payment, q.name)
            if payments.changeable(q, compiled, payment)
            else None,
        }
        for q in payments.QUESTIONS
    ]
    for problem in problems:
        if problem["question"] is not None:
            problem["href"] = _address(notice, payment, problem["question"])
    context = {
        "notice": notice.as_dict(),
        "payment": _described(payment, notice),
        "rows": rows,
        "changed": [row["question"] for row in rows if row["changed"]],
        "problems": problems,
        "publish": _address(notice, payment, ""),
        # of a notice of one payment, the procurement: its list is this page
        "list": _address(notice) if _several(notice) else None,
    }
    blocking = [problem for problem in problems if not problem.get("warning")]
    return page(
        request,
        "pages/publisher/correct_payment.html",
        context,
        title=_("Check your correction of payment %(payment)s", payment=payment.id),
        status=status,
        error=bool(blocking),
    )


def _was(question: Question, payment: Payment) -> str:
    """The answer as the procurement shows it, for the check page's "was"."""
    if question.kind == DATE:
        return formats.day(payment.transaction.get("date"))
    if question.kind == MONEY:
        return formats.money(payment.amount, payment.currency or "GBP")
    return _payee_words(payment.payee)


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def question(request: HttpRequest, ocid: str, release_id: str, name: str) -> HttpResponse:
    """A question of the payment chosen (its date, amount or payee), its answer as the
    procurement shows it (or as changed); a good answer kept, then back to check your
    answers."""
    chosen = _chosen(request, ocid, release_id)
    if isinstance(chosen, HttpResponse):
        return chosen
    notice, process, payment = chosen
    base = next((q for q in payments.QUESTIONS if q.name == name), None)
    if base is None or not payments.changeable(base, process.compiled, payment):
        return answer(request, PageError(404, _("Page not found")))
    asked = payments.asked(base, process.compiled, payment)
    answers = _answers(request, notice, payment)
    values = form_values(asked, answers.get(name))
    message = None
    if request.method == "POST":
        values = {key: value for key, value in request.POST.items() if key.startswith(name)}
        today = datetime.now(UTC).astimezone(LONDON).date()
        try:
            value = payments.read(asked, request.POST, today)
        except AnswerProblem as problem:
            message = _(problem.message, **problem.values)
        else:
            _keep(request, notice, payment, {**_draft(request, notice, payment), name: value})
            return HttpResponseRedirect(_address(notice, payment, ""))
    context = {
        "notice": notice.as_dict(),
        "payment": _described(payment, notice),
        "question": {
            "name": asked.name,
            "kind": asked.kind,
            "label": _(asked.label),
            "hint": _(asked.hint) if asked.hint else "",
            # suppliers by their names, as published; "no supplier" in the reader's language
            "choices": [
                {"value": value, "text": _(str(text)) if value == payments.NO_PAYEE else text}
                for value, text in asked.choices
            ],
        },
        "values": values,
        "error": message,
        "action": _address(notice, payment, name),
        "back": _address(notice, payment, ""),
    }
    return page(
        request,
        "pages/publisher/correct_payment_question.html",
        context,
        title=_(asked.label),
        status=400 if message else 200,
        error=bool(message),
    )


def _keep(request: HttpRequest, notice: Notice, payment: Payment, answers: dict) -> None:
    request.session[DRAFT] = {
        "seq": notice.target.seq,
        "contract": payment.contract_id,
        "payment": payment.id,
        "answers": {
            q.name: payments.kept(q, answers[q.name])
            for q in payments.QUESTIONS
            if q.name in answers
        },
    }


@require_safe
@signed_in
def corrected(request: HttpRequest, ocid: str, release_id: str) -> HttpResponse:
    """The correction just published: a confirmation panel with its release id."""
    try:
        notice = own_notice(Store(), request.publisher, ocid, release_id)
    except PageError as refusal:
        return answer(request, refusal)
    done = request.session.get(DONE)
    if not isinstance(done, dict) or done.get("seq") != notice.target.seq:
        return HttpResponseRedirect(_address(notice))
    context = {
        "notice": notice.as_dict(),
        "correction": {
            "id": done.get("release"),
            "contract": done.get("contract"),
            "payment": done.get("payment"),
            "record": f"/api/ocds/records/{quote(notice.ocid, safe='')}",
        },
        "list": _address(notice) if _several(notice) else None,
    }
    return page(
        request,
        "pages/publisher/payment_corrected.html",
        context,
        title=_("Payment corrected"),
    )
