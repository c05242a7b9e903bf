"""The NAP5 open contracting milestones, measured per process (docs/methods/milestones.md). Pure.

Each process gives *items*: one per thing a milestone counts (a procurement, an award, a
contract, a notice that was due), each counting for or against the milestone or excluded from
it, with the numbers and the reason. Figures (openbook.standards.metrics.figures) are sums of
items, so every figure can be traced to the notices that made it.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from openbook.standards import identifiers, organisation_names
from openbook.standards.metrics import thresholds
from openbook.standards.metrics.figures import AGAINST, EXCLUDED, FOR, PENDING
from openbook.standards.metrics.process import Process, Release
from openbook.standards.ocds.shapes import as_dict, dicts, text
from openbook.standards.uk import withheld
from openbook.standards.uk.calendar import london_date
from openbook.standards.uk.notices import (
    NOTICE_TYPES,
    PA2023,
    PCR2015,
    legal_regime,
    notice_codes,
    parse_moment,
    related_to_framework,
)

# The method's version: a figure names the version it was computed by. Bump it with any change
# that can change a figure, and say what changed in docs/methods/milestones.md.
METHOD_VERSION = "1"

TENDER_PUBLISHED = "tender-published"
AWARD_PUBLISHED_90_DAYS = "award-published-90-days"
CONTRACT_DOCUMENTS = "contract-documents"
NOTICES_ON_TIME = "notices-on-time"
STAGE_COVERAGE = "stage-coverage"


@dataclass(frozen=True, slots=True)
class Metric:
    id: str
    title: str
    counts: str  # what one item is
    target: float | None  # NAP5's target share, if it sets one
    milestone: str  # the plan's words, or what the issue asks
    family: str = "milestones"
    method: str = "docs/methods/milestones.md"
    version: str = METHOD_VERSION

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "counts": self.counts,
            "target": self.target,
            "milestone": self.milestone,
            "family": self.family,
            "methodVersion": self.version,
            "method": f"{self.method}#{self.id.split(':')[-1].lower()}",
        }


METRICS = {
    metric.id: metric
    for metric in (
        Metric(
            TENDER_PUBLISHED,
            "Above-threshold procurements whose tender notice was published",
            "procurement",
            0.95,
            "Achieve 95% of 'above threshold' tenders on Contracts Finder (April 2022 to March "
            "2023)",
        ),
        Metric(
            AWARD_PUBLISHED_90_DAYS,
            "Above-threshold central government awards published within 90 calendar days",
            "award",
            0.90,
            "Publish 90% of 'above threshold' central government awards on Contracts Finder "
            "within 90 calendar days (April 2023 to March 2024)",
        ),
        Metric(
            CONTRACT_DOCUMENTS,
            "Contracts whose contract documents were published",
            "contract",
            None,
            "Report every year on publication of contract documents, and extent of redactions "
            "in central government contracts (July 2022 to July 2023)",
        ),
        Metric(
            NOTICES_ON_TIME,
            "Notices published within the law's deadline",
            "notice due",
            None,
            "Coverage and timeliness of every lifecycle stage; notices overdue under the "
            "Procurement Act 2023 and the Public Contracts Regulations 2015",
        ),
        Metric(
            STAGE_COVERAGE,
            "Procurements with a published notice for each lifecycle stage",
            "procurement",
            None,
            "Coverage of every lifecycle stage",
        ),
    )
}

# An item meets the milestone (FOR), counts against it (AGAINST), is outside its population,
# with the reason (EXCLUDED), or is not yet due and counts neither way (PENDING).

# Delays of award notices, in calendar days after the award date: the distribution's bands.
DELAY_BANDS = (
    ("before the award date", None, -1),
    ("0 to 30 days", 0, 30),
    ("31 to 60 days", 31, 60),
    ("61 to 90 days", 61, 90),
    ("91 to 180 days", 91, 180),
    ("181 to 365 days", 181, 365),
    ("over 365 days", 366, None),
)

# Notices that advertise a competition (a tender notice under either regime), and notices of a
# procurement that legitimately has none: a direct award (the Act's transparency notice, s.44;
# the 2015 regulations' voluntary ex ante transparency notice).
_TENDER_DOCUMENT = "tenderNotice"
_DIRECT_NOTICES = frozenset({"UK5", "F15"})
_DIRECT_METHODS = frozenset({"direct", "limited"})
_CLOSED = frozenset({"cancelled", "unsuccessful"})
# OCDS documentType codes of a contract's own text (documentType codelist).
CONTRACT_TEXTS = frozenset({"contractSigned", "contractText", "contractSchedule", "contractAnnexe"})
# The Act's deadlines for notices after an event, in days beginning with the event's day.
_DETAILS_DAYS = 30  # contract details notice, s.53(3) (s.53(4): 120 for light-touch contracts)
_DETAILS_LIGHT_TOUCH_DAYS = 120
_TERMINATION_DAYS = 30  # contract termination notice, s.80(2)
_PCR_AWARD_DAYS = 30  # contract award notice, Public Contracts Regulations 2015 reg. 50(1)
STAGES = ("planning", "tender", "award", "contract", "implementation")


@dataclass(frozen=True, slots=True)
class Item:
    """One thing a metric counts."""

    metric: str
    ocid: str
    item: str  # what within the process: "" for the process, else an award, contract or notice
    authority: str  # who the figure is about: openbook.standards.metrics.figures.subject
    authority_name: str
    central: bool
    day: str | None  # YYYY-MM-DD: the day that places the item in a period; None: undated
    outcome: str  # FOR, AGAINST, EXCLUDED or PENDING
    detail: dict = field(default_factory=dict)  # the numbers and the reason, for people

    def as_dict(self) -> dict:
        return {
            "metric": self.metric,
            "ocid": self.ocid,
            "item": self.item,
            "authority": self.authority,
            "authorityName": self.authority_name,
            "centralGovernment": self.central,
            "day": self.day,
            "outcome": self.outcome,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class _Facts:
    """What every metric of one process starts from."""

    process: Process
    authority: str
    authority_name: str
    central: bool
    central_basis: str
    valuation: thresholds.Valuation
    regime: str
    as_of: date
    codes: dict[int, frozenset[str]]  # release seq: the notice types its documents name
    seen: tuple["_Seen", ...]  # each release as the metrics read it, in log order


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the metrics read of one release, read once."""

    release: Release
    published: str | None  # Release.published
    tags: frozenset[str]
    awards: tuple[dict, ...]  # not cancelled or unsuccessful
    every_award: tuple[dict, ...]
    contracts: tuple[dict, ...]

    @classmethod
    def of(cls, release: Release) -> "_Seen":
        body = release.body
        tags = body.get("tag")
        every_award = tuple(dicts(body.get("awards")))
        return cls(
            release,
            release.published,
            frozenset(t for t in tags if isinstance(t, str))
            if isinstance(tags, list)
            else frozenset(),
            tuple(a for a in every_award if a.get("status") not in _CLOSED),
            every_award,
            tuple(dicts(body.get("contracts"))),
        )


_NOT_ASKED = thresholds.Valuation(None, thresholds.UNKNOWN, None, None)


def items(process: Process, as_of: date) -> list[Item]:
    """Every item of every metric for one process; ``as_of``: the day a notice not yet
    published is judged at (due after it: pending)."""
    facts = _facts(process, as_of)
    return [
        *_tender_published(facts),
        *_awards_published(facts),
        *_contract_documents(facts),
        *_notices_on_time(facts),
        *_stage_coverage(facts),
    ]


def _facts(process: Process, as_of: date) -> _Facts:
    authority, name = authority_of(process)
    central, basis = thresholds.central_government(process)
    bodies = [release.body for release in process.releases]
    regime = legal_regime(bodies[-1], bodies[:-1]).regime
    codes = {release.seq: _codes(release) for release in process.releases}
    seen = tuple(_Seen.of(release) for release in process.releases)
    # Only a process with an award or a contract is in a milestone that asks its value.
    valuation = (
        thresholds.valuation(process, central=central)
        if any(one.awards or one.contracts for one in seen)
        else _NOT_ASKED
    )
    return _Facts(process, authority, name, central, basis, valuation, regime, as_of, codes, seen)


def placement(process: Process) -> tuple[str, str, bool, str | None]:
    """Who a process is about and when, as every metric places it: its authority's key and
    name, whether that is central government, and the UK day its first release was published
    (the stage-coverage item's day). For the families that need no milestone items."""
    authority, name = authority_of(process)
    central, _ = thresholds.central_government(process)
    return authority, name, central, _day(process.releases[0].published)


def authority_of(process: Process) -> tuple[str, str]:
    """(key, name) of the process's buyer: ``SCHEME-ID`` of its identifier when it has one,
    else ``name:`` and its name's comparison key; ("", "") when the releases name no buyer."""
    buyer = thresholds.buyer_party(process.releases)
    name = text(buyer.get("name")).strip()
    identifier = identifiers.party_identifier(buyer)
    if identifier is not None:
        return str(identifier), name
    if name:
        return f"name:{organisation_names.key(name)}", name
    return "", ""


def _item(facts: _Facts, metric: str, item: str, day: str | None, outcome: str, **detail) -> Item:
    return Item(
        metric,
        facts.process.ocid,
        item,
        facts.authority,
        facts.authority_name,
        facts.central,
        day,
        outcome,
        detail,
    )


# Tender notices (NAP5: 95% of above-threshold tenders published) -----------------------------


def _codes(release: Release) -> frozenset[str]:
    return notice_codes(release.body)


def is_tender_notice(seen: "_Seen", codes: frozenset[str]) -> bool:
    """A release that advertises the competition: a notice of a tender notice type (``codes``:
    the notice types its documents name), or without one, tagged ``tender`` (OCDS) and
    carrying no award."""
    typed = [NOTICE_TYPES[code] for code in codes if code in NOTICE_TYPES]
    if typed:
        return any(notice.document_type == _TENDER_DOCUMENT for notice in typed)
    return "tender" in seen.tags and not seen.awards


def _is_direct(facts: _Facts) -> str | None:
    """Why the procurement had no competition to advertise, or None."""
    for release in reversed(facts.process.releases):
        method = as_dict(release.body.get("tender")).get("procurementMethod")
        if isinstance(method, str):
            if method in _DIRECT_METHODS:
                return f"procurementMethod {method!r}"
            break
    for release in facts.process.releases:
        direct = facts.codes[release.seq] & _DIRECT_NOTICES
        if direct:
            return f"a {NOTICE_TYPES[min(direct)].label}"
    return None


def _first_award_release(facts: _Facts) -> "_Seen | None":
    for seen in facts.seen:
        if seen.awards or seen.contracts:
            return seen
    return None


def _tender_published(facts: _Facts) -> Iterator[Item]:
    awarded = _first_award_release(facts)
    if awarded is None:
        return  # not yet awarded: outside the population, and not listed
    day = _award_day(facts) or _day(awarded.published)
    valuation = facts.valuation.as_dict()
    if facts.valuation.above is not True:
        reason = "below threshold" if facts.valuation.above is False else "threshold unknown"
        yield _item(facts, TENDER_PUBLISHED, "", day, EXCLUDED, reason=reason, value=valuation)
        return
    if any(related_to_framework(release.body) for release in facts.process.releases):
        # A call-off is awarded under a framework or dynamic market whose own tender notice
        # advertised it (relatedProcesses relationship "framework").
        yield _item(
            facts,
            TENDER_PUBLISHED,
            "",
            day,
            EXCLUDED,
            reason="call-off: under a framework or dynamic market",
            value=valuation,
        )
        return
    direct = _is_direct(facts)
    if direct is not None:
        yield _item(
            facts,
            TENDER_PUBLISHED,
            "",
            day,
            EXCLUDED,
            reason=f"direct award: {direct}",
            value=valuation,
        )
        return
    tender = next(
        (
            seen
            for seen in facts.seen
            if seen.release.seq < awarded.release.seq
            and is_tender_notice(seen, facts.codes[seen.release.seq])
        ),
        None,
    )
    if tender is None:
        yield _item(
            facts,
            TENDER_PUBLISHED,
            "",
            day,
            AGAINST,
            reason="no tender notice before the first award or contract notice",
            awardRelease=awarded.release.id,
            value=valuation,
        )
        return
    yield _item(
        facts,
        TENDER_PUBLISHED,
        "",
        day,
        FOR,
        tenderRelease=tender.release.id,
        published=tender.published,
        basis=tender.release.basis,
        value=valuation,
    )


# Award notices within 90 days (NAP5: 90% of above-threshold central government awards) -------


def _moment_day(value: object) -> date | None:
    """The UK calendar day of an OCDS date or date-time (a date alone is that day)."""
    return _text_day(value) if isinstance(value, str) else None


@functools.lru_cache(maxsize=1 << 16)
def _text_day(value: str) -> date | None:
    # Cached: a process's dates recur in its releases, and time zones cost more than a lookup.
    moment = parse_moment(value)
    if moment is None:
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
        return None
    return london_date(moment)


def _day(value: object) -> str | None:
    day = _moment_day(value)
    return day.isoformat() if day else None


def _award_day(facts: _Facts) -> str | None:
    days = [
        day
        for seen in facts.seen
        for award in seen.awards
        if (day := _day(award.get("date"))) is not None
    ]
    return min(days) if days else None


def _awards_published(facts: _Facts) -> Iterator[Item]:
    first: dict[str, _Seen] = {}  # award id: the first release that published it
    newest: dict[str, dict] = {}
    signed: dict[str, str] = {}  # award id: the earliest dateSigned of its contracts
    for seen in facts.seen:
        for award in seen.awards:
            award_id = text(award.get("id"))
            if award_id:
                first.setdefault(award_id, seen)
                newest[award_id] = award
        for contract in seen.contracts:
            award_id = text(contract.get("awardID"))
            day = _day(contract.get("dateSigned"))
            if award_id and day and (award_id not in signed or day < signed[award_id]):
                signed[award_id] = day
    for award_id, seen in first.items():
        decided, basis = _day(newest[award_id].get("date")), "awards.date"
        if decided is None and award_id in signed:
            decided, basis = signed[award_id], "contracts.dateSigned"
        published = _day(seen.published)
        common = {
            "awardDate": decided,
            "awardDateBasis": basis if decided else None,
            "release": seen.release.id,
            "published": seen.published,
            "publishedBasis": seen.release.basis,
        }
        if not facts.central:
            reason = f"not central government ({facts.central_basis})"
            yield _item(
                facts, AWARD_PUBLISHED_90_DAYS, award_id, decided, EXCLUDED, reason=reason, **common
            )
            continue
        if facts.valuation.above is not True:
            reason = "below threshold" if facts.valuation.above is False else "threshold unknown"
            yield _item(
                facts, AWARD_PUBLISHED_90_DAYS, award_id, decided, EXCLUDED, reason=reason, **common
            )
            continue
        if decided is None or published is None:
            reason = "no award date" if decided is None else "publication date unreadable"
            yield _item(
                facts, AWARD_PUBLISHED_90_DAYS, award_id, decided, EXCLUDED, reason=reason, **common
            )
            continue
        delay = (date.fromisoformat(published) - date.fromisoformat(decided)).days
        outcome = FOR if delay <= 90 else AGAINST
        yield _item(
            facts,
            AWARD_PUBLISHED_90_DAYS,
            award_id,
            decided,
            outcome,
            delayDays=delay,
            delayBand=delay_band(delay),
            **common,
        )


def delay_band(days: int) -> str:
    for name, low, high in DELAY_BANDS:  # they cover every integer
        if (low is None or days >= low) and (high is None or days <= high):
            return name
    raise AssertionError(days)


# Contract documents and redactions (NAP5: report every year) --------------------------------


def _contract_documents(facts: _Facts) -> Iterator[Item]:
    newest: dict[str, dict] = {}
    documents: dict[str, dict[str, str | None]] = {}  # contract id: document id: type
    declared: dict[str, list[withheld.Declaration]] = {}  # contract id: declarations
    award_days: dict[str, str] = {}
    for seen in facts.seen:
        for award in seen.every_award:
            if (day := _day(award.get("date"))) and text(award.get("id")):
                award_days[text(award.get("id"))] = day
        for contract in seen.contracts:
            contract_id = text(contract.get("id"))
            if not contract_id:
                continue
            newest[contract_id] = contract
            held = documents.setdefault(contract_id, {})
            for document in dicts(contract.get("documents")):
                held[text(document.get("id"))] = text(document.get("documentType")) or None
        for declaration in withheld.declarations(seen.release.body):
            if declaration.contract:
                declared.setdefault(declaration.contract, []).append(declaration)
    for contract_id, contract in newest.items():
        if contract.get("status") == "cancelled":
            continue
        day = _day(contract.get("dateSigned")) or award_days.get(text(contract.get("awardID")))
        texts = sorted(d for d, kind in documents[contract_id].items() if kind in CONTRACT_TEXTS)
        kept = {d.id: d for d in declared.get(contract_id, [])}  # one per id: its newest
        grounds: dict[str, int] = {}
        for declaration in kept.values():
            for ground in declaration.grounds or ("not given",):
                grounds[ground] = grounds.get(ground, 0) + 1
        yield _item(
            facts,
            CONTRACT_DOCUMENTS,
            contract_id,
            day,
            FOR if texts else AGAINST,
            documents=len(documents[contract_id]),
            contractDocuments=texts,
            withheldItems=len(kept),
            redactedDocuments=sorted({d.document for d in kept.values() if d.document}),
            withheldFields=sorted({d.field for d in kept.values() if d.field}),
            grounds=grounds,
        )


# Notices due under the law's deadlines, and lifecycle coverage ------------------------------


def _notices_on_time(facts: _Facts) -> Iterator[Item]:
    """Each notice that an event made due: on time, late, overdue (not published by its
    deadline, as of ``as_of``) or not yet due."""
    process = facts.process
    if facts.regime == PA2023:
        light = thresholds.contract_kind(process) == thresholds.LIGHT_TOUCH
        days = _DETAILS_LIGHT_TOUCH_DAYS if light else _DETAILS_DAYS
        for contract_id, signed in _events(facts, "contracts", "dateSigned"):
            yield _due(
                facts,
                f"UK7 {contract_id}",
                notice="contract details notice (UK7)",
                law="Procurement Act 2023, s.53",
                event=signed,
                days=days,
                codes={"UK7"},
            )
        for contract_id, ended in _terminations(facts):
            yield _due(
                facts,
                f"UK11 {contract_id}",
                notice="contract termination notice (UK11)",
                law="Procurement Act 2023, s.80",
                event=ended,
                days=_TERMINATION_DAYS,
                codes={"UK11"},
            )
    elif facts.regime == PCR2015 and facts.valuation.above is True:
        for award_id, decided in _events(facts, "awards", "date"):
            yield _due(
                facts,
                f"award {award_id}",
                notice="contract award notice",
                law="Public Contracts Regulations 2015, reg. 50(1)",
                event=decided,
                days=_PCR_AWARD_DAYS,
                codes=None,
                award_id=award_id,
            )


def _events(facts: _Facts, section: str, key: str) -> list[tuple[str, date]]:
    found: dict[str, date] = {}
    for seen in facts.seen:
        for item in seen.awards if section == "awards" else seen.contracts:
            day = _moment_day(item.get(key))
            if day and text(item.get("id")) and item.get("status") not in _CLOSED:
                found.setdefault(text(item.get("id")), day)
    return sorted(found.items())


def _terminations(facts: _Facts) -> list[tuple[str, date]]:
    """Contracts that ended early: status terminated, with the period's end as the event."""
    found: dict[str, date] = {}
    for seen in facts.seen:
        for contract in seen.contracts:
            status = contract.get("status")
            ended = _moment_day(as_dict(contract.get("period")).get("endDate"))
            if status == "terminated" and ended and text(contract.get("id")):
                found.setdefault(text(contract.get("id")), ended)
    return sorted(found.items())


def _due(
    facts: _Facts,
    item: str,
    *,
    notice: str,
    law: str,
    event: date,
    days: int,
    codes: set[str] | None,
    award_id: str | None = None,
) -> Item:
    # "Days beginning with" the event: the event's day is the first of them.
    deadline = event + timedelta(days=days - 1)
    published = _notice_published(facts, codes, award_id)
    detail = {
        "notice": notice,
        "law": law,
        "event": event.isoformat(),
        "deadline": deadline.isoformat(),
        "published": published[0].isoformat() if published else None,
        "publishedBasis": published[1] if published else None,
        "release": published[2] if published else None,
    }
    if published is not None:
        late = (published[0] - deadline).days
        status = "late" if late > 0 else "on time"
        return _item(
            facts,
            NOTICES_ON_TIME,
            item,
            event.isoformat(),
            AGAINST if late > 0 else FOR,
            status=status,
            daysLate=max(late, 0),
            **detail,
        )
    if facts.as_of > deadline:
        overdue = (facts.as_of - deadline).days
        return _item(
            facts,
            NOTICES_ON_TIME,
            item,
            event.isoformat(),
            AGAINST,
            status="overdue",
            daysOverdue=overdue,
            **detail,
        )
    return _item(
        facts, NOTICES_ON_TIME, item, event.isoformat(), PENDING, status="not yet due", **detail
    )


def _notice_published(
    facts: _Facts, codes: set[str] | None, award_id: str | None
) -> tuple[date, str, str] | None:
    """The first release that is the notice due: of one of ``codes``, or (for the 2015
    regulations' award notice) the first release publishing the award."""
    known = facts.codes
    for seen in facts.seen:
        if codes is not None:
            if not (known[seen.release.seq] & codes):
                continue
        elif not any(text(a.get("id")) == award_id for a in seen.awards):
            continue
        day = _moment_day(seen.published)
        if day is not None:
            return day, seen.release.basis, seen.release.id
    return None


def _stage_coverage(facts: _Facts) -> Iterator[Item]:
    present = set()
    for seen in facts.seen:
        tags = seen.tags
        for stage in STAGES:
            if stage in tags or f"{stage}Update" in tags:
                present.add(stage)
        if as_dict(seen.release.body.get("planning")):
            present.add("planning")
        if seen.awards:
            present.add("award")
        if seen.contracts:
            present.add("contract")
        if any(as_dict(contract.get("implementation")) for contract in seen.contracts):
            present.add("implementation")
    first = _day(facts.seen[0].published)
    reached = [stage for stage in STAGES if stage in present]
    yield _item(facts, STAGE_COVERAGE, "", first, FOR, stages=reached)


def as_of_day(moment: str | None) -> date:
    """The day notices are judged at: the UK day of the log's newest entry (so that the same
    log gives the same figures whenever they are computed); 1 January 1970 for an empty log."""
    parsed = parse_moment(moment)
    return london_date(parsed) if parsed else date(1970, 1, 1)


def breakdown(item: Item) -> list[tuple[str, str]]:
    """What a figure breaks its items down by, beside for and against (its ``extra``)."""
    detail = item.detail
    if item.metric == AWARD_PUBLISHED_90_DAYS and "delayBand" in detail:
        return [
            ("delay", detail["delayBand"]),
            ("publishedBasis", detail["publishedBasis"]),
            ("awardDateBasis", detail["awardDateBasis"]),
        ]
    if item.metric == TENDER_PUBLISHED and item.outcome == EXCLUDED:
        return [("excluded", detail["reason"].split(":")[0])]
    if item.metric == CONTRACT_DOCUMENTS:
        found = [("withheld", "with withheld information" if detail["withheldItems"] else "none")]
        found += [("grounds", ground) for ground in detail["grounds"]]
        return found
    if item.metric == NOTICES_ON_TIME:
        return [("status", detail["status"]), ("notice", detail["notice"])]
    if item.metric == STAGE_COVERAGE:
        return [("stages", stage) for stage in detail["stages"]]
    return []
