"""The notices of a contract being carried out, through the publisher pages (issue 8, item 2):
the contract payments notice (UK8) and the contract performance notice (UK9) for a breach or a
failure to perform, each chosen on the procurement's page once a contract is published,
published end to end and read back; each form's release accepted unchanged by the publish API;
wrong answers refused with the GOV.UK error summary, storing nothing."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import quote

import orjson
import pytest
from django.test import Client

from openbook.publishing import notice_forms, publishers
from openbook.publishing.answers import Refused
from openbook.publishing.notice_forms import Context
from openbook.publishing.notice_forms.award import (
    CONTRACT_AWARD_NOTICE,
    CONTRACT_CHANGE_NOTICE,
    CONTRACT_DETAILS_NOTICE,
)
from openbook.publishing.notice_forms.performance import (
    CONTRACT_PAYMENTS_NOTICE,
    CONTRACT_PERFORMANCE_NOTICE,
)
from openbook.publishing.publish import publish
from openbook.store import log
from openbook.web.pages.publisher.process import may_follow, own_process
from tests.pages.test_publisher import _token, publisher, send, signed_in
from tests.pages.test_publisher_notices import (
    DRAFT,
    _answer,
    _award_answers,
    _correct,
    _day,
    _details_answers,
    _next_codes,
    _publish_next,
    _record,
    _summary,
    _tender_published,
    _today,
)
from tests.pages.test_welsh_refusals import _Stopped, english_left, error_summary
from tests.publishing import (
    BUYER,
    CLI,
    SUPPLIER,
    award,
    contract_details,
    create_key,
    post,
    tender,
)

__all__ = ["publisher"]  # the fixture, shared with the publisher pages' tests


def _payment(paid: date, amount: str) -> dict[str, dict]:
    return {"paid": _day("paid", paid), "amount": {"amount": amount}}


def _failure(**changed: dict) -> dict[str, dict]:
    happened = _today() - timedelta(days=3)
    answers = {
        "route": {"route": "failure"},
        "ground": {"ground": "settlement"},
        "happened": _day("happened", happened),
        "requirement": {"requirement": "Mow every park at least once a fortnight."},
        "description": {"description": "Four parks went unmown for <b>six weeks</b>."},
        "began": _day("began", happened - timedelta(days=60)),
        "ended": _day("ended", happened - timedelta(days=20)),
        "penalty_value": {"penalty_value": "£12,500"},
    }
    return {**answers, **changed}


def test_payments_and_a_breach_published_on_the_procurements_page(publisher, store, monkeypatch):
    client = signed_in()
    ocid = _tender_published(client)
    _publish_next(client, ocid, "UK6", _award_answers())
    # A breach may be reported once the award is published; a payment once the contract is.
    assert _next_codes(client.get(f"/publish/processes/{ocid}").content.decode()) == [
        *("UK6", "UK7", "UK10", "UK11", "UK12", "UK9", "UK5")
    ]
    _publish_next(client, ocid, "UK7", _details_answers())
    html = client.get(f"/publish/processes/{ocid}").content.decode()
    assert {"UK8", "UK9"} <= set(_next_codes(html))

    first = _today() - timedelta(days=10)
    # Two people enter the contract's next payment at once: the other's page read the
    # procurement just before the first payment was published, so numbered its payment alike
    # (payment 1 of contract 1), and published a second later it replaced the first payment in
    # the contract's view. It is refused instead, in the reader's language, storing nothing,
    # with its answers kept; published again, it is numbered after the first.
    other = signed_in()
    _draft(other, ocid, "UK8", _payment(first + timedelta(days=1), "31000"))
    as_read = own_process(store, publisher, ocid)
    check = _publish_next(client, ocid, "UK8", _payment(first, "£45,000.50"))
    assert "£45,000.50" in check and f'href="{DRAFT}/amount?change=1"' in check
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    before = log.log_size(store)
    with monkeypatch.context() as patched:
        patched.setattr(_Stopped, "at", later)  # another second: another release id
        patched.setattr("openbook.web.pages.publisher.notices.datetime", _Stopped)
        patched.setattr("openbook.web.pages.publisher.notices.own_process", lambda *_: as_read)
        token = {"csrfmiddlewaretoken": _token(other.get(f"{DRAFT}/check"))}
        refused = other.post(f"{DRAFT}/check", token)
        html = refused.content.decode()
        assert refused.status_code == 409 and log.log_size(store) == before, _summary(html)
        said = error_summary(html)
        assert "Payment 1 of contract 1 is already published, by a notice published" in said
        assert "publish this notice again to number it after that one" in said
        assert 'action="/publish/notices/draft/check"' in html  # the publish button, again
        other.get("/language/cy")
        said = error_summary(other.post(f"{DRAFT}/check", token).content.decode())
        assert "Cyhoeddwyd hysbysiad arall yn y caffaeliad hwn" in said, said
        assert english_left(said) == [], said
        other.get("/language/en")
    # The procurement as it now is.
    published = other.post(f"{DRAFT}/check", token)
    assert published.status_code == 302 and log.log_size(store) == before + 1
    check = _publish_next(client, ocid, "UK9", _failure())
    assert "&lt;b&gt;six weeks&lt;/b&gt;" in check and "<b>six" not in check
    assert "you reached a settlement agreement with them" in check

    record = _record(ocid)
    assert [r["tag"] for r in record["releases"]][3:] == [["implementation"]] * 3
    compiled = record["compiledRelease"]
    (contract,) = compiled["contracts"]
    implementation = contract["implementation"]
    payments = implementation["transactions"]
    assert [(t["id"], t["value"]) for t in payments] == [
        ("1", {"amount": 45000.5, "currency": "GBP"}),
        ("2", {"amount": 31000, "currency": "GBP"}),
    ]
    assert payments[0]["date"].startswith(first.isoformat())
    assert payments[0]["payer"] == {"id": BUYER["id"], "name": BUYER["name"]}
    assert payments[0]["payee"] == {"id": "GB-COH-01234567", "name": "Green Spaces Ltd"}
    parties = {party["id"]: party for party in compiled["parties"]}
    assert parties[BUYER["id"]]["roles"] == ["buyer", "payer"]
    supplier = parties["GB-COH-01234567"]
    assert supplier["roles"] == ["supplier", "payee"]
    assert supplier["identifier"]["legalName"] == "Green Spaces Ltd"  # kept from the award
    (failure,) = implementation["performanceFailures"]
    assert failure["id"] == "1" and failure["penaltyType"] == "negotiated"
    assert failure["penaltyDate"].startswith((_today() - timedelta(days=3)).isoformat())
    assert "decisionDate" not in failure
    assert failure["requirement"] == "Mow every park at least once a fortnight."
    assert failure["description"] == "Four parks went unmown for <b>six weeks</b>."
    assert failure["period"]["startDate"].startswith((_today() - timedelta(days=63)).isoformat())
    assert failure["penaltyValue"] == {"amount": 12500, "currency": "GBP"}
    assert failure["suppliers"] == [{"id": "GB-COH-01234567", "name": "Green Spaces Ltd"}]
    documents = implementation["documents"]
    assert [d["noticeType"] for d in documents] == ["UK8", "UK8", "UK9"]
    assert len({d["id"] for d in documents}) == 3  # each notice keeps its own
    assert [d["documentType"] for d in documents] == [
        *("financialProgressReport", "financialProgressReport", "implementationNotice")
    ]
    assert "section 71(5)" in documents[2]["description"]
    assert "settlement agreement" in documents[2]["description"]
    assert compiled["tender"]["title"] == "Grounds maintenance for parks"


@pytest.fixture
def contracted(publisher, store) -> str:
    """A procurement of the signed-in organisation with a contract, published through the
    publish use case (the pages' own journey is the test above)."""
    ocid = publishers.mint_ocid(store, publisher, CLI)
    for release in (tender(ocid), award(ocid), contract_details(ocid)):
        publish(store, publisher, release, CLI)
    return ocid


def test_a_corrected_payment_is_changed_not_added(publisher, store, contracted):
    client, ocid = signed_in(), contracted
    _publish_next(client, ocid, "UK8", _payment(_today() - timedelta(days=5), "40000"))
    _publish_next(client, ocid, "UK9", _failure(ground={"ground": "not-improved"}))
    payment_id, failure_id = [r["id"] for r in _record(ocid)["releases"][3:]]
    # A payments notice is corrected payment by payment; one of one payment goes to it
    correct = f"/publish/processes/{ocid}/notices/{quote(payment_id, safe='')}/correct"
    check = client.get(correct)["Location"]
    amount = check.replace("/correct/payment?", "/correct/payment/amount?")
    assert send(client, amount, {"amount": "41000"}).status_code == 302
    done = client.post(check, {"csrfmiddlewaretoken": _token(client.get(check))})
    assert done.status_code == 302, _summary(done.content.decode())
    _correct(client, ocid, failure_id, {"requirement": {"requirement": "Mow weekly."}})
    implementation = _record(ocid)["compiledRelease"]["contracts"][0]["implementation"]
    (payment,) = implementation["transactions"]
    assert payment["value"]["amount"] == 41000
    (failure,) = implementation["performanceFailures"]
    assert failure["requirement"] == "Mow weekly." and "decisionDate" in failure
    assert "penaltyType" not in failure  # failing to improve carries no penalty
    assert len(implementation["documents"]) == 4  # each notice, and each correction


def _compiled(ocid: str) -> dict:
    return orjson.loads(Client().get(f"/api/ocds/records/{ocid}").content)["records"][0][
        "compiledRelease"
    ]


def _built(form, ocid: str, answers: dict[str, dict], compiled: dict | None = None) -> dict:
    """The release the form builds from the answers the pages would read, for the procurement
    as published (or as ``compiled``): the questions asked, as each answer reveals more of them
    (a GROUP's things are given read)."""
    compiled = compiled if compiled is not None else _compiled(ocid)
    context = Context(ocid, BUYER["id"], BUYER["name"], datetime.now(UTC), compiled)
    read: dict = {}
    while unread := [q for q in form.asked(context, read) if q.name not in read]:
        for question in unread:
            given = answers.get(question.name, {})
            read[question.name] = (
                given
                if question.kind == notice_forms.GROUP
                else notice_forms.read_answer(question, given)
            )
    assert form.order_problem(read, context) is None
    return form.build(context, read)


def test_each_forms_release_passes_the_publish_api_unchanged(publisher, store, contracted):
    key = create_key(store, publisher)
    for form, answers in [
        (CONTRACT_PAYMENTS_NOTICE, _payment(_today() - timedelta(days=4), "30000.01")),
        (CONTRACT_PERFORMANCE_NOTICE, _failure()),
        (CONTRACT_PERFORMANCE_NOTICE, _failure(ground={"ground": "partial-termination"})),
    ]:
        release = _built(form, contracted, answers)
        answer = post(Client(), "/api/publish/validate", release, key)
        assert answer.status_code == 200, answer.content[:3000]
        assert orjson.loads(answer.content)["problems"] == [], form.code
        assert post(Client(), "/api/publish/releases", release, key).status_code == 201
    implementation = _compiled(contracted)["contracts"][0]["implementation"]
    assert [d["noticeType"] for d in implementation["documents"]] == ["UK8", "UK9", "UK9"]
    assert [f["id"] for f in implementation["performanceFailures"]] == ["1", "2"]


def test_an_entry_numbered_alike_with_one_published_is_refused(publisher, store, contracted):
    """Each form that numbers an entry after the procurement's (a payment, a breach or failure,
    an assessment's ratings and notice, a contract) says which (``NoticeForm.adds``): built from
    the procurement as read before another notice took that number, its release is refused
    (409) and stores nothing, where merging would have replaced the other's entry. Sent twice,
    a release is still a duplicate; and built again from the procurement as it now is, it is
    published."""
    kpis = [{"kpi_name": "Parks mown on time", "kpi_rating": "met"}]
    assessed = {"route": {"route": "assessment"}, "kpis": kpis}
    assessed |= {"assessed_from": _day("assessed_from", _today() - timedelta(days=365))}
    assessed |= {"assessed_to": _day("assessed_to", _today() - timedelta(days=1))}
    cases = [
        (CONTRACT_PAYMENTS_NOTICE, _payment(_today(), "40000"), "/transactions/0", "Payment 1"),
        (CONTRACT_PERFORMANCE_NOTICE, _failure(), "/performanceFailures/0", "Breach or failure 1"),
        (CONTRACT_PERFORMANCE_NOTICE, assessed, "/metrics/0/observations/0", "Assessment 1 of"),
        (CONTRACT_DETAILS_NOTICE, _details_answers(), "", "Contract 2 is"),
    ]
    for form, answers, where, says in cases:
        as_read = _compiled(contracted)
        first = _built(form, contracted, answers, as_read)
        assert publish(store, publisher, first, CLI, new_entries=form.adds(first)).created
        second = {**_built(form, contracted, answers, as_read), "id": first["id"] + "-again"}
        before = log.log_size(store)
        with pytest.raises(Refused) as refused:
            publish(store, publisher, second, CLI, new_entries=form.adds(second))
        assert refused.value.status == 409 and refused.value.code == "entry-taken"
        (problem,) = refused.value.problems
        pointer = "/contracts/0" + ("/implementation" + where if where else "") + "/id"
        assert problem.pointer == pointer and problem.message.startswith(says), problem
        assert log.log_size(store) == before
        again = publish(store, publisher, first, CLI, new_entries=form.adds(first))
        assert [r.status for r in again.releases] == ["duplicate"]
        now = _built(form, contracted, answers)
        assert publish(store, publisher, now, CLI, new_entries=form.adds(now)).created
    contracts = _compiled(contracted)["contracts"]
    assert [c["id"] for c in contracts] == ["1", "2", "3"]
    implementation = contracts[0]["implementation"]
    assert [t["id"] for t in implementation["transactions"]] == ["1", "2"]
    assert [f["id"] for f in implementation["performanceFailures"]] == ["1", "2"]
    assert [o["id"] for o in implementation["metrics"][0]["observations"]] == ["1", "2"]


def _draft(client: Client, ocid: str, code: str, answers: dict[str, dict]) -> None:
    send(client, f"/publish/processes/{ocid}", {"code": code})
    _answer(client, answers)


def _refused_at_check(client: Client, store, says: str, question: str) -> None:
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html, _summary(html)
    assert f'href="{DRAFT}/{question}?change=1"' in html
    before = log.log_size(store)
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422 and log.log_size(store) == before


def test_dates_out_of_order_are_shown_against_their_question(publisher, store, contracted):
    client = signed_in()
    _draft(client, contracted, "UK9", _failure(began=_day("began", _today())))
    says = "must start on or before the date of the termination, damages, settlement"
    _refused_at_check(client, store, says, "began")
    path = f"{DRAFT}/began?change=1"
    send(client, path, {**_day("began", _today() - timedelta(days=80)), "change": "1"})
    path = f"{DRAFT}/ended?change=1"
    send(client, path, {**_day("ended", _today() - timedelta(days=90)), "change": "1"})
    _refused_at_check(client, store, "must end on or after the day it started", "ended")
    # The same pages in Welsh.
    html = client.get(f"{DRAFT}/ground?lang=cy").content.decode()
    assert '<html lang="cy"' in html and "Pam ydych chi’n cyhoeddi" in html


def test_a_late_performance_notice_is_published_with_what_the_law_says(
    publisher, store, contracted
):
    """Late is recorded, not refused (openbook.publishing.publish, NOT_BLOCKING): the check
    page warns against the date's question, and the notice is published."""
    client = signed_in()
    happened = _today() - timedelta(days=45)
    answers = _failure(
        happened=_day("happened", happened), began=_day("began", happened - timedelta(days=9))
    )
    _draft(client, contracted, "UK9", answers)
    check = client.get(f"{DRAFT}/check")
    html = check.content.decode()
    assert check.status_code == 200 and "due within 30 days beginning with" in html
    assert f'href="{DRAFT}/happened?change=1"' in html
    before = log.log_size(store)
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302 and log.log_size(store) == before + 1


WRONG = {
    "UK8": [
        ("paid", {}, "Enter the date you made the payment"),
        ("paid", {"paid-day": "31", "paid-month": "4", "paid-year": "2026"}, "real date"),
        ("paid", {"paid-day": "1", "paid-month": "4"}, "must include a year"),
        ("paid", {"paid-day": "1", "paid-month": "4", "paid-year": "1999"}, "between 2000"),
        ("amount", {"amount": ""}, "Enter an amount in pounds"),
        ("amount", {"amount": "thirty thousand"}, "using numbers only"),
        ("amount", {"amount": "-45000"}, "using numbers only"),
        ("amount", {"amount": "0.00"}, "greater than £0"),
        ("amount", {"amount": "9" * 40}, "less than £10,000,000,000,000"),
        ("amount", {"amount": "<script>alert(1)</script>"}, "using numbers only"),
    ],
    "UK9": [
        ("ground", {}, "Select why you are publishing this notice"),
        ("ground", {"ground": "terminated"}, "Select why you are publishing this notice"),
        ("ground", {"ground": "<script>alert(1)</script>"}, "Select why you are publishing"),
        ("happened", {"happened-month": "2", "happened-year": "2026"}, "must include a day"),
        ("requirement", {"requirement": " \n "}, "Enter what the contract required"),
        ("requirement", {"requirement": "x" * 10_001}, "no more than 10,000 characters"),
        ("description", {"description": "bell \x07"}, "without control characters"),
        ("description", {"description": ""}, "Describe what went wrong and its impact"),
        ("began", {"began-day": "x", "began-month": "1", "began-year": "2026"}, "in numbers"),
        ("ended", {"ended-day": "30", "ended-month": "2", "ended-year": "2026"}, "real date"),
        ("penalty_value", {"penalty_value": "£1,2345"}, "using numbers only"),
    ],
}


@pytest.mark.parametrize("code", ["UK8", "UK9"])
def test_a_wrong_answer_gets_the_error_summary_and_stores_nothing(
    publisher, store, contracted, code
):
    """The draft is started as the procurement's page starts it; the failure route of UK9
    chosen, so its questions are asked."""
    client = signed_in()
    session = client.session
    answers = {"route": "failure"} if code == "UK9" else {}
    draft = {"code": code, "answers": answers, "ocid": contracted, "bound": True}
    session["openbook_draft"] = draft
    session.save()
    before = log.log_size(store)
    for question, values, says in WRONG[code]:
        answer = send(client, f"{DRAFT}/{question}", values)
        html = answer.content.decode()
        assert answer.status_code == 400, (question, values)
        assert 'class="govuk-error-summary"' in html and says in html, (says, _summary(html))
        assert 'class="govuk-error-message"' in html and "<script>alert" not in html
        assert question not in client.session["openbook_draft"]["answers"]
    assert log.log_size(store) == before
    # Nothing answered: the check page sends the publisher back to the first question asked
    # (the contract is not asked: the procurement has one). With the route answered, to the
    # first question of it, and back to check your answers after.
    first = "paid" if code == "UK8" else "ground?change=1"
    assert client.get(f"{DRAFT}/check")["Location"] == f"{DRAFT}/{first}"


def test_a_payment_needs_a_contract_before_it():
    def codes(*published: str) -> list[str]:
        return [form.code for form in may_follow(frozenset(published))]

    assert "UK8" not in codes("UK4", "UK6") and "UK9" in codes("UK4", "UK6")
    assert {"UK8", "UK9"} <= set(codes("UK7"))
    assert "UK8" not in codes("UK4") and "UK9" not in codes("UK4")


# The releases themselves, without pages.

NOW = datetime(2026, 7, 20, 9, 30, tzinfo=UTC)


def _context(**compiled) -> Context:
    base = {
        "ocid": "ocds-b5fd17-c1",
        "tender": {"id": "T1", "title": "Grounds maintenance"},
        "awards": [{"id": "1", "suppliers": [SUPPLIER]}],
        "contracts": [{"id": "1", "awardID": "1"}],
        "parties": [{**SUPPLIER, "roles": ["supplier", "tenderer"]}],
    }
    return Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], NOW, {**base, **compiled})


PAID = {"paid": date(2026, 7, 1), "amount": 50000}


def test_a_payment_is_numbered_after_the_contracts_and_keeps_the_payees_roles():
    context = _context(
        contracts=[{"id": "1", "awardID": "1", "implementation": {"transactions": [{"id": "7"}]}}]
    )
    release = CONTRACT_PAYMENTS_NOTICE.build(context, PAID)
    (transaction,) = release["contracts"][0]["implementation"]["transactions"]
    assert transaction["id"] == "8" and transaction["date"] == "2026-07-01T00:00:00+01:00"
    payee = next(p for p in release["parties"] if p["id"] == SUPPLIER["id"])
    assert payee["roles"] == ["supplier", "tenderer", "payee"]
    assert release["contracts"][0]["awardID"] == "1"


def test_notices_about_two_contracts_within_a_second_have_ids_of_their_own():
    """A contract numbers its own payments, failures and assessments: the first payment of two
    contracts published within one second had one release id, and the second was refused as a
    conflict (409). The id names the contract; the same answers give the same id again, so a
    page sent twice is still answered as a duplicate."""
    contracts = [{"id": "1", "awardID": "1"}, {"id": "2", "awardID": "1"}]
    context = _context(contracts=contracts)
    failure = {"route": "failure", "ground": "damages", "happened": date(2026, 7, 10)}
    failure |= {"requirement": "r", "description": "d", "began": date(2026, 5, 1)}
    assessed = {"route": "assessment", "assessed_from": date(2025, 7, 1)}
    assessed |= {"assessed_to": date(2026, 6, 30), "kpis": [{"kpi_name": "K", "kpi_rating": "met"}]}
    ids = []
    for form, answers in (
        (CONTRACT_PAYMENTS_NOTICE, PAID),
        (CONTRACT_PERFORMANCE_NOTICE, failure),
        (CONTRACT_PERFORMANCE_NOTICE, assessed),
    ):
        for contract in ("1", "2"):
            release = form.build(context, {**answers, "contract": contract})
            assert release["contracts"][0]["id"] == contract
            assert release == form.build(context, {**answers, "contract": contract})
            ids.append(release["id"])
    assert len(set(ids)) == len(ids) == 6, ids
    assert ids[0] == "ocds-b5fd17-c1-UK8-20260720T093000Z-1-1"
    assert ids[1] == "ocds-b5fd17-c1-UK8-20260720T093000Z-2-1"


def test_a_payment_under_a_joint_contract_names_no_payee_it_cannot_know():
    context = _context(
        awards=[{"id": "1", "suppliers": [SUPPLIER, {"id": "GB-COH-07654321", "name": "B"}]}]
    )
    release = CONTRACT_PAYMENTS_NOTICE.build(context, PAID)
    assert "payee" not in release["contracts"][0]["implementation"]["transactions"][0]
    assert [p["roles"] for p in release["parties"]] == [["buyer", "payer"]]


@pytest.mark.parametrize(
    ("ground", "basis"),
    [
        ("partial-termination", "contracted"),
        ("damages", "imposed"),
        ("settlement", "negotiated"),
        ("not-improved", None),
    ],
)
def test_each_ground_is_stated_and_dated_as_the_uk_extension_says(ground, basis):
    answers = {
        "ground": ground,
        "happened": date(2026, 7, 10),
        "requirement": "Mow fortnightly.",
        "description": "Not mown.",
        "began": date(2026, 5, 1),
    }
    release = CONTRACT_PERFORMANCE_NOTICE.build(_context(), answers)
    implementation = release["contracts"][0]["implementation"]
    (failure,) = implementation["performanceFailures"]
    assert failure.get("penaltyType") == basis
    dated = "decisionDate" if basis is None else "penaltyDate"
    assert failure[dated] == "2026-07-10T00:00:00+01:00"
    assert failure["period"] == {"startDate": "2026-05-01T00:00:00+01:00"}
    (document,) = implementation["documents"]
    assert document["description"].startswith("Published under section 71(5)")
    assert document["id"] == "UK9-notice-1"
    assert release["id"] == "ocds-b5fd17-c1-UK9-20260720T093000Z-1-1"  # contract 1, failure 1
    assert release["tag"] == ["implementation"] and release["tender"]["title"]


@pytest.mark.parametrize(
    ("form", "route"),
    [
        (CONTRACT_PAYMENTS_NOTICE, None),
        (CONTRACT_PERFORMANCE_NOTICE, "failure"),
        (CONTRACT_PERFORMANCE_NOTICE, "assessment"),
    ],
)
def test_every_question_places_its_answer_in_the_release(form, route):
    """So a problem the publish checks find there is shown against its question: each asked,
    with two contracts to choose from."""
    answers = {"ground": "damages", "happened": date(2026, 7, 10), "began": date(2026, 5, 1)}
    answers |= {"requirement": "r", "description": "d", "ended": date(2026, 6, 1)}
    answers |= {"penalty_value": 10, **PAID, "route": route, "contract": "2"}
    answers |= {"assessed_from": date(2025, 7, 1), "assessed_to": date(2026, 6, 30)}
    answers |= {"kpis": [{"kpi_name": "Response", "kpi_rating": "met", "kpi_comment": "On time"}]}
    contracts = [{"id": "1", "awardID": "1"}, {"id": "2", "awardID": "1"}]
    context = _context(contracts=contracts)
    release = form.build(context, answers)
    for question in form.asked(context, answers):
        assert form.question_at(question.pointers[0]).name == question.name
        if question.name == "route" and route == "failure":
            continue  # read back from where only an assessment writes
        found = release
        for token in question.pointers[0].split("/")[1:]:
            found = found[int(token)] if isinstance(found, list) else found.get(token)
        assert found is not None, question.name


def test_a_later_notice_keeps_the_roles_a_party_has():
    """Roles are replaced whole when releases merge: a contract change notice after a payment
    still names the buyer as payer, and a contract award notice to a supplier that was a
    tenderer keeps it one."""
    paid_by = {**BUYER, "roles": ["buyer", "payer"]}
    context = _context(parties=[paid_by, {**SUPPLIER, "roles": ["tenderer"]}])
    change = {"change": "Two more parks", "new_value": 60000, "new_end": date(2027, 3, 31)}
    award = {
        "supplier_name": SUPPLIER["name"],
        "supplier_id": SUPPLIER["id"],
        "supplier_sme": "yes",
        "supplier_vcse": "no",
        "value": 50000,
        "award_date": date(2026, 7, 1),
        "standstill_end": None,
    }
    for form, answers in ((CONTRACT_CHANGE_NOTICE, change), (CONTRACT_AWARD_NOTICE, award)):
        release = form.build(context, answers)
        buyer = next(p for p in release["parties"] if p["id"] == BUYER["id"])
        assert buyer["roles"] == ["buyer", "payer"], form.code
    supplier = next(p for p in release["parties"] if p["id"] == SUPPLIER["id"])
    assert supplier["roles"] == ["tenderer", "supplier"]
