"""The UK's procurement notice types, how each maps to OCDS, and which legal regime a process is in.

A notice published on the Find a Tender Service is an OCDS release whose documents say which
notice it is: ``documents[].noticeType`` (the UK OCDS extension, ``Document.noticeType``), such as
"UK4" for a tender notice. ``find_notice_type`` reads it; ``NOTICE_TYPES`` describes every type
openbook knows, with the law that requires it and the OCDS release tags it maps to
(``docs/notices.md`` is the same table for people).

Two families of notice types are known:

- the Procurement Act 2023 notices, UK1 to UK17, for procurements started on or after
  24 February 2025 (regime ``PA2023``);
- the standard forms F01 to F25 that procurements started earlier keep using (the Public
  Contracts Regulations 2015 and their siblings for utilities, concessions, and defence and
  security, regime ``PCR2015``): the Find a Tender Service's "Notice types and sequences" guidance
  says that once a procurement has a notice under earlier legislation, all its further notices
  are of that legislation's types.

Devolved Scottish authorities are outside the Act (section 2(5)(a)) and publish under Scottish
rules; ``legal_regime`` says so and the notice rules leave them alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

PA2023 = "PA2023"
PCR2015 = "PCR2015"
SCOTLAND = "SCOTLAND"
#: Every regime ``legal_regime`` can answer, in plain words.
REGIMES = {
    PA2023: "the Procurement Act 2023",
    PCR2015: "the Public Contracts Regulations 2015 (or the other regulations in force before "
    "24 February 2025)",
    SCOTLAND: "Scottish procurement rules (devolved Scottish authorities are outside the "
    "Procurement Act 2023)",
}

#: The first day of the Act's regime: procurements started on or after this day use its notices
#: (Find a Tender Service, "Notice types and sequences"). The UK was on GMT (UTC) that day, so
#: the London day starts at midnight UTC.
ACT_START = date(2025, 2, 24)
_ACT_START_MOMENT = datetime(2025, 2, 24, tzinfo=UTC)
_LONDON = ZoneInfo("Europe/London")  # for naming a day in messages; counting is calendar.py's

PROCESS = "process"
AUTHORITY = "authority"

# Where an OCDS release carries documents (with the UK extension's ``noticeType``).
_DOCUMENT_LISTS = ("planning", "tender", "awards", "contracts")


class UnknownNoticeType(LookupError):
    """A ``noticeType`` value that is not one of ``NOTICE_TYPES``."""

    def __init__(self, code: str, path: str) -> None:
        super().__init__(f"unknown notice type {code!r} at {path}")
        self.code = code
        self.path = path


class AmbiguousNoticeType(ValueError):
    """A release whose documents name several notice types, none of them clearly its own."""

    def __init__(self, codes: Sequence[str]) -> None:
        super().__init__(f"the release names several notice types: {', '.join(codes)}")
        self.codes = tuple(codes)


@dataclass(frozen=True, slots=True)
class NoticeType:
    """One kind of notice, as the law names it and as openbook maps it to OCDS."""

    code: str  # as Find a Tender publishes it in documents[].noticeType, such as "UK4"
    name: str
    regime: str  # PA2023 or PCR2015
    requirement: str  # the section or regulation that requires (or allows) the notice
    level: str  # PROCESS, or AUTHORITY for notices about the authority, not one procurement
    release_tags: tuple[str, ...]  # the OCDS release tags this notice may carry ( () = any)
    fills: tuple[str, ...]  # the OCDS sections and fields the notice fills
    document_type: str | None  # the documentType openbook gives the notice's document
    preceded_by: tuple[str, ...] = ()  # notices that may come before it in the same process
    unconfirmed: str = ""  # what about this entry could not be confirmed from a source

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


def _act(
    code: str,
    name: str,
    requirement: str,
    *,
    tags: tuple[str, ...],
    fills: tuple[str, ...],
    document_type: str | None,
    preceded_by: tuple[str, ...] = (),
    level: str = PROCESS,
    unconfirmed: str = "",
) -> NoticeType:
    return NoticeType(
        code, name, PA2023, requirement, level, tags, fills, document_type, preceded_by, unconfirmed
    )


# What a form fills in OCDS, and its document's documentType, by the stage it describes.
_FORM_STAGES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "planning": (("planning",), "plannedProcurementNotice"),
    "tender": (("tender",), "tenderNotice"),
    "award": (("awards", "contracts"), "awardNotice"),
    "correction": (("tender",), None),
    "change": (("contracts/amendments",), None),
    "any": (("planning", "tender", "awards"), None),
    "profile": (("planning",), None),
}


def _form(code: str, name: str, requirement: str, tags: tuple[str, ...], stage: str) -> NoticeType:
    fills, document_type = _FORM_STAGES[stage]
    return NoticeType(code, name, PCR2015, requirement, PROCESS, tags, fills, document_type)


_PR = "Procurement Regulations 2024"
_UNATTRIBUTED = "the number comes from a public listing whose author is unknown (docs/notices.md)"

# The Procurement Act 2023 notices. Numbering and names: Find a Tender Service, "Notice types and
# sequences"; the duty to publish each: the Act's section; the content: the Procurement
# Regulations 2024, regulation given. The OCDS mapping is openbook's (docs/notices.md).
ACT_NOTICES = (
    _act(
        "UK1",
        "pipeline notice",
        f"Procurement Act 2023, s.93; {_PR}, reg. 15",
        tags=("planning", "planningUpdate"),
        fills=("planning", "tender/title", "tender/value", "tender/communication"),
        document_type="plannedProcurementNotice",
        level=AUTHORITY,
    ),
    _act(
        "UK2",
        "preliminary market engagement notice",
        f"Procurement Act 2023, ss.16-17; {_PR}, reg. 17",
        tags=("planning", "planningUpdate"),
        fills=("planning/milestones", "tender/title", "tender/items"),
        document_type="marketEngagementNotice",
        preceded_by=("UK1", "UK3"),
    ),
    _act(
        "UK3",
        "planned procurement notice",
        f"Procurement Act 2023, s.15; {_PR}, reg. 16",
        tags=("planning", "planningUpdate"),
        fills=("planning", "tender/title", "tender/value", "tender/communication"),
        document_type="plannedProcurementNotice",
        preceded_by=("UK1", "UK2"),
    ),
    _act(
        "UK4",
        "tender notice",
        f"Procurement Act 2023, s.21 (s.87 below threshold); {_PR}, regs 18-22 and 24",
        tags=("tender", "tenderAmendment", "tenderUpdate"),
        fills=(
            "tender",
            "tender/tenderPeriod",
            "tender/expressionOfInterestDeadline",
            "tender/value",
            "tender/specialRegime",
            "planning/noEngagementNoticeRationale",
        ),
        document_type="tenderNotice",
        preceded_by=("UK1", "UK2", "UK3"),
    ),
    _act(
        "UK5",
        "transparency notice",
        f"Procurement Act 2023, s.44; {_PR}, reg. 26",
        tags=("tender", "tenderUpdate"),
        fills=("tender", "tender/procurementMethodRationale", "parties (suppliers)"),
        document_type="tenderNotice",
        preceded_by=("UK1", "UK2", "UK3", "UK4"),
    ),
    _act(
        "UK6",
        "contract award notice",
        f"Procurement Act 2023, s.50; {_PR}, regs 27-30",
        tags=("award", "awardUpdate"),
        fills=("awards", "awards/date", "awards/standstillPeriod", "parties (suppliers)"),
        document_type="awardNotice",
        preceded_by=("UK4", "UK5"),
    ),
    _act(
        "UK7",
        "contract details notice",
        f"Procurement Act 2023, s.53 (s.87(3) below threshold); {_PR}, regs 32-36",
        tags=("contract", "contractUpdate", "award"),
        fills=("contracts", "contracts/dateSigned", "contracts/period", "contracts/value"),
        document_type="contractNotice",
        preceded_by=("UK4", "UK5", "UK6"),
    ),
    _act(
        "UK8",
        "contract payments notice",
        "Procurement Act 2023, s.70",
        tags=("implementation", "implementationUpdate"),
        fills=("contracts/implementation/transactions",),
        document_type="financialProgressReport",
        preceded_by=("UK7",),
        unconfirmed="UK8 and its name are openbook's own: the Find a Tender Service's notices "
        "are UK1-UK7 and UK9-UK17, and the Cabinet Office's guidance treats section 70's "
        "payments over £30,000 as a quarter's file of contract payment information, not a "
        "numbered notice",
    ),
    _act(
        "UK9",
        "contract performance notice",
        f"Procurement Act 2023, s.71; {_PR}, reg. 39",
        tags=("implementation", "implementationUpdate"),
        fills=(
            "contracts/implementation/performanceFailures",
            "contracts/implementation/milestones",
        ),
        document_type="implementationNotice",
        preceded_by=("UK6", "UK7"),
    ),
    _act(
        "UK10",
        "contract change notice",
        f"Procurement Act 2023, s.75; {_PR}, reg. 40",
        tags=("contractAmendment", "contractUpdate", "awardUpdate"),
        fills=("contracts/amendments", "contracts/value", "contracts/period"),
        document_type="contractNotice",
        preceded_by=("UK6", "UK7", "UK9"),
    ),
    _act(
        "UK11",
        "contract termination notice",
        f"Procurement Act 2023, s.80; {_PR}, reg. 41",
        tags=("contractTermination", "contractUpdate"),
        fills=("contracts/status", "contracts/implementation/endDate"),
        document_type="contractTerminationNotice",
        preceded_by=("UK6", "UK7", "UK9", "UK10"),
    ),
    _act(
        "UK12",
        "procurement termination notice",
        f"Procurement Act 2023, s.55; {_PR}, reg. 37",
        tags=("tenderCancellation", "tenderUpdate"),
        fills=("tender/status", "tender/finalStatusDate"),
        document_type="tenderCancellationNotice",
        preceded_by=("UK4", "UK5"),
    ),
    _act(
        "UK13",
        "dynamic market notice: intention to establish",
        f"Procurement Act 2023, s.39(2); {_PR}, reg. 25(2)",
        tags=("tender", "planning"),
        fills=("tender/techniques/dynamicPurchasingSystem", "tender/title", "tender/items"),
        document_type="tenderNotice",
        unconfirmed=_UNATTRIBUTED,
    ),
    _act(
        "UK14",
        "dynamic market notice: establishment",
        f"Procurement Act 2023, s.39(3); {_PR}, reg. 25(4)",
        tags=("tenderUpdate", "award", "awardUpdate"),
        fills=("tender/techniques/dynamicPurchasingSystem", "awards (members)"),
        document_type="awardNotice",
        preceded_by=("UK13",),
        unconfirmed=_UNATTRIBUTED,
    ),
    _act(
        "UK15",
        "dynamic market notice: modification",
        f"Procurement Act 2023, s.39(4); {_PR}, reg. 25(6)",
        tags=("tenderUpdate", "awardUpdate"),
        fills=("tender/techniques/dynamicPurchasingSystem", "awards (members)"),
        document_type="awardNotice",
        preceded_by=("UK14", "UK15"),
        unconfirmed=_UNATTRIBUTED,
    ),
    _act(
        "UK16",
        "dynamic market notice: cessation",
        f"Procurement Act 2023, s.39(5); {_PR}, reg. 25(8)",
        tags=("tenderUpdate", "tenderCancellation"),
        fills=("tender/status", "tender/techniques/dynamicPurchasingSystem/status"),
        document_type=None,
        preceded_by=("UK14", "UK15"),
        unconfirmed=_UNATTRIBUTED,
    ),
    _act(
        "UK17",
        "payments compliance notice",
        f"Procurement Act 2023, s.69; {_PR}, reg. 38",
        tags=(),
        fills=("buyer", "parties (the authority)"),
        document_type=None,
        level=AUTHORITY,
        unconfirmed=_UNATTRIBUTED,
    ),
)

# The standard forms of Commission Implementing Regulation (EU) 2015/1986, which regulation 51 of
# the Public Contracts Regulations 2015 requires notices to follow. Release tags follow the Open
# Contracting Partnership's guidance for these forms (open-contracting/european-union-support).
_PCR = "Public Contracts Regulations 2015"
_UCR = "Utilities Contracts Regulations 2016"
_CCR = "Concession Contracts Regulations 2016"
_DSPCR = "Defence and Security Public Contracts Regulations 2011"
_PLANNED = ("planning", "tender")  # a prior information notice may also call for competition
_AWARDED = ("award", "contract")
_ANY = (*_PLANNED, *_AWARDED)  # one form serves prior information, calls for competition, awards
_CHANGED = ("awardUpdate", "contractUpdate")
_PCR75 = f"{_PCR}, reg. 75"
EARLIER_FORMS = (
    _form("F01", "prior information notice", f"{_PCR}, reg. 48", _PLANNED, "planning"),
    _form("F02", "contract notice", f"{_PCR}, reg. 49", ("tender",), "tender"),
    _form("F03", "contract award notice", f"{_PCR}, reg. 50", _AWARDED, "award"),
    _form("F04", "periodic indicative notice – utilities", _UCR, _PLANNED, "planning"),
    _form("F05", "contract notice – utilities", _UCR, ("tender",), "tender"),
    _form("F06", "contract award notice – utilities", _UCR, _AWARDED, "award"),
    _form("F07", "qualification system – utilities", _UCR, ("tender",), "tender"),
    _form("F08", "notice on a buyer profile", f"{_PCR}, reg. 48(4)", ("planning",), "profile"),
    _form("F12", "design contest notice", f"{_PCR}, reg. 79", ("tender",), "tender"),
    _form("F13", "results of design contest", f"{_PCR}, reg. 79", ("award",), "award"),
    _form("F14", "corrigendum", f"{_PCR}, reg. 51(1)", ("tenderUpdate",), "correction"),
    _form("F15", "voluntary ex ante transparency notice", _PCR, _AWARDED, "award"),
    _form("F16", "prior information notice – defence and security", _DSPCR, _PLANNED, "planning"),
    _form("F17", "contract notice – defence and security", _DSPCR, ("tender",), "tender"),
    _form("F18", "contract award notice – defence and security", _DSPCR, _AWARDED, "award"),
    _form("F19", "subcontract notice – defence and security", _DSPCR, ("tender",), "tender"),
    _form("F20", "modification notice", f"{_PCR}, reg. 72", _CHANGED, "change"),
    _form("F21", "social and other specific services – public contracts", _PCR75, _ANY, "any"),
    _form("F22", "social and other specific services – utilities", _UCR, _ANY, "any"),
    _form("F23", "social and other specific services – concessions", _CCR, _ANY, "any"),
    _form("F24", "concession notice", _CCR, ("tender",), "tender"),
    _form("F25", "concession award notice", _CCR, _AWARDED, "award"),
)

#: Every notice type openbook knows, by code.
NOTICE_TYPES: dict[str, NoticeType] = {notice.code: notice for notice in ACT_NOTICES}
NOTICE_TYPES.update((notice.code, notice) for notice in EARLIER_FORMS)


def known_codes(regime: str | None = None) -> list[str]:
    """The known notice codes in their natural order (UK1 ... UK17, F01 ... F25)."""
    return [code for code, notice in NOTICE_TYPES.items() if regime in (None, notice.regime)]


@dataclass(frozen=True, slots=True)
class NoticeMention:
    """A ``noticeType`` found in a release: where, which code, and when that notice came out."""

    path: str  # JSON pointer to the noticeType value, such as "/tender/documents/0/noticeType"
    code: str
    published: datetime | None  # the document's datePublished, else the release's date


def parse_moment(value: object) -> datetime | None:
    """An OCDS date-time as an aware datetime; None if absent or unreadable.

    OCDS date-times carry a time zone; one without is read as UTC rather than dropped, since the
    schema review reports it anyway. Years outside 1000 to 9000 are no notice's dates, and
    reading them in UK time could overflow: they count as absent.
    """
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if not 1000 <= moment.year <= 9000:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def format_day(day: date) -> str:
    """A day as messages write it, such as "24 February 2025"."""
    return f"{day.day} {day:%B %Y}"


def _documents(release: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for section in _DOCUMENT_LISTS:
        value = release.get(section)
        blocks = value if isinstance(value, list) else [value]
        for index, block in enumerate(blocks):
            if type(block) is not dict and not isinstance(block, Mapping):
                continue
            base = f"/{section}/{index}" if isinstance(value, list) else f"/{section}"
            yield from _block_documents(block, base)
            implementation = block.get("implementation") if section == "contracts" else None
            if isinstance(implementation, Mapping):
                yield from _block_documents(implementation, f"{base}/implementation")


def _block_documents(
    block: Mapping[str, Any], base: str
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    documents = block.get("documents")
    if isinstance(documents, list):
        for index, document in enumerate(documents):
            if type(document) is dict or isinstance(document, Mapping):
                yield f"{base}/documents/{index}", document


def notice_mentions(release: Mapping[str, Any]) -> list[NoticeMention]:
    """Every ``documents[].noticeType`` in the release, known or not, in document order."""
    release_date = parse_moment(release.get("date"))
    mentions = []
    for path, document in _documents(release):
        code = document.get("noticeType")
        if isinstance(code, str) and code.strip():
            published = parse_moment(document.get("datePublished")) or release_date
            mentions.append(NoticeMention(f"{path}/noticeType", code.strip(), published))
    return mentions


def notice_codes(release: Mapping[str, Any]) -> frozenset[str]:
    """The ``documents[].noticeType`` codes in the release, known or not: what
    ``notice_mentions`` finds, without when each notice came out (for the metrics, which read
    every release of the log)."""
    return frozenset(
        code.strip()
        for _, document in _documents(release)
        if isinstance(code := document.get("noticeType"), str) and code.strip()
    )


def _distinct(mentions: Sequence[NoticeMention]) -> list[str]:
    return list(dict.fromkeys(mention.code for mention in mentions))


def own_notice_mention(
    release: Mapping[str, Any], earlier_codes: frozenset[str] = frozenset()
) -> NoticeMention | None:
    """The mention of the notice this release is, or None if no document names a notice type.

    Find a Tender releases can carry the documents of earlier notices of the same procurement
    too. When a release names more than one type, its own is the one whose document was
    published at the release's date; failing that, the one type not already published earlier in
    the procurement (``earlier_codes``). Anything else raises ``AmbiguousNoticeType``: openbook
    does not guess.
    """
    mentions = notice_mentions(release)
    if not mentions:
        return None
    release_date = parse_moment(release.get("date"))
    narrowed = (
        mentions,
        [m for m in mentions if release_date is not None and m.published == release_date],
        [m for m in mentions if m.code not in earlier_codes],
    )
    for candidates in narrowed:
        codes = _distinct(candidates)
        if len(codes) == 1:
            return next(m for m in candidates if m.code == codes[0])
    raise AmbiguousNoticeType(_distinct(mentions))


def find_notice_type(
    release: Mapping[str, Any], earlier_codes: frozenset[str] = frozenset()
) -> NoticeType | None:
    """The notice type of an OCDS release, from its ``documents[].noticeType``.

    None when no document names a type. An unknown code raises ``UnknownNoticeType`` (with the
    path of the value); several candidate types raise ``AmbiguousNoticeType``.
    """
    mention = own_notice_mention(release, earlier_codes)
    if mention is None:
        return None
    notice = NOTICE_TYPES.get(mention.code)
    if notice is None:
        raise UnknownNoticeType(mention.code, mention.path)
    return notice


@dataclass(frozen=True, slots=True)
class RegimeDecision:
    """The legal regime of a procurement process, and why."""

    regime: str  # PA2023, PCR2015 or SCOTLAND
    reason: str  # plain English, for messages

    @property
    def name(self) -> str:
        return REGIMES[self.regime]


def buyer_classifications(release: Mapping[str, Any], scheme: str) -> set[str]:
    """The buyer's ``details.classifications`` ids in ``scheme`` (UK extension schemes)."""
    buyer = release.get("buyer")
    buyer_id = buyer.get("id") if isinstance(buyer, Mapping) else None
    found: set[str] = set()
    parties = release.get("parties")
    for party in parties if isinstance(parties, list) else []:
        if type(party) is not dict and not isinstance(party, Mapping):
            continue
        roles = party.get("roles")
        is_buyer = party.get("id") == buyer_id or (isinstance(roles, list) and "buyer" in roles)
        details = party.get("details")
        if not is_buyer or not isinstance(details, Mapping):
            continue
        classifications = details.get("classifications")
        for item in classifications if isinstance(classifications, list) else []:
            if isinstance(item, Mapping) and item.get("scheme") == scheme:
                found.add(str(item.get("id")))
    return found


def devolved_regulations(release: Mapping[str, Any]) -> str | None:
    """GB-SCT, GB-WLS or GB-NIR when the buyer works under devolved rules (UK extension)."""
    found = buyer_classifications(release, "UK_CA_DEVOLVED_REGULATIONS")
    return min(found) if found else None


def _starts_before_act(releases: Sequence[Mapping[str, Any]]) -> datetime | None:
    dates = [moment for r in releases if (moment := parse_moment(r.get("date"))) is not None]
    first = min(dates, default=None)
    return first if first is not None and first < _ACT_START_MOMENT else None


def related_to_framework(release: Mapping[str, Any]) -> bool:
    """Whether the release is a call-off: a ``relatedProcesses`` entry with "framework"."""
    related = release.get("relatedProcesses")
    return any(
        isinstance(item, Mapping)
        and isinstance(item.get("relationship"), list)
        and "framework" in item["relationship"]
        for item in (related if isinstance(related, list) else [])
    )


def legal_regime(
    release: Mapping[str, Any], history: Sequence[Mapping[str, Any]] = ()
) -> RegimeDecision:
    """The legal regime of the process ``release`` belongs to (``history``: its earlier releases).

    How it is told, in order (Find a Tender Service, "Notice types and sequences"):

    1. a buyer under Scottish devolved rules (UK extension, ``UK_CA_DEVOLVED_REGULATIONS``
       GB-SCT) is outside the Act (s.2(5)(a)): Scottish rules;
    2. an earlier notice of the process is of a regime's types: that regime (once a notice is
       published under earlier legislation, later ones stay under it);
    3. the process's first release is dated before 24 February 2025: earlier legislation;
    4. an earlier-legislation form for a call-off under a framework (``relatedProcesses``
       relationship "framework"): earlier legislation, as frameworks and dynamic purchasing
       systems established under it keep its notices;
    5. otherwise the Procurement Act 2023.
    """
    if devolved_regulations(release) == "GB-SCT":
        return RegimeDecision(SCOTLAND, "the buyer works under Scottish devolved rules")
    for earlier in history:
        for mention in notice_mentions(earlier):
            notice = NOTICE_TYPES.get(mention.code)
            if notice is not None:
                return RegimeDecision(
                    notice.regime,
                    f"an earlier notice of this procurement is a {notice.label} "
                    f"(release {earlier.get('id')!s})",
                )
    started = _starts_before_act([*history, release])
    if started is not None:
        day = started.astimezone(_LONDON).date()
        return RegimeDecision(
            PCR2015,
            f"this procurement started on {format_day(day)}, before 24 February 2025",
        )
    codes = {mention.code for mention in notice_mentions(release)}
    if related_to_framework(release) and any(
        NOTICE_TYPES[code].regime == PCR2015 for code in codes if code in NOTICE_TYPES
    ):
        return RegimeDecision(
            PCR2015,
            "this is a call-off under a framework or dynamic purchasing system "
            "established under earlier legislation",
        )
    return RegimeDecision(PA2023, "this procurement started on or after 24 February 2025")
