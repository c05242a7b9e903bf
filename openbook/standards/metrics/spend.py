"""Spend coverage (issue 9, item 4; docs/methods/spend-coverage.md): how much of what a public
body paid is linked to a contract published here. Pure: the payments come in counted by group
(a body, a month, a currency, how each was linked), figures go out, so that the platform
(openbook.metrics) and anyone recomputing from the bulk file (scripts/recompute_metrics.py)
count alike.

A figure's items are payments. A payment in pounds of more than nothing counts **for** when it
is linked to a published contract or award, **against** when the last linking run found none,
**pending** while it has not been linked at its current version; a credit, a payment of
nothing, or one in another currency is **excluded** (counted beside, never in the share). The
figure's value is the share of the *amount*: the pounds for over the pounds for and against.
The counts are payments.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from openbook.standards.metrics.figures import (
    AGAINST,
    EVERYONE,
    EXCLUDED,
    FOR,
    PENDING,
    Figure,
    periods,
)
from openbook.standards.metrics.milestones import Metric

# Bump with any change that can change a figure, and say what changed in the method's page.
METHOD_VERSION = "1"
FAMILY = "spend"
SPEND_COVERAGE = "spend-coverage"
CURRENCY = "GBP"  # the share adds pounds only: amounts are never added across currencies
# How a payment stands with the linker (openbook.spend_links).
LINKED = "linked"
UNLINKED = "unlinked"
NOT_LINKED_YET = "pending"
STATES = (LINKED, UNLINKED, NOT_LINKED_YET)
# The figure's breakdowns: pounds by outcome (whole pounds, rounded from the exact sum), and the
# linked payments by the linker's method.
POUNDS = "pounds"
METHOD = "method"

METRIC = Metric(
    SPEND_COVERAGE,
    "Spend linked to a published contract: the share of the pounds paid",
    "payment",
    None,
    "Follow the money: each public body's payments, as its spending files publish them, "
    "linked to the contracts they pay for (NAP5, commitment 1; issue 9)",
    family=FAMILY,
    method="docs/methods/spend-coverage.md",
    version=METHOD_VERSION,
)
METRICS = {METRIC.id: METRIC}


@dataclass(frozen=True, slots=True)
class Group:
    """Payments of one body alike in month, currency, linker state, sign and method."""

    body_key: str
    month: str | None  # YYYY-MM
    currency: str
    state: str  # one of STATES
    positive: bool  # the amount is more than nothing
    method: str | None  # the linker's, for a linked payment
    payments: int
    amount: Decimal  # their sum, to the penny


def outcome(group: Group) -> str:
    if not group.positive or group.currency != CURRENCY:
        return EXCLUDED
    return {LINKED: FOR, UNLINKED: AGAINST}.get(group.state, PENDING)


@dataclass(slots=True)
class _Sum:
    counts: dict[str, int]
    amounts: dict[str, Decimal]
    methods: dict[str, int]


def figures(groups: Iterable[Group], names: dict[str, str]) -> list[Figure]:
    """The spend coverage figures of these groups: each body's (``names``: each body key's
    name) and everyone's, in every period a payment's month falls in, in (metric, subject,
    period) order."""
    sums: dict[tuple[str, str], _Sum] = {}
    for group in groups:
        counted = outcome(group)
        day = f"{group.month}-01" if group.month else None
        for subject in (EVERYONE, group.body_key):
            for period in periods(day):
                found = sums.get((subject, period))
                if found is None:
                    found = sums[(subject, period)] = _Sum(
                        {FOR: 0, AGAINST: 0, EXCLUDED: 0, PENDING: 0}, {}, {}
                    )
                found.counts[counted] += group.payments
                if counted != EXCLUDED:
                    found.amounts[counted] = found.amounts.get(counted, Decimal(0)) + group.amount
                if counted == FOR and group.method:
                    found.methods[group.method] = found.methods.get(group.method, 0) + (
                        group.payments
                    )
    made = []
    for (subject, period), found in sorted(sums.items()):
        name = "Everyone" if subject == EVERYONE else names.get(subject, subject)
        figure = Figure(SPEND_COVERAGE, subject, name, period, counts=found.counts)
        linked = found.amounts.get(FOR, Decimal(0))
        paid = linked + found.amounts.get(AGAINST, Decimal(0))
        figure.score = float(linked / paid) if paid > 0 else None
        figure.extra = {
            POUNDS: {
                "linked": _pounds(linked),
                "unlinked": _pounds(found.amounts.get(AGAINST, Decimal(0))),
                "pending": _pounds(found.amounts.get(PENDING, Decimal(0))),
            }
        }
        if found.methods:
            figure.extra[METHOD] = dict(sorted(found.methods.items()))
        made.append(figure)
    return made


def _pounds(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1)))


def coverage(figure: Figure) -> dict:
    """A figure as the spend pages and API give it: payments and pounds, linked and not."""
    pounds = figure.extra.get(POUNDS, {})
    return {
        "period": figure.period,
        "share": figure.score,
        "payments": {
            "linked": figure.counts[FOR],
            "unlinked": figure.counts[AGAINST],
            "notLinkedYet": figure.counts[PENDING],
            "excluded": figure.counts[EXCLUDED],
        },
        "pounds": {
            "linked": pounds.get("linked", 0),
            "unlinked": pounds.get("unlinked", 0),
            "notLinkedYet": pounds.get("pending", 0),
        },
        "byMethod": figure.extra.get(METHOD, {}),
    }
