"""Administration pages (issue 8: "administrators manage the debarment list and review
entries"), on both databases: only administrator accounts; the debarment list added to, changed
and ended through forms that record through the publish API's own use case (the same checks,
the same stored entry, the account in the audit trail); complaints and legal challenges
reviewed by changing their status; a change someone else made meanwhile never overwritten."""

import os
import subprocess
import sys
from datetime import date, timedelta
from html import unescape

import orjson
import pytest
from django.test import Client

from openbook import registers
from openbook.publishing import accounts, publishers
from openbook.store import audit
from tests.conftest import reuse
from tests.pages.conftest import AXE, _free_port, _wait_for
from tests.pages.test_publisher import PASSWORD, _token, send, signed_in
from tests.publishing import CLI, create_key, create_publisher, post
from tests.web.test_registers_api import (
    LISTED,
    challenge,
    complaint,
    debarment,
    name_the_supplier,
    put,
)

KNOWN = "ocds-b5fd17-known"  # the process name_the_supplier publishes
RECORDER = "GB-PPON-PXXX-1234-BCDG"  # create_publisher's organisation
TODAY = date.today()


def _day(days: int) -> date:
    return TODAY + timedelta(days=days)


def _date(name: str, day: date | None) -> dict:
    if day is None:
        return {f"{name}-day": "", f"{name}-month": "", f"{name}-year": ""}
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def form(**changes) -> dict:
    """The add form's answers: a supplier the platform knows, listed for two years."""
    answers = {
        "supplier-identifier": LISTED["identifier"],
        "supplier-name": LISTED["name"],
        "ground-type": "mandatory",
        "ground-reference": "Schedule 6, paragraph 1",
        "ground-description": "Convicted of fraud",
        **_date("decision", _day(-10)),
        **_date("start", _day(-5)),
        **_date("end", _day(725)),
        "summary": "The Minister put the supplier on the list.",
        "document-title": "Decision notice",
        "document-url": "https://www.gov.uk/decisions/1",
        "recorder": RECORDER,
    }
    answers.update(changes)
    return answers


@pytest.fixture
def platform(store):
    """The organisation administrators record for, a supplier the platform knows, an
    administrator account (ada) and a publisher account (pat); the administrator key of the
    publish API, for comparison."""
    return _platform(store)


def _platform(store):
    organisation = create_publisher(store)
    name_the_supplier(store)
    publishers.add_account(store, "ada", "administrator", CLI)
    accounts.set_password(store, "ada", PASSWORD, CLI)
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(store, "pat", PASSWORD, CLI)
    return {"organisation": organisation, "key": create_key(store, organisation, "administrator")}


@pytest.fixture(scope="module")
def _shared(shared_database):
    store = reuse(shared_database).store
    made = _platform(store)
    ending = debarment(
        decisionDate=_day(-10).isoformat(),
        startDate=_day(-5).isoformat(),
        endDate=_day(300).isoformat(),
    )
    record(store, made, ending)
    record(store, made, complaint(KNOWN), code="complaints")
    return made, admin(), registers.entries(store, "debarment")


@pytest.fixture
def shared(shared_database, _shared):
    """For the bad answers, parameters and addresses: the platform, a debarment entry
    (DEB-000001, to end) and a complaint (CMP-000001, to review), an administrator signed in
    and the debarment list as it stood; one a database, since each case is refused changing
    nothing (which each checks)."""
    store = reuse(shared_database).store
    made, client, entries = _shared
    return {"store": store, "platform": made, "admin": client, "entries": entries}


def admin() -> Client:
    return signed_in("ada")


def html(answer) -> str:
    return answer.content.decode()


def api_entry(code: str, key: str) -> dict:
    answer = Client().get(f"/api/registers/{code}/{key}")
    assert answer.status_code == 200, answer.content[:500]
    return orjson.loads(answer.content)


def record(store, platform, sent, code="debarment", **changes):
    return registers.record(
        store,
        code,
        sent,
        organisation=platform["organisation"],
        role="administrator",
        actor=CLI,
        **changes,
    )


ADMIN_PAGES = [
    "/publish/admin",
    "/publish/admin/debarment",
    "/publish/admin/debarment/new",
    "/publish/admin/debarment/check",
    "/publish/admin/debarment/DEB-000001",
    "/publish/admin/debarment/DEB-000001/change",
    "/publish/admin/debarment/DEB-000001/end",
    "/publish/admin/reviews/complaints",
    "/publish/admin/reviews/complaints/CMP-000001",
]


def test_signed_out_people_are_sent_to_sign_in(database):
    for path in ADMIN_PAGES:
        answer = Client().get(path)
        assert answer.status_code == 302, path
        assert answer["Location"].startswith("/publish/sign-in?next=/publish/admin"), path


def test_a_publisher_account_is_refused(platform, store):
    record(store, platform, debarment())
    client = signed_in("pat")
    for path in ADMIN_PAGES:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "Only the platform" in html(answer)
    token = _token(client.get("/publish"))
    answer = client.post("/publish/admin/debarment/new", {**form(), "csrfmiddlewaretoken": token})
    assert answer.status_code == 403
    assert (
        registers.entries(store, "debarment") != []
        and len(registers.entries(store, "debarment")) == 1
    )


def test_a_form_without_its_token_is_refused(platform, store):
    client = admin()
    answer = client.post("/publish/admin/debarment/new", form())
    assert answer.status_code == 403
    assert "send the form again" in html(answer)
    assert "openbook_admin_debarment" not in client.session


def test_the_dashboard_counts_what_is_in_force_and_awaits_review(platform, store):
    record(
        store,
        platform,
        debarment(
            startDate=_day(-5).isoformat(),
            decisionDate=_day(-9).isoformat(),
            endDate=_day(30).isoformat(),
        ),
    )
    record(
        store,
        platform,
        debarment(
            startDate=_day(5).isoformat(),
            decisionDate=_day(-9).isoformat(),
            endDate=_day(30).isoformat(),
        ),
    )
    record(store, platform, debarment(status="removed"))
    record(store, platform, complaint(KNOWN), code="complaints")
    record(store, platform, complaint(KNOWN, status="under-review"), code="complaints")
    record(
        store,
        platform,
        complaint(KNOWN, status="closed", outcome="upheld", closedDate="2025-08-01"),
        code="complaints",
    )
    record(store, platform, challenge(KNOWN), code="challenges")
    client = admin()
    twin = orjson.loads(client.get("/publish/admin?format=json").content)
    assert twin["debarment"]["inForce"] == {"count": 1, "more": False}
    api = orjson.loads(
        Client()
        .get("/api/registers/debarment", {"status": "active", "in_force_on": "today"})
        .content
    )
    assert len(api["entries"]) == twin["debarment"]["inForce"]["count"]
    assert twin["awaitingReview"] == {
        "complaints": {"count": 2, "more": False},
        "challenges": {"count": 1, "more": False},
    }
    page = html(client.get("/publish/admin"))
    assert (
        '<span class="govuk-!-font-size-48 govuk-!-font-weight-bold" id="in-force">1</span>' in page
    )
    assert 'id="complaints-awaiting">2</td>' in page and 'id="challenges-awaiting">1</td>' in page
    assert 'href="/publish/admin/debarment/new"' in page


def _add(client: Client, **changes):
    return send(client, "/publish/admin/debarment/new", form(**changes))


def test_an_entry_added_through_the_form_is_what_the_api_would_store(platform, store):
    client = admin()
    answer = _add(client)
    assert answer.status_code == 302, html(answer)[:3000]
    assert answer["Location"] == "/publish/admin/debarment/check"
    check = client.get("/publish/admin/debarment/check")
    page = html(check)
    assert check.status_code == 200 and "govuk-error-summary" not in page
    assert "Schedule 6, paragraph 1" in page and "Green Spaces Ltd" in page
    assert 'href="/publish/admin/debarment/new#end-day"' in page
    assert registers.entries(store, "debarment") == []  # nothing yet
    answer = client.post("/publish/admin/debarment/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, html(answer)[:3000]
    assert answer["Location"] == "/publish/admin/debarment/DEB-000001"
    shown = html(client.get("/publish/admin/debarment/DEB-000001"))
    assert "DEB-000001 is recorded" in shown and "govuk-notification-banner--success" in shown
    # The same entry sent to the publish API is stored the same.
    sent = {
        "supplier": dict(LISTED),
        "ground": {
            "type": "mandatory",
            "reference": "Schedule 6, paragraph 1",
            "description": "Convicted of fraud",
        },
        "decisionDate": _day(-10).isoformat(),
        "startDate": _day(-5).isoformat(),
        "endDate": _day(725).isoformat(),
        "status": "active",
        "summary": "The Minister put the supplier on the list.",
        "documents": [{"title": "Decision notice", "url": "https://www.gov.uk/decisions/1"}],
    }
    made = post(Client(), "/api/publish/registers/debarment", sent, platform["key"])
    assert made.status_code == 201, made.content
    paged, through_api = api_entry("debarment", "DEB-000001"), api_entry("debarment", "DEB-000002")
    ignored = {"id", "created", "updated", "seq", "versions", "excludedAwards"}
    assert {k: v for k, v in paged.items() if k not in ignored} == {
        k: v for k, v in through_api.items() if k not in ignored
    }
    assert paged["inForce"] is True
    assert paged["versions"][0]["recordedBy"] == through_api["versions"][0]["recordedBy"]
    # Audited with the account as the actor.
    events = [e for e in audit.events(store, limit=1000) if e.action == "register.debarment"]
    assert [(e.actor, e.subject) for e in events] == [
        ("account:ada", "DEB-000001"),
        (f"key:{platform['key'].split('_')[1]}", "DEB-000002"),
    ]
    assert events[0].address == "127.0.0.1"
    # The draft is gone: the check page starts again.
    assert (
        client.get("/publish/admin/debarment/check")["Location"] == "/publish/admin/debarment/new"
    )


def test_the_list_pages_its_entries_and_links_each(platform, store, monkeypatch):
    from openbook.web.pages.publisher import admin_debarment

    monkeypatch.setattr(admin_debarment, "PAGE", 2)
    for _ in range(3):
        record(store, platform, debarment())
    client = admin()
    first = orjson.loads(client.get("/publish/admin/debarment?format=json").content)
    assert [e["id"] for e in first["entries"]] == ["DEB-000003", "DEB-000002"]
    assert first["next"] == "DEB-000002"
    page = html(client.get("/publish/admin/debarment"))
    assert 'href="/publish/admin/debarment?before=DEB-000002"' in page
    assert 'href="/publish/admin/debarment/DEB-000003"' in page
    second = orjson.loads(
        client.get("/publish/admin/debarment?before=DEB-000002&format=json").content
    )
    assert [e["id"] for e in second["entries"]] == ["DEB-000001"] and second["next"] is None
    removed = orjson.loads(
        client.get("/publish/admin/debarment?status=removed&format=json").content
    )
    assert removed["entries"] == []


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/publish/admin/debarment?status=gone", "status"),
        ("/publish/admin/debarment?before=DEB-1", "before"),
        ("/publish/admin/debarment?before=CMP-000001", "before"),
        ("/publish/admin/debarment?before=" + "9" * 5000, "before"),
        ("/publish/admin/reviews/complaints?status=%3Cscript%3E", "status"),
        ("/publish/admin/reviews/challenges?before=DEB-000001", "before"),
    ],
)
def test_bad_parameters_get_a_400_page_naming_them(shared, path, parameter):
    answer = shared["admin"].get(path)
    assert answer.status_code == 400
    page = html(answer)
    assert "govuk-error-summary" in page and f"{parameter}: " in page
    assert "<script>" not in page


@pytest.mark.parametrize(
    "path",
    [
        "/publish/admin/debarment/DEB-000009",
        "/publish/admin/debarment/CMP-000001",
        "/publish/admin/debarment/nonsense/change",
        "/publish/admin/reviews/sanctions",
        "/publish/admin/reviews/complaints/CMP-000404",
        "/publish/admin/reviews/challenges/CMP-000001",
    ],
)
def test_unknown_things_are_not_found(shared, path):
    assert shared["admin"].get(path).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"supplier-identifier": ""}, "supplier-identifier", "Enter the supplier's identifier"),
        ({"supplier-identifier": "GB-COH-1234567890"}, "supplier-identifier", "is not a GB-COH id"),
        ({"supplier-identifier": "not an identifier"}, "supplier-identifier", "written SCHEME-ID"),
        ({"supplier-name": "  "}, "supplier-name", "Enter the supplier's legal name"),
        ({"supplier-name": "x" * 501}, "supplier-name", "Enter no more than 500 characters"),
        ({"summary": "y" * 5001}, "summary", "Enter no more than 5,000 characters"),
        ({"supplier-name": "a\x00b"}, "supplier-name", "Remove the NUL character"),
        ({"ground-type": ""}, "ground-type", "Select the kind of exclusion ground"),
        ({"ground-type": "<script>"}, "ground-type", "Select the kind of exclusion ground"),
        ({"ground-reference": ""}, "ground-reference", "Enter the statutory reference"),
        (_date("decision", None), "decision-day", "Enter the date of the decision"),
        ({"start-day": "31", "start-month": "2"}, "start-day", "must be a real date"),
        ({"start-month": ""}, "start-day", "must include a day, month and year"),
        ({"end-year": "20x6"}, "end-day", "must be a real date"),
        (_date("start", _day(-20)), "start-day", "same as or after the date of the decision"),
        (_date("end", _day(-6)), "end-day", "must be the same as or after the first"),
        (_date("end", _day(-5 + 366 * 5)), "end-day", "at most 5 years"),
        ({"document-url": "javascript:alert(1)"}, "document-url", "starting https://"),
        ({"document-title": ""}, "document-title", "Enter the title of the document"),
        ({"recorder": ""}, "recorder", "Enter the organisation you record this for"),
        ({"recorder": "GB-GOR-NOBODY"}, "recorder", "No organisation GB-GOR-NOBODY"),
        ({"recorder": "r" * 5000}, "recorder", "Enter no more than 200 characters"),
    ],
)
def test_bad_answers_are_shown_against_their_fields(shared, changes, field, says):
    answer = _add(shared["admin"], **changes)
    page = html(answer)
    assert answer.status_code == 400, page[:2000]
    summary = page[page.index('class="govuk-error-summary"') : page.index("</main>")]
    assert f'href="#{field}"' in summary
    assert says in unescape(page)
    assert f'id="{field}"' in page  # the link leads to the field
    assert "<title>Error: " in page
    assert "<script>" not in page
    assert registers.entries(shared["store"], "debarment") == shared["entries"]


def test_hostile_text_is_recorded_as_given_and_shown_escaped(platform, store):
    client = admin()
    hostile = '<script>alert("x")</script> & Sons'
    assert _add(client, **{"supplier-name": hostile})["Location"].endswith("/check")
    check = client.get("/publish/admin/debarment/check")
    assert "<script>alert" not in html(check) and "&lt;script&gt;" in html(check)
    client.post("/publish/admin/debarment/check", {"csrfmiddlewaretoken": _token(check)})
    assert api_entry("debarment", "DEB-000001")["supplier"]["name"] == hostile
    assert "<script>alert" not in html(client.get("/publish/admin/debarment/DEB-000001"))


def test_a_supplier_the_platform_does_not_know_is_refused_at_the_check(platform, store):
    client = admin()
    _add(client, **{"supplier-identifier": "GB-COH-09999999"})
    check = client.get("/publish/admin/debarment/check")
    answer = client.post("/publish/admin/debarment/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422
    page = html(answer)
    assert 'href="/publish/admin/debarment/new#supplier-identifier"' in page
    assert "No process names GB-COH-09999999" in page
    assert registers.entries(store, "debarment") == []


def _change_form(client: Client, key: str) -> dict:
    """The change form's values as the page gives them (what a browser would send back)."""
    twin = orjson.loads(client.get(f"/publish/admin/debarment/{key}/change?format=json").content)
    return {**twin["values"], "version": str(twin["entry"]["version"])}


def test_an_entry_is_changed_to_the_version_the_page_showed(platform, store):
    record(store, platform, debarment())
    client = admin()
    values = _change_form(client, "DEB-000001")
    assert values["version"] == "1" and values["recorder"] == "GB-PPON-PXXX-1234-BCDG"
    page = client.get("/publish/admin/debarment/DEB-000001/change")
    values.update(
        {"status": "suspended", "review-outcome": "pending", "review-body": "The High Court"}
    )
    answer = client.post(
        "/publish/admin/debarment/DEB-000001/change",
        {**values, "csrfmiddlewaretoken": _token(page)},
    )
    assert answer.status_code == 302, html(answer)[:3000]
    check = client.get("/publish/admin/debarment/check")
    assert "A change to DEB-000001, made to version 1" in html(check)
    client.post("/publish/admin/debarment/check", {"csrfmiddlewaretoken": _token(check)})
    stored = api_entry("debarment", "DEB-000001")
    assert stored["version"] == 2 and stored["status"] == "suspended"
    assert stored["review"] == {"outcome": "pending", "body": "The High Court"}
    assert [v["entry"]["status"] for v in stored["versions"]] == ["active", "suspended"]
    twin = orjson.loads(client.get("/publish/admin/debarment/DEB-000001?format=json").content)
    assert [v["version"] for v in twin["versions"]] == [2, 1]
    assert twin["entry"]["status"] == stored["status"]


def test_a_change_made_meanwhile_is_never_overwritten(platform, store):
    record(store, platform, debarment())
    client = admin()
    values = _change_form(client, "DEB-000001")
    page = client.get("/publish/admin/debarment/DEB-000001/change")
    # Someone else changes it through the API while the form is open.
    changed = put(
        Client(),
        "/api/publish/registers/debarment/DEB-000001",
        debarment(summary="Theirs"),
        platform["key"],
        1,
    )
    assert changed.status_code == 201
    answer = client.post(
        "/publish/admin/debarment/DEB-000001/change",
        {**values, "summary": "Mine", "csrfmiddlewaretoken": _token(page)},
    )
    assert answer.status_code == 409
    assert "Someone else changed DEB-000001 since you opened it" in html(answer)
    assert api_entry("debarment", "DEB-000001")["summary"] == "Theirs"


def test_a_change_made_before_the_check_is_sent_is_never_overwritten(platform, store):
    record(store, platform, debarment())
    client = admin()
    values = _change_form(client, "DEB-000001")
    send(client, "/publish/admin/debarment/DEB-000001/change", {**values, "summary": "Mine"})
    check = client.get("/publish/admin/debarment/check")
    put(
        Client(),
        "/api/publish/registers/debarment/DEB-000001",
        debarment(summary="Theirs"),
        platform["key"],
        1,
    )
    answer = client.post("/publish/admin/debarment/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 409
    page = html(answer)
    assert "it is now at version 2" in page and 'href="/publish/admin/debarment/DEB-000001"' in page
    assert api_entry("debarment", "DEB-000001")["summary"] == "Theirs"
    # Opened again, the form shows their version, not the stale draft.
    assert _change_form(client, "DEB-000001")["summary"] == "Theirs"


def test_a_bad_version_is_a_400(platform, store):
    record(store, platform, debarment())
    answer = send(admin(), "/publish/admin/debarment/DEB-000001/change", {"version": "one"})
    assert answer.status_code == 400 and "version: " in html(answer)


def test_an_entry_is_ended_early(platform, store):
    record(
        store,
        platform,
        debarment(
            decisionDate=_day(-10).isoformat(),
            startDate=_day(-5).isoformat(),
            endDate=_day(300).isoformat(),
        ),
    )
    client = admin()
    answer = send(
        client,
        "/publish/admin/debarment/DEB-000001/end",
        {
            **_date("end", TODAY),
            "review-body": "The Minister",
            "version": "1",
            "recorder": RECORDER,
        },
    )
    assert answer.status_code == 302, html(answer)[:3000]
    stored = api_entry("debarment", "DEB-000001")
    assert stored["status"] == "removed" and stored["endDate"] == TODAY.isoformat()
    assert stored["review"] == {
        "outcome": "removed",
        "date": TODAY.isoformat(),
        "body": "The Minister",
    }
    assert stored["inForce"] is False and stored["version"] == 2
    assert "DEB-000001 is ended" in html(client.get("/publish/admin/debarment/DEB-000001"))
    token = _token(client.get("/publish/admin/debarment/DEB-000001/change"))
    again = client.post(
        "/publish/admin/debarment/DEB-000001/end",
        {**_date("end", TODAY), "version": "2", "csrfmiddlewaretoken": token},
    )
    assert again.status_code == 409 and "already taken off the list" in html(again)
    assert api_entry("debarment", "DEB-000001")["version"] == 2


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        (_date("end", _day(301)), "end-day", "The entry already ends on"),
        (_date("end", _day(-6)), "end-day", "must be the same as or after the first"),
        (_date("end", None), "end-day", "Enter the last day the entry applies"),
        ({"end-day": "99", "end-month": "1", "end-year": "2026"}, "end-day", "must be a real date"),
        (
            {**_date("end", TODAY), "review-body": "z" * 301},
            "review-body",
            "Enter no more than 300",
        ),
    ],
)
def test_bad_answers_to_ending_an_entry(shared, values, field, says):
    answer = send(
        shared["admin"],
        "/publish/admin/debarment/DEB-000001/end",
        {**values, "version": "1", "recorder": RECORDER},
    )
    assert answer.status_code == 400
    page = html(answer)
    assert f'href="#{field}"' in page and says in unescape(page)
    assert api_entry("debarment", "DEB-000001")["version"] == 1


def _review(client: Client, code: str, key: str, **values):
    twin = orjson.loads(client.get(f"/publish/admin/reviews/{code}/{key}?format=json").content)
    sent = {
        **twin["values"],
        "version": str(twin["entry"]["version"]),
        "recorder": RECORDER,
        **values,
    }
    return send(client, f"/publish/admin/reviews/{code}/{key}", sent)


def test_complaints_awaiting_review_are_listed_and_reviewed(platform, store):
    record(store, platform, complaint(KNOWN), code="complaints")
    record(
        store,
        platform,
        complaint(KNOWN, status="closed", outcome="upheld", closedDate="2025-08-01"),
        code="complaints",
    )
    client = admin()
    listed = orjson.loads(client.get("/publish/admin/reviews/complaints?format=json").content)
    assert [case["id"] for case in listed["cases"]] == ["CMP-000001"]
    closed = orjson.loads(
        client.get("/publish/admin/reviews/complaints?status=closed&format=json").content
    )
    assert [case["id"] for case in closed["cases"]] == ["CMP-000002"]
    answer = _review(client, "complaints", "CMP-000001", status="under-review")
    assert answer.status_code == 302, html(answer)[:3000]
    page = html(client.get("/publish/admin/reviews/complaints/CMP-000001"))
    assert "Version 2 of CMP-000001 is recorded" in page
    answer = _review(
        client,
        "complaints",
        "CMP-000001",
        status="closed",
        outcome="partly-upheld",
        summary="The authority re-ran the evaluation.",
        **_date("decided", date(2025, 8, 10)),
        **_date("closed", date(2025, 8, 12)),
    )
    assert answer.status_code == 302, html(answer)[:3000]
    stored = api_entry("complaints", "CMP-000001")
    assert (stored["status"], stored["outcome"]) == ("closed", "partly-upheld")
    assert (stored["decisionDate"], stored["closedDate"]) == ("2025-08-10", "2025-08-12")
    assert [v["entry"]["status"] for v in stored["versions"]] == [
        "received",
        "under-review",
        "closed",
    ]
    twin = orjson.loads(
        client.get("/publish/admin/reviews/complaints/CMP-000001?format=json").content
    )
    assert [v["status"] for v in twin["versions"]] == ["closed", "under-review", "received"]
    assert twin["entry"] == {k: v for k, v in stored.items() if k not in ("versions",)}
    events = [e for e in audit.events(store, limit=1000) if e.subject == "CMP-000001"]
    assert [e.actor for e in events] == ["cli:test", "account:ada", "account:ada"]
    assert (
        orjson.loads(client.get("/publish/admin/reviews/complaints?format=json").content)["cases"]
        == []
    )


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"status": "closed"}, "outcome", "a closed case needs one"),
        (
            {"status": "closed", "outcome": "upheld"},
            "closed-day",
            "Enter the date the case was closed",
        ),
        ({"outcome": "upheld"}, "outcome", "Give an outcome only once the case is closed"),
        ({"status": ""}, "status", "Select where the case stands"),
        ({"status": "approved"}, "status", "Select where the case stands"),
        (
            {"outcome": "<b>won</b>", "status": "closed", **_date("closed", date(2025, 9, 1))},
            "outcome",
            "Select the outcome",
        ),
        (
            _date("decided", date(2025, 7, 1)),
            "decided-day",
            "after the day the complaint was received",
        ),
        (
            {"decided-day": "1", "decided-month": "13", "decided-year": "2025"},
            "decided-day",
            "must be a real date",
        ),
        ({"summary": "s" * 5001}, "summary", "Enter no more than 5,000 characters"),
        ({"recorder": ""}, "recorder", "Enter the organisation you record this for"),
    ],
)
def test_bad_reviews_are_shown_against_their_fields(shared, values, field, says):
    answer = _review(shared["admin"], "complaints", "CMP-000001", **values)
    assert answer.status_code == 400, html(answer)[:2000]
    page = html(answer)
    assert f'href="#{field}"' in page and says in unescape(page) and f'id="{field}"' in page
    assert "<b>won</b>" not in page
    assert api_entry("complaints", "CMP-000001")["version"] == 1


def test_a_legal_challenge_is_reviewed_and_a_change_meanwhile_is_kept(platform, store):
    record(store, platform, challenge(KNOWN), code="challenges")
    client = admin()
    twin = orjson.loads(
        client.get("/publish/admin/reviews/challenges/LCH-000001?format=json").content
    )
    assert twin["decided"] == "Date of the judgment"
    put(
        Client(),
        "/api/publish/registers/challenges/LCH-000001",
        challenge(KNOWN, status="in-progress"),
        platform["key"],
        1,
    )
    stale = {**twin["values"], "version": "1", "recorder": RECORDER, "status": "closed"}
    answer = send(client, "/publish/admin/reviews/challenges/LCH-000001", stale)
    assert answer.status_code == 409 and "Someone else changed LCH-000001" in html(answer)
    answer = _review(
        client,
        "challenges",
        "LCH-000001",
        status="closed",
        outcome="claim-dismissed",
        **_date("decided", date(2025, 9, 1)),
        **_date("closed", date(2025, 9, 2)),
    )
    assert answer.status_code == 302, html(answer)[:3000]
    stored = api_entry("challenges", "LCH-000001")
    assert (stored["status"], stored["outcome"], stored["judgmentDate"]) == (
        "closed",
        "claim-dismissed",
        "2025-09-01",
    )
    assert stored["automaticSuspension"] is True  # what the form does not ask is kept


def test_the_pages_are_in_welsh(platform):
    client = admin()
    client.get("/language/cy")
    page = html(client.get("/publish/admin/debarment/new"))
    assert '<html lang="cy"' in page
    assert "Ychwanegu cofnod at y rhestr wahardd" in page


def test_the_forms_pass_axe_in_a_browser(platform, database, browser, tmp_path):
    """The add form with its errors, and the check page, in Chromium, checked by axe-core."""
    port = _free_port()
    environment = {
        **os.environ,
        "OPENBOOK_DATABASE_URL": database.url,
        "OPENBOOK_DATA_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "openbook", "serve", "--port", str(port), "--workers", "1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    context = browser.new_context(bypass_csp=True)  # for axe's script alone
    try:
        _wait_for(base, process)
        page = context.new_page()
        page.goto(base + "/publish/admin/debarment/new")
        page.get_by_label("User name").fill("ada")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/publish/admin/debarment/new")
        assert _axe(page) == []
        page.get_by_role("button", name="Continue").click()
        summary = page.locator(".govuk-error-summary")
        assert summary.is_visible() and page.title().startswith("Error:")
        assert summary.locator('a[href="#supplier-identifier"]').count() == 1
        assert _axe(page) == []
        page.get_by_label("Supplier's identifier").fill(LISTED["identifier"])
        page.get_by_label("Supplier's legal name").fill(LISTED["name"])
        page.get_by_label("Mandatory exclusion ground (Schedule 6)").check()
        page.get_by_label("Statutory reference").fill("Schedule 6, paragraph 1")
        for name, day in (("decision", _day(-10)), ("start", _day(-5)), ("end", _day(100))):
            group = page.get_by_role("group", name=_legends()[name])
            group.get_by_label("Day").fill(str(day.day))
            group.get_by_label("Month").fill(str(day.month))
            group.get_by_label("Year").fill(str(day.year))
        page.get_by_label("Organisation you record this for").fill("GB-PPON-PXXX-1234-BCDG")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/publish/admin/debarment/check")
        assert page.locator(".govuk-error-summary").count() == 0
        assert _axe(page) == []
        page.get_by_role("button", name="Record the entry").click()
        page.wait_for_url("**/publish/admin/debarment/DEB-000001")
        assert _axe(page) == []
    finally:
        context.close()
        process.terminate()
        process.wait(timeout=20)
        process.stderr.close()
    assert api_entry("debarment", "DEB-000001")["supplier"] == LISTED


def _legends() -> dict[str, str]:
    return {
        "decision": "Date of the decision",
        "start": "First day the entry applies",
        "end": "Last day the entry applies",
    }


def _axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})"""
    )
    return [
        {"id": violation["id"], "where": [node["target"] for node in violation["nodes"]][:3]}
        for violation in found["violations"]
    ]


def test_the_pages_are_valid_html(platform, store, tmp_path):
    """The W3C's checker over every administration page, forms with their errors included (the
    structural test cannot reach pages behind a sign-in)."""
    from tests.pages.conftest import validate_html

    record(store, platform, debarment())
    record(store, platform, complaint(KNOWN), code="complaints")
    client = admin()
    pages = {
        path: client.get(path).content
        for path in (
            "/publish/admin",
            "/publish/admin/debarment",
            "/publish/admin/debarment/DEB-000001",
            "/publish/admin/debarment/DEB-000001/change",
            "/publish/admin/debarment/DEB-000001/end",
            "/publish/admin/reviews/complaints",
            "/publish/admin/reviews/complaints/CMP-000001",
        )
    }
    pages["add form with errors"] = _add(client, **{"supplier-name": ""}).content
    pages["review with errors"] = _review(client, "complaints", "CMP-000001", status="x").content
    _add(client)
    pages["check"] = client.get("/publish/admin/debarment/check").content
    assert validate_html(pages, tmp_path) == []
