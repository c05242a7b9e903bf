"""A PSC that a newer Companies House snapshot no longer lists (openbook.psc_import.import_psc
with ``full_snapshot``, openbook.standards.bods.psc.no_longer_listed), on both databases, from the
real samples: its relationship is closed once, only for the companies a full snapshot lists,
and the ownership graph stops counting it."""

from datetime import date

import orjson
import pytest

from openbook import bods, cli, ownership, psc_import
from openbook.standards.bods import psc
from openbook.store import log
from openbook.store import ownership as stored_ownership
from tests.conftest import SHARED_DATA
from tests.web.conftest import publish

SAMPLES = SHARED_DATA / "uk-psc-source-samples"
PERSON = "GB-COH-PSC-FReSTxwXcJbAHBrerDpmTylkW48"  # 08209948's PSC, an individual
CEASED = "GB-COH-PSC-Z1EPZ-AyS_CpOQyqHfFzyRcbkdg"  # 08209948's ceased "no PSC" statement
OTHERS = {  # the PSCs of the other companies
    "GB-COH-PSC-m5XNR_-nKtmMDh9BkcfpD7Pzkic": "04120481",
    "GB-COH-PSC-55y0_U-Q2wwTXDXh6mmo0BJPpM8": "03136191",
    "GB-COH-PSC-2WsTqt0-Op6umaRp0uM6NR-3Kog": "07880581",
}


def sample(name):
    return orjson.loads((SAMPLES / name).read_bytes())


def first_records():
    """08209948 (a person, and a ceased statement), 04120481, 03136191, 07880581; the
    snapshot's totals lines."""
    return sample("psc-data-1.json") + sample("psc-data-8.json")


def without_person():
    """08209948 listed without its person, with its ceased statement alone; 07880581 as it
    was; the others not at all."""
    return [
        r
        for r in first_records()
        if r.get("company_number") == "07880581"
        or (r.get("company_number") == "08209948" and r["data"]["kind"] == psc.STATEMENT_KIND)
    ]


def snapshot(tmp_path, day, records, name=None):
    path = tmp_path / (name or f"psc-{day}.jsonl")
    path.write_bytes(b"\n".join(orjson.dumps({**r, "ContentDate": day}) for r in records))
    return path


def state(store):
    return {key: bods.record(store, key)["record"] for key in [PERSON, CEASED, *OTHERS]}


@pytest.fixture
def imported(store, tmp_path):
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2024-12-19", first_records())],
                             full_snapshot=True)  # fmt: skip
    assert report.no_longer_listed == 0 and report.unusable == [] and report.loaded > 0
    return store


def test_only_a_full_snapshot_closes_a_psc_it_no_longer_lists_and_only_once(imported, tmp_path):
    store = imported
    before = state(store)
    newer = snapshot(tmp_path, "2025-03-02", without_person())
    size = log.log_size(store)
    # Without --full-snapshot the file may be a part of the register: nothing is closed.
    partial = psc_import.import_psc(store, [newer])
    assert partial.no_longer_listed == 0 and partial.loaded == 0
    assert partial.as_dict()["fullSnapshot"] is False
    assert log.log_size(store) == size and state(store) == before

    full = psc_import.import_psc(store, [newer], full_snapshot=True)
    assert (full.no_longer_listed, full.loaded, full.not_closed) == (1, 1, [])
    after = state(store)
    closed = after.pop(PERSON)
    assert closed["closed"] and closed["recordStatus"] == "closed"
    assert closed["lastStatementDate"] == "2025-03-02"
    assert closed["recordDetails"] == before.pop(PERSON)["recordDetails"]  # no endDate invented
    assert after == before  # the others untouched: 04120481 and 03136191 are not in the file
    [*_, last] = bods.record(store, PERSON)["statements"]
    assert last["problems"] == []  # a valid BODS 0.4 statement
    statement = last["statement"]
    assert "not listed in the snapshot of 2025-03-02" in statement["source"]["description"]
    [note] = statement["annotations"]
    assert "gives no date on which it ceased" in note["description"]
    assert "not that it ended on that day" in note["description"]
    # The person and the company stay open: a person may own other companies.
    person = bods.record(store, f"{PERSON}-person")["record"]
    company = bods.record(store, "GB-COH-08209948")["record"]
    assert not person["closed"] and not company["closed"]

    size = log.log_size(store)
    for day in ("2025-03-02", "2025-04-01"):  # the same snapshot again, and a later one
        again = psc_import.import_psc(store, [snapshot(tmp_path, day, without_person())],
                                full_snapshot=True)  # fmt: skip
        assert (again.loaded, again.no_longer_listed, again.not_closed) == (0, 0, [])
    assert log.log_size(store) == size


def test_the_graph_and_the_supplier_flags_no_longer_count_it(imported, tmp_path):
    store = imported
    today = date.today().isoformat()
    publish(store, [{
        "ocid": "ocds-b5fd17-psc", "id": "1", "date": "2025-01-01T00:00:00Z", "tag": ["award"],
        "parties": [{"id": "s", "name": "! LTD", "roles": ["supplier"],
                     "identifier": {"scheme": "GB-COH", "id": "08209948"}}],
    }])  # fmt: skip

    def owned():
        [record] = ownership.owners(store, "GB-COH-08209948", today)["records"]
        [supplier] = ownership.of_process(store, "ocds-b5fd17-psc", today)
        return record, [flag["flag"] for flag in supplier["flags"]]

    record, flags = owned()
    assert [owner["recordId"] for owner in record["ultimateOwners"]] == [f"{PERSON}-person"]
    assert flags == []
    psc_import.import_psc(store, [snapshot(tmp_path, "2025-03-02", without_person())],
                    full_snapshot=True)  # fmt: skip
    record, flags = owned()
    assert record["paths"] == [] and record["ultimateOwners"] == []
    assert flags == ["no-ownership-information"]


def nothing_follows_a_closed_statement(store):
    """No record of the log has a statement after a closed one: neither appended after it nor
    compiled after it (BODS 0.4, recordStatus: ``closed`` is a record's final statement)."""
    by_record: dict[str, list[dict]] = {}
    for entry in bods.statements(store, None, 1000):
        by_record.setdefault(entry["statement"]["recordId"], []).append(entry["statement"])
    assert by_record and log.log_size(store) < 1000
    for record_id, statements in by_record.items():
        statuses = [s["recordStatus"] for s in statements]
        assert "closed" not in statuses[:-1], (record_id, statuses)
        record = bods.record(store, record_id)["record"]
        assert record["problems"] == [], record_id
        assert record["statements"] == [s["statementId"] for s in statements], record_id
    return by_record


def open_links(store, prefix=PERSON):
    return [
        link.relationship_id
        for link in stored_ownership.owners(store, ["GB-COH-08209948"])
        if not link.closed and link.relationship_id.startswith(prefix)
    ]


def test_a_psc_listed_again_starts_a_new_record_once(imported, tmp_path):
    store = imported
    gone = snapshot(tmp_path, "2025-03-02", without_person())
    psc_import.import_psc(store, [gone], full_snapshot=True)
    closed = bods.record(store, PERSON)
    # An older snapshot that lists it states nothing.
    older = psc_import.import_psc(store, [snapshot(tmp_path, "2025-01-01", first_records())])
    assert older.loaded == 0 and older.listed_again == [] and bods.record(store, PERSON) == closed
    # A later one starts a new record, with the same Companies House record (its etag
    # unchanged); the closed one gets nothing.
    back = snapshot(tmp_path, "2025-04-01", first_records())
    report = psc_import.import_psc(store, [back], full_snapshot=True)
    assert (report.loaded, report.no_longer_listed, report.not_closed) == (1, 0, [])
    assert report.listed_again == [
        f"{PERSON}~2: listed again in the snapshot of 2025-04-01, after {PERSON} was closed on "
        "2025-03-02 (in the snapshot of 2025-03-02)"
    ]
    assert bods.record(store, PERSON) == closed
    again = bods.record(store, f"{PERSON}~2")
    record, [statement] = again["record"], [s["statement"] for s in again["statements"]]
    assert record["recordStatus"] == "new" and not record["closed"]
    assert record["firstStatementDate"] == "2025-04-01" and record["problems"] == []
    assert record["recordDetails"] == closed["record"]["recordDetails"]
    assert again["statements"][0]["problems"] == []  # a valid BODS 0.4 statement
    assert statement["source"]["description"].endswith(
        f"listed again in the snapshot of 2025-04-01, after the closure of {PERSON}"
    )
    [note] = statement["annotations"]
    assert (note["statementPointerTarget"], note["motivation"]) == ("/recordId", "commenting")
    assert f"record {PERSON} was closed on 2025-03-02" in note["description"]
    assert open_links(store) == [f"{PERSON}~2"]  # the graph sees one relationship of the PSC
    owners = ownership.owners(store, "GB-COH-08209948", date.today().isoformat())["records"][0]
    assert [owner["recordId"] for owner in owners["ultimateOwners"]] == [f"{PERSON}-person"]
    # Again, and an older snapshot again: nothing.
    size = log.log_size(store)
    for path in (back, snapshot(tmp_path, "2025-01-01", first_records()), gone):
        report = psc_import.import_psc(store, [path], full_snapshot=True)
        assert (report.loaded, report.listed_again, report.after_closed) == (0, [], 0)
    assert report.not_closed[0].startswith(f"{PERSON}~2: not listed in the snapshot of 2025-03")
    assert log.log_size(store) == size
    # Gone again: the new record is closed; back changed (a new etag): a third record.
    gone = psc_import.import_psc(store, [snapshot(tmp_path, "2025-05-01", without_person())],
                           full_snapshot=True)  # fmt: skip
    assert gone.no_longer_listed == 1 and open_links(store) == []
    assert bods.record(store, f"{PERSON}~2")["record"]["closed"]
    changed = first_records()
    changed[0]["data"] |= {
        "etag": "changed",
        "natures_of_control": ["voting-rights-25-to-50-percent"],
    }
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-06-01", changed)])
    assert [line.split(":")[0] for line in report.listed_again] == [f"{PERSON}~3"]
    assert f"after {PERSON}~2 was closed on 2025-05-01" in report.listed_again[0]
    third = bods.record(store, f"{PERSON}~3")["record"]
    assert third["recordStatus"] == "new" and third["lastStatementDate"] == "2025-06-01"
    assert third["recordDetails"]["interests"][0]["type"] == "votingRights"
    assert open_links(store) == [f"{PERSON}~3"]
    # Changed again: an update of the newest record, dated its snapshot (it would otherwise be
    # dated by the PSC's notified_on, before the record's first statement).
    changed[0]["data"] |= {"etag": "changed again", "natures_of_control": ["ownership-of-"
                           "shares-75-to-100-percent"]}  # fmt: skip
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-07-01", changed)])
    assert (report.loaded, report.listed_again) == (2, [])  # the person's statement too
    third = bods.record(store, f"{PERSON}~3")["record"]
    assert (third["recordStatus"], third["lastStatementDate"]) == ("updated", "2025-07-01")
    assert third["recordDetails"]["interests"][0]["type"] == "shareholding"
    by_record = nothing_follows_a_closed_statement(store)
    assert [len(by_record[f"{PERSON}{suffix}"]) for suffix in ("", "~2", "~3")] == [2, 2, 2]
    # Every snapshot again, in any order: nothing.
    size = log.log_size(store)
    for day in ("2025-07-01", "2025-06-01", "2025-04-01", "2024-12-19"):
        psc_import.import_psc(store, [snapshot(tmp_path, day, changed if day >= "2025-06" else
                                         first_records())], full_snapshot=True)  # fmt: skip
    psc_import.import_psc(store, [snapshot(tmp_path, "2025-07-01", changed)], full_snapshot=True)
    assert log.log_size(store) == size
    assert open_links(store) == [f"{PERSON}~3"]


def test_a_corrected_ceasing_starts_a_new_record(imported, tmp_path):
    # Companies House corrects a ceased_on it recorded in error: the closed record takes no
    # statement; the PSC's relationship starts again as a new record.
    store, key = imported, "GB-COH-PSC-55y0_U-Q2wwTXDXh6mmo0BJPpM8"
    records = first_records()
    records[4]["data"] |= {"ceased_on": "2025-03-01", "etag": "ceased"}
    psc_import.import_psc(store, [snapshot(tmp_path, "2025-03-02", records)])
    closed = bods.record(store, key)
    assert closed["record"]["closed"]
    # The ceased PSC changed again, still ceased: nothing follows the closing statement.
    records[4]["data"]["etag"] = "ceased, changed"
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-03-20", records)])
    assert (report.after_closed, report.listed_again) == (1, [])
    assert report.loaded == 1  # the party's own record, which a new etag updates
    assert bods.record(store, key) == closed
    del records[4]["data"]["ceased_on"]
    records[4]["data"]["etag"] = "corrected"
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-04-01", records)])
    assert (report.loaded, report.after_closed) == (2, 0)  # the party's, the new record's
    assert report.listed_again[0].startswith(f"{key}~2: listed again in the snapshot of 2025-04")
    assert bods.record(store, key) == closed
    record = bods.record(store, f"{key}~2")["record"]
    assert not record["closed"] and record["lastStatementDate"] == "2025-04-01"
    assert "ceased" not in str(record["recordDetails"])  # no endDate
    # Ceased again, for real this time: the new record is closed, with its ceased_on.
    records[4]["data"] |= {"ceased_on": "2025-04-20", "etag": "ceased again"}
    psc_import.import_psc(store, [snapshot(tmp_path, "2025-05-01", records)])
    record = bods.record(store, f"{key}~2")["record"]
    assert record["closed"] and record["recordDetails"]["interests"][0]["endDate"] == "2025-04-20"
    nothing_follows_a_closed_statement(store)


def test_several_snapshots_in_one_import_keep_to_the_rule(store, tmp_path):
    # In one command, a snapshot that says the PSC ceased and a newer one that lists it again:
    # the statements of one import are not compiled until its end, and still nothing follows
    # the closing statement.
    key, records = "GB-COH-PSC-55y0_U-Q2wwTXDXh6mmo0BJPpM8", first_records()
    ceased = orjson.loads(orjson.dumps(records))
    ceased[4]["data"] |= {"ceased_on": "2025-03-01", "etag": "ceased"}
    changed = orjson.loads(orjson.dumps(records))
    changed[4]["data"]["etag"] = "changed"
    paths = [
        snapshot(tmp_path, "2024-12-19", records),
        snapshot(tmp_path, "2025-03-02", ceased),
        snapshot(tmp_path, "2025-04-01", records),
        snapshot(tmp_path, "2025-05-01", changed),
    ]
    report = psc_import.import_psc(store, paths)
    assert [line.split(":")[0] for line in report.listed_again] == [f"{key}~2"]
    assert [s["statement"]["recordStatus"] for s in bods.record(store, key)["statements"]] == [
        "new",
        "closed",
    ]
    again = bods.record(store, f"{key}~2")
    assert [s["statement"]["recordStatus"] for s in again["statements"]] == ["new", "updated"]
    assert again["record"]["lastStatementDate"] == "2025-05-01"
    nothing_follows_a_closed_statement(store)
    size = log.log_size(store)
    assert psc_import.import_psc(store, paths).loaded == 0 and log.log_size(store) == size
    # A snapshot older than the new record's newest statement, imported last, says the PSC
    # ceased: it does not close the record (its statement would not be the final one).
    ceased[4]["data"] |= {"ceased_on": "2025-04-10", "etag": "ceased after"}
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-04-15", ceased)])
    assert report.not_closed == [
        f"{key}~2: ceased in the snapshot of 2025-04-15, but a statement of it is dated "
        "2025-05-01: an older snapshot does not close it"
    ]
    assert not bods.record(store, f"{key}~2")["record"]["closed"]
    nothing_follows_a_closed_statement(store)


def test_a_statement_after_a_closed_one_is_a_problem_of_its_record(store, tmp_path):
    # Loaded data can break the rule that openbook's imports keep: the record says so.
    def entity(statement_id, day, status):
        return {
            "statementId": statement_id, "statementDate": day, "recordId": "ent-1",
            "recordType": "entity", "recordStatus": status, "declarationSubject": "ent-1",
            "publicationDetails": {"publicationDate": day, "bodsVersion": "0.4",
                                   "publisher": {"name": "Someone"}},
            "recordDetails": {"isComponent": False, "entityType": {"type": "registeredEntity"}},
        }  # fmt: skip

    path = tmp_path / "later.json"
    path.write_bytes(orjson.dumps([entity("s1", "2024-01-01", "new"),
                                   entity("s2", "2024-06-01", "closed")]))  # fmt: skip
    bods.load(store, [path])
    assert bods.record(store, "ent-1")["record"]["problems"] == []
    path.write_bytes(orjson.dumps([entity("s3", "2024-09-01", "updated")]))
    bods.load(store, [path])
    record = bods.record(store, "ent-1")["record"]
    assert not record["closed"]
    assert record["problems"] == [
        "a statement follows its closing statement 's2': recordStatus 'closed' is a record's "
        "final statement (BODS 0.4, recordStatus)"
    ]


def test_an_older_full_snapshot_closes_nothing_newer(imported, tmp_path):
    store = imported
    # A PSC first listed in the snapshot of 2025-03-02, notified long before it.
    added = orjson.loads(orjson.dumps(sample("psc-data-1.json")[0]))
    added["data"]["links"]["self"] = added["data"]["links"]["self"].replace("FReST", "AdDeD")
    added["data"]["etag"] = "added"
    psc_import.import_psc(store, [snapshot(tmp_path, "2025-03-02", [*first_records(), added])])
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-02-01", first_records())],
                             full_snapshot=True)  # fmt: skip
    assert report.no_longer_listed == 0 and report.loaded == 0
    [why] = report.not_closed
    assert why.startswith("GB-COH-PSC-AdDeDxwXcJbAHBrerDpmTylkW48: not listed in the snapshot "
                          "of 2025-02-01, but a statement of it is of 2025-03-02")  # fmt: skip


def test_malformed_input_closes_nothing_and_says_where(imported, tmp_path):
    store = imported
    size, before = log.log_size(store), state(store)
    broken = snapshot(tmp_path, "2025-03-02", without_person())
    broken.write_bytes(broken.read_bytes() + b'\n{"company_number": "0820')
    report = psc_import.import_psc(store, [broken], full_snapshot=True)
    assert report.no_longer_listed == 0 and report.loaded == 0
    assert [line.split(": ")[1] for line in report.unusable] == ["line 3"]
    assert report.not_closed == [
        "no relationship is closed as no longer listed: 1 record(s) could not be read or name "
        "no company, so the snapshot is not known to list every PSC of its companies"
    ]
    # A record of 08209948 that cannot be identified: that company is not known in full.
    records = without_person()
    records[0] = {**records[0], "data": {**records[0]["data"], "links": {}}}
    report = psc_import.import_psc(store, [snapshot(tmp_path, "2025-03-02", records)],
                             full_snapshot=True)  # fmt: skip
    assert report.no_longer_listed == 0 and report.loaded == 0
    assert report.unusable[0].endswith(
        "line 1: no links.self: the PSC cannot be identified; it is not stored"
    )
    assert report.not_closed == [
        "GB-COH-08209948: no relationship of this company is closed as no longer listed: one "
        "of its records could not be identified"
    ]
    assert log.log_size(store) == size and state(store) == before


def test_the_command(imported, tmp_path, capsys):
    # As Companies House's own files are: records without a date (ContentDate), the snapshot's
    # day in the file's name alone.
    newer = tmp_path / "persons-with-significant-control-snapshot-2025-03-02.txt"
    undated = [{k: v for k, v in r.items() if k != "ContentDate"} for r in without_person()]
    newer.write_bytes(b"\n".join(map(orjson.dumps, undated)))
    newer = str(newer)
    size = log.log_size(imported)
    for wrong, says in [
        ("2025-02-30", "'2025-02-30' is not a real date: day is out of range for month"),
        ("2/3/2025", "'2/3/2025' is not a date written YYYY-MM-DD, such as 2025-03-02"),
        ("2099-01-01", "'2099-01-01' is in the future (today is "),
        ("2015-12-31", "'2015-12-31' is before the register of people with significant"),
    ]:
        with pytest.raises(SystemExit) as exited:
            cli.main(["bods", "import-psc", "--full-snapshot", "--snapshot-date", wrong, newer])
        error = capsys.readouterr().err
        assert exited.value.code == 2 and f"argument --snapshot-date: {says}" in error, error
    with pytest.raises(psc.InvalidSnapshotDate, match="in the future"):
        psc_import.import_psc(imported, [newer], full_snapshot=True, snapshot_date="2099-01-01")
    assert log.log_size(imported) == size  # nothing stored
    assert cli.main(["bods", "import-psc", newer]) == 0
    assert "Not a full snapshot (--full-snapshot)" in capsys.readouterr().out
    given = ["--full-snapshot", "--snapshot-date", "2025-03-02", "--json", newer]
    assert cli.main(["bods", "import-psc", *given]) == 0
    found = orjson.loads(capsys.readouterr().out)
    assert (found["fullSnapshot"], found["closedNoLongerListed"], found["loaded"]) == (True, 1, 1)
    assert found["snapshotDate"] == "2025-03-02"
    # Closed on the snapshot's day, not the import's (so a snapshot of 2025-04-01 that lists
    # the PSC again, below, is newer than the closure).
    closed = bods.record(imported, PERSON)["record"]
    assert (closed["closed"], closed["lastStatementDate"]) == (True, "2025-03-02")
    closing = bods.record(imported, PERSON)["statements"][-1]["statement"]
    assert closing["source"]["description"].endswith("not listed in the snapshot of 2025-03-02")
    assert cli.main(["bods", "import-psc", "--full-snapshot", newer]) == 0
    assert "Full snapshot: 0 relationship(s) closed" in capsys.readouterr().out
    back = str(snapshot(tmp_path, "2025-04-01", first_records()))
    assert cli.main(["bods", "import-psc", back]) == 0
    assert f"new record, PSC listed again: {PERSON}~2: listed again" in capsys.readouterr().out
    assert cli.main(["bods", "import-psc", "--json", back]) == 0
    found = orjson.loads(capsys.readouterr().out)
    assert (found["loaded"], found["listedAgain"], found["afterClosed"]) == (0, [], 0)


def test_only_companies_house_relationships_are_closed_by_a_snapshot():
    record = sample("psc-data-1.json")[0]
    [*_, relationship] = psc.statements(record, lambda _: False, {})
    other = orjson.loads(orjson.dumps(relationship))
    other["publicationDetails"]["publisher"] = {"name": "Someone else"}
    other["statementId"] = "x" * 32
    assert "not stated by Companies House" in psc.no_longer_listed(
        [relationship, other], "2030-01-01", True
    )
    closing = psc.no_longer_listed([relationship], "2030-01-01", False)
    assert (
        isinstance(closing, dict) and "imported on 2030-01-01" in closing["source"]["description"]
    )


@pytest.mark.parametrize(
    ("record", "malformed", "subject"),
    [
        ({"data": {"kind": "totals#persons-of-significant-control-snapshot"}}, False, None),
        ("text", True, None),
        ({"company_number": " 0123ab ", "data": 5}, True, "GB-COH-0123AB"),
        ({"company_number": "1", "data": {"kind": psc.STATEMENT_KIND}}, True, "GB-COH-1"),
        ({"data": {"kind": psc.STATEMENT_KIND, "links": {"self": "/a/b"}}}, True, None),
    ],
)  # fmt: skip
def test_broken_records_are_told_from_records_about_no_one(record, malformed, subject):
    found = psc.statements(record, lambda _: False, {})
    assert isinstance(found, psc.Skipped)
    assert (found.malformed, found.subject) == (malformed, subject)
