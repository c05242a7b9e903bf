"""Spend beside the registers' figures (issue 5, item 4; docs/commercial-tools.md "Spent",
docs/contract-performance.md "Spend to date"): the payments linked to processes and contracts
(openbook.spend_links), summed as the registers show them. Computed when read from the link
table (openbook.store.linked_spend), as of the last linking run.

A sum (``Sums.shown``) is one entry per currency, the most first: the ``amount`` (decimal
text, to the penny: credits subtract), the ``payments`` counted, the payments and amount
linked by each method (``byMethod``: how sure the links are, docs/spend.md "Methods and
scores"), the ``lowestScore`` of any link counted, and the method versions that made the links
(``linkedBy``). Amounts of two currencies are never added together; a payment without a
currency is counted apart (``currency`` null)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from openbook.store.linked_spend import Part

DOCS = "docs/spend.md#linkage"


@dataclass
class _Currency:
    payments: int = 0
    amount: Decimal = Decimal("0.00")
    methods: dict[str, list] = field(default_factory=dict)  # method: [payments, amount]
    lowest: float | None = None
    linkers: set[str] = field(default_factory=set)


@dataclass
class Sums:
    """Payments added up per currency, method by method."""

    currencies: dict[str | None, _Currency] = field(default_factory=dict)

    def add(
        self,
        currency: str | None,
        method: str,
        *,
        linkers: Iterable[str],
        payments: int,
        amount: Decimal,
        lowest: float | None,
    ) -> None:
        found = self.currencies.setdefault(currency, _Currency())
        found.payments += payments
        found.amount += amount
        by_method = found.methods.setdefault(method, [0, Decimal("0.00")])
        by_method[0] += payments
        by_method[1] += amount
        if lowest is not None:
            found.lowest = lowest if found.lowest is None else min(found.lowest, lowest)
        found.linkers.update(linkers)

    def add_part(self, part: Part) -> None:
        self.add(
            part.currency,
            part.method,
            linkers=[part.linker],
            payments=part.payments,
            amount=part.amount,
            lowest=part.lowest_score,
        )

    def add_shown(self, shown: Iterable[dict]) -> None:
        """Add sums as ``shown`` gave them (a contract's, to its supplier's rollup)."""
        for total in shown:
            for method in total["byMethod"]:
                self.add(
                    total["currency"],
                    method["method"],
                    linkers=total["linkedBy"],
                    payments=method["payments"],
                    amount=Decimal(method["amount"]),
                    lowest=total["lowestScore"],
                )

    def shown(self) -> list[dict]:
        ordered = sorted(self.currencies.items(), key=lambda item: (-item[1].amount, item[0] or ""))
        return [
            {
                "currency": currency,
                "amount": _money(found.amount),
                "payments": found.payments,
                "byMethod": [
                    {"method": method, "payments": count, "amount": _money(amount)}
                    for method, (count, amount) in sorted(
                        found.methods.items(), key=lambda item: (-item[1][0], item[0])
                    )
                ],
                "lowestScore": found.lowest,
                "linkedBy": sorted(found.linkers),
            }
            for currency, found in ordered
        ]


def summed(parts: Iterable[Part]) -> list[dict]:
    """These parts added up, as shown."""
    sums = Sums()
    for part in parts:
        sums.add_part(part)
    return sums.shown()


def _money(amount: Decimal) -> str:
    return f"{amount:.2f}"
