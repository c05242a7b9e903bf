"""The central debarment list (Procurement Act 2023, s.62): the suppliers a Minister has put on
the list as excluded (a mandatory exclusion ground, Schedule 6) or excludable (a discretionary
ground, Schedule 7) suppliers (s.57), each entry with its ground, the decision, when it applies
and what became of any application for its removal or review. Platform administrators keep it.

An entry lasts at most five years (the Act limits both kinds of exclusion to five years from the
event), and is in force from ``startDate`` to ``endDate`` inclusive unless its status says it was
removed or is suspended while a court considers it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from openbook.standards import identifiers
from openbook.standards.days import day_of
from openbook.standards.registers import Indexed, Register
from openbook.standards.registers.fields import (
    CODE,
    DATE,
    IDENTIFIER,
    LIST,
    OBJECT,
    TEXT,
    URL,
    Field,
    Problem,
    ordered,
)

MANDATORY = "mandatory"  # Schedule 6: the supplier is an excluded supplier
DISCRETIONARY = "discretionary"  # Schedule 7: an excludable supplier
ACTIVE = "active"
SUSPENDED = "suspended"  # while the court considers an application (s.63)
REMOVED = "removed"  # taken off the list, on review or application (s.64)
STATUSES = (ACTIVE, SUSPENDED, REMOVED)
# What a review or an application to the court decided.
OUTCOMES = ("pending", "upheld", "varied", "removed")
LONGEST_YEARS = 5

DOCUMENT = (
    Field("title", TEXT, required=True, longest=300, about="what the document is"),
    Field("url", URL, required=True, about="where it is published"),
)

FIELDS = (
    Field(
        "supplier",
        OBJECT,
        required=True,
        about="the supplier: its identifier and name",
        fields=(
            Field(
                "identifier",
                IDENTIFIER,
                required=True,
                about="the supplier's identifier, written SCHEME-ID, such as GB-COH-01234567",
            ),
            Field("name", TEXT, required=True, longest=500, about="the supplier's legal name"),
        ),
    ),
    Field(
        "ground",
        OBJECT,
        required=True,
        about="the exclusion ground the entry rests on",
        fields=(
            Field(
                "type",
                CODE,
                required=True,
                codes=(MANDATORY, DISCRETIONARY),
                about="mandatory (Schedule 6) or discretionary (Schedule 7)",
            ),
            Field(
                "reference",
                TEXT,
                required=True,
                longest=200,
                about="its statutory reference, such as 'Schedule 6, paragraph 1'",
            ),
            Field("description", TEXT, longest=2000, about="the ground in words"),
        ),
    ),
    Field("decisionDate", DATE, required=True, about="when the Minister decided (YYYY-MM-DD)"),
    Field("startDate", DATE, required=True, about="the first day the entry applies"),
    Field("endDate", DATE, required=True, about="the last day the entry applies"),
    Field("status", CODE, required=True, codes=STATUSES, about="active, suspended or removed"),
    Field(
        "review",
        OBJECT,
        about="an application for review or removal, and its outcome",
        fields=(
            Field("outcome", CODE, required=True, codes=OUTCOMES, about="what it decided"),
            Field("date", DATE, about="when"),
            Field("body", TEXT, longest=300, about="who decided: the Minister or a court"),
        ),
    ),
    Field("summary", TEXT, longest=5000, about="the decision in words"),
    Field("documents", LIST, item=OBJECT, fields=DOCUMENT, about="the published decision"),
)


def rules(entry: Mapping[str, Any]) -> list[Problem]:
    found = ordered(entry, [("decisionDate", "startDate"), ("startDate", "endDate")])
    start, end = entry.get("startDate"), entry.get("endDate")
    if isinstance(start, str) and isinstance(end, str) and end >= start:
        first = date.fromisoformat(start)
        try:
            limit = first.replace(year=first.year + LONGEST_YEARS)
        except ValueError:  # 29 February
            limit = date(first.year + LONGEST_YEARS, 3, 1)
        if date.fromisoformat(end) >= limit:
            found.append(
                Problem(
                    "/endDate",
                    "too-long",
                    f"an entry lasts at most {LONGEST_YEARS} years: endDate must be before "
                    f"{limit.isoformat()}",
                )
            )
    review = entry.get("review")
    if isinstance(review, dict) and isinstance(review.get("date"), str):
        decided = entry.get("decisionDate")
        if isinstance(decided, str) and review["date"] < decided:
            found.append(
                Problem(
                    "/review/date",
                    "dates-out-of-order",
                    f"the review ({review['date']}) is before the decision ({decided})",
                )
            )
    return found


def indexed(entry: Mapping[str, Any]) -> Indexed:
    return Indexed(
        organisations=(entry["supplier"]["identifier"],),
        ocid=None,
        status=entry["status"],
        start=entry["startDate"],
        end=entry["endDate"],
    )


def in_force(entry: Mapping[str, Any], day: str) -> bool:
    """Whether the entry applies on ``day`` (YYYY-MM-DD)."""
    return entry["status"] == ACTIVE and entry["startDate"] <= day <= entry["endDate"]


REGISTER = Register(
    code="debarment",
    title="Central debarment list",
    prefix="DEB",
    fields=FIELDS,
    rules=rules,
    indexed=indexed,
    statuses=STATUSES,
)


@dataclass(frozen=True, slots=True)
class AwardedSupplier:
    """A supplier an award of a release names, as the debarment check reads it."""

    award_id: str
    award_pointer: str  # "/awards/0"
    day: str  # the award's date (else the release's), YYYY-MM-DD: the day the list is read at
    party_pointer: str  # "/parties/3"
    identifiers: tuple[str, ...]  # SCHEME-ID, normalised: every one the party is given
    name: str
    rationale: str | None  # details.excludedSupplier.awardRationale, if given


def awarded_suppliers(release: Mapping[str, Any]) -> list[AwardedSupplier]:
    """Each identified supplier of each award of the release that is not cancelled or
    unsuccessful, once per award."""
    given = release.get("parties")
    parties = {
        party["id"]: (index, party)
        for index, party in enumerate(given if isinstance(given, list) else ())
        if isinstance(party, dict) and isinstance(party.get("id"), str | int)
    }
    found = []
    awards = release.get("awards")
    for index, award in enumerate(awards if isinstance(awards, list) else ()):
        if not isinstance(award, dict) or award.get("status") in ("cancelled", "unsuccessful"):
            continue
        day = day_of(award.get("date")) or day_of(release.get("date"))
        suppliers = award.get("suppliers")
        seen = set()
        for supplier in suppliers if isinstance(suppliers, list) else ():
            reference = supplier.get("id") if isinstance(supplier, dict) else None
            if not isinstance(reference, str | int) or reference not in parties:
                continue
            position, party = parties[reference]
            given = _identifiers(party)
            if not given or day is None or position in seen:
                continue
            seen.add(position)
            found.append(
                AwardedSupplier(
                    award_id=str(award.get("id", index)),
                    award_pointer=f"/awards/{index}",
                    day=day,
                    party_pointer=f"/parties/{position}",
                    identifiers=given,
                    name=str(party.get("name") or supplier.get("name") or given[0]),
                    rationale=_rationale(party),
                )
            )
    return found


def _identifiers(party: Mapping[str, Any]) -> tuple[str, ...]:
    """Every identifier a party is given: its identifier, its additional ones, and its id when
    that is one written SCHEME-ID in a scheme the platform checks (so that leaving the
    identifier out does not hide a listed supplier)."""
    found = []
    more = party.get("additionalIdentifiers")
    for given in [party.get("identifier"), *(more if isinstance(more, list) else [])]:
        if identifiers.is_given(given):
            checked = identifiers.check(given.get("scheme"), given.get("id"))
            if checked.identifier is not None:
                found.append(str(checked.identifier))
    party_id = party.get("id")
    if isinstance(party_id, str):
        checked = identifiers.check_party_id(party_id)
        if checked.identifier is not None and checked.known:
            found.append(str(checked.identifier))
    return tuple(dict.fromkeys(found))


def _rationale(party: Mapping[str, Any]) -> str | None:
    details = party.get("details")
    excluded = details.get("excludedSupplier") if isinstance(details, dict) else None
    text = excluded.get("awardRationale") if isinstance(excluded, dict) else None
    return text.strip() if isinstance(text, str) and text.strip() else None
