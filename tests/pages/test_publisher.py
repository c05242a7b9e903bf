"""The publisher pages (issue 8, items 2 and 5): signing in (with a lock-out), a tender notice
written through question pages and published by the publish API's own checks, API keys; CSRF
on every form, Secure and HttpOnly cookies, sessions that expire."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import orjson
import pytest
from django.conf import settings
from django.test import Client

from openbook.publishing import accounts, publishers
from openbook.store import audit, log
from openbook.store.database import Store
from tests.conftest import reuse
from tests.publishing import BUYER, CLI, OTHER_BUYER, bearer, create_publisher

PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's)
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def publisher(store):
    return _publisher(store)


def _publisher(store):
    organisation = create_publisher(store)
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(store, "pat", PASSWORD, CLI)
    return organisation


@pytest.fixture(scope="module")
def _publisher_once(shared_database):
    _publisher(reuse(shared_database).store)
    return signed_in()


@pytest.fixture
def signed_in_once(shared_database, _publisher_once) -> Client:
    """The publisher's account signed in, on one database a kind for a module's wrong answers:
    each is refused storing nothing (which each checks), so they may share it. Each starts its
    own draft."""
    reuse(shared_database)
    return _publisher_once


def signed_in(username="pat", password=PASSWORD) -> Client:
    client = Client(enforce_csrf_checks=True)
    form = client.get("/publish/sign-in")
    answer = client.post(
        "/publish/sign-in",
        {
            "username": username,
            "password": password,
            "next": "/publish",
            "csrfmiddlewaretoken": _token(form),
        },
    )
    assert answer.status_code == 302, answer.content[:2000]
    return client


def _token(answer) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.content.decode())
    assert found, "the form carries no CSRF token"
    return found.group(1)


def send(client: Client, path: str, values: dict, **headers):
    """Post a page's form as a browser would: with the token the page gave."""
    token = _token(client.get(path, **headers))
    return client.post(path, {**values, "csrfmiddlewaretoken": token}, **headers)


def test_the_publisher_pages_need_an_account(database):
    answer = Client().get("/publish")
    assert answer.status_code == 302
    assert answer["Location"] == "/publish/sign-in?next=/publish"
    assert Client().get("/publish/notices/new")["Location"].startswith("/publish/sign-in")


def test_signing_in_with_a_wrong_password_says_so_and_is_audited(publisher, store):
    client = Client(enforce_csrf_checks=True)
    answer = send(client, "/publish/sign-in", {"username": "pat", "password": "wrong one!!"})
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="govuk-error-summary"' in html and 'href="#password"' in html
    assert "Enter a correct user name and password" in html
    assert "<title>Error: Sign in to publish" in html
    since = "2000-01-01T00:00:00Z"
    assert audit.count(store, action=accounts.REFUSED, subject="account:pat", since=since) == 1


def test_an_unknown_account_is_answered_like_a_wrong_password(publisher):
    answer = send(Client(), "/publish/sign-in", {"username": "nobody", "password": "x" * 20})
    assert "Enter a correct user name and password" in answer.content.decode()


def test_after_five_wrong_passwords_the_account_is_locked(publisher):
    client = Client()
    for _ in range(accounts.ATTEMPTS):
        send(client, "/publish/sign-in", {"username": "pat", "password": "not it at all"})
    answer = send(client, "/publish/sign-in", {"username": "pat", "password": PASSWORD})
    assert answer.status_code == 400
    assert "cannot sign in for 15 minutes" in answer.content.decode()
    assert "openbook_account" not in client.session


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [("", PASSWORD, "username"), ("pat", "", "password"), ("p" * 10_000, "x", "password")],
)
def test_missing_or_oversized_sign_in_answers(publisher, username, password, field):
    answer = send(Client(), "/publish/sign-in", {"username": username, "password": password})
    assert answer.status_code == 400
    assert f'href="#{field}"' in answer.content.decode()


def test_a_session_cookie_is_secure_http_only_and_expires(publisher):
    client = signed_in()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    assert client.cookies["csrftoken"]["secure"]


def test_a_form_without_its_token_is_refused(publisher):
    client = signed_in()
    answer = client.post("/publish/notices/new", {"code": "UK4"})
    assert answer.status_code == 403
    assert "send the form again" in answer.content.decode()


def test_a_name_without_an_account_costs_a_password_check_too(publisher, store, monkeypatch):
    """A refusal takes as long whether or not the name has an account (a password is checked
    against a hash of none), so its timing tells no one which names exist: without it, about
    4 ms against 230 ms."""
    checked: list[str] = []
    real = accounts.check_password

    def counting(password: str, hashed: str) -> bool:
        checked.append(hashed.split("$", maxsplit=1)[0])
        return real(password, hashed)

    monkeypatch.setattr(accounts, "check_password", counting)
    for name in ("pat", "nobody-of-that-name"):
        with pytest.raises(accounts.SignInRefused):
            accounts.sign_in(store, name, "not the password at all", None)
    assert len(checked) == 2 and checked[0] == checked[1]  # the same kind of hash, each time


def test_signing_out_ends_the_session(publisher):
    client = signed_in()
    token = _token(client.get("/publish"))
    assert client.post("/publish/sign-out", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/publish").status_code == 302


def _deadline(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).astimezone(LONDON)


ANSWERS = {
    "title": {"title": "Grounds maintenance for parks"},
    "description": {"description": "Mowing, planting and litter picking in 14 parks."},
    "category": {"category": "services"},
    "cpv": {"cpv": "77314000"},
    "value": {"value": "£1,250,000"},
    "procedure": {"procedure": "open"},
    "contract_start": {
        "contract_start-day": "1",
        "contract_start-month": "6",
        "contract_start-year": str(_deadline(60).year + 1),
    },
    "contract_end": {
        "contract_end-day": "31",
        "contract_end-month": "5",
        "contract_end-year": str(_deadline(60).year + 4),
    },
    "sme": {"sme": "yes"},
    "vcse": {"vcse": "no"},
}


def _deadline_answer(days: int) -> dict:
    moment = _deadline(days)
    return {
        "deadline-day": str(moment.day),
        "deadline-month": str(moment.month),
        "deadline-year": str(moment.year),
        "deadline-time": "12pm",
    }


def _answer_all(client: Client, deadline_days: int = 40) -> None:
    answer = send(client, "/publish/notices/new", {"code": "UK4"})
    assert answer["Location"] == "/publish/notices/draft/title"
    for name in ("title", "description", "category", "cpv", "value", "procedure"):
        answer = send(client, f"/publish/notices/draft/{name}", ANSWERS[name])
        assert answer.status_code == 302, (name, answer.content[:3000])
    send(client, "/publish/notices/draft/deadline", _deadline_answer(deadline_days))
    for name in ("contract_start", "contract_end", "sme", "vcse"):
        answer = send(client, f"/publish/notices/draft/{name}", ANSWERS[name])
        assert answer.status_code == 302, (name, answer.content[:3000])
    assert answer["Location"] == "/publish/notices/draft/check"


def test_a_tender_notice_published_through_the_forms(publisher, store):
    client = signed_in()
    _answer_all(client)
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert check.status_code == 200, html[:3000]
    assert "Grounds maintenance for parks" in html and "£1,250,000" in html
    assert 'href="/publish/notices/draft/value?change=1"' in html
    assert "govuk-error-summary" not in html
    before = log.log_size(store)
    answer = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 302, answer.content[:3000]
    ocid = answer["Location"].split("ocid=")[1]
    assert log.log_size(store) == before + 1
    done = client.get(answer["Location"]).content.decode()
    assert f"Process identifier<br><strong>{ocid}</strong>" in done
    hostile = client.get("/publish/notices/published?ocid=<script>x</script>").content.decode()
    assert "<strong>&lt;script&gt;x&lt;/script&gt;</strong>" in hostile
    # Exactly what the publish API stored, found by search and in the change feed.
    record = orjson.loads(Client().get(f"/api/ocds/records/{ocid}").content)
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tender"]["title"] == "Grounds maintenance for parks"
    assert compiled["tender"]["value"] == {"amount": 1250000, "currency": "GBP"}
    assert compiled["buyer"]["id"] == BUYER["id"]
    assert compiled["tender"]["documents"][0]["noticeType"] == "UK4"
    found = orjson.loads(Client().get("/api/ocds/processes", {"q": "grounds parks"}).content)
    assert ocid in [item["ocid"] for item in found["results"]]
    feed = orjson.loads(Client().get("/api/ocds/releases", {"limit": 1000}).content)
    assert ocid in [release["ocid"] for release in feed["releases"]]
    # The draft is gone: the check page starts again.
    assert client.get("/publish/notices/draft/check")["Location"] == "/publish/notices/new"


def test_what_the_publish_checks_warn_of_is_shown_against_its_question(publisher, store):
    """A tendering period shorter than the Act's minimum is a warning in the publish API (the
    Act allows shorter ones in some cases): the check page shows it against the deadline."""
    client = signed_in()
    _answer_all(client, deadline_days=3)
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert check.status_code == 200 and "govuk-error-summary" not in html
    things = html[html.index("Things to check") :]
    assert 'href="/publish/notices/draft/deadline?change=1"' in things
    assert "The tendering period of this tender notice is 3 days" in things


def test_a_notice_that_cannot_be_published_stores_nothing(publisher, store):
    client = signed_in()
    _answer_all(client)
    page = client.get("/publish/notices/draft/contract_end?change=1")
    client.post(
        "/publish/notices/draft/contract_end?change=1",
        {
            "contract_end-day": "1",
            "contract_end-month": "1",
            "contract_end-year": "2001",
            "change": "1",
            "csrfmiddlewaretoken": _token(page),
        },
    )
    check = client.get("/publish/notices/draft/check")
    html = check.content.decode()
    assert "The notice cannot be published yet" in html
    assert "The contract must end after it starts" in html
    assert 'href="/publish/notices/draft/contract_end?change=1"' in html
    before = log.log_size(store)
    answer = client.post("/publish/notices/draft/check", {"csrfmiddlewaretoken": _token(check)})
    assert answer.status_code == 422
    assert log.log_size(store) == before


@pytest.mark.parametrize(
    ("question", "values", "says"),
    [
        ("title", {"title": "  "}, "Enter the name of the procurement"),
        ("title", {"title": "x" * 301}, "Enter no more than 300 characters"),
        ("title", {"title": "a\x00b"}, "without control characters"),
        ("value", {"value": "lots"}, "using numbers only"),
        ("value", {"value": "0"}, "greater than £0"),
        ("value", {"value": "9" * 40}, "less than £10,000,000,000,000"),
        ("cpv", {"cpv": "7731"}, "8 digits"),
        ("category", {"category": "<script>"}, "Select what you are buying mainly"),
        (
            "deadline",
            {
                "deadline-day": "31",
                "deadline-month": "2",
                "deadline-year": "2027",
                "deadline-time": "12pm",
            },
            "must be a real date",
        ),
        (
            "deadline",
            {"deadline-day": "3", "deadline-month": "", "deadline-year": "2027"},
            "must include a month",
        ),
        (
            "deadline",
            {
                "deadline-day": "3",
                "deadline-month": "3",
                "deadline-year": "2027",
                "deadline-time": "25:00",
            },
            "real time",
        ),
    ],
)
def test_a_wrong_answer_gets_the_error_summary_and_message(signed_in_once, question, values, says):
    client = signed_in_once
    send(client, "/publish/notices/new", {"code": "UK4"})
    answer = send(client, f"/publish/notices/draft/{question}", values)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert 'class="govuk-error-summary"' in html and says in html
    assert 'class="govuk-error-message"' in html
    assert "<script>" not in html.split("</head>")[1].replace("<script type=", "")


def test_changing_an_answer_returns_to_check_your_answers(publisher):
    client = signed_in()
    _answer_all(client)
    answer = client.post(
        "/publish/notices/draft/value?change=1",
        {
            "value": "900000",
            "change": "1",
            "csrfmiddlewaretoken": _token(client.get("/publish/notices/draft/value?change=1")),
        },
    )
    assert answer["Location"] == "/publish/notices/draft/check"
    assert "£900,000" in client.get("/publish/notices/draft/check").content.decode()


def test_a_reviewer_cannot_publish(publisher, store):
    publishers.add_account(store, "rev", "reviewer", CLI, publisher=str(publisher.id))
    accounts.set_password(store, "rev", PASSWORD, CLI)
    client = signed_in("rev")
    assert client.get("/publish/notices/new").status_code == 403
    assert client.get("/publish/keys").status_code == 403


def test_api_keys_created_shown_once_and_revoked(publisher, store):
    client = signed_in()
    answer = send(client, "/publish/keys", {"name": "e-tendering system"})
    assert answer.status_code == 201 and answer["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="openbook-secret">([^<]+)</code>', answer.content.decode())
    assert secret
    key = secret.group(1)
    assert Client().post("/api/publish/ocids", **bearer(key)).status_code == 201
    listed = client.get("/publish/keys").content.decode()
    assert "e-tendering system" in listed and key not in listed
    key_id = re.search(r"/publish/keys/([^/]+)/revoke", listed).group(1)
    token = _token(client.get("/publish/keys"))
    assert (
        client.post(f"/publish/keys/{key_id}/revoke", {"csrfmiddlewaretoken": token}).status_code
        == 302
    )
    assert Client().post("/api/publish/ocids", **bearer(key)).status_code == 401
    assert send(client, "/publish/keys", {"name": ""}).status_code == 400


def test_a_publisher_cannot_revoke_another_organisations_key(publisher, store):
    other = publishers.add_publisher(store, "Another Council", "GB-GOR-PB999", CLI)
    theirs = publishers.create_key(store, str(other.id), "their system", CLI)
    client = signed_in()
    token = _token(client.get("/publish/keys"))
    answer = client.post(
        f"/publish/keys/{theirs.key.key_id}/revoke", {"csrfmiddlewaretoken": token}
    )
    assert answer.status_code == 404
    assert publishers.list_keys(Store(), str(other.id))[0].revoked_time is None


def test_passwords_follow_the_rules(publisher, store):
    for bad, says in [("short", "at least 12"), ("pat-is-my-name-1", "user name")]:
        with pytest.raises(accounts.PasswordRefused, match=says):
            accounts.set_password(store, "pat", bad, CLI)


def test_the_command_line_sets_a_password(publisher, database, monkeypatch, capsys):
    import io

    from openbook import cli

    monkeypatch.setenv("OPENBOOK_DATABASE_URL", database.url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new passphrase\n"))
    assert cli.main(["account", "password", "pat"]) == 0
    assert accounts.sign_in(database.store, "pat", "a brand new passphrase", None).username == "pat"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert cli.main(["account", "password", "pat"]) == 1
    assert "at least 12 characters" in capsys.readouterr().err


def test_a_session_ends_at_once_when_its_role_is_taken(publisher, store):
    client = signed_in()
    assert client.get("/publish").status_code == 200
    publishers.remove_role(store, "pat", "publisher", CLI, publisher=str(publisher.id))
    answer = client.get("/publish")
    assert answer.status_code == 302 and answer["Location"].startswith("/publish/sign-in")
    assert "openbook_account" not in client.session  # ended, not only refused once
    # Given the role back, the account must sign in again; with none, it cannot.
    with pytest.raises(accounts.SignInRefused, match="no role"):
        accounts.sign_in(store, "pat", PASSWORD, None)
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(publisher.id))
    assert client.get("/publish").status_code == 302
    assert signed_in().get("/publish").status_code == 200


def test_a_session_ends_when_the_password_changes(publisher, store):
    client, other = signed_in(), signed_in()
    fresh = "a fresh long passphrase"
    accounts.set_password(store, "pat", fresh, CLI)
    for session in (client, other):
        assert session.get("/publish").status_code == 302
    assert signed_in(password=fresh).get("/publish").status_code == 200


def test_a_session_of_a_role_for_another_organisation_does_not_carry_over(publisher, store):
    """Holding the same role for another organisation does not keep a session for this one."""
    other = create_publisher(store, OTHER_BUYER)
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(other.id))
    client = signed_in()  # the first role: this organisation's
    publishers.remove_role(store, "pat", "publisher", CLI, publisher=str(publisher.id))
    assert client.get("/publish").status_code == 302


def test_a_tampered_or_old_session_is_ended(publisher):
    client = signed_in()
    session = client.session
    kept = dict(session["openbook_account"])
    for changed in ({"signed": "0" * 64}, {"signed": None}, {"role": "administrator"}):
        session["openbook_account"] = {**kept, **changed}
        session.save()
        assert client.get("/publish").status_code == 302, changed
        session = client.session


def test_what_the_publish_checks_warn_of_is_said_in_welsh_too(publisher, store):
    """The notice rules' messages are English: a Welsh page shows the rule's summary, in
    Welsh, against the question instead."""
    client = signed_in()
    _answer_all(client, deadline_days=3)
    client.get("/language/cy")
    html = client.get("/publish/notices/draft/check").content.decode()
    assert "Mae’r cyfnod tendro yn fyrrach nag isafswm y Ddeddf." in html
    assert "The tendering period of this tender notice is 3 days" not in html
