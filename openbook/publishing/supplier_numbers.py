"""The platform's own supplier numbers in published releases (docs/suppliers.md): the platform
issues them, so it knows which exist. A party identified by one that no supplier was given is
refused: a mistyped number would otherwise tie the award to no one, or to someone else."""

from collections.abc import Sequence
from typing import Protocol

from openbook.publishing.answers import Problem
from openbook.standards import identifiers
from openbook.standards.registers.suppliers import REGISTER
from openbook.store import registers as stored
from openbook.store.database import Store

UNREGISTERED = "party.identifier.unregistered"


class Sent(Protocol):
    base: str
    release: dict

    @property
    def at(self) -> int | None: ...


def _numbers(release: dict) -> list[tuple[str, str]]:
    """(pointer, supplier number) for every GB-OPENBOOK identifier of the release's parties."""
    found = []
    parties = release.get("parties")
    for index, party in enumerate(parties if isinstance(parties, list) else ()):
        if not isinstance(party, dict):
            continue
        more = party.get("additionalIdentifiers")
        given = [("identifier", party.get("identifier"))] + [
            (f"additionalIdentifiers/{n}", each)
            for n, each in enumerate(more if isinstance(more, list) else ())
        ]
        for where, identifier in given:
            if not identifiers.is_given(identifier):
                continue
            checked = identifiers.check_often(identifier.get("scheme"), identifier.get("id"))
            if checked.identifier and checked.identifier.scheme == identifiers.PLATFORM_SCHEME:
                found.append((f"/parties/{index}/{where}", str(checked.identifier)))
    return found


def check(store: Store, sent: Sequence[Sent]) -> dict[int, list[Problem]]:
    """Problems per release (by position in ``sent``) naming unregistered numbers."""
    wanted = {index: _numbers(item.release) for index, item in enumerate(sent)}
    numbers = sorted({number for found in wanted.values() for _, number in found})
    known = stored.existing(store, REGISTER.code, numbers)
    problems: dict[int, list[Problem]] = {}
    for index, found in wanted.items():
        for pointer, number in found:
            if number in known:
                continue
            item = sent[index]
            problems.setdefault(index, []).append(
                Problem(
                    f"{item.base}{pointer}",
                    UNREGISTERED,
                    f"{number} is no registered supplier's number: check it with the supplier "
                    "(GET /api/registers/suppliers lists them), or identify the supplier in "
                    "another register",
                    "error",
                    True,
                    release=item.at,
                )
            )
    return problems
