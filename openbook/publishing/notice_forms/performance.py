"""The notices of a contract being carried out, through question pages: the contract performance
notice (UK9), either the yearly assessment against the contract's key performance indicators
(openbook.publishing.notice_forms.assessment) or a breach of the contract or a failure to
perform it, and the contract payments notice (UK8) for a payment under it. Both follow a
contract award or details notice in the same procurement (level PROCESS) and write to the
contract chosen (asked when the procurement has more than one), as the contract change and
termination notices do (openbook.publishing.notice_forms.award, whose helpers these share).

The tags, the fields filled and each notice document's ``documentType`` are those of the
"Procurement Act 2023 notices" table of docs/notices.md. A contract is written to many times by
these notices (a payment each quarter, a failure now and then), so each notice adds an entry of
its own, numbered after those the contract has, with a notice document of its own; the form
names the entries it numbers (``NoticeForm.adds``), so that a notice numbered alike with another
published meanwhile is refused rather than replace the other's (openbook.publishing.numbering).
"""

from collections.abc import Mapping

from openbook.publishing.notice_forms import assessment
from openbook.publishing.notice_forms.following import (
    WHICH_CONTRACT,
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
    MONEY,
    PROCESS,
    TEXTAREA,
    Context,
    DateOrder,
    NoticeForm,
    Question,
    dates_in_order,
    end_of,
    notice_document,
    pounds,
    start_of,
)

_FAILURE = "/contracts/0/implementation/performanceFailures/0"
_PAYMENT = "/contracts/0/implementation/transactions/0"


def _implementation(context: Context, answers: Mapping[str, object]) -> dict:
    """The implementation of the contract the notice is about, as published so far."""
    found = contract_entry(context, answers).get("implementation")
    return found if isinstance(found, dict) else {}


def _document(code: str, context: Context, entry: str, **fields: object) -> dict:
    """The notice's own document, with an id of its own: a contract has many of these notices,
    and documents of one id would be merged into one (OCDS 1.1, "Merging"). The id names the
    entry the notice adds (``UK8-notice-2``: the notice of payment 2)."""
    document = notice_document(code, context)
    return {**document, "id": f"{document['id']}-{entry}", **fields}


def _about(release: Mapping) -> str:
    """The contract a notice is about, for its release id: the entry it adds is numbered within
    that contract, so two notices about two contracts within one second (each adding payment 1,
    say) would otherwise share an id, and the second be refused as a conflict."""
    return str(release["contracts"][0]["id"])


def _suppliers(context: Context, answers: Mapping[str, object]) -> list[dict]:
    """The suppliers of the contract the notice is about, as its award names them."""
    award_id = contract_of(context, answers)["awardID"]
    for award in entries(context.compiled, "awards"):
        if str(award.get("id")) == award_id:
            return [
                {"id": str(ref["id"]), **({"name": ref["name"]} if ref.get("name") else {})}
                for ref in entries(award, "suppliers")
                if ref.get("id") is not None
            ]
    return []


# UK9: the contract performance notice, for the yearly assessment against the contract's key
# performance indicators (s.71(2); reg. 39(4)) or for a breach or a failure to perform
# (Procurement Act 2023, s.71(3) to (5); Procurement Regulations 2024, reg. 39(7)), published
# within 30 days of the day s.71(5) first applies (the review code
# notice.deadline.performance_notice_late). The first question chooses the route; the other
# route's questions are not asked.

FAILURE = "failure"  # the route question's answers
ROUTES = (
    (
        assessment.ROUTE,
        "An assessment of the supplier’s performance against the key performance indicators",
    ),
    (FAILURE, "A breach of the contract, or a failure to perform it"),
)

# Each ground of s.71(5): (its answer, its label, the basis of the penalty in the UK extension's
# closed penaltyType codelist, and the statement reg. 39 asks the notice to make).
_GROUNDS = (
    (
        "partial-termination",
        "The supplier breached the contract, and part of the contract was terminated",
        # Terminated under a term of the contract (one of its own, or that s.78 implies).
        "contracted",
        "the supplier breached the contract, and the breach resulted in the termination of "
        "part of the contract (section 71(3)).",
    ),
    (
        "damages",
        "The supplier breached the contract, and damages were awarded",
        "imposed",  # by a court or tribunal
        "the supplier breached the contract, and the breach resulted in an award of damages "
        "(section 71(3)).",
    ),
    (
        "settlement",
        "The supplier breached the contract, and you reached a settlement agreement with them",
        "negotiated",
        "the supplier breached the contract, and the breach resulted in a settlement agreement "
        "between the supplier and the contracting authority (section 71(3)).",
    ),
    (
        "not-improved",
        "The supplier did not perform the contract to your satisfaction, and did not improve "
        "when given the chance",
        None,  # no penalty: the date is the decision that the supplier failed to improve
        "the supplier did not perform the contract to the contracting authority's "
        "satisfaction, was given an opportunity to improve, and failed to (section 71(4)).",
    ),
)
_FAILURE_ORDER = (
    "The breach or failure must start on or before the date of the termination, damages, "
    "settlement or decision",
    "The breach or failure must end on or after the day it started",
)


def _performance_release(context: Context, answers: Mapping[str, object]) -> dict:
    if answers.get("route") == assessment.ROUTE:
        return _assessment_release(context, answers)
    return _failure_release(context, answers)


def _assessment_release(context: Context, answers: Mapping[str, object]) -> dict:
    contract = contract_entry(context, answers)
    number = assessment.number(contract)
    document = _document(
        "UK9", context, f"assessment-{number}", description=assessment.statement(answers)
    )
    implementation = {"metrics": assessment.metrics(contract, answers), "documents": [document]}
    release = process_release(
        "UK9",
        context,
        ["implementation"],
        tender=repeated_tender(context),
        contracts=[{**contract_of(context, answers), "implementation": implementation}],
    )
    release["id"] += f"-{_about(release)}-assessment-{number}"
    return release


def _failure_release(context: Context, answers: Mapping[str, object]) -> dict:
    ground = next(g for g in _GROUNDS if g[0] == answers["ground"])
    failure: dict = {
        "id": next_id(entries(_implementation(context, answers), "performanceFailures")),
        "period": {"startDate": start_of(answers["began"])},
        "requirement": answers["requirement"],
        "description": answers["description"],
    }
    if answers.get("ended") is not None:
        failure["period"]["endDate"] = end_of(answers["ended"])
    if ground[2] is None:
        failure["decisionDate"] = start_of(answers["happened"])
    else:
        failure["penaltyDate"] = start_of(answers["happened"])
        failure["penaltyType"] = ground[2]
    if answers.get("penalty_value") is not None:
        failure["penaltyValue"] = pounds(answers["penalty_value"])
    suppliers = _suppliers(context, answers)
    if suppliers:
        failure["suppliers"] = suppliers
    statement = "Published under section 71(5) of the Procurement Act 2023: " + ground[3]
    implementation = {
        "performanceFailures": [failure],
        "documents": [_document("UK9", context, failure["id"], description=statement)],
    }
    contract = {**contract_of(context, answers), "implementation": implementation}
    release = process_release(
        "UK9", context, ["implementation"], tender=repeated_tender(context), contracts=[contract]
    )
    release["id"] += f"-{_about(release)}-{failure['id']}"
    return release


def _adds(release: Mapping) -> tuple[str, ...]:
    """The entries a payments or performance notice numbers (``NoticeForm.adds``): its payment
    or its breach or failure; an assessment's observation of each KPI, then its notice document
    (named after the assessment's number: two assessments of different KPIs numbered alike
    would otherwise keep both ratings but one notice)."""
    implementation = release["contracts"][0]["implementation"]
    if "metrics" in implementation:
        observations = (
            f"/contracts/0/implementation/metrics/{index}/observations/0"
            for index in range(len(implementation["metrics"]))
        )
        return (*observations, "/contracts/0/implementation/documents/0")
    if "performanceFailures" in implementation:
        return (_FAILURE,)
    return (_PAYMENT,)


_failure_order = dates_in_order(
    DateOrder("began", "happened", _FAILURE_ORDER[0], at="began"),
    DateOrder("began", "ended", _FAILURE_ORDER[1]),
)


def _failure_applies(_context: Context, answers: Mapping[str, object]) -> bool:
    return answers.get("route") == FAILURE


def _performance_fits(context: Context, answers: Mapping[str, object]) -> tuple[str, str] | None:
    if answers.get("route") == assessment.ROUTE:
        return assessment.fits(context, answers)
    return None


CONTRACT_PERFORMANCE_NOTICE = NoticeForm(
    "UK9",
    "Contract performance notice",
    (
        WHICH_CONTRACT,
        Question(
            "route",
            CHOICE,
            "What is this contract performance notice for?",
            "Publish an assessment against the key performance indicators at least once every "
            "12 months, and when the contract ends.",
            choices=ROUTES,
            # Only an assessment writes a rating's description: a correction reads the route
            # back from there.
            pointers=(f"{assessment.METRICS}/0/observations/0/measureClassification/description",),
            missing="Select what this notice is for",
        ),
        *assessment.QUESTIONS,
        Question(
            "ground",
            CHOICE,
            "Why are you publishing this contract performance notice?",
            "Publish one when a breach of the contract leads to one of these, or when the "
            "supplier fails to put poor performance right. If the whole contract was "
            "terminated, publish a contract termination notice instead.",
            choices=tuple((value, label) for value, label, _, _ in _GROUNDS),
            pointers=(
                f"{_FAILURE}/penaltyType",
                "/contracts/0/implementation/documents/0/description",
            ),
            missing="Select why you are publishing this notice",
            applies=_failure_applies,
        ),
        Question(
            "happened",
            DATE,
            "On what date did this happen?",
            "The day part of the contract was terminated, damages were awarded or the "
            "settlement was agreed, or the day you decided the supplier had failed to improve. "
            "Publish this notice within 30 days of that day.",
            pointers=(f"{_FAILURE}/penaltyDate", f"{_FAILURE}/decisionDate"),
            missing="Enter the date this happened",
            # Refused on its page when after today
            past="The date this happened must be today or in the past",
            applies=_failure_applies,
        ),
        Question(
            "requirement",
            TEXTAREA,
            "What did the contract require that the supplier did not do?",
            "The obligation that was breached or not performed to your satisfaction, such as "
            "repairing faulty street lights within 5 working days.",
            pointers=(f"{_FAILURE}/requirement",),
            missing="Enter what the contract required of the supplier",
            applies=_failure_applies,
        ),
        Question(
            "description",
            TEXTAREA,
            "What went wrong, and what was its impact?",
            "How the supplier fell short, what that meant for the service and the people who "
            "use it, and which part of the contract was terminated, if any.",
            pointers=(f"{_FAILURE}/description",),
            missing="Describe what went wrong and its impact",
            applies=_failure_applies,
        ),
        Question(
            "began",
            DATE,
            "When did the breach or failure start?",
            "For example, 3 2 2026.",
            pointers=(f"{_FAILURE}/period/startDate",),
            missing="Enter the date the breach or failure started",
            # Refused on its page when after today
            past="The date the breach or failure started must be today or in the past",
            applies=_failure_applies,
        ),
        Question(
            "ended",
            DATE,
            "When did the breach or failure end?",
            "Leave it blank if it has not ended.",
            pointers=(f"{_FAILURE}/period/endDate",),
            optional=True,
            missing="Enter the date the breach or failure ended",
            # Refused on its page when after today
            past="The date the breach or failure ended must be today or in the past",
            applies=_failure_applies,
        ),
        Question(
            "penalty_value",
            MONEY,
            "How much were the damages or the settlement?",
            "In pounds. Leave it blank if no money was awarded or agreed.",
            pointers=(f"{_FAILURE}/penaltyValue",),
            optional=True,
            missing="Enter the amount of the damages or the settlement, in pounds",
            applies=_failure_applies,
        ),
    ),
    _performance_release,
    level=PROCESS,
    order=_failure_order,
    fits=_performance_fits,
    order_messages=(*_FAILURE_ORDER, *assessment.MESSAGES),
    adds=_adds,
)


# UK8: the contract payments notice, for a payment of more than £30,000 under the contract
# (Procurement Act 2023, s.70), published within 30 days of the end of the quarter it was made
# in. Its number and name are openbook's own (docs/notices.md, "Note on UK8"). One payment a
# notice; the payer is the buyer and the payee the contract's supplier, both as parties with
# those roles. A contract whose award names several suppliers gets a payment without a payee
# here (the pages cannot know which was paid): it is named through the publish API.


def _payment_release(context: Context, answers: Mapping[str, object]) -> dict:
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    transaction: dict = {
        "id": next_id(entries(_implementation(context, answers), "transactions")),
        "date": start_of(answers["paid"]),
        "value": pounds(answers["amount"]),
        "payer": buyer,
    }
    suppliers = _suppliers(context, answers)
    if len(suppliers) == 1:
        transaction["payee"] = suppliers[0]
    implementation = {
        "transactions": [transaction],
        "documents": [_document("UK8", context, transaction["id"])],
    }
    contract = {**contract_of(context, answers), "implementation": implementation}
    release = process_release(
        "UK8", context, ["implementation"], tender=repeated_tender(context), contracts=[contract]
    )
    release["id"] += f"-{_about(release)}-{transaction['id']}"
    release["parties"] = [with_roles(context, release["parties"][0], "payer")]
    if "payee" in transaction:
        release["parties"].append(
            with_roles(context, {**suppliers[0], "roles": ["supplier"]}, "payee")
        )
    return release


CONTRACT_PAYMENTS_NOTICE = NoticeForm(
    "UK8",
    "Contract payments notice",
    (
        WHICH_CONTRACT,
        Question(
            "paid",
            DATE,
            "When did you make the payment?",
            "For example, 14 5 2026. Publish each payment within 30 days of the end of the "
            "quarter you made it in.",
            pointers=(f"{_PAYMENT}/date",),
            missing="Enter the date you made the payment",
            # Refused on its page when after today
            past="The date you made the payment must be today or in the past",
        ),
        Question(
            "amount",
            MONEY,
            "How much did you pay, including VAT?",
            "In pounds. You must publish every payment of more than £30,000 under the contract.",
            pointers=(f"{_PAYMENT}/value",),
            missing="Enter the amount you paid, in pounds",
        ),
    ),
    _payment_release,
    level=PROCESS,
    adds=_adds,
)

# In the order a procurement publishes them.
PERFORMANCE_FORMS = (CONTRACT_PAYMENTS_NOTICE, CONTRACT_PERFORMANCE_NOTICE)
