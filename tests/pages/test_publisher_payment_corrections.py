"""Correcting one payment of a contract payments notice (UK8) of several, such as a payments
file publishes, through the publisher pages (openbook.web.pages.publisher.payment_corrections;
docs/contract-payments.md, "Correcting a payment"), on both databases.

The question form of the UK8 notice reads back one payment: of a notice of several, it read the
first and, published, its "correction" added a payment numbered after the contract's rather than
correcting any (``test_the_form_cannot_correct_a_notice_of_several_payments``). Now the
notice's payments are listed, one is chosen, its date, amount or payee changed, and the
correction names that payment only: the other payments stay exactly as published, and the
correction goes to the notice's own procurement and contract, not another the same file paid
under. Bad input is refused with its GOV.UK message, and nothing is stored."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import quote, urlencode

import orjson
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openbook.publishing import accounts, publishers
from openbook.publishing.notice_forms import FORMS
from openbook.publishing.notice_forms import payment_corrections as payments
from openbook.publishing.notice_forms.corrections import answers_from, as_correction
from openbook.publishing.notice_forms.questions import LONDON, AnswerProblem, Context, start_of
from openbook.publishing.payments_file import publish_payments
from openbook.publishing.publish import publish
from openbook.store import log
from tests.conftest import reuse
from tests.pages.conftest import validate_html
from tests.pages.test_publisher import PASSWORD, _token, send, signed_in
from tests.pages.test_welsh_refusals import english_left, error_summary
from tests.publishing import (
    BUYER,
    CLI,
    OTHER_BUYER,
    SUPPLIER,
    award,
    contract_details,
    create_key,
    post,
    tender,
)
from tests.test_payments_file import OURS, THEIRS, TWO, _file, _procurements

SPLIT = "ocds-pay001-split"  # a contract whose award names two suppliers
PARTNER = {"id": "GB-COH-07654321", "name": "Night Owls Lighting Ltd"}


def _today() -> date:
    return datetime.now(UTC).astimezone(LONDON).date()


def _ago(days: int) -> str:
    return (_today() - timedelta(days=days)).isoformat()


# A quarter's file: two payments under OURS's contract, two under TWO's contract 2 and one under
# its contract 1. Each contract's payments are one notice: three notices, in two procurements.
ROWS = (
    f"{OURS},1,{_ago(60)},45000,GBP,INV-1",
    f"{OURS},1,{_ago(40)},52000,GBP,INV-2",
    f"{TWO},2,{_ago(39)},31000,GBP,INV-3",
    f"{TWO},2,{_ago(20)},33000,GBP,INV-4",
    f"{TWO},1,{_ago(19)},35000,GBP,INV-5",
)


def _organisation(store, buyer=BUYER):
    return next(o for o in publishers.list_publishers(store) if o.party_id == buyer["id"])


def _account(store, username="pat", role="publisher") -> None:
    organisation = _organisation(store)
    publishers.add_account(store, username, role, CLI, publisher=str(organisation.id))
    accounts.set_password(store, username, PASSWORD, CLI)


def _published(store, *rows: str, buyer=BUYER) -> None:
    """The rows published as a payments file, through the use case the page calls."""
    publish_payments(
        store, _organisation(store, buyer), _file(*rows), CLI, name="q.csv", kind="csv"
    )


def _split(store) -> None:
    """SPLIT's contract, whose award names two suppliers, and a file of two payments under it:
    one naming a supplier (paid to it), one naming none (paid to no one named)."""
    ours = _organisation(store)
    split_award = award(SPLIT)
    split_award["awards"][0]["suppliers"] = [SUPPLIER, PARTNER]
    split_award["parties"].append({**PARTNER, "roles": ["supplier"]})
    for release in (tender(SPLIT), split_award, contract_details(SPLIT)):
        publish(store, ours, release, CLI)
    header = "ocid,contract_id,payment_date,amount,currency,payment_id,supplier_id\n"
    rows = (
        f"{SPLIT},1,{_ago(30)},45000,GBP,A,{SUPPLIER['id']}",
        f"{SPLIT},1,{_ago(20)},46000,GBP,B,",
    )
    publish_payments(store, ours, _file(*rows, header=header), CLI, name="q.csv", kind="csv")


def _record(ocid: str) -> dict:
    answer = Client().get(f"/api/ocds/records/{ocid}")
    assert answer.status_code == 200, answer.content[:2000]
    return orjson.loads(answer.content)["records"][0]


def _notice(ocid: str, contract: str) -> dict:
    """The payments notice of ``contract`` of ``ocid`` (the first, if it has several)."""
    return next(
        release
        for release in _record(ocid)["releases"]
        if release["tag"] == ["implementation"] and release["contracts"][0]["id"] == contract
    )


def _correct(ocid: str, release_id: str) -> str:
    return f"/publish/processes/{quote(ocid, safe='')}/notices/{quote(release_id, safe='')}/correct"


def _payment(ocid: str, release_id: str, contract: str, payment: str, step: str = "") -> str:
    query = urlencode({"contract": contract, "payment": payment})
    return f"{_correct(ocid, release_id)}/payment{'/' + step if step else ''}?{query}"


def _transactions(ocid: str, contract: str) -> dict[str, dict]:
    compiled = _record(ocid)["compiledRelease"]
    found = next(c for c in compiled["contracts"] if c["id"] == contract)
    return {t["id"]: t for t in found.get("implementation", {}).get("transactions", [])}


def _day(name: str, day: date) -> dict:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


# Pure: the notice's payments, and the correction of one.


def _file_notice() -> tuple[dict, dict]:
    """A payments file's notice of two payments (as payments_file writes one), and the
    procurement it is in."""
    paid = [
        {
            "id": f"payment-INV-{n}",
            "date": f"2026-0{n + 4}-14T00:00:00+01:00",
            "value": {"amount": 40000 + n, "currency": "GBP"},
            "payer": BUYER,
            "payee": SUPPLIER,
        }
        for n in (1, 2)
    ]
    notice = {
        "ocid": OURS,
        "id": f"{OURS}-UK8-1-file-abc",
        "date": "2026-07-20T13:00:00+01:00",
        "tag": ["implementation"],
        "buyer": BUYER,
        "contracts": [
            {
                "id": "1",
                "awardID": "1",
                "implementation": {
                    "transactions": paid,
                    "documents": [{"id": "UK8-notice-file-abc", "noticeType": "UK8"}],
                },
            }
        ],
    }
    compiled = {
        "ocid": OURS,
        "tender": {"id": "1", "title": "Grounds maintenance"},
        "parties": [{**BUYER, "roles": ["buyer", "payer"]}, {**SUPPLIER, "roles": ["supplier"]}],
        "awards": [{"id": "1", "suppliers": [SUPPLIER, PARTNER]}],
        "contracts": [{"id": "1", "awardID": "1", "implementation": {"transactions": paid}}],
    }
    return notice, orjson.loads(orjson.dumps(compiled))  # a copy: not the notice's lists


def _context(compiled: dict, ocid: str = OURS) -> Context:
    now = datetime(2026, 8, 3, 9, 30, tzinfo=UTC)
    return Context(ocid, BUYER["id"], BUYER["name"], now, compiled)


def test_the_form_cannot_correct_a_notice_of_several_payments():
    """Why a notice of several payments is corrected here: the UK8 form reads back its first
    payment only, and the release it builds numbers a payment after the contract's ("3"),
    which the correction keeps, since the notice wrote two payments and the form one: published,
    it added a third payment rather than correcting either (reproduced through the pages before
    this journey existed, on both databases)."""
    notice, compiled = _file_notice()
    form = FORMS["UK8"]
    read = answers_from(form, notice, compiled)
    assert read == {"paid": date(2026, 5, 14), "amount": 40001}  # the first payment only
    context = _context(compiled)
    built = form.build(context, {**read, "amount": 40500})
    corrected = as_correction(built, notice["id"], context, original=notice)
    (transaction,) = corrected["contracts"][0]["implementation"]["transactions"]
    assert transaction["id"] == "3"
    assert transaction["id"] not in {"payment-INV-1", "payment-INV-2"}


def test_a_notices_payments_are_read_as_the_procurement_shows_them():
    notice, compiled = _file_notice()
    corrected = dict(compiled["contracts"][0]["implementation"]["transactions"][1])
    corrected["value"] = {"amount": 41500, "currency": "GBP"}
    compiled["contracts"][0]["implementation"]["transactions"][1] = corrected
    found = payments.payments_in(notice, compiled)
    assert [(p.number, p.contract_id, p.id, p.amount) for p in found] == [
        (1, "1", "payment-INV-1", 40001),
        (2, "1", "payment-INV-2", 41500),  # as corrected since
    ]
    assert found[0].answers() == {
        "paid": date(2026, 5, 14),
        "amount": 40001,
        "payee": SUPPLIER["id"],
    }
    assert payments.payment_of(found, "1", "payment-INV-2") is found[1]
    for contract, payment in (("2", "payment-INV-2"), ("1", "payment-INV-9"), ("", "")):
        with pytest.raises(payments.PaymentNotFound):
            payments.payment_of(found, contract, payment)


def test_a_correction_names_the_one_payment_and_says_what_it_amends():
    notice, compiled = _file_notice()
    before = orjson.dumps(notice)
    payment = payments.payments_in(notice, compiled)[1]
    answers = {**payment.answers(), "amount": 42000.5, "paid": date(2026, 6, 15)}
    answers["payee"] = PARTNER["id"]
    release = payments.correction(notice, payment, answers, _context(compiled))
    assert orjson.dumps(notice) == before  # the notice is not changed
    assert release["ocid"] == OURS and release["id"] != notice["id"]
    assert release["id"] == f"{OURS}-UK8-20260803T093000Z-1-payment-INV-2"
    assert release["tag"] == ["implementationUpdate"]
    assert release["date"] == "2026-08-03T10:30:00+01:00" > notice["date"]
    (contract,) = release["contracts"]
    assert contract["id"] == "1" and contract["awardID"] == "1"
    (transaction,) = contract["implementation"]["transactions"]
    assert transaction == {
        "id": "payment-INV-2",
        "date": "2026-06-15T00:00:00+01:00",
        "value": {"amount": 42000.5, "currency": "GBP"},
        "payer": BUYER,
        "payee": PARTNER,
    }
    (document,) = contract["implementation"]["documents"]
    assert document["noticeType"] == "UK8" and document["documentType"] == "financialProgressReport"
    assert document["id"] == "UK8-notice-payment-INV-2-20260803T093000Z"
    (amendment,) = contract["amendments"]
    assert amendment["amendsReleaseID"] == notice["id"]
    assert amendment["releaseID"] == release["id"]
    assert "payment-INV-2 of contract 1" in amendment["description"]
    parties = {party["id"]: party["roles"] for party in release["parties"]}
    assert parties == {BUYER["id"]: ["buyer", "payer"], PARTNER["id"]: ["supplier", "payee"]}


def test_an_answer_left_as_published_stays_as_published():
    """Only the answers changed are written over the payment: a date left alone keeps how the
    notice wrote it (here in UTC), rather than being written again."""
    notice, compiled = _file_notice()
    compiled["contracts"][0]["implementation"]["transactions"][0]["date"] = "2026-05-13T23:00:00Z"
    payment = payments.payments_in(notice, compiled)[0]
    release = payments.correction(
        notice, payment, {**payment.answers(), "amount": 40100}, _context(compiled)
    )
    (transaction,) = release["contracts"][0]["implementation"]["transactions"]
    assert transaction["date"] == "2026-05-13T23:00:00Z"
    assert transaction["payee"] == SUPPLIER


def test_what_a_correction_refuses():
    notice, compiled = _file_notice()
    payment = payments.payments_in(notice, compiled)[0]
    context = _context(compiled)
    with pytest.raises(AnswerProblem, match="You have not changed the payment"):
        payments.correction(notice, payment, payment.answers(), context)
    with pytest.raises(AnswerProblem, match="Select who the payment was made to"):
        payments.correction(notice, payment, {"payee": "GB-COH-99999999"}, context)
    with pytest.raises(AnswerProblem, match="Select who the payment was made to"):
        payments.correction(notice, payment, {"payee": payments.NO_PAYEE}, context)
    with pytest.raises(payments.OtherProcess):  # in the notice's own procurement only
        payments.correction(notice, payment, {"amount": 1}, _context(compiled, TWO))
    foreign = dict(payment.transaction, value={"amount": 5, "currency": "EUR"})
    euros = payments.Payment(1, "1", "1", foreign)
    assert not payments.changeable(payments.AMOUNT, compiled, euros)
    with pytest.raises(AnswerProblem, match="another currency than pounds"):
        payments.correction(notice, euros, {"amount": 6}, context)


def test_whom_a_payment_may_be_said_to_be_made_to():
    notice, compiled = _file_notice()
    named, unnamed = payments.payments_in(notice, compiled)
    unnamed = payments.Payment(
        2, "1", "1", {k: v for k, v in unnamed.transaction.items() if k != "payee"}
    )
    assert payments.payee_choices(compiled, named) == (
        (SUPPLIER["id"], SUPPLIER["name"]),
        (PARTNER["id"], PARTNER["name"]),
    )
    assert payments.payee_choices(compiled, unnamed)[-1] == (
        payments.NO_PAYEE,
        "No supplier of the contract",
    )
    assert unnamed.answers()["payee"] == payments.NO_PAYEE
    one = {**compiled, "awards": [{"id": "1", "suppliers": [SUPPLIER]}]}
    assert not payments.changeable(payments.PAYEE, one, named)  # no one else to name
    assert payments.changeable(payments.PAYEE, one, unnamed)


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"paid-day": "31", "paid-month": "2", "paid-year": "2026"}, "must be a real date"),
        ({"paid-day": "1", "paid-month": "1", "paid-year": "1999"}, "between 2000 and 2100"),
        ({"paid-day": "1", "paid-month": "1"}, "must include a year"),
        ({}, "Enter the date the payment was made"),
        ({"paid-day": "x", "paid-month": "1", "paid-year": "2026"}, "in numbers"),
    ],
)
def test_a_date_that_cannot_be_used_is_refused(values, says):
    with pytest.raises(AnswerProblem, match=says):
        payments.read(payments.PAID, values, date(2026, 8, 3))


def test_a_payment_cannot_be_dated_after_today():
    tomorrow = _day("paid", date(2026, 8, 4))
    with pytest.raises(AnswerProblem, match="must be today or in the past"):
        payments.read(payments.PAID, tomorrow, date(2026, 8, 3))
    assert payments.read(payments.PAID, _day("paid", date(2026, 8, 3)), date(2026, 8, 3))


# Through the pages: the journey, on a database of its own a test.


def test_a_payment_of_a_files_notice_corrected_through_the_pages(store):
    """A file of five payments, uploaded through the pages: three notices in two procurements.
    The second payment of TWO's contract 2 is corrected; every other payment, in both
    procurements, stays exactly as published."""
    _procurements(store)
    _account(store)
    client = signed_in()
    token = _token(client.get("/publish/payments"))
    upload = SimpleUploadedFile("q3.csv", _file(*ROWS), "text/csv")
    uploaded = client.post("/publish/payments", {"file": upload, "csrfmiddlewaretoken": token})
    assert uploaded.status_code == 201, uploaded.content[:3000]
    notice = _notice(TWO, "2")
    correct = _correct(TWO, notice["id"])
    assert f'href="{correct}"' in uploaded.content.decode()  # the upload links each notice
    ours_before, two_before = _record(OURS)["compiledRelease"], _record(TWO)["compiledRelease"]

    listed = client.get(correct)
    html = unescape(listed.content.decode())
    assert listed.status_code == 200, html[:3000]
    assert "Which payment do you want to correct?" in html
    assert "This notice publishes 2 payments." in html
    assert "payment-INV-3" in html and "payment-INV-4" in html and "INV-5" not in html
    assert "£33,000" in html and "Green Spaces Ltd (GB-COH-01234567)" in html
    change = _payment(TWO, notice["id"], "2", "payment-INV-4")
    assert f'href="{change}"'.replace("&", "&amp;") in listed.content.decode()

    check = client.get(change)
    html = unescape(check.content.decode())
    assert check.status_code == 200, html[:3000]
    assert "Check your correction of payment payment-INV-4" in html and "£33,000" in html
    amount = _payment(TWO, notice["id"], "2", "payment-INV-4", "amount")
    assert 'value="33000"' in client.get(amount).content.decode()  # as published
    answer = send(client, amount, {"amount": "£34,500.50"})
    assert answer.status_code == 302 and answer["Location"] == change
    paid = _today() - timedelta(days=21)
    answer = send(
        client, _payment(TWO, notice["id"], "2", "payment-INV-4", "paid"), _day("paid", paid)
    )
    assert answer.status_code == 302 and answer["Location"] == change
    check = client.get(change)
    html = unescape(check.content.decode())
    assert "£34,500.50" in html and "Published as £33,000" in html
    assert "govuk-error-summary" not in html, error_summary(check.content.decode())

    size = log.log_size(store)
    done = client.post(change, {"csrfmiddlewaretoken": _token(check)})
    assert done.status_code == 302, error_summary(done.content.decode())
    assert log.log_size(store) == size + 1
    confirmation = client.get(done["Location"])
    html = unescape(confirmation.content.decode())
    assert "Payment corrected" in html and "govuk-panel" in html
    assert "Payment payment-INV-4 of contract 2 is corrected" in html
    assert "openbook_payment_correction" not in client.session

    # The payment corrected; the others exactly as published, in both procurements.
    assert _record(OURS)["compiledRelease"] == ours_before
    after = _transactions(TWO, "2")
    (before_2,) = [c for c in two_before["contracts"] if c["id"] == "2"]
    before = {t["id"]: t for t in before_2["implementation"]["transactions"]}
    assert after["payment-INV-3"] == before["payment-INV-3"]
    assert after["payment-INV-4"] == {
        **before["payment-INV-4"],
        "value": {"amount": 34500.5, "currency": "GBP"},
        "date": start_of(paid),
    }
    (before_1,) = [c for c in two_before["contracts"] if c["id"] == "1"]
    assert _transactions(TWO, "1") == {
        t["id"]: t for t in before_1["implementation"]["transactions"]
    }
    releases = _record(TWO)["releases"]
    correction = releases[-1]
    assert correction["tag"] == ["implementationUpdate"] and correction["ocid"] == TWO
    assert datetime.fromisoformat(correction["date"]) > datetime.fromisoformat(notice["date"])
    (contract,) = correction["contracts"]
    assert contract["id"] == "2"
    assert [t["id"] for t in contract["implementation"]["transactions"]] == ["payment-INV-4"]
    assert contract["implementation"]["documents"][0]["noticeType"] == "UK8"
    assert contract["amendments"][0]["amendsReleaseID"] == notice["id"]

    # The file sent again with the row as corrected: published already, nothing stored.
    corrected_row = f"{TWO},2,{paid.isoformat()},34500.50,GBP,INV-4"
    again = publish_payments(
        store, _organisation(store), _file(corrected_row), CLI, name="q3.csv", kind="csv"
    )
    assert again.payments == 0 and again.already == 1
    assert log.log_size(store) == size + 1


def test_the_publish_api_accepts_the_correction_the_pages_make(store):
    _procurements(store)
    _published(store, *ROWS)
    organisation = _organisation(store)
    key = create_key(store, organisation)
    notice = _notice(OURS, "1")
    compiled = _record(OURS)["compiledRelease"]
    payment = payments.payments_in(notice, compiled)[1]
    context = Context(OURS, BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    release = payments.correction(notice, payment, {"amount": 52500}, context)
    checked = post(Client(), "/api/publish/validate", release, key)
    assert checked.status_code == 200, checked.content[:3000]
    assert [p for p in checked.json()["problems"] if p.get("blocking")] == []
    assert post(Client(), "/api/publish/releases", release, key).status_code == 201
    found = _transactions(OURS, "1")
    assert found["payment-INV-2"]["value"] == {"amount": 52500, "currency": "GBP"}
    assert found["payment-INV-1"]["value"] == {"amount": 45000, "currency": "GBP"}


def test_a_notice_of_payments_under_two_contracts_corrects_the_one_chosen(store):
    """A UK8 notice published through the API with a payment under each of a procurement's
    two contracts, both numbered 1: the payment is named by its contract too, and only that
    contract's payment is corrected."""
    _procurements(store)
    _account(store)
    release = {
        "ocid": TWO,
        "id": f"{TWO}-UK8-both",
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "tag": ["implementation"],
        "initiationType": "tender",
        "buyer": BUYER,
        "parties": [{**BUYER, "roles": ["buyer", "payer"]}],
        "tender": {"id": "1", "title": "School meals"},
        "contracts": [
            {
                "id": contract,
                "awardID": "1",
                "implementation": {
                    "transactions": [
                        {
                            "id": "1",
                            "date": f"{_ago(days)}T00:00:00+00:00",
                            "value": {"amount": amount, "currency": "GBP"},
                            "payer": BUYER,
                        }
                    ],
                    "documents": [{"id": f"UK8-notice-{contract}", "noticeType": "UK8"}],
                },
            }
            for contract, days, amount in (("1", 30, 40000), ("2", 31, 50000))
        ],
    }
    publish(store, _organisation(store), release, CLI)
    client = signed_in()
    html = unescape(client.get(_correct(TWO, release["id"])).content.decode())
    assert '<th scope="col" class="govuk-table__header">Contract</th>' in html
    first = client.get(_payment(TWO, release["id"], "1", "1")).content.decode()
    second = client.get(_payment(TWO, release["id"], "2", "1")).content.decode()
    assert "£40,000" in first and "£50,000" in second
    change = _payment(TWO, release["id"], "2", "1")
    send(client, _payment(TWO, release["id"], "2", "1", "amount"), {"amount": "51000"})
    done = client.post(change, {"csrfmiddlewaretoken": _token(client.get(change))})
    assert done.status_code == 302, error_summary(done.content.decode())
    assert _transactions(TWO, "1")["1"]["value"]["amount"] == 40000
    assert _transactions(TWO, "2")["1"]["value"]["amount"] == 51000


def test_the_payee_of_a_payment_corrected(store):
    """A contract whose award names two suppliers: a row naming one is paid to it, a row naming
    none to no one. Either may be said to be paid to the other supplier."""
    _procurements(store)
    _account(store)
    _split(store)
    notice = _notice(SPLIT, "1")
    client = signed_in()
    unnamed = _payment(SPLIT, notice["id"], "1", "payment-B", "payee")
    html = unescape(client.get(unnamed).content.decode())
    assert "Who was the payment made to?" in html
    assert "Green Spaces Ltd" in html and "Night Owls Lighting Ltd" in html
    assert "No supplier of the contract" in html
    answer = send(client, unnamed, {"payee": PARTNER["id"]})
    assert answer.status_code == 302
    check = client.get(answer["Location"])
    assert "Night Owls Lighting Ltd (GB-COH-07654321)" in unescape(check.content.decode())
    done = client.post(answer["Location"], {"csrfmiddlewaretoken": _token(check)})
    assert done.status_code == 302, error_summary(done.content.decode())
    found = _transactions(SPLIT, "1")
    assert found["payment-B"]["payee"] == PARTNER
    assert found["payment-A"]["payee"] == SUPPLIER
    parties = {p["id"]: p["roles"] for p in _record(SPLIT)["compiledRelease"]["parties"]}
    assert "payee" in parties[PARTNER["id"]] and "supplier" in parties[PARTNER["id"]]
    named = unescape(
        client.get(_payment(SPLIT, notice["id"], "1", "payment-A", "payee")).content.decode()
    )
    assert "No supplier of the contract" not in named  # a payee is not taken away


def test_a_withdrawn_notice_cannot_have_a_payment_corrected(store):
    _procurements(store)
    _account(store)
    _published(store, *ROWS)
    notice = _notice(OURS, "1")
    client = signed_in()
    withdraw = f"{_correct(OURS, notice['id'])[: -len('/correct')]}/withdraw"
    send(client, withdraw, {"reason": "Published twice"})
    confirm = client.get(f"{withdraw}?confirm=1")
    client.post(withdraw, {"confirm": "1", "csrfmiddlewaretoken": _token(confirm)})
    size = log.log_size(store)
    for address in (
        _correct(OURS, notice["id"]),
        _payment(OURS, notice["id"], "1", "payment-INV-1"),
        _payment(OURS, notice["id"], "1", "payment-INV-1", "amount"),
    ):
        answer = client.get(address)
        assert answer.status_code == 409, address
        assert "This notice was withdrawn" in answer.content.decode()
    assert log.log_size(store) == size


# Bad input: one database a kind for the module, as nothing is stored (each test checks).


@pytest.fixture(scope="module")
def paid(shared_database):
    reuse(shared_database)
    store = shared_database.store
    _procurements(store)
    _account(store)
    _account(store, "rev", "reviewer")
    _published(store, *ROWS)
    _split(store)
    theirs = f"{THEIRS},1,{_ago(30)},45000,GBP,T-1", f"{THEIRS},1,{_ago(20)},45000,GBP,T-2"
    _published(store, *theirs, buyer=OTHER_BUYER)
    return shared_database


@pytest.fixture
def shared(paid):
    database = reuse(paid)
    size = log.log_size(database.store)
    yield database.store
    assert log.log_size(database.store) == size, "bad input stored something"


@pytest.mark.parametrize(
    ("contract", "payment"),
    [
        ("1", "payment-INV-9"),  # no such payment
        ("2", "payment-INV-1"),  # the payment, under another contract
        ("1", "payment-INV-3"),  # a payment of another notice (TWO's)
        ("", ""),
        ("1", "x" * 5000),
    ],
    ids=["unknown", "other-contract", "other-notice", "none", "long"],
)
def test_a_payment_not_in_the_notice_is_refused(shared, contract, payment):
    notice = _notice(OURS, "1")
    client = signed_in()
    for step in ("", "amount"):
        address = _payment(OURS, notice["id"], contract, payment, step)
        answer = client.get(address)
        html = answer.content.decode()
        assert answer.status_code == 404, address
        said = error_summary(html)
        assert "This notice has no payment" in said and "choose one of its payments below" in said
        assert (payment[:100] or "(none given)") in said and len(said) < 500
        assert "payment-INV-1" in html and "payment-INV-2" in html  # the notice's, to choose
        assert "<title>Error: " in html
        token = _token(client.get("/publish/keys"))
        refused = client.post(address, {"amount": "1", "csrfmiddlewaretoken": token})
        assert refused.status_code == 404
    assert "openbook_payment_correction" not in client.session


def test_another_organisations_notice_is_refused(shared):
    notice = _notice(THEIRS, "1")
    client = signed_in()
    for address in (
        _correct(THEIRS, notice["id"]),
        _payment(THEIRS, notice["id"], "1", "payment-T-1"),
        _payment(THEIRS, notice["id"], "1", "payment-T-1", "amount"),
    ):
        answer = client.get(address)
        assert answer.status_code == 403, address
        assert "only change your own organisation" in unescape(answer.content.decode())
        token = _token(client.get("/publish/keys"))
        assert (
            client.post(address, {"amount": "1", "csrfmiddlewaretoken": token}).status_code == 403
        )
    # Nor under another procurement's address: the notice is looked up in the one named.
    mixed = _payment(OURS, notice["id"], "1", "payment-T-1")
    assert client.get(mixed).status_code == 404


def test_a_reviewer_cannot_correct_a_payment(shared):
    notice = _notice(OURS, "1")
    reviewer = signed_in("rev")
    for step in ("", "amount"):
        assert (
            reviewer.get(_payment(OURS, notice["id"], "1", "payment-INV-1", step)).status_code
            == 403
        )


@pytest.mark.parametrize(
    ("question", "values", "says"),
    [
        ("amount", {"amount": ""}, "Enter an amount in pounds, such as 250000"),
        ("amount", {"amount": "lots"}, "using numbers only"),
        ("amount", {"amount": "0"}, "greater than £0"),
        ("amount", {"amount": "-45000"}, "using numbers only"),
        ("amount", {"amount": "45000.123"}, "using numbers only"),
        ("amount", {"amount": "10000000000000"}, "less than £10,000,000,000,000"),
        ("paid", {"paid-day": "31", "paid-month": "2", "paid-year": "2026"}, "a real date"),
        ("paid", {"paid-day": "1", "paid-month": "1", "paid-year": "3000"}, "between 2000"),
        ("paid", {"paid-day": "1", "paid-month": "1", "paid-year": "2099"}, "today or in the past"),
        ("paid", {"paid-day": "", "paid-month": "", "paid-year": ""}, "Enter the date the payment"),
        ("payee", {"payee": "GB-COH-99999999"}, "Select who the payment was made to"),
        ("payee", {"payee": "none"}, "Select who the payment was made to"),
        ("payee", {}, "Select who the payment was made to"),
    ],
)
def test_a_wrong_answer_gets_the_error_summary_and_message(shared, question, values, says):
    notice = _notice(OURS, "1")
    client = signed_in()
    address = _payment(OURS, notice["id"], "1", "payment-INV-2", question)
    if question == "payee":  # a payment of SPLIT's, whose award names two suppliers
        address = _payment(SPLIT, _notice(SPLIT, "1")["id"], "1", "payment-A", question)
    answer = send(client, address, values)
    html = answer.content.decode()
    assert answer.status_code == 400, html[:2000]
    assert says in unescape(error_summary(html))
    assert 'class="govuk-error-message"' in html and "<title>Error: " in html
    target = f"#{question}-day" if question == "paid" else f"#{question}"
    assert f'href="{target}"' in html
    assert "openbook_payment_correction" not in client.session


def test_a_question_the_payment_does_not_have_is_not_found(shared):
    notice = _notice(OURS, "1")
    client = signed_in()
    for name in ("currency", "id", "..", "payee"):
        address = _payment(OURS, notice["id"], "1", "payment-INV-1", name)
        assert client.get(address).status_code == 404, name


def test_publishing_an_unchanged_payment_is_refused(shared):
    notice = _notice(OURS, "1")
    client = signed_in()
    check = _payment(OURS, notice["id"], "1", "payment-INV-1")
    page = client.get(check)
    assert page.status_code == 200 and "govuk-error-summary" not in page.content.decode()
    refused = client.post(check, {"csrfmiddlewaretoken": _token(page)})
    assert refused.status_code == 422
    assert "You have not changed the payment" in error_summary(refused.content.decode())
    # Fields sent with the publish button are not answers: the session's are.
    refused = client.post(check, {"amount": "99999", "csrfmiddlewaretoken": _token(page)})
    assert refused.status_code == 422
    # Without the form's token, nothing is done.
    assert Client(enforce_csrf_checks=True).post(check).status_code in (302, 403)
    assert client.post(check, {}).status_code == 403


def test_an_answer_changed_for_one_payment_is_not_taken_for_another(shared):
    notice = _notice(OURS, "1")
    client = signed_in()
    send(client, _payment(OURS, notice["id"], "1", "payment-INV-1", "amount"), {"amount": "46000"})
    first = unescape(
        client.get(_payment(OURS, notice["id"], "1", "payment-INV-1")).content.decode()
    )
    second = unescape(
        client.get(_payment(OURS, notice["id"], "1", "payment-INV-2")).content.decode()
    )
    assert "£46,000" in first and "Published as £45,000" in first
    assert "£46,000" not in second and "£52,000" in second and "Published as" not in second


def test_a_notice_of_one_payment_goes_straight_to_its_payment(shared):
    notice = _notice(TWO, "1")  # one payment, INV-5
    client = signed_in()
    answer = client.get(_correct(TWO, notice["id"]))
    check = _payment(TWO, notice["id"], "1", "payment-INV-5")
    assert answer.status_code == 302 and answer["Location"] == check
    html = client.get(check).content.decode()
    assert "Check your correction of payment payment-INV-5" in html
    assert "Start the correction" not in html


def test_the_pages_in_welsh(shared):
    notice = _notice(OURS, "1")
    client = signed_in()
    client.get("/language/cy")
    listed = unescape(client.get(_correct(OURS, notice["id"])).content.decode())
    assert "Pa daliad" in listed, listed[:3000]
    address = _payment(OURS, notice["id"], "1", "payment-INV-1", "paid")
    tomorrow = _day("paid", _today() + timedelta(days=1))
    said = error_summary(send(client, address, tomorrow).content.decode())
    assert english_left(said) == [], said
    check = client.get(_payment(OURS, notice["id"], "1", "payment-INV-1"))
    said = error_summary(
        client.post(
            check.wsgi_request.get_full_path(), {"csrfmiddlewaretoken": _token(check)}
        ).content.decode()
    )
    assert english_left(said) == [], said
    missing = _payment(OURS, notice["id"], "1", "payment-INV-9")
    said = error_summary(client.get(missing).content.decode())
    assert english_left(said) == [], said
    client.get("/language/en")


def test_the_pages_are_valid_html_with_unique_ids(shared, tmp_path):
    notice = _notice(OURS, "1")
    client = signed_in()
    check = _payment(OURS, notice["id"], "1", "payment-INV-1")
    pages = {
        "list": client.get(_correct(OURS, notice["id"])),
        "check": client.get(check),
        "amount": client.get(_payment(OURS, notice["id"], "1", "payment-INV-1", "amount")),
        "paid": client.get(_payment(OURS, notice["id"], "1", "payment-INV-1", "paid")),
        "amount refused": send(
            client, _payment(OURS, notice["id"], "1", "payment-INV-1", "amount"), {"amount": "x"}
        ),
        "not in the notice": client.get(_payment(OURS, notice["id"], "1", "nothing")),
        "unchanged": client.post(check, {"csrfmiddlewaretoken": _token(client.get(check))}),
    }
    for name, answer in pages.items():
        html = answer.content.decode()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), name
        assert 'rel="alternate" type="application/json"' in html, name
    assert validate_html({name: answer.content for name, answer in pages.items()}, tmp_path) == []
    twin = orjson.loads(client.get(f"{check}&format=json").content)
    assert twin["payment"]["id"] == "payment-INV-1"
    assert [row["question"] for row in twin["rows"]] == ["paid", "amount", "payee"]
