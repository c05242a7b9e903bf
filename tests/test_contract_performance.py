"""The contract performance register's reading of a process (openbook.contract_performance.
contracts): KPIs, ratings, failures, penalties and terminations from whatever shape real data
gives them, without an error."""

import pytest

from openbook.contract_performance import contracts


def _contract(**fields) -> dict:
    return {"ocid": "ocds-x", "contracts": [{"id": "1", **fields}]}


@pytest.mark.parametrize(
    "compiled",
    [
        {},
        {"contracts": "none"},
        {"contracts": [None, 3, "x"]},
        _contract(implementation="done"),
        _contract(implementation={"metrics": {"id": "1"}}),
        _contract(implementation={"metrics": [None, "x", 4]}),
        _contract(implementation={"performanceFailures": "many"}),
        _contract(terminationRationaleClassifications="breach"),
        {"contracts": [{"id": "1", "status": "active"}], "awards": "x", "parties": {"id": "1"}},
    ],
)
def test_malformed_shapes_give_no_entry_and_no_error(compiled):
    assert contracts(compiled) == []


def test_a_kpi_without_observations_is_listed_unrated():
    compiled = _contract(implementation={"metrics": [{"title": "Uptime", "observations": None}]})
    (entry,) = contracts(compiled)
    assert [(kpi["title"], kpi["observations"]) for kpi in entry["kpis"]] == [("Uptime", [])]
    assert sum(entry["ratings"].values()) == 0


def test_ratings_are_the_uk_codes_in_any_case_else_as_given():
    observations = [
        {"id": "1", "measureClassification": {"id": "SIGNIFICANTLYBELOW"}},
        {"id": "2", "measureClassification": "slightlybelow"},
        {"id": "3", "measureClassification": {"id": "excellent"}},
        {"id": "4", "measureClassification": {"id": 3}},
        {"id": "5", "measureClassification": ["met"]},
        {"id": "6"},
    ]
    compiled = _contract(implementation={"metrics": [{"id": "k", "observations": observations}]})
    (entry,) = contracts(compiled)
    ratings = [o["rating"] for o in entry["kpis"][0]["observations"]]
    assert ratings == ["significantlyBelow", "slightlyBelow", "excellent", "3", None, None]
    assert entry["ratings"]["unrated"] == 2


@pytest.mark.parametrize(
    "amount, read",
    [
        (1500, 1500.0),
        ("1500.50", 1500.5),
        (" 200 ", 200.0),
        ("-2.5", -2.5),
        ("1,500", None),
        ("£1500", None),
        ("1e3", None),
        (True, None),
        (float("inf"), None),
        (None, None),
    ],
)
def test_penalty_amounts_are_numbers_or_plain_decimals(amount, read):
    failure = {"id": "f", "penaltyType": "contracted", "penaltyValue": {"amount": amount}}
    compiled = _contract(implementation={"performanceFailures": [failure]})
    (entry,) = contracts(compiled)
    (found,) = entry["failures"]
    # A value with neither an amount that can be read nor a currency is no value.
    assert found["penaltyValue"] == (None if read is None else {"amount": read, "currency": None})
    assert found["penalty"] is True  # its type says there was one, whatever the amount


def test_a_penalty_type_outside_the_codelist_is_kept_as_entered():
    failure = {"id": "f", "penaltyType": "agreed by letter"}
    (entry,) = contracts(_contract(implementation={"performanceFailures": [failure]}))
    assert entry["failures"][0]["penaltyType"] is None
    assert entry["failures"][0]["penaltyTypeEntered"] == "agreed by letter"


def test_the_deprecated_single_termination_rationale_counts():
    compiled = _contract(
        terminationRationaleClassification={"scheme": "s", "id": "breach"},
        period={"endDate": "2026-05-01"},
    )
    (entry,) = contracts(compiled)
    assert entry["termination"]["rationale"] == [
        {"scheme": "s", "id": "breach", "description": None}
    ]
    assert entry["termination"]["endDate"] == "2026-05-01T00:00:00Z"
