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
  not computed per process. They are openbook.standards.metrics.cardinal;
- the UK's own (``uk-...``): what a reviewer of UK procurement would ask about, read through
  the law's own rules (openbook.standards.uk.rules) and the registers (``reading.Context``).
  They are openbook.standards.metrics.uk_flags.

This module is the registry and what runs it: ``assess`` reads a process once
(openbook.standards.metrics.reading) and gives every rule that read. Every threshold is a field
of ``reading.Settings``, with its default and its source.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from openbook.standards.metrics import cardinal, uk_flags
from openbook.standards.metrics.milestones import authority_of
from openbook.standards.metrics.process import Process
from openbook.standards.metrics.reading import Context, Raised, Reading, Settings, count
from openbook.standards.ocds.shapes import dicts

# The method's version: every published rate names it. Bump it with any change that can change
# which processes are flagged, and say what changed in docs/methods/red-flags.md.
METHOD_VERSION = "2"  # 2: a supplier linked through its verified identifiers only

CARDINAL = "ocdscardinal"
OPENBOOK = "openbook"


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


def buyer_of(process: Process) -> str:
    """The key flags and rates are grouped by, as the milestones' figures name an authority:
    the buyer's SCHEME-ID, else ``name:`` and its name's key; "" if no release names one."""
    return authority_of(process)[0]


def flags(process: Process, context: Context, settings: Settings) -> list[Flag]:
    """Every red flag raised on the process, in REGISTRY order."""
    return assess(process, context, settings)[0]


def coverage(process: Process) -> dict[str, bool]:
    """For every indicator of REGISTRY, whether this process carries the data it needs (False
    for those openbook does not run per process)."""
    return _coverage(Reading(process))


def assess(
    process: Process, context: Context, settings: Settings
) -> tuple[list[Flag], dict[str, bool]]:
    """``flags`` and ``coverage`` at once, reading the process once."""
    read = Reading(process)
    found: dict[str, Iterator[Raised]] = {
        "R003": cardinal.r003(read, settings),
        "R018": cardinal.r018(read, settings),
        "R044": cardinal.r044(read),
        "uk-single-bid": uk_flags.single_bid(read, settings),
        "uk-direct-award": uk_flags.direct_award(read),
        "uk-short-tender-period": uk_flags.short_tender_period(read),
        "uk-modification-raise": uk_flags.modification_raise(read, settings),
        "uk-just-under-threshold": uk_flags.just_under_threshold(read, settings),
    }
    if read.bids:
        found |= {
            "R028": cardinal.r028(read),
            "R030": cardinal.r030(read),
            "R035": cardinal.r035(read, settings),
            "R036": cardinal.r036(read),
        }
    if context.registered:
        found["uk-new-supplier"] = uk_flags.new_supplier(read, context, settings)
    if context.debarred:
        found["uk-debarred-supplier"] = uk_flags.debarred_supplier(read, context)
    buyer = buyer_of(process)
    raised = [
        Flag(code, process.ocid, release_id, buyer, detail, values)
        for code in REGISTRY
        if code in found
        for release_id, detail, values in found[code]
    ]
    return raised, _coverage(read)


def _coverage(read: Reading) -> dict[str, bool]:
    def given(*path: str) -> bool:
        return read.newest(*path)[0] is not None

    deadline = given("tender", "tenderPeriod", "endDate")
    number = count(read.newest("tender", "numberOfTenderers")[0]) is not None
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
