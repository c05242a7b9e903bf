"""The yearly assessment of a contract's key performance indicators (KPIs), the other route of the
contract performance notice (UK9; openbook.publishing.notice_forms.performance): the Procurement
Act 2023, s.71(2) and the Procurement Regulations 2024, reg. 39. A contract of more than £5
million has at least three KPIs (s.52(1)), and the authority assesses the supplier against each
at least once every 12 months while it lasts, and publishes the assessment.

The release is what the contract performance register reads (openbook.contract_performance;
docs/contract-performance.md): each KPI a ``contracts[].implementation.metrics[]`` entry (the
metrics extension) with one observation for the period assessed, rated in
``measureClassification.id`` with the UK extension's codes. A KPI keeps its id from year to
year (found by its name among those the contract has), and each year's observation takes a new
one, so merging keeps every year's rating.
"""

import re
from collections.abc import Mapping
from datetime import date

from openbook.publishing.notice_forms.following import contract_entry, entries, next_id
from openbook.publishing.notice_forms.questions import (
    CHOICE,
    DATE,
    GROUP,
    LONDON,
    TEXT,
    TEXTAREA,
    Context,
    DateOrder,
    Question,
    Repeating,
    dates_in_order,
    end_of,
    start_of,
)

ROUTE = "assessment"  # the answer to the UK9 route question that asks these
METRICS = "/contracts/0/implementation/metrics"
_OBSERVATION = f"{METRICS}/0/observations/0"
MOST = 50  # KPIs in one notice: far more than any contract sets
THRESHOLD = 5_000_000  # s.52(1): a contract worth more than this has at least three KPIs
FEWEST_ABOVE = 3

# The ratings of reg. 39, with the UK extension's Observation.measureClassification codes (the
# contract performance register's RATINGS): (code, the regulation's word, the label to choose).
RATINGS = (
    ("met", "Good", "Good: meeting or exceeding the key performance indicator"),
    ("slightlyBelow", "Approaching target", "Approaching target: close to meeting it"),
    ("below", "Requires improvement", "Requires improvement: below it"),
    ("significantlyBelow", "Inadequate", "Inadequate: significantly below it"),
    ("other", "Other", "Other: none of these describes the performance"),
)
_PROBLEMS = (
    "Add at least one key performance indicator",
    "Add at least 3 key performance indicators: the law requires 3 or more for a contract "
    "worth more than £5 million",
    "Enter why none of the other ratings describes the supplier’s performance",
    "The period assessed must end after it starts",
    "The period assessed must have ended by the day you publish the notice",
)


def _one(answers: Mapping[str, object]) -> tuple[str, str] | None:
    """A rating of "other" says why in its comment."""
    if answers.get("kpi_rating") == "other" and not answers.get("kpi_comment"):
        return "kpi_comment", _PROBLEMS[2]
    return None


def contract_value(context: Context, answers: Mapping[str, object]) -> float | None:
    """The value in pounds of the contract the notice is about, as published: the contract's,
    else its award's."""
    contract = contract_entry(context, answers)
    awards = entries(context.compiled, "awards")
    award = next((a for a in awards if str(a.get("id")) == str(contract.get("awardID"))), {})
    for value in (contract.get("value"), award.get("value")):
        found = value if isinstance(value, dict) else {}
        amount = found.get("amount")
        if isinstance(amount, int | float) and not isinstance(amount, bool):
            return float(amount) if found.get("currency") in (None, "GBP") else None
    return None


def enough(context: Context, answers: Mapping[str, object]) -> str | None:
    """Too few KPIs: none, or fewer than three for a contract of more than £5 million (the
    Procurement Act 2023, s.52(1), which sets them; s.71(2) assesses each)."""
    kpis = answers.get("kpis")
    count = len(kpis) if isinstance(kpis, list) else 0
    if count == 0:
        return _PROBLEMS[0]
    value = contract_value(context, answers)
    if value is not None and value > THRESHOLD and count < FEWEST_ABOVE:
        return _PROBLEMS[1]
    return None


_ASSESSED = dates_in_order(DateOrder("assessed_from", "assessed_to", _PROBLEMS[3], same_day=False))


def fits(context: Context, answers: Mapping[str, object]) -> tuple[str, str] | None:
    """The assessment's answers against each other and the procurement."""
    found = _ASSESSED(answers)
    if found is not None:
        return found
    end = answers.get("assessed_to")
    if isinstance(end, date) and end > context.now.astimezone(LONDON).date():
        return "assessed_to", _PROBLEMS[4]
    problem = enough(context, answers)
    return ("kpis", problem) if problem is not None else None


def _applies(_context: Context, answers: Mapping[str, object]) -> bool:
    return answers.get("route") == ROUTE


KPIS = Question(
    "kpis",
    GROUP,
    "Key performance indicators and their ratings",
    pointers=(METRICS,),
    missing=_PROBLEMS[0],
    applies=_applies,
    repeating=Repeating(
        fields=(
            Question(
                "kpi_name",
                TEXT,
                "What is the key performance indicator?",
                "As the contract sets it, such as ‘Repairs completed within 5 working days’.",
                pointers=("/title",),
                missing="Enter the key performance indicator",
            ),
            Question(
                "kpi_rating",
                CHOICE,
                "How did the supplier perform against it?",
                choices=tuple((code, label) for code, _, label in RATINGS),
                pointers=("/observations/0/measureClassification/id",),
                missing="Select how the supplier performed",
            ),
            Question(
                "kpi_comment",
                TEXTAREA,
                "Comments (optional)",
                "What the target was and what the supplier achieved, or anything else that "
                "explains the rating. Needed if you chose ‘Other’.",
                pointers=("/observations/0/notes",),
                optional=True,
                missing="Enter why none of the other ratings describes the supplier’s performance",
            ),
        ),
        most=MOST,
        thing="kpi_name",
        add="Add a key performance indicator",
        change="Change a key performance indicator",
        added=(
            "You have added %(num)s key performance indicator",
            "You have added %(num)s key performance indicators",
        ),
        another="Do you need to add another key performance indicator?",
        another_missing="Select yes if you need to add another key performance indicator",
        too_many="You cannot add more than %(most)s key performance indicators to one notice",
        remove="Are you sure you want to remove %(thing)s?",
        remove_missing="Select yes if you want to remove this key performance indicator",
        duplicate="You have already added %(thing)s",
        enough=enough,
        order=_one,
        messages=_PROBLEMS[:3],
    ),
)

QUESTIONS = (
    Question(
        "assessed_from",
        DATE,
        "When does the period you assessed start?",
        "For example, 1 4 2025.",
        pointers=(f"{_OBSERVATION}/period/startDate",),
        missing="Enter the date the period assessed starts",
        applies=_applies,
    ),
    Question(
        "assessed_to",
        DATE,
        "When does the period you assessed end?",
        "For example, 31 3 2026. Assess the supplier at least once every 12 months.",
        pointers=(f"{_OBSERVATION}/period/endDate",),
        missing="Enter the date the period assessed ends",
        applies=_applies,
    ),
    KPIS,
)
MESSAGES = _PROBLEMS[3:]  # the form's own, for the Welsh catalogue


def _day_words(day: object) -> str:
    assert isinstance(day, date)
    return f"{day.day} {day:%B %Y}"


def statement(answers: Mapping[str, object]) -> str:
    """What the notice's document says it is (data, in English, like the release)."""
    return (
        "Published under section 71(2) of the Procurement Act 2023: an assessment of the "
        "supplier's performance against the key performance indicators of the contract, for "
        f"the period from {_day_words(answers['assessed_from'])} to "
        f"{_day_words(answers['assessed_to'])}."
    )


def metrics(contract: Mapping, answers: Mapping[str, object]) -> list[dict]:
    """Each KPI assessed, as a metric with one observation: a KPI the contract already has (of
    the same name, in any case) keeps its id and adds an observation after its own."""
    implementation = contract.get("implementation")
    known = entries(implementation if isinstance(implementation, dict) else {}, "metrics")
    by_name = {str(m.get("title", "")).casefold(): m for m in known if m.get("id") is not None}
    numbered = list(known)
    period = {
        "startDate": start_of(answers["assessed_from"]),
        "endDate": end_of(answers["assessed_to"]),
    }
    labels = {code: word for code, word, _ in RATINGS}
    found = []
    kpis = answers["kpis"]
    assert isinstance(kpis, list)
    for kpi in kpis:
        same = by_name.get(str(kpi["kpi_name"]).casefold())
        if same is not None:
            metric_id = str(same["id"])
            observation_id = next_id(entries(same, "observations"))
        else:
            metric_id, observation_id = next_id(numbered), "1"
            numbered.append({"id": metric_id})
        rating = str(kpi["kpi_rating"])
        observation: dict = {
            "id": observation_id,
            "period": dict(period),
            "measureClassification": {"id": rating, "description": labels.get(rating, rating)},
        }
        if kpi.get("kpi_comment"):
            observation["notes"] = kpi["kpi_comment"]
        found.append({"id": metric_id, "title": kpi["kpi_name"], "observations": [observation]})
    return found


_NUMBERED = re.compile(r"UK9-notice-assessment-(\d+)")


def number(contract: Mapping) -> str:
    """The assessment's number among the contract's (its notice document's id names it): one
    more than the largest published."""
    implementation = contract.get("implementation")
    documents = entries(implementation if isinstance(implementation, dict) else {}, "documents")
    found = [_NUMBERED.match(str(d.get("id", ""))) for d in documents]
    return str(max([0, *(int(m.group(1)) for m in found if m is not None)]) + 1)
