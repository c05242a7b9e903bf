"""Red flags on contracting processes (issue 7; docs/methods/red-flags.md). Pure.

A red flag is a pattern that procurement-integrity research links with a higher risk of
corruption or waste: a single bid in a competition, a rushed tender period, a contract grown
well beyond what was awarded. It is never proof: each has innocent explanations, and each flag
says what it saw, with the numbers, so that a reader can judge.

Two families, in one ``REGISTRY``:

- the indicators of ``ocdscardinal`` (the Open Contracting Partnership's red-flag tool), with
  its codes (R003, R018, ...). Most need bid-level data (``bids.details``: who bid what, which
  bids were disqualified) that UK notices do not publish; ``coverage`` says, per process,
  whether each can run, so that a dataset's page can say "cannot run: no bid-level data"
  instead of showing an empty result. Those that are outliers across a whole dataset (the
  quartile fences of R024, R025, R038, R048, R058; R055's largest open tender) are listed but
  not computed per process;
- the UK's own (``uk-...``): what a reviewer of UK procurement would ask about, read through
  the law's own rules (openbook.standards.uk.rules) and the registers (``Context``).

Every threshold is a field of ``Settings``, with its default and its source.
"""

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cached_property

from openbook.standards.bods.ownership import entity_identifiers
from openbook.standards.days import day_of
from openbook.standards.metrics import thresholds
from openbook.standards.metrics.milestones import authority_of
from openbook.standards.metrics.process import Process, newest
from openbook.standards.ocds.shapes import as_dict, as_list, dicts, text
from openbook.standards.ocds.summary import utc
from openbook.standards.registers.debarment import AwardedSupplier, awarded_suppliers
from openbook.standards.uk.notices import (
    NOTICE_TYPES,
    PA2023,
    PCR2015,
    AmbiguousNoticeType,
    NoticeMention,
    legal_regime,
    notice_mentions,
    own_notice_mention,
    parse_moment,
)
from openbook.standards.uk.rules.context import (
    NoticeContext,
    default_calendar,
    latest,
    value_at,
)
from openbook.standards.uk.rules.facts import (
    is_below_threshold,
    is_direct_award,
    is_framework_call_off,
    is_light_touch,
)
from openbook.standards.uk.rules.periods import tender_period

# The method's version: every published rate names it. Bump it with any change that can change
# which processes are flagged, and say what changed in docs/methods/red-flags.md.
METHOD_VERSION = "1"

CARDINAL = "ocdscardinal"
OPENBOOK = "openbook"

# Where a registration day comes from (Registration.source).
INCORPORATED = "incorporated"  # a BODS entity's foundingDate (Companies House: incorporation)
PLATFORM = "platform"  # the day the supplier joined openbook's register of suppliers


class InvalidSetting(ValueError):
    """A red-flag setting openbook cannot use; the message says which and why."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every threshold of the red flags, with its default (docs/methods/red-flags.md,
    "Settings"). ``read_settings`` makes one from a JSON object of these names."""

    # Procurement methods that are competitions (OCDS method codelist), for R018 and
    # uk-single-bid: ocdscardinal's R018 default.
    competitive_methods: tuple[str, ...] = ("open", "selective")
    # R003: a tender period shorter than this many days, in these methods. ocdscardinal's
    # default is 15 days; its documentation excludes methods other than open.
    short_period_days: int = 15
    short_period_methods: tuple[str, ...] = ("open",)
    # R035: how many other tenderers must have had bids disqualified (ocdscardinal's default).
    disqualified_tenderers: int = 1
    # uk-modification-raise: a value raised by more than this share of the original, in
    # percent. The Procurement Act 2023, s.74(4)(a), and the Public Contracts Regulations 2015,
    # reg. 72(5)(b), let a contract change by up to 10% (goods and services) or 15% (works)
    # without a permitted ground; beyond that a ground must be shown.
    modification_percent_goods_services: float = 10.0
    modification_percent_works: float = 15.0
    # uk-new-supplier: awarded within this many days of the supplier being registered.
    new_supplier_days: int = 90
    # Whether joining openbook's register of suppliers counts as being registered, where no
    # incorporation date is known (a weaker sign: every supplier joins before bidding).
    count_platform_registration: bool = True
    # uk-just-under-threshold: an estimated value less than the threshold by at most this
    # share of it, in percent.
    under_threshold_percent: float = 5.0


def read_settings(values: Mapping[str, object]) -> Settings:
    """Settings from a JSON object: the defaults, with the names given replaced. A name that
    is no setting, or a value of the wrong kind, raises ``InvalidSetting``."""
    defaults = Settings()
    known = {item.name: getattr(defaults, item.name) for item in fields(Settings)}
    chosen: dict[str, object] = {}
    for name, value in values.items():
        if name not in known:
            raise InvalidSetting(
                f"{name!r} is no red-flag setting: the settings are {', '.join(known)}"
            )
        chosen[name] = _setting(name, value, known[name])
    return Settings(**chosen)  # type: ignore[arg-type]


def _setting(name: str, value: object, default: object) -> object:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        raise InvalidSetting(f"{name} must be true or false, not {value!r}")
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
        raise InvalidSetting(f"{name} must be a list of strings, not {value!r}")
    number = _number(value)
    if number is not None and number >= 0 and (isinstance(default, float) or number.is_integer()):
        return int(number) if isinstance(default, int) else number
    kind = "a whole number" if isinstance(default, int) else "a number"
    raise InvalidSetting(f"{name} must be {kind}, 0 or more, not {value!r}")


@dataclass(frozen=True, slots=True)
class Debarment:
    """An entry of the central debarment list (Procurement Act 2023, s.62) naming a supplier."""

    entry_id: str  # DEB-000001
    start: str  # YYYY-MM-DD, the first day it applies
    end: str  # YYYY-MM-DD, the last
    ground: str  # mandatory (Schedule 6) or discretionary (Schedule 7)
    reference: str  # the ground's statutory reference


@dataclass(frozen=True, slots=True)
class Registration:
    """When a supplier came into being, as far as the platform knows."""

    day: str  # YYYY-MM-DD
    source: str  # INCORPORATED or PLATFORM
    detail: str  # where it was read, for people: "BODS record GB-COH-01234567"


@dataclass(frozen=True, slots=True)
class Context:
    """What the flags read from the registers (``registers_context``), keyed by a supplier's
    identifier, SCHEME-ID as openbook.standards.identifiers normalises it."""

    debarred: Mapping[str, tuple[Debarment, ...]] = field(default_factory=dict)
    registered: Mapping[str, Registration] = field(default_factory=dict)


def registers_context(
    debarment: Iterable[Mapping],
    suppliers: Iterable[Mapping],
    entities: Iterable[Mapping] = (),
) -> Context:
    """The context from the registers' entries as the API and the bulk files give them
    (registers/debarment.jsonl.gz, registers/suppliers.jsonl.gz), and BODS entity records or
    statements in log order (the last of a ``recordId`` counts), for their ``foundingDate``.
    The platform (openbook.store.flags) and a recomputation from a snapshot both come here.

    Debarment entries count when ``active`` (not suspended or removed). A registered supplier
    is one organisation under all its identifiers, its supplier number and those it
    registered (docs/suppliers.md): what is known under one of them stands under each, as the
    check at publication reads it (openbook.publishing.exclusion). A supplier's registration
    is its incorporation where the ownership data gives it, else the day it joined the
    register of suppliers (its first version's log time, ``created``). Give the entities of
    suppliers only: every company of Companies House would be millions, all kept."""
    aliases: dict[str, frozenset[str]] = {}
    registered: dict[str, Registration] = {}
    for entry in suppliers:
        same = frozenset(
            filter(None, [text(entry.get("id")), *map(text, as_list(entry.get("identifiers")))])
        )
        day = day_of(entry.get("created"))
        for identifier in same:
            aliases[identifier] = aliases.get(identifier, frozenset()) | same
            if day is not None:
                registered[identifier] = Registration(
                    day, PLATFORM, f"joined the register of suppliers as {text(entry.get('id'))}"
                )
    founded = _founded(entities)
    for identifier in {*founded, *aliases}:
        # Its own incorporation, else the earliest of its organisation's other identifiers.
        kin = [founded[alias] for alias in aliases.get(identifier, ()) if alias in founded]
        incorporated = founded.get(identifier) or min(kin, key=lambda r: r.day, default=None)
        if incorporated is not None:
            registered[identifier] = incorporated
    debarred: dict[str, dict[str, Debarment]] = {}
    for entry in debarment:
        ground = as_dict(entry.get("ground"))
        listed = Debarment(text(entry.get("id")), text(entry.get("startDate")),
                           text(entry.get("endDate")), text(ground.get("type")),
                           text(ground.get("reference")))  # fmt: skip
        named = text(as_dict(entry.get("supplier")).get("identifier"))
        if entry.get("status") != "active" or not (named and listed.start and listed.end):
            continue
        for alias in aliases.get(named, frozenset({named})):
            debarred.setdefault(alias, {})[listed.entry_id] = listed
    return Context(
        debarred={key: tuple(found[e] for e in sorted(found)) for key, found in debarred.items()},
        registered=registered,
    )


def _founded(entities: Iterable[Mapping]) -> dict[str, Registration]:
    """The earliest foundingDate of the entity records giving each identifier."""
    newest_of: dict[str, Mapping] = {}
    for record in entities:
        if record.get("recordType") == "entity" and text(record.get("recordId")):
            newest_of[text(record.get("recordId"))] = record
    found: dict[str, Registration] = {}
    for record_id, record in sorted(newest_of.items()):
        day = day_of(as_dict(record.get("recordDetails")).get("foundingDate"))
        if day is None:
            continue
        for identifier in entity_identifiers(dict(record)):
            if identifier not in found or day < found[identifier].day:
                found[identifier] = Registration(
                    day, INCORPORATED, f"foundingDate of BODS record {record_id}"
                )
    return found


@dataclass(frozen=True, slots=True)
class Flag:
    """One red flag raised on a process."""

    flag: str  # the indicator's id: R018, uk-direct-award
    ocid: str
    release_id: str | None  # the release that shows it
    buyer: str  # the buyer's SCHEME-ID, or "name:" and its name's key (milestones.authority_of)
    detail: str  # what was seen, in plain English with the numbers
    values: dict  # the numbers used, by name

    def as_dict(self) -> dict:
        return {
            "flag": self.flag,
            "ocid": self.ocid,
            "releaseId": self.release_id,
            "buyer": self.buyer,
            "detail": self.detail,
            "values": self.values,
            "methodVersion": METHOD_VERSION,
        }


@dataclass(frozen=True, slots=True)
class Indicator:
    """One red flag of the registry: what it is, what it needs, and whether openbook runs it."""

    id: str
    title: str
    source: str  # CARDINAL or OPENBOOK
    needs: tuple[str, ...]  # the OCDS fields or registers it reads
    missing: str  # why it cannot run on a process without them, for a dataset's page
    runs: bool = True  # False: openbook does not compute it per process (``why_not``)
    why_not: str = ""

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "needs": list(self.needs),
            "missing": self.missing,
            "runs": self.runs,
            "whyNot": self.why_not,
            "method": f"docs/methods/red-flags.md#{self.id.lower() if self.runs else _UK_DATA}",
        }


_BIDS = "no bid-level data (bids.details)"
_UK_DATA = "which-of-ocdscardinals-indicators-run-on-uk-data"  # the method's table of them
_DATASET = (
    "computed across a whole dataset (a quartile fence over every process, or for R055 the "
    "largest open tender of a period), not on one process: openbook's flags are per process"
)
_AWARDED = "awards.suppliers; parties.identifier"
# id, title, source, the fields it needs ("; " between), what a process lacks without them.
# ocdscardinal's codes and titles are its own (docs/cli/indicators, open-contracting/cardinal-rs).
_TABLE = (
    ("R003", "Short submission period", CARDINAL,
     "tender.tenderPeriod.startDate; tender.tenderPeriod.endDate; tender.procurementMethod",
     "no tender period with both dates, or no procurement method"),
    ("R018", "Single bid received", CARDINAL,
     "tender.procurementMethod; tender.numberOfTenderers or bids.statistics (bids)",
     "no number of tenderers (tender.numberOfTenderers, bids.statistics 'bids')"),
    ("R024", "Price close to winning bid", CARDINAL, "bids.details; awards", _BIDS),
    ("R025", "Excessive unsuccessful bids", CARDINAL, "bids.details; awards", _BIDS),
    ("R028", "Identical bid prices", CARDINAL, "bids.details", _BIDS),
    ("R030", "Late bid won", CARDINAL, "bids.details; tender.tenderPeriod.endDate; awards", _BIDS),
    ("R035", "All except winning bid disqualified", CARDINAL, "bids.details; awards", _BIDS),
    ("R036", "Lowest bid disqualified", CARDINAL, "bids.details; awards", _BIDS),
    ("R038", "Excessive disqualified bids", CARDINAL, "bids.details", _BIDS),
    ("R044", "Business similarities between tenderers", CARDINAL,
     "parties with the role tenderer, their address and contactPoint",
     "fewer than two tenderers among the parties"),
    ("R048", "Heterogeneous supplier", CARDINAL,
     "awards.items.classification; awards.suppliers", "no classified award items"),
    ("R055", "Large direct award", CARDINAL,
     "tender.value; awards.value; tender.procurementMethod", "no values"),
    ("R058", "Heavily discounted bid", CARDINAL, "bids.details; awards", _BIDS),
    ("uk-single-bid", "Single bid in a competitive procedure", OPENBOOK,
     "tender.procurementMethod; bids.statistics (finalStageBids, bids); tender.numberOfTenderers",
     "no count of bids received"),
    ("uk-direct-award", "Direct award", OPENBOOK,
     "documents.noticeType (UK5, F15); tender.procurementMethod",
     "no notice type and no procurement method"),
    ("uk-short-tender-period", "Tender period shorter than the legal minimum", OPENBOOK,
     "documents.noticeType (UK4, F02); tender.tenderPeriod.endDate",
     "no tender notice with a tender deadline"),
    ("uk-modification-raise", "Contract value raised by modifications beyond the de minimis",
     OPENBOOK, "contracts.value; awards.value", "no contract value"),
    ("uk-new-supplier", "Award to a supplier registered shortly before", OPENBOOK,
     f"{_AWARDED}; ownership data (BODS foundingDate) or the register of suppliers",
     "no identified supplier of an award"),
    ("uk-just-under-threshold", "Estimated value just under a threshold", OPENBOOK,
     "tender.value; tender.mainProcurementCategory; the buyer's classification",
     "no estimated value in pounds (tender.value)"),
    ("uk-debarred-supplier", "Award to a supplier on the debarment list", OPENBOOK,
     f"{_AWARDED}; the central debarment list", "no identified supplier of an award"),
)  # fmt: skip
# Outliers across a dataset: listed, with what they need, but not run per process.
_NOT_PER_PROCESS = frozenset({"R024", "R025", "R038", "R048", "R055", "R058"})

#: Every red flag, cardinal's and the UK's, by id, in the order flags are reported.
REGISTRY: dict[str, Indicator] = {
    code: Indicator(
        code,
        title,
        source,
        tuple(needs.split("; ")),
        missing,
        runs=code not in _NOT_PER_PROCESS,
        why_not=_DATASET if code in _NOT_PER_PROCESS else "",
    )
    for code, title, source, needs, missing in _TABLE
}


# What a flag's reader yields: the release that shows it, the detail, the values.
_Raised = tuple[str | None, str, dict]


# Reading a process ---------------------------------------------------------------------------

_VALID = ("valid", "qualified")  # ocdscardinal reads both (its issue 18)
_DISQUALIFIED = ("disqualified",)
_SUBMITTED = (*_VALID, *_DISQUALIFIED, "pending")  # "invited" and "withdrawn" were not bids
_KINDS = {
    thresholds.WORKS: "works",
    thresholds.GOODS_SERVICES: "goods and services",
    thresholds.LIGHT_TOUCH: "light touch",
}
_AUTHORITIES = {
    thresholds.CENTRAL: "central government",
    thresholds.SUB_CENTRAL: "sub-central",
    thresholds.UTILITIES: "utilities",
}


def buyer_of(process: Process) -> str:
    """The key flags and rates are grouped by, as the milestones' figures name an authority:
    the buyer's SCHEME-ID, else ``name:`` and its name's key; "" if no release names one."""
    return authority_of(process)[0]


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _moment(value: object) -> datetime | None:
    moment = utc(value)
    return datetime.fromisoformat(moment[:19]) if moment else None


def _money(amount: float, currency: str = "GBP") -> str:
    figure = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"£{figure}" if currency in ("GBP", "") else f"{figure} {currency}"


def _ids(parties: object) -> set[str]:
    return {text(party.get("id")) for party in dicts(parties) if text(party.get("id"))}


def _awards_said(body: dict) -> set[str]:
    """What awarded_suppliers reads of a release's awards, as text: each award's id, status
    and date with each supplier's reference and party."""
    awards = dicts(body.get("awards"))
    if not awards:
        return set()
    parties = {text(party.get("id")): party for party in dicts(body.get("parties"))}
    return {
        repr((award.get("id"), award.get("status"), award.get("date"), body.get("date"),
              supplier, parties.get(text(supplier.get("id")))))
        for award in awards
        for supplier in dicts(award.get("suppliers"))
    }  # fmt: skip


class _Reading:
    """What the flags read of one process: each part read once, and only when asked for."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self.releases = process.releases
        self.contexts: dict[int, NoticeContext] = {}

    def newest(self, *path: str) -> tuple[object, str | None]:
        """The newest value at ``path`` and the id of the release that gives it."""
        for release in reversed(self.releases):
            value: object = release.body
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value is not None:
                return value, release.id
        return None, None

    @cached_property
    def method(self) -> str:
        return text(newest(self.releases, "tender", "procurementMethod"))

    @cached_property
    def mentions(self) -> list[list[NoticeMention]]:
        return [notice_mentions(release.body) for release in self.releases]

    @cached_property
    def codes(self) -> set[str]:
        return {mention.code for found in self.mentions for mention in found}

    def context(self, index: int) -> NoticeContext:
        """The notice rules' view of release ``index``, the releases before it its history."""
        if index not in self.contexts:
            self.contexts[index] = self._context(index)
        return self.contexts[index]

    def _context(self, index: int) -> NoticeContext:
        bodies = [release.body for release in self.releases[: index + 1]]
        earlier = tuple(mention for found in self.mentions[:index] for mention in found)
        try:
            mention = own_notice_mention(bodies[-1], frozenset(m.code for m in earlier))
        except AmbiguousNoticeType:
            mention = None
        notice = NOTICE_TYPES.get(mention.code) if mention is not None else None
        regime = legal_regime(bodies[-1], bodies[:-1])
        calendar = default_calendar()
        return NoticeContext(bodies[-1], bodies[:-1], notice, mention, regime, earlier, calendar,
                             None)  # fmt: skip

    def last_own(self, code: str) -> NoticeContext | None:
        """The rules' view of the newest release whose own notice is ``code``."""
        for index in range(len(self.releases) - 1, -1, -1):
            if any(mention.code == code for mention in self.mentions[index]):
                ctx = self.context(index)
                if ctx.notice is not None and ctx.notice.code == code:
                    return ctx
        return None

    @cached_property
    def statistics(self) -> dict[tuple[str, str], tuple[int, str]]:
        """Bids received, (measure, lot): (count, release id), "bids" and the UK extension's
        "finalStageBids", the newest release's count winning. A statistic without a
        ``relatedLot`` is about its release's awards' lots, else the whole process ("")."""
        found: dict[tuple[str, str], tuple[int, str]] = {}
        for release in self.releases:
            for stat in dicts(as_dict(release.body.get("bids")).get("statistics")):
                measure, value = text(stat.get("measure")), _count(stat.get("value"))
                if value is None or measure not in ("bids", "finalStageBids"):
                    continue
                lots = {text(lot) for award in dicts(release.body.get("awards"))
                        for lot in as_list(award.get("relatedLots"))} - {""}  # fmt: skip
                lot = text(stat.get("relatedLot")) or ", ".join(sorted(lots))
                found[(measure, lot)] = (value, release.id)
        return found

    @cached_property
    def bids(self) -> list[dict]:
        """bids.details, as the newest release that gives them has them."""
        return dicts(self.newest("bids", "details")[0])

    @property
    def bids_release(self) -> str | None:
        return self.newest("bids", "details")[1]

    def bids_of(self, *statuses: str) -> list[dict]:
        return [bid for bid in self.bids if text(bid.get("status")).lower() in statuses]

    def tenderers_of(self, bids: Iterable[dict]) -> set[str]:
        return set().union(*(_ids(bid.get("tenderers")) for bid in bids))

    @cached_property
    def awards(self) -> list[dict]:
        """Each award as its newest release gives it (awards merge by id)."""
        found: dict[str, dict] = {}
        for release in self.releases:
            found.update((text(a.get("id")), a) for a in dicts(release.body.get("awards")))
        return list(found.values())

    @cached_property
    def winners(self) -> set[str]:
        """The supplier ids of active awards."""
        active = (a for a in self.awards if a.get("status") == "active")
        return set().union(*(_ids(award.get("suppliers")) for award in active))

    @cached_property
    def awarded(self) -> list[tuple[AwardedSupplier, str]]:
        """Each identified supplier of each award, once, with the first release naming it."""
        found: dict[tuple[str, tuple[str, ...]], tuple[AwardedSupplier, str]] = {}
        read: set[str] = set()
        for release in self.releases:
            # Notices repeat their process's awards: a release saying nothing new of them is
            # not read again (telling the suppliers' identifiers is the costly part).
            said = _awards_said(release.body)
            if said <= read:
                continue
            read |= said
            for supplier in awarded_suppliers(release.body):
                key = (supplier.award_id, supplier.identifiers)
                found.setdefault(key, (supplier, release.id))
        return list(found.values())

    @cached_property
    def contract_values(self) -> dict[str, list[tuple[float, str, str]]]:
        """Each contract's values in log order, (amount, currency, release id), kept only when
        they change; its award's first value first where the contract was first published
        with a change (``amendments``), its value before the change not otherwise known."""
        awarded: dict[str, tuple[float, str, str]] = {}
        found: dict[str, list[tuple[float, str, str]]] = {}
        for release in self.releases:
            for award in dicts(release.body.get("awards")):
                value = as_dict(award.get("value"))
                amount = _number(value.get("amount"))
                if amount is not None:
                    first = (amount, text(value.get("currency")), release.id)
                    awarded.setdefault(text(award.get("id")), first)
            for contract in dicts(release.body.get("contracts")):
                key, value = text(contract.get("id")), as_dict(contract.get("value"))
                amount = _number(value.get("amount"))
                if not key or amount is None:
                    continue
                seen = found.setdefault(key, [])
                baseline = awarded.get(text(contract.get("awardID")))
                if not seen and baseline and dicts(contract.get("amendments")):
                    seen.append(baseline)  # first published with a change: the award's value
                if not seen or seen[-1][:2] != (amount, text(value.get("currency"))):
                    seen.append((amount, text(value.get("currency")), release.id))
        return found

    @cached_property
    def tenderers(self) -> dict[str, dict]:
        """The parties with the role tenderer, each as the newest release gives it."""
        found: dict[str, dict] = {}
        for release in self.releases:
            for party in dicts(release.body.get("parties")):
                if "tenderer" in as_list(party.get("roles")) and text(party.get("id")):
                    found[text(party.get("id"))] = party
        return found

    @cached_property
    def estimate(self) -> tuple[float | None, float | None, str | None]:
        """(amount, amountGross, release id) of the newest tender value, if in pounds."""
        value, release_id = self.newest("tender", "value")
        value = as_dict(value)
        if text(value.get("currency")) not in ("GBP", ""):
            return None, None, None
        return _number(value.get("amount")), _number(value.get("amountGross")), release_id


# ocdscardinal's indicators (docs/cli/indicators in open-contracting/cardinal-rs) -------------


def _r003(read: _Reading, settings: Settings) -> Iterator[_Raised]:
    # R003: tenderPeriod.endDate less startDate, in whole days, under the threshold.
    start = _moment(read.newest("tender", "tenderPeriod", "startDate")[0])
    end_value, release_id = read.newest("tender", "tenderPeriod", "endDate")
    end = _moment(end_value)
    if read.method not in settings.short_period_methods or start is None or end is None:
        return
    days = (end - start).days
    if days < settings.short_period_days:
        yield (
            release_id,
            f"a tender period of {days} days (tender.tenderPeriod) in an {read.method} "
            f"procedure, under {settings.short_period_days} days",
            {"days": days, "threshold": settings.short_period_days, "method": read.method},
        )


def _r018(read: _Reading, settings: Settings) -> Iterator[_Raised]:
    # R018: one tenderer in a competitive method. ocdscardinal reads tender.numberOfTenderers;
    # openbook reads the process-wide bids statistic "bids" (bids received) where that is absent.
    if read.method not in settings.competitive_methods:
        return
    number, release_id = read.newest("tender", "numberOfTenderers")
    where = "tender.numberOfTenderers"
    if _count(number) is None:
        number, release_id = read.statistics.get(("bids", ""), (None, None))
        where = "bids.statistics, measure 'bids'"
    if _count(number) == 1:
        yield (
            release_id,
            f"1 tenderer ({where}) in an {read.method} procedure",
            {"tenderers": 1, "method": read.method},
        )


def _r028(read: _Reading) -> Iterator[_Raised]:
    # R028: different tenderers bid the same price.
    by_price: dict[tuple[float, str], set[str]] = {}
    for bid in read.bids_of(*_SUBMITTED):
        value = as_dict(bid.get("value"))
        amount = _number(value.get("amount"))
        if amount is not None:
            price = (amount, text(value.get("currency")))
            by_price.setdefault(price, set()).update(_ids(bid.get("tenderers")))
    for (amount, currency), tenderers in sorted(by_price.items()):
        if len(tenderers) > 1:
            yield (
                read.bids_release,
                f"{len(tenderers)} tenderers bid the same price, {_money(amount, currency)}: "
                f"{', '.join(sorted(tenderers))}",
                {"amount": amount, "currency": currency, "tenderers": sorted(tenderers)},
            )


def _r030(read: _Reading) -> Iterator[_Raised]:
    # R030: a valid bid received after the deadline, from a supplier of an active award.
    deadline_value = read.newest("tender", "tenderPeriod", "endDate")[0]
    deadline = _moment(deadline_value)
    for bid in read.bids_of(*_VALID) if deadline is not None else ():
        received = _moment(bid.get("date"))
        late = _ids(bid.get("tenderers")) & read.winners
        if received is not None and deadline is not None and received > deadline and late:
            hours = round((received - deadline).total_seconds() / 3600, 1)
            yield (
                read.bids_release,
                f"the winning bid of {', '.join(sorted(late))} was received {hours:g} hours "
                f"after the deadline, {utc(deadline_value)}",
                {"received": utc(bid.get("date")), "deadline": utc(deadline_value),
                 "hoursLate": hours, "tenderers": sorted(late)},
            )  # fmt: skip
            return


def _r035(read: _Reading, settings: Settings) -> Iterator[_Raised]:
    # R035: one tenderer's bids are the only valid ones, it won every active award, and at
    # least the threshold of other tenderers had bids disqualified. A pending award excludes.
    if any(award.get("status") == "pending" for award in read.awards):
        return
    valid = read.tenderers_of(read.bids_of(*_VALID))
    if len(valid) != 1 or read.winners != valid:
        return
    others = read.tenderers_of(read.bids_of(*_DISQUALIFIED)) - valid
    if len(others) >= settings.disqualified_tenderers:
        yield (
            read.bids_release,
            f"every bid but the winner's was disqualified: {len(others)} other tenderers "
            f"disqualified, {next(iter(valid))} the one valid bidder",
            {"disqualifiedTenderers": len(others), "threshold": settings.disqualified_tenderers},
        )


def _r036(read: _Reading) -> Iterator[_Raised]:
    # R036: with an active award, the lowest submitted bid was disqualified.
    priced = [
        (amount, bid)
        for bid in read.bids_of(*_SUBMITTED)
        if (amount := _number(as_dict(bid.get("value")).get("amount"))) is not None
    ]
    if not priced or not any(award.get("status") == "active" for award in read.awards):
        return
    lowest = min(amount for amount, _ in priced)
    for amount, bid in priced:
        if amount == lowest and text(bid.get("status")).lower() in _DISQUALIFIED:
            currency = text(as_dict(bid.get("value")).get("currency"))
            who = ", ".join(sorted(_ids(bid.get("tenderers")))) or "a tenderer not named"
            yield (
                read.bids_release,
                f"the lowest bid, {_money(amount, currency)} from {who}, was disqualified",
                {"amount": amount, "currency": currency, "bid": text(bid.get("id"))},
            )
            return


def _likeness(party: dict) -> set[tuple[str, str]]:
    """What R044 compares of a tenderer: its whole address (one with a street), its contact
    point's email and telephone; as written, in lower case."""
    address, contact = as_dict(party.get("address")), as_dict(party.get("contactPoint"))
    found = set()
    if text(address.get("streetAddress")).strip():
        parts = ("streetAddress", "locality", "region", "postalCode", "countryName")
        found.add(("address", " ".join(text(address.get(p)).strip().lower() for p in parts)))
    for name in ("email", "telephone"):
        if text(contact.get(name)).strip():
            found.add((name, text(contact.get(name)).strip().lower()))
    return found


def _r044(read: _Reading) -> Iterator[_Raised]:
    # R044: different tenderers of one process give the same address or contact details.
    shared: dict[tuple[str, str], set[str]] = {}
    for key, party in read.tenderers.items():
        for trait in _likeness(party):
            shared.setdefault(trait, set()).add(key)
    for (what, _), parties in sorted(shared.items()):
        if len(parties) > 1:
            yield (
                None,
                f"{len(parties)} tenderers give the same {what}: {', '.join(sorted(parties))}",
                {"field": what, "tenderers": sorted(parties)},
            )


# The UK's flags ------------------------------------------------------------------------------


def _single_bid(read: _Reading, settings: Settings) -> Iterator[_Raised]:
    # One tender in a competition: for each lot (or award notice), the tenders received at the
    # final stage (the UK extension's finalStageBids), else all bids received; without
    # statistics, the tender's numberOfTenderers.
    if read.method not in settings.competitive_methods:
        return
    stats = read.statistics
    for lot in sorted({lot for _, lot in stats}):
        measure = "finalStageBids" if ("finalStageBids", lot) in stats else "bids"
        value, release_id = stats[(measure, lot)]
        if value == 1:
            yield (
                release_id,
                f"1 tender received for {f'lot {lot}' if lot else 'the procurement'} "
                f"(bids.statistics, {measure}) in an {read.method} procedure",
                {"tenders": 1, "lot": lot or None, "measure": measure, "method": read.method},
            )
    number, given_in = read.newest("tender", "numberOfTenderers")
    if not stats and _count(number) == 1:
        yield (
            given_in,
            f"1 tenderer (tender.numberOfTenderers) in an {read.method} procedure",
            {"tenders": 1, "lot": None, "measure": "numberOfTenderers", "method": read.method},
        )


# The Act's transparency notice (s.44) and the 2015 regulations' voluntary ex ante
# transparency notice announce a direct award.
_DIRECT_NOTICES = ("UK5", "F15")
_DIRECT_METHODS = ("direct", "limited")  # OCDS: one supplier; suppliers the buyer chose


def _direct_award(read: _Reading) -> Iterator[_Raised]:
    # Awarded without competition (the Act, ss.41-43; PCR 2015, reg. 32). A call-off under a
    # framework is not flagged: its competition was the framework's.
    named = sorted(read.codes & set(_DIRECT_NOTICES))
    if not named and read.method not in _DIRECT_METHODS:
        return  # neither of what is_direct_award reads: no need to build the rules' view
    ctx = read.context(len(read.releases) - 1)
    if not (named or is_direct_award(ctx)) or is_framework_call_off(ctx):
        return
    rationale = text(latest(ctx, "tender", "procurementMethodRationale")).strip()
    legal_basis = text(latest(ctx, "tender", "procurementMethodRationaleLegalBasis")).strip()
    said = [f"a {NOTICE_TYPES[code].label}" for code in named]
    said += [f"procurement method '{read.method}'"] if read.method else []
    release_id = next(
        (release.id for release, found in zip(read.releases, read.mentions, strict=True)
         if any(mention.code in _DIRECT_NOTICES for mention in found)),
        read.newest("tender", "procurementMethod")[1],
    )  # fmt: skip
    reason = f"; the reason given: {rationale[:300]}" if rationale else "; no reason given"
    yield (
        release_id,
        f"awarded without competition: {' and '.join(said)}{reason}",
        {"notices": named, "method": read.method or None, "rationale": rationale or None,
         "legalBasis": legal_basis or None},
    )  # fmt: skip


def _short_tender_period(read: _Reading) -> Iterator[_Raised]:
    ctx = read.last_own("UK4")
    if ctx is not None and ctx.regime.regime == PA2023:
        # The Act's minimum (s.54(3)-(5)), exactly as the notice rules compute it.
        period = tender_period(ctx)
        if period is not None and period.days < period.minimum:
            yield (
                text(ctx.release.get("id")) or None,
                f"a tendering period of {period.days} days from the tender notice of "
                f"{period.invited.isoformat()}; the Procurement Act 2023's minimum "
                f"{period.when} is {period.minimum} days (s.54), 10 in a state of urgency",
                {"days": period.days, "minimum": period.minimum,
                 "invited": period.invited.isoformat(), "regime": PA2023},
            )  # fmt: skip
        return
    ctx = read.last_own("F02")
    if ctx is not None and ctx.regime.regime == PCR2015:
        yield from _pcr_open_period(read, ctx)


def _pcr_open_period(read: _Reading, ctx: NoticeContext) -> Iterator[_Raised]:
    # Public Contracts Regulations 2015, reg. 27: tenders in an open procedure are due at least
    # 35 days from the day the contract notice is sent (27(2)), 30 where they may be sent
    # electronically (27(6)), as reg. 22 has required of all since 18 October 2018. A prior
    # information notice (27(4)) or urgency (27(5)) allows 15: the data does not show either.
    if latest(ctx, "tender", "procurementMethod") != "open":
        return
    if is_below_threshold(ctx) or is_light_touch(ctx):
        return
    deadline = parse_moment(value_at(ctx.release, "tender", "tenderPeriod", "endDate"))
    sent = [mention.published for found in read.mentions for mention in found
            if mention.code == "F02" and mention.published is not None]  # fmt: skip
    if deadline is None or not sent:
        return
    first = ctx.calendar.london_date(min(sent))
    days = (ctx.calendar.london_date(deadline) - first).days
    methods = latest(ctx, "tender", "submissionMethod")
    paper = isinstance(methods, list) and bool(methods) and "electronicSubmission" not in methods
    minimum = 35 if paper else 30
    if days < minimum:
        yield (
            text(ctx.release.get("id")) or None,
            f"tenders due {days} days after the contract notice of {first.isoformat()} in an "
            f"open procedure; the Public Contracts Regulations 2015 ask for {minimum} days "
            "(reg. 27), 15 after a prior information notice or in urgency",
            {"days": days, "minimum": minimum, "invited": first.isoformat(), "regime": PCR2015},
        )


def _modification_raise(read: _Reading, settings: Settings) -> Iterator[_Raised]:
    # The net change from the value first published, all modifications together (PCR 2015,
    # reg. 72(5), assesses successive modifications on their net cumulative value).
    kind = thresholds.contract_kind(read.process)
    works = kind == thresholds.WORKS
    what = "works" if works else "goods or services"
    limit = (
        settings.modification_percent_works
        if works
        else settings.modification_percent_goods_services
    )
    for key, values in sorted(read.contract_values.items()):
        (first, currency, _), (last, last_currency, release_id) = values[0], values[-1]
        if len(values) < 2 or currency != last_currency or first <= 0:
            continue
        percent = round((last - first) / first * 100, 1)
        changes = len(values) - 1
        if percent > limit:
            yield (
                release_id,
                f"contract {key}'s value rose from {_money(first, currency)} to "
                f"{_money(last, currency)}, {percent:g}% more, in {changes} "
                f"change{'s' if changes > 1 else ''}; a {what} "
                f"contract may change by up to {limit:g}% without a permitted ground "
                "(Procurement Act 2023, s.74(4); Public Contracts Regulations 2015, reg. 72(5))",
                {"contract": key, "original": first, "current": last, "currency": currency,
                 "percent": percent, "limit": limit, "changes": changes},
            )  # fmt: skip


def _new_supplier(read: _Reading, context: Context, settings: Settings) -> Iterator[_Raised]:
    for supplier, release_id in read.awarded:
        known = [
            (identifier, registration)
            for identifier in supplier.identifiers
            if (registration := context.registered.get(identifier)) is not None
            and (settings.count_platform_registration or registration.source != PLATFORM)
        ]
        if not known:
            continue
        # An incorporation date says more than the day a supplier joined the platform.
        identifier, registration = min(known, key=lambda pair: pair[1].source != INCORPORATED)
        days = (date.fromisoformat(supplier.day) - date.fromisoformat(registration.day)).days
        if 0 <= days <= settings.new_supplier_days:
            how = "incorporated" if registration.source == INCORPORATED else "registered here"
            yield (
                release_id,
                f"award {supplier.award_id} of {supplier.day} went to {supplier.name} "
                f"({identifier}), {how} {days} days before, on {registration.day} "
                f"({registration.detail})",
                {"award": supplier.award_id, "supplier": identifier, "awardDate": supplier.day,
                 "registered": registration.day, "source": registration.source, "days": days,
                 "threshold": settings.new_supplier_days},
            )  # fmt: skip


def _debarred_supplier(read: _Reading, context: Context) -> Iterator[_Raised]:
    # The Act, s.57 and s.62: a supplier on the debarment list on the day of the award.
    for supplier, release_id in read.awarded:
        applying = [
            (identifier, entry)
            for identifier in supplier.identifiers
            for entry in context.debarred.get(identifier, ())
            if entry.start <= supplier.day <= entry.end
        ]
        if not applying:
            continue
        identifier, entry = applying[0]
        reason = "with a reason stated" if supplier.rationale else "with no reason stated"
        yield (
            release_id,
            f"award {supplier.award_id} of {supplier.day} went to {supplier.name} ({identifier}), "
            f"on the central debarment list that day ({entry.entry_id}: {entry.ground} ground, "
            f"{entry.reference}; {entry.start} to {entry.end}), {reason}",
            {"award": supplier.award_id, "supplier": identifier, "awardDate": supplier.day,
             "entry": entry.entry_id, "ground": entry.ground, "start": entry.start,
             "end": entry.end, "rationaleGiven": supplier.rationale is not None},
        )  # fmt: skip


def _just_under(read: _Reading, settings: Settings) -> Iterator[_Raised]:
    # A value set just under a threshold keeps a procurement from the law's duties to compete
    # and publish. Compared on the threshold's footing, as thresholds.valuation compares: with
    # VAT where the threshold includes it and the data gives it.
    net, gross, release_id = read.estimate
    day = thresholds.started(read.process)
    if day is None or (net is None and gross is None):
        return
    kind, authority = (
        thresholds.contract_kind(read.process),
        thresholds.authority_kind(read.process),
    )
    found = thresholds.threshold(day, kind=kind, authority=authority)
    if found is None:
        return
    amount: float | None
    if found.includes_vat and gross is not None:
        amount, footing = gross, "including VAT (tender.value.amountGross)"
    elif found.includes_vat:
        amount, footing = net, "as given, VAT not stated (tender.value.amount)"
    else:
        amount, footing = net, "excluding VAT (tender.value.amount)"
    if amount is None:
        return
    below = found.amount - amount
    if 0 < below <= found.amount * settings.under_threshold_percent / 100:
        percent = round(below / found.amount * 100, 1)
        yield (
            release_id,
            f"an estimated value of {_money(amount)} {footing}, {percent:g}% under the "
            f"{_money(found.amount)} threshold for {_KINDS[kind]} contracts of "
            f"{_AUTHORITIES[authority]} authorities in force from {found.in_force_from} "
            f"({found.source})",
            {"amount": amount, "threshold": found.amount, "percent": percent,
             "band": settings.under_threshold_percent, "includesVat": found.includes_vat,
             "kind": kind, "authority": authority, "inForceFrom": found.in_force_from},
        )  # fmt: skip


# A process's flags and coverage ----------------------------------------------------------------


def flags(process: Process, context: Context, settings: Settings) -> list[Flag]:
    """Every red flag raised on the process, in REGISTRY order."""
    return assess(process, context, settings)[0]


def coverage(process: Process) -> dict[str, bool]:
    """For every indicator of REGISTRY, whether this process carries the data it needs (False
    for those openbook does not run per process)."""
    return _coverage(_Reading(process))


def assess(
    process: Process, context: Context, settings: Settings
) -> tuple[list[Flag], dict[str, bool]]:
    """``flags`` and ``coverage`` at once, reading the process once."""
    read = _Reading(process)
    found: dict[str, Iterator[_Raised]] = {
        "R003": _r003(read, settings),
        "R018": _r018(read, settings),
        "R044": _r044(read),
        "uk-single-bid": _single_bid(read, settings),
        "uk-direct-award": _direct_award(read),
        "uk-short-tender-period": _short_tender_period(read),
        "uk-modification-raise": _modification_raise(read, settings),
        "uk-just-under-threshold": _just_under(read, settings),
    }
    if read.bids:
        found |= {
            "R028": _r028(read),
            "R030": _r030(read),
            "R035": _r035(read, settings),
            "R036": _r036(read),
        }
    if context.registered:
        found["uk-new-supplier"] = _new_supplier(read, context, settings)
    if context.debarred:
        found["uk-debarred-supplier"] = _debarred_supplier(read, context)
    buyer = buyer_of(process)
    raised = [
        Flag(code, process.ocid, release_id, buyer, detail, values)
        for code in REGISTRY
        if code in found
        for release_id, detail, values in found[code]
    ]
    return raised, _coverage(read)


def _coverage(read: _Reading) -> dict[str, bool]:
    def given(*path: str) -> bool:
        return read.newest(*path)[0] is not None

    deadline = given("tender", "tenderPeriod", "endDate")
    number = _count(read.newest("tender", "numberOfTenderers")[0]) is not None
    suppliers = any(dicts(award.get("suppliers")) for award in read.awards)
    runs: dict[str, Callable[[], bool]] = {
        "R003": lambda: (
            bool(read.method) and deadline and given("tender", "tenderPeriod", "startDate")
        ),
        "R018": lambda: bool(read.method) and (number or ("bids", "") in read.statistics),
        "R028": lambda: bool(read.bids),
        "R030": lambda: bool(read.bids) and deadline,
        "R035": lambda: bool(read.bids),
        "R036": lambda: bool(read.bids),
        "R044": lambda: len(read.tenderers) > 1,
        "uk-single-bid": lambda: bool(read.method) and (bool(read.statistics) or number),
        "uk-direct-award": lambda: bool(read.method or read.codes),
        "uk-short-tender-period": lambda: deadline and bool(read.codes & {"UK4", "F02"}),
        "uk-modification-raise": lambda: bool(read.contract_values),
        "uk-new-supplier": lambda: suppliers,
        "uk-just-under-threshold": lambda: read.estimate[:2] != (None, None),
        "uk-debarred-supplier": lambda: suppliers,
    }
    return {code: code in runs and runs[code]() for code in REGISTRY}


@dataclass(slots=True)
class Rate:
    """How often a flag was raised among the processes it could run on."""

    runs: int = 0  # processes carrying the data it needs
    raised: int = 0  # processes it was raised on

    @property
    def rate(self) -> float | None:
        return self.raised / self.runs if self.runs else None


def rates(
    results: Iterable[tuple[str, Mapping[str, bool], Sequence[Flag]]],
) -> dict[str, dict[str, Rate]]:
    """Rates per buyer, from each process's (buyer, coverage, flags): for each buyer and flag,
    the processes it ran on and those it was raised on (once however often it was raised)."""
    found: dict[str, dict[str, Rate]] = {}
    for buyer, covered, raised in results:
        per_flag = found.setdefault(buyer, {})
        flagged = {item.flag for item in raised}
        for code, runs in covered.items():
            if runs or code in flagged:
                rate = per_flag.setdefault(code, Rate())
                rate.runs += 1
                rate.raised += code in flagged
    return found
