"""OCDS merge: the reference's conformance fixtures, the reference itself on every real sample,
the releases that cannot be compiled, and order independence."""

import copy
import functools
import itertools
import json
import re
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import ocdsmerge
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ocdsmerge.exceptions import OCDSMergeWarning

from openbook.standards.ocds import compile as ocds_compile
from openbook.standards.ocds.compile import CompileError
from openbook.standards.ocds.schema import release_schema

SHARED_DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FIXTURES = SHARED_DATA / "ocds-merge-fixtures"
# The schema each folder of fixtures is written for, as the fixtures' README and file names say.
FIXTURE_SCHEMAS = {
    "1.1": "release-schema-1__1__4.json",
    "1.0": "release-schema-1__0__3.json",
    "schema": "schema.json",
}
FIND_A_TENDER_EXTENSIONS = (
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
)
SAMPLE_FOLDERS = (
    "ocds-real-publisher-samples",
    "ocds-fictional-example",
    "ocds-standard-examples",
    "ocds-uk-framework-examples",
)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@functools.cache
def fixture_schema(folder: str) -> dict:
    return read_json(FIXTURES / FIXTURE_SCHEMAS[folder])


@functools.cache
def fixture_merger(folder: str) -> ocds_compile.Merger:
    return ocds_compile.merger(fixture_schema(folder))


@functools.cache
def reference_merger(schema_name: str) -> ocdsmerge.Merger:
    """The reference, reading its rules from the schema itself."""
    if schema_name == "package":
        return ocdsmerge.Merger(schema=release_schema())
    return ocdsmerge.Merger(schema=fixture_schema(schema_name))


def reference(method: str, releases: list[dict], schema_name: str) -> dict:
    """What the reference makes of the releases."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OCDSMergeWarning)
        return getattr(reference_merger(schema_name), f"create_{method}_release")(releases)


# Golden files: each expected output (`<case>-compiled.json`, `<case>-versioned.json`) with its
# input (`<case>.json`). The others in schema/ are outputs of rule overrides, which openbook
# does not use.
GOLDEN_CASES = [
    pytest.param(folder, path, id=f"{folder}/{path.stem}")
    for folder in FIXTURE_SCHEMAS
    for path in sorted((FIXTURES / folder).glob("*.json"))
    if re.search(r"-(compiled|versioned)$", path.stem)
]


def test_every_golden_case_is_collected():
    # 1.1: 17 compiled and 17 versioned; 1.0: 1 and 1; schema: 13 and 1.
    assert len(GOLDEN_CASES) == 50


@pytest.mark.parametrize(("folder", "expected_path"), GOLDEN_CASES)
def test_golden(folder, expected_path):
    case, method = expected_path.stem.rsplit("-", 1)
    releases = read_json(expected_path.with_name(f"{case}.json"))
    expected = read_json(expected_path)
    create = getattr(ocds_compile, f"{method}_release")
    given = copy.deepcopy(releases)

    actual = create(releases, schema=fixture_schema(folder))

    assert releases == given
    assert actual == expected
    # Key order too, so that serialised records are byte-identical to the reference's.
    assert json.dumps(actual) == json.dumps(expected)


@pytest.mark.parametrize("folder", FIXTURE_SCHEMAS)
def test_rules_are_the_references(folder):
    schema = fixture_schema(folder)

    assert fixture_merger(folder).rules == ocdsmerge.rules.get_merge_rules(schema)


def test_package_rules_are_the_references():
    assert ocds_compile.merger().rules == ocdsmerge.rules.get_merge_rules(release_schema())
    assert ocds_compile.merger() is ocds_compile.merger()


def test_rules_with_the_find_a_tender_extensions_are_the_references():
    # The extensions the Find a Tender Service declares (shared data README), which change the
    # rules of many fields; with their dependencies, 39 extensions.
    schema = release_schema(FIND_A_TENDER_EXTENSIONS)

    rules = ocds_compile.merger(schema).rules

    assert rules == ocdsmerge.rules.get_merge_rules(schema)
    assert rules != ocds_compile.merger().rules


def test_rules_of_every_extension_set_in_the_real_samples_are_the_references():
    # Each set the samples declare, as loading them resolves it (the extensions' dependencies
    # applied), merged by the loader's own merger.
    from openbook import records
    from openbook.standards.ocds.schema import applied_extensions, patched_schema
    from openbook.standards.ocds.validate import _compilable

    profiles = {
        records.package_profile(document)
        for _, document in sample_documents()
        if isinstance(document, dict) and ("releases" in document or "records" in document)
    }
    assert len(profiles) >= 8
    for version, extensions in profiles:
        if version == "1.1" and extensions:
            schema = patched_schema("release", applied_extensions(extensions))
            # The reference fails on a reference to a definition no applied extension brings
            # (lots refers to one of submissionTerms): such a field has no rules, for both, as
            # it accepts anything for the validator (the same copy).
            expected = ocdsmerge.rules.get_merge_rules(_compilable(schema))
            assert records.merger((version, extensions)).rules == expected, extensions


def test_references_the_rules_reading_cannot_follow():
    def with_items(reference):
        return {
            "properties": {
                "kept": {"type": "array", "items": {"$ref": "#/definitions/Kept"}},
                "odd": {"type": "array", "items": {"$ref": reference}},
            },
            "definitions": {"Kept": {"type": "object", "properties": {"id": {"type": "string"}}}},
        }

    # Pointing outside the schema (never fetched), or to a definition an extension did not
    # bring: a field without rules, merged as any value is.
    for reference in ("https://example.com/schema.json#/Other", "#/definitions/Missing"):
        assert ocds_compile.merger(with_items(reference)).rules == {}
    # References that point to each other without end: refused with a message.
    looping = {
        "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {"A": {"$ref": "#/definitions/B"}, "B": {"$ref": "#/definitions/A"}},
    }
    with pytest.raises(CompileError, match="without end"):
        ocds_compile.merger(looping)
    nesting = {
        "properties": {"a": {"$ref": "#/definitions/A"}},
        "definitions": {
            "A": {"type": "object", "properties": {"b": {"$ref": "#/definitions/B"}}},
            "B": {"type": "object", "properties": {"a": {"$ref": "#/definitions/A"}}},
        },
    }
    with pytest.raises(CompileError, match="without end"):
        ocds_compile.merger(nesting)


# The real samples


def sample_documents():
    """Every sample file that parses as JSON, with its path under the shared data."""
    for folder in SAMPLE_FOLDERS:
        for path in sorted((SHARED_DATA / folder).rglob("*.json")):
            text = path.read_text(encoding="utf-8")
            if not text.strip():
                continue
            try:
                document = json.loads(text)
            except json.JSONDecodeError:
                continue
            yield str(path.relative_to(SHARED_DATA)), document


def releases_in(document: Any) -> list[dict]:
    """The releases of a release package, the embedded releases of a record package (or of a
    record), or the document itself if it is one release."""
    if not isinstance(document, dict):
        return []
    if isinstance(document.get("records"), list):
        records = [record for record in document["records"] if isinstance(record, dict)]
        return [
            release
            for record in records
            for release in record.get("releases") or []
            if isinstance(release, dict) and not ("url" in release and "id" not in release)
        ]
    if isinstance(document.get("releases"), list):
        return [
            release
            for release in document["releases"]
            if isinstance(release, dict) and not ("url" in release and "id" not in release)
        ]
    if "ocid" in document and "date" in document:
        return [document]
    return []


@functools.cache
def sample_processes(grouping: str) -> dict[Any, list[dict]]:
    """The samples' releases by process: as published together (`file`: by file and ocid), or
    across all the samples (`corpus`: by ocid, each distinct release once)."""
    processes: dict[Any, dict[str, dict]] = defaultdict(dict)
    for path, document in sample_documents():
        for position, release in enumerate(releases_in(document)):
            if grouping == "file":
                processes[path, release.get("ocid")][str(position)] = release
            else:
                distinct = json.dumps(release, sort_keys=True)
                processes[release.get("ocid")].setdefault(distinct, release)
    return {key: list(releases.values()) for key, releases in processes.items()}


# Processes refused, and why: the serialization examples' release has no date.
REFUSED = {
    "file": {
        ("ocds-standard-examples/serialization/flat.json", "ocds-a2ef3d01-1594121"),
        ("ocds-standard-examples/serialization/flat_two_items.json", "ocds-a2ef3d01-1594121"),
    },
    "corpus": {"ocds-a2ef3d01-1594121"},
}
COMPARED = {"file": 1591, "corpus": 1341}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("grouping", "schema_name"), [("file", "1.1"), ("corpus", "1.1"), ("corpus", "package")]
)
def test_real_samples_equal_the_reference(grouping, schema_name):
    merger = ocds_compile.merger() if schema_name == "package" else fixture_merger(schema_name)
    compared, refused, different = 0, set(), []

    for key, releases in sample_processes(grouping).items():
        try:
            compiled = merger.compiled_release(releases)
            versioned = merger.versioned_release(releases)
        except CompileError:
            refused.add(key)
            continue
        for method, actual in (("compiled", compiled), ("versioned", versioned)):
            expected = reference(method, releases, schema_name)
            # As text, so that key order counts too (and 1.0 is not 1).
            if json.dumps(actual) != json.dumps(expected):
                different.append((key, method))
        compared += 1

    assert different == []
    assert refused == REFUSED[grouping]
    assert compared == COMPARED[grouping]


def test_samples_include_processes_of_many_releases():
    sizes = sorted(len(releases) for releases in sample_processes("corpus").values())

    assert sum(size > 1 for size in sizes) == 79
    assert sizes[-1] == 32  # the fictional example, in OCDS 1.0 and 1.1


# Where other implementations (ocdsmerge_rs 0.1.6) differ from the reference


def release(date: str, **fields: Any) -> dict:
    return {"ocid": "ocds-213czf-1", "id": date, "date": date, **fields}


def test_a_change_of_number_type_is_no_new_version():
    releases = [
        release("2020-01-01", tender={"value": {"amount": 6700000.0}}),
        release("2020-01-02", tender={"value": {"amount": 6700000}}),
    ]

    versioned = fixture_merger("1.1").versioned_release(releases)

    assert versioned["tender"]["value"]["amount"] == [
        {
            "releaseID": "2020-01-01",
            "releaseDate": "2020-01-01",
            "releaseTag": None,
            "value": 6700000.0,
        }
    ]


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ({"id": None, "title": "a"}, {"id": None, "title": "b"}, [{"title": "b"}]),
        ({"id": 1, "title": "a"}, {"id": "1", "title": "b"}, [{"id": 1, "title": "b"}]),
        ({"id": True, "title": "a"}, {"id": True, "title": "b"}, [{"id": True, "title": "b"}]),
    ],
    ids=["null ids", "integer and string ids", "boolean ids"],
)
def test_objects_are_matched_by_the_text_of_their_id(first, second, expected):
    releases = [release("2020-01-01", awards=[first]), release("2020-01-02", awards=[second])]

    compiled = fixture_merger("1.1").compiled_release(releases)

    assert compiled["awards"] == expected


def test_compiled_release_leads_with_tag_id_date_ocid():
    releases = [release("2020-01-01", title="a", tag=["tender"])]

    compiled = fixture_merger("1.1").compiled_release(releases)

    assert list(compiled) == ["tag", "id", "date", "ocid", "title"]
    assert compiled["id"] == "ocds-213czf-1-2020-01-01"


# Releases that cannot be compiled


@pytest.mark.parametrize(
    ("releases", "message"),
    [
        ([], re.escape("There are no releases to compile.")),
        ({"ocid": "ocds-213czf-1"}, re.escape("The releases must be given as a list.")),
        ([{"ocid": "ocds-213czf-1", "id": "1"}], re.escape("Release 0 has no `date`.")),
        ([release("2020-01-01"), release(None)], re.escape("Release 1 has a null `date`.")),
        ([release(20200101)], re.escape("Release 0 has a `date` that is not a string.")),
        ([release("2020-01-01"), "{}"], re.escape("Release 1 is a str, not an object.")),
        ([[release("2020-01-01")]], re.escape("Release 0 is a list, not an object.")),
        ([{"id": "1", "date": "2020-01-01"}], re.escape("Release 0 has no `ocid` string.")),
        (
            [release("2020-01-01"), {**release("2020-01-02"), "ocid": "ocds-213czf-2"}],
            re.escape(
                "The releases are of more than one process: 'ocds-213czf-1' and 'ocds-213czf-2'."
            ),
        ),
        (
            [release("2020-01-01", tender={"x": 1}), release("2020-01-02", tender={"x": {"a": 1}})],
            # The earlier value is the field's history, in a versioned release.
            r"An earlier release had the value .+ for /tender/x, "
            r"but the current release has an object with a 'a' key",
        ),
        (
            [release("2020-01-01", awards=[{"id": {"scheme": "x"}}])],
            re.escape("An object in an array has an unusable `id`: unhashable type: 'dict'"),
        ),
        (
            [
                release(
                    "2020-01-01",
                    tender=functools.reduce(lambda inner, _: {"a": inner}, range(2000), {}),
                )
            ],
            re.escape("A release is nested too deeply to compile."),
        ),
    ],
    ids=[
        "no releases",
        "not a list",
        "no date",
        "null date",
        "number date",
        "string release",
        "list release",
        "no ocid",
        "two ocids",
        "value then object",
        "object id",
        "deep nesting",
    ],
)
@pytest.mark.parametrize("method", ["compiled", "versioned"])
def test_compile_error(method, releases, message):
    create = getattr(fixture_merger("1.1"), f"{method}_release")

    with pytest.raises(CompileError) as raised:
        create(releases)

    assert re.fullmatch(message, str(raised.value))


def test_schema_without_properties_is_refused():
    with pytest.raises(CompileError, match=r"A release schema is an object with `properties`\."):
        ocds_compile.merger({"type": "object"})


# Properties

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["a", "b"]))
objects = st.fixed_dictionaries(
    {"id": st.sampled_from(["1", "2", "3"])},
    optional={
        "title": scalars,
        "status": scalars,
        "value": st.fixed_dictionaries({"amount": scalars}),
    },
)
bodies = st.fixed_dictionaries(
    {},
    optional={
        "tag": st.lists(st.sampled_from(["tender", "award"]), max_size=2),
        "tender": st.fixed_dictionaries(
            {}, optional={"title": scalars, "items": st.lists(objects)}
        ),
        "awards": st.lists(objects, max_size=3),
        "buyer": st.fixed_dictionaries({}, optional={"name": scalars}),
    },
)


@st.composite
def processes(draw):
    days = draw(st.lists(st.dates(), min_size=1, max_size=5, unique=True))
    return [release(day.isoformat(), **draw(bodies)) for day in days]


@given(processes(), st.randoms())
def test_compiling_does_not_depend_on_the_order_given(releases, random):
    shuffled = random.sample(releases, len(releases))
    merger = fixture_merger("1.1")

    assert merger.compiled_release(shuffled) == merger.compiled_release(releases)
    assert merger.versioned_release(shuffled) == merger.versioned_release(releases)


@given(st.lists(st.sampled_from(["2020-01-02", "2020-01-01", "2020-01-01T00:00:00Z"])))
def test_sort_is_by_date_as_text_and_stable(dates):
    releases = [{"date": date, "position": position} for position, date in enumerate(dates)]

    ordered = ocds_compile.sort_releases(releases)

    assert [r["date"] for r in ordered] == sorted(dates)
    for before, after in itertools.pairwise(ordered):
        if before["date"] == after["date"]:
            assert before["position"] < after["position"]
