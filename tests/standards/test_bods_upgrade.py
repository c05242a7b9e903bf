"""BODS 0.2 statements upgraded to 0.4 (openbook.standards.bods.upgrade), on the Open Ownership
Register's real 0.2 statements."""

import gzip
import json

import pytest

from openbook.standards.bods import records, upgrade, validate
from tests.conftest import SHARED_DATA

SAMPLES = SHARED_DATA / "bods-register-samples"
REAL = sorted((SAMPLES / "json").glob("*.json")) + sorted((SAMPLES / "gzip").glob("*.gz"))
CHECKS = sorted(SAMPLES.glob("checks-*/*.gz"))


def statements(path):
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return [json.loads(line) for line in raw.splitlines() if line.strip()]


@pytest.mark.parametrize("path", REAL, ids=lambda path: path.name)
def test_the_registers_statements_upgrade_to_valid_04(path):
    given = statements(path)
    assert all(upgrade.is_bods_02(statement) for statement in given)
    found = upgrade.record_ids(given)
    upgraded = [upgrade.upgrade(statement, found) for statement in given]
    assert validate.problems(upgraded) == []
    # The same statement always upgrades to the same id, 32 characters long.
    assert [s["statementId"] for s in upgraded] == [
        upgrade.upgrade(statement, found)["statementId"] for statement in given
    ]
    assert all(len(s["statementId"]) == 32 for s in upgraded)
    # A relationship names its parties by their records, and declares about its subject.
    for statement in upgraded:
        if statement["recordType"] == "relationship":
            details = statement["recordDetails"]
            assert statement["declarationSubject"] == details["subject"]
            for party in (details["subject"], details["interestedParty"]):
                assert isinstance(party, str)
        assert isinstance(records.identity(statement), tuple)


@pytest.mark.parametrize("path", CHECKS, ids=lambda path: path.parent.name)
def test_the_data_check_fixtures_keep_only_their_own_faults(path):
    """The Register's data-check fixtures hold faults on purpose (blank birth dates, a missing
    publication date): the upgrade keeps them, for validation to report, and adds none."""
    given = statements(path)
    upgraded = [upgrade.upgrade(s, upgrade.record_ids(given)) for s in given]
    for problem in validate.problems(upgraded):
        index = int(problem.path[2 : problem.path.index("]")])
        original = given[index]
        if problem.field == "birthDate":
            assert original["birthDate"] == ""
        else:
            assert problem.keyword == "required" and problem.field == "publicationDate"
            assert "publicationDate" not in original["publicationDetails"]


def test_the_mapping_field_by_field():
    person = {
        "statementID": "p2",
        "statementType": "personStatement",
        "statementDate": "2023-04-30",
        "personType": "knownPerson",
        "names": [{"type": "individual", "fullName": "Jane Smith"}],
        "addresses": [{"type": "registered", "address": "1 Street", "country": "dk"}],
        "identifiers": [{"id": "7", "schemeName": "Register", "uri": "/entities/7"}],
        "publicationDetails": {
            "publicationDate": "2023-04-30",
            "bodsVersion": "0.2",
            "publisher": {"name": "OpenOwnership Register", "url": "https://register.example"},
        },
        "source": {"type": "officialRegister", "assertedBy": None},
        "replacesStatements": ["p1"],
    }
    owns = {
        "statementID": "r1",
        "statementType": "ownershipOrControlStatement",
        "statementDate": "2023-04-30",
        "subject": {"describedByEntityStatement": "e1"},
        "interestedParty": {"describedByPersonStatement": "p2"},
        "interests": [{"type": "voting-rights", "interestLevel": "direct", "share": {"exact": 50}}],
        "publicationDetails": person["publicationDetails"],
    }
    found = upgrade.record_ids([person, owns])
    assert found == {"p2": "p1", "p1": "p1"}
    upgraded = upgrade.upgrade(person, found)
    assert upgraded["recordId"] == "p1" and upgraded["recordStatus"] == "updated"
    details = upgraded["recordDetails"]
    assert details["names"] == [{"type": "legal", "fullName": "Jane Smith"}]
    assert details["addresses"] == [
        {"type": "service", "address": "1 Street", "country": {"name": "Denmark", "code": "DK"}}
    ]
    assert details["identifiers"][0]["uri"] == "https://register.example/entities/7"
    assert upgraded["source"] == {"type": ["officialRegister"]}
    assert upgraded["publicationDetails"]["bodsVersion"] == "0.4"
    assert "p2" in upgraded["annotations"][0]["description"]
    relationship = upgrade.upgrade(owns, found)
    assert relationship["recordDetails"]["interestedParty"] == "p1"  # the person's record
    assert relationship["recordDetails"]["subject"] == "e1"
    assert relationship["recordDetails"]["interests"] == [
        {"type": "votingRights", "directOrIndirect": "direct", "share": {"exact": 50}}
    ]
    assert relationship["recordStatus"] == "new"
    assert validate.problems([upgraded, relationship]) == []


def test_malformed_02_statements_upgrade_without_crashing():
    odd = {
        "statementID": "x1",
        "statementType": "ownershipOrControlStatement",
        "replacesStatements": 5,
        "interests": 5,
        "subject": "not an object",
    }
    found = upgrade.record_ids([odd])
    upgraded = upgrade.upgrade(odd, found)
    assert upgraded["recordDetails"]["interests"] == []
    assert upgraded["recordDetails"]["subject"]["reason"] == "unknown"
