"""Each notice's release: the fields Find a Tender publishes for UK1 to UK12, from a plan.

The notice type travels in ``documents[].noticeType``; an edited notice is a new release with
a new id, an ``...Update`` tag and an amendment pointing at the release it corrects.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from openbook.generate import prose
from openbook.generate.clock import DAY
from openbook.generate.draws import noise
from openbook.generate.timeline import Event, Group, Process, assessed
from openbook.generate.vocabulary import CHANGE_REASONS, KPI_NAMES, KPI_RATINGS
from openbook.standards.uk import calendar
from openbook.standards.uk.rules.context import ACT_CALENDAR
from openbook.standards.uk.rules.standstill import STANDSTILL_WORKING_DAYS

EXTENSIONS = (
    "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_lots_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_suitability_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_partyScale_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_organizationClassification_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_techniques_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_communication_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_location_extension/master/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/v1.1.5/extension.json",
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_metrics_extension/master/extension.json",
)
"""The extensions whose fields the generated releases use, for a package's ``extensions``."""

NOTICES = {
    # notice type: (release tag, documentType, notice name)
    "UK1": ("planning", "plannedProcurementNotice", "Pipeline notice"),
    "UK2": ("planning", "marketEngagementNotice", "Preliminary market engagement notice"),
    "UK3": ("planning", "plannedProcurementNotice", "Planned procurement notice"),
    "UK4": ("tender", "tenderNotice", "Tender notice"),
    "UK5": ("tender", "tenderNotice", "Transparency notice"),
    "UK6": ("award", "awardNotice", "Contract award notice"),
    "UK7": ("contract", "contractNotice", "Contract details notice"),
    "UK9": ("implementation", "implementationNotice", "Contract performance notice"),
    "UK10": ("contractAmendment", "contractNotice", "Contract change notice"),
    "UK11": ("contractTermination", "contractTerminationNotice", "Contract termination notice"),
    "UK12": ("tenderCancellation", "tenderCancellationNotice", "Procurement termination notice"),
}
# Find a Tender tags a UK7 as both award and contract; an edited notice gets the update tag.
TAGS = {code: [tag] for code, (tag, _, _) in NOTICES.items()} | {"UK7": ["award", "contract"]}
UPDATE_TAGS = {
    "planning": "planningUpdate",
    "tender": "tenderUpdate",
    "award": "awardUpdate",
    "contract": "contractUpdate",
}


def build_release(process: Process, step: int) -> dict[str, Any]:
    """The release of notice ``step`` of a plan: from the plan alone, so rebuilt plans agree."""
    event = process.events[step]
    clock, code = process.gen.clock, event.code
    date = clock.iso(event.ts)
    release_id = f"{process.ocid}-{code.lower()}-{step + 1:02d}"
    stage = NOTICES[code][0]
    buyer = process.buyer
    release: dict[str, Any] = {
        "ocid": process.ocid,
        "id": release_id,
        "date": date,
        "tag": list(TAGS[code]) if event.corrects is None else [UPDATE_TAGS[stage]],
        "initiationType": "tender",
        "language": "en",
        "parties": [buyer.party(process.contact)],
        "buyer": {"id": buyer.id, "name": buyer.name},
    }
    document = {
        "id": release_id,
        "documentType": NOTICES[code][1],
        "noticeType": code,
        "title": NOTICES[code][2],
        "description": f"{NOTICES[code][2]} for {process.ocid}",
        "url": f"https://openbook.example/notices/{release_id}",
        "datePublished": date,
        "format": "text/html",
        "language": "en",
    }
    amendment = None
    if event.corrects is not None:
        original = event.corrects
        original_id = f"{process.ocid}-{code.lower()}-{process.events.index(original) + 1:02d}"
        amendment = {
            "id": "1",
            "date": date,
            "rationale": "Correction of an error in the published notice.",
            "description": f"Corrects the {NOTICES[code][2].lower()} published on "
            f"{clock.iso(original.ts)[:10]}.",
            "amendsReleaseID": original_id,
            "releaseID": release_id,
        }
    if process.parent is not None:
        parent = process.parent
        release["relatedProcesses"] = [
            {
                "id": "1",
                "relationship": ["framework"],
                "title": parent.title,
                "scheme": "ocid",
                "identifier": parent.ocid,
            }
        ]
    if stage == "planning":
        _planning(process, release, code, document, amendment is not None)
    elif code in ("UK4", "UK5", "UK12"):
        _tender(process, release, event, document, amendment)
    else:
        _contracting(process, release, event, document, amendment)
    return release


def _money(net: float, gross: float | None = None) -> dict[str, Any]:
    gross = round(net * 1.2, 2) if gross is None else gross
    return {"amount": net, "amountGross": gross, "currency": "GBP"}


def _items(process: Process) -> list[dict[str, Any]]:
    region = process.buyer.place[1]
    if process.lots:
        pairs = [(process.cpv[i % len(process.cpv)], lot[0]) for i, lot in enumerate(process.lots)]
    else:
        pairs = [(code, "") for code in process.cpv]
    items = []
    for index, ((code, description), lot) in enumerate(pairs, 1):
        item: dict[str, Any] = {
            "id": str(index),
            "description": description,
            "classification": {"scheme": "CPV", "id": code, "description": description},
            "deliveryAddresses": [{"region": region, "countryName": "United Kingdom"}],
        }
        if lot:
            item["relatedLot"] = lot
        items.append(item)
    return items


def _lot_list(process: Process, status: str, only: list[str] | None = None) -> list[dict[str, Any]]:
    clock = process.gen.clock
    lots = []
    for lot_id, title, net in process.lots:
        if only is not None and lot_id not in only:
            continue
        lot: dict[str, Any] = {"id": lot_id, "title": title, "status": status}
        if only is None:
            lot["value"] = _money(net)
            lot["suitability"] = {"sme": process.sme, "vcse": process.vcse}
            group = process.groups[0] if process.groups else None
            if group is not None:
                lot["contractPeriod"] = {
                    "startDate": clock.day(group.start),
                    "endDate": clock.day(group.agreed),
                }
        lots.append(lot)
    return lots


def _planning(
    process: Process, release: dict[str, Any], code: str, document: dict[str, Any], corrected: bool
) -> None:
    clock = process.gen.clock
    tender: dict[str, Any] = {
        "id": process.reference,
        "title": process.title,
        "description": prose.description(process),
        "status": "planning" if code == "UK2" else "planned",
        "mainProcurementCategory": process.category,
        "items": _items(process),
    }
    planning: dict[str, Any] = {"documents": [document]}
    if code == "UK2":
        planning["milestones"] = [
            {
                "id": "1",
                "type": "engagement",
                "title": "Preliminary market engagement",
                "description": "Suppliers are invited to an online engagement session and to "
                "answer a short questionnaire on the draft specification.",
                "dueDate": clock.day(process.tender_start - 14 * DAY),
                "status": "scheduled",
            }
        ]
    else:
        tender["value"] = _money(process.net, process.gross)
        tender["aboveThreshold"] = process.above
        tender["communication"] = {"futureNoticeDate": clock.day(process.tender_start)}
        if code == "UK3" and process.lots:
            tender["lots"] = _lot_list(process, "planned")
    if corrected:
        tender["description"] += " This version corrects the expected timetable."
    release["planning"] = planning
    release["tender"] = tender


def _tender(
    process: Process,
    release: dict[str, Any],
    event: Event,
    document: dict[str, Any],
    amendment: dict[str, Any] | None,
) -> None:
    """A UK4, UK5 or UK12: the tender as the notice gives it, or its termination."""
    clock, code = process.gen.clock, event.code
    method = {"open": "open", "below": "open", "flexible": "selective", "direct": "direct"}
    details = {
        "open": "Open procedure",
        "below": "Below threshold - open competition",
        "flexible": "Competitive flexible procedure",
        "direct": "Direct award",
    }
    tender: dict[str, Any] = {
        "id": process.reference,
        "title": process.title,
        "status": "active",
        "procurementMethod": method[process.procedure],
        "procurementMethodDetails": details[process.procedure],
        "mainProcurementCategory": process.category,
        "value": _money(process.net, process.gross),
        "aboveThreshold": process.above,
    }
    if code == "UK12":
        tender["status"] = "cancelled"
        tender["description"] = "The procurement has been terminated: " + (
            "no compliant tenders were received."
            if process.key % 2
            else "the requirement has changed and will be re-procured."
        )
        tender["finalStatusDate"] = clock.iso(event.ts)
        tender["documents"] = [document]
        release["tender"] = tender
        return
    tender["description"] = prose.description(process)
    tender["items"] = _items(process)
    if process.light_touch:
        tender["specialRegime"] = ["lightTouch"]
    group = process.groups[0] if process.groups else None
    if code == "UK5":
        tender["procurementMethodRationale"] = (
            "Direct award justified under Schedule 5 to the Procurement Act 2023: only one "
            "supplier can provide the goods or services for technical reasons."
        )
        if group is not None:
            suppliers = _suppliers(process, release, group, ["supplier"])
            release["awards"] = [
                {
                    "id": "1",
                    "title": process.title,
                    "status": "pending",
                    "value": _money(group.value),
                    "suppliers": suppliers,
                }
            ]
    else:
        end = process.tender_end + (7 * DAY if amendment else 0)
        tender["suitability"] = {"sme": process.sme, "vcse": process.vcse}
        tender["submissionMethod"] = ["electronicSubmission"]
        tender["submissionMethodDetails"] = f"https://etendering.{process.buyer.domain}/"
        tender["tenderPeriod"] = {
            "startDate": clock.iso(process.tender_start),
            "endDate": clock.day(end, 12),
        }
        tender["enquiryPeriod"] = {"endDate": clock.day(end - 10 * DAY, 12)}
        tender["awardCriteria"] = "ratedCriteria"
        tender["awardCriteriaDetails"] = "Quality 50%, price 40%, social value 10%."
        if group is not None:
            tender["awardPeriod"] = {"startDate": clock.day(end, 12)}
            tender["contractPeriod"] = {
                "startDate": clock.day(group.start),
                "endDate": clock.day(group.agreed),
            }
        if process.lots:
            tender["lots"] = _lot_list(process, "active")
            tender["lotDetails"] = {"maximumLotsBidPerSupplier": len(process.lots)}
        if process.framework and group is not None:
            tender["techniques"] = {
                "hasFrameworkAgreement": True,
                "frameworkAgreement": {
                    "method": "withAndWithoutReopeningCompetition",
                    "maximumParticipants": max(g.count for g in process.groups) + 2,
                    "period": {
                        "startDate": clock.day(group.start),
                        "endDate": clock.day(group.agreed),
                    },
                    "type": "open",
                    "isOpenFrameworkScheme": False,
                },
            }
        if process.above and not any(e.code == "UK2" for e in process.events):
            release["planning"] = {
                "noEngagementNoticeRationale": (
                    "No preliminary market engagement was carried out: the market is well "
                    "understood from the previous procurement."
                )
            }
    tender["documents"] = [document]
    if amendment is not None:
        amendment["description"] += " The tender period is extended by a week."
        tender["amendments"] = [amendment]
    release["tender"] = tender


def _standstill_end(published: int) -> int:
    """A moment on the last day of the standstill a UK6 published at ``published`` (UTC
    seconds) states: s.51(2)'s 8 working days beginning with the day it is published, counted
    with the Act's calendar; 12 days on where the calendar has no bank holidays. The notice
    gives the start of the day after as its end (midnight, as the generator's other period
    dates are written)."""
    moment = datetime.fromtimestamp(published, UTC)
    try:
        first = calendar.london_date(moment)
        last = calendar.period_end(first, STANDSTILL_WORKING_DAYS, ACT_CALENDAR)
    except calendar.CalendarOutOfRange:
        return published + 12 * DAY
    return published + (last - first).days * DAY


def _suppliers(
    process: Process, release: dict[str, Any], group: Group, roles: list[str]
) -> list[dict[str, Any]]:
    references = []
    if group.suppliers is None:
        number = process.groups.index(group)
        group.suppliers = list(dict.fromkeys(process.winner(number, i) for i in range(group.count)))
    for index in group.suppliers:
        party = process.gen.supplier_party(process.category, index, roles)
        release["parties"].append(party)
        references.append({"id": party["id"], "name": party["name"]})
    return references


def _contracting(
    process: Process,
    release: dict[str, Any],
    event: Event,
    document: dict[str, Any],
    amendment: dict[str, Any] | None,
) -> None:
    """UK6 to UK11: the award or contract of one group of lots, as this notice gives it."""
    clock, code, group = process.gen.clock, event.code, process.groups[event.group]
    number = str(event.group + 1)
    suppliers = _suppliers(process, release, group, ["supplier"])
    status = "active" if code == "UK6" else "complete"
    tender: dict[str, Any] = {"id": process.reference, "title": process.title, "status": status}
    tender["mainProcurementCategory"] = process.category
    if group.lots:
        tender["lots"] = _lot_list(process, status, group.lots)
    release["tender"] = tender
    title = process.title
    if group.lots:
        title += " (" + ", ".join(f"Lot {lot}" for lot in group.lots) + ")"
    award: dict[str, Any] = {
        "id": number,
        "title": title,
        "status": "pending" if code == "UK6" else "active",
        "date": clock.day(group.decided),
        "value": _money(group.value),
        "suppliers": suppliers,
        "aboveThreshold": process.above,
        "mainProcurementCategory": process.category,
    }
    if group.lots:
        award["relatedLots"] = list(group.lots)
    contract: dict[str, Any] = {
        "id": number,
        "awardID": number,
        "title": title,
        "status": "active",
        "value": _money(group.value),
        "period": {"startDate": clock.day(group.start), "endDate": clock.day(group.agreed)},
        "dateSigned": clock.day(group.signed),
        "aboveThreshold": process.above,
    }
    if code == "UK6":
        award["items"] = _items(process)[:1]
        award["standstillPeriod"] = {
            "startDate": clock.day(event.ts),
            "endDate": clock.day(_standstill_end(event.ts) + DAY),
        }
        award["contractPeriod"] = dict(contract["period"])
        award["documents"] = [document]
        if amendment is not None:
            award["amendments"] = [amendment]
        release["awards"] = [award]
        bids = 1 + int(noise(process.key, event.group) * (12 if process.above else 6))
        smes = int(bids * (0.3 + 0.5 * process.sme))
        release["bids"] = {
            "statistics": [
                {"id": "1", "measure": "finalStageBids", "value": bids},
                {"id": "2", "measure": "smeFinalStageBids", "value": smes},
            ]
        }
        return
    contract["documents"] = [document]
    if code == "UK7":
        name = process.cpv[0][1].split(",")[0].lower()
        contract["description"] = (
            f"Contract for {name} with {' and '.join(ref['name'] for ref in suppliers)}."
        )
        if amendment is not None:
            contract["amendments"] = [amendment]
        release["awards"] = [award]
    elif code == "UK9":
        contract = _performance(process, event, group, document)
    elif code == "UK10":
        _change(process, contract, event, group)
    else:  # UK11: the contract has ended, early or at expiry
        contract["status"] = "terminated"
        contract["period"]["endDate"] = clock.day(group.end)
        final = group.changes[-1][1] if group.changes else group.value
        contract["value"] = _money(final)
        contract["description"] = (
            "The contract was terminated early by agreement with the supplier."
            if group.terminated
            else "The contract ended on its expiry date."
        )
    release["contracts"] = [contract]


def _performance(
    process: Process, event: Event, group: Group, document: dict[str, Any]
) -> dict[str, Any]:
    """A UK9: key performance indicators for a year of the contract, or for the contract so far
    (``timeline.assessed``), rated as the UK rates."""
    clock, number = process.gen.clock, str(event.group + 1)
    rating = KPI_RATINGS[int(noise(process.key, event.sub, 9) * len(KPI_RATINGS))]
    start, end = assessed(group, event)
    assessed_as = (
        f"in year {event.sub} of the contract"
        if event.sub
        else f"from the start of the contract to {clock.day(end)[:10]}"
    )
    metrics = [
        {
            "id": str(index + 1),
            "title": name,
            "observations": [
                {
                    "id": "1",
                    "period": {"startDate": clock.day(start), "endDate": clock.day(end)},
                    "notes": f"{name}: performance {assessed_as}.",
                    "measureClassification": {"id": rating if index == 0 else "met"},
                }
            ],
        }
        for index, name in enumerate(KPI_NAMES)
    ]
    implementation = {"documents": [document], "metrics": metrics}
    return {
        "id": number,
        "awardID": number,
        "status": "active",
        "implementation": implementation,
    }


def _change(process: Process, contract: dict[str, Any], event: Event, group: Group) -> None:
    """A UK10: the contract's new value and end, and the modification that made them."""
    clock = process.gen.clock
    when, value, end = group.changes[event.sub]
    reason = CHANGE_REASONS[int(noise(process.key, event.sub, 10) * len(CHANGE_REASONS))]
    contract["value"] = _money(value)
    contract["period"]["endDate"] = clock.day(end)
    contract["amendments"] = [
        {
            "id": str(event.sub + 1),
            "date": clock.day(when),
            "rationale": reason,
            "description": f"The contract value becomes £{value * 1.2:,.2f} including VAT.",
            "value": _money(value),
            "period": {"startDate": clock.day(group.start), "endDate": clock.day(end)},
            "aboveThreshold": process.above,
        }
    ]
