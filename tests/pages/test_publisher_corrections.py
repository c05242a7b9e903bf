"""Correcting and withdrawing published notices through the publisher pages (issue 8, item 2),
on both databases: the answers read back from a published release (a round trip through the
tender notice's form), a correction the publish API accepts, a withdrawal made by the publish
API's own use case with the reason checked as the API checks it, and what the pages refuse."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import quote

import orjson
import pytest
from django.test import Client

from openbook import redaction, transparency
from openbook.publishing import accounts, publishers
from openbook.publishing.notice_forms import FORMS, Context, restored, stored
from openbook.publishing.notice_forms.corrections import answers_from, as_correction
from openbook.publishing.notice_forms.questions import LONDON
from openbook.standards.ocds.compile import compiled_release
from openbook.store import audit, log
from tests.pages.conftest import validate_html
from tests.pages.test_publisher import PASSWORD, _answer_all, _token, send, signed_in
from tests.publishing import (
    BUYER,
    CLI,
    OTHER_BUYER,
    create_key,
    create_publisher,
    notice,
    post,
    tender,
)
from tests.test_transparency import key_dir  # noqa: F401 (a fixture)

UK4 = FORMS["UK4"]
NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
ANSWERS = {
    "title": "Grounds maintenance for parks",
    "description": "Mowing, planting and litter picking\nin 14 parks.",
    "category": "services",
    "cpv": "77314000",
    "value": 1250000,
    "procedure": "open",
    "deadline": datetime(2026, 3, 27, 12, 0, tzinfo=LONDON),
    "contract_start": date(2026, 6, 1),
    "contract_end": date(2029, 5, 31),
    "sme": "yes",
    "vcse": "no",
}
OTHER_ANSWERS = {
    **{name: value for name, value in ANSWERS.items() if not name.startswith("contract_")},
    "category": "works",
    "value": 87500.5,
    "procedure": "competitive-flexible",
    "deadline": datetime(2026, 7, 1, 17, 30, tzinfo=LONDON),  # summer time
    "sme": "no",
    "vcse": "yes",
}


def _context(ocid="ocds-b5fd17-c1", now=NOW) -> Context:
    return Context(ocid=ocid, buyer_id=BUYER["id"], buyer_name=BUYER["name"], now=now)


# The answers read back and the correction: pure functions.


@pytest.mark.parametrize("answers", [ANSWERS, OTHER_ANSWERS], ids=["open", "flexible"])
def test_a_tender_notices_answers_read_back_from_its_release(answers):
    release = UK4.build(_context(), answers)
    found = answers_from(UK4, release)
    assert found == answers
    # As the draft keeps them in the session, and as the pages read them back.
    kept = orjson.loads(orjson.dumps({name: stored(value) for name, value in found.items()}))
    assert {name: restored(UK4.question(name), value) for name, value in kept.items()} == answers
    assert UK4.build(_context(), found) == release


def test_what_a_release_does_not_say_is_left_to_ask():
    """A tender notice published through the API, with fields the form does not ask and
    without some it does: what it says is read, the rest is asked again."""
    release = tender("ocds-b5fd17-c2", title="School meals")
    found = answers_from(UK4, release)
    assert found == {
        "title": "School meals",
        "value": 250000,
        "deadline": datetime(2025, 7, 4, 12, 0, tzinfo=LONDON),
    }


@pytest.mark.parametrize(
    "title", ["x" * 301, "a\x00b", "line\nbreak", "\x07bell"], ids=["long", "nul", "lf", "bel"]
)
def test_an_answer_the_form_would_refuse_is_asked_again(title):
    release = UK4.build(_context(), ANSWERS)
    release["tender"]["title"] = title
    assert "title" not in answers_from(UK4, release)


def test_a_choice_the_form_does_not_offer_is_asked_again():
    release = UK4.build(_context(), ANSWERS)
    release["tender"]["mainProcurementCategory"] = "consultingServices"
    release["tender"]["procurementMethod"] = "limited"
    found = answers_from(UK4, release)
    assert "category" not in found and "procedure" not in found
    assert found["title"] == ANSWERS["title"]


def test_a_correction_is_a_new_release_tagged_as_an_update_saying_what_it_amends():
    first = UK4.build(_context(), ANSWERS)
    later = _context(now=NOW + timedelta(days=2))
    built = UK4.build(later, {**ANSWERS, "title": "Grounds maintenance for 15 parks"})
    before = orjson.dumps(built)
    correction = as_correction(built, first["id"], later)
    assert orjson.dumps(built) == before  # a new copy
    assert correction["id"] == built["id"] != first["id"]
    assert correction["ocid"] == first["ocid"]
    assert correction["tag"] == ["tenderUpdate"]
    assert correction["tender"]["title"] == "Grounds maintenance for 15 parks"
    assert correction["tender"]["amendments"] == [
        {
            "id": built["id"],
            "date": "2026-01-07T10:00:00+00:00",
            "description": f"Corrects the notice published as release {first['id']}: this "
            "release replaces it.",
            "amendsReleaseID": first["id"],
            "releaseID": built["id"],
        }
    ]
    document = correction["tender"]["documents"][0]
    assert document["noticeType"] == "UK4" and document["id"] == "UK4-notice-20260107T100000Z"
    assert document["datePublished"] == correction["date"]


def test_a_correction_within_the_same_second_still_has_an_id_of_its_own():
    first = UK4.build(_context(), ANSWERS)
    correction = as_correction(UK4.build(_context(), ANSWERS), first["id"], _context())
    assert correction["id"] == f"{first['id']}-correction"
    assert correction["tender"]["amendments"][0]["releaseID"] == correction["id"]


def test_each_notice_is_amended_where_it_is_and_tagged_as_an_update():
    release = {
        "id": "r2",
        "tag": ["planning", "award", "contract", "tenderUpdate", "implementation"],
        "planning": {"documents": [{"id": "UK2-notice", "noticeType": "UK2"}]},
        "tender": {"id": "1"},
        "awards": [
            {"id": "A1", "documents": [{"id": "UK6-notice", "noticeType": "UK6"}]},
            {"id": "A2"},
        ],
        "contracts": [
            {
                "id": "C1",
                "implementation": {"documents": [{"id": "UK9-notice", "noticeType": "UK9"}]},
            }
        ],
    }
    correction = as_correction(release, "r1", _context(), description="Supplier name corrected")
    assert correction["tag"] == [
        "planningUpdate",
        "awardUpdate",
        "contractUpdate",
        "tenderUpdate",
        "implementationUpdate",
    ]
    # Planning has no amendments in OCDS 1.1: a planning notice's are the tender's.
    for section in (correction["tender"], correction["awards"][0], correction["contracts"][0]):
        (amendment,) = section["amendments"]
        assert amendment["amendsReleaseID"] == "r1" and amendment["releaseID"] == "r2"
        assert amendment["description"] == "Supplier name corrected"
    assert "amendments" not in correction["awards"][1]
    assert "amendments" not in correction["planning"]
    assert correction["planning"]["documents"][0]["id"] == "UK2-notice-20260105T100000Z"
    document = correction["contracts"][0]["implementation"]["documents"][0]
    assert document["id"] == "UK9-notice-20260105T100000Z"


def test_a_corrected_contract_change_replaces_its_amendment_rather_than_adding_one():
    """A contract change notice (UK10) says its change in an amendment of the contract; its
    correction, published in a later second, added a second copy of the change (in the
    corrected words) beside the first. The change keeps its amendment's id, so the compiled
    contract has the change once, as last corrected, and an amendment for each correction."""
    uk10 = FORMS["UK10"]
    compiled = {"tender": {"id": "1"}, "contracts": [{"id": "1", "awardID": "1"}]}
    context = Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], NOW, compiled=compiled)
    published = [uk10.build(context, {"change": "Two more parks", "new_value": 60000})]
    for days, words in ((1, "Three more parks"), (2, "Four more parks")):
        later = replace(context, now=NOW + timedelta(days=days))
        built = uk10.build(later, {"change": words, "new_value": 60000})
        original = published[-1]
        published.append(as_correction(built, original["id"], later, original=original))
    first_change = published[0]["contracts"][0]["amendments"][0]
    amendments = compiled_release(published)["contracts"][0]["amendments"]
    changes = [a for a in amendments if "amendsReleaseID" not in a]
    assert changes == [{**first_change, "description": "Four more parks"}]
    assert [a["amendsReleaseID"] for a in amendments if "amendsReleaseID" in a] == [
        published[0]["id"],
        published[1]["id"],
    ]


def _sample_answers(form, pick, context) -> dict:
    """An answer to every question of ``form`` asked of ``context``'s procurement: each kind's
    example, the choices ``pick`` picks (a route, a contract among two, a lot)."""
    examples = {
        "text": "Grounds maintenance",
        "textarea": "Mowing and planting\nin 14 parks.",
        "money": 125000.5,
        "datetime": datetime(2026, 3, 27, 12, 0, tzinfo=LONDON),
        "cpv": "77314000",
        "identifier": "GB-COH-01234567",
    }
    answers: dict = {}
    while unread := [q for q in form.asked(context, answers) if q.name not in answers]:
        for question in unread:
            number = form.questions.index(form.question(question.name))
            if question.reader is not None:  # a question read its own way, its example
                answers[question.name] = OWN_READERS[question.name]
            elif question.kind == "choice":
                answers[question.name] = pick(question.choices)[0]
            elif question.kind == "checkboxes":
                answers[question.name] = [pick(question.choices)[0]]
            elif question.kind == "group":
                answers[question.name] = [
                    {"kpi_name": "Repairs on time", "kpi_rating": "met", "kpi_comment": None},
                    {"kpi_name": "Complaints", "kpi_rating": "other", "kpi_comment": "None."},
                ]
            elif question.kind == "date":
                answers[question.name] = date(2026, 6, 1) + timedelta(days=30 * number)
            else:
                answers[question.name] = examples[question.kind]
    return answers


# examples of the answers questions read their own way (dynamic_markets.py and
# compliance.py): lists of suppliers, a reporting period's end, days, percentages.
OWN_READERS = {
    "members": "Green Ltd, GB-COH-01234567\nSmith, Jones & Co, GB-CHC-1123456",
    "admitted": "Night Owls Care CIC, GB-COH-07654321",
    "removed": "Green Ltd, GB-COH-01234567",
    "period_end": date(2026, 9, 30),
    "average_days": 18.5,
    "within_30": 92.5,
    "within_60": 6,
    "after_60": 1.5,
    "not_paid": 3,
    "approver": "Jane Smith, Director of Finance",
    # the 2015 contract award notice's section V (pcr2015_award.py)
    "tenders": 4,
    "sme_tenders": 2,
    "eu_tenders": 1,
    "other_tenders": 0,
    "electronic_tenders": 3,
    "group": "yes",
    "group_members": "Smith, Jones & Co, GB-COH-07654321",
    "subcontract_share": 25,
}


@pytest.mark.parametrize("pick", [lambda choices: choices[0], lambda choices: choices[-1]])
@pytest.mark.parametrize("code", sorted(FORMS))
def test_every_forms_answers_read_back_from_its_release(code, pick):
    """answers_from knows no form: it reads every form's answers back through its pointers.
    An answer a question reads its own way may be asked again (a list of suppliers spread over
    awards, a percentage written as a proportion), but is never read back wrong."""
    form = FORMS[code]
    supplier = {"id": "GB-COH-01234567", "name": "Green Ltd"}
    compiled = {
        "ocid": "ocds-b5fd17-c1",
        "tender": {"id": "1", "title": "Grounds maintenance", "lots": [{"id": "1"}, {"id": "2"}]},
        "awards": [{"id": "1", "suppliers": [supplier]}, {"id": "2", "relatedLots": ["2"]}],
        "contracts": [{"id": "1", "awardID": "1"}, {"id": "2", "awardID": "2"}],
    }
    context = Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], NOW, compiled=compiled)
    answers = _sample_answers(form, pick, context)
    found = answers_from(form, form.build(context, answers), compiled)
    own = {question.name for question in form.questions if question.reader is not None}
    assert {name: found[name] for name in found.keys() - own} == {  # own readers
        name: answers[name] for name in answers.keys() - own
    }
    assert {name: found[name] for name in found.keys() & own} == {
        name: answers[name] for name in found.keys() & own
    }


# Through the publish API: the correction passes its checks.


def test_the_publish_api_accepts_a_correction(store):
    organisation = create_publisher(store)
    key = create_key(store, organisation)
    client = Client()
    ocid = client.post("/api/publish/ocids", HTTP_AUTHORIZATION=f"Bearer {key}").json()["ocid"]
    now = datetime.now(UTC).replace(microsecond=0)
    first = UK4.build(_context(ocid, now - timedelta(minutes=5)), _future(ANSWERS))
    assert post(client, "/api/publish/releases", first, key).status_code == 201
    corrected = _future({**ANSWERS, "title": "Grounds maintenance for 15 parks"})
    correction = as_correction(
        UK4.build(_context(ocid, now), corrected), first["id"], _context(ocid, now)
    )
    checked = post(client, "/api/publish/validate", correction, key)
    assert checked.status_code == 200, checked.content[:3000]
    answer = checked.json()
    assert answer["valid"] is True
    assert not [problem for problem in _problems(answer) if problem.get("blocking")]
    assert post(client, "/api/publish/releases", correction, key).status_code == 201
    record = _record(ocid)
    compiled = record["compiledRelease"]
    assert compiled["tender"]["title"] == "Grounds maintenance for 15 parks"
    assert compiled["tender"]["amendments"][0]["amendsReleaseID"] == first["id"]
    assert [document["id"] for document in compiled["tender"]["documents"]] == [
        "UK4-notice",
        correction["tender"]["documents"][0]["id"],
    ]
    assert len(record["releases"]) == 2


def _future(answers: dict) -> dict:
    """The answers with their dates a year on, so the deadline is still to come."""
    year = datetime.now(UTC).year + 1
    moved = dict(answers)
    moved["deadline"] = answers["deadline"].replace(year=year)
    moved["contract_start"] = answers["contract_start"].replace(year=year)
    moved["contract_end"] = answers["contract_end"].replace(year=year + 3)
    return moved


def _problems(answer: dict) -> list[dict]:
    found = list(answer.get("problems", []))
    for result in answer.get("releases", []):
        found += result.get("problems", [])
    return found


def _record(ocid: str) -> dict:
    answer = Client().get(f"/api/ocds/records/{ocid}")
    assert answer.status_code == 200, answer.content[:2000]
    return orjson.loads(answer.content)["records"][0]


# Through the pages.


@pytest.fixture
def publisher(store):
    organisation = create_publisher(store)
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(store, "pat", PASSWORD, CLI)
    return organisation


def _published(client: Client) -> tuple[str, str]:
    """A tender notice published through the pages: its ocid and release id."""
    _answer_all(client)
    check = client.get("/publish/notices/draft/check")
    done = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert done.status_code == 302, done.content[:3000]
    ocid = done["Location"].split("ocid=")[1]
    releases = _record(ocid)["releases"]
    return ocid, releases[0]["id"]


def _address(ocid: str, release_id: str, action: str) -> str:
    return (
        f"/publish/processes/{quote(ocid, safe='')}/notices/{quote(release_id, safe='')}/{action}"
    )


def _searched(ocid: str) -> bool:
    found = orjson.loads(Client().get("/api/ocds/processes", {"q": "grounds parks"}).content)
    return ocid in [item["ocid"] for item in found["results"]]


def test_a_notice_withdrawn_through_the_pages(publisher, store):
    client = signed_in()
    ocid, release_id = _published(client)
    assert _searched(ocid)
    withdraw = _address(ocid, release_id, "withdraw")
    html = client.get(withdraw).content.decode()
    assert "Why are you withdrawing this notice?" in html
    assert "UK4: " in html and release_id in html and "Grounds maintenance for parks" in html
    assert "stays readable at its address, marked withdrawn" in html and "leaves search" in html
    reason = "Published in error:\r\nthis notice was for another procurement"
    answer = send(client, withdraw, {"reason": reason})
    assert answer.status_code == 302 and answer["Location"] == f"{withdraw}?confirm=1"
    confirm = client.get(answer["Location"])
    html = confirm.content.decode()
    assert "Are you sure you want to withdraw this notice?" in html
    assert "this notice was for another procurement" in html
    assert f'href="{withdraw}"' in html  # change the reason
    before = log.log_size(store)
    answer = client.post(
        withdraw,
        {"confirm": "1", "reason": "another reason", "csrfmiddlewaretoken": _token(confirm)},
    )
    assert answer.status_code == 302 and answer["Location"] == f"{withdraw}?done=1"
    assert log.log_size(store) == before + 1
    done = client.get(answer["Location"]).content.decode()
    assert "Notice withdrawn" in done and "govuk-panel" in done and release_id in done
    # As the read API shows it: still in the record, marked withdrawn with the reason.
    record = _record(ocid)
    assert [release["id"] for release in record["releases"]] == [release_id]
    (withdrawn,) = record["x_openbook_withdrawn"]
    assert withdrawn["id"] == release_id
    assert withdrawn["reason"] == "Published in error:\nthis notice was for another procurement"
    assert not _searched(ocid)
    # By the signed-in account, in the audit trail.
    (event,) = [
        e for e in audit.events(store, organisation_id=publisher.id) if e.action == "withdraw"
    ]
    assert event.actor == "account:pat" and event.subject == ocid
    # Once only.
    again = client.get(withdraw)
    assert again.status_code == 409
    assert "already been withdrawn" in again.content.decode()
    assert client.get(_address(ocid, release_id, "correct")).status_code == 409


@pytest.mark.parametrize(
    ("reason", "says"),
    [
        ("", "Enter why you are withdrawing the notice"),
        ("   \r\n ", "Enter why you are withdrawing the notice"),
        ("x" * 2001, "The reason must be 2,000 characters or fewer"),
        ("a\x00b", "without control characters"),
        ("bell\x07", "without control characters"),
        ("<script>alert(1)</script>\x1b", "without control characters"),
    ],
    ids=["empty", "blank", "long", "nul", "bel", "script-and-escape"],
)
def test_a_reason_that_cannot_be_recorded_is_asked_again(publisher, store, reason, says):
    client = signed_in()
    ocid, release_id = _published(client)
    withdraw = _address(ocid, release_id, "withdraw")
    before = log.log_size(store)
    answer = send(client, withdraw, {"reason": reason})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="govuk-error-summary"' in html and 'href="#reason"' in html
    assert 'class="govuk-error-message"' in html and says in html
    assert "<title>Error: " in html
    assert "<script>alert" not in html
    assert "openbook_withdrawal" not in client.session
    # Confirming without a reason kept does nothing.
    answer = client.post(
        withdraw, {"confirm": "1", "reason": "x", "csrfmiddlewaretoken": _token(answer)}
    )
    assert answer.status_code == 302 and answer["Location"] == withdraw
    assert log.log_size(store) == before
    assert "x_openbook_withdrawn" not in _record(ocid)


def test_html_in_a_reason_is_shown_as_text(publisher, store):
    client = signed_in()
    ocid, release_id = _published(client)
    withdraw = _address(ocid, release_id, "withdraw")
    reason = '<script>alert("x")</script><b>duplicate</b>'
    send(client, withdraw, {"reason": reason})
    html = client.get(f"{withdraw}?confirm=1").content.decode()
    assert "<script>alert" not in html and "<b>duplicate" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;duplicate" in html
    assert "x_openbook_withdrawn" not in _record(ocid)  # nothing stored before confirming
    too_long = send(client, withdraw, {"reason": reason * 100}).content.decode()
    assert "<script>alert" not in too_long and "&lt;script&gt;" in too_long


def test_the_forms_need_their_token(publisher, store):
    client = signed_in()
    ocid, release_id = _published(client)
    before = log.log_size(store)
    for action, values in (("withdraw", {"reason": "duplicate"}), ("correct", {})):
        answer = client.post(_address(ocid, release_id, action), values)
        assert answer.status_code == 403
    assert log.log_size(store) == before
    assert "openbook_withdrawal" not in client.session


def test_another_organisations_notice_is_refused(publisher, store):
    theirs = create_publisher(store, OTHER_BUYER)
    key = create_key(store, theirs)
    ocid = "ocds-b5fd17-theirs"
    release = tender(ocid)
    release["buyer"] = dict(OTHER_BUYER)
    release["parties"] = [{**OTHER_BUYER, "roles": ["buyer"]}]
    assert post(Client(), "/api/publish/releases", release, key).status_code == 201
    client = signed_in()
    before = log.log_size(store)
    for action in ("withdraw", "correct"):
        address = _address(ocid, release["id"], action)
        answer = client.get(address)
        assert answer.status_code == 403, action
        assert "only change your own organisation" in unescape(answer.content.decode())
        token = _token(client.get("/publish/keys"))
        refused = client.post(
            address, {"reason": "not ours", "confirm": "1", "csrfmiddlewaretoken": token}
        )
        assert refused.status_code == 403
    assert log.log_size(store) == before
    assert "openbook_draft" not in client.session


@pytest.mark.parametrize(
    ("ocid", "release_id"),
    [
        ("ocds-b5fd17-nothing", "ocds-b5fd17-nothing-UK4-1"),
        ("ocds-b5fd17-nothing", "../../../etc/passwd"),
        ("<script>", "x"),
        ("ocds-b5fd17-nothing", "a\x00b"),
        ("ocds-b5fd17-nothing", "a\x1bb"),
        ("ocds-b5fd17-" + "x" * 2000, "y"),
    ],
    ids=["unknown", "path-tricks", "script", "nul", "escape", "long"],
)
def test_an_unknown_notice_is_not_found(publisher, ocid, release_id):
    client = signed_in()
    for action in ("withdraw", "correct"):
        answer = client.get(_address(ocid, release_id, action))
        assert answer.status_code == 404
        assert "Page not found" in answer.content.decode()


@pytest.mark.usefixtures("key_dir")
def test_a_redacted_notice_cannot_be_withdrawn_or_corrected(publisher, store):
    client = signed_in()
    ocid, release_id = _published(client)
    seq = log.log_size(store) - 1
    transparency.sign_tree_head(store)  # makes the log's key, which signs the redaction
    redaction.redact(store, seq, "Personal data", CLI)
    for action in ("withdraw", "correct"):
        answer = client.get(_address(ocid, release_id, action))
        assert answer.status_code == 409
        assert "This notice was redacted" in answer.content.decode()


def test_a_reviewer_cannot_withdraw_or_correct(publisher, store):
    client = signed_in()
    ocid, release_id = _published(client)
    publishers.add_account(store, "rev", "reviewer", CLI, publisher=str(publisher.id))
    accounts.set_password(store, "rev", PASSWORD, CLI)
    reviewer = signed_in("rev")
    for action in ("withdraw", "correct"):
        assert reviewer.get(_address(ocid, release_id, action)).status_code == 403


def test_a_notice_type_without_a_form_is_corrected_through_the_api(publisher, store):
    """A contract notice under the earlier legislation (F02): no form writes it."""
    assert "F02" not in FORMS
    key = create_key(store, publisher)
    ocid = "ocds-b5fd17-earlier"
    release = notice("F02", "2024-06-03", ocid)
    answer = post(Client(), "/api/publish/releases", release, key)
    assert answer.status_code == 201, answer.content[:2000]
    client = signed_in()
    address = _address(ocid, release["id"], "correct")
    html = client.get(address).content.decode()
    assert "F02: " in html and 'href="/api/docs"' in html
    assert "corrected through the publish API" in html
    assert "Start the correction" not in html
    token = _token(client.get("/publish/keys"))
    assert client.post(address, {"csrfmiddlewaretoken": token}).status_code == 200
    assert "openbook_draft" not in client.session


def test_a_notice_corrected_through_the_pages(publisher, store):
    client = signed_in()
    ocid, release_id = _published(client)
    correct = _address(ocid, release_id, "correct")
    html = client.get(correct).content.decode()
    assert "Start the correction" in html and release_id in html
    answer = send(client, correct, {})
    assert answer.status_code == 302 and answer["Location"] == "/publish/notices/draft/check"
    draft = client.session["openbook_draft"]
    assert draft["code"] == "UK4" and draft["ocid"] == ocid and draft["corrects"] == release_id
    assert draft["answers"]["title"] == "Grounds maintenance for parks"
    assert draft["answers"]["value"] == 1250000
    check = client.get("/publish/notices/draft/check")
    assert check.status_code == 200, check.content[:3000]
    assert "£1,250,000" in check.content.decode()
    change = "/publish/notices/draft/title?change=1"
    answer = client.post(
        change,
        {
            "title": "Grounds maintenance for 15 parks",
            "change": "1",
            "csrfmiddlewaretoken": _token(client.get(change)),
        },
    )
    assert answer["Location"] == "/publish/notices/draft/check"
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert "Grounds maintenance for 15 parks" in html and "govuk-error-summary" not in html
    done = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert done.status_code == 302, done.content[:3000]
    record = _record(ocid)
    assert record["compiledRelease"]["tender"]["title"] == "Grounds maintenance for 15 parks"
    releases = record["releases"]
    assert len(releases) == 2 and releases[0]["id"] == release_id
    correction = orjson.loads(
        Client().get(f"/api/ocds/releases/{ocid}/{quote(releases[1]['id'], safe='')}").content
    )["releases"][0]
    assert correction["tag"] == ["tenderUpdate"]
    (amendment,) = correction["tender"]["amendments"]
    assert amendment["amendsReleaseID"] == release_id
    assert amendment["releaseID"] == correction["id"] != release_id
    assert record["compiledRelease"]["tender"]["amendments"] == [amendment]


def test_the_pages_are_valid_html_with_unique_ids(publisher, store, tmp_path):
    client = signed_in()
    ocid, release_id = _published(client)
    withdraw = _address(ocid, release_id, "withdraw")
    pages = {
        "correct": client.get(_address(ocid, release_id, "correct")),
        "withdraw": client.get(withdraw),
        "reason refused": send(client, withdraw, {"reason": ""}),
    }
    send(client, withdraw, {"reason": "A duplicate of another notice"})
    pages["confirm"] = client.get(f"{withdraw}?confirm=1")
    client.post(withdraw, {"confirm": "1", "csrfmiddlewaretoken": _token(pages["confirm"])})
    pages["withdrawn"] = client.get(f"{withdraw}?done=1")
    pages["already withdrawn"] = client.get(withdraw)
    pages["correct withdrawn"] = client.get(_address(ocid, release_id, "correct"))
    for name, answer in pages.items():
        html = answer.content.decode()
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids)), name
        assert 'rel="alternate" type="application/json"' in html, name
    assert "govuk-panel" in pages["withdrawn"].content.decode()
    assert validate_html({name: answer.content for name, answer in pages.items()}, tmp_path) == []
    twin = client.get(withdraw, {"format": "json"})
    assert orjson.loads(twin.content)["notice"]["id"] == release_id
