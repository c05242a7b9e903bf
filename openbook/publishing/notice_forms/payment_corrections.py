"""Correcting one payment of a contract payments notice (UK8) that carries several, such as a
payments file makes of a contract's payments in a quarter (docs/contract-payments.md,
"Correcting a payment"). The question form of the UK8 notice asks for one payment, so it reads
back only the first of several (corrections.answers_from); here a payment is chosen from the
notice, its date, amount and payee are asked again, and the correction is a release of the
notice's procurement that names only that payment.

OCDS merges a contract's ``implementation.transactions`` by ``id`` (OCDS 1.1, "Merging"): the
correction gives the chosen payment under its own id, inside the contract of the notice that
paid it, so the compiled contract shows that payment corrected and every other payment exactly
as published. It is tagged ``implementationUpdate``, dated when it is written (after the
notice), with a UK8 notice document of its own and an amendment naming the release it amends
(corrections.as_correction).

Pure: releases and answers in, payments, problems and a release out. The words are English
here; the pages translate them (openbook/web/locale/cy/publisher_payment_corrections.po).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from openbook.publishing.notice_forms.corrections import as_correction
from openbook.publishing.notice_forms.following import entries, repeated_tender, with_roles
from openbook.publishing.notice_forms.questions import (
    CHOICE,
    DATE,
    LONDON,
    MONEY,
    AnswerProblem,
    Choices,
    Context,
    Question,
    Words,
    moment,
    notice_document,
    pounds,
    read_answer,
    release_id,
    start_of,
)

CODE = "UK8"
NO_PAYEE = "none"  # the payee question's answer for a payment that names no one
PAID = Question(
    "paid",
    DATE,
    "When was the payment made?",
    "For example, 14 5 2026.",
    missing="Enter the date the payment was made",
)
AMOUNT = Question(
    "amount",
    MONEY,
    "How much was paid, including VAT?",
    "In pounds.",
    missing="Enter the amount paid, in pounds",
)
PAYEE = Question(
    "payee",
    CHOICE,
    "Who was the payment made to?",
    "The suppliers of the contract, as its award names them.",
    missing="Select who the payment was made to",
)
QUESTIONS = (PAID, AMOUNT, PAYEE)
# A payment's answers checked against each other and the notice, as their messages say.
MESSAGES = (
    "The date the payment was made must be today or in the past",
    "You have not changed the payment: change its date, amount or who it was paid to",
    "No supplier of the contract",
    "A payment in another currency than pounds is corrected through the publish API",
)


class PaymentNotFound(Exception):
    """A payment the notice does not carry (an address made by hand, or changed)."""


class OtherProcess(Exception):
    """A correction asked for in another procurement than its notice's: a payments file
    publishes a notice in each procurement it pays under, and each is corrected in its own."""


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment a notice carries: its contract, its transaction as the procurement shows it
    now (corrected, if it was; as the notice gave it, otherwise), and its place in the notice
    (``number``: 1 for its first payment, in the order the notice lists them)."""

    number: int
    contract_id: str
    award_id: str | None
    transaction: Mapping

    @property
    def id(self) -> str:
        return str(self.transaction["id"])

    @property
    def day(self) -> date | None:
        """The day it was made, as written (a date-time's own day: the payments file and the
        UK8 form write the start of the day in UK time)."""
        try:
            return date.fromisoformat(str(self.transaction.get("date", ""))[:10])
        except ValueError:
            return None

    @property
    def amount(self) -> int | float | None:
        value = self.transaction.get("value")
        amount = value.get("amount") if isinstance(value, Mapping) else None
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            return None
        return int(amount) if float(amount).is_integer() else amount

    @property
    def currency(self) -> str | None:
        value = self.transaction.get("value")
        found = value.get("currency") if isinstance(value, Mapping) else None
        return found if isinstance(found, str) else None

    @property
    def payee(self) -> dict | None:
        found = self.transaction.get("payee")
        if not isinstance(found, Mapping) or found.get("id") is None:
            return None
        return {
            "id": str(found["id"]),
            **({"name": str(found["name"])} if found.get("name") else {}),
        }

    def answers(self) -> dict[str, object]:
        """The payment as answers to the questions: what the check page shows at first."""
        payee = self.payee
        return {
            PAID.name: self.day,
            AMOUNT.name: self.amount,
            PAYEE.name: payee["id"] if payee is not None else NO_PAYEE,
        }


def payments_in(release: Mapping, compiled: Mapping | None = None) -> list[Payment]:
    """The payments ``release`` carries (each contract's ``implementation.transactions`` with
    an id), each as the procurement (``compiled``) shows it now: a payment corrected since is
    corrected from its values as corrected."""
    found: list[Payment] = []
    for contract in entries(release, "contracts"):
        if contract.get("id") is None:
            continue
        contract_id = str(contract["id"])
        now = _contract(compiled, contract_id)
        shown = {str(t.get("id")): t for t in entries(_implementation(now), "transactions")}
        for transaction in entries(_implementation(contract), "transactions"):
            if transaction.get("id") is None:
                continue
            award = contract.get("awardID", now.get("awardID"))
            found.append(
                Payment(
                    len(found) + 1,
                    contract_id,
                    str(award) if award is not None else None,
                    shown.get(str(transaction["id"]), transaction),
                )
            )
    return found


def payment_of(payments: list[Payment], contract_id: str, payment_id: str) -> Payment:
    """The payment ``payment_id`` of contract ``contract_id`` among a notice's ``payments``;
    PaymentNotFound if the notice has none such."""
    for payment in payments:
        if payment.contract_id == contract_id and payment.id == payment_id:
            return payment
    raise PaymentNotFound(payment_id)


def payees(compiled: Mapping | None, payment: Payment) -> dict[str, dict]:
    """Whom the payment may be said to be made to, by id: the suppliers the award of its
    contract names (as it names them), and the payee the payment names now if that is
    another."""
    found: dict[str, dict] = {}
    award_id = payment.award_id
    if award_id is None:
        award_id = _contract(compiled, payment.contract_id).get("awardID")
    for award in entries(compiled, "awards"):
        if str(award.get("id")) == str(award_id):
            for supplier in entries(award, "suppliers"):
                if supplier.get("id") is not None:
                    found[str(supplier["id"])] = _reference(supplier)
    payee = payment.payee
    if payee is not None:
        found.setdefault(payee["id"], payee)
    return found


def payee_choices(compiled: Mapping | None, payment: Payment) -> Choices:
    """The payee question's choices: each of ``payees`` by its name (else its id). A payment
    naming no one may be left so (``NO_PAYEE``); one that names someone offers no such choice,
    as a correction cannot take a payee away (OCDS merging keeps what a later release leaves
    out)."""
    choices: list[tuple[str, str | Words]] = [
        (identifier, party.get("name") or identifier)
        for identifier, party in payees(compiled, payment).items()
    ]
    if payment.payee is None:
        choices.append((NO_PAYEE, MESSAGES[2]))
    return tuple(choices)


def asked(question: Question, compiled: Mapping | None, payment: Payment) -> Question:
    """``question`` as asked of ``payment``: the payee question with its choices."""
    if question.name != PAYEE.name:
        return question
    return Question(
        PAYEE.name,
        CHOICE,
        PAYEE.label,
        PAYEE.hint,
        choices=payee_choices(compiled, payment),
        missing=PAYEE.missing,
    )


def changeable(question: Question, compiled: Mapping | None, payment: Payment) -> bool:
    """Whether the page offers to change the answer: the payee only when there is someone
    else to name; the amount only of a payment in pounds."""
    if question.name == AMOUNT.name:  # in pounds only: the form writes GBP
        return payment.currency in (None, "GBP")
    if question.name != PAYEE.name:
        return True
    return len(payee_choices(compiled, payment)) > 1


def read(question: Question, data: Mapping[str, str], today: date) -> object:
    """The answer to ``question`` (as ``asked`` gives it) in the posted ``data``;
    AnswerProblem when it cannot be used: the reasons of the notice forms' questions, and a
    payment dated after ``today`` (a payment is published once made, as a payments file's
    row is: payments_rows, ``date-in-future``)."""
    value = read_answer(question, data)
    if question.kind == DATE and isinstance(value, date) and value > today:
        raise AnswerProblem(MESSAGES[0])
    return value


def kept(question: Question, value: object) -> object:
    """An answer as the session keeps it (JSON)."""
    return value.isoformat() if isinstance(value, date) else value


def restored(question: Question, value: object) -> object:
    """An answer kept in the session, as ``read`` gave it; one that is not such, None."""
    if question.kind == DATE:
        try:
            return date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None
    if question.kind == MONEY:
        usable = isinstance(value, int | float) and not isinstance(value, bool)
        return value if usable else None
    return value if isinstance(value, str) else None


def changed(payment: Payment, answers: Mapping[str, object]) -> list[str]:
    """The questions whose answers differ from the payment as the procurement shows it."""
    now = payment.answers()
    return [q.name for q in QUESTIONS if q.name in answers and answers[q.name] != now[q.name]]


def correction(
    notice: Mapping,
    payment: Payment,
    answers: Mapping[str, object],
    context: Context,
    *,
    taken: Callable[[str], bool] | None = None,
) -> dict:
    """The release that corrects ``payment`` of the published ``notice`` with ``answers``
    (those not given are the payment's own), in the notice's procurement (``context.ocid``
    must be the notice's: OtherProcess otherwise): its contract with only that transaction,
    the answers changed written over the transaction as the procurement shows it now; the
    payer and the payee as parties with those roles; then made a correction of the notice
    (corrections.as_correction: tagged ``implementationUpdate``, an amendment of the contract
    naming the notice, an id of its own). AnswerProblem when nothing was changed, or a payee
    not offered is named. ``taken``: whether the procurement has a release of an id
    already."""
    if str(notice.get("ocid")) != context.ocid:
        raise OtherProcess(context.ocid)
    differ = changed(payment, answers)
    if not differ:
        raise AnswerProblem(MESSAGES[1])
    compiled = context.compiled
    transaction = dict(payment.transaction)
    buyer = {"id": context.buyer_id, "name": context.buyer_name}
    if PAID.name in differ:
        transaction["date"] = start_of(answers[PAID.name])
    if AMOUNT.name in differ:
        if not changeable(AMOUNT, compiled, payment):
            raise AnswerProblem(MESSAGES[3])
        transaction["value"] = pounds(answers[AMOUNT.name])
    payee = payment.payee
    if PAYEE.name in differ:
        payee = payees(compiled, payment).get(str(answers[PAYEE.name]))
        if payee is None:  # not one of the choices, or no one for a payment naming someone
            raise AnswerProblem(PAYEE.missing)
        transaction["payee"] = payee
    payer = transaction.get("payer")
    if not isinstance(payer, Mapping) or payer.get("id") is None:
        payer = transaction["payer"] = buyer
    ours = str(payer["id"]) == buyer["id"]  # the authority paid, as the notices write it
    contract: dict = {"id": payment.contract_id}
    if payment.award_id is not None:
        contract["awardID"] = payment.award_id
    document = notice_document(CODE, context)
    document["id"] = f"{document['id']}-{payment.id}"
    contract["implementation"] = {"transactions": [transaction], "documents": [document]}
    parties = [with_roles(context, {**buyer, "roles": ["buyer"]}, *(["payer"] if ours else []))]
    if not ours:
        parties.append(with_roles(context, _reference(payer), "payer"))
    if payee is not None and payee["id"] != buyer["id"]:
        parties.append(with_roles(context, {**payee, "roles": ["supplier"]}, "payee"))
    built = {
        "ocid": context.ocid,
        "id": f"{release_id(CODE, context)}-{payment.contract_id}-{payment.id}",
        "date": moment(context.now.astimezone(LONDON)),
        "tag": ["implementation"],
        "initiationType": "tender",
        "buyer": buyer,
        "parties": parties,
        "tender": repeated_tender(context),
        "contracts": [contract],
    }
    corrects = str(notice.get("id"))
    description = (
        f"Corrects payment {payment.id} of contract {payment.contract_id}, published in the "
        f"notice of release {corrects}: this release replaces that payment, and leaves the "
        "notice's other payments as they are."
    )
    return as_correction(built, corrects, context, description, taken=taken)


def _reference(party: Mapping) -> dict:
    return {
        "id": str(party.get("id")),
        **({"name": str(party["name"])} if party.get("name") else {}),
    }


def _contract(compiled: Mapping | None, contract_id: str) -> dict:
    return next((c for c in entries(compiled, "contracts") if str(c.get("id")) == contract_id), {})


def _implementation(contract: Mapping) -> dict:
    found = contract.get("implementation")
    return found if isinstance(found, dict) else {}


def texts() -> list[str]:
    """Every text of these questions that the pages show, for the Welsh catalogue."""
    found = [text for q in QUESTIONS for text in (q.label, q.hint, q.missing) if text]
    return [*found, *MESSAGES]
