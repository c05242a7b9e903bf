"""The fields each Procurement Act 2023 notice must carry (Procurement Regulations 2024, Part 2).

A requirement lists JSON pointers, any one of which satisfies it; "*" stands for every entry of
a list, so "/awards/*/date" asks every award for its date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openbook.standards.uk.rules.context import (
    REGULATIONS,
    Finding,
    NoticeContext,
    is_given,
    objects,
)
from openbook.standards.uk.rules.facts import devolved


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """A field a notice must carry: given at any one of ``pointers``."""

    pointers: tuple[str, ...]
    label: str
    citation: str


def _need(pointer: str | tuple[str, ...], label: str, regulation: str) -> FieldRequirement:
    pointers = pointer if isinstance(pointer, tuple) else (pointer,)
    return FieldRequirement(pointers, label, f"{REGULATIONS}, {regulation}")


_BUYER = (
    _need("/buyer/name", "the name of the contracting authority", "reg. 13(a)"),
    _need("/buyer/id", "the contracting authority's identifier", "reg. 13(d)"),
)


def _title(regulation: str) -> FieldRequirement:
    return _need("/tender/title", "the title of the procurement", regulation)


REQUIRED_FIELDS: dict[str, tuple[FieldRequirement, ...]] = {
    "UK1": _BUYER,
    "UK2": (*_BUYER, _title("reg. 17(2)(b)")),
    "UK3": (*_BUYER, _title("reg. 16(2)(b)")),
    "UK4": (
        *_BUYER,
        _title("regs 18(2)(b), 24(2)(b)"),
        _need("/tender/value/amount", "the estimated value", "regs 18(2)(g), 24(2)(e)"),
        _need(
            ("/tender/tenderPeriod/endDate", "/tender/expressionOfInterestDeadline"),
            "the date by which tenders (or requests to participate) must be submitted",
            "regs 18(2)(j), 19(2)(f)-(g), 24(2)(f)",
        ),
    ),
    "UK5": (
        *_BUYER,
        _title("reg. 26(2)(b)"),
        _need("/tender/value/amount", "the estimated value of the contract", "reg. 26(2)(q)"),
    ),
    "UK6": (
        *_BUYER,
        _title("reg. 27(2)(b)"),
        _need("/awards/*/suppliers", "the suppliers awarded the contract", "reg. 27(2)(e)"),
        _need("/awards/*/date", "the date of the decision to award", "reg. 27(2)(f)"),
        _need("/awards/*/value/amount", "the estimated value of the contract", "reg. 27(2)(m)"),
    ),
    "UK7": (
        *_BUYER,
        _title("regs 32(2)(b), 36(2)(b)"),
        _need("/contracts/*/dateSigned", "the date the contract was entered into", "reg. 32(2)(l)"),
        _need("/contracts/*/value/amount", "the estimated value of the contract", "reg. 32(2)(k)"),
    ),
    "UK8": _BUYER,
    "UK9": (*_BUYER, _title("reg. 39(4)(b), (7)(b)")),
    "UK10": (
        *_BUYER,
        _title("reg. 40(2)(b)"),
        _need("/contracts/*/id", "the identifier of the contract", "reg. 40(2)(d)"),
    ),
    "UK11": (
        *_BUYER,
        _title("reg. 41(2)(b)"),
        _need("/contracts/*/value/amount", "the estimated value of the contract", "reg. 41(2)(g)"),
    ),
    "UK12": (*_BUYER, _title("reg. 37(2)(b)")),
    "UK13": (*_BUYER, _title("reg. 25(2)(g)")),
    "UK14": (*_BUYER, _title("reg. 25(4)(a)")),
    "UK15": (*_BUYER, _title("reg. 25(6)(a)")),
    "UK16": (*_BUYER, _title("reg. 25(8)(a)")),
    "UK17": _BUYER,
}


def _missing(value: Any, segments: Sequence[str], base: str) -> list[str]:
    """The pointers under ``base`` where ``segments`` find no value ("*": every list entry)."""
    for depth, head in enumerate(segments):
        if head == "*":
            entries = objects(value)
            # The path written only here, or where a value is missing: most are given.
            here = "/".join((base, *segments[:depth]))
            if not entries:
                return [here]
            rest = segments[depth + 1 :]
            return [path for i, item in entries for path in _missing(item, rest, f"{here}/{i}")]
        value = value.get(head) if type(value) is dict or isinstance(value, Mapping) else None
    return [] if is_given(value) else ["/".join((base, *segments))]


# Each requirement's pointer, split into segments once.
_SEGMENTS: dict[str, tuple[str, ...]] = {}


def _segments(pointer: str) -> tuple[str, ...]:
    found = _SEGMENTS.get(pointer)
    if found is None:
        found = _SEGMENTS[pointer] = tuple(pointer.split("/")[1:])
    return found


def check_fields(ctx: NoticeContext) -> Iterator[Finding]:
    notice = ctx.notice
    if notice is None or devolved(ctx) == "GB-WLS":
        return  # Welsh devolved procurements follow Welsh regulations (reg. 49)
    for requirement in REQUIRED_FIELDS.get(notice.code, ()):
        gaps = [_missing(ctx.release, _segments(pointer), "") for pointer in requirement.pointers]
        if all(gaps):
            for path in gaps[0]:
                yield Finding(
                    path,
                    f"A {notice.label} must give {requirement.label}, and this one does not "
                    f"({path} is missing).",
                    citation=requirement.citation,
                )
