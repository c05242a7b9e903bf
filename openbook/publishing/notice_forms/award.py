"""The notices of a procurement already published, from the award to its end, through question
pages: the contract award notice (UK6), the contract details notice (UK7), the contract change
notice (UK10), the contract termination notice (UK11) and the procurement termination notice
(UK12). Each follows notices published before it in the same procurement (level PROCESS), so
each reads what it needs of them from the procurement's compiled release (``Context.compiled``):
the tender's id and title (every one of these notices must give the procurement's title,
Procurement Regulations 2024, regs 27 to 41), the award a contract is for, the contract a change
or termination is of.

The tags, the fields filled and each notice document's ``documentType`` are those of the
"Procurement Act 2023 notices" table of docs/notices.md. A procurement with several awards or
contracts asks first which one a notice is about (following.WHICH_AWARD, WHICH_CONTRACT); with
only one, the question is not asked. A contract award notice on a procurement whose tender has
lots asks which lots the award is for (WHICH_LOTS; with one lot, that one).
"""

from collections.abc import Mapping

from openbook.publishing.notice_forms.following import (
    WHICH_AWARD,
    WHICH_CONTRACT,
    WHICH_LOTS,
    chosen,
    chosen_lots,
    contract_entry,
    contract_of,
    entries,
    next_id,
    process_release,
    repeated_tender,
    with_roles,
)
from openbook.publishing.notice_forms.questions import (
    CHOICE,
    DATE,
    IDENTIFIER,
    LONDON,
    MONEY,
    PROCESS,
    TEXT,
    TEXTAREA,
    YES_NO,
    Context,
    DateOrder,
    NoticeForm,
    Question,
    dates_in_order,
    end_of,
    moment,
    notice_document,
    pounds,
    release_id,
    start_of,
)
from openbook.standards.identifiers import check_party_id

_ORDER_PROBLEMS = (
    "The standstill period must end after the decision to award",
    "The contract must end after it starts",
    "The contract must be signed on or before the day it ends",
)


def _award_id(awards: list[dict]) -> str:
    """The award a contract award notice is about: the one a transparency notice (UK5)
    announced, still pending and without a contract award notice of its own; else a new one."""
    for award in awards:
        documents = award.get("documents")
        listed = documents if isinstance(documents, list) else []
        notices = [d.get("noticeType") for d in listed if isinstance(d, dict)]
        if award.get("status") == "pending" and "UK6" not in notices and "id" in award:
            return str(award["id"])
    return next_id(awards)


def _period_of(contract: dict) -> dict:
    period = contract.get("period")
    return period if isinstance(period, dict) else {}


# UK6: the contract award notice (Procurement Act 2023, s.50; Procurement Regulations 2024,
# regs 27 to 30).


def _award_release(context: Context, answers: Mapping[str, object]) -> dict:
    # The answer is an identifier as its register writes it (the question read it so): its
    # scheme and id are found again the same way.
    identifier = check_party_id(str(answers["supplier_id"])).identifier
    assert identifier is not None
    supplier = {"id": str(identifier), "name": answers["supplier_name"]}
    party = {
        **supplier,
        "identifier": {
            "scheme": identifier.scheme,
            "id": identifier.id,
            "legalName": answers["supplier_name"],
        },
        "roles": ["supplier"],
        "details": {
            "scale": "sme" if answers["supplier_sme"] == "yes" else "large",
            "vcse": answers["supplier_vcse"] == "yes",
        },
    }
    award: dict = {
        "id": _award_id(entries(context.compiled, "awards")),
        "status": "pending",  # until the contract is entered into (UK7)
        "date": start_of(answers["award_date"]),
        "value": pounds(answers["value"]),
        "suppliers": [supplier],
    }
    lots = chosen_lots(context, answers)
    if lots:
        award["relatedLots"] = lots
    tender = repeated_tender(context)
    if "title" in tender:
        award["title"] = tender["title"]
    if answers.get("standstill_end") is not None:
        award["standstillPeriod"] = {
            "startDate": moment(context.now.astimezone(LONDON)),
            "endDate": end_of(answers["standstill_end"]),
        }
    award["documents"] = [notice_document("UK6", context)]
    release = process_release("UK6", context, ["award"], tender=tender, awards=[award])
    release["id"] += f"-{award['id']}"  # two awards (two lots) published within a second differ
    release["parties"].append(with_roles(context, party))
    return release


_award_order = dates_in_order(
    DateOrder("award_date", "standstill_end", _ORDER_PROBLEMS[0], same_day=False)
)


CONTRACT_AWARD_NOTICE = NoticeForm(
    "UK6",
    "Contract award notice",
    (
        WHICH_LOTS,
        Question(
            "supplier_name",
            TEXT,
            "What is the name of the supplier you are awarding the contract to?",
            "Its legal name, as its register gives it.",
            pointers=("/parties/1/name", "/parties/1/identifier/legalName"),
            missing="Enter the name of the supplier",
        ),
        Question(
            "supplier_id",
            IDENTIFIER,
            "What is the supplier's organisation identifier?",
            "The register's code, a hyphen and the supplier's number in it, such as "
            "GB-COH-01234567 for a company or GB-PPON-PMZV-7732-XXTT for a Public Procurement "
            "Organisation Number.",
            pointers=("/parties/1", "/awards/0/suppliers"),
            missing="Enter the supplier's identifier, such as GB-COH-01234567",
        ),
        Question(
            "supplier_sme",
            CHOICE,
            "Is the supplier a small or medium-sized enterprise (SME)?",
            "Fewer than 250 staff, and a turnover of £44 million or less or a balance sheet of "
            "£38 million or less.",
            choices=YES_NO,
            pointers=("/parties/1/details/scale",),
            missing="Select yes if the supplier is an SME",
        ),
        Question(
            "supplier_vcse",
            CHOICE,
            "Is the supplier a voluntary, community or social enterprise (VCSE)?",
            choices=YES_NO,
            pointers=("/parties/1/details/vcse",),
            missing="Select yes if the supplier is a VCSE",
        ),
        Question(
            "value",
            MONEY,
            "What is the value of the contract awarded, including VAT?",
            "The total the supplier will be paid over the whole contract, in pounds.",
            pointers=("/awards/0/value",),
            missing="Enter the value of the contract, in pounds",
        ),
        Question(
            "award_date",
            DATE,
            "When did you decide to award the contract?",
            "For example, 27 3 2026.",
            pointers=("/awards/0/date",),
            missing="Enter the date of the decision to award",
            # Refused on its page when after today
            past="The date of the decision to award must be today or in the past",
        ),
        Question(
            "standstill_end",
            DATE,
            "When does the standstill period end?",
            "At least 8 working days from the day this notice is published. Leave it blank if "
            "no standstill period applies, such as for a call-off under a framework.",
            pointers=("/awards/0/standstillPeriod",),
            optional=True,
            missing="Enter the date the standstill period ends",
        ),
    ),
    _award_release,
    level=PROCESS,
    order=_award_order,
    order_messages=_ORDER_PROBLEMS[:1],
)


# UK7: the contract details notice (Procurement Act 2023, s.53; Procurement Regulations 2024,
# regs 32 to 36).


def _details_release(context: Context, answers: Mapping[str, object]) -> dict:
    award = chosen(context, "awards", answers.get("award"))
    contract: dict = {
        "id": next_id(entries(context.compiled, "contracts")),
        "status": "active",
        "dateSigned": start_of(answers["date_signed"]),
        "period": {
            "startDate": start_of(answers["contract_start"]),
            "endDate": end_of(answers["contract_end"]),
        },
        "value": pounds(answers["value"]),
        "documents": [notice_document("UK7", context)],
    }
    tags, sections = ["contract"], {}
    if award.get("id") is not None:
        # The award the contract is for, made active: the contract is entered into.
        contract["awardID"] = str(award["id"])
        tags = ["award", "contract"]
        sections["awards"] = [{"id": str(award["id"]), "status": "active"}]
    tender = repeated_tender(context)
    if "title" in tender:
        contract["title"] = tender["title"]
    release = process_release("UK7", context, tags, tender=tender, **sections, contracts=[contract])
    release["id"] += f"-{contract['id']}"  # notices of two contracts within a second differ
    return release


_details_order = dates_in_order(
    DateOrder("contract_start", "contract_end", _ORDER_PROBLEMS[1]),
    DateOrder("date_signed", "contract_end", _ORDER_PROBLEMS[2], at="date_signed"),
)


CONTRACT_DETAILS_NOTICE = NoticeForm(
    "UK7",
    "Contract details notice",
    (
        WHICH_AWARD,
        Question(
            "date_signed",
            DATE,
            "When was the contract entered into?",
            "The day it was signed, for example, 27 3 2026. Publish this notice within 30 days "
            "of that day.",
            pointers=("/contracts/0/dateSigned",),
            missing="Enter the date the contract was entered into",
            # Refused on its page when after today
            past="The date the contract was entered into must be today or in the past",
        ),
        Question(
            "contract_start",
            DATE,
            "When does the contract start?",
            "For example, 1 6 2026.",
            pointers=("/contracts/0/period/startDate",),
            missing="Enter the date the contract starts",
        ),
        Question(
            "contract_end",
            DATE,
            "When does the contract end?",
            "For example, 31 5 2029, without any extensions not yet agreed.",
            pointers=("/contracts/0/period/endDate", "/contracts/0/period"),
            missing="Enter the date the contract ends",
        ),
        Question(
            "value",
            MONEY,
            "What is the value of the contract, including VAT?",
            "The total to be paid over the whole contract as signed, in pounds.",
            pointers=("/contracts/0/value",),
            missing="Enter the value of the contract, in pounds",
        ),
    ),
    _details_release,
    level=PROCESS,
    order=_details_order,
    order_messages=_ORDER_PROBLEMS[1:],
    # The contract, numbered after the procurement's: two contracts entered at once would
    # otherwise be one (openbook.publishing.numbering).
    adds=lambda _release: ("/contracts/0",),
)


# UK12: the procurement termination notice (Procurement Act 2023, s.55; Procurement
# Regulations 2024, reg. 37).


def _termination_release(context: Context, answers: Mapping[str, object]) -> dict:
    document = {**notice_document("UK12", context), "description": answers["reason"]}
    tender = repeated_tender(
        context,
        status="cancelled",
        finalStatusDate=start_of(answers["terminated"]),
        documents=[document],
    )
    return process_release("UK12", context, ["tenderCancellation"], tender=tender)


PROCUREMENT_TERMINATION_NOTICE = NoticeForm(
    "UK12",
    "Procurement termination notice",
    (
        Question(
            "reason",
            TEXTAREA,
            "Why are you ending the procurement?",
            "For example, no suitable tenders were received, or the requirement has changed and "
            "will be procured again.",
            pointers=("/tender/documents/0/description",),
            missing="Enter why the procurement is ending",
        ),
        Question(
            "terminated",
            DATE,
            "When did you decide to end the procurement?",
            "For example, 27 3 2026.",
            pointers=("/tender/finalStatusDate",),
            missing="Enter the date you decided to end the procurement",
            # Refused on its page when after today
            past="The date you decided to end the procurement must be today or in the past",
        ),
    ),
    _termination_release,
    level=PROCESS,
)


# UK10: the contract change notice (Procurement Act 2023, s.75; Procurement Regulations 2024,
# reg. 40).


def _change_release(context: Context, answers: Mapping[str, object]) -> dict:
    contract = contract_entry(context, answers)
    changed: dict = contract_of(context, answers)
    amendment: dict = {
        "id": release_id("UK10", context),
        "date": moment(context.now.astimezone(LONDON)),
        "description": answers["change"],
    }
    if answers.get("new_value") is not None:
        changed["value"] = pounds(answers["new_value"])
    if answers.get("new_end") is not None:
        period = _period_of(contract)
        changed["period"] = {**period, "endDate": end_of(answers["new_end"])}
    changed["amendments"] = [amendment]
    changed["documents"] = [notice_document("UK10", context, recurring=True)]
    release = process_release(
        "UK10", context, ["contractAmendment"], tender=repeated_tender(context), contracts=[changed]
    )
    release["id"] += f"-{changed['id']}"  # notices of two contracts within a second differ
    return release


CONTRACT_CHANGE_NOTICE = NoticeForm(
    "UK10",
    "Contract change notice",
    (
        WHICH_CONTRACT,
        Question(
            "change",
            TEXTAREA,
            "What has changed in the contract?",
            "What the modification is, and why it is permitted under section 74 of the "
            "Procurement Act 2023.",
            pointers=("/contracts/0/amendments",),
            missing="Describe what has changed in the contract",
        ),
        Question(
            "new_value",
            MONEY,
            "What is the value of the contract now, including VAT?",
            "Leave it blank if the value has not changed.",
            pointers=("/contracts/0/value",),
            optional=True,
            missing="Enter the new value, in pounds",
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
    _change_release,
    level=PROCESS,
)


# UK11: the contract termination notice (Procurement Act 2023, s.80; Procurement Regulations
# 2024, reg. 41).


def _contract_termination_release(context: Context, answers: Mapping[str, object]) -> dict:
    contract = contract_entry(context, answers)
    period = _period_of(contract)
    document = {**notice_document("UK11", context), "description": answers["reason"]}
    ended = {
        **contract_of(context, answers),
        "status": "terminated",
        "period": {**period, "endDate": end_of(answers["ended"])},
        "value": pounds(answers["final_value"]),
        "documents": [document],
    }
    release = process_release(
        "UK11", context, ["contractTermination"], tender=repeated_tender(context), contracts=[ended]
    )
    release["id"] += f"-{ended['id']}"  # notices of two contracts within a second differ
    return release


CONTRACT_TERMINATION_NOTICE = NoticeForm(
    "UK11",
    "Contract termination notice",
    (
        WHICH_CONTRACT,
        Question(
            "reason",
            TEXTAREA,
            "Why did the contract end?",
            "For example, it expired, it was ended by agreement, or it was ended for a breach.",
            pointers=("/contracts/0/documents/0/description",),
            missing="Enter why the contract ended",
        ),
        Question(
            "ended",
            DATE,
            "When did the contract end?",
            "For example, 27 3 2026. Publish this notice within 30 days of that day.",
            pointers=("/contracts/0/period/endDate", "/contracts/0/period"),
            missing="Enter the date the contract ended",
            # Refused on its page when after today
            past="The date the contract ended must be today or in the past",
        ),
        Question(
            "final_value",
            MONEY,
            "What was the total value of the contract, including VAT?",
            "What was paid or is due under it, in pounds.",
            pointers=("/contracts/0/value",),
            missing="Enter the total value of the contract, in pounds",
        ),
    ),
    _contract_termination_release,
    level=PROCESS,
)

# In the order a procurement publishes them.
PROCESS_FORMS = (
    CONTRACT_AWARD_NOTICE,
    CONTRACT_DETAILS_NOTICE,
    CONTRACT_CHANGE_NOTICE,
    CONTRACT_TERMINATION_NOTICE,
    PROCUREMENT_TERMINATION_NOTICE,
)
