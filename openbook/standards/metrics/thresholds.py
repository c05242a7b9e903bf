"""Which procurements are above threshold, and which authorities are central government: data
files, not guesses in code (docs/methods/thresholds.md). Pure.

A procurement is above threshold when its releases say so (the UK extension's
``aboveThreshold``); otherwise when its value reaches the threshold in force on the day it
started for its kind of contract and authority. Thresholds include VAT from 1 January 2022 and
exclude it before; a value is compared on the same footing (``amountGross`` includes VAT).
"""

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from importlib import resources

from openbook.standards import organisation_names
from openbook.standards.days import day_of
from openbook.standards.metrics.process import Process, Release, newest
from openbook.standards.ocds.shapes import as_dict, dicts, number, text
from openbook.standards.uk.notices import buyer_classifications

WORKS = "works"
GOODS_SERVICES = "goods-services"
LIGHT_TOUCH = "light-touch"
CENTRAL = "central"
SUB_CENTRAL = "sub-central"
UTILITIES = "utilities"

# How above_threshold was decided (Valuation.basis).
STATED = "stated"  # the releases' aboveThreshold
VALUE_WITH_VAT = "value including VAT"  # amountGross against a threshold including VAT
VALUE_AS_GIVEN = "value as given"  # amount against a threshold including VAT: VAT not stated
VALUE_WITHOUT_VAT = "value excluding VAT"  # amount against a threshold excluding VAT
UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Threshold:
    amount: int  # pounds
    includes_vat: bool
    kind: str  # WORKS, GOODS_SERVICES or LIGHT_TOUCH
    authority: str  # CENTRAL, SUB_CENTRAL or UTILITIES
    in_force_from: str  # YYYY-MM-DD
    source: str  # the instrument that set it


@dataclass(frozen=True, slots=True)
class Valuation:
    """Whether a process is above threshold, and how that was decided."""

    above: bool | None  # None: the data cannot tell
    basis: str  # STATED, VALUE_WITH_VAT, VALUE_AS_GIVEN, VALUE_WITHOUT_VAT or UNKNOWN
    amount: float | None  # the value compared, in pounds
    threshold: Threshold | None

    def as_dict(self) -> dict:
        return {
            "above": self.above,
            "basis": self.basis,
            "amount": self.amount,
            "threshold": self.threshold.amount if self.threshold else None,
            "thresholdIncludesVat": self.threshold.includes_vat if self.threshold else None,
            "thresholdInForceFrom": self.threshold.in_force_from if self.threshold else None,
        }


def _load(name: str) -> dict:
    with resources.files("openbook.standards.metrics").joinpath(f"data/{name}").open("rb") as f:
        return json.load(f)


@functools.cache
def _periods() -> tuple[dict, ...]:
    return tuple(_load("thresholds.json")["periods"])


@functools.cache
def _central() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    data = _load("central-government.json")
    names = {organisation_names.key(n) for group in data["names"].values() for n in group}
    return (
        frozenset(data["classifications"]["central"]),
        frozenset(data["classifications"]["notCentral"]),
        frozenset(data["identifierSchemes"]),
        frozenset(names),
    )


def threshold(day: date, *, kind: str, authority: str) -> Threshold | None:
    """The threshold in force on ``day``; None before the first period the data holds, or
    where that period does not record one."""
    for period in _periods():
        start = date.fromisoformat(period["from"])
        until = period["until"]
        if start <= day and (until is None or day < date.fromisoformat(until)):
            amount = period["amounts"][kind][authority]
            if amount is None:
                return None
            return Threshold(
                amount, period["includesVat"], kind, authority, period["from"], period["source"]
            )
    return None


def contract_kind(process: Process) -> str:
    """WORKS, LIGHT_TOUCH or GOODS_SERVICES, from the newest release that says."""
    category = newest(process.releases, "tender", "mainProcurementCategory")
    # Contracts Finder's own field, before mainProcurementCategory was used.
    legacy = newest(process.releases, "tender", "xClassifications", "ojeuContractType")
    if category == "works" or (isinstance(legacy, str) and legacy.lower() == "works"):
        return WORKS
    regimes = newest(process.releases, "tender", "specialRegime")
    for regime in regimes if isinstance(regimes, list) else []:
        if isinstance(regime, str) and "lighttouch" in "".join(filter(str.isalpha, regime.lower())):
            return LIGHT_TOUCH
    return GOODS_SERVICES


def central_government(process: Process) -> tuple[bool, str]:
    """Whether the buyer is central government, and how that was told: its UK_CA_TYPE, its
    identifier scheme, or its name on the list (docs/methods/thresholds.md)."""
    central, not_central, schemes, names = _central()
    for release in reversed(process.releases):
        types = buyer_classifications(release.body, "UK_CA_TYPE")
        if types & central:
            return True, "UK_CA_TYPE"
        if types & not_central:
            return False, "UK_CA_TYPE"
    buyer = buyer_party(process.releases)
    scheme = text(as_dict(buyer.get("identifier")).get("scheme"))
    if scheme and scheme in schemes:
        return True, "identifier scheme"
    name = text(buyer.get("name"))
    if name and organisation_names.key(name) in names:
        return True, "name"
    return False, "not on the list"


def authority_kind(process: Process, central: bool | None = None) -> str:
    """CENTRAL, SUB_CENTRAL or UTILITIES (a public undertaking or private utility);
    ``central``: central_government's answer, if the caller has it."""
    for release in reversed(process.releases):
        types = buyer_classifications(release.body, "UK_CA_TYPE")
        if types & {"publicUndertaking", "privateUtility"}:
            return UTILITIES
        if types:
            break
    if central is None:
        central = central_government(process)[0]
    return CENTRAL if central else SUB_CENTRAL


def started(process: Process) -> date | None:
    """The day the procurement started: its earliest release's date."""
    days = [day for r in process.releases if (day := day_of(r.body.get("date"))) is not None]
    return date.fromisoformat(min(days)) if days else None


def valuation(process: Process, *, central: bool | None = None) -> Valuation:
    stated = _stated(process.releases)
    if stated is not None:
        return Valuation(stated, STATED, None, None)
    day = started(process)
    if day is None:
        return Valuation(None, UNKNOWN, None, None)
    found = threshold(day, kind=contract_kind(process), authority=authority_kind(process, central))
    net, gross = _value(process.releases) or (None, None)
    if found is None:
        return Valuation(None, UNKNOWN, None, found)
    # The value on the threshold's footing: with VAT where the threshold includes it and the
    # data gives it; the amount as given where VAT is not stated (docs/methods/thresholds.md).
    if not found.includes_vat:
        amount, basis = net, VALUE_WITHOUT_VAT
    elif gross is not None:
        amount, basis = gross, VALUE_WITH_VAT
    else:
        amount, basis = net, VALUE_AS_GIVEN
    if amount is None:
        return Valuation(None, UNKNOWN, None, found)
    return Valuation(amount >= found.amount, basis, amount, found)


def _stated(releases: tuple[Release, ...]) -> bool | None:
    """True if the newest release that states aboveThreshold anywhere states true in any
    place; False if it states only false; None if no release states it."""
    for release in reversed(releases):
        body = release.body
        flags = [as_dict(body.get("tender")).get("aboveThreshold")]
        for section in ("awards", "contracts"):
            flags.extend(item.get("aboveThreshold") for item in dicts(body.get(section)))
        stated = [flag for flag in flags if isinstance(flag, bool)]
        if stated:
            return any(stated)
    return None


def _value(releases: tuple[Release, ...]) -> tuple[float | None, float | None] | None:
    """(amount, amountGross) in pounds of the procurement's estimated value: the newest
    tender value, else the newest awards' total, else contracts'; None without a GBP value."""
    for path in (("tender",), ("awards",), ("contracts",)):
        for release in reversed(releases):
            found = release.body.get(path[0])
            items = [found] if isinstance(found, dict) else dicts(found)
            values = [as_dict(item.get("value")) for item in items]
            pounds = [v for v in values if v.get("currency") in ("GBP", None) and _has(v)]
            if pounds:
                return _total(v.get("amount") for v in pounds), _total(
                    v.get("amountGross") for v in pounds
                )
    return None


def _has(value: dict) -> bool:
    return number(value.get("amount")) is not None or number(value.get("amountGross")) is not None


def _total(values: Iterable[object]) -> float | None:
    numbers = [number(value) for value in values]
    known = [n for n in numbers if n is not None]
    return sum(known) if known and len(known) == len(numbers) else None


def buyer_party(releases: tuple[Release, ...]) -> dict:
    """The buyer's party (or the buyer reference, if no party matches) in the newest release."""
    for release in reversed(releases):
        body = release.body
        buyer = as_dict(body.get("buyer"))
        buyer_id = buyer.get("id")
        for party in dicts(body.get("parties")):
            roles = party.get("roles")
            if (buyer_id is not None and party.get("id") == buyer_id) or (
                isinstance(roles, list) and "buyer" in roles
            ):
                return {**buyer, **party}
        if buyer:
            return buyer
    return {}
