"""The process page's plain words for OCDS codes and field paths, in the reader's language: notice
types, party roles, statuses, procedure types, ratings, the fields a change history names, and
what each red flag means. Each table is built when asked (every message a literal ``_()``, so
that the Welsh catalogue check finds it), once per language."""

import functools

from openbook.web.pages import i18n
from openbook.web.pages.i18n import _


def notice_name(code: str | None) -> str | None:
    """The UK notice type's name (openbook.standards.uk.notices), or None if unknown."""
    return _notices(i18n.current()).get(code or "")


def role_name(role: str) -> str:
    return _roles(i18n.current()).get(role, role)


def status_name(status: str | None) -> str | None:
    if not status:
        return None
    return _statuses(i18n.current()).get(status, status)


def method_name(method: str | None) -> str | None:
    if not method:
        return None
    return _methods(i18n.current()).get(method, method)


def rating_name(rating: str | None) -> str:
    if not rating:
        return _("Not rated")
    return _ratings(i18n.current()).get(rating, rating)


def field_name(field: str) -> str | None:
    """A field of the change history in plain words (``tender.value.amount``: "Tender value"),
    or None when it has none: the page then shows the raw path alone."""
    return _fields(i18n.current()).get(field)


def member_name(array: str, member_id: str) -> str:
    """Which member of an array a change is in: "contract 2"."""
    names = {
        "awards": _("award %(id)s", id=member_id),
        "contracts": _("contract %(id)s", id=member_id),
        "lots": _("lot %(id)s", id=member_id),
        "amendments": _("amendment %(id)s", id=member_id),
        "items": _("item %(id)s", id=member_id),
        "documents": _("document %(id)s", id=member_id),
        "milestones": _("milestone %(id)s", id=member_id),
        "parties": _("party %(id)s", id=member_id),
        "metrics": _("indicator %(id)s", id=member_id),
        "observations": _("rating %(id)s", id=member_id),
        "transactions": _("payment %(id)s", id=member_id),
        "statistics": _("statistic %(id)s", id=member_id),
    }
    return names.get(array, f"{array} {member_id}")


def flag_explanation(flag: str) -> str | None:
    """What a red flag (openbook.standards.metrics.flags) means, and why it matters."""
    return _flags(i18n.current()).get(flag)


def milestone_title(metric: str) -> str | None:
    return _milestones(i18n.current()).get(metric)


def outcome_name(outcome: str) -> str:
    return {
        "for": _("Counts towards the target"),
        "against": _("Counts against the target"),
        "excluded": _("Not counted"),
        "pending": _("Not yet due"),
    }.get(outcome, outcome)


@functools.cache
def _notices(language: str) -> dict[str, str]:
    return {
        "UK1": _("Pipeline notice"),
        "UK2": _("Preliminary market engagement notice"),
        "UK3": _("Planned procurement notice"),
        "UK4": _("Tender notice"),
        "UK5": _("Transparency notice"),
        "UK6": _("Contract award notice"),
        "UK7": _("Contract details notice"),
        "UK8": _("Contract payments notice"),
        "UK9": _("Contract performance notice"),
        "UK10": _("Contract change notice"),
        "UK11": _("Contract termination notice"),
        "UK12": _("Procurement termination notice"),
        "UK13": _("Dynamic market notice: intention to establish"),
        "UK14": _("Dynamic market notice: establishment"),
        "UK15": _("Dynamic market notice: modification"),
        "UK16": _("Dynamic market notice: cessation"),
        "UK17": _("Payments compliance notice"),
        "F01": _("Prior information notice"),
        "F02": _("Contract notice"),
        "F03": _("Contract award notice (regulations before 2025)"),
        "F04": _("Periodic indicative notice – utilities"),
        "F05": _("Contract notice – utilities"),
        "F06": _("Contract award notice – utilities"),
        "F07": _("Qualification system – utilities"),
        "F08": _("Notice on a buyer profile"),
        "F12": _("Design contest notice"),
        "F13": _("Results of design contest"),
        "F14": _("Corrigendum"),
        "F15": _("Voluntary ex ante transparency notice"),
        "F16": _("Prior information notice – defence and security"),
        "F17": _("Contract notice – defence and security"),
        "F18": _("Contract award notice – defence and security"),
        "F19": _("Subcontract notice – defence and security"),
        "F20": _("Modification notice"),
        "F21": _("Social and other specific services – public contracts"),
        "F22": _("Social and other specific services – utilities"),
        "F23": _("Social and other specific services – concessions"),
        "F24": _("Concession notice"),
        "F25": _("Concession award notice"),
    }


@functools.cache
def _roles(language: str) -> dict[str, str]:
    return {
        "buyer": _("Buyer"),
        "procuringEntity": _("Procuring entity"),
        "supplier": _("Supplier"),
        "tenderer": _("Tenderer"),
        "funder": _("Funder"),
        "enquirer": _("Enquirer"),
        "payer": _("Payer"),
        "payee": _("Payee"),
        "reviewBody": _("Review body"),
        "interestedParty": _("Interested party"),
    }


@functools.cache
def _statuses(language: str) -> dict[str, str]:
    return {
        "planning": _("Planning"),
        "planned": _("Planned"),
        "active": _("Active"),
        "cancelled": _("Cancelled"),
        "unsuccessful": _("Unsuccessful"),
        "complete": _("Complete"),
        "withdrawn": _("Withdrawn"),
        "pending": _("Pending"),
        "terminated": _("Ended"),
    }


@functools.cache
def _methods(language: str) -> dict[str, str]:
    return {
        "open": _("Open procedure"),
        "selective": _("Competitive procedure with selection"),
        "limited": _("Limited procedure"),
        "direct": _("Direct award"),
    }


@functools.cache
def _ratings(language: str) -> dict[str, str]:
    return {
        "met": _("Met the standard"),
        "slightlyBelow": _("Slightly below the standard"),
        "below": _("Below the standard"),
        "significantlyBelow": _("Significantly below the standard"),
        "other": _("Other rating"),
    }


@functools.cache
def _fields(language: str) -> dict[str, str]:
    return {
        "tender.title": _("Tender title"),
        "tender.description": _("Tender description"),
        "tender.status": _("Tender status"),
        "tender.value.amount": _("Tender value"),
        "tender.value.amountGross": _("Tender value including VAT"),
        "tender.value.currency": _("Tender currency"),
        "tender.procurementMethod": _("Procedure"),
        "tender.procurementMethodDetails": _("Procedure details"),
        "tender.tenderPeriod.startDate": _("Tender start date"),
        "tender.tenderPeriod.endDate": _("Tender deadline"),
        "tender.enquiryPeriod.endDate": _("Deadline for questions"),
        "tender.awardPeriod.startDate": _("Expected award date"),
        "tender.contractPeriod.startDate": _("Expected contract start date"),
        "tender.contractPeriod.endDate": _("Expected contract end date"),
        "tender.numberOfTenderers": _("Number of tenderers"),
        "tender.lots.title": _("Lot title"),
        "tender.lots.status": _("Lot status"),
        "tender.lots.value.amount": _("Lot value"),
        "tender.lots.value.amountGross": _("Lot value including VAT"),
        "awards.title": _("Award title"),
        "awards.status": _("Award status"),
        "awards.date": _("Award date"),
        "awards.value.amount": _("Award value"),
        "awards.value.amountGross": _("Award value including VAT"),
        "awards.contractPeriod.startDate": _("Contract start date"),
        "awards.contractPeriod.endDate": _("Contract end date"),
        "awards.standstillPeriod.endDate": _("End of the standstill period"),
        "contracts.title": _("Contract title"),
        "contracts.description": _("Contract description"),
        "contracts.status": _("Contract status"),
        "contracts.dateSigned": _("Date the contract was signed"),
        "contracts.value.amount": _("Contract value"),
        "contracts.value.amountGross": _("Contract value including VAT"),
        "contracts.period.startDate": _("Contract start date"),
        "contracts.period.endDate": _("Contract end date"),
        "contracts.amendments.date": _("Date of the change"),
        "contracts.amendments.description": _("Description of the change"),
        "contracts.amendments.rationale": _("Reason for the change"),
        "contracts.amendments.value.amount": _("Contract value after the change"),
        "contracts.amendments.value.amountGross": _(
            "Contract value after the change, including VAT"
        ),
        "contracts.implementation.metrics.observations.measureClassification.id": _(
            "Performance rating"
        ),
        "contracts.implementation.metrics.observations.notes": _("Notes on performance"),
        "contracts.implementation.metrics.observations.period.startDate": _(
            "Start of the period rated"
        ),
        "contracts.implementation.metrics.observations.period.endDate": _(
            "End of the period rated"
        ),
        "buyer.name": _("Buyer's name"),
        "buyer.id": _("Buyer's identifier"),
        "parties.name": _("Organisation's name"),
        "parties.roles": _("Organisation's roles"),
        "planning.budget.amount.amount": _("Budget"),
        "bids.statistics.value": _("Bid statistic"),
    }


@functools.cache
def _milestones(language: str) -> dict[str, str]:
    return {
        "tender-published": _("Above-threshold procurements whose tender notice was published"),
        "award-published-90-days": _(
            "Above-threshold central government awards published within 90 calendar days"
        ),
        "contract-documents": _("Contracts whose contract documents were published"),
        "notices-on-time": _("Notices published within the law's deadline"),
        "stage-coverage": _("Procurements with a published notice for each lifecycle stage"),
    }


@functools.cache
def _flags(language: str) -> dict[str, str]:
    return {
        "R003": _(
            "The time allowed for bids was short for this kind of procedure. Short deadlines "
            "can keep out suppliers who were not told in advance."
        ),
        "R018": _(
            "Only one bid was received in a competitive procedure, so there was no real "
            "competition on price or quality."
        ),
        "R024": _(
            "The winning bid was very close to another bid, which can be a sign that bidders "
            "agreed their prices."
        ),
        "R025": _("An unusually high number of bids was unsuccessful."),
        "R028": _(
            "Two or more bids gave exactly the same price, which can be a sign that bidders "
            "agreed their prices."
        ),
        "R030": _("A bid received after the deadline won the contract."),
        "R035": _(
            "Every bid but the winning one was disqualified, so the winner faced no competition."
        ),
        "R036": _("The lowest bid was disqualified."),
        "R038": _("An unusually high share of bids was disqualified."),
        "R044": _(
            "Two or more bidders share an address or contact details, so they may not be "
            "independent of each other."
        ),
        "R048": _("The supplier won contracts for very different kinds of work."),
        "R055": _("A large contract was awarded without competition."),
        "R058": _("The winning bid was much lower than the estimated value."),
        "uk-single-bid": _(
            "Only one tender was received in a competitive procedure, so there was no real "
            "competition on price or quality."
        ),
        "uk-direct-award": _(
            "The contract was awarded directly, without competition. The law allows this only "
            "on specific grounds, which the buyer must give."
        ),
        "uk-short-tender-period": _(
            "The tender period was shorter than the legal minimum for this procedure."
        ),
        "uk-modification-raise": _(
            "Changes after the award raised the contract's value by more than the law allows "
            "without a permitted ground. A large rise can mean that what is bought is no "
            "longer what was competed for."
        ),
        "uk-new-supplier": _(
            "The supplier was registered only shortly before it won the contract."
        ),
        "uk-just-under-threshold": _(
            "The estimated value is just under a threshold above which stricter rules apply. "
            "Values set just below a threshold can avoid those rules."
        ),
        "uk-debarred-supplier": _(
            "The supplier is on the central debarment list of suppliers excluded from public "
            "contracts."
        ),
    }
