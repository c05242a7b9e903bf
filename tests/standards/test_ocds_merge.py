"""The direct compiled-release merge (openbook.standards.ocds.merge) against the reference,
ocdsmerge: the conformance fixtures, every real sample, generated data and random releases.
Compared as JSON text, so that the order of fields counts too."""

import copy
import itertools
import json
import warnings
from collections import defaultdict

import ocdsmerge
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning

from openbook.generate import generate_releases
from openbook.standards.ocds import compile as ocds_compile
from openbook.standards.ocds import merge
from tests.standards.test_ocds_compile import (
    FIXTURES,
    GOLDEN_CASES,
    fixture_merger,
    read_json,
    sample_processes,
)


def reference_compiled(releases: list[dict], rules: merge.MergeRules) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OCDSMergeWarning)
        return ocdsmerge.Merger(merge_rules=rules).create_compiled_release(releases)


def direct(releases: list[dict], rules: merge.MergeRules) -> dict:
    return merge.compiled_release(ocds_compile.sort_releases(releases), merge.rule_tree(rules))


def as_text(value: object) -> str:
    return json.dumps(value)


@pytest.mark.parametrize(
    ("folder", "expected_path"),
    [case for case in GOLDEN_CASES if case.values[1].stem.endswith("-compiled")],
)
def test_fixtures(folder, expected_path):
    case = expected_path.stem.removesuffix("-compiled")
    releases = read_json(expected_path.with_name(f"{case}.json"))
    given_releases = copy.deepcopy(releases)

    actual = direct(releases, fixture_merger(folder).rules)

    assert releases == given_releases  # the releases given are not changed
    assert as_text(actual) == as_text(read_json(expected_path))


def test_fixture_folders_are_read():
    assert sum(1 for case in GOLDEN_CASES if case.values[1].stem.endswith("-compiled")) == 31
    assert FIXTURES.is_dir()


@pytest.mark.slow
def test_every_real_sample_equals_the_reference():
    rules = ocds_compile.merger().rules
    equal, unusual = 0, []
    for ocid, releases in sample_processes("corpus").items():
        try:
            ordered = ocds_compile.sort_releases(releases)
            ocds_compile.compiled_release(releases)  # refused processes are refused before
        except ocds_compile.CompileError:
            continue
        try:
            actual = merge.compiled_release(ordered, merge.rule_tree(rules))
        except merge.Unusual:
            unusual.append(ocid)
            continue
        assert as_text(actual) == as_text(reference_compiled(releases, rules)), ocid
        equal += 1

    assert equal == 1340
    # One sample gives an item's `unit` as an object in one release and as text in another.
    assert len(unusual) == 1


def test_generated_releases_equal_the_reference():
    rules = ocds_compile.merger().rules
    processes: dict[str, list[dict]] = defaultdict(list)
    for release in itertools.islice(generate_releases(800, seed=7), 2500):
        processes[release["ocid"]].append(release)

    for releases in processes.values():
        actual = direct(releases, rules)  # never Unusual: the generator's data is ordinary
        assert as_text(actual) == as_text(reference_compiled(releases, rules))
    assert sum(len(releases) > 2 for releases in processes.values()) > 100


# Random releases over a few field names, with every kind of value: nulls, empty objects and
# arrays, arrays of values and of objects with ids of every type, nesting, and merge rules.
RULES: merge.MergeRules = {
    ("tag",): "omitWhenMerged",
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("c",): "omitWhenMerged",
    ("b",): "wholeListMerge",
    ("items", "b"): "wholeListMerge",
    ("items", "items", "c"): "omitWhenMerged",
}
NAMES = st.sampled_from(["a", "b", "c", "items", "id"])
IDS = st.one_of(
    st.sampled_from(["1", "2", "x"]),
    st.integers(1, 2),
    st.none(),
    st.booleans(),
    st.floats(1, 2),
)
LEAVES = st.one_of(
    st.none(),
    st.integers(-2, 2),
    st.floats(0, 1),
    st.text(max_size=2),
    st.booleans(),
    st.lists(st.integers(0, 2), max_size=2),
)


def objects(children):
    plain = st.dictionaries(NAMES, children, max_size=4)
    with_id = st.builds(lambda fields, identifier: {**fields, "id": identifier}, plain, IDS)
    return st.one_of(plain, with_id)


VALUES = st.recursive(
    LEAVES,
    lambda children: st.one_of(objects(children), st.lists(objects(children), max_size=3)),
    max_leaves=12,
)
RELEASES = st.lists(
    st.builds(
        lambda fields, date, tag: {**fields, "ocid": "ocds-1", "date": date, "tag": tag},
        st.dictionaries(NAMES.filter(lambda name: name != "id"), VALUES, max_size=4),
        st.sampled_from(["2020-01-01", "2020-01-02", "2020-01-03"]),
        st.sampled_from([["tender"], ["award"]]),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=600, deadline=None)
@given(RELEASES)
def test_random_releases_equal_the_reference_or_go_to_it(releases):
    ordered = ocds_compile.sort_releases(releases)
    try:
        expected = as_text(reference_compiled(copy.deepcopy(releases), RULES))
    except (OCDSMergeError, TypeError):
        expected = None  # the reference refuses these; the direct merge must not accept them
    try:
        actual = as_text(merge.compiled_release(ordered, merge.rule_tree(RULES)))
    except merge.Unusual:
        return  # left to the reference
    assert actual == expected


@pytest.mark.parametrize(
    ("releases", "why"),
    [
        (
            [{"a": {"b": 1}, "date": "1"}, {"a": "text", "date": "2"}],
            "an object at 'a' is replaced by a value",
        ),
        (
            [{"a": "text", "date": "1"}, {"a": {"b": 1}, "date": "2"}],
            "the value at 'a' changes between object and array",
        ),
        (
            [{"items": [{"id": 1, "a": 1}], "date": "1"}, {"items": [{"id": "1"}], "date": "2"}],
            "an `id` is a number in one release, text in another",
        ),
        ([{"items": [{"id": True}], "date": "1"}], "an `id` is neither a string nor an integer"),
        ([{"items": [{"id": None}], "date": "1"}], "an `id` is neither a string nor an integer"),
    ],
)
def test_unusual_data_is_left_to_the_reference(releases, why):
    for release in releases:
        release["ocid"] = "ocds-1"
    with pytest.raises(merge.Unusual, match=why):
        merge.compiled_release(releases, merge.rule_tree(RULES))


def test_compile_gives_the_references_result_for_unusual_data():
    releases = [
        {"ocid": "ocds-1", "date": "1", "items": [{"id": 1, "a": 1}]},
        {"ocid": "ocds-1", "date": "2", "items": [{"id": "1", "b": 2}]},
    ]
    merger = ocds_compile.merger()

    assert as_text(merger.compiled_release(releases)) == as_text(
        reference_compiled(releases, merger.rules)
    )


def test_nulls_remove_fields_but_keep_their_objects_and_places():
    releases = [
        {"ocid": "o", "date": "1", "x": None, "a": {"b": 1, "c": None}, "items": [{"d": None}]},
        {"ocid": "o", "date": "2", "a": {"b": None}, "x": 2},
    ]

    compiled = direct(releases, {})

    assert as_text(compiled) == as_text(reference_compiled(releases, {}))
    assert list(compiled) == ["tag", "id", "date", "ocid", "x", "a", "items"]
    assert compiled["a"] == {}
    assert compiled["items"] == [{}]


def test_rule_tree():
    tree = merge.rule_tree({("a", "b"): "wholeListMerge", ("a",): "omitWhenMerged", ("c",): "x"})

    assert tree == {"a": ("omitWhenMerged", {"b": ("wholeListMerge", {})}), "c": ("x", {})}
