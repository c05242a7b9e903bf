"""Loading spending files into the spend register (openbook.spend, ``openbook spend``), on both
databases: every sample body's files with their counts and totals, reloading storing nothing,
amended files becoming exactly their corrections, and bad files storing nothing."""

import re
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from openbook import cli, spend, transparency
from openbook.publishing.publishers import Actor
from openbook.redaction import redact
from openbook.standards.spend.transactions import Body
from openbook.store import log, publishers
from openbook.store import spend as stored
from tests.conftest import SHARED_DATA
from tests.test_transparency import key_dir

SAMPLES = SHARED_DATA / "uk-spend-samples"
TRAFFORD = SHARED_DATA / "lgtc-trafford" / "supplier_spend" / "trafford-supplier-spend-2026-27.csv"


def sample(path: Path, tmp_path: Path, lines: int | None) -> Path:
    """The file, or its first ``lines`` lines under its own name (to keep the suite quick)."""
    if lines is None:
        return path
    cut = tmp_path / path.name
    cut.write_bytes(b"\n".join(path.read_bytes().split(b"\n")[:lines]) + b"\n")
    return cut


# (file, --body, lines kept, rows, loaded, refused, total in GBP, withheld suppliers); the totals
# were checked against a plain sum of each file's amount column.
CASES = [
    (SAMPLES / "cabinetoffice/clean/2022-04.csv", "Cabinet Office", None, 451, 451, 0,
     "172754090.03", 0),
    (SAMPLES / "cabinetoffice/clean/2019-07.csv", "Cabinet Office", None, 223, 223, 0,
     "32256356.49", 0),
    (SAMPLES / "darlington/clean/2022-09.csv", "Darlington Borough Council", 401, 400, 400, 0,
     "4320319.48", 0),
    (SAMPLES / "london/clean/2021-P10.csv", "Greater London Authority", None, 1048, 1048, 0,
     "71683352.63", 0),
    (SAMPLES / "manchester/clean/2022-05.csv", None, 401, 400, 400, 0, "29841876.34", 38),
    (SAMPLES / "networkrail/clean/2021-04.csv", "Network Rail", None, 1464, 1462, 0,
     "410476063.55", 0),
    (SAMPLES / "salford/clean/2022-06.csv", None, None, 1809, 1808, 1, "23350241.42", 239),
    (SAMPLES / "sheffield/clean/2016-07.csv", None, 401, 400, 400, 0, "3391229.06", 66),
    (SAMPLES / "tfl/clean/2023-P03.csv", "Transport for London", 401, 400, 400, 0,
     "445156659.78", 0),
    (TRAFFORD, None, 401, 400, 400, 0, "7532395.14", 42),
]  # fmt: skip


def test_every_sample_body_loads_with_its_counts_and_totals_and_again_stores_nothing(
    store, tmp_path
):
    loads = []
    for path, body, lines, rows, loaded, refused, total, withheld in CASES:
        given = spend.resolve_body(store, body) if body else None
        folder = tmp_path / str(len(loads))
        folder.mkdir()
        file = sample(path, folder, lines)
        size = log.log_size(store)
        [found] = spend.load(store, [file], body=given).files
        assert found.refused is None, path
        parsed = found.parsed
        assert (parsed.rows, found.loaded, len(parsed.refused)) == (rows, loaded, refused), path
        assert parsed.totals() == {"GBP": Decimal(total)}, path
        assert log.log_size(store) == size + loaded, path
        redacted = [
            each for each in parsed.transactions if each.transaction["supplier"].get("redacted")
        ]
        assert len(redacted) == withheld, path
        assert all("name" not in each.transaction["supplier"] for each in redacted)
        loads.append((file, given, loaded))
    size = log.log_size(store)
    for file, given, loaded in loads:
        again = spend.load(store, [file], body=given)
        assert again.files[0].already == loaded and again.count("loaded") == 0, file
    assert log.log_size(store) == size  # nothing stored twice
    _a_statement_keeps_its_file_row_and_body_and_not_its_row_in_its_identity(store)


def _a_statement_keeps_its_file_row_and_body_and_not_its_row_in_its_identity(store):
    first = log.entries(store, 0, 1)[0]  # Cabinet Office, April 2022, row 2
    body = orjson.loads(first.body)
    assert first.entry.register == "spend" and first.entry.publisher == "Cabinet Office"
    assert body["source"] == {"file": "2022-04.csv", "row": 2, "sha256": body["source"]["sha256"]}
    assert body["identity"] == {
        "body": "cabinet-office",
        "transactionNumber": "20002221",
        "line": 1,
    }
    assert body["transaction"]["date"] == "2022-04-29"
    assert first.entry.record_key.startswith("cabinet-office:")


def test_what_the_report_says_of_a_file(store):
    path = SAMPLES / "networkrail/clean/2021-04.csv"
    [found] = spend.load(store, [path], body=Body("Network Rail")).as_dict()["files"]
    assert found["encoding"] == "UTF-8" and found["dates"] == "year-month-day (1,462)"
    assert found["mapping"]["fields"]["amount"] == {"column": "Spend", "how": "known"}
    assert found["mapping"]["fields"]["unit"] == {"column": "Category Family", "how": "known"}
    assert found["totalsRows"] == [{"row": 1464, "amount": "410476063.55"}]
    assert found["skipped"] == [
        {"row": 1465, "reason": "not a payment (no amount and no supplier): "
         "'© Copyright Network Rail 2021'"}
    ]  # fmt: skip
    assert "the rows read add up to it" in found["notes"][0]
    assert found["totals"] == {"GBP": "410476063.55"}
    path = SAMPLES / "cabinetoffice/clean/2019-07.csv"
    [found] = spend.load(store, [path], body=Body("Cabinet Office")).as_dict()["files"]
    assert found["encoding"] == (
        "Windows-1252 (guessed: not UTF-8 from line 138; ISO-8859-1 reads it the same)"
    )


ORIGINAL = (
    "Date,Supplier,Amount,Transaction number,Expense type\n"
    "2022-04-01,Acme Ltd,100.00,T1,Paper\n"
    "2022-04-01,Acme Ltd,50.00,T1,Ink\n"
    "2022-04-02,Beta Ltd,200.00,T2,Cleaning\n"
    "2022-04-03,Gamma Ltd,300.00,T3,Catering\n"
    "2022-04-04,Delta Ltd,400.00,T4,Security\n"
)
# A row inserted, T2 changed, T3 removed, T4 moved up; T1's two lines as they were.
AMENDED = (
    "Spend over £500: April 2022 (amended)\n"
    "Date,Supplier,Amount,Transaction number,Expense type\n"
    "2022-03-31,Omega Ltd,10.00,T0,Paper\n"
    "2022-04-04,Delta Ltd,400.00,T4,Security\n"
    "2022-04-01,Acme Ltd,100.00,T1,Paper\n"
    "2022-04-01,Acme Ltd,50.00,T1,Ink\n"
    "2022-04-02,Beta Ltd,210.00,T2,Cleaning\n"
)
COUNCIL = Body("Example Borough Council")


def write(folder: Path, content: str, name: str = "2022-04.csv") -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def outcome(report) -> tuple[int, int, int, int, int]:
    [found] = report.files
    assert found.refused is None, found.refused
    return found.loaded, found.already, found.corrected, found.reinstated, found.withdrawn


def by_supplier(store) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for each in spend.page(store, limit=500)["transactions"]:
        found.setdefault(each["transaction"]["supplier"]["name"], []).append(each)
    return found


def test_an_amended_file_becomes_exactly_its_corrections(store, tmp_path):
    assert outcome(spend.load(store, [write(tmp_path, ORIGINAL)], body=COUNCIL)) == (5, 0, 0, 0, 0)
    before = by_supplier(store)
    size = log.log_size(store)
    amended = write(tmp_path, AMENDED)
    assert outcome(spend.load(store, [amended], body=COUNCIL)) == (1, 3, 1, 0, 1)
    assert log.log_size(store) == size + 3  # T0 new, T2 corrected, T3 withdrawn
    after = by_supplier(store)
    assert after["Beta Ltd"][0]["id"] == before["Beta Ltd"][0]["id"]
    assert (
        after["Beta Ltd"][0]["version"] == 2
        and after["Beta Ltd"][0]["transaction"]["amount"] == 210
    )
    assert "Gamma Ltd" not in after
    gamma = spend.history(store, before["Gamma Ltd"][0]["id"])
    assert gamma["status"] == "withdrawn"
    withdrawal = gamma["statements"][-1]["statement"]
    assert withdrawal["status"] == "withdrawn" and withdrawal["source"]["file"] == "2022-04.csv"
    assert withdrawal["withdrawal"]["reason"].startswith("no longer in 2022-04.csv as loaded on")
    assert [each["id"] for each in after["Acme Ltd"]] == [each["id"] for each in before["Acme Ltd"]]
    # Again: nothing.
    assert outcome(spend.load(store, [amended], body=COUNCIL)) == (0, 5, 0, 0, 0)
    assert log.log_size(store) == size + 3


WITHOUT_NUMBERS = (
    "Date,Supplier,Amount,Category\n"
    "2022-04-01,Acme Ltd,100.00,Track\n"
    "2022-04-01,Acme Ltd,100.00,Track\n"
    "2022-04-02,Beta Ltd,200.00,Signals\n"
    "2022-04-03,Gamma Ltd,300.00,Fencing\n"
)
# Beta's category changed (a correction); Gamma's amount changed (a removal and an insertion,
# as the amount is part of its identity); one of Acme's two like payments removed.
WITHOUT_NUMBERS_AMENDED = (
    "Date,Supplier,Amount,Category\n"
    "2022-04-03,Gamma Ltd,310.00,Fencing\n"
    "2022-04-02,BETA LIMITED,200,Telecoms\n"
    "2022-04-01,Acme Ltd,100.00,Track\n"
)


def test_without_transaction_numbers_date_amount_and_supplier_are_the_identity(store, tmp_path):
    first = write(tmp_path, WITHOUT_NUMBERS, "week-14.csv")
    assert outcome(spend.load(store, [first], body=COUNCIL)) == (4, 0, 0, 0, 0)
    before = by_supplier(store)
    assert len({each["id"] for each in before["Acme Ltd"]}) == 2  # lines 1 and 2
    amended = write(tmp_path, WITHOUT_NUMBERS_AMENDED, "week-14.csv")
    assert outcome(spend.load(store, [amended], body=COUNCIL)) == (1, 1, 1, 0, 2)
    after = by_supplier(store)
    assert after["BETA LIMITED"][0]["id"] == before["Beta Ltd"][0]["id"]
    assert after["Gamma Ltd"][0]["id"] != before["Gamma Ltd"][0]["id"]
    assert [each["identity"]["line"] for each in after["Acme Ltd"]] == [1]
    # The original again: what it had comes back, what it did not have goes.
    back = write(tmp_path, WITHOUT_NUMBERS, "week-14.csv")
    assert outcome(spend.load(store, [back], body=COUNCIL)) == (0, 1, 1, 2, 1)
    assert {each["id"] for each in by_supplier(store)["Acme Ltd"]} == {
        each["id"] for each in before["Acme Ltd"]
    }


def test_a_file_with_rows_refused_withdraws_nothing(store, tmp_path):
    spend.load(store, [write(tmp_path, ORIGINAL)], body=COUNCIL)
    broken = ORIGINAL.replace("300.00,T3", "three hundred,T3").replace(
        "2022-04-04,Delta Ltd,400.00,T4,Security\n", ""
    )
    report = spend.load(store, [write(tmp_path, broken)], body=COUNCIL)
    [found] = report.files
    assert found.withdrawn == 0 and found.held_back == 2
    assert found.as_dict()["refusedRows"] == [
        {"file": str(tmp_path / "2022-04.csv"), "row": 5,
         "reason": "'Amount': 'three hundred' is not an amount (a number such as 1234.56, "
         "-1,234.56 or (1,234.56))"}
    ]  # fmt: skip
    assert set(by_supplier(store)) == {"Acme Ltd", "Beta Ltd", "Gamma Ltd", "Delta Ltd"}


def test_another_publication_under_the_same_name_is_refused_unless_it_replaces(store, tmp_path):
    rows = "".join(
        f"2022-04-{day:02},Supplier {day} Ltd,{day}00,T{day},Paper\n" for day in range(1, 13)
    )
    spend.load(
        store,
        [
            write(
                tmp_path,
                "Date,Supplier,Amount,Transaction number,Expense type\n" + rows,
                "spend.csv",
            )
        ],
        body=COUNCIL,
    )
    size = log.log_size(store)
    later = write(tmp_path, ORIGINAL, "spend.csv")
    [found] = spend.load(store, [later], body=COUNCIL).files
    assert found.refused.startswith(
        "spend.csv was loaded before with 12 transactions, and this file"
    )
    assert log.log_size(store) == size
    assert outcome(spend.load(store, [later], body=COUNCIL, source="spend-2022-05.csv")) == (
        5,
        0,
        0,
        0,
        0,
    )
    assert outcome(spend.load(store, [later], body=COUNCIL, replace=True)) == (0, 5, 0, 0, 12)
    # Another body's file of the same name withdraws nothing of this one's.
    other = Body("Another District Council")
    assert outcome(spend.load(store, [write(tmp_path, AMENDED, "spend.csv")], body=other)) == (
        5, 0, 0, 0, 0
    )  # fmt: skip
    assert len(spend.page(store, body="Example Borough Council")["transactions"]) == 5


BAD = [
    (b'Date,Supplier,Amount\n2022-04-01,"Acme,5\n', "a quoted field starts in this row"),
    (b"Date,Supplier,Amount,Amount\n2022-04-01,Acme,5,6\n", "'Amount' appears twice"),
    (b"When,Who,How much\n2022-04-01,Acme,5\n", "its columns do not give date, amount"),
    (b"PK\x03\x04", "Excel workbook"),
    ("Date,Supplier,Amount\n2022-04-01,Caf\xe9,5\n".encode("cp1252"), "the file is not utf-8"),
]


def test_a_bad_file_stores_nothing_and_the_others_load(store, tmp_path):
    spend.load(store, [write(tmp_path, ORIGINAL)], body=COUNCIL)
    good = write(tmp_path, AMENDED, "2022-05.csv")
    for content, message in BAD:
        size = log.log_size(store)
        bad = tmp_path / "bad.csv"
        bad.write_bytes(content)
        report = spend.load(store, [bad, good], body=COUNCIL, encoding="utf-8")
        assert message in report.files[0].refused
        assert report.files[1].refused is None and report.problems
        assert log.log_size(store) == size + report.files[1].loaded
    assert stored.get(store, "nothing") is None
    assert len(spend.page(store, limit=500)["transactions"]) == 7


def test_files_loaded_together_are_each_all_or_nothing(store, tmp_path):
    # One load's files are stored in one transaction, each in a savepoint of it (issue 9: a
    # commit a file was a 1M-payment load's tens of seconds): a file refused as it is stored
    # undoes only its own rows, and a file sees what the files before it stored.
    rows = "".join(
        f"2022-04-{day:02},Supplier {day} Ltd,{day}00,T{day},Paper\n" for day in range(1, 13)
    )
    header = "Date,Supplier,Amount,Transaction number,Expense type\n"
    spend.load(store, [write(tmp_path, header + rows, "spend.csv")], body=COUNCIL)
    size = log.log_size(store)
    for folder in ("first", "refused", "amended"):
        (tmp_path / folder).mkdir()
    report = spend.load(
        store,
        [
            write(tmp_path / "first", ORIGINAL),
            write(tmp_path / "refused", ORIGINAL, "spend.csv"),  # would withdraw 12 of 12
            write(tmp_path / "amended", AMENDED),  # the first file amended
        ],
        body=COUNCIL,
    )
    first, refused, amended = report.files
    assert (first.loaded, first.refused) == (5, None)
    assert refused.refused.startswith("spend.csv was loaded before with 12 transactions")
    assert (amended.loaded, amended.already, amended.corrected, amended.withdrawn) == (1, 3, 1, 1)
    assert log.log_size(store) == size + 5 + 3
    assert len(spend.page(store, body="Example Borough Council", limit=500)["transactions"]) == 17


def test_the_paying_body_by_registered_organisation_identifier_or_name(store):
    publishers.add_organisation(
        store, "Example Borough Council", "GB-GOR", "E0001", party_id="GB-GOR-E0001",
        now="2026-01-01T00:00:00.000000Z",
    )  # fmt: skip
    assert spend.resolve_body(store, "example borough council") == Body(
        "Example Borough Council", "GB-GOR-E0001"
    )
    assert spend.resolve_body(store, "gb-gor-e0001").id == "GB-GOR-E0001"
    assert spend.resolve_body(store, "GB-COH-1234567").id == "GB-COH-01234567"
    named = spend.resolve_body(store, "Stoke-on-Trent City Council")
    assert named.id is None and named.key == "stoke-on-trent-city-council"
    with pytest.raises(spend.BodyProblem):
        spend.resolve_body(store, " ")


def test_the_command(store, tmp_path, capsys):
    path = write(tmp_path, ORIGINAL)
    assert cli.main(["spend", "load", "--body", "Example Borough Council", str(path)]) == 0
    out = capsys.readouterr().out
    assert "5 row(s) read (0 blank passed over): 5 loaded, 0 already there" in out
    assert "columns: date = 'Date', supplier = 'Supplier', amount = 'Amount'" in out
    assert "total of the rows read: 1050.00 GBP" in out
    assert (
        cli.main(["spend", "load", "--json", "--body", "Example Borough Council", str(path)]) == 0
    )
    assert orjson.loads(capsys.readouterr().out)["alreadyThere"] == 5
    assert cli.main(["spend", "load", str(path)]) == 1  # no body: the file is refused
    assert "refused, nothing stored" in capsys.readouterr().out
    assert cli.main(["spend", "load", str(tmp_path / "missing.csv")]) == 2
    bad_mapping = tmp_path / "map.json"
    bad_mapping.write_text('{"fields": {"payee": "Supplier"}}')
    assert cli.main(["spend", "load", "--mapping", str(bad_mapping), str(path)]) == 2
    assert "'payee' is not one of our fields" in capsys.readouterr().err
    assert cli.main(["spend", "show", "--supplier", "ACME LIMITED", "--json"]) == 0
    shown = orjson.loads(capsys.readouterr().out)["transactions"]
    assert [each["transaction"]["amount"] for each in shown] == [100, 50]
    assert cli.main(["spend", "show", shown[0]["id"]]) == 0
    assert orjson.loads(capsys.readouterr().out)["statements"][0]["version"] == 1
    assert cli.main(["spend", "show", "nothing:here"]) == 1
    assert cli.main(["spend", "show", "--from", "April"]) == 2
    # Dates that read two ways: refused, with both readings, until the order is given.
    dates = write(tmp_path, "Date,Supplier,Amount\n03/04/2022,Eta Ltd,5\n04/04/2022,Eta Ltd,6\n",
                  "dates.csv")  # fmt: skip
    assert cli.main(["spend", "load", "--body", "X Council", str(dates)]) == 1
    out = capsys.readouterr().out
    assert f"refused: {dates}, row 2: 'Date': '03/04/2022' could be 3 April 2022 or 4 March " in out
    assert "1 loaded" in out
    assert cli.main(["spend", "load", "--body", "X Council", "--date-order", "day-first",
                     str(dates)]) == 0  # fmt: skip
    assert "1 loaded, 1 already there" in capsys.readouterr().out
    # A file of unknown columns, and a mapping for it.
    odd = write(tmp_path, "Paid on,Payee,Net £\n03/04/2022,Zeta Ltd,5\n", "odd.csv")
    assert cli.main(["spend", "load", "--body", "X Council", str(odd)]) == 1
    assert "its columns do not give date, amount, supplier" in capsys.readouterr().out
    chosen = tmp_path / "odd.toml"
    chosen.write_text('dateOrder = "day-first"\n[fields]\ndate = "Paid on"\nsupplier = "Payee"\n'
                      'amount = "Net £"\n')  # fmt: skip
    assert (
        cli.main(["spend", "load", "--body", "X Council", "--mapping", str(chosen), str(odd)]) == 0
    )
    assert "date = 'Paid on' (odd.toml)" in capsys.readouterr().out
    assert spend.page(store, supplier="Zeta Ltd")["transactions"][0]["transaction"]["date"] == (
        "2022-04-03"
    )


__all__ = ["key_dir"]  # the fixture, from the transparency tests


def test_a_redacted_payment_cannot_be_found_by_its_suppliers_name(store, tmp_path, key_dir):
    """Redacting a payment's statement (personal data, say) takes its body from the log, and
    its supplier's name from what the lists search by."""
    spend.load(store, [write(tmp_path, ORIGINAL)], body=COUNCIL)
    transparency.sign_tree_head(store)
    [beta] = spend.page(store, supplier="Beta Ltd")["transactions"]
    redact(store, beta["seq"], "Personal data", Actor("cli:test"))
    assert spend.page(store, supplier="Beta Ltd")["transactions"] == []
    assert len(spend.page(store, supplier="Acme Ltd")["transactions"]) == 2


def test_a_file_of_new_transactions_looks_up_nothing_in_the_log(store, tmp_path):
    """A new transaction's record key is made for it under the log's lock, so the log holds no
    statement of it: its statements are appended without looking the log up (issue 9). A file
    that corrects and withdraws still looks up what it changes."""
    sent: list[str] = []

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    def looked_up(sql: str) -> bool:  # openbook.store.log's look-up of stored statements
        return bool(re.search(r"statement_id, (e\.)?body_hash, (e\.)?seq", sql))

    with store.connection.execute_wrapper(wrapper):
        assert outcome(spend.load(store, [write(tmp_path, ORIGINAL)], body=COUNCIL))[0] == 5
    assert sent and not any(map(looked_up, sent))
    sent.clear()
    with store.connection.execute_wrapper(wrapper):
        assert outcome(spend.load(store, [write(tmp_path, AMENDED)], body=COUNCIL)) == (
            1, 3, 1, 0, 1,
        )  # fmt: skip
    assert any(map(looked_up, sent))
