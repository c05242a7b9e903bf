"""Posts to the forms that send email or check a password are limited per client address
(``OPENBOOK_FORM_RATE_LIMIT``), on both databases: one client cannot try passwords across
accounts, nor have the platform mail strangers, without limit."""

from django.test import Client


def test_a_client_posting_a_form_too_often_is_held_back_for_a_while(database, monkeypatch):
    monkeypatch.setenv("OPENBOOK_FORM_RATE_LIMIT", "3")
    client = Client()  # its handler's middleware reads the setting when first used
    for n in range(3):
        refused = client.post("/publish/sign-in", {"username": f"nobody-{n}", "password": "x"})
        assert refused.status_code == 400  # a wrong name: answered, and counted
    held = client.post("/suppliers/sign-in", {"email": "a@example.com", "password": "x"})
    assert held.status_code == 429
    assert int(held["Retry-After"]) >= 1
    page = held.content.decode()
    assert "You have sent this form too many times" in page and "govuk-" in page
    assert client.get("/publish/sign-in").status_code == 200  # reading a form is not limited
    other = {"username": "nobody", "password": "x"}
    assert client.post("/publish/sign-in", other, REMOTE_ADDR="192.0.2.7").status_code == 400


def test_other_forms_are_not_held_back(database, monkeypatch):
    monkeypatch.setenv("OPENBOOK_FORM_RATE_LIMIT", "1")
    client = Client()
    for _ in range(3):
        # Choosing a notice (a form that neither mails nor checks a password) is not limited:
        # without an account it sends to the sign-in page each time.
        answer = client.post("/publish/notices/new", {"code": "UK4"})
        assert answer.status_code == 302 and answer["Location"].startswith("/publish/sign-in")
