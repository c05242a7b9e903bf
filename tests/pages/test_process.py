"""The contracting process page (/processes/<ocid>): its lifecycle, red flags, notices with their
place in the log, change history and JSON twin, checked against the use cases that feed it."""

import re
from urllib.parse import quote

import orjson
import pytest
from django.test import Client

from openbook import feed, metrics, records, search, transparency
from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from openbook.standards.ocds import changes
from openbook.store.database import Store


def full_process(store: Store) -> str:
    """A process of the site's data with an award and a contract, and more than one notice."""
    cursor = None
    fallback = None  # awarded and contracted, in fewer notices
    for _ in range(20):  # up to 2,000 processes: enough in any generated data
        found = search.search_processes(
            store, search.Query(stages=["contract"], limit=100, cursor=cursor)
        )
        for item in found.items:
            if item.award_date and item.contract_start:
                if len(feed.process_items(store, item.ocid)) > 2:
                    return item.ocid
                fallback = fallback or item.ocid
        cursor = found.next_cursor
        if cursor is None:
            break
    if fallback is not None:
        return fallback
    raise AssertionError("the generated data has no process with an award and a contract")


def flagged_process(store: Store) -> str | None:
    """A process of the site's data a red flag was raised on, if any."""
    found = search.search_processes(store, search.Query(limit=100))
    for item in found.items:
        if any(
            entry["metric"].startswith("flag:") and entry["outcome"] == "against"
            for entry in metrics.process_items(store, item.ocid)["items"]
        ):
            return item.ocid
    return None


def _twin(ocid: str, **headers) -> dict:
    answer = Client().get(f"/processes/{quote(ocid, safe='')}?format=json", **headers)
    assert answer.status_code == 200
    return orjson.loads(answer.content)


def test_the_page_tells_the_whole_lifecycle(site):
    ocid = full_process(site.store)
    answer = Client().get(f"/processes/{ocid}")
    assert answer.status_code == 200
    html = answer.content.decode()
    record = records.record_package(site.store, ocid)["records"][0]
    compiled = record["compiledRelease"]
    assert f"<title>{compiled['tender']['title']} – Open contracting" in html
    stages = [event["stage"] for event in _twin(ocid)["timeline"]["events"]]
    assert "tender" in stages and "award" in stages and "contract" in stages
    for award in compiled["awards"]:
        assert f"Award {award['id']}" in html
        if award.get("value"):
            assert f"£{award['value']['amount']:,.2f}".replace(".00", "") in html
        for supplier in award.get("suppliers", []):
            party = next(p for p in compiled["parties"] if p["id"] == supplier["id"])
            identifier = f"{party['identifier']['scheme']}-{party['identifier']['id']}"
            assert f'href="/organisations/{identifier}"' in html
    for contract in compiled["contracts"]:
        assert f"Contract {contract['id']}" in html
    buyer = next(p for p in compiled["parties"] if "buyer" in p["roles"])
    assert (
        f'href="/organisations/{buyer["identifier"]["scheme"]}-{buyer["identifier"]["id"]}"' in html
    )
    notices = {d["noticeType"] for d in compiled["tender"].get("documents", [])}
    assert all(f"({code})" in html or f"{code}</abbr>" in html for code in notices)
    assert f'href="/api/ocds/records/{ocid}"' in html


def test_the_twin_is_the_pages_context(site):
    ocid = full_process(site.store)
    twin = _twin(ocid)
    assert _twin(ocid, HTTP_ACCEPT="application/json") == twin
    html = Client().get(f"/processes/{ocid}").content.decode()
    assert twin["ocid"] == ocid
    assert twin["links"]["recordPackage"] == f"/api/ocds/records/{ocid}"
    entries = feed.process_items(site.store, ocid)
    assert twin["releases"]["total"] == len(entries)
    assert [r["seq"] for r in twin["releases"]["items"]] == [e.seq for e in entries]
    assert [r["leafHash"] for r in twin["releases"]["items"]] == [e.leaf_hash for e in entries]
    for release in twin["releases"]["items"]:
        assert release["href"] == f"/api/ocds/releases/{ocid}/{release['id']}"
        assert f'href="{release["href"]}"' in html and release["leafHash"] in html
        assert Client().get(release["href"]).status_code == 200
    for party in twin["parties"]["items"]:
        assert party["name"] in html.replace("&amp;", "&")


def test_the_change_history_names_each_change_and_its_notice(site):
    ocid = full_process(site.store)
    versioned = records.record_package(site.store, ocid)["records"][0]["versionedRelease"]
    expected = list(changes.history(versioned))
    twin = _twin(ocid)["changes"]
    assert twin["total"] == len(expected)
    html = Client().get(f"/processes/{ocid}").content.decode()
    shown = [change for group in twin["releases"] for change in group["changes"]]
    assert {c["path"] for c in shown} == {c.path for c in expected}
    for change in shown:
        assert f'<code class="govuk-body-s">{change["path"]}</code>' in html
    for group in twin["releases"]:
        assert f"Notice {group['id']}" in html


def test_a_changed_value_is_named_in_plain_words():
    versioned = {
        "ocid": "ocds-x-1",
        "tender": {
            "value": {
                "amount": [
                    {
                        "releaseID": "a",
                        "releaseDate": "2025-01-01T00:00:00Z",
                        "releaseTag": ["tender"],
                        "value": 100,
                    },
                    {
                        "releaseID": "b",
                        "releaseDate": "2025-02-01T00:00:00Z",
                        "releaseTag": ["tenderUpdate"],
                        "value": 120,
                    },
                ]
            }
        },
    }
    from openbook.web.pages import processes

    found = processes._changes(versioned)
    assert found["total"] == 1
    change = found["releases"][0]["changes"][0]
    assert change["label"] == "Tender value" and change["path"] == "tender.value.amount"
    assert (change["before"], change["after"]) == (100, 120)
    assert found["releases"][0]["id"] == "b"


def test_red_flags_are_explained_with_their_numbers(site):
    ocid = flagged_process(site.store)
    assert ocid is not None
    raised = [
        item
        for item in metrics.process_items(site.store, ocid)["items"]
        if item["metric"].startswith("flag:") and item["outcome"] == "against"
    ]
    twin = _twin(ocid)["metrics"]
    assert twin["computed"] is True
    assert [f["flag"] for f in twin["flags"]] == [i["metric"][5:] for i in raised]
    html = Client().get(f"/processes/{ocid}").content.decode().replace("&#39;", "'")
    for flag, item in zip(twin["flags"], raised, strict=True):
        assert flag["explanation"] and flag["explanation"] in html
        assert item["detail"]["detail"] in html.replace("&amp;", "&")
        for name in item["detail"].get("values", {}):
            if item["detail"]["values"][name] is not None:
                assert f"<code>{name}</code>" in html


def test_a_process_without_flags_says_so(site):
    found = search.search_processes(site.store, search.Query(limit=100))
    clean = next(
        item.ocid
        for item in found.items
        if not any(
            e["metric"].startswith("flag:")
            for e in metrics.process_items(site.store, item.ocid)["items"]
        )
    )
    html = Client().get(f"/processes/{clean}").content.decode()
    assert "No red flag was raised on this process." in html


def test_the_page_in_welsh(site):
    ocid = full_process(site.store)
    client = Client()
    client.cookies["openbook_language"] = "cy"
    html = client.get(f"/processes/{ocid}").content.decode()
    assert '<html lang="cy"' in html
    assert "Beth ddigwyddodd" in html and "Proses gontractio" in html
    # The notices are in English only: their text is marked so.
    assert '<span lang="en">' in html


def test_notice_text_in_welsh_where_the_publisher_gave_it():
    from openbook.standards.ocds import lifecycle
    from openbook.web.pages import i18n

    compiled = {"tender": {"title": "School meals", "title_cy": "Prydau ysgol", "id": "t"}}
    token = i18n.use(i18n.WELSH)
    try:
        events = lifecycle.timeline(compiled, [], i18n.localised)
    finally:
        i18n.reset(token)
    assert events[0]["title"] == {"text": "Prydau ysgol", "lang": "cy"}


@pytest.mark.parametrize(
    "address",
    [
        "/processes/ocds-nosuch-000",
        "/processes/" + "x" * 10_000,
        "/processes/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/processes/ocds-%00-1",
        "/processes/%FF%FE",
        "/processes/ocds%2Fwith%2Fslash",
        "/processes/",
    ],
)
def test_bad_addresses_get_a_404_page_never_a_500(site, address):
    answer = Client().get(address)
    assert answer.status_code == 404, answer.content[:300]
    html = answer.content.decode()
    assert "Page not found" in html
    assert "<script>alert" not in html
    twin = Client().get(address + "?format=json")
    assert twin.status_code == 404


def test_only_reading_is_allowed(site):
    ocid = full_process(site.store)
    assert Client().post(f"/processes/{ocid}").status_code == 405
    assert Client().head(f"/processes/{ocid}").status_code == 200


@pytest.fixture
def signed(database, tmp_path):
    """A small log of its own, its metrics not computed, with a signed tree head."""
    source = tmp_path / "small.jsonl"
    with source.open("wb") as out:
        write_jsonl(generate_releases(processes=3, seed=5), out)
    load(database.store, [source], publisher="generated")
    head = transparency.sign_tree_head(database.store, create_key=True)
    return database, head


def test_the_inclusion_proof_is_that_of_the_log(signed):
    database, head = signed
    ocid = search.search_processes(database.store, search.Query(limit=1)).items[0].ocid
    twin = _twin(ocid)
    assert twin["log"]["treeHead"]["rootHash"] == head["rootHash"]
    proof = twin["log"]["proof"]
    newest = twin["releases"]["items"][-1]
    assert proof["sequence"] == newest["seq"] and proof["leafHash"] == newest["leafHash"]
    assert proof == {
        **transparency.inclusion_proof(database.store, newest["seq"], head["treeSize"]),
        "href": newest["proof"],
    }
    answer = Client().get(newest["proof"])
    assert answer.status_code == 200
    assert orjson.loads(answer.content)["auditPath"] == proof["auditPath"]
    html = Client().get(f"/processes/{ocid}").content.decode()
    assert head["rootHash"] in html and 'href="/verify"' in html
    assert all(node in html for node in proof["auditPath"])


def test_metrics_not_computed_are_said_to_be_so(signed):
    database, _ = signed
    ocid = search.search_processes(database.store, search.Query(limit=1)).items[0].ocid
    assert _twin(ocid)["metrics"]["computed"] is False
    html = Client().get(f"/processes/{ocid}").content.decode()
    assert "have not been computed yet" in html


def test_long_lists_are_capped(signed, monkeypatch):
    from openbook.web.pages import processes

    database, _ = signed
    ocid = max(
        (
            item.ocid
            for item in search.search_processes(database.store, search.Query(limit=10)).items
        ),
        key=lambda ocid: len(feed.process_items(database.store, ocid)),
    )
    total = len(feed.process_items(database.store, ocid))
    assert total > 1
    monkeypatch.setattr(processes, "MAX_RELEASES", 1)
    twin = _twin(ocid)["releases"]
    assert len(twin["items"]) == 1 and twin["earlier"] == total - 1
    html = Client().get(f"/processes/{ocid}").content.decode()
    assert re.search(rf"The {total - 1} earlier ones are in the record package", html)
