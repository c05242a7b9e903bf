"""Which procurements are above threshold (docs/methods/thresholds.md)."""

from datetime import date

import pytest

from openbook.standards.metrics import thresholds
from openbook.standards.metrics.process import Process, Release


def process(*bodies):
    return Process(
        "ocds-abcdef-1",
        tuple(Release(n, "2026-01-01T00:00:00Z", "p", False, b) for n, b in enumerate(bodies)),
    )


def body(date_, tender=None, classification=None, **extra):
    parties = []
    if classification:
        parties = [
            {
                "id": "b",
                "roles": ["buyer"],
                "details": {"classifications": [{"scheme": "UK_CA_TYPE", "id": classification}]},
            }
        ]
    return {
        "id": "1",
        "date": date_,
        "buyer": {"id": "b"},
        "parties": parties,
        "tender": tender or {},
        **extra,
    }


@pytest.mark.parametrize(
    ("day", "kind", "authority", "amount", "vat"),
    [
        (date(2017, 5, 1), "goods-services", "central", 106_047, False),
        (date(2019, 12, 31), "goods-services", "sub-central", 181_302, False),
        (date(2021, 6, 1), "works", "central", 4_733_252, False),
        (date(2022, 1, 1), "goods-services", "central", 138_760, True),
        (date(2025, 2, 24), "goods-services", "sub-central", 214_904, True),
        (date(2026, 1, 1), "goods-services", "central", 135_018, True),
        (date(2026, 3, 1), "works", "utilities", 5_193_000, True),
        (date(2026, 3, 1), "light-touch", "sub-central", 663_540, True),
    ],
)
def test_the_threshold_in_force_on_the_day(day, kind, authority, amount, vat):
    found = thresholds.threshold(day, kind=kind, authority=authority)
    assert (found.amount, found.includes_vat) == (amount, vat)
    assert found.source


def test_no_threshold_before_the_data_or_where_it_is_not_recorded():
    assert thresholds.threshold(date(2015, 12, 31), kind="works", authority="central") is None
    assert thresholds.threshold(date(2019, 1, 1), kind="light-touch", authority="utilities") is None


def test_the_stated_flag_wins_over_the_value():
    found = thresholds.valuation(
        process(body("2023-01-01", {"aboveThreshold": False, "value": {"amount": 9e9}}))
    )
    assert (found.above, found.basis) == (False, thresholds.STATED)


def test_after_2022_the_value_including_vat_is_compared():
    tender = {"value": {"amount": 120_000, "amountGross": 144_000, "currency": "GBP"}}
    found = thresholds.valuation(
        process(body("2023-01-01", tender, "publicAuthorityCentralGovernment"))
    )
    assert (found.above, found.basis, found.amount) == (True, thresholds.VALUE_WITH_VAT, 144_000)
    assert found.threshold.amount == 138_760


def test_without_amount_gross_the_amount_is_compared_as_given():
    tender = {"value": {"amount": 150_000, "currency": "GBP"}}
    found = thresholds.valuation(process(body("2023-01-01", tender)))
    assert (found.above, found.basis) == (False, thresholds.VALUE_AS_GIVEN)  # sub-central 213,477


def test_before_2022_the_amount_without_vat_is_compared():
    tender = {"value": {"amount": 110_000, "amountGross": 132_000, "currency": "GBP"}}
    found = thresholds.valuation(
        process(body("2017-06-01", tender, "publicAuthorityCentralGovernment"))
    )
    assert (found.above, found.basis, found.amount) == (True, thresholds.VALUE_WITHOUT_VAT, 110_000)


def test_works_are_told_by_category_or_contracts_finders_own_field():
    works = process(body("2023-01-01", {"xClassifications": {"ojeuContractType": "Works"}}))
    assert thresholds.contract_kind(works) == thresholds.WORKS
    light = process(body("2023-01-01", {"specialRegime": ["lightTouch"]}))
    assert thresholds.contract_kind(light) == thresholds.LIGHT_TOUCH


@pytest.mark.parametrize(
    "tender",
    [{}, {"value": {"amount": 5, "currency": "EUR"}}, {"value": {"amount": "lots"}}, []],
)
def test_unknown_when_the_data_cannot_tell(tender):
    assert thresholds.valuation(process(body("2023-01-01", tender))).above is None


def test_a_process_started_by_its_earliest_release():
    first = body("2021-12-20", {"value": {"amount": 125_000, "currency": "GBP"}})
    later = body(
        "2022-02-01",
        {"value": {"amount": 125_000, "currency": "GBP"}},
        "publicAuthorityCentralGovernment",
    )
    found = thresholds.valuation(process(first, later))
    assert found.threshold.in_force_from == "2020-01-01"
    assert found.above is True  # 125,000 against 122,976 without VAT
