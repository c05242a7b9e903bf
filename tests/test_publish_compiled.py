"""The publish API compiles a process from the statements its checks read and the ones it has
just appended (``openbook.publishing.publish._known``), not from the log read again: what it
stores must be what compiling from the log gives, byte for byte, through arrays merged by id,
amendments, withdrawals (corrections), and a release package's declared extensions. And the
body reader's depth limit, read a level at a time, is exact at its boundary."""

import orjson
import pytest

from openbook import records
from openbook.publishing import body
from openbook.publishing import publish as publish_module
from openbook.publishing.publish import publish
from openbook.publishing.withdraw import withdraw
from openbook.store import log, search
from openbook.store import records as stored_records
from tests.publishing import (
    BUYER,
    CLI,
    award,
    contract_change,
    contract_details,
    create_publisher,
    engagement,
    tender,
)

OCID = "ocds-b5fd17-compiled"


def _package(*releases: dict, version: str = "1.1") -> dict:
    # Each release's merge rules are its package's (records.process_profile): the compile from
    # the log finds them by the package stored with it, the publication by the one just sent.
    return {
        "uri": "https://tendering.example/packages/1.json",
        "version": version,
        "publishedDate": "2025-10-01T10:00:00Z",
        "publisher": {"name": BUYER["name"]},
        "extensions": [
            "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/"
            "v1.1.5/extension.json"
        ],
        "releases": list(releases),
    }


def _stored(store) -> tuple:
    found = stored_records.get(store, records.REGISTER, OCID)
    assert found is not None
    return found.compiled, found.compile_error, found.statement_count, found.last_seq


def _as_compiled_from_the_log(store) -> tuple:
    """What the publication stored, then what compiling the process again from the log alone
    stores."""
    published = _stored(store)
    records.compile_records(store, [OCID])
    return published, _stored(store)


def _publish_and_compare(store, organisation, value) -> dict:
    """Publish, check that the stored record is what the log compiles to; the compiled release."""
    outcome = publish(store, organisation, value, CLI)
    assert outcome.created, outcome
    published, from_the_log = _as_compiled_from_the_log(store)
    assert published == from_the_log
    assert search.exists(store, OCID)
    assert published[3] == max(release.sequence for release in outcome.releases)
    return orjson.loads(published[0])


def test_a_published_process_is_compiled_as_from_the_log(store):
    organisation = create_publisher(store)
    lots = [{"id": "1", "title": "North"}, {"id": "2", "title": "South"}]
    first = tender(OCID, lots=lots, items=[{"id": "i1", "description": "Mowing"}])
    compiled = _publish_and_compare(store, organisation, _package(engagement(OCID), first))
    assert [lot["id"] for lot in compiled["tender"]["lots"]] == ["1", "2"]

    # An update merged by id into the lots: one changed, one added; the items array by id too.
    update = tender(
        OCID,
        day="2025-06-09",
        lots=[{"id": "2", "title": "South and East"}, {"id": "3", "title": "West"}],
        items=[{"id": "i1", "quantity": 4}],
    )
    update["id"] = f"{OCID}-UK4-update"
    update["tag"] = ["tenderUpdate"]
    compiled = _publish_and_compare(store, organisation, _package(update))
    assert [(lot["id"], lot["title"]) for lot in compiled["tender"]["lots"]] == [
        ("1", "North"),
        ("2", "South and East"),
        ("3", "West"),
    ]
    assert compiled["tender"]["items"] == [{"id": "i1", "description": "Mowing", "quantity": 4}]

    # An award published, then withdrawn (published in error): compiled again without it.
    wrong = award(OCID)
    wrong["awards"][0]["id"] = "9"
    _publish_and_compare(store, organisation, wrong)
    award_seq = log.record_statements(store, records.REGISTER, OCID)[-1].entry.seq
    withdraw(store, organisation, {"sequence": award_seq, "reason": "wrong supplier"}, CLI)
    assert "awards" not in orjson.loads(_stored(store)[0])

    # The next publication compiles from what its checks read, the withdrawal among it: the
    # withdrawn award must stay out, and the new one, the contract and its amendment come in.
    right = award(OCID)
    right["id"] = f"{OCID}-UK6-again"
    change = contract_change(OCID)
    change["contracts"][0]["amendments"] = [
        {"id": "A1", "date": "2025-10-01T09:00:00+01:00", "rationale": "More sites"}
    ]
    compiled = _publish_and_compare(
        store, organisation, _package(right, contract_details(OCID), change)
    )
    assert [a["id"] for a in compiled["awards"]] == ["1"]
    assert compiled["contracts"][0]["value"]["amount"] == 260000
    assert compiled["contracts"][0]["amendments"][0]["id"] == "A1"

    # The record package's versioned release is built from the releases that count, as the
    # compiled release is: the withdrawn award is in neither.
    package = records.record_package(store, OCID)
    assert package is not None
    record = package["records"][0]
    assert record["compiledRelease"] == compiled
    versioned = record["versionedRelease"]
    assert [version["releaseID"] for version in versioned["awards"][0]["date"]] == [right["id"]]
    south = next(lot for lot in versioned["tender"]["lots"] if lot["id"] == "2")
    assert [version["value"] for version in south["title"]] == ["South", "South and East"]


def test_a_process_declared_ocds_1_0_is_compiled_under_its_merge_rules(store):
    # OCDS 1.0 merges a award's suppliers whole, 1.1 by id (openbook.standards.ocds.compile):
    # the package each release came in decides, for the new releases as for the stored ones.
    organisation = create_publisher(store)
    _publish_and_compare(store, organisation, _package(tender(OCID), version="1.0"))
    first = award(OCID)
    _publish_and_compare(store, organisation, _package(first, version="1.0"))
    other = {"id": "GB-COH-07654321", "name": "Blue Parks Ltd"}
    again = award(OCID)
    again["id"] = f"{OCID}-UK6-update"
    again["tag"] = ["awardUpdate"]
    again["parties"].append({**other, "roles": ["supplier"]})
    again["awards"][0]["suppliers"] = [other]
    compiled = _publish_and_compare(store, organisation, _package(again, version="1.0"))
    assert compiled["awards"][0]["suppliers"] == [other]


def _analysed(store) -> dict[str, bool]:
    """Whether PostgreSQL has statistics of each table the publish path plans on."""
    with store.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples >= 0 FROM pg_class WHERE relname = ANY(%s)",
            [list(publish_module.PLANNED_TABLES)],
        )
        return dict(cursor.fetchall())


def test_statistics_are_refreshed_each_time_the_log_doubles(store, monkeypatch):
    monkeypatch.setattr(publish_module, "STATISTICS_FROM", 4)
    organisation = create_publisher(store)
    publish(store, organisation, _package(engagement(OCID), tender(OCID)), CLI)  # seqs 0, 1
    if store.vendor != "postgresql":
        return  # SQLite plans without statistics: nothing is gathered, nothing fails
    assert not any(_analysed(store).values())  # never gathered: a fresh database's
    publish(store, organisation, award(OCID), CLI)  # seq 2: the log is 3 long, short of 4
    assert not any(_analysed(store).values())
    publish(store, organisation, contract_details(OCID), CLI)  # seq 3: 4 long
    assert _analysed(store) == dict.fromkeys(publish_module.PLANNED_TABLES, True)


def test_a_release_sent_twice_in_a_package_is_answered_with_its_one_entry(store):
    organisation = create_publisher(store)
    release = tender(OCID)
    outcome = publish(store, organisation, _package(release, release), CLI)
    first, second = outcome.releases
    assert log.log_size(store) == 1
    assert first.sequence == second.sequence == 0
    stored = log.record_statements(store, records.REGISTER, OCID)[0].entry
    for answer in (first, second):
        assert (answer.log_time, answer.leaf_hash) == (stored.log_time, stored.leaf_hash())


def _nested(depth: int) -> str:
    """A value ``depth`` containers deep, arrays and objects in turn, with a number inside."""
    text = "1"
    for level in range(depth):
        text = f"[{text}]" if level % 2 == 0 else f'{{"a": {text}}}'
    return text


@pytest.mark.parametrize("depth", [1, 2, 63, body.MAX_DEPTH])
def test_a_body_nested_to_the_limit_is_read(depth):
    assert body.parse(_nested(depth).encode()) is not None
    # Deep on one branch, shallow on others.
    wide = '{"x": [1, 2, {"y": 3}], "deep": ' + _nested(depth - 1) + "}"
    assert body.parse(wide.encode())["x"] == [1, 2, {"y": 3}]


@pytest.mark.parametrize("depth", [body.MAX_DEPTH + 1, body.MAX_DEPTH + 2, 500])
def test_a_body_nested_past_the_limit_is_refused(depth):
    for text in (_nested(depth), '{"x": [1, {"y": 3}], "deep": ' + _nested(depth - 1) + "}"):
        with pytest.raises(body.BodyError) as refused:
            body.parse(text.encode())
        assert refused.value.code == "body-too-deep"
