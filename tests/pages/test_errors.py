"""Pages that cannot be shown answer with a page of their own, never a stack trace."""

import orjson
import pytest
from django.test import Client

from openbook.web.pages import errors


def test_a_page_that_is_not_there_is_a_404_page(database):
    answer = Client().get("/no/such/page")
    assert answer.status_code == 404
    html = answer.content.decode()
    assert "Page not found – Open contracting – GOV.UK" in html
    twin = Client().get("/no/such/page?format=json")
    assert orjson.loads(twin.content)["error"]["status"] == 404


def test_the_api_keeps_its_own_json_404(database):
    answer = Client().get("/api/no/such/thing")
    assert answer.status_code == 404 and answer["Content-Type"].startswith("application/json")
    assert b"<html" not in answer.content


def test_a_bad_question_names_each_parameter_at_fault(rf, database):
    request = rf.get("/search?value_min=lots")
    request.csp_nonce = "n"
    failure = errors.bad_request([errors.Problem("value_min", "must be a number", "#value_min")])
    html = errors.answer(request, failure).content.decode()
    assert 'class="govuk-error-summary"' in html
    assert 'href="#value_min"' in html and "value_min: must be a number" in html
    assert "<title>Error: There is a problem with the address" in html


@pytest.fixture
def rf():
    from django.test import RequestFactory

    return RequestFactory()
