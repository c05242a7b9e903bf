"""What the red flags read from the registers (openbook.store.flags), on both databases: the
debarment list, the register of suppliers and companies' incorporation dates from BODS, each
entered through its own use case."""

from dataclasses import replace

import orjson

from openbook import bods, registers, suppliers
from openbook.publishing.publishers import Actor
from openbook.standards.metrics import flags, reading
from openbook.standards.metrics.process import Process, Release
from openbook.store import flags as stored
from tests.publishing import create_publisher
from tests.test_bods import entity
from tests.test_supplier_claims import self_register
from tests.web.test_registers_api import debarment, name_the_supplier

ADMIN = Actor("cli:test")
NAMED = "GB-COH-01234567"  # the supplier a published process names (name_the_supplier)
OTHER = "GB-COH-07654321"  # a supplier only the register of suppliers knows


def company(record_id, number, founded):
    statement = entity(record_id, f"{record_id}-statement-0000000000000000000", "2024-01-01")
    statement["recordDetails"] |= {
        "identifiers": [{"scheme": "GB-COH", "id": number}],
        "foundingDate": founded,
    }
    return statement


def load_companies(store, tmp_path, *statements):
    path = tmp_path / "companies.json"
    path.write_bytes(orjson.dumps(list(statements)))
    report = bods.load(store, [path])
    assert report.invalid == 0 and report.unusable == [], report.problems


def register_supplier(store, administrator, identifiers):
    sent = {
        "legalName": "Other Grounds Ltd",
        "address": {"locality": "Leeds", "postalCode": "LS1 1AA"},
        "identifiers": identifiers,
        "sme": True,
        "vcse": False,
        "status": "active",
    }
    return suppliers.register(store, sent, administrator=administrator, actor=ADMIN)


def record_debarment(store, organisation, **changes):
    return registers.record(
        store,
        "debarment",
        debarment(**changes),
        organisation=organisation,
        role="administrator",
        actor=ADMIN,
    )


def test_an_empty_store_gives_an_empty_context(store):
    assert stored.context(store) == reading.Context()


def test_active_debarment_entries_under_every_identifier_of_the_supplier(store):
    administrator = create_publisher(store)
    name_the_supplier(store)
    # A supplier that registered itself claiming the named company's number, unverified (a
    # claim, which blocks nobody), and is debarred under its own supplier number.
    squatter = self_register(store, "bids@squat.example", "Squatter Ltd", [NAMED])
    number = register_supplier(store, administrator, [NAMED]).recorded.entry.entry_id
    record_debarment(store, administrator)  # DEB-000001, active
    record_debarment(store, administrator, status="removed")  # DEB-000002: not read
    record_debarment(store, administrator, status="suspended")  # DEB-000003: not read
    its_own = {"identifier": squatter, "name": "Squatter Ltd"}
    record_debarment(store, administrator, supplier=its_own)  # DEB-000004

    found = stored.context(store).debarred
    listed = reading.Debarment(
        "DEB-000001", "2025-01-15", "2027-01-14", "mandatory", "Schedule 6, paragraph 1"
    )
    squatters = replace(listed, entry_id="DEB-000004")
    # The squatter's debarment stays its own: not the company's whose number it only claims.
    assert found == {NAMED: (listed,), number: (listed,), squatter: (squatters,)}
    # The bulk files give the same, for anyone recomputing from a snapshot.
    from_files = reading.registers_context(
        list(registers.bulk(store, "debarment")), list(registers.bulk(store, "suppliers"))
    )
    assert from_files == stored.context(store)


def test_when_suppliers_registered_and_companies_were_incorporated(store, tmp_path):
    administrator = create_publisher(store)
    name_the_supplier(store)
    other = register_supplier(store, administrator, [OTHER]).recorded.entry
    load_companies(
        store,
        tmp_path,
        company("ent-named", "01234567", "2025-03-01"),
        company("ent-other", "07654321", "2019-05-20"),
        company("ent-unrelated", "05555555", "2025-01-01"),
    )

    registered = stored.context(store).registered
    assert registered[NAMED] == reading.Registration(
        "2025-03-01", reading.INCORPORATED, "foundingDate of BODS record ent-named"
    )
    # The registered supplier's company number gives its incorporation to its supplier number.
    assert registered[OTHER].day == registered[other.entry_id].day == "2019-05-20"
    assert registered[other.entry_id].source == reading.INCORPORATED
    # A company no process names and that did not register is not read.
    assert "GB-COH-05555555" not in registered


def test_a_registered_supplier_without_ownership_data_counts_from_the_day_it_joined(store):
    administrator = create_publisher(store)
    entry = register_supplier(store, administrator, [OTHER]).recorded.entry
    registered = stored.context(store).registered
    joined = reading.Registration(
        entry.created_time[:10],
        reading.PLATFORM,
        f"joined the register of suppliers as {entry.entry_id}",
    )
    assert registered == {OTHER: joined, entry.entry_id: joined}


def test_the_context_raises_the_register_flags(store, tmp_path):
    administrator = create_publisher(store)
    name_the_supplier(store)
    record_debarment(store, administrator)
    load_companies(store, tmp_path, company("ent-named", "01234567", "2025-03-01"))
    body = {
        "ocid": "ocds-b5fd17-1",
        "id": "award-1",
        "date": "2025-04-01T00:00:00Z",
        "tag": ["award"],
        "parties": [
            {"id": "s", "name": "Green Spaces Ltd", "roles": ["supplier"],
             "identifier": {"scheme": "GB-COH", "id": "1234567"}},
        ],
        "awards": [{"id": "1", "status": "active", "date": "2025-04-01",
                    "suppliers": [{"id": "s"}]}],
    }  # fmt: skip
    process = Process("ocds-b5fd17-1", (Release(1, "2025-04-01T00:00:00Z", "p", False, body),))
    raised = {f.flag: f for f in flags.flags(process, stored.context(store), reading.Settings())}
    assert raised["uk-debarred-supplier"].values["entry"] == "DEB-000001"
    assert raised["uk-new-supplier"].values["days"] == 31
