"""Who owns an entity, from BODS relationships (docs/bods.md, "Ownership"): every chain of
current relationships from the entity up to its ultimate owners, with the share along each
step and along the whole path. Pure: the caller gives the relationships, level by level.

A path ends at a person (an ultimate owner), at an unspecified party (with the stated reason:
no beneficial owners, exempt from disclosure, not provided...), at an entity with no owners
recorded, where it would pass through an entity already on it (circular ownership, shown as
such), or at ``MAX_DEPTH`` levels. Closed relationships are not current ownership: they are not
followed. The share along a path is the product of each step's share range, where every step
gives one (a shareholding, else voting rights); otherwise it is unknown, never guessed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path as FilePath
from typing import Any, Protocol

from openbook.standards import identifiers

MAX_DEPTH = 10
# Paths at most: ownership layered so that every level has several owners of every entity of
# the level below grows as their product (4 owners a level, 10 levels: a million paths). Past
# this, the paths not yet ended end as "truncated", and the answer says so.
MAX_PATHS = 2000
SHARE_TYPES = ("shareholding", "votingRights")


class Link(Protocol):
    """A relationship as an edge (openbook.store.ownership.Link is one)."""

    @property
    def relationship_id(self) -> str: ...
    @property
    def subject_id(self) -> str: ...
    @property
    def party_id(self) -> str | None: ...
    @property
    def party_reason(self) -> str | None: ...
    @property
    def party_description(self) -> str | None: ...
    @property
    def interests(self) -> list: ...
    @property
    def closed(self) -> bool: ...


@dataclass
class Path:
    steps: list[dict] = field(default_factory=list)
    end: str = ""  # person, unspecified, no-owners-known, circular, depth-limit, truncated
    share: tuple[float, float] | None = (100.0, 100.0)  # (low, high) percent, None: unknown

    def as_dict(self) -> dict:
        return {
            "steps": self.steps,
            "end": self.end,
            "share": None
            if self.share is None
            else {"minimum": round(self.share[0], 6), "maximum": round(self.share[1], 6)},
        }


def entity_identifiers(record: dict) -> list[str]:
    """The identifiers an entity record gives with an org-id scheme, as SCHEME-ID, normalised
    as the platform writes them (GB-COH-01234567), to find suppliers by."""
    details = record.get("recordDetails")
    if record.get("recordType") != "entity" or not isinstance(details, dict):
        return []
    found = []
    given_list = details.get("identifiers")
    for given in given_list if isinstance(given_list, list) else ():
        if isinstance(given, dict) and isinstance(given.get("scheme"), str):
            checked = identifiers.check(given["scheme"], given.get("id"))
            if checked.identifier is not None:
                found.append(str(checked.identifier))
    return sorted(set(found))


def share_range(interests: Sequence[Any]) -> tuple[float, float] | None:
    """The share a relationship gives, as (low, high) percent: of its shareholding, else its
    voting rights; None when it states neither."""
    for kind in SHARE_TYPES:
        for interest in interests:
            if not isinstance(interest, dict) or interest.get("type") != kind:
                continue
            share = interest.get("share")
            if not isinstance(share, dict):
                continue
            exact = _number(share.get("exact"))
            low = _first(share, ("minimum", "exclusiveMinimum"), exact)
            high = _first(share, ("maximum", "exclusiveMaximum"), exact)
            if low is not None or high is not None:
                return (low if low is not None else 0.0, high if high is not None else 100.0)
    return None


def _first(share: dict, names: tuple[str, ...], default: float | None) -> float | None:
    for name in names:
        value = _number(share.get(name))
        if value is not None:
            return value
    return default


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value <= 100 else None


def trace(
    start: str,
    owners_of: Callable[[list[str]], Sequence[Link]],
    kinds: Callable[[list[str]], dict[str, str]],
) -> list[Path]:
    """Every path of current ownership up from ``start``. ``owners_of`` gives the relationships
    whose subject is one of the records it is given (one call per level); ``kinds`` the record
    type (entity, person) of the parties it is given."""
    done: list[Path] = []
    frontier: list[tuple[str, Path, tuple[str, ...]]] = [(start, Path(), (start,))]
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        links = [link for link in owners_of([key for key, _, _ in frontier]) if not link.closed]
        by_subject: dict[str, list[Link]] = {}
        for link in links:
            by_subject.setdefault(link.subject_id, []).append(link)
        party_kinds = kinds(sorted({link.party_id for link in links if link.party_id}))
        following = []
        for key, path, seen in frontier:
            owned = by_subject.get(key, [])
            if not owned:
                if path.steps:
                    path.end = "no-owners-known"
                    done.append(path)
                continue
            for link in owned:
                step_path = _extend(path, link, party_kinds.get(link.party_id or "", "unknown"))
                step_path.end = _end(link, seen, party_kinds)
                if step_path.end:
                    done.append(step_path)
                else:
                    party = str(link.party_id)
                    following.append((party, step_path, (*seen, party)))
        if len(done) + len(following) > MAX_PATHS:
            for _, path, _ in following[: max(0, MAX_PATHS - len(done))]:
                path.end = "truncated"
                done.append(path)
            return done
        frontier = following
    for _, path, _ in frontier:
        path.end = "depth-limit"
        done.append(path)
    return done


def _end(link: Link, seen: tuple[str, ...], kinds: dict[str, str]) -> str:
    """How a path ends at this step ("" when it goes on, through an entity)."""
    if link.party_id is None:
        return "unspecified"
    if link.party_id in seen:
        return "circular"
    if kinds.get(link.party_id) == "person":
        return "person"
    return ""


def _extend(path: Path, link: Link, kind: str) -> Path:
    share = share_range(link.interests)
    step: dict[str, Any] = {
        "relationship": link.relationship_id,
        "subject": link.subject_id,
        "party": link.party_id,
        "partyType": kind if link.party_id else None,
        "interests": sorted(
            {str(i.get("type")) for i in link.interests if isinstance(i, dict) and i.get("type")}
        ),
        "share": None if share is None else {"minimum": share[0], "maximum": share[1]},
    }
    if link.party_id is None:
        step["unspecified"] = {"reason": link.party_reason, "description": link.party_description}
    total = None
    if path.share is not None and share is not None:
        total = (path.share[0] * share[0] / 100, path.share[1] * share[1] / 100)
    return Path([*path.steps, step], "", total)


@cache
def restricted_registers() -> dict[str, dict]:
    """The jurisdictions whose beneficial ownership register is not public, by ISO 3166 code,
    with the source that says so (jurisdictions.json)."""
    data = json.loads(FilePath(__file__).with_name("jurisdictions.json").read_text("utf-8"))
    return {entry["code"]: entry for entry in data["jurisdictions"] if entry["access"] != "public"}


def jurisdiction_code(record: dict | None) -> str | None:
    """An entity's jurisdiction, as an ISO 3166 code: its ``jurisdiction.code``, else the
    country of its registered address."""
    details = (record or {}).get("recordDetails")
    if not isinstance(details, dict):
        return None
    jurisdiction = details.get("jurisdiction")
    if isinstance(jurisdiction, dict) and isinstance(jurisdiction.get("code"), str):
        return jurisdiction["code"].upper()[:2]
    addresses = details.get("addresses")
    for address in addresses if isinstance(addresses, list) else ():
        country = address.get("country") if isinstance(address, dict) else None
        if (
            isinstance(country, dict)
            and isinstance(country.get("code"), str)
            and address.get("type") == "registered"
        ):
            return country["code"].upper()
    return None
