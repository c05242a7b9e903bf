"""Councils' contracts registers (the Transparency Code's contracts over £5,000) loaded as OCDS
releases (openbook.lgtc, ``openbook lgtc load``), on both databases: a real council's register
becomes searchable processes and loading it again stores nothing; an amended row becomes a new
release of its process; the Local Government Association's columns with an Open Contracting ID;
bad rows and bad files said precisely, with nothing stored lost."""

from datetime import UTC, datetime

import orjson
import pytest
from django.test import Client

from openbook import cli, config, lgtc, organisations, records
from openbook.standards.lgtc import contracts
from openbook.standards.spend.transactions import Body
from openbook.store import log
from tests.conftest import SHARED_DATA

# A real council's contracts register, as Salford City Council published it (misfiled among its
# payments in the samples): 360 contracts, 24 columns.
SALFORD = SHARED_DATA / "uk-spend-samples" / "salford" / "clean" / "2022-07.csv"
COUNCIL = Body("Salford City Council", "GB-LAE-SLF")


@pytest.fixture
def client(database) -> Client:
    return Client()


def _record(store, ocid: str) -> dict:
    package = records.record_package(store, ocid)
    assert package is not None, ocid
    return package["records"][0]


def test_a_councils_register_becomes_searchable_processes_and_again_stores_nothing(
    database, client, tmp_path
):
    store = database.store
    report = lgtc.load(store, [SALFORD], council=COUNCIL)
    [found] = report.files
    said = found.as_dict()
    assert found.refused is None
    assert (said["rows"], said["contracts"], said["processes"]) == (360, 360, 300)
    assert (said["newProcesses"], said["releasesLoaded"], said["releasesWithErrors"]) == (
        300, 300, 0)  # fmt: skip
    assert said["refusedRows"] == [] and report.compiled == 300
    assert log.log_size(store) == 300
    # What was not understood is said with its row and column, and the row is kept.
    notes = {(note["row"], note["column"]): note["message"] for note in said["notes"]}
    assert notes[(18, "Company Number")].startswith(
        "'31552R' is not a GB-COH id (Companies House): only registered societies' numbers"
    )
    assert notes[(118, "End Date")] == "'2022-09-31' is not a real date: not kept"
    assert said["read"]["suppliers given as 'Various'"] == 8
    assert "Annual Value" in said["mapping"]["ignored"]

    # A process of two contracts (one reference, two rows), the council as buyer, the supplier
    # with its Companies House number, its SME flag and ProClass.
    ocid = contracts.minted_ocid(
        config.ocid_prefix(), COUNCIL, reference="S1465", title="", supplier=None, start=None
    )
    record = _record(store, ocid)
    compiled = record["compiledRelease"]
    assert compiled["buyer"] == {"id": "GB-LAE-SLF", "name": "Salford City Council"}
    supplier = next(party for party in compiled["parties"] if "supplier" in party["roles"])
    assert supplier["identifier"] == {"scheme": "GB-COH", "id": "09871073"}
    assert supplier["details"] == {"scale": "large"}
    assert sorted(each["value"]["amount"] for each in compiled["contracts"]) == [5000, 15000]
    assert compiled["contracts"][0]["period"]["startDate"] == "2021-02-08T00:00:00+00:00"
    assert compiled["contracts"][0]["items"][0]["classification"]["scheme"] == "ProClass"
    # Searchable with everything else, and its supplier an organisation like any other.
    answer = orjson.loads(
        client.get("/api/ocds/processes", {"q": "Metrolink signals", "buyer": "GB-LAE-SLF"}).content
    )
    assert [each["ocid"] for each in answer["results"]] == [ocid]
    smes = orjson.loads(
        client.get("/api/ocds/processes", {"buyer": "GB-LAE-SLF", "awarded_sme": "true"}).content
    )
    assert smes["count"] > 100
    assert organisations.organisation(store, "GB-COH-09871073")["processes"] == 1

    again = lgtc.load(store, [SALFORD], council=COUNCIL)
    assert again.files[0].already == 300 and again.files[0].new == again.files[0].amended == 0
    assert log.log_size(store) == 300 and again.compiled == 0

    # An amended row (a new value, a date corrected) becomes a new release of its process.
    amended = tmp_path / "2022-07.csv"
    data = SALFORD.read_bytes()
    assert data.count(b"2022-09-31") == 2  # its end date, and its expiry (not mapped)
    amended.write_bytes(data.replace(b"2022-09-31", b"2022-09-30"))
    later = lgtc.load(store, [amended], council=COUNCIL, now=datetime(2030, 1, 1, tzinfo=UTC))
    assert (later.files[0].amended, later.files[0].already) == (1, 299)
    assert log.log_size(store) == 301 and later.compiled == 1
    [changed] = [each.ocid for each in later.files[0].parsed.contracts if each.row == 118]
    releases = _record(store, changed)["releases"]
    assert [each["id"].split("-")[1] for each in releases] == ["1", "2"]
    contract = _record(store, changed)["compiledRelease"]["contracts"]
    assert any(
        each.get("period", {}).get("endDate", "").startswith("2022-09-30") for each in contract
    )


# A register in the Local Government Association's columns, saved by Excel on Windows
# (Windows-1252, "£"), with day-first dates: one contract with its Open Contracting ID, one with
# an ocid that is none, a charity as supplier, a row without a title and a row with a stray cell.
LGA = (
    "OrganisationLabel,OrganisationURI,Contract reference number,Open Contracting ID,"
    "Contract title,Description,Contract type,CPV code,Contract start date,End date,"
    "Contract value,Supplier name,Supplier registered company number,"
    "Supplier registered charity number,SME supplier,VCSE supplier,Tender document URL,"
    "Review date\r\n"
    "Trafford Council,GB-LAE-TRF,TMBC/0042,ocds-b5fd17-0042-trafford,Grounds maintenance,"
    'Parks and verges,Services,77310000-6,01/04/2024,31/03/2027,"£1,250,000.00",'
    "Green Spaces Ltd,1234567,,Yes,No,https://www.find-tender.service.gov.uk/Notice/1,"
    "01/10/2026\r\n"
    "Trafford Council,GB-LAE-TRF,TMBC/0043,OC-43,Advice service,Debt advice,Services,,"
    '13/05/2024,12/05/2025,"£48,000",Citizens Advice Trafford,,1123456,No,Yes,www.example,\r\n'
    "Trafford Council,GB-LAE-TRF,TMBC/0044,,,,Works,,,,5000,Someone Ltd,,,,,,\r\n"
    "Trafford Council,GB-LAE-TRF,TMBC/0045,,Library roof,,Works,,,,9000,Roofs Ltd,,,,,,,extra\r\n"
)


def test_lga_columns_an_open_contracting_id_and_bad_rows_and_files(database, tmp_path, capsys):
    store = database.store
    path = tmp_path / "contracts-q1.csv"
    path.write_bytes(LGA.encode("cp1252"))
    report = lgtc.load(store, [path])
    said = report.files[0].as_dict()
    assert said["encoding"].startswith("Windows-1252 (guessed")
    assert said["councils"] == ["Trafford Council"]
    assert (said["contracts"], said["ocidsGiven"], said["ocidsMinted"]) == (2, 1, 1)
    assert said["refusedRows"] == [
        {"file": str(path), "row": 4,
         "reason": "'Contract title' is empty: a contract is published with its title"},
        {"file": str(path), "row": 5,
         "reason": "the row has 19 values and the header 18 columns: 'extra' is beyond the last "
         "column (a delimiter inside an unquoted value?)"},
    ]  # fmt: skip
    notes = [(note["row"], note["column"], note["message"][:40]) for note in said["notes"]]
    assert notes == [
        (3, "Open Contracting ID", "'OC-43' is not an ocid ('ocds-', a regis"),
        (3, "Tender document URL", "'www.example' is not a web address (http"),
    ]
    assert said["mapping"]["ignored"]["Review date"] == "OCDS has no review date"
    assert report.problems  # rows were refused: the command exits 1

    compiled = _record(store, "ocds-b5fd17-0042-trafford")["compiledRelease"]
    assert compiled["buyer"] == {"id": "GB-LAE-TRF", "name": "Trafford Council"}
    assert compiled["tender"]["mainProcurementCategory"] == "services"
    assert compiled["tender"]["documents"][0]["documentType"] == "tenderNotice"
    [contract] = compiled["contracts"]
    assert contract["value"] == {"amount": 1250000, "currency": "GBP"}
    assert contract["period"] == {
        "startDate": "2024-04-01T00:00:00+01:00",
        "endDate": "2027-03-31T23:59:59+01:00",
    }
    assert contract["items"][0]["classification"] == {"scheme": "CPV", "id": "77310000"}
    supplier = next(party for party in compiled["parties"] if "supplier" in party["roles"])
    assert supplier["identifier"] == {"scheme": "GB-COH", "id": "01234567"}  # zero-padded
    assert supplier["details"] == {"scale": "sme", "vcse": False}
    [minted] = [each.ocid for each in report.files[0].parsed.contracts if each.row == 3]
    charity = next(
        party
        for party in _record(store, minted)["compiledRelease"]["parties"]
        if "supplier" in party["roles"]
    )
    assert charity["identifier"] == {"scheme": "GB-CHC", "id": "1123456"}
    assert charity["details"] == {"scale": "large", "vcse": True}

    # Files that are no contracts register are refused whole, with why, and store nothing.
    size = log.log_size(store)
    payments = tmp_path / "spend.csv"
    payments.write_text("Payment Date,Beneficiary Name,Amount\n2024-01-02,Acme,10\n")
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('Contract title,Supplier name\n"Roads,Acme\nParks,Beta\n')
    workbook = tmp_path / "register.xlsx"
    workbook.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    refused = lgtc.load(store, [payments, unclosed, workbook], council=Body("Trafford Council"))
    reasons = [each.refused for each in refused.files]
    assert "load it with `openbook spend load`" in reasons[0]
    assert reasons[1].startswith("line 2: a quoted field starts in this row")
    assert reasons[2].startswith("this is a zip archive, such as an Excel workbook")
    assert log.log_size(store) == size

    # The command: the same report, and exit 1 for the refused rows; 2 for a bad option.
    code = cli.main(["lgtc", "load", str(path), "--json"])
    assert code == 1
    printed = orjson.loads(capsys.readouterr().out)
    assert printed["alreadyThere"] == 2 and printed["newProcesses"] == 0
    assert cli.main(["lgtc", "load", str(path), "--council-id", "GB-LAE-TRF"]) == 2
    assert cli.main(["lgtc", "load", str(path), "--council", "X", "--council-id", "GB-CHC-12"]) == 2
    assert "is not a GB-CHC id" in capsys.readouterr().err
