"""``openbook bods load`` appends several batches in one transaction
(openbook.bods.TRANSACTION_BATCHES): fewer commits and round trips to the database, and the
same log (each batch's statements by publisher, as ever), records, graph and report as a
transaction a batch, on both databases."""

import json
import math

import pytest

from openbook import bods
from tests.conftest import fresh_database
from tests.test_bods_compile_as_appended import statement, statements
from tests.test_bods_workers import state


def lines() -> list[str]:
    """Statements from two publishers, alternating (so each batch's are reordered by
    publisher), records given statements in later batches, a duplicate and a conflict, and
    lines that cannot be stored or read between them (the report says them in file order)."""
    found = [json.dumps(item) for item in statements()]
    found[7:7] = ['{"statementId": "cut', json.dumps({**statement("e-no-id", 9), "recordId": ""})]
    found[30:30] = ["[1, 2]", json.dumps({**statement("e-no-date", 9), "statementDate": None})]
    return found


def commits(store) -> list[int]:
    """A list that counts the store's commits from now on (transactions' ends)."""
    counted = [0]
    commit = store.connection.commit

    def counting() -> None:
        counted[0] += 1
        commit()

    store.connection.commit = counting
    return counted


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_batches_share_a_transaction_and_the_log_keeps_their_order(
    vendor, request, tmp_path, monkeypatch
):
    monkeypatch.setattr(bods, "BATCH", 3)
    path = tmp_path / "statements.jsonl"
    text = lines()
    path.write_text("\n".join(text) + "\n")
    batches = math.ceil(sum(1 for line in text if line.startswith('{"statementId": "')) / 3)
    found = []
    for transaction_batches in (1, 4):
        monkeypatch.setattr(bods, "TRANSACTION_BATCHES", transaction_batches)
        with fresh_database(vendor, request) as database:
            counted = commits(database.store)
            report = bods.load(database.store, [path])
            # And one for compiling the records given statements by a later transaction.
            transactions = math.ceil(batches / transaction_batches)
            assert transactions <= counted[0] <= transactions + 1
            found.append((state(database.store), report.as_dict()))
    one_a_batch, four_a_transaction = found
    assert four_a_transaction == one_a_batch
    report = one_a_batch[1]
    assert report["duplicates"] == 1 and report["conflicts"] == 1
    assert [message.split(": ")[1] for message in report["unusable"]] == [
        "line 8",
        "line 9",
        "line 31",
        "line 32",
    ]
    # Within a batch, the log holds one publisher's statements, then the other's.
    entries = one_a_batch[0][0]
    assert [(entry[2], entry[5]) for entry in entries[:3]] == [
        ("e0", "Register A"),
        ("r0", "Register A"),
        ("p0", "Register B"),
    ]
