"""Companies House "persons with significant control" (PSC) records as BODS 0.4 statements
(docs/bods.md, "Companies House PSC data"). Pure: the caller says which records exist already.

Each PSC record names a company and one person or body with significant control over it, or
says why there is none to name. It becomes, as BODS 0.4 models ownership:

- the company: an entity record ``GB-COH-<company number>``, a registered entity with its
  Companies House identifier (and, given the company's own data, its name, address and
  incorporation date);
- the person or body: a person record for an individual; an entity record for a corporate PSC
  (``GB-COH-<number>`` when it is itself on the UK register, so that chains of ownership join
  up; else a record of its own), or for a legal person (a state body when its legal form says
  it is a government);
- the relationship between them, ``GB-COH-PSC-<id>`` (the PSC's id in Companies House), with an
  interest for each nature of control (``NATURES``); a PSC without details (super-secure) or a
  company's statement that it has none is a relationship to an unspecified party, with the
  reason. A ceased PSC closes its relationship (``recordStatus`` ``closed``, ``endDate`` its
  ``ceased_on``).

A statement's id is derived from its record and the PSC record's ``etag``, Companies House's
version of it: importing the same snapshot again makes the same statements (nothing is stored
twice), and a newer snapshot makes new statements only for what changed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pycountry

from openbook.standards.days import day_of

PUBLISHER = {
    "name": "Companies House",
    "url": "https://www.gov.uk/government/organisations/companies-house",
}
LICENCE = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
API = "https://api.company-information.service.gov.uk"
PERSON_KINDS = ("individual-person-with-significant-control", "individual-beneficial-owner")
CORPORATE_KINDS = (
    "corporate-entity-person-with-significant-control",
    "corporate-entity-beneficial-owner",
)
LEGAL_PERSON_KINDS = (
    "legal-person-person-with-significant-control",
    "legal-person-beneficial-owner",
)
SECRET_KINDS = ("super-secure-person-with-significant-control", "super-secure-beneficial-owner")
STATEMENT_KIND = "persons-with-significant-control-statement"
# A company's statement that it has no PSC to name, as BODS 0.4's reasons (unspecifiedReason).
NO_PSC_REASONS = {
    "no-individual-or-entity-with-signficant-control": "noBeneficialOwners",  # sic, as CH spells it
    "no-individual-or-entity-with-significant-control": "noBeneficialOwners",
    "steps-to-find-psc-not-yet-completed": "subjectUnableToConfirmOrIdentifyBeneficialOwner",
    "psc-exists-but-not-identified": "subjectUnableToConfirmOrIdentifyBeneficialOwner",
    "psc-details-not-confirmed": "interestedPartyHasNotProvidedInformation",
    "psc-contacted-but-no-response": "interestedPartyHasNotProvidedInformation",
    "psc-has-failed-to-confirm-changed-details": "interestedPartyHasNotProvidedInformation",
    "restrictions-notice-issued-to-psc": "interestedPartyHasNotProvidedInformation",
}
# Natures of control by the words they start with, as BODS 0.4's interest types.
NATURES = (
    ("ownership-of-shares", "shareholding"),
    ("voting-rights", "votingRights"),
    ("right-to-appoint-and-remove", "appointmentOfBoard"),
    ("right-to-share-surplus-assets", "rightsToSurplusAssetsOnDissolution"),
    ("significant-influence-or-control", "otherInfluenceOrControl"),
)
_RANGE = re.compile(r"(\d+)-to-(\d+)-percent")
_MORE_THAN = re.compile(r"more-than-(\d+)-percent")


@dataclass(frozen=True, slots=True)
class Skipped:
    why: str


@dataclass(frozen=True, slots=True)
class _Context:
    published: str  # the snapshot's date
    exists: Callable[[str], bool]
    link: str | None  # the PSC's path in the Companies House API


def interest(nature: str, start: str | None, end: str | None, beneficial: bool) -> dict:
    """One nature of control as a BODS 0.4 interest, with its share range: Companies House's
    bands are "more than 25% but not more than 50%", "more than 50% but less than 75%" and
    "75% or more" (the PSC register's own wording)."""
    kind = next((code for words, code in NATURES if nature.startswith(words)), None)
    found: dict[str, Any] = {
        "type": kind or "otherInfluenceOrControl",
        "directOrIndirect": "unknown",
        "beneficialOwnershipOrControl": beneficial,
    }
    details = [f"Companies House nature of control: {nature}"]
    if "-as-trust" in nature:
        details.append("held as a trustee of a trust")
    if "-as-firm" in nature:
        details.append("held as a member of a firm")
    found["details"] = "; ".join(details)
    band = _RANGE.search(nature)
    more = _MORE_THAN.search(nature)
    if band:
        low, high = int(band.group(1)), int(band.group(2))
        share: dict[str, float] = {"exclusiveMinimum": low} if low < 75 else {"minimum": low}
        share["maximum" if high in (50, 100) else "exclusiveMaximum"] = high
        found["share"] = share
    elif more:
        found["share"] = {"exclusiveMinimum": int(more.group(1)), "maximum": 100}
    if start:
        found["startDate"] = start
    if end:
        found["endDate"] = end
    return found


def statements(
    record: Any, exists: Callable[[str], bool], companies: dict[str, dict]
) -> list[dict] | Skipped:
    """The BODS statements of one PSC snapshot record; ``exists`` says whether a record id is
    known already (a statement is then ``updated``, not ``new``), ``companies`` the companies'
    own data by number (optional)."""
    if not isinstance(record, dict) or not isinstance(record.get("data"), dict):
        return Skipped("not a PSC record (an object with 'data')")
    data = record["data"]
    kind = data.get("kind")
    number = record.get("company_number")
    if not isinstance(kind, str) or kind.startswith(("totals#", "exemptions")):
        return Skipped(f"a {kind or 'record without a kind'}: not about one company's PSC")
    if not isinstance(number, str) or not number.strip():
        return Skipped("no company_number")
    psc_id = _psc_id(data)
    if psc_id is None:
        return Skipped("no links.self: the PSC cannot be identified")
    published = day_of(record.get("ContentDate")) or date.today().isoformat()
    subject = f"GB-COH-{number.strip().upper()}"
    etag = str(data.get("etag") or "")
    start, ceased = day_of(data.get("notified_on")), day_of(data.get("ceased_on"))
    common = _Context(published, exists, _link(data))
    company = _company(number, companies.get(number.strip().upper(), {}))
    made = [
        # The company's statement changes only with what is known of the company.
        _statement(
            subject,
            "entity",
            company,
            subject=subject,
            seed=_digest(company),
            when=company.get("foundingDate"),
            context=common,
        )
    ]
    party = _party(data, psc_id)
    interested: str | dict
    if isinstance(party, tuple):
        party_id, party_kind, details = party
        if party_id != subject:
            made.append(
                _statement(
                    party_id,
                    party_kind,
                    details,
                    subject=party_id,
                    seed=etag,
                    when=start,
                    context=common,
                )
            )
        interested = party_id
    else:
        interested = party
    beneficial = kind in PERSON_KINDS
    relationship = {
        "isComponent": False,
        "subject": subject,
        "interestedParty": interested,
        "interests": [
            interest(nature, start, ceased, beneficial)
            for nature in _list(data.get("natures_of_control"))
            if isinstance(nature, str)
        ],
    }
    made.append(
        _statement(
            f"GB-COH-PSC-{psc_id}",
            "relationship",
            relationship,
            subject=subject,
            seed=f"{etag}|{'closed' if ceased else 'open'}",
            when=ceased or start,
            closed=ceased is not None,
            context=common,
        )
    )
    return made


def _digest(value: dict) -> str:
    return hashlib.sha256(repr(sorted(value.items())).encode()).hexdigest()


def _link(data: dict) -> str | None:
    links = data.get("links")
    link = links.get("self") if isinstance(links, dict) else None
    return link if isinstance(link, str) and link.startswith("/") else None


def _psc_id(data: dict) -> str | None:
    links = data.get("links")
    link = links.get("self") if isinstance(links, dict) else None
    if not isinstance(link, str) or "/" not in link:
        return None
    return link.rstrip("/").rsplit("/", 1)[1] or None


def _party(data: dict, psc_id: str) -> tuple[str, str, dict] | dict:
    kind = data.get("kind")
    name = data.get("name") if isinstance(data.get("name"), str) else None
    if kind in PERSON_KINDS:
        return f"GB-COH-PSC-{psc_id}-person", "person", _person(data, name)
    if kind in CORPORATE_KINDS or kind in LEGAL_PERSON_KINDS:
        identification = data.get("identification")
        if not isinstance(identification, dict):
            identification = {}
        number = _text(identification.get("registration_number")).upper()
        registered = _text(identification.get("place_registered")).lower()
        on_uk_register = bool(number) and "companies house" in registered
        record_id = f"GB-COH-{number}" if on_uk_register else f"GB-COH-PSC-{psc_id}-entity"
        return record_id, "entity", _entity(data, name, kind, identification, on_uk_register)
    if kind in SECRET_KINDS:
        return {
            "reason": "interestedPartyExemptFromDisclosure",
            "description": "Companies House protects this person's details (super-secure PSC)",
        }
    if kind == STATEMENT_KIND:
        code = str(data.get("statement") or "")
        return {
            "reason": NO_PSC_REASONS.get(code, "unknown"),
            "description": f"Companies House PSC statement: {code}",
        }
    return {"reason": "unknown", "description": f"Companies House PSC kind: {kind}"}


def _person(data: dict, name: str | None) -> dict:
    details: dict[str, Any] = {"isComponent": False, "personType": "knownPerson"}
    given_elements = data.get("name_elements")
    elements: dict = given_elements if isinstance(given_elements, dict) else {}
    if name:
        names: dict[str, str] = {"type": "legal", "fullName": name}
        given = " ".join(
            part
            for part in (elements.get("forename"), elements.get("middle_name"))
            if isinstance(part, str) and part
        )
        if given:
            names["givenName"] = given
        if isinstance(elements.get("surname"), str) and elements["surname"]:
            names["familyName"] = elements["surname"]
        details["names"] = [names]
    born = data.get("date_of_birth")
    if isinstance(born, dict) and isinstance(born.get("year"), int):
        month = born.get("month")
        details["birthDate"] = (
            f"{born['year']:04d}-{month:02d}" if isinstance(month, int) else f"{born['year']:04d}"
        )
    if data.get("nationality") == "British":  # the register's commonest; others are not mapped
        details["nationalities"] = [{"name": "United Kingdom", "code": "GB"}]
    address = _address(data.get("address"), "service")
    if address:
        details["addresses"] = [address]
    return details


def _entity(data: dict, name: str | None, kind: str, identification: dict, on_uk: bool) -> dict:
    form = str(identification.get("legal_form") or "")
    if kind in LEGAL_PERSON_KINDS and "government" in form.lower():
        entity_type = {"type": "stateBody", "subtype": "governmentDepartment"}
    elif kind in LEGAL_PERSON_KINDS:
        entity_type = {"type": "legalEntity"}
    else:
        entity_type = {"type": "registeredEntity"}
    if form:
        entity_type["details"] = form
    details: dict[str, Any] = {"isComponent": False, "entityType": entity_type}
    if name:
        details["name"] = name
    number = _text(identification.get("registration_number"))
    if on_uk:
        details["identifiers"] = [{"id": number.upper(), "scheme": "GB-COH"}]
    elif number:
        register = identification.get("place_registered") or "register not stated"
        details["identifiers"] = [{"id": number.strip(), "schemeName": str(register)}]
    where = identification.get("country_registered") or identification.get("legal_authority")
    if isinstance(where, str) and where.strip():
        details["jurisdiction"] = {"name": where.strip()}
    address = _address(data.get("principal_office_address") or data.get("address"), "registered")
    if address:
        details["addresses"] = [address]
    return details


def _company(number: str, company: dict) -> dict:
    details: dict[str, Any] = {
        "isComponent": False,
        "entityType": {"type": "registeredEntity"},
        "identifiers": [{"id": number.strip().upper(), "scheme": "GB-COH"}],
        "jurisdiction": {"name": "United Kingdom", "code": "GB"},
    }
    name = company.get("CompanyName")
    if isinstance(name, str) and name.strip():
        details["name"] = name.strip()
    founded = _uk_day(company.get("IncorporationDate"))
    if founded:
        details["foundingDate"] = founded
    dissolved = _uk_day(company.get("DissolutionDate"))
    if dissolved:
        details["dissolutionDate"] = dissolved
    lines = [
        company.get(f"RegAddress.{part}")
        for part in ("AddressLine1", "AddressLine2", "PostTown", "County")
    ]
    text = ", ".join(line.strip() for line in lines if isinstance(line, str) and line.strip())
    if text:
        address: dict[str, Any] = {"type": "registered", "address": text}
        post = company.get("RegAddress.PostCode")
        if isinstance(post, str) and post.strip():
            address["postCode"] = post.strip()
        details["addresses"] = [address]
    return details


def _address(given: Any, kind: str) -> dict | None:
    if not isinstance(given, dict):
        return None
    parts = ("premises", "address_line_1", "address_line_2", "locality", "region")
    text = ", ".join(
        str(given[part]).strip() for part in parts if isinstance(given.get(part), str | int)
    )
    if not text:
        return None
    address: dict[str, Any] = {"type": kind, "address": text}
    if isinstance(given.get("postal_code"), str):
        address["postCode"] = given["postal_code"].strip()
    country = given.get("country")
    if isinstance(country, str) and country.strip():
        address["country"] = _country(country.strip())
    return address


def _country(name: str) -> dict:
    try:
        found = pycountry.countries.lookup(name)
    except LookupError:
        return {"name": name}
    return {"name": name, "code": found.alpha_2}


def _statement(
    record_id: str,
    record_type: str,
    details: dict,
    *,
    subject: str,
    seed: str,
    when: str | None,
    context: _Context,
    closed: bool = False,
) -> dict:
    published, link = context.published, context.link
    status = "closed" if closed else ("updated" if context.exists(record_id) else "new")
    source: dict[str, Any] = {
        "type": ["officialRegister"],
        "description": "Companies House, persons with significant control",
    }
    if link is not None:
        source["url"] = API + link
    return {
        "statementId": hashlib.sha256(f"ch-psc|{record_id}|{seed}".encode()).hexdigest()[:32],
        "statementDate": when or published,
        "publicationDetails": {
            "publicationDate": published,
            "bodsVersion": "0.4",
            "license": LICENCE,
            "publisher": PUBLISHER,
        },
        "source": source,
        "declarationSubject": subject,
        "recordId": record_id,
        "recordType": record_type,
        "recordStatus": status,
        "recordDetails": details,
    }


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _uk_day(value: Any) -> str | None:
    """A date as Companies House's CSV writes it, DD/MM/YYYY."""
    if isinstance(value, str) and re.fullmatch(r"\d{2}/\d{2}/\d{4}", value.strip()):
        day, month, year = value.strip().split("/")
        try:
            return date(int(year), int(month), int(day)).isoformat()
        except ValueError:
            return None
    return None
