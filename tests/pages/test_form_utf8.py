"""Multipart forms whose names or answers are not UTF-8 (issue 8), on both databases, through
the test client with bodies built by hand: Django kept such an answer as U+FFFD and dropped a
part whose name was not UTF-8 without a word, so a form was stored altered. Each is refused with
the field, what of it is not UTF-8 and the offset of the first byte that is not, on the
service's page or its JSON twin, and nothing is stored. The payments file's own content is
checked by its reader (openbook.publishing.payments_rows), said on the page."""

from html import unescape

import orjson
import pytest
from django.test import Client, RequestFactory

from openbook.publishing import accounts, publishers
from openbook.store import log
from openbook.web.pages.form_input import refused_request
from openbook.web.pages.form_utf8 import FormNotUtf8, Unreadable, multipart, urlencoded
from tests.conftest import reuse
from tests.pages.test_publisher import PASSWORD, _token, signed_in
from tests.publishing import BUYER, CLI
from tests.test_payments_file import OURS, _file, _procurements

BOUNDARY = b"----openbook-test-boundary"
GOOD = _file(f"{OURS},1,2026-05-14,45000,GBP,A")


def body(*parts: tuple[bytes, bytes | None, bytes], headers: bytes = b"") -> bytes:
    """A multipart/form-data body: each part its field name, its file name (None for a field)
    and its content, all as raw bytes."""
    built = b""
    for name, filename, content in parts:
        disposition = b'Content-Disposition: form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"\r\nContent-Type: text/csv'
        built += b"--" + BOUNDARY + b"\r\n" + disposition + b"\r\n" + headers + b"\r\n"
        built += content + b"\r\n"
    return built + b"--" + BOUNDARY + b"--\r\n"


@pytest.fixture
def platform(shared_database, request):
    """Ours and another body's procurements, and pat, a publisher of ours, signed in: made once
    a database kind for this module, whose cases (but the last) store nothing."""
    database = reuse(shared_database)
    made = getattr(request.module, "_made", {})
    if database.url not in made:
        store = database.store
        _procurements(store)
        organisation = next(
            o for o in publishers.list_publishers(store) if o.party_id == BUYER["id"]
        )
        publishers.add_account(store, "pat", "publisher", CLI, publisher=str(organisation.id))
        accounts.set_password(store, "pat", PASSWORD, CLI)
        made[database.url] = {"store": store, "organisation": organisation, "client": signed_in()}
        request.module._made = made
    return made[database.url]


def post(client: Client, path: str, *parts, headers: bytes = b"", **extra):
    token = _token(client.get(path.split("?", maxsplit=1)[0]))
    sent = body((b"csrfmiddlewaretoken", None, token.encode()), *parts, headers=headers)
    return client.post(
        path, sent, content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}", **extra
    )


def said(answer) -> str:
    return unescape(answer.content.decode())


@pytest.mark.parametrize(
    ("part", "says"),
    [
        (
            (b"note", None, b"caf\xe9 au lait"),
            "note: The answer to note is not UTF-8 text: its byte 3 (counting from 0) is 0xE9",
        ),
        (
            (b"no\xfete", None, b"a note"),
            "no\ufffdte: The name of this field is not UTF-8 text: its byte 2 (counting from 0) "
            "is 0xFE",
        ),
        (
            (b"file", b"q2\xff.csv", GOOD),
            "file: The name of the file sent is not UTF-8 text: its byte 2 (counting from 0) "
            "is 0xFF. Rename the file",
        ),
    ],
    ids=["answer", "field-name", "file-name"],
)
def test_a_payments_upload_with_a_field_not_utf8_is_refused_and_nothing_published(
    platform, part, says
):
    store = platform["store"]
    size = log.log_size(store)
    parts = [(b"file", b"q2.csv", GOOD), part] if part[0] != b"file" else [part]
    answer = post(platform["client"], "/publish/payments", *parts)
    assert answer.status_code == 400, answer.content[:3000]
    page = said(answer)
    assert "govuk-error-summary" in page and "The form sent could not be read" in page
    assert says in page
    assert log.log_size(store) == size


def test_the_json_twin_names_the_field_and_the_byte(platform):
    store = platform["store"]
    size = log.log_size(store)
    answer = post(
        platform["client"],
        "/publish/payments?format=json",
        (b"file", b"q2.csv", GOOD),
        (b"reference", None, b"ok\xc3"),  # a character cut short at the end
    )
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    error = orjson.loads(answer.content)["error"]
    assert error["problems"] == [
        {
            "field": "reference",
            "message": "The answer to reference is not UTF-8 text: its byte 2 (counting from 0) "
            "is 0xC3. Type the answer again and send the form again",
            "href": None,
        }
    ]
    assert log.log_size(store) == size


def test_a_bad_answer_after_a_file_larger_than_memory_holds_is_found(platform):
    store = platform["store"]
    size = log.log_size(store)
    large = GOOD + b"x" * (3 * 2**20)  # over FILE_UPLOAD_MAX_MEMORY_SIZE: spooled to disk
    answer = post(
        platform["client"], "/publish/payments", (b"file", b"q2.csv", large), (b"x", None, b"\x80")
    )
    assert answer.status_code == 400
    assert "The answer to x is not UTF-8 text: its byte 0 (counting from 0) is 0x80" in said(answer)
    # Read strictly and found sound, the form is Django's as before: the large file arrives.
    answer = post(platform["client"], "/publish/payments", (b"file", b"q2.xlsx", large))
    assert answer.status_code == 400 and "The file must be a CSV file" in said(answer)
    assert log.log_size(store) == size


def test_a_key_named_in_a_multipart_form_not_utf8_is_not_kept(platform):
    store, organisation = platform["store"], platform["organisation"].org_id
    before = publishers.list_keys(store, organisation)
    answer = post(platform["client"], "/publish/keys", (b"name", None, b"\xff\xfe\x80abc"))
    assert answer.status_code == 400, answer.content[:2000]
    assert "The answer to name is not UTF-8 text: its byte 0 (counting from 0) is 0xFF" in said(
        answer
    )
    assert publishers.list_keys(store, organisation) == before


def test_a_welsh_reader_is_told_in_welsh(platform):
    client = platform["client"]
    client.cookies["openbook_language"] = "cy"
    try:
        answer = post(client, "/publish/keys", (b"name", None, b"a\xffb"))
    finally:
        client.cookies["openbook_language"] = "en"
    assert answer.status_code == 400
    assert "Nid yw’r ateb i name yn destun UTF-8: ei beit 1 (gan gyfrif o 0) yw 0xFF" in said(
        answer
    )


def test_a_payments_file_not_utf8_is_refused_with_its_row_and_byte(platform):
    store = platform["store"]
    size = log.log_size(store)
    content = _file(f"{OURS},1,2026-05-14,45000,GBP,café").replace("é".encode(), b"\xe9")
    answer = post(platform["client"], "/publish/payments", (b"file", b"q2.csv", content))
    assert answer.status_code == 400, answer.content[:3000]
    page = said(answer)
    assert "Nothing was published" in page
    assert (
        "q2.csv, row 2: the file is not UTF-8 (byte 44 of the line is e9, as Windows-1252 writes"
        in page
    )
    assert log.log_size(store) == size


def test_a_sound_multipart_form_is_published_as_sent(platform):
    store = platform["store"]
    size = log.log_size(store)
    answer = post(
        platform["client"],
        "/publish/payments",
        (b"file", b"q2.csv", GOOD),
        (b"note", None, b"\xc2\xa3"),
    )
    assert answer.status_code == 201, answer.content[:3000]
    assert log.log_size(store) == size + 1


@pytest.mark.parametrize(
    ("sent", "found"),
    [
        (b"a=1&b=%E9t%C3%A9", [Unreadable("b", "answer", 0, 0xE9)]),
        (b"n%FFm=1", [Unreadable("n\ufffdm", "name", 1, 0xFF)]),
        (b"a=%C3%A9&&b=caf%C3", [Unreadable("b", "answer", 3, 0xC3)]),
        (b"a=%C3%A9+x", []),
    ],
)
def test_what_a_urlencoded_form_has_that_is_not_utf8(sent, found):
    assert urlencoded(sent) == found


def test_a_base64_answer_is_read_as_django_decodes_it():
    from io import BytesIO

    def parts(encoded: bytes) -> bytes:
        return body((b"a", None, encoded), headers=b"Content-Transfer-Encoding: base64\r\n")

    assert multipart(BytesIO(parts(b"Y2Fm6Q==")), BOUNDARY) == [Unreadable("a", "answer", 3, 0xE9)]
    assert multipart(BytesIO(parts(b"Y2Fmw6k=")), BOUNDARY) == []
    assert multipart(BytesIO(body((b"f", b"a.csv", b"\xff\xfe"))), BOUNDARY) == []  # contents


@pytest.mark.parametrize("path", ["/api/publish/releases", "/api/search"])
def test_under_the_api_a_form_not_utf8_is_a_json_error_in_that_apis_format(path):
    # No API reads a form today (each reads its own body, of its own type); were one to, the
    # parser refuses it through handler400, in the API's own error format.
    sent = body((b"n\xffame", None, b"x"))
    request = RequestFactory().post(
        path, sent, content_type=f"multipart/form-data; boundary={BOUNDARY.decode()}"
    )
    with pytest.raises(FormNotUtf8) as refused:
        request.POST  # noqa: B018 (reading the form is what is tested)
    answer = refused_request(request, refused.value)
    assert answer.status_code == 400 and answer["Content-Type"] == "application/json"
    error = orjson.loads(answer.content)["error"]
    assert error["code"] == "form-not-utf8"
    assert (
        "the name of field 'n\ufffdame' is not UTF-8: byte 1 (counting from 0) is 0xFF"
        in (error["message"])
    )


def test_a_file_named_as_rfc_2231_allows_is_a_file_not_an_answer():
    from io import BytesIO

    named = (
        b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="file"; '
        b"filename*=UTF-8''%E2%82%AC.csv\r\nContent-Type: text/csv\r\n\r\n\xff\xfe\r\n"
        b"--" + BOUNDARY + b"--\r\n"
    )
    assert multipart(BytesIO(named), BOUNDARY) == []  # its contents are its reader's to check


def _extended(parameter: bytes) -> bytes:
    return (
        b"--" + BOUNDARY + b"\r\nContent-Disposition: form-data; " + parameter + b"\r\n\r\nx\r\n"
        b"--" + BOUNDARY + b"--\r\n"
    )


@pytest.mark.parametrize(
    ("parameter", "part"),
    [(b"name*=utf-8''%FF", "name"), (b"name=\"f\"; filename*=UTF-8''a%C3.csv", "file name")],
    ids=["name", "file-name"],
)
def test_an_rfc_2231_name_whose_bytes_are_not_utf8_is_found(parameter, part):
    from io import BytesIO

    found = multipart(BytesIO(_extended(parameter)), BOUNDARY)
    assert [(each.part, each.offset) for each in found] == [(part, 0 if part == "name" else 1)]


def test_a_form_of_endless_bad_parts_is_refused_at_django_s_limit_not_read_to_its_end(platform):
    store = platform["store"]
    size = log.log_size(store)
    many = [(b"n\xff", None, b"x")] * 25 + [(b"a", None, b"b")] * 1_100
    answer = post(platform["client"], "/publish/payments", *many)
    assert answer.status_code == 400
    page = said(answer)
    # Twenty fields at fault are named, not twenty-five: the reading stops there.
    assert page.count("The name of this field is not UTF-8 text") == 20
    answer = post(platform["client"], "/publish/payments", *[(b"a", None, b"b")] * 1_100)
    assert answer.status_code == 400
    assert "The form sent has more than 1,000 answers" in said(answer)
    assert log.log_size(store) == size
