"""The tender notice (UK4) through question pages: a new procurement, open or competitive
flexible, with its deadline, value, CPV code and suitability for SMEs and VCSEs."""

from collections.abc import Mapping
from datetime import date

from openbook.publishing.notice_forms.questions import (
    CHOICE,
    CPV,
    DATE,
    DATETIME,
    ESTIMATED_VALUE,
    LONDON,
    TEXT,
    TEXTAREA,
    YES_NO,
    Context,
    DateOrder,
    NoticeForm,
    Question,
    dates_in_order,
    moment,
    notice_document,
    release_id,
)

_ORDER_PROBLEMS = (
    "The contract must end after it starts",
    "Give both the start and the end of the contract, or neither",
)


_PROCEDURES = {
    "open": ("open", "Open procedure"),
    "competitive-flexible": ("selective", "Competitive flexible procedure"),
}
_CATEGORIES = (("goods", "Goods"), ("services", "Services"), ("works", "Works"))


def _tender_release(context: Context, answers: Mapping[str, object]) -> dict:
    method, details = _PROCEDURES[str(answers["procedure"])]
    tender: dict = {
        "id": "1",
        "title": answers["title"],
        "description": answers["description"],
        "status": "active",
        "procurementMethod": method,
        "procurementMethodDetails": details,
        "mainProcurementCategory": answers["category"],
        "items": [{"id": "1", "classification": {"scheme": "CPV", "id": answers["cpv"]}}],
        "value": {"amount": answers["value"], "currency": "GBP"},
        "tenderPeriod": {"endDate": moment(answers["deadline"])},
        "suitability": {"sme": answers["sme"] == "yes", "vcse": answers["vcse"] == "yes"},
        "documents": [notice_document("UK4", context)],
    }
    if answers.get("contract_start") and answers.get("contract_end"):
        tender["contractPeriod"] = {
            "startDate": f"{answers['contract_start']}T00:00:00Z"
            if isinstance(answers["contract_start"], date)
            else str(answers["contract_start"]),
            "endDate": f"{answers['contract_end']}T23:59:59Z"
            if isinstance(answers["contract_end"], date)
            else str(answers["contract_end"]),
        }
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    return {
        "ocid": context.ocid,
        "id": release_id("UK4", context),
        "date": moment(context.now.astimezone(LONDON)),
        "tag": ["tender"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}],
        "tender": tender,
    }


_CONTRACT_DATES = dates_in_order(DateOrder("contract_start", "contract_end", _ORDER_PROBLEMS[0]))


def _order_problem(answers: Mapping[str, object]) -> tuple[str, str] | None:
    """A problem across answers: (question, message), such as a contract ending before it
    starts, or a start without an end."""
    found = _CONTRACT_DATES(answers)
    if found is not None:
        return found
    start, end = answers.get("contract_start"), answers.get("contract_end")
    if (start is None) != (end is None):
        missing = "contract_end" if end is None else "contract_start"
        return missing, _ORDER_PROBLEMS[1]
    return None


TENDER_NOTICE = NoticeForm(
    "UK4",
    "Tender notice",
    (
        Question(
            "title",
            TEXT,
            "What is the procurement called?",
            "Use words suppliers would search for, such as 'Grounds maintenance for parks'.",
            pointers=("/tender/title",),
            missing="Enter the name of the procurement",
        ),
        Question(
            "description",
            TEXTAREA,
            "Describe what you are buying",
            "What the contract is for, where, and anything suppliers must know to decide to bid.",
            pointers=("/tender/description",),
            missing="Describe what you are buying",
        ),
        Question(
            "category",
            CHOICE,
            "What are you buying mainly?",
            choices=_CATEGORIES,
            pointers=("/tender/mainProcurementCategory",),
            missing="Select what you are buying mainly",
        ),
        Question(
            "cpv",
            CPV,
            "What is the main CPV code?",
            "The Common Procurement Vocabulary code that best describes it, such as 77314000 "
            "for grounds maintenance services.",
            pointers=("/tender/items",),
            missing="Enter the CPV code, such as 77314000",
        ),
        ESTIMATED_VALUE,
        Question(
            "procedure",
            CHOICE,
            "Which procedure are you using?",
            choices=(
                ("open", "Open procedure: any supplier can bid"),
                ("competitive-flexible", "Competitive flexible procedure"),
            ),
            pointers=("/tender/procurementMethod", "/tender/procurementMethodDetails"),
            missing="Select the procedure",
        ),
        Question(
            "deadline",
            DATETIME,
            "When is the deadline for tenders?",
            "For example, 27 3 2026 and 12pm. The Procurement Act sets a minimum time for "
            "tenders: at least 25 days for an open procedure, often more.",
            pointers=("/tender/tenderPeriod",),
            missing="Enter the deadline for tenders",
        ),
        Question(
            "contract_start",
            DATE,
            "When is the contract expected to start?",
            "For example, 1 6 2026.",
            pointers=("/tender/contractPeriod/startDate",),
            optional=True,
            missing="Enter the date the contract starts",
        ),
        Question(
            "contract_end",
            DATE,
            "When is the contract expected to end?",
            "For example, 31 5 2029.",
            pointers=("/tender/contractPeriod/endDate", "/tender/contractPeriod"),
            optional=True,
            missing="Enter the date the contract ends",
        ),
        Question(
            "sme",
            CHOICE,
            "Is the contract suitable for small and medium-sized enterprises (SMEs)?",
            choices=YES_NO,
            pointers=("/tender/suitability/sme",),
            missing="Select yes if the contract is suitable for SMEs",
        ),
        Question(
            "vcse",
            CHOICE,
            "Is the contract suitable for voluntary, community and social enterprises (VCSEs)?",
            choices=YES_NO,
            pointers=("/tender/suitability/vcse",),
            missing="Select yes if the contract is suitable for VCSEs",
        ),
    ),
    _tender_release,
    order=_order_problem,
    order_messages=_ORDER_PROBLEMS,
)
