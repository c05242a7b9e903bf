"""The registers people enter by hand, as the log keeps them (issue 5; docs/registers.md): the
central debarment list, complaints and legal challenges. Pure: what an entry holds, how it is
checked, and what of it is indexed.

Every version of an entry is one statement in the log's register of that name: its record key is
the entry's id, its statement id the version number (1, 2, ...), and its body the whole entry as
it then stood (``statement_body``), so that an entry's history is its statements, and reading
one version never needs another.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from openbook.standards.registers.fields import Field, Problem


@dataclass(frozen=True, slots=True)
class Indexed:
    """What the register's list is filtered and sorted by."""

    organisations: tuple[str, ...]  # the identifiers (SCHEME-ID) of the organisations it names
    ocid: str | None
    status: str
    start: str | None  # YYYY-MM-DD
    end: str | None


@dataclass(frozen=True, slots=True)
class Register:
    code: str  # the log's register, and the API's path: "debarment"
    title: str
    prefix: str  # of the entries' ids: "DEB" makes DEB-000001
    fields: tuple[Field, ...]
    rules: Callable[[Mapping[str, Any]], list[Problem]]  # beyond each field's own checks
    indexed: Callable[[Mapping[str, Any]], Indexed]
    statuses: tuple[str, ...]


def statement_body(
    register: Register, entry_id: str, version: int, entry: Mapping[str, Any], recorded_by: dict
) -> dict:
    """What the log keeps of one version of an entry."""
    return {
        "register": register.code,
        "id": entry_id,
        "version": version,
        "entry": dict(entry),
        "recordedBy": recorded_by,
    }


def entry_id(register: Register, number: int) -> str:
    return f"{register.prefix}-{number:06d}"


def describe(
    code: str,
    key: str,
    *,
    version: int,
    created: str,
    updated: str,
    seq: int,
    entry: Mapping[str, Any],
    today: str,
) -> dict:
    """An entry as the API and the bulk files give it: its newest version, with when it was
    first and last recorded, and (debarment) whether it is in force ``today``."""
    answer = {
        "id": key,
        "register": code,
        "version": version,
        "created": created,
        "updated": updated,
        "seq": seq,
        **entry,
    }
    if code == "debarment":
        from openbook.standards.registers import debarment

        answer["inForce"] = debarment.in_force(entry, today)
    return answer


def by_code() -> dict[str, Register]:
    from openbook.standards.registers import cases, debarment, suppliers

    return {
        each.code: each
        for each in (debarment.REGISTER, cases.COMPLAINTS, cases.CHALLENGES, suppliers.REGISTER)
    }


__all__ = [
    "Field",
    "Indexed",
    "Problem",
    "Register",
    "by_code",
    "describe",
    "entry_id",
    "statement_body",
]
