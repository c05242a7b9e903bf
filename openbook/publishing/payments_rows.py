"""A payments file read and its rows checked, for openbook.publishing.payments_file: the file's
text (UTF-8 only), its rows (CSV read strictly, or JSON Lines), and each row's values, every
problem named with the file, the row and the column. Pure: what the rows pay under is checked
against the log by the use case.

The columns, what each row must give and what is warned of rather than refused, are those of
docs/spend.md ("Payments under public contracts: by file"), which says where each comes from:
the Procurement Act 2023, s.70, and the Cabinet Office's guidance on contract payment
information; the rest is this platform's choice, said as such there.
"""

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from openbook import config
from openbook.publishing.body import BodyError
from openbook.publishing.body import parse as parse_json
from openbook.standards.spend.text import FileRefused, rows

CSV = "csv"
JSON_LINES = "jsonl"
# Section 70(1): payments of more than £30,000 (VAT included: the guidance, para. on the
# threshold). Publishing a smaller one is not forbidden: it is warned of, not refused.
THRESHOLD = Decimal(30_000)
# Section 70 came into force on 1 April 2026 (Procurement Act 2023 (Commencement No. 4)
# Regulations 2025, SI 2025/1316), for procurements begun from that day.
COMMENCED = date(2026, 4, 1)
DAYS_TO_PUBLISH = 30  # s.70(2): within 30 days beginning with the last day of the quarter
MAX_ROWS = 20_000  # a quarter's payments over £30,000 of the largest department are thousands
MAX_AMOUNT = Decimal(10) ** 13  # £10 trillion: more is a typing slip (as the forms say)
MAX_ID = 200  # characters of an ocid, a contract id or a payment reference
# The columns a header may have: seven are read, and a finance system's export has a few dozen
# more; a header of thousands is no payments file, and reading it ties up the worker.
MAX_COLUMNS = 100

# The columns: the file's header names them, in any order, in any case, with spaces, hyphens
# or underscores. ``ocid``, ``payment_date`` and ``amount`` are required.
COLUMNS = ("ocid", "contract_id", "payment_date", "amount", "currency", "payment_id", "supplier_id")
REQUIRED = ("ocid", "payment_date", "amount")
_SAME = {
    "open_contracting_id": "ocid",
    "contract": "contract_id",
    "date": "payment_date",
    "date_paid": "payment_date",
    "amount_paid": "amount",
    "payment_amount": "amount",
    "payment_reference": "payment_id",
    "transaction_number": "payment_id",
    "payee_id": "supplier_id",
}
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{1,2})/(\d{1,2})/(\d{4})")
_AMOUNT = re.compile(r"(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Characters no one sees, that make two identifiers that look the same differ (a payment_id
# pasted from a web page or a PDF): line and paragraph separators, zero-width characters, the
# marks, embeddings, overrides and isolates of bidirectional text, and the byte-order mark
# inside a value (Unicode's UAX #9 and the Cf characters of the Unicode Character Database).
_INVISIBLE = re.compile("[\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
IDENTIFIERS = ("ocid", "contract_id", "payment_id", "supplier_id")
# What a column the header leaves without a name is called (its place), and a JSON field named
# "": a normalised name has no spaces, so these are never a column's name.
UNNAMED = "column {} (no name)"
UNNAMED_FIELD = "the field with no name"
_FORMULA = ("=", "+", "-", "@")  # what a spreadsheet would run as a formula


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One thing wrong or doubtful in a payments file: where (the file, its row and column)
    and why. A row is the line it starts on, the header being line 1 (a spreadsheet's row)."""

    file: str
    row: int | None  # None: the file as a whole
    column: str | None
    code: str
    message: str
    severity: str = "error"
    blocking: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "message": self.message,
            "severity": self.severity,
            "blocking": self.blocking,
        }

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class PaymentsRefused(Exception):
    """The file is refused as a whole; nothing of it was stored."""

    def __init__(
        self, status: int, code: str, message: str, problems: Sequence[RowProblem] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.problems = list(problems)


@dataclass(slots=True)
class Payment:
    row: int
    ocid: str
    contract_id: str | None
    day: date
    amount: Decimal
    currency: str
    payment_id: str | None
    supplier_id: str | None

    @property
    def transaction_id(self) -> str:
        """Made from the payment, so that the same payment sent again is recognised."""
        if self.payment_id is not None:
            return f"payment-{self.payment_id}"
        return f"payment-{self.day.isoformat()}-{self.amount:.2f}"


def kind_of(name: str) -> str | None:
    """The file's kind by its name: CSV or JSON Lines (None: neither)."""
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return CSV
    if lowered.endswith((".jsonl", ".ndjson")):
        return JSON_LINES
    return None


def read(data: bytes, name: str, kind: str) -> tuple[list[str], list[tuple[int, dict]]]:
    """The columns given and each row (its line, its values by column), read strictly."""
    most = config.publish_max_bytes()
    if len(data) > most:
        raise PaymentsRefused(
            413,
            "file-too-large",
            f"{name}: the file is {len(data):,} bytes; a payments file is at most {most:,} bytes "
            f"({most / 2**20:g} MB): split it",
        )
    text = _text(data, name)
    found = _csv(text, name) if kind == CSV else _json_lines(text, name)
    if not found[1]:
        raise PaymentsRefused(400, "file-empty", f"{name}: the file has no payments")
    if len(found[1]) > MAX_ROWS:
        raise PaymentsRefused(
            413,
            "too-many-rows",
            f"{name}: the file has {len(found[1]):,} rows; one file may hold at most "
            f"{MAX_ROWS:,}: split it",
        )
    return found


def _text(data: bytes, name: str) -> str:
    """UTF-8, with or without the byte-order mark Excel's "CSV UTF-8" writes. Any other
    encoding is refused, not guessed: a statutory publication is not published misread."""
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise PaymentsRefused(
            400,
            "file-not-text",
            f"{name}: this is an Excel workbook, not a CSV file: save the sheet as "
            "'CSV UTF-8 (comma delimited)' and send that",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise PaymentsRefused(
            400,
            "file-not-utf8",
            f"{name}: the file holds NUL bytes, which no CSV text has (UTF-16?): save it as "
            "CSV UTF-8",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise PaymentsRefused(
            400,
            "file-not-utf8",
            f"{name}, row {line}: the file is not UTF-8 (byte {column} of the line is "
            f"{data[error.start : error.start + 1].hex()}, as Windows-1252 writes a £ or an "
            "accent): save it as 'CSV UTF-8' and send it again",
        ) from None


def _column(given: str) -> str:
    key = re.sub(r"[\s\-]+", "_", given.strip().lower())
    return _SAME.get(key, key)


def _csv(text: str, name: str) -> tuple[list[str], list[tuple[int, dict]]]:
    found: list[tuple[int, dict]] = []
    header: list[str] | None = None
    try:
        for line, cells in rows(text, ","):
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = _header(cells, name, line)
                continue
            extra = [cell for cell in cells[len(header) :] if cell.strip()]
            if extra:
                raise PaymentsRefused(
                    400,
                    "file-not-csv",
                    f"{name}, row {line}: the row has {len(cells)} values and the header "
                    f"{len(header)} columns ({extra[0][:40]!r} is beyond the last: a comma in "
                    "a value that is not in quotes?)",
                )
            found.append((line, dict(zip(header, cells, strict=False))))
    except FileRefused as error:
        raise PaymentsRefused(400, "file-not-csv", f"{name}, {error}") from None
    if header is None:
        raise PaymentsRefused(400, "file-empty", f"{name}: the file is empty")
    return header, found


def _header(cells: list[str], name: str, line: int) -> list[str]:
    _refuse_many_columns(len(cells), name, line)
    header = [_column(cell) for cell in cells]
    problems = []
    for column in REQUIRED:
        if column not in header:
            problems.append(
                RowProblem(name, line, column, "column-missing", f"the header has no {column!r}")
            )
    counted = Counter(header)
    repeated = sorted(column for column, times in counted.items() if times > 1 and column)
    problems += [
        RowProblem(name, line, column, "column-repeated", f"the header names {column!r} twice")
        for column in repeated
    ]
    if problems:
        # A spreadsheet saved with semicolons or tabs between columns (Excel in some locales).
        other = len(cells) == 1 and any(mark in cells[0] for mark in ";\t|")
        raise PaymentsRefused(
            400,
            "file-columns",
            f"{name}: the header must name the columns {', '.join(REQUIRED)} (and may name "
            f"{', '.join(c for c in COLUMNS if c not in REQUIRED)})"
            + ("; its columns are not separated by commas: save it as CSV" if other else ""),
            problems,
        )
    # A column without a name is kept apart by its place, so that a value in it is warned of.
    return [column or UNNAMED.format(place) for place, column in enumerate(header, start=1)]


def _refuse_many_columns(count: int, name: str, line: int) -> None:
    if count > MAX_COLUMNS:
        raise PaymentsRefused(
            413,
            "too-many-columns",
            f"{name}, row {line}: {count:,} columns; a payments file has at most {MAX_COLUMNS} "
            "(the seven read, and others not read): remove the columns that are not payments'",
        )


def _json_lines(text: str, name: str) -> tuple[list[str], list[tuple[int, dict]]]:
    found: list[tuple[int, dict]] = []
    columns: set[str] = set()
    for line, content in enumerate(text.split("\n"), start=1):
        if not content.strip():
            continue
        try:
            value = parse_json(content.encode())
        except BodyError as error:
            raise PaymentsRefused(
                400, "file-not-json-lines", f"{name}, row {line}: {error.message}"
            ) from None
        if not isinstance(value, dict):
            raise PaymentsRefused(
                400,
                "file-not-json-lines",
                f"{name}, row {line}: each line must be one JSON object, a payment",
            )
        _refuse_many_columns(len(value), name, line)
        named = {_column(key) or UNNAMED_FIELD: each for key, each in value.items()}
        if len(named) != len(value):
            raise PaymentsRefused(
                400, "file-not-json-lines", f"{name}, row {line}: a field is named twice"
            )
        columns.update(named)
        found.append((line, named))
    return sorted(columns), found


def _cell(values: Mapping[str, Any], column: str) -> str | None:
    """A value as text, stripped; None when blank. Numbers (JSON Lines) are written as given."""
    value = values.get(column)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError("must be text or a number")
    text = str(value).strip()
    return text or None


def checked_rows(
    found: tuple[list[str], list[tuple[int, dict]]], name: str, today: date
) -> tuple[list[Payment], list[RowProblem]]:
    columns, given = found
    problems: list[RowProblem] = []
    unknown = [c for c in columns if c not in COLUMNS and " " not in c]
    # A column without a name is said only when it holds a value: a spreadsheet writes empty
    # ones after the last column.
    unknown += [
        c
        for c in columns
        if " " in c and any(str(values.get(c) or "").strip() for _, values in given)
    ]
    if unknown:
        problems.append(
            RowProblem(
                name,
                None,
                None,
                "columns-ignored",
                f"not read: {', '.join(repr(c) for c in unknown[:10])}"
                + (f" and {len(unknown) - 10} more" if len(unknown) > 10 else "")
                + f" (the columns read are "
                f"{', '.join(COLUMNS)})",
                "warning",
                False,
            )
        )
    payments = []
    for line, values in given:
        payment = _payment(line, values, name, today, problems)
        if payment is not None:
            payments.append(payment)
    return payments, problems


def _payment(
    line: int, values: Mapping[str, Any], name: str, today: date, problems: list[RowProblem]
) -> Payment | None:
    before = len(problems)

    def problem(column: str, code: str, message: str, blocking: bool = True) -> None:
        severity = "error" if blocking else "warning"
        problems.append(RowProblem(name, line, column, code, message, severity, blocking))

    cells: dict[str, str | None] = {}
    for column in COLUMNS:
        try:
            cells[column] = _cell(values, column)
        except ValueError as error:
            problem(column, "value-invalid", str(error))
            cells[column] = None
            continue
        text = cells[column] or ""
        control = _CONTROL.search(text)
        unseen = _INVISIBLE.search(text) if column in IDENTIFIERS else None
        if control is not None:
            problem(
                column,
                "value-invalid",
                f"holds the control character {_named(control[0])}, which no value has",
            )
        elif unseen is not None:
            problem(
                column,
                "value-invalid",
                f"holds {_named(unseen[0])}, a character that cannot be seen, at character "
                f"{unseen.start() + 1}: an identifier is matched character by character, so "
                "type it again without it",
            )
        elif len(text) > MAX_ID:
            problem(column, "value-too-long", f"is {len(text):,} characters; at most {MAX_ID}")
    for column in REQUIRED:
        if cells[column] is None and not any(p.column == column for p in problems[before:]):
            problem(column, "value-missing", "is empty: every payment needs it")
    payment_id = cells["payment_id"]
    if payment_id is not None and payment_id.startswith(_FORMULA):
        problem("payment_id", "value-invalid", "starts like a spreadsheet formula")
    day = _day(cells["payment_date"], problem)
    amount = _amount(cells["amount"], problem)
    currency = (cells["currency"] or "GBP").upper()
    if currency != "GBP":
        problem(
            "currency",
            "currency-not-gbp",
            f"is {currency[:10]!r}: section 70's threshold is in pounds, so give the amount "
            "paid in pounds sterling (GBP)",
        )
    if day is not None:
        _dated(day, today, problem)
    if amount is not None and amount <= THRESHOLD:
        problem(
            "amount",
            "under-threshold",
            f"£{amount:,.2f} is not more than £30,000: section 70 does not require it; it is "
            "published as you ask",
            blocking=False,
        )
    if any(p.blocking for p in problems[before:]) or day is None or amount is None:
        return None
    return Payment(
        line,
        str(cells["ocid"]),
        cells["contract_id"],
        day,
        amount,
        currency,
        payment_id,
        cells["supplier_id"],
    )


def _named(character: str) -> str:
    """A character as Unicode names it: U+200B (ZERO WIDTH SPACE)."""
    name = unicodedata.name(character, "")
    return f"U+{ord(character):04X}" + (f" ({name})" if name else "")


def _dated(day: date, today: date, problem: Callable[..., None]) -> None:
    """A payment's date: not to come, and (warned of) before s.70 applied, or published late."""
    if day > today:
        problem(
            "payment_date",
            "date-in-future",
            f"{day.isoformat()} is after today: a payment is published once it is made",
        )
    if day < COMMENCED:
        problem(
            "payment_date",
            "before-section-70",
            f"{day.isoformat()} is before section 70 came into force (1 April 2026): published "
            "as you ask, though the Act does not require it",
            blocking=False,
        )
    if COMMENCED <= day <= today and (today - _quarter_end(day)).days >= DAYS_TO_PUBLISH:
        problem(
            "payment_date",
            "published-late",
            f"a payment made on {day.isoformat()} was due to be published by "
            f"{_due(day).isoformat()} (section 70(2): within 30 days beginning with the last "
            "day of its quarter)",
            blocking=False,
        )


def _day(text: str | None, problem) -> date | None:
    if text is None:
        return None
    matched = _DAY.fullmatch(text)
    try:
        if matched is None:
            raise ValueError
        if matched[1]:
            return date(int(matched[1]), int(matched[2]), int(matched[3]))
        return date(int(matched[6]), int(matched[5]), int(matched[4]))
    except ValueError:
        problem(
            "payment_date",
            "date-invalid",
            f"{text[:40]!r} is not a date: write it as 2026-05-14 or 14/05/2026",
        )
        return None


def _amount(text: str | None, problem) -> Decimal | None:
    if text is None:
        return None
    plain = text.removeprefix("£").strip()
    if _AMOUNT.fullmatch(plain) is None:
        problem(
            "amount",
            "amount-invalid",
            f"{text[:40]!r} is not an amount in pounds: write it as 45000 or 45,000.50 "
            "(a payment is more than nothing; a credit is not a payment)",
        )
        return None
    try:
        amount = Decimal(plain.replace(",", ""))
    except InvalidOperation:  # the pattern admits only numbers: defensive
        problem("amount", "amount-invalid", f"{text[:40]!r} is not a number")
        return None
    if amount <= 0 or amount >= MAX_AMOUNT:
        problem("amount", "amount-invalid", f"£{amount:,.2f} cannot be a payment")
        return None
    return amount


def _quarter_end(day: date) -> date:
    month = (day.month - 1) // 3 * 3 + 3
    following = date(day.year + (month == 12), month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _due(day: date) -> date:
    return date.fromordinal(_quarter_end(day).toordinal() + DAYS_TO_PUBLISH - 1)


def duplicates(
    payments: list[Payment], contracts: Mapping[int, str], name: str, problems: list[RowProblem]
) -> None:
    """A payment given twice in the file (its contract and its reference, or without one its
    day and amount): refused, naming both rows. Two payments of one amount on one day are told
    apart by their ``payment_id``. The contract is the one the row pays under (``contracts``,
    by row), not as the row names it: a row without ``contract_id`` of a procurement with one
    contract is that contract's, and two rows of one transaction id in one contract would be
    one payment in its record, the other lost."""
    seen: dict[tuple, int] = {}
    for payment in payments:
        contract = contracts.get(payment.row, payment.contract_id)
        key = (payment.ocid, contract, payment.transaction_id)
        if key in seen:
            column = "payment_id" if payment.payment_id is not None else "amount"
            problems.append(
                RowProblem(
                    name,
                    payment.row,
                    column,
                    "row-repeated",
                    f"the same payment as row {seen[key]} (its contract, and "
                    + (
                        "its payment_id"
                        if payment.payment_id is not None
                        else "its date and amount: two such payments are told apart by their "
                        "payment_id"
                    )
                    + ")",
                )
            )
        else:
            seen[key] = payment.row
