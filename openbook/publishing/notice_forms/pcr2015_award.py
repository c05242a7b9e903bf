"""Section V ("Award of contract") of the 2015 Regulations' contract award notice, standard form
F03 (Commission Implementing Regulation (EU) 2015/1986, Annex III), asked on the question pages
of a contract awarded (pcr2015.py): the tenders received (V.2.2), whether a group of economic
operators won (V.2.2 and V.2.3), the values (V.2.4) and subcontracting (V.2.5). The contractor's
name, identifier and size, the total value and the day the contract was concluded (V.2.1, V.2.3,
V.2.4) are the form's own questions.

Where each answer goes follows the Open Contracting Partnership's mapping of the forms to OCDS
(docs/notices.md, "Earlier legislation: the standard forms"), within the extensions the UK
profile carries (openbook.standards.ocds.schema.UK_PROFILE: the EU profile brings the bid
statistics and subcontracting extensions):

- the counts of V.2.2 are ``bids.statistics`` (bid extension; measures of its open
  ``bidStatistics`` codelist): ``bids``, ``smeBids``, ``foreignBidsFromEU`` (the form's "other
  EU Member States": for a UK buyer, every one), ``foreignBidsFromNonEU`` (other countries
  outside the UK), ``electronicBids``; the lowest and highest offers of V.2.4 are
  ``lowestValidBidValue`` and ``highestValidBidValue``, with a currency;
- a group of economic operators is the award's ``suppliers``: the one named first, then the
  other members, each a party with the ``supplier`` role;
- the initial estimated total value of V.2.4 is the tender's ``value`` (asked of a contract not
  divided into lots: a lot's estimate is the lot's);
- V.2.5 is the award's ``hasSubcontracting`` and ``subcontracting`` (``value``, and the share as
  ``minimumPercentage`` and ``maximumPercentage``, a proportion from 0 to 1, both the share
  given; subcontracting extension).

Each statistic's id names the award (``1-bids``): statistics are merged by id (bid extension,
v1.1.4), so another award of the procurement (another lot) keeps its own, and a correction of
the award replaces its own. Pure.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import replace

from openbook.publishing.notice_forms.counts import COUNT, read_count
from openbook.publishing.notice_forms.members import member_list, read_members
from openbook.publishing.notice_forms.questions import (
    CHOICE,
    MONEY,
    TEXT,
    TEXTAREA,
    YES_NO,
    AnswerProblem,
    Context,
    Question,
    pounds,
    read_answer,
)
from openbook.standards.identifiers import check_party_id

Applies = Callable[[Context, Mapping[str, object]], bool]

# The counts of V.2.2, in the order a release writes them: (question, measure).
COUNTS = (
    ("tenders", "bids"),
    ("sme_tenders", "smeBids"),
    ("eu_tenders", "foreignBidsFromEU"),
    ("other_tenders", "foreignBidsFromNonEU"),
    ("electronic_tenders", "electronicBids"),
)
OFFERS = (("lowest_offer", "lowestValidBidValue"), ("highest_offer", "highestValidBidValue"))
_PERCENT = re.compile(r"(\d{1,3})(\.\d{1,2})?")

ORDER_MESSAGES = (
    "A contract was awarded, so at least 1 tender was received: enter 1 or more",
    "There cannot be more tenders from SMEs than tenders received",
    "There cannot be more tenders from the EU than tenders received",
    "There cannot be more tenders from outside the UK and the EU than tenders received",
    "There cannot be more tenders sent electronically than tenders received",
    "Tenders from the EU and from elsewhere outside the UK cannot be more than the tenders "
    "received",
    "Give both the lowest and the highest offer, or neither",
    "The lowest offer cannot be more than the highest offer",
    "The value likely to be subcontracted cannot be more than the contract’s total value",
)


def read_share(question: Question, data: Mapping[str, str]) -> float | int | None:
    """A percentage above 0 and at most 100, such as 25 or 12.5 (a % sign may follow)."""
    given = data.get(question.name, "")
    value = given.strip().removesuffix("%").strip() if isinstance(given, str) else ""
    if not value:
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    if value.startswith("-"):
        raise AnswerProblem("Enter a percentage more than 0")
    if _PERCENT.fullmatch(value) is None:
        raise AnswerProblem("Enter the percentage as a number, such as 25 or 12.5")
    number = float(value)
    if number == 0:
        raise AnswerProblem("Enter a percentage more than 0")
    if number > 100:
        raise AnswerProblem("Enter a percentage between 0 and 100")
    return int(number) if number.is_integer() else number


def _choice(question: Question, data: Mapping[str, str]) -> object:
    """A choice read as any choice is. Its own reader says a correction may ask it again: a
    group is known by its other members, a list read its own way (corrections.py)."""
    return read_answer(replace(question, reader=None), data)


def _count(name: str, label: str, hint: str, missing: str, applies: Applies) -> Question:
    index = [question for question, _ in COUNTS].index(name)
    return Question(
        name,
        COUNT,
        label,
        hint,
        pointers=(f"/bids/statistics/{index}/value",),
        missing=missing,
        reader=read_count,
        applies=applies,
    )


def _and(applies: Applies, name: str) -> Applies:
    """Asked when ``applies`` holds and the question ``name`` was answered yes."""
    return lambda context, answers: applies(context, answers) and answers.get(name) == "yes"


def _no_lots(chosen_lots: Callable[[Context, Mapping[str, object]], list[str]]) -> Callable:
    return lambda context, answers: not chosen_lots(context, answers)


def tenders_questions(applies: Applies) -> tuple[Question, ...]:
    """V.2.2: the tenders received, and whether a group of economic operators won; asked of
    a contract awarded (``applies``)."""
    zero = "Enter 0 if there were none."
    return (
        _count(
            "tenders",
            "How many tenders were received?",
            "Count every tender received, including any rejected. For example, 4.",
            "Enter the number of tenders received",
            applies,
        ),
        _count(
            "sme_tenders",
            "How many of the tenders were from small and medium-sized enterprises (SMEs)?",
            f"An SME has fewer than 250 staff, and a turnover of no more than €50 million or a "
            f"balance sheet of no more than €43 million. {zero}",
            "Enter the number of tenders from SMEs",
            applies,
        ),
        _count(
            "eu_tenders",
            "How many of the tenders were from suppliers in the European Union?",
            f"Suppliers based in an EU member state, or elsewhere in the European Economic "
            f"Area. {zero}",
            "Enter the number of tenders from the EU",
            applies,
        ),
        _count(
            "other_tenders",
            "How many of the tenders were from suppliers outside the UK and the EU?",
            f"Suppliers based in any other country. {zero}",
            "Enter the number of tenders from outside the UK and the EU",
            applies,
        ),
        _count(
            "electronic_tenders",
            "How many of the tenders were sent electronically?",
            f"Through an e-tendering system, or by email. {zero}",
            "Enter the number of tenders sent electronically",
            applies,
        ),
        Question(
            "group",
            CHOICE,
            "Was the contract awarded to a group of suppliers?",
            "A consortium or other group of economic operators that tendered together.",
            choices=YES_NO,
            pointers=("/awards/0/suppliers",),
            missing="Select yes if the contract was awarded to a group of suppliers",
            reader=_choice,
            applies=applies,
        ),
    )


def group_question(applies: Applies) -> Question:
    """V.2.3 for a group: its other members, after the supplier named first."""
    return Question(
        "group_members",
        TEXTAREA,
        "Who are the other members of the group?",
        "The supplier you named first leads the group. Write each other member on a line of "
        "its own: its name, a comma, then its identifier, such as Smith, Jones & Co, "
        "GB-COH-07654321.",
        pointers=("/awards/0/suppliers",),
        missing="Enter the other members of the group",
        reader=read_members,
        applies=_and(applies, "group"),
    )


def estimate_question(applies: Applies, chosen_lots: Callable) -> Question:
    """V.2.4's initial estimated total value, of a contract not divided into lots."""
    no_lots = _no_lots(chosen_lots)
    return Question(
        "estimated_value",
        MONEY,
        "What was the initial estimated total value of the contract, excluding VAT?",
        "In pounds, as estimated when the procurement started. Leave it blank if it was not "
        "estimated.",
        pointers=("/tender/value",),
        optional=True,
        missing="Enter the estimated value, in pounds",
        applies=lambda context, answers: applies(context, answers) and no_lots(context, answers),
    )


def offers_questions(applies: Applies) -> tuple[Question, ...]:
    """V.2.4's lowest and highest offers taken into consideration: both, or neither."""
    hint = "In pounds, excluding VAT. Leave it blank if you are not giving the offers."
    return (
        Question(
            "lowest_offer",
            MONEY,
            "What was the lowest offer taken into consideration?",
            hint,
            pointers=("/bids/statistics/5/value",),
            optional=True,
            missing="Enter the lowest offer, in pounds",
            applies=applies,
        ),
        Question(
            "highest_offer",
            MONEY,
            "What was the highest offer taken into consideration?",
            hint,
            pointers=("/bids/statistics/6/value",),
            optional=True,
            missing="Enter the highest offer, in pounds",
            applies=applies,
        ),
    )


def subcontracting_questions(applies: Applies) -> tuple[Question, ...]:
    """V.2.5: whether the contract is likely to be subcontracted, and how much, if known."""
    likely = _and(applies, "subcontracting")
    return (
        Question(
            "subcontracting",
            CHOICE,
            "Is the contract likely to be subcontracted?",
            "Whether the supplier is likely to subcontract part of the contract to third parties.",
            choices=YES_NO,
            pointers=("/awards/0/hasSubcontracting",),
            missing="Select yes if the contract is likely to be subcontracted",
            applies=applies,
        ),
        Question(
            "subcontract_value",
            MONEY,
            "What value is likely to be subcontracted, excluding VAT?",
            "In pounds. Leave it blank if you do not know it.",
            pointers=("/awards/0/subcontracting/value",),
            optional=True,
            missing="Enter the value likely to be subcontracted, in pounds",
            applies=likely,
        ),
        Question(
            "subcontract_share",
            TEXT,
            "What percentage of the contract is likely to be subcontracted?",
            "For example, 25 or 12.5. Leave it blank if you do not know it.",
            pointers=("/awards/0/subcontracting/maximumPercentage",),
            optional=True,
            missing="Enter the percentage likely to be subcontracted",
            reader=read_share,
            applies=likely,
        ),
    )


def order(answers: Mapping[str, object]) -> tuple[str, str] | None:
    """The first problem across section V's answers, as (question, message); None if none."""
    return _tenders_order(answers) or _values_order(answers)


def _tenders_order(answers: Mapping[str, object]) -> tuple[str, str] | None:
    tenders = answers.get("tenders")
    if not isinstance(tenders, int):
        return None
    if tenders < 1:
        return "tenders", ORDER_MESSAGES[0]
    for (name, _), message in zip(COUNTS[1:], ORDER_MESSAGES[1:5], strict=True):
        part = answers.get(name)
        if isinstance(part, int) and part > tenders:
            return name, message
    abroad = [answers.get(name) for name in ("eu_tenders", "other_tenders")]
    if sum(part for part in abroad if isinstance(part, int)) > tenders:
        return "other_tenders", ORDER_MESSAGES[5]
    return None


def _values_order(answers: Mapping[str, object]) -> tuple[str, str] | None:
    lowest, highest = answers.get("lowest_offer"), answers.get("highest_offer")
    if (lowest is None) != (highest is None):
        return ("highest_offer" if highest is None else "lowest_offer"), ORDER_MESSAGES[6]
    if isinstance(lowest, int | float) and isinstance(highest, int | float) and lowest > highest:
        return "lowest_offer", ORDER_MESSAGES[7]
    share, value = answers.get("subcontract_value"), answers.get("value")
    if isinstance(share, int | float) and isinstance(value, int | float) and share > value:
        return "subcontract_value", ORDER_MESSAGES[8]
    return None


def _members(answer: object) -> list[dict]:
    """The parties of a group's other members (as read_members wrote them), as suppliers."""
    parties = []
    for name, written in member_list(answer):
        identifier = check_party_id(written).identifier
        assert identifier is not None  # read_members read it so
        identified = {"scheme": identifier.scheme, "id": identifier.id, "legalName": name}
        parties.append(
            {"id": str(identifier), "name": name, "identifier": identified, "roles": ["supplier"]}
        )
    return parties


def award_of_contract(
    release: dict, answers: Mapping[str, object], lots: list[str], supplier: dict
) -> None:
    """Section V's answers written into the F03's ``release`` (its one award, ``supplier``
    named first): in place."""
    award = release["awards"][0]
    statistics = [
        {"id": f"{award['id']}-{measure}", "measure": measure, "value": answers[name]}
        for name, measure in COUNTS
        if isinstance(answers.get(name), int)
    ]
    statistics += [
        {
            "id": f"{award['id']}-{measure}",
            "measure": measure,
            "value": answers[name],
            "currency": "GBP",
        }
        for name, measure in OFFERS
        if answers.get(name) is not None
    ]
    if len(lots) == 1:
        statistics = [{**statistic, "relatedLot": lots[0]} for statistic in statistics]
    if statistics:
        release["bids"] = {"statistics": statistics}
    if answers.get("group") == "yes":
        # the members are needed (a KeyError without them): a correction reading a release
        # back must not take a group without them for a supplier alone
        others = [p for p in _members(answers["group_members"]) if p["id"] != supplier["id"]]
        award["suppliers"] = [supplier, *[{"id": p["id"], "name": p["name"]} for p in others]]
        release["parties"] += others
    if answers.get("estimated_value") is not None:
        release["tender"]["value"] = pounds(answers["estimated_value"])
    if answers.get("subcontracting") in ("yes", "no"):
        award["hasSubcontracting"] = answers["subcontracting"] == "yes"
    subcontracting: dict = {}
    if answers.get("subcontract_value") is not None:
        subcontracting["value"] = pounds(answers["subcontract_value"])
    share = answers.get("subcontract_share")
    if isinstance(share, int | float):
        proportion = round(share / 100, 4)
        subcontracting |= {"minimumPercentage": proportion, "maximumPercentage": proportion}
    if subcontracting and award.get("hasSubcontracting"):
        award["subcontracting"] = subcontracting
