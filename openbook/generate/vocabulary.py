"""The words the generator builds releases from: places, bodies, names, CPV codes and sentences."""

from __future__ import annotations


def _words(text: str, separator: str | None = None) -> list[str]:
    """Words (or ``separator``-separated phrases) of a text that may run over several lines."""
    if separator is None:
        return text.split()
    return [word.strip() for word in text.replace("\n", "").split(separator)]


def _table(text: str) -> list[tuple[str, ...]]:
    """Rows of ``|``-separated cells, one a line: the vocabulary reads as the tables it is."""
    return [tuple(cell.strip() for cell in line.split("|")) for line in text.strip().splitlines()]


# Places: name | NUTS 2016 level 3 code (as Find a Tender gives regions) | postcode area | nation
PLACES = _table("""
Leeds|UKE42|LS|ENG
Sheffield|UKE32|S|ENG
Bradford|UKE41|BD|ENG
Manchester|UKD33|M|ENG
Salford|UKD34|M|ENG
Liverpool|UKD72|L|ENG
Birmingham|UKG31|B|ENG
Coventry|UKG33|CV|ENG
Bristol|UKK11|BS|ENG
Plymouth|UKK41|PL|ENG
Exeter|UKK43|EX|ENG
Swindon|UKK14|SN|ENG
Newcastle upon Tyne|UKC22|NE|ENG
Sunderland|UKC23|SR|ENG
Darlington|UKC13|DL|ENG
Hull|UKE11|HU|ENG
York|UKE21|YO|ENG
Nottingham|UKF14|NG|ENG
Derby|UKF11|DE|ENG
Leicester|UKF21|LE|ENG
Norwich|UKH15|NR|ENG
Ipswich|UKH14|IP|ENG
Cambridge|UKH12|CB|ENG
Oxford|UKJ14|OX|ENG
Reading|UKJ11|RG|ENG
Southampton|UKJ32|SO|ENG
Portsmouth|UKJ31|PO|ENG
Brighton and Hove|UKJ21|BN|ENG
Maidstone|UKJ45|ME|ENG
Westminster|UKI32|SW|ENG
Camden|UKI31|NW|ENG
Hackney|UKI41|E|ENG
Lambeth|UKI45|SE|ENG
Stoke-on-Trent|UKG23|ST|ENG
Cardiff|UKL22|CF|WLS
Swansea|UKL18|SA|WLS
Newport|UKL21|NP|WLS
Edinburgh|UKM75|EH|SCT
Glasgow|UKM82|G|SCT
Aberdeen|UKM50|AB|SCT
Dundee|UKM71|DD|SCT
Belfast|UKN06|BT|NIR
""")
STREETS = _words(
    """High Street|Station Road|Church Street|Market Place|Victoria Road|
Queen Street|King Street|Park Road|Mill Lane|Castle Street|London Road|The Parade|Albert Square|
Civic Centre|Town Hall Square""",
    "|",
)
FIRST_NAMES = _words("""Sarah James Emma David Laura Michael Rachel Daniel Helen Thomas Priya
Mohammed Claire Andrew Fiona Gareth Siobhan Aisha Iain Rhian Oliver Chloe Tariq Niamh""")
SURNAMES = _words("""Smith Jones Taylor Brown Williams Wilson Davies Evans Thomas Roberts Walker
Wright Robinson Thompson White Hughes Edwards Green Hall Wood Harris Clarke Patel Khan Lewis Cooper
Morgan Campbell Stewart Murray Reid Kelly Byrne""")
NAME_STEMS = _words("""Meridian Keystone Oakfield Riverside Harbour Crescent Beacon Pennine
Evergreen Silverline Redwood Kestrel Heron Northfield Brookside Foxglove Granite Ashdown Lantern
Orchard Compass Westgate Fairway Thistle Cedar Millstone Bluebell Skylark""")
# Central government bodies: name | e-mail domain | Government Organisation Register code prefix
CENTRAL_BODIES = _table("""
Cabinet Office|cabinetoffice.gov.uk|D
Department for Education|education.gov.uk|D
Department for Work and Pensions|dwp.gov.uk|D
Department of Health and Social Care|dhsc.gov.uk|D
Ministry of Defence|mod.gov.uk|D
Ministry of Justice|justice.gov.uk|D
Home Office|homeoffice.gov.uk|D
Department for Transport|dft.gov.uk|D
HM Revenue and Customs|hmrc.gov.uk|D
Department for Environment, Food and Rural Affairs|defra.gov.uk|D
Department for Business and Trade|businessandtrade.gov.uk|D
Department for Energy Security and Net Zero|energysecurity.gov.uk|D
Crown Commercial Service|crowncommercial.gov.uk|EA
HM Land Registry|landregistry.gov.uk|EA
Driver and Vehicle Licensing Agency|dvla.gov.uk|EA
HM Prison and Probation Service|justice.gov.uk|EA
UK Health Security Agency|ukhsa.gov.uk|EA
Met Office|metoffice.gov.uk|EA
Environment Agency|environment-agency.gov.uk|PB
Scottish Government|gov.scot|DA
Welsh Government|gov.wales|DA
""")
UK_CA_TYPES = {
    "publicAuthorityCentralGovernment": "Public authority - central government",
    "publicAuthoritySubCentralGovernment": "Public authority - sub-central government",
    "publicUndertaking": "Public undertaking",
    "privateUtility": "Private utility",
}
# CPV codes (Common Procurement Vocabulary, as items' classification) by main procurement category
CPV = {
    "works": _table("""
45000000|Construction work
45210000|Building construction work
45211000|Construction work for multi-dwelling buildings and individual houses
45214000|Construction work for buildings relating to education and research
45215000|Construction work for buildings relating to health and social services
45233140|Roadworks
45260000|Roof works and other special trade construction works
45300000|Building installation work
45310000|Electrical installation work
45331000|Heating, ventilation and air-conditioning installation work
45400000|Building completion work
45442100|Painting work
45453000|Overhaul and refurbishment work
45112700|Landscaping work
45232400|Sewer construction work
45234100|Railway construction works
"""),
    "goods": _table("""
30200000|Computer equipment and supplies
30190000|Various office equipment and supplies
39100000|Furniture
33100000|Medical equipments
33140000|Medical consumables
33600000|Pharmaceutical products
34100000|Motor vehicles
34144900|Electric vehicles
18100000|Occupational clothing, special workwear and accessories
15000000|Food, beverages, tobacco and related products
09310000|Electricity
09123000|Natural gas
32500000|Telecommunications equipment and supplies
22000000|Printed matter and related products
31500000|Lighting equipment and electric lamps
48000000|Software package and information systems
"""),
    "services": _table("""
72000000|IT services: consulting, software development, Internet and support
72200000|Software programming and consultancy services
72500000|Computer-related services
64200000|Telecommunications services
79400000|Business and management consultancy and related services
79600000|Recruitment services
79710000|Security services
79340000|Advertising and marketing services
79530000|Translation services
79212000|Auditing services
79100000|Legal services
90910000|Cleaning services
90511000|Refuse collection services
90500000|Refuse and waste related services
77310000|Planting and maintenance services of green areas
50700000|Repair and maintenance services of building installations
50750000|Lift-maintenance services
71000000|Architectural, construction, engineering and inspection services
71300000|Engineering services
71240000|Architectural, engineering and planning services
79993000|Building and facilities management services
66510000|Insurance services
73000000|Research and development services and related consultancy services
60130000|Special-purpose road passenger-transport services
55520000|Catering services
80500000|Training services
85000000|Health and social work services
85312000|Social work services without accommodation
85311000|Social work services with accommodation
85323000|Community health services
80300000|Higher education services
"""),
}
TRADES = {
    "works": _words(
        """Construction|Building Services|Civil Engineering|Roofing|Electrical|
Mechanical Services|Groundworks|Contractors""",
        "|",
    ),
    "goods": _words(
        """Supplies|Medical|Office Supplies|Furniture|Vehicles|Equipment|Distribution|
Technology""",
        "|",
    ),
    "services": _words(
        """Digital|Consulting|Care|Support Services|Facilities Management|
Cleaning Services|Security|Associates|Partners|Solutions|Training|Catering""",
        "|",
    ),
}
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
    "works": _words(
        """{cpv} at {place} {site}|{place} {site} {cpv}|{cpv} Framework {year}|
Refurbishment of {place} {site}|{cpv} - {place} Programme {year}""",
        "|",
    ),
    "goods": _words(
        """Supply of {cpv}|{cpv} for {place}|Provision of {cpv} {year}|
{cpv} Contract {year}-{year2}""",
        "|",
    ),
    "services": _words(
        """Provision of {cpv}|{cpv} - {place}|{place} {cpv} Contract|
{cpv} {year}-{year2}|Delivery of {cpv} across {place}""",
        "|",
    ),
}
SITES = _words(
    """Civic Centre|Leisure Centre|Primary School|Library|Depot|Fire Station|
Community Hub|Health Centre|Museum|Council Offices|Crematorium""",
    "|",
)
CHANGE_REASONS = [
    "Additional work required because of circumstances the authority could not have foreseen.",
    "A modification of low value that does not change the overall nature of the contract.",
    "Extension of the contract term to allow a replacement procurement.",
    "Additional services from the existing supplier, where a change of supplier is impractical.",
]
KPI_NAMES = ["Service availability", "Response times", "Customer satisfaction"]
KPI_RATINGS = ["met", "met", "met", "slightlyBelow", "below", "significantlyBelow", "other"]
