"""Buyers and suppliers: names, identifiers, addresses and classifications, as parties."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from openbook.generate.draws import pick
from openbook.generate.vocabulary import (
    CENTRAL_BODIES,
    NAME_STEMS,
    PLACES,
    STREETS,
    SURNAMES,
    TRADES,
    UK_CA_TYPES,
)

SECTORS = ("services", "goods", "works")
SUPPLIERS = {"services": 16_000, "goods": 8_000, "works": 8_000}  # suppliers in each sector


class Buyer:
    __slots__ = (
        "ca_type",
        "devolved",
        "domain",
        "id",
        "identifier",
        "index",
        "name",
        "place",
        "ppon",
        "reference",
        "street",
    )

    def __init__(self, rng: random.Random, index: int, taken: dict[str, str]) -> None:
        self.index = index
        roll = rng.random()
        self.place = PLACES[index % len(PLACES)] if roll >= 0.12 else rng.choice(PLACES)
        name, _, area, nation = self.place
        body, self.ca_type, scheme, ident, self.domain = _buyer_kind(rng, roll, index, self.place)
        base, suffix = ident, 1
        while taken.setdefault(f"{scheme}-{ident}", body) != body:  # codes from names can clash
            ident, suffix = f"{base}{suffix}", suffix + 1
        self.name = body
        self.identifier = {"scheme": scheme, "id": ident, "legalName": body}
        self.id = f"{scheme}-{ident}"
        own = random.Random(self.id)  # one organisation, one address, wherever it appears
        self.ppon = _ppon(own.random)
        self.devolved = {"SCT": "GB-SCT", "WLS": "GB-WLS", "NIR": "GB-NIR"}.get(nation)
        street = f"{own.randrange(1, 200)} {own.choice(STREETS)}"
        self.street = (street, name, _postcode(own.random, area))
        self.reference = "".join(word[0] for word in body.split() if word[0].isupper())[:4]

    def party(self, contact: tuple[str, str, str | None]) -> dict[str, Any]:
        classifications = [
            {"scheme": "UK_CA_TYPE", "id": self.ca_type, "description": UK_CA_TYPES[self.ca_type]}
        ]
        if self.devolved:
            classifications.append({"scheme": "UK_CA_DEVOLVED_REGULATIONS", "id": self.devolved})
        contact_point = {"name": contact[0], "email": contact[1]}
        if contact[2]:
            contact_point["telephone"] = contact[2]
        return {
            "id": self.id,
            "name": self.name,
            "identifier": dict(self.identifier),
            "additionalIdentifiers": [{"scheme": "GB-PPON", "id": self.ppon}],
            "address": {
                "streetAddress": self.street[0],
                "locality": self.street[1],
                "postalCode": self.street[2],
                "region": self.place[1],
                "countryName": "United Kingdom",
            },
            "contactPoint": contact_point,
            "roles": ["buyer"],
            "details": {"classifications": classifications},
        }


def _buyer_kind(
    rng: random.Random, roll: float, index: int, place: tuple[str, ...]
) -> tuple[str, str, str, str, str]:
    """Name, UK_CA_TYPE, identifier scheme and code, e-mail domain: 12% central government."""
    name, nation = place[0], place[3]
    slug = name.lower().replace(" ", "").replace("-", "")
    sub_central = "publicAuthoritySubCentralGovernment"
    if roll < 0.12:
        body, domain, prefix = CENTRAL_BODIES[index % len(CENTRAL_BODIES)]
        if index >= len(CENTRAL_BODIES):  # regional offices of the same bodies
            body = f"{body} ({name})"
        return body, "publicAuthorityCentralGovernment", "GB-GOR", f"{prefix}{1000 + index}", domain
    if roll < 0.45:  # councils, under each nation's register of local authorities
        scheme, kind = {
            "SCT": ("GB-SLA", "City Council"),
            "WLS": ("GB-PLA", "Council"),
            "NIR": ("GB-LANI", "City Council"),
        }.get(nation, ("GB-LAE", "City Council"))
        return f"{name} {kind}", sub_central, scheme, slug[:3].upper(), f"{slug}.gov.uk"
    if roll < 0.65:
        kind = (
            "Teaching Hospitals NHS Foundation Trust",
            "NHS Foundation Trust",
            "Community Healthcare NHS Trust",
            "Integrated Care Board",
        )[index % 4]
        code = f"R{chr(65 + index % 26)}{index % 10}"
        return f"{name} {kind}", sub_central, "GB-NHS", code, "nhs.net"
    if roll < 0.78:
        body = f"University of {name}" if index % 2 else f"{name} College"
        return body, sub_central, "GB-UKPRN", f"1000{index % 10000:04d}", f"{slug}.ac.uk"
    if roll < 0.88:
        kind = ("Police", "Fire and Rescue Service", "Academies Trust", "Housing Trust")[index % 4]
        domain = f"{slug}{kind.split()[0].lower()}.org.uk"
        return f"{name} {kind}", sub_central, "GB-PPON", _ppon(rng.random), domain
    kind = ("Transport Ltd", "Waste Services Ltd", "Water Services Ltd", "Energy Ltd")[index % 4]
    ca_type = "publicUndertaking" if index % 4 < 2 else "privateUtility"
    number = _company_number(rng.random, nation)
    return f"{name} {kind}", ca_type, "GB-COH", number, f"{slug}{kind.split()[0].lower()}.co.uk"


def _ppon(draw: Callable[[], float]) -> str:
    """A Public Procurement Organisation Number, the central digital platform's identifier,
    from the alphabets the platform draws them from (no O, no 0; docs/identifiers.md)."""
    letters = "BCDGHJLMNPQRTVWXYZ"
    number = int(draw() * 9**4)  # four digits from 1 to 9
    digits = "".join(str(number // 9**place % 9 + 1) for place in range(4))
    return "P{}{}{}-{}-{}{}{}{}".format(
        *(letters[int(draw() * len(letters))] for _ in range(3)),
        digits,
        *(letters[int(draw() * len(letters))] for _ in range(4)),
    )


def _company_number(draw: Callable[[], float], nation: str, llp: bool = False) -> str:
    """Companies House numbers: eight characters, digits in England and Wales, else a prefix."""
    if llp:
        return f"{'SO' if nation == 'SCT' else 'OC'}{300000 + int(draw() * 150000)}"
    if nation == "SCT":
        return f"SC{100000 + int(draw() * 700000)}"
    if nation == "NIR":
        return f"NI{600000 + int(draw() * 100000)}"
    return f"{1000000 + int(draw() * 15000000):08d}"


def _postcode(draw: Callable[[], float], area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXY"
    inward = f"{1 + int(draw() * 9)}{pick(draw, letters)}{pick(draw, letters)}"
    return f"{area}{1 + int(draw() * 29)} {inward}"


def supplier(seed: int, sector: str, index: int) -> dict[str, Any]:
    """Supplier ``index`` of a sector: a pure function of the seed, so none need be kept."""
    draw = random.Random(seed * (1 << 40) + (1 << 37) + index * 4 + SECTORS.index(sector)).random
    place = pick(draw, PLACES)
    nation = place[3]
    roll = draw()
    if roll < 0.35:
        stem = f"{pick(draw, SURNAMES)} & {pick(draw, SURNAMES)}"
    elif roll < 0.7:
        stem = pick(draw, NAME_STEMS)
    else:
        stem = place[0].split()[0]
    trade = pick(draw, TRADES[sector])
    kind = draw()
    vcse, scale = False, "sme" if draw() < 0.62 else "large"
    scheme, ident = "GB-COH", _company_number(draw, nation)
    if kind < 0.05:  # charities
        name, vcse = f"{stem} {trade} Trust", True
        if nation == "SCT":
            scheme, ident = "GB-SC", f"SC0{10000 + int(draw() * 45000)}"
        else:
            scheme, ident = "GB-CHC", str(1000000 + int(draw() * 210000))
    elif kind < 0.09:  # community interest companies
        name, vcse = f"{stem} {trade} CIC", True
    elif kind < 0.15:
        name, ident = f"{stem} {trade} LLP", _company_number(draw, nation, llp=True)
    elif kind < 0.2:
        name, scale = f"{stem} {trade} plc", "large"
    else:
        name = f"{stem} {trade} {'Ltd' if draw() < 0.6 else 'Limited'}"
    slug = "".join(ch for ch in stem.lower() if ch.isalpha())
    return {
        "id": f"{scheme}-{ident}",
        "name": name,
        "identifier": {"scheme": scheme, "id": ident, "legalName": name.upper()},
        "additionalIdentifiers": [{"scheme": "GB-PPON", "id": _ppon(draw)}],
        "address": {
            "streetAddress": f"Unit {1 + int(draw() * 40)}, {pick(draw, NAME_STEMS)} Park",
            "locality": place[0],
            "postalCode": _postcode(draw, place[2]),
            "region": place[1],
            "countryName": "United Kingdom",
        },
        "contactPoint": {"email": f"bids@{slug}{trade.split()[0].lower()}.co.uk"},
        "details": {"scale": scale, "vcse": vcse},
    }
