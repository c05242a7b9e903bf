"""What a form sends that the pages cannot keep (issue 8, a reviewer's findings), on both
databases: NUL in an answer (PostgreSQL text cannot hold it: a 500 there, kept on SQLite), a
post over Django's size or answer limits (a bare "Bad Request (400)" before), and answers that
are not UTF-8 (kept as U+FFFD before). Each is refused with a precise message on the
service's own page, in English and Welsh, or as JSON; nothing is stored."""

from html import unescape

import orjson
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client

from openbook import registers
from openbook.publishing import publishers
from openbook.store import audit
from openbook.web.pages.form_input import NulRefused, _holds_nul, _refuse_nul
from tests.conftest import reuse
from tests.pages.test_admin import RECORDER, _shared, api_entry, form  # noqa: F401 (a fixture)
from tests.pages.test_publisher import _token, send, signed_in

LIMIT = settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.fixture
def shared(shared_database, request):
    """test_admin's platform, one a database kind for this module: an administrator (ada) and
    a publisher (pat) signed in, a complaint CMP-000001 to review; each case here is refused
    storing nothing (which each checks)."""
    store = reuse(shared_database).store
    made, client, entries = request.getfixturevalue("_shared")
    return {"store": store, "platform": made, "admin": client, "entries": entries}


def html(answer) -> str:
    return unescape(answer.content.decode())


def _audit_size(store) -> int:
    return len(audit.events(store, limit=100_000))


def _review(client: Client, **values):
    path = "/publish/admin/reviews/complaints/CMP-000001"
    twin = orjson.loads(client.get(f"{path}?format=json").content)
    sent = {**twin["values"], "version": str(twin["entry"]["version"]), "recorder": RECORDER}
    return send(client, path, {**sent, **values})


def test_a_user_name_with_nul_is_refused_before_it_is_looked_up(shared):
    before = _audit_size(shared["store"])
    answer = Client().post("/publish/sign-in", {"username": "a\x00b", "password": "x"})
    assert answer.status_code == 400, answer.content[:2000]
    assert 'href="#username"' in answer.content.decode()
    assert "Remove the NUL character from this answer" in html(answer)
    assert _audit_size(shared["store"]) == before  # no refusal recorded under that name


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("a\x00b", "Remove the NUL character from this answer"),
        ("a\x07b", "Enter text without control characters or line breaks"),
        ("two\nlines", "Enter text without control characters or line breaks"),
    ],
    ids=["nul", "bel", "lf"],
)
def test_a_key_name_with_nul_or_control_characters_is_refused(shared, name, says):
    store = shared["store"]
    organisation = shared["platform"]["organisation"].org_id
    before = publishers.list_keys(store, organisation)
    answer = send(signed_in("pat"), "/publish/keys", {"name": name})
    assert answer.status_code == 400, answer.content[:2000]
    assert says in html(answer)
    assert publishers.list_keys(store, organisation) == before


def test_a_recorder_with_nul_is_refused_on_a_review(shared):
    answer = _review(shared["admin"], recorder=f"{RECORDER}\x00")
    assert answer.status_code == 400, answer.content[:2000]
    page = html(answer)
    assert 'href="#recorder"' in page and "Remove the NUL character from this answer" in page
    assert api_entry("complaints", "CMP-000001")["version"] == 1


def test_a_recorder_with_nul_is_refused_on_a_new_debarment_entry(shared):
    answer = send(shared["admin"], "/publish/admin/debarment/new", form(recorder=f"{RECORDER}\x00"))
    assert answer.status_code == 400, answer.content[:2000]
    page = html(answer)
    assert 'href="#recorder"' in page and "Remove the NUL character from this answer" in page
    assert registers.entries(shared["store"], "debarment") == shared["entries"]


@pytest.mark.parametrize("many", [False, True], ids=["execute", "executemany"])
def test_the_database_guard_refuses_nul_in_any_text_value(shared, many):
    """What FormInput wraps every page's post in, on a real connection of each kind: a query
    with NUL in a text value is refused before the database sees it; others run."""
    connection = connections["default"]
    with connection.execute_wrapper(_refuse_nul), connection.cursor() as cursor:
        cursor.execute("SELECT %s", ["plain"])
        assert cursor.fetchone() == ("plain",)
        with pytest.raises(NulRefused):
            if many:
                cursor.executemany("SELECT %s", [["a"], ["b\x00"]])
            else:
                cursor.execute("SELECT %s", ["b\x00"])


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("a\x00b", True),
        (orjson.dumps({"title": "a\x00b"}).decode(), True),  # escaped: jsonb refuses it
        (orjson.dumps({"title": "quotes \\u0000"}).decode(), False),  # the six characters
        (orjson.dumps({"title": "\\\x00"}).decode(), True),  # a backslash, then NUL
        ("text quoting \\u0000, not JSON", False),
        (b"\x00", False),  # bytes go to BLOB columns, which hold anything
        ("plain", False),
    ],
)
def test_what_the_database_guard_takes_for_nul(value, refused):
    assert _holds_nul(value) is refused


def _big(size: int) -> bytes:
    return b"username=" + b"a" * (size - len(b"username=")) + b"&password=x"


@pytest.mark.parametrize("welsh", [False, True], ids=["english", "welsh"])
def test_a_post_over_the_size_limit_gets_the_service_page_saying_the_limit(database, welsh):
    client = Client()
    if welsh:
        client.cookies["openbook_language"] = "cy"
    body = _big(LIMIT + 1)
    answer = client.post("/publish/sign-in", body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 413
    page = html(answer)
    assert "govuk-header" in page and "Bad Request (400)" not in page
    size, limit = f"({len(body):,} bytes)", "2.5 MB (2,621,440 bytes)"
    if welsh:
        assert "Mae’r ffurflen a anfonwyd yn rhy fawr" in page
        assert f"Roedd y ffurflen a anfonwyd yn 2.5 MB {size}" in page
        assert f"gall ffurflen fod yn {limit} ar y mwyaf" in page
    else:
        assert "The form sent is too large" in page
        assert f"The form sent was 2.5 MB {size}; a form can be at most {limit}" in page


def test_a_post_over_the_size_limit_as_json(database):
    answer = Client().post(
        "/publish/sign-in?format=json",
        _big(LIMIT + 1000),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 413 and answer["Content-Type"] == "application/json"
    error = orjson.loads(answer.content)["error"]
    assert error["status"] == 413 and error["title"] == "The form sent is too large"
    assert "a form can be at most 2.5 MB (2,621,440 bytes)" in error["detail"]


def test_a_post_with_too_many_answers_gets_the_service_page_saying_the_limit(database):
    fields = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    body = "&".join(f"f{n}=x" for n in range(fields + 1))
    answer = Client().post(
        "/publish/sign-in", body, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 400
    page = html(answer)
    assert "govuk-header" in page and "The form sent has too many answers" in page
    assert "more than 1,000 answers; a form can have at most 1,000" in page


def test_a_request_django_refuses_under_the_api_is_answered_as_json(database, monkeypatch):
    monkeypatch.setattr(settings, "ALLOWED_HOSTS", ["openbook.example"])
    answer = Client().get("/api/records", HTTP_HOST="elsewhere.example")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    assert orjson.loads(answer.content)["error"]["code"] == "bad-request"
    page = Client().get("/search", HTTP_HOST="elsewhere.example")
    assert page.status_code == 400 and "The request could not be read" in html(page)


def test_an_answer_that_is_not_utf8_is_refused_and_nothing_stored(shared):
    store = shared["store"]
    organisation = shared["platform"]["organisation"].org_id
    before = publishers.list_keys(store, organisation)
    client = signed_in("pat")
    token = _token(client.get("/publish/keys"))
    answer = client.post(
        "/publish/keys",
        f"csrfmiddlewaretoken={token}&name=%FF%FE%80abc".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400, answer.content[:2000]
    page = html(answer)
    assert "The form sent could not be read" in page
    said = "The answer to name is not UTF-8 text: its byte 0 (counting from 0) is 0xFF"
    assert said in page
    assert publishers.list_keys(store, organisation) == before
