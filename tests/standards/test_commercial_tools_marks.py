"""How frameworks are marked in real data (docs/commercial-tools.md, "How frameworks are marked
in real data"): the rule the register adds (a process a call-off names as its framework is
one), and the marks it does not read, each on the real files that show why."""

import json

import pytest

from openbook.standards.ocds.commercial_tools import (
    BY_CALL_OFF,
    BY_TECHNIQUES,
    DYNAMIC_MARKET,
    FRAMEWORK,
    Link,
    facts,
)
from tests.conftest import SHARED_DATA

SAMPLES = SHARED_DATA / "ocds-real-publisher-samples"
EXAMPLES = SHARED_DATA / "ocds-standard-examples" / "frameworks"


def _release(path) -> dict:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["releases"][0] if "releases" in data else data


def test_the_frameworks_own_award_declares_nothing_but_its_call_off_names_it():
    # The standard's example: the framework's award release carries no technique.
    award = _release(EXAMPLES / "closed_single_supplier.json")
    assert facts(award) is None
    found = facts(award, named=True)
    assert found is not None
    assert (found.kind, found.recognised) == (FRAMEWORK, BY_CALL_OFF)
    assert [member.name for member in found.members] == ["Movianto UK"]


def test_a_tool_that_declares_itself_says_so():
    found = facts(_release(EXAMPLES / "closed_single_first_stage.json"), named=True)
    assert found is not None and (found.kind, found.recognised) == (FRAMEWORK, BY_TECHNIQUES)
    found = facts(_release(EXAMPLES / "closed_single_first_stage.json"))
    assert found is not None and found.recognised == BY_TECHNIQUES


def test_named_a_dynamic_market_stays_one():
    declared = {"ocid": "ocds-x-dm", "tender": {"techniques": {"hasDynamicPurchasingSystem": True}}}
    found = facts(declared, named=True)
    assert found is not None and found.kind == DYNAMIC_MARKET


def test_a_call_off_that_others_call_off_from_is_a_tool_and_still_a_call_off():
    # A call-off of the standard's example that its own call-offs name in turn.
    call_off = _release(EXAMPLES / "closed_single_award.json")
    found = facts(call_off, named=True)
    assert found is not None
    assert (found.kind, found.recognised) == (FRAMEWORK, BY_CALL_OFF)
    assert found.links == (
        Link(
            "framework",
            "ocds-r6ebe6-9af22e2f-5307-4e98-bff6-1ebffbff343d",
            (),
            (("GBP", 10000.0),),  # what it awarded, counted under its own framework
        ),
    )
    not_named = facts(call_off)
    assert not_named is not None and not_named.kind is None


@pytest.mark.parametrize(
    "path",
    [
        # Contracts Finder: a framework saying so only in its title ("Framework for Provision
        # of Community Based Services")...
        "uk-contracts-finder/sample/releases/ocds-b5fd17-2c3aae9c-adc8-11e6-9901-0019b9f3037b"
        "-59432-sougl-swce-9cch6u.json",
        # ...and a pilot that is no framework, with "a comprehensive evaluation framework".
        "uk-contracts-finder/sample/releases/ocds-b5fd17-2c391a7a-adc8-11e6-9901-0019b9f3037b"
        "-59431-bath-swce-9fdjpf.json",
        # Uganda: "Supply of UPS under Framework Contract", a call-off naming no framework.
        "uganda/sample/releases/ocds-rdvc92-1508163672-97083.json",
    ],
)
def test_the_word_framework_in_a_title_is_not_read(path):
    release = _release(SAMPLES / path)
    assert "framework" in json.dumps(release.get("tender")).lower()
    assert facts(release) is None


def test_armenias_framework_agreement_method_marks_purchases_under_one_not_the_framework():
    # "FA (Framework Agreement)" in tender.procurementMethodDetails: 113 of the 900 Armenian
    # processes, each a buyer's purchase from one supplier, naming no framework.
    package = json.loads((SAMPLES / "armenia/sample/releases/1.json").read_text("utf-8"))
    marked = [
        release
        for release in package["releases"]
        if str((release.get("tender") or {}).get("procurementMethodDetails")).startswith("FA ")
    ]
    assert marked
    for release in marked:
        assert facts(release) is None
        assert all(len(award.get("suppliers", [])) == 1 for award in release.get("awards", []))
