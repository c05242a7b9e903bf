"""GET /api/plans and below, and the plans register's bulk file: NAP5 loaded once per database
(with a progress update and a recorded field), read through real HTTP; bad parameters and
unknown ids refused with why."""

import gzip
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

import jsonschema
import orjson
import pytest
from django.test import Client

from openbook import plans
from openbook.export.snapshot import export
from tests.conftest import fresh_database, use_database

# The operation a path is an answer of, by its number of parts after /api/plans.
OPERATIONS = {
    0: "/api/plans",
    1: "/api/plans/{plan_id}",
    3: "/api/plans/{plan_id}/commitments/{commitment_id}",
    5: "/api/plans/{plan_id}/commitments/{commitment_id}/milestones/{milestone_id}",
}


@dataclass
class Loaded:
    url: str
    downloads: object
    never_exported: object


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def loaded(request, tmp_path_factory):
    with fresh_database(request.param, request) as database:
        store = database.store
        plans.load(store, recorded_by="test")
        plans.record_update(
            store, "uk-nap5", "5", "4", day="2023-05-01", status="complete",
            narrative="Reached.", evidence=[{"url": "https://example.org/a"}], recorded_by="test",
        )  # fmt: skip
        plans.record_field(store, "uk-nap5", "2", "leadBody", "Ministry of Justice",
                           source="https://example.org/moj", recorded_by="test")  # fmt: skip
        downloads = tmp_path_factory.mktemp("plans") / "downloads"
        never = tmp_path_factory.mktemp("plans") / "never-exported"
        with pytest.MonkeyPatch.context() as patch:
            # What the export measures reads no bulk download either (see ``client``).
            patch.setenv("OPENBOOK_DOWNLOADS_DIR", str(never))
            export(store, downloads, now=datetime(2024, 1, 1, 12, tzinfo=UTC))
        yield Loaded(database.url, downloads, never)


@pytest.fixture
def client(loaded, monkeypatch) -> Client:
    use_database(loaded.url)  # other tests point Django at their own databases
    # No bulk download to measure milestone 1/4 by: another module's export to the default
    # folder (the pages' site) must not make it complete here.
    monkeypatch.setenv("OPENBOOK_DOWNLOADS_DIR", str(loaded.never_exported))
    return Client()


def get(client, url: str, status: int = 200):
    """The answer's JSON, checked against what the OpenAPI document says it is."""
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    found = orjson.loads(response.content)
    document = orjson.loads(client.get("/api/openapi.json").content)
    parts = url.split("?", maxsplit=1)[0].removeprefix("/api/plans").count("/")
    template = OPERATIONS[parts]
    schema = document["paths"][template]["get"]["responses"][str(status)]["content"]
    validator = jsonschema.Draft202012Validator(
        {**schema["application/json"]["schema"], "components": document["components"]}
    )
    validator.validate(found)
    return found


def test_the_plan_its_commitments_and_milestones(client, loaded):
    [listed] = get(client, "/api/plans?on=2024-01-01")
    assert listed["id"] == "uk-nap5" and listed["shortTitle"] == "NAP5"
    assert listed["period"]["end"]["to"] == "2023-12-31"
    whole = get(client, "/api/plans/uk-nap5?on=2024-01-01")
    assert whole["summary"] == {**listed["summary"], "commitments": 6}
    assert whole["summary"]["byStatus"]["complete"] == 1 and whole["summary"]["overdue"] == 5
    # The same dict the use case (and a page) reads.
    from openbook.store.database import Store

    assert whole == orjson.loads(orjson.dumps(
        plans.plan(Store(), "uk-nap5", datetime(2024, 1, 1).date())
    ))  # fmt: skip
    updated = whole["commitments"][4]["milestones"][3]
    assert (
        updated["status"],
        updated["statusLabel"],
        updated["overdue"],
        updated["statusFrom"],
    ) == (
        "complete",
        "Complete",
        False,
        "update",
    )
    # Open contracting's milestones are measured: no metrics run here, so no evidence yet.
    measured = whole["commitments"][0]["milestones"]
    assert [m["statusFrom"] for m in measured] == ["measured"] * 5
    assert [m["measured"]["reason"] for m in measured[:3]] == ["no-run"] * 3
    assert measured[0]["measured"]["methodVersion"] == "1" and measured[0]["overdue"]
    assert whole["commitments"][1]["leadBody"]["value"] == "Ministry of Justice"
    assert [(f["commitment"], f["milestone"], f["code"]) for f in whole["flags"]][-1] == (
        "3",
        "2",
        "ends-before-start",
    )
    commitment = get(client, "/api/plans/uk-nap5/commitments/2")
    assert commitment == orjson.loads(orjson.dumps(plans.commitment(Store(), "uk-nap5", "2")))
    assert commitment["planTitle"] == whole["title"] and len(commitment["milestones"]) == 4
    assert [each["statement"]["statement"] for each in commitment["history"]] == [
        "facts", "field"
    ]  # fmt: skip
    assert commitment["history"][1]["statement"]["source"] == "https://example.org/moj"
    milestone = get(client, "/api/plans/uk-nap5/commitments/3/milestones/2?on=2022-03-31")
    assert milestone["overdue"] is False and milestone["end"]["asPublished"] == "March 2022"
    assert get(client, "/api/plans/uk-nap5/commitments/3/milestones/2?on=2022-04-01")["overdue"]
    assert milestone["flags"][0]["kind"] == "inconsistency"
    one = get(client, "/api/plans/uk-nap5/commitments/5/milestones/4")
    assert one == orjson.loads(orjson.dumps(plans.milestone(Store(), "uk-nap5", "5", "4")))
    history = one["history"]
    assert [each["id"] for each in history] == [1, 2]
    assert history[1]["statement"]["narrative"] == "Reached." and history[1]["leafHash"]
    # The bulk file: the plan as it read on the snapshot's day, as the API gives it.
    with gzip.open(loaded.downloads / "registers" / "plans.jsonl.gz") as file:
        [line] = [orjson.loads(each) for each in file]
    assert line == whole
    manifest = orjson.loads((loaded.downloads / "manifest.json").read_bytes())
    assert manifest["counts"]["registerEntries"]["plans"] == 1
    assert "registers/plans.jsonl.gz" in {each["name"] for each in manifest["files"]}


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/plans/uk-nap5?on=2024-13-01", 400, "on: '2024-13-01' is not a date"),
        ("/api/plans?on=yesterday", 400, "on: 'yesterday' is not a date"),
        ("/api/plans/uk-nap6", 404, "there is no plan 'uk-nap6': the plans are: uk-nap5"),
        ("/api/plans/uk-nap5/commitments/7", 404, "plan uk-nap5 has no commitment '7'"),
        ("/api/plans/uk-nap5/commitments/3/milestones/3", 404,
         "commitment uk-nap5/3 has no milestone '3': its milestones are 1, 2"),
        (f"/api/plans/{quote('UK NAP5')}", 404, "there is no plan 'UK NAP5' (ids are"),
        ("/api/plans/uk-nap5/commitments/%00", 404, "there is no commitment '\\x00'"),
        (f"/api/plans/{'a' * 5000}", 404, "there is no plan 'aaaa"),
    ],
)  # fmt: skip
def test_bad_requests_say_why(client, url, status, message):
    found = get(client, url, status)
    assert message in found["error"]["message"], found
