"""Oversight told by email of an award published to a supplier on the central debarment list
(openbook.oversight, openbook/web/publish/oversight.py), on both databases: the message, no
setting no email, and a failure to send that loses nothing."""

import logging
import socket

import pytest

from openbook import config, oversight
from openbook.publishing.exclusion import Flag
from openbook.store import audit, log, registers
from openbook.store.publishers import Organisation
from openbook.web.publish import oversight as oversight_email
from tests.publishing import award, create_key, create_publisher, post, tender
from tests.web.test_registers_api import debarment, name_the_supplier

REASON = "The only supplier able to restore the flood defences before winter."
OCID = "ocds-b5fd17-ovs1"


@pytest.fixture
def keys(store):
    own = create_publisher(store)
    name_the_supplier(store)
    return {"own": create_key(store, own), "admin": create_key(store, own, role="administrator")}


def _award_with_reason(ocid: str = OCID) -> dict:
    release = award(ocid)
    release["parties"][1]["details"] = {"excludedSupplier": {"awardRationale": REASON}}
    return release


def _publish_to_listed(client, keys, **extra):
    """The debarment entry, a tender, and the award with its reason; the award's answer."""
    post(client, "/api/publish/registers/debarment", debarment(), keys["admin"])
    assert post(client, "/api/publish/releases", tender(OCID), keys["own"]).status_code == 201
    return post(client, "/api/publish/releases", _award_with_reason(), keys["own"], **extra)


def _events(store, action: str) -> list:
    return [event for event in audit.events(store, limit=100) if event.action == action]


def test_oversight_is_emailed_the_award_the_supplier_the_entry_and_the_reason(
    client, store, keys, outbox, monkeypatch
):
    monkeypatch.setenv("OPENBOOK_OVERSIGHT_EMAIL", "debarment@cabinet.example, audit@nao.example")
    published = _publish_to_listed(client, keys)
    assert published.status_code == 201, published.content
    sent = outbox()
    assert sorted(message["To"] for message in sent) == [
        "audit@nao.example",
        "debarment@cabinet.example",
    ]
    message = sent[0]
    assert message["Subject"] == "Award to a debarred supplier: Green Spaces Ltd"
    text = message.get_content()
    assert "Example Borough Council published an award to a supplier" in text
    assert f"Process: {OCID}" in text
    assert "Award: 1 of 2025-07-14" in text
    assert "Supplier: Green Spaces Ltd (GB-COH-01234567)" in text
    assert "DEB-000001, a mandatory exclusion ground (Schedule 6, paragraph 1)" in text
    assert "from 2025-01-15 to 2027-01-14" in text
    assert f"The reason given: {REASON}" in text
    assert f"https://contracts.example/processes/{OCID}?lang=en" in text
    assert "https://contracts.example/registers/debarment/DEB-000001?lang=en" in text
    [emailed] = _events(store, oversight.EMAILED)
    assert sorted(emailed.detail["to"]) == ["audit@nao.example", "debarment@cabinet.example"]
    assert emailed.detail["awards"][0]["debarmentEntry"] == "DEB-000001"
    assert emailed.subject == OCID and not _events(store, oversight.NOT_EMAILED)
    # The same release sent again is stored once, and told once.
    again = post(client, "/api/publish/releases", _award_with_reason(), keys["own"])
    assert again.status_code == 200
    assert len(outbox()) == 2 and len(_events(store, oversight.EMAILED)) == 1


def test_in_welsh_when_oversight_reads_welsh(monkeypatch):
    monkeypatch.setenv("OPENBOOK_OVERSIGHT_LANGUAGE", "cy")
    entry = registers.Entry(
        register="debarment", entry_id="DEB-000001", version=1, seq=1, created_time="",
        updated_time="", organisation_id=1,
        entry={"ground": {"type": "discretionary", "reference": "Schedule 7, paragraph 2"}},
        organisations=("GB-COH-01234567",), ocid=None, status="active",
        start_date="2025-01-15", end_date="2027-01-14",
    )  # fmt: skip
    flag = Flag(OCID, "UK6", entry, "GB-COH-01234567", "Green Spaces Ltd", "1", "2025-07-14",
                REASON)  # fmt: skip
    buyer = Organisation(1, "Cyngor Sir Enghraifft", "GB-GOR", "X1", "GB-GOR-X1", "")
    message = oversight_email.message("a@llyw.example", buyer, [flag, flag], "https://x.example")
    assert (
        message["Subject"] == "2 ddyfarniad i gyflenwyr gwaharddedig, y cyntaf i Green Spaces Ltd"
    )
    assert message["Content-Language"] == "cy"
    text = message.get_content()
    assert "Cyhoeddodd Cyngor Sir Enghraifft 2 ddyfarniad i gyflenwyr" in text
    assert "sail gwahardd ddewisol (Schedule 7, paragraph 2)" in text
    assert f"https://x.example/processes/{OCID}?lang=cy" in text


def test_no_address_set_sends_no_email(client, store, keys, outbox, monkeypatch):
    monkeypatch.delenv("OPENBOOK_OVERSIGHT_EMAIL", raising=False)
    assert _publish_to_listed(client, keys).status_code == 201
    assert outbox() == []
    assert _events(store, "oversight.excluded-award")  # still recorded for oversight
    assert not _events(store, oversight.EMAILED) and not _events(store, oversight.NOT_EMAILED)


def _closed_port() -> int:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        return listening.getsockname()[1]


HOSTILE = "ok@cabinet.example, x@y.example\r\nBcc: all@evil.example"
NOT_SENT = {
    # No mail server listening.
    "no-server": (
        {"OPENBOOK_MAIL_SENDER": "smtp", "OPENBOOK_SMTP_HOST": "127.0.0.1",
         "OPENBOOK_SMTP_STARTTLS": "0"},
        None,
        "cannot send through 127.0.0.1",
    ),
    # Links in an email are never made from a request's Host header.
    "no-site": ({"OPENBOOK_SITE_URL": ""}, "contracts.attacker.example", "OPENBOOK_SITE_URL"),
    # A hostile setting: a header smuggled into an address.
    "hostile-setting": ({"OPENBOOK_OVERSIGHT_EMAIL": HOSTILE}, None, "is not an email address"),
}  # fmt: skip


@pytest.mark.parametrize("case", NOT_SENT, ids=str)
def test_an_email_not_sent_loses_nothing_and_is_recorded(  # noqa: PLR0917
    client, store, keys, outbox, monkeypatch, caplog, case
):
    settings, request_host, why = NOT_SENT[case]
    monkeypatch.setenv("OPENBOOK_OVERSIGHT_EMAIL", "debarment@cabinet.example")
    monkeypatch.setenv("OPENBOOK_SMTP_PORT", str(_closed_port()))
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    extra = {"HTTP_HOST": request_host} if request_host else {}
    with caplog.at_level(logging.ERROR, logger="openbook.oversight"):
        published = _publish_to_listed(client, keys, **extra)
    assert published.status_code == 201, published.content
    assert published.json()["releases"][0]["status"] == "created"
    assert outbox() == []
    assert [a["ocid"] for a in client.get("/api/registers/debarment/awards").json()["awards"]] == [
        OCID
    ]
    assert any("UK6" in s.entry.statement_id for s in log.record_statements(store, "ocds", OCID))
    [failed] = _events(store, oversight.NOT_EMAILED)
    assert why in " ".join(failed.detail["failed"].values())
    assert failed.detail["awards"][0]["awardId"] == "1"
    assert not _events(store, oversight.EMAILED)
    assert any(why in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        (" a@b.example ,, c@d.example, a@b.example ", ["a@b.example", "c@d.example"]),
    ],
)
def test_the_setting_is_a_list_of_addresses(monkeypatch, value, expected):
    monkeypatch.setenv("OPENBOOK_OVERSIGHT_EMAIL", value)
    assert config.oversight_emails() == expected


@pytest.mark.parametrize("value", ["oversight", "a b@c.example", "<a@b.example>", "a@b"])
def test_a_setting_that_is_no_address_is_refused_with_its_name(monkeypatch, value):
    monkeypatch.setenv("OPENBOOK_OVERSIGHT_EMAIL", value)
    with pytest.raises(config.ConfigurationError, match="OPENBOOK_OVERSIGHT_EMAIL"):
        config.oversight_emails()
