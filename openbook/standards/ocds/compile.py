"""Compiling one process's releases into its compiled release and versioned release (OCDS merge).

The merge is the reference implementation's, ocdsmerge, with the merge rules of a release schema
(https://standard.open-contracting.org/1.1/en/schema/merging/). Compiled releases are made by
openbook.standards.ocds.merge, a direct merge that gives the reference's result about twice as
fast, and by the reference itself for the rare data that module leaves to it; versioned releases
by the reference. Pure code: no I/O.

The merge rules are read from the schema by openbook.standards.ocds.merge.merge_rules, each
definition once: 0.3 ms per set of extensions, where dereferencing the whole schema first (as
ocdsmerge_rs did for us) took 12 ms, in every worker, for every set a load meets;
tests/standards/test_ocds_compile.py checks them against the reference's own reading.

Why not ocdsmerge_rs (0.1.6) for the merge: moving releases into Rust and back costs more than
its merge saves (CPU time per release, compiled and versioned, ocdsmerge against ocdsmerge_rs:
Armenia 317 and 389 µs against 428 and 852; Mexico 310 and 362 against 380 and 694). And it
merges some valid data differently: a change of number type (``6700000.0`` then ``6700000``, as
in the OCDS fictional example) is a new version to it and none to the reference; it matches
``"id": 1`` and ``"id": "1"`` as different objects, treats ``"id": null`` as no `id` and
refuses a boolean `id`; and it orders fields differently.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from openbook.standards.ocds import merge

Release = dict[str, Any]
MergeRules = dict[tuple[str, ...], str]


class CompileError(Exception):
    """The releases cannot be compiled: they are not one process's, or cannot be combined."""


class Merger:
    """The merge rules of one release schema, ready to apply to any process's releases.

    The merged releases share values that the merge copies whole (such as arrays merged as a
    whole) with the releases given: copy before changing one of them.
    """

    def __init__(self, rules: MergeRules) -> None:
        self.rules = rules
        self._tree = merge.rule_tree(rules)

    @functools.cached_property
    def _reference(self) -> Any:
        # Imported when first needed: ocdsmerge brings jsonref and requests, a tenth of a
        # second of every command's start-up, and the direct merge rarely needs it.
        import ocdsmerge

        return ocdsmerge.Merger(merge_rules=self.rules)

    @classmethod
    def from_schema(cls, schema: dict[str, Any]) -> Merger:
        """The merger for a release schema (openbook.standards.ocds.merge.merge_rules)."""
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            raise CompileError("A release schema is an object with `properties`.")
        try:
            return cls(merge.merge_rules(schema))
        except merge.SchemaError as error:
            raise CompileError(str(error)) from error

    def compiled_release(self, releases: Sequence[Release]) -> Release:
        """The compiled release: the latest value of every field, tagged ``compiled``.

        Merged by openbook.standards.ocds.merge, which gives what the reference gives in a
        fraction of the time; data it leaves to the reference is merged by the reference."""
        ordered = _process_releases(releases)
        try:
            return merge.compiled_release(ordered, self._tree)
        except merge.Unusual:
            return self._merge(self._reference.create_compiled_release, ordered)
        except RecursionError as error:
            raise CompileError("A release is nested too deeply to compile.") from error

    def versioned_release(self, releases: Sequence[Release]) -> Release:
        """The versioned release: every field's history, one version per change of value."""
        return self._merge(self._reference.create_versioned_release, releases)

    @staticmethod
    def _merge(create: Callable[[list[Release]], Release], releases: Sequence[Release]) -> Release:
        from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning

        ordered = _process_releases(releases)
        try:
            # Objects sharing an `id` in one array are a finding for validation, which reports
            # it in context; the merge resolves them as the reference does. (The warning filter
            # is process-wide while it lasts, as Python's warning filters are.)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OCDSMergeWarning)
                merged = create(ordered)
        except OCDSMergeError as error:
            raise CompileError(str(error)) from error
        except TypeError as error:  # the reference cannot match objects by an object or array
            raise CompileError(f"An object in an array has an unusable `id`: {error}") from error
        except RecursionError as error:  # the reference recurses once per level of nesting
            raise CompileError("A release is nested too deeply to compile.") from error
        return merged


def merger(schema: dict[str, Any] | None = None) -> Merger:
    """The merger for a release schema; by default, the package's own release schema.

    The package's merger is built once. Another schema's is built on each call (reading its
    rules takes milliseconds): to compile many processes with it, keep the merger.
    """
    if schema is None:
        return _package_merger()
    return Merger.from_schema(schema)


@functools.cache
def _package_merger() -> Merger:
    from openbook.standards.ocds.schema import release_schema

    return Merger.from_schema(release_schema())


@functools.cache
def legacy_merger() -> Merger:
    """The merger for data declared as OCDS 1.0 (a package with ``"version": "1.0"``): 1.0's
    merge rules differ from 1.1's (1.1 added identifier merges for arrays such as suppliers)."""
    from openbook.standards.ocds.schema import release_schema_1_0

    return Merger.from_schema(release_schema_1_0())


@functools.lru_cache(maxsize=64)
def extended_merger(extensions: tuple[str, ...]) -> Merger:
    """The merger for the release schema with these carried extensions applied (ids as
    ``schema.resolve_extensions`` gives them); built once per set of extensions. Extensions
    change merge rules (new arrays of objects with ids, ``wholeListMerge`` fields)."""
    from openbook.standards.ocds.schema import applied_extensions, patched_schema

    if not extensions:
        return _package_merger()
    # The shared schema, not a copy: reading the rules changes nothing.
    return Merger.from_schema(patched_schema("release", applied_extensions(extensions)))


def compiled_release(releases: Sequence[Release], schema: dict[str, Any] | None = None) -> Release:
    """The compiled release of one process's releases."""
    return merger(schema).compiled_release(releases)


def versioned_release(releases: Sequence[Release], schema: dict[str, Any] | None = None) -> Release:
    """The versioned release of one process's releases."""
    return merger(schema).versioned_release(releases)


def sort_releases(releases: Sequence[Release]) -> list[Release]:
    """The releases in the order the reference merges them: by ``date``, oldest first.

    As in the reference, dates are compared as strings (so ``2020-01-01T10:00:00+02:00`` comes
    after ``2020-01-01T09:00:00Z``, though it is earlier) and releases with equal dates keep
    their given order, so the last one given wins. Every release needs a string ``date``: the
    reference refuses a missing, null or non-string date, except in a lone release, which it
    does not sort; that one is refused here too, since the compiled release's ``id`` and
    ``date`` are made from it.
    """
    for index, release in enumerate(releases):
        if not isinstance(release, dict):
            raise CompileError(f"Release {index} is a {type(release).__name__}, not an object.")
        if "date" not in release:
            raise CompileError(f"Release {index} has no `date`.")
        if release["date"] is None:
            raise CompileError(f"Release {index} has a null `date`.")
        if not isinstance(release["date"], str):
            raise CompileError(f"Release {index} has a `date` that is not a string.")
    return sorted(releases, key=itemgetter("date"))


def _process_releases(releases: Sequence[Release]) -> list[Release]:
    """The releases, sorted, once they are known to be one process's."""
    if isinstance(releases, (str, bytes)) or not isinstance(releases, Sequence):
        raise CompileError("The releases must be given as a list.")
    if not releases:
        raise CompileError("There are no releases to compile.")
    ordered = sort_releases(releases)
    # The reference would take the `ocid` of the release it merges last, whatever the others say.
    ocid = releases[0].get("ocid")
    for index, release in enumerate(releases):
        if not isinstance(release.get("ocid"), str):
            raise CompileError(f"Release {index} has no `ocid` string.")
        if release["ocid"] != ocid:
            raise CompileError(
                f"The releases are of more than one process: {ocid!r} and {release['ocid']!r}."
            )
    return ordered
