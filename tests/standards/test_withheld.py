"""Declarations of what a release withholds and why (openbook.standards.uk.withheld). Pure."""

import pytest

from openbook.standards.uk import withheld
from openbook.standards.uk.notices import PA2023, PCR2015


def item(**fields) -> dict:
    return {
        "id": "w1",
        "name": "Pricing schedule",
        "rationale": "Unit rates would prejudice the supplier in the re-tender",
        "rationaleClassifications": [{"scheme": withheld.SCHEME, "id": "sensitive-commercial"}],
        **fields,
    }


def release(*items, **fields) -> dict:
    return {
        "ocid": "ocds-test00-1",
        "contracts": [
            {"id": "1", "documents": [{"id": "contract-redacted", "url": "https://x/1.pdf"}]}
        ],
        "tender": {"documents": [{"id": "spec"}]},
        "withheldInformation": list(items),
        **fields,
    }


def codes(found) -> list[tuple[str, str, str]]:
    return [(p.path, p.code, p.severity) for p in found]


def test_a_sound_declaration_has_no_problems_and_is_counted():
    declared = release(item(relatedContract="1", relatedDocument="contract-redacted"))
    assert withheld.check(declared, PA2023) == []
    [found] = withheld.declarations(declared)
    assert found.grounds == ("sensitive-commercial",)
    assert (found.contract, found.document) == ("1", "contract-redacted")
    assert withheld.declared_documents(declared) == {"contract-redacted"}


def test_a_release_without_a_declaration_has_none():
    assert withheld.check({"ocid": "x"}) == []
    assert withheld.declarations({"ocid": "x"}) == []


def test_the_ground_is_required_and_must_be_in_the_codelist():
    missing = item(
        rationaleClassifications=[{"scheme": "eu-non-publication-justification", "id": "oth-int"}]
    )
    unknown = item(rationaleClassifications=[{"scheme": withheld.SCHEME, "id": "embarrassing"}])
    found = withheld.check(release(missing, unknown), PA2023)
    assert codes(found) == [
        ("/withheldInformation/0/rationaleClassifications", "withheld.ground-missing", "error"),
        (
            "/withheldInformation/1/rationaleClassifications/0/id",
            "withheld.ground-unknown",
            "error",
        ),
    ]
    assert found[0].citation == "Procurement Act 2023, s.94(3)"
    assert "'embarrassing' is not a ground" in found[1].message
    assert "national-security, sensitive-commercial, personal-data" in found[1].message


def test_a_ground_of_another_regime_is_a_warning():
    pcr = item(rationaleClassifications=[{"scheme": withheld.SCHEME, "id": "pcr-fair-competition"}])
    [problem] = withheld.check(release(pcr), PA2023)
    assert (problem.code, problem.severity) == ("withheld.ground-regime", "warning")
    assert "national-security, sensitive-commercial, personal-data, court-order" in problem.message
    assert withheld.check(release(pcr), PCR2015) == []
    assert withheld.check(release(item()), PCR2015)[0].code == "withheld.ground-regime"
    # Grounds of any regime fit every one.
    court = item(rationaleClassifications=[{"scheme": withheld.SCHEME, "id": "court-order"}])
    assert withheld.check(release(court), PCR2015) == []


def test_references_must_name_the_releases_contracts_and_documents():
    found = withheld.check(
        release(
            item(id="a", relatedContract="9"),
            item(id="b", relatedContract="1", relatedDocument="spec"),
            item(id="c", relatedDocument="spec"),
            item(id="d", relatedDocument="nowhere"),
        )
    )
    assert codes(found) == [
        ("/withheldInformation/0/relatedContract", "withheld.contract-unknown", "warning"),
        ("/withheldInformation/1/relatedDocument", "withheld.document-unknown", "warning"),
        ("/withheldInformation/3/relatedDocument", "withheld.document-unknown", "warning"),
    ]
    assert "contract '1' has no document with that id" in found[1].message


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ({}, [("/withheldInformation", "withheld.not-a-list", "error")]),
        ([], [("/withheldInformation", "withheld.not-a-list", "error")]),
        (["x"], [("/withheldInformation/0", "withheld.not-an-object", "error")]),
        (
            [{"rationaleClassifications": [{"scheme": withheld.SCHEME, "id": "personal-data"}]}],
            [
                ("/withheldInformation/0/id", "withheld.id-missing", "error"),
                ("/withheldInformation/0/rationale", "withheld.rationale-missing", "warning"),
                ("/withheldInformation/0", "withheld.what-missing", "warning"),
            ],
        ),
    ],
)
def test_malformed_declarations_are_named(declared, expected):
    assert codes(withheld.check({"withheldInformation": declared})) == expected


def test_every_ground_cites_its_source():
    assert list(withheld.GROUNDS) == [
        "national-security",
        "sensitive-commercial",
        "personal-data",
        "court-order",
        "pcr-public-interest",
        "pcr-commercial",
        "pcr-fair-competition",
    ]
    assert all(ground.citation and ground.description for ground in withheld.GROUNDS.values())
