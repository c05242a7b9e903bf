"""The rule table as ``check_notice`` reads it: the rules that apply to a notice, worked out once
per notice type and regime (openbook.standards.uk.rules._applying), are those the table's own
terms give, in the table's order."""

from openbook.standards.uk import rules
from openbook.standards.uk.notices import NOTICE_TYPES, PA2023, PCR2015, SCOTLAND
from openbook.standards.uk.rules import ANY_REGIME, RULES
from openbook.standards.uk.rules.fields import _missing


def test_the_rules_applying_to_a_notice_are_the_tables_in_its_order():
    codes = [None, *NOTICE_TYPES]
    for regime in (PA2023, PCR2015, SCOTLAND):
        for code in codes:
            expected = [
                rule.code
                for rule in RULES
                if not rule.needs_notice
                or (
                    code is not None
                    and rule.regime in (ANY_REGIME, regime)
                    and (not rule.notices or code in rule.notices)
                )
            ]
            assert [rule.code for rule in rules._applying(code, regime)] == expected
    # Without a known notice only the rules about the notice type itself apply.
    assert {rule.code for rule in rules._applying(None, PA2023)} == {
        rule.code for rule in RULES if not rule.needs_notice
    }
    # A PCR 2015 notice is not checked by the Act's rules, nor the other way round.
    award = {rule.code for rule in rules._applying("UK6", PA2023)}
    assert award.isdisjoint(r.code for r in RULES if r.regime == PCR2015)


def test_missing_fields_are_pointed_at_where_the_data_stops():
    release = {"awards": [{"suppliers": [{"id": "1"}]}, {"value": {}}, "not an object"]}
    assert _missing(release, ("awards", "*", "suppliers"), "") == ["/awards/1/suppliers"]
    assert _missing(release, ("awards", "*", "value", "amount"), "") == [
        "/awards/0/value/amount",
        "/awards/1/value/amount",
    ]
    assert _missing(release, ("contracts", "*", "value", "amount"), "") == ["/contracts"]
    assert _missing(release, ("tender", "title"), "") == ["/tender/title"]
    assert _missing({"tender": {"title": "Desks"}}, ("tender", "title"), "") == []
    assert _missing({"tender": {"title": " "}}, ("tender", "title"), "") == ["/tender/title"]
    assert _missing(release, (), "/whole") == []
    assert _missing(None, (), "/whole") == ["/whole"]
