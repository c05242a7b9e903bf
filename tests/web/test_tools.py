"""Existing OCDS tools work on the API's output unchanged: the official 1.1.5 package schemas
(validated with the Python jsonschema package) and ocdskit's detect-format, compile and
package-releases (issue 3, item 5)."""

import subprocess
import sys
from pathlib import Path

import jsonschema
import orjson
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4 as _DRAFT4

from openbook.generate import generate_releases, write_jsonl
from openbook.load.loader import load
from openbook.records import compile_pending
from openbook.standards.ocds import schema
from tests.conftest import SHARED_DATA
from tests.web.test_feed import follow

SCHEMAS = SHARED_DATA / "ocds-schema-1.1"
OCDSKIT = str(Path(sys.executable).with_name("ocdskit"))


def _validator(name: str) -> jsonschema.Draft4Validator:
    """An official package schema, its references to the release schemas resolved locally."""
    resources = []
    for local in ("release-schema.json", "versioned-release-validation-schema.json"):
        document = orjson.loads((SCHEMAS / local).read_bytes())
        url = f"https://standard.open-contracting.org/schema/1__1__5/{local}"
        resources.append((url, Resource.from_contents(document, default_specification=_DRAFT4)))
    registry = Registry().with_resources(resources)
    package_schema = orjson.loads((SCHEMAS / name).read_bytes())
    return jsonschema.Draft4Validator(
        package_schema, registry=registry, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER
    )


@pytest.fixture
def generated(database, tmp_path):
    path = tmp_path / "generated.jsonl"
    with path.open("wb") as out:
        write_jsonl(generate_releases(12, 5), out)
    load(database.store, [path])
    compile_pending(database.store)
    return path


def test_the_feed_is_a_valid_release_package(client, generated):
    validator = _validator("release-package-schema.json")
    url = "/api/ocds/releases?limit=20"
    pages = 0
    while url:
        package = orjson.loads(client.get(url).content)
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
        assert errors == []
        url = package.get("links", {}).get("next")
        pages += 1
    assert pages > 1


def test_record_packages_are_valid(client, generated):
    # The official versioned-release schema knows core fields only: with the UK extension's
    # fields (parties.details.classifications...) versioned field by field, as the extension's
    # schema says, it would refuse them. The versioned release is checked against ocdskit's,
    # made with the same patched schema, in the test below.
    validator = _validator("record-package-schema.json")
    releases, _ = follow(client, "/api/ocds/releases?limit=1000")
    for ocid in sorted({r["ocid"] for r in releases})[:6]:
        package = orjson.loads(client.get(f"/api/ocds/records/{ocid}").content)
        assert "versionedRelease" in package["records"][0]
        del package["records"][0]["versionedRelease"]
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(package)]
        assert errors == [], ocid


def _ocdskit(*arguments: str, stdin: bytes) -> bytes:
    done = subprocess.run(
        [OCDSKIT, *arguments], input=stdin, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout


def test_ocdskit_detects_our_packages(client, generated, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_bytes(client.get("/api/ocds/releases?limit=5").content)
    ocid = orjson.loads(feed.read_bytes())["releases"][0]["ocid"]
    record = tmp_path / "record.json"
    record.write_bytes(client.get(f"/api/ocds/records/{ocid}").content)
    detected = subprocess.run(
        [OCDSKIT, "detect-format", str(feed), str(record)],
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout.decode()
    assert f"{feed}: release package" in detected
    assert f"{record}: record package" in detected


def test_ocdskit_compiles_the_feed_to_our_compiled_releases(client, generated, tmp_path):
    # ocdskit would fetch extensions over the network; it is given the patched schema instead,
    # the same schema openbook merges with (bare releases: the UK profile).
    patched = tmp_path / "release-schema.json"
    patched.write_bytes(orjson.dumps(schema.release_schema(schema.UK_PROFILE)))
    feed = client.get("/api/ocds/releases?limit=1000").content
    output = _ocdskit("compile", "--schema", str(patched), stdin=feed)
    theirs = {c["ocid"]: c for c in map(orjson.loads, output.splitlines())}
    assert len(theirs) == 12
    for ocid, compiled in theirs.items():
        ours = orjson.loads(client.get(f"/api/ocds/records/{ocid}").content)
        assert ours["records"][0]["compiledRelease"] == compiled, ocid


def test_ocdskit_makes_our_versioned_releases(client, generated, tmp_path):
    patched = tmp_path / "release-schema.json"
    patched.write_bytes(orjson.dumps(schema.release_schema(schema.UK_PROFILE)))
    feed = client.get("/api/ocds/releases?limit=1000").content
    output = _ocdskit("compile", "--versioned", "--schema", str(patched), stdin=feed)
    theirs = {v["ocid"]: v for v in map(orjson.loads, output.splitlines())}
    assert len(theirs) == 12
    for ocid, versioned in theirs.items():
        ours = orjson.loads(client.get(f"/api/ocds/records/{ocid}").content)
        assert ours["records"][0]["versionedRelease"] == versioned, ocid


def test_ocdskit_packages_our_releases(client, generated):
    releases, _ = follow(client, "/api/ocds/releases?limit=1000")
    lines = b"\n".join(orjson.dumps(r) for r in releases)
    package = orjson.loads(_ocdskit("package-releases", stdin=lines))
    assert package["releases"] == releases
