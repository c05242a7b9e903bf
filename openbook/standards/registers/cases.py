"""Complaints and legal challenges about a procurement, each entry keyed by the process's ocid
(and lot), entered by its contracting authority or by platform administrators.

A complaint goes to the contracting authority or a review body (under the Procurement Act 2023
a supplier may complain to the authority, and the Procurement Review Unit may look into an
authority's conduct, Part 10). A legal challenge is a claim before a court (Part 9: proceedings
under s.100 and following; starting them before the contract is entered into suspends the
authority's entering into it, s.101, until the court lifts the suspension).
"""

from collections.abc import Mapping
from typing import Any

from openbook.standards.registers import Indexed, Register
from openbook.standards.registers.debarment import DOCUMENT
from openbook.standards.registers.fields import (
    BOOLEAN,
    CODE,
    DATE,
    IDENTIFIER,
    LIST,
    OBJECT,
    OCID,
    TEXT,
    Field,
    Problem,
    ordered,
)

COMPLAINT_STATUSES = ("received", "under-review", "closed")
COMPLAINT_OUTCOMES = ("upheld", "partly-upheld", "not-upheld", "withdrawn", "resolved")
CHALLENGE_STATUSES = ("filed", "in-progress", "closed")
CHALLENGE_OUTCOMES = (
    "claim-upheld",
    "claim-dismissed",
    "settled",
    "withdrawn",
    "discontinued",
)


def _parties(roles: tuple[str, ...]) -> Field:
    return Field(
        "parties",
        LIST,
        required=True,
        item=OBJECT,
        about="who is involved: each with its name, role and, if it has one, identifier",
        fields=(
            Field("name", TEXT, required=True, longest=500, about="the organisation's name"),
            Field(
                "identifier",
                IDENTIFIER,
                about="its identifier, written SCHEME-ID, such as GB-COH-01234567",
            ),
            Field("role", CODE, required=True, codes=roles, about=" or ".join(roles)),
        ),
    )


_PROCESS = (
    Field("ocid", OCID, required=True, about="the contracting process's ocid"),
    Field("lot", TEXT, longest=100, about="the lot's id, where it concerns one lot"),
)
_END = (
    Field("summary", TEXT, longest=5000, about="what happened, in words"),
    Field("documents", LIST, item=OBJECT, fields=DOCUMENT, about="published documents"),
)

COMPLAINT_FIELDS = (
    *_PROCESS,
    _parties(("complainant", "authority", "interested-party")),
    Field("grounds", TEXT, required=True, longest=5000, about="what the complaint says"),
    Field("reviewBody", TEXT, required=True, longest=300, about="who considers it"),
    Field("receivedDate", DATE, required=True, about="when it was received (YYYY-MM-DD)"),
    Field("decisionDate", DATE, about="when it was decided"),
    Field("closedDate", DATE, about="when it was closed"),
    Field("status", CODE, required=True, codes=COMPLAINT_STATUSES, about="where it stands"),
    Field("outcome", CODE, codes=COMPLAINT_OUTCOMES, about="what was decided, once closed"),
    *_END,
)

CHALLENGE_FIELDS = (
    *_PROCESS,
    _parties(("claimant", "defendant", "interested-party")),
    Field("grounds", TEXT, required=True, longest=5000, about="what the claim says"),
    Field("court", TEXT, required=True, longest=300, about="the court hearing it"),
    Field("caseNumber", TEXT, longest=100, about="the court's claim number"),
    Field("filedDate", DATE, required=True, about="when the claim was filed (YYYY-MM-DD)"),
    Field(
        "automaticSuspension",
        BOOLEAN,
        about="whether the claim suspended the award (Procurement Act 2023, s.101)",
    ),
    Field("suspensionLiftedDate", DATE, about="when the court lifted the suspension"),
    Field("judgmentDate", DATE, about="when the court gave judgment"),
    Field("closedDate", DATE, about="when the case ended"),
    Field("status", CODE, required=True, codes=CHALLENGE_STATUSES, about="where it stands"),
    Field("outcome", CODE, codes=CHALLENGE_OUTCOMES, about="how it ended, once closed"),
    *_END,
)


def _closed_rules(entry: Mapping[str, Any]) -> list[Problem]:
    found = []
    if entry.get("status") == "closed":
        for name in ("outcome", "closedDate"):
            if name not in entry:
                found.append(Problem(f"/{name}", "required", f"a closed case needs its {name}"))
    elif "outcome" in entry:
        found.append(
            Problem(
                "/outcome",
                "outcome-before-closed",
                "an outcome is given when the case is closed: set status to closed and give "
                "closedDate, or leave the outcome out",
            )
        )
    return found


def complaint_rules(entry: Mapping[str, Any]) -> list[Problem]:
    return [
        *ordered(entry, [("receivedDate", "decisionDate"), ("receivedDate", "closedDate")]),
        *ordered(entry, [("decisionDate", "closedDate")]),
        *_closed_rules(entry),
    ]


def challenge_rules(entry: Mapping[str, Any]) -> list[Problem]:
    found = [
        *ordered(
            entry,
            [
                ("filedDate", "suspensionLiftedDate"),
                ("filedDate", "judgmentDate"),
                ("filedDate", "closedDate"),
            ],
        ),
        *ordered(entry, [("judgmentDate", "closedDate")]),
        *_closed_rules(entry),
    ]
    if "suspensionLiftedDate" in entry and entry.get("automaticSuspension") is not True:
        found.append(
            Problem(
                "/suspensionLiftedDate",
                "no-suspension",
                "a suspension was lifted, but automaticSuspension is not true",
            )
        )
    return found


def indexed(entry: Mapping[str, Any], start: str) -> Indexed:
    return Indexed(
        organisations=tuple(
            sorted({party["identifier"] for party in entry["parties"] if "identifier" in party})
        ),
        ocid=entry["ocid"],
        status=entry["status"],
        start=entry[start],
        end=entry.get("closedDate"),
    )


COMPLAINTS = Register(
    code="complaints",
    title="Complaints",
    prefix="CMP",
    fields=COMPLAINT_FIELDS,
    rules=complaint_rules,
    indexed=lambda entry: indexed(entry, "receivedDate"),
    statuses=COMPLAINT_STATUSES,
)

CHALLENGES = Register(
    code="challenges",
    title="Legal challenges",
    prefix="LCH",
    fields=CHALLENGE_FIELDS,
    rules=challenge_rules,
    indexed=lambda entry: indexed(entry, "filedDate"),
    statuses=CHALLENGE_STATUSES,
)
