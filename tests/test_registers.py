"""The registers people enter (openbook.registers), on both databases: recording versions, and
the bulk files of a snapshot, which hold each entry as it stood at the snapshot's log size."""

import gzip
import threading

import orjson
import pytest
from django.db import connections

from openbook import registers
from openbook.export import export
from openbook.publishing.answers import Refused
from openbook.publishing.publishers import Actor
from openbook.store import log
from openbook.store.database import Store
from tests.publishing import create_publisher
from tests.web.test_registers_api import debarment, name_the_supplier

ADMIN = Actor("cli:test")


@pytest.fixture
def organisation(store):
    name_the_supplier(store)
    return create_publisher(store)


def record(store, organisation, entry, **changes):
    return registers.record(
        store, "debarment", entry, organisation=organisation, role="administrator",
        actor=ADMIN, **changes,
    )  # fmt: skip


def lines(path):
    with gzip.open(path) as file:
        return [orjson.loads(line) for line in file]


def test_each_version_is_a_statement_and_the_row_is_the_newest(store, organisation):
    first = record(store, organisation, debarment())
    assert (first.outcome, first.entry.entry_id, first.entry.version) == (
        "created",
        "DEB-000001",
        1,
    )
    second = record(
        store, organisation, debarment(status="removed"), entry_id_="DEB-000001", replaces=1
    )
    assert second.outcome == "updated" and second.entry.version == 2
    assert second.entry.created_time == first.entry.created_time
    statements = log.record_statements(store, "debarment", "DEB-000001")
    assert [s.entry.statement_id for s in statements] == ["1", "2"]
    assert [orjson.loads(s.body)["entry"]["status"] for s in statements] == ["active", "removed"]
    assert registers.entry(store, "debarment", "DEB-000001").status == "removed"
    with pytest.raises(Refused) as refused:
        record(store, organisation, debarment(), entry_id_="DEB-000001", replaces=1)
    assert refused.value.status == 409


def test_an_unknown_register_is_named(store):
    with pytest.raises(registers.UnknownRegister, match="debarment, complaints, challenges, supp"):
        registers.entries(store, "sanctions")


def test_the_snapshot_holds_each_entry_as_it_stood_at_its_log_size(store, organisation, tmp_path):
    record(store, organisation, debarment())
    record(store, organisation, debarment(summary="Convicted of fraud."))

    def change_meanwhile(size):
        # As an administrator would while the export runs: in another connection.
        def run():
            try:
                record(Store(), organisation, debarment(status="removed"),
                       entry_id_="DEB-000001", replaces=1)  # fmt: skip
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()

    manifest = export(store, tmp_path / "downloads", on_log_size=change_meanwhile)
    found = lines(tmp_path / "downloads" / "registers" / "debarment.jsonl.gz")
    assert [(entry["id"], entry["version"], entry["status"]) for entry in found] == [
        ("DEB-000001", 1, "active"),
        ("DEB-000002", 1, "active"),
    ]
    assert registers.entry(store, "debarment", "DEB-000001").status == "removed"
    api = registers.described(registers.entry(store, "debarment", "DEB-000002"))
    assert found[1] == api
    assert lines(tmp_path / "downloads" / "registers" / "complaints.jsonl.gz") == []
    assert manifest["counts"]["registerEntries"] == {
        "challenges": 0, "complaints": 0, "debarment": 2, "suppliers": 0, "plans": 0
    }  # fmt: skip
    derived = {file["name"]: file["count"] for file in manifest["derivedRegisters"]}
    assert derived == {
        "registers/pipeline.jsonl.gz": 0,
        "registers/commercial-tools.jsonl.gz": 0,
        "registers/performance.jsonl.gz": 0,
        "registers/ownership.jsonl.gz": 0,
        "registers/spend.jsonl.gz": 0,
    }
    names = {file["name"] for file in manifest["files"]}
    assert {"registers/debarment.jsonl.gz", "statements/debarment.jsonl.gz"} <= names


def test_administrators_keep_the_registers_from_the_command_line(store, organisation, tmp_path,
                                                                  capsys):  # fmt: skip
    from openbook import cli

    path = tmp_path / "entry.json"
    path.write_bytes(orjson.dumps(debarment()))
    publisher = organisation.org_id
    assert cli.main(["registers", "record", "debarment", str(path), "--publisher", publisher]) == 0
    assert "DEB-000001 version 1 (created)" in capsys.readouterr().out
    path.write_bytes(orjson.dumps(debarment(status="removed")))
    changed = ["registers", "record", "debarment", str(path), "--publisher", publisher,
               "--entry", "DEB-000001", "--version", "1"]  # fmt: skip
    assert cli.main(changed) == 0
    assert cli.main(changed) == 1  # version 1 is no longer the newest
    assert "is at version 2" in capsys.readouterr().err
    assert cli.main(["registers", "show", "debarment", "DEB-000001"]) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert [v["entry"]["status"] for v in shown["versions"]] == ["active", "removed"]
    assert cli.main(["registers", "list", "debarment"]) == 0
    assert "DEB-000001  v2  removed" in capsys.readouterr().out
    path.write_bytes(b"{not json")
    assert cli.main(["registers", "record", "debarment", str(path), "--publisher", publisher]) == 2


def test_entries_naming_any_of_many_organisations_are_read_at_once(store, organisation):
    from openbook.store import registers as stored

    entry = record(store, organisation, debarment()).entry
    listed = debarment()["supplier"]["identifier"]
    others = [f"GB-COH-00{number:06d}" for number in range(150)]  # sorted first: two chunks
    assert [e.entry_id for e in stored.naming(store, "debarment", [*others, listed])] == [
        entry.entry_id
    ]
    assert stored.naming(store, "debarment", others) == []
    assert stored.naming(store, "debarment", [listed[:-1]]) == []  # whole identifiers only
    assert stored.naming(store, "complaints", [listed]) == []
