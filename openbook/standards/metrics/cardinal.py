"""ocdscardinal's red-flag indicators that openbook runs on one process, under ocdscardinal's
codes and definitions (docs/cli/indicators in open-contracting/cardinal-rs; the method is
docs/methods/red-flags.md). Each reads a process (reading.Reading) and yields what it saw
(reading.Raised); openbook.standards.metrics.flags lists them and runs them. R028, R030, R035
and R036 need bid-level data (bids.details) and run only where a process gives it. Pure.
"""

from collections.abc import Iterator
from datetime import datetime

from openbook.standards.metrics.reading import (
    Raised,
    Reading,
    Settings,
    count,
    ids,
    money,
)
from openbook.standards.ocds.shapes import as_dict, number, text
from openbook.standards.ocds.summary import utc

_VALID = ("valid", "qualified")  # ocdscardinal reads both (its issue 18)
_DISQUALIFIED = ("disqualified",)
_SUBMITTED = (*_VALID, *_DISQUALIFIED, "pending")  # "invited" and "withdrawn" were not bids


def _moment(value: object) -> datetime | None:
    moment = utc(value)
    return datetime.fromisoformat(moment[:19]) if moment else None


def r003(read: Reading, settings: Settings) -> Iterator[Raised]:
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


def r018(read: Reading, settings: Settings) -> Iterator[Raised]:
    # R018: one tenderer in a competitive method. ocdscardinal reads tender.numberOfTenderers;
    # openbook reads the process-wide bids statistic "bids" (bids received) where that is absent.
    if read.method not in settings.competitive_methods:
        return
    tenderers, release_id = read.newest("tender", "numberOfTenderers")
    where = "tender.numberOfTenderers"
    if count(tenderers) is None:
        tenderers, release_id = read.statistics.get(("bids", ""), (None, None))
        where = "bids.statistics, measure 'bids'"
    if count(tenderers) == 1:
        yield (
            release_id,
            f"1 tenderer ({where}) in an {read.method} procedure",
            {"tenderers": 1, "method": read.method},
        )


def r028(read: Reading) -> Iterator[Raised]:
    # R028: different tenderers bid the same price.
    by_price: dict[tuple[float, str], set[str]] = {}
    for bid in read.bids_of(*_SUBMITTED):
        value = as_dict(bid.get("value"))
        amount = number(value.get("amount"))
        if amount is not None:
            price = (amount, text(value.get("currency")))
            by_price.setdefault(price, set()).update(ids(bid.get("tenderers")))
    for (amount, currency), tenderers in sorted(by_price.items()):
        if len(tenderers) > 1:
            yield (
                read.bids_release,
                f"{len(tenderers)} tenderers bid the same price, {money(amount, currency)}: "
                f"{', '.join(sorted(tenderers))}",
                {"amount": amount, "currency": currency, "tenderers": sorted(tenderers)},
            )


def r030(read: Reading) -> Iterator[Raised]:
    # R030: a valid bid received after the deadline, from a supplier of an active award.
    deadline_value = read.newest("tender", "tenderPeriod", "endDate")[0]
    deadline = _moment(deadline_value)
    for bid in read.bids_of(*_VALID) if deadline is not None else ():
        received = _moment(bid.get("date"))
        late = ids(bid.get("tenderers")) & read.winners
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


def r035(read: Reading, settings: Settings) -> Iterator[Raised]:
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


def r036(read: Reading) -> Iterator[Raised]:
    # R036: with an active award, the lowest submitted bid was disqualified.
    priced = [
        (amount, bid)
        for bid in read.bids_of(*_SUBMITTED)
        if (amount := number(as_dict(bid.get("value")).get("amount"))) is not None
    ]
    if not priced or not any(award.get("status") == "active" for award in read.awards):
        return
    lowest = min(amount for amount, _ in priced)
    for amount, bid in priced:
        if amount == lowest and text(bid.get("status")).lower() in _DISQUALIFIED:
            currency = text(as_dict(bid.get("value")).get("currency"))
            who = ", ".join(sorted(ids(bid.get("tenderers")))) or "a tenderer not named"
            yield (
                read.bids_release,
                f"the lowest bid, {money(amount, currency)} from {who}, was disqualified",
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


def r044(read: Reading) -> Iterator[Raised]:
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
