"""BODS 0.4 validation against the standard's own conformance cases, and the carried schema
facts: how they are built, and that they hold no prose."""

import csv
import json
import subprocess
import sys

import pytest

from openbook.standards.bods import validate
from tests.conftest import SHARED_DATA

ROOT = validate.DATA.parents[3]
CASES = SHARED_DATA / "bods-0.4-test-statements"


def _expected() -> dict[str, tuple[str, str, str | None]]:
    """Each invalid case's keyword, path and field. The file writes no field as "" and has one
    stray space ("exact ")."""
    with (CASES / "invalid-statements" / "expected_errors.csv").open(newline="") as file:
        return {
            name: (keyword, path, field.strip() or None)
            for name, keyword, path, field in csv.reader(file)
        }


EXPECTED = _expected()
VALID = sorted((CASES / "valid-statements").glob("*.json"))
INVALID = sorted((CASES / "invalid-statements").glob("*.json"))
EXAMPLES = sorted((SHARED_DATA / "bods-0.4-examples").glob("*.json"))
REAL = sorted((SHARED_DATA / "bods-0.4-gleif-real-samples").glob("*.json"))


def test_every_conformance_case_is_there():
    assert len(VALID) == 111 and len(INVALID) == 192
    assert set(EXPECTED) == {path.name for path in INVALID}


@pytest.mark.parametrize("path", VALID + EXAMPLES + REAL, ids=lambda path: path.name)
def test_valid_statements_have_no_problem(path):
    statements = json.loads(path.read_text())
    assert validate.problems(statements) == []
    assert validate.is_valid(statements)


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.name)
def test_each_invalid_case_has_exactly_its_expected_problem(path):
    statements = json.loads(path.read_text())
    found = validate.problems(statements)
    assert [(p.keyword, p.path, p.field) for p in found] == [EXPECTED[path.name]]
    assert found[0].message
    assert not validate.is_valid(statements)


def test_the_build_is_reproducible(tmp_path):
    """Rebuilding from the reference data gives exactly the committed files."""
    script = ROOT / "scripts" / "build_bods_facts.py"
    subprocess.run(
        [sys.executable, str(script), "--source", str(SHARED_DATA), "--output", str(tmp_path)],
        check=True,
    )
    built = sorted(path.name for path in tmp_path.iterdir())
    assert built == sorted(path.name for path in validate.DATA.glob("*.json"))
    for name in built:
        assert (tmp_path / name).read_bytes() == (validate.DATA / name).read_bytes(), name


def _keyword_keys(node, is_map=False):
    if isinstance(node, dict):
        for key, value in node.items():
            if not is_map:
                yield key
            yield from _keyword_keys(value, is_map=not is_map and key in {"properties", "$defs"})
    elif isinstance(node, list):
        for value in node:
            yield from _keyword_keys(value)


def test_the_carried_schemas_hold_no_prose():
    for path in sorted(validate.DATA.glob("*.json")):
        keys = set(_keyword_keys(json.loads(path.read_text())))
        assert not keys & {"title", "description", "$comment"}, path.name
