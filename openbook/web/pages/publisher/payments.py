"""Publishing a quarter's payments from one file, for an organisation's publishers: the file
uploaded, checked and published whole or not at all, as ``POST /api/publish/payments`` does
(openbook.publishing.payments_file; docs/contract-payments.md). The problems are the use case's,
each named by its row and column, in English as the API gives them."""

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from openbook import config
from openbook.publishing import payments_file, publishers
from openbook.store.database import Store
from openbook.web.pages.errors import PageError, answer
from openbook.web.pages.i18n import _
from openbook.web.pages.publisher.session import actor, signed_in
from openbook.web.pages.rendering import page

SHOWN = 100  # problems listed on the page; the rest are counted


@require_http_methods(["GET", "HEAD", "POST"])
@signed_in
def payments(request: HttpRequest) -> HttpResponse:
    publisher = request.publisher
    if publisher.role != publishers.PUBLISHER or publisher.organisation is None:
        return answer(
            request,
            PageError(403, _("Only a publisher of an organisation can publish its notices")),
        )
    organisation = publisher.organisation
    context: dict = {
        "organisation": {"name": organisation.name, "identifier": organisation.org_id},
        "error": None,
        "refused": None,
        "published": None,
    }
    status = 200
    if request.method == "POST":
        status = _post(request, context)
    return page(
        request,
        "pages/publisher/payments.html",
        context,
        title=_("Publish payments from a file"),
        status=status,
        error=status >= 400,
    )


def _post(request: HttpRequest, context: dict) -> int:
    uploaded = request.FILES.get("file")
    if uploaded is None or not uploaded.name:
        context["error"] = _("Select a CSV file of the payments")
        return 400
    kind = payments_file.kind_of(uploaded.name)
    if kind is None:
        context["error"] = _("The file must be a CSV file (.csv) or JSON Lines (.jsonl)")
        return 400
    most = config.publish_max_bytes()
    if uploaded.size is None or uploaded.size > most:
        context["error"] = _(
            "The file must be smaller than %(size)s MB: split it", size=f"{most / 2**20:g}"
        )
        return 413
    name = uploaded.name.replace("/", "_").replace("\\", "_")[:200]
    try:
        answered = payments_file.publish_payments(
            Store(),
            request.publisher.organisation,
            uploaded.read(),
            actor(request, request.publisher),
            name=name,
            kind=kind,
            via="publisher pages",
        )
    except payments_file.PaymentsRefused as refused:
        context["error"] = _(
            "Nothing was published: put right the problems below and upload it again"
        )
        context["refused"] = {
            "code": refused.code,
            "message": refused.message,
            "problems": [problem.as_dict() for problem in refused.problems[:SHOWN]],
            "more": max(0, len(refused.problems) - SHOWN),
        }
        return refused.status
    published = answered.as_dict()
    # What was published is said with what was doubtful in it (possible duplicates, payments
    # not required, published late): the publisher reads them as the API's caller does.
    published["more"] = max(0, len(published["problems"]) - SHOWN)
    published["problems"] = published["problems"][:SHOWN]
    context["published"] = published
    return 201 if answered.created else 200
