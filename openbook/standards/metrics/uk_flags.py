"""The UK's own red flags (``uk-...``): what a reviewer of UK procurement would ask about, read
through the law's own rules (openbook.standards.uk.rules) and the registers (reading.Context).
Each reads a process (reading.Reading) and yields what it saw (reading.Raised), citing the
provision it measures against; openbook.standards.metrics.flags lists them and runs them; the
method is docs/methods/red-flags.md. Pure.
"""

from collections.abc import Iterator
from datetime import date

from openbook.standards.metrics import thresholds
from openbook.standards.metrics.reading import (
    INCORPORATED,
    PLATFORM,
    Context,
    Raised,
    Reading,
    Settings,
    count,
    money,
)
from openbook.standards.ocds.shapes import text
from openbook.standards.uk.notices import NOTICE_TYPES, PA2023, PCR2015, parse_moment
from openbook.standards.uk.rules.context import NoticeContext, latest, value_at
from openbook.standards.uk.rules.facts import (
    is_below_threshold,
    is_direct_award,
    is_framework_call_off,
    is_light_touch,
)
from openbook.standards.uk.rules.periods import tender_period


def single_bid(read: Reading, settings: Settings) -> Iterator[Raised]:
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
    if not stats and count(number) == 1:
        yield (
            given_in,
            f"1 tenderer (tender.numberOfTenderers) in an {read.method} procedure",
            {"tenders": 1, "lot": None, "measure": "numberOfTenderers", "method": read.method},
        )


# The Act's transparency notice (s.44) and the 2015 regulations' voluntary ex ante
# transparency notice announce a direct award.
_DIRECT_NOTICES = ("UK5", "F15")
_DIRECT_METHODS = ("direct", "limited")  # OCDS: one supplier; suppliers the buyer chose


def direct_award(read: Reading) -> Iterator[Raised]:
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


def short_tender_period(read: Reading) -> Iterator[Raised]:
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


def _pcr_open_period(read: Reading, ctx: NoticeContext) -> Iterator[Raised]:
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


def modification_raise(read: Reading, settings: Settings) -> Iterator[Raised]:
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
                f"contract {key}'s value rose from {money(first, currency)} to "
                f"{money(last, currency)}, {percent:g}% more, in {changes} "
                f"change{'s' if changes > 1 else ''}; a {what} "
                f"contract may change by up to {limit:g}% without a permitted ground "
                "(Procurement Act 2023, s.74(4); Public Contracts Regulations 2015, reg. 72(5))",
                {"contract": key, "original": first, "current": last, "currency": currency,
                 "percent": percent, "limit": limit, "changes": changes},
            )  # fmt: skip


def new_supplier(read: Reading, context: Context, settings: Settings) -> Iterator[Raised]:
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


def debarred_supplier(read: Reading, context: Context) -> Iterator[Raised]:
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


def just_under_threshold(read: Reading, settings: Settings) -> Iterator[Raised]:
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
            f"an estimated value of {money(amount)} {footing}, {percent:g}% under the "
            f"{money(found.amount)} threshold for {_KINDS[kind]} contracts of "
            f"{_AUTHORITIES[authority]} authorities in force from {found.in_force_from} "
            f"({found.source})",
            {"amount": amount, "threshold": found.amount, "percent": percent,
             "band": settings.under_threshold_percent, "includesVat": found.includes_vat,
             "kind": kind, "authority": authority, "inForceFrom": found.in_force_from},
        )  # fmt: skip
