"""The reference merge fixtures through the whole platform: releases loaded into the log on
SQLite and PostgreSQL, and the record package's compiled and versioned releases read back."""

import re

import orjson
import pytest

from openbook.load.loader import load
from openbook.records import record_package
from tests.conftest import SHARED_DATA

FIXTURES = SHARED_DATA / "ocds-merge-fixtures"
CASES = [
    pytest.param(path, id=f"{path.parent.name}/{path.stem}")
    for folder in ("1.1", "1.0")
    for path in sorted((FIXTURES / folder).glob("*.json"))
    if not re.search(r"-(compiled|versioned)$", path.stem)
]


def test_cases_are_collected():
    assert len(CASES) == 18


@pytest.mark.parametrize("path", CASES)
def test_fixture_through_the_store(store, path, tmp_path):
    releases = orjson.loads(path.read_bytes())
    # Each case arrives in a release package declaring its OCDS version, as a publisher sends it.
    package = tmp_path / "package.json"
    package.write_bytes(
        orjson.dumps({"version": path.parent.name, "uri": "x", "releases": releases})
    )
    report = load(store, [package])
    assert report.rejected == 0, report.as_text()
    ocid = releases[0]["ocid"]
    (record,) = record_package(store, ocid)["records"]
    assert record["compiledRelease"] == orjson.loads(
        path.with_name(f"{path.stem}-compiled.json").read_bytes()
    )
    versioned = path.with_name(f"{path.stem}-versioned.json")
    if versioned.exists():
        assert record["versionedRelease"] == orjson.loads(versioned.read_bytes())
