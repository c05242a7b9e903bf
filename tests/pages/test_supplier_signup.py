"""Suppliers registering themselves (docs/suppliers.md, "Registering as a supplier"): the email
address proved by a one-time link, the questions, check your answers and the new number, on
both databases; the links' limits, every kind of bad answer, an identifier another supplier
holds; the supplier account, what it may and may not open, and a stale change."""

import re
from datetime import UTC, datetime, timedelta

import orjson
import pytest
from django.test import Client

from openbook import supplier_signup, suppliers
from openbook.publishing import accounts, publishers
from openbook.store import log
from openbook.store import publishers as stored_publishers
from openbook.store import registers as stored_registers
from tests.conftest import mail_to, reuse
from tests.pages.conftest import validate_html
from tests.pages.test_publisher import PASSWORD, _token, send
from tests.publishing import CLI, create_publisher

EMAIL = "bids@acme.example"
SUPPLIER_PASSWORD = "moss lantern quarry violet"  # noqa: S105 (a test account's)
ANSWERS = {
    "legal-name": {"legal-name": "Acme Grounds Limited"},
    "other-names": {"other-names": "Acme Gardens\nAcme Parks"},
    "address": {
        "address-line-1": "1 High Street",
        "address-line-2": "",
        "address-town": "Leeds",
        "address-postcode": "ls11aa",
        "address-country": "United Kingdom",
    },
    "identifiers": {
        "identifier-coh": "1234567",
        "identifier-charity": "",
        "identifier-vat": "GB217967235",
        "identifier-other": "",
    },
    "sme": {"sme": "yes"},
    "vcse": {"vcse": "no"},
    "contact-name": {"contact-name": "Bids team"},
    "password": {"password": SUPPLIER_PASSWORD, "password-confirm": SUPPLIER_PASSWORD},
}
BASE = "/suppliers/register"


def _client() -> Client:
    return Client(enforce_csrf_checks=True)


def ask_for_link(client: Client, email: str = EMAIL):
    return send(client, f"{BASE}/email", {"email": email})


def link_in(message) -> str:
    found = re.search(r"https://contracts\.example(/suppliers/register/link/[\w-]+)\?lang=en",
                      message.get_content())  # fmt: skip
    assert found, message.get_content()
    return found.group(1)


def use_link(client: Client, path: str):
    page = client.get(path)
    assert page.status_code == 200, page.content[:500]
    return client.post(path, {"csrfmiddlewaretoken": _token(page)})


def proved(outbox, email: str = EMAIL) -> Client:
    """A client whose address is proved: at the first question."""
    client = _client()
    assert ask_for_link(client, email).status_code == 200
    answer = use_link(client, link_in(outbox()[-1]))
    assert answer.status_code == 302 and answer["Location"] == f"{BASE}/legal-name"
    return client


def answer_all(client: Client, answers: dict = ANSWERS) -> None:
    for name, values in answers.items():
        answer = send(client, f"{BASE}/{name}", values)
        assert answer.status_code == 302, (name, answer.content[:3000])


def register(outbox, email: str = EMAIL, answers: dict = ANSWERS) -> str:
    client = proved(outbox, email)
    answer_all(client, answers)
    done = send(client, f"{BASE}/check", {})
    assert done.status_code == 302 and done["Location"] == f"{BASE}/registered", done.content
    page = client.get(f"{BASE}/registered")
    number = re.search(r"<strong>(GB-OPENBOOK-[\w-]+)</strong>", page.content.decode())
    assert number
    return number.group(1)


def supplier_signed_in(email: str = EMAIL, password: str = SUPPLIER_PASSWORD) -> Client:
    client = _client()
    answer = send(client, "/suppliers/sign-in", {"email": email, "password": password})
    assert answer.status_code == 302, answer.content[:2000]
    return client


# The journey


def test_a_supplier_registers_itself_and_its_number_is_in_the_register(database, store, outbox):
    client = _client()
    start = client.get(BASE).content.decode()
    assert "Register as a supplier" in start and f'href="{BASE}/email"' in start
    asked = ask_for_link(client)
    assert asked.status_code == 200 and "Check your email" in asked.content.decode()
    (sent,) = outbox()
    assert sent["To"] == EMAIL and "24 hours" in sent.get_content()
    path = link_in(sent)
    token = path.rsplit("/", 1)[1]
    # The token is kept only as its hash.
    assert stored_publishers.account(store, EMAIL) is None
    assert supplier_signup.waiting(store, token) is not None
    answer = use_link(client, path)
    assert answer["Location"] == f"{BASE}/legal-name"
    question = client.get(f"{BASE}/legal-name").content.decode()
    assert "What is the supplier’s legal name?" in question
    answer_all(client)
    check = client.get(f"{BASE}/check")
    html = check.content.decode()
    assert "Check your answers before registering" in html
    for shown in ("Acme Grounds Limited", "Acme Parks", "LS1 1AA", "GB-COH-01234567",
                  "GB-VAT-217967235", "Bids team", EMAIL, "Chosen (not shown)"):  # fmt: skip
        assert shown in html, shown
    assert f'href="{BASE}/identifiers?change=1"' in html
    twin = orjson.loads(client.get(f"{BASE}/check?format=json").content)
    assert "pbkdf2" not in str(twin) and SUPPLIER_PASSWORD not in str(twin)
    assert send(client, f"{BASE}/check", {})["Location"] == f"{BASE}/registered"
    page = client.get(f"{BASE}/registered").content.decode()
    assert "Registration complete" in page and 'class="govuk-panel' in page
    number = re.search(r"<strong>(GB-OPENBOOK-[\w-]+)</strong>", page).group(1)
    # In the public register, through the API and the page; its private part is not.
    listed = Client().get("/api/registers/suppliers").json()
    assert number in [entry["id"] for entry in listed["entries"]]
    public = Client().get(f"/api/registers/suppliers/{number}").json()
    assert public["legalName"] == "Acme Grounds Limited"
    assert public["identifiers"] == ["GB-COH-01234567", "GB-VAT-217967235"]
    assert public["address"] == {
        "streetAddress": "1 High Street",
        "locality": "Leeds",
        "postalCode": "LS1 1AA",
        "countryName": "United Kingdom",
    }
    assert "contact" not in public and EMAIL not in str(public)
    [version] = public["versions"]
    assert version["recordedBy"]["organisation"]["id"] == supplier_signup.REGISTRAR_ID
    assert number in Client().get("/registers/suppliers").content.decode()
    [statement] = log.record_statements(store, "suppliers", number)
    assert EMAIL.encode() not in statement.body and b"Bids team" not in statement.body
    _salt, private = stored_registers.private(store, number, 1)
    assert private == {"contact": {"name": "Bids team", "email": EMAIL}}
    # An account of the role supplier, bound to the number; the API key the use case made is
    # revoked: the account keeps the entry.
    account = stored_publishers.account(store, EMAIL)
    organisation = publishers.find_publisher(store, number)
    assert account.roles == (("supplier", organisation.id),)
    assert all(key.revoked_time for key in stored_publishers.keys(store, organisation.id))
    # The sign-up is gone, its link with it; the link works no more.
    assert supplier_signup.waiting(store, token) is None
    assert Client().get(path).status_code == 404
    # Signed in, the supplier sees its details.
    details = supplier_signed_in().get("/suppliers/account").content.decode()
    assert number in details and "Acme Grounds Limited" in details and "Bids team" in details


def test_the_journey_pages_are_valid_html(database, outbox, tmp_path):
    client = _client()
    pages = {"start": client.get(BASE).content, "email": client.get(f"{BASE}/email").content}
    pages["sent"] = ask_for_link(client).content
    pages["link"] = client.get(link_in(outbox()[-1])).content
    pages["bad link"] = client.get(f"{BASE}/link/{'x' * 43}").content
    use_link(client, link_in(outbox()[-1]))
    for name, values in ANSWERS.items():
        pages[name] = client.get(f"{BASE}/{name}").content
        wrong = send(client, f"{BASE}/{name}", {})
        if wrong.status_code == 400:  # other names are optional
            pages[f"{name} wrong"] = wrong.content
        send(client, f"{BASE}/{name}", values)
    pages["check"] = client.get(f"{BASE}/check").content
    send(client, f"{BASE}/check", {})
    pages["registered"] = client.get(f"{BASE}/registered").content
    pages["sign in"] = Client().get("/suppliers/sign-in").content
    signed = supplier_signed_in()
    pages["account"] = signed.get("/suppliers/account").content
    for name in supplier_signup_changeable():
        pages[f"change {name}"] = signed.get(f"/suppliers/account/{name}").content
    for name, html in pages.items():
        ids = re.findall(r'\sid="([^"]+)"', html.decode())
        assert len(ids) == len(set(ids)), name
    assert validate_html(pages, tmp_path) == []


def supplier_signup_changeable() -> tuple[str, ...]:
    from openbook.web.pages.supplier import answers

    return answers.CHANGEABLE


# The links


def test_a_link_works_once(database, outbox):
    client = _client()
    ask_for_link(client)
    path = link_in(outbox()[-1])
    assert use_link(client, path).status_code == 302
    again = Client().get(path)
    assert again.status_code == 404 and "This link does not work" in again.content.decode()
    other = _client()
    token = _token(other.get(f"{BASE}/email"))
    assert other.post(path, {"csrfmiddlewaretoken": token}).status_code == 404


def test_a_link_past_its_day_does_not_work(database, store, outbox):
    then = datetime.now(UTC) - timedelta(hours=supplier_signup.LINK_HOURS, minutes=1)
    started = supplier_signup.start(store, "late@example.com", now=then)
    answer = Client().get(f"{BASE}/link/{started.token}")
    assert answer.status_code == 404 and "works once, for 24 hours" in answer.content.decode()
    assert supplier_signup.confirm(store, started.token) is None


@pytest.mark.parametrize(
    "token",
    [
        "Yx3kQ0vB7nL2pR9sT4wZ6aC8dE1fG5hJ-mN_oP3qU2i",
        "short",
        "x" * 500,
        "..%2F..%2Fetc%2Fpasswd",
        "%00" * 43,
    ],
)
def test_a_wrong_or_malformed_link_does_not_work(shared_database, token):
    reuse(shared_database)
    answer = Client().get(f"{BASE}/link/{token}")
    assert answer.status_code == 404
    html = answer.content.decode()
    assert "This link does not work" in html or "Page not found" in html  # "/" leaves the route


def test_the_questions_need_a_proved_address(database):
    for path in (f"{BASE}/legal-name", f"{BASE}/check", f"{BASE}/password"):
        answer = Client().get(path)
        assert answer.status_code == 403, path
        assert "start again" in answer.content.decode()
    assert Client().get(f"{BASE}/registered").status_code == 404
    assert Client().get(f"{BASE}/no-such-question").status_code == 404


def test_the_check_page_sends_back_to_a_question_not_answered(database, outbox):
    client = proved(outbox)
    send(client, f"{BASE}/legal-name", ANSWERS["legal-name"])
    assert client.get(f"{BASE}/check")["Location"] == f"{BASE}/other-names"


def test_a_registered_address_is_told_by_email_not_by_the_page(database, outbox):
    register(outbox)
    fresh = ask_for_link(_client(), "new@example.com").content.decode()
    again = ask_for_link(_client(), EMAIL).content.decode()

    def without_token(html):
        return re.sub(r'value="[^"]+"|nonce="[^"]+"|new@example\.com|bids@acme\.example', "", html)

    assert without_token(fresh) == without_token(again)
    told = outbox()[-1]
    assert told["To"] == EMAIL and "already has an account" in told.get_content()
    assert "/suppliers/register/link/" not in told.get_content()


def test_an_address_may_ask_a_few_times_an_hour(database, outbox):
    client = _client()
    for _ in range(supplier_signup.MOST_AN_HOUR):
        assert ask_for_link(client).status_code == 200
    refused = ask_for_link(client)
    assert refused.status_code == 429
    html = refused.content.decode()
    assert 'class="govuk-error-summary"' in html and "in the past hour" in html
    assert len(outbox()) == supplier_signup.MOST_AN_HOUR
    assert ask_for_link(client, "other@example.com").status_code == 200


def test_a_mail_failure_is_a_503_and_keeps_nothing(database, store, monkeypatch):
    monkeypatch.setenv("OPENBOOK_MAIL_SENDER", "carrier-pigeon")
    answer = ask_for_link(_client())
    assert answer.status_code == 503
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    from openbook.store import supplier_signup as stored

    assert stored.requests_since(store, EMAIL, since) == 0


@pytest.mark.parametrize("host", ["evil.example", "contracts.example.evil.example:8000"])
def test_without_the_site_address_no_link_follows_a_forged_host(
    database, store, outbox, monkeypatch, host
):
    """Without OPENBOOK_SITE_URL a link could only be made from the request's Host header,
    which anyone can write: asking for another person's link with their own host there would
    send them that person's token. So no email is sent (503) and nothing is kept, unless the
    request came to this machine's loopback address (development)."""
    monkeypatch.delenv("OPENBOOK_SITE_URL")
    answer = send(_client(), f"{BASE}/email", {"email": EMAIL}, HTTP_HOST=host)
    assert answer.status_code == 503
    assert outbox() == []
    since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    from openbook.store import supplier_signup as stored

    assert stored.requests_since(store, EMAIL, since) == 0
    answer = send(_client(), f"{BASE}/email", {"email": EMAIL}, HTTP_HOST="127.0.0.1:8000")
    assert answer.status_code == 200
    assert "http://127.0.0.1:8000/suppliers/register/link/" in outbox()[-1].get_content()


@pytest.mark.parametrize(
    ("email", "says"),
    [
        ("", "Enter your email address"),
        ("not-an-address", "in the correct format"),
        ("a\r\nBcc: x@example.com", "in the correct format"),
        ("a\x00b@example.com", "in the correct format"),
        ("<script>@example.com", "in the correct format"),
        ("a" * 300 + "@example.com", "254 characters or fewer"),
        ("o'brien!#@example.com", "up to 150 letters"),
    ],
)
def test_a_wrong_email_address_is_shown_again_with_its_error(shared_database, outbox, email, says):
    reuse(shared_database)
    answer = ask_for_link(_client(), email)
    html = answer.content.decode()
    assert answer.status_code == 400
    assert 'class="govuk-error-summary"' in html and 'href="#email"' in html and says in html
    assert "<title>Error: What is your email address?" in html
    assert outbox() == []


# Bad answers: each shown again with the error summary and a message at the field, and nothing
# kept.

LONG = "x" * 600
HOSTILE = "<script>alert(1)</script>"
BAD_ANSWERS = [
    ("legal-name", {"legal-name": ""}, "legal-name", "Enter the supplier’s legal name"),
    ("legal-name", {"legal-name": LONG}, "legal-name", "500 characters or fewer"),
    ("legal-name", {"legal-name": "Acme\x00"}, "legal-name", "control characters"),
    ("legal-name", {"legal-name": "Acme\x1b[31m"}, "legal-name", "control characters"),
    ("legal-name", {"legal-name": "Acme\ufffd"}, "legal-name", "control characters"),
    ("legal-name", {"legal-name": "Acme\nLtd"}, "legal-name", "line breaks"),
    ("legal-name", {"legal-name": HOSTILE}, "legal-name", "must not contain &lt; or &gt;"),
    ("other-names", {"other-names": "\n".join(f"n{i}" for i in range(21))}, "other-names",
     "no more than 20"),
    ("other-names", {"other-names": LONG}, "other-names", "500 characters or fewer"),
    ("other-names", {"other-names": "a\x00"}, "other-names", "control characters"),
    ("other-names", {"other-names": HOSTILE}, "other-names", "must not contain"),
    ("address", {**ANSWERS["address"], "address-line-1": ""}, "address-line-1",
     "Enter address line 1"),
    ("address", {**ANSWERS["address"], "address-town": ""}, "address-town",
     "Enter the town or city"),
    ("address", {**ANSWERS["address"], "address-postcode": ""}, "address-postcode",
     "Enter the postcode"),
    ("address", {**ANSWERS["address"], "address-postcode": "NOT A CODE"}, "address-postcode",
     "Enter a real postcode"),
    ("address", {**ANSWERS["address"], "address-country": ""}, "address-country",
     "Enter the country"),
    ("address", {**ANSWERS["address"], "address-line-1": LONG}, "address-line-1",
     "140 characters or fewer"),
    ("address", {**ANSWERS["address"], "address-postcode": "x" * 30}, "address-postcode",
     "20 characters or fewer"),
    ("address", {**ANSWERS["address"], "address-town": "Leeds\x07"}, "address-town",
     "control characters"),
    ("address", {**ANSWERS["address"], "address-line-2": HOSTILE}, "address-line-2",
     "must not contain"),
    ("address", {**ANSWERS["address"], "address-line-1": "../../etc/passwd\x00"},
     "address-line-1", "control characters"),
    ("identifiers", {"identifier-coh": "ABCDEFGHI"}, "identifier-coh",
     "Enter a Companies House number of 8 characters"),
    ("identifiers", {"identifier-charity": "12"}, "identifier-charity", "Enter a charity number"),
    ("identifiers", {"identifier-vat": "123"}, "identifier-vat",
     "Enter a VAT registration number of 9 digits"),
    ("identifiers", {"identifier-vat": "GB217967236"}, "identifier-vat",
     "a digit is probably mistyped"),
    ("identifiers", {"identifier-other": "nonsense"}, "identifier-other",
     "list’s code, a hyphen and the number"),
    ("identifiers", {"identifier-other": "GB-OPENBOOK-ABCD-1234-X"}, "identifier-other",
     "Do not enter a platform supplier number"),
    ("identifiers", {"identifier-coh": "1234567", "identifier-other": "GB-COH-01234567"},
     "identifier-other", "GB-COH-01234567 is given twice"),
    ("identifiers", {"identifier-coh": "x" * 100}, "identifier-coh", "60 characters or fewer"),
    ("identifiers", {"identifier-coh": "123\x00"}, "identifier-coh", "control characters"),
    ("identifiers", {"identifier-other": HOSTILE}, "identifier-other", "list’s code"),
    ("identifiers", {"identifier-other": "ocds-b5fd17-1234"}, "identifier-other",
     "list’s code"),
    ("sme", {}, "sme", "Select yes if the supplier is an SME"),
    ("sme", {"sme": "maybe"}, "sme", "Select yes if the supplier is an SME"),
    ("sme", {"sme": HOSTILE}, "sme", "Select yes if the supplier is an SME"),
    ("vcse", {"vcse": ""}, "vcse", "Select yes if the supplier is a VCSE"),
    ("contact-name", {"contact-name": ""}, "contact-name", "Enter the name of a person or team"),
    ("contact-name", {"contact-name": "y" * 201}, "contact-name", "200 characters or fewer"),
    ("contact-name", {"contact-name": "Pat\x00"}, "contact-name", "control characters"),
    ("contact-name", {"contact-name": HOSTILE}, "contact-name", "must not contain"),
    ("password", {"password": "", "password-confirm": ""}, "password", "Enter a password"),
    ("password", {"password": "short", "password-confirm": "short"}, "password",
     "at least 12 characters"),
    ("password", {"password": "p" * 1001, "password-confirm": "p" * 1001}, "password",
     "1000 characters or fewer"),
    ("password", {"password": f"x{EMAIL}x", "password-confirm": f"x{EMAIL}x"}, "password",
     "does not contain your email address"),
    ("password", {"password": SUPPLIER_PASSWORD, "password-confirm": "something else"},
     "password-confirm", "Enter the same password twice"),
    ("password", {"password": "long enough\x00 pass", "password-confirm": "long enough\x00 pass"},
     "password", "control characters"),
]  # fmt: skip


@pytest.fixture(scope="module")
def _proved_once(shared_database, tmp_path_factory):
    reuse(shared_database)
    with pytest.MonkeyPatch.context() as patch:
        return proved(mail_to(tmp_path_factory.mktemp("mail"), patch))


@pytest.fixture
def at_first_question(shared_database, _proved_once) -> Client:
    """A client whose address is proved, at the first question: one a database, shared by the
    bad answers, since each is refused keeping nothing (which each case checks)."""
    reuse(shared_database)
    return _proved_once


@pytest.mark.parametrize("bad", BAD_ANSWERS)
def test_a_bad_answer_is_shown_again_with_its_error(at_first_question, bad):
    name, values, field, says = bad
    client = at_first_question
    answer = send(client, f"{BASE}/{name}", values)
    html = answer.content.decode()
    assert answer.status_code == 400, html[:2000]
    assert 'class="govuk-error-summary"' in html
    assert f'href="#{field}"' in html and f'id="{field}-error"' in html
    assert says in html, html[html.find("govuk-error-summary") :][:1500]
    assert "<title>Error: " in html
    assert HOSTILE not in html  # shown escaped, if at all
    # Nothing kept: the question is still to answer.
    draft = client.session["openbook_supplier_signup"]
    assert name not in draft["answers"] and "password" not in draft


def test_answers_are_shown_escaped(database, outbox):
    client = proved(outbox)
    send(client, f"{BASE}/legal-name", {"legal-name": 'O\'Brien & Sons "Ltd"'})
    html = client.get(f"{BASE}/legal-name").content.decode()
    assert 'value="O&#39;Brien &amp; Sons &#34;Ltd&#34;"' in html
    answer_all(client, {name: values for name, values in ANSWERS.items() if name != "legal-name"})
    check = client.get(f"{BASE}/check").content.decode()
    assert "O&#39;Brien &amp; Sons &#34;Ltd&#34;" in check


def test_an_identifier_another_supplier_holds_is_refused_naming_nothing_of_it(
    database,
    store,
    outbox,
):
    administrator = create_publisher(store)
    holder = suppliers.register(
        store,
        {"legalName": "Secretive Holdings", "address": {"locality": "York"},
         "identifiers": ["GB-COH-01234567"], "sme": False, "vcse": False, "status": "active",
         "contact": {"email": "private@secretive.example"}},
        administrator=administrator,
        actor=CLI,
    ).recorded.entry.entry_id  # fmt: skip
    client = proved(outbox)
    answer = send(client, f"{BASE}/identifiers", {"identifier-coh": "01234567"})
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "GB-COH-01234567 is already registered to another supplier" in html
    assert 'href="#identifier-coh"' in html
    for private in ("Secretive", holder, "private@secretive.example", "York"):
        assert private not in html
    # The same identifier taken while the supplier answered: refused at the end, the same way.
    answer_all(client, {**ANSWERS, "identifiers": {"identifier-vat": "GB217967235"}})
    suppliers.register(
        store,
        {"legalName": "Quick Ltd", "address": {"locality": "Hull"},
         "identifiers": ["GB-VAT-217967235"], "sme": True, "vcse": False, "status": "active"},
        administrator=administrator,
        actor=CLI,
    )  # fmt: skip
    late = send(client, f"{BASE}/check", {})
    assert late.status_code == 409
    assert "registered to another supplier while you answered" in late.content.decode()
    assert "Quick Ltd" not in late.content.decode()
    assert stored_publishers.account(store, EMAIL) is None


def test_every_form_needs_the_csrf_token(database, outbox):
    client = proved(outbox)
    for path in (f"{BASE}/email", f"{BASE}/legal-name", f"{BASE}/check", "/suppliers/sign-in",
                 "/suppliers/sign-out", f"{BASE}/link/{'x' * 43}"):  # fmt: skip
        answer = client.post(path, {"legal-name": "Forged", "email": "forged@example.com"})
        assert answer.status_code == 403, path
    assert "legal-name" not in client.session["openbook_supplier_signup"]["answers"]


# The supplier account


def test_a_supplier_account_opens_no_publisher_or_administration_page(
    database,
    store,
    outbox,
):
    register(outbox)
    client = supplier_signed_in()
    for path in ("/publish", "/publish/notices/new", "/publish/keys", "/publish/admin",
                 "/publish/admin/debarment"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 302 and answer["Location"].startswith("/publish/sign-in")
    # Nor can it sign in there.
    refused = send(_client(), "/publish/sign-in",
                   {"username": EMAIL, "password": SUPPLIER_PASSWORD})  # fmt: skip
    assert refused.status_code == 400
    assert "supplier’s account: sign in at /suppliers/sign-in" in refused.content.decode()
    # A publisher's account does not open the supplier pages, nor sign in to them.
    organisation = create_publisher(store)
    publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
    accounts.set_password(store, "pat", PASSWORD, CLI)
    wrong = send(_client(), "/suppliers/sign-in", {"email": "pat", "password": PASSWORD})
    assert wrong.status_code == 400
    assert "Enter a correct email address and password" in wrong.content.decode()
    assert Client().get("/suppliers/account")["Location"].startswith("/suppliers/sign-in?next=")


def test_supplier_sign_in_refuses_wrong_answers_and_locks(database, outbox):
    register(outbox)
    for values, field in [
        ({"email": "", "password": "x"}, "email"),
        ({"email": EMAIL, "password": ""}, "password"),
        ({"email": "e" * 10_000, "password": "x"}, "password"),
        ({"email": "a\x00b", "password": "x"}, "password"),
    ]:
        answer = send(_client(), "/suppliers/sign-in", values)
        assert answer.status_code == 400 and f'href="#{field}"' in answer.content.decode()
    for _ in range(accounts.ATTEMPTS):
        send(_client(), "/suppliers/sign-in", {"email": EMAIL, "password": "not it at all"})
    locked = send(_client(), "/suppliers/sign-in", {"email": EMAIL, "password": SUPPLIER_PASSWORD})
    assert locked.status_code == 400 and "cannot sign in for 15 minutes" in locked.content.decode()


def test_the_supplier_changes_its_details(database, store, outbox):
    number = register(outbox)
    client = supplier_signed_in()
    page = client.get("/suppliers/account").content.decode()
    assert 'href="/suppliers/account/legal-name"' in page
    assert 'href="/suppliers/account/identifiers"' not in page  # administrators change them
    form = client.get("/suppliers/account/address").content.decode()
    assert 'value="1 High Street"' in form and 'name="version" value="1"' in form
    changed = send(client, "/suppliers/account/address",
                   {**ANSWERS["address"], "address-town": "Bradford", "version": "1"})  # fmt: skip
    assert changed.status_code == 302 and changed["Location"] == "/suppliers/account"
    assert "Your details were saved" in client.get("/suppliers/account").content.decode()
    public = Client().get(f"/api/registers/suppliers/{number}").json()
    assert public["version"] == 2 and public["address"]["locality"] == "Bradford"
    send(client, "/suppliers/account/contact-name", {"contact-name": "Tenders", "version": "2"})
    _salt, private = stored_registers.private(store, number, 3)
    assert private == {"contact": {"name": "Tenders", "email": EMAIL}}
    assert client.get("/suppliers/account/identifiers").status_code == 404
    assert client.get("/suppliers/account/password").status_code == 404


def test_a_stale_change_is_refused_with_a_clear_message(database, store, outbox):
    number = register(outbox)
    client = supplier_signed_in()
    path = "/suppliers/account/legal-name"
    opened = client.get(path)
    # Meanwhile, another change (another window, the API).
    organisation = publishers.find_publisher(store, number)
    entry = supplier_signup.own(store, organisation)
    sent = {name: entry[name] for name in ("legalName", "address", "identifiers", "sme", "vcse",
                                          "status", "contact", "otherNames")}  # fmt: skip
    suppliers.change(store, organisation, {**sent, "legalName": "Acme Grounds Ltd"}, 1, CLI)
    stale = client.post(
        path, {"legal-name": "Acme Landscapes", "version": "1",
               "csrfmiddlewaretoken": _token(opened)},
    )  # fmt: skip
    html = stale.content.decode()
    assert stale.status_code == 409
    assert "Your details were changed since you opened this page" in html
    assert 'href="#legal-name"' in html
    assert 'value="Acme Grounds Ltd"' in html and 'name="version" value="2"' in html
    public = Client().get(f"/api/registers/suppliers/{number}").json()
    assert public["version"] == 2 and public["legalName"] == "Acme Grounds Ltd"


REGISTERED = "tenders@acme.example"


@pytest.fixture(scope="module")
def _registered_once(shared_database, tmp_path_factory):
    reuse(shared_database)
    with pytest.MonkeyPatch.context() as patch:
        # Not EMAIL: the bad answers' client, on the same database, is proving that one.
        number = register(mail_to(tmp_path_factory.mktemp("mail"), patch), REGISTERED)
    return number, supplier_signed_in(REGISTERED)


@pytest.fixture
def registered_once(shared_database, _registered_once) -> tuple[str, Client]:
    """A registered supplier's number and a client signed in to its account: one a database,
    shared by the bad changes, since each changes nothing (which each case checks)."""
    reuse(shared_database)
    return _registered_once


@pytest.mark.parametrize(
    "bad",
    [bad for bad in BAD_ANSWERS if bad[0] in ("legal-name", "address", "sme", "contact-name")]
    + [("legal-name", {"legal-name": "New name", "version": "x"}, "legal-name", "changed since")],
)
def test_a_bad_change_is_shown_again_and_changes_nothing(registered_once, bad):
    name, values, field, says = bad
    number, client = registered_once
    answer = send(client, f"/suppliers/account/{name}", {"version": "1", **values})
    html = answer.content.decode()
    assert answer.status_code in (400, 409)
    assert f'href="#{field}"' in html and says in html
    assert Client().get(f"/api/registers/suppliers/{number}").json()["version"] == 1


def test_signing_out_ends_the_supplier_session(database, outbox):
    register(outbox)
    client = supplier_signed_in()
    token = _token(client.get("/suppliers/account"))
    assert client.post("/suppliers/sign-out", {"csrfmiddlewaretoken": token}).status_code == 302
    assert client.get("/suppliers/account").status_code == 302


def test_a_supplier_session_ends_when_its_role_is_taken_or_password_changed(
    database, store, outbox
):
    number = register(outbox)
    organisation = publishers.find_publisher(store, number)
    for change in ("role", "password"):
        client = supplier_signed_in()
        assert client.get("/suppliers/account").status_code == 200
        if change == "role":
            publishers.remove_role(store, EMAIL, "supplier", CLI, publisher=str(organisation.id))
        else:
            accounts.set_password(store, EMAIL, "another long passphrase", CLI)
        answer = client.get("/suppliers/account")
        assert answer.status_code == 302 and answer["Location"].startswith("/suppliers/sign-in")
        assert "openbook_supplier" not in client.session  # ended, not only refused once
        if change == "role":
            publishers.add_account(store, EMAIL, "supplier", CLI, publisher=str(organisation.id))
