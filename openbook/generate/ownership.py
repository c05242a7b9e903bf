"""Beneficial ownership of a generated run's suppliers, as BODS 0.4 statements (docs/bods.md), so
that the demonstration shows ownership chains (issue 8, D5): for a share of the companies a run's
releases name as suppliers (by Companies House number, ``GB-COH``), the company, the people who
own it and, for some, a holding company between them, with the relationships that join them.

Pure: the statements are a function of the releases read and the seed. Each company's owners are
drawn from ``random.Random`` seeded with the seed and the company's number, so a company has the
same owners whatever else the run holds. Dates are the day given (the statements' date), which
the demo makes today.
"""

from __future__ import annotations

import hashlib
import random
import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from openbook.generate.draws import pick
from openbook.generate.vocabulary import FIRST_NAMES, SURNAMES

OWNED_SHARE = 0.6  # of the suppliers with a company number: those given owners
HELD_SHARE = 0.35  # of those: owned through a holding company
PUBLISHER = "openbook generated data"  # the statements' publisher unless one is given
Issued = tuple[str, str]  # the statements' date (ISO 8601) and their publisher's name


def suppliers(releases: Iterable[dict[str, Any]]) -> dict[str, str]:
    """The companies the releases name as suppliers, by Companies House number: their names."""
    found: dict[str, str] = {}
    for release in releases:
        for party in release.get("parties") or ():
            identifier = party.get("identifier") or {}
            if "supplier" in (party.get("roles") or ()) and identifier.get("scheme") == "GB-COH":
                found.setdefault(str(identifier.get("id")), str(party.get("name")))
    return found


def statements(
    companies: dict[str, str], seed: int, day: date, publisher: str = PUBLISHER
) -> Iterator[dict[str, Any]]:
    """BODS 0.4 statements of the owners of a share (OWNED_SHARE) of these companies (number:
    name), each record's statements before those that name it, published by ``publisher``."""
    for number, name in sorted(companies.items()):
        draw = random.Random(seed * (1 << 40) + (1 << 36) + zlib.crc32(number.encode())).random
        if draw() >= OWNED_SHARE:
            continue
        issued = (day.isoformat(), publisher)
        company = f"gen-ent-{number}"
        yield _entity(company, name, number, issued)
        owned = company
        if draw() < HELD_SHARE:
            holding_number = f"{10_000_000 + zlib.crc32(f'holding-{number}'.encode()) % 9_000_000}"
            holding = f"gen-ent-{holding_number}"
            stem = name.split()[0]
            yield _entity(holding, f"{stem} Holdings Limited", holding_number, issued)
            yield _relationship(company, holding, 100.0, issued, beneficial=False)
            owned = holding
        people = 1 + int(draw() * 3)
        share = round(100 / people, 2)
        for index in range(people):
            person = f"gen-per-{number}-{index}"
            full_name = f"{pick(draw, FIRST_NAMES)} {pick(draw, SURNAMES)}"
            born = f"{1950 + int(draw() * 45)}-{1 + int(draw() * 12):02d}"
            yield _person(person, full_name, born, issued)
            yield _relationship(owned, person, share, issued, beneficial=True)


def _statement(record_id: str, kind: str, details: dict, subject: str, issued: Issued) -> dict:
    day, publisher = issued
    return {
        "statementId": hashlib.sha256(f"{record_id} {kind} 1".encode()).hexdigest()[:32],
        "statementDate": day,
        "publicationDetails": {
            "publicationDate": day,
            "bodsVersion": "0.4",
            "publisher": {"name": publisher},
        },
        "recordId": record_id,
        "recordType": kind,
        "recordStatus": "new",
        "declarationSubject": subject,
        "recordDetails": details,
    }


def _entity(record_id: str, name: str, number: str, issued: Issued) -> dict:
    details = {
        "isComponent": False,
        "entityType": {"type": "registeredEntity"},
        "name": name,
        "jurisdiction": {"name": "United Kingdom", "code": "GB"},
        "identifiers": [{"id": number, "scheme": "GB-COH"}],
    }
    return _statement(record_id, "entity", details, record_id, issued)


def _person(record_id: str, full_name: str, born: str, issued: Issued) -> dict:
    details = {
        "isComponent": False,
        "personType": "knownPerson",
        "names": [{"type": "legal", "fullName": full_name}],
        "birthDate": born,
        "nationalities": [{"name": "United Kingdom", "code": "GB"}],
    }
    return _statement(record_id, "person", details, record_id, issued)


def _relationship(
    subject: str, party: str, share: float, issued: Issued, *, beneficial: bool
) -> dict:
    details = {
        "isComponent": False,
        "subject": subject,
        "interestedParty": party,
        "interests": [
            {
                "type": "shareholding",
                "directOrIndirect": "direct",
                "beneficialOwnershipOrControl": beneficial,
                "share": {"exact": share},
                "startDate": "2020-01-01",
            }
        ],
    }
    return _statement(f"gen-rel-{subject}-{party}", "relationship", details, subject, issued)
