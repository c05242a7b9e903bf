"""Correcting a contract payments notice (UK8) of one payment through the publisher pages, on
both databases (openbook.web.pages.publisher.payment_corrections; docs/contract-payments.md,
"Correcting a payment").

Its "Correct" link read the notice back into the one-payment UK8 question form, which has no
payee question: a contract whose award names several suppliers gets a payment naming no one, and
the pages could never say whom it was made to. Now the link goes straight to the payment's own
correction, as a payment of a notice of several is corrected: date, amount and payee. Bad input
is refused with its message, and nothing is stored."""

from datetime import UTC, datetime, timedelta
from html import unescape

import orjson
import pytest
from django.test import Client

from openbook.publishing.notice_forms import FORMS
from openbook.publishing.notice_forms.corrections import answers_from
from openbook.publishing.notice_forms.questions import Context
from openbook.publishing.publish import publish
from openbook.store import log
from tests.conftest import reuse
from tests.pages.test_publisher import _token, send, signed_in
from tests.pages.test_publisher_payment_corrections import (
    PARTNER,
    _account,
    _correct,
    _notice,
    _organisation,
    _payment,
    _published,
    _record,
    _today,
    _transactions,
)
from tests.pages.test_welsh_refusals import error_summary
from tests.publishing import BUYER, CLI, OTHER_BUYER, SUPPLIER, award, contract_details, tender
from tests.test_payments_file import THEIRS, TWO, _procurements

SINGLE = "ocds-pay001-single"  # a contract whose award names two suppliers, paid once


def _single(store) -> dict:
    """SINGLE's contract, whose award names two suppliers, and its UK8 notice of one payment
    as the question form writes it (no payee: the form cannot know which supplier was paid)."""
    ours = _organisation(store)
    split_award = award(SINGLE)
    split_award["awards"][0]["suppliers"] = [SUPPLIER, PARTNER]
    split_award["parties"].append({**PARTNER, "roles": ["supplier"]})
    for release in (tender(SINGLE), split_award, contract_details(SINGLE)):
        publish(store, ours, release, CLI)
    compiled = _record(SINGLE)["compiledRelease"]
    context = Context(SINGLE, BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    paid = _today() - timedelta(days=12)
    notice = FORMS["UK8"].build(context, {"paid": paid, "amount": 45000})
    publish(store, ours, notice, CLI)
    return notice


def test_the_form_cannot_say_whom_a_one_payment_notice_paid(store):
    """Why the form no longer corrects it: read back, the notice has no payee to change, and
    the form asks none."""
    _procurements(store)
    notice = _single(store)
    read = answers_from(FORMS["UK8"], notice, _record(SINGLE)["compiledRelease"])
    assert set(read) == {"paid", "amount"}
    assert [q.name for q in FORMS["UK8"].questions] == ["contract", "paid", "amount"]


def test_a_one_payment_notice_corrected_through_the_pages_names_its_payee(store):
    _procurements(store)
    _account(store)
    notice = _single(store)
    (payment,) = notice["contracts"][0]["implementation"]["transactions"]
    assert "payee" not in payment
    client = signed_in()
    check = _payment(SINGLE, notice["id"], "1", payment["id"])

    # The notice's "Correct" link goes to its one payment.
    correct = client.get(_correct(SINGLE, notice["id"]))
    assert correct.status_code == 302 and correct["Location"] == check
    page = client.get(check)
    html = unescape(page.content.decode())
    assert page.status_code == 200, html[:3000]
    assert "Check your correction of payment 1" in html and "Not named" in html
    assert "Correct another payment of this notice" not in html
    assert f'href="/publish/processes/{SINGLE}" class="govuk-back-link"' in html

    payee = _payment(SINGLE, notice["id"], "1", payment["id"], "payee")
    html = unescape(client.get(payee).content.decode())
    assert "Who was the payment made to?" in html
    assert "Green Spaces Ltd" in html and "Night Owls Lighting Ltd" in html
    answer = send(client, payee, {"payee": PARTNER["id"]})
    assert answer.status_code == 302 and answer["Location"] == check
    page = client.get(check)
    assert "Night Owls Lighting Ltd (GB-COH-07654321)" in unescape(page.content.decode())

    size = log.log_size(store)
    done = client.post(check, {"csrfmiddlewaretoken": _token(page)})
    assert done.status_code == 302, error_summary(done.content.decode())
    assert log.log_size(store) == size + 1  # one correction release
    html = unescape(client.get(done["Location"]).content.decode())
    assert "Payment 1 of contract 1 is corrected: the procurement now shows it as corrected." in (
        html
    )
    assert "Correct another payment of this notice" not in html

    # The one payment now names its payee; no payment was added.
    assert _transactions(SINGLE, "1") == {payment["id"]: {**payment, "payee": PARTNER}}
    record = _record(SINGLE)
    parties = {p["id"]: p["roles"] for p in record["compiledRelease"]["parties"]}
    assert "payee" in parties[PARTNER["id"]] and "payee" not in parties[SUPPLIER["id"]]
    correction = record["releases"][-1]
    assert correction["tag"] == ["implementationUpdate"]
    (contract,) = correction["contracts"]
    assert contract["amendments"][0]["amendsReleaseID"] == notice["id"]
    assert contract["implementation"]["transactions"][0]["payee"] == PARTNER

    # The change feed shows the correction, once.
    feed = orjson.loads(Client().get("/api/ocds/releases?limit=1000").content)
    assert [r["id"] for r in feed["releases"]].count(correction["id"]) == 1


# Bad input: one database a kind for the module, as nothing is stored (each test checks).


@pytest.fixture(scope="module")
def single(shared_database):
    reuse(shared_database)
    store = shared_database.store
    _procurements(store)
    _account(store)
    notice = _single(store)
    _published(store, f"{TWO},1,{_today() - timedelta(days=9)},35000,GBP,INV-5")
    _published(store, f"{THEIRS},1,{_today() - timedelta(days=9)},45000,GBP,T-1", buyer=OTHER_BUYER)
    # TWO's notice of one payment, withdrawn
    client = signed_in()
    withdrawn = _notice(TWO, "1")
    withdraw = f"{_correct(TWO, withdrawn['id'])[: -len('/correct')]}/withdraw"
    send(client, withdraw, {"reason": "Published twice"})
    confirm = client.get(f"{withdraw}?confirm=1")
    gone = client.post(withdraw, {"confirm": "1", "csrfmiddlewaretoken": _token(confirm)})
    assert gone.status_code in (200, 302), gone.content[:2000]
    return shared_database, notice, withdrawn


@pytest.fixture
def shared(single):
    database, notice, withdrawn = single
    reuse(database)
    size = log.log_size(database.store)
    yield notice, withdrawn
    assert log.log_size(database.store) == size, "bad input stored something"


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"payee": "GB-COH-99999999"}, "Select who the payment was made to"),  # no supplier
        ({"payee": BUYER["id"]}, "Select who the payment was made to"),
        ({}, "Select who the payment was made to"),
    ],
    ids=["not-a-supplier", "the-buyer", "none"],
)
def test_a_payee_not_a_supplier_of_the_contract_is_refused(shared, values, says):
    notice, _withdrawn = shared
    client = signed_in()
    (payment,) = notice["contracts"][0]["implementation"]["transactions"]
    address = _payment(SINGLE, notice["id"], "1", payment["id"], "payee")
    answer = send(client, address, values)
    assert answer.status_code == 400, answer.content[:2000]
    assert says in unescape(error_summary(answer.content.decode()))
    assert "openbook_payment_correction" not in client.session
    # Nor can a payee be slipped in with the publish button: the session's answers are used.
    check = _payment(SINGLE, notice["id"], "1", payment["id"])
    refused = client.post(check, {**values, "csrfmiddlewaretoken": _token(client.get(check))})
    assert refused.status_code == 422
    assert "You have not changed the payment" in error_summary(refused.content.decode())


def test_another_organisations_one_payment_notice_is_refused(shared):
    theirs = _notice(THEIRS, "1")
    client = signed_in()
    for address in (
        _correct(THEIRS, theirs["id"]),
        _payment(THEIRS, theirs["id"], "1", "payment-T-1"),
        _payment(THEIRS, theirs["id"], "1", "payment-T-1", "amount"),
    ):
        answer = client.get(address)
        assert answer.status_code == 403, address
        assert "only change your own organisation" in unescape(answer.content.decode())
        token = _token(client.get("/publish/keys"))
        refused = client.post(address, {"amount": "1", "csrfmiddlewaretoken": token})
        assert refused.status_code == 403, address


def test_a_withdrawn_one_payment_notice_is_refused(shared):
    _single_notice, withdrawn = shared
    client = signed_in()
    for address in (
        _correct(TWO, withdrawn["id"]),
        _payment(TWO, withdrawn["id"], "1", "payment-INV-5"),
        _payment(TWO, withdrawn["id"], "1", "payment-INV-5", "amount"),
    ):
        answer = client.get(address)
        assert answer.status_code == 409, address
        assert "withdrawn" in unescape(answer.content.decode())
        token = _token(client.get("/publish/keys"))
        refused = client.post(address, {"amount": "46000", "csrfmiddlewaretoken": token})
        assert refused.status_code == 409, address
    assert "openbook_payment_correction" not in client.session
