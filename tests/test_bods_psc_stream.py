"""Companies House streaming API events (its PSC stream: ``resource_kind``, ``resource_uri``,
``event``, ``data``) imported as BODS statements (openbook.psc_import.import_psc,
openbook.standards.bods.psc_stream), on both databases, from the real samples
made into events: a changed event states the PSC as a snapshot record would, of the event's
day; a deleted event closes its relationship once; events that are not about one PSC are
reported where they are, and store nothing."""

import orjson
import pytest

from openbook import bods, cli, psc_import
from openbook.standards.bods import psc
from openbook.store import log
from tests.conftest import SHARED_DATA

SAMPLES = SHARED_DATA / "uk-psc-source-samples"
PERSON = "GB-COH-PSC-FReSTxwXcJbAHBrerDpmTylkW48"  # 08209948's PSC, an individual
URI = "/company/08209948/persons-with-significant-control/individual/FReSTxwXcJbAHBrerDpmTylkW48"


def person_record() -> dict:
    [record] = [
        r
        for r in orjson.loads((SAMPLES / "psc-data-1.json").read_bytes())
        if r["data"].get("kind") == "individual-person-with-significant-control"
    ]
    return record


def event(kind: str, published: str, *, data: dict | None = None, uri: str = URI, **more):
    found = {
        "resource_kind": "company-psc-individual",
        "resource_uri": uri,
        "resource_id": str(uri).rsplit("/", 1)[-1],
        "event": {"type": kind, "published_at": f"{published}T09:30:00", "timepoint": 1},
        **more,
    }
    if data is not None:
        found["data"] = data
    return found


def events_file(tmp_path, name, events):
    path = tmp_path / name
    path.write_bytes(b"\n".join(orjson.dumps(each) for each in events))
    return path


def relationship(store):
    return bods.record(store, PERSON)


def test_a_changed_event_states_the_psc_and_a_deleted_one_closes_it_once(store, tmp_path):
    changed = events_file(
        tmp_path, "changed.jsonl", [event("changed", "2025-05-06", data=person_record()["data"])]
    )
    report = psc_import.import_psc(store, [changed])
    assert report.unusable == [] and report.loaded == 3  # company, person, relationship
    found = relationship(store)
    assert not found["record"]["closed"]
    [statement] = [each["statement"] for each in found["statements"]]
    assert statement["publicationDetails"]["publicationDate"] == "2025-05-06"
    # The same events again store nothing (the PSC record's etag makes the same statements).
    size = log.log_size(store)
    assert psc_import.import_psc(store, [changed]).loaded == 0 and log.log_size(store) == size

    deleted = events_file(tmp_path, "deleted.jsonl", [event("deleted", "2025-06-01")])
    report = psc_import.import_psc(store, [deleted])
    assert (report.deleted, report.loaded, report.not_closed) == (1, 1, [])
    assert report.as_dict()["closedDeleted"] == 1
    found = relationship(store)
    assert found["record"]["closed"] and found["record"]["lastStatementDate"] == "2025-06-01"
    closing = found["statements"][-1]
    assert closing["problems"] == []  # a valid BODS 0.4 statement
    said = closing["statement"]
    assert (
        "deleted from the register, as its streaming API reported on 2025-06-01"
        in (said["source"]["description"])
    )
    [note] = said["annotations"]
    assert (
        "streaming API reported this person with significant control's record deleted"
        in (note["description"])
    )
    assert "not that it ended on that day" in note["description"]
    # The person and the company stay open; the deletion again closes nothing more.
    assert not bods.record(store, "GB-COH-08209948")["record"]["closed"]
    size = log.log_size(store)
    again = psc_import.import_psc(store, [deleted])
    assert again.loaded == 0 and again.deleted == 0 and log.log_size(store) == size
    assert again.not_closed == [
        f"{PERSON}: deleted on 2025-06-01, but no open relationship record of this PSC is stated"
    ]


def test_changed_then_deleted_in_one_file_closes_after_the_change(store, tmp_path):
    stream = events_file(tmp_path, "stream.jsonl", [
        event("changed", "2025-05-06", data=person_record()["data"]),
        event("deleted", "2025-05-06"),
    ])  # fmt: skip
    report = psc_import.import_psc(store, [stream])
    assert (report.deleted, report.unusable, report.not_closed) == (1, [], [])
    found = relationship(store)
    assert found["record"]["closed"] and len(found["statements"]) == 2


def test_a_deletion_older_than_the_psc_news_closes_nothing(store, tmp_path):
    stream = events_file(tmp_path, "stream.jsonl", [
        event("changed", "2025-05-06", data=person_record()["data"]),
        event("deleted", "2025-05-01"),
    ])  # fmt: skip
    report = psc_import.import_psc(store, [stream])
    assert report.deleted == 0 and not relationship(store)["record"]["closed"]
    [why] = report.not_closed
    assert why.startswith(f"{PERSON}: deleted from the register, as its streaming API reported")
    assert "older news" in why


BAD = [
    ({"resource_kind": "company-psc-individual", "resource_uri": URI},
     "a streaming API event without an event of type changed or deleted"),
    (event("created", "2025-05-06"),
     "a streaming API event without an event of type changed or deleted"),
    (event("changed", "2025-05-06", uri="/company/08209948/officers/abc"),
     "is not a company's person with significant control"),
    (event("changed", "2025-05-06", uri=None),
     "a streaming API event whose resource_uri 'None' is not a company's"),
    ({**event("deleted", "2025-05-06"), "event": {"type": "deleted", "published_at": "soon"}},
     "a streaming API event of GB-COH-08209948 without a published_at date"),
    (event("changed", "2025-05-06"), "a changed event of GB-COH-08209948 without its data"),
    (event("changed", "2025-05-06", data="<script>alert(1)</script>"),
     "a changed event of GB-COH-08209948 without its data"),
    (event("changed", "2025-05-06", data={**person_record()["data"], "links": {
        "self": "/company/08209948/persons-with-significant-control/individual/OTHER"}}),
     "whose data's links.self is another PSC's than its resource_uri"),
]  # fmt: skip


@pytest.mark.parametrize("given, message", BAD)
def test_events_not_about_one_psc_are_reported_and_store_nothing(store, tmp_path, given, message):
    size = log.log_size(store)
    report = psc_import.import_psc(store, [events_file(tmp_path, "bad.jsonl", [given])])
    [unusable] = report.unusable
    assert unusable.startswith(f"{tmp_path / 'bad.jsonl'}: ") and message in unusable
    assert unusable.endswith("; it is not stored")
    assert report.loaded == 0 and log.log_size(store) == size


def test_a_changed_event_without_links_takes_its_resource_uri(store, tmp_path):
    data = {key: value for key, value in person_record()["data"].items() if key != "links"}
    report = psc_import.import_psc(store, [events_file(tmp_path, "e.jsonl", [
        event("changed", "2025-05-06", data=data)])])  # fmt: skip
    assert report.unusable == [] and relationship(store) is not None


def test_a_full_snapshot_holds_no_events_and_the_command_reports_deletions(store, tmp_path, capsys):
    stream = events_file(
        tmp_path, "changed.jsonl", [event("changed", "2025-05-06", data=person_record()["data"])]
    )
    report = psc_import.import_psc(store, [stream], full_snapshot=True)
    [unusable] = report.unusable
    assert "a streaming API event: a full snapshot holds snapshot records only" in unusable
    assert report.loaded == 0 and report.no_longer_listed == 0

    assert cli.main(["bods", "import-psc", str(stream), "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["loaded"] == 3
    deleted = events_file(tmp_path, "deleted.jsonl", [event("deleted", "2025-06-01")])
    assert cli.main(["bods", "import-psc", str(deleted)]) == 0
    assert "1 relationship(s) closed: the streaming API reported the PSC's record deleted" in (
        capsys.readouterr().out
    )
    assert bods.record(store, PERSON)["record"]["closed"]
    assert PERSON.startswith(psc.RELATIONSHIP_PREFIX)
