"""Reading a register entry as sent (parsed JSON) into a checked, normalised entry.

An entry's shape is declared as ``Field``s; ``read`` walks what was sent against them and
answers the entry in its one normal form (text trimmed, identifiers normalised, dates checked)
with a ``Problem`` for each thing wrong: a JSON pointer, a stable code and a message that says
what to send instead. A field that is not declared is a problem too: a misspelt field name
silently dropped would lose what the sender meant to record. Pure: no I/O.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from openbook.standards import identifiers

TEXT = "text"
DATE = "date"
CODE = "code"
BOOLEAN = "boolean"
IDENTIFIER = "identifier"  # an organisation identifier written SCHEME-ID
OCID = "ocid"
URL = "url"
OBJECT = "object"
LIST = "list"

# An OCDS ocid: a registered prefix, a hyphen, then the publisher's own id (OCDS 1.1, "Open
# Contracting Identifier").
_OCID = re.compile(r"ocds-[a-z0-9]{6}-\S+")
_URL = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # JSON pointer into what was sent
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"path": self.path, "code": self.code, "message": self.message}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    kind: str
    required: bool = False
    codes: tuple[str, ...] = ()  # CODE: the values allowed
    longest: int = 2000  # TEXT, URL: characters at most
    fields: tuple["Field", ...] = ()  # OBJECT: its fields; LIST of OBJECT: each item's
    item: str = OBJECT  # LIST: the kind of each item
    most: int = 50  # LIST: items at most
    about: str = ""  # what it is, for messages and the documentation


@dataclass(slots=True)
class _Reading:
    problems: list[Problem] = field(default_factory=list)

    def problem(self, path: str, code: str, message: str) -> None:
        self.problems.append(Problem(path, code, message))


def read(sent: object, fields: Sequence[Field]) -> tuple[dict, list[Problem]]:
    """The entry in normal form (fields not given are left out) and the problems found."""
    reading = _Reading()
    if not isinstance(sent, dict):
        reading.problem("", "not-an-object", "an entry must be a JSON object of its fields")
        return {}, reading.problems
    return _object(sent, fields, "", reading), reading.problems


def _object(sent: Mapping[str, Any], fields: Sequence[Field], path: str, reading: _Reading):
    declared = {each.name: each for each in fields}
    entry: dict = {}
    for name in sent:
        if name not in declared:
            reading.problem(
                f"{path}/{_escaped(name)}",
                "unknown-field",
                f"{name!r} is not a field here; the fields are: {', '.join(declared)}",
            )
    for each in fields:
        where = f"{path}/{each.name}"
        value = sent.get(each.name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if each.required:
                reading.problem(where, "required", f"{each.name} is required: {each.about}")
            continue
        normal = _value(value, each, where, reading)
        if normal is not None:
            entry[each.name] = normal
    return entry


def _value(value: Any, spec: Field, where: str, reading: _Reading) -> Any:
    if spec.kind == OBJECT:
        return _nested(value, spec, where, reading)
    if spec.kind == LIST:
        return _list(value, spec, where, reading)
    if spec.kind == BOOLEAN:
        if isinstance(value, bool):
            return value
        reading.problem(where, "not-a-boolean", f"{spec.name} must be true or false")
    elif not isinstance(value, str):
        reading.problem(where, "not-a-string", f"{spec.name} must be a string")
    elif "\x00" in value:
        reading.problem(where, "invalid-character", f"{spec.name} holds a NUL character")
    else:
        return _STRINGS[spec.kind](value.strip(), spec, where, reading)
    return None


def _nested(value: Any, spec: Field, where: str, reading: _Reading) -> dict | None:
    if not isinstance(value, dict):
        reading.problem(where, "not-an-object", f"{spec.name} must be an object")
        return None
    return _object(value, spec.fields, where, reading)


def _code(text: str, spec: Field, where: str, reading: _Reading) -> str | None:
    if text not in spec.codes:
        reading.problem(
            where,
            "unknown-code",
            f"{text[:60]!r} is not a {spec.name}; it is one of: {', '.join(spec.codes)}",
        )
        return None
    return text


def _identifier(text: str, spec: Field, where: str, reading: _Reading) -> str | None:
    checked = identifiers.check_party_id(text)
    if checked.identifier is None:
        reading.problem(where, f"identifier-{checked.problem}", str(checked.message))
        return None
    return str(checked.identifier)


def _ocid(text: str, spec: Field, where: str, reading: _Reading) -> str | None:
    if len(text) > 200 or not _OCID.fullmatch(text):
        reading.problem(
            where,
            "malformed-ocid",
            f"{text[:60]!r} is not an ocid: an ocid is 'ocds-', a six-character prefix, "
            "a hyphen and the process's id, such as ocds-b5fd17-1234",
        )
        return None
    return text


def _url(text: str, spec: Field, where: str, reading: _Reading) -> str | None:
    if len(text) > spec.longest or not _URL.fullmatch(text):
        reading.problem(where, "malformed-url", f"{spec.name} must be an http or https address")
        return None
    return text


def _text(text: str, spec: Field, where: str, reading: _Reading) -> str | None:
    if len(text) > spec.longest:
        reading.problem(
            where,
            "too-long",
            f"{spec.name} holds {len(text):,} characters; at most {spec.longest:,}",
        )
        return None
    return text


def _date(text: str, spec: Field, where: str, reading: _Reading) -> str | None:
    if not _DATE.fullmatch(text):
        reading.problem(where, "malformed-date", f"{spec.name} must be a date written YYYY-MM-DD")
        return None
    try:
        date.fromisoformat(text)
    except ValueError:
        reading.problem(where, "malformed-date", f"{text!r} is no day of the calendar")
        return None
    return text


def _list(value: Any, spec: Field, where: str, reading: _Reading) -> list | None:
    if not isinstance(value, list):
        reading.problem(where, "not-a-list", f"{spec.name} must be a list")
        return None
    if len(value) > spec.most:
        reading.problem(
            where, "too-many", f"{spec.name} holds {len(value):,} items; at most {spec.most:,}"
        )
        return None
    item = Field(spec.name, spec.item, fields=spec.fields, codes=spec.codes, longest=spec.longest)
    found = []
    for index, each in enumerate(value):
        normal = _value(each, item, f"{where}/{index}", reading) if each is not None else None
        if normal is not None:
            found.append(normal)
    return found


_STRINGS = {TEXT: _text, DATE: _date, CODE: _code, IDENTIFIER: _identifier, OCID: _ocid, URL: _url}


def _escaped(name: str) -> str:
    # RFC 6901: "~" and "/" in a member name are written "~0" and "~1".
    return name.replace("~", "~0").replace("/", "~1")


def ordered(
    entry: Mapping[str, Any], pairs: Sequence[tuple[str, str]], path: str = ""
) -> list[Problem]:
    """Problems for dates out of order: each pair is (earlier, later) field names."""
    found = []
    for earlier, later in pairs:
        first, second = entry.get(earlier), entry.get(later)
        if isinstance(first, str) and isinstance(second, str) and second < first:
            found.append(
                Problem(
                    f"{path}/{later}",
                    "dates-out-of-order",
                    f"{later} ({second}) is before {earlier} ({first})",
                )
            )
    return found
