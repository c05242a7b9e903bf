"""``openbook bods load`` compiles the records each batch starts from the statements in hand
(openbook.bods._append_compiling): what it stores must be exactly what compiling them from the
log gives (openbook.bods.compile_pending), on both databases."""

import gzip

import orjson
import pytest

from openbook import bods
from openbook.standards.bods import REGISTER
from openbook.store import records as stored


def statement(record_id, number, kind="entity", status="new", date="2024-01-01", **details):
    base = {
        "entity": {"isComponent": False, "entityType": {"type": "registeredEntity"}},
        "person": {"isComponent": False, "personType": "knownPerson"},
        "relationship": {"isComponent": False, "subject": "e1", "interests": []},
    }[kind]
    return {
        "statementId": f"{record_id}-{number}",
        "statementDate": date,
        "publicationDetails": {
            "publicationDate": date[:10],
            "bodsVersion": "0.4",
            "publisher": {"name": "Register A" if number % 2 else "Register B"},
        },
        "recordId": record_id,
        "recordType": kind,
        "recordStatus": status,
        "declarationSubject": record_id,
        "recordDetails": {**base, **details},
    }


def statements() -> list[dict]:
    """Records of one statement and of several, in one batch and across batches, from two
    publishers, out of date order; numbers RFC 8785 writes otherwise than orjson; a duplicate
    and a conflict."""
    found = []
    for n in range(12):
        found.append(
            statement(
                f"e{n}",
                1,
                name=f"Company {n}",
                identifiers=[{"scheme": "GB-COH", "id": f"{n:08d}"}, {"scheme": "GB-COH"}],
                extra={"share": 50.0, "big": 2**60, "tiny": 1e-7, "none": None},
            )
        )
        found.append(statement(f"p{n}", 2, "person", names=[{"fullName": f"P {n}"}]))
        found.append(
            statement(
                f"r{n}",
                3,
                "relationship",
                subject=f"e{n}",
                interestedParty=f"p{n}" if n % 3 else {"reason": "noBeneficialOwners"},
                interests=[{"type": "shareholding", "share": {"exact": 33.33 if n % 2 else 75}}],
            )
        )
        if n % 4 == 0:  # updated later in the file, and in another batch
            found.append(statement(f"e{n}", 4, status="updated", date="2023-06-01", name="Old"))
        if n % 5 == 0:
            found.append(statement(f"r{n}", 5, "relationship", "closed", "2025-01-01"))
    found.append(found[0])  # a duplicate
    found.append({**found[1], "recordDetails": {"personType": "unknownPerson"}})  # a conflict
    return found


def state(store) -> dict:
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT record_key, compiled, compile_error, statement_count, last_seq FROM record"
            " WHERE register = %s ORDER BY record_key",
            [REGISTER],
        )
        found: dict = {"records": cursor.fetchall()}
        cursor.execute("SELECT * FROM ownership_link ORDER BY relationship_id")
        found["links"] = [tuple(row) for row in cursor.fetchall()]
        cursor.execute("SELECT * FROM ownership_identifier ORDER BY identifier, record_id")
        found["identifiers"] = cursor.fetchall()
        cursor.execute("SELECT COUNT(*) FROM pending_record")
        found["pending"] = cursor.fetchone()[0]
    return found


@pytest.mark.parametrize(
    ("batch", "transaction_batches"), [(1, 1), (1, 5), (7, 1), (7, 5), (1000, 5)]
)
def test_records_compiled_with_their_batch_are_those_compiled_from_the_log(
    store, tmp_path, monkeypatch, batch, transaction_batches
):
    monkeypatch.setattr(bods, "BATCH", batch)
    monkeypatch.setattr(bods, "TRANSACTION_BATCHES", transaction_batches)
    given = statements()
    first = tmp_path / "first.jsonl"
    first.write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in given[:30]))
    later = tmp_path / "later.json.gz"  # a JSON array (read by ijson), gzipped
    later.write_bytes(gzip.compress(orjson.dumps(given[20:])))

    report = bods.load(store, [first])
    assert report.records == len({s["recordId"] for s in given[:30]})
    again = bods.load(store, [later])
    assert again.records == len({s["recordId"] for s in given[30:-2]})  # with new statements
    assert again.duplicates == 11 and again.conflicts == 1
    loaded = state(store)
    assert loaded["pending"] == 0 and len(loaded["records"]) == 36

    stored.mark_all_pending(store, REGISTER)
    assert bods.compile_pending(store) == 36
    assert state(store) == loaded


@pytest.mark.parametrize("transaction_batches", [1, 2, 5])
def test_a_record_in_several_batches_is_counted_once(
    store, tmp_path, monkeypatch, transaction_batches
):
    monkeypatch.setattr(bods, "BATCH", 2)
    monkeypatch.setattr(bods, "TRANSACTION_BATCHES", transaction_batches)
    path = tmp_path / "updates.jsonl"
    updates = [statement("e1", n, status="new" if n == 1 else "updated") for n in range(1, 8)]
    path.write_bytes(b"".join(orjson.dumps(s) + b"\n" for s in updates))
    report = bods.load(store, [path])
    assert report.loaded == 7 and report.records == 1
    record = bods.record(store, "e1")["record"]
    assert record["statements"] == [f"e1-{n}" for n in range(1, 8)]


def reversed_keys(value):
    """The value with every object's keys in reverse order: as far from sorted as can be."""
    if isinstance(value, dict):
        return {key: reversed_keys(value[key]) for key in reversed(list(value))}
    if isinstance(value, list):
        return [reversed_keys(item) for item in value]
    return value


@pytest.mark.parametrize("batch", [1, 1000])
def test_plain_statements_compile_as_given_to_what_reading_back_gives(
    store, tmp_path, monkeypatch, batch
):
    """Plain entity and person statements are compiled as read, not as read back from their
    canonical text (openbook.bods._AsGiven): the records and graph rows must not tell, whatever
    the order of their keys, and whatever shape an invalid one has: an object for a subject, an
    array for a record type (alone, and in a record of two statements)."""
    monkeypatch.setattr(bods, "BATCH", batch)
    given = [
        statement(
            "e1",
            1,
            name="Ünïcode Ltd",
            identifiers=[{"scheme": "gb-coh", "id": " 1234567 "}, {"id": "X", "scheme": "XI-X"}],
            extension={"z": [{"y": 1, "b": {"d": None, "c": True}}], "a": 12.5},
        ),
        statement("p1", 2, "person", names=[{"fullName": "P", "type": "legal"}], weight=70.25),
        {**statement("e2", 3), "declarationSubject": {"z": 1, "a": {"c": 2, "b": 3}}},
        {**statement("e3", 4), "recordType": ["entity", {"b": 1, "a": 2}]},
        {**statement("e4", 5), "recordType": ["person"]},
        {**statement("e4", 6, status="updated", date="2024-02-01"), "recordType": {"b": 1}},
        statement("p2", 7, "person", status="updated", date="2024-03-01", names=[]),
        statement("p2", 8, "person", date="2024-01-01", names=[{"fullName": "Q"}]),
    ]
    path = tmp_path / "plain.jsonl"
    path.write_bytes(b"".join(orjson.dumps(reversed_keys(s)) + b"\n" for s in given))
    report = bods.load(store, [path])
    assert report.loaded == 8 and report.records == 6 and not report.unusable
    loaded = state(store)
    assert bods.record(store, "e4")["record"]["problems"][0].startswith(
        "its statements give several record types"
    )

    stored.mark_all_pending(store, REGISTER)
    assert bods.compile_pending(store) == 6
    assert state(store) == loaded
