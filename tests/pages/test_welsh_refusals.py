"""No English left inside Welsh pages where the use cases refuse or correct what was given (issue
8, item 3), on both databases: the publish use case's own refusals on the check page of a notice
published through the publisher pages (a release id already used, 409; a procurement identifier
not minted for the organisation, or a procurement of another organisation, 403), a supplier's
registration the register refuses, and what the identifier check says of an organisation searched
for (why it is no identifier, what normalising it changed) or of a register's filter. Each is
said in Welsh on a Welsh page, and in English, naming the values found, on an English one."""

import re
from datetime import UTC, datetime
from html import unescape

import orjson
import pytest
from django.test import Client

from openbook import config, suppliers
from openbook.publishing.publish import publish
from openbook.store import log
from tests.pages.test_publisher import _answer_all, _token, publisher, signed_in
from tests.pages.test_supplier_signup import ANSWERS as SIGNUP_ANSWERS
from tests.pages.test_supplier_signup import BASE as SIGNUP
from tests.pages.test_supplier_signup import answer_all, proved, send
from tests.publishing import CLI, OTHER_BUYER, SUPPLIER, create_publisher, pipeline

__all__ = ["publisher"]  # the fixture, shared with the publisher pages' tests

DRAFT = "/publish/notices/draft"
# The commonest English words, none of them Welsh: two or more in a sentence make it English.
_ENGLISH = re.compile(
    r"\b(the|was|were|not|your|with|already|another|this|that|been|has|have|of|for|and|are|"
    r"its|by|is|it|to|be|can|must|no)\b",
    re.IGNORECASE,
)


def english_left(text: str) -> list[str]:
    """The sentences of ``text`` that read as English (identifiers, ocids and numbers do not)."""
    return [
        sentence
        for sentence in re.split(r"(?<=[.:;!?])\s+", text)
        if len(_ENGLISH.findall(sentence)) >= 2
    ]


def error_summary(html: str) -> str:
    """The words of a page's error summary, its title and each error."""
    start = html.index('class="govuk-error-summary"')
    found = html[start : html.index("</ul>", start)]
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found)).split())


class _Stopped(datetime):
    """The pages' clock, stopped at ``at``: a notice built again is built with the same id."""

    at = datetime(2000, 1, 1, tzinfo=UTC)

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return cls.at.astimezone(tz) if tz is not None else cls.at.replace(tzinfo=None)


def test_the_publish_refusals_on_the_check_page_are_said_in_welsh(publisher, store, monkeypatch):
    _Stopped.at = datetime.now(UTC).replace(microsecond=0)
    monkeypatch.setattr("openbook.web.pages.publisher.notices.datetime", _Stopped)
    client = signed_in()
    _answer_all(client)
    # 409: the notice's release id already used, by a notice published meanwhile (here by the
    # publish use case, with the id the page gives its notice in this second).
    check = client.get(f"{DRAFT}/check", {"format": "json"})
    release = orjson.loads(check.content)["release"]
    taken = {**release, "tender": {**release["tender"], "title": "Another title"}}
    assert publish(store, publisher, taken, CLI).created
    client.get("/language/cy")
    before = log.log_size(store)
    page = client.get(f"{DRAFT}/check")
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(page)})
    assert answer.status_code == 409 and log.log_size(store) == before
    said = error_summary(answer.content.decode())
    assert "Mae rhif adnabod datganiad yr hysbysiad hwn eisoes yn cael ei ddefnyddio" in said
    assert english_left(said) == [], said
    client.get("/language/en")
    said = error_summary(client.get(f"{DRAFT}/check").content.decode())
    assert f"release {release['id']!r} of {release['ocid']!r} is already published" in said
    assert english_left(said)  # which the Welsh page's check would have caught

    # 403: a procurement identifier not minted for the organisation, then another's procurement.
    other = create_publisher(store, OTHER_BUYER)
    theirs = pipeline("ocds-zz9zz9-elsewhere-1", buyer=OTHER_BUYER)
    assert publish(store, other, theirs, CLI).created
    for ocid, welsh, english in [
        (
            f"{config.ocid_prefix()}-never-minted-1",
            "Ni roddwyd dynodydd y caffaeliad hwn (ocid) i’ch sefydliad",
            "was not minted for your organisation",
        ),
        (
            theirs["ocid"],
            "Mae’r caffaeliad hwn yn perthyn i sefydliad arall",
            "belongs to another organisation (its releases name",
        ),
    ]:
        session = client.session
        session["openbook_draft"] = {**session["openbook_draft"], "ocid": ocid}
        session.save()
        welsh_page = client.get(f"{DRAFT}/check", {"lang": "cy"}).content.decode()
        said = error_summary(welsh_page)
        assert welsh in said and english_left(said) == [], said
        assert english in error_summary(client.get(f"{DRAFT}/check").content.decode())
    page = client.get(f"{DRAFT}/check")
    answer = client.post(f"{DRAFT}/check", {"csrfmiddlewaretoken": _token(page)})
    assert answer.status_code == 403 and log.log_size(store) == before + 1  # theirs alone


def test_a_registration_the_register_refuses_is_said_in_welsh(database, store, outbox):
    """The pages check every answer as the register would; should the register still refuse
    one (here a legal name longer than it keeps, put into the session), the check page names the
    question to change, in the reader's language."""
    client = proved(outbox)
    answer_all(client, SIGNUP_ANSWERS)
    session = client.session
    draft = session["openbook_supplier_signup"]
    draft["answers"]["legal-name"] = "A" * 501
    session["openbook_supplier_signup"] = draft
    session.save()
    client.get("/language/cy")
    answer = send(client, f"{SIGNUP}/check", {})
    assert answer.status_code == 422
    html = answer.content.decode()
    said = error_summary(html)
    assert "Gwiriwch yr ateb hwn: Mae ateb yn hirach nag y mae’r gofrestr yn ei gadw." in said
    assert english_left(said) == [], said
    assert f'href="{SIGNUP}/legal-name?change=1"' in html
    client.get("/language/en")
    said = error_summary(send(client, f"{SIGNUP}/check", {}).content.decode())
    assert "Check this answer: legalName holds 501 characters; at most 500" in said


@pytest.mark.parametrize(
    ("path", "status", "welsh", "english"),
    [
        (
            "/organisations?q=gb-coh-1234567",
            200,
            "Beth a newidiwyd: cynllun wedi’i ysgrifennu mewn priflythrennau heb fylchau; "
            "wedi’i lenwi â seroau i 8 digid.",
            "What was changed: scheme written in capitals without spaces; zero-padded to 8 digits.",
        ),
        (
            "/organisations?q=GB-VAT-217967236",
            200,
            "nid y ddau ddigid olaf yw digidau gwirio",
            "the last two digits are not the check digits of the first seven",
        ),
        (
            "/organisations?q=x",
            400,
            "rhowch enw o 2 llythyren neu ddigid o leiaf",
            "give a name of at least 2 letters or digits",
        ),
        (
            "/organisations/GB-COH-123456789",
            400,
            "mae rhif Tŷ’r Cwmnïau yn 8 nod",
            "a Companies House number is 8 characters",
        ),
        (  # the commercial tools register's member filter (openbook.commercial_tools)
            "/registers/commercial-tools?member=GB-COH-123456789",
            400,
            "mae rhif Tŷ’r Cwmnïau yn 8 nod",
            "a Companies House number is 8 characters",
        ),
    ],
)
def test_what_the_identifier_check_says_of_an_organisation_is_said_in_welsh(
    store, path, status, welsh, english
):
    suppliers.register(
        store,
        {"legalName": SUPPLIER["name"], "address": {"locality": "Leeds"},
         "identifiers": [SUPPLIER["id"]], "sme": True, "vcse": False, "status": "active"},
        administrator=create_publisher(store),
        actor=CLI,
    )  # fmt: skip
    client = Client()
    answer = client.get(path + ("&" if "?" in path else "?") + "lang=cy")
    assert answer.status_code == status
    html = unescape(answer.content.decode())
    assert welsh in html and english not in html
    main = html[html.index("<main") : html.index("</main>")]
    assert english_left(" ".join(re.sub(r"<[^>]+>", " ", main).split())) == []
    assert english in unescape(client.get(path).content.decode())
