"""The service's own pages: the accessibility statement, the privacy notice, the cookies (only
the essential ones the service sets), and how to verify the log, with the tree head live."""

import orjson
import pytest
from django.conf import settings
from django.test import Client

from openbook import config, transparency
from openbook.store.log import log_size
from openbook.web.pages import i18n


def twin(address: str) -> dict:
    answer = Client().get(address, HTTP_ACCEPT="application/json")
    assert answer["Content-Type"] == "application/json", address
    return orjson.loads(answer.content)


@pytest.mark.parametrize(
    ("address", "title", "says"),
    [
        (
            "/accessibility",
            "Accessibility statement",
            ["Web Content Accessibility Guidelines version 2.2 AA", "axe-core", "Nu HTML Checker",
             "Equality and Human Rights Commission", "Equality Commission for Northern Ireland",
             "partially compliant",
             "This statement was prepared on 30 November 2026"],
        ),
        (
            "/privacy",
            "Privacy notice",
            ["public interest", "Article 6(1)(e)", "share code", "https://ico.org.uk/make-a-complaint/",
             "How long we keep it", "limit how many requests", "internet address"],
        ),
        ("/cookies", "Cookies", ["openbook_language", "csrftoken", "openbook_session", "1 year"]),
        ("/verify", "Verify the log", ["RFC 9162", "/api/log/keys", "openbook verify", "curl"]),
    ],
)  # fmt: skip
def test_each_page_says_what_it_must(site, address, title, says):
    answer = Client().get(address)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert f"<title>{title} – Open contracting – GOV.UK</title>" in html
    for words in says:
        assert words.replace("'", "&#39;") in html, words


def test_the_controller_is_the_operator(site):
    assert twin("/privacy")["controller"] == config.publisher_name()
    assert (
        config.publisher_name().replace("'", "&#39;") in Client().get("/privacy").content.decode()
    )


def test_the_cookies_listed_are_those_the_service_sets(site):
    listed = {cookie["name"]: cookie for cookie in twin("/cookies")["cookies"]}
    assert set(listed) == {i18n.COOKIE, settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME}
    assert twin("/cookies")["analytics"] is False
    chosen = Client().get("/language/cy", {"next": "/cookies"})
    set_cookie = chosen.cookies[i18n.COOKIE]
    assert int(set_cookie["max-age"]) == listed[i18n.COOKIE]["seconds"]
    assert listed[settings.CSRF_COOKIE_NAME]["seconds"] == settings.CSRF_COOKIE_AGE
    session = listed[settings.SESSION_COOKIE_NAME]
    assert session["seconds"] == settings.SESSION_COOKIE_AGE
    assert f"after {settings.SESSION_COOKIE_AGE // 60} minutes" in session["expires"]


def test_the_verify_page_shows_the_log_as_it_stands(site):
    page = twin("/verify")
    assert page["logSize"] == log_size(site.store)
    if page["treeHead"] is None:
        html = Client().get("/verify").content.decode()
        assert "No tree head has been signed yet" in html
        assert "tree_size=SIZE" in html
        transparency.sign_tree_head(site.store, create_key=True)
    page = twin("/verify")
    head = transparency.latest_tree_head(site.store)
    assert page["treeHead"] == head
    assert [key["keyId"] for key in page["keys"]] == [
        key["keyId"] for key in transparency.public_keys(site.store)
    ]
    html = Client().get("/verify").content.decode()
    assert head["rootHash"] in html and head["keyId"] in html
    assert "tree_size=SIZE" not in html
    for name in ("treeHead", "keys", "inclusion", "consistency", "feed"):
        link = page["links"][name]
        assert Client().get(link).status_code == 200, link
        assert link.replace("&", "&amp;") in html
    proof = orjson.loads(Client().get(page["links"]["inclusion"]).content)
    assert proof["rootHash"] == head["rootHash"]
    assert f"curl http://testserver{page['links']['treeHead']}" in html


def test_the_pages_read_in_welsh(site):
    client = Client()
    client.cookies[i18n.COOKIE] = "cy"
    html = client.get("/accessibility").content.decode()
    assert '<html lang="cy"' in html and "Gweithdrefn orfodi" in html
    assert "Cwcis hanfodol" in client.get("/cookies").content.decode()


@pytest.mark.parametrize("address", ["/accessibility", "/privacy", "/cookies", "/verify"])
def test_the_pages_only_read(site, address):
    assert Client().post(address).status_code == 405
