"""What holds for every page type (STYLE.md, issue 8): valid HTML (the W3C's Nu HTML Checker),
a title, unique ids, a link to its JSON twin, a content security policy; and, in a real
Chromium, no WCAG 2.2 A or AA violation that axe-core finds."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client

from tests.pages.addresses import page_addresses
from tests.pages.conftest import axe_violations, axe_violations_in, validate_html


@pytest.fixture(scope="module")
def downloads(site, tmp_path_factory) -> Iterator[Path]:
    """A downloads folder of the site's own (OPENBOOK_DOWNLOADS_DIR), where the addresses'
    ``ensure_snapshot`` writes the snapshot the downloads page lists, and where /downloads/
    looks for it, here and in ``openbook serve`` (started after this): a snapshot in the
    worker's default folder would be seen by every later module on the worker."""
    folder = tmp_path_factory.mktemp("downloads")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENBOOK_DOWNLOADS_DIR", str(folder))
        yield folder


def _fetch(address: str) -> tuple[int, bytes, dict]:
    path, _, query = address.partition("?")
    language = "cy" if "lang=cy" in query else "en"
    client = Client()
    client.cookies["openbook_language"] = language
    answer = client.get(path + ("?" + query.replace("lang=cy", "") if query else ""))
    return answer.status_code, answer.content, dict(answer.headers)


def test_every_page_is_valid_html_with_a_title_and_unique_ids(downloads, site, tmp_path):
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
def test_no_page_has_an_accessibility_violation(downloads, server, browser, site):
    # One context and tab for every page, not a context each: its cookies cleared before each
    # page, so that none is read in the language, or with the session, an earlier one left.
    found = {}
    context = browser.new_context(bypass_csp=True)
    try:
        opened = context.new_page()
        for name, address in page_addresses(site.store).items():
            context.clear_cookies()
            violations = axe_violations_in(opened, server + address)
            if violations:
                found[name] = violations
    finally:
        context.close()
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
