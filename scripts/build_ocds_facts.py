"""Build the OCDS schema facts that openbook carries, from the official published files.

    python scripts/build_ocds_facts.py [--source ../shared/data] [--output DIR]

Reads the OCDS 1.1.5 schemas and core codelists (``ocds-schema-1.1/``), the extension registry
bundle (``ocds-extensions/extensions.json`` plus the extension explorer's ``en/`` folder) and the
UK Government's extension (``ocds-extensions/uk_extension/``), and writes into
``openbook/standards/ocds/data/`` (the default ``--output``):

- ``release-schema.json``, ``release-package-schema.json``, ``record-package-schema.json``: the
  core schemas with their prose (``title``, ``description``) removed. Structure, types, formats,
  ``required``, ``$ref``/``definitions``, codelist references and the merge properties
  (``wholeListMerge``, ``omitWhenMerged``, ``versionId``, ``deprecated``...) are kept as published.
- ``codelists.json``: each core codelist's codes (in published order), the codes it marks
  deprecated, and whether the schema treats the list as open or closed.
- ``extensions.json``: every carried extension, keyed by its registry id, with its name and its
  versions from oldest to newest (so the last is the latest; openbook names a version
  ``"<id>@<version>"``). Each version has the URLs by which publishers declare it, its
  dependencies (as URLs, resolved at run time exactly like declared URLs), its schema patches
  (JSON Merge Patches, prose removed), its codelist changes (``+name.csv`` adds codes,
  ``-name.csv`` removes codes, a plain ``name.csv`` is a whole codelist) and whether its patches
  treat each codelist they use as open or closed.

The output is deterministic: the same inputs give byte-identical files (a test rebuilds into a
temporary directory and compares). Inputs are read in a fixed order and written with a fixed JSON
layout; nothing depends on the clock, the locale or the file system's listing order.

Three entries are not in the registry bundle and are described here, as facts from their sources:

- ``uk@main``: the Cabinet Office's extension (https://github.com/cabinetoffice/ocds_uk_extension),
  read from ``ocds-extensions/uk_extension/``; the Find a Tender Service declares it as
  ``https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json``.
- ``links@main``: Honduras' Links extension (https://github.com/portaledcahn/ocds_Links_extension),
  which the Find a Tender Service also declares. Its one change to the release schema (a
  ``links`` array of ``Link`` objects with ``rel`` and a ``href`` URI) is written out below.
- ``eu_profile@latest``: the OCDS for the European Union profile, declared as
  ``https://standard.open-contracting.org/profiles/eu/latest/en/extension.json``. A profile is a
  named set of extensions; it is carried as an entry with no patches of its own whose
  dependencies are the extensions the profile uses (its ``docs/extension_versions.json``, in the
  ``open-contracting-extensions/european-union`` repository).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUTPUT = ROOT / "openbook" / "standards" / "ocds" / "data"

# Keys that carry prose (or tooling annotations) wherever a schema keyword may appear.
PROSE_KEYS = frozenset({"title", "description", "extension_explorer:source"})
# Keywords whose value maps names to subschemas: those names are field names, not keywords.
SCHEMA_MAPS = frozenset({"properties", "definitions", "patternProperties"})

SCHEMA_FILES = {
    "release": "release-schema.json",
    "release-package": "release-package-schema.json",
    "record-package": "record-package-schema.json",
}

UK_EXTENSION_URL = (
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json"
)
LINKS_EXTENSION_URL = (
    "https://raw.githubusercontent.com/portaledcahn/ocds_Links_extension/main/extension.json"
)
LINKS_RELEASE_PATCH: dict[str, Any] = {
    "properties": {"links": {"type": "array", "items": {"$ref": "#/definitions/Link"}}},
    "definitions": {
        "Link": {
            "type": "object",
            "properties": {
                "rel": {"type": "string"},
                "href": {"type": ["string"], "format": "uri"},
            },
        }
    },
}
EU_PROFILE_URLS = (
    "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json",
    "https://standard.open-contracting.org/profiles/eu/master/en/extension.json",
)
# (registry id, version) of each extension the EU profile uses.
EU_PROFILE_EXTENSIONS = (
    ("additionalContactPoint", "master"),
    ("awardCriteria", "master"),
    ("bidOpening", "master"),
    ("bids", "v1.1.4"),
    ("charges", "master"),
    ("communication", "master"),
    ("contractTerms", "master"),
    ("coveredBy", "master"),
    ("designContest", "master"),
    ("eu", "master"),
    ("finance", "master"),
    ("location", "v1.1.4"),
    ("lots", "v1.1.4"),
    ("metrics", "master"),
    ("options", "master"),
    ("organizationClassification", "master"),
    ("otherRequirements", "master"),
    ("participation_fee", "v1.1.4"),
    ("partyScale", "master"),
    ("procedure", "master"),
    ("process_title", "v1.1.4"),
    ("procurementMethodRationaleClassifications", "master"),
    ("secondStageDescription", "master"),
    ("selectionCriteria", "master"),
    ("shareholders", "master"),
    ("subcontracting", "master"),
    ("submissionTerms", "master"),
    ("techniques", "master"),
    ("unstructuredChanges", "master"),
)


def strip_prose(node: Any, *, is_map: bool = False) -> Any:
    """Return a copy of a schema (or schema patch) without its prose.

    Only keys in keyword position are dropped: a field called ``title`` inside ``properties``
    stays, its own ``title`` annotation goes. ``deprecated`` objects keep ``deprecatedVersion``.
    """
    if isinstance(node, dict):
        if is_map:
            return {key: strip_prose(value) for key, value in node.items()}
        return {
            key: strip_prose(value, is_map=key in SCHEMA_MAPS)
            for key, value in node.items()
            if key not in PROSE_KEYS
        }
    if isinstance(node, list):
        return [strip_prose(value) for value in node]
    return node


def codelist_facts(rows: list[dict[str, str]]) -> dict[str, list[str]]:
    """Codes of a codelist in published order, and those its ``Deprecated`` column marks."""
    codes = [row["Code"] for row in rows if row.get("Code")]
    deprecated = [row["Code"] for row in rows if row.get("Code") and row.get("Deprecated")]
    return {"codes": codes, "deprecated": deprecated}


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def codelist_openness(schemas: list[dict[str, Any]]) -> dict[str, bool]:
    """Whether each codelist a schema refers to is open (``openCodelist``) or closed."""
    found: dict[str, bool] = {}

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            name = node.get("codelist")
            if isinstance(name, str):
                # A list is open if any field using it says so (the core schema is consistent).
                found[name] = found.get(name, False) or bool(node.get("openCodelist"))
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    for schema in schemas:
        visit(schema)
    return found


def version_rank(version: str, date: str) -> tuple[int, str, tuple[int, ...], str]:
    """Sort key from oldest to newest: dated releases by date, then the live branch."""
    live = version in ("master", "main", "latest")
    numbers = tuple(int(part) for part in re.findall(r"\d+", version))
    return (1 if live else 0, date, numbers, version)


def repository_of(url: str) -> str:
    """``owner/name`` of the repository an extension URL points into ("" if not recognised)."""
    match = re.match(
        r"https?://(?:raw\.githubusercontent\.com|github\.com|gitlab\.com|bitbucket\.org)/"
        r"([^/]+)/([^/]+)/",
        url,
    )
    return f"{match.group(1)}/{match.group(2)}" if match else ""


def version_facts(
    *,
    date: str,
    url: str,
    dependencies: list[str],
    schemas: dict[str, Any],
    codelists: dict[str, dict[str, list[str]]],
) -> dict[str, Any]:
    schemas = {kind: strip_prose(patch) for kind, patch in schemas.items()}
    return {
        "date": date,
        "repository": repository_of(url),
        "urls": [url],
        "dependencies": dependencies,
        "schemas": schemas,
        "codelists": codelists,
        "open_codelists": dict(sorted(codelist_openness(list(schemas.values())).items())),
    }


def registry_extensions(source: Path) -> dict[str, dict[str, Any]]:
    bundle_dir = source / "ocds-extensions"
    bundle = json.loads((bundle_dir / "extensions.json").read_text(encoding="utf-8"))
    extensions = {}
    for registry_id in sorted(bundle):
        published = bundle[registry_id]["versions"]
        versions = {}
        for version in sorted(published):
            carried = published[version]
            versions[version] = version_facts(
                date=carried["date"],
                url=carried["base_url"] + "extension.json",
                dependencies=list(carried["metadata"].get("dependencies", [])),
                schemas={
                    kind: carried["schemas"][file]["en"]
                    for kind, file in SCHEMA_FILES.items()
                    if carried["schemas"].get(file)
                },
                codelists={
                    name: codelist_facts(carried["codelists"][name]["en"]["rows"])
                    for name in sorted(carried["codelists"])
                },
            )
        # The explorer's folder holds some versions the bundle does not (eu@master, which the EU
        # profile uses, among them). Their schema and codelists are carried; their URL follows
        # the pattern of the repository's other versions.
        sibling = published[bundle[registry_id]["latest_version"]]
        explorer = bundle_dir / "en" / "extensions" / registry_id
        folders = sorted(explorer.iterdir()) if explorer.is_dir() else []
        for folder in folders:
            version = folder.name
            if version in published or not (folder / "release-schema.json").is_file():
                continue
            base_url = sibling["base_url"].replace(f"/{sibling['version']}/", f"/{version}/")
            codelist_dir = folder / "codelists"
            codelist_files = sorted(codelist_dir.glob("*.csv")) if codelist_dir.is_dir() else []
            versions[version] = version_facts(
                date="",
                url=base_url + "extension.json",
                dependencies=[],
                schemas={
                    "release": json.loads(
                        (folder / "release-schema.json").read_text(encoding="utf-8")
                    )
                },
                codelists={path.name: codelist_facts(read_csv(path)) for path in codelist_files},
            )
        extensions[registry_id] = {
            "name": sibling["metadata"]["name"]["en"],
            "versions": versions,
        }
    return extensions


def uk_extension(source: Path) -> dict[str, Any]:
    folder = source / "ocds-extensions" / "uk_extension"
    metadata = json.loads((folder / "extension.json").read_text(encoding="utf-8"))
    main = version_facts(
        date="",
        url=UK_EXTENSION_URL,
        dependencies=list(metadata.get("dependencies", [])),
        schemas={"release": json.loads((folder / "release-schema.json").read_text("utf-8"))},
        codelists={
            name: codelist_facts(read_csv(folder / "codelists" / name))
            for name in sorted(metadata.get("codelists", []))
        },
    )
    return {"name": metadata["name"]["en"], "versions": {"main": main}}


def links_extension() -> dict[str, Any]:
    main = version_facts(
        date="",
        url=LINKS_EXTENSION_URL,
        dependencies=[],
        schemas={"release": LINKS_RELEASE_PATCH},
        codelists={},
    )
    return {"name": "Links", "versions": {"main": main}}


def eu_profile(extensions: dict[str, dict[str, Any]]) -> dict[str, Any]:
    latest = version_facts(
        date="",
        url=EU_PROFILE_URLS[0],
        dependencies=[
            extensions[registry_id]["versions"][version]["urls"][0]
            for registry_id, version in EU_PROFILE_EXTENSIONS
        ],
        schemas={},
        codelists={},
    )
    latest["urls"] = list(EU_PROFILE_URLS)
    latest["repository"] = "open-contracting-extensions/european-union"
    return {"name": "OCDS for the European Union", "versions": {"latest": latest}}


def build(source: Path) -> dict[str, Any]:
    """Return every output file's content, keyed by file name."""
    schema_dir = source / "ocds-schema-1.1"
    schemas = {
        kind: json.loads((schema_dir / file).read_text(encoding="utf-8"))
        for kind, file in SCHEMA_FILES.items()
    }
    openness = codelist_openness(list(schemas.values()))
    codelists = {
        path.name: {"open": openness.get(path.name), **codelist_facts(read_csv(path))}
        for path in sorted((schema_dir / "codelists").glob("*.csv"))
    }

    extensions = registry_extensions(source)
    extensions["uk"] = uk_extension(source)
    extensions["links"] = links_extension()
    extensions["eu_profile"] = eu_profile(extensions)
    for extension in extensions.values():
        # Versions from oldest to newest, so that the last one is the latest.
        ordered = sorted(
            extension["versions"].items(), key=lambda item: version_rank(item[0], item[1]["date"])
        )
        extension["versions"] = dict(ordered)

    outputs: dict[str, Any] = {
        file: strip_prose(schemas[kind]) for kind, file in SCHEMA_FILES.items()
    }
    # OCDS 1.0's release schema, for its merge rules only: data a package declares as version
    # 1.0 is compiled as 1.0 merges (the 1.0.3 schema, as the merge fixtures carry it).
    legacy = source / "ocds-merge-fixtures" / "release-schema-1__0__3.json"
    outputs["release-schema-1.0.json"] = strip_prose(json.loads(legacy.read_text("utf-8")))
    outputs["codelists.json"] = codelists
    outputs["extensions.json"] = {key: extensions[key] for key in sorted(extensions)}
    return outputs


def write(outputs: dict[str, Any], output: Path) -> None:
    output.mkdir(parents=True, exist_ok=True)
    for name, content in outputs.items():
        text = json.dumps(content, indent=1, ensure_ascii=False) + "\n"
        (output / name).write_text(text, encoding="utf-8", newline="\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="the reference data")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="where to write")
    args = parser.parse_args(argv)
    write(build(args.source), args.output)


if __name__ == "__main__":
    main()
