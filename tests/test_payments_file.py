"""A quarter's payments under public contracts published from one file (Procurement Act 2023,
s.70): openbook.publishing.payments_file, ``openbook publish payments`` and
``POST /api/publish/payments``, on both databases. The refused files share one database a
module (they store nothing, and each test checks so); the files published have their own."""

from datetime import UTC, datetime

import orjson
import pytest
from django.test import Client

from openbook import cli, spend_links
from openbook.publishing import payments_file
from openbook.publishing.payments_file import PaymentsRefused, publish_payments
from openbook.publishing.publish import publish
from openbook.store import log, records
from tests.conftest import reuse
from tests.publishing import (
    BUYER,
    CLI,
    OTHER_BUYER,
    SUPPLIER,
    award,
    bearer,
    contract_details,
    create_key,
    create_publisher,
    notice,
    tender,
)

NOW = datetime(2026, 7, 20, 12, 0, tzinfo=UTC)  # within 30 days of the end of April-June 2026
OURS = "ocds-pay001-ours"
TWO = "ocds-pay001-two"  # a procurement with two contracts
THEIRS = "ocds-pay001-theirs"
BARE = "ocds-pay001-bare"  # tendered, no contract yet
HEADER = "ocid,contract_id,payment_date,amount,currency,payment_id\n"


def _procurements(store) -> None:
    """Ours (one contract), ours with two contracts, ours without one, and another body's."""
    ours = create_publisher(store)
    theirs = create_publisher(store, OTHER_BUYER)
    for ocid in (OURS, TWO, BARE):
        publish(store, ours, tender(ocid), CLI)
    for ocid in (OURS, TWO):
        publish(store, ours, award(ocid), CLI)
    publish(store, ours, contract_details(OURS), CLI)
    two = contract_details(TWO)
    two["contracts"].append({**two["contracts"][0], "id": "2", "documents": []})
    publish(store, ours, two, CLI)
    theirs_party = [{**OTHER_BUYER, "roles": ["buyer"]}]
    other = [
        {**tender(THEIRS), "buyer": OTHER_BUYER, "parties": theirs_party},
        {
            **award(THEIRS),
            "buyer": OTHER_BUYER,
            "parties": [*theirs_party, {**SUPPLIER, "roles": ["supplier"]}],
        },
        {**contract_details(THEIRS), "buyer": OTHER_BUYER, "parties": theirs_party},
    ]
    for release in other:
        publish(store, theirs, release, CLI)


def _file(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(f"{row}\n" for row in rows)).encode()


def _send(store, data: bytes, kind: str = "csv", **options):
    organisation = next(o for o in _organisations(store) if o.party_id == BUYER["id"])
    return publish_payments(
        store,
        organisation,
        data,
        CLI,
        name=f"payments.{kind}",
        kind=kind,
        now=NOW,
        **options,
    )


def _organisations(store):
    from openbook.publishing import publishers

    return publishers.list_publishers(store)


@pytest.fixture(scope="module")
def procured(shared_database):
    """The module's database, with the procurements; the refused files' tests use it."""
    reuse(shared_database)
    _procurements(shared_database.store)
    return shared_database


@pytest.fixture
def shared(procured):
    database = reuse(procured)
    size = log.log_size(database.store)
    yield database.store
    assert log.log_size(database.store) == size, "a refused file stored something"


@pytest.fixture
def ours(store):
    _procurements(store)
    return store


def _refused(store, data: bytes, kind: str = "csv") -> PaymentsRefused:
    with pytest.raises(PaymentsRefused) as raised:
        _send(store, data, kind)
    return raised.value


def _where(refused: PaymentsRefused) -> list[tuple]:
    return [(p.row, p.column, p.code) for p in refused.problems if p.blocking]


# Files refused whole, each problem named by its row and column.


def test_a_bad_row_refuses_the_whole_file_with_every_problem_named(shared):
    refused = _refused(
        shared,
        _file(
            f"{OURS},1,2026-05-14,45000.00,GBP,INV-1",
            f"{OURS},1,2026-05-15,forty thousand,GBP,INV-2",
            f"{OURS},9,2026-05-16,45000,GBP,INV-3",
            f"{THEIRS},1,2026-05-16,45000,GBP,INV-4",
            f"{OURS},1,2027-01-01,45000,GBP,INV-5",
            f"{OURS},1,2026-05-14,45000.00,GBP,INV-1",
            "ocds-pay001-nowhere,1,2026-05-14,45000,GBP,INV-6",
            f"{TWO},,2026-05-14,45000,GBP,INV-7",
            f"{BARE},,2026-05-14,45000,GBP,INV-8",
            f"{OURS},1,31/02/2026,45000,GBP,INV-9",
            f"{OURS},1,2026-05-14,45000,EUR,INV-10",
            f"{OURS},1,2026-05-14,-45000,GBP,INV-11",
            f"{OURS},1,2026-05-14,,GBP,INV-12",
        ),
    )
    assert refused.status == 422 and refused.code == "invalid"
    assert sorted(_where(refused)) == sorted(
        [
            (3, "amount", "amount-invalid"),
            (4, "contract_id", "contract-unknown"),
            (5, "ocid", "other-organisation"),
            (6, "payment_date", "date-in-future"),
            (7, "payment_id", "row-repeated"),
            (8, "ocid", "contract-unknown"),
            (9, "contract_id", "contract-ambiguous"),
            (10, "ocid", "contract-unknown"),
            (11, "payment_date", "date-invalid"),
            (12, "currency", "currency-not-gbp"),
            (13, "amount", "amount-invalid"),
            (14, "amount", "value-missing"),
        ]
    )
    message = str(next(p for p in refused.problems if p.row == 5))
    assert message.startswith("payments.csv, row 5, column 'ocid': ")
    assert "Another District Council" in message


def test_only_another_bodys_contracts_is_forbidden(shared):
    refused = _refused(shared, _file(f"{THEIRS},1,2026-05-14,45000,GBP,A"))
    assert (refused.status, refused.code) == (403, "other-organisation")


@pytest.mark.parametrize(
    ("data", "code", "where"),
    [
        (b"", "file-empty", "the file is empty"),
        (HEADER.encode(), "file-empty", "no payments"),
        (b"PK\x03\x04rest of a workbook", "file-not-text", "Excel workbook"),
        (
            _file(f"{OURS},1,2026-05-14,45000,GBP,Caf\xe9".replace("\xe9", "_")).replace(
                b"Caf_", b"Caf\xe9"
            ),
            "file-not-utf8",
            "row 2",
        ),
        ("\ufeff".encode("utf-16-le") + HEADER.encode("utf-16-le"), "file-not-utf8", "NUL"),
        (_file(f'{OURS},1,2026-05-14,"45000,GBP,A'), "file-not-csv", "line 2"),
        (_file(f"{OURS},1,2026-05-14,45,000,GBP,A"), "file-not-csv", "beyond the last"),
        (b"contract,amount\n1,45000\n", "file-columns", "ocid"),
        (b"ocid,ocid,payment_date,amount\n", "file-columns", "ocid"),
        (b"ocid;payment_date;amount\na;2026-05-14;45000\n", "file-columns", "not separated"),
    ],
    ids=[
        "empty",
        "header only",
        "workbook",
        "windows-1252",
        "utf-16",
        "quote never closed",
        "comma in an amount",
        "columns missing",
        "column twice",
        "semicolons",
    ],
)
def test_a_file_that_cannot_be_read_is_refused(shared, data, code, where):
    refused = _refused(shared, data)
    assert refused.code == code, refused.message
    assert where in refused.message + " ".join(map(str, refused.problems))


def test_an_oversized_file_is_refused_before_it_is_read(shared, monkeypatch):
    monkeypatch.setenv("OPENBOOK_PUBLISH_MAX_BYTES", "1000")
    refused = _refused(shared, _file(*[f"{OURS},1,2026-05-14,45000,GBP,{n}" for n in range(40)]))
    assert (refused.status, refused.code) == (413, "file-too-large")


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ('=HYPERLINK("http://evil")', "value-invalid"),
        ("INV\x07", "value-invalid"),
        ("x" * 201, "value-too-long"),
    ],
    ids=["formula", "control character", "too long"],
)
def test_hostile_values_are_refused(shared, cell, code):
    quoted = '"' + cell.replace('"', '""') + '"'
    refused = _refused(shared, _file(f"{OURS},1,2026-05-14,45000,GBP,{quoted}"))
    assert _where(refused) == [(2, "payment_id", code)]


@pytest.mark.parametrize(
    "invisible",
    ["\u200b", "\u200e", "\u202e", "\u2066", "\ufeff", "\u2028", "\u0085"],
    ids=[
        "zero width space",
        "left-to-right mark",
        "right-to-left override",
        "isolate",
        "bom",
        "line separator",
        "next line",
    ],
)
def test_invisible_characters_are_refused_in_identifiers(shared, invisible):
    refused = _refused(shared, _file(f"{OURS},1,2026-05-14,45000,GBP,INV{invisible}1"))
    assert _where(refused) == [(2, "payment_id", "value-invalid")]
    assert f"U+{ord(invisible):04X}" in str(refused.problems[0])


def test_a_payment_given_twice_is_refused_whatever_names_its_contract(shared):
    for rows in [
        (f"{OURS},1,2026-05-14,45000,GBP,INV-1", f"{OURS},,2026-05-14,45000,GBP,INV-1"),
        (f"{OURS},,2026-05-14,45000,GBP,INV-1", f"{OURS},1,2026-05-15,46000,GBP,INV-1"),
        (f"{OURS},,2026-05-14,45000,GBP,INV-1", f"{OURS},,2026-05-14,45000,GBP,INV-1"),
    ]:
        refused = _refused(shared, _file(*rows))
        assert _where(refused) == [(3, "payment_id", "row-repeated")], rows
        assert "row 2" in refused.problems[0].message
        assert [p.code for p in refused.problems] == ["row-repeated"]  # nothing of the package


def test_a_header_of_very_many_columns_is_refused_quickly(shared):
    columns = ",".join(f"c{n}" for n in range(20_000))
    data = f"{columns},ocid,payment_date,amount\n{',' * 20_000}{OURS},2026-05-14,45000\n"
    refused = _refused(shared, data.encode())
    assert (refused.status, refused.code) == (413, "too-many-columns")
    assert "at most 100" in refused.message
    many = {f"c{n}": 1 for n in range(200)} | {"ocid": OURS, "payment_date": "2026-05-14"}
    assert _refused(shared, orjson.dumps(many), "jsonl").code == "too-many-columns"


def test_a_column_without_a_name_that_holds_values_is_named_in_a_warning(shared):
    answer = _send(
        shared,
        _file(f"{OURS},1,2026-05-14,45000,GBP,INV-1,,note,", header=HEADER.replace("\n", ",,,\n")),
        dry_run=True,
    )
    assert [(p.code, p.blocking) for p in answer.problems] == [("columns-ignored", False)]
    assert "column 8" in answer.problems[0].message and "column 7" not in answer.problems[0].message
    quiet = _send(
        shared,
        _file(f"{OURS},1,2026-05-14,45000,GBP,INV-1,", header=HEADER.replace("\n", ",\n")),
        dry_run=True,
    )
    assert quiet.problems == []


def test_json_lines_are_read_as_strictly(shared):
    good = orjson.dumps({"ocid": OURS, "payment_date": "2026-05-14", "amount": 45000}).decode()
    for text, code in [
        (f"{good}\n[1, 2]\n", "file-not-json-lines"),
        (f'{good}\n{{"ocid": "a", "ocid": "b"}}\n', "file-not-json-lines"),
        (f"{good}\n{{not json\n", "file-not-json-lines"),
    ]:
        assert _refused(shared, text.encode(), "jsonl").code == code
    refused = _refused(
        shared,
        (
            good
            + "\n"
            + orjson.dumps({"ocid": OURS, "payment_date": "2026-05-14", "amount": True}).decode()
        ).encode(),
        "jsonl",
    )
    assert _where(refused) == [(2, "amount", "value-invalid")]


def test_checking_stores_nothing_and_says_what_would_be_published(shared):
    organisation = next(o for o in _organisations(shared) if o.party_id == BUYER["id"])
    answer = publish_payments(
        shared,
        organisation,
        _file(f'{OURS},,14/05/2026,"£45,000.00",,'),
        CLI,
        name="q1.csv",
        kind="csv",
        now=NOW,
        dry_run=True,
    )
    assert answer.payments == 1 and [r["status"] for r in answer.releases] == ["new"]


# Files published.


def test_a_file_publishes_a_notice_per_contract_once(ours):
    data = _file(
        f"{OURS},1,2026-05-14,45000.50,GBP,INV-1",
        f"{OURS},1,2026-06-02,52000,GBP,INV-2",
        f'{TWO},2,2026-06-03,"£31,000",,',
        f"{TWO},2,2026-06-04,12000,GBP,INV-4",  # not required: warned of, published
    )
    answer = _send(ours, data)
    assert answer.payments == 4 and answer.already == 0
    assert [(r["ocid"], r["contract"], r["rows"], r["status"]) for r in answer.releases] == [
        (OURS, "1", [2, 3], "created"),
        (TWO, "2", [4, 5], "created"),
    ]
    assert [(p.row, p.code) for p in answer.problems] == [(5, "under-threshold")]
    compiled = orjson.loads(records.compiled_of(ours, "ocds", [OURS])[OURS])
    transactions = compiled["contracts"][0]["implementation"]["transactions"]
    assert [(t["id"], t["value"], t["payee"]["id"]) for t in transactions] == [
        ("payment-INV-1", {"amount": 45000.5, "currency": "GBP"}, SUPPLIER["id"]),
        ("payment-INV-2", {"amount": 52000, "currency": "GBP"}, SUPPLIER["id"]),
    ]
    size = log.log_size(ours)
    again = _send(ours, data)  # the same file twice: nothing more
    assert (again.payments, again.already, again.releases) == (0, 4, [])
    assert log.log_size(ours) == size
    more = _send(ours, data + f"{OURS},1,2026-06-20,60000,GBP,INV-5\n".encode())
    assert (more.payments, more.already) == (1, 4)
    compiled = orjson.loads(records.compiled_of(ours, "ocds", [OURS])[OURS])
    assert len(compiled["contracts"][0]["implementation"]["transactions"]) == 3


def test_published_payments_are_linked_by_their_notice(ours, capsys):
    _send(ours, _file(f"{OURS},1,2026-05-14,45000,GBP,INV-1", f"{TWO},1,2026-05-20,40000,,"))
    assert cli.main(["spend", "link", "--json", "--no-progress"]) == 0  # as an operator runs it
    report = orjson.loads(capsys.readouterr().out)
    assert report["noticePayments"] == 2
    paid = spend_links.spend_to_date(ours, OURS, "1")
    assert [(p["month"], p["amount"], p["payments"]) for p in paid] == [("2026-05", "45000.00", 1)]
    assert spend_links.link(ours).notices == 0  # nothing new: read again, nothing linked again


def test_a_payment_the_form_published_is_not_published_again(ours):
    organisation = next(o for o in _organisations(ours) if o.party_id == BUYER["id"])
    form = _payment_notice("2026-07-01", "implementation", "1", 45000)
    publish(ours, organisation, form, CLI)
    answer = _send(
        ours,
        _file(f"{OURS},1,2026-05-14,45000,GBP,", f"{OURS},1,2026-05-14,45000,GBP,INV-2"),
    )
    assert (answer.payments, answer.already) == (1, 1)
    assert [(p.row, p.code) for p in answer.problems] == [
        (2, "already-published"),
        (3, "possible-duplicate"),
    ]


def test_a_published_payment_sent_again_differently_is_refused(ours):
    _send(ours, _file(f"{OURS},1,2026-05-14,45000,GBP,INV-1"))
    size = log.log_size(ours)
    refused = _refused(ours, _file(f"{OURS},,2026-05-14,54000,GBP,INV-1"))
    assert (refused.status, refused.code) == (422, "invalid")
    assert _where(refused) == [(2, "amount", "payment-conflict")]
    message = refused.problems[0].message
    assert "£45,000.00" in message and "£54,000.00" in message and "correct" in message
    refused = _refused(
        ours, _file(f"{OURS},1,2026-05-15,45000,GBP,INV-1", f"{OURS},1,2026-05-20,60000,GBP,INV-2")
    )
    assert _where(refused) == [(2, "payment_date", "payment-conflict")]
    assert "2026-05-14" in refused.problems[0].message
    assert log.log_size(ours) == size  # refused whole: INV-2 was not published either
    again = _send(ours, _file(f'{OURS},1,14/05/2026,"45,000.00",GBP,INV-1'))
    assert (again.payments, again.already) == (0, 1)
    assert log.log_size(ours) == size

    # The route the message gives: a correction of the notice (dated after it, as a record
    # takes its releases in date order), then the file is a no-op.
    organisation = next(o for o in _organisations(ours) if o.party_id == BUYER["id"])
    correction = _payment_notice("2026-07-21", "implementationUpdate", "payment-INV-1", 54000)
    publish(ours, organisation, correction, CLI)
    corrected = _send(ours, _file(f"{OURS},1,2026-05-14,54000,GBP,INV-1"))
    assert (corrected.payments, corrected.already) == (0, 1)


def test_the_payee_is_the_supplier_the_row_names_on_the_contract(ours):
    refused = _refused(
        ours,
        _file(
            f"{OURS},1,2026-05-14,45000,GBP,A,GB-COH-99999999",
            header=HEADER.replace("\n", ",supplier_id\n"),
        ),
    )
    assert _where(refused) == [(2, "supplier_id", "supplier-not-on-contract")]
    answer = _send(
        ours,
        _file(
            f"{OURS},1,2026-05-14,45000,GBP,A,{SUPPLIER['id']}",
            header=HEADER.replace("\n", ",supplier_id\n"),
        ),
    )
    assert answer.payments == 1


def test_the_command_publishes_a_file_and_says_what_it_did(ours, tmp_path, capsys):
    path = tmp_path / "q1.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _file(f"{OURS},1,2026-05-14,45000,GBP,INV-1"))
    assert cli.main(["publish", "payments", str(path), "--publisher", BUYER["id"]]) == 0
    assert "1 payment published" in capsys.readouterr().out
    assert cli.main(["publish", "payments", str(path), "--publisher", BUYER["id"], "--json"]) == 0
    assert orjson.loads(capsys.readouterr().out)["alreadyPublished"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_file(f"{THEIRS},1,2026-05-14,45000,GBP,X"))
    assert cli.main(["publish", "payments", str(bad), "--publisher", BUYER["id"]]) == 1
    assert "bad.csv, row 2, column 'ocid'" in capsys.readouterr().err


def test_the_api_publishes_a_file_with_a_key(ours, monkeypatch):
    organisation = next(o for o in _organisations(ours) if o.party_id == BUYER["id"])
    key = create_key(ours, organisation)
    client = Client()
    data = _file(f"{OURS},1,2026-05-14,45000,GBP,INV-1")
    answer = client.post(
        "/api/publish/payments/validate", data=data, content_type="text/csv", **bearer(key)
    )
    assert answer.status_code == 200, answer.content
    answer = client.post(
        "/api/publish/payments",
        data=data,
        content_type="text/csv",
        HTTP_CONTENT_DISPOSITION='attachment; filename="q1-2026.csv"',
        **bearer(key),
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["releases"][0]["rows"] == [2]
    again = client.post("/api/publish/payments", data=data, content_type="text/csv", **bearer(key))
    assert again.status_code == 200 and again.json()["alreadyPublished"] == 1
    refused = client.post(
        "/api/publish/payments",
        data=_file(f"{OURS},1,2026-05-14,lots,GBP,INV-9"),
        content_type="text/csv",
        **bearer(key),
    )
    assert refused.status_code == 422
    problem = refused.json()["error"]["problems"][0]
    assert (problem["file"], problem["row"], problem["column"]) == ("payments.csv", 2, "amount")
    assert (
        client.post("/api/publish/payments", data=data, content_type="text/csv").status_code == 401
    )
    wrong = client.post(
        "/api/publish/payments", data=data, content_type="application/pdf", **bearer(key)
    )
    assert wrong.status_code == 415
    lines = orjson.dumps({"ocid": OURS, "payment_date": "2026-05-15", "amount": "45000"})
    answer = client.post(
        "/api/publish/payments", data=lines, content_type="application/x-ndjson", **bearer(key)
    )
    assert answer.status_code == 201, answer.content
    monkeypatch.setenv("OPENBOOK_PUBLISH_MAX_BYTES", "100")
    large = client.post(
        "/api/publish/payments", data=data * 5, content_type="text/csv", **bearer(key)
    )
    assert large.status_code == 413 and large.json()["error"]["code"] == "body-too-large"


def test_the_packages_own_warnings_are_not_the_publishers():
    """The package is the use case's wrapping: its warnings are said neither in an answer nor
    in a refusal; a release's are, and anything that blocks."""
    from openbook.publishing.answers import Problem

    policy = Problem(
        "/publicationPolicy", "missing", "'publicationPolicy' is missing", "warning", False
    )
    assert not payments_file._publishers(policy)
    assert payments_file._publishers(Problem("/releases", "invalid", "no", "error", True))
    assert payments_file._publishers(
        Problem("/releases/0/date", "late", "late", "warning", False, release=0)
    )


def test_kind_of():
    assert payments_file.kind_of("Q1.CSV") == "csv"
    assert payments_file.kind_of("q1.jsonl") == "jsonl"
    assert payments_file.kind_of("q1.xlsx") is None


def _payment_notice(published: str, tag: str, payment_id: str, amount: int) -> dict:
    """A UK8 notice of one payment on contract 1 of OURS, made on 14 May 2026."""
    payment = {
        "id": payment_id,
        "date": "2026-05-14T00:00:00+01:00",
        "value": {"amount": amount, "currency": "GBP"},
    }
    return notice(
        "UK8",
        published,
        OURS,
        tag=[tag],
        section="contracts",
        contracts=[{"id": "1", "awardID": "1", "implementation": {"transactions": [payment]}}],
    )
