"""The register of suppliers: a supplier registers once, gets the platform's supplier number
(``GB-OPENBOOK``, openbook.standards.identifiers) and keeps its core information current;
publishers name it by that number or any of its identifiers.

What the log and the public see is the entry without ``PRIVATE`` fields: its contact, its
connected persons (people and organisations with control over it: the Procurement Act 2023,
Schedule 6, paragraph 45 and s.26, asks suppliers for them, and the law does not publish
them) and the exclusion grounds it declares. Those are kept apart and shown only to a buyer the
supplier gives a share code; the log keeps a salted SHA-256 of them, so that what was shared can
later be proved unchanged without being published.
"""

from collections.abc import Mapping
from typing import Any

from openbook.standards.registers import Indexed, Register
from openbook.standards.registers.fields import (
    BOOLEAN,
    CODE,
    DATE,
    IDENTIFIER,
    LIST,
    OBJECT,
    TEXT,
    URL,
    Field,
    Problem,
)

PRIVATE = ("contact", "connectedPersons", "exclusions")
ACTIVE = "active"
CLOSED = "closed"  # the supplier no longer trades (dissolved, merged)
STATUSES = (ACTIVE, CLOSED)
CONNECTED_KINDS = ("individual", "organisation")
CONNECTED_ROLES = (
    "person-with-significant-control",
    "director",
    "parent-undertaking",
    "predecessor",
    "guarantor",
    "other",
)

ADDRESS = (
    Field("streetAddress", TEXT, longest=300, about="the street and number"),
    Field("locality", TEXT, longest=100, about="the town or city"),
    Field("region", TEXT, longest=100, about="the county or region"),
    Field("postalCode", TEXT, longest=20, about="the postcode"),
    Field("countryName", TEXT, longest=100, about="the country"),
)

FIELDS = (
    Field("legalName", TEXT, required=True, longest=500, about="the supplier's legal name"),
    Field("otherNames", LIST, item=TEXT, longest=500, most=20, about="names it trades under"),
    Field("address", OBJECT, required=True, fields=ADDRESS, about="its registered address"),
    Field(
        "identifiers",
        LIST,
        item=IDENTIFIER,
        most=20,
        about="its identifiers in other registers, each written SCHEME-ID (GB-COH-01234567)",
    ),
    # which identifiers are claims the platform has not checked (docs/suppliers.md).
    Field(
        "selfDeclared",
        LIST,
        item=IDENTIFIER,
        most=20,
        about="those of its identifiers it declared itself, which the platform's administrators "
        "have not verified",
    ),
    Field("sme", BOOLEAN, required=True, about="whether it is a small or medium-sized enterprise"),
    Field(
        "vcse",
        BOOLEAN,
        required=True,
        about="whether it is a voluntary, community or social enterprise",
    ),
    Field("website", URL, about="its website"),
    Field("status", CODE, required=True, codes=STATUSES, about="active or closed"),
    # Private: kept apart, shown only through share codes.
    Field(
        "contact",
        OBJECT,
        about="who buyers contact (private)",
        fields=(
            Field("name", TEXT, longest=200, about="a person or team"),
            Field("email", TEXT, longest=254, about="an email address"),
            Field("telephone", TEXT, longest=40, about="a telephone number"),
        ),
    ),
    Field(
        "connectedPersons",
        LIST,
        item=OBJECT,
        about="people and organisations with control over it (private)",
        fields=(
            Field("name", TEXT, required=True, longest=300, about="the person's or body's name"),
            Field("kind", CODE, required=True, codes=CONNECTED_KINDS, about="who it is"),
            Field("role", CODE, required=True, codes=CONNECTED_ROLES, about="its connection"),
            Field("identifier", IDENTIFIER, about="an organisation's identifier"),
            Field("since", DATE, about="when the connection began"),
        ),
    ),
    Field(
        "exclusions",
        LIST,
        item=OBJECT,
        about="exclusion grounds it declares, and what it did about them (private)",
        fields=(
            Field("reference", TEXT, required=True, longest=200, about="the statutory ground"),
            Field("description", TEXT, required=True, longest=5000, about="what happened"),
            Field("date", DATE, about="when"),
        ),
    ),
)


def rules(entry: Mapping[str, Any]) -> list[Problem]:
    found = []
    contact = entry.get("contact")
    email = contact.get("email") if isinstance(contact, dict) else None
    if isinstance(email, str) and ("@" not in email or email.startswith("@") or " " in email):
        found.append(
            Problem("/contact/email", "malformed-email", f"{email[:60]!r} is no email address")
        )
    given = entry.get("identifiers") or []
    seen = set()
    for index, identifier in enumerate(given):
        if identifier.startswith("GB-OPENBOOK-"):
            found.append(
                Problem(
                    f"/identifiers/{index}",
                    "platform-identifier",
                    "the platform gives the supplier number itself: list only identifiers "
                    "of other registers here",
                )
            )
        if identifier in seen:
            found.append(
                Problem(f"/identifiers/{index}", "duplicate", f"{identifier} is listed twice")
            )
        seen.add(identifier)
    for index, identifier in enumerate(entry.get("selfDeclared") or []):
        if identifier not in seen:
            found.append(
                Problem(
                    f"/selfDeclared/{index}",
                    "not-its-identifier",
                    f"{identifier} is not one of its identifiers: list here only identifiers "
                    "it gives in identifiers",
                )
            )
    return found


# a claim to an identifier, as the register shows it (docs/suppliers.md).
SELF_DECLARED = "self-declared"
VERIFIED = "verified"


def self_declared(entry: Mapping[str, Any]) -> frozenset[str]:
    """The identifiers the supplier declared itself and no administrator has verified: every
    identifier of a supplier that registered itself, until an administrator verifies it
    (openbook.supplier_claims). A supplier an administrator registered has none."""
    return frozenset(entry.get("selfDeclared") or ())


def claim(entry: Mapping[str, Any], identifier: str) -> str:
    """``SELF_DECLARED`` or ``VERIFIED``: the status of the supplier's claim to an identifier
    it gives (its supplier number, the platform's own, is verified)."""
    return SELF_DECLARED if identifier in self_declared(entry) else VERIFIED


def public(entry: Mapping[str, Any]) -> dict:
    return {name: value for name, value in entry.items() if name not in PRIVATE}


def private(entry: Mapping[str, Any]) -> dict:
    return {name: value for name, value in entry.items() if name in PRIVATE}


def indexed(entry: Mapping[str, Any]) -> Indexed:
    return Indexed(
        organisations=tuple(entry.get("identifiers") or ()),
        ocid=None,
        status=entry["status"],
        start=None,
        end=None,
    )


REGISTER = Register(
    code="suppliers",
    title="Register of suppliers",
    prefix="GB-OPENBOOK",  # ids are minted supplier numbers, not numbered in order
    fields=FIELDS,
    rules=rules,
    indexed=indexed,
    statuses=STATUSES,
)
