"""Welsh (issue 8, item 3): every piece of interface text in the Welsh catalogue, each draft
marked for a professional translator's review; a language toggle; notice content in the
reader's language where the publisher gave it."""

import re
from pathlib import Path

import pytest
from django.test import Client

from openbook.standards.identifiers import check_party_id
from openbook.web.pages import i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def test_every_interface_message_has_a_welsh_draft():
    i18n.catalogue.cache_clear()
    welsh = i18n.catalogue(i18n.WELSH)
    missing = {
        text: where for text, where in i18n.interface_messages().items() if text not in welsh
    }
    assert missing == {}


def test_each_translation_is_marked_for_review_and_keeps_the_placeholders():
    for path in sorted((i18n.CATALOGUE_DIR / i18n.WELSH).glob("*.po")):
        seen = set()
        for entry in i18n.read_po(path):
            where = f"{path.name}:{entry.line}"
            assert entry.msgid not in seen, f"{where}: {entry.msgid!r} twice"
            seen.add(entry.msgid)
            assert i18n.REVIEW_FLAG in entry.flags, f"{where}: not marked {i18n.REVIEW_FLAG}"
            for translated in [entry.msgstr, *entry.plurals.values()]:
                assert (
                    sorted(PLACEHOLDER.findall(translated))
                    == sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
                    or entry.msgid_plural
                ), f"{where}: placeholders differ"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('msgid "a"\nmsgstr "b\n', "expected a quoted string"),
        ('msgstr "b"\n', "msgstr before any msgid"),
        ('msgid "a"\nmsgctxt2 "b"\n', "is not a .po keyword"),
        ('"stray"\n', "a string continues nothing"),
        ('msgid "a\\q"\nmsgstr "b"\n', "not well quoted"),
        ('msgid "a"b"\nmsgstr "b"\n', "not well quoted"),
    ],
)
def test_a_broken_catalogue_is_refused_with_its_line(tmp_path: Path, text, says):
    path = tmp_path / "broken.po"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(i18n.CatalogueError, match=f"broken.po:\\d+: .*{re.escape(says)}"):
        i18n.read_po(path)


def test_welsh_plural_forms_follow_the_catalogue_header():
    assert [i18n.welsh_plural(n) for n in (0, 1, 2, 3, 4, 6, 11)] == [0, 1, 2, 3, 5, 4, 5]


def test_the_toggle_switches_the_page_to_welsh_and_back(site):
    client = Client()
    english = client.get("/").content.decode()
    assert '<html lang="en"' in english
    assert 'href="/language/cy?next=/"' in english and 'hreflang="cy"' in english
    answer = client.get("/language/cy", {"next": "/?format=html"})
    assert answer.status_code == 302 and answer["Location"] == "/?format=html"
    welsh = client.get("/").content.decode()
    assert '<html lang="cy"' in welsh
    assert "Chwilio am gontractau" in welsh and "Hafan – Contractio agored – GOV.UK" in welsh
    assert 'href="/language/en?next=/"' in welsh
    client.get("/language/en")
    assert '<html lang="en"' in client.get("/").content.decode()


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_the_toggle_never_leaves_the_site(target):
    answer = Client().get("/language/cy", {"next": target})
    assert answer["Location"] == "/"


def test_a_link_may_ask_for_one_language_for_its_page_alone(site):
    client = Client()
    assert '<html lang="cy"' in client.get("/?lang=cy").content.decode()
    assert '<html lang="en"' in client.get("/").content.decode()


def test_a_browser_asking_for_welsh_first_gets_it_until_it_chooses():
    client = Client(HTTP_ACCEPT_LANGUAGE="cy-GB,cy;q=0.9,en;q=0.5")
    assert client.get("/healthz")["Content-Language"] == "cy"
    client.get("/language/en")
    assert client.get("/healthz")["Content-Language"] == "en"


def test_notice_text_in_the_readers_language_where_the_publisher_gave_it():
    tender = {"title": "School meals", "title_cy": "Prydau ysgol", "description": "Hot food"}
    token = i18n.use(i18n.WELSH)
    try:
        assert i18n.localised(tender, "title") == ("Prydau ysgol", "cy")
        assert i18n.localised(tender, "description") == ("Hot food", "en")
    finally:
        i18n.reset(token)
    assert i18n.localised(tender, "title") == ("School meals", "en")


def test_each_message_is_in_one_catalogue_file_only():
    """Two files giving one message would each win in turn: words more than one area shows live
    in base.po."""
    where: dict[str, str] = {}
    for path in sorted((i18n.CATALOGUE_DIR / i18n.WELSH).glob("*.po")):
        for entry in i18n.read_po(path):
            assert entry.msgid not in where, (
                f"{entry.msgid!r} in {where.get(entry.msgid)} and {path.name}"
            )
            where[entry.msgid] = path.name


def test_why_an_identifier_is_wrong_is_said_in_the_readers_language(database):
    """The identifier checks' own messages (openbook.standards.identifiers) are translated
    inside a page's message too, not left in English within a Welsh sentence."""
    checked = check_party_id("GB-COH-123456789")
    english = i18n.gettext("Check this answer: %(problem)s", problem=checked.phrase)
    assert english == f"Check this answer: {checked.message}"
    token = i18n.use(i18n.WELSH)
    try:
        welsh = i18n.gettext("Check this answer: %(problem)s", problem=checked.phrase)
    finally:
        i18n.reset(token)
    assert "mae rhif Tŷ’r Cwmnïau yn 8 nod" in welsh and "Companies House number" not in welsh
    answer = Client().get("/alerts/organisations/GB-VAT-123456789?lang=cy")
    html = answer.content.decode()
    assert answer.status_code == 400 and "digidau gwirio" in html and "check digits" not in html


def test_the_publish_checks_findings_are_said_by_their_codes_summary_in_welsh():
    english = "releases/0/tender/value/amount: 'ten' is not a number"
    assert i18n.rule_said("type", english) == english
    token = i18n.use(i18n.WELSH)
    try:
        assert i18n.rule_said("type", english).startswith("Mae gwerth o’r math anghywir")
        assert i18n.rule_said("notice.period.tender_too_short", english) == (
            "Mae’r cyfnod tendro yn fyrrach nag isafswm y Ddeddf."
        )
        assert i18n.rule_said("a-code-with-no-summary", english) == english
    finally:
        i18n.reset(token)
