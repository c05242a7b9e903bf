"""The publish API refuses a notice that reports as done what happens after it (the notice.date
rules, openbook/standards/uk/rules/dates.py; docs/notices.md), with the problem's pointer,
code, message and citation, and stores nothing; the same notice dated once it happened is
published. Against the release's own date, so a procurement dated years ahead is judged against
itself."""

import orjson
import pytest

from openbook.store import log
from tests.publishing import (
    BUYER,
    SUPPLIER,
    award,
    contract_details,
    create_key,
    create_publisher,
    notice,
    post,
    tender,
)

RELEASES = "/api/publish/releases"
VALIDATE = "/api/publish/validate"


@pytest.fixture
def key(store):
    return create_key(store, create_publisher(store))


def _mint(client, key) -> str:
    response = post(client, "/api/publish/ocids", {}, key)
    assert response.status_code == 201, response.content
    return response.json()["ocid"]


def _problems(response) -> list[dict]:
    assert response.status_code == 422, response.content
    return orjson.loads(response.content)["error"]["problems"]


def _contracted(client, key) -> str:
    ocid = _mint(client, key)
    for release in (tender(ocid), award(ocid), contract_details(ocid)):
        assert post(client, RELEASES, release, key).status_code == 201
    return ocid


def test_a_contract_signed_after_its_details_notice_is_refused(client, key, store):
    ocid = _mint(client, key)
    for release in (tender(ocid), award(ocid)):
        assert post(client, RELEASES, release, key).status_code == 201
    early = contract_details(ocid)  # dated 1 August 2025
    early["contracts"][0]["dateSigned"] = "2025-08-02T09:00:00+01:00"
    before = log.log_size(store)
    for path in (VALIDATE, RELEASES):
        [problem] = [
            p
            for p in _problems(post(client, path, early, key))
            if p["code"] == "notice.date.contract_signed_after_notice"
        ]
        assert problem["pointer"] == "/contracts/0/dateSigned"
        assert problem["severity"] == "error" and problem["blocking"]
        assert "2 August 2025" in problem["message"] and "1 August 2025" in problem["message"]
        assert problem["citation"] == "Procurement Act 2023, ss.53(1)-(2), 87(3)"
    assert log.log_size(store) == before
    # Signed on the notice's own UK day, at any hour: published.
    early["contracts"][0]["dateSigned"] = "2025-08-01T23:30:00+01:00"
    assert post(client, RELEASES, early, key).status_code == 201


def _payment(ocid: str, day: str, paid: str) -> dict:
    contract = {
        "id": "1",
        "awardID": "1",
        "implementation": {
            "transactions": [
                {
                    "id": "1",
                    "date": paid,
                    "value": {"amount": 45000, "currency": "GBP"},
                    "payer": BUYER,
                    "payee": SUPPLIER,
                }
            ]
        },
    }
    return notice(
        "UK8", day, ocid, tag=["implementation"], section="contracts", contracts=[contract]
    )


def test_a_payment_after_its_notice_is_refused(client, key, store):
    ocid = _contracted(client, key)
    future = _payment(ocid, "2025-09-01", "2025-12-01T00:00:00Z")
    codes = [p["code"] for p in _problems(post(client, RELEASES, future, key))]
    assert "notice.date.payment_after_notice" in codes
    # Years ahead, but before the notice's own date: judged against the release, not today.
    later = _payment(ocid, "2099-01-05", "2099-01-04T00:00:00Z")
    response = post(client, RELEASES, later, key)
    assert response.status_code == 201, response.content


def _assessment(ocid: str, day: str, start: str, end: str) -> dict:
    observation = {"id": "1", "period": {"startDate": start, "endDate": end}}
    metric = {"id": "1", "title": "Parks mown", "observations": [observation]}
    contract = {"id": "1", "awardID": "1", "implementation": {"metrics": [metric]}}
    return notice(
        "UK9", day, ocid, tag=["implementation"], section="contracts", contracts=[contract]
    )


def test_an_assessment_before_the_contract_began_is_refused_and_a_partial_one_warned(client, key):
    ocid = _contracted(client, key)  # signed 28 July 2025
    before = _assessment(ocid, "2026-08-03", "2024-07-01T00:00:00+01:00", "2025-06-30T00:00:00Z")
    [problem] = [
        p
        for p in _problems(post(client, RELEASES, before, key))
        if p["code"] == "notice.date.assessment_outside_contract"
    ]
    assert (
        problem["pointer"] == "/contracts/0/implementation/metrics/0/observations/0/period/endDate"
    )
    assert "before the contract began on 28 July 2025" in problem["message"]
    partly = _assessment(ocid, "2026-08-03", "2025-07-01T00:00:00+01:00", "2026-06-30T00:00:00Z")
    response = post(client, RELEASES, partly, key)
    assert response.status_code == 201, response.content
    [warning] = [
        p
        for p in response.json()["problems"]
        if p["code"] == "notice.date.assessment_outside_contract"
    ]
    assert warning["severity"] == "warning" and not warning["blocking"]
    future = _assessment(ocid, "2026-08-04", "2025-08-01T00:00:00+01:00", "2026-09-30T00:00:00Z")
    codes = [p["code"] for p in _problems(post(client, RELEASES, future, key))]
    assert "notice.date.performance_after_notice" in codes
