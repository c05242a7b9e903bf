"""A contracting process's lifecycle as a timeline, read from its compiled release: planning,
tender, each award, each contract with its implementation, amendments and termination (OCDS 1.1,
"Contracting process"; the UK notices that report each stage: openbook.standards.uk.notices).

Events are plain JSON values, dated where the data dates them and sorted by that date (UTC), the
undated last. Text fields are given by ``localise`` (a field of an object in the reader's
language, with the language it is in): the pages pass openbook.web.pages.i18n.localised. Read
defensively (openbook.standards.ocds.shapes): a field of the wrong shape is left out. Pure."""

from collections.abc import Callable, Iterable, Sequence

from openbook.standards.ocds.shapes import as_dict, dicts, number, text
from openbook.standards.ocds.summary import utc
from openbook.standards.ocds.terms import STAGE_OF_TAG

Localise = Callable[[dict, str], tuple[object, str | None]]

# The order of stages that share a date (and of undated events).
STAGES = (
    "planning",
    "tender",
    "cancellation",
    "award",
    "contract",
    "implementation",
    "amendment",
    "termination",
)
# A contract's documents that report its end go to its termination (UK11; OCDS documentType).
TERMINATION_NOTICES = frozenset({"UK11"})
TERMINATION_DOCUMENTS = frozenset({"contractTerminationNotice"})
SAFE_SCHEMES = ("https://", "http://")


def as_given(value: dict, field: str) -> tuple[object, str | None]:
    return value.get(field), None


def timeline(
    compiled: dict, releases: Sequence[dict] = (), localise: Localise = as_given
) -> list[dict]:
    """The events of a process, in date order: each has ``stage`` (one of STAGES), ``date``
    (as published, or None) and what the stage reports. ``releases`` (the process's releases)
    date a stage whose own fields carry no date: the first release tagged for it."""
    first = first_release_dates(releases)
    found: list[dict] = []
    planning = as_dict(compiled.get("planning"))
    tender = as_dict(compiled.get("tender"))
    if planning:
        # Planning published with the tender notice (no planning release) is dated by it.
        released = first.get("planning") or first.get("tender")
        found.append(_planning(planning, released, localise))
    if tender:
        found.append(_tender(tender, first.get("tender"), localise))
        if tender.get("status") == "cancelled":
            found.append(_cancellation(tender))
        found += _amendments(tender, "tender", None, localise)
    for award in dicts(compiled.get("awards")):
        found.append(_award(award, first.get("award"), localise))
        found += _amendments(award, "award", text(award.get("id")), localise)
    for contract in dicts(compiled.get("contracts")):
        found += _contract(contract, localise)
    order = {stage: index for index, stage in enumerate(STAGES)}
    return sorted(found, key=lambda event: (utc(event["date"]) or "~", order[event["stage"]]))


def first_release_dates(releases: Iterable[dict]) -> dict[str, str]:
    """The date of the first release tagged for each stage (OCDS release tags)."""
    found: dict[str, str] = {}
    for release in releases:
        date = release.get("date") if isinstance(release, dict) else None
        tags = release.get("tag") if isinstance(release, dict) else None
        if not isinstance(date, str) or not isinstance(tags, list):
            continue
        for tag in tags:
            stage = STAGE_OF_TAG.get(tag) if isinstance(tag, str) else None
            if stage is not None:
                found.setdefault(stage, date)
    return found


def _planning(planning: dict, released: str | None, localise: Localise) -> dict:
    budget = as_dict(planning.get("budget"))
    documents = documents_of(planning, localise)
    milestones = [
        {
            "title": words(milestone, "title", localise),
            "dueDate": _date(milestone.get("dueDate")),
            "status": text(milestone.get("status")) or None,
        }
        for milestone in dicts(planning.get("milestones"))
    ]
    return {
        "stage": "planning",
        "date": released or _earliest([d["datePublished"] for d in documents]),
        "rationale": words(planning, "rationale", localise),
        # The UK extension: why no preliminary market engagement notice was published.
        "noEngagementRationale": words(planning, "noEngagementNoticeRationale", localise),
        "budget": value_of(budget.get("amount")),
        "budgetDescription": words(budget, "description", localise),
        "milestones": milestones,
        "documents": documents,
    }


def _tender(tender: dict, released: str | None, localise: Localise) -> dict:
    period = as_dict(tender.get("tenderPeriod"))
    return {
        "stage": "tender",
        "date": _date(period.get("startDate")) or released,
        "id": text(tender.get("id")) or None,
        "title": words(tender, "title", localise),
        "description": words(tender, "description", localise),
        "status": text(tender.get("status")) or None,
        "procurementMethod": text(tender.get("procurementMethod")) or None,
        "procurementMethodDetails": words(tender, "procurementMethodDetails", localise),
        "mainProcurementCategory": text(tender.get("mainProcurementCategory")) or None,
        "value": value_of(tender.get("value")),
        "tenderPeriod": period_of(period),
        "numberOfTenderers": _count(tender.get("numberOfTenderers")),
        "lots": [
            {
                "id": text(lot.get("id")),
                "title": words(lot, "title", localise),
                "status": text(lot.get("status")) or None,
                "value": value_of(lot.get("value")),
            }
            for lot in dicts(tender.get("lots"))
        ],
        "documents": documents_of(tender, localise),
    }


def _cancellation(tender: dict) -> dict:
    return {
        "stage": "cancellation",
        "date": _date(tender.get("finalStatusDate")),
        "of": "tender",
        "documents": [],
    }


def _award(award: dict, released: str | None, localise: Localise) -> dict:
    return {
        "stage": "award",
        "date": _date(award.get("date")) or released,
        "id": text(award.get("id")),
        "title": words(award, "title", localise),
        "description": words(award, "description", localise),
        "status": text(award.get("status")) or None,
        "value": value_of(award.get("value")),
        "suppliers": [
            {"id": text(supplier.get("id")) or None, "name": text(supplier.get("name")) or None}
            for supplier in dicts(award.get("suppliers"))
        ],
        "relatedLots": [text(lot) for lot in _list(award.get("relatedLots")) if text(lot)],
        "contractPeriod": period_of(award.get("contractPeriod")),
        "documents": documents_of(award, localise),
    }


def _contract(contract: dict, localise: Localise) -> list[dict]:
    """The contract, then its implementation, amendments and termination, each an event."""
    identifier = text(contract.get("id"))
    documents = documents_of(contract, localise)
    ending = [d for d in documents if _reports_termination(d)]
    events = [
        {
            "stage": "contract",
            "date": _date(contract.get("dateSigned"))
            or _earliest([d["datePublished"] for d in documents]),
            "id": identifier,
            "awardID": text(contract.get("awardID")) or None,
            "title": words(contract, "title", localise),
            "description": words(contract, "description", localise),
            "status": text(contract.get("status")) or None,
            "value": value_of(contract.get("value")),
            "period": period_of(contract.get("period")),
            "documents": [d for d in documents if not _reports_termination(d)],
        }
    ]
    implementation = as_dict(contract.get("implementation"))
    if implementation:
        events.append(_implementation(implementation, identifier, localise))
    events += _amendments(contract, "contract", identifier, localise)
    if ending or contract.get("status") == "terminated":
        events.append(
            {
                "stage": "termination",
                "date": _earliest([d["datePublished"] for d in ending])
                or _date(implementation.get("endDate")),
                "contract": identifier,
                "status": text(contract.get("status")) or None,
                "documents": ending,
            }
        )
    return events


def _implementation(implementation: dict, contract: str, localise: Localise) -> dict:
    documents = documents_of(implementation, localise)
    transactions = dicts(implementation.get("transactions"))
    paid: dict[str, float] = {}
    for transaction in transactions:
        value = value_of(transaction.get("value") or transaction.get("amount"))
        if value is not None and value["amount"] is not None:
            currency = value["currency"] or ""
            paid[currency] = paid.get(currency, 0.0) + value["amount"]
    ratings = [
        {
            "title": words(metric, "title", localise),
            "rating": text(as_dict(observation.get("measureClassification")).get("id")) or None,
            "period": period_of(observation.get("period")),
        }
        for metric in dicts(implementation.get("metrics"))
        for observation in dicts(metric.get("observations"))
    ]
    dates = [d["datePublished"] for d in documents]
    dates += [_date(transaction.get("date")) for transaction in transactions]
    return {
        "stage": "implementation",
        "date": _earliest(dates),
        "contract": contract,
        "transactions": len(transactions),
        "paid": [
            {"amount": amount, "currency": currency or None} for currency, amount in paid.items()
        ],
        "ratings": ratings,
        "documents": documents,
    }


def _amendments(holder: dict, of: str, holder_id: str | None, localise: Localise) -> list[dict]:
    return [
        {
            "stage": "amendment",
            "date": _date(amendment.get("date")),
            "of": of,
            "ofId": holder_id,
            "id": text(amendment.get("id")) or None,
            "rationale": words(amendment, "rationale", localise),
            "description": words(amendment, "description", localise),
            "value": value_of(amendment.get("value")),
            "documents": [],
        }
        for amendment in dicts(holder.get("amendments"))
    ]


def documents_of(holder: dict, localise: Localise) -> list[dict]:
    """A section's documents: with the UK notice type (``noticeType``, the UK extension) and a
    link only to a web address (never ``javascript:`` or another scheme a publisher gave)."""
    found = []
    for document in dicts(holder.get("documents")):
        url = text(document.get("url"))
        found.append(
            {
                "id": text(document.get("id")),
                "title": words(document, "title", localise),
                "documentType": text(document.get("documentType")) or None,
                "noticeType": text(document.get("noticeType")) or None,
                "datePublished": _date(document.get("datePublished")),
                "url": url if url.lower().startswith(SAFE_SCHEMES) else None,
                "format": text(document.get("format")) or None,
                "language": text(document.get("language")) or None,
            }
        )
    return found


def _reports_termination(document: dict) -> bool:
    return (
        document["noticeType"] in TERMINATION_NOTICES
        or document["documentType"] in TERMINATION_DOCUMENTS
    )


def words(holder: dict, field: str, localise: Localise) -> dict | None:
    """A text field as ``{"text", "lang"}`` in the reader's language where given; None if empty."""
    value, language = localise(holder, field)
    written = text(value)
    return {"text": written, "lang": language} if written else None


def value_of(value: object) -> dict | None:
    """An OCDS Value as ``{"amount", "currency"}``; None when it has no numeric amount."""
    given = as_dict(value)
    amount = number(given.get("amount"))
    if amount is None:
        return None
    return {"amount": amount, "currency": text(given.get("currency")) or None}


def period_of(value: object) -> dict | None:
    period = as_dict(value)
    start, end = _date(period.get("startDate")), _date(period.get("endDate"))
    return {"startDate": start, "endDate": end} if start or end else None


def _date(value: object) -> str | None:
    return value if utc(value) is not None else None  # type: ignore[return-value]


def _earliest(dates: Iterable[str | None]) -> str | None:
    dated = [(utc(date), date) for date in dates if date]
    dated = [(key, date) for key, date in dated if key]
    return min(dated)[1] if dated else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _list(value: object) -> list:
    return value if isinstance(value, list) else []
