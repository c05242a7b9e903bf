"""One payment in both sources: a spending file's row that is a payment a contract's notice
published (issue 9; docs/spend.md, "The same payment in both"). Pure: what a row
says of its amount with VAT (``gross``, kept with what the row offers the linker), and which
of a contract's notice payments the row is (``same_payments``; openbook.standards.spend.linkage
makes the link, taking the ``best``).

Section 70 payments are published with VAT: the Cabinet Office's guidance counts the £30,000
with VAT, and openbook's payments file asks for the amount "including VAT"
(docs/contract-payments.md). Spending files mostly give amounts without the VAT a body
recovers: HM Treasury's guidance for spend over £25,000 asks that, where possible,
"recoverable VAT should be excluded from the amount disclosed (i.e. shown on a net basis)", the
gross where the finance system cannot separate it, and the whole amount where VAT is
irrecoverable (its "Amount" field, as data.gov.uk's schema of it gives it); the Local Government
Association's Transparency Code columns give ``Amount`` as "the net amount" and
``IrrecoverableVATAmount`` beside it; some bodies publish the gross ("Gross", with "VAT" and
"Net" beside it). So a row is a notice's payment when the notice's amount is, in this order:

1. ``same-amount``: the row's amount, to the penny (a gross amount; no VAT charged);
2. ``gross-given``: the gross the row gives in a column of its own, beside a net amount;
3. ``vat-given``: the row's amount with the VAT it gives (a VAT column, or the Code's
   irrecoverable VAT), to the penny;
4. ``standard-vat``: the row's amount with VAT at the standard rate, 20%, within a penny (VAT
   is rounded to the penny, down or to the nearest), when the row gives neither a gross nor its
   VAT and does not show its amount to be gross.

A row shows its amount to be gross when it gives a net amount other than it, or a gross equal to
it. The reduced rate (5%) is not tried: a payment charged at it and published net stays two
payments. Each basis scores the link as SCORES says: the less the row itself says, the less sure.
The row and the notice's payment are in one currency, within NOTICE_DAYS of each other.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from openbook.standards.spend.contracts import NoticePayment
from openbook.standards.spend.mapping import normalise
from openbook.standards.spend.values import ValueProblem
from openbook.standards.spend.values import amount as read_amount

SAME_AMOUNT = "same-amount"
GROSS_GIVEN = "gross-given"
VAT_GIVEN = "vat-given"
STANDARD_VAT = "standard-vat"
BASES = (SAME_AMOUNT, GROSS_GIVEN, VAT_GIVEN, STANDARD_VAT)
SCORES = {SAME_AMOUNT: 1.0, GROSS_GIVEN: 0.99, VAT_GIVEN: 0.99, STANDARD_VAT: 0.97}
# The standard rate since 4 January 2011 (Value Added Tax Act 1994, s.2(1)); section 70
# payments are published from 1 April 2026.
STANDARD_RATE = Decimal("0.20")
ROUNDING = Decimal("0.01")  # VAT at a rate may differ from the invoice's by this, rounded
NOTICE_DAYS = 7  # a spend row within this many days of a notice's payment may be it

# What the columns a file keeps beside our fields say, by their names as mapping.normalise
# writes them.
_GROSS, _NET, _VAT, _IRRECOVERABLE = "gross", "net", "vat", "irrecoverable"
_KINDS = {
    **dict.fromkeys(
        ("gross", "gross amount", "gross value", "amount gross", "amount including vat",
         "amount inc vat", "total including vat", "total inc vat", "value including vat"),
        _GROSS,
    ),
    **dict.fromkeys(
        ("net", "net amount", "net value", "amount net", "amount excluding vat",
         "amount exc vat", "net of vat"),
        _NET,
    ),
    **dict.fromkeys(("vat", "vat amount", "vat value", "total vat"), _VAT),
    **dict.fromkeys(("irrecoverable vat amount", "irrecoverable vat"), _IRRECOVERABLE),
}  # fmt: skip
_PENNY = Decimal("0.01")
_HALF_PENNY = 0.005
_ROUNDED = float(ROUNDING) + _HALF_PENNY


@lru_cache(maxsize=4096)  # a file's column names are its every row's
def _kind(header: str) -> str | None:
    return _KINDS.get(normalise(header))


@dataclass(frozen=True, slots=True)
class Gross:
    """An amount a row's payment may have been with VAT, and the column (and its amount) that
    says so, if one does."""

    basis: str  # GROSS_GIVEN, VAT_GIVEN or STANDARD_VAT
    amount: float
    column: str = ""
    given: float = 0.0

    def how(self, paid: float) -> str:
        """In words, for a row's payment of ``paid``, as a link's note gives it."""
        if self.basis == GROSS_GIVEN:
            return f"the gross amount the row gives ({self.column}: {self.amount:,.2f})"
        if self.basis == VAT_GIVEN:
            return (
                f"this payment's {paid:,.2f} with the VAT the row gives "
                f"({self.column}: {self.given:,.2f})"
            )
        return (
            f"this payment's {paid:,.2f} with VAT at the standard rate of "
            f"{STANDARD_RATE * 100:.0f}% ({self.amount:,.2f})"
        )


def gross(amount: object, columns: Mapping[str, object]) -> tuple[Gross, ...]:
    """What a row's payment of ``amount`` may have been with VAT, from what its other
    ``columns`` give (by their names), in the order they are tried: none for a credit, for
    an amount that is no number, or for a row that shows its amount to be gross."""
    try:
        paid = Decimal(str(amount)).quantize(_PENNY)
    except (InvalidOperation, ValueError):
        return ()
    if not paid.is_finite() or paid <= 0:
        return ()
    given: dict[str, tuple[str, Decimal]] = {}
    for header, cell in columns.items():
        kind = _kind(str(header))
        if kind is None or kind in given or not isinstance(cell, str):
            continue
        try:
            value, _ = read_amount(cell)
        except ValueProblem:
            continue
        given[kind] = (str(header), value.quantize(_PENNY))
    net, stated = given.get(_NET), given.get(_GROSS)
    shown_gross = (net is not None and net[1] != paid) or (stated is not None and stated[1] == paid)
    if shown_gross:
        return ()
    if stated is not None and stated[1] > 0:
        return (Gross(GROSS_GIVEN, float(stated[1]), stated[0]),)
    found = []
    vat = given.get(_VAT) or given.get(_IRRECOVERABLE)
    if vat is not None and vat[1] > 0:
        found.append(Gross(VAT_GIVEN, float(paid + vat[1]), vat[0], float(vat[1])))
    if _VAT not in given:  # the Code's irrecoverable VAT is not all of it
        with_vat = (paid * (1 + STANDARD_RATE)).quantize(_PENNY, ROUND_HALF_UP)
        found.append(Gross(STANDARD_VAT, float(with_vat)))
    return tuple(found)


def match(amount: float, gross_amounts: Sequence[Gross], paid: float) -> tuple[str, str] | None:
    """Whether a row's payment of ``amount`` (with ``gross_amounts``, as ``gross`` found them)
    is a notice's payment of ``paid``: the first basis that holds, and how, in words; None if
    none does. Amounts are whole pennies: compared as floats, a difference below half a penny
    is none, and below a penny and a half is a penny (ROUNDING)."""
    notice = round(paid, 2)
    if abs(round(amount, 2) - notice) < _HALF_PENNY:
        return SAME_AMOUNT, "the same amount"
    for each in gross_amounts:
        allowed = _ROUNDED if each.basis == STANDARD_VAT else _HALF_PENNY
        if abs(round(each.amount, 2) - notice) < allowed:
            return each.basis, each.how(amount)
    return None


@dataclass(frozen=True, slots=True)
class Same:
    """A notice's payment a spend row is, on what basis, how (in words), and how many days
    apart their dates are."""

    notice: NoticePayment
    basis: str
    how: str
    days: int

    @property
    def score(self) -> float:
        return SCORES[self.basis]

    def note(self, currency: str) -> str:
        """What the row's link says of it."""
        notice = self.notice
        plural = "s" if self.days > 1 else ""
        when = "the same day" if self.days == 0 else f"{self.days} day{plural} apart"
        return (
            f"the notice's payment of {notice.amount or 0:,.2f} {notice.currency or currency} on"
            f" {notice.date} ({notice.key}): {self.how}, {when} (basis: {self.basis})"
        )


def same_payments(
    amount: float,
    currency: str,
    day: str,
    gross_amounts: Sequence[Gross],
    notices: Iterable[NoticePayment],
) -> list[Same]:
    """The notices' payments a spend row (its ``amount``, ``currency``, date and
    ``gross_amounts``) may be: those of its currency within NOTICE_DAYS that ``match``, in
    the order given."""
    found = []
    paid = date.fromisoformat(day)
    for notice in notices:
        if notice.amount is None or notice.date is None:
            continue
        matched = match(amount, gross_amounts, notice.amount)
        if matched is None or (notice.currency or currency) != currency:
            continue
        days = abs((paid - date.fromisoformat(notice.date)).days)
        if days <= NOTICE_DAYS:
            found.append(Same(notice, *matched, days))
    return found


def best(found: Sequence[Same]) -> list[Same]:
    """Of the notices' payments a row may be, those by the first basis any holds by (the same
    amount before the same with VAT), the nearest in date first."""
    if not found:
        return []
    first = min(BASES.index(each.basis) for each in found)
    return sorted(
        (each for each in found if BASES.index(each.basis) == first),
        key=lambda each: (each.days, each.notice.key),
    )
