"""360Giving grant files loaded into the grants register (openbook.grants, ``openbook grants``,
GET /api/grants), on both databases: real grant-makers' files reviewed against the standard's
schema, their recipients resolved to organisations the processes also name, the spreadsheet
form read as the JSON form is, loading again storing nothing, a changed grant its next version;
bad files and grants said precisely, with nothing stored lost."""

import subprocess
import sys

import orjson
import pytest
from django.test import Client

from openbook import cli, grants, transparency
from openbook.publishing.publishers import Actor
from openbook.records import compile_pending
from openbook.redaction import redact
from openbook.standards.grants import DATA
from openbook.store import log
from tests.conftest import SHARED_DATA
from tests.factories import create_release, create_statement
from tests.test_transparency import key_dir

__all__ = ["key_dir"]  # the fixture, from the transparency tests

TRAFFORD = SHARED_DATA / "lgtc-trafford" / "grants"
TRAFFORD_JSON = TRAFFORD / "trafford_council_voluntary_sector_grants.json"
TRAFFORD_CSV = TRAFFORD / "trafford_council_voluntary_sector_grants.csv"
GRANTNAV = SHARED_DATA / "360giving-publisher-files" / "grantnav-test-data"
FIXTURES = SHARED_DATA / "360giving-validator-fixtures"
# A Trafford grant to a charitable company that is also a council supplier (below).
CYRIL_FLINT = "360G-traffordmbc-VSG1345"


@pytest.fixture
def client(database) -> Client:
    return Client()


def _get(client: Client, path: str, **query) -> tuple[int, dict]:
    response = client.get(path, query)
    return response.status_code, orjson.loads(response.content)


def test_the_build_is_reproducible(tmp_path):
    """Rebuilding the 360Giving facts from the standard's files gives exactly the carried ones."""
    subprocess.run(
        [sys.executable, str(DATA.parents[3] / "scripts" / "build_grants_facts.py"),
         "--source", str(SHARED_DATA), "--output", str(tmp_path)],
        check=True,
    )  # fmt: skip
    for name in ("grant-schema.json", "columns.json", "codelists.json"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_grant_files_load_reviewed_and_resolved_and_read_through_the_api(
    database, client, tmp_path
):
    store = database.store
    supplier = {"id": "GB-COH-07962245", "name": "Cyril Flint Befrienders", "roles": ["supplier"],
                "identifier": {"scheme": "GB-COH", "id": "07962245"}}  # fmt: skip
    log.append(
        store,
        "ocds",
        [create_statement(create_release("ocds-test00-befriending", parties=[supplier]))],
        "Trafford Council",
    )
    compile_pending(store)
    size = log.log_size(store)

    report = grants.load(
        store, [TRAFFORD_JSON, TRAFFORD_CSV, GRANTNAV / "grantnav-20180903134856.json"]
    )
    as_json, as_csv, grantnav = (each.as_dict() for each in report.files)
    assert (as_json["loaded"], as_json["alreadyThere"], as_json["refusedGrants"]) == (555, 0, [])
    # The spreadsheet form of the same grants is read as the very same grants.
    assert (as_csv["format"], as_csv["loaded"], as_csv["alreadyThere"]) == ("csv", 0, 555)
    assert as_json["recipients"] == {
        "publisher's own id (360G-): not resolved": 289,
        "resolved by identifier": 266,
    }
    assert as_json["funders"] == {"Trafford Metropolitan Borough Council": 555}
    assert as_json["topProblems"] == []  # valid 360Giving
    assert grantnav["loaded"] == 5
    assert [(each["severity"], each["code"], each["path"]) for each in grantnav["topProblems"]] == [
        ("warning", "identifier", "recipientOrganization/*/charityNumber"),
        ("warning", "identifier", "recipientOrganization/*/id"),
    ]
    assert "'Exempt' is not a GB-CHC id" in grantnav["topProblems"][0]["example"]
    assert log.log_size(store) == size + 560 and not report.problems

    # A recipient resolved by its id, its charity number and its company number: the supplier of
    # the process above.
    status, found = _get(client, "/api/grants", recipient="GB-CHC-1146179")
    assert status == 200 and len(found["grants"]) == 5  # one a year, the first in 2013
    grant = found["grants"][0]
    assert grant["id"] == CYRIL_FLINT
    assert grant["recipients"] == [
        {"identifier": "GB-COH-07962245", "processes": 1},
        {"identifier": "GB-CHC-1146179", "processes": 0},
    ]
    assert grant["grant"]["amountAwarded"] == 3056.37 and grant["awardDate"] == "2013-01-18"
    assert grant["source"] == {
        "file": TRAFFORD_JSON.name,
        "sha256": report.files[0].sha256,
        "at": "grants[3]",
    }
    # The funder's grants, a page at a time, in award date order; and the most recent first:
    # the same grants exactly reversed (ties on a day broken by id, both ways).
    oldest = _every_page(client, funder="GB-LAE-TRF", limit=200)
    days = [day for page in oldest for day, _ in page]
    assert len(oldest) == 3 and len(days) == 555 and days == sorted(days)
    newest = _every_page(client, funder="GB-LAE-TRF", limit=200, order="newest")
    in_order = [each for page in oldest for each in page]
    assert [each for page in newest for each in page] == in_order[::-1]
    status, error = _get(client, "/api/grants", order="latest")
    assert status == 400 and error["error"]["parameter"] == "order"
    assert "'latest' is not one of oldest, newest" in error["error"]["message"]
    status, found = _get(client, "/api/grants", **{"from": "2024-01-01"})
    assert [each["awardDate"][:4] for each in found["grants"]] == ["2024"] * 5
    status, error = _get(client, "/api/grants", recipient="Cyril Flint")
    assert status == 400 and error["error"]["parameter"] == "recipient"
    assert _get(client, "/api/grants", cursor="nonsense")[0] == 400
    assert _get(client, "/api/grants/360G-nobody/1/2")[0] == 404

    # Again: nothing stored. A changed grant: its next version, the first kept.
    again = grants.load(store, [TRAFFORD_JSON])
    assert again.files[0].already == 555 and log.log_size(store) == size + 560
    document = orjson.loads(TRAFFORD_JSON.read_bytes())
    document["grants"][3]["amountAwarded"] = 3156.37
    changed = tmp_path / "grants.json"
    changed.write_bytes(orjson.dumps(document))
    later = grants.load(store, [changed])
    assert (later.files[0].updated, later.files[0].already) == (1, 554)
    status, history = _get(client, f"/api/grants/{CYRIL_FLINT}")
    assert status == 200 and history["version"] == 2
    amounts = [each["statement"]["grant"]["amountAwarded"] for each in history["statements"]]
    assert amounts == [3056.37, 3156.37]
    assert history["statements"][1]["publisher"] == "Trafford Metropolitan Borough Council"


def _every_page(client, **query) -> list[list[tuple[str, str]]]:
    """Each page of ``/api/grants`` with ``query``, following ``next``: (award date, id)."""
    pages, cursor = [], None
    while True:
        paging = {"cursor": cursor} if cursor else {}
        status, found = _get(client, "/api/grants", **query, **paging)
        assert status == 200
        pages.append([(each["awardDate"], each["id"]) for each in found["grants"]])
        cursor = found["next"]
        if cursor is None:
            return pages


def test_bad_grant_files_and_grants_are_refused_with_why_and_store_nothing(
    database, tmp_path, capsys, key_dir
):
    store = database.store
    html = tmp_path / "grants.csv"
    html.write_text("<!DOCTYPE html><html><body>Our grants</body></html>")
    report = grants.load(
        store,
        [
            FIXTURES / "fundingproviders-grants_malformed.json",
            SHARED_DATA / "360giving-publisher-files" / "dataquality-tools-data" / "data_all.json",
            FIXTURES / "oneof.csv",
            html,
            FIXTURES / "decimal_amounts.json",
        ],
    )
    refused = [each.refused for each in report.files]
    assert refused[0] == (
        "not valid JSON: line 10, column 15: unexpected character, expected a string key"
    )
    assert refused[1].startswith("not a 360Giving file: its JSON is not an object with")
    assert refused[2].startswith("its columns do not give Identifier. The headers found (line 1)")
    assert refused[3].startswith("this is a web page (HTML), not a CSV file")
    assert refused[4] is None
    missing = report.files[4].as_dict()["refusedGrants"]
    assert len(missing) == 7 and missing[0] == {
        "file": str(FIXTURES / "decimal_amounts.json"),
        "where": "grants[0]",
        "reason": '"id" is missing: a 360Giving grant is identified by its id',
    }
    assert log.log_size(store) == 0 and report.problems

    # Windows-1252 and a byte-order mark are read; a grant whose id comes twice with other
    # content keeps the first; a grant with every error is kept with its review.
    report = grants.load(
        store,
        [
            FIXTURES / "fundingproviders-grants_2_grants_cp1252.csv",
            FIXTURES / "bom.csv",
            FIXTURES / "fundingproviders-grants_fixed_2_grants.json",
            FIXTURES / "badfile_all_validation_errors.json",
        ],
    )
    cp1252, bom, twice, bad = (each.as_dict() for each in report.files)
    assert cp1252["encoding"].startswith("Windows-1252 (guessed") and cp1252["loaded"] == 2
    assert "Surname of applicant" in cp1252["mapping"]["otherColumns"]
    assert bom["encoding"] == "UTF-8 with a byte-order mark" and bom["loaded"] == 1
    assert twice["refusedGrants"][0]["reason"].startswith(
        "the id '360G-fundingproviders-000001/X/00/X' is given again, with other content, after "
        "grants[0]"
    )
    problems = {(each["code"], each["path"]): each["example"] for each in bad["topProblems"]}
    assert problems[("type", "amountAwarded")] == (
        '\'amountAwarded\': "This should be a number" is not of type "number"'
    )
    assert problems[("oneOf", "awardDate")].startswith("'awardDate' is not a date")
    assert problems[("minItems", "fundingOrganization")].endswith("has less than 1 item")
    [stored] = grants.history(store, "360G-sampletrust-105177/Z/14/Z")["statements"]
    assert stored["statement"]["grant"]["title"] == 9001  # kept as given, with its review
    assert {each["severity"] for each in stored["problems"]} == {"error"}

    # A grant redacted cannot be found by its recipient any more.
    before = grants.page(store, recipient="GB-COH-RC000000")["grants"]
    grant = before[0]
    transparency.sign_tree_head(store)
    redact(store, grant["seq"], "Personal data", Actor("cli:test"))
    after = grants.page(store, recipient="GB-COH-RC000000")["grants"]
    assert [each["id"] for each in after] == [each["id"] for each in before[1:]]
    assert grants.history(store, grant["id"])["statements"][0]["statement"] is None

    # The command: a report per file; exit 1 when anything was refused, 2 for a missing file.
    assert cli.main(["grants", "load", str(FIXTURES / "bom.csv")]) == 0
    assert "0 loaded, 0 updated (a new version), 1 already there" in capsys.readouterr().out
    assert cli.main(["grants", "load", str(FIXTURES / "oneof.csv")]) == 1
    assert cli.main(["grants", "load", str(tmp_path / "missing.json")]) == 2
    assert cli.main(["grants", "show", "--recipient", "nobody"]) == 2
    assert "--recipient:" in capsys.readouterr().err
    assert cli.main(["grants", "show", "--to", "2026/01/01"]) == 2
    assert "--to: '2026/01/01' is not YYYY-MM-DD" in capsys.readouterr().err
    assert cli.main(["grants", "show", "--recipient", "GB-COH-RC000000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(after) and after[0]["id"] in lines[0]
    assert cli.main(["grants", "show", after[0]["id"]]) == 0
    assert orjson.loads(capsys.readouterr().out)["statements"]
    assert cli.main(["grants", "show", "360G-nothing-here"]) == 1
    assert "no grant '360G-nothing-here'" in capsys.readouterr().err
