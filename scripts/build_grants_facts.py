"""Build the 360Giving Data Standard facts that openbook carries, from the standard's published
files.

    python scripts/build_grants_facts.py [--source ../shared/data] [--output DIR]

Reads ``360giving-schema/`` (the grant schema, 360-giving-schema.json, and its codelists) and
writes into ``openbook/standards/grants/data/`` (the default ``--output``):

- ``grant-schema.json``: the schema of one grant (JSON Schema 2020-12) without its prose
  (``title``, ``description``), and with each closed codelist the schema names but does not
  enumerate (``"codelist": "regrantType.csv", "openCodelist": false``) written out as an
  ``enum`` of the codelist's codes, so that a review checks it: the standard says such a field's
  value "should be drawn from" its codelist, and a closed codelist has no other codes.
- ``columns.json``: the column titles of the standard's spreadsheet form (what 360Giving's
  tools write as CSV: "Recipient Org:Identifier", "Planned Dates:Duration (months)"), each with
  the JSON path it stands for and the JSON type of its value, made as those tools make them:
  the titles of the properties from the grant down, joined by ":", a list's object taken as its
  first item. Lists of texts (``relatedActivity``) are one cell, items separated by ";".
- ``codelists.json``: each codelist's codes and titles, in published order.

Deterministic: the same inputs give byte-identical files (a test rebuilds and compares).
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUTPUT = ROOT / "openbook" / "standards" / "grants" / "data"
FOLDER = "360giving-schema"
SCHEMA = "360-giving-schema.json"
DROPPED = frozenset({"title", "description", "$comment"})
SCHEMA_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})


def strip(node: Any, codelists: dict[str, list[str]], *, is_map: bool = False) -> Any:
    """A copy without prose in keyword position, closed codelists written out as ``enum``."""
    if isinstance(node, list):
        return [strip(each, codelists) for each in node]
    if not isinstance(node, dict):
        return node
    if is_map:
        return {name: strip(value, codelists) for name, value in node.items()}
    found = {
        key: strip(value, codelists, is_map=key in SCHEMA_MAPS)
        for key, value in node.items()
        if key not in DROPPED
    }
    name = found.get("codelist")
    if name and found.get("openCodelist") is False and "enum" not in found:
        codes = codelists[name]
        nullable = isinstance(found.get("type"), list) and "null" in found["type"]
        found["enum"] = [*codes, None] if nullable else codes
    return found


def read_codelists(folder: Path) -> dict[str, list[dict]]:
    found = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            found[path.name] = [
                {"code": row["Code"], "title": row.get("Title") or ""}
                for row in csv.DictReader(file)
                if row.get("Code")
            ]
    return found


def columns(schema: dict) -> list[dict]:
    """The spreadsheet titles, in the schema's order of properties."""
    definitions = schema["$defs"]
    found: list[dict] = []

    def resolve(node: dict) -> dict:
        while "$ref" in node:
            node = {**definitions[node["$ref"].rsplit("/", 1)[-1]], **{
                key: value for key, value in node.items() if key != "$ref"
            }}  # fmt: skip
        return node

    def walk(node: dict, titles: list[str], path: list) -> None:
        for name, declared in node.get("properties", {}).items():
            child = resolve(declared)
            title = child.get("title") or name
            kind = child.get("type", "string")
            kinds = [kind] if isinstance(kind, str) else [each for each in kind if each != "null"]
            if "array" in kinds:
                items = resolve(child.get("items", {}))
                if "properties" in items:
                    walk(items, [*titles, title], [*path, name, 0])
                else:
                    found.append(_column([*titles, title], [*path, name], "array"))
            elif "object" in kinds or "properties" in child:
                walk(child, [*titles, title], [*path, name])
            else:
                found.append(_column([*titles, title], [*path, name], kinds[0]))

    walk(schema, [], [])
    return found


def _column(titles: list[str], path: list, kind: str) -> dict:
    return {"title": ":".join(titles), "path": path, "type": kind}


def build(source: Path) -> dict[str, Any]:
    folder = source / FOLDER
    schema = json.loads((folder / SCHEMA).read_text(encoding="utf-8"))
    codelists = read_codelists(folder / "codelists")
    codes = {name: [each["code"] for each in entries] for name, entries in codelists.items()}
    version = schema["$id"].split("/standard/", 1)[1].split("/", 1)[0]
    return {
        "grant-schema.json": strip(schema, codes),
        "columns.json": {
            "about": "The 360Giving Data Standard's spreadsheet column titles, each with the "
            "JSON path it stands for; built by scripts/build_grants_facts.py "
            "(docs/local-transparency.md).",
            "version": version,
            "columns": columns(schema),
        },
        "codelists.json": codelists,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)
    for name, facts in build(arguments.source).items():
        (arguments.output / name).write_text(
            json.dumps(facts, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
