"""Corrections published through the publisher pages within one second (issue 8, item 2):
release ids and notice document ids were minted from the moment in whole seconds, so a second
correction in the same second named its notice document as the first had, and the compiled
release kept one of the two (OCDS 1.1, "Merging": documents are merged by id); or it took the
first's release id and was refused. Each correction now has ids of its own, both are kept, in
log order, in the process's change history, and nothing stored before is changed. On both
databases (the ``store`` fixture)."""

from datetime import UTC, datetime
from urllib.parse import quote

import orjson
from django.test import Client

from openbook.publishing import withdraw as withdrawing
from openbook.publishing.notice_forms import FORMS, Context
from openbook.publishing.notice_forms.corrections import as_correction
from openbook.publishing.notice_forms.questions import LONDON
from openbook.store import log
from openbook.web.pages.publisher import notices as notice_pages
from tests.pages.test_publisher import _token, publisher, send, signed_in
from tests.pages.test_publisher_corrections import ANSWERS, _address, _published
from tests.pages.test_publisher_notices import _answer, _correct, _record
from tests.pages.test_publisher_pcr2015 import _award_answers, _pcr_procurement, _publish_checked
from tests.publishing import BUYER

__all__ = ["publisher"]


def _clock_stopped_at(monkeypatch, moment: datetime, module=notice_pages) -> None:
    """The publisher pages' clock (``module``'s) shows ``moment``, whenever asked: every notice
    they write is written in the same second (to the microsecond)."""

    class Stopped(datetime):
        @classmethod
        def now(cls, tz=None):
            return moment if tz is None else moment.astimezone(tz)

    monkeypatch.setattr(notice_pages, "datetime", Stopped)


def _bodies(store) -> list[bytes]:
    """Every statement's body in the log, in order: what must not change."""
    return [entry.body for entry in log.entries(store, 0, log.log_size(store))]


def _history(ocid: str) -> list[str]:
    """The release ids of the process page's change history, in its order: the releases that
    changed a value (not the first, which gave them)."""
    twin = Client().get(f"/processes/{quote(ocid, safe='')}", {"format": "json"})
    assert twin.status_code == 200, twin.content[:2000]
    return [group["id"] for group in orjson.loads(twin.content)["changes"]["releases"]]


def _notice_documents(section: dict) -> list[str]:
    return [d["id"] for d in section.get("documents", []) if d.get("noticeType")]


def test_two_corrections_of_a_notice_in_one_second_are_both_kept(publisher, store, monkeypatch):
    client = signed_in()
    ocid, original = _published(client)
    before = _bodies(store)
    _clock_stopped_at(monkeypatch, datetime.now(UTC))
    _correct(client, ocid, original, {"title": {"title": "Grounds maintenance for 15 parks"}})
    _correct(client, ocid, original, {"title": {"title": "Grounds maintenance for 16 parks"}})
    record = _record(ocid)
    ids = [release["id"] for release in record["releases"]]
    assert len(ids) == 3 and len(set(ids)) == 3 and ids[0] == original
    first, second = record["releases"][1:]
    assert _notice_documents(first["tender"]) != _notice_documents(second["tender"])
    compiled = record["compiledRelease"]["tender"]
    assert compiled["title"] == "Grounds maintenance for 16 parks"  # the later one counts
    documents = _notice_documents(compiled)
    assert len(documents) == 3 and len(set(documents)) == 3
    assert [a["releaseID"] for a in compiled["amendments"]] == ids[1:]
    assert [a["amendsReleaseID"] for a in compiled["amendments"]] == [original, original]
    history = _history(ocid)
    assert [i for i in history if i in ids] == ids[1:]  # each correction, in log order
    assert _bodies(store)[: len(before)] == before


def test_a_correction_corrected_in_the_same_second_is_kept_too(publisher, store, monkeypatch):
    """The second corrects the first: its id, minted in the same second, was the first's."""
    client = signed_in()
    ocid, original = _published(client)
    _clock_stopped_at(monkeypatch, datetime.now(UTC))
    _correct(client, ocid, original, {"title": {"title": "Grounds maintenance for 15 parks"}})
    corrected = _record(ocid)["releases"][1]["id"]
    before = _bodies(store)
    _correct(client, ocid, corrected, {"title": {"title": "Grounds maintenance for 16 parks"}})
    record = _record(ocid)
    ids = [release["id"] for release in record["releases"]]
    assert len(ids) == 3 and len(set(ids)) == 3
    documents = _notice_documents(record["compiledRelease"]["tender"])
    assert len(documents) == 3 and len(set(documents)) == 3
    amendments = record["compiledRelease"]["tender"]["amendments"]
    assert [a["amendsReleaseID"] for a in amendments] == [original, corrected]
    assert _bodies(store)[: len(before)] == before


def test_f14_corrigenda_of_an_award_in_one_second_are_both_kept(publisher, store, monkeypatch):
    """The 2015 Regulations' corrigendum (F14) of a contract award notice (F03), twice."""
    client = signed_in()
    ocid = _pcr_procurement(store)
    send(client, f"/publish/processes/{ocid}", {"code": "F03"})
    _answer(client, _award_answers())
    _publish_checked(client)
    award_notice = _record(ocid)["releases"][-1]["id"]
    before = _bodies(store)
    _clock_stopped_at(monkeypatch, datetime.now(UTC).astimezone(LONDON))
    _correct(client, ocid, award_notice, {"value": {"value": "£85,000"}})
    first = _record(ocid)["releases"][-1]["id"]
    _correct(client, ocid, first, {"value": {"value": "£86,000"}})
    _correct(client, ocid, award_notice, {"value": {"value": "£87,000"}})
    record = _record(ocid)
    ids = [release["id"] for release in record["releases"]]
    assert len(ids) == 5 and len(set(ids)) == 5
    (award,) = record["compiledRelease"]["awards"]
    assert award["value"]["amount"] == 87000
    assert [d["noticeType"] for d in award["documents"]] == ["F03", "F14", "F14", "F14"]
    assert len({d["id"] for d in award["documents"]}) == 4
    assert [i for i in _history(ocid) if i in ids[2:]] == ids[2:]
    assert _bodies(store)[: len(before)] == before


def _withdrawn_through_the_pages(client, ocid: str, release_id: str) -> None:
    address = _address(ocid, release_id, "withdraw")
    send(client, address, {"reason": "Published in error: a duplicate"})
    confirm = client.get(f"{address}?confirm=1")
    answer = client.post(address, {"confirm": "1", "csrfmiddlewaretoken": _token(confirm)})
    assert answer.status_code == 302 and answer["Location"] == f"{address}?done=1"


def test_two_withdrawals_in_one_second_are_both_kept(publisher, store, monkeypatch):
    """A withdrawal is named after the entry it withdraws (its seq), not the moment: two made
    in one second, of a notice and of its correction, are two statements."""
    client = signed_in()
    ocid, original = _published(client)
    _correct(client, ocid, original, {"title": {"title": "Grounds maintenance for 15 parks"}})
    corrected = _record(ocid)["releases"][1]["id"]
    before = _bodies(store)
    _clock_stopped_at(monkeypatch, datetime.now(UTC), withdrawing)
    _withdrawn_through_the_pages(client, ocid, corrected)
    _withdrawn_through_the_pages(client, ocid, original)
    withdrawn = _record(ocid)["x_openbook_withdrawn"]
    assert sorted(item["id"] for item in withdrawn) == sorted([original, corrected])
    assert log.log_size(store) == len(before) + 2
    assert _bodies(store)[: len(before)] == before


def test_a_correction_takes_an_id_its_procurement_has_not_and_names_its_documents_after_it():
    """Pure: given which ids the procurement has, the correction takes the next free one, and
    its notice document carries the same addition, so no two share one."""
    now = datetime(2026, 1, 5, 10, 0, 0, 250000, tzinfo=UTC)
    context = Context("ocds-b5fd17-c1", BUYER["id"], BUYER["name"], now)
    built = FORMS["UK4"].build(context, ANSWERS)
    assert built["id"] == "ocds-b5fd17-c1-UK4-20260105T100000.250000Z"  # to the microsecond
    have = {"r1", built["id"], f"{built['id']}-2"}
    correction = as_correction(built, "r1", context, taken=have.__contains__)
    assert correction["id"] == f"{built['id']}-3"
    (document,) = correction["tender"]["documents"]
    assert document["id"] == "UK4-notice-20260105T100000.250000Z-3"
    assert correction["tender"]["amendments"][0]["releaseID"] == correction["id"]
    # corrected in its own moment: "-correction", then a number if that is taken too
    itself = as_correction(built, built["id"], context, taken={"x"}.__contains__)
    assert itself["id"] == f"{built['id']}-correction"
    again = as_correction(built, built["id"], context, taken={itself["id"]}.__contains__)
    assert again["id"] == f"{built['id']}-correction-2"
    assert again["tender"]["documents"][0]["id"].endswith("250000Z-correction-2")
    # nothing given, as before
    assert as_correction(built, "r1", context)["id"] == built["id"]
