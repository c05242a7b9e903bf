"""Data-quality checks beyond the schema (issue 7, item 3): whether a process's releases agree
with themselves and with each other (dates in order, statuses that fit, references that resolve,
plausible values, identifiers given, one process under one ocid).

Each check has a stable id, a family (the first word of its id) and a subject: a release, or the
whole process. ``check`` judges one process in one pass and returns, for every check that
applied, which subjects passed and which failed, each failure placed in the release that fails
(a JSON pointer into it) and told in plain English with its numbers. A check that does not apply
to a subject (no tender period to order, no amount to judge) counts neither way, so that a
publisher cannot score well by leaving fields out. One process published under several ocids,
which no single process can show, is found across a dataset by
openbook.standards.metrics.duplicates.

Schema checks are not repeated (openbook.standards.ocds.validate makes them). The method, with
what passes and what fails for each check, is docs/methods/data-quality.md; METHOD_VERSION names
it. Pure: no I/O.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from openbook.standards.metrics.process import Process, Release
from openbook.standards.metrics.written import (
    calendar_day,
    checked_identifier,
    id_of,
    is_number,
    money,
    name_key,
    objects,
)
from openbook.standards.ocds.shapes import as_dict, as_list, text

# Bump when the same data could get a different figure: a check added, removed or redefined, a
# threshold moved, the scoring changed. New wording of titles and details does not bump it.
METHOD_VERSION = "1"

# What a check judges, and so what its denominator counts.
RELEASE = "release"
PROCESS = "process"


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    applies_to: str  # RELEASE or PROCESS
    title: str  # what passes, in one line

    @property
    def family(self) -> str:
        return self.id.split("-", 1)[0]


FAMILIES = ("dates", "statuses", "references", "values", "identifiers", "consistency", "duplicates")

# fmt: off
CHECKS: dict[str, Check] = {check.id: check for check in (
    Check("dates-tender-period-order", RELEASE, "A tender period ends no earlier than it starts"),
    Check("dates-award-before-tender-start", RELEASE,
          "An award is not dated before the tender period starts"),
    Check("dates-contract-signed-before-award", RELEASE,
          "A contract is not signed before the date of its award"),
    Check("dates-contract-period-order", RELEASE,
          "A contract period ends no earlier than it starts"),
    Check("dates-award-contract-period-order", RELEASE,
          "An award's contract period ends no earlier than it starts"),
    Check("dates-release-in-future", RELEASE,
          "A release is not dated more than a day after the platform received it"),
    Check("dates-release-before-1990", RELEASE, "A release is not dated before 1990"),
    Check("statuses-tender-complete-without-award", PROCESS,
          "A process whose tender is complete has an award"),
    Check("statuses-award-active-without-suppliers", RELEASE,
          "An active award names its suppliers"),
    Check("statuses-contract-active-award-cancelled", RELEASE,
          "An active contract's award is not cancelled or unsuccessful"),
    Check("references-party-id-missing", RELEASE, "Every party has an id"),
    Check("references-party-ids-unique", RELEASE, "No two parties of a release share an id"),
    Check("references-buyer-party", RELEASE, "The buyer names a party of the release"),
    Check("references-buyer-role", RELEASE,
          "The buyer's party has the role 'buyer', and a release with buyer parties has a buyer"),
    Check("references-procuring-entity-party", RELEASE,
          "The procuring entity names a party with the role 'procuringEntity'"),
    Check("references-supplier-party", RELEASE,
          "Each supplier of an award names a party with the role 'supplier'"),
    Check("references-tenderer-party", RELEASE,
          "Each tenderer names a party with the role 'tenderer'"),
    Check("references-contract-award", RELEASE,
          "A contract's awardID names an award of the process"),
    Check("values-amount-not-positive", RELEASE, "An amount is more than zero"),
    Check("values-amount-implausible", RELEASE,
          "An amount in pounds, euros or dollars is not over 100 billion"),
    Check("values-contract-over-award", RELEASE,
          "A contract's value is not more than 10 times its award's"),
    Check("values-currency-missing", RELEASE, "An amount comes with its currency"),
    Check("values-amount-as-text", RELEASE, "An amount is a number, not text"),
    Check("values-gross-below-net", RELEASE,
          "An amount with tax is not less than the same amount without"),
    Check("identifiers-buyer-missing", RELEASE, "Each buyer's party has an identifier"),
    Check("identifiers-supplier-missing", RELEASE, "Each supplier's party has an identifier"),
    Check("identifiers-scheme-without-id", RELEASE, "An identifier that names a scheme has an id"),
    Check("identifiers-id-without-scheme", RELEASE, "An identifier that has an id names a scheme"),
    Check("identifiers-malformed", RELEASE,
          "An identifier in a scheme openbook knows is well formed"),
    Check("identifiers-conflicting-names", PROCESS,
          "One identifier is not given to parties of different names"),
    Check("consistency-ocid-prefix", PROCESS, "The ocid starts with an ocid prefix"),
    Check("consistency-tag-content", RELEASE, "A release holds the sections its tags announce"),
    Check("consistency-buyer-changes", PROCESS,
          "The buyer keeps its id and its name through the process"),
    Check("duplicates-split-ocid", PROCESS, "All the releases of a process name one buyer"),
    Check("duplicates-same-process", PROCESS, "A process is published under one ocid only"),
)}
# fmt: on

# A registered ocid prefix is "ocds-" and six characters; an ocid is a prefix, a hyphen and the
# publisher's own identifier for the process (OCDS 1.1, "Open Contracting Identifier").
_OCID = re.compile(r"ocds-[a-z0-9]{6}-\S")
_INDEX = re.compile(r"\[(\d+)\]")
_EARLIEST = "1990-01-01"  # before any e-procurement system published data
# Over 100 billion (pounds, euros, dollars) is more than any one public contract has been worth:
# the UK's whole public procurement is about 400 billion pounds a year.
_IMPLAUSIBLE = 1e11
_MAJOR_CURRENCIES = frozenset({"GBP", "EUR", "USD", "CHF", "CAD", "AUD", "NZD"})
_CONTRACT_OVER_AWARD = 10  # a contract may grow through changes, not tenfold
_FAILED_AWARD = frozenset({"cancelled", "unsuccessful"})  # OCDS 1.1 awardStatus codes
# Release tags (OCDS 1.1 releaseTag codelist) and the section each announces.
_TAG_SECTIONS = {
    "planning": "planning",
    "planningUpdate": "planning",
    "tender": "tender",
    "tenderAmendment": "tender",
    "tenderUpdate": "tender",
    "tenderCancellation": "tender",
    "award": "awards",
    "awardUpdate": "awards",
    "awardCancellation": "awards",
    "contract": "contracts",
    "contractUpdate": "contracts",
    "contractAmendment": "contracts",
    "contractTermination": "contracts",
    "implementation": "contracts[].implementation",
    "implementationUpdate": "contracts[].implementation",
}
_REFERENCE_CHECKS = {
    "procuringEntity": "references-procuring-entity-party",
    "tenderer": "references-tenderer-party",
    "supplier": "references-supplier-party",
}
_SHOWN = 80  # characters of a publisher's text quoted in a detail


@dataclass(frozen=True, slots=True)
class Failure:
    check: str
    ocid: str
    release_id: str | None  # None when the failure is the whole process's
    seq: int | None
    path: str  # a JSON pointer into the release; "" for a whole process
    detail: str


@dataclass(frozen=True, slots=True)
class Result:
    """One process judged. ``judged[seq]`` holds the checks that judged the subject placed at
    ``seq``, ``failing[seq]`` those of them it failed. A release check's subject is the release;
    a process check's is the process, placed at its newest release, so that figures by
    publisher and period count it once, where the process now stands. A check that judged
    nothing did not apply: it is no pass."""

    ocid: str
    judged: dict[int, set[str]]
    failing: dict[int, set[str]]
    failures: list[Failure]

    @property
    def checked(self) -> dict[str, int]:
        """Subjects judged by each check: its denominator."""
        counts: dict[str, int] = {}
        for checks in self.judged.values():
            for check in checks:
                counts[check] = counts.get(check, 0) + 1
        return counts

    @property
    def failed(self) -> dict[str, int]:
        """Subjects that failed each check that judged any (once, however many places they
        fail in)."""
        counts = dict.fromkeys(self.checked, 0)
        for checks in self.failing.values():
            for check in checks:
                counts[check] += 1
        return counts

    def outcomes(self) -> Iterator[tuple[int, str, bool]]:
        """``(seq, check, passed)`` for every subject judged, by seq then check."""
        for seq in sorted(self.judged):
            failing = self.failing.get(seq, set())
            for check in sorted(self.judged[seq]):
                yield seq, check, check not in failing


def score(checked: int, failed: int) -> float | None:
    """The share of subjects that passed a check; None when it judged none (not a pass)."""
    return (checked - failed) / checked if checked > 0 else None


def overall(scores: Iterable[float | None]) -> float | None:
    """A publisher's score over a period: the mean of its checks' scores, each check weighing
    the same however many subjects it judged, so that a check of every amount does not drown
    one of the few active awards. Checks that judged nothing are left out."""
    given = [value for value in scores if value is not None]
    return sum(given) / len(given) if given else None


def check(process: Process) -> Result:
    """Every check of one process but duplicates-same-process (duplicates.Across makes that)."""
    run = _Run(process)
    for release in process.releases:
        view = _View(release, run.judged.setdefault(release.seq, set()))
        for _, award in view.awards:
            award_id = text(award.get("id"))
            run.award_ids.add(award_id)
            run.awards[award_id] = award  # as the process stands at this release
        _release_date(run, view)
        _periods(run, view)
        _statuses(run, view)
        _party_ids(run, view)
        _buyer_references(run, view)
        _references(run, view)
        _values(run, view)
        _contract_values(run, view)
        _identifiers(run, view)
        _tags(run, view)
        _buyers(run, view)
    _process(run, process)
    judged = {seq: checks for seq, checks in run.judged.items() if checks}
    run.failures.sort(key=lambda failure: (failure.seq is None, failure.seq or 0, failure.check))
    return Result(process.ocid, judged, run.failing, run.failures)


class _Run:
    """What one process's checks gather as they read its releases in log order. A pass is
    noted by adding the check to the subject's ``judged`` set (a release's is its view's;
    the process's is ``whole``): it costs less than a call, and most judgments pass."""

    __slots__ = (
        "award_ids",
        "awards",
        "buyer",
        "buyer_releases",
        "contract_awards",
        "failing",
        "failures",
        "judged",
        "last",
        "names",
        "ocid",
        "tender_start",
        "tender_status",
        "whole",
    )

    def __init__(self, process: Process) -> None:
        self.ocid = process.ocid
        self.last = process.last.seq
        self.judged: dict[int, set[str]] = {}
        self.failing: dict[int, set[str]] = {}
        self.whole = self.judged.setdefault(self.last, set())
        self.failures: list[Failure] = []
        self.award_ids: set[str] = set()
        self.awards: dict[str, dict] = {}  # award id: the award as last published
        self.contract_awards: list[tuple[Release, int, str]] = []  # contracts' awardIDs
        self.tender_start: str | None = None  # the day, as last published
        self.tender_status: tuple[str, Release] | None = None
        self.buyer: tuple[str, str, Release] | None = None  # id, name, where last given
        self.buyer_releases = 0
        self.names: dict[str, tuple[str, str, set[str]]] = {}  # identifier: name, key, others

    def fail(
        self, check: str, release: Release | None, where: str, detail: str, *, whole: bool = False
    ) -> None:
        """A failure at ``where`` (``awards[0].date``) in ``release`` (None: in no one release).
        ``whole``: the subject is the process, not the release."""
        subject = self.last if whole or release is None else release.seq
        self.judged.setdefault(subject, set()).add(check)
        self.failing.setdefault(subject, set()).add(check)
        path = "/" + _INDEX.sub(r"/\1", where).replace(".", "/") if where else ""
        release_id, seq = (None, None) if release is None else (release.id, release.seq)
        self.failures.append(Failure(check, self.ocid, release_id, seq, path, detail))


class _View:
    """The parts of one release that several checks read, read once whatever their shape,
    and the checks that judged it. Lists keep their positions (``(index, object)``), so that
    paths point right even where a list holds something other than objects."""

    __slots__ = (
        "awards",
        "body",
        "buyer",
        "buyer_id",
        "by_id",
        "contracts",
        "judged",
        "parties",
        "release",
        "tender",
    )

    def __init__(self, release: Release, judged: set[str]) -> None:
        body = release.body
        self.release = release
        self.body = body
        self.judged = judged
        self.parties = objects(body.get("parties"))
        self.by_id: dict[str, dict] = {}
        for _, party in self.parties:
            self.by_id.setdefault(id_of(party), party)
        self.by_id.pop("", None)
        buyer = body.get("buyer")
        self.buyer = buyer if isinstance(buyer, dict) else None
        self.buyer_id = id_of(buyer)
        self.tender = as_dict(body.get("tender"))
        self.awards = objects(body.get("awards"))
        self.contracts = objects(body.get("contracts"))


# Dates. The order checks compare calendar days as the publisher wrote them: a date of one day
# beside a time of the same day, or two zones' times of one day, are not out of order.


def _release_date(run: _Run, view: _View) -> None:
    release = view.release
    day = calendar_day(view.body.get("date"))
    if day is None:
        return
    if day < _EARLIEST:
        run.fail("dates-release-before-1990", release, "date", f"date {day} is before 1990")
    else:
        view.judged.add("dates-release-before-1990")
    # By day, which leaves room for the publisher's time zone: the log time is UTC.
    received = calendar_day(release.log_time)
    latest = _next_day(received) if received is not None else None
    if latest is None:
        return
    if day > latest:
        detail = f"date {day} is more than a day after {received}, when the platform received it"
        run.fail("dates-release-in-future", release, "date", detail)
    else:
        view.judged.add("dates-release-in-future")


def _periods(run: _Run, view: _View) -> None:
    period = as_dict(view.tender.get("tenderPeriod"))
    _order(run, view, "dates-tender-period-order", period, "tender.tenderPeriod")
    run.tender_start = calendar_day(period.get("startDate")) or run.tender_start
    start = ("tender.tenderPeriod.startDate", run.tender_start)
    for index, award in view.awards:
        where = f"awards[{index}]"
        period = as_dict(award.get("contractPeriod"))
        _order(run, view, "dates-award-contract-period-order", period, f"{where}.contractPeriod")
        dated = (f"{where}.date", calendar_day(award.get("date")))
        _not_before(run, view, "dates-award-before-tender-start", dated, start)
    for index, contract in view.contracts:
        where = f"contracts[{index}]"
        period = as_dict(contract.get("period"))
        _order(run, view, "dates-contract-period-order", period, f"{where}.period")
        award_id = contract.get("awardID")
        awarded = calendar_day(as_dict(run.awards.get(text(award_id))).get("date"))
        signed = (f"{where}.dateSigned", calendar_day(contract.get("dateSigned")))
        of_award = (f"the date of award {_shown(award_id)}", awarded)
        _not_before(run, view, "dates-contract-signed-before-award", signed, of_award)


def _order(run: _Run, view: _View, check: str, period: dict, where: str) -> None:
    start = (f"{where}.startDate", calendar_day(period.get("startDate")))
    _not_before(run, view, check, (f"{where}.endDate", calendar_day(period.get("endDate"))), start)


def _not_before(
    run: _Run,
    view: _View,
    check: str,
    later: tuple[str, str | None],
    earlier: tuple[str, str | None],
) -> None:
    """Whether the day ``later`` (where, day) is not before ``earlier``: nothing to judge when
    either is unknown."""
    (where, day), (other, other_day) = later, earlier
    if day is None or other_day is None:
        return
    if day < other_day:
        run.fail(check, view.release, where, f"{where} {day} is before {other} {other_day}")
    else:
        view.judged.add(check)


@lru_cache(maxsize=1 << 12)
def _next_day(day: str) -> str | None:
    try:
        return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    except OverflowError:  # the last day of the year 9999
        return None


# Statuses (OCDS 1.1 tenderStatus, awardStatus and contractStatus codelists).


def _statuses(run: _Run, view: _View) -> None:
    release = view.release
    status = view.tender.get("status")
    if isinstance(status, str) and status:
        run.tender_status = (status, release)
    for index, award in view.awards:
        if award.get("status") != "active":
            continue
        if any(isinstance(supplier, dict) for supplier in as_list(award.get("suppliers"))):
            view.judged.add("statuses-award-active-without-suppliers")
        else:
            where = f"awards[{index}]"
            detail = f"{where} is active but names no suppliers"
            run.fail(
                "statuses-award-active-without-suppliers", release, f"{where}.suppliers", detail
            )
    for index, contract in view.contracts:
        award_id = text(contract.get("awardID"))
        its_award = run.awards.get(award_id)
        if contract.get("status") != "active" or its_award is None:
            continue
        status = text(its_award.get("status"))
        if status in _FAILED_AWARD:
            where = f"contracts[{index}]"
            detail = f"{where} is active but its award {_shown(award_id)} is {status}"
            run.fail("statuses-contract-active-award-cancelled", release, f"{where}.status", detail)
        else:
            view.judged.add("statuses-contract-active-award-cancelled")


# References: the organisation references of a release name parties of the release (OCDS 1.1,
# "Parties"), and a contract names an award of its process.


def _party_ids(run: _Run, view: _View) -> None:
    release = view.release
    seen: set[str] = set()
    for index, party in view.parties:
        party_id = id_of(party)
        if not party_id:
            detail = f"parties[{index}] ({_shown(party.get('name'))}) has no id"
            run.fail("references-party-id-missing", release, f"parties[{index}].id", detail)
            continue
        view.judged.add("references-party-id-missing")
        if party_id in seen:
            detail = f"parties[{index}].id {_shown(party_id)} is the id of an earlier party"
            run.fail("references-party-ids-unique", release, f"parties[{index}].id", detail)
        else:
            seen.add(party_id)
            view.judged.add("references-party-ids-unique")


def _buyer_references(run: _Run, view: _View) -> None:
    release = view.release
    if view.buyer is None:
        for index, party in view.parties:
            if "buyer" in as_list(party.get("roles")):
                detail = f"parties[{index}] has the role 'buyer' but the release has no buyer"
                run.fail("references-buyer-role", release, f"parties[{index}].roles", detail)
                break
        return
    buyer = view.by_id.get(view.buyer_id)
    if buyer is None:
        detail = (
            f"buyer.id {_shown(view.buyer_id)} names no party of the release"
            if view.buyer_id
            else "buyer has no id, so it names no party"
        )
        run.fail("references-buyer-party", release, "buyer.id", detail)
        return
    view.judged.add("references-buyer-party")
    # With several buyers (joint procurement), each is a party with the role 'buyer' and the
    # buyer field names the lead one (OCDS, the contract_buyer extension's documentation).
    if "buyer" in as_list(buyer.get("roles")):
        view.judged.add("references-buyer-role")
    else:
        detail = f"buyer.id {_shown(view.buyer_id)} names a party without the role 'buyer'"
        run.fail("references-buyer-role", release, "buyer.id", detail)


def _references(run: _Run, view: _View) -> None:
    entity = view.tender.get("procuringEntity")
    if isinstance(entity, dict):
        _names_party(run, view, entity, "procuringEntity", "tender.procuringEntity")
    for index, tenderer in objects(view.tender.get("tenderers")):
        _names_party(run, view, tenderer, "tenderer", f"tender.tenderers[{index}]")
    for index, award in view.awards:
        for position, supplier in objects(award.get("suppliers")):
            _names_party(run, view, supplier, "supplier", f"awards[{index}].suppliers[{position}]")
    for index, contract in view.contracts:
        award_id = text(contract.get("awardID"))
        if award_id:  # the schema requires one; whether it names an award is judged at the end
            run.contract_awards.append((view.release, index, award_id))


def _names_party(run: _Run, view: _View, reference: dict, role: str, where: str) -> None:
    """Whether an organisation reference names a party of the release that has ``role``."""
    check = _REFERENCE_CHECKS[role]
    reference_id = id_of(reference)
    party = view.by_id.get(reference_id)
    if party is not None and role in as_list(party.get("roles")):
        view.judged.add(check)
    elif not reference_id:
        detail = f"{where} ({_shown(reference.get('name'))}) has no id, so it names no party"
        run.fail(check, view.release, f"{where}.id", detail)
    elif party is None:
        detail = f"{where}.id {_shown(reference_id)} names no party of the release"
        run.fail(check, view.release, f"{where}.id", detail)
    else:
        detail = f"{where}.id {_shown(reference_id)} names a party without the role '{role}'"
        run.fail(check, view.release, f"{where}.id", detail)


# Values: every Value (OCDS 1.1: amount and currency; amountGross from the UK extension) of the
# budget, tender, lots, awards and contracts. Transactions are left out: credits are negative
# by right.


def _values(run: _Run, view: _View) -> None:
    release, judged = view.release, view.judged
    for where, value in _value_objects(view):
        amount = value.get("amount")
        if isinstance(amount, str):
            detail = f"{where}.amount is the text {_shown(amount)}, not a number"
            run.fail("values-amount-as-text", release, f"{where}.amount", detail)
        elif is_number(amount):
            judged.add("values-amount-as-text")
            _amount(run, view, where, value, amount)
        else:
            continue  # no amount, or one of a shape the schema review reports
        if text(value.get("currency")).strip():
            judged.add("values-currency-missing")
        else:
            detail = f"{where}.amount {_shown(amount)} has no currency"
            run.fail("values-currency-missing", release, f"{where}.currency", detail)


def _amount(run: _Run, view: _View, where: str, value: dict, amount: float) -> None:
    currency = text(value.get("currency")).strip().upper()
    if amount <= 0:
        detail = f"{where}.amount {money(amount, currency)} is not more than 0"
        run.fail("values-amount-not-positive", view.release, f"{where}.amount", detail)
    else:
        view.judged.add("values-amount-not-positive")
    if currency in _MAJOR_CURRENCIES:
        if amount > _IMPLAUSIBLE:
            detail = f"{where}.amount {money(amount, currency)} is over 100 billion"
            run.fail("values-amount-implausible", view.release, f"{where}.amount", detail)
        else:
            view.judged.add("values-amount-implausible")
    gross = value.get("amountGross")
    if not is_number(gross):
        return
    if gross < amount:
        detail = (
            f"{where}.amountGross {money(gross, currency)} is less than the amount without "
            f"tax, {money(amount, currency)}"
        )
        run.fail("values-gross-below-net", view.release, f"{where}.amountGross", detail)
    else:
        view.judged.add("values-gross-below-net")


def _contract_values(run: _Run, view: _View) -> None:
    for index, contract in view.contracts:
        award_id = contract.get("awardID")
        value = as_dict(contract.get("value"))
        awarded = as_dict(as_dict(run.awards.get(text(award_id))).get("value"))
        amount, award_amount = value.get("amount"), awarded.get("amount")
        currency = text(value.get("currency")).strip().upper()
        if not (
            is_number(amount)
            and is_number(award_amount)
            and amount > 0
            and award_amount > 0
            and currency
            and currency == text(awarded.get("currency")).strip().upper()
        ):
            continue
        if amount > _CONTRACT_OVER_AWARD * award_amount:
            where = f"contracts[{index}].value"
            detail = (
                f"{where} {money(amount, currency)} is {_times(amount, award_amount)} the "
                f"value of award {_shown(award_id)}, {money(award_amount, currency)}"
            )
            run.fail("values-contract-over-award", view.release, f"{where}.amount", detail)
        else:
            view.judged.add("values-contract-over-award")


def _value_objects(view: _View) -> Iterator[tuple[str, dict]]:
    budget = as_dict(as_dict(view.body.get("planning")).get("budget")).get("amount")
    if isinstance(budget, dict):
        yield "planning.budget.amount", budget
    for key in ("value", "minValue"):
        if isinstance(value := view.tender.get(key), dict):
            yield f"tender.{key}", value
    for index, lot in objects(view.tender.get("lots")):
        if isinstance(value := lot.get("value"), dict):
            yield f"tender.lots[{index}].value", value
    for section, items in (("awards", view.awards), ("contracts", view.contracts)):
        for index, item in items:
            if isinstance(value := item.get("value"), dict):
                yield f"{section}[{index}].value", value


# Identifiers (OCDS 1.1 Identifier: a scheme, from org-id.guide, and the id in it).


_SUPPLIER = ("supplier", "identifiers-supplier-missing")


def _identifiers(run: _Run, view: _View) -> None:
    buyer = view.by_id.get(view.buyer_id)
    for index, party in view.parties:
        roles = as_list(party.get("roles"))
        identifier = as_dict(party.get("identifier"))
        for role, check in (("buyer", "identifiers-buyer-missing"), _SUPPLIER):
            if role not in roles and (role == "supplier" or party is not buyer):
                continue
            if text(identifier.get("id")).strip():
                view.judged.add(check)
            else:
                name = _shown(party.get("name"))
                detail = f"parties[{index}] ({name}), a {role}, has no identifier.id"
                run.fail(check, view.release, f"parties[{index}].identifier.id", detail)
        if identifier:
            _identifier(run, view, f"parties[{index}].identifier", identifier, party)
        for position, more in objects(party.get("additionalIdentifiers")):
            where = f"parties[{index}].additionalIdentifiers[{position}]"
            _identifier(run, view, where, more, None)


def _identifier(run: _Run, view: _View, where: str, identifier: dict, party: dict | None) -> None:
    """One identifier of a party, at ``where``; ``party`` when it is the party's main one."""
    scheme, given = text(identifier.get("scheme")).strip(), text(identifier.get("id")).strip()
    if not (scheme and given):
        if scheme:
            detail = f"{where} names the scheme {_shown(scheme)} but has no id"
            run.fail("identifiers-scheme-without-id", view.release, f"{where}.id", detail)
        elif given:
            detail = f"{where} has the id {_shown(given)} but names no scheme"
            run.fail("identifiers-id-without-scheme", view.release, f"{where}.scheme", detail)
        return
    view.judged.update(("identifiers-scheme-without-id", "identifiers-id-without-scheme"))
    judged, problem, normal = checked_identifier(scheme, given)
    if judged and problem is None:
        view.judged.add("identifiers-malformed")
    elif judged:
        run.fail("identifiers-malformed", view.release, f"{where}.id", f"{where}: {problem}")
    if party is not None and normal is not None:
        _name(run, view.release, where.split(".", 1)[0], normal, party)


def _name(run: _Run, release: Release, where: str, identifier: str, party: dict) -> None:
    """identifiers-conflicting-names: the first name given to an identifier in the process,
    against each later one."""
    name = text(party.get("name")).strip()
    first = run.names.get(identifier)
    if not name or first is None:
        if name:
            run.names[identifier] = (name, "", set())
        return
    first_name, first_key, others = first
    if name == first_name:
        return
    if not first_key:
        first_key = name_key(first_name)
        run.names[identifier] = (first_name, first_key, others)
    key = name_key(name)
    if key == first_key or key in others:
        return
    others.add(key)
    detail = (
        f"{where} is named {_shown(name)} but the identifier {identifier} was first given to "
        f"{_shown(first_name)} in this process"
    )
    run.fail("identifiers-conflicting-names", release, f"{where}.name", detail, whole=True)


# Consistency.


def _tags(run: _Run, view: _View) -> None:
    for tag in as_list(view.body.get("tag")):
        section = _TAG_SECTIONS.get(tag) if isinstance(tag, str) else None
        if section is None:
            continue
        if section == "awards":
            present = bool(view.awards)
        elif section == "contracts":
            present = bool(view.contracts)
        elif section == "contracts[].implementation":
            present = any(as_dict(contract.get("implementation")) for _, contract in view.contracts)
        else:
            present = bool(as_dict(view.body.get(section)))
        if present:
            view.judged.add("consistency-tag-content")
        else:
            detail = f"the release is tagged {tag!r} but has no {section}"
            run.fail("consistency-tag-content", view.release, "tag", detail)


def _buyers(run: _Run, view: _View) -> None:
    """consistency-buyer-changes and duplicates-split-ocid: each release's buyer against the
    one the process last gave. Where what both give agrees in part (the id, or the name), one
    buyer is written two ways; where none of it agrees, they are two organisations, and the
    ocid holds more than one process."""
    if view.buyer is None:
        return
    name = text(view.buyer.get("name")).strip()
    name = name or text(as_dict(view.by_id.get(view.buyer_id)).get("name")).strip()
    if not view.buyer_id and not name:
        return
    run.buyer_releases += 1
    before, run.buyer = run.buyer, (view.buyer_id, name, view.release)
    if before is None or before[:2] == (view.buyer_id, name):
        return
    before_id, before_name, before_release = before
    same_id = before_id == view.buyer_id if before_id and view.buyer_id else None
    same_name = name_key(before_name) == name_key(name) if before_name and name else None
    if False not in (same_id, same_name) or (same_id, same_name) == (None, None):
        return  # nothing both give disagrees, or they give nothing alike to compare
    detail = (
        f"the buyer is {_shown(name)} (id {_shown(view.buyer_id)}) but was "
        f"{_shown(before_name)} (id {_shown(before_id)}) in release {_shown(before_release.id)}"
    )
    if same_id or same_name:
        run.fail("consistency-buyer-changes", view.release, "buyer", detail, whole=True)
    else:
        detail += ": two organisations under one ocid"
        run.fail("duplicates-split-ocid", view.release, "buyer", detail, whole=True)


def _process(run: _Run, process: Process) -> None:
    """The checks judged once the whole process has been read."""
    if _OCID.match(process.ocid):
        run.whole.add("consistency-ocid-prefix")
    else:
        detail = (
            f"the ocid {_shown(process.ocid)} does not start with an ocid prefix ('ocds-', six "
            "lower-case letters or digits, a hyphen)"
        )
        run.fail("consistency-ocid-prefix", None, "", detail)
    if run.tender_status is not None and run.tender_status[0] == "complete":
        if run.award_ids:
            run.whole.add("statuses-tender-complete-without-award")
        else:
            detail = "tender.status is 'complete' but no release of the process has an award"
            release = run.tender_status[1]
            check = "statuses-tender-complete-without-award"
            run.fail(check, release, "tender.status", detail, whole=True)
    for release, index, award_id in run.contract_awards:
        if award_id in run.award_ids:
            run.judged[release.seq].add("references-contract-award")
        else:
            where = f"contracts[{index}].awardID"
            detail = f"{where} {_shown(award_id)} names no award of the process"
            run.fail("references-contract-award", release, where, detail)
    if run.buyer_releases > 1:
        run.whole.update(("consistency-buyer-changes", "duplicates-split-ocid"))
    if run.names:
        run.whole.add("identifiers-conflicting-names")


# Writing details.


def _shown(value: object) -> str:
    """A publisher's value quoted in a detail: its text, spaces collapsed, cut short."""
    shown = " ".join(text(value).split()) if isinstance(value, str | int) else repr(value)
    return f"'{shown[: _SHOWN - 1]}…'" if len(shown) > _SHOWN else f"'{shown}'"


def _times(amount: float, other: float) -> str:
    """How many times ``other`` ``amount`` is, in words."""
    try:
        return f"{amount / other:,.0f} times"
    except OverflowError:
        return "more times than a number can hold"
