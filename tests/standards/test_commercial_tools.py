"""What makes a process a framework, a dynamic market or a call-off, read from compiled
releases as real publishers and the standard's examples write them, and as they get it wrong."""

import json

import pytest

from openbook.records import BARE, merger
from openbook.standards.ocds.commercial_tools import Link, day, facts, related
from openbook.standards.ocds.summary import mentions
from tests.conftest import SHARED_DATA


def _read(path: str) -> dict:
    data = json.loads((SHARED_DATA / path).read_text(encoding="utf-8"))
    return data["releases"][0] if "releases" in data else data  # a package, or a release


def _compiled(releases: list[dict]) -> dict:
    return merger(BARE).compiled_release(releases)


def test_the_standards_framework_examples():
    first = _read("ocds-standard-examples/frameworks/closed_single_first_stage.json")
    found = facts(first)
    assert found is not None and found.kind == "framework"
    second = _read("ocds-standard-examples/frameworks/closed_single_award.json")
    found = facts(second)
    assert found is not None and found.kind is None
    assert found.links == (
        Link(
            "framework",
            "ocds-r6ebe6-9af22e2f-5307-4e98-bff6-1ebffbff343d",
            (),
            (("GBP", 10000.0),),  # an award without a status awarded its value
        ),
    )


def test_the_uk_framework_examples_say_too_little():
    # The framework's tender declares no technique; the mini-competition misspells
    # "identifier" ("identifer"): neither is read as what it means, nothing is guessed.
    folder = "ocds-uk-framework-examples"
    framework = [_read(f"{folder}/multi_publisher/00{n}_framework_tender.json") for n in (1,)]
    assert facts(_compiled(framework)) is None
    mini = _read(f"{folder}/example_mini-competition/005_framework_mini-competition_tender.json")
    assert facts(mini) is None


@pytest.mark.parametrize(
    ("techniques", "kind"),
    [
        ({"hasFrameworkAgreement": True}, "framework"),
        ({"frameworkAgreement": {"method": "withReopeningCompetition"}}, "framework"),
        ({"hasFrameworkAgreement": False, "frameworkAgreement": {"method": "x"}}, None),
        ({"hasDynamicPurchasingSystem": True}, "dynamic-market"),
        ({"dynamicPurchasingSystem": {"type": "open"}}, "dynamic-market"),
        ({"hasFrameworkAgreement": True, "hasDynamicPurchasingSystem": True}, "dynamic-market"),
        ({"hasElectronicAuction": True}, None),
        ({"hasFrameworkAgreement": "yes"}, None),
        ("framework", None),
    ],
)
def test_a_tool_is_what_its_techniques_declare(techniques, kind):
    found = facts({"ocid": "x", "tender": {"techniques": techniques}})
    assert (found.kind if found else None) == kind


def test_a_lot_may_declare_it():
    tender = {"lots": [{"id": "1"}, {"id": "2", "techniques": {"hasFrameworkAgreement": True}}]}
    found = facts({"ocid": "x", "tender": tender})
    assert found is not None and (found.kind, found.lots) == ("framework", 2)


def test_a_call_off_that_also_says_framework_is_a_call_off():
    compiled = {
        "ocid": "x",
        "tender": {"techniques": {"hasFrameworkAgreement": True}},
        "relatedProcesses": [{"relationship": ["framework"], "scheme": "ocid", "identifier": "fw"}],
    }
    found = facts(compiled)
    assert found is not None and found.kind is None and found.links[0].ocid == "fw"


@pytest.mark.parametrize(
    "related_processes",
    [
        {"relationship": ["framework"], "scheme": "ocid", "identifier": "fw"},  # not a list
        [{"relationship": ["framework"], "scheme": "ocid"}],  # no identifier
        [{"relationship": ["framework"], "scheme": "ocid", "identifier": "  "}],
        [{"relationship": ["framework"], "scheme": "ocid", "identifier": ["fw"]}],
        [{"relationship": ["framework"], "scheme": "url", "identifier": "fw"}],
        [{"relationship": ["framework"], "identifier": "fw"}],  # no scheme
        [{"relationship": ["planning"], "scheme": "ocid", "identifier": "fw"}],
        [{"relationship": None, "scheme": "ocid", "identifier": "fw"}],
        [{"relationship": ["framework"], "scheme": "ocid", "identifier": "x"}],  # itself
        ["fw", None, 3],
        "fw",
    ],
)
def test_malformed_links_are_passed_over(related_processes):
    assert facts({"ocid": "x", "relatedProcesses": related_processes}) is None


def test_links_from_the_release_and_its_contracts_are_one_per_process():
    compiled = {
        "ocid": "x",
        "relatedProcesses": [
            {
                "relationship": "framework",
                "scheme": " OCID ",
                "identifier": "fw",
                "relatedLots": ["1"],
            }
        ],
        "contracts": [
            {
                "relatedProcesses": [
                    {
                        "relationship": ["framework", "prior"],
                        "scheme": "ocid",
                        "identifier": "fw",
                        "relatedLots": ["2", "1", 3, None],
                    }
                ]
            }
        ],
    }
    assert related(compiled) == [
        Link("framework", "fw", ("1", "2", "3")),
        Link("prior", "fw", ("2", "1", "3")),
    ]


def test_a_call_offs_value_is_per_currency_and_only_what_was_awarded():
    awards = [
        {"id": "1", "status": "active", "value": {"amount": 10, "currency": "GBP"}},
        {"id": "2", "value": {"amount": 5.5, "currency": "gbp"}},
        {"id": "3", "status": "active", "value": {"amount": 7, "currency": "EUR"}},
        {"id": "4", "status": "pending", "value": {"amount": 100, "currency": "GBP"}},
        {"id": "5", "status": "cancelled", "value": {"amount": 100, "currency": "GBP"}},
        {"id": "6", "status": "active", "value": {"amount": 3}},  # no currency: apart
        {"id": "7", "status": "active", "value": {"amount": True, "currency": "GBP"}},
        {"id": "8", "status": "active", "value": {"amount": "9", "currency": "GBP"}},
        {"id": "9", "status": "active", "value": {"amount": float("inf"), "currency": "GBP"}},
    ]
    compiled = {
        "ocid": "x",
        "awards": awards,
        "relatedProcesses": [{"relationship": ["framework"], "scheme": "ocid", "identifier": "f"}],
    }
    found = facts(compiled)
    assert found is not None
    assert found.links[0].awarded == (("", 3.0), ("EUR", 7.0), ("GBP", 15.5))


def test_members_over_time():
    releases = [
        {
            "ocid": "fw",
            "id": "1",
            "date": "2026-01-01T00:00:00Z",
            "tender": {"techniques": {"hasFrameworkAgreement": True}},
            "parties": [
                {
                    "id": "s1",
                    "name": "Alpha Ltd",
                    "roles": ["supplier"],
                    "identifier": {"scheme": "GB-COH", "id": "1234567"},
                },
                {"id": "s2", "name": "Beta", "roles": ["supplier"]},
            ],
            "awards": [
                {
                    "id": "a",
                    "status": "active",
                    "date": "2026-01-05",
                    "relatedLots": ["1", "2"],
                    "suppliers": [{"id": "s1"}, {"id": "s2", "name": "Beta"}],
                },
                {"id": "b", "status": "pending", "suppliers": [{"name": "Gamma"}]},
            ],
        },
        {
            "ocid": "fw",
            "id": "2",
            "date": "2026-02-01T00:00:00Z",
            "awards": [{"id": "a", "status": "cancelled"}],
        },
        {
            "ocid": "fw",
            "id": "3",
            "date": "2026-03-01T00:00:00Z",
            "awards": [
                {"id": "a", "status": "active"}  # reinstated
            ],
        },
        {
            "ocid": "fw",
            "id": "4",
            "date": "2026-04-01T00:00:00+01:00",
            "awards": [{"id": "a", "status": "unsuccessful"}],
        },
        {
            "ocid": "fw",
            "id": "5",
            "date": "2026-05-01T00:00:00Z",
            "awards": [
                {"id": "a", "status": "cancelled"}  # still ended: since April
            ],
        },
    ]
    compiled = _compiled(releases)
    found = facts(compiled, releases, mentions(compiled))
    assert found is not None
    members = [
        (m.award_id, m.lot, m.identifier, m.name, m.state, m.joined, m.ended) for m in found.members
    ]
    assert members == [
        ("a", "1", "GB-COH-01234567", "Alpha Ltd", "ended", "2026-01-05", "2026-04-01"),
        ("a", "2", "GB-COH-01234567", "Alpha Ltd", "ended", "2026-01-05", "2026-04-01"),
        ("a", "1", None, "Beta", "ended", "2026-01-05", "2026-04-01"),
        ("a", "2", None, "Beta", "ended", "2026-01-05", "2026-04-01"),
        ("b", None, None, "Gamma", "pending", None, None),
    ]
    # Without the releases the date it ended is not known, and is not guessed.
    assert {m.ended for m in facts(compiled, (), mentions(compiled)).members} == {None}


def test_the_period_is_the_frameworks_else_the_contracts():
    techniques = {"frameworkAgreement": {"period": {"startDate": "2026-01-01T00:00:00Z"}}}
    tender = {"techniques": techniques, "contractPeriod": {"endDate": "2030-01-01"}}
    found = facts({"ocid": "x", "tender": tender})
    assert found is not None and (found.start, found.end) == ("2026-01-01", None)
    tender = {"techniques": {"hasDynamicPurchasingSystem": True}}
    awards = [
        {"contractPeriod": {"startDate": "2026-02-01", "endDate": "2027-01-31"}},
        {"contractPeriod": {"startDate": "2026-01-01", "endDate": "not a date"}},
    ]
    found = facts({"ocid": "x", "tender": tender, "awards": awards})
    assert found is not None and (found.start, found.end) == ("2026-01-01", "2027-01-31")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01", "2026-03-01"),
        ("2026-03-01T23:30:00-05:00", "2026-03-01"),
        ("2026-02-30", None),
        ("01/03/2026", None),
        (20260301, None),
        (None, None),
    ],
)
def test_day(value, expected):
    assert day(value) == expected
