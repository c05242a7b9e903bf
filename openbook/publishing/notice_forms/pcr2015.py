"""The notices of the Public Contracts Regulations 2015 a contracting authority still publishes
after 24 February 2025, through question pages: the contract award notice (standard form F03,
reg. 50) and the modification notice (F20, reg. 72). Procurements started before that day, and
call-offs under frameworks and dynamic purchasing systems set up under the 2015 Regulations,
keep the 2015 Regulations' notices (the Find a Tender Service's "Notice types and sequences";
regime ``PCR2015`` of openbook.standards.uk.notices).

The releases follow the "Earlier legislation: the standard forms" table of docs/notices.md (the
Open Contracting Partnership's mapping of the forms): an F03 is tagged ``award`` and
``contract`` and fills ``awards`` and ``contracts``; an F20 is tagged ``contractUpdate`` and
says the modification in ``contracts/amendments``. An F03 may also say that no contract was
awarded, and why (the form's section V). A correction of either is published as an F14
corrigendum (``as_corrigendum``).

An F03 is published either on a procurement already published under the 2015 Regulations (from
its page: the questions about the procurement are not asked, its tender is repeated), or for a
call-off under a framework or dynamic purchasing system set up under them, which starts a
procurement of its own: the call-off names its framework in ``relatedProcesses`` (relationship
``framework``), which is how the regime of a new procurement is known to be the 2015
Regulations' (``legal_regime``, rule 4). Which of the two is asked is told by
``Context.compiled`` (None for a procurement the notice starts); the release is built from the
answers alone (a call-off's name its framework), as a correction reads them back.
"""

import re
from collections.abc import Mapping
from dataclasses import replace

from openbook.publishing.notice_forms import pcr2015_award as section_v
from openbook.publishing.notice_forms.award import CONTRACT_AWARD_NOTICE
from openbook.publishing.notice_forms.following import (
    WHICH_CONTRACT,
    WHICH_LOTS,
    chosen_lots,
    contract_choices,
    contract_entry,
    contract_of,
    entries,
    next_id,
    process_release,
    repeated_tender,
    with_roles,
)
from openbook.publishing.notice_forms.pcr2015_award import award_of_contract
from openbook.publishing.notice_forms.questions import (
    CHOICE,
    DATE,
    MONEY,
    NEW_PROCESS,
    PROCESS,
    TEXT,
    TEXTAREA,
    AnswerProblem,
    Context,
    NoticeForm,
    Question,
    end_of,
    notice_document,
    pounds,
    release_id,
    start_of,
)
from openbook.publishing.notice_forms.tender import TENDER_NOTICE
from openbook.standards.identifiers import check_party_id

# The ocid of a framework (OCDS 1.1, "Open Contracting Identifier": a prefix registered with
# the Open Contracting Partnership, then the publisher's own id of the process).
_OCID = re.compile(r"ocds-[a-z0-9]{6}-[A-Za-z0-9][A-Za-z0-9._/-]{0,199}")


def starts_call_off(context: Context, _answers: Mapping[str, object] | None = None) -> bool:
    """Whether the notice starts a procurement: an F03 of a call-off (no procurement as
    published to follow)."""
    return context.compiled is None


def _lots_to_choose(context: Context, answers: Mapping[str, object]) -> bool:
    """The lots an award is for are asked on a procurement with more than one; a call-off's
    procurement has none."""
    asked = WHICH_LOTS.applies
    return not starts_call_off(context) and (asked is None or asked(context, answers))


def _framework_ocid(question: Question, data: Mapping[str, str]) -> str | None:
    value = data.get(question.name, "")
    value = value.strip() if isinstance(value, str) else ""
    if not value:
        return None
    if not _OCID.fullmatch(value):
        raise AnswerProblem("Enter an ocid, such as ocds-h6vhtk-012345, or leave it blank")
    return value


def _reused(form: NoticeForm, name: str, **changes: object) -> Question:
    found = form.question(name)
    assert found is not None, name
    return replace(found, **changes)  # type: ignore[arg-type]


# F03: the contract award notice (Public Contracts Regulations 2015, reg. 50).


# Whether a contract was awarded, as the contract award notice says (standard form F03, section V:
# a contract awarded, or not, and why not).
_OUTCOMES = (
    ("yes", "Yes"),
    (
        "no-tenders",
        "No: no tenders or requests to participate were received, or all were rejected",
    ),
    ("discontinued", "No: the procurement was discontinued"),
)
# What the notice's document says of a contract not awarded, and the tender's status then
# (OCDS tenderStatus codelist): data, in English, like the rest of the release.
_NOT_AWARDED = {
    "no-tenders": (
        "No contract was awarded: no tenders or requests to participate were received, or all "
        "were rejected.",
        "unsuccessful",
    ),
    "discontinued": ("No contract was awarded: the procurement was discontinued.", "cancelled"),
}


def _awarded(context: Context, answers: Mapping[str, object]) -> bool:
    """Whether the questions of the contract awarded are asked: once the notice says one was
    (a call-off is not asked, and is awarded)."""
    return starts_call_off(context) or answers.get("awarded") == "yes"


def _not_awarded_release(context: Context, answers: Mapping[str, object], outcome: str) -> dict:
    """An F03 saying no contract was awarded: an unsuccessful award, and (for a procurement
    without lots: a lot not awarded leaves the others) its tender unsuccessful or cancelled."""
    words, status = _NOT_AWARDED[outcome]
    award: dict = {
        "id": next_id(entries(context.compiled, "awards")),
        "status": "unsuccessful",
        "documents": [{**notice_document("F03", context), "description": words}],
    }
    lots = chosen_lots(context, answers)
    if lots:
        award["relatedLots"] = lots
        tender = repeated_tender(context)
    else:
        tender = repeated_tender(context, status=status)
    if "title" in tender:
        award["title"] = tender["title"]
    release = process_release("F03", context, ["award"], tender=tender, awards=[award])
    release["id"] += f"-{award['id']}"
    return release


def _award_release(context: Context, answers: Mapping[str, object]) -> dict:
    outcome = str(answers.get("awarded") or "yes")
    if outcome in _NOT_AWARDED:
        return _not_awarded_release(context, answers, outcome)
    identifier = check_party_id(str(answers["supplier_id"])).identifier
    assert identifier is not None  # the question read it so
    supplier = {"id": str(identifier), "name": answers["supplier_name"]}
    party = {
        **supplier,
        "identifier": {
            "scheme": identifier.scheme,
            "id": identifier.id,
            "legalName": answers["supplier_name"],
        },
        "roles": ["supplier"],
        "details": {"scale": "sme" if answers["supplier_sme"] == "yes" else "large"},
    }
    concluded = start_of(answers["concluded"])
    award: dict = {
        "id": next_id(entries(context.compiled, "awards")),
        "status": "active",  # the contract is concluded: an F03 follows it (reg. 50(1))
        # The regulation counts from the contract's conclusion: the award's date is that day.
        "date": concluded,
        "value": pounds(answers["value"]),
        "suppliers": [supplier],
    }
    lots = chosen_lots(context, answers)
    if lots:
        award["relatedLots"] = lots
    contract: dict = {
        "id": next_id(entries(context.compiled, "contracts")),
        "awardID": award["id"],
        "status": "active",
        "dateSigned": concluded,
        "value": pounds(answers["value"]),
    }
    # A call-off's answers name its framework (the questions asked only of a procurement the
    # notice starts): the release is built from the answers alone, as corrections read them.
    call_off = answers.get("framework_title") is not None
    if call_off:
        tender: dict = {
            "id": "1",
            "title": answers["title"],
            "description": answers["description"],
            "status": "complete",
            "items": [{"id": "1", "classification": {"scheme": "CPV", "id": answers["cpv"]}}],
        }
    else:
        tender = repeated_tender(context)
    if "title" in tender:
        award["title"] = contract["title"] = tender["title"]
    award["documents"] = [notice_document("F03", context)]
    release = process_release(
        "F03", context, ["award", "contract"], tender=tender, awards=[award], contracts=[contract]
    )
    if call_off:
        framework: dict = {
            "id": "1",
            "relationship": ["framework"],
            "title": answers["framework_title"],
        }
        if answers.get("framework_ocid"):
            framework |= {"scheme": "ocid", "identifier": answers["framework_ocid"]}
        release["relatedProcesses"] = [framework]
    release["id"] += f"-{award['id']}"  # two awards (two lots) published within a second differ
    release["parties"].append(with_roles(context, party))  # second, as the questions read it
    award_of_contract(release, answers, lots, supplier)  # the form's section V
    return release


CONTRACT_AWARD_NOTICE_2015 = NoticeForm(
    "F03",
    "Contract award notice (Public Contracts Regulations 2015)",
    (
        Question(
            "framework_title",
            TEXT,
            "What is the name of the framework or dynamic purchasing system?",
            "The call-off contract is awarded under it. It must have been set up under the "
            "Public Contracts Regulations 2015, before 24 February 2025.",
            pointers=("/relatedProcesses/0/title",),
            missing="Enter the name of the framework or dynamic purchasing system",
            applies=starts_call_off,
        ),
        Question(
            "framework_ocid",
            TEXT,
            "What is the framework's open contracting identifier (ocid)?",
            "Its ocid on this service or on Find a Tender, such as ocds-h6vhtk-012345. Leave it "
            "blank if you do not know it.",
            pointers=("/relatedProcesses/0/identifier",),
            optional=True,
            missing="Enter an ocid, such as ocds-h6vhtk-012345, or leave it blank",
            reader=_framework_ocid,
            applies=starts_call_off,
        ),
        _reused(TENDER_NOTICE, "title", applies=starts_call_off),
        _reused(TENDER_NOTICE, "description", applies=starts_call_off),
        _reused(TENDER_NOTICE, "cpv", applies=starts_call_off),
        replace(WHICH_LOTS, applies=_lots_to_choose),
        Question(
            "awarded",
            CHOICE,
            "Was a contract awarded?",
            "If not, this notice says why.",
            choices=_OUTCOMES,
            pointers=("/awards/0/status", "/awards/0/documents/0/description"),
            missing="Select whether a contract was awarded",
            applies=lambda context, _answers: not starts_call_off(context),
        ),
        *section_v.tenders_questions(_awarded),
        _reused(CONTRACT_AWARD_NOTICE, "supplier_name", applies=_awarded),
        _reused(CONTRACT_AWARD_NOTICE, "supplier_id", applies=_awarded),
        _reused(CONTRACT_AWARD_NOTICE, "supplier_sme", applies=_awarded),
        section_v.group_question(_awarded),
        section_v.estimate_question(_awarded, chosen_lots),
        Question(
            "value",
            MONEY,
            "What is the total value of the contract, excluding VAT?",
            "In pounds, as the 2015 Regulations' contract award notice gives it: without VAT.",
            pointers=("/awards/0/value", "/contracts/0/value"),
            missing="Enter the value of the contract, in pounds",
            applies=_awarded,
        ),
        *section_v.offers_questions(_awarded),
        Question(
            "concluded",
            DATE,
            "When was the contract concluded?",
            "The day it was signed, for example, 27 3 2026. Send this notice within 30 days of "
            "that day (regulation 50 of the Public Contracts Regulations 2015).",
            pointers=("/contracts/0/dateSigned", "/awards/0/date"),
            missing="Enter the date the contract was concluded",
            applies=_awarded,
        ),
        *section_v.subcontracting_questions(_awarded),
    ),
    _award_release,
    level=NEW_PROCESS,
    order=section_v.order,
    order_messages=section_v.ORDER_MESSAGES,
    # The award and contract, numbered after the procurement's (openbook.publishing.numbering).
    adds=lambda _release: ("/awards/0", "/contracts/0"),
)


# F20: the modification notice (Public Contracts Regulations 2015, reg. 72(3): a contract
# modified on the grounds of reg. 72(1)(b) or (c); its content is part G of Annex V to Directive
# 2014/24/EU, reg. 72(4)). The regulation sets no time limit for sending it.

_GROUNDS = (
    (
        "additional",
        "Additional works, services or supplies by the original contractor that have become "
        "necessary (regulation 72(1)(b))",
    ),
    (
        "unforeseen",
        "A need brought about by circumstances a diligent contracting authority could not have "
        "foreseen (regulation 72(1)(c))",
    ),
)
# What the notice's document says of the ground: data, in English, like the rest of the release.
_GROUND_WORDS = {
    "additional": "Modification under regulation 72(1)(b) of the Public Contracts Regulations "
    "2015: additional works, services or supplies by the original contractor that have become "
    "necessary.",
    "unforeseen": "Modification under regulation 72(1)(c) of the Public Contracts Regulations "
    "2015: a need brought about by circumstances a diligent contracting authority could not "
    "have foreseen.",
}


def _modification_release(context: Context, answers: Mapping[str, object]) -> dict:
    contract = contract_entry(context, answers)
    changed: dict = contract_of(context, answers)
    amendment = {
        "id": release_id("F20", context),
        "date": start_of(answers["modified"]),
        "description": answers["change"],
        "rationale": answers["reason"],
    }
    changed["value"] = pounds(answers["new_value"])
    if answers.get("new_end") is not None:
        period = contract.get("period")
        kept = period if isinstance(period, dict) else {}
        changed["period"] = {**kept, "endDate": end_of(answers["new_end"])}
    changed["amendments"] = [amendment]
    document = {
        **notice_document("F20", context, recurring=True),
        "description": _GROUND_WORDS[str(answers["ground"])],
    }
    changed["documents"] = [document]
    release = process_release(
        "F20", context, ["contractUpdate"], tender=repeated_tender(context), contracts=[changed]
    )
    release["id"] += f"-{changed['id']}"  # notices of two contracts within a second differ
    return release


MODIFICATION_NOTICE = NoticeForm(
    "F20",
    "Modification notice (Public Contracts Regulations 2015)",
    (
        WHICH_CONTRACT,
        Question(
            "ground",
            CHOICE,
            "Why may the contract be modified without a new procurement?",
            "A modification notice is published for these two grounds of regulation 72(1) of "
            "the Public Contracts Regulations 2015.",
            choices=_GROUNDS,
            pointers=("/contracts/0/documents/0/description",),
            missing="Select why the contract may be modified",
        ),
        Question(
            "change",
            TEXTAREA,
            "What has changed in the contract?",
            "The nature and extent of the modification: what is added or changed.",
            pointers=("/contracts/0/amendments/0/description",),
            missing="Describe what has changed in the contract",
        ),
        Question(
            "reason",
            TEXTAREA,
            "Why was the modification needed?",
            "For additional works, services or supplies, why a change of contractor cannot be "
            "made; for unforeseen circumstances, what they were.",
            pointers=("/contracts/0/amendments/0/rationale",),
            missing="Enter why the modification was needed",
        ),
        Question(
            "modified",
            DATE,
            "When was the contract modified?",
            "For example, 27 3 2026.",
            pointers=("/contracts/0/amendments/0/date",),
            missing="Enter the date the contract was modified",
        ),
        Question(
            "new_value",
            MONEY,
            "What is the total value of the contract after the modification, excluding VAT?",
            "In pounds. On these grounds, no one modification may raise the price by more than "
            "half of the original contract's value (regulation 72(1)(b) and (c), and 72(2)).",
            pointers=("/contracts/0/value",),
            missing="Enter the value of the contract after the modification, in pounds",
        ),
        Question(
            "new_end",
            DATE,
            "When does the contract end now?",
            "Leave it blank if the end date has not changed.",
            pointers=("/contracts/0/period",),
            optional=True,
            missing="Enter the new date the contract ends",
        ),
    ),
    _modification_release,
    level=PROCESS,
)


# The words that say which rules a procurement is under, where a form is chosen: plain English
# for a procurement officer, not the regime's code.
REGIME_WORDS = (
    "Procurements started before 24 February 2025: a call-off under a framework or dynamic "
    "purchasing system set up before that day. Publish the other notices of a procurement "
    "started before that day from its page.",
)

PCR2015_FORMS = (CONTRACT_AWARD_NOTICE_2015, MODIFICATION_NOTICE)


def following(context: Context) -> list[NoticeForm]:
    """The forms of the next notice of a procurement under the 2015 Regulations: a contract
    award notice, and a modification notice once it has a contract (or an award) to modify."""
    found = [CONTRACT_AWARD_NOTICE_2015]
    if contract_choices(context):
        found.append(MODIFICATION_NOTICE)
    return found


# F14: the corrigendum (Public Contracts Regulations 2015, reg. 51(1); docs/notices.md, "Changed
# notices, and notices published in error": a notice under earlier legislation is corrected by
# a corrigendum). A correction of an F03 or F20 written through the pages is made by the
# corrections machinery (corrections.as_correction) and then published as an F14.
CORRIGENDUM = "F14"
CORRECTED = {form.code for form in PCR2015_FORMS}


def as_corrigendum(correction: dict) -> dict:
    """A correction (``corrections.as_correction``) of an F03 or F20, as the F14 corrigendum
    the 2015 Regulations publish: its notice documents name F14 (a form with no OCDS document
    type), and it is tagged ``tenderUpdate``, F14's tag, besides the update tags of the stages
    it corrects. A new copy."""
    found = {**correction, "tag": list(dict.fromkeys(["tenderUpdate", *correction["tag"]]))}
    for key in ("awards", "contracts"):
        if isinstance(correction.get(key), list):
            found[key] = [_relabelled(entry) for entry in correction[key]]
    return found


def _relabelled(entry: object) -> object:
    if not isinstance(entry, dict) or not isinstance(entry.get("documents"), list):
        return entry
    return {**entry, "documents": [_as_corrigendum(document) for document in entry["documents"]]}


def _as_corrigendum(document: object) -> object:
    if not isinstance(document, dict) or document.get("noticeType") not in CORRECTED:
        return document
    kept = {key: value for key, value in document.items() if key != "documentType"}
    return {**kept, "noticeType": CORRIGENDUM}


def corrected_form(code: str | None, release: Mapping) -> NoticeForm | None:
    """The form of a corrigendum's notice, to correct it again (None for other notices): an
    F14 of an award (tagged ``awardUpdate``) is an F03's, else an F20's."""
    if code != CORRIGENDUM:
        return None
    tags = release.get("tag")
    award = isinstance(tags, list) and "awardUpdate" in tags
    return CONTRACT_AWARD_NOTICE_2015 if award else MODIFICATION_NOTICE
