"""Validating BODS 0.4 statements against the standard's schema (JSON Schema 2020-12, format
checks on: the standard's conformance cases count a malformed date as an error).

A problem names the JSON Schema keyword that failed (``required``, ``type``, ``enum``,
``format``, ``anyOf``...: the classification the standard's own conformance cases use), where
(a JSONPath into what was validated, ``$[0].recordDetails.addresses[0].type``), the field, and
the validator's message. The schema's conditional rules (``if``/``then`` by record type and by
address type) can report one fault through two branches: it is one problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs

DATA = Path(__file__).resolve().parent / "data"
SCHEMAS = (
    "statement.json",
    "entity-record.json",
    "person-record.json",
    "relationship-record.json",
    "components.json",
)
# jsonschema-rs's error kinds, as the JSON Schema keywords they come from.
_KEYWORDS = {
    "Required": "required",
    "Type": "type",
    "Enum": "enum",
    "Format": "format",
    "AnyOf": "anyOf",
    "OneOfNotValid": "oneOf",
    "OneOfMultipleValid": "oneOf",
    "Constant": "const",
    "Pattern": "pattern",
    "Minimum": "minimum",
    "Maximum": "maximum",
    "ExclusiveMinimum": "exclusiveMinimum",
    "ExclusiveMaximum": "exclusiveMaximum",
    "MinLength": "minLength",
    "MaxLength": "maxLength",
    "MinItems": "minItems",
    "MaxItems": "maxItems",
    "UniqueItems": "uniqueItems",
    "AdditionalProperties": "additionalProperties",
    "FalseSchema": "false",
}


@dataclass(frozen=True, slots=True)
class Problem:
    keyword: str  # the JSON Schema keyword that failed
    path: str  # JSONPath: "$[0].recordDetails.addresses[0].type"
    field: str | None  # the last name in the path; the missing field's name for "required"
    message: str

    def as_dict(self) -> dict:
        return {
            "keyword": self.keyword,
            "path": self.path,
            "field": self.field,
            "message": self.message,
        }


@cache
def _validator() -> jsonschema_rs.Draft202012Validator:
    schemas = {}
    for name in SCHEMAS:
        schema = json.loads((DATA / name).read_text(encoding="utf-8"))
        schemas[schema["$id"]] = schema
    registry = jsonschema_rs.Registry(list(schemas.items()))
    return jsonschema_rs.Draft202012Validator(
        schemas["urn:statement"], registry=registry, validate_formats=True
    )


def is_valid(statements: list[Any]) -> bool:
    """Whether a list of statements is valid: one call in Rust, the load's fast path."""
    return bool(_validator().is_valid(statements))


def problems(statements: list[Any]) -> list[Problem]:
    """Every problem of a list of statements (the schema's top level is the list), in the
    order found, each fault once."""
    found: dict[tuple[str, str, str | None], Problem] = {}
    for error in _validator().iter_errors(statements):
        keyword = _KEYWORDS.get(type(error.kind).__name__, type(error.kind).__name__)
        location = list(error.instance_path)
        field = _field(keyword, error, location)
        key = (keyword, _json_path(location), field)
        found.setdefault(key, Problem(keyword, key[1], field, _message(error)))
    return list(found.values())


def _field(keyword: str, error: Any, location: list) -> str | None:
    """The field at fault: the missing one for ``required``; else the last name in the path,
    except for an item of a list (which has no name), where it is the first field the item
    lacks when that is why it failed (an identifier with neither ``scheme`` nor
    ``schemeName``: ``scheme``)."""
    if keyword == "required":
        return _missing(error)
    if location and isinstance(location[-1], int):
        for alternative in getattr(error.kind, "context", None) or ():
            for reason in alternative:
                if type(reason.kind).__name__ == "Required":
                    return _missing(reason)
    names = [part for part in location if isinstance(part, str)]
    return names[-1] if names else None


def _missing(error: Any) -> str | None:
    missing = getattr(error.kind, "property", None)
    return missing if isinstance(missing, str) else None


def _json_path(location: Iterable[str | int]) -> str:
    path = "$"
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _message(error: Any) -> str:
    text = str(error.message)
    # A message that quotes a whole statement says nothing more than the path does.
    return text if len(text) <= 300 else text[:300] + "..."
