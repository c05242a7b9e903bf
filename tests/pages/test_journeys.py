"""The journeys of issue 8, item 4, in Debian's Chromium against ``openbook serve``: search,
open a process, open its supplier, download a CSV; sign in, publish a tender notice through
the forms, see it in search and in the feed; a form sent with errors shows the error summary.
axe-core checks the publisher's pages on the way (the public ones: test_every_page.py)."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import orjson
import pytest

from openbook import search
from openbook.publishing import accounts, publishers
from openbook.store import parties
from tests.pages.conftest import AXE
from tests.publishing import CLI

pytestmark = pytest.mark.slow

PASSWORD = "a long passphrase for tests"  # noqa: S105 (a test account's)


def _process_with_a_supplier(store) -> tuple[str, str, str]:
    """(ocid, a word of its title, its supplier's identifier) from the site's data."""
    found = search.search_processes(store, search.Query(stages=["award", "contract"], limit=200))
    for item in found.items:
        for _name, identifier in parties.suppliers_of(store, item.ocid):
            words = [word for word in (item.title or "").split() if len(word) > 5]
            if identifier and words:
                return item.ocid, words[0], identifier
    raise AssertionError("the generated data has no awarded process with a named supplier")


def test_search_open_a_process_its_supplier_and_download_a_csv(site, server, browser):
    ocid, word, supplier = _process_with_a_supplier(site.store)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.get_by_label("Search contracts").fill(f"{word}")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?**")
        assert page.locator("h1").first.is_visible()
        if page.locator(f'a[href*="/processes/{ocid}"]').count() == 0:
            # Many processes share the word: narrow the search to the process's supplier.
            page.goto(server + f"/search?q={quote(word)}&supplier={quote(supplier)}")
        page.locator(f'a[href*="/processes/{ocid}"]').first.click()
        page.wait_for_url("**/processes/**")
        assert ocid in page.content()
        page.locator(f'a[href="/organisations/{supplier}"]').first.click()
        page.wait_for_url("**/organisations/**")
        assert supplier in page.url
        page.go_back()
        page.go_back()
        with page.expect_download() as waiting:
            page.get_by_role("link", name="Download as a spreadsheet").first.click()
        download = waiting.value
        text = Path(download.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        assert len(rows) > 1 and "ocid" in [cell.lower() for cell in rows[0]]
    finally:
        context.close()


@pytest.fixture(scope="module")
def account(site):
    organisation = publishers.add_publisher(
        site.store, "Journey Borough Council", "GB-GOR-JBC1", CLI
    )
    publishers.add_account(site.store, "jo", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(site.store, "jo", PASSWORD, CLI)
    return organisation


def _axe(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})"""
    )
    return [violation["id"] for violation in found["violations"]]


def test_sign_in_publish_a_tender_notice_and_find_it(site, server, browser, account):
    context = browser.new_context(bypass_csp=True)  # for axe's script alone
    page = context.new_page()
    title = "Journey test: library refurbishment in Mold"
    deadline = datetime.now(UTC) + timedelta(days=45)
    try:
        page.goto(server + "/publish")
        assert "/publish/sign-in" in page.url
        page.get_by_label("User name").fill("jo")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/publish")
        page.get_by_role("button", name="Publish a notice").click()
        page.get_by_label("UK4: Tender notice").check()
        page.get_by_role("button", name="Continue").click()
        # A form sent with errors shows the error summary, linked to the field.
        page.get_by_role("button", name="Continue").click()
        summary = page.locator(".govuk-error-summary")
        assert summary.is_visible()
        assert summary.locator('a[href="#title"]').count() == 1
        assert page.title().startswith("Error:")
        assert _axe(page) == []
        page.get_by_label("What is the procurement called?").fill(title)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Describe what you are buying").fill("Refurbishing the town library.")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Works").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("What is the main CPV code?").fill("45453000")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("What is the estimated value").fill("640000")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Open procedure").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Day").fill(str(deadline.day))
        page.get_by_label("Month").fill(str(deadline.month))
        page.get_by_label("Year").fill(str(deadline.year))
        page.get_by_label("Time").fill("12pm")
        page.get_by_role("button", name="Continue").click()
        for _ in range(2):  # the contract's start and end are optional
            page.get_by_role("button", name="Continue").click()
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("No").check()
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/publish/notices/draft/check")
        assert title in page.content()
        assert _axe(page) == []
        page.get_by_role("button", name="Publish notice").click()
        page.wait_for_url("**/publish/notices/published**")
        ocid = page.url.split("ocid=")[1]
        assert page.get_by_role("heading", name="Notice published").is_visible()
        page.goto(server + "/search?q=library+refurbishment+Mold")
        assert page.locator(f'a[href*="{ocid}"]').count() >= 1
        feed = orjson.loads(page.request.get(server + "/api/ocds/releases?limit=1000").body())
        while feed.get("links", {}).get("next"):
            if any(release["ocid"] == ocid for release in feed["releases"]):
                break
            feed = orjson.loads(page.request.get(feed["links"]["next"]).body())
        assert any(release["ocid"] == ocid for release in feed["releases"])
    finally:
        context.close()


def test_the_pages_work_without_javascript(site, server, browser, account):
    """Every page is plain HTML first: with scripts off, the search box, the filter panel and
    the publisher's sign-in and question pages still do their job."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(server + "/")
        page.get_by_label("Search contracts").fill("services")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?**q=services**")
        page.locator('input[name="stage"]').first.check()
        page.get_by_role("button", name="Apply filters").first.click()
        page.wait_for_url("**stage=**")
        assert page.locator(".moj-filter__tag").count() >= 1  # the chosen filter, removable
        page.goto(server + "/publish/sign-in")
        page.get_by_label("User name").fill("jo")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/publish")
        page.goto(server + "/publish/notices/new")
        page.get_by_role("button", name="Continue").click()
        assert page.locator(".govuk-error-summary").is_visible()
    finally:
        context.close()
