"""Review of OCDS releases and packages: what is wrong or doubtful, in plain English.

A review finds four kinds of problem (``docs/review-codes.md`` lists every code):

- structure, against the release schema with the declared extensions applied (JSON Schema
  Draft 4, as OCDS uses, with format checks on);
- codes: a value outside a closed codelist is an error, outside an open codelist a warning;
- deprecations: fields and codes the standard has deprecated, as warnings;
- package metadata, including declared extensions openbook does not carry (warnings).

Speed matters: the loader reviews every release it reads. A reviewer (a compiled validator and
a plan of where the codelist and deprecated fields are) is built once per set of extensions and
cached. A release costs one ``is_valid`` call in Rust and one walk over the few branches of the
release that hold codes; only an invalid release pays for collecting and wording its errors.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any

import jsonschema_rs

from openbook.standards.ocds import schema

#: Every problem code, with its severity (docs/review-codes.md explains each).
CODES = {
    "required": "error",
    "type": "error",
    "format": "error",
    "closed-codelist": "error",
    "min-items": "error",
    "unique-items": "error",
    "min-length": "error",
    "min-properties": "error",
    "pattern": "error",
    "minimum": "error",
    "maximum": "error",
    "schema": "error",
    "open-codelist": "warning",
    "deprecated": "warning",
    "unknown-extension": "warning",
    "ocds-version": "warning",
    "recommended": "warning",
}

#: What each code means, in a sentence a page can show (and translate) where the problem's own
#: message, English text naming the values found, cannot be.
SUMMARIES = {
    "required": "A field that must be given is missing.",
    "type": "A value is of the wrong kind (text where a number is needed, say).",
    "format": "A value is not written in its format (a date, a web address, an email address).",
    "closed-codelist": "A code is not one of the codes its list allows.",
    "min-items": "A list has fewer items than it must.",
    "unique-items": "A list gives the same item twice.",
    "min-length": "A text is shorter than it must be.",
    "min-properties": "An object that must say something is empty.",
    "pattern": "A value is not in the form it must have.",
    "minimum": "A number is smaller than it may be.",
    "maximum": "A number is larger than it may be.",
    "schema": "A value does not keep to the release schema.",
    "open-codelist": "A code is not one of its list's usual codes.",
    "deprecated": "A field that is deprecated in this OCDS version is used.",
    "unknown-extension": "An extension declared is not one openbook carries.",
    "ocds-version": "The OCDS version declared is not one openbook reads.",
    "recommended": "A field that should be given is missing.",
    # The publish API's own checks of the parties (docs/review-codes.md).
    "party.identifier.unregistered": "A platform supplier number that no registered supplier "
    "holds.",
    "award.supplier.debarred": "An award to a supplier on the central debarment list, without the "
    "reason the Act requires.",
    "award.supplier.debarred.rationale-given": "An award to a supplier on the central debarment "
    "list, with the reason the Act requires: it is flagged and oversight is told.",
}

# jsonschema keyword -> problem code. Keywords not listed become "schema".
_KEYWORD_CODES = {
    "required": "required",
    "type": "type",
    "format": "format",
    # OCDS enforces closed codelists with "enum"; the walk checks the codelists openbook
    # carries, and the schema's "enum" remains only where a codelist's codes are not carried.
    "enum": "closed-codelist",
    "minItems": "min-items",
    "uniqueItems": "unique-items",
    "minLength": "min-length",
    "minProperties": "min-properties",
    "pattern": "pattern",
    "minimum": "minimum",
    "exclusiveMinimum": "minimum",
    "maximum": "maximum",
    "exclusiveMaximum": "maximum",
}

_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object (a group of named fields)",
    "array": "a list",
    "null": "null",
}

_FORMAT_HINTS = {
    "date-time": "a date and time with a time zone, such as 2024-03-01T09:30:00Z",
    "uri": "a full web address (URI), such as https://example.com/notices/1",
    "email": "an email address",
}

# Why a required top-level field matters, in the words a publisher needs.
_RELEASE_REQUIRED = {
    "ocid": "every release must have an ocid (the contracting process identifier)",
    "id": "every release must have an id, unique within its contracting process",
    "date": "every release must have a date, when its information was first recorded or published",
    "tag": "every release must have a tag saying what stage it describes, such as 'tender' or "
    "'award'",
    "initiationType": "every release must have an initiationType; use 'tender'",
}
_PACKAGE_REQUIRED = {
    "uri": "every package must have a uri, the address where it is published",
    "publisher": "every package must name its publisher",
    "publishedDate": "every package must have a publishedDate, when it was published",
    "releases": "a release package must have a releases list",
    "records": "a record package must have a records list",
    "version": "every package must say which OCDS version it uses, such as '1.1'",
    "name": "the publisher must have a name",
}

# Package fields the standard recommends (https://standard.open-contracting.org/1.1/en/schema/
# reference/#package-metadata), and what each gives.
_RECOMMENDED = {
    "license": "the address of the licence the data is published under",
    "publicationPolicy": "the address of the publisher's publication policy",
}

_SHOWN = 60  # characters of a value shown in a message
_SHOWN_URL = 300  # an extension URL is shown whole unless absurd: its end tells most
_ARRAY_INDEX = re.compile(r"(?<=/)\d+(?=/|$)|^\d+(?=/|$)")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (``error``) or doubtful (``warning``) in a release or package."""

    code: str  # stable machine code, listed in docs/review-codes.md
    path: str  # JSON path in the release or package, as "tender/items/0/id" ("" for the root)
    message: str  # plain English, naming the field and the value
    severity: str  # "error" or "warning"

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "path": self.path,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass(frozen=True, slots=True)
class _Codelist:
    name: str  # file name, as the schema's "codelist" gives it
    is_open: bool
    codes: frozenset[str]
    deprecated: frozenset[str]
    folded: dict[str, str]  # lower-case code -> code, to suggest the code a publisher meant


# A field in the walk plan: (its codelist or None, its deprecatedVersion or None, the plan of
# its value's fields (or of each object's fields if the value is a list) or None).
_Field = tuple[_Codelist | None, str | None, dict[str, Any] | None]


@dataclass(frozen=True, slots=True)
class _Step:
    """A plan's fields as the walk reads them (``_steps``): the keys to look up, in the plan's
    order, and what to do with a value found; the codes that pass a codelist precomputed, so a
    code costs one set lookup."""

    keys: tuple[str, ...]
    # key -> (its codelist and the codes that pass it, the codelist's less its deprecated
    # ones, or None; its deprecatedVersion or None; the step of its value's fields or None)
    fields: dict[str, tuple[tuple[_Codelist, frozenset[str]] | None, str | None, Any]]


@dataclass(frozen=True, slots=True)
class _Reviewer:
    validator: Any
    plan: dict[str, _Field]
    step: _Step


def review_release(release: Any, extensions: tuple[str, ...] = ()) -> list[Problem]:
    """Every problem in one release, reviewed with ``extensions`` (names or URLs) applied.

    A valid release with only known codes returns ``[]``.
    """
    reviewer = _reviewer(tuple(extensions))
    problems: list[Problem] = []
    try:
        if not reviewer.validator.is_valid(release):
            problems.extend(
                _from_error(error, _RELEASE_REQUIRED, "release")
                for error in reviewer.validator.iter_errors(release)
            )
    except ValueError as error:  # a value JSON cannot hold (parsed JSON never has one)
        problems.append(_not_json("release", error))
    if type(release) is dict:
        _walk(release, reviewer.step, "", problems)
    return problems


def review_package(package: Any, kind: str) -> list[Problem]:
    """Problems in a package's metadata (``kind`` is "release" or "record").

    Checks uri, publishedDate, publisher, version, extensions, license, publicationPolicy and
    that the releases or records list is a non-empty list, but not what the list holds: each
    release is reviewed on its own by ``review_release``.
    """
    if kind not in ("release", "record"):
        raise ValueError(f"kind must be 'release' or 'record', not {kind!r}")
    listed = "releases" if kind == "release" else "records"
    declared = package.get("extensions") if type(package) is dict else None
    declared_list = declared if type(declared) is list else []
    known, unknown = schema.resolve_extensions([url for url in declared_list if type(url) is str])
    validator = _package_validator(kind, schema.applied_extensions(known))

    subject = package
    if type(package) is dict and type(package.get(listed)) is list:
        # Only the list's emptiness matters here: one entry stands in for all of them.
        subject = dict(package)
        subject[listed] = package[listed][:1]
    problems: list[Problem] = []
    try:
        problems.extend(
            _from_error(error, _PACKAGE_REQUIRED, "package")
            for error in validator.iter_errors(subject)
        )
    except ValueError as error:
        problems.append(_not_json("package", error))
    if type(package) is not dict:
        return problems

    unknown_set = set(unknown)
    for index, url in enumerate(declared_list):
        if type(url) is str and url in unknown_set:
            shown = _show(url, limit=_SHOWN_URL)
            problems.append(
                Problem(
                    "unknown-extension",
                    f"extensions/{index}",
                    f"The extension {shown} is not one openbook knows, so the fields and codes "
                    "it adds are not checked. Check the address; if it is right, the data is "
                    "still accepted.",
                    "warning",
                )
            )
    version = package.get("version")
    if type(version) is str and re.fullmatch(r"\d+\.\d+", version) and version != "1.1":
        problems.append(
            Problem(
                "ocds-version",
                "version",
                f"This package says it uses OCDS {version}; openbook reviews data against OCDS "
                "1.1.5, so some problems may come from the difference.",
                "warning",
            )
        )
    problems.extend(
        Problem(
            "recommended",
            field,
            f"'{field}' is missing: the standard recommends that every package gives {what}.",
            "warning",
        )
        for field, what in _RECOMMENDED.items()
        if package.get(field) is None
    )
    return problems


def summarize(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    """Group problems by code, severity and path with list positions as ``*``.

    Each group has ``code``, ``severity``, ``path`` (generalised), ``count``, ``message`` (the
    first one seen) and ``examples`` (up to three actual paths); most frequent first.
    """
    groups: dict[tuple[str, str, str], dict[str, Any]] = {}
    for problem in problems:
        path = _ARRAY_INDEX.sub("*", problem.path)
        key = (problem.code, problem.severity, path)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "code": problem.code,
                "severity": problem.severity,
                "path": path,
                "count": 0,
                "message": problem.message,
                "examples": [],
            }
        group["count"] += 1
        if len(group["examples"]) < 3 and problem.path not in group["examples"]:
            group["examples"].append(problem.path)
    return sorted(
        groups.values(),
        key=lambda group: (-group["count"], group["severity"], group["code"], group["path"]),
    )


# The walk over codelist and deprecated fields.


def _walk(node: dict[str, Any], step: _Step, prefix: str, problems: list[Problem]) -> None:
    """Append the problems of the codelist and deprecated fields under ``node``; paths are
    built only for a problem and for the objects walked into."""
    get = node.get
    fields = step.fields
    for key in step.keys:
        value = get(key)
        if value is None:
            continue
        checked, deprecated, children = fields[key]
        if deprecated is not None:
            problems.append(_deprecated_field(prefix + key, deprecated))
        if checked is not None:
            codelist, passing = checked
            if type(value) is str:
                if value not in passing:
                    problems.append(_code_problem(value, prefix + key, codelist))
            elif type(value) is list:
                _check_codes(value, prefix + key, codelist, passing, problems)
        if children is not None:
            if type(value) is dict:
                _walk(value, children, f"{prefix}{key}/", problems)
            elif type(value) is list:
                for index, item in enumerate(value):
                    if type(item) is dict:
                        _walk(item, children, f"{prefix}{key}/{index}/", problems)


def _check_codes(
    value: list, path: str, codelist: _Codelist, passing: frozenset[str], problems: list[Problem]
) -> None:
    """Check each code in a list (other types are the schema check's business)."""
    try:
        if passing.issuperset(value):
            return
    except TypeError:  # an unhashable item (an object, a list): looked at one by one below
        pass
    for index, item in enumerate(value):
        if type(item) is str and item not in passing:
            problems.append(_code_problem(item, f"{path}/{index}", codelist))


def _code_problem(code: str, path: str, codelist: _Codelist) -> Problem:
    name = codelist.name.removesuffix(".csv")
    if code in codelist.codes:
        return Problem(
            "deprecated",
            path,
            f"'{path}' is {_show(code)}, a code the {name} codelist has deprecated: use a "
            "current code from the codelist instead.",
            "warning",
        )
    near = codelist.folded.get(code.strip().lower())
    hint = f" Did you mean '{near}'?" if near else ""
    if codelist.is_open:
        return Problem(
            "open-codelist",
            path,
            f"'{path}' is {_show(code)}, which is not in the open {name} codelist.{hint} Use "
            "a code from the codelist where one fits; a new code is allowed, but it must be "
            "documented.",
            "warning",
        )
    allowed = (
        f"Use one of: {', '.join(sorted(codelist.codes))}."
        if len(codelist.codes) <= 16
        else f"Use a code from the {name} codelist."
    )
    return Problem(
        "closed-codelist",
        path,
        f"'{path}' is {_show(code)}, which is not in the closed {name} codelist.{hint} {allowed}",
        "error",
    )


def _deprecated_field(path: str, version: str) -> Problem:
    since = f" since OCDS {version}" if version else ""
    return Problem(
        "deprecated",
        path,
        f"'{path}' is deprecated{since}: the standard's documentation for this field says what "
        "to use instead.",
        "warning",
    )


# Wording of schema errors.


def _from_error(error: Any, required: dict[str, str], subject: str) -> Problem:
    keyword = error.kind.name
    details = error.kind.as_dict()
    parts = list(error.instance_path)
    path = "/".join(str(part) for part in parts)
    if keyword == "required":
        return _missing(parts, path, details["property"], required, subject)
    shown = f"'{path}'" if path else f"The {subject}"
    wording = _WORDING.get(keyword)
    if wording is None:
        message = f"{shown} does not follow the schema: {_truncate(error.message, 200)}"
    else:
        message = wording(shown, error.instance, details)
    return Problem(_KEYWORD_CODES.get(keyword, "schema"), path, message, "error")


def _missing(
    parts: list[str | int], path: str, name: str, required: dict[str, str], subject: str
) -> Problem:
    field_path = f"{path}/{name}" if path else name
    if name in required and (not parts or subject == "package"):
        why = required[name]
    elif parts and isinstance(parts[-1], int) and name == "id":
        listed = "/".join(str(part) for part in parts[:-1])
        why = f"each entry in '{listed}' needs an id, so that later releases can update it"
    elif path:
        why = f"it is required whenever '{path}' is given"
    else:
        why = "it is required"
    return Problem("required", field_path, f"'{field_path}' is missing: {why}.", "error")


def _wrong_type(shown: str, value: Any, details: dict[str, Any]) -> str:
    types = details["types"]
    expected = " or ".join(_TYPE_NAMES.get(name, name) for name in types if name != "null")
    if "null" in types:
        expected = f"{expected} (or null)" if expected else "null"
    return f"{shown} must be {expected}, but it is {_describe(value)}."


def _wrong_format(shown: str, value: Any, details: dict[str, Any]) -> str:
    wanted = details["format"]
    hint = _FORMAT_HINTS.get(wanted, f"in the '{wanted}' format")
    return f"{shown} must be {hint}; {_show(value)} is not."


def _not_allowed(shown: str, value: Any, details: dict[str, Any]) -> str:
    options = ", ".join(_show(option) for option in details["options"] if option is not None)
    return f"{shown} is {_show(value)}, which is not one of the allowed values: {options}."


def _too_few(shown: str, value: Any, details: dict[str, Any]) -> str:
    limit = details["limit"]
    entries = "entry" if limit == 1 else "entries"
    has = "it is empty" if not value else f"it has {len(value)}"
    return f"{shown} must have at least {limit} {entries}, but {has}."


def _out_of_range(relation: str) -> Any:
    def wording(shown: str, value: Any, details: dict[str, Any]) -> str:
        return f"{shown} must be {relation} {details['limit']}, but it is {_show(value)}."

    return wording


def _no_match(shown: str, value: Any, details: dict[str, Any]) -> str:
    example = " (such as 1.1)" if shown == "'version'" else ""
    return (
        f"{shown} is {_show(value)}, which is not in the expected form{example}: it must "
        f"match {details['pattern']}."
    )


_WORDING = {
    "type": _wrong_type,
    "format": _wrong_format,
    "enum": _not_allowed,
    "minItems": _too_few,
    "uniqueItems": lambda shown, value, details: (
        f"{shown} lists the same entry more than once; each entry must be different."
    ),
    "minLength": lambda shown, value, details: f"{shown} must not be empty text.",
    "minProperties": lambda shown, value, details: (
        f"{shown} must not be an empty object: give its fields, or leave it out."
    ),
    "pattern": _no_match,
    "minimum": _out_of_range("at least"),
    "exclusiveMinimum": _out_of_range("more than"),
    "maximum": _out_of_range("at most"),
    "exclusiveMaximum": _out_of_range("less than"),
}


def _not_json(subject: str, error: ValueError) -> Problem:
    return Problem(
        "schema",
        "",
        f"The {subject} holds a value JSON cannot represent ({_truncate(str(error), 100)}).",
        "error",
    )


def _describe(value: Any) -> str:
    """What a value is, for "but it is ..." (its text or number shown, truncated)."""
    if isinstance(value, str):
        description = f"the text {_show(value)}"
    elif isinstance(value, list):
        description = f"a list of {len(value)}" if value else "an empty list"
    elif isinstance(value, dict):
        description = "an object"
    elif type(value) is bool:
        description = f"{_show(value)} (true or false)"
    elif isinstance(value, int | float | Decimal):
        description = f"the number {_show(value)}"
    else:
        description = _show(value)
    return description


def _show(value: Any, *, limit: int = _SHOWN) -> str:
    """A value as a message quotes it: text in quotes, long values cut short."""
    if isinstance(value, str):
        return f"'{_truncate(value, limit)}'"
    if value is None or type(value) is bool:
        return json.dumps(value)
    if isinstance(value, int | float | Decimal):
        return _truncate(str(value), _SHOWN)
    return _describe(value) if isinstance(value, list | dict) else type(value).__name__


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Building reviewers, once per set of extensions.


@lru_cache(maxsize=128)
def _reviewer(extensions: tuple[str, ...]) -> _Reviewer:
    return _reviewer_for(schema.applied_extensions(extensions))


@lru_cache(maxsize=32)
def _reviewer_for(applied: tuple[str, ...]) -> _Reviewer:
    release = schema.patched_schema("release", applied)
    codes = schema.codelists(applied)
    checked = _without_codelist_enums(_compilable(release), set(codes))
    validator = jsonschema_rs.Draft4Validator(checked, validate_formats=True)
    deprecated = schema.deprecated_codes(applied)
    codelists = {name: (codes[name], deprecated.get(name, frozenset())) for name in codes}
    plan = _plan(release, codelists)
    return _Reviewer(validator=validator, plan=plan, step=_steps(plan, {}))


@lru_cache(maxsize=32)
def _package_validator(kind: str, applied: tuple[str, ...]) -> Any:
    metadata = _compilable(schema.patched_schema(f"{kind}-package", applied))
    listed = metadata["properties"]["releases" if kind == "release" else "records"]
    # The list itself is checked (present, a list, not empty); its entries are not.
    listed.pop("items", None)
    listed.pop("uniqueItems", None)
    return jsonschema_rs.Draft4Validator(metadata, validate_formats=True)


def _compilable(patched: dict[str, Any]) -> dict[str, Any]:
    """A copy that compiles offline and means the same to the validator.

    A reference to another document, or to a definition that no applied extension provides
    (an extension may refer to one defined by an extension it only tests with), would make the
    validator fetch or fail: such a subschema accepts anything instead. An empty ``required``
    (the pagination extension empties the packages' one) is not allowed by Draft 4's
    meta-schema, and requires nothing anyway, so it goes.
    """
    definitions = patched.get("definitions", {})

    def local(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                name = ref.removeprefix("#/definitions/")
                if ref == name or name not in definitions:
                    return {}
            return {
                key: local(value)
                for key, value in node.items()
                if not (key == "required" and value == [])
            }
        if isinstance(node, list):
            return [local(value) for value in node]
        return node

    result: dict[str, Any] = local(patched)
    return result


def _without_codelist_enums(release: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """Drop the ``enum`` of closed codelist fields whose codes are ``known``: the walk checks
    those codes, and words the problem as a codelist problem. Modifies and returns ``release``
    (a private copy)."""

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            listed = node.get("codelist")
            if isinstance(listed, str) and listed in known and node.get("openCodelist") is False:
                node.pop("enum", None)
                items = node.get("items")
                if isinstance(items, dict):
                    items.pop("enum", None)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(release)
    return release


def _plan(
    release: dict[str, Any], codelists: dict[str, tuple[frozenset[str], frozenset[str]]]
) -> dict[str, _Field]:
    """Where the codelist and deprecated fields are, as nested dicts of fields to visit.

    Branches holding neither are left out, so that the walk visits only what it checks.
    Definitions are planned once and shared, so recursive definitions are safe.
    """
    definitions = release.get("definitions", {})
    planned: dict[str, dict[str, _Field]] = {}
    every_plan: list[dict[str, _Field]] = []

    def resolve(node: Any) -> tuple[Any, str | None]:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            name = node["$ref"].removeprefix("#/definitions/")
            return definitions.get(name), name
        return node, None

    @cache
    def codelist_of(name: str, is_open: bool) -> _Codelist:
        codes, deprecated = codelists[name]
        folded = {code.lower(): code for code in sorted(codes, reverse=True)}
        return _Codelist(name, is_open, codes, deprecated, folded)

    def plan_of(node: Any) -> dict[str, _Field] | None:
        """Plan of the fields of an object schema, or of the objects in an array schema."""
        node, name = resolve(node)
        if not isinstance(node, dict):
            return None
        if "properties" not in node and isinstance(node.get("items"), dict):
            return plan_of(node["items"])
        properties = node.get("properties")
        if not isinstance(properties, dict):
            return None
        if name is not None and name in planned:
            return planned[name]
        fields: dict[str, _Field] = {}
        if name is not None:
            planned[name] = fields
        every_plan.append(fields)
        for key, child in properties.items():
            resolved, _ = resolve(child)
            if not isinstance(child, dict) or not isinstance(resolved, dict):
                continue
            # OCDS puts annotations beside a "$ref" (e.g. a deprecated reference), so the
            # field's own annotations come first.
            annotations = {**resolved, **child}
            listed = annotations.get("codelist")
            deprecated = annotations.get("deprecated")
            codelist = None
            # A codelist no applied extension defines cannot be checked, so it is not planned.
            if isinstance(listed, str) and listed in codelists:
                codelist = codelist_of(listed, annotations.get("openCodelist") is not False)
            fields[key] = (
                codelist,
                str(deprecated.get("deprecatedVersion") or "")
                if isinstance(deprecated, dict)
                else None,
                plan_of(child),
            )
        return fields

    root = plan_of(release) or {}
    # Prune until nothing changes: a field stays if it checks something or leads to one that does.
    changed = True
    while changed:
        changed = False
        for fields in every_plan:
            for key, (codelist, deprecated, children) in list(fields.items()):
                if codelist is None and deprecated is None and not children:
                    del fields[key]
                    changed = True
    return root


def _steps(plan: dict[str, _Field], made: dict[int, _Step]) -> _Step:
    """The walk's form of a plan (``_Step``); a plan shared, or recursive, gives one step."""
    step = made.get(id(plan))
    if step is not None:
        return step
    fields: dict[str, Any] = {}
    step = made[id(plan)] = _Step(tuple(plan), fields)
    for key, (codelist, deprecated, children) in plan.items():
        checked = None if codelist is None else (codelist, codelist.codes - codelist.deprecated)
        fields[key] = (checked, deprecated, _steps(children, made) if children else None)
    return step
