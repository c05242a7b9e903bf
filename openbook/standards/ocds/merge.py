"""Compiled releases by one direct pass over the releases, equal to the reference's (ocdsmerge).

The reference flattens every release into a dictionary of paths, merges the dictionaries and
rebuilds the tree; this module merges each release straight into the tree it is building, which
takes a fraction of the time (docs/performance.md). It is written to give exactly what the
reference gives, including the order of fields: a field comes where its first value (even a
null one) came, an object where its first field came, and a null value removes a field but
leaves the objects around it.

Data whose reference result hangs on the reference's internals is not merged here: an object
replaced by a value or a value by an object, an ``id`` that is not a string or an integer, one
``id`` given as a number in one release and as text in another. ``compiled_release`` raises
``Unusual`` for such data, and the caller merges it with the reference instead
(openbook.standards.ocds.compile). tests/standards/test_ocds_merge.py compares the two on every
merge fixture, every real sample and generated data.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

Release = dict[str, Any]
MergeRules = dict[tuple[str, ...], str]


class Unusual(Exception):
    """Data this module leaves to the reference merge."""


# The merge rules as a tree: field name -> (its rule or None, the rules of its fields).
RuleTree = dict[str, tuple[str | None, "RuleTree"]]
_NO_RULES: RuleTree = {}
_NO_ENTRY: tuple[str | None, RuleTree] = (None, _NO_RULES)


def rule_tree(rules: MergeRules) -> RuleTree:
    """The rules by path (as openbook.standards.ocds.compile reads them from a schema) as a tree,
    so that the merge looks each field up in its parent's rules rather than by its whole path."""
    tree: RuleTree = {}
    for path, given in sorted(rules.items(), key=lambda item: len(item[0])):
        node = tree
        for name in path[:-1]:
            node = node.setdefault(name, (None, {}))[1]
        # The two rules the merge acts on, as this module's own strings: it compares them by
        # identity, the cheapest test of all.
        rule = _RULES.get(given, given) if isinstance(given, str) else given
        node[path[-1]] = (rule, node.get(path[-1], _NO_ENTRY)[1] or {})
    return tree


def compiled_release(releases: Sequence[Release], rules: RuleTree) -> Release:
    """The compiled release of releases already sorted by ``date`` and known to be one process's
    (openbook.standards.ocds.compile checks both), under the merge rules of a release schema."""
    last = releases[-1]
    # As the reference: `tag`, then its own `id` from the last release's, `date` and `ocid`.
    compiled = {
        "tag": ["compiled"],
        "id": f"{last.get('ocid')}-{last.get('date')}",
        "date": last.get("date"),
        "ocid": last.get("ocid"),
    }
    merge = _Merge()
    # The reference drops each release's `tag` before merging: so does this, by rule.
    top = {**rules, "tag": (_OMIT, _NO_RULES)}
    for release in releases:
        merge.object(compiled, release, top)
    merge.drop_nulls()
    return compiled


class _Merge:
    """One merge: which objects and arrays it built (they are merged further; values given whole
    are not), how it finds the objects of its arrays by `id`, and where it set nulls.

    Every field of every release passes through ``object``, the checks inline and the cheapest
    first: its speed is the compile's (docs/performance.md)."""

    __slots__ = ("arrays", "nulls", "objects")

    def __init__(self) -> None:
        self.objects: set[int] = set()
        # Per array of objects built: the text of each `id` (the reference matches objects by
        # it) -> (the id as given, the object).
        self.arrays: dict[int, dict[str, tuple[Any, dict]]] = {}
        self.nulls: list[tuple[dict, str]] = []

    def object(self, target: dict, source: dict, rules: RuleTree) -> None:
        for key, value in source.items():
            rule, fields = rules.get(key, _NO_ENTRY)
            if rule is _OMIT:
                continue
            if (
                not isinstance(value, _CONTAINERS)
                or rule is _WHOLE
                or (type(value) is list and not all(map(isinstance, value, _DICT)))
            ):
                # Taken whole (a value, an array holding anything but objects, or by rule): the
                # latest wins, in the place of the first.
                existing = target.get(key)
                if type(existing) in _CONTAINERS and self.built(existing):
                    raise Unusual(f"an object at {key!r} is replaced by a value")
                if value is None:
                    self.nulls.append((target, key))
                target[key] = value
            elif not value:
                continue  # an empty object or array of objects adds nothing
            elif (existing := target.get(key, _MISSING)) is _MISSING:
                child = self.new(value, fields)
                if child:
                    target[key] = child
                else:  # it held nothing but empty objects: the reference has no field
                    self.forget(child)
            elif isinstance(value, dict) and id(existing) in self.objects:
                self.object(existing, value, fields)
            elif type(value) is list and id(existing) in self.arrays:
                self.array(existing, value, fields)
            else:
                raise Unusual(f"the value at {key!r} changes between object and array")

    def fill(self, target: dict, source: dict, rules: RuleTree) -> None:
        """``object`` for an object just made, none of whose fields is set yet: nothing in it
        to merge with, nor to check."""
        for key, value in source.items():
            rule, fields = rules.get(key, _NO_ENTRY)
            if rule is _OMIT:
                continue
            if (
                not isinstance(value, _CONTAINERS)
                or rule is _WHOLE
                or (type(value) is list and not all(map(isinstance, value, _DICT)))
            ):
                if value is None:
                    self.nulls.append((target, key))
                target[key] = value
            elif value:
                child = self.new(value, fields)
                if child:
                    target[key] = child
                else:
                    self.forget(child)

    def built(self, value: Any) -> bool:
        return id(value) in self.objects or id(value) in self.arrays

    def new(self, value: dict | list, rules: RuleTree) -> dict | list:
        """A new object or array of objects, merged from its first value."""
        if isinstance(value, dict):
            node: dict = {}
            self.objects.add(id(node))
            self.fill(node, value, rules)
            return node
        array: list = []
        self.arrays[id(array)] = {}
        self.array(array, value, rules)
        return array

    def forget(self, node: dict | list) -> None:
        """Stop tracking a node the merge dropped (its id may be reused once it is freed)."""
        self.objects.discard(id(node))
        self.arrays.pop(id(node), None)

    def array(self, target: list, items: list[dict], rules: RuleTree) -> None:
        by_id = self.arrays[id(target)]
        objects = self.objects
        for item in items:
            if "id" not in item:
                # The reference gives each object without an `id` a fresh identity: not merged.
                node = self.new(item, rules)
                if node:
                    target.append(node)
                else:
                    self.forget(node)
                continue
            identifier = item["id"]
            kind = type(identifier)
            if kind is str:
                text = identifier
            elif kind is int:
                text = str(identifier)
            else:
                raise Unusual("an `id` is neither a string nor an integer")
            found = by_id.get(text)
            if found is None:
                # The reference starts a matched object with its `id`, wherever the `id` came.
                node = {"id": identifier}
                objects.add(id(node))
                by_id[text] = (identifier, node)
                target.append(node)
            elif type(found[0]) is not kind:
                raise Unusual("an `id` is a number in one release, text in another")
            else:
                node = found[1]
            self.object(node, item, rules)

    def drop_nulls(self) -> None:
        """Remove the fields whose latest value is null, leaving the objects around them, as the
        reference does. Only fields the merge set: a null inside a value taken whole stays."""
        for node, key in self.nulls:
            if key in node and node[key] is None:
                del node[key]


_OMIT = "omitWhenMerged"
_WHOLE = "wholeListMerge"
_RULES = {_OMIT: _OMIT, _WHOLE: _WHOLE}
_CONTAINERS = (dict, list)
_DICT = itertools.repeat(dict)
_MISSING = object()


# Reading the merge rules from a release schema
# (https://standard.open-contracting.org/1.1/en/schema/merging/).


class SchemaError(Exception):
    """The schema's merge rules cannot be read: its references never end."""


def merge_rules(schema: dict[str, Any]) -> MergeRules:
    """Each field's merge rule, by path: ``omitWhenMerged`` for fields left out of compiled
    releases, ``wholeListMerge`` for arrays replaced whole (flagged so, or of anything but
    objects with an ``id``); the fields of objects, and of arrays of objects with an ``id``, are
    merged field by field and have rules of their own.

    A ``$ref`` within the schema stands for what it points to, its sibling keywords ignored, as
    the reference reads it; one that points outside the schema (never fetched) or to nothing
    (an extension referring to a definition of another, not applied) stands for a field without
    rules. Each definition is read once, however often it is referred to."""
    return dict(_Rules(schema).of(schema.get("properties") or {}, 0))


class _Rules:
    _DEPTH = 64  # far beyond any real schema's nesting of definitions

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.memo: dict[int, list[tuple[tuple[str, ...], str]]] = {}

    def of(self, properties: dict[str, Any], depth: int) -> list[tuple[tuple[str, ...], str]]:
        """The rules of these properties, by path relative to them; memoised by identity, so
        that a definition's properties are read once."""
        known = self.memo.get(id(properties))
        if known is not None:
            return known
        if depth > self._DEPTH:
            raise SchemaError("The schema's references nest without end.")
        rules: list[tuple[tuple[str, ...], str]] = []
        for name, given in properties.items():
            value = self.resolve(given)
            types = _types(value)
            if value.get("omitWhenMerged") or value.get("mergeStrategy") == "ocdsOmit":
                rules.append(((name,), "omitWhenMerged"))
            elif "array" in types and (
                value.get("wholeListMerge") or value.get("mergeStrategy") == "ocdsVersion"
            ):
                rules.append(((name,), "wholeListMerge"))
            elif "object" in types and "properties" in value:
                inner = self.of(value["properties"], depth + 1)
                rules.extend(((name, *path), rule) for path, rule in inner)
            elif "array" in types and "items" in value:
                items = self.resolve(value["items"])
                item_types = _types(items)
                if any(kind != "object" for kind in item_types):
                    rules.append(((name,), "wholeListMerge"))
                elif "object" in item_types and "properties" in items:
                    if "id" not in items["properties"]:
                        rules.append(((name,), "wholeListMerge"))
                    else:
                        inner = self.of(items["properties"], depth + 1)
                        rules.extend(((name, *path), rule) for path, rule in inner)
        self.memo[id(properties)] = rules
        return rules

    def resolve(self, value: Any) -> dict[str, Any]:
        for _ in range(self._DEPTH):
            if not isinstance(value, dict):
                return {}
            reference = value.get("$ref")
            if not isinstance(reference, str):
                return value
            if not reference.startswith("#"):
                return {}  # outside the schema: never fetched; a field without rules
            value = self.schema
            for escaped in reference[1:].split("/")[1:]:
                part = escaped.replace("~1", "/").replace("~0", "~")
                if isinstance(value, dict) and part in value:
                    value = value[part]
                elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                    value = value[int(part)]
                else:
                    # Dangling (an extension referring to another's definition, not applied):
                    # a field without rules, merged as any value is.
                    return {}
        raise SchemaError("The schema's references point to each other without end.")


def _types(value: dict[str, Any]) -> list[str]:
    kind = value.get("type")
    if kind is None:
        return []
    return [kind] if isinstance(kind, str) else kind
