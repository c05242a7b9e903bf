"""The notice.date rules (openbook/standards/uk/rules/dates.py): a notice cannot report as done
what happens after its own date. Each rule broken, and kept; days are UK days."""

import pytest

from tests.standards.test_uk_notices import (
    create_award,
    create_details,
    create_notice,
    create_tender,
    only,
    problems,
)

TENDER = create_tender()
AWARDED = [TENDER, create_award()]  # decided 14 July 2025, published 15 July
CONTRACTED = [*AWARDED, create_details("2025-08-01", "2025-07-28")]


def _date_codes(release, history) -> list[str]:
    return [p.code for p in problems(release, history) if p.code.startswith("notice.date.")]


def test_a_decision_to_award_after_the_award_notice_is_an_error():
    late = create_award("2025-07-15", date="2025-07-16T09:00:00+01:00")
    problem = only(late, [TENDER], "notice.date.award_decided_after_notice")
    assert problem.severity == "error" and problem.path == "/awards/0/date"
    assert "16 July 2025" in problem.message and "15 July 2025" in problem.message
    assert _date_codes(create_award(), [TENDER]) == []


@pytest.mark.parametrize(
    ("signed", "after"),
    [
        ("2025-08-01T23:59:00+01:00", False),  # the notice's own UK day, at any hour
        ("2025-08-02T00:30:00+02:00", False),  # 1 August in the UK
        ("2025-08-02T00:00:00+01:00", True),
        ("2026-02-28T00:00:00Z", True),
    ],
)
def test_a_contract_signed_after_its_details_notice_is_an_error(signed, after):
    release = create_details("2025-08-01", "2025-07-28")
    release["contracts"][0]["dateSigned"] = signed
    found = _date_codes(release, AWARDED)
    assert found == (["notice.date.contract_signed_after_notice"] if after else [])


def _implementation(code, day, **implementation):
    contract = {"id": "1", "awardID": "1", "implementation": implementation}
    return create_notice(code, day, contracts=[contract])


def test_a_payment_after_its_notice_is_an_error():
    paid = [{"id": "1", "date": "2025-09-02T00:00:00+01:00", "value": {"amount": 40000}}]
    problem = only(
        _implementation("UK8", "2025-09-01", transactions=paid),
        CONTRACTED,
        "notice.date.payment_after_notice",
    )
    assert problem.path == "/contracts/0/implementation/transactions/0/date"
    paid[0]["date"] = "2025-08-29T00:00:00+01:00"
    assert _date_codes(_implementation("UK8", "2025-09-01", transactions=paid), CONTRACTED) == []


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ({"penaltyDate": "2025-10-02T00:00:00+01:00"}, "penaltyDate"),
        ({"decisionDate": "2025-10-02T00:00:00+01:00"}, "decisionDate"),
        ({"period": {"startDate": "2025-10-02T00:00:00+01:00"}}, "period/startDate"),
        ({"period": {"endDate": "2025-10-05T00:00:00+01:00"}}, "period/endDate"),
    ],
)
def test_a_breach_or_failure_after_its_performance_notice_is_an_error(field, path):
    failure = {"id": "1", "penaltyDate": "2025-09-20T00:00:00+01:00", **field}
    release = _implementation("UK9", "2025-10-01", performanceFailures=[failure])
    problem = only(release, CONTRACTED, "notice.date.performance_after_notice")
    assert problem.path == f"/contracts/0/implementation/performanceFailures/0/{path}"


def _assessment(day, start, end):
    observation = {"id": "1", "period": {"startDate": start, "endDate": end}}
    return _implementation("UK9", day, metrics=[{"id": "1", "observations": [observation]}])


def test_an_assessment_must_fall_within_the_contract_and_before_its_notice():
    history = [
        *AWARDED,
        create_details(
            "2025-08-01",
            "2025-07-28",
            period={
                "startDate": "2025-09-01T00:00:00+01:00",
                "endDate": "2026-08-31T23:59:59+01:00",
            },
        ),
    ]
    within = _assessment("2026-09-10", "2025-09-01T00:00:00+01:00", "2026-08-31T00:00:00+01:00")
    assert _date_codes(within, history) == []
    # Signed before its period starts: the life-cycle begins when it is entered into.
    signed = _assessment("2026-09-10", "2025-07-28T00:00:00+01:00", "2026-07-27T00:00:00+01:00")
    assert _date_codes(signed, history) == []
    before = _assessment("2026-09-10", "2024-07-01T00:00:00+01:00", "2025-06-30T00:00:00+01:00")
    problem = only(before, history, "notice.date.assessment_outside_contract")
    assert problem.severity == "error" and problem.path.endswith("/period/endDate")
    assert "before the contract began on 28 July 2025" in problem.message
    partly = _assessment("2026-09-10", "2025-07-01T00:00:00+01:00", "2026-06-30T00:00:00+01:00")
    assert only(partly, history, "notice.date.assessment_outside_contract").severity == "warning"
    beyond = _assessment("2027-09-10", "2026-09-01T00:00:00+01:00", "2027-08-31T00:00:00+01:00")
    warned = only(beyond, history, "notice.date.assessment_outside_contract")
    assert warned.severity == "warning" and "after the contract's end" in warned.message
    unfinished = _assessment("2026-08-01", "2025-09-01T00:00:00+01:00", "2026-08-31T00:00:00+01:00")
    assert _date_codes(unfinished, history) == ["notice.date.performance_after_notice"]


def test_a_contract_ended_after_its_termination_notice_is_an_error():
    contract = {"id": "1", "awardID": "1", "status": "terminated"}
    # The mapping's implementation.endDate first; a period's planned end then does not count.
    ended = {**contract, "implementation": {"endDate": "2026-03-01T00:00:00Z"}}
    ended["period"] = {"endDate": "2028-07-31T23:59:59+01:00"}
    assert _date_codes(create_notice("UK11", "2026-03-02", contracts=[ended]), CONTRACTED) == []
    later = {**contract, "period": {"endDate": "2026-03-03T23:59:59Z"}}
    release = create_notice("UK11", "2026-03-02", contracts=[later])
    problem = only(release, CONTRACTED, "notice.date.contract_ended_after_notice")
    assert problem.path == "/contracts/0/period/endDate"


def test_a_procurement_ended_after_its_termination_notice_is_an_error():
    tender = {"id": "T1", "title": "Grounds maintenance", "status": "cancelled"}
    release = create_notice(
        "UK12", "2025-07-01", tender={**tender, "finalStatusDate": "2025-07-02T00:00:00+01:00"}
    )
    problem = only(release, [TENDER], "notice.date.procurement_ended_after_notice")
    assert problem.path == "/tender/finalStatusDate"
    kept = create_notice(
        "UK12", "2025-07-01", tender={**tender, "finalStatusDate": "2025-07-01T00:00:00+01:00"}
    )
    assert _date_codes(kept, [TENDER]) == []


def test_a_contract_change_may_come_before_the_modification():
    contract = {
        "id": "1",
        "awardID": "1",
        "amendments": [{"id": "1", "date": "2026-01-01T00:00:00Z"}],
    }
    release = create_notice("UK10", "2025-10-01", contracts=[contract])
    assert _date_codes(release, CONTRACTED) == []
