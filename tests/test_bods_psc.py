"""Companies House PSC snapshot records imported as BODS 0.4 statements (openbook.bods
.import_psc, openbook.standards.bods.psc), on both databases, with the real samples."""

import orjson
import pytest

from openbook import bods, cli, psc_import
from openbook.standards.bods import psc
from openbook.store import log
from tests.conftest import SHARED_DATA

SAMPLES = SHARED_DATA / "uk-psc-source-samples"
PSC = sorted(SAMPLES.glob("psc-data-*.json"))
COMPANIES = [SAMPLES / "company-data-1.json"]


def relationship(store, record_id):
    return bods.record(store, record_id)["record"]


def test_the_real_samples_import_as_valid_statements(store):
    report = psc_import.import_psc(store, PSC, COMPANIES)
    assert report.invalid == 0 and report.unusable == [], report.problems
    assert report.loaded > 0 and report.skipped == 16  # the snapshot's totals lines
    # A corporate PSC on the UK register is the company record of its own number: chains join.
    owned = relationship(store, "GB-COH-PSC-m5XNR_-nKtmMDh9BkcfpD7Pzkic")
    details = owned["recordDetails"]
    assert (details["subject"], details["interestedParty"]) == (
        "GB-COH-04120481",
        "GB-COH-03530981",
    )
    assert [i["type"] for i in details["interests"]] == [
        "shareholding", "votingRights", "appointmentOfBoard"
    ]  # fmt: skip
    assert details["interests"][0]["share"] == {"minimum": 75, "maximum": 100}
    assert details["interests"][0]["beneficialOwnershipOrControl"] is False
    # A person, with the month and year of birth the register publishes.
    person = bods.record(store, "GB-COH-PSC-FReSTxwXcJbAHBrerDpmTylkW48-person")["record"]
    assert person["recordDetails"]["birthDate"] == "1961-12"
    assert person["recordDetails"]["names"][0]["familyName"] == "Feldman"
    # The company's own data names it.
    company = bods.record(store, "GB-COH-08209948")["record"]
    assert company["recordDetails"]["name"] == "! LTD"
    assert company["recordDetails"]["foundingDate"] == "2012-09-11"
    # A super-secure PSC: an unspecified party, with the reason.
    secret = relationship(store, "GB-COH-PSC-NcZQQA0LMrXYV1u0fGRHLrGIL_I")
    assert secret["recordDetails"]["interestedParty"]["reason"] == (
        "interestedPartyExemptFromDisclosure"
    )
    # A company's ceased statement that it had no PSC: a closed relationship.
    statement = relationship(store, "GB-COH-PSC-Z1EPZ-AyS_CpOQyqHfFzyRcbkdg")
    assert statement["closed"] and statement["recordDetails"]["interestedParty"]["reason"] == (
        "noBeneficialOwners"
    )


def test_a_newer_snapshot_adds_updates_and_closures_not_duplicates(store, tmp_path):
    first = psc_import.import_psc(store, PSC, COMPANIES)
    size = log.log_size(store)
    again = psc_import.import_psc(store, PSC, COMPANIES)
    assert again.loaded == 0 and again.duplicates == first.loaded + first.duplicates
    assert first.conflicts == 0
    assert log.log_size(store) == size
    # The next snapshot: one PSC ceased (Companies House gives it a new etag).
    records = orjson.loads((SAMPLES / "psc-data-8.json").read_bytes())
    records[1]["data"] |= {"ceased_on": "2025-03-01", "etag": "changed"}
    records[1]["ContentDate"] = "2025-03-02"
    newer = tmp_path / "psc-next.jsonl"
    newer.write_bytes(b"\n".join(orjson.dumps(record) for record in records))
    report = psc_import.import_psc(store, [newer])
    assert report.loaded == 2  # the person's statement, and the relationship's closure
    closed = relationship(store, "GB-COH-PSC-55y0_U-Q2wwTXDXh6mmo0BJPpM8")
    assert closed["closed"] and closed["recordStatus"] == "closed"
    assert closed["recordDetails"]["interests"][0]["endDate"] == "2025-03-01"
    assert len(closed["statements"]) == 2
    person = bods.record(store, "GB-COH-PSC-55y0_U-Q2wwTXDXh6mmo0BJPpM8-person")["record"]
    assert person["recordStatus"] == "updated" and not person["closed"]


@pytest.mark.parametrize(
    ("nature", "kind", "share"),
    [
        ("ownership-of-shares-25-to-50-percent", "shareholding",
         {"exclusiveMinimum": 25, "maximum": 50}),
        ("voting-rights-50-to-75-percent-as-trust", "votingRights",
         {"exclusiveMinimum": 50, "exclusiveMaximum": 75}),
        ("ownership-of-shares-more-than-25-percent-registered-overseas-entity", "shareholding",
         {"exclusiveMinimum": 25, "maximum": 100}),
        ("right-to-share-surplus-assets-75-to-100-percent-limited-liability-partnership",
         "rightsToSurplusAssetsOnDissolution", {"minimum": 75, "maximum": 100}),
        ("significant-influence-or-control-as-firm", "otherInfluenceOrControl", None),
        ("part-right-to-share-surplus-assets-something-new", "otherInfluenceOrControl", None),
    ],
)  # fmt: skip
def test_natures_of_control(nature, kind, share):
    found = psc.interest(nature, "2020-01-01", None, True)
    assert found["type"] == kind and found.get("share") == share
    assert nature in found["details"]
    if "-as-trust" in nature:
        assert "trustee" in found["details"]


@pytest.mark.parametrize(
    "record",
    [
        "text",
        {"company_number": "1"},
        {"data": {"kind": "individual-person-with-significant-control"}},
        {"company_number": "1", "data": {"kind": "individual-person-with-significant-control"}},
        {"data": {"kind": "totals#persons-of-significant-control-snapshot"}},
    ],
)  # fmt: skip
def test_records_that_name_no_one_are_skipped_with_why(record):
    found = psc.statements(record, lambda _: False, {})
    assert isinstance(found, psc.Skipped) and found.why


def test_the_command(store, capsys):
    code = cli.main(["bods", "import-psc", "--json", "--companies", str(COMPANIES[0]),
                     *map(str, PSC)])  # fmt: skip
    assert code == 0
    assert orjson.loads(capsys.readouterr().out)["loaded"] > 0
    csv_code = cli.main(["bods", "import-psc", "--companies",
                         str(SAMPLES / "basic-company-data-1.csv"), str(PSC[0])])  # fmt: skip
    assert csv_code == 0


def test_malformed_psc_records_make_statements_not_crashes():
    record = orjson.loads((SAMPLES / "psc-data-1.json").read_bytes())[0]
    record["data"]["natures_of_control"] = 5
    record["data"]["name_elements"] = {"forename": 5, "surname": ["x"]}
    made = psc.statements(record, lambda _: False, {})
    assert not isinstance(made, psc.Skipped)
    relationship = made[-1]
    assert relationship["recordDetails"]["interests"] == []
