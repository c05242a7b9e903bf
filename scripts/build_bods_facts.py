"""Build the Beneficial Ownership Data Standard 0.4 facts that openbook carries, from the
official published files.

    python scripts/build_bods_facts.py [--source ../shared/data] [--output DIR]

Reads ``bods-0.4-schema/`` (the statement schema, the entity, person and relationship record
schemas, the shared components, and the codelists) and writes into
``openbook/standards/bods/data/`` (the default ``--output``):

- ``statement.json``, ``entity-record.json``, ``person-record.json``,
  ``relationship-record.json``, ``components.json``: the schemas without their prose
  (``title``, ``description``, ``$comment``) and without ``propertyOrder`` (a display hint).
  Structure, types, formats, ``required``, ``enum``, ``const``, the ``if``/``then`` rules, the
  ``$id``s (``urn:statement``...) and ``$ref``s, and the codelist annotations (``codelist``,
  ``openCodelist``) are kept as published.
- ``codelists.json``: each codelist's codes, in published order.

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
DEFAULT_OUTPUT = ROOT / "openbook" / "standards" / "bods" / "data"

SCHEMAS = (
    "statement.json",
    "entity-record.json",
    "person-record.json",
    "relationship-record.json",
    "components.json",
)
# Keys dropped wherever a schema keyword may appear: prose, and a display hint.
DROPPED = frozenset({"title", "description", "$comment", "propertyOrder"})
# Keywords whose value maps names to subschemas: those names are field names, not keywords.
SCHEMA_MAPS = frozenset({"properties", "$defs", "definitions", "patternProperties"})


def strip(node: Any, *, is_map: bool = False) -> Any:
    """A copy of a schema without the ``DROPPED`` keys in keyword position (a field may be
    called ``description``: it stays)."""
    if isinstance(node, dict):
        if is_map:
            return {key: strip(value) for key, value in node.items()}
        return {
            key: strip(value, is_map=key in SCHEMA_MAPS)
            for key, value in node.items()
            if key not in DROPPED
        }
    if isinstance(node, list):
        return [strip(value) for value in node]
    return node


def codelists(folder: Path) -> dict[str, list[str]]:
    found = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            found[path.name] = [row["code"] for row in csv.DictReader(file) if row.get("code")]
    return found


def write(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    source = arguments.source / "bods-0.4-schema"
    arguments.output.mkdir(parents=True, exist_ok=True)
    for name in SCHEMAS:
        schema = json.loads((source / name).read_text(encoding="utf-8"))
        write(arguments.output / name, strip(schema))
    write(arguments.output / "codelists.json", codelists(source / "codelists"))


if __name__ == "__main__":
    main()
