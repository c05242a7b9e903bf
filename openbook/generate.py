"""Realistic UK-style OCDS releases for demos, tests and benchmarks (``openbook generate``).

Each contracting process follows the notice sequences of the Procurement Act 2023 as the Find a
Tender Service publishes them: the notice type travels in ``documents[].noticeType`` (UK1 to
UK12, see ``NOTICES``), each notice is one release, and an edited notice is a new release with a
new id and an ``...Update`` tag. Shapes (field coverage, sizes, value spreads) are calibrated on
the real publisher samples; ``docs/generator.md`` gives the figures and the limits.

Output is deterministic for ``(processes, seed, start)`` and streamed in publication order: a
process is planned from its own seed when it starts, and only one small integer per process with
a notice still to come is held (its next publication time, number and step), so memory does not
grow with the number of processes once the oldest ones finish.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing
import os
import random
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from multiprocessing.connection import Connection
from statistics import NormalDist
from typing import Any, BinaryIO, TypeVar

import orjson

T = TypeVar("T")

OCID_PREFIX = "ocds-openbk"
"""Synthetic ocids are ``ocds-openbk-gen-00000042``; call-offs under framework 42 append ``-c01``."""

EXTENSIONS = (
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyScale_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_organizationClassification_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_communication_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json",
)
"""The extensions whose fields the generated releases use, for a package's ``extensions``."""

PLANS_KEPT = 8192  # plans kept between notices: about 2 KB each
DEFAULT_START = date(2025, 2, 24)  # the Procurement Act 2023 and its UK1-UK17 notices commence
PROCESSES_PER_WORKING_DAY = 400  # about 100,000 processes a year, Find a Tender plus Contracts Finder
MIN_SPAN_WORKING_DAYS = 250  # small runs still spread over a year, so lifecycles interleave

# Thresholds including VAT in force from 1 January 2024 (Procurement Act 2023, Schedule 1, as
# amended by SI 2023/1303); the 2026 revision is not applied.
THRESHOLD_WORKS = 5_372_609
THRESHOLD_CENTRAL = 139_688
THRESHOLD_SUB_CENTRAL = 214_904
THRESHOLD_UTILITIES = 429_809
THRESHOLD_LIGHT_TOUCH = 663_540
# Below these values nothing has to be published (section 87 of the Act and regulation 4 of the
# Procurement Regulations 2024: £12,000 central government, £30,000 otherwise, both incl. VAT).
FLOOR_CENTRAL = 12_000
FLOOR_OTHER = 30_000

NOTICES = {
    # notice type: (release tag, documentType, notice name)
    "UK1": ("planning", "plannedProcurementNotice", "Pipeline notice"),
    "UK2": ("planning", "marketEngagementNotice", "Preliminary market engagement notice"),
    "UK3": ("planning", "plannedProcurementNotice", "Planned procurement notice"),
    "UK4": ("tender", "tenderNotice", "Tender notice"),
    "UK5": ("tender", "tenderNotice", "Transparency notice"),
    "UK6": ("award", "awardNotice", "Contract award notice"),
    "UK7": ("contract", "contractNotice", "Contract details notice"),
    "UK9": ("implementation", "implementationNotice", "Contract performance notice"),
    "UK10": ("contractAmendment", "contractNotice", "Contract change notice"),
    "UK11": ("contractTermination", "contractTerminationNotice", "Contract termination notice"),
    "UK12": ("tenderCancellation", "tenderCancellationNotice", "Procurement termination notice"),
}
# Find a Tender tags a UK7 as both award and contract; an edited notice gets the update tag.
TAGS = {code: [tag] for code, (tag, _, _) in NOTICES.items()} | {"UK7": ["award", "contract"]}
UPDATE_TAGS = {"planning": "planningUpdate", "tender": "tenderUpdate", "award": "awardUpdate",
               "contract": "contractUpdate"}  # fmt: skip

DAY = 86_400
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# -- vocabulary ------------------------------------------------------------------------------

# Places: name, NUTS 2016 level 3 code (as Find a Tender publishes regions), postcode area, nation.
PLACES = [
    ("Leeds", "UKE42", "LS", "ENG"), ("Sheffield", "UKE32", "S", "ENG"),
    ("Bradford", "UKE41", "BD", "ENG"), ("Manchester", "UKD33", "M", "ENG"),
    ("Salford", "UKD34", "M", "ENG"), ("Liverpool", "UKD72", "L", "ENG"),
    ("Birmingham", "UKG31", "B", "ENG"), ("Coventry", "UKG33", "CV", "ENG"),
    ("Bristol", "UKK11", "BS", "ENG"), ("Plymouth", "UKK41", "PL", "ENG"),
    ("Exeter", "UKK43", "EX", "ENG"), ("Swindon", "UKK14", "SN", "ENG"),
    ("Newcastle upon Tyne", "UKC22", "NE", "ENG"), ("Sunderland", "UKC23", "SR", "ENG"),
    ("Darlington", "UKC13", "DL", "ENG"), ("Hull", "UKE11", "HU", "ENG"),
    ("York", "UKE21", "YO", "ENG"), ("Nottingham", "UKF14", "NG", "ENG"),
    ("Derby", "UKF11", "DE", "ENG"), ("Leicester", "UKF21", "LE", "ENG"),
    ("Norwich", "UKH15", "NR", "ENG"), ("Ipswich", "UKH14", "IP", "ENG"),
    ("Cambridge", "UKH12", "CB", "ENG"), ("Oxford", "UKJ14", "OX", "ENG"),
    ("Reading", "UKJ11", "RG", "ENG"), ("Southampton", "UKJ32", "SO", "ENG"),
    ("Portsmouth", "UKJ31", "PO", "ENG"), ("Brighton and Hove", "UKJ21", "BN", "ENG"),
    ("Maidstone", "UKJ45", "ME", "ENG"), ("Westminster", "UKI32", "SW", "ENG"),
    ("Camden", "UKI31", "NW", "ENG"), ("Hackney", "UKI41", "E", "ENG"),
    ("Lambeth", "UKI45", "SE", "ENG"), ("Stoke-on-Trent", "UKG23", "ST", "ENG"),
    ("Cardiff", "UKL22", "CF", "WLS"), ("Swansea", "UKL18", "SA", "WLS"),
    ("Newport", "UKL21", "NP", "WLS"), ("Edinburgh", "UKM75", "EH", "SCT"),
    ("Glasgow", "UKM82", "G", "SCT"), ("Aberdeen", "UKM50", "AB", "SCT"),
    ("Dundee", "UKM71", "DD", "SCT"), ("Belfast", "UKN06", "BT", "NIR"),
]  # fmt: skip
STREETS = ["High Street", "Station Road", "Church Street", "Market Place", "Victoria Road",
           "Queen Street", "King Street", "Park Road", "Mill Lane", "Castle Street",
           "London Road", "The Parade", "Albert Square", "Civic Centre", "Town Hall Square"]  # fmt: skip
FIRST_NAMES = ["Sarah", "James", "Emma", "David", "Laura", "Michael", "Rachel", "Daniel",
               "Helen", "Thomas", "Priya", "Mohammed", "Claire", "Andrew", "Fiona", "Gareth",
               "Siobhan", "Aisha", "Iain", "Rhian", "Oliver", "Chloe", "Tariq", "Niamh"]  # fmt: skip
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Davies", "Evans",
            "Thomas", "Roberts", "Walker", "Wright", "Robinson", "Thompson", "White", "Hughes",
            "Edwards", "Green", "Hall", "Wood", "Harris", "Clarke", "Patel", "Khan", "Lewis",
            "Cooper", "Morgan", "Campbell", "Stewart", "Murray", "Reid", "Kelly", "Byrne"]  # fmt: skip
NAME_STEMS = ["Meridian", "Keystone", "Oakfield", "Riverside", "Harbour", "Crescent", "Beacon",
              "Pennine", "Evergreen", "Silverline", "Redwood", "Kestrel", "Heron", "Northfield",
              "Brookside", "Foxglove", "Granite", "Ashdown", "Lantern", "Orchard", "Compass",
              "Westgate", "Fairway", "Thistle", "Cedar", "Millstone", "Bluebell", "Skylark"]  # fmt: skip
CENTRAL_BODIES = [
    # name, email domain, Government Organisation Register style prefix
    ("Cabinet Office", "cabinetoffice.gov.uk", "D"),
    ("Department for Education", "education.gov.uk", "D"),
    ("Department for Work and Pensions", "dwp.gov.uk", "D"),
    ("Department of Health and Social Care", "dhsc.gov.uk", "D"),
    ("Ministry of Defence", "mod.gov.uk", "D"), ("Ministry of Justice", "justice.gov.uk", "D"),
    ("Home Office", "homeoffice.gov.uk", "D"), ("Department for Transport", "dft.gov.uk", "D"),
    ("HM Revenue and Customs", "hmrc.gov.uk", "D"),
    ("Department for Environment, Food and Rural Affairs", "defra.gov.uk", "D"),
    ("Department for Business and Trade", "businessandtrade.gov.uk", "D"),
    ("Department for Energy Security and Net Zero", "energysecurity.gov.uk", "D"),
    ("Crown Commercial Service", "crowncommercial.gov.uk", "EA"),
    ("HM Land Registry", "landregistry.gov.uk", "EA"),
    ("Driver and Vehicle Licensing Agency", "dvla.gov.uk", "EA"),
    ("HM Prison and Probation Service", "justice.gov.uk", "EA"),
    ("UK Health Security Agency", "ukhsa.gov.uk", "EA"), ("Met Office", "metoffice.gov.uk", "EA"),
    ("Environment Agency", "environment-agency.gov.uk", "PB"),
    ("Scottish Government", "gov.scot", "DA"), ("Welsh Government", "gov.wales", "DA"),
]  # fmt: skip
UK_CA_TYPES = {
    "publicAuthorityCentralGovernment": "Public authority - central government",
    "publicAuthoritySubCentralGovernment": "Public authority - sub-central government",
    "publicUndertaking": "Public undertaking",
    "privateUtility": "Private utility",
}

# CPV codes by main procurement category: (code, description, light-touch regime).
CPV = {
    "works": [
        ("45000000", "Construction work"), ("45210000", "Building construction work"),
        ("45211000", "Construction work for multi-dwelling buildings and individual houses"),
        ("45214000", "Construction work for buildings relating to education and research"),
        ("45215000", "Construction work for buildings relating to health and social services, "
                     "crematoriums and public conveniences"),
        ("45233140", "Roadworks"), ("45260000", "Roof works and other special trade construction works"),
        ("45300000", "Building installation work"), ("45310000", "Electrical installation work"),
        ("45331000", "Heating, ventilation and air-conditioning installation work"),
        ("45400000", "Building completion work"), ("45442100", "Painting work"),
        ("45453000", "Overhaul and refurbishment work"), ("45112700", "Landscaping work"),
        ("45232400", "Sewer construction work"), ("45234100", "Railway construction works"),
    ],
    "goods": [
        ("30200000", "Computer equipment and supplies"),
        ("30190000", "Various office equipment and supplies"), ("39100000", "Furniture"),
        ("33100000", "Medical equipments"), ("33140000", "Medical consumables"),
        ("33600000", "Pharmaceutical products"), ("34100000", "Motor vehicles"),
        ("34144900", "Electric vehicles"), ("18100000", "Occupational clothing, special workwear "
                                                       "and accessories"),
        ("15000000", "Food, beverages, tobacco and related products"), ("09310000", "Electricity"),
        ("09123000", "Natural gas"), ("32500000", "Telecommunications equipment and supplies"),
        ("22000000", "Printed matter and related products"),
        ("31500000", "Lighting equipment and electric lamps"),
        ("48000000", "Software package and information systems"),
    ],
    "services": [
        ("72000000", "IT services: consulting, software development, Internet and support"),
        ("72200000", "Software programming and consultancy services"),
        ("72500000", "Computer-related services"), ("64200000", "Telecommunications services"),
        ("79400000", "Business and management consultancy and related services"),
        ("79600000", "Recruitment services"), ("79710000", "Security services"),
        ("79340000", "Advertising and marketing services"), ("79530000", "Translation services"),
        ("79212000", "Auditing services"), ("79100000", "Legal services"),
        ("90910000", "Cleaning services"), ("90511000", "Refuse collection services"),
        ("90500000", "Refuse and waste related services"),
        ("77310000", "Planting and maintenance services of green areas"),
        ("50700000", "Repair and maintenance services of building installations"),
        ("50750000", "Lift-maintenance services"),
        ("71000000", "Architectural, construction, engineering and inspection services"),
        ("71300000", "Engineering services"), ("71240000", "Architectural, engineering and planning services"),
        ("79993000", "Building and facilities management services"),
        ("66510000", "Insurance services"), ("73000000", "Research and development services and "
                                                          "related consultancy services"),
        ("60130000", "Special-purpose road passenger-transport services"),
        ("55520000", "Catering services"), ("80500000", "Training services"),
        ("85000000", "Health and social work services"), ("85312000", "Social work services "
                                                                       "without accommodation"),
        ("85311000", "Social work services with accommodation"),
        ("85323000", "Community health services"), ("80300000", "Higher education services"),
    ],
}  # fmt: skip
LIGHT_TOUCH_DIVISIONS = ("85", "80", "55", "79")  # health, social, education, catering, some business
TRADES = {
    "works": ["Construction", "Building Services", "Civil Engineering", "Roofing", "Electrical",
              "Mechanical Services", "Groundworks", "Contractors"],
    "goods": ["Supplies", "Medical", "Office Supplies", "Furniture", "Vehicles", "Equipment",
              "Distribution", "Technology"],
    "services": ["Digital", "Consulting", "Care", "Support Services", "Facilities Management",
                 "Cleaning Services", "Security", "Associates", "Partners", "Solutions",
                 "Training", "Catering"],
}  # fmt: skip
SENTENCES = {
    "works": [
        "The works comprise the refurbishment of the existing building, including roof "
        "replacement, new windows and the upgrade of mechanical and electrical services.",
        "The contractor will be required to work in an occupied building and to phase the "
        "works so that services to the public continue throughout.",
        "The scheme includes enabling works, demolition of the existing single-storey annex "
        "and the construction of a new two-storey extension.",
        "Works must comply with the current Building Regulations and achieve an EPC rating of "
        "B or better on completion.",
        "The programme of planned maintenance covers approximately 1,200 properties across the "
        "district over the contract term.",
        "Highways works include resurfacing, drainage improvements, kerbing and associated "
        "traffic management on the adopted network.",
    ],
    "goods": [
        "The authority requires the supply and delivery of goods to multiple sites, with "
        "next-working-day delivery for standard catalogue items.",
        "Suppliers must provide a managed catalogue with agreed prices held for the first "
        "twelve months of the contract.",
        "All equipment must be supplied with a minimum three-year manufacturer warranty and "
        "end-of-life recycling arrangements.",
        "The requirement includes installation, configuration and user training where "
        "specified in the order.",
        "Products must meet the Government Buying Standards where these apply.",
    ],
    "services": [
        "The service will support the delivery of statutory functions and must be available "
        "during core hours with an out-of-hours response for urgent issues.",
        "The provider will work closely with the authority's in-house teams and with other "
        "partners across the local system.",
        "The contract will be managed against a set of key performance indicators reported "
        "quarterly, with an annual review of service quality.",
        "The service must be delivered in line with the authority's safeguarding, data "
        "protection and information security policies.",
        "Bidders should describe how they will mobilise the service within eight weeks of "
        "contract award, including the transfer of staff where TUPE applies.",
        "The authority is seeking a partner with demonstrable experience of delivering similar "
        "services to public sector organisations of comparable size.",
    ],
    "any": [
        "Tenders will be evaluated on the basis of the most advantageous tender, with quality "
        "and social value carrying a combined weighting of 60 per cent.",
        "Social value will be assessed using the authority's social value framework, including "
        "local employment, apprenticeships and carbon reduction commitments.",
        "All procurement documents are available free of charge through the authority's "
        "e-tendering portal; clarification questions must be submitted through the portal.",
        "The estimated value includes all optional extension periods.",
        "The authority reserves the right not to award a contract and to amend the timetable.",
        "Suppliers must hold the insurances set out in the conditions of participation, "
        "including employer's liability of at least £5 million.",
        "This procurement is being carried out under the Procurement Act 2023.",
        "A supplier engagement event will be held online; details are given in the documents.",
    ],
}
TITLE_PATTERNS = {
    "works": ["{cpv} at {place} {site}", "{place} {site} {cpv}", "{cpv} Framework {year}",
              "Refurbishment of {place} {site}", "{cpv} - {place} Programme {year}"],
    "goods": ["Supply of {cpv}", "{cpv} for {place}", "Provision of {cpv} {year}",
              "{cpv} Contract {year}-{year2}"],
    "services": ["Provision of {cpv}", "{cpv} - {place}", "{place} {cpv} Contract",
                 "{cpv} {year}-{year2}", "Delivery of {cpv} across {place}"],
}  # fmt: skip
SITES = ["Civic Centre", "Leisure Centre", "Primary School", "Library", "Depot", "Fire Station",
         "Community Hub", "Health Centre", "Museum", "Council Offices", "Crematorium"]  # fmt: skip
CHANGE_REASONS = [
    ("unforeseeableCircumstances", "Additional work required because of circumstances the "
                                   "authority could not have foreseen."),
    ("belowThreshold", "A low-value modification below the thresholds in section 74 of the Act."),
    ("materialChange", "Extension of the contract term to allow a replacement procurement."),
    ("additionalGoodsServicesWorks", "Additional services from the existing supplier."),
]  # fmt: skip
KPI_NAMES = ["Service availability", "Response times", "Customer satisfaction",
             "Delivery on time", "Invoice accuracy", "Social value commitments"]  # fmt: skip
KPI_RATINGS = ["met", "met", "met", "slightlyBelow", "below", "significantlyBelow", "other"]

# -- time --------------------------------------------------------------------------------------


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _bst_range(year: int) -> tuple[int, int]:
    """British Summer Time in UTC seconds: from 01:00 UTC on the last Sundays of March to October."""
    start, end = _last_sunday(year, 3), _last_sunday(year, 10)
    return (
        int((datetime(start.year, 3, start.day, 1, tzinfo=UTC) - _EPOCH).total_seconds()),
        int((datetime(end.year, 10, end.day, 1, tzinfo=UTC) - _EPOCH).total_seconds()),
    )


class _Clock:
    """Formats UTC seconds as London local time, the way Find a Tender writes its dates."""

    def __init__(self) -> None:
        self._bst: dict[int, tuple[int, int]] = {}
        self._days: dict[int, tuple[int, str, str, bool]] = {}
        # noon offsets of every day from 1970 to 2199, so that most look-ups index a list
        self._noon = [0] * (230 * 366)
        self._last = (len(self._noon) - 7) * DAY
        for year in range(1970, 2200):
            start, end = _bst_range(year)
            for day in range(start // DAY, end // DAY):
                self._noon[day] = 3600
        self._hours: dict[int, str] = {}

    def offset(self, ts: int) -> int:
        year = 1970 + ts // 31_557_600
        bst = self._bst.get(year)
        if bst is None:
            bst = self._bst[year] = _bst_range(year)
        return 3600 if bst[0] <= ts < bst[1] else 0

    def iso(self, ts: int) -> str:
        """RFC 3339 in London local time: ``Z`` in winter, ``+01:00`` in summer time."""
        day, second = divmod(ts, DAY)
        entry = self._days.get(day)
        if entry is None:
            entry = self._days[day] = self._day(day)
        offset, today, tomorrow, changes = entry
        if changes and second < 3600:  # before 01:00 UTC on the day the clocks change
            offset = 3600 - offset
        second += offset
        prefix = today
        if second >= DAY:
            second, prefix = second - DAY, tomorrow
        hour, rest = divmod(second, 3600)
        minute, second = divmod(rest, 60)
        return f"{prefix}T{hour:02d}:{minute:02d}:{second:02d}{'+01:00' if offset else 'Z'}"

    def _day(self, day: int) -> tuple[int, str, str, bool]:
        if len(self._days) > 20_000:
            self._days.clear()
        noon = self.offset(day * DAY + DAY // 2)
        calendar = date(1970, 1, 1) + timedelta(days=day)
        tomorrow = (calendar + timedelta(days=1)).isoformat()
        return noon, calendar.isoformat(), tomorrow, noon != self.offset(day * DAY)

    def day(self, ts: int, hour: int = 0) -> str:
        """The local day of ``ts`` at ``hour`` o'clock, as contract and period dates are given."""
        day = ts // DAY
        local = (ts + (self._noon[day] if 0 <= day < len(self._noon) else self.summer(day))) // DAY
        key = local * 24 + hour
        text = self._hours.get(key)
        if text is None:
            if len(self._hours) > 100_000:
                self._hours.clear()
            offset = self.offset(local * DAY + hour * 3600 - self.summer(local))
            calendar = (date(1970, 1, 1) + timedelta(days=local)).isoformat()
            text = self._hours[key] = f"{calendar}T{hour:02d}:00:00{'+01:00' if offset else 'Z'}"
        return text

    def summer(self, day: int) -> int:
        """The offset from UTC at noon of ``day`` (days since 1970): 3600 in summer time."""
        if 0 <= day < len(self._noon):
            return self._noon[day]
        return self.offset(day * DAY + DAY // 2)

    def working(self, ts: int) -> int:
        """The first working-day moment at or after ``ts`` in office hours (08:00-18:00 local).

        Moved times land in the morning, spread by the seconds of ``ts`` itself.
        """
        noon = self._noon
        if not 0 < ts < self._last:
            return self._working(ts)
        day, second = divmod(ts + noon[ts // DAY], DAY)
        if second >= 18 * 3600:
            day, second = day + 1, 8 * 3600 + ts % 10_800
        elif second < 8 * 3600:
            second = 8 * 3600 + ts % 10_800
        weekday = (day + 3) % 7  # 1970-01-01 was a Thursday
        if weekday >= 5:
            day += 7 - weekday
        return day * DAY + second - noon[day]

    def _working(self, ts: int) -> int:
        day, second = divmod(ts + self.summer(ts // DAY), DAY)
        if second >= 18 * 3600:
            day, second = day + 1, 8 * 3600 + ts % 10_800
        elif second < 8 * 3600:
            second = 8 * 3600 + ts % 10_800
        weekday = (day + 3) % 7
        if weekday >= 5:
            day += 7 - weekday
        return day * DAY + second - self.summer(day)


def _pick(draw: Callable[[], float], choices: Sequence[T]) -> T:
    return choices[int(draw() * len(choices))]


def _lognormal(draw: Callable[[], float], median: float, sigma: float) -> float:
    """``median * e**(sigma * Z)`` with Z standard normal (Box-Muller from two uniform draws)."""
    normal = math.sqrt(-2.0 * math.log(1.0 - draw())) * math.cos(2.0 * math.pi * draw())
    return median * math.exp(sigma * normal)


def _round_estimate(draw: Callable[[], float], amount: float) -> float:
    """Estimates are mostly round figures (as in the Contracts Finder sample); some are exact."""
    if draw() < 0.7:
        digits = 2 if draw() < 0.6 else 3
        scale = 10 ** max(0, int(math.log10(amount)) + 1 - digits)
        return float(round(amount / scale) * scale)
    return float(round(amount))


# -- organisations -----------------------------------------------------------------------------


class _Buyer:
    __slots__ = ("ca_type", "devolved", "domain", "id", "identifier", "index", "name", "place",
                 "ppon", "reference", "street")  # fmt: skip

    def __init__(self, rng: random.Random, index: int) -> None:
        self.index = index
        roll = rng.random()
        self.place = place = PLACES[index % len(PLACES)] if roll >= 0.12 else rng.choice(PLACES)
        name, _, area, nation = place
        slug = name.lower().replace(" ", "").replace("-", "")
        if roll < 0.12:
            body, domain, prefix = CENTRAL_BODIES[index % len(CENTRAL_BODIES)]
            if index >= len(CENTRAL_BODIES):  # regional offices of the same bodies
                body = f"{body} ({name})"
            self.ca_type = "publicAuthorityCentralGovernment"
            scheme, ident = "GB-GOR", f"{prefix}{1000 + index}"
            self.domain = domain
        elif roll < 0.45:
            kind = "City Council" if index % 3 else "Council"
            if nation == "SCT":
                body, scheme, ident = f"{name} City Council", "GB-SLA", slug[:3].upper()
            elif nation == "WLS":
                body, scheme, ident = f"{name} Council", "GB-PLA", slug[:3].upper()
            elif nation == "NIR":
                body, scheme, ident = f"{name} City Council", "GB-LANI", slug[:3].upper()
            else:
                body, scheme, ident = f"{name} {kind}", "GB-LAE", slug[:3].upper()
            self.ca_type = "publicAuthoritySubCentralGovernment"
            self.domain = f"{slug}.gov.uk"
        elif roll < 0.65:
            kinds = ["Teaching Hospitals NHS Foundation Trust", "NHS Foundation Trust",
                     "Community Healthcare NHS Trust", "Integrated Care Board"]  # fmt: skip
            body = f"{name} {kinds[index % len(kinds)]}"
            self.ca_type = "publicAuthoritySubCentralGovernment"
            scheme, ident = "GB-NHS", f"R{chr(65 + index % 26)}{index % 10}"
            self.domain = "nhs.net"
        elif roll < 0.78:
            body = f"University of {name}" if index % 2 else f"{name} College"
            self.ca_type = "publicAuthoritySubCentralGovernment"
            scheme, ident = "GB-UKPRN", f"1000{index % 10000:04d}"
            self.domain = f"{slug}.ac.uk"
        elif roll < 0.88:
            kinds = ["Police", "Fire and Rescue Service", "Academies Trust", "Housing Trust"]
            body = f"{name} {kinds[index % len(kinds)]}"
            self.ca_type = "publicAuthoritySubCentralGovernment"
            scheme, ident = "GB-PPON", _ppon(rng.random)
            self.domain = f"{slug}{kinds[index % len(kinds)].split()[0].lower()}.org.uk"
        else:
            kinds = ["Transport Ltd", "Waste Services Ltd", "Water Services Ltd", "Energy Ltd"]
            body = f"{name} {kinds[index % len(kinds)]}"
            self.ca_type = "publicUndertaking" if index % 4 < 2 else "privateUtility"
            scheme, ident = "GB-COH", _company_number(rng.random, nation)
            self.domain = f"{slug}{kinds[index % len(kinds)].split()[0].lower()}.co.uk"
        self.name = body
        self.identifier = {"scheme": scheme, "id": ident, "legalName": body}
        self.id = f"{scheme}-{ident}"
        self.ppon = _ppon(rng.random)
        self.devolved = {"SCT": "GB-SCT", "WLS": "GB-WLS", "NIR": "GB-NIR"}.get(nation)
        street = f"{rng.randrange(1, 200)} {rng.choice(STREETS)}"
        self.street = (street, name, _postcode(rng.random, area))
        self.reference = "".join(word[0] for word in body.split() if word[0].isupper())[:4]

    def party(self, contact: tuple[str, str, str | None]) -> dict[str, Any]:
        classifications = [{"scheme": "UK_CA_TYPE", "id": self.ca_type,
                            "description": UK_CA_TYPES[self.ca_type]}]  # fmt: skip
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


def _ppon(draw: Callable[[], float]) -> str:
    """A Public Procurement Organisation Number, the central digital platform's identifier."""
    letters = "BCDFGHJKLMNPQRSTVWXYZ"
    return "P{}{}{}-{}-{}{}{}{}".format(*(letters[int(draw() * 21)] for _ in range(3)),
                                      1000 + int(draw() * 9000),
                                      *(letters[int(draw() * 21)] for _ in range(4)))  # fmt: skip


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
    return f"{area}{1 + int(draw() * 29)} {1 + int(draw() * 9)}{_pick(draw, letters)}{_pick(draw, letters)}"


def _supplier(seed: int, sector: str, index: int) -> dict[str, Any]:
    """Supplier ``index`` of a sector: a pure function of the seed, so none need be kept."""
    draw = random.Random(seed * (1 << 40) + (1 << 37) + index * 4 + SECTORS.index(sector)).random
    place = _pick(draw, PLACES)
    nation = place[3]
    roll = draw()
    if roll < 0.35:
        stem = f"{_pick(draw, SURNAMES)} & {_pick(draw, SURNAMES)}"
    elif roll < 0.7:
        stem = _pick(draw, NAME_STEMS)
    else:
        stem = place[0].split()[0]
    trade = _pick(draw, TRADES[sector])
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
            "streetAddress": f"Unit {1 + int(draw() * 40)}, {_pick(draw, NAME_STEMS)} Business Park",
            "locality": place[0],
            "postalCode": _postcode(draw, place[2]),
            "region": place[1],
            "countryName": "United Kingdom",
        },
        "contactPoint": {"email": f"bids@{slug}{trade.split()[0].lower()}.co.uk"},
        "details": {"scale": scale, "vcse": vcse},
    }


# -- processes ---------------------------------------------------------------------------------

_MASK64 = (1 << 64) - 1
_KEY_BITS = 32  # process keys: top-level number * 64 + call-off number (0 for the process itself)
_CALL_OFFS = 64


class _Event:
    """A notice to publish: ``group`` is the award it is about, ``sub`` the change or year."""

    __slots__ = ("code", "corrects", "group", "sub", "ts")

    def __init__(
        self, ts: int, code: str, group: int = 0, sub: int = 0, corrects: _Event | None = None
    ) -> None:
        self.ts, self.code, self.group, self.sub, self.corrects = ts, code, group, sub, corrects


def _published(event: _Event) -> int:
    return event.ts


class _Group:
    """Lots awarded together: one award (UK6), one contract (UK7) and what follows it."""

    __slots__ = ("changes", "count", "decided", "end", "lots", "signed", "start", "suppliers",
                 "terminated", "value")  # fmt: skip

    def __init__(self) -> None:
        self.lots: list[int] = []
        self.suppliers: list[int] | None = None  # drawn when first shown: see _Process.winners
        self.count = 1
        self.changes: list[tuple[int, float, int]] = []  # (date, new value, new end)
        self.value = 0.0
        self.decided = self.signed = self.start = self.end = 0
        self.terminated = False


def _mix(*values: int) -> int:
    """A stable 64-bit number from integers (SplitMix64's mixing), cheaper than seeding a Random."""
    acc = 0
    for value in values:
        acc = ((acc ^ value) + 0x9E3779B97F4A7C15) & _MASK64
        acc = ((acc ^ (acc >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        acc = ((acc ^ (acc >> 27)) * 0x94D049BB133111EB) & _MASK64
    return acc ^ (acc >> 31)


def _noise(*values: int) -> float:
    """A stable number in [0, 1) from integers."""
    return (_mix(*values) >> 11) / 9_007_199_254_740_992


class _Process:
    """One contracting process, planned whole from its own seed whenever one of its notices is due.

    The generator keeps only a few recent plans and rebuilds the others (planning draws a few
    dozen numbers), and a release depends on the plan alone, so output never depends on that cache.
    """

    __slots__ = ("above", "buyer", "calloffs", "category", "contact", "cpv", "events",
                 "framework", "gen", "gross", "groups", "key", "light_touch", "lots", "net",
                 "ocid", "parent", "procedure", "reference", "sme", "tender_end", "tender_start",
                 "title", "vcse", "wording")  # fmt: skip

    def __init__(self, gen: _Generator, key: int) -> None:
        number, call_off = divmod(key, _CALL_OFFS)
        self.gen, self.key = gen, key
        self.ocid = f"{OCID_PREFIX}-gen-{number:08d}" + (f"-c{call_off:02d}" if call_off else "")
        self.events: list[_Event] = []
        self.groups: list[_Group] = []
        self.lots: list[tuple[str, str, float]] = []
        self.calloffs: list[int] = []
        self.parent: _Process | None = None
        self.framework = False
        draw = random.Random(gen.seed * (1 << 40) + key).random
        self.wording = _wording(draw())
        if call_off:
            self._plan_call_off(draw, gen.plan(number * _CALL_OFFS), call_off)
        else:
            self._plan(draw, gen.arrival(number) if gen.admitting != number else gen.admitted)
        self._settle()

    def winner(self, group: int, place: int) -> int:
        """The supplier in ``place`` on award ``group``: a few suppliers win often, most rarely."""
        return int(SUPPLIERS[self.category] * _noise(self.gen.seed, self.key, group, place) ** 3)

    @property
    def description(self) -> str:
        return _description(self)

    # -- planning --------------------------------------------------------------------------

    def _common(self, draw: Callable[[], float]) -> None:
        buyers = self.gen.buyers
        self.buyer = buyer = buyers[int(len(buyers) * draw() ** 2.2)]
        first, last = _pick(draw, FIRST_NAMES), _pick(draw, SURNAMES)
        email = (f"{first.lower()}.{last.lower()}@{buyer.domain}" if draw() < 0.55
                 else f"procurement@{buyer.domain}")  # fmt: skip
        phone = f"+44 {1130 + int(draw() * 1800)} {100000 + int(draw() * 900000)}"
        self.contact = (f"{first} {last}", email, phone if draw() < 0.6 else None)
        self.reference = f"{buyer.reference}{100 + int(draw() * 9900)}"

    def _estimate(self, draw: Callable[[], float], median: float) -> None:
        central = self.buyer.ca_type == "publicAuthorityCentralGovernment"
        floor = FLOOR_CENTRAL if central else FLOOR_OTHER
        gross = _lognormal(draw, median, 1.75)
        for _ in range(3):
            if gross >= floor:
                break
            gross = _lognormal(draw, median, 1.75)
        if gross < floor:
            gross = floor * (1 + draw())
        self.gross = gross = _round_estimate(draw, gross)
        self.net = round(gross / 1.2, 2)  # VAT at 20 per cent
        if self.category == "works":
            threshold = THRESHOLD_WORKS
        elif self.light_touch:
            threshold = THRESHOLD_LIGHT_TOUCH
        elif self.buyer.ca_type in ("publicUndertaking", "privateUtility"):
            threshold = THRESHOLD_UTILITIES
        else:
            threshold = THRESHOLD_CENTRAL if central else THRESHOLD_SUB_CENTRAL
        self.above = gross >= threshold

    def _plan(self, draw: Callable[[], float], arrival: int) -> None:
        clock = self.gen.clock
        self._common(draw)
        roll = draw()
        self.category = category = "services" if roll < 0.55 else "goods" if roll < 0.82 else "works"
        codes = CPV[category]
        main = codes[int(len(codes) * draw() ** 1.6)]
        roll = draw()  # items per tender in the Contracts Finder sample: 1 (73%), 2 (18%), 3
        self.cpv = [main]
        for _ in range(0 if roll < 0.73 else 1 if roll < 0.91 else 2):
            code = _pick(draw, codes)
            if code not in self.cpv:
                self.cpv.append(code)
        self.light_touch = category == "services" and main[0][:2] in LIGHT_TOUCH_DIVISIONS
        self.framework = draw() < 0.06
        median = {"goods": 110_000, "services": 150_000, "works": 450_000}[category]
        self._estimate(draw, median * (8 if self.framework else 1))
        above = self.above
        if self.framework:
            self.procedure = "flexible" if draw() < 0.35 else "open"
        elif not above:
            self.procedure = "below"
        else:
            roll = draw()
            self.procedure = "direct" if roll < 0.08 else "flexible" if roll < 0.38 else "open"
        self.sme = draw() < (0.4 if above else 0.7)
        self.vcse = draw() < (0.35 if category == "services" else 0.08)
        self.title = _title(draw, self.buyer, category, self.cpv, self.framework, arrival)

        events = self.events
        pre: list[tuple[float, str]] = []
        if self.procedure != "direct":
            if above and (self.gross >= 2_000_000 and draw() < 0.4 or draw() < 0.05):
                pre.append((120 + 330 * draw(), "UK1"))
            if draw() < (0.35 if above else 0.06):
                pre.append((30 + 170 * draw(), "UK2"))
            if above and draw() < 0.15:
                pre.append((40 + 290 * draw(), "UK3"))
        lead = max((days for days, _ in pre), default=0.0)
        tender = clock.working(arrival + int(lead * DAY)) if pre else arrival
        for days, code in pre:
            ts = arrival if days == lead else clock.working(tender - int(days * DAY))
            events.append(_Event(ts, code))
            if draw() < 0.05:  # an edited planning notice: a new version, a new release
                fix = ts + int((1 + 19 * draw()) * DAY)
                if fix < tender:
                    events.append(_Event(clock.working(fix), code, corrects=events[-1]))
            # A second UK2 reports on the engagement once done; a UK1 is repeated in the next
            # year's pipeline while the procurement is still ahead.
            again = ts + int((120 if code == "UK1" else 20) * DAY * (1 + draw()))
            if code in ("UK1", "UK2") and draw() < 0.45 and again < tender - 7 * DAY:
                events.append(_Event(clock.working(again), code, sub=1))
        self.tender_start = tender
        days = 25 + 20 * draw() if above else 10 + 20 * draw()
        self.tender_end = end = tender + int(days * DAY)
        events.append(_Event(tender, "UK5" if self.procedure == "direct" else "UK4"))
        corrections = 0 if self.procedure == "direct" or draw() >= 0.2 else 1 + (draw() < 0.25)
        for _ in range(corrections):  # edited tender notices: clarified documents, new deadlines
            fix = tender + int((1 + (days - 4) * draw()) * DAY)
            events.append(_Event(clock.working(fix), "UK4", corrects=events[-1]))
        if self.procedure != "direct" and draw() < (0.05 if above else 0.04):
            events.append(_Event(clock.working(end + int((5 + 55 * draw()) * DAY)), "UK12"))
            return
        self._lots(draw)
        self._award(draw, end)
        if self.framework:
            first = min(group.signed for group in self.groups) + 7 * DAY
            last = max(group.end for group in self.groups)
            count = min(_CALL_OFFS - 1, 1 + int(_lognormal(draw, 4, 0.7)))
            self.calloffs = sorted(
                clock.working(first + int(draw() * (last - first))) for _ in range(count)
            )

    def _lots(self, draw: Callable[[], float]) -> None:
        share = 0.45 if self.framework else 0.22 if self.above else 0.06
        if draw() >= share:
            return
        count = 2
        while count < 12 and draw() < 0.45:
            count += 1
        weights = [draw() + 0.2 for _ in range(count)]
        total = sum(weights)
        place = self.buyer.place[0]
        for index, weight in enumerate(weights):
            name = self.cpv[index % len(self.cpv)][1].split(",")[0]
            if index % 2:
                name += f" - {PLACES[(self.buyer.index + index) % len(PLACES)][0]}"
            else:
                name += f" ({place})"
            self.lots.append((str(index + 1), f"Lot {index + 1}: {name}", round(self.net * weight / total, 2)))

    def _award(self, draw: Callable[[], float], tender_end: int) -> None:
        lots = [lot[0] for lot in self.lots]
        if not lots:
            batches: list[list[str]] = [[]]
        elif draw() < 0.55:
            batches = [lots]
        else:
            batches = [[lot] for lot in lots]
        net_by_lot = {lot[0]: lot[2] for lot in self.lots}
        decided = tender_end + int((20 + 80 * draw()) * DAY)
        for batch in batches:
            group = _Group()
            group.lots = batch
            estimate = sum(net_by_lot[lot] for lot in batch) if batch else self.net
            group.value = round(estimate * _lognormal(draw, 0.95, 0.18), 2)
            if self.framework:
                group.count = (3 + int(10 * draw())) * max(1, len(batch))
            else:
                group.count = 1 if draw() < 0.96 else 2
            group.decided = decided
            self._contract(draw, group)
            self.groups.append(group)
            decided += int(60 * draw() * DAY)

    def _contract(self, draw: Callable[[], float], group: _Group) -> None:
        """Sign, run, change and end one contract, and plan the notices that tell of it."""
        clock, events, above = self.gen.clock, self.events, self.above
        group.signed = group.decided + int((13 + 30 * draw()) * DAY)  # after 8 working days' standstill
        group.start = group.signed + int(30 * draw() * DAY)
        if self.framework:
            months = 24 + 24 * draw()  # frameworks last at most four years (section 47)
        else:
            months = 12 + 48 * draw() if self.category == "services" else 6 + 30 * draw()
        end = group.start + int(months * 30.44 * DAY)
        index = len(self.groups)
        if (above and self.procedure != "direct") or (above and draw() < 0.6):
            if draw() >= 0.04:  # a few award notices are never published
                ts = group.decided + int(3 * draw() * DAY)
                if draw() < 0.05:  # late: months after the decision
                    ts += int((60 + 240 * draw()) * DAY)
                events.append(_Event(clock.working(ts), "UK6", index))
                if draw() < 0.04:
                    fix = clock.working(ts + int((1 + 9 * draw()) * DAY))
                    events.append(_Event(fix, "UK6", index, corrects=events[-1]))
        if draw() >= (0.07 if above else 0.15):
            ts = group.signed + int((1 + 29 * draw()) * DAY)
            if draw() < 0.08:
                ts += int((60 + 340 * draw()) * DAY)
            events.append(_Event(clock.working(ts), "UK7", index))
            if draw() < (0.25 if above else 0.05):  # edited to attach the signed contract
                fix = clock.working(ts + int((2 + 28 * draw()) * DAY))
                events.append(_Event(fix, "UK7", index, corrects=events[-1]))
        if above and draw() < 0.3:
            when, value = group.start, group.value
            for _ in range(1 if draw() < 0.7 else 2):
                when += int((0.2 + 0.4 * draw()) * (end - when))
                value = round(value * (1.03 + 0.22 * draw()), 2)
                if draw() < 0.6:
                    end += int((3 + 9 * draw()) * 30.44 * DAY)
                group.changes.append((when, value, end))
                events.append(_Event(clock.working(when), "UK10", index, len(group.changes) - 1))
        if above and group.value * 1.2 > 5_000_000:  # section 71: yearly KPIs over £5 million
            for year in range(1, int((end - group.start) / (365 * DAY)) + 1):
                if draw() < 0.75:
                    ts = group.start + int((365 * year + 45 * draw()) * DAY)
                    events.append(_Event(clock.working(ts), "UK9", index, year))
        elif above and draw() < 0.04:  # a breach or a failure to perform, reported once
            ts = group.start + int((0.2 + 0.6 * draw()) * (end - group.start))
            events.append(_Event(clock.working(ts), "UK9", index, 1))
        if draw() < 0.04:
            group.terminated = True
            end = group.start + int((0.1 + 0.8 * draw()) * (end - group.start))
        group.end = end
        if draw() < (0.7 if above else 0.2):  # section 80: within 30 days of the end
            events.append(_Event(clock.working(end + int((1 + 29 * draw()) * DAY)), "UK11", index))

    def _plan_call_off(self, draw: Callable[[], float], parent: _Process, number: int) -> None:
        arrival = parent.calloffs[number - 1]
        self.parent = parent
        self._common(draw)
        self.category, self.cpv, self.light_touch = parent.category, parent.cpv, parent.light_touch
        self._estimate(draw, parent.gross / max(1, len(parent.calloffs)) * 0.6)
        self.procedure = "calloff"
        self.sme, self.vcse = parent.sme, parent.vcse
        self.title = f"{parent.cpv[0][1].split(',')[0]} for {self.buyer.name} (call-off)"
        self.tender_start = self.tender_end = arrival
        group = _Group()
        chosen = int(draw() * len(parent.groups))
        group.suppliers = [parent.winner(chosen, int(draw() * parent.groups[chosen].count))]
        group.value = round(self.net * _lognormal(draw, 1.0, 0.1), 2)
        group.decided = arrival - int((3 + 17 * draw()) * DAY)
        group.signed = group.decided + int((1 + 14 * draw()) * DAY)
        group.start = group.signed + int(20 * draw() * DAY)
        group.end = group.start + int((3 + 21 * draw()) * 30.44 * DAY)
        self.groups.append(group)
        events, clock = self.events, self.gen.clock
        if self.above and draw() < 0.75:
            events.append(_Event(arrival, "UK6", 0))
            ts = max(group.signed, arrival) + int((1 + 29 * draw()) * DAY)
            events.append(_Event(clock.working(ts), "UK7", 0))
        else:
            events.append(_Event(arrival, "UK7", 0))
        if draw() < (0.6 if self.above else 0.1):
            ts = group.end + int((1 + 29 * draw()) * DAY)
            events.append(_Event(clock.working(ts), "UK11", 0))

    def _settle(self) -> None:
        """Order the notices by publication; a process never publishes two in the same minute."""
        events = self.events
        events.sort(key=_published)  # stable: a correction stays after what it corrects
        del events[255:]
        previous = events[0].ts - 60
        for event in events:
            if event.ts <= previous:
                event.ts = previous + 60
            previous = event.ts

    # -- releases --------------------------------------------------------------------------

    def release(self, step: int) -> dict[str, Any]:
        event = self.events[step]
        clock, code = self.gen.clock, event.code
        date = clock.iso(event.ts)
        release_id = f"{self.ocid}-{code.lower()}-{step + 1:02d}"
        stage = NOTICES[code][0]
        buyer = self.buyer
        release: dict[str, Any] = {
            "ocid": self.ocid,
            "id": release_id,
            "date": date,
            "tag": TAGS[code] if event.corrects is None else [UPDATE_TAGS[stage]],
            "initiationType": "tender",
            "language": "en",
            "parties": [buyer.party(self.contact)],
            "buyer": {"id": buyer.id, "name": buyer.name},
        }
        document = {
            "id": release_id,
            "documentType": NOTICES[code][1],
            "noticeType": code,
            "title": NOTICES[code][2],
            "description": f"{NOTICES[code][2]} for {self.ocid}",
            "url": f"https://openbook.example/notices/{release_id}",
            "datePublished": date,
            "format": "text/html",
            "language": "en",
        }
        amendment = None
        if event.corrects is not None:
            original = event.corrects
            original_id = f"{self.ocid}-{code.lower()}-{self.events.index(original) + 1:02d}"
            amendment = {
                "id": "1",
                "date": date,
                "rationale": "Correction of an error in the published notice.",
                "description": f"Corrects the {NOTICES[code][2].lower()} published on "
                f"{clock.iso(original.ts)[:10]}.",
                "amendsReleaseID": original_id,
                "releaseID": release_id,
            }
        if self.parent is not None:
            parent = self.parent
            release["relatedProcesses"] = [{
                "id": "1",
                "relationship": ["framework"],
                "title": parent.title,
                "scheme": "ocid",
                "identifier": parent.ocid,
            }]  # fmt: skip
        if stage == "planning":
            self._planning(release, code, document, amendment is not None)
        elif code in ("UK4", "UK5", "UK12"):
            self._tender(release, code, document, amendment, event.ts)
        else:
            self._contracting(release, event, document, amendment)
        return release

    def _money(self, net: float, gross: float | None = None) -> dict[str, Any]:
        gross = round(net * 1.2, 2) if gross is None else gross
        return {"amount": net, "amountGross": gross, "currency": "GBP"}

    def _items(self) -> list[dict[str, Any]]:
        region = self.buyer.place[1]
        if self.lots:
            pairs = [(self.cpv[i % len(self.cpv)], lot[0]) for i, lot in enumerate(self.lots)]
        else:
            pairs = [(code, "") for code in self.cpv]
        items = []
        for index, ((code, description), lot) in enumerate(pairs, 1):
            item: dict[str, Any] = {
                "id": str(index),
                "description": description,
                "classification": {"scheme": "CPV", "id": code, "description": description},
                "deliveryAddresses": [{"region": region, "countryName": "United Kingdom"}],
            }
            if lot:
                item["relatedLot"] = lot
            items.append(item)
        return items

    def _lot_list(self, status: str, only: list[str] | None = None) -> list[dict[str, Any]]:
        clock = self.gen.clock
        lots = []
        for lot_id, title, net in self.lots:
            if only is not None and lot_id not in only:
                continue
            lot: dict[str, Any] = {"id": lot_id, "title": title, "status": status}
            if only is None:
                lot["value"] = self._money(net)
                lot["suitability"] = {"sme": self.sme, "vcse": self.vcse}
                group = self.groups[0] if self.groups else None
                if group is not None:
                    lot["contractPeriod"] = {"startDate": clock.day(group.start),
                                             "endDate": clock.day(group.end)}  # fmt: skip
            lots.append(lot)
        return lots

    def _planning(
        self, release: dict[str, Any], code: str, document: dict[str, Any], corrected: bool
    ) -> None:
        clock = self.gen.clock
        tender: dict[str, Any] = {
            "id": self.reference,
            "title": self.title,
            "description": self.description,
            "status": "planning" if code == "UK2" else "planned",
            "mainProcurementCategory": self.category,
            "items": self._items(),
        }
        planning: dict[str, Any] = {"documents": [document]}
        if code == "UK2":
            planning["milestones"] = [{
                "id": "1",
                "type": "engagement",
                "title": "Preliminary market engagement",
                "description": "Suppliers are invited to an online engagement session and to "
                "answer a short questionnaire on the draft specification.",
                "dueDate": clock.day(self.tender_start - 14 * DAY),
                "status": "scheduled",
            }]  # fmt: skip
        else:
            tender["value"] = self._money(self.net, self.gross)
            tender["aboveThreshold"] = self.above
            tender["communication"] = {"futureNoticeDate": clock.day(self.tender_start)}
            if code == "UK3" and self.lots:
                tender["lots"] = self._lot_list("planned")
        if corrected:
            tender["description"] += " This version corrects the expected timetable."
        release["planning"] = planning
        release["tender"] = tender

    def _tender(
        self,
        release: dict[str, Any],
        code: str,
        document: dict[str, Any],
        amendment: dict[str, Any] | None,
        ts: int,
    ) -> None:
        clock = self.gen.clock
        method = {"open": "open", "below": "open", "flexible": "selective", "direct": "direct"}
        details = {"open": "Open procedure", "below": "Below threshold - open competition",
                   "flexible": "Competitive flexible procedure", "direct": "Direct award"}  # fmt: skip
        tender: dict[str, Any] = {
            "id": self.reference,
            "title": self.title,
            "status": "active",
            "procurementMethod": method[self.procedure],
            "procurementMethodDetails": details[self.procedure],
            "mainProcurementCategory": self.category,
            "value": self._money(self.net, self.gross),
            "aboveThreshold": self.above,
        }
        if code == "UK12":
            tender["status"] = "cancelled"
            tender["description"] = (
                "The procurement has been terminated: "
                + ("no compliant tenders were received." if self.key % 2 else
                   "the requirement has changed and will be re-procured.")
            )  # fmt: skip
            tender["finalStatusDate"] = clock.iso(ts)
            tender["documents"] = [document]
            release["tender"] = tender
            return
        tender["description"] = self.description
        tender["items"] = self._items()
        if self.light_touch:
            tender["specialRegime"] = ["lightTouch"]
        group = self.groups[0] if self.groups else None
        if code == "UK5":
            tender["procurementMethodRationale"] = (
                "Direct award justified under Schedule 5 to the Procurement Act 2023: only one "
                "supplier can provide the goods or services for technical reasons."
            )
            if group is not None:
                suppliers = self._suppliers(release, group, ["supplier"])
                release["awards"] = [{
                    "id": "1",
                    "title": self.title,
                    "status": "pending",
                    "value": self._money(group.value),
                    "suppliers": suppliers,
                }]  # fmt: skip
        else:
            end = self.tender_end + (7 * DAY if amendment else 0)
            tender["suitability"] = {"sme": self.sme, "vcse": self.vcse}
            tender["submissionMethod"] = ["electronicSubmission"]
            tender["submissionMethodDetails"] = f"https://etendering.{self.buyer.domain}/"
            tender["tenderPeriod"] = {"startDate": clock.iso(self.tender_start),
                                      "endDate": clock.day(end, 12)}  # fmt: skip
            tender["enquiryPeriod"] = {"endDate": clock.day(end - 10 * DAY, 12)}
            tender["awardCriteria"] = "ratedCriteria"
            tender["awardCriteriaDetails"] = "Quality 50%, price 40%, social value 10%."
            if group is not None:
                tender["awardPeriod"] = {"startDate": clock.day(end, 12)}
                tender["contractPeriod"] = {"startDate": clock.day(group.start),
                                            "endDate": clock.day(group.end)}  # fmt: skip
            if self.lots:
                tender["lots"] = self._lot_list("active")
                tender["lotDetails"] = {"maximumLotsBidPerSupplier": len(self.lots)}
            if self.framework and group is not None:
                tender["techniques"] = {"hasFrameworkAgreement": True, "frameworkAgreement": {
                    "method": "withAndWithoutReopeningCompetition",
                    "maximumParticipants": max(g.count for g in self.groups) + 2,
                    "period": {"startDate": clock.day(group.start), "endDate": clock.day(group.end)},
                    "type": "open",
                    "isOpenFrameworkScheme": False,
                }}  # fmt: skip
            if self.above and not any(e.code == "UK2" for e in self.events):
                release["planning"] = {"noEngagementNoticeRationale": (
                    "No preliminary market engagement was carried out: the market is well "
                    "understood from the previous procurement."
                )}  # fmt: skip
        tender["documents"] = [document]
        if amendment is not None:
            amendment["description"] += " The tender period is extended by a week."
            tender["amendments"] = [amendment]
        release["tender"] = tender

    def _suppliers(
        self, release: dict[str, Any], group: _Group, roles: list[str]
    ) -> list[dict[str, Any]]:
        references = []
        if group.suppliers is None:
            number = self.groups.index(group)
            group.suppliers = list(dict.fromkeys(self.winner(number, i) for i in range(group.count)))
        for index in group.suppliers:
            party = self.gen.supplier_party(self.category, index, roles)
            release["parties"].append(party)
            references.append({"id": party["id"], "name": party["name"]})
        return references

    def _contracting(
        self,
        release: dict[str, Any],
        event: _Event,
        document: dict[str, Any],
        amendment: dict[str, Any] | None,
    ) -> None:
        clock, code = self.gen.clock, event.code
        group = self.groups[event.group]
        number = str(event.group + 1)
        suppliers = self._suppliers(release, group, ["supplier"])
        tender: dict[str, Any] = {
            "id": self.reference,
            "title": self.title,
            "status": "active" if code == "UK6" else "complete",
            "mainProcurementCategory": self.category,
        }
        if group.lots:
            tender["lots"] = self._lot_list("active" if code == "UK6" else "complete", group.lots)
        release["tender"] = tender
        title = self.title
        if group.lots:
            title += " (" + ", ".join(f"Lot {lot}" for lot in group.lots) + ")"
        award: dict[str, Any] = {
            "id": number,
            "title": title,
            "status": "pending" if code == "UK6" else "active",
            "date": clock.day(group.decided),
            "value": self._money(group.value),
            "suppliers": suppliers,
            "aboveThreshold": self.above,
            "mainProcurementCategory": self.category,
        }
        if group.lots:
            award["relatedLots"] = group.lots
        contract: dict[str, Any] = {
            "id": number,
            "awardID": number,
            "title": title,
            "status": "active",
            "value": self._money(group.value),
            "period": {"startDate": clock.day(group.start), "endDate": clock.day(group.end)},
            "dateSigned": clock.day(group.signed),
            "aboveThreshold": self.above,
        }
        if code == "UK6":
            award["items"] = self._items()[:1]
            award["standstillPeriod"] = {"startDate": clock.day(group.decided),
                                         "endDate": clock.day(group.decided + 12 * DAY)}  # fmt: skip
            award["contractPeriod"] = contract["period"]
            award["documents"] = [document]
            if amendment is not None:
                award["amendments"] = [amendment]
            release["awards"] = [award]
            bids = 1 + int(_noise(self.key, event.group) * (12 if self.above else 6))
            release["bids"] = {"statistics": [
                {"id": "1", "measure": "finalStageBids", "value": bids},
                {"id": "2", "measure": "smeFinalStageBids", "value": int(bids * (0.3 + 0.5 * self.sme))},
            ]}  # fmt: skip
            return
        if code == "UK7":
            if group.changes:  # the contract as first signed
                first_end = group.changes[0][2] if len(group.changes) == 1 else group.end
                contract["period"]["endDate"] = clock.day(min(first_end, group.end))
            contract["description"] = (
                f"Contract for {self.cpv[0][1].split(',')[0].lower()} with "
                f"{' and '.join(ref['name'] for ref in suppliers)}."
            )
            contract["documents"] = [document]
            if amendment is not None:
                contract["amendments"] = [amendment]
            release["awards"] = [award]
            release["contracts"] = [contract]
            return
        if code == "UK9":
            rating = KPI_RATINGS[int(_noise(self.key, event.sub, 9) * len(KPI_RATINGS))]
            year = {"startDate": clock.day(group.start + (event.sub - 1) * 365 * DAY),
                    "endDate": clock.day(group.start + event.sub * 365 * DAY)}  # fmt: skip
            metrics = [{
                "id": str(index + 1),
                "title": name,
                "observations": [{
                    "id": "1",
                    "period": year,
                    "notes": f"{name}: performance in year {event.sub} of the contract.",
                    "measureClassification": {"id": rating if index == 0 else "met"},
                }],
            } for index, name in enumerate(KPI_NAMES[:3])]  # fmt: skip
            release["contracts"] = [{
                "id": number, "awardID": number, "status": "active",
                "implementation": {"documents": [document], "metrics": metrics},
            }]  # fmt: skip
            return
        if code == "UK10":
            when, value, end = group.changes[event.sub]
            reason = CHANGE_REASONS[int(_noise(self.key, event.sub, 10) * len(CHANGE_REASONS))]
            contract["value"] = self._money(value)
            contract["period"]["endDate"] = clock.day(end)
            contract["amendments"] = [{
                "id": str(event.sub + 1),
                "date": clock.day(when),
                "rationale": reason[1],
                "description": f"The contract value becomes £{value * 1.2:,.2f} including VAT.",
                "value": self._money(value),
                "period": {"startDate": clock.day(group.start), "endDate": clock.day(end)},
                "aboveThreshold": self.above,
            }]  # fmt: skip
            contract["documents"] = [document]
            release["contracts"] = [contract]
            return
        # UK11: the contract has ended, early or at expiry
        contract["status"] = "terminated"
        contract["value"] = self._money(group.changes[-1][1] if group.changes else group.value)
        contract["description"] = (
            "The contract was terminated early by agreement with the supplier."
            if group.terminated else "The contract ended on its expiry date."
        )  # fmt: skip
        contract["documents"] = [document]
        release["contracts"] = [contract]


def _title(
    draw: Callable[[], float],
    buyer: _Buyer,
    category: str,
    cpv: list[tuple[str, str]],
    framework: bool,
    arrival: int,
) -> str:
    name = cpv[0][1].split(",")[0].split(":")[0]
    year = 1970 + arrival // 31_557_600 + (draw() < 0.3)
    title = _pick(draw, TITLE_PATTERNS[category]).format(
        cpv=name, place=buyer.place[0], site=_pick(draw, SITES), year=year,
        year2=year + 1 + int(draw() * 3),
    )  # fmt: skip
    return title + " Framework" if framework and "Framework" not in title else title


def _description(process: _Process) -> str:
    """A description of the lengths seen in the Contracts Finder sample (median about 800 characters).

    A specific first sentence, then sentences of the category's pool from a drawn start and
    stride; the joined tails are shared between processes.
    """
    target, start, stride = process.wording
    name = process.cpv[0][1].split(",")[0].split(":")[0].lower()
    if process.parent is not None:
        how = "after a further competition" if start % 2 else "directly"
        first = (f"Call-off contract awarded {how} under the framework agreement "
                 f"'{process.parent.title}' ({process.parent.ocid}) for {name}.")  # fmt: skip
        target = 200 + target // 4
    else:
        what = "a framework agreement for" if process.framework else "a contract for"
        first = f"{process.buyer.name} is seeking suitably qualified suppliers for {what} {name}."
    pool, lengths = _POOLS[process.category]
    size = len(pool)
    start %= size
    length, count = len(first), 0
    while length < target and count < size:
        length += lengths[(start + count * stride) % size]
        count += 1
    if not count:
        return first
    key = (process.category, start, stride, count)
    tail = _TAILS.get(key)
    if tail is None:
        tail = _TAILS[key] = " ".join(pool[(start + i * stride) % len(pool)] for i in range(count))
    return f"{first} {tail}"


def _wording(draw: float) -> tuple[int, int, int]:
    """Target length, first sentence and stride of a description, from one uniform draw.

    Contracts Finder: a tenth are a line or two; the rest log-normal around 850 characters.
    """
    if draw < 0.12:
        target = 60 + 1200 * draw
    else:
        target = 850 * math.exp(0.35 * _PROBIT((draw - 0.12) / 0.88 * 0.998 + 0.001))
    bits = int(draw * 1e9)
    return int(target), bits % 97, 1 + 2 * (bits // 97 % 3)  # strides 1, 3, 5: coprime with pools


_POOLS = {
    category: (pool, [len(sentence) + 1 for sentence in pool])
    for category in ("works", "goods", "services")
    for pool in [SENTENCES[category] + SENTENCES["any"]]
}
_PROBIT = NormalDist().inv_cdf
_TAILS: dict[tuple[str, int, int, int], str] = {}


class _Generator:
    """Merges the processes' notices by publication time; ``part`` of ``parts`` takes every
    ``parts``-th process (call-offs go with their framework), for writing in parallel."""

    def __init__(self, processes: int, seed: int, start: date, part: int = 0, parts: int = 1):
        self.processes, self.seed = processes, seed
        self.part, self.parts = part, parts
        self.clock = _Clock()
        rng = random.Random(seed * (1 << 40) + (1 << 39))
        self.buyers = [_Buyer(rng, index) for index in range(600)]
        span = max(MIN_SPAN_WORKING_DAYS, math.ceil(processes / PROCESSES_PER_WORKING_DAY))
        self._step = span * 36_000 / max(1, processes)  # working seconds between arrivals
        first = start + timedelta(days=max(0, 7 - start.weekday()) if start.weekday() >= 5 else 0)
        self._monday = (first - date(1970, 1, 1)).days - first.weekday()
        self._weekday = first.weekday()
        self.admitting, self.admitted = -1, 0  # the process being admitted, and its arrival
        self._plans: dict[int, tuple[_Process, int]] = {}
        self._furthest: list[tuple[int, int]] = []
        self._parties: dict[tuple[str, int], bytes] = {}

    def arrival(self, number: int) -> int:
        """When process ``number`` publishes its first notice: strictly increasing with the number."""
        position = int((number + _noise(self.seed, number)) * self._step)
        days, second = divmod(position, 36_000)
        weeks, weekday = divmod(days + self._weekday, 5)
        day = self._monday + weeks * 7 + weekday
        return day * DAY + 8 * 3600 + second - self.clock.summer(day)

    def plan(self, key: int, step: int | None = None) -> _Process:
        """The plan of process ``key``, rebuilt unless kept.

        After publishing ``step``, a plan is kept while its next notice is among the soonest due
        (Belady's rule: drop the plan needed furthest in the future). ``step=None`` only looks.
        """
        entry = self._plans.get(key)
        plan = entry[0] if entry is not None else _Process(self, key)
        if step is None:
            return plan
        if step + 1 < len(plan.events):
            due = plan.events[step + 1].ts
            self._plans[key] = (plan, due)
            heapq.heappush(self._furthest, (-due, key))
            if len(self._plans) > PLANS_KEPT:
                self._forget()
        elif entry is not None:
            del self._plans[key]
        return plan

    def _forget(self) -> None:
        furthest, plans = self._furthest, self._plans
        if len(furthest) > 4 * PLANS_KEPT:  # drop stale entries now and then
            furthest[:] = [(-due, key) for key, (_, due) in plans.items()]
            heapq.heapify(furthest)
        while len(plans) > PLANS_KEPT:
            due, key = heapq.heappop(furthest)
            entry = plans.get(key)
            if entry is not None and entry[1] == -due:
                del plans[key]

    def supplier_party(self, category: str, index: int, roles: list[str]) -> dict[str, Any]:
        encoded = self._parties.get((category, index))
        if encoded is None:
            encoded = orjson.dumps(_supplier(self.seed, category, index))
            if len(self._parties) > 8192:
                del self._parties[next(iter(self._parties))]
            self._parties[(category, index)] = encoded
        party: dict[str, Any] = orjson.loads(encoded)
        party["roles"] = roles
        return party

    def entries(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield ``(order, release)``: ``order`` sorts by publication time, process and step."""
        heap: list[int] = []
        mask = (1 << _KEY_BITS) - 1
        number = self.part
        arrival = self.arrival(number) if number < self.processes else 0
        while True:
            if number < self.processes and (not heap or arrival <= heap[0] >> 40):
                key = number * _CALL_OFFS
                self.admitting, self.admitted = number, arrival
                plan = self.plan(key, -1)
                heapq.heappush(heap, plan.events[0].ts << 40 | key << 8)
                for index, ts in enumerate(plan.calloffs, 1):
                    heapq.heappush(heap, ts << 40 | (key + index) << 8)
                number += self.parts
                if number < self.processes:
                    arrival = self.arrival(number)
                continue
            if not heap:
                return
            entry = heapq.heappop(heap)
            key, step = (entry >> 8) & mask, entry & 0xFF
            plan = self.plan(key, step)
            yield entry, plan.release(step)
            if step + 1 < len(plan.events):
                heapq.heappush(heap, plan.events[step + 1].ts << 40 | key << 8 | (step + 1))


class _Releases(Iterator[dict[str, Any]]):
    """The releases of one run, generated as they are read; ``write_jsonl`` can split the work."""

    def __init__(self, processes: int, seed: int, start: date) -> None:
        self.processes, self.seed, self.start = processes, seed, start
        self._entries: Iterator[tuple[int, dict[str, Any]]] | None = None

    def __next__(self) -> dict[str, Any]:
        if self._entries is None:
            self._entries = _Generator(self.processes, self.seed, self.start).entries()
        return next(self._entries)[1]

    @property
    def started(self) -> bool:
        return self._entries is not None


SECTORS = ("services", "goods", "works")
SUPPLIERS = {"services": 16_000, "goods": 8_000, "works": 8_000}  # suppliers in each sector


PARALLEL_FROM = 20_000  # processes: smaller runs are written in this process alone


def generate_releases(
    processes: int, seed: int, start: date | None = None
) -> Iterator[dict[str, Any]]:
    """Yield the releases of ``processes`` contracting processes in publication order.

    Deterministic for ``(processes, seed, start)``; ``start`` (default 24 February 2025) is the
    first publication day. Call-offs under frameworks come on top of ``processes``. Streams in
    flat memory: see the module docstring.
    """
    if processes < 0:
        raise ValueError(f"processes must be zero or more, not {processes}")
    if processes >= 1 << (_KEY_BITS - 6):
        raise ValueError(f"processes must be fewer than {1 << (_KEY_BITS - 6)}")
    return _Releases(processes, seed, start or DEFAULT_START)


def write_jsonl(releases: Iterable[dict[str, Any]], out: BinaryIO) -> int:
    """Write one release per line (JSON Lines, UTF-8) and return how many were written.

    A large run straight from ``generate_releases`` is generated by several processes (one per
    available CPU, at most four) and merged in order: the bytes are the same as written serially.
    """
    if isinstance(releases, _Releases) and not releases.started:
        parts = min(4, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)
        if parts > 1 and releases.processes >= PARALLEL_FROM and _can_fork():
            return _write_parallel(releases, out, parts)
    count = 0
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    buffer: list[bytes] = []
    for release in releases:
        buffer.append(dumps(release, option=newline))
        count += 1
        if len(buffer) == 512:
            out.write(b"".join(buffer))
            buffer.clear()
    if buffer:
        out.write(b"".join(buffer))
    return count


def _can_fork() -> bool:
    # Forking (not spawning) so that no caller's __main__ is imported again; Linux and macOS only.
    return "fork" in multiprocessing.get_all_start_methods()


def _lines(generator: _Generator) -> Iterator[tuple[int, bytes]]:
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    for order, release in generator.entries():
        yield order, dumps(release, option=newline)


def _write_part(releases: _Releases, part: int, parts: int, connection: Connection) -> None:
    """In a worker: send one part's lines, in order, in batches; ``None`` ends them."""
    generator = _Generator(releases.processes, releases.seed, releases.start, part, parts)
    batch: list[tuple[int, bytes]] = []
    for line in _lines(generator):
        batch.append(line)
        if len(batch) == 1024:
            connection.send(batch)
            batch = []
    connection.send(batch)
    connection.send(None)
    connection.close()


def _received(connection: Connection) -> Iterator[tuple[int, bytes]]:
    while (batch := connection.recv()) is not None:
        yield from batch


def _write_parallel(releases: _Releases, out: BinaryIO, parts: int) -> int:
    """Parts 1.. in forked workers, part 0 here; merged by publication order as they come."""
    context = multiprocessing.get_context("fork")
    workers, streams = [], []
    try:
        for part in range(1, parts):
            receiver, sender = context.Pipe(duplex=False)
            worker = context.Process(
                target=_write_part, args=(releases, part, parts, sender), daemon=True
            )
            worker.start()
            sender.close()
            workers.append(worker)
            streams.append(_received(receiver))
        own = _Generator(releases.processes, releases.seed, releases.start, 0, parts)
        count = 0
        buffer: list[bytes] = []
        for _, line in heapq.merge(_lines(own), *streams):
            buffer.append(line)
            count += 1
            if len(buffer) == 1024:
                out.write(b"".join(buffer))
                buffer.clear()
        out.write(b"".join(buffer))
        for worker in workers:
            worker.join()
            if worker.exitcode:
                raise GeneratorFailed(f"a generator worker exited with code {worker.exitcode}")
        return count
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
                worker.join()


class GeneratorFailed(Exception):
    """A worker process generating part of a run failed; its error is on standard error."""
