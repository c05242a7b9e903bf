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
  ``ceased_on``); as nothing follows a closed statement in BODS 0.4, a PSC listed again after
  that starts a new relationship record (``successor``, ``listed_again``).

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

from openbook.standards.bods import records
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


RELATIONSHIP_PREFIX = "GB-COH-PSC-"
SUCCESSOR = "~"  # a PSC's later relationship records: <record id>~2 (successor)


@dataclass(frozen=True, slots=True)
class Skipped:
    why: str
    malformed: bool = False  # a broken record, not one about no one (totals, exemptions)
    subject: str | None = None  # the company record a broken record names


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
    record: Any,
    exists: Callable[[str], bool],
    companies: dict[str, dict],
    day: str | None = None,
) -> list[dict] | Skipped:
    """The BODS statements of one PSC snapshot record; ``exists`` says whether a record id is
    known already (a statement is then ``updated``, not ``new``), ``companies`` the companies'
    own data by number (optional). They are published on the snapshot's day: the record's own
    (``snapshot_day``), else ``day`` (the snapshot's date as the person importing it gives it,
    ``snapshot_date``), else the day of the import."""
    checked = _checked(record)
    if isinstance(checked, Skipped):
        return checked
    data, number, psc_id = checked
    published = snapshot_day(record) or day or date.today().isoformat()
    subject = f"GB-COH-{number}"
    etag = str(data.get("etag") or "")
    start, ceased = day_of(data.get("notified_on")), day_of(data.get("ceased_on"))
    common = _Context(published, exists, _link(data))
    company = _company(number, companies.get(number, {}))
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
    beneficial = data.get("kind") in PERSON_KINDS
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
            f"{RELATIONSHIP_PREFIX}{psc_id}",
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


def _checked(record: Any) -> tuple[dict, str, str] | Skipped:
    """A PSC record's data, company number and PSC id; or why it gives no statements (a
    malformed one with the company it names, when it names one)."""
    given = record.get("company_number") if isinstance(record, dict) else None
    number = given.strip().upper() if isinstance(given, str) else ""
    named = f"GB-COH-{number}" if number else None
    data = record.get("data") if isinstance(record, dict) else None
    if not isinstance(data, dict):
        return Skipped("not a PSC record (an object with 'data')", True, named)
    kind = data.get("kind")
    if isinstance(kind, str) and kind.startswith(("totals#", "exemptions")):
        return Skipped(f"a {kind}: not about one company's PSC")
    if not isinstance(kind, str) or not kind:
        return Skipped("the record has no kind", True, named)
    if not number:
        return Skipped("no company_number", malformed=True)
    psc_id = psc_id_of(data)
    if psc_id is None:
        return Skipped("no links.self: the PSC cannot be identified", True, named)
    return data, number, psc_id


def snapshot_day(record: Any) -> str | None:
    """The day of the snapshot a PSC record comes from, when it says (``ContentDate``)."""
    return day_of(record.get("ContentDate")) if isinstance(record, dict) else None


# Registers of people with significant control began on 6 April 2016 (the Companies Act 2006,
# Part 21A, inserted by the Small Business, Enterprise and Employment Act 2015): no snapshot of
# them is older.
REGISTER_BEGAN = date(2016, 4, 6)
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class InvalidSnapshotDate(ValueError):
    """A snapshot's date that cannot be one; the message says why."""


def snapshot_date(text: str, today: date) -> str:
    """The date of a snapshot whose records carry none (Companies House's own files name their
    day only in the file name), as the person importing it gives it: a real day, YYYY-MM-DD,
    not after ``today`` nor before the register began. ``InvalidSnapshotDate`` otherwise."""
    if not _ISO_DAY.fullmatch(text):
        raise InvalidSnapshotDate(
            f"{text[:40]!r} is not a date written YYYY-MM-DD, such as 2025-03-02"
        )
    try:
        day = date.fromisoformat(text)
    except ValueError as error:
        raise InvalidSnapshotDate(f"{text!r} is not a real date: {error}") from None
    if day > today:
        raise InvalidSnapshotDate(
            f"{text!r} is in the future (today is {today.isoformat()}): a snapshot's date is "
            "the day it was taken"
        )
    if day < REGISTER_BEGAN:
        raise InvalidSnapshotDate(
            f"{text!r} is before the register of people with significant control began, on "
            f"{REGISTER_BEGAN.isoformat()}: no snapshot of it is older"
        )
    return text


def no_longer_listed(statements: list[dict], day: str, dated: bool) -> dict | str:
    """The statement closing a PSC's relationship record (its ``statements`` as the log holds
    them) that a full snapshot of its company, of ``day``, no longer lists; or why it is not
    closed. ``dated``: the day is the snapshot's own (else the day it was imported).

    Companies House gives no reason and no date for a record it removes (one filed in error, a
    rectification of the register): the statement says the snapshot no longer lists the PSC,
    and gives its interests no ``endDate``. A snapshot no newer than the record's statements
    closes nothing: it is older news, or lists the company in parts imported apart. Its id
    follows from the statement it closes after, so it is made once."""
    snapshot = f"snapshot of {day}" if dated else f"snapshot imported on {day} (it has no date)"
    return removed(
        statements,
        day,
        said=f"not listed in the {snapshot}",
        why=f"Companies House's PSC {snapshot} lists the company without this person with "
        "significant control",
        same_day=False,
    )


def removed(statements: list[dict], day: str, *, said: str, why: str, same_day: bool):
    """The closing statement of a PSC's relationship record that Companies House no longer
    has on its register (``said`` and ``why`` say how that is known), or why not."""
    record = records.compile_record(statements)
    record_id = record["recordId"]
    if record.get("recordType") != "relationship" or record.get("closed"):
        return "not an open relationship"
    publishers = {_publisher(statement) for statement in statements}
    if publishers != {PUBLISHER["name"]}:
        return "not stated by Companies House alone: a snapshot does not close it"
    published = max((_published(statement) or "" for statement in statements), default="")
    last = day_of(record.get("lastStatementDate")) or ""
    if (published > day if same_day else published >= day) or last > day:
        newer = max(published, last)
        return (
            f"{said}, but a statement of it is of {newer}: older news (or another part of "
            "the same snapshot) does not close it"
        )
    newest = next(s for s in statements if s.get("statementId") == record["statements"][-1])
    closing = _statement(
        record_id,
        "relationship",
        record["recordDetails"],
        subject=str(record.get("declarationSubject") or ""),
        seed=f"no-longer-listed|{record['statements'][-1]}",
        when=day,
        closed=True,
        context=_Context(day, lambda _: True, None),
    )
    source = newest.get("source")
    if isinstance(source, dict) and isinstance(source.get("url"), str):
        closing["source"]["url"] = source["url"]
    closing["source"]["description"] = f"Companies House, persons with significant control: {said}"
    closing["annotations"] = [
        {
            "motivation": "commenting",
            "statementPointerTarget": "/recordStatus",
            "description": (
                f"Closed because {why}, and gives no date on which it ceased. "
                "Companies House takes a PSC off the register when it should not have been "
                "there (filed in error, or a court's rectification of the register), so this "
                f"says only that it was no longer on the register by {day}, not that it "
                "ended on that day."
            ),
            "createdBy": {"name": "openbook"},
        }
    ]
    return closing


def successor(record_id: str, number: int) -> str:
    """The id of a PSC's ``number``th relationship record (1: ``record_id``, its first).

    BODS 0.4 makes a closed record's statement its last ("recordStatus" codelist: "the final
    Statement published pertaining to the record"), so a PSC that Companies House lists again
    after its relationship was closed gets a new record: ``<record id>~2``, then ``~3``. ``~``
    is not a character of Companies House's ids (base64url), so the id cannot be another PSC's;
    and the number follows from the records before it, so every import finds the same one."""
    return record_id if number == 1 else f"{record_id}{SUCCESSOR}{number}"


def restated(statement: dict, record_id: str, status: str) -> dict:
    """A PSC's relationship ``statement`` (made for its first record) as a statement of its
    later record ``record_id`` (``successor``): its id follows from that record and the
    statement, so the same PSC record makes the same statement in every import."""
    return {
        **statement,
        "statementId": _statement_id(record_id, f"restated|{statement['statementId']}"),
        "recordId": record_id,
        "recordStatus": status,
    }


def listed_again(statement: dict, record_id: str, closed: str, closed_on: str) -> dict:
    """The first statement of a PSC's new relationship record ``record_id`` (``successor``),
    from a snapshot that lists the PSC (not ceased) after its record ``closed`` was closed on
    ``closed_on``: ``new``, dated the snapshot's day (the PSC's ``notified_on`` is older than
    the closure), with an annotation and a source that say so."""
    day = str(statement["publicationDetails"]["publicationDate"])
    again = restated(statement, record_id, "new")
    again["statementDate"] = day
    again["source"] = {
        **statement["source"],
        "description": "Companies House, persons with significant control: listed again in "
        f"the snapshot of {day}, after the closure of {closed}",
    }
    again["annotations"] = [
        {
            "motivation": "commenting",
            "statementPointerTarget": "/recordId",
            "description": (
                f"Companies House's PSC snapshot of {day} lists this person with significant "
                f"control, whose relationship record {closed} was closed on {closed_on}. BODS "
                "0.4 makes a closed record's statement its final one, so this relationship is "
                "stated as a new record from that day."
            ),
            "createdBy": {"name": "openbook"},
        }
    ]
    return again


def _published(statement: dict) -> str | None:
    details = statement.get("publicationDetails")
    return day_of(details.get("publicationDate")) if isinstance(details, dict) else None


def _publisher(statement: dict) -> str | None:
    details = statement.get("publicationDetails")
    publisher = details.get("publisher") if isinstance(details, dict) else None
    return publisher.get("name") if isinstance(publisher, dict) else None


def _statement_id(record_id: str, seed: str) -> str:
    return hashlib.sha256(f"ch-psc|{record_id}|{seed}".encode()).hexdigest()[:32]


def _digest(value: dict) -> str:
    return hashlib.sha256(repr(sorted(value.items())).encode()).hexdigest()


def _link(data: dict) -> str | None:
    links = data.get("links")
    link = links.get("self") if isinstance(links, dict) else None
    return link if isinstance(link, str) and link.startswith("/") else None


def psc_id_of(data: dict) -> str | None:
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
        "statementId": _statement_id(record_id, seed),
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
