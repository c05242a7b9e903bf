"""GET /api/ownership/{identifier}: who owns an organisation, through which companies, with what
share, on both databases."""

import gzip
from datetime import date, timedelta

import orjson
import pytest

from openbook import bods, psc_import
from openbook.store import log
from openbook.store import ownership as stored
from tests.conftest import SHARED_DATA
from tests.test_bods import entity
from tests.web.conftest import publish

PSC = sorted((SHARED_DATA / "uk-psc-source-samples").glob("psc-data-*.json"))


def company(record_id, number, name):
    statement = entity(record_id, f"{record_id}-statement-0000000000000000000", "2024-01-01")
    statement["recordDetails"] |= {
        "name": name,
        "identifiers": [{"scheme": "GB-COH", "id": number}],
    }
    return statement


def person(record_id, name, pep=False):
    details = {"isComponent": False, "personType": "knownPerson", "names": [{"fullName": name}]}
    if pep:
        details["politicalExposure"] = {"status": "isPep"}
    statement = entity(record_id, f"{record_id}-statement-0000000000000000000", "2024-01-01")
    statement |= {"recordType": "person", "recordDetails": details}
    return statement


def owns(record_id, subject, party, share, *, status="new", date="2024-01-02"):
    statement = entity(record_id, f"{record_id}-{status}-statement-0000000000000000", date, status)
    interests = [{"type": "shareholding", "share": share, "beneficialOwnershipOrControl": True}]
    statement |= {
        "recordType": "relationship",
        "declarationSubject": subject,
        "recordDetails": {
            "isComponent": False,
            "subject": subject,
            "interestedParty": party,
            "interests": interests,
        },
    }
    return statement


@pytest.fixture
def group(store, tmp_path):
    """A owned 60% by B; B half by Jane (a PEP) and half by C; C wholly by A: a circle. D has
    no owners on record; E's owner is not disclosed; F's owner was sold (closed)."""
    statements = [
        company("ent-a", "01111111", "Alpha Ltd"),
        company("ent-b", "02222222", "Beta Holdings Ltd"),
        company("ent-c", "03333333", "Gamma Ltd"),
        company("ent-d", "04444444", "Delta Ltd"),
        company("ent-e", "05555555", "Epsilon Ltd"),
        person("per-jane", "Jane Smith", pep=True),
        owns("rel-ab", "ent-a", "ent-b", {"exact": 60}),
        owns("rel-bj", "ent-b", "per-jane", {"minimum": 50, "maximum": 50}),
        owns("rel-bc", "ent-b", "ent-c", {"exclusiveMinimum": 25, "maximum": 50}),
        owns("rel-ca", "ent-c", "ent-a", {"exact": 100}),
        owns(
            "rel-ed",
            "ent-e",
            {"reason": "interestedPartyExemptFromDisclosure", "description": "protected"},
            {"exact": 100},
        ),
        owns("rel-dj", "ent-d", "per-jane", {"exact": 10}),
        owns("rel-dj", "ent-d", "per-jane", {"exact": 10}, status="closed", date="2024-06-01"),
    ]
    path = tmp_path / "group.json"
    path.write_bytes(orjson.dumps(statements))
    report = bods.load(store, [path])
    assert report.invalid == 0 and report.unusable == [], report.problems
    return store


def get(client, identifier):
    response = client.get(f"/api/ownership/{identifier}")
    return response.status_code, orjson.loads(response.content)


def test_every_path_to_the_ultimate_owners_with_its_share(client, group):
    status, found = get(client, "GB-COH-1111111")  # as any source writes the number
    assert status == 200
    [alpha] = found["records"]
    assert alpha["recordId"] == "ent-a" and alpha["name"] == "Alpha Ltd"
    paths = {tuple(step["party"] for step in path["steps"]): path for path in alpha["paths"]}
    assert set(paths) == {("ent-b", "per-jane"), ("ent-b", "ent-c", "ent-a")}
    to_jane = paths[("ent-b", "per-jane")]
    assert to_jane["end"] == "person"
    assert to_jane["share"] == {"minimum": 30.0, "maximum": 30.0}  # 60% of 50%
    circle = paths[("ent-b", "ent-c", "ent-a")]
    assert circle["end"] == "circular"
    assert circle["share"] == {"minimum": 15.0, "maximum": 30.0}  # 60% of 25-50%, of 100%
    assert [owner["recordId"] for owner in alpha["ultimateOwners"]] == ["per-jane"]
    flags = {flag["flag"] for flag in alpha["flags"]}
    assert flags == {"circular-ownership", "politically-exposed-owner"}
    assert alpha["parties"]["per-jane"] == {
        "known": True,
        "recordType": "person",
        "name": "Jane Smith",
    }


def test_what_the_data_cannot_say_is_flagged(client, group):
    _, delta = get(client, "GB-COH-04444444")  # its only owner sold out: the link is closed
    assert delta["records"][0]["paths"] == []
    assert [f["flag"] for f in delta["records"][0]["flags"]] == ["no-ownership-information"]
    _, epsilon = get(client, "ent-e")  # by its BODS record id
    [path] = epsilon["records"][0]["paths"]
    assert path["end"] == "unspecified"
    assert path["steps"][0]["unspecified"]["reason"] == "interestedPartyExemptFromDisclosure"
    assert epsilon["records"][0]["flags"][0]["flag"] == "owner-not-disclosed"


def test_an_owner_on_the_debarment_list_is_flagged(client, group):
    from openbook import registers
    from openbook.publishing.publishers import Actor
    from tests.publishing import create_publisher
    from tests.web.test_registers_api import debarment

    publish(
        group,
        [
            {
                "ocid": "ocds-b5fd17-beta",
                "id": "1",
                "date": "2024-01-01T00:00:00Z",
                "parties": [
                    {
                        "id": "b",
                        "name": "Beta Holdings Ltd",
                        "identifier": {"scheme": "GB-COH", "id": "02222222"},
                    }
                ],
            }
        ],
    )
    today = date.today()
    entry = debarment(
        supplier={"identifier": "GB-COH-02222222", "name": "Beta Holdings Ltd"},
        decisionDate=(today - timedelta(days=40)).isoformat(),
        startDate=(today - timedelta(days=30)).isoformat(),
        endDate=(today + timedelta(days=300)).isoformat(),
    )
    registers.record(
        group,
        "debarment",
        entry,
        organisation=create_publisher(group),
        role="administrator",
        actor=Actor("cli:test"),
    )
    _, alpha = get(client, "GB-COH-01111111")
    flags = [flag for flag in alpha["records"][0]["flags"] if flag["flag"] == "debarred-owner"]
    assert [flag["why"] for flag in flags] == ["ent-b is on the debarment list (DEB-000001)"]
    assert flags[0]["path"] == ["rel-ab"]
    [pep] = [f for f in alpha["records"][0]["flags"] if f["flag"] == "politically-exposed-owner"]
    assert pep["path"] == ["rel-ab", "rel-bj"] and "Jane Smith" in pep["why"]


def test_companies_house_data_traces_through_registered_companies(client, store):
    psc_import.import_psc(store, PSC)
    status, found = get(client, "GB-COH-04120481")
    assert status == 200
    [record] = found["records"]
    [path] = record["paths"]
    assert path["steps"][0]["party"] == "GB-COH-03530981" and path["end"] == "no-owners-known"
    assert path["share"] == {"minimum": 75.0, "maximum": 100.0}


def test_the_graph_is_rebuilt_from_the_records(client, group):
    with group.atomic() as cursor:
        cursor.execute("DELETE FROM ownership_link")
        cursor.execute("DELETE FROM ownership_identifier")
    assert get(client, "GB-COH-01111111")[0] == 404
    assert bods.index_ownership_again(group) > 0
    assert len(get(client, "GB-COH-01111111")[1]["records"][0]["paths"]) == 2
    assert stored.records_identified(group, "GB-COH-01111111") == ["ent-a"]


@pytest.mark.parametrize("identifier", ["GB-COH-09999999", "nobody", "GB-COH-ABC", "x" * 301])
def test_unknown_or_malformed_is_not_found(client, database, identifier):
    status, found = get(client, identifier)
    assert status in (400, 404) and found["error"]["message"]


def test_a_contracts_suppliers_are_flagged(client, group):
    publish(
        group,
        [
            {
                "ocid": "ocds-b5fd17-flags",
                "id": "1",
                "date": "2024-01-01T00:00:00Z",
                "tag": ["award"],
                "parties": [
                    {"id": "a", "name": "Alpha Ltd", "roles": ["supplier"],
                     "identifier": {"scheme": "GB-COH", "id": "01111111"}},
                    {"id": "z", "name": "Zeta Ltd", "roles": ["supplier"],
                     "identifier": {"scheme": "GB-COH", "id": "09999999"}},
                    {"id": "n", "name": "Nameless Trading", "roles": ["supplier"]},
                    {"id": "b", "name": "Council", "roles": ["buyer"]},
                ],
            }
        ],
    )  # fmt: skip
    response = client.get("/api/ocds/records/ocds-b5fd17-flags/ownership")
    assert response.status_code == 200
    suppliers = {s["name"]: s for s in orjson.loads(response.content)["suppliers"]}
    assert set(suppliers) == {"Alpha Ltd", "Zeta Ltd", "Nameless Trading"}
    alpha = {flag["flag"] for flag in suppliers["Alpha Ltd"]["flags"]}
    assert alpha == {"circular-ownership", "politically-exposed-owner"}
    assert suppliers["Alpha Ltd"]["ownership"] == "/api/ownership/GB-COH-01111111"
    assert [f["flag"] for f in suppliers["Zeta Ltd"]["flags"]] == ["no-ownership-information"]
    assert [f["flag"] for f in suppliers["Nameless Trading"]["flags"]] == [
        "supplier-not-identified"
    ]
    assert client.get("/api/ocds/records/ocds-b5fd17-none/ownership").status_code == 404


def test_a_record_and_its_statements(client, group):
    response = client.get("/api/bods/records/rel-dj")
    assert response.status_code == 200
    found = orjson.loads(response.content)
    assert found["record"]["closed"] is True and len(found["statements"]) == 2
    assert client.get("/api/bods/records/nothing-here").status_code == 404


def test_an_owner_in_a_jurisdiction_without_a_public_register_is_flagged(client, store, tmp_path):
    holding = company("ent-je", "00000001", "Island Holdings Ltd")
    holding["recordDetails"]["jurisdiction"] = {"name": "Jersey", "code": "JE"}
    statements = [company("ent-uk", "07777777", "Mainland Ltd"), holding,
                  owns("rel-uk-je", "ent-uk", "ent-je", {"exact": 100})]  # fmt: skip
    path = tmp_path / "offshore.json"
    path.write_bytes(orjson.dumps(statements))
    bods.load(store, [path])
    _, found = get(client, "GB-COH-07777777")
    [flag] = [f for f in found["records"][0]["flags"] if f["flag"].startswith("owner-in")]
    assert "Jersey" in flag["why"] and flag["source"]["url"].startswith("https://")


def test_the_jurisdictions_file_cites_a_source_for_every_entry():
    from openbook.standards.bods import ownership

    restricted = ownership.restricted_registers()
    assert {"JE", "GG", "IM"} <= set(restricted)
    for entry in restricted.values():
        assert entry["source"]["url"].startswith("https://") and entry["source"]["date"]
        assert entry["checked"] and entry["summary"]


def test_the_bulk_file_has_each_supplier_the_ownership_data_knows(client, group, tmp_path):
    from openbook.export import export

    publish(
        group,
        [
            {
                "ocid": "ocds-b5fd17-bulk",
                "id": "1",
                "date": "2024-01-01T00:00:00Z",
                "parties": [
                    {
                        "id": "a",
                        "name": "Alpha Ltd",
                        "roles": ["supplier"],
                        "identifier": {"scheme": "GB-COH", "id": "01111111"},
                    },
                    {
                        "id": "z",
                        "name": "Zeta Ltd",
                        "roles": ["supplier"],
                        "identifier": {"scheme": "GB-COH", "id": "09999999"},
                    },
                ],
            }
        ],
    )
    export(group, tmp_path / "downloads")
    with gzip.open(tmp_path / "downloads" / "registers" / "ownership.jsonl.gz") as file:
        lines = [orjson.loads(line) for line in file]
    assert [line["identifier"] for line in lines] == ["GB-COH-01111111"]
    [record] = lines[0]["records"]
    assert record["recordId"] == "ent-a"
    assert [owner["recordId"] for owner in record["ultimateOwners"]] == ["per-jane"]
    assert {flag["flag"] for flag in record["flags"]} == {
        "circular-ownership",
        "politically-exposed-owner",
    }


def test_layered_ownership_is_cut_short_and_says_so(client, store, tmp_path):
    """Four owners of every entity on every level: a million paths, cut at the limit."""
    statements = [company("lay-0-0", "01000000", "Base Ltd")]
    for level in range(1, 11):
        for n in range(4):
            statements.append(company(f"lay-{level}-{n}", f"0{level:02d}0000{n}", "Layer Ltd"))
    for level in range(10):
        subjects = ["lay-0-0"] if level == 0 else [f"lay-{level}-{n}" for n in range(4)]
        for subject in subjects:
            for n in range(4):
                statements.append(owns(f"rel-{subject}-{n}", subject, f"lay-{level + 1}-{n}",
                                       {"exact": 25}))  # fmt: skip
    path = tmp_path / "layers.json"
    path.write_bytes(orjson.dumps(statements))
    bods.load(store, [path])
    status, found = get(client, "lay-0-0")
    assert status == 200
    [record] = found["records"]
    assert len(record["paths"]) <= 2000
    assert "paths-truncated" in {flag["flag"] for flag in record["flags"]}


def test_the_statements_feed_gives_each_statement_once_in_log_order(client, group):
    publish(group, [{"ocid": "ocds-b5fd17-feed", "id": "1", "date": "2024-01-01T00:00:00Z"}])
    seen, url = [], "/api/bods/statements?limit=5"
    for _ in range(20):
        page = orjson.loads(client.get(url).content)
        if not page["statements"]:
            break
        seen += [item["seq"] for item in page["statements"]]
        url = page["next"]
    stored_seqs = [s.entry.seq for s in log.entries(group, 0, log.log_size(group))
                   if s.entry.register == "bods"]  # fmt: skip
    assert seen == stored_seqs and len(seen) == 13
    # Later statements come after the last page's `next`.
    more = tmp_statement_file(group)
    later = orjson.loads(client.get(url).content)
    assert [item["statement"]["recordId"] for item in later["statements"]] == [more]
    assert client.get("/api/bods/statements", {"after": "-1"}).status_code == 400
    assert client.get("/api/bods/statements", {"limit": "1001"}).status_code == 400


def tmp_statement_file(store):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "more.json"
        path.write_bytes(orjson.dumps([company("ent-new", "06666666", "Newco Ltd")]))
        bods.load(store, [path])
    return "ent-new"
