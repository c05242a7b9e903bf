"""A contracting process's change history, read from its versioned release (OCDS 1.1, "Merging":
each field a list of versions, ``{"releaseID", "releaseDate", "releaseTag", "value"}``, one a
change of value): every field whose value a later release replaced, what it was and what it
became, grouped by the release that changed it. Fields first given by a later release (a new
award, a new amendment) are additions, not changes, and are left out. Pure."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from openbook.standards.ocds.shapes import text
from openbook.standards.ocds.summary import utc

VERSION_KEYS = frozenset({"releaseID", "releaseDate", "releaseTag", "value"})


@dataclass(frozen=True, slots=True)
class Change:
    path: str  # where, with the ids of array members: "contracts[id=2].value.amount"
    field: str  # the field, array members' ids left out: "contracts.value.amount"
    ids: tuple[str, ...]  # the ids of the array members on the way: ("2",)
    before: object
    after: object
    release_id: str
    release_date: str | None
    release_tag: tuple[str, ...]


def history(versioned: dict) -> Iterator[Change]:
    """Every change of value in a versioned release, field by field in the release's order."""
    yield from _walk(versioned, "", "", ())


def _walk(node: dict, path: str, field: str, ids: tuple[str, ...]) -> Iterator[Change]:
    for key, value in node.items():
        here, named = (f"{path}.{key}", f"{field}.{key}") if path else (key, key)
        if is_history(value):
            yield from _changes(value, here, named, ids)
        elif isinstance(value, dict):
            yield from _walk(value, here, named, ids)
        elif isinstance(value, list):
            for member in value:
                if isinstance(member, dict):
                    # Members of an array merged by id keep their id as it is (not versioned).
                    member_id = text(member.get("id"))
                    yield from _walk(member, f"{here}[id={member_id}]", named, (*ids, member_id))


def is_history(value: object) -> bool:
    """Whether a versioned release's value is a field's list of versions."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(version, dict) and version.keys() == VERSION_KEYS for version in value)
    )


def _changes(versions: list, path: str, field: str, ids: tuple[str, ...]) -> Iterator[Change]:
    for before, after in itertools.pairwise(versions):
        if before["value"] == after["value"]:
            continue
        tags = after["releaseTag"]
        yield Change(
            path=path,
            field=field,
            ids=ids,
            before=before["value"],
            after=after["value"],
            release_id=text(after["releaseID"]),
            release_date=after["releaseDate"] if isinstance(after["releaseDate"], str) else None,
            release_tag=tuple(tag for tag in tags if isinstance(tag, str))
            if isinstance(tags, list)
            else (),
        )


@dataclass(frozen=True, slots=True)
class ReleaseChanges:
    """What one release changed."""

    release_id: str
    release_date: str | None
    release_tag: tuple[str, ...]
    changes: list[Change]


def by_release(changes: Iterator[Change] | list[Change]) -> list[ReleaseChanges]:
    """Changes grouped by the release that made them, the releases in date order (UTC) as
    merging orders them, fields in the versioned release's order within each."""
    groups: dict[str, ReleaseChanges] = {}
    for change in changes:
        group = groups.get(change.release_id)
        if group is None:
            group = groups[change.release_id] = ReleaseChanges(
                change.release_id, change.release_date, change.release_tag, []
            )
        group.changes.append(change)
    return sorted(groups.values(), key=lambda group: utc(group.release_date) or "~")
