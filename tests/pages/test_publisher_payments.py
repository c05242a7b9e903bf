"""The publisher page that publishes a quarter's payments from one file (/publish/payments), on
both databases: signed in only, CSRF-checked, the file published whole or refused with each
problem's row and column, and nothing stored when refused."""

import orjson
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openbook.publishing import accounts, publishers
from openbook.store import log
from tests.pages.test_publisher import PASSWORD, _token, signed_in
from tests.publishing import BUYER, CLI
from tests.test_payments_file import OURS, THEIRS, _file, _procurements


def test_a_publisher_uploads_a_quarters_payments(store):
    _procurements(store)
    organisation = next(o for o in publishers.list_publishers(store) if o.party_id == BUYER["id"])
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(store, "pat", PASSWORD, CLI)
    client = signed_in()
    form = client.get("/publish/payments")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.content.decode()
    assert 'href="/publish/payments"' in client.get("/publish").content.decode()

    def upload(name: str, data: bytes, token: str | None = None):
        values = {"file": SimpleUploadedFile(name, data, "text/csv")}
        if token is not False:
            values["csrfmiddlewaretoken"] = token or _token(client.get("/publish/payments"))
        return client.post("/publish/payments", values)

    size = log.log_size(store)
    assert upload("q2.csv", _file(f"{OURS},1,2026-05-14,45000,GBP,A"), False).status_code == 403
    refused = upload(
        "q2.csv", _file(f"{OURS},1,2026-05-14,lots,GBP,A", f"{THEIRS},1,2026-05-14,45000,GBP,B")
    )
    assert refused.status_code == 422
    html = refused.content.decode()
    assert "Nothing was published" in html and "is not an amount in pounds" in html
    assert '<td class="govuk-table__cell">3</td>' in html  # the row of another body's contract
    assert upload("q2.xlsx", b"PK\x03\x04").status_code == 400
    assert log.log_size(store) == size

    published = upload("q2.csv", _file(f"{OURS},1,2026-05-14,45000,GBP,A"))
    assert published.status_code == 201, published.content[:3000]
    assert "1 payment published" in published.content.decode()
    assert log.log_size(store) == size + 1
    twin = client.get("/publish/payments?format=json")
    assert orjson.loads(twin.content)["organisation"]["identifier"] == organisation.org_id
    assert Client().get("/publish/payments").status_code in (302, 303)


def test_the_warnings_of_a_published_file_are_shown(store):
    _procurements(store)
    organisation = next(o for o in publishers.list_publishers(store) if o.party_id == BUYER["id"])
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(store, "pat", PASSWORD, CLI)
    client = signed_in()

    def upload(name: str, data: bytes, language: str = "en"):
        token = _token(client.get("/publish/payments"))
        values = {"file": SimpleUploadedFile(name, data, "text/csv"), "csrfmiddlewaretoken": token}
        return client.post(f"/publish/payments?lang={language}", values)

    assert upload("a.csv", _file(f"{OURS},1,2026-05-14,45000,GBP,")).status_code == 201
    # The same payment again, now with a reference; and one of £100 made before s.70 applied.
    answer = upload(
        "b.csv",
        _file(f"{OURS},1,2026-05-14,45000,GBP,INV-9", f"{OURS},1,2025-01-02,100,GBP,INV-10"),
    )
    assert answer.status_code == 201
    html = answer.content.decode()
    assert "govuk-warning-text" in html and "warnings below" in html
    for said in ("payment of this amount on this day already", "is not more than £30,000"):
        assert said in html
    assert '<td class="govuk-table__cell">payment_id</td>' in html
    assert html.count('<td class="govuk-table__cell">3</td>') == 2  # before s.70, and under
    again = upload("b.csv", _file(f"{OURS},1,2026-05-14,45000,GBP,INV-9"), "cy")
    assert again.status_code == 200
    welsh = again.content.decode()
    assert (
        "published already" in welsh and "Gwiriwch y " in welsh and "Rhybuddion am y ffeil" in welsh
    )
