"""What holds for every page type (STYLE.md, issue 8): valid HTML (the W3C's Nu HTML Checker),
a title, unique ids, a link to its JSON twin, a content security policy; and, in a real
Chromium, no WCAG 2.2 A or AA violation that axe-core finds."""

import re

import pytest
from django.test import Client

from tests.pages.addresses import page_addresses
from tests.pages.conftest import axe_violations, validate_html


def _fetch(address: str) -> tuple[int, bytes, dict]:
    path, _, query = address.partition("?")
    language = "cy" if "lang=cy" in query else "en"
    client = Client()
    client.cookies["openbook_language"] = language
    answer = client.get(path + ("?" + query.replace("lang=cy", "") if query else ""))
    return answer.status_code, answer.content, dict(answer.headers)


def test_every_page_is_valid_html_with_a_title_and_unique_ids(site, tmp_path):
    fetched = {}
    for name, address in page_addresses(site.store).items():
        status, html, headers = _fetch(address)
        assert status == 200, (name, address, html[:500])
        text = html.decode()
        title = re.search(r"<title[^>]*>([^<]+)</title>", text)
        assert title and title.group(1).strip(), name
        ids = re.findall(r'\sid="([^"]+)"', text)
        assert len(ids) == len(set(ids)), (name, sorted(i for i in ids if ids.count(i) > 1))
        assert 'rel="alternate" type="application/json"' in text, name
        assert "nonce-" in headers["Content-Security-Policy"], name
        fetched[f"{name} ({address})"] = html
    assert validate_html(fetched, tmp_path) == []


@pytest.mark.slow
def test_no_page_has_an_accessibility_violation(server, browser, site):
    found = {}
    for name, address in page_addresses(site.store).items():
        violations = axe_violations(browser, server + address)
        if violations:
            found[name] = violations
    assert found == {}


def test_the_checkers_find_faults_where_there_are_some(browser, tmp_path):
    """The two checks above are not vacuous: each finds a fault in a page that has one."""
    broken = (
        b'<!DOCTYPE html><html lang="en"><head><title>x</title></head>'
        b'<body><p id="a"><p id="a"></body></html>'
    )
    assert any("Duplicate ID" in error for error in validate_html({"broken": broken}, tmp_path))
    found = axe_violations(
        browser,
        "data:text/html,<html><head><title>x</title></head><body><img src='x.png'></body></html>",
    )
    assert "image-alt" in {violation["id"] for violation in found}
