"""Entries a notice adds to its procurement numbered after those the procurement has (issue 8):
the notice forms number a contract's next payment, breach or failure and KPI assessment, and a
procurement's next contract, from the procurement as published when the form is checked
(openbook.publishing.notice_forms). Two people publishing the next payment of one contract at
once would number theirs alike, and OCDS merges the entries of an array by id (OCDS 1.1,
"Merging"): the second published would replace the first in the compiled release, and the
first payment be lost from the contract's view.

So a form says which entries of its release are new (``NoticeForm.adds``), and the publish use
case (openbook.publishing.publish) refuses the notice (409, ``CODE``) when a release of the
procurement as stored already has one of them: checked with its other checks, which are made
again, holding the log's lock, when the procurement changed before the append. Nothing is
replaced; the refused notice keeps its answers, and published again it is numbered after the
other.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from openbook.publishing.answers import Problem

CODE = "entry-taken"

# What an entry of each array is, for the message ("payment 3 of contract 1").
_NOUNS = {
    "awards": "award",
    "contracts": "contract",
    "documents": "notice document",
    "metrics": "key performance indicator",
    "observations": "assessment",
    "performanceFailures": "breach or failure",
    "transactions": "payment",
}

# The way to an entry from the top of a release: each member's name, with the id of the array
# entry taken there (None where the member is an object).
_Way = list[tuple[str, str | None]]


def way_to(release: Mapping[str, Any], pointer: str) -> _Way | None:
    """The way to the entry at ``pointer`` (a JSON pointer into ``release`` whose last token is
    an index, such as ``/contracts/0/implementation/transactions/0``); None if there is no
    entry with an id there."""
    found: object = release
    way: _Way = []
    for token in pointer.split("/")[1:]:
        if isinstance(found, list) and way and token.isdigit() and int(token) < len(found):
            found = found[int(token)]
            entry = found.get("id") if isinstance(found, dict) else None
            if entry is None or isinstance(entry, dict | list):
                return None
            way[-1] = (way[-1][0], str(entry))
        elif isinstance(found, dict):
            found = found.get(token)
            way.append((token, None))
        else:
            return None
    return way if way and way[-1][1] is not None else None


def _has(release: Mapping[str, Any], way: _Way) -> bool:
    found: object = release
    for member, wanted in way:
        value = found.get(member) if isinstance(found, dict) else None
        if wanted is not None:
            listed = value if isinstance(value, list) else []
            value = next(
                (e for e in listed if isinstance(e, dict) and str(e.get("id")) == wanted), None
            )
        if value is None:
            return False
        found = value
    return True


def said(way: _Way) -> str:
    """The entry as a person reads it: "payment 3 of contract 1"."""
    named = [(member, entry) for member, entry in way if entry is not None]
    return " of ".join(f"{_NOUNS.get(member, member)} {entry}" for member, entry in reversed(named))


def taken(
    release: Mapping[str, Any],
    pointers: Sequence[str],
    history: Sequence[Mapping[str, Any]],
    *,
    base: str = "",
    at: int | None = None,
) -> list[Problem]:
    """The first of the entries at ``pointers`` that a release of ``history`` (the
    procurement's, as stored) already has, as a problem at its id; none when all are new. One
    is enough to say the notice was numbered alike with another: its other entries share the
    number (a payment's notice document is named after the payment)."""
    for pointer in pointers:
        way = way_to(release, pointer)
        if way is not None and any(_has(stored, way) for stored in history):
            what = said(way)
            return [
                Problem(
                    f"{base}{pointer}/id",
                    CODE,
                    f"{what[0].upper()}{what[1:]} is already published, by a notice published "
                    "after this one was written, so nothing was published and neither replaces "
                    "the other: publish this notice again to number it after that one",
                    "error",
                    True,
                    release=at,
                )
            ]
    return []
