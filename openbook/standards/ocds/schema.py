"""The OCDS 1.1.5 schema facts openbook carries, with extensions applied.

The facts live in ``data/`` next to this module, built from the official files by
``scripts/build_ocds_facts.py``; nothing here reads anything else. Extensions are applied as the
standard defines (https://standard.open-contracting.org/1.1/en/extensions/): each extension's
schema patch is a JSON Merge Patch (RFC 7386) of the core schema, and its codelist files add
codes to (``+name.csv``), remove codes from (``-name.csv``) or define (``name.csv``) codelists.

A carried extension version is named ``"<id>@<version>"``, for example ``"lots@v1.1.5"``. Every
function that takes extensions accepts those names, a bare registry id (meaning its latest carried
version) or a declared URL, and ignores what it does not recognise; ``resolve_extensions`` is the
one that reports what it does not recognise.

An extension's dependencies (its ``extension.json`` ``dependencies``) are applied with it, since
its patch may refer to their definitions (the UK extension patches ``Location`` and
``FrameworkAgreement``, which the location and techniques extensions define). Only one version of
each extension is applied: a version named directly wins over one that is only a dependency, and
among several the newest wins.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

#: The extensions the Find a Tender Service declares in its packages (its API documentation).
FIND_A_TENDER_EXTENSIONS: tuple[str, ...] = (
    "https://standard.open-contracting.org/profiles/eu/latest/en/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_amendment_rationale_classifications_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_budget_breakdown_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_contract_completion_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_documentation_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_pagination_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
    "https://raw.githubusercontent.com/portaledcahn/ocds_Links_extension/main/extension.json",
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_performance_failures_extension/master/extension.json",
)

#: The carried extensions matching ``FIND_A_TENDER_EXTENSIONS``, in canonical order. Releases
#: that arrive without a package (bare JSON Lines of releases) are reviewed with these.
UK_PROFILE: tuple[str, ...] = (
    "amendment_rationale_classifications@master",
    "budget@master",
    "contract_completion@master",
    "documentation_details@master",
    "eu_profile@latest",
    "links@main",
    "pagination@master",
    "performance_failures@master",
    "suitability@master",
    "uk@main",
)

# Where extension URLs point: raw files or pages of a hosted repository, the extension explorer,
# or a profile on the standard's site.
_REPOSITORY_URL = re.compile(
    r"^(?:raw\.githubusercontent\.com/[^/]+/(?P<raw>[^/]+)/(?P<raw_version>[^/]+)"
    r"|github\.com/[^/]+/(?P<github>[^/]+?)(?:\.git)?(?:/(?:blob|tree|raw)/(?P<github_version>[^/]+))?"
    r"|gitlab\.com/[^/]+/(?P<gitlab>[^/]+)(?:/-/(?:raw|blob|tree)/(?P<gitlab_version>[^/]+))?"
    r"|bitbucket\.org/[^/]+/(?P<bitbucket>[^/]+)(?:/(?:raw|src)/(?P<bitbucket_version>[^/]+))?"
    r")(?:/|$)"
)
_EXPLORER_URL = re.compile(
    r"^extensions\.open-contracting\.org/[^/]+/extensions/([^/]+)(?:/([^/]+))?"
)
_PROFILE_URL = re.compile(r"^standard\.open-contracting\.org/profiles/([^/]+)/")


@dataclass(frozen=True, slots=True)
class _Version:
    name: str  # "<id>@<version>"
    registry_id: str
    rank: int  # position among the extension's versions, oldest first
    dependencies: tuple[str, ...]
    schemas: dict[str, Any]
    codelists: dict[str, dict[str, list[str]]]


@dataclass(frozen=True, slots=True)
class _Catalogue:
    versions: dict[str, _Version]
    latest: dict[str, str]  # registry id -> name of its latest version
    by_url: dict[str, str]  # normalised URL -> version name
    by_repository: dict[str, dict[str, str]]  # lower-case repository name -> version -> name


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _normalise_url(url: str) -> str:
    """Compare URLs without scheme, case, surrounding space or trailing slash."""
    text = url.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    return text.rstrip("/")


@lru_cache(maxsize=1)
def _catalogue() -> _Catalogue:
    versions: dict[str, _Version] = {}
    latest: dict[str, str] = {}
    by_url: dict[str, str] = {}
    by_repository: dict[str, dict[str, str]] = {}
    for registry_id, extension in _load("extensions.json").items():
        for rank, (version, facts) in enumerate(extension["versions"].items()):
            name = f"{registry_id}@{version}"
            versions[name] = _Version(
                name=name,
                registry_id=registry_id,
                rank=rank,
                dependencies=tuple(facts["dependencies"]),
                schemas=facts["schemas"],
                codelists=facts["codelists"],
            )
            latest[registry_id] = name  # versions are stored oldest first
            for url in facts["urls"]:
                by_url[_normalise_url(url)] = name
                # A base URL (without "extension.json") is sometimes declared instead.
                by_url[_normalise_url(url.removesuffix("extension.json"))] = name
            repository = facts["repository"].rsplit("/", 1)[-1].lower()
            if repository:
                by_repository.setdefault(repository, {})[version.lower()] = name
    return _Catalogue(versions, latest, by_url, by_repository)


def _match(reference: str) -> str | None:
    """The carried version a declared URL, version name or registry id refers to, if any."""
    catalogue = _catalogue()
    if reference in catalogue.versions:
        return reference
    if reference in catalogue.latest:
        return catalogue.latest[reference]
    url = _normalise_url(reference)
    if url in catalogue.by_url:
        return catalogue.by_url[url]
    return _match_pattern(url)


def _match_pattern(url: str) -> str | None:
    """Match a URL we have not recorded by where it points: a repository we carry (any owner,
    any version), the extension explorer, or a profile on the standard's site."""
    catalogue = _catalogue()
    name = None
    if match := _REPOSITORY_URL.match(url):
        groups = match.groupdict()
        repository = groups["raw"] or groups["github"] or groups["gitlab"] or groups["bitbucket"]
        version = (
            groups["raw_version"]
            or groups["github_version"]
            or groups["gitlab_version"]
            or groups["bitbucket_version"]
        )
        known = catalogue.by_repository.get(repository)
        if known:
            # A version we do not carry of an extension we do carry is reviewed against the
            # latest version we carry: closer to the publisher's intent than no extension.
            name = known.get(version or "", catalogue.latest[_registry_id(known)])
    elif match := _EXPLORER_URL.match(url):
        name = _by_registry_id(match.group(1), match.group(2))
    elif match := _PROFILE_URL.match(url):
        name = _by_registry_id(f"{match.group(1)}_profile", None)
    return name


def _registry_id(versions_by_name: dict[str, str]) -> str:
    return next(iter(versions_by_name.values())).split("@", 1)[0]


def _by_registry_id(registry_id: str, version: str | None) -> str | None:
    catalogue = _catalogue()
    for known_id, name in catalogue.latest.items():
        if known_id.lower() == registry_id.lower():
            candidate = f"{known_id}@{version}"
            return candidate if candidate in catalogue.versions else name
    return None


def resolve_extensions(declared: Sequence[str]) -> tuple[tuple[str, ...], list[str]]:
    """Map a package's ``extensions`` to carried versions.

    Returns the carried version names in canonical (sorted) order without duplicates, and the
    declared entries that match nothing carried, in declared order. Dependencies are not listed:
    they are applied by ``release_schema`` and ``codelists`` (see ``applied_extensions``).
    """
    known: set[str] = set()
    unknown: list[str] = []
    for reference in declared:
        name = _match(reference) if isinstance(reference, str) else None
        if name is None:
            unknown.append(reference)
        else:
            known.add(name)
    return tuple(sorted(known)), unknown


def canonical_extensions(extensions: Iterable[str]) -> tuple[str, ...]:
    """The carried version names that ``extensions`` refer to, sorted; the unknown are dropped."""
    return resolve_extensions(list(extensions))[0]


@lru_cache(maxsize=256)
def applied_extensions(extensions: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every version applied for ``extensions``, dependencies first, in the order applied."""
    catalogue = _catalogue()
    named = canonical_extensions(extensions)
    # Gather the dependency closure, remembering which versions were named directly.
    wanted: dict[str, bool] = dict.fromkeys(named, True)
    pending = list(named)
    while pending:
        for dependency in catalogue.versions[pending.pop()].dependencies:
            name = _match(dependency)
            if name is not None and name not in wanted:
                wanted[name] = False
                pending.append(name)
    # One version per extension: named beats dependency, then newest beats oldest.
    chosen: dict[str, str] = {}
    for name, is_named in wanted.items():
        version = catalogue.versions[name]
        current = chosen.get(version.registry_id)
        key = (is_named, version.rank)
        if current is None or key > (wanted[current], catalogue.versions[current].rank):
            chosen[version.registry_id] = name

    order: list[str] = []

    def visit(name: str, seen: set[str]) -> None:
        if name in order or name in seen:
            return
        seen.add(name)
        for dependency in catalogue.versions[name].dependencies:
            matched = _match(dependency)
            if matched is not None:
                visit(chosen[catalogue.versions[matched].registry_id], seen)
        order.append(name)

    for registry_id in sorted(chosen):
        visit(chosen[registry_id], set())
    return tuple(order)


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON Merge Patch (RFC 7386) to ``target``, returning a new value.

    ``target`` is not modified; the result shares no mutable values with ``patch``.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


@lru_cache(maxsize=64)
def _codelist_facts(
    applied: tuple[str, ...],
) -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    """Codes and deprecated codes of every codelist, with the applied extensions' changes."""
    core = _load("codelists.json")
    codes = {name: set(facts["codes"]) for name, facts in core.items()}
    deprecated = {name: set(facts["deprecated"]) for name, facts in core.items()}
    catalogue = _catalogue()
    for name in applied:
        for file, facts in catalogue.versions[name].codelists.items():
            if file.startswith("+"):
                codes.setdefault(file[1:], set()).update(facts["codes"])
                deprecated.setdefault(file[1:], set()).update(facts["deprecated"])
            elif file.startswith("-"):
                codes.setdefault(file[1:], set()).difference_update(facts["codes"])
            else:
                codes[file] = set(facts["codes"])
                deprecated[file] = set(facts["deprecated"])
    return (
        {name: frozenset(values) for name, values in codes.items()},
        {name: frozenset(values) for name, values in deprecated.items() if values},
    )


def codelists(extensions: tuple[str, ...] = ()) -> dict[str, frozenset[str]]:
    """Codes of every codelist, by file name (``"partyRole.csv"``), with extensions applied."""
    return dict(_codelist_facts(applied_extensions(tuple(extensions)))[0])


def deprecated_codes(extensions: tuple[str, ...] = ()) -> dict[str, frozenset[str]]:
    """The codes each codelist marks deprecated (only codelists that have some)."""
    return dict(_codelist_facts(applied_extensions(tuple(extensions)))[1])


@lru_cache(maxsize=64)
def _patched(kind: str, applied: tuple[str, ...]) -> dict[str, Any]:
    file = {
        "release": "release-schema.json",
        "release-package": "release-package-schema.json",
        "record-package": "record-package-schema.json",
    }[kind]
    schema = _load(file)
    catalogue = _catalogue()
    for name in applied:
        patch = catalogue.versions[name].schemas.get(kind)
        if patch:
            schema = merge_patch(schema, patch)
    return schema


def release_schema(extensions: tuple[str, ...] = ()) -> dict[str, Any]:
    """The OCDS 1.1.5 release schema with ``extensions`` (and their dependencies) applied.

    Returns a fresh copy: the caller may change it.
    """
    return copy.deepcopy(_patched("release", applied_extensions(tuple(extensions))))


def release_schema_1_0() -> dict[str, Any]:
    """The OCDS 1.0.3 release schema (structure only), for compiling data declared as 1.0."""
    return copy.deepcopy(_load("release-schema-1.0.json"))


def release_package_schema(extensions: tuple[str, ...] = ()) -> dict[str, Any]:
    """The release package schema, with any extensions' package patches (e.g. pagination)."""
    return copy.deepcopy(_patched("release-package", applied_extensions(tuple(extensions))))


def record_package_schema(extensions: tuple[str, ...] = ()) -> dict[str, Any]:
    """The record package schema, with any extensions' package patches (e.g. pagination)."""
    return copy.deepcopy(_patched("record-package", applied_extensions(tuple(extensions))))


def patched_schema(kind: str, applied: tuple[str, ...]) -> dict[str, Any]:
    """The shared, cached schema for ``applied`` (from ``applied_extensions``): do not modify.

    For ``validate``, which derives its own copies once per extension set.
    """
    return _patched(kind, applied)
