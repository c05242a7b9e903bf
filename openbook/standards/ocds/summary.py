"""What a contracting process is searched by: a summary of its compiled release, the fields of
the process search (``GET /api/ocds/processes``, docs/search.md). Pure functions.

Every field is read defensively: real publishers' compiled releases carry wrong types, nulls and
free text where codes belong, and a summary is made of whatever can be read (a field that cannot
be read is left empty, never guessed).
"""

import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from openbook.standards import identifiers, organisation_names
from openbook.standards.ocds import commercial_tools, terms
from openbook.standards.ocds.shapes import as_dict as _dict
from openbook.standards.ocds.shapes import dicts as _dicts
from openbook.standards.ocds.shapes import number
from openbook.standards.ocds.shapes import text as _text

# Lifecycle stages from first to last (the feed's, openbook.standards.ocds.terms).
STAGES = terms.STAGES
# partyScale codelist (ocds_partyScale_extension): the scales that are small or medium
# enterprises. A self-employed person is a micro business in the UK's definition of an SME.
SME_SCALES = frozenset({"sme", "micro", "small", "medium", "selfEmployed"})
# Bounds, so that one enormous process cannot bloat the index: characters of indexed text per
# column, and of a notice type or region kept as a filter term.
TEXT_CHARACTERS = 20_000
CODE_CHARACTERS = 50
# A NUTS (or ITL) code as publishers write them: a country (or TL) and one to three levels.
_NUTS = re.compile(r"[A-Z]{2}[A-Z0-9]{1,3}")
_CPV = re.compile(r"\d{2,8}")
# Unicode's combining marks (diacritics once NFKD has decomposed a letter).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


@dataclass(frozen=True, slots=True)
class Summary:
    """One process as the search finds, filters, sorts and shows it. Dates are UTC,
    ``YYYY-MM-DDTHH:MM:SSZ`` (so that they compare as text); booleans are None when the data
    does not say."""

    ocid: str
    title: str | None
    # The Welsh variant of the title (OCDS language variants: ``title_cy``), where the publisher
    # gave one: lists show it to readers who chose Welsh (issue 8).
    title_cy: str | None
    buyer_id: str | None
    buyer_name: str | None
    value_amount: float | None
    value_currency: str | None
    value_source: str | None  # contracts, awards, tender or planning: where the value is from
    stage: str | None
    status: str | None
    procurement_method: str | None
    published: str | None
    deadline: str | None
    award_date: str | None
    contract_start: str | None
    contract_end: str | None
    above_threshold: bool | None
    suitable_sme: bool | None
    suitable_vcse: bool | None
    awarded_sme: bool | None
    awarded_vcse: bool | None
    notice_types: tuple[str, ...]  # documents' noticeType, upper case
    planned: bool  # a release of it reported on the planning stage (its tags): the pipeline's
    regions: tuple[str, ...]  # NUTS or ITL codes, each at every level, and regions' names
    cpv: tuple[str, ...]  # CPV codes, eight digits
    terms: tuple[str, ...]  # the feed's buyer: and supplier: terms (exact-match filters)
    title_text: str  # indexed text: titles
    parties_text: str  # indexed text: party names
    body_text: str  # indexed text: descriptions and classifications
    parties: tuple["Mention", ...] = ()  # every party, as a mention of an organisation
    # A framework, dynamic market or call-off, as the commercial tools register keeps it.
    commercial_tool: commercial_tools.Facts | None = None


def summarise(
    compiled: dict, releases: Sequence[dict] = (), *, named_framework: bool = False
) -> Summary:  # named_framework
    """The summary of a process from its compiled release and its releases (for the stages
    their tags report on and the date of the first publication); ``named_framework``: another
    process names it as its framework (openbook.standards.ocds.commercial_tools.facts)."""
    # Each part is read once and handed to what needs it: this runs for every process a load
    # compiles (docs/performance.md).
    tender = _dict(compiled.get("tender"))
    awards = _dicts(compiled.get("awards"))
    contracts = _dicts(compiled.get("contracts"))
    parties = _dicts(compiled.get("parties"))
    planning = _dict(compiled.get("planning"))
    budget = _dict(planning.get("budget"))
    lots = _dicts(tender.get("lots"))
    items = _items(tender, awards, contracts)
    buyer = _buyer(compiled, parties)
    amount, currency, source = _value(budget, tender, awards, contracts)
    suppliers = _suppliers(parties, awards)
    suitability = [_dict(tender.get("suitability"))]
    suitability += [_dict(lot.get("suitability")) for lot in lots]
    # Contracts Finder's own fields, before the suitability extension existed.
    extra = _dict(tender.get("xClassifications"))
    documents = _documents(planning, tender, awards, contracts)
    notice_types = _unique(_code(d.get("noticeType")).upper() for d in documents)
    notice_types = [notice for notice in notice_types if notice]
    cpv = sorted(set(_cpv_codes(tender, items)))
    periods = _periods(tender, awards, contracts)
    found = _mentions(parties, awards)
    # The feed's terms for buyers and suppliers, so that both find a party alike; an
    # identifier with neither scheme nor id makes a term of a lone "-", which names nobody.
    # (Terms hold no NUL: openbook.standards.ocds.terms.normalise drops it.)
    party_terms = [term for term in terms.party_terms(compiled) if not term.endswith(":-")]
    return Summary(
        ocid=str(compiled.get("ocid", "")),
        title=_title(budget, tender, awards, contracts),
        title_cy=_title_cy(tender, awards, contracts),
        buyer_id=_text(buyer.get("id")) or None,
        buyer_name=_text(buyer.get("name")) or None,
        value_amount=amount,
        value_currency=currency,
        value_source=source,
        stage=_stage(compiled, releases, awards, contracts),
        status=_code(tender.get("status")) or None,
        procurement_method=_code(tender.get("procurementMethod")) or None,
        published=_first_published(compiled, releases),
        deadline=utc(_dict(tender.get("tenderPeriod")).get("endDate")),
        award_date=_earliest([utc(award.get("date")) for award in awards]),
        contract_start=_earliest([utc(period.get("startDate")) for period in periods]),
        contract_end=_latest([utc(period.get("endDate")) for period in periods]),
        above_threshold=_any_flag(
            [tender.get("aboveThreshold")]
            + [award.get("aboveThreshold") for award in awards]
            + [contract.get("aboveThreshold") for contract in contracts]
        ),
        suitable_sme=_any_flag(
            [item.get("sme") for item in suitability] + [extra.get("isSuitableForSme")]
        ),
        suitable_vcse=_any_flag(
            [item.get("vcse") for item in suitability] + [extra.get("isSuitableForVco")]
        ),
        awarded_sme=_awarded_sme(suppliers),
        awarded_vcse=_any_flag([_dict(party.get("details")).get("vcse") for party in suppliers]),
        notice_types=tuple(notice_types),
        planned=_planned(releases),
        regions=tuple(_regions(parties, tender, items, buyer)),
        cpv=tuple(cpv),
        terms=tuple(sorted(party_terms)),
        title_text=_joined(_titles(budget, tender, lots, awards, contracts)),
        parties_text=_joined(_party_names(compiled, parties, awards)),
        body_text=_joined(_descriptions(budget, tender, lots, awards, contracts, items=items)),
        parties=found,
        # named_framework
        commercial_tool=commercial_tools.facts(compiled, releases, found, named=named_framework),
    )


# Awards that awarded nothing: their value is no supplier's.
_NOT_AWARDED = frozenset({"cancelled", "unsuccessful", "pending"})
NAME_CHARACTERS = 500  # longer names are cut: a name, not a document


@dataclass(frozen=True, slots=True)
class Mention:
    party_id: str | None
    name: str | None
    name_key: str
    roles: tuple[str, ...]
    identifier: str | None  # SCHEME-ID, normalised; None without a valid one
    awarded_amount: float | None  # the awards naming it as supplier; None if none or mixed
    awarded_currency: str | None


def mentions(compiled: dict) -> tuple[Mention, ...]:
    """Every party of a compiled release, in its order, each as one mention of an
    organisation (docs/organisations.md): its local id, name, roles, its identifier checked
    and written as its register writes it (None without a valid one), and the value of the
    awards naming it as a supplier."""
    return _mentions(_dicts(compiled.get("parties")), _dicts(compiled.get("awards")))


def _mentions(parties: list[dict], awards: list[dict]) -> tuple[Mention, ...]:
    awarded = _awarded(awards)
    found = []
    for party in parties:
        party_id = _text(party.get("id")).strip() or None
        name = _text(party.get("name")).strip()[:NAME_CHARACTERS] or None
        roles = party.get("roles")
        amount, currency = awarded.get(party_id, (None, None)) if party_id else (None, None)
        found.append(
            Mention(
                party_id,
                name,
                _name_key(name or ""),
                _roles(roles) if isinstance(roles, list) else (),
                _identifier(party),
                amount,
                currency,
            )
        )
    return tuple(found)


# Parties recur from process to process (a buyer's every notice, a supplier's every award): what
# is read from a name or an identifier is remembered, bounded, for the many that come again
# (pure functions of hashable text, so the same answer as reading them afresh).
_name_key = functools.lru_cache(maxsize=16384)(organisation_names.key)


def _identifier(party: dict) -> str | None:
    """The party's identifier, or the first valid additional one if it has none valid
    (as openbook.standards.identifiers.party_identifier reads them, one by one)."""
    more = party.get("additionalIdentifiers")
    for given in [party.get("identifier"), *(more if isinstance(more, list) else [])]:
        if isinstance(given, dict):
            found = _given_identifier(given.get("scheme"), given.get("id"))
            if found is not None:
                return found
    return None


def _read_identifier(scheme: object, id_: object) -> str | None:
    found = identifiers.party_identifier({"identifier": {"scheme": scheme, "id": id_}})
    return _text(str(found)) if found is not None else None


_given_identifier = identifiers.remembered(_read_identifier, 16384)


@functools.lru_cache(maxsize=1024)
def _sorted_roles(roles: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({_text(role) for role in roles if _text(role)}))


def _roles(roles: list) -> tuple[str, ...]:
    """The distinct roles that are text (or integers), sorted."""
    if all(type(role) is str for role in roles):
        return _sorted_roles(tuple(roles))  # a few sets of roles, met again and again
    return tuple(sorted({_text(role) for role in roles if _text(role)}))


def _awarded(awards: list[dict]) -> dict[str, tuple[float | None, str | None]]:
    """Per supplier's party id, the total value of the awards naming it, in their currency
    (None when they are in several, or give none). A joint award counts whole for each."""
    totals: dict[str, dict[str, float]] = {}
    for award in awards:
        if _text(award.get("status")) in _NOT_AWARDED:
            continue
        value = _dict(award.get("value"))
        amount, currency = value.get("amount"), _code(value.get("currency"))
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            continue
        if not math.isfinite(amount):
            continue
        for supplier in _dicts(award.get("suppliers")):
            party_id = _text(supplier.get("id"))
            if party_id:
                by_currency = totals.setdefault(party_id, {})
                by_currency[currency] = by_currency.get(currency, 0.0) + float(amount)
    found: dict[str, tuple[float | None, str | None]] = {}
    for party_id, by_currency in totals.items():
        if len(by_currency) == 1:
            ((currency, amount),) = by_currency.items()
            found[party_id] = (amount, currency or None)
        else:
            found[party_id] = (None, None)
    return found


def utc(value: object) -> str | None:
    """An OCDS date-time as UTC text, ``YYYY-MM-DDTHH:MM:SSZ`` (a date alone is taken as its
    midnight, a time without an offset as UTC; fractions of a second are dropped); None when it
    is not a date."""
    if type(value) is str:
        return _utc_text(value)
    if not isinstance(value, str):
        return None
    return _utc(value)


def _utc(value: str) -> str | None:
    if not 10 <= len(value) <= 40:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    if len(value) == 20 and value[10] == "T" and value[19] == "Z":
        return value  # already so written (most are): a real date, as it parsed
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment.replace(microsecond=0, tzinfo=None).isoformat() + "Z"


# A process's dates recur in its releases and its compiled release, and across the processes
# of one publisher: remembered, bounded (a pure function of its text).
_utc_text = functools.lru_cache(maxsize=65536)(_utc)


def plain(text: str) -> str:
    """Text without diacritics (``Asunción`` as ``Asuncion``), so that both databases' search
    engines match either spelling: SQLite's tokenizer removes them, PostgreSQL's ``english``
    configuration does not."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text))


def normalise_region(value: str) -> list[str]:
    """The filter terms of a region: a NUTS or ITL code with each of its levels (``UKI31``,
    ``UKI3``, ``UKI``); any other region by its name, case-folded."""
    value = " ".join(value.replace("\x00", "").split())
    if _NUTS.fullmatch(value):
        return [value[:length] for length in range(3, len(value) + 1)]
    name = terms.normalise(plain(value))
    return [name] if name else []


def is_region_facet(region: str) -> bool:
    """Whether a region is counted in facets: a NUTS or ITL code's first level, or a name."""
    return len(region) == 3 or not _NUTS.fullmatch(region)


def cpv_code(value: str) -> str | None:
    """A CPV code as eight digits, without its check digit (``45233140-2`` is ``45233140``);
    a shorter code is a group (``452`` is ``45200000``). None when it is not a CPV code."""
    digits = value.strip().split("-", 1)[0]
    if not _CPV.fullmatch(digits):
        return None
    return digits.ljust(8, "0")


def _planned(releases: Sequence[dict]) -> bool:
    """Whether a release of the process reported on the planning stage: a tag the feed's
    ``stage:planning`` term stands for (openbook.standards.ocds.terms)."""
    for release in releases:
        tags = release.get("tag") if isinstance(release, dict) else None
        if isinstance(tags, list) and any(
            terms.STAGE_OF_TAG.get(tag) == "planning" for tag in tags if isinstance(tag, str)
        ):
            return True
    return False


def _stage(compiled: dict, releases: Sequence[dict], awards: list, contracts: list) -> str | None:
    reached: set[str] = set()
    for release in releases:
        tags = release.get("tag") if isinstance(release, dict) else None
        if isinstance(tags, list):
            reached.update(
                terms.STAGE_OF_TAG[tag]
                for tag in tags
                if isinstance(tag, str) and tag in terms.STAGE_OF_TAG
            )
    # What the compiled release holds is evidence too: a process with awards has reached the
    # award stage whatever its tags say. Not so for a tender section, which planning releases
    # often carry with the planned procedure.
    if awards:
        reached.add("award")
    if contracts:
        reached.add("contract")
    if any(_dict(contract.get("implementation")) for contract in contracts):
        reached.add("implementation")
    if not reached:
        if _dict(compiled.get("tender")):
            reached.add("tender")
        elif _dict(compiled.get("planning")):
            reached.add("planning")
    return max(reached, key=STAGES.index) if reached else None


def _first_published(compiled: dict, releases: Sequence[dict]) -> str | None:
    dates = [utc(release.get("date")) for release in releases if isinstance(release, dict)]
    return _earliest(dates) or utc(compiled.get("date"))


def _value(budget, tender, awards, contracts) -> tuple[float | None, str | None, str | None]:
    """The best-known value: the total of the contracts if they state values, else of the
    awards, else the tender's estimate, else the planned budget. Totals are taken only when all
    the values at that stage are in one currency; cancelled or unsuccessful ones do not count."""
    live_contracts = [c for c in contracts if c.get("status") != "cancelled"]
    live_awards = [a for a in awards if a.get("status") not in ("cancelled", "unsuccessful")]
    stages = [
        ("contracts", [_dict(c.get("value")) for c in live_contracts]),
        ("awards", [_dict(a.get("value")) for a in live_awards]),
        ("tender", [_dict(tender.get("value"))]),
        ("planning", [_dict(budget.get("amount"))]),
    ]
    for source, values in stages:
        found = [
            (amount, _code(value.get("currency")).upper() or None)
            for value in values
            if (amount := number(value.get("amount"))) is not None
        ]
        currencies = {currency for _, currency in found}
        if found and len(currencies) == 1:
            total = math.fsum(amount for amount, _ in found)
            if math.isfinite(total):
                return total, currencies.pop(), source
    return None, None, None


def _buyer(compiled: dict, parties: list[dict]) -> dict:
    buyer = _dict(compiled.get("buyer"))
    if buyer:
        return buyer
    for party in parties:
        roles = party.get("roles")
        if isinstance(roles, list) and "buyer" in roles:
            return party
    return {}


def _suppliers(parties: list[dict], awards: list) -> list[dict]:
    """The parties awarded: those with the supplier role, and those the awards name."""
    named = {
        _text(supplier.get("id"))
        for award in awards
        for supplier in _dicts(award.get("suppliers"))
        if _text(supplier.get("id"))
    }
    found = []
    for party in parties:
        roles = party.get("roles")
        if (isinstance(roles, list) and "supplier" in roles) or _text(party.get("id")) in named:
            found.append(party)
    return found


def _awarded_sme(suppliers: list[dict]) -> bool | None:
    scales = [_dict(party.get("details")).get("scale") for party in suppliers]
    known = [scale for scale in scales if isinstance(scale, str) and scale]
    if any(scale in SME_SCALES for scale in known):
        return True
    return False if known else None


def _any_flag(values: Iterable[object]) -> bool | None:
    """True if any says true; False if some say false and none true; None if none say."""
    flags = [value for value in values if isinstance(value, bool)]
    if any(flags):
        return True
    return False if flags else None


def _periods(tender: dict, awards: list, contracts: list) -> list[dict]:
    """The contract periods: the contracts' own, else the awards', else the tender's expected
    one."""
    for periods in (
        [_dict(contract.get("period")) for contract in contracts],
        [_dict(award.get("contractPeriod")) for award in awards],
        [_dict(tender.get("contractPeriod"))],
    ):
        given = [period for period in periods if period]
        if given:
            return given
    return []


def _title(budget, tender, awards, contracts) -> str | None:
    for candidate in [tender.get("title"), *(c.get("title") for c in contracts)]:
        text = _text(candidate).strip()
        if text:
            return text[:1000]
    for award in awards:
        text = _text(award.get("title")).strip()
        if text:
            return text[:1000]
    project = _text(budget.get("project")).strip()
    return project[:1000] or None


def _title_cy(tender: dict, awards: list, contracts: list) -> str | None:
    """The first Welsh title given, in the order ``_title`` reads the English (OCDS language
    variants: ``title_cy``, as openbook.web.pages.i18n.localised reads them)."""
    for holder in (tender, *contracts, *awards):
        text = _text(holder.get("title_cy")).strip()
        if text:
            return text[:1000]
    return None


def _titles(budget, tender, lots, awards, contracts) -> Iterator[object]:
    # The Welsh variants beside the English, so that a Welsh word finds the process (issue 8).
    yield tender.get("title")
    yield tender.get("title_cy")
    for section in (lots, awards, contracts):
        for item in section:
            yield item.get("title")
            yield item.get("title_cy")
    yield budget.get("project")


def _party_names(compiled: dict, parties: list[dict], awards: list) -> Iterator[object]:
    yield _dict(compiled.get("buyer")).get("name")
    for party in parties:
        yield party.get("name")
        yield _dict(party.get("identifier")).get("legalName")
    for award in awards:
        for supplier in _dicts(award.get("suppliers")):
            yield supplier.get("name")


def _descriptions(budget, tender, lots, awards, contracts, *, items) -> Iterator[object]:
    # The Welsh variants beside the English, as in _titles.
    yield tender.get("description")
    yield tender.get("description_cy")
    for lot in lots:
        yield lot.get("description")
        yield lot.get("description_cy")
    for section in (awards, contracts):
        for item in section:
            yield item.get("description")
            yield item.get("description_cy")
    for item in items:
        yield item.get("description")
        yield item.get("description_cy")
        for classification in _classifications(item):
            yield classification.get("description")
    yield budget.get("description")


def _items(tender: dict, awards: list, contracts: list) -> list[dict]:
    """The items of the tender, then of the awards, then of the contracts."""
    found = _dicts(tender.get("items"))
    for section in (awards, contracts):
        for item in section:
            found += _dicts(item.get("items"))
    return found


def _classifications(item: dict) -> list[dict]:
    return [_dict(item.get("classification")), *_dicts(item.get("additionalClassifications"))]


def _cpv_codes(tender: dict, items: list[dict]) -> Iterator[str]:
    """CPV codes of the tender (ocds_tenderClassification_extension) and of every item."""
    classifications = [_dict(tender.get("classification"))]
    for item in items:
        classifications.extend(_classifications(item))
    for classification in classifications:
        scheme, code = classification.get("scheme"), classification.get("id")
        if isinstance(scheme, str) and scheme.strip().upper() == "CPV":
            if isinstance(code, int) and not isinstance(code, bool):
                code = str(code).zfill(8)  # a number has lost its leading zeros
            if isinstance(code, str) and (normalised := cpv_code(code)):
                yield normalised


def _documents(planning: dict, tender: dict, awards: list, contracts: list) -> Iterator[dict]:
    yield from _dicts(planning.get("documents"))
    yield from _dicts(tender.get("documents"))
    for award in awards:
        yield from _dicts(award.get("documents"))
    for contract in contracts:
        yield from _dicts(contract.get("documents"))
        yield from _dicts(_dict(contract.get("implementation")).get("documents"))


def _regions(parties, tender, items, buyer) -> list[str]:
    """Where the work is: the delivery addresses and locations (ocds_location_extension) of
    the tender and its items, with NUTS or ITL gazetteer codes; failing those, the buyer's
    address."""
    given = list(_delivery_regions(tender, items))
    if not given:
        party = buyer
        if buyer.get("id") is not None and "address" not in buyer:
            party = next(
                (p for p in parties if p.get("id") == buyer.get("id")),
                buyer,
            )
        region = _dict(party.get("address")).get("region")
        if isinstance(region, str):
            given.append(region)
    return _unique(level for region in given for level in _region_levels(region[:CODE_CHARACTERS]))


@functools.lru_cache(maxsize=4096)
def _region_levels(value: str) -> tuple[str, ...]:
    """``normalise_region``, remembered: a few hundred regions recur in every load."""
    return tuple(normalise_region(value))


def _delivery_regions(tender: dict, items: list[dict]) -> Iterator[str]:
    places = [tender, *items]
    for place in places:
        addresses = [*_dicts(place.get("deliveryAddresses")), _dict(place.get("deliveryAddress"))]
        locations = [*_dicts(place.get("deliveryLocations")), _dict(place.get("deliveryLocation"))]
        addresses += [_dict(location.get("address")) for location in locations]
        for address in addresses:
            region = address.get("region")
            if isinstance(region, str) and region.strip():
                yield region.strip()
        for location in locations:
            gazetteer = _dict(location.get("gazetteer"))
            scheme = gazetteer.get("scheme")
            if isinstance(scheme, str) and scheme.strip().upper().startswith(("NUTS", "ITL")):
                for identifier in gazetteer.get("identifiers") or []:
                    if isinstance(identifier, str) and identifier.strip():
                        yield identifier.strip().upper()


def _earliest(values: Iterable[str | None]) -> str | None:
    return min((value for value in values if value), default=None)


def _latest(values: Iterable[str | None]) -> str | None:
    return max((value for value in values if value), default=None)


def _joined(values: Iterable[object]) -> str:
    """Distinct texts (regardless of case), in order, one a line, without diacritics, bounded."""
    texts: dict[str, str] = {}
    for value in values:
        # shapes.text, inline for the text most values are (this reads every title, name
        # and description of every process compiled).
        text = value.replace("\x00", "").strip() if type(value) is str else _text(value).strip()
        if text:
            texts.setdefault(text.casefold(), text)
    return plain("\n".join(texts.values()))[:TEXT_CHARACTERS]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _code(value: object) -> str:
    return _text(value).strip()[:CODE_CHARACTERS] if isinstance(value, str) else ""
