"""The alert pages: subscribing to a search, a process or an organisation, confirming and
unsubscribing, an organisation's feed; every kind of bad input answered with a GOV.UK error
summary or a 4xx page, never a 500; the JSON twin the same as the page."""

import re
from urllib.parse import quote

import orjson
import pytest
from django.test import Client

from openbook import alerts, organisations
from openbook.store import alerts as stored
from openbook.store import parties
from openbook.store.search import count
from tests.pages.test_process import full_process

FORM = {"email": "reader@example.com", "frequency": "daily", "language": "en"}


def _text(message) -> str:
    return message.get_content()


def test_the_search_form_says_what_it_follows_and_links_its_feed(site):
    answer = Client().get("/alerts/search?q=services&stage=contract&sort=value")
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "‘services’; Stage: Contract" in html
    assert 'href="/search/feed?q=services&amp;stage=contract"' in html
    assert 'action="/alerts/search?q=services&amp;stage=contract"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    twin = orjson.loads(
        Client().get("/alerts/search?q=services&stage=contract&format=json").content
    )
    assert twin["followed"]["label"] == "‘services’; Stage: Contract"
    assert twin["followed"]["target"] == "q=services&stage=contract"
    assert twin["form"] == {"email": "", "frequency": "immediately", "language": "en"}


def test_the_search_page_links_to_its_alerts():
    html = Client().get("/search?q=services&stage=contract").content.decode()
    assert 'href="/alerts/search?q=services&amp;stage=contract"' in html


def test_subscribing_sends_a_confirmation_and_nothing_else(site, outbox):
    answer = Client().post("/alerts/search?q=services", FORM)
    html = answer.content.decode()
    assert answer.status_code == 200 and "Check your email" in html
    assert "reader@example.com" in html
    (sent,) = outbox()
    assert sent["To"] == "reader@example.com"
    link = re.search(r"https://contracts\.example(/alerts/confirm/[\w-]+)\?lang=en", _text(sent))
    assert link
    waiting = stored.find(site.store, "reader@example.com", "search", "q=services")
    assert waiting is not None and waiting.confirmed_time is None and waiting.frequency == "daily"
    client = Client()
    page = client.get(link.group(1))
    assert page.status_code == 200 and "Confirm your email alerts" in page.content.decode()
    assert "reader@example.com" not in page.content.decode()
    done = client.post(link.group(1))
    assert done.status_code == 200 and "Your email alerts are confirmed" in done.content.decode()
    confirmed = stored.find(site.store, "reader@example.com", "search", "q=services")
    assert confirmed.confirmed_time is not None and confirmed.position is not None
    assert client.post(link.group(1)).status_code == 404  # replayed
    # Asked again: the page says the same; the email tells the owner it has the alerts.
    again = Client().post("/alerts/search?q=services", FORM)
    assert again.status_code == 200 and "Check your email" in again.content.decode()
    assert "You already get these alerts" in _text(outbox()[-1])


def test_a_welsh_subscriber_gets_welsh_email(site, outbox):
    answer = Client().post("/alerts/search?q=services&stage=tender", {**FORM, "language": "cy"})
    assert answer.status_code == 200
    sent = outbox()[-1]
    assert sent["Subject"].startswith("Cadarnhewch eich hysbysiadau e-bost: ‘services’; Cam:")
    assert "?lang=cy" in _text(sent)


def test_a_process_and_an_organisation_can_be_followed(site, outbox):
    ocid = full_process(site.store)
    found = alerts.process(site.store, ocid)
    answer = Client().get(f"/alerts/processes/{quote(ocid, safe='')}?format=json")
    assert orjson.loads(answer.content)["followed"]["label"] == f"{found.title} ({ocid})"
    assert f'href="/alerts/processes/{ocid}"' in Client().get(f"/processes/{ocid}").content.decode()
    buyer = parties.newest_with_role(site.store, "buyer")
    shown = organisations.organisation(site.store, buyer, limit=1)
    twin = orjson.loads(Client().get(f"/alerts/organisations/{buyer}?format=json").content)
    assert twin["followed"]["label"] == f"{shown['names'][0]['name']} ({buyer})"
    assert twin["followed"]["feed"] == f"/organisations/{buyer}/feed"
    organisation_page = Client().get(f"/organisations/{buyer}").content.decode()
    assert f'href="/alerts/organisations/{buyer}"' in organisation_page
    assert Client().post(f"/alerts/organisations/{buyer}", FORM).status_code == 200
    assert stored.find(site.store, "reader@example.com", "organisation", buyer) is not None


def test_an_organisations_feed_lists_its_newest_processes(site):
    buyer = parties.newest_with_role(site.store, "buyer")
    answer = Client().get(f"/organisations/{buyer}/feed")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/atom+xml")
    feed = answer.content.decode()
    newest = organisations.processes_as(site.store, buyer, "buyer", limit=1)["page"][0]
    assert f"/processes/{newest['ocid']}</id>" in feed
    assert len(re.findall("<entry>", feed)) <= alerts.FEED_ENTRIES
    assert Client().get("/organisations/GB-COH-99999999/feed").status_code == 404


@pytest.mark.parametrize(
    ("form", "field", "says"),
    [
        ({**FORM, "email": ""}, "email", "Enter your email address"),
        ({**FORM, "email": "not-an-address"}, "email", "in the correct format"),
        ({**FORM, "email": "a\r\nBcc: x@example.com"}, "email", "in the correct format"),
        ({**FORM, "email": "a" * 300 + "@example.com"}, "email", "254 characters or fewer"),
        ({**FORM, "frequency": "hourly"}, "frequency", "Select how often"),
        ({**FORM, "language": "fr"}, "language", "Select the language"),
    ],
)
def test_a_form_with_a_fault_is_shown_again_with_the_error_summary(site, outbox, form, field, says):
    answer = Client().post("/alerts/search?q=services", form)
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "govuk-error-summary" in html and f'href="#{field}"' in html and says in html
    assert "<title>Error: Get email alerts" in html
    assert outbox() == []
    twin = orjson.loads(Client().post("/alerts/search?q=services&format=json", form).content)
    assert [error["field"] for error in twin["errors"]] == [field]


def test_a_search_the_search_page_refuses_is_refused_naming_its_parameter(site):
    answer = Client().get("/alerts/search?q=the&value_min=lots&published_from=2025-02-30")
    html = answer.content.decode()
    assert answer.status_code == 400 and "govuk-error-summary" in html
    for field in ("q", "value_min", "published_from"):
        assert f"{field}:" in html
    assert Client().get("/alerts/search?q=" + "x" * 600).status_code == 400
    assert Client().get("/alerts/search?q=%FF").status_code == 400


@pytest.mark.parametrize(
    ("address", "status"),
    [
        ("/alerts/processes/ocds-nothing-here", 404),
        ("/alerts/processes/" + "x" * 400, 404),
        ("/alerts/processes/a%00b", 404),
        ("/alerts/organisations/GB-COH-99999999", 404),
        ("/alerts/organisations/not%20an%20identifier", 400),
        ("/alerts/organisations/" + "G" * 400, 400),
        ("/alerts/confirm/" + "A" * 43, 404),
        ("/alerts/confirm/forged", 404),
        ("/alerts/unsubscribe/" + "A" * 43, 404),
        ("/alerts/unsubscribe/%3Cscript%3E", 404),
    ],
)
def test_unknown_and_malformed_addresses(site, address, status):
    answer = Client().get(address)
    assert answer.status_code == status
    assert "<script>" not in answer.content.decode()


def test_the_forms_need_the_csrf_token(site, outbox):
    guarded = Client(enforce_csrf_checks=True)
    refused = guarded.post("/alerts/search?q=services", FORM)
    assert refused.status_code == 403 and "reload the page" in refused.content.decode()
    assert outbox() == []
    asked = alerts.subscribe(
        site.store,
        email="csrf@example.com",
        kind="search",
        target="q=roads",
        label="roads",
        frequency="daily",
        language="en",
    )
    assert guarded.post(f"/alerts/confirm/{asked.confirm_token}").status_code == 403
    assert alerts.awaiting(site.store, asked.confirm_token) is not None


def test_too_many_waiting_confirmations_are_refused(site, outbox):
    for number in range(alerts.MAX_PENDING):
        alerts.subscribe(
            site.store,
            email="busy@example.com",
            kind="search",
            target=f"q=word{number}",
            label="x",
            frequency="daily",
            language="en",
        )
    answer = Client().post("/alerts/search?q=services", {**FORM, "email": "busy@example.com"})
    assert answer.status_code == 429
    assert "20 alerts waiting to be confirmed" in answer.content.decode()
    assert outbox() == []


def test_a_mail_failure_is_a_503_and_keeps_nothing(site, monkeypatch):
    monkeypatch.setenv("OPENBOOK_MAIL_SENDER", "smtp")
    monkeypatch.setenv("OPENBOOK_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("OPENBOOK_SMTP_PORT", "9")  # discard: nothing listens
    answer = Client().post("/alerts/search?q=services", {**FORM, "email": "lost@example.com"})
    assert answer.status_code == 503
    assert stored.find(site.store, "lost@example.com", "search", "q=services") is None


def test_unsubscribing_deletes_the_address(site, outbox):
    asked = alerts.subscribe(
        site.store,
        email="leaving@example.com",
        kind="search",
        target="q=bridges",
        label="‘bridges’",
        frequency="immediately",
        language="en",
    )
    alerts.confirm(site.store, asked.confirm_token)
    address = f"/alerts/unsubscribe/{asked.unsubscribe_token}"
    page = Client().get(address)
    assert page.status_code == 200 and "‘bridges’" in page.content.decode()
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    twin = orjson.loads(Client().get(address + "?format=json").content)
    assert twin["subscription"]["label"] == "‘bridges’" and "email" not in str(twin)
    assert Client().post(address).status_code == 200
    assert stored.find(site.store, "leaving@example.com", "search", "q=bridges") is None
    assert Client().post(address).status_code == 404
    assert count(site.store) > 0  # the public data is untouched
