"""The notices before a competition, and the transparency notice before a direct award, through
question pages: UK1 pipeline notice, UK2 preliminary market engagement notice, UK3 planned
procurement notice and UK5 transparency notice. Each release has the tags, fields and document
type that docs/notices.md gives the notice, and is what ``POST /api/publish/releases`` accepts
for it.

A pipeline notice (UK1) belongs to the authority, not to a procurement (Procurement Act 2023,
s.93): as through the publish API, it is a release under an ocid of its own that names the
authority as its buyer (openbook.publishing.scope), one planned procurement a notice.
"""

from collections.abc import Mapping

from openbook.publishing.notice_forms.questions import (
    AUTHORITY,
    CHOICE,
    CPV,
    DATE,
    ESTIMATED_VALUE,
    IDENTIFIER,
    LONDON,
    MONEY,
    TEXT,
    TEXTAREA,
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
from openbook.standards import identifiers


def _release(code: str, tag: str, context: Context, **sections: object) -> dict:
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    return {
        "ocid": context.ocid,
        "id": release_id(code, context),
        "date": moment(context.now.astimezone(LONDON)),
        "tag": [tag],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": [{**buyer, "roles": ["buyer"]}],
        **sections,
    }


def _items(cpv: object) -> list[dict]:
    return [{"id": "1", "classification": {"scheme": "CPV", "id": cpv}}]


# The questions the procurement notices share, in the tender notice's words (tender.py).
_TITLE = Question(
    "title",
    TEXT,
    "What is the procurement called?",
    "Use words suppliers would search for, such as 'Grounds maintenance for parks'.",
    pointers=("/tender/title",),
    missing="Enter the name of the procurement",
)
_DESCRIPTION = Question(
    "description",
    TEXTAREA,
    "Describe what you are buying",
    "What the contract is for, where, and anything suppliers must know to decide to bid.",
    pointers=("/tender/description",),
    missing="Describe what you are buying",
)
_CPV = Question(
    "cpv",
    CPV,
    "What is the main CPV code?",
    "The Common Procurement Vocabulary code that best describes it, such as 77314000 "
    "for grounds maintenance services.",
    pointers=("/tender/items",),
    missing="Enter the CPV code, such as 77314000",
)


# UK2: preliminary market engagement notice (Procurement Act 2023, ss.16-17; Procurement
# Regulations 2024, reg. 17). The engagement is a planning milestone of type "engagement":
# openbook's notice rules recognise engagement by it (docs/notices.md, "Exceptions the data
# shows").

_ENGAGEMENT_ORDER = ("The engagement must close on or after the day it starts",)


def _engagement_release(context: Context, answers: Mapping[str, object]) -> dict:
    milestones = [
        {
            "id": "engagement-opens",
            "type": "engagement",
            "title": "Preliminary market engagement opens",
            "dueDate": start_of(answers["engagement_start"]),
            "status": "scheduled",
        },
        {
            "id": "engagement-closes",
            "type": "engagement",
            "title": "Preliminary market engagement closes",
            "description": answers["how"],
            "dueDate": end_of(answers["engagement_end"]),
            "status": "scheduled",
        },
    ]
    tender: dict = {
        "id": "1",
        "title": answers["title"],
        "description": answers["description"],
        "status": "planning",
        "items": _items(answers["cpv"]),
    }
    if answers.get("value") is not None:
        tender["value"] = pounds(answers["value"])
    planning = {"milestones": milestones, "documents": [notice_document("UK2", context)]}
    return _release("UK2", "planning", context, planning=planning, tender=tender)


_engagement_order = dates_in_order(
    DateOrder("engagement_start", "engagement_end", _ENGAGEMENT_ORDER[0])
)


ENGAGEMENT_NOTICE = NoticeForm(
    "UK2",
    "Preliminary market engagement notice",
    (
        _TITLE,
        _DESCRIPTION,
        _CPV,
        Question(
            "engagement_start",
            DATE,
            "When does the engagement start?",
            "The first day suppliers can take part, for example 1 6 2026.",
            pointers=("/planning/milestones/0/dueDate",),
            missing="Enter the date the engagement starts",
        ),
        Question(
            "engagement_end",
            DATE,
            "When does the engagement close?",
            "The last day suppliers can take part, for example 30 6 2026.",
            pointers=("/planning/milestones/1/dueDate",),
            missing="Enter the date the engagement closes",
        ),
        Question(
            "how",
            TEXTAREA,
            "How can suppliers take part?",
            "For example, the dates of supplier days, where to register, or a questionnaire "
            "and where to send it.",
            pointers=("/planning/milestones/1/description",),
            missing="Say how suppliers can take part",
        ),
        Question(
            "value",
            MONEY,
            "What do you expect the contract to be worth, including VAT?",
            "In pounds. Leave it empty if you do not know yet.",
            pointers=("/tender/value",),
            optional=True,
            missing="Enter the expected value, in pounds",
        ),
    ),
    _engagement_release,
    order=_engagement_order,
    order_messages=_ENGAGEMENT_ORDER,
)


# UK3: planned procurement notice (Procurement Act 2023, s.15; Procurement Regulations 2024,
# reg. 16). When the tender notice is expected is the communication extension's
# futureNoticeDate, as the Find a Tender Service's pipeline data writes it.

_PLANNED_ORDER = ("The contract must start after the tender notice is published",)


def _planned_release(context: Context, answers: Mapping[str, object]) -> dict:
    tender = {
        "id": "1",
        "title": answers["title"],
        "description": answers["description"],
        "status": "planned",
        "items": _items(answers["cpv"]),
        "value": pounds(answers["value"]),
        "communication": {"futureNoticeDate": start_of(answers["tender_expected"])},
        "contractPeriod": {"startDate": start_of(answers["contract_start"])},
    }
    planning = {"documents": [notice_document("UK3", context)]}
    return _release("UK3", "planning", context, planning=planning, tender=tender)


_planned_order = dates_in_order(
    DateOrder("tender_expected", "contract_start", _PLANNED_ORDER[0], same_day=False)
)


PLANNED_PROCUREMENT_NOTICE = NoticeForm(
    "UK3",
    "Planned procurement notice",
    (
        _TITLE,
        _DESCRIPTION,
        _CPV,
        ESTIMATED_VALUE,
        Question(
            "tender_expected",
            DATE,
            "When do you expect to publish the tender notice?",
            "For example, 1 9 2026. Published 40 days to 12 months before the tender notice, "
            "this notice allows a shorter time for tenders (Procurement Act 2023, s.54).",
            pointers=("/tender/communication/futureNoticeDate",),
            missing="Enter the date you expect to publish the tender notice",
        ),
        Question(
            "contract_start",
            DATE,
            "When is the contract expected to start?",
            "For example, 1 4 2027.",
            pointers=("/tender/contractPeriod/startDate", "/tender/contractPeriod"),
            missing="Enter the date the contract starts",
        ),
    ),
    _planned_release,
    order=_planned_order,
    order_messages=_PLANNED_ORDER,
)


# UK5: transparency notice (Procurement Act 2023, s.44; Procurement Regulations 2024, reg. 26),
# published before a contract is awarded directly (s.41 and Schedule 5). The supplier is a
# party with the role "supplier" (as in the contract award notice's form, award.py) and the
# award to come, pending; the justification is the procurement method's details, and the
# publisher's explanation its rationale.

# The direct award justifications of Schedule 5 that need a transparency notice. A user choice
# contract (para. 15) is left out: it needs none (s.44(3)). Paragraph numbers are given where
# they were read: paras 2 to 6 in the Act's text on legislation.gov.uk, para. 13 as the notice
# rules cite it (openbook/standards/uk/rules/standstill.py).
_GROUNDS = (
    ("prototype", "Prototypes and development (Schedule 5, paragraph 2)"),
    ("art", "Single suppliers: a unique work of art or artistic performance (paragraph 4)"),
    (
        "exclusive-rights",
        "Single suppliers: intellectual property or other exclusive rights (paragraph 5)",
    ),
    ("technical", "Single suppliers: no competition for technical reasons (paragraph 6)"),
    ("additional", "Additional or repeat goods, services or works"),
    ("commodities", "Commodities"),
    ("insolvency", "Advantageous terms on insolvency"),
    ("urgency", "Extreme and unavoidable urgency (paragraph 13)"),
    ("other", "Another justification in Schedule 5 (name it in your explanation)"),
)


def _transparency_release(context: Context, answers: Mapping[str, object]) -> dict:
    # The answer is an identifier as its register writes it: the question read it so.
    identifier = identifiers.check_party_id(str(answers["supplier_id"])).identifier
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
    }
    grounds = dict(_GROUNDS)
    tender = {
        "id": "1",
        "title": answers["title"],
        "description": answers["description"],
        "status": "active",
        "procurementMethod": "direct",
        "procurementMethodDetails": f"Direct award: {grounds[str(answers['ground'])]}",
        "procurementMethodRationale": answers["rationale"],
        "value": pounds(answers["value"]),
        "documents": [notice_document("UK5", context)],
    }
    award = {
        "id": "1",
        "title": answers["title"],
        "status": "pending",
        "value": pounds(answers["value"]),
        "suppliers": [supplier],
    }
    release = _release("UK5", "tender", context, tender=tender, awards=[award])
    release["parties"].append(party)
    return release


TRANSPARENCY_NOTICE = NoticeForm(
    "UK5",
    "Transparency notice (direct award)",
    (
        _TITLE,
        _DESCRIPTION,
        Question(
            "supplier_name",
            TEXT,
            "Which supplier will you award the contract to?",
            "The supplier's name as its register gives it, such as 'Green Spaces Ltd'.",
            pointers=("/parties/1/name", "/parties/1/identifier/legalName"),
            missing="Enter the supplier's name",
        ),
        Question(
            "supplier_id",
            IDENTIFIER,
            "What is the supplier's identifier?",
            "Its register's code, a hyphen and its number there: GB-COH-01234567 for a "
            "company, GB-CHC-1123456 for a charity, GB-PPON-PMZV-7732-XXTT for a Public "
            "Procurement Organisation Number, GB-OPENBOOK-ABCD-1234-Z for a supplier registered "
            "here.",
            pointers=("/parties/1", "/awards/0/suppliers"),
            missing="Enter the supplier's identifier",
        ),
        Question(
            "value",
            MONEY,
            "What is the estimated value of the contract, including VAT?",
            "The most you expect to pay over the whole contract, in pounds.",
            pointers=("/tender/value", "/awards/0/value"),
            missing="Enter the estimated value, in pounds",
        ),
        Question(
            "ground",
            CHOICE,
            "Which direct award justification applies?",
            "The ground in Schedule 5 to the Procurement Act 2023 that allows you to award the "
            "contract without competition.",
            choices=_GROUNDS,
            pointers=("/tender/procurementMethodDetails",),
            missing="Select the direct award justification",
        ),
        Question(
            "rationale",
            TEXTAREA,
            "Explain why the justification applies",
            "Suppliers and the public read this to judge the direct award: say what makes the "
            "ground apply to this contract.",
            pointers=("/tender/procurementMethodRationale",),
            missing="Explain why the justification applies",
        ),
    ),
    _transparency_release,
)


# UK1: pipeline notice (Procurement Act 2023, s.93; Procurement Regulations 2024, reg. 15): the
# authority's planned procurements over £2 million for the 18 months from the start of the
# financial year, one a notice here.


def _pipeline_release(context: Context, answers: Mapping[str, object]) -> dict:
    tender = {
        "id": "1",
        "title": answers["title"],
        "status": "planned",
        "value": pounds(answers["value"]),
        "communication": {"futureNoticeDate": start_of(answers["tender_expected"])},
    }
    if answers.get("description") is not None:
        tender["description"] = answers["description"]
    planning = {
        "rationale": "Pipeline notice: a public contract the authority plans to procure in the "
        "18 months from the start of its financial year (Procurement Act 2023, s.93)",
        "documents": [notice_document("UK1", context)],
    }
    return _release("UK1", "planning", context, planning=planning, tender=tender)


PIPELINE_NOTICE = NoticeForm(
    "UK1",
    "Pipeline notice",
    (
        Question(
            "title",
            TEXT,
            "What is the planned procurement called?",
            "A pipeline notice lists the public contracts over £2 million you plan to procure "
            "in the 18 months from the start of the financial year. Publish one notice for "
            "each.",
            pointers=("/tender/title",),
            missing="Enter the name of the planned procurement",
        ),
        Question(
            "description",
            TEXTAREA,
            "Describe what you plan to buy",
            "Optional. What the contract is for, and where.",
            pointers=("/tender/description",),
            optional=True,
            missing="Describe what you plan to buy",
        ),
        ESTIMATED_VALUE,
        Question(
            "tender_expected",
            DATE,
            "When do you expect to publish the tender notice?",
            "For example, 1 9 2026.",
            pointers=("/tender/communication/futureNoticeDate",),
            missing="Enter the date you expect to publish the tender notice",
        ),
    ),
    _pipeline_release,
    level=AUTHORITY,
)

PLANNING_FORMS = (
    PIPELINE_NOTICE,
    ENGAGEMENT_NOTICE,
    PLANNED_PROCUREMENT_NOTICE,
    TRANSPARENCY_NOTICE,
)
