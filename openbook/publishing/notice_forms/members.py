"""Suppliers typed as a list, one a line, for the dynamic market notices (dynamic_markets.py):
how the list is read and checked on its question page, and the awards that make each supplier
a member of the market or end its membership.

A member is an award of the market's procurement, one a supplier, whose id is made from the
supplier's identifier (``member-GB-COH-01234567``): a later notice ends that membership by
cancelling that award, whatever order the suppliers were listed in. The commercial tools
register reads members the same way (docs/commercial-tools.md).
"""

from collections.abc import Mapping

from openbook.publishing.notice_forms.questions import (
    IDENTIFIER,
    MAX_TEXT,
    MAX_TEXTAREA,
    AnswerProblem,
    Question,
    read_answer,
    start_of,
)
from openbook.standards.identifiers import check_party_id

MAX_MEMBERS = 200  # suppliers named in one notice: more is a list to send through the API
_CONTROL = tuple(chr(code) for code in (*range(9), 11, 12, *range(14, 32), 127))


def read_members(question: Question, data: Mapping[str, str]) -> str | None:
    """Suppliers, one a line: a name, a comma, then an identifier (the last comma on the line
    ends the name, so a name may have commas of its own). The answer is the lines written
    again with each identifier as its register writes it: text, kept and shown like any."""
    given = data.get(question.name, "")
    text = given.replace("\r\n", "\n").replace("\r", "\n").strip() if isinstance(given, str) else ""
    if not text:
        if question.optional:
            return None
        raise AnswerProblem(question.missing)
    if len(text) > MAX_TEXTAREA:
        raise AnswerProblem("Enter no more than %(limit)s characters", limit=f"{MAX_TEXTAREA:,}")
    if any(character in text for character in _CONTROL):
        raise AnswerProblem("Enter text without control characters or line breaks")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) > MAX_MEMBERS:
        raise AnswerProblem(
            "Enter no more than %(limit)s suppliers in one notice", limit=MAX_MEMBERS
        )
    found: dict[str, str] = {}
    for line in lines:
        name, _, written = line.rpartition(",")
        name = name.strip()
        if not name or not written.strip():
            raise AnswerProblem(
                "Write each supplier on a line of its own: its name, a comma, then its "
                "identifier, such as Green Spaces Ltd, GB-COH-01234567"
            )
        if len(name) > MAX_TEXT:
            raise AnswerProblem("Enter no more than %(limit)s characters", limit=MAX_TEXT)
        asked = Question(question.name, IDENTIFIER, question.label, missing=question.missing)
        try:
            identifier = str(read_answer(asked, {question.name: written.strip()}))
        except AnswerProblem as problem:
            raise AnswerProblem(
                "The identifier of %(name)s cannot be used. %(why)s", name=name, why=str(problem)
            ) from None
        if identifier in found:
            raise AnswerProblem(
                "%(id)s is named more than once: name each supplier once", id=identifier
            )
        found[identifier] = name
    return "\n".join(f"{name}, {identifier}" for identifier, name in found.items())


def member_list(answer: object) -> list[tuple[str, str]]:
    """A members answer as (name, identifier) pairs, in the order given."""
    if not isinstance(answer, str):
        return []
    return [
        (name.strip(), identifier.strip())
        for name, _, identifier in (line.rpartition(",") for line in answer.split("\n"))
    ]


def member_award(identifier: str) -> str:
    """The id of the award that makes the supplier ``identifier`` a member."""
    return f"member-{identifier}"


def joined(answer: object, day: object, title: object) -> tuple[list[dict], list[dict]]:
    """The awards and parties that make the suppliers of ``answer`` members of the market
    ``title`` from ``day``: each award ``active``, each party a ``supplier`` with its
    identifier as its register writes it."""
    awards, parties = [], []
    for name, written in member_list(answer):
        identifier = check_party_id(written).identifier
        assert identifier is not None  # read_members read it so
        supplier = {"id": str(identifier), "name": name}
        award: dict = {"id": member_award(str(identifier)), "status": "active"}
        if title:
            award["title"] = f"Membership of {title}"
        awards.append({**award, "date": start_of(day), "suppliers": [supplier]})
        identified = {"scheme": identifier.scheme, "id": identifier.id, "legalName": name}
        parties.append({**supplier, "identifier": identified, "roles": ["supplier"]})
    return awards, parties


def left(answer: object) -> list[dict]:
    """The awards of the suppliers of ``answer``, cancelled: their membership ends."""
    return [
        {"id": member_award(identifier), "status": "cancelled"}
        for _, identifier in member_list(answer)
    ]


def were_members(compiled: Mapping | None) -> set[str]:
    """The award ids of the procurement as published (``Context.compiled``): every supplier
    that has been a member has one, cancelled or not."""
    awards = (compiled or {}).get("awards")
    listed = awards if isinstance(awards, list) else []
    return {str(award.get("id")) for award in listed if isinstance(award, dict)}
