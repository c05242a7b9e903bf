"""What the red flags read (openbook.standards.metrics.flags): a process, each part of it read
once and only when a flag asks (``Reading``); what the registers say of its suppliers
(``Context``, from ``registers_context``); and the thresholds the flags are set with
(``Settings``). Apart from the flags so that the registry (flags) and its rules (cardinal,
uk_flags) all read them without importing one another. Pure.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import cached_property

from openbook.standards.bods.ownership import entity_identifiers
from openbook.standards.days import day_of
from openbook.standards.metrics.process import Process, newest
from openbook.standards.ocds.shapes import as_dict, as_list, dicts, number, text
from openbook.standards.registers.debarment import AwardedSupplier, awarded_suppliers
from openbook.standards.uk.notices import (
    NOTICE_TYPES,
    AmbiguousNoticeType,
    NoticeMention,
    legal_regime,
    notice_mentions,
    own_notice_mention,
)
from openbook.standards.uk.rules.context import NoticeContext, default_calendar

# The thresholds (Settings) -------------------------------------------------------------------


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
    given = number(value)
    if given is not None and given >= 0 and (isinstance(default, float) or given.is_integer()):
        return int(given) if isinstance(default, int) else given
    kind = "a whole number" if isinstance(default, int) else "a number"
    raise InvalidSetting(f"{name} must be {kind}, 0 or more, not {value!r}")


# The registers (Context) ---------------------------------------------------------------------

# Where a registration day comes from (Registration.source).
INCORPORATED = "incorporated"  # a BODS entity's foundingDate (Companies House: incorporation)
PLATFORM = "platform"  # the day the supplier joined openbook's register of suppliers


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
    is one organisation under its supplier number and its verified identifiers
    (docs/suppliers.md): what is known under one of them stands under each, as the check at
    publication reads it (openbook.publishing.exclusion). Not under an identifier it declared
    itself and no administrator verified (``selfDeclared``, a claim): a supplier claiming
    another company's number would otherwise pass its debarment and its joining day to that
    company's awards (method version 2). A supplier's registration is its incorporation where
    the ownership data gives it, else the day it joined the register of suppliers (its first
    version's log time, ``created``). Give the entities of suppliers only: every company of
    Companies House would be millions, all kept."""
    aliases: dict[str, frozenset[str]] = {}
    registered: dict[str, Registration] = {}
    for entry in suppliers:
        # Its claims (openbook.standards.registers.suppliers.self_declared), read as a damaged
        # bulk file may give them.
        claimed = set(map(text, as_list(entry.get("selfDeclared"))))
        verified = [i for i in map(text, as_list(entry.get("identifiers"))) if i not in claimed]
        same = frozenset(filter(None, [text(entry.get("id")), *verified]))
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


# The process (Reading) -----------------------------------------------------------------------

# What a flag's reader yields: the release that shows it, the detail, the values.
Raised = tuple[str | None, str, dict]


def count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def money(amount: float, currency: str = "GBP") -> str:
    figure = f"{amount:,.0f}" if amount == int(amount) else f"{amount:,.2f}"
    return f"£{figure}" if currency in ("GBP", "") else f"{figure} {currency}"


def ids(parties: object) -> set[str]:
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


class Reading:
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
                measure, value = text(stat.get("measure")), count(stat.get("value"))
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
        return set().union(*(ids(bid.get("tenderers")) for bid in bids))

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
        return set().union(*(ids(award.get("suppliers")) for award in active))

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
                amount = number(value.get("amount"))
                if amount is not None:
                    first = (amount, text(value.get("currency")), release.id)
                    awarded.setdefault(text(award.get("id")), first)
            for contract in dicts(release.body.get("contracts")):
                key, value = text(contract.get("id")), as_dict(contract.get("value"))
                amount = number(value.get("amount"))
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
        return (
            number(value.get("amount")),
            number(value.get("amountGross")),
            release_id,
        )
