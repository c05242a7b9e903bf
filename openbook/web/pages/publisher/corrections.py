"""Correcting and withdrawing a published notice through the publisher pages (issue 8, item 2;
docs/notices.md, "Changed notices, and notices published in error").

A withdrawal (for a notice published in error) asks why, asks again to confirm, and then calls
the publish API's own use case (openbook.publishing.withdraw): what it refuses, the page shows
in the GOV.UK error summary. A correction starts a draft from the notice's answers read back
from the published release (openbook.publishing.notice_forms.corrections) and hands over to
check your answers, which publishes it as a new release correcting the old one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import orjson
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from openbook import records
from openbook.publishing import notice_forms, scope
from openbook.publishing.notice_forms.corrections import answers_from
from openbook.publishing.publish import Refused
from openbook.publishing.publishers import PUBLISHER
from openbook.publishing.withdraw import withdraw as withdraw_notice
from openbook.standards import marks as standard
from openbook.standards.uk.notices import AmbiguousNoticeType, UnknownNoticeType, find_notice_type
from openbook.store import marks
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.web.pages import i18n
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.processes_words import notice_name
from openbook.web.pages.publisher.process import own_process
from openbook.web.pages.publisher.session import Publisher, actor, signed_in
from openbook.web.pages.rendering import page

DRAFT = "openbook_draft"  # the notice draft of openbook.web.pages.publisher.notices
WITHDRAWAL = "openbook_withdrawal"  # a reason given, waiting to be confirmed
WITHDRAWN = "openbook_withdrawn"  # the withdrawal just made, for its confirmation panel
CHECK = "/publish/notices/draft/check"
API_DOCS = "/api/docs"
MAX_IDENTITY = 1000  # characters of an ocid or release id (openbook.publishing.withdraw)


@dataclass(frozen=True, slots=True)
class Notice:
    """A published release of the signed-in publisher's organisation, as these pages name it."""

    ocid: str
    release_id: str
    target: marks.Target
    release: dict
    code: str | None  # its UK notice type, if it names a known one

    @property
    def address(self) -> str:
        ocid, release_id = quote(self.ocid, safe=""), quote(self.release_id, safe="")
        return f"/publish/processes/{ocid}/notices/{release_id}"

    def as_dict(self) -> dict[str, Any]:
        tender = self.release.get("tender")
        title = tender.get("title") if isinstance(tender, dict) else None
        return {
            "ocid": self.ocid,
            "id": self.release_id,
            "sequence": self.target.seq,
            "type": self.code,
            "typeName": notice_name(self.code),
            "date": self.release.get("date") if isinstance(self.release.get("date"), str) else None,
            "title": title if isinstance(title, str) else None,
            "process": f"/publish/processes/{quote(self.ocid, safe='')}",
            "withdraw": f"{self.address}/withdraw",
            "correct": f"{self.address}/correct",
        }


def _organisation(publisher: Publisher) -> Organisation:
    if publisher.role != PUBLISHER or publisher.organisation is None:
        raise PageError(403, _("Only a publisher of an organisation can change its notices"))
    return publisher.organisation


def _notice(store: Store, organisation: Organisation, ocid: str, release_id: str) -> Notice:
    """The release ``release_id`` of ``ocid``, if the organisation is its buyer. A redacted
    release has no body to read: it is refused like the use case refuses it (409)."""
    if not all(_identity(value) for value in (ocid, release_id)):
        raise PageError(404, _("Page not found"))
    seq = marks.target_by_identity(store, records.REGISTER, ocid, release_id)
    found = marks.target(store, seq) if seq is not None else None
    if found is None:
        raise PageError(404, _("Page not found"))
    if found.body is None:
        raise PageError(
            409, _("This notice was redacted: its content was removed, so it cannot be changed")
        )
    release = orjson.loads(found.body)
    buyer = scope.buyer_of(release)
    if buyer is None or not scope.names(buyer, organisation):
        raise PageError(403, _("You can only change your own organisation’s notices"))
    try:
        notice_type = find_notice_type(release)
    except (UnknownNoticeType, AmbiguousNoticeType):
        notice_type = None
    code = notice_type.code if notice_type is not None else None
    return Notice(ocid, release_id, found, release, code)


# The payment corrections' pages (payment_corrections.py) find the notice as these do
def own_notice(store: Store, publisher: Publisher, ocid: str, release_id: str) -> Notice:
    """The signed-in publisher's organisation's notice ``release_id`` of ``ocid``: PageError
    when they publish for no organisation, or the notice is not its, unknown or redacted."""
    return _notice(store, _organisation(publisher), ocid, release_id)


def correctable(store: Store, organisation: Organisation, ocid: str, release_id: str) -> dict:
    """The body of the organisation's notice ``release_id`` of ``ocid``, to be corrected: a
    PageError when it is not the organisation's, is unknown, redacted, or was withdrawn (it may
    have been, between starting the correction and publishing it)."""
    notice = _notice(store, organisation, ocid, release_id)
    if notice.target.withdrawal_seq is not None:
        raise PageError(
            409,
            _(
                "This notice was withdrawn: a withdrawn notice is not corrected. "
                "Publish a new notice instead."
            ),
        )
    return notice.release


def release_taken(store: Store, ocid: str) -> Callable[[str], bool]:
    """Whether the log holds a release of ``ocid`` with an id (withdrawn or redacted ones
    too): a correction takes an id no release of its procurement has (corrections.as_correction,
    issue 8: two corrections in one second)."""
    return lambda release_id: (
        marks.target_by_identity(store, records.REGISTER, ocid, release_id) is not None
    )


def _identity(value: str) -> bool:
    """Whether an ocid or release id from the address could be one the log holds: at most
    1,000 characters (as the publish API reads them), no control characters (PostgreSQL takes
    no NUL in text)."""
    return 0 < len(value) <= MAX_IDENTITY and not any(ord(c) < 32 or c == "\x7f" for c in value)


def _reason_problem(reason: str) -> str | None:
    """What is wrong with a reason, as the use case would find it (openbook.standards.marks),
    in the page's words; None if it will do. A browser sends a textarea's line breaks as CR LF:
    they are line breaks, not control characters."""
    try:
        standard.check_reason(_lines(reason))
    except standard.ReasonError as error:
        if error.code == "reason-missing":
            return _("Enter why you are withdrawing the notice")
        if error.code == "reason-too-long":
            return _(
                "The reason must be %(limit)s characters or fewer",
                limit=f"{standard.MAX_REASON:,}",
            )
        return _("Enter the reason as plain text, without control characters")
    return None


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _refusal(refused: Refused) -> list[str]:
    """What the use case refused, in the page's words where the refusal is one a publisher
    meets here; its own words otherwise."""
    if refused.code == "already-withdrawn":
        return [_("This notice has already been withdrawn: a notice is withdrawn once")]
    if refused.code == "redacted":
        return [_("This notice was redacted: its content was removed, so it cannot be changed")]
    if refused.code == "other-organisation":
        return [_("You can only change your own organisation’s notices")]
    if refused.code == "not-found":
        return [_("The notice was not found: it may have been removed from the log")]
    return [i18n.rule_said(p.code, p.message) for p in refused.problems] or [refused.message]


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def withdraw(request: HttpRequest, ocid: str, release_id: str) -> HttpResponse:
    """Withdraw a notice published in error: why (a reason, shown publicly), then a
    confirmation, then the withdrawal, made exactly as ``POST /api/publish/withdrawals``
    makes it."""
    publisher: Publisher = request.publisher
    store = Store()
    try:
        organisation = _organisation(publisher)
        notice = _notice(store, organisation, ocid, release_id)
    except PageError as refusal:
        return answer(request, refusal)
    done = request.session.get(WITHDRAWN)
    if (
        request.GET.get("done") == "1"
        and isinstance(done, dict)
        and done.get("seq") == notice.target.seq
    ):
        return page(
            request,
            "pages/publisher/withdrawn.html",
            {"notice": notice.as_dict(), "withdrawal": done},
            title=_("Notice withdrawn"),
        )
    if notice.target.withdrawal_seq is not None:
        message = _("This notice has already been withdrawn: a notice is withdrawn once")
        return _withdraw_page(request, notice, "refused", problems=[message], status=409)
    kept = request.session.get(WITHDRAWAL)
    reason = (
        kept.get("reason", "")
        if isinstance(kept, dict) and kept.get("seq") == notice.target.seq
        else ""
    )
    if request.method == "POST" and request.POST.get("confirm") == "1":
        return _confirmed(request, store, organisation, notice, reason)
    if request.method == "POST":
        return _reason_given(request, notice)
    step = "confirm" if request.GET.get("confirm") == "1" and reason else "reason"
    return _withdraw_page(request, notice, step, reason=reason)


def _reason_given(request: HttpRequest, notice: Notice) -> HttpResponse:
    """The reason sent: kept in the session for the confirmation if the use case will take
    it, else the question again with what is wrong."""
    reason = request.POST.get("reason", "")
    problem = _reason_problem(reason)
    if problem is not None:
        return _withdraw_page(
            request, notice, "reason", reason=reason, reason_problem=problem, status=400
        )
    request.session[WITHDRAWAL] = {"seq": notice.target.seq, "reason": _lines(reason)}
    return HttpResponseRedirect(f"{notice.address}/withdraw?confirm=1")


def _confirmed(
    request: HttpRequest, store: Store, organisation: Organisation, notice: Notice, reason: str
) -> HttpResponse:
    """The withdrawal confirmed: made by the publish API's use case, with the reason kept
    from the question (never one sent with the confirmation)."""
    address = f"{notice.address}/withdraw"
    if not reason:
        return HttpResponseRedirect(address)
    value = {"ocid": notice.ocid, "releaseId": notice.release_id, "reason": reason}
    try:
        withdrawn = withdraw_notice(store, organisation, value, actor(request, request.publisher))
    except Refused as refused:
        return _withdraw_page(
            request, notice, "refused", problems=_refusal(refused), status=refused.status
        )
    del request.session[WITHDRAWAL]
    request.session[WITHDRAWN] = {
        "seq": notice.target.seq,
        "reason": withdrawn.withdrawal.reason,
        "time": withdrawn.withdrawal.time,
        "sequence": withdrawn.entry.seq,
        "record": f"/api/ocds/records/{quote(notice.ocid, safe='')}",
    }
    return HttpResponseRedirect(f"{address}?done=1")


def _withdraw_page(
    request: HttpRequest,
    notice: Notice,
    step: str,
    *,
    reason: str = "",
    reason_problem: str | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The withdrawal's pages: the reason (``step`` "reason"), the confirmation ("confirm"),
    or why it cannot be withdrawn ("refused", with the use case's ``problems``)."""
    titles = {
        "reason": _("Why are you withdrawing this notice?"),
        "confirm": _("Are you sure you want to withdraw this notice?"),
        "refused": _("The notice cannot be withdrawn"),
    }
    context = {
        "notice": notice.as_dict(),
        "step": step,
        "reason": reason,
        "limit": standard.MAX_REASON,
        "error": reason_problem,
        "problems": problems or [],
    }
    return page(
        request,
        "pages/publisher/withdraw.html",
        context,
        title=titles[step],
        status=status,
        error=bool(reason_problem or problems),
    )


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def correct(request: HttpRequest, ocid: str, release_id: str) -> HttpResponse:
    """Correct a notice: for a notice type the pages write, a new draft holding the notice's
    answers as published, to change and publish from check your answers; for the others, how to
    publish a correction through the publish API."""
    publisher: Publisher = request.publisher
    store = Store()
    try:
        organisation = _organisation(publisher)
        notice = _notice(store, organisation, ocid, release_id)
    except PageError as refusal:
        return answer(request, refusal)
    # A payments notice lists its payments, to correct one at a time (one: goes to it)
    from openbook.web.pages.publisher import payment_corrections

    if payment_corrections.by_payment(notice) and notice.target.withdrawal_seq is None:
        return payment_corrections.payments_list(request, ocid, release_id)
    form = notice_forms.FORMS.get(notice.code or "")
    # an F14 corrigendum of an F03 or F20 is corrected again with their form
    form = form or notice_forms.pcr2015.corrected_form(notice.code, notice.release)
    withdrawn = notice.target.withdrawal_seq is not None
    if request.method == "POST" and form is not None and not withdrawn:
        # the answers to the questions asked of the procurement as it is now
        try:
            compiled = own_process(store, organisation, ocid).compiled if form.conditional else None
        except PageError as refusal:
            return answer(request, refusal)
        answers = answers_from(form, notice.release, compiled)
        request.session[DRAFT] = {
            "code": form.code,
            "answers": {name: notice_forms.stored(value) for name, value in answers.items()},
            "ocid": notice.ocid,
            "corrects": notice.release_id,
        }
        return HttpResponseRedirect(CHECK)
    context = {
        "notice": notice.as_dict(),
        "form": {"code": form.code, "title": _(form.title)} if form is not None else None,
        "withdrawn": withdrawn,
        "api": API_DOCS,
    }
    return page(
        request,
        "pages/publisher/correct.html",
        context,
        title=_("Correct a notice"),
        status=409 if withdrawn else 200,
    )
