"""Data-quality checks (docs/methods/data-quality.md): a passing and a failing case for every
check, what counts and what does not, shapes real publishers get wrong, one process under
several ocids, and real publishers' files."""

import collections
import copy
import json
import re
from pathlib import Path

import pytest

from openbook.generate import generate_releases
from openbook.standards.metrics import quality
from openbook.standards.metrics.duplicates import Across, fingerprint
from openbook.standards.metrics.process import Process, Release
from openbook.standards.metrics.quality import (
    CHECKS,
    FAMILIES,
    METHOD_VERSION,
    PROCESS,
    RELEASE,
    Failure,
    check,
    overall,
    score,
)
from tests.conftest import SHARED_DATA
from tests.factories import create_release

SAMPLES = SHARED_DATA / "ocds-real-publisher-samples"
METHOD = Path(__file__).resolve().parents[3] / "docs" / "methods" / "data-quality.md"
needs_shared = pytest.mark.skipif(not SHARED_DATA.is_dir(), reason="../shared/data is absent")

OCID = "ocds-213czf-000-00001"
BUYER = "GB-GOR-PB425"
SUPPLIER = "GB-COH-01234567"
RECEIVED = "2024-05-01T10:00:00Z"


def create_party(party_id: str, name: str, roles: list, scheme: str, number: str) -> dict:
    return {
        "id": party_id,
        "name": name,
        "roles": roles,
        "identifier": {"scheme": scheme, "id": number, "legalName": name},
    }


def create_complete_release(release_id: str = "1", **fields) -> dict:
    """A release to which every release check applies, and which passes them all."""
    buyer = {"id": BUYER, "name": "Example Department"}
    supplier = {"id": SUPPLIER, "name": "Example Supplies Ltd"}
    release = create_release(
        ocid=OCID,
        release_id=release_id,
        date="2024-05-01T09:00:00Z",
        tag=["tender", "award", "contract"],
        parties=[
            create_party(BUYER, buyer["name"], ["buyer", "procuringEntity"], "GB-GOR", "PB425"),
            create_party(
                SUPPLIER, supplier["name"], ["supplier", "tenderer"], "GB-COH", "01234567"
            ),
        ],
        buyer=buyer,
        planning={"budget": {"amount": {"amount": 120_000, "currency": "GBP"}}},
        tender={
            "id": "EX-2024-001",
            "title": "Office furniture",
            "status": "complete",
            "value": {"amount": 100_000, "amountGross": 120_000, "currency": "GBP"},
            "tenderPeriod": {
                "startDate": "2024-01-10T00:00:00Z",
                "endDate": "2024-02-10T12:00:00Z",
            },
            "procuringEntity": dict(buyer),
            "tenderers": [dict(supplier)],
        },
        awards=[
            {
                "id": "1",
                "status": "active",
                "date": "2024-03-01T00:00:00Z",
                "value": {"amount": 95_000, "currency": "GBP"},
                "suppliers": [dict(supplier)],
                "contractPeriod": {"startDate": "2024-04-01", "endDate": "2026-03-31"},
            }
        ],
        contracts=[
            {
                "id": "1",
                "awardID": "1",
                "status": "active",
                "value": {"amount": 95_000, "currency": "GBP"},
                "dateSigned": "2024-03-20T00:00:00Z",
                "period": {"startDate": "2024-04-01T00:00:00Z", "endDate": "2026-03-31T00:00:00Z"},
            }
        ],
    )
    release.update(fields)
    return release


def create_process(*bodies: dict, ocid: str = OCID, log_time: str = RECEIVED) -> Process:
    """A process of ``bodies``, in log order from seq 1, all published on the platform."""
    return Process(
        ocid,
        tuple(
            Release(seq, log_time, "example-publisher", True, body)
            for seq, body in enumerate(bodies, start=1)
        ),
    )


def changed(release: dict, path: str, value: object) -> dict:
    """A copy of ``release`` with the value at ``path`` (``awards/0/date``) replaced, or added
    (a list's next position adds to it); the value ``DELETE`` removes it."""
    release = copy.deepcopy(release)
    *parents, last = [int(key) if key.isdigit() else key for key in path.split("/")]
    target = release
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    elif isinstance(target, list) and last == len(target):
        target.append(value)
    else:
        target[last] = value
    return release


DELETE = object()


def complete() -> Process:
    return create_process(create_complete_release())


def complete_with(path: str, value: object) -> Process:
    return create_process(changed(create_complete_release(), path, value))


def of(result: quality.Result, check_id: str) -> list[Failure]:
    return [failure for failure in result.failures if failure.check == check_id]


def two_releases(path: str, value: object) -> Process:
    """A complete release, then the same with ``path`` changed (a later notice)."""
    later = changed(create_complete_release("2"), path, value)
    return create_process(create_complete_release("1"), later)


def with_buyer(party_id: str, name: str) -> dict:
    release = create_complete_release("2")
    release["buyer"] = {"id": party_id, "name": name}
    release["parties"][0].update(id=party_id, name=name)
    release["tender"]["procuringEntity"] = {"id": party_id, "name": name}
    return release


# For each check: a process that passes it, one that fails it, and where the failure is.
CASES = {
    "dates-tender-period-order": (
        complete,
        lambda: complete_with("tender/tenderPeriod/endDate", "2024-01-05T00:00:00Z"),
        "/tender/tenderPeriod/endDate",
    ),
    "dates-award-before-tender-start": (
        complete,
        lambda: complete_with("awards/0/date", "2024-01-01T00:00:00Z"),
        "/awards/0/date",
    ),
    "dates-contract-signed-before-award": (
        complete,
        lambda: complete_with("contracts/0/dateSigned", "2024-02-20T00:00:00Z"),
        "/contracts/0/dateSigned",
    ),
    "dates-contract-period-order": (
        complete,
        lambda: complete_with("contracts/0/period/endDate", "2024-03-31T00:00:00Z"),
        "/contracts/0/period/endDate",
    ),
    "dates-award-contract-period-order": (
        complete,
        lambda: complete_with("awards/0/contractPeriod/endDate", "2024-03-31"),
        "/awards/0/contractPeriod/endDate",
    ),
    "dates-release-in-future": (
        lambda: complete_with("date", "2024-05-02T23:00:00Z"),  # the next day: a time zone
        lambda: complete_with("date", "2024-05-03T00:00:00Z"),
        "/date",
    ),
    "dates-release-before-1990": (
        complete,
        lambda: complete_with("date", "1989-12-31T00:00:00Z"),
        "/date",
    ),
    "statuses-tender-complete-without-award": (
        complete,
        lambda: create_process(
            create_release(ocid=OCID, tender={"id": "EX-1", "status": "complete"})
        ),
        "/tender/status",
    ),
    "statuses-award-active-without-suppliers": (
        complete,
        lambda: complete_with("awards/0/suppliers", []),
        "/awards/0/suppliers",
    ),
    "statuses-contract-active-award-cancelled": (
        complete,
        lambda: complete_with("awards/0/status", "cancelled"),
        "/contracts/0/status",
    ),
    "references-party-id-missing": (
        complete,
        lambda: complete_with("parties/1/id", DELETE),
        "/parties/1/id",
    ),
    "references-party-ids-unique": (
        complete,
        lambda: complete_with("parties/2", create_complete_release()["parties"][1]),
        "/parties/2/id",
    ),
    "references-buyer-party": (
        complete,
        lambda: complete_with("buyer/id", "GB-GOR-XX999"),
        "/buyer/id",
    ),
    "references-buyer-role": (
        complete,
        lambda: complete_with("parties/0/roles", ["procuringEntity"]),
        "/buyer/id",
    ),
    "references-procuring-entity-party": (
        complete,
        lambda: complete_with("tender/procuringEntity/id", "GB-GOR-XX999"),
        "/tender/procuringEntity/id",
    ),
    "references-supplier-party": (
        complete,
        lambda: complete_with("parties/1/roles", ["tenderer"]),
        "/awards/0/suppliers/0/id",
    ),
    "references-tenderer-party": (
        complete,
        lambda: complete_with("tender/tenderers/0/id", DELETE),
        "/tender/tenderers/0/id",
    ),
    "references-contract-award": (
        complete,
        lambda: complete_with("contracts/0/awardID", "2"),
        "/contracts/0/awardID",
    ),
    "values-amount-not-positive": (
        complete,
        lambda: complete_with("tender/value/amount", 0),
        "/tender/value/amount",
    ),
    "values-amount-implausible": (
        complete,
        lambda: complete_with("awards/0/value/amount", 2e11),
        "/awards/0/value/amount",
    ),
    "values-contract-over-award": (
        complete,
        lambda: complete_with("contracts/0/value/amount", 1_000_000),
        "/contracts/0/value/amount",
    ),
    "values-currency-missing": (
        complete,
        lambda: complete_with("planning/budget/amount/currency", DELETE),
        "/planning/budget/amount/currency",
    ),
    "values-amount-as-text": (
        complete,
        lambda: complete_with("tender/value/amount", "100000"),
        "/tender/value/amount",
    ),
    "values-gross-below-net": (
        complete,
        lambda: complete_with("tender/value/amountGross", 90_000),
        "/tender/value/amountGross",
    ),
    "identifiers-buyer-missing": (
        complete,
        # As Contracts Finder writes an identifier it does not have.
        lambda: complete_with("parties/0/identifier", {"scheme": "", "id": ""}),
        "/parties/0/identifier/id",
    ),
    "identifiers-supplier-missing": (
        complete,
        lambda: complete_with("parties/1/identifier", DELETE),
        "/parties/1/identifier/id",
    ),
    "identifiers-scheme-without-id": (
        complete,
        lambda: complete_with("parties/1/identifier/id", " "),
        "/parties/1/identifier/id",
    ),
    "identifiers-id-without-scheme": (
        complete,
        lambda: complete_with("parties/1/identifier/scheme", None),
        "/parties/1/identifier/scheme",
    ),
    "identifiers-malformed": (
        complete,
        lambda: complete_with("parties/1/identifier/id", "N/A"),
        "/parties/1/identifier/id",
    ),
    "identifiers-conflicting-names": (
        # The same company written another way is one name.
        lambda: two_releases("parties/1/name", "EXAMPLE SUPPLIES LIMITED"),
        lambda: two_releases("parties/1/name", "Another Company Ltd"),
        "/parties/1/name",
    ),
    "consistency-ocid-prefix": (
        complete,
        lambda: create_process(create_complete_release(), ocid="example-000-00001"),
        "",
    ),
    "consistency-tag-content": (
        complete,
        lambda: complete_with("tag", ["tender", "award", "contract", "implementation"]),
        "/tag",
    ),
    "consistency-buyer-changes": (
        lambda: create_process(create_complete_release("1"), create_complete_release("2")),
        lambda: create_process(create_complete_release("1"), with_buyer(BUYER, "Example Dept")),
        "/buyer",
    ),
    "duplicates-split-ocid": (
        lambda: create_process(create_complete_release("1"), with_buyer(BUYER, "Example Dept")),
        lambda: create_process(
            create_complete_release("1"), with_buyer("GB-GOR-ZZ123", "Another Department")
        ),
        "/buyer",
    ),
}


def test_every_check_has_a_passing_and_a_failing_case():
    # duplicates-same-process needs several processes: Across, tested below.
    assert set(CASES) | {"duplicates-same-process"} == set(CHECKS)


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_the_passing_case_passes(check_id):
    result = check(CASES[check_id][0]())
    assert result.checked.get(check_id, 0) >= 1, "the check should apply"
    assert result.failed[check_id] == 0
    assert of(result, check_id) == []


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_the_failing_case_fails_where_it_should(check_id):
    process = CASES[check_id][1]()
    result = check(process)
    failures = of(result, check_id)
    assert [failure.path for failure in failures] == [CASES[check_id][2]]
    assert result.failed[check_id] == 1
    failure = failures[0]
    assert failure.ocid == process.ocid
    assert failure.detail and "\x00" not in failure.detail
    if failure.release_id is not None:
        release = next(release for release in process.releases if release.seq == failure.seq)
        assert failure.release_id == release.id


def test_the_complete_release_passes_every_check_that_applies_to_one_release():
    result = check(complete())
    assert result.failures == []
    one_release = {"consistency-buyer-changes", "duplicates-split-ocid", "duplicates-same-process"}
    assert set(result.checked) == set(CHECKS) - one_release
    assert set(result.failed.values()) == {0}


def test_the_registry():
    assert METHOD_VERSION == "1"
    for check_id, found in CHECKS.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", check_id)
        assert found.id == check_id
        assert found.family in FAMILIES
        assert found.applies_to in (RELEASE, PROCESS)
        assert found.title and "\n" not in found.title
    assert {found.family for found in CHECKS.values()} == set(FAMILIES)


def test_the_method_document_names_every_check_and_its_version():
    text = METHOD.read_text(encoding="utf-8")
    assert f"Method version {METHOD_VERSION}" in text
    for check_id in CHECKS:
        assert f"`{check_id}`" in text, check_id


# What counts, and what does not.


def test_a_check_that_does_not_apply_counts_neither_way():
    # No tags, no tender, no amounts, no parties.
    result = check(create_process(create_release(ocid=OCID, tag=[], date="2024-05-01")))
    assert "dates-tender-period-order" not in result.checked
    assert "values-amount-not-positive" not in result.checked
    assert "identifiers-buyer-missing" not in result.checked
    assert result.checked == {
        "consistency-ocid-prefix": 1,
        "dates-release-before-1990": 1,
        "dates-release-in-future": 1,
    }
    assert result.failures == []


def test_a_release_failing_in_several_places_counts_once():
    release = changed(create_complete_release(), "tender/value/amount", -1)
    release = changed(release, "contracts/0/value/amount", 0)
    result = check(create_process(release))
    assert len(of(result, "values-amount-not-positive")) == 2
    assert result.checked["values-amount-not-positive"] == 1
    assert result.failed["values-amount-not-positive"] == 1


def test_release_checks_count_each_release_and_process_checks_the_process_once():
    process = create_process(*(create_complete_release(str(n)) for n in range(3)))
    result = check(process)
    assert result.checked["dates-tender-period-order"] == 3
    assert result.checked["consistency-buyer-changes"] == 1
    assert result.checked["consistency-ocid-prefix"] == 1
    # A process check's subject is placed at the newest release, where the process stands.
    assert "consistency-ocid-prefix" in result.judged[3]
    assert "consistency-ocid-prefix" not in result.judged[1]


def test_outcomes_list_each_subject_and_check():
    process = create_process(
        create_complete_release("1"),
        changed(create_complete_release("2"), "tender/value/amount", 0),
    )
    outcomes = list(check(process).outcomes())
    assert (1, "values-amount-not-positive", True) in outcomes
    assert (2, "values-amount-not-positive", False) in outcomes
    assert outcomes == sorted(outcomes, key=lambda outcome: (outcome[0], outcome[1]))


def test_a_process_failure_names_the_release_it_shows_in_and_counts_for_the_process():
    process = CASES["consistency-buyer-changes"][1]()
    result = check(process)
    [failure] = of(result, "consistency-buyer-changes")
    assert (failure.release_id, failure.seq) == ("2", 2)
    assert "'Example Dept'" in failure.detail and "'Example Department'" in failure.detail
    assert result.failing[2] >= {"consistency-buyer-changes"}
    [failure] = of(check(CASES["consistency-ocid-prefix"][1]()), "consistency-ocid-prefix")
    assert (failure.release_id, failure.seq, failure.path) == (None, None, "")


def test_a_detail_says_what_where_and_why_with_the_numbers():
    release = changed(create_complete_release(), "tender/tenderPeriod/startDate", "2023-02-01")
    release = changed(release, "tender/tenderPeriod/endDate", "2023-01-05T00:00:00Z")
    [failure] = of(check(create_process(release)), "dates-tender-period-order")
    assert failure.detail == (
        "tender.tenderPeriod.endDate 2023-01-05 is before tender.tenderPeriod.startDate 2023-02-01"
    )
    [failure] = of(check(CASES["values-contract-over-award"][1]()), "values-contract-over-award")
    assert failure.detail == (
        "contracts[0].value 1,000,000 GBP is 11 times the value of award '1', 95,000 GBP"
    )


def test_dates_compare_the_days_as_written():
    # A day's start in summer time, UTC the day before, is not before a date of that day.
    release = changed(create_complete_release(), "awards/0/date", "2024-01-10T00:00:00+01:00")
    result = check(create_process(release))
    assert result.failed["dates-award-before-tender-start"] == 0
    # The tender period of an earlier release is the one an award is compared with.
    award = changed(create_complete_release("2"), "tender", {"id": "EX-2024-001"})
    award = changed(award, "awards/0/date", "2024-01-09T00:00:00Z")
    result = check(create_process(create_complete_release("1"), award))
    assert [failure.seq for failure in of(result, "dates-award-before-tender-start")] == [2]


def test_a_contract_is_judged_against_its_award_as_published_so_far():
    # The award is cancelled only after the contract was published as active.
    later = changed(create_complete_release("2"), "awards/0/status", "cancelled")
    later = changed(later, "contracts/0/status", "cancelled")
    result = check(create_process(create_complete_release("1"), later))
    assert result.failed["statuses-contract-active-award-cancelled"] == 0
    # An award published in any release of the process is one a contract can name.
    contract_first = changed(create_complete_release("1"), "awards", [])
    result = check(create_process(contract_first, create_complete_release("2")))
    assert result.failed["references-contract-award"] == 0


def test_several_buyers_of_a_joint_procurement():
    release = create_complete_release()
    release["parties"].append(
        create_party("GB-GOR-D2", "Other Department", ["buyer"], "GB-GOR", "D2")
    )
    assert check(create_process(release)).failures == []
    # Buyer parties, but no buyer.
    result = check(create_process(changed(release, "buyer", DELETE)))
    assert [failure.path for failure in of(result, "references-buyer-role")] == ["/parties/0/roles"]


def test_amounts_in_other_currencies_are_not_judged_implausible():
    release = changed(
        create_complete_release(), "tender/value", {"amount": 5e11, "currency": "PYG"}
    )
    result = check(create_process(release))
    assert result.failed["values-amount-implausible"] == 0
    assert result.failed["values-amount-not-positive"] == 0


def test_identifiers_in_schemes_openbook_does_not_know_are_not_judged_malformed():
    release = changed(create_complete_release(), "parties/1/identifier/scheme", "XI-EXAMPLE")
    release = changed(release, "parties/1/identifier/id", "anything at all")
    result = check(create_process(release))
    assert result.checked["identifiers-malformed"] == 1  # the buyer's, in GB-GOR
    assert result.failed["identifiers-malformed"] == 0


def test_a_split_ocid_is_not_a_buyer_change():
    result = check(CASES["duplicates-split-ocid"][1]())
    assert result.failed["consistency-buyer-changes"] == 0
    assert "two organisations under one ocid" in of(result, "duplicates-split-ocid")[0].detail


def test_scores():
    assert score(0, 0) is None
    assert score(4, 1) == 0.75
    assert score(3, 3) == 0.0
    # Each check weighs the same; a check that judged nothing is left out.
    assert overall([1.0, 0.5, None]) == 0.75
    assert overall([None]) is None
    assert overall([]) is None


# Shapes real publishers get wrong never stop a check.

ODD_VALUES = [
    None,
    "",
    "\x00",
    "2024-01-01\x00",
    "12",
    "-5",
    0,
    -1,
    1.5,
    10**400,
    float("inf"),
    float("nan"),
    True,
    [],
    [None, 1, "x"],
    [{}],
    {},
    {"id": None, "amount": "x"},
    "\ud800",
]


def paths(value: object, prefix: str = "") -> list[str]:
    found = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return found
    for key, item in items:
        path = f"{prefix}{key}"
        found.append(path)
        found += paths(item, path + "/")
    return found


def test_odd_shapes_anywhere_never_raise():
    release = create_complete_release()
    release_paths = paths(release)
    assert len(release_paths) > 80
    for path in release_paths:
        for value in ODD_VALUES:
            odd = changed(release, path, value)
            # First and last: later releases read what earlier ones left (awards, names).
            for bodies in (
                (odd, create_complete_release("2")),
                (create_complete_release("0"), odd),
            ):
                result = check(create_process(*bodies))
                assert all(failure.check in CHECKS for failure in result.failures), (path, value)
                assert all("\x00" not in failure.detail for failure in result.failures)
            across = Across()
            across.add(create_process(odd))
            across.failures()


def test_odd_values_are_reported_not_guessed():
    result = check(complete_with("tender/value/amount", "12\x00"))
    [failure] = of(result, "values-amount-as-text")
    assert failure.detail == "tender.value.amount is the text '12', not a number"
    huge = check(complete_with("awards/0/value/amount", 10**400))
    assert of(huge, "values-amount-implausible")[0].detail.startswith("awards[0].value.amount 1")
    lists = check(complete_with("parties", {"0": create_complete_release()["parties"][0]}))
    assert "references-buyer-party" in {failure.check for failure in lists.failures}


# One process under several ocids.


def create_tender_process(ocid: str, buyer: str = BUYER, title: str = "Office furniture", **tender):
    """A one-release process of a buyer (a party whose identifier is ``buyer``'s id)."""
    scheme, number = buyer.rsplit("-", 1)
    release = create_release(
        ocid=ocid,
        parties=[create_party(buyer, f"Buyer {buyer}", ["buyer"], scheme, number)],
        buyer={"id": buyer, "name": f"Buyer {buyer}"},
        tender={
            "title": title,
            "value": {"amount": 100_000, "currency": "GBP"},
            "tenderPeriod": {"endDate": "2024-02-10T12:00:00Z"},
            **tender,
        },
    )
    return create_process(release, ocid=ocid)


def test_the_same_tender_under_two_ocids():
    across = Across()
    assert across.add(create_tender_process("ocds-213czf-a"))
    assert across.add(create_tender_process("ocds-213czf-b", title="  OFFICE   furniture. "))
    assert across.checked == 2
    failures = across.failures()
    assert [(failure.ocid, failure.check) for failure in failures] == [
        ("ocds-213czf-a", "duplicates-same-process"),
        ("ocds-213czf-b", "duplicates-same-process"),
    ]
    assert "ocds-213czf-b" in failures[0].detail and "ocds-213czf-a" in failures[1].detail
    assert "tender.title" in failures[0].detail
    assert (failures[0].release_id, failures[0].seq, failures[0].path) == (None, None, "")


def test_the_same_title_from_different_buyers_is_not_a_duplicate():
    across = Across()
    across.add(create_tender_process("ocds-213czf-a", buyer="GB-GOR-PB425"))
    across.add(create_tender_process("ocds-213czf-b", buyer="GB-GOR-D2"))
    assert across.failures() == []


def test_a_different_value_or_closing_day_is_another_process():
    across = Across()
    across.add(create_tender_process("ocds-213czf-a"))
    across.add(create_tender_process("ocds-213czf-b", value={"amount": 100_001, "currency": "GBP"}))
    across.add(
        create_tender_process("ocds-213czf-c", tenderPeriod={"endDate": "2024-02-11T12:00:00Z"})
    )
    assert across.failures() == []


def test_the_same_tender_id_from_the_same_buyer():
    across = Across()
    across.add(create_tender_process("ocds-213czf-a", title="Chairs", id="EX-2024-001"))
    across.add(create_tender_process("ocds-213czf-b", title="Desks", id="EX-2024-001"))
    [first, _] = across.failures()
    assert first.detail.endswith("the same buyer and tender.id")
    # Numbering from 1 within each process is no reference.
    across = Across()
    across.add(create_tender_process("ocds-213czf-a", title="Chairs", id="1"))
    across.add(create_tender_process("ocds-213czf-b", title="Desks", id="1"))
    assert across.failures() == []


def test_a_group_names_at_most_five_others():
    across = Across()
    for n in range(7):
        across.add(create_tender_process(f"ocds-213czf-{n}"))
    failures = across.failures()
    assert len(failures) == 7
    assert failures[0].detail.startswith(
        "the process seems published also as ocds-213czf-1, ocds-213czf-2, ocds-213czf-3, "
        "ocds-213czf-4, ocds-213czf-5 and 1 more: "
    )


def test_a_process_without_a_key_is_not_judged():
    across = Across()
    assert not across.add(create_process(create_release(ocid=OCID)))
    assert fingerprint(create_process(create_release(ocid=OCID))) is None
    assert across.checked == 0


def test_workers_fingerprints_and_tallies_gather_to_the_same_groups():
    processes = [create_tender_process(f"ocds-213czf-{n}") for n in range(4)]
    processes.append(create_tender_process("ocds-213czf-x", title="Desks"))
    alone = Across()
    for process in processes:
        alone.add(process)
    first, second, gathered = Across(), Across(), Across()
    for process in processes[::2]:
        first.add(process)
    for process in processes[1::2]:
        second.add_fingerprint(fingerprint(process))
    gathered.merge(first)
    gathered.merge(second)
    assert gathered.checked == alone.checked == 5
    assert gathered.failures() == alone.failures()
    assert len(alone.failures()) == 4


def test_fingerprints_are_stable_across_runs():
    # Digests, not hash(): workers, later runs and other machines must agree. A change here
    # changes which processes are found alike: a new method version.
    found = fingerprint(create_tender_process("ocds-213czf-a", id="EX-2024-001"))
    assert found is not None
    assert found.ocid == "ocds-213czf-a"
    assert [key.hex() for key in found.keys] == ["54790416b37b21f277", "494bd32e4acafbf9b1"]


# Real publishers and generated data.


def releases_in(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8")) if path.stat().st_size else {}
    if not isinstance(data, dict):
        return []
    if "records" in data:
        return [
            release
            for record in data["records"]
            for release in record.get("releases", [])
            if isinstance(release, dict) and "tag" in release
        ]
    if isinstance(data.get("releases"), list):
        return [release for release in data["releases"] if isinstance(release, dict)]
    return [data] if "ocid" in data else []


def processes_of(releases: list[dict], log_time: str | None = RECEIVED) -> list[Process]:
    """Releases grouped by ocid, in order; each received at ``log_time`` (None: at its own
    date, as if published on the platform then)."""
    by_ocid = collections.defaultdict(list)
    for release in releases:
        by_ocid[str(release.get("ocid"))].append(release)
    return [
        Process(
            ocid,
            tuple(
                Release(seq, log_time or body["date"], "loaded", log_time is None, body)
                for seq, body in enumerate(bodies)
            ),
        )
        for ocid, bodies in by_ocid.items()
    ]


def resolves(body: dict, path: str) -> bool:
    """Whether a failure's path points into the release: every step but the last two (a field
    found missing, and the object it is missing from) exists."""
    steps = path.split("/")[1:]
    value: object = body
    for depth, step in enumerate(steps):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return depth >= len(steps) - 2
    return True


@needs_shared
def test_a_contracts_finder_process():
    folder = SAMPLES / "uk-contracts-finder" / "sample" / "releases"
    ocid = "ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b"
    releases = [
        release for path in sorted(folder.glob(f"{ocid}-*.json")) for release in releases_in(path)
    ]
    [process] = processes_of(releases)
    found = {(failure.check, failure.seq, failure.path) for failure in check(process).failures}
    assert found == {
        # Contracts Finder's {"scheme": "", "id": ""}: the Met Office has no identifier.
        ("identifiers-buyer-missing", 0, "/parties/0/identifier/id"),
        # The same notice in OCDS 1.0's shape: a buyer with its details, and no parties.
        ("references-buyer-party", 1, "/buyer/id"),
        ("consistency-buyer-changes", 1, "/buyer"),
    }


@needs_shared
def test_every_real_sample_is_judged_and_its_failures_point_into_it():
    seen = collections.Counter()
    across = Across()
    for path in sorted(SAMPLES.glob("**/*.json")):
        for process in processes_of(releases_in(path)):
            result = check(process)
            across.add(process)
            bodies = {release.seq: release.body for release in process.releases}
            for failure in result.failures:
                seen[failure.check] += 1
                assert failure.check in CHECKS
                if failure.seq is not None:
                    assert resolves(bodies[failure.seq], failure.path), failure
    across.failures()
    # Real data fails checks of every family but duplicates (a sample holds a few processes
    # of each publisher).
    assert {CHECKS[found].family for found in seen} >= set(FAMILIES) - {"duplicates"}


def test_generated_processes_fail_only_where_notices_were_left_unpublished():
    # The generator leaves some award and contract notices unpublished (docs/generator.md,
    # "Lifecycles"); everything else it writes is coherent.
    processes = processes_of(list(generate_releases(processes=150, seed=3)), log_time=None)
    failed = collections.Counter(
        failure.check for process in processes for failure in check(process).failures
    )
    assert set(failed) <= {"references-contract-award", "statuses-tender-complete-without-award"}
