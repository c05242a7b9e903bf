"""A spending file read into transactions, each with its identity (docs/spend.md). Pure.

``parse`` takes the file's bytes and returns every row's fate: a transaction, a blank row, a
totals row, a note that is not a payment, or a row refused with the reason. A file that cannot
be read as a spending table at all raises ``FileRefused``.

Identity (docs/spend.md, "Identity"). A transaction belongs to the body that paid, and is
told apart from the body's other transactions by its transaction number where the file has one,
else by its date, amount and supplier (its name compared as organisation_names.key compares
names). Rows sharing all of that (the lines of one invoice under one transaction number, or
payments alike in every respect) are told apart by a line number the load assigns
(openbook.spend). The group (everything but the line) and the line make the record key; the row
a transaction came from is kept in its statement, never in its identity.
"""

import datetime
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

import orjson

from openbook.standards import organisation_names
from openbook.standards.canonical import canonical_json
from openbook.standards.spend import DEFAULT_CURRENCY, text, values
from openbook.standards.spend import mapping as columns
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.values import ValueProblem

WITHHELD = "(withheld)"  # the supplier key of a name withheld
_FORMULA = re.compile(r"[=+@]|-[^0-9.(£]")  # how a spreadsheet cell formula begins
_CURRENCY = re.compile(r"[A-Z]{3}")
# Our fields kept as text, as they are (whitespace runs made one space).
_TEXTS = (
    "department",
    "entity",
    "unit",
    "expenseType",
    "invoiceNumber",
    "description",
    "contractReference",
    "bodyId",
)
_SUPPLIER_TEXTS = {"supplierId": "id", "supplierVat": "vatNumber", "supplierPostcode": "postcode"}


@dataclass(frozen=True, slots=True)
class Body:
    """The body that paid: its name, and its identifier (SCHEME-ID) when known. ``key`` is how
    identities name it: its identifier, else its name's key, hyphenated."""

    name: str
    id: str | None = None
    key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        key = self.id or "-".join(organisation_names.key(self.name).split())
        object.__setattr__(
            self, "key", key or re.sub(r"[^0-9a-z]+", "-", self.name.lower()).strip("-")
        )


@dataclass(slots=True)
class Transaction:
    row: int  # the line of the file the row starts on
    body: Body
    transaction: dict  # as the statement keeps it
    group: dict  # its identity but for the line
    group_key: str  # hex SHA-256 of the group's canonical JSON
    content_hash: str  # hex SHA-256 of the transaction's canonical JSON
    canonical: bytes  # that canonical JSON (RFC 8785)
    amount: Decimal
    currency: str
    date: str  # YYYY-MM-DD
    supplier_key: str
    transaction_number: str | None


@dataclass
class Parsed:
    """What a file held, row by row."""

    name: str
    sha256: str
    size: int
    encoding: str
    delimiter: str
    mapping: columns.Mapping
    lines_above: int  # title lines and notes above the header
    dates: str  # how the file's dates were read
    transactions: list[Transaction] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # (row, why)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # not payments: (row, what)
    blank: int = 0
    totals_rows: list[tuple[int, Decimal | None]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows read below the header, blank ones aside."""
        return (
            len(self.transactions) + len(self.refused) + len(self.skipped) + len(self.totals_rows)
        )

    def totals(self) -> dict[str, Decimal]:
        found: dict[str, Decimal] = {}
        for each in self.transactions:
            found[each.currency] = found.get(each.currency, Decimal(0)) + each.amount
        return dict(sorted(found.items()))


def parse(
    data: bytes,
    *,
    name: str,
    body: Body | None,
    explicit: columns.Explicit | None = None,
    date_order: str | None = None,
    encoding: str | None = None,
) -> Parsed:
    """Read a spending file. ``body`` is the paying body if given (``--body``); else each row's
    comes from the file's body column. Raises ``FileRefused``."""
    if len(data) > text.MAX_FILE_BYTES:
        raise FileRefused(
            f"the file is {len(data):,} bytes; a spending file is at most "
            f"{text.MAX_FILE_BYTES // 1024 // 1024} MB: split it by month"
        )
    decoded = text.decode(data, encoding)
    separator = text.delimiter(decoded.text)
    every = list(text.rows(decoded.text, separator))
    header, mapped = columns.find(every, explicit, body_given=body is not None)
    if len(mapped.headers) > text.MAX_COLUMNS:
        raise FileRefused(
            f"line {mapped.line}: {len(mapped.headers)} columns; a spending file has at most "
            f"{text.MAX_COLUMNS}"
        )
    below = every[header + 1 :]
    columns.ignore_row_numbers(mapped, [cells for _, cells in below])
    order = date_order or (explicit.date_order if explicit else None)
    dated = mapped.fields["date"]
    style = values.date_style(
        ((line, cells[dated]) for line, cells in below if dated < len(cells)), order
    )
    parsed = Parsed(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        encoding=decoded.description,
        delimiter=separator,
        mapping=mapped,
        lines_above=sum(1 for _, cells in every[:header] if any(c.strip() for c in cells)),
        dates="",
    )
    reader = _Rows(mapped, style, body)
    for line, cells in below:
        reader.read(parsed, line, cells)
    parsed.notes += reader.notes(parsed)
    parsed.dates = reader.dates()
    return parsed


class _Rows:
    """Reads a file's rows below its header into ``Parsed``."""

    def __init__(self, mapped: columns.Mapping, style: values.DateStyle, body: Body | None):
        self.mapped = mapped
        self.style = style
        self.body = body
        self.kept = _kept_names(mapped)
        self.texts = _columns_of(mapped, {name: name for name in _TEXTS})
        self.supplier_texts = _columns_of(mapped, _SUPPLIER_TEXTS)
        self.bodies: dict[str, Body] = {}
        self.days: dict[str, tuple[datetime.date, str]] = {}  # dates read, and their forms, by cell
        self.forms: Counter[str] = Counter()
        self.formulas: Counter[str] = Counter()

    def read(self, parsed: Parsed, line: int, cells: list[str]) -> None:
        meaningful = [
            cell
            for index, cell in enumerate(cells)
            if cell.strip() and index not in self.mapped.ignored
        ]
        if not meaningful:
            parsed.blank += 1
            return
        try:
            text.check_row(self.mapped.headers, cells, "a spending file")
            if self._not_a_payment(parsed, line, cells, meaningful):
                return
            parsed.transactions.append(self._transaction(line, cells))
        except ValueProblem as problem:
            parsed.refused.append((line, str(problem)))

    def _not_a_payment(
        self, parsed: Parsed, line: int, cells: list[str], meaningful: list[str]
    ) -> bool:
        """A totals row (no date, and a cell saying "Total": not "Total Gas & Power Ltd" with
        a date), or a note below the table (no amount and no supplier)."""
        if not self._cell(cells, "date").strip() and any(map(values.is_totals, meaningful)):
            try:
                total = values.amount(self._cell(cells, "amount"))[0]
            except ValueProblem:
                total = None
            parsed.totals_rows.append((line, total))
            return True
        if not self._cell(cells, "amount").strip() and not self._cell(cells, "supplier").strip():
            parsed.skipped.append(
                (line, f"not a payment (no amount and no supplier): {meaningful[0][:60]!r}")
            )
            return True
        return False

    def _cell(self, cells: list[str], name: str) -> str:
        index = self.mapped.fields.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def _header(self, name: str) -> str:
        return repr(self.mapped.headers[self.mapped.fields[name]])

    def _value(self, cells: list[str], name: str, read):
        try:
            return read(self._cell(cells, name))
        except ValueProblem as problem:
            raise ValueProblem(f"{self._header(name)}: {problem}") from None

    def _transaction(self, line: int, cells: list[str]) -> Transaction:
        written = self._cell(cells, "date")
        known = self.days.get(written)  # a file's payments fall on a few days
        if known is None:
            day = self._value(cells, "date", lambda cell: values.payment_date(cell, self.style))
            known = self.days[written] = (day, values.date_form(written))
        day, form = known
        self.forms[form] += 1
        number, currency = self._value(cells, "amount", values.amount)
        currency = currency or self._currency(cells)
        supplier = self._value(cells, "supplier", values.supplier)
        reference = self._value(cells, "transactionNumber", values.transaction_number)
        body = self.body or self._body(cells)
        found: dict = {"body": {"name": body.name, **({"id": body.id} if body.id else {})}}
        found |= {"date": day.isoformat(), "amount": float(number), "currency": currency}
        found["supplier"] = supplier | {
            name: value
            for name, value in _texts(cells, self.supplier_texts).items()
            if not values.is_withheld(value)  # "Redacted" is no supplier number
        }
        if reference is not None:
            found["transactionNumber"] = reference
        found |= _texts(cells, self.texts)
        other = {}
        for index, header in self.kept:
            if index < len(cells) and cells[index].strip():
                other[header] = cells[index].strip()
                if _FORMULA.match(cells[index].strip()):
                    self.formulas[header] += 1
        if other:
            found["columns"] = other
        for name, cell in [("supplier", supplier.get("name", "")), *found.items()]:
            if isinstance(cell, str) and _FORMULA.match(cell):
                self.formulas[name] += 1
        supplier_key = (
            WITHHELD if supplier.get("redacted") else self._supplier_key(supplier["name"])
        )
        if reference is not None:
            group: dict = {"body": body.key, "transactionNumber": reference}
        else:
            amount_text = format(number.normalize(), "f")
            group = {"body": body.key, "date": found["date"], "amount": amount_text}
            group["supplier"] = supplier_key
        canonical = canonical_json(found)
        return Transaction(
            row=line,
            body=body,
            transaction=found,
            group=group,
            group_key=hashlib.sha256(flat_text(group)).hexdigest(),
            content_hash=hashlib.sha256(canonical).hexdigest(),
            canonical=canonical,
            amount=number,
            currency=currency,
            date=found["date"],
            supplier_key=supplier_key,
            transaction_number=reference,
        )

    def _currency(self, cells: list[str]) -> str:
        given = " ".join(self._cell(cells, "currency").split()).upper()
        if not given:
            return DEFAULT_CURRENCY
        if not _CURRENCY.fullmatch(given):
            raise ValueProblem(
                f"{self._header('currency')}: {given[:20]!r} is not a currency code such as GBP"
            )
        return given

    def _body(self, cells: list[str]) -> Body:
        name = " ".join(self._cell(cells, "body").split())
        if not name:
            raise ValueProblem(
                f"{self._header('body')}: the paying body is not named (give it with --body)"
            )
        if name not in self.bodies:
            self.bodies[name] = Body(name)
        return self.bodies[name]

    def _supplier_key(self, name: str) -> str:
        return _supplier_key(name)

    def dates(self) -> str:
        """The forms the file's dates were in, the most used first."""
        found = [f"{form} ({count:,})" for form, count in self.forms.most_common()]
        if any(form.startswith("numeric") for form in self.forms) or self.style.conflict:
            found.append(self.style.description)
        return "; ".join(found) or "none read"

    def notes(self, parsed: Parsed) -> list[str]:
        found = []
        for header, count in sorted(self.formulas.items()):
            found.append(
                f"{count:,} value(s) of {header} begin as a spreadsheet formula does (=, +, -, "
                "@): kept as text, never evaluated; a copy made for a spreadsheet must keep "
                "them text"
            )
        for line, total in parsed.totals_rows:
            found.append(_totals_note(line, total, parsed))
        for name, header in self.mapped.alternatives:
            found.append(f"the column {header!r} could also give {name}: kept as a column")
        return found


@lru_cache(maxsize=65536)  # a body's suppliers recur in each of its files (issue 9)
def _supplier_key(name: str) -> str:
    return organisation_names.key(name) or name.lower()


def _totals_note(line: int, total: Decimal | None, parsed: Parsed) -> str:
    sums = parsed.totals()
    if total is None or len(sums) != 1:
        return f"row {line} is a totals row: not a payment, not loaded"
    [(currency, added)] = sums.items()
    if added == total:
        return f"row {line} is a totals row ({total:,} {currency}), and the rows read add up to it"
    return (
        f"row {line} is a totals row ({total:,} {currency}); the rows read add up to "
        f"{added:,} {currency} (the difference is in rows refused, or in the file)"
    )


def _kept_names(mapped: columns.Mapping) -> list[tuple[int, str]]:
    """The kept columns with a name each: a name the file gives twice gets its column number."""
    counts = Counter(mapped.headers[index] for index in mapped.kept)
    return [
        (index, header if counts[header] == 1 else f"{header} (column {index + 1})")
        for index in mapped.kept
        for header in [mapped.headers[index]]
    ]


def _columns_of(mapped: columns.Mapping, names: dict[str, str]) -> list[tuple[str, int]]:
    """The mapped columns of these fields, with the names the statement gives them."""
    return [
        (theirs, mapped.fields[ours]) for ours, theirs in names.items() if ours in mapped.fields
    ]


def _texts(cells: list[str], found: list[tuple[str, int]]) -> dict[str, str]:
    texts = {}
    for name, index in found:
        value = " ".join(cells[index].split()) if index < len(cells) else ""
        if value and not values.absent(value):
            texts[name] = value
    return texts


def flat_text(value: dict[str, str | int]) -> bytes:
    """``canonical_json(value)`` of a flat object whose keys are ASCII and whose values are
    strings and integers within 2**53 (an identity, a source): orjson's text with sorted keys,
    which is RFC 8785's for those (openbook.standards.canonical: its escaping is RFC 8785's,
    and its key order too for keys below U+10000), without canonical_json's walk of the
    value (three of them a row loaded: issue 9). A value orjson cannot write (a lone
    surrogate) goes to canonical_json, which says why."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return canonical_json(value)


def identity_text(group: dict, line: int) -> bytes:
    """The canonical text of a transaction's identity (its group and line): what its record
    key is a digest of, and its statements' ``identity``; made once for both (issue 9)."""
    return flat_text({**group, "line": line})


def record_key(group: dict, line: int, identity: bytes | None = None) -> str:
    """The transaction's record key: its body's key, then a digest of its identity (no name
    or other text of the row in the key itself, which the log keeps for ever: a statement's
    body can be redacted, its record key cannot). ``identity``: ``identity_text``, if made."""
    text = identity_text(group, line) if identity is None else identity
    return f"{group['body']}:{hashlib.sha256(text).hexdigest()[:24]}"


def statement_body(each: Transaction, line: int, source: dict) -> dict:
    return {
        "identity": {**each.group, "line": line},
        "status": "published",
        "transaction": each.transaction,
        "source": source | {"row": each.row},
    }


def statement_text(
    each: Transaction, line: int, source: dict, identity: bytes | None = None
) -> bytes:
    """``canonical_json(statement_body(each, line, source))``, with the transaction's canonical
    text as read (what its content hash is of) put in rather than written again: RFC 8785
    writes an object's members each in its own canonical form, keys in order ("identity",
    "source", "status", "transaction"), so the whole is the parts joined (issue 9).
    ``identity``: ``identity_text(each.group, line)``, if made."""
    return b"".join(
        (
            b'{"identity":',
            identity_text(each.group, line) if identity is None else identity,
            b',"source":',
            flat_text(source | {"row": each.row}),
            b',"status":"published","transaction":',
            each.canonical,
            b"}",
        )
    )


def withdrawal_body(identity: dict, source: dict, reason: str) -> dict:
    return {
        "identity": identity,
        "status": "withdrawn",
        "source": source,
        "withdrawal": {"reason": reason},
    }
