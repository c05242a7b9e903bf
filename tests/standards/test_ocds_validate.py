"""Review of OCDS releases and packages, against the standard's examples and real data."""

import copy
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openbook.standards.ocds import schema
from openbook.standards.ocds.validate import (
    CODES,
    Problem,
    review_package,
    review_release,
    summarize,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
FICTIONAL = SHARED / "ocds-fictional-example" / "fictional-example" / "1.1"
EXAMPLES = SHARED / "ocds-standard-examples"
PUBLISHERS = SHARED / "ocds-real-publisher-samples"
CARRIED = json.loads(
    (ROOT / "openbook" / "standards" / "ocds" / "data" / "extensions.json").read_text("utf-8")
)

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not present")


def create_release(**fields):
    """The smallest valid release, with ``fields`` added or replaced."""
    release = {
        "ocid": "ocds-213czf-000-00001",
        "id": "ocds-213czf-000-00001-01",
        "date": "2024-03-01T09:30:00Z",
        "tag": ["tender"],
        "initiationType": "tender",
    }
    release.update(fields)
    return release


def create_package(**fields):
    package = {
        "uri": "https://example.com/packages/1.json",
        "publishedDate": "2024-03-01T09:30:00Z",
        "publisher": {"name": "Example Council"},
        "version": "1.1",
        "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "publicationPolicy": "https://example.com/policy",
        "releases": [create_release()],
    }
    package.update(fields)
    return package


def without(data, key):
    return {name: value for name, value in data.items() if name != key}


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def releases_of(data):
    """The full releases in a file: a package's, a record package's embedded and compiled
    releases, or the file itself if it is a release."""
    if "releases" in data:
        return data["releases"]
    if "records" in data:
        found = []
        for record in data["records"]:
            found += [release for release in record.get("releases", []) if "ocid" in release]
            if "compiledRelease" in record:
                found.append(record["compiledRelease"])
        return found
    return [data]


def errors(problems):
    return [problem for problem in problems if problem.severity == "error"]


def kinds(problems):
    """(code, path with list positions as *) of each problem."""
    return {(group["code"], group["path"]) for group in summarize(problems)}


# The standard's examples.


def fictional_packages():
    return sorted(FICTIONAL.glob("*.json")) if FICTIONAL.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", fictional_packages(), ids=lambda path: path.name)
def test_the_fictional_example_has_no_errors(path):
    package = load(path)
    assert errors(review_package(package, "release")) == []
    for release in package["releases"]:
        problems = review_release(release)
        assert errors(problems) == []
        # It uses a deprecated awardCriteria code and 'x_' document types of its own.
        assert kinds(problems) <= {
            ("deprecated", "tender/awardCriteria"),
            ("open-codelist", "tender/documents/*/documentType"),
        }


@needs_shared
def test_the_fictional_award_release_is_clean():
    package = load(FICTIONAL / "ocds-213czf-000-00001-04-award.json")
    assert review_package(package, "release") == []
    assert review_release(package["releases"][0]) == []


# Errors in the standard's own examples, as published (each checked by hand).
EXAMPLE_ERRORS = {
    # Amounts as text, and an update release without initiationType or awardID.
    "amendments/easy_releases.json": {
        ("type", "contracts/*/value/amount"),
        ("required", "initiationType"),
        ("required", "contracts/*/awardID"),
    },
    # "awardAmendment" is not a release tag.
    "merging/deletions/array_awardAmendment.json": {("closed-codelist", "tag/*")},
    "merging/deletions/array_record.json": {("closed-codelist", "tag/*")},
    # Flattened fragments, not whole releases.
    "serialization/flat.json": {
        ("required", "id"),
        ("required", "date"),
        ("type", "tag"),
        ("required", "initiationType"),
    },
    "serialization/flat_two_items.json": {
        ("required", "id"),
        ("required", "date"),
        ("type", "tag"),
        ("required", "initiationType"),
    },
}


def example_files():
    if not EXAMPLES.is_dir():
        return []
    return [
        path
        for path in sorted(EXAMPLES.rglob("*.json"))
        if {"releases", "records"} & set(load(path))
    ]


@needs_shared
@pytest.mark.parametrize("path", example_files(), ids=lambda path: str(path.relative_to(EXAMPLES)))
def test_the_standard_examples_review_as_expected(path):
    data = load(path)
    known, _ = schema.resolve_extensions(data.get("extensions") or [])
    problems = [
        problem for release in releases_of(data) for problem in review_release(release, known)
    ]
    expected = EXAMPLE_ERRORS.get(str(path.relative_to(EXAMPLES)), set())
    assert kinds(errors(problems)) == expected


@needs_shared
def test_an_example_declaring_an_unknown_extension_is_told_so():
    data = load(EXAMPLES / "frameworks" / "open_multiple_second_stage.json")
    problems = review_package(data, "release")
    assert [
        (problem.code, problem.path) for problem in problems if problem.code != "recommended"
    ] == [("unknown-extension", "extensions/0")]
    assert "ocds_competitive_extension" in problems[0].message


# Real publishers' data: never a crash, and the problems they are known for.


def publisher_releases(publisher):
    found = []
    for path in sorted((PUBLISHERS / publisher).rglob("releases/*.json")):
        if path.stat().st_size:  # some Paraguay files are empty as published
            found += releases_of(load(path))
    return found


@needs_shared
@pytest.mark.parametrize(
    "publisher",
    [
        "armenia",
        "australia",
        "canada",
        "mexico",
        "nigeria",
        "paraguay",
        "uganda",
        "uk-contracts-finder",
    ],
)
@pytest.mark.parametrize("extensions", [(), schema.UK_PROFILE], ids=["core", "uk-profile"])
def test_real_publishers_data_is_reviewed_without_crashing(publisher, extensions):
    releases = publisher_releases(publisher)[:300]
    assert releases
    for release in releases:
        problems = review_release(release, extensions)
        assert all(isinstance(problem, Problem) for problem in problems)
        for problem in problems:
            assert problem.code in CODES
            assert problem.severity == CODES[problem.code]
            assert len(problem.message) < 600


@needs_shared
def test_real_publishers_known_problems():
    canada = [
        problem for release in publisher_releases("canada") for problem in review_release(release)
    ]
    assert ("type", "tag") in kinds(canada)  # a tag given as text, not a list
    armenia = [
        problem
        for release in publisher_releases("armenia")[:50]
        for problem in review_release(release)
    ]
    assert ("closed-codelist", "initiationType") in kinds(armenia)  # "planning"
    assert ("type", "planning") in kinds(armenia)  # a list, not an object


@needs_shared
def test_uk_contracts_finder_releases_have_no_errors():
    for release in publisher_releases("uk-contracts-finder"):
        assert errors(review_release(release)) == []
        # Their buyer repeats the organisation's details, deprecated since 1.1.
        assert kinds(review_release(release)) <= {
            ("deprecated", "buyer/identifier"),
            ("deprecated", "buyer/address"),
            ("deprecated", "buyer/contactPoint"),
        }


@needs_shared
def test_a_valid_release_is_reviewed_quickly():
    """A loose guard (the measured cost is about 12 µs): the load path reviews every release."""
    releases = publisher_releases("uk-contracts-finder")
    for release in releases:  # build the reviewers first
        review_release(release, schema.UK_PROFILE)
    rounds = 50
    start = time.perf_counter()
    for _ in range(rounds):
        for release in releases:
            review_release(release, schema.UK_PROFILE)
    per_release = (time.perf_counter() - start) / (rounds * len(releases))
    assert per_release < 500e-6


# Each problem code, triggered.

UK = schema.UK_PROFILE


def triggered(code):
    """Problems from input made to trigger ``code``."""
    release_inputs = {
        "required": (without(create_release(), "ocid"), ()),
        "type": (create_release(tender={"id": "1", "value": {"amount": "1,000"}}), ()),
        "format": (create_release(date="2024-03-01"), ()),
        "closed-codelist": (create_release(tender={"id": "1", "status": "Active"}), ()),
        "min-items": (create_release(tag=[]), ()),
        "unique-items": (create_release(awards=[{"id": "1"}, {"id": "1"}]), ()),
        "min-length": (create_release(ocid=""), ()),
        "min-properties": (create_release(tender={"id": "1", "techniques": {}}), UK),
        "minimum": (
            create_release(awards=[{"id": "1", "subcontracting": {"minimumPercentage": -1}}]),
            UK,
        ),
        "maximum": (
            create_release(awards=[{"id": "1", "subcontracting": {"minimumPercentage": 2}}]),
            UK,
        ),
        "schema": (create_release(tender={"id": "1", "title": {"not", "json"}}), ()),
        "open-codelist": (create_release(parties=[{"id": "1", "roles": ["builder"]}]), ()),
        "deprecated": (create_release(tender={"id": "1", "amendment": {"id": "1"}}), ()),
    }
    package_inputs = {
        "pattern": create_package(version="one"),
        "unknown-extension": create_package(extensions=["https://example.com/extension.json"]),
        "ocds-version": create_package(version="1.0"),
        "recommended": create_package(license=None),
    }
    if code in release_inputs:
        release, extensions = release_inputs[code]
        return review_release(release, extensions)
    return review_package(package_inputs[code], "release")


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_code_is_triggered(code):
    problems = triggered(code)
    matching = [problem for problem in problems if problem.code == code]
    assert matching, problems
    assert {problem.severity for problem in matching} == {CODES[code]}


def test_every_code_is_documented():
    text = (ROOT / "docs" / "review-codes.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^### `([a-z-]+)`", text, flags=re.MULTILINE))
    assert documented == set(CODES)


def test_a_valid_release_has_no_problems():
    assert review_release(create_release()) == []
    assert review_release(create_release(), UK) == []
    assert review_package(create_package(), "release") == []


def test_every_carried_extension_compiles_and_accepts_a_minimal_release():
    for registry_id, extension in CARRIED.items():
        for version in extension["versions"]:
            assert review_release(create_release(), (f"{registry_id}@{version}",)) == []


def test_a_missing_field_names_it_and_says_why():
    [problem] = review_release(without(create_release(), "ocid"))
    assert problem == Problem(
        "required",
        "ocid",
        "'ocid' is missing: every release must have an ocid (the contracting process identifier).",
        "error",
    )
    [problem] = review_release(create_release(awards=[{"title": "Roads"}]))
    assert problem.path == "awards/0/id"
    assert "each entry in 'awards' needs an id" in problem.message


def test_wrong_type_and_format_messages_show_the_value():
    [problem] = review_release(create_release(tender={"id": "1", "value": {"amount": "1,000"}}))
    assert problem.path == "tender/value/amount"
    assert problem.message == (
        "'tender/value/amount' must be a number (or null), but it is the text '1,000'."
    )
    [problem] = review_release(create_release(date="2024-03-01"))
    assert problem.code == "format"
    assert "'2024-03-01'" in problem.message
    assert "time zone" in problem.message
    [problem] = review_release(create_release(tag="tender"))
    assert problem.message == "'tag' must be a list, but it is the text 'tender'."


def test_codelist_problems():
    [problem] = review_release(create_release(tender={"id": "1", "status": "Active"}))
    assert problem.code == "closed-codelist"
    assert problem.severity == "error"
    assert "Did you mean 'active'?" in problem.message
    [problem] = review_release(create_release(tag=["tender", "notice"]))
    assert problem.path == "tag/1"
    [problem] = review_release(create_release(parties=[{"id": "1", "roles": ["builder"]}]))
    assert (problem.code, problem.path, problem.severity) == (
        "open-codelist",
        "parties/0/roles/0",
        "warning",
    )
    # The UK extension adds codes: they are known once it applies.
    release = create_release(parties=[{"id": "1", "roles": ["removedSupplier"]}])
    assert review_release(release) != []
    assert review_release(release, UK) == []


def test_deprecated_fields_and_codes_are_warnings():
    release = create_release(
        buyer={"id": "1", "name": "Council", "address": {"locality": "Leeds"}},
        tender={"id": "1", "awardCriteria": "lowestCost"},
    )
    problems = review_release(release)
    assert {(problem.code, problem.path, problem.severity) for problem in problems} == {
        ("deprecated", "buyer/address", "warning"),
        ("deprecated", "tender/awardCriteria", "warning"),
    }


def test_package_metadata_only():
    # The releases' contents are not reviewed here.
    package = create_package(releases=[{"not": "a release"}])
    assert review_package(package, "release") == []
    problems = review_package(create_package(releases=[]), "release")
    assert [(problem.code, problem.path) for problem in problems] == [("min-items", "releases")]
    record_package = without(create_package(records=[{"ocid": "x"}]), "releases")
    assert review_package(record_package, "record") == []


def test_package_problems():
    package = without(create_package(publishedDate="yesterday", publisher={}, uri=7), "version")
    assert kinds(review_package(package, "release")) == {
        ("format", "publishedDate"),
        ("required", "publisher/name"),
        ("type", "uri"),
        ("required", "version"),
    }


def test_unknown_extensions_in_a_package_are_warnings():
    package = create_package(
        extensions=[
            "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/master/extension.json",
            "https://example.com/ocds_shoe_size_extension/extension.json",
        ]
    )
    problems = review_package(package, "release")
    assert [(problem.code, problem.path, problem.severity) for problem in problems] == [
        ("unknown-extension", "extensions/1", "warning")
    ]
    assert "ocds_shoe_size_extension" in problems[0].message


def test_the_pagination_extension_checks_links():
    package = create_package(
        extensions=list(schema.FIND_A_TENDER_EXTENSIONS), links={"next": "page 2"}
    )
    assert kinds(review_package(package, "release")) == {("format", "links/next")}


def test_review_package_needs_a_known_kind():
    with pytest.raises(ValueError, match="kind"):
        review_package(create_package(), "releases")


# Hostile input: problems, never exceptions.

WRONG_VALUES = [None, True, 0, -1.5, 10**40, "", "x", "é" * 10_000, [], [None], {}, {"": None}]


def every_path(node, path=()):
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from every_path(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from every_path(value, (*path, index))


def replaced(node, path, value):
    copied = copy.deepcopy(node)
    target = copied
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return copied


@needs_shared
def test_wrong_types_at_every_level_give_problems_not_exceptions():
    release = load(FICTIONAL / "ocds-213czf-000-00001-04-award.json")["releases"][0]
    paths = [path for path in every_path(release) if path]
    assert len(paths) > 50
    for path in paths:
        for value in WRONG_VALUES:
            for extensions in ((), UK):
                problems = review_release(replaced(release, path, value), extensions)
                assert all(len(problem.message) < 600 for problem in problems)


@pytest.mark.parametrize("value", [None, [], [{}], "release", 1, True])
def test_a_release_that_is_not_an_object(value):
    [problem] = review_release(value)
    assert (problem.code, problem.path) == ("type", "")
    assert problem.message.startswith("The release must be an object")
    [problem] = review_package(value, "release")
    assert problem.message.startswith("The package must be an object")


def test_huge_values_are_cut_short_in_messages():
    huge = "x" * 1_000_000
    problems = review_release(create_release(tender={"id": "1", "status": huge}, date=huge))
    assert {problem.code for problem in problems} == {"closed-codelist", "format"}
    assert all(len(problem.message) < 600 for problem in problems)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "status", "tag", "roles", "amount", "items", "value", "x"])
            | st.text(),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "tag",
                "parties",
                "buyer",
                "planning",
                "tender",
                "awards",
                "contracts",
                "relatedProcesses",
            ]
        ),
        json_values,
    )
)
def test_arbitrary_json_in_a_release_gives_problems_not_exceptions(fields):
    for extensions in ((), UK):
        problems = review_release(create_release(**fields), extensions)
        assert all(problem.code in CODES for problem in problems)


# Summaries and serialisation.


def test_summarize_groups_by_code_severity_and_general_path():
    problems = [
        Problem("required", f"awards/{index}/id", "missing", "error") for index in range(5)
    ] + [
        Problem("open-codelist", "parties/0/roles/0", "unknown role", "warning"),
        Problem("open-codelist", "parties/3/roles/1", "unknown role", "warning"),
        Problem("required", "ocid", "missing", "error"),
    ]
    assert summarize(problems) == [
        {
            "code": "required",
            "severity": "error",
            "path": "awards/*/id",
            "count": 5,
            "message": "missing",
            "examples": ["awards/0/id", "awards/1/id", "awards/2/id"],
        },
        {
            "code": "open-codelist",
            "severity": "warning",
            "path": "parties/*/roles/*",
            "count": 2,
            "message": "unknown role",
            "examples": ["parties/0/roles/0", "parties/3/roles/1"],
        },
        {
            "code": "required",
            "severity": "error",
            "path": "ocid",
            "count": 1,
            "message": "missing",
            "examples": ["ocid"],
        },
    ]
    assert summarize([]) == []


def test_problem_as_dict():
    problem = Problem("required", "ocid", "'ocid' is missing", "error")
    assert problem.as_dict() == {
        "code": "required",
        "path": "ocid",
        "message": "'ocid' is missing",
        "severity": "error",
    }
