"""A publisher's page for one of its organisation's procurements (/publish/processes/<ocid>): its
title and stage, its notices in log order (each with links to correct or withdraw it), and the
next notice to publish in it through question pages (issue 8, item 2).

Which notices may come next is the "May follow" column of docs/notices.md (``NOTICE_TYPES``,
``preceded_by``): a form is offered once the procurement has published, and not withdrawn, a
notice it may follow. The notice rules then check the order the law requires when it is
published, as for the publish API.

Whose procurement it is, is decided as the publish use case decides it (openbook.publishing
.ownership): the buyer its newest release that names one names.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from openbook import feed, records
from openbook.publishing import notice_forms, scope
from openbook.publishing.notice_forms import NEW_PROCESS, PROCESS, NoticeForm, pcr2015
from openbook.publishing.publishers import PUBLISHER
from openbook.standards.ocds.shapes import as_dict, dicts, text
from openbook.standards.ocds.summary import summarise
from openbook.standards.uk import notices
from openbook.standards.uk.notices import PA2023
from openbook.store.database import Store
from openbook.store.publishers import Organisation
from openbook.web.pages import processes_words as words
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.session import Publisher, signed_in
from openbook.web.pages.rendering import page

DRAFT = "openbook_draft"  # the draft notice in the session, as openbook.web.pages.publisher.notices
MAX_OCID = 300  # as the public process page: no longer ocid is in the log


@dataclass(frozen=True, slots=True)
class Notice:
    """A release of the procurement, as its publisher's page lists it."""

    release_id: str
    code: str | None  # its own notice type (documents[].noticeType), None if it names none
    published: str | None  # its notice document's datePublished, else the release's date
    withdrawn: bool


@dataclass(frozen=True, slots=True)
class OwnProcess:
    """One of the organisation's procurements, as published so far."""

    ocid: str
    compiled: dict  # the compiled release: what counts (withdrawn releases do not)
    notices: list[Notice]  # in log order; redacted releases are left out
    # The rules its next notice is under (notices.legal_regime of its releases not withdrawn):
    # a procurement started before 24 February 2025 keeps the 2015 Regulations'.
    regime: str = PA2023

    @property
    def published_codes(self) -> frozenset[str]:
        """The notice types the procurement has published and not withdrawn."""
        return frozenset(n.code for n in self.notices if n.code is not None and not n.withdrawn)


def own_process(store: Store, organisation: Organisation, ocid: str) -> OwnProcess:
    """The organisation's procurement ``ocid``; PageError 404 when the log has no release of
    it, 403 when its buyer is another organisation (or it names none)."""
    if len(ocid) > MAX_OCID or not feed.storable(ocid):
        raise PageError(404, _("Page not found"))
    package = records.record_package(store, ocid)
    if package is None:
        raise PageError(404, _("Page not found"))
    record = package["records"][0]
    releases = dicts(record.get("releases"))
    owner = scope.latest_buyer(releases)
    if owner is None or not scope.names(owner, organisation):
        raise PageError(403, _("This procurement is not your organisation's"))
    withdrawn = {text(mark.get("id")) for mark in dicts(record.get("x_openbook_withdrawn"))}
    found: list[Notice] = []
    earlier: set[str] = set()
    for release in releases:
        code, published = _own_notice(release, frozenset(earlier))
        if code is not None:
            earlier.add(code)
        identifier = text(release.get("id"))
        found.append(Notice(identifier, code, published, identifier in withdrawn))
    counted = [r for r in releases if text(r.get("id")) not in withdrawn]
    regime = notices.legal_regime({}, counted).regime
    return OwnProcess(ocid, as_dict(record.get("compiledRelease")), found, regime)


def _own_notice(release: dict, earlier: frozenset[str]) -> tuple[str | None, str | None]:
    try:
        mention = notices.own_notice_mention(release, earlier)
    except notices.AmbiguousNoticeType:
        return None, text(release.get("date")) or None
    if mention is None:
        return None, text(release.get("date")) or None
    published = mention.published.isoformat() if mention.published else None
    return mention.code, published or text(release.get("date")) or None


def may_follow(published: frozenset[str]) -> list[NoticeForm]:
    """The forms of a procurement's next notice: those that may follow a notice it has
    published (docs/notices.md, "May follow"). Besides the notices only a procurement already
    published has (level PROCESS), those that may also start one (NEW_PROCESS): a tender notice
    after a planned procurement notice belongs to the same procurement, where the rules see
    the notice before it (the shorter tendering period after a UK3, for one)."""
    found = []
    for form in notice_forms.FORMS.values():
        known = notices.NOTICE_TYPES.get(form.code)
        level = form.level in (PROCESS, NEW_PROCESS)
        if level and known is not None and published & set(known.preceded_by):
            found.append(form)
    return found


def process_address(ocid: str) -> str:
    return f"/publish/processes/{quote(ocid, safe='')}"


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def process_page(request: HttpRequest, ocid: str) -> HttpResponse:
    """The procurement's notices, and (POST) the next notice chosen: a draft bound to it."""
    publisher: Publisher = request.publisher
    try:
        if publisher.organisation is None:
            raise PageError(403, _("Only a publisher of an organisation can publish its notices"))
        found = own_process(Store(), publisher.organisation, ocid)
    except PageError as refusal:
        return answer(request, refusal)
    may_publish = publisher.role == PUBLISHER
    if request.method == "POST" and not may_publish:
        return answer(
            request,
            PageError(403, _("Only a publisher of an organisation can publish its notices")),
        )
    following = may_follow(found.published_codes)
    if found.regime == notices.PCR2015:  # the 2015 Regulations' own forms follow
        now = datetime.now(UTC)
        following = pcr2015.following(notice_forms.Context(ocid, "", "", now, found.compiled))
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        chosen = next((form for form in following if form.code == code), None)
        if chosen is not None:
            request.session[DRAFT] = {"code": code, "answers": {}, "ocid": ocid, "bound": True}
            organisation = publisher.organisation  # the first question asked of it
            asked_for = notice_forms.Context(
                ocid, organisation.party_id, organisation.name, datetime.now(UTC), found.compiled
            )
            first = chosen.asked(asked_for, {})[0].name
            return HttpResponseRedirect(f"/publish/notices/draft/{first}")
        error = _("Select the notice you want to publish")
    context = _context(found, following, may_publish)
    context["error"] = error
    return page(
        request,
        "pages/publisher/process.html",
        context,
        title=context["title"] or ocid,
        status=400 if error else 200,
        error=bool(error),
    )


def _context(found: OwnProcess, following: list[NoticeForm], may_publish: bool) -> dict:
    summary = summarise(found.compiled)
    address = process_address(found.ocid)
    return {
        "ocid": found.ocid,
        "title": summary.title,
        "stage": {"code": summary.stage, "name": _stage_name(summary.stage)}
        if summary.stage
        else None,
        "regime": {"code": found.regime, "name": _regime_name(found.regime)},
        "notices": [
            {
                "releaseId": notice.release_id,
                "noticeType": notice.code,
                "name": words.notice_name(notice.code),
                "published": notice.published,
                "withdrawn": notice.withdrawn,
                "correct": f"{address}/notices/{quote(notice.release_id, safe='')}/correct"
                if not notice.withdrawn and may_publish
                else None,
                "withdraw": f"{address}/notices/{quote(notice.release_id, safe='')}/withdraw"
                if not notice.withdrawn and may_publish
                else None,
            }
            for notice in found.notices
        ],
        "next": [{"code": form.code, "title": _(form.title)} for form in following]
        if may_publish
        else [],
        "links": {
            "self": address,
            "public": f"/processes/{quote(found.ocid, safe='')}",
            "recordPackage": f"/api/ocds/records/{quote(found.ocid, safe='')}",
        },
    }


def _regime_name(regime: str) -> str:
    """The rules a procurement is under, as a procurement officer knows them."""
    names = {
        notices.PA2023: _("Procurement Act 2023: started on or after 24 February 2025"),
        notices.PCR2015: _("Public Contracts Regulations 2015: started before 24 February 2025"),
        notices.SCOTLAND: _("Scottish procurement rules"),
    }
    return names.get(regime, regime)


def _stage_name(stage: str | None) -> str | None:
    names = {
        "planning": _("Planning"),
        "tender": _("Tender"),
        "award": _("Award"),
        "contract": _("Contract"),
        "implementation": _("Implementation"),
    }
    return names.get(stage or "", stage)
