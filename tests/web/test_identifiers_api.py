"""GET /api/identifiers/check: an identifier checked as its register numbers them, on both
databases (the answer needs none, but it runs through the whole stack)."""

import orjson
import pytest


def _get(client, **query):
    response = client.get("/api/identifiers/check", query)
    return response.status_code, orjson.loads(response.content)


def test_a_valid_identifier_comes_back_as_its_register_writes_it(client):
    status, body = _get(client, identifier="gb-coh-1234567")
    assert status == 200
    assert body == {
        "valid": True,
        "checked": True,
        "identifier": "GB-COH-01234567",
        "scheme": "GB-COH",
        "id": "01234567",
        "registerName": "Companies House",
        "changes": ["scheme written in capitals without spaces", "zero-padded to 8 digits"],
        "problem": None,
        "message": None,
    }
    assert _get(client, scheme="VAT", id="GB217967235")[1]["identifier"] == "GB-VAT-217967235"


def test_a_refused_identifier_is_an_answer_with_the_reason(client):
    status, body = _get(client, scheme="GB-VAT", id="217967236")
    assert status == 200
    assert body["valid"] is False and body["problem"] == "check-digits"
    assert "'217967236' is not a GB-VAT id" in body["message"]
    assert body["identifier"] is None and body["registerName"] is None


def test_another_registers_identifier_is_valid_but_unchecked(client):
    body = _get(client, identifier="XI-LEI-5493001KJTIIGC8Y1R12")[1]
    assert body["valid"] is True and body["checked"] is False and body["registerName"] is None


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ({}, "scheme", "give identifier (SCHEME-ID), or both scheme and id"),
        ({"scheme": "GB-COH"}, "id", "give identifier"),
        ({"identifier": "GB-COH-01234567", "id": "1"}, "identifier", "not both"),
        ({"identifier": "G" * 301}, "identifier", "at most 300 characters"),
    ],
)
def test_a_request_in_neither_form_is_refused(client, query, parameter, words):
    status, body = _get(client, **query)
    assert status == 400
    assert body["error"]["code"] == "invalid-parameter"
    assert body["error"]["parameter"] == parameter
    assert words in body["error"]["message"]


@pytest.mark.parametrize("hostile", ["\x00", "GB-COH-\u202e1234567", "GB-COH-<script>", "é" * 50])
def test_hostile_text_gets_an_answer_not_a_trace(client, hostile):
    status, body = _get(client, identifier=hostile)
    assert status == 200
    assert body["valid"] is False and body["message"]
