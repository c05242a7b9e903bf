"""Upgrading BODS 0.2 statements (as the Open Ownership Register published them) to BODS 0.4
(docs/bods.md, "Statements in BODS 0.2"). Pure.

BODS 0.4 made records explicit: a statement names its record (``recordId``), the record's kind
(``recordType``) and what the statement does to it (``recordStatus``), and holds the record's
fields in ``recordDetails``; a relationship names its subject and interested party by their
``recordId``. BODS 0.2 had statements only, of three types, each replacing earlier ones
(``replacesStatements``). The upgrade, field by field:

- ``statementType`` entityStatement, personStatement, ownershipOrControlStatement: ``recordType``
  entity, person, relationship;
- ``recordId``: the statement chain's first known statement (a statement that replaces others
  belongs to their record; ``record_ids`` follows the chains through a whole file), else the
  statement's own id; ``recordStatus`` ``updated`` for a statement that replaces another, else
  ``new``; ``declarationSubject``: the record itself, or a relationship's subject;
- ``statementId``: 0.4 wants 32 to 64 characters, which 0.2's ids often are not: the first 32
  hexadecimal characters of SHA-256 of ``bods-0.2:`` and the 0.2 id, so the same statement always
  upgrades to the same id (loading it twice stores it once); an annotation (motivation
  ``transformation``) keeps the 0.2 id and type;
- entity fields move into ``recordDetails``: ``entityType`` becomes ``{"type": ...}``,
  ``incorporatedInJurisdiction`` becomes ``jurisdiction``; person fields likewise; a
  relationship's ``subject.describedByEntityStatement`` and ``interestedParty
  .describedBy...Statement`` become those statements' ``recordId``s, and an unspecified party
  its ``{"reason", "description"}``; interest types written with hyphens become 0.4's codes
  (``voting-rights``: ``votingRights``); ``interestLevel`` becomes ``directOrIndirect``;
- an address's country, a code in 0.2, becomes 0.4's ``{"name", "code"}`` with the ISO 3166 name;
  a person's ``registered`` address (0.4 gives registered addresses to entities only) is its
  ``service`` address; a person's ``individual`` name is 0.4's ``legal`` name;
- an identifier's ``uri`` written relative to its publisher (``/entities/123``, as the Open
  Ownership Register wrote them) is resolved against ``publicationDetails.publisher.url``
  (RFC 3986, section 5), since 0.4 wants a URI;
- ``publicationDetails.bodsVersion`` becomes ``0.4``; null values are dropped (0.4 allows none).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin

import pycountry

RECORD_TYPES = {
    "entityStatement": "entity",
    "personStatement": "person",
    "ownershipOrControlStatement": "relationship",
}
# 0.2's interest types that 0.4 spells otherwise; the others are the same.
INTEREST_TYPES = {
    "voting-rights": "votingRights",
    "appointment-of-board": "appointmentOfBoard",
    "other-influence-or-control": "otherInfluenceOrControl",
    "senior-managing-official": "seniorManagingOfficial",
    "rights-to-surplus-assets-on-dissolution": "rightsToSurplusAssetsOnDissolution",
    "rights-to-profit-or-income": "rightsToProfitOrIncome",
    "rights-granted-by-contract": "rightsGrantedByContract",
    "conditional-rights-granted-by-contract": "conditionalRightsGrantedByContract",
    "influence-or-control": "otherInfluenceOrControl",
    "beneficiary-of-legal-arrangement": "beneficiaryOfLegalArrangement",
}
INTEREST_LEVELS = {"direct": "direct", "indirect": "indirect", "unknown": "unknown"}
_ENTITY_FIELDS = ("name", "alternateNames", "identifiers", "foundingDate", "dissolutionDate",
                  "addresses", "uri")  # fmt: skip
_PERSON_FIELDS = ("personType", "names", "identifiers", "nationalities", "placeOfBirth",
                  "birthDate", "deathDate", "taxResidencies", "addresses")  # fmt: skip


def is_bods_02(statement: Any) -> bool:
    return (
        isinstance(statement, dict)
        and "statementID" in statement
        and statement.get("statementType") in RECORD_TYPES
    )


def statement_id(old: str) -> str:
    return hashlib.sha256(f"bods-0.2:{old}".encode()).hexdigest()[:32]


def record_ids(statements: Iterable[Any]) -> dict[str, str]:
    """Each 0.2 statement id's record: the first statement of its chain of replacements."""
    replaced: dict[str, str] = {}  # statement -> a statement it replaces
    for statement in statements:
        if not is_bods_02(statement):
            continue
        replaces = statement.get("replacesStatements")
        for older in replaces if isinstance(replaces, list) else ():
            if isinstance(older, str):
                replaced[str(statement["statementID"])] = older
                break
    found = {}
    for start in replaced:
        chain, current = [start], start
        while current in replaced and replaced[current] not in chain:
            current = replaced[current]
            chain.append(current)
        for member in chain:
            found[member] = current
    return found


def upgrade(statement: dict, records: dict[str, str]) -> dict:
    """The BODS 0.4 statement of a 0.2 statement; ``records`` from ``record_ids``."""
    old = str(statement["statementID"])
    kind = RECORD_TYPES[statement["statementType"]]
    record = _record(old, records)
    base = _publisher_url(statement.get("publicationDetails"))
    if kind == "entity":
        details = _entity(statement)
        details["identifiers"] = _identifiers(details.get("identifiers"), base)
        subject = record
    elif kind == "person":
        details = _person(statement)
        details["identifiers"] = _identifiers(details.get("identifiers"), base)
        subject = record
    else:
        details = _relationship(statement, records)
        subject = details["subject"] if isinstance(details["subject"], str) else record
    upgraded = {
        "statementId": statement_id(old),
        "statementDate": statement.get("statementDate"),
        "annotations": [
            {
                "motivation": "transformation",
                "statementPointerTarget": "/",
                "description": f"Upgraded from BODS 0.2 {statement['statementType']} {old} "
                "by openbook (docs/bods.md)",
                "transformedContent": "",
            }
        ],
        "publicationDetails": _publication(statement.get("publicationDetails")),
        "source": _source(statement.get("source")),
        "recordId": record,
        "recordType": kind,
        "recordStatus": "updated" if statement.get("replacesStatements") else "new",
        "declarationSubject": subject,
        "recordDetails": details,
    }
    return _without_nulls(upgraded)


def _record(old: str, records: dict[str, str]) -> str:
    return records.get(old, old)


def _entity(statement: dict) -> dict:
    details: dict = {
        "isComponent": bool(statement.get("isComponent", False)),
        "entityType": {"type": statement.get("entityType") or "unknownEntity"},
    }
    for name in _ENTITY_FIELDS:
        if name in statement:
            details[name] = statement[name]
    if isinstance(statement.get("incorporatedInJurisdiction"), dict):
        details["jurisdiction"] = statement["incorporatedInJurisdiction"]
    if "addresses" in details:
        details["addresses"] = _addresses(details["addresses"])
    return details


def _person(statement: dict) -> dict:
    details: dict = {
        "isComponent": bool(statement.get("isComponent", False)),
        "personType": statement.get("personType") or "unknownPerson",
    }
    for name in _PERSON_FIELDS[1:]:
        if name in statement:
            details[name] = statement[name]
    if "addresses" in details:
        details["addresses"] = [
            {**address, "type": "service"}
            if isinstance(address, dict) and address.get("type") == "registered"
            else address
            for address in _addresses(details["addresses"]) or ()
        ]
    if isinstance(details.get("names"), list):
        details["names"] = [
            {**name, "type": "legal"}
            if isinstance(name, dict) and name.get("type") == "individual"
            else name
            for name in details["names"]
        ]
    return details


def _publisher_url(details: Any) -> str | None:
    publisher = details.get("publisher") if isinstance(details, dict) else None
    url = publisher.get("url") if isinstance(publisher, dict) else None
    return url if isinstance(url, str) and url.startswith(("https://", "http://")) else None


def _identifiers(identifiers: Any, base: str | None) -> Any:
    if not isinstance(identifiers, list) or base is None:
        return identifiers
    return [
        {**identifier, "uri": urljoin(base, identifier["uri"])}
        if isinstance(identifier, dict)
        and isinstance(identifier.get("uri"), str)
        and identifier["uri"].startswith("/")
        else identifier
        for identifier in identifiers
    ]


def _relationship(statement: dict, records: dict[str, str]) -> dict:
    return {
        "isComponent": bool(statement.get("isComponent", False)),
        "subject": _party(statement.get("subject"), records),
        "interestedParty": _party(statement.get("interestedParty"), records),
        "interests": [
            _interest(interest)
            for interest in (
                statement["interests"] if isinstance(statement.get("interests"), list) else ()
            )
            if isinstance(interest, dict)
        ],
    }


def _party(party: Any, records: dict[str, str]) -> str | dict:
    if isinstance(party, dict):
        for key in ("describedByEntityStatement", "describedByPersonStatement"):
            if isinstance(party.get(key), str):
                return _record(party[key], records)
        unspecified = party.get("unspecified")
        if isinstance(unspecified, dict):
            return {
                "reason": unspecified.get("reason") or "unknown",
                "description": unspecified.get("description"),
            }
    return {"reason": "unknown", "description": "not stated in the BODS 0.2 statement"}


def _interest(interest: dict) -> dict:
    upgraded = {
        name: interest[name]
        for name in ("share", "startDate", "endDate", "details", "beneficialOwnershipOrControl")
        if name in interest
    }
    kind = interest.get("type")
    upgraded["type"] = INTEREST_TYPES.get(kind, kind) if isinstance(kind, str) else None
    level = interest.get("interestLevel")
    if isinstance(level, str) and level in INTEREST_LEVELS:
        upgraded["directOrIndirect"] = INTEREST_LEVELS[level]
    return upgraded


def _addresses(addresses: Any) -> Any:
    if not isinstance(addresses, list):
        return addresses
    return [_address(address) for address in addresses]


def _address(address: Any) -> Any:
    if not isinstance(address, dict) or not isinstance(address.get("country"), str):
        return address
    code = address["country"].strip().upper()
    found = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    upgraded = {key: value for key, value in address.items() if key != "country"}
    if found is not None:
        upgraded["country"] = {"name": found.name, "code": code}
    return upgraded


def _publication(details: Any) -> Any:
    if not isinstance(details, dict):
        return details
    return {**details, "bodsVersion": "0.4"}


def _source(source: Any) -> Any:
    if not isinstance(source, dict):
        return source
    upgraded = dict(source)
    kind = upgraded.get("type")
    if isinstance(kind, str):  # 0.2: one type; 0.4: a list
        upgraded["type"] = [kind]
    return upgraded


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_nulls(item) for item in value if item is not None]
    return value
