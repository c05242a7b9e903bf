"""What a publisher wrote, read as the data-quality checks compare it: the calendar day of a
date, an amount in words, an identifier judged and normalised, an organisation name's key, the
objects of a list. Shared by the checks of one process (openbook.standards.metrics.quality) and
the check across processes (openbook.standards.metrics.duplicates), so that a duplicate's keys
read a release as the checks do. Pure; the costly readings are cached, since a process repeats
its dates, buyers and suppliers release after release.
"""

import re
from functools import lru_cache
from typing import TypeGuard

from openbook.standards import identifiers, organisation_names
from openbook.standards.ocds.shapes import text
from openbook.standards.ocds.summary import utc

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# A float this large is no amount of money (a thousand times the largest plausible one,
# quality's values-amount-implausible): it is written as a power of ten. Duplicate keys hold
# amounts as written here, so a change to it is a new method version.
_IN_FIGURES = 1e14


def calendar_day(value: object) -> str | None:
    """The calendar day of an OCDS date-time as written (``YYYY-MM-DD``); None when it is not
    a date."""
    return _day_of(value) if isinstance(value, str) else None


@lru_cache(maxsize=1 << 16)
def _day_of(value: str) -> str | None:
    # Cached: a process repeats its dates release after release.
    moment = utc(value)
    if moment is None:
        return None
    written = value.strip()[:10]
    return written if _DAY.fullmatch(written) else moment[:10]


def money(amount: float, currency: str) -> str:
    # Integers are written as integers (one too large for a float would not convert); floats
    # too large to be money in figures are written as powers of ten.
    if isinstance(amount, int):
        shown = f"{amount:,}"
    elif abs(amount) < _IN_FIGURES:
        shown = f"{amount:,.2f}".removesuffix(".00")
    else:
        shown = f"{amount:.3g}"
    return f"{shown} {currency}" if currency else shown


@lru_cache(maxsize=1 << 15)
def checked_identifier(scheme: str, given: str) -> tuple[bool, str | None, str | None]:
    """Whether identifiers-malformed judges an identifier, what is wrong with it, and its
    normal form. Cached: the same buyers and suppliers recur release after release, and a
    check costs about 12 µs. Schemes openbook does not know are not judged; a placeholder
    ("N/A") is wrong in any."""
    checked = identifiers.check(scheme, given)
    normal = str(checked.identifier) if checked.identifier is not None else None
    return checked.known or checked.problem == "placeholder", checked.message, normal


@lru_cache(maxsize=1 << 12)
def name_key(name: str) -> str:
    return organisation_names.key(name)


def objects(value: object) -> list[tuple[int, dict]]:
    """The objects of a list, with their positions in it; nothing when it is not a list."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def id_of(reference: object) -> str:
    return text(reference.get("id")).strip() if isinstance(reference, dict) else ""


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
