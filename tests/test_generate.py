"""The release generator: deterministic, streamed, schema-valid, and shaped like the real data."""

import gc
import io
import itertools
import json
import re
import statistics
import tracemalloc
from collections import Counter, defaultdict
from datetime import date, datetime

import orjson
import pytest
from jsonschema import Draft4Validator

from openbook import generate
from openbook.generate import OCID_PREFIX, generate_releases, stream, write_jsonl, writer
from openbook.standards.identifiers import check
from openbook.standards.ocds.schema import merge_patch
from tests.conftest import SHARED_DATA

SCHEMA = SHARED_DATA / "ocds-schema-1.1" / "release-schema.json"
EXTENSIONS = SHARED_DATA / "ocds-extensions"
# The registry versions whose fields the generator uses (see generate.EXTENSIONS), then the UK
# extension, which patches some of them.
PATCHES = [
    "en/extensions/lots/v1.1.5",
    "en/extensions/location/master",
    "en/extensions/suitability/master",
    "en/extensions/partyScale/master",
    "en/extensions/organizationClassification/master",
    "en/extensions/techniques/master",
    "en/extensions/communication/master",
    "en/extensions/bids/v1.1.5",
    "en/extensions/metrics/master",
    "uk_extension",
]
UK_CF = SHARED_DATA / "ocds-real-publisher-samples" / "uk-contracts-finder" / "sample"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text())
    for folder in PATCHES:
        schema = merge_patch(
            schema, json.loads((EXTENSIONS / folder / "release-schema.json").read_text())
        )
    return Draft4Validator(schema)


@pytest.fixture(scope="module")
def run():
    """3,000 processes, in memory: enough for every shape to show up."""
    return list(generate_releases(3000, 2024))


def parse(value):
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_same_seed_same_releases_and_other_seeds_differ():
    first = orjson.dumps(list(generate_releases(150, 7)))
    assert first == orjson.dumps(list(generate_releases(150, 7)))
    assert first != orjson.dumps(list(generate_releases(150, 8)))
    later = next(iter(generate_releases(150, 7, start=date(2030, 1, 7))))
    assert later["date"].startswith("2030-01-07")


def test_every_release_has_the_required_fields_in_publication_order(run):
    pattern = re.compile(rf"^{re.escape(OCID_PREFIX)}-gen-\d{{8}}(-c\d{{2}})?$")
    dates = [parse(release["date"]) for release in run]
    assert dates == sorted(dates)
    assert all(moment.tzinfo is not None for moment in dates)
    assert all(release["date"][-1] == "Z" or release["date"].endswith("+01:00") for release in run)
    for release in run:
        assert pattern.match(release["ocid"]), release["ocid"]
        assert release["initiationType"] == "tender"
        assert release["tag"] and release["parties"] and release["buyer"]["id"]
        assert {"planning", "tender", "awards", "contracts"} & release.keys()
        assert release["buyer"]["id"] in {party["id"] for party in release["parties"]}
    ids = [(release["ocid"], release["id"]) for release in run]
    assert len(ids) == len(set(ids))


def test_releases_validate_against_ocds_and_the_uk_extension(run, validator):
    sample = run[::7]
    errors = [
        f"{release['id']}: {error.message} at {list(error.absolute_path)}"
        for release in sample
        for error in validator.iter_errors(release)
    ]
    assert errors == []
    tags = {
        "planning",
        "planningUpdate",
        "tender",
        "tenderUpdate",
        "tenderCancellation",
        "award",
        "awardUpdate",
        "contract",
        "contractUpdate",
        "contractAmendment",
        "implementation",
        "contractTermination",
    }
    assert {tag for release in run for tag in release["tag"]} <= tags
    for release in sample:  # every date-time the schema declares must parse as RFC 3339
        for value in _date_values(release):
            assert parse(value).tzinfo is not None, value


def _date_values(value, key=""):
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _date_values(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _date_values(item, key)
    elif key.endswith(("date", "Date")) or key == "futureNoticeDate":
        yield value


def test_each_notice_names_its_uk_notice_type(run):
    notices = Counter()
    for release in run:
        for document in _documents(release):
            notices[document["noticeType"]] += 1
            assert document["id"] == release["id"] and document["datePublished"] == release["date"]
    assert set(notices) == {f"UK{n}" for n in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)}
    assert sum(notices.values()) == len(run)  # one notice, one release


def _documents(release):
    yield from (release.get("planning") or {}).get("documents", [])
    yield from (release.get("tender") or {}).get("documents", [])
    for award in release.get("awards", []):
        yield from award.get("documents", [])
    for contract in release.get("contracts", []):
        yield from contract.get("documents", [])
        yield from (contract.get("implementation") or {}).get("documents", [])


def test_values_thresholds_lots_and_frameworks(run):
    tenders = {}
    for release in run:
        tender = release.get("tender") or {}
        if release["tag"] == ["tender"] and "value" in tender:
            tenders[release["ocid"]] = tender
    above = sum(tender["aboveThreshold"] for tender in tenders.values()) / len(tenders)
    assert 0.25 < above < 0.5
    gross = sorted(tender["value"]["amountGross"] for tender in tenders.values())
    assert gross[0] >= generate.FLOOR_CENTRAL
    assert 100_000 < statistics.median(gross) < 500_000
    lots = sum("lots" in tender for tender in tenders.values()) / len(tenders)
    assert 0.05 < lots < 0.2
    for tender in tenders.values():
        threshold = generate.THRESHOLD_WORKS if tender["mainProcurementCategory"] == "works" else 0
        if tender["aboveThreshold"] is False and threshold:
            assert tender["value"]["amountGross"] < threshold


def test_call_offs_are_separate_processes_linked_to_their_framework(run):
    frameworks = {}  # ocid: when its tender notice was published
    for release in run:
        if (release.get("tender") or {}).get("techniques", {}).get("hasFrameworkAgreement"):
            frameworks.setdefault(release["ocid"], parse(release["date"]))
    call_offs = defaultdict(list)
    for release in run:
        for related in release.get("relatedProcesses", []):
            assert related["relationship"] == ["framework"] and related["scheme"] == "ocid"
            call_offs[related["identifier"]].append(release)
    assert len(call_offs) > 20
    linked = checked = 0
    for framework, releases in call_offs.items():
        assert framework in frameworks
        assert all(release["ocid"].startswith(f"{framework}-c") for release in releases)
        assert min(parse(release["date"]) for release in releases) > frameworks[framework]
        suppliers = {
            supplier["id"]
            for release in run
            if release["ocid"] == framework
            for award in release.get("awards", [])
            for supplier in award["suppliers"]
        }
        for release in releases if suppliers else ():
            for award in release.get("awards", []):
                checked += 1
                linked += {supplier["id"] for supplier in award["suppliers"]} <= suppliers
    # A call-off goes to a supplier on the framework; some frameworks' award notices are missing.
    assert linked > 0.8 * checked


def test_suppliers_smes_and_vcses(run):
    suppliers = {
        party["id"]: party
        for release in run
        for party in release["parties"]
        if "supplier" in party["roles"]
    }
    scales = Counter(party["details"]["scale"] for party in suppliers.values())
    assert 0.45 < scales["sme"] / len(suppliers) < 0.75
    assert sum(party["details"]["vcse"] for party in suppliers.values()) / len(suppliers) > 0.02
    companies = [
        party["identifier"]["id"]
        for party in suppliers.values()
        if party["identifier"]["scheme"] == "GB-COH"
    ]
    assert len(companies) > 0.8 * len(suppliers)
    assert all(re.fullmatch(r"\d{8}|(SC|NI|OC|SO)\d{6}", number) for number in companies)
    assert any(number.startswith("SC") for number in companies)
    schemes = {release["parties"][0]["identifier"]["scheme"] for release in run}
    assert {"GB-GOR", "GB-NHS", "GB-LAE", "GB-COH"} <= schemes


def test_every_generated_identifier_is_valid_as_written(run):
    """The generator writes identifiers as their registers issue them: every one of a scheme
    openbook checks passes, and none needs normalising."""
    checked = Counter()
    for release in run:
        for party in release["parties"]:
            for given in [party["identifier"], *party.get("additionalIdentifiers", [])]:
                result = check(given["scheme"], given["id"])
                assert result.ok and not result.changes, (given, result.message)
                checked[given["scheme"]] += result.known
    assert checked["GB-PPON"] and checked["GB-COH"] and checked["GB-NHS"]


def test_late_missing_and_corrected_notices(run):
    late = 0
    for release in run:
        published = parse(release["date"])
        for contract in release.get("contracts", []):
            if "dateSigned" in contract and (published - parse(contract["dateSigned"])).days > 60:
                late += 1
    assert late > 20
    by_ocid = defaultdict(list)
    for release in run:
        by_ocid[release["ocid"]].append(release)
    above = [
        rs
        for rs in by_ocid.values()
        if any(r.get("tender", {}).get("aboveThreshold") and r["tag"] == ["tender"] for r in rs)
    ]
    without_award = [rs for rs in above if not any(r["tag"] == ["award"] for r in rs)]
    assert len(without_award) > 0.02 * len(above)  # cancelled, or the award notice never came
    corrections = [release for release in run if release["tag"][0].endswith("Update")]
    assert len(corrections) > 0.05 * len(by_ocid)
    for release in corrections:
        ids = {other["id"] for other in by_ocid[release["ocid"]]}
        for amendment in _amendments(release):
            assert amendment["amendsReleaseID"] in ids and amendment["releaseID"] == release["id"]


def _amendments(release):
    yield from (release.get("tender") or {}).get("amendments", [])
    for section in ("awards", "contracts"):
        for item in release.get(section, []):
            yield from item.get("amendments", [])


def test_about_four_to_five_releases_per_process(run):
    assert 3.8 < len(run) / 3000 < 5.5


def test_shapes_match_the_contracts_finder_sample(run):
    """Release sizes and description lengths as in the real UK sample (docs/generator.md)."""
    real = [json.loads(path.read_text()) for path in sorted((UK_CF / "releases").glob("*.json"))]
    real = list({release["id"]: release for release in real}.values())
    real_size = statistics.median(len(orjson.dumps(release)) for release in real)
    size = statistics.median(len(orjson.dumps(release)) for release in run)
    assert 0.7 < size / real_size < 1.4
    real_text = statistics.median(len(release["tender"]["description"]) for release in real)
    text = statistics.median(
        len(release["tender"]["description"]) for release in run if release["tag"] == ["tender"]
    )
    assert 0.7 < text / real_text < 1.4
    items = Counter(
        len(release["tender"]["items"])
        for release in run
        if release["tag"] == ["tender"] and "lots" not in release["tender"]
    )
    assert 0.6 < items[1] / sum(items.values()) < 0.85


def test_memory_grows_only_by_a_small_key_per_pending_process(monkeypatch):
    """Caches held small, what remains is one integer per process with a notice still to come."""
    monkeypatch.setattr(stream, "PLANS_KEPT", 64)
    monkeypatch.setattr(stream, "PARTIES_KEPT", 64)

    def peak(processes):
        gc.collect()
        tracemalloc.start()
        try:
            count = sum(1 for _ in generate_releases(processes, 3))
            return tracemalloc.get_traced_memory()[1], count
        finally:
            tracemalloc.stop()

    for _ in generate_releases(1600, 3):  # fills the module's bounded caches first
        pass
    small, _ = peak(400)
    large, count = peak(1600)
    assert large - small < 1200 * 300  # under 300 bytes for each extra process
    assert large < count * 3000 / 5  # far less than the releases themselves (3 KB each)


def test_write_jsonl_writes_one_line_per_release():
    out = io.BytesIO()
    assert write_jsonl(generate_releases(40, 1), out) == len(out.getvalue().splitlines())
    lines = out.getvalue().splitlines()
    assert [orjson.loads(line) for line in lines] == list(generate_releases(40, 1))


def test_writing_in_parallel_gives_the_same_bytes():
    serial, parallel = io.BytesIO(), io.BytesIO()
    write_jsonl(iter(list(generate_releases(400, 9))), serial)
    writer._write_parallel(generate_releases(400, 9), parallel, 3)
    assert parallel.getvalue() == serial.getvalue()


def test_negative_process_counts_are_refused():
    with pytest.raises(ValueError, match="zero or more"):
        generate_releases(-1, 1)
    assert list(itertools.islice(generate_releases(0, 1), 1)) == []
