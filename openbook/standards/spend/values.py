"""The values of a spending file's cells: amounts, dates, suppliers, transaction numbers. Pure.

Each reader returns the value or raises ``ValueProblem`` whose message says what the cell holds
and why it is not one (the caller adds the file and row). Nothing is guessed silently: a date
that reads two ways is refused unless the file itself, or the person loading it, settles the
order; what a file's dates were read as is said in the report (``DateStyle.description``).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

DAY_FIRST = "day-first"
MONTH_FIRST = "month-first"
DATE_ORDERS = (DAY_FIRST, MONTH_FIRST)
# Payments from before 1980 or after 2100 are a slip (a 0 read as a day number, a typed year).
EARLIEST_YEAR, LATEST_YEAR = 1980, 2100
# Exact as a double (the log's JSON numbers, RFC 8785): 15 significant digits always are.
MAX_DIGITS = 15

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_TIME = r"(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?"  # lower case
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})" + _TIME)
_NUMERIC = re.compile(r"(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
_DAY_NAME = re.compile(
    r"(?:([a-z]+),?\s+)?(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([a-z]+)\.?[\s\-/,]+(\d{4}|\d{2})" + _TIME
)
_NAME_DAY = re.compile(r"(?:([a-z]+),?\s+)?([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_SERIAL = re.compile(r"(\d{5})(?:\.0+)?")
_EXCEL_EPOCH = date(1899, 12, 30)  # Excel's 1900 date system, its leap-year slip included

_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CURRENCIES = {"£": "GBP", "€": "EUR"}
_CODE = re.compile(r"(?:([A-Z]{3})\s*)?(.*?)(?:\s*([A-Z]{3}))?")

# What publishers write in place of a supplier's name when they withhold it (personal data of a
# sole trader or a person in care; the Code, paragraph 21, and the Treasury's guidance).
_REDACTED = re.compile(
    r"(?:.*\b(?:redacted|redaction|withheld|suppressed)\b.*"
    r"|personal (?:data|information|details)"
    r"|(?:private|an?) individual|individual|private person"
    r"|name (?:not (?:disclosed|given|shown)|removed)|not disclosed|confidential)",
    re.IGNORECASE,
)
_ABSENT = frozenset({"", "-", "--", "n/a", "na", "none", "null", "not applicable"})
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e\+?\d+", re.IGNORECASE)
_TOTALS = re.compile(r"(?:grand\s+|sub[\s-]?)?totals?\b", re.IGNORECASE)


class ValueProblem(Exception):
    """A cell that is not what its column says; the message says what it holds and why."""


# Amounts


def amount(text: str) -> tuple[Decimal, str | None]:
    """An amount and its currency if the cell names one: "£1,234.50", "(1,234.50)" and
    "1234.50-" (negative: a credit), "-£12", "12.00 CR" (a credit), "GBP 12"."""
    value = " ".join(text.split())
    if not value:
        raise ValueProblem("the amount is empty")
    negative, value = _sign(value)
    currency, value = _currency(value)
    again, value = _sign(value)  # "£-12", "£(12.00)": the sign after the symbol
    if again and negative:
        raise ValueProblem(f"{text.strip()[:40]!r} is not an amount: it has two signs")
    negative = negative or again
    if _GROUPED.fullmatch(value):
        value = value.replace(",", "")
    elif not _NUMBER.fullmatch(value):
        raise ValueProblem(_not_a_number(text))
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueProblem(_not_a_number(text)) from None
    if len(number.as_tuple().digits) > MAX_DIGITS:
        raise ValueProblem(
            f"{text.strip()[:40]!r} has more than {MAX_DIGITS} significant digits, more than "
            "can be kept exactly"
        )
    return (-number if negative else number), currency


def _sign(value: str) -> tuple[bool, str]:
    if value.startswith("(") and value.endswith(")"):
        return True, value[1:-1].strip()
    upper = value.upper()
    if upper.endswith(("CR", "DR")) and len(value) > 2 and not upper[-3].isalpha():
        return upper.endswith("CR"), value[:-2].strip()
    if value.endswith(("-", "\u2212")):
        return True, value[:-1].strip()
    if value.startswith(("-", "\u2212")):
        return True, value[1:].strip()
    if value.startswith("+"):
        return False, value[1:].strip()
    return False, value


def _currency(value: str) -> tuple[str | None, str]:
    for symbol, code in _CURRENCIES.items():
        if value.startswith(symbol) or value.endswith(symbol):
            return code, value.strip(symbol).strip()
    match = _CODE.fullmatch(value)
    if match and (match.group(1) or match.group(3)) and not (match.group(1) and match.group(3)):
        return match.group(1) or match.group(3), match.group(2)
    return None, value


def _not_a_number(text: str) -> str:
    shown = text.strip()[:40]
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", shown):
        return (
            f"{shown!r} is written with a decimal comma: amounts here are written 1,234.56 "
            "(pounds and pence)"
        )
    return f"{shown!r} is not an amount (a number such as 1234.56, -1,234.56 or (1,234.56))"


# Dates


@dataclass(frozen=True, slots=True)
class DateStyle:
    """How a file's numeric dates (03/04/2022) are read: ``order`` is day-first, month-first or
    None (unsettled: a date that reads two ways is refused). ``evidence`` says what settled it."""

    order: str | None
    evidence: str
    conflict: str | None = None  # the file has dates that are only day-first and only month-first

    @property
    def description(self) -> str:
        if self.conflict:
            return f"numeric dates in both orders ({self.conflict}): refused"
        if self.order is None:
            return "numeric dates unsettled: those that read two ways are refused"
        reading = "day/month/year" if self.order == DAY_FIRST else "month/day/year"
        return f"numeric dates read as {reading} ({self.evidence})"


def date_style(cells: Iterable[tuple[int, str]], given: str | None = None) -> DateStyle:
    """The order of a file's numeric dates: as ``given`` (from ``--date-order`` or the mapping),
    else as its own dates show it: a first number above 12 is a day (25/04/2022), a second
    above 12 is a day too (04/25/2022). If no date shows it, the order is unsettled; if some
    show one and some the other, the file contradicts itself."""
    if given is not None:
        return DateStyle(given, "as given")
    day_first = month_first = None
    for row, text in cells:
        match = _NUMERIC.fullmatch(" ".join(text.split()).lower())
        if not match:
            continue
        first, second = int(match.group(1)), int(match.group(3))
        if first > 12 >= second and day_first is None:
            day_first = f"row {row}: {text.strip()[:20]}"
        elif second > 12 >= first and month_first is None:
            month_first = f"row {row}: {text.strip()[:20]}"
        if day_first and month_first:
            return DateStyle(None, "", conflict=f"{day_first}; {month_first}")
    if day_first:
        return DateStyle(DAY_FIRST, f"as {day_first} shows")
    if month_first:
        return DateStyle(MONTH_FIRST, f"as {month_first} shows")
    return DateStyle(None, "no date in the file shows the order")


def payment_date(text: str, style: DateStyle, what: str = "a payment date") -> date:
    """A date in any of the forms spending files use: 2022-04-01 (with or without a time),
    01/04/2022 or 01.04.22 (in the file's order), 1-Apr-2022, 1 April 2022, "Friday, April 29,
    2022", or an Excel day number (44652). ``what`` names it in the year's message
    (contracts registers' dates are read with it too)."""
    value = " ".join(text.split()).lower()
    if not value:
        raise ValueProblem("the date is empty")
    if match := _ISO.fullmatch(value):
        found = _real(text, int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif match := _NUMERIC.fullmatch(value):
        found = _numeric(text, match, style)
    elif match := _DAY_NAME.fullmatch(value):
        weekday, day, month, year = match.group(1, 2, 3, 4)
        found = _named(text, weekday, day, month, year)
    elif match := _NAME_DAY.fullmatch(value):
        weekday, month, day, year = match.group(1, 2, 3, 4)
        found = _named(text, weekday, day, month, year)
    elif match := _SERIAL.fullmatch(value):
        found = _EXCEL_EPOCH + timedelta(days=int(match.group(1)))
    else:
        raise ValueProblem(
            f"{text.strip()[:40]!r} is not a date (such as 2022-04-01, 01/04/2022 or 1-Apr-2022)"
        )
    if not EARLIEST_YEAR <= found.year <= LATEST_YEAR:
        raise ValueProblem(
            f"{text.strip()[:40]!r} is in {found.year}: {what} is between "
            f"{EARLIEST_YEAR} and {LATEST_YEAR}"
        )
    return found


def date_form(text: str) -> str:
    """The form a date is written in, as the report names it."""
    value = " ".join(text.split()).lower()
    if _ISO.fullmatch(value):
        return "year-month-day"
    if match := _NUMERIC.fullmatch(value):
        return "numeric, two-digit year (read as 20yy)" if len(match.group(4)) == 2 else "numeric"
    if match := _DAY_NAME.fullmatch(value):
        form = "day month-name year" + (
            ", two-digit year (read as 20yy)" if len(match.group(4)) == 2 else ""
        )
        return ("weekday " + form) if match.group(1) else form
    if match := _NAME_DAY.fullmatch(value):
        return "weekday month-name day, year" if match.group(1) else "month-name day, year"
    if _SERIAL.fullmatch(value):
        return "Excel day number (1900 date system)"
    return "other"


def _numeric(text: str, match: re.Match, style: DateStyle) -> date:
    first, second, year = int(match.group(1)), int(match.group(3)), _year(match.group(4))
    shown = text.strip()[:20]
    if style.conflict:
        raise ValueProblem(
            f"{shown!r}: the file's numeric dates are in two orders ({style.conflict}), so no "
            "numeric date in it can be trusted: give the order with --date-order, or correct "
            "the file"
        )
    if first == second:
        return _real(text, year, first, first)
    if style.order is None:
        if first > 12 or second > 12:  # reads one way only (no other date said the order)
            order = "day/month/year" if first > 12 else "month/day/year"
            raise ValueProblem(
                f"{shown!r} reads only as {order}, and no other date in the file settles the "
                "order: give it with --date-order"
            )
        raise ValueProblem(
            f"{shown!r} could be {_spoken(year, second, first)} or "
            f"{_spoken(year, first, second)}, and no date in the file settles which: give the "
            "order with --date-order day-first (the UK's) or month-first"
        )
    day, month = (first, second) if style.order == DAY_FIRST else (second, first)
    if month > 12:
        reading = "day/month/year" if style.order == DAY_FIRST else "month/day/year"
        raise ValueProblem(f"{shown!r} is not a date in the file's order, {reading}")
    return _real(text, year, month, day)


def _named(text: str, weekday: str | None, day: str, month: str, year: str) -> date:
    number = _MONTHS.get(month)
    if number is None:
        raise ValueProblem(f"{text.strip()[:40]!r}: {month!r} is not the name of a month")
    found = _real(text, _year(year), number, int(day))
    if weekday is not None:
        if weekday not in _WEEKDAYS:
            raise ValueProblem(f"{text.strip()[:40]!r}: {weekday!r} is not a day of the week")
        if _WEEKDAYS[weekday] != found.weekday():
            raise ValueProblem(
                f"{text.strip()[:40]!r} contradicts itself: {found.isoformat()} is a "
                f"{found.strftime('%A')}"
            )
    return found


def _year(text: str) -> int:
    # Two-digit years are this century's: these files begin in 2010.
    return 2000 + int(text) if len(text) == 2 else int(text)


def _real(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem(f"{text.strip()[:40]!r} is not a real date") from None


def _spoken(year: int, month: int, day: int) -> str:
    try:
        found = date(year, month, day)
    except ValueError:
        return f"{day}/{month}/{year}"
    return f"{found.day} {found.strftime('%B')} {found.year}"


# Suppliers, and other text


def supplier(text: str) -> dict:
    """The supplier as the statement keeps it: ``{"name": ...}``, or for a name withheld
    ``{"redacted": true, "asPublished": ...}`` (no name is made up for it)."""
    value = " ".join(text.split())
    if not value:
        raise ValueProblem("the supplier's name is empty (a withheld name is written as such)")
    if _REDACTED.fullmatch(value):
        return {"redacted": True, "asPublished": value}
    return {"name": value}


def is_withheld(text: str) -> bool:
    """Whether a cell says its value was withheld ("Redacted", "Personal data")."""
    return bool(_REDACTED.fullmatch(" ".join(text.split())))


def transaction_number(text: str) -> str | None:
    """A transaction number, or None where the cell has none (empty, "N/A", "-"). A number a
    spreadsheet turned into scientific notation (5.1058E+09) has lost its digits: refused."""
    value = " ".join(text.split())
    if value.lower() in _ABSENT:
        return None
    if _SCIENTIFIC.fullmatch(value):
        raise ValueProblem(
            f"{value[:40]!r}: a spreadsheet wrote the transaction number in scientific notation, "
            "and its digits are lost"
        )
    return value


def is_totals(text: str) -> bool:
    """Whether a cell labels a totals row ("Total", "Grand Total", "Sub-total")."""
    return bool(_TOTALS.match(text.strip()))


def absent(text: str) -> bool:
    return " ".join(text.split()).lower() in _ABSENT
