"""Email alerts (openbook.alerts, openbook.mail, ``openbook alerts send``): the senders against
a real SMTP server on loopback (aiosmtpd), and the whole cycle on both databases: subscribe,
confirm through the emailed link, publish, send, send again, unsubscribe."""

import re
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from openbook import alerts, cli, mail
from openbook.store import alerts as stored
from openbook.store import log
from openbook.web.pages import alerts_email
from openbook.web.pages.alerts import read_search
from tests.factories import create_release, create_statement
from tests.web.conftest import a_process, publish

SITE = "http://testserver"


class Inbox:
    """An SMTP server's handler keeping every message; addresses in ``refuse`` are refused."""

    def __init__(self) -> None:
        self.messages: list = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def text(self, index: int = -1) -> str:
        return self.messages[index].get_content().replace("\r\n", "\n")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    """An SMTP server on loopback, and the settings that send through it."""
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("OPENBOOK_MAIL_SENDER", "smtp")
    monkeypatch.setenv("OPENBOOK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPENBOOK_SMTP_PORT", str(port))
    monkeypatch.setenv("OPENBOOK_SMTP_STARTTLS", "0")
    monkeypatch.setenv("OPENBOOK_SMTP_FROM", "alerts@contracts.example")
    monkeypatch.setenv("OPENBOOK_SITE_URL", SITE)
    yield inbox
    controller.stop()


def test_the_smtp_sender_delivers_through_a_server_on_loopback(smtp):
    with mail.sender() as sender:
        sender.send(mail.message("a@example.com", "First", "Hello\n", unsubscribe=f"{SITE}/x"))
        sender.send(mail.message("b@example.com", "Second", "Prynhawn da\n", language="cy"))
    assert [m["To"] for m in smtp.messages] == ["a@example.com", "b@example.com"]
    first, second = smtp.messages
    assert first["From"] == "alerts@contracts.example"
    assert first["List-Unsubscribe"] == f"<{SITE}/x>"
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert first["Auto-Submitted"] == "auto-generated"
    assert second.get_content().strip() == "Prynhawn da" and second["Content-Language"] == "cy"


def test_a_refused_recipient_fails_that_message_alone(smtp):
    smtp.refuse.add("gone@example.com")
    with mail.sender() as sender:
        with pytest.raises(mail.MailError) as refused:
            sender.send(mail.message("gone@example.com", "x", "x\n"))
        assert not refused.value.fatal
        sender.send(mail.message("here@example.com", "y", "y\n"))
    assert [m["To"] for m in smtp.messages] == ["here@example.com"]


def test_an_unreachable_server_is_fatal(monkeypatch):
    monkeypatch.setenv("OPENBOOK_MAIL_SENDER", "smtp")
    monkeypatch.setenv("OPENBOOK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPENBOOK_SMTP_PORT", str(_free_port()))
    with mail.sender() as sender, pytest.raises(mail.MailError) as failed:
        sender.send(mail.message("a@example.com", "x", "x\n"))
    assert failed.value.fatal


def test_a_header_cannot_be_injected_through_a_subject():
    built = mail.message("a@example.com", "Hi\r\nBcc: evil@example.com", "x\n")
    assert "Bcc" not in built and built["Subject"] == "Hi Bcc: evil@example.com"


def test_the_directory_sender_writes_each_message_to_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENBOOK_MAIL_SENDER", "directory")
    monkeypatch.setenv("OPENBOOK_MAIL_DIR", str(tmp_path / "mail"))
    with mail.sender() as sender:
        sender.send(mail.message("a@example.com", "Subject", "Body\n"))
    (written,) = (tmp_path / "mail").glob("*.eml")
    assert message_from_bytes(written.read_bytes(), policy=policy.default)["To"] == "a@example.com"


def test_an_unknown_sender_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("OPENBOOK_MAIL_SENDER", "pigeon")
    with pytest.raises(alerts.config.ConfigurationError, match="OPENBOOK_MAIL_SENDER"):
        mail.sender()


def _link(text: str, kind: str) -> str:
    found = re.search(rf"{SITE}(/alerts/{kind}/[A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def _send() -> int:
    return cli.main(["alerts", "send"])


def test_the_whole_cycle(store, smtp, capsys):
    publish(store, a_process("ocds-test00-before"))  # published before confirming: not alerted
    client = Client()
    asked = client.post(
        "/alerts/search?q=repairs&sort=value",
        {"email": "Reader@Example.COM", "frequency": "immediately", "language": "en"},
    )
    assert asked.status_code == 200 and "Check your email" in asked.content.decode()
    (confirmation,) = smtp.messages
    assert confirmation["To"] == "Reader@example.com"
    assert "Confirm your email alerts: ‘repairs’" in confirmation["Subject"]
    confirm = _link(smtp.text(), "confirm")
    assert _send() == 0 and len(smtp.messages) == 1  # nothing before confirmation
    page = client.get(confirm)
    assert page.status_code == 200 and "‘repairs’" in page.content.decode()
    assert client.post(confirm).status_code == 200
    assert client.post(confirm).status_code == 404  # a token works once

    publish(store, a_process("ocds-test00-road"))
    publish(store, [create_release("ocds-test00-meals", "m1", tender={"title": "School meals"})])
    assert _send() == 0
    assert len(smtp.messages) == 2
    alert = smtp.messages[-1]
    text = smtp.text()
    assert alert["Subject"] == "New notices: ‘repairs’"
    assert f"{SITE}/processes/ocds-test00-road?lang=en" in text
    assert "Road repairs" in text and "Buyer: Leeds City Council" in text
    assert "ocds-test00-before" not in text and "ocds-test00-meals" not in text
    unsubscribe = alert["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith(f"{SITE}/alerts/unsubscribe/") and unsubscribe in text

    assert _send() == 0 and len(smtp.messages) == 2  # run again: nothing new
    capsys.readouterr()
    path = unsubscribe.removeprefix(SITE)
    one_click = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert one_click.status_code == 200
    assert stored.find(store, "Reader@example.com", "search", "q=repairs") is None
    assert client.get(path).status_code == 404
    publish(store, a_process("ocds-test00-after"))
    assert _send() == 0 and len(smtp.messages) == 2


def _subscribed(store, kind="process", target="ocds-test00-road", **choices):
    asked = alerts.subscribe(
        store,
        email=choices.pop("email", "someone@example.com"),
        kind=kind,
        target=target,
        label="Road repairs",
        frequency=choices.pop("frequency", "immediately"),
        language=choices.pop("language", "en"),
        **choices,
    )
    assert asked.confirm_token is not None
    return asked


def _deliveries(store, now=None, fail=None):
    got: list[alerts.Alert] = []

    def deliver(alert):
        if fail is not None:
            raise fail
        got.append(alert)

    report = alerts.send_alerts(store, deliver, read_search=read_search, now=now)
    return report, got


def test_a_process_and_an_organisation_are_followed(store):
    publish(store, a_process("ocds-test00-road", supplier="Acme Roads Ltd"))
    followed = _subscribed(store)
    naming = _subscribed(store, kind="organisation", target="GB-COH-01234567")
    alerts.confirm(store, followed.confirm_token)
    alerts.confirm(store, naming.confirm_token)
    assert _deliveries(store)[1] == []
    publish(store, [create_release("ocds-test00-road", "later", date="2026-03-01T00:00:00Z")])
    publish(store, a_process("ocds-test00-other", supplier="Acme Roads Ltd"))
    publish(store, a_process("ocds-test00-unrelated"))
    report, got = _deliveries(store)
    assert report.sent == 2
    by_kind = {alert.subscription.kind: [item.ocid for item in alert.items] for alert in got}
    assert by_kind == {
        "process": ["ocds-test00-road"],
        "organisation": ["ocds-test00-road", "ocds-test00-other"],
    }


def test_a_failed_send_loses_nothing(store):
    asked = _subscribed(store)
    alerts.confirm(store, asked.confirm_token)
    publish(store, a_process("ocds-test00-road"))
    report, _got = _deliveries(store, fail=mail.MailError("refused", fatal=False))
    assert report.failed == 1 and report.sent == 0
    report, got = _deliveries(store)
    assert report.sent == 1 and [item.ocid for item in got[0].items] == ["ocds-test00-road"]


def test_a_fatal_failure_stops_the_run(store):
    for number in range(3):
        asked = _subscribed(store, email=f"reader{number}@example.com")
        alerts.confirm(store, asked.confirm_token)
    publish(store, a_process("ocds-test00-road"))
    report, _ = _deliveries(store, fail=mail.MailError("down", fatal=True))
    assert report.failed == 1 and report.stopped == "down"
    assert _deliveries(store)[0].sent == 3


def test_a_daily_digest_goes_once_a_uk_day(store):
    asked = _subscribed(store, frequency="daily")
    morning = datetime(2026, 6, 1, 8, tzinfo=UTC)
    alerts.confirm(store, asked.confirm_token, now=morning)
    publish(store, a_process("ocds-test00-road"))
    assert _deliveries(store, now=morning + timedelta(hours=2))[0].not_due == 1
    report, got = _deliveries(store, now=morning + timedelta(days=1))
    assert report.sent == 1 and len(got[0].items) == 1


def test_a_release_not_yet_compiled_is_alerted_once_it_is(store):
    asked = _subscribed(store)
    alerts.confirm(store, asked.confirm_token)
    publish(store, a_process("ocds-test00-road"))
    settled = stored.settled_position(store)
    log.append(store, "ocds", [create_statement(create_release("ocds-test00-road", "x"))], "T")
    assert stored.settled_position(store) == settled  # waits for compiling
    report, got = _deliveries(store)
    assert report.position == settled and len(got) == 1
    from openbook.records import compile_pending

    compile_pending(store)
    report, got = _deliveries(store)
    assert report.position == settled + 1 and len(got) == 1


def test_tokens_work_once_and_for_a_week(store):
    now = datetime(2026, 6, 1, tzinfo=UTC)
    asked = _subscribed(store, now=now)
    assert alerts.awaiting(store, asked.confirm_token, now=now + timedelta(days=8)) is None
    assert alerts.confirm(store, "A" * 43, now=now) is None  # forged
    assert alerts.confirm(store, "short", now=now) is None
    assert alerts.confirm(store, asked.confirm_token, now=now + timedelta(days=6)) is not None
    assert alerts.confirm(store, asked.confirm_token, now=now + timedelta(days=6)) is None
    assert alerts.subscribed(store, asked.unsubscribe_token) is not None
    assert alerts.subscribed(store, asked.unsubscribe_token[:-1] + "x") is None


def test_asking_again_renews_the_link_and_a_confirmed_one_is_told_so(store):
    first = _subscribed(store)
    second = _subscribed(store)
    assert alerts.awaiting(store, first.confirm_token) is None
    alerts.confirm(store, second.confirm_token)
    again = alerts.subscribe(
        store,
        email="someone@example.com",
        kind="process",
        target="ocds-test00-road",
        label="x",
        frequency="daily",
        language="cy",
    )
    assert again.confirm_token is None and again.unsubscribe_token == second.unsubscribe_token
    assert "You already get these alerts" in alerts_email.already(again, SITE).get_content()


def test_an_address_may_wait_for_at_most_twenty_confirmations(store):
    for number in range(alerts.MAX_PENDING):
        _subscribed(store, target=f"ocds-test00-{number}")
    with pytest.raises(alerts.TooManyPending):
        _subscribed(store, target="ocds-test00-more")
    _subscribed(store, email="other@example.com", target="ocds-test00-more")


def test_unconfirmed_subscriptions_are_deleted_after_a_week(store):
    now = datetime(2026, 6, 1, tzinfo=UTC)
    _subscribed(store, now=now)
    assert _deliveries(store, now=now + timedelta(days=8))[0].removed == 1
    assert stored.find(store, "someone@example.com", "process", "ocds-test00-road") is None


@pytest.mark.parametrize(
    "given",
    ["", "no-at-sign", "a@b@c.com", "a b@example.com", "x\n@example.com", "a" * 250 + "@b.uk"],
)
def test_addresses_that_are_not_email_addresses_are_refused(given):
    with pytest.raises(alerts.InvalidEmail):
        alerts.checked_email(given)


def test_the_alert_email_is_in_welsh_for_a_welsh_subscriber(store):
    asked = _subscribed(store, language="cy")
    alerts.confirm(store, asked.confirm_token)
    publish(store, a_process("ocds-test00-road"))
    _report, (got,) = _deliveries(store)
    built = alerts_email.alert(got, SITE)
    assert built["Content-Language"] == "cy"
    assert "Prynwr: Leeds City Council" in built.get_content()
    assert "?lang=cy" in built.get_content()
