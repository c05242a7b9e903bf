"""Streaming API events mixed with snapshot records in one PSC import, imported again, and an
import that stops part way (openbook.psc_import, docs/bods.md "Companies House's streaming
API"), on both databases, from the real samples: a deletion closes a PSC stated earlier in the
same import from a snapshot record, wherever its statements are (in the log, or in the batch
not yet appended); the same events again add nothing; an import that stops has its appended
batches compiled and says so, without a stack trace; events that cannot be right are refused
where they are."""

import copy
from datetime import date, timedelta

import pytest

from openbook import bods, cli, psc_import
from openbook.standards.bods import psc, psc_stream
from openbook.store import log
from tests.test_bods_psc_stream import PERSON, URI, event, events_file, person_record


def numbered(count: int) -> list[dict]:
    """``count`` snapshot records of individual PSCs, each of its own company (three statements
    each: company, person, relationship)."""
    made = []
    for number in range(count):
        record = copy.deepcopy(person_record())
        company = f"{10000000 + number}"
        record["company_number"] = company
        record["data"]["links"]["self"] = (
            f"/company/{company}/persons-with-significant-control/individual/ID{number}"
        )
        record["data"]["etag"] = f"etag{number}"
        made.append(record)
    return made


def deletion(number: int, day: str = "2025-06-01") -> dict:
    uri = f"/company/{10000000 + number}/persons-with-significant-control/individual/ID{number}"
    return event("deleted", day, uri=uri)


@pytest.mark.parametrize("files", ["two files", "one file"])
def test_a_deletion_closes_a_psc_stated_from_a_snapshot_earlier_in_the_import(
    store, tmp_path, files
):
    deleted = event("deleted", "2025-06-01")
    if files == "two files":
        paths = [
            events_file(tmp_path, "snap.jsonl", [person_record()]),
            events_file(tmp_path, "stream.jsonl", [deleted]),
        ]
    else:
        paths = [events_file(tmp_path, "both.jsonl", [person_record(), deleted])]
    report = psc_import.import_psc(store, paths, snapshot_date="2025-05-06")
    assert (report.deleted, report.not_closed, report.unusable) == (1, [], [])
    found = bods.record(store, PERSON)["record"]
    assert found["closed"] and found["lastStatementDate"] == "2025-06-01"
    assert found["problems"] == []
    # Again: nothing more.
    size = log.log_size(store)
    again = psc_import.import_psc(store, paths, snapshot_date="2025-05-06")
    assert (again.loaded, again.deleted, again.listed_again) == (0, 0, [])
    assert log.log_size(store) == size


def test_the_command_closes_a_psc_of_a_snapshot_imported_with_its_deletion(store, tmp_path, capsys):
    snap = events_file(tmp_path, "snap.jsonl", [person_record()])
    stream = events_file(tmp_path, "stream.jsonl", [event("deleted", "2025-06-01")])
    arguments = ["bods", "import-psc", str(snap), str(stream), "--snapshot-date", "2025-05-06"]
    assert cli.main(arguments) == 0
    assert "1 relationship(s) closed: the streaming API reported" in capsys.readouterr().out
    assert bods.record(store, PERSON)["record"]["closed"]


def test_deletions_find_their_psc_in_the_log_and_in_the_batch_not_yet_appended(store, tmp_path):
    # 800 records are 2,400 statements: the first two batches are appended before the
    # deletions are read, the rest waits in the third.
    snap = events_file(tmp_path, "snap.jsonl", numbered(800))
    stream = events_file(tmp_path, "stream.jsonl", [deletion(0), deletion(500), deletion(799)])
    report = psc_import.import_psc(store, [snap, stream], snapshot_date="2025-05-06")
    assert (report.deleted, report.not_closed, report.unusable) == (3, [], [])
    for number in (0, 500, 799):
        assert bods.record(store, f"GB-COH-PSC-ID{number}")["record"]["closed"]
    assert not bods.record(store, "GB-COH-PSC-ID1")["record"]["closed"]


@pytest.mark.parametrize("deleted_on", ["2025-05-06", "2025-05-07"])
def test_the_same_events_imported_three_times_store_nothing_after_the_first(
    store, tmp_path, deleted_on
):
    data = person_record()["data"]
    stream = events_file(
        tmp_path,
        "stream.jsonl",
        [event("changed", "2025-05-06", data=data), event("deleted", deleted_on)],
    )
    first = psc_import.import_psc(store, [stream])
    assert (first.loaded, first.deleted) == (4, 1)  # company, person, relationship; closing
    closed = bods.record(store, PERSON)
    size = log.log_size(store)
    for _ in range(2):
        again = psc_import.import_psc(store, [stream])
        assert (again.loaded, again.listed_again, again.deleted) == (0, [], 0)
        assert log.log_size(store) == size
    assert bods.record(store, PERSON) == closed
    assert bods.record(store, psc.successor(PERSON, 2)) is None  # no record listed again


def test_a_snapshot_of_a_deletions_day_imported_again_adds_nothing(store, tmp_path):
    snap = events_file(tmp_path, "snap.jsonl", [person_record()])
    stream = events_file(tmp_path, "stream.jsonl", [event("deleted", "2025-05-06")])
    report = psc_import.import_psc(store, [snap, stream], snapshot_date="2025-05-06")
    assert report.deleted == 1
    size = log.log_size(store)
    again = psc_import.import_psc(store, [snap], snapshot_date="2025-05-06")
    assert (again.loaded, again.listed_again) == (0, [])
    assert log.log_size(store) == size


def test_an_import_that_stops_compiles_what_it_stored_and_says_so(
    store, tmp_path, monkeypatch, capsys
):
    def broken(statements, day):
        raise RuntimeError("forced failure")

    monkeypatch.setattr(psc_stream, "deleted", broken)  # a fault in the code, not the data
    snap = events_file(tmp_path, "snap.jsonl", numbered(400))
    stream = events_file(tmp_path, "stream.jsonl", [deletion(0)])
    size = log.log_size(store)
    with pytest.raises(psc_import.ImportStopped) as stopped:
        psc_import.import_psc(store, [snap, stream], snapshot_date="2025-05-06")
    # The one batch appended before it (1,000 statements) is stored and compiled; the rest of
    # what was read is not.
    report = stopped.value.report
    assert log.log_size(store) - size == report.loaded == 1000
    assert report.records == 1000
    assert bods.record(store, "GB-COH-PSC-ID0") is not None
    assert bods.record(store, "GB-COH-PSC-ID399") is None
    message = str(stopped.value)
    assert message.startswith(f"{stream}: line 1: the import stopped (RuntimeError: forced")
    assert "1,000 statement(s) stored" in message and "1,000 record(s) compiled" in message

    # The command says the same, without a stack trace, and stops with status 1.
    code = cli.main(["bods", "import-psc", str(snap), str(stream), "--snapshot-date",
                     "2025-05-06"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert err.startswith(f"openbook bods import-psc: {stream}: line 1: the import stopped")
    assert "0 statement(s) stored" in err  # the first run stored that batch already


# Three days on: tomorrow may already be today somewhere, and the day after for the machine.
LATER = (date.today() + timedelta(days=3)).isoformat()
REFUSED = [
    (event("deleted", "2025-05-06", uri=URI.rsplit("/", 1)[0] + "/"),
     "whose resource_uri '/company/08209948/persons-with-significant-control/individual/' "
     "ends with '/' where the PSC's id should be"),
    (event("deleted", "2025-05-06", uri=URI.rsplit("/", 1)[0]),
     "is not a company's person with significant control"),
    (event("changed", LATER, data=person_record()["data"]),
     f"a streaming API event of GB-COH-08209948 published on {LATER}, a day not yet begun"),
    (event("deleted", LATER),
     f"a streaming API event of GB-COH-08209948 published on {LATER}, a day not yet begun"),
]  # fmt: skip


@pytest.mark.parametrize("given, message", REFUSED)
def test_events_that_cannot_be_right_are_refused_where_they_are(store, tmp_path, given, message):
    stream = events_file(tmp_path, "stream.jsonl", [person_record(), given])
    size = log.log_size(store)
    report = psc_import.import_psc(store, [stream], snapshot_date="2025-05-06")
    [unusable] = report.unusable
    assert unusable.startswith(f"{stream}: line 2: a streaming API event")
    assert message in unusable and unusable.endswith("; it is not stored")
    assert report.deleted == 0 and log.log_size(store) - size == 3  # the snapshot record's
    assert not bods.record(store, PERSON)["record"]["closed"]
