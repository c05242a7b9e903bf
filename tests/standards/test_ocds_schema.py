"""The OCDS schema facts: how they are built, and how extensions are resolved and applied."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from openbook.standards.ocds import schema

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "openbook" / "standards" / "ocds" / "data"
SHARED = ROOT.parent / "shared" / "data"
SCRIPT = ROOT / "scripts" / "build_ocds_facts.py"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present")

PROSE = {"title", "description"}
MAPS = {"properties", "definitions", "patternProperties"}


def prose_keys(node, path="", is_map=False):
    """Paths of prose keys in keyword position (a field may be called "title")."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if not is_map and key in PROSE:
                found.append(f"{path}/{key}")
            found += prose_keys(value, f"{path}/{key}", is_map=not is_map and key in MAPS)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += prose_keys(value, f"{path}/{index}")
    return found


@needs_shared
def test_the_build_is_reproducible(tmp_path):
    """Rebuilding from the reference data gives exactly the committed files."""
    subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(SHARED), "--output", str(tmp_path)],
        check=True,
    )
    built = sorted(path.name for path in tmp_path.iterdir())
    assert built == sorted(path.name for path in DATA.glob("*.json"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_the_carried_facts_hold_no_prose():
    for path in sorted(DATA.glob("*.json")):
        content = json.loads(path.read_text(encoding="utf-8"))
        if path.name == "extensions.json":
            for extension in content.values():
                for version in extension["versions"].values():
                    for patch in version["schemas"].values():
                        assert prose_keys(patch) == []
        else:
            assert prose_keys(content) == [], path.name


def test_the_release_schema_keeps_structure_and_merge_properties():
    release = schema.release_schema()
    assert release["required"] == ["ocid", "id", "date", "tag", "initiationType"]
    assert release["properties"]["date"]["format"] == "date-time"
    assert release["properties"]["tag"]["omitWhenMerged"] is True
    tender = release["definitions"]["Tender"]["properties"]
    # A field called "title" is a field, not prose.
    assert tender["title"]["type"] == ["string", "null"]
    assert tender["status"]["codelist"] == "tenderStatus.csv"
    assert tender["status"]["openCodelist"] is False
    assert release["definitions"]["Award"]["properties"]["suppliers"]["items"] == {
        "$ref": "#/definitions/OrganizationReference"
    }
    assert release["definitions"]["Item"]["properties"]["additionalClassifications"][
        "wholeListMerge"
    ]
    assert release["definitions"]["Tender"]["properties"]["amendment"]["deprecated"] == {
        "deprecatedVersion": "1.1"
    }


def test_the_package_schemas_are_carried():
    assert schema.release_package_schema()["required"] == [
        "uri",
        "publisher",
        "publishedDate",
        "releases",
        "version",
    ]
    assert "records" in schema.record_package_schema()["properties"]


def test_release_schema_returns_a_copy_the_caller_may_change():
    schema.release_schema()["definitions"].clear()
    assert schema.release_schema()["definitions"]


def test_core_codelists():
    lists = schema.codelists()
    assert len(lists) == 19
    assert lists["tenderStatus.csv"] == {
        "planning",
        "planned",
        "active",
        "cancelled",
        "unsuccessful",
        "complete",
        "withdrawn",
    }
    assert isinstance(lists["partyRole.csv"], frozenset)
    assert schema.deprecated_codes()["awardCriteria.csv"] >= {"lowestCost", "bestProposal"}


def test_codelists_record_whether_they_are_open():
    facts = json.loads((DATA / "codelists.json").read_text(encoding="utf-8"))
    assert facts["partyRole.csv"]["open"] is True
    assert facts["releaseTag.csv"]["open"] is False


def test_find_a_tender_extensions_resolve_to_the_uk_profile():
    known, unknown = schema.resolve_extensions(schema.FIND_A_TENDER_EXTENSIONS)
    assert known == schema.UK_PROFILE
    assert unknown == []


def test_resolution_is_canonical():
    urls = list(schema.FIND_A_TENDER_EXTENSIONS)
    shuffled = [*reversed(urls), urls[0]]
    assert schema.resolve_extensions(shuffled)[0] == schema.UK_PROFILE


def test_unknown_extension_urls_are_reported_in_declared_order():
    declared = [
        "https://example.com/my_extension/extension.json",
        "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
        "https://raw.githubusercontent.com/publisher/ocds_femaleChaired_extension/v1.0/extension.json",
    ]
    known, unknown = schema.resolve_extensions(declared)
    assert known == ("lots@v1.1.5",)
    assert unknown == [declared[0], declared[2]]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        # The registry's URL, as published.
        (
            "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.4/extension.json",
            "bids@v1.1.4",
        ),
        # Scheme, case, spaces and a missing "extension.json" do not matter.
        (
            " HTTP://raw.githubusercontent.com/open-contracting-extensions"
            "/ocds_bid_extension/v1.1.4/ ",
            "bids@v1.1.4",
        ),
        # The repository moved from open-contracting; a version not carried means the latest.
        (
            "https://raw.githubusercontent.com/open-contracting/ocds_lots_extension/v1.1.1/extension.json",
            "lots@master",
        ),
        ("https://github.com/open-contracting-extensions/ocds_lots_extension", "lots@master"),
        (
            "https://extensions.open-contracting.org/en/extensions/contract_buyer/master/",
            "contract_buyer@master",
        ),
        (
            "https://standard.open-contracting.org/profiles/eu/master/en/extension.json",
            "eu_profile@latest",
        ),
        (
            "https://standard.open-contracting.org/profiles/eu/1.1/es/extension.json",
            "eu_profile@latest",
        ),
        (
            "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/master/extension.json",
            "uk@main",
        ),
        ("lots", "lots@master"),
        ("lots@v1.1.4", "lots@v1.1.4"),
    ],
)
def test_declared_references_resolve(declared, expected):
    assert schema.resolve_extensions([declared]) == ((expected,), [])


def test_the_uk_profile_applies_dependencies():
    applied = schema.applied_extensions(schema.UK_PROFILE)
    # The UK extension depends on bids v1.1.5 and location master; the EU profile names bids
    # v1.1.4 and location v1.1.4: one version of each, the newest.
    assert "bids@v1.1.5" in applied
    assert "bids@v1.1.4" not in applied
    assert "location@master" in applied
    assert applied.index("location@master") < applied.index("uk@main")
    assert applied.index("techniques@master") < applied.index("uk@main")
    release = schema.release_schema(schema.UK_PROFILE)
    definitions = release["definitions"]
    assert "noticeType" in definitions["Document"]["properties"]
    # FrameworkAgreement comes from the techniques extension and is extended by the UK one.
    framework = definitions["FrameworkAgreement"]["properties"]
    assert "isOpenFrameworkScheme" in framework
    assert "maximumParticipants" in framework
    assert definitions["Location"]["type"] == "object"
    assert release["properties"]["links"]["items"] == {"$ref": "#/definitions/Link"}


def test_a_named_version_wins_over_a_dependency():
    applied = schema.applied_extensions(("uk@main", "bids@master"))
    assert "bids@master" in applied
    assert "bids@v1.1.5" not in applied


def test_unknown_extensions_are_ignored_when_applying():
    assert schema.release_schema(("https://example.com/nothing.json", "nothing")) == (
        schema.release_schema()
    )


def test_extension_codelist_changes():
    core = schema.codelists()
    uk = schema.codelists(schema.UK_PROFILE)
    assert "removedSupplier" not in core["partyRole.csv"]
    assert "removedSupplier" in uk["partyRole.csv"]
    assert uk["penaltyType.csv"] == {"contracted", "imposed", "negotiated"}
    assert core["partyRole.csv"] <= uk["partyRole.csv"]


def test_merge_patch_follows_rfc_7386():
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "list": [3], "new": {"x": None, "y": 1}}
    assert schema.merge_patch(target, patch) == {
        "a": "z",
        "c": {"d": "e"},
        "list": [3],
        "new": {"y": 1},
    }
    assert target == {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    # RFC 7386's own examples: a non-object patch replaces; null removes.
    assert schema.merge_patch({"a": "b"}, ["c"]) == ["c"]
    assert schema.merge_patch({"a": "b"}, {"a": None}) == {}
    assert schema.merge_patch("x", {"a": {"b": None}}) == {"a": {}}


def test_every_carried_extension_names_its_urls():
    facts = json.loads((DATA / "extensions.json").read_text(encoding="utf-8"))
    required_ids = {
        "eu_profile",
        "amendment_rationale_classifications",
        "budget",
        "contract_completion",
        "documentation_details",
        "pagination",
        "suitability",
        "links",
        "uk",
        "performance_failures",
    }
    assert required_ids <= set(facts)
    for registry_id, extension in facts.items():
        for version, carried in extension["versions"].items():
            assert carried["urls"], f"{registry_id}@{version}"
            for url in carried["urls"]:
                assert schema.resolve_extensions([url])[0] == (f"{registry_id}@{version}",)
