"""Which of a spending file's columns holds which of our fields (docs/spend.md, "Columns"). Pure.

Automatic for the column names publishers are known to use: the facts in ``data/variants.json``
(built by ``scripts/build_spend_facts.py`` from the Treasury's and the Local Government
Association's column names and the variants seen across real bodies' files), compared after
``normalise`` (case, spacing, punctuation, currency signs and camelCase aside). Explicit for the
rest: a mapping file names the column for any of our fields, and wins over the facts.

A file whose columns do not give the required fields is refused with the fields missing and the
headers found; so is a file in which one of our fields has two columns of the same name.
"""

import json
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

from openbook.standards.spend import FIELDS, REQUIRED
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.values import DATE_ORDERS

DATA = Path(__file__).resolve().parent / "data"
HEADER_ROWS = 30  # the header is one of the first rows: title lines may sit above it
MAX_MAPPING_BYTES = 65_536
# Columns that number the rows ("#", "Row", "Line no."): not part of what a payment is, and
# renumbered whenever a row is inserted, so not kept (when their cells are 1, 2, 3...).
ROW_NUMBER_HEADERS = frozenset({"", "no", "row", "line", "row no", "line no", "row number"})


class MappingError(Exception):
    """A mapping file that cannot be used; the message says why."""


_LOWER_UPPER = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_UPPER_WORD = re.compile(r"(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


# Cached: a body's files repeat their headers, and each payment's columns are named by them
# again as the linker reads it (spend.duplicates); the header search normalises the first
# rows' cells of every file (issue 9).
@lru_cache(maxsize=65536)
def normalise(header: str) -> str:
    """A column name as compared: "Amount (£)", "AMOUNT()" and "amount" are one; so are
    "SupplierName" and "Supplier name", and "Document No." and "DocumentNo"."""
    text = header.replace("\ufeff", "").strip()
    text = _LOWER_UPPER.sub(" ", text)
    text = _UPPER_WORD.sub(" ", text)
    return _NOT_ALNUM.sub(" ", text.lower()).strip()


@dataclass(frozen=True, slots=True)
class Known:
    field: str
    rank: int  # its place in the facts: where two columns give one field, the lower rank wins
    names: tuple[str, ...]  # how publishers spell it
    sources: tuple[str, ...]


@cache
def known() -> dict[str, Known]:
    """The known column names, normalised, with the field each gives."""
    facts = json.loads((DATA / "variants.json").read_text(encoding="utf-8"))
    return {
        variant["header"]: Known(
            variant["field"], rank, tuple(variant["names"]), tuple(variant["sources"])
        )
        for rank, variant in enumerate(facts["variants"])
    }


def _spend_hint(normalised: set[str], missing: list[str]) -> str:
    hint = ""
    if "body" in missing:
        hint = (
            " Nothing in the file says which body paid (a column such as 'Body name' or "
            "'OrganisationLabel'): give it with --body."
        )
    if {"contract reference", "start date"} <= normalised or "contract title" in normalised:
        hint += (
            " Its columns are those of a contracts register, not of payments: load it with "
            "`openbook lgtc load` (docs/local-transparency.md)."
        )
    return hint


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What one kind of file's columns are compared with: the known column names (``facts``),
    our fields, those required (the body aside, which an option may give instead), what a
    refusal advises, and what it adds (``hint``, from the headers normalised and the fields
    missing). Spending files' is ``SPEND``; the Transparency Code's contracts registers and
    360Giving's spreadsheets have their own (openbook.standards.lgtc, grants)."""

    facts: Callable[[], dict[str, Known]]
    fields: tuple[str, ...]
    required: tuple[str, ...]
    advice: str
    hint: Callable[[set[str], list[str]], str]


SPEND = Vocabulary(
    known,
    FIELDS,
    REQUIRED,
    " Say which column holds each field with --mapping (docs/spend.md).",
    _spend_hint,
)


@dataclass(frozen=True, slots=True)
class Explicit:
    """A mapping file: for some of our fields the column that holds it (None: the file has no
    such column, so none is taken for it), and the order of the file's numeric dates."""

    name: str
    fields: dict[str, str | None]
    date_order: str | None = None


def read_explicit(text: bytes, name: str, ours_are: tuple[str, ...] = FIELDS) -> Explicit:
    """A mapping file, JSON or (by its name) TOML::

        {"fields": {"date": "Date Paid", "amount": "Net £", "supplier": "Payee",
                    "transactionNumber": null}, "dateOrder": "day-first"}

    In TOML, an empty string stands for null."""
    if len(text) > MAX_MAPPING_BYTES:
        raise MappingError(f"{name}: {len(text):,} bytes; a mapping is at most 64 KB")
    try:
        if name.lower().endswith(".toml"):
            given = tomllib.loads(text.decode("utf-8"))
        else:
            given = json.loads(text)
    except (UnicodeDecodeError, ValueError) as error:
        raise MappingError(f"{name}: not valid {_kind(name)}: {error}") from None
    if not isinstance(given, dict):
        raise MappingError(f'{name}: a mapping is an object with "fields"')
    unknown = sorted(set(given) - {"fields", "dateOrder"})
    if unknown:
        raise MappingError(f"{name}: {unknown[0]!r} is not part of a mapping (fields, dateOrder)")
    fields = given.get("fields")
    if not isinstance(fields, dict) or not fields:
        raise MappingError(f'{name}: "fields" must name the column of at least one field')
    found: dict[str, str | None] = {}
    for ours, column in fields.items():
        if ours not in ours_are:  # the vocabulary's fields
            raise MappingError(
                f"{name}: {str(ours)[:40]!r} is not one of our fields; they are: "
                f"{', '.join(ours_are)}"
            )
        if column is not None and (not isinstance(column, str) or len(column) > 200):
            raise MappingError(f"{name}: the column for {ours} must be a column's name, or null")
        found[ours] = column if column else None
    order = given.get("dateOrder")
    if order is not None and order not in DATE_ORDERS:
        raise MappingError(f"{name}: dateOrder is {', or '.join(DATE_ORDERS)}")
    return Explicit(name, found, order)


def _kind(name: str) -> str:
    return "TOML" if name.lower().endswith(".toml") else "JSON"


@dataclass
class Mapping:
    """Which column gives each field, found on the header row (``line``)."""

    line: int
    headers: list[str]  # as the file writes them ("(column 3)" for a column without a name)
    raw: list[str]  # the header row's cells
    fields: dict[str, int] = field(default_factory=dict)  # field: column index
    how: dict[str, str] = field(default_factory=dict)  # field: "known" or the mapping's name
    alternatives: list[tuple[str, str]] = field(default_factory=list)  # (field, header) not taken
    ignored: dict[int, str] = field(default_factory=dict)  # column: why not kept

    @property
    def kept(self) -> list[int]:
        """The columns kept as they are, beside the fields."""
        taken = set(self.fields.values()) | set(self.ignored)
        return [index for index in range(len(self.headers)) if index not in taken]

    def described(self) -> dict:
        return {
            "headerRow": self.line,
            "fields": {
                name: {"column": self.headers[index], "how": self.how[name]}
                for name, index in sorted(self.fields.items(), key=lambda item: item[1])
            },
            "otherColumns": [self.headers[index] for index in self.kept],
            "notTaken": [{"field": name, "column": header} for name, header in self.alternatives],
            "ignored": {self.headers[index]: why for index, why in sorted(self.ignored.items())},
        }


def find(
    rows: list[tuple[int, list[str]]],
    explicit: Explicit | None,
    *,
    body_given: bool,
    vocabulary: Vocabulary = SPEND,
) -> tuple[int, Mapping]:
    """The header row (its index in ``rows``) and its mapping. The header is the row, among the
    first ``HEADER_ROWS``, with the most column names known or named by the mapping (the first
    of those): title lines and notes above the table are passed over. Raises ``FileRefused``
    naming the fields missing and the headers found."""
    best, score = None, -1
    facts = vocabulary.facts()
    named = {
        normalise(column) for column in (explicit.fields if explicit else {}).values() if column
    }
    for index, (_, cells) in enumerate(rows[:HEADER_ROWS]):
        scored = _score(cells, facts, named)
        if any(cell.strip() for cell in cells) and scored > score:
            best, score = index, scored
    if best is None:
        raise FileRefused("the file has no rows")
    line, cells = rows[best]
    mapped = _map(line, cells, explicit, body_given, vocabulary)
    missing = [name for name in vocabulary.required if name not in mapped.fields]
    if not body_given and "body" not in mapped.fields:
        missing.append("body")
    if missing:
        _refuse_unmapped(mapped, missing, explicit, vocabulary)
    return best, mapped


def _score(cells: list[str], facts: dict, named: set[str]) -> int:
    """How many of a row's cells name a known column, or one the mapping names."""
    found = 0
    for cell in cells:
        if cell.strip():
            header = normalise(cell)
            found += header in facts or header in named
    return found


def _refuse_unmapped(
    mapped: Mapping, missing: list[str], explicit: Explicit | None, vocabulary: Vocabulary
) -> None:
    headers = ", ".join(repr(header) for header in mapped.headers[:40])
    hint = vocabulary.hint({normalise(header) for header in mapped.raw}, missing)
    how = f" with the mapping {explicit.name}" if explicit else ""
    raise FileRefused(
        f"its columns do not give {', '.join(missing)}{how}. The headers found (line "
        f"{mapped.line}) are: {headers}.{vocabulary.advice}{hint}"
    )


def _map(
    line: int,
    cells: list[str],
    explicit: Explicit | None,
    body_given: bool,
    vocabulary: Vocabulary,
) -> Mapping:
    headers = [cell.strip() or f"(column {index + 1})" for index, cell in enumerate(cells)]
    mapped = Mapping(line, headers, list(cells))
    normalised = [normalise(cell) for cell in cells]
    given = explicit.fields if explicit else {}
    for ours, column in given.items():
        if column is None:
            continue
        index = _column(cells, normalised, column, ours, explicit)
        mapped.fields[ours] = index
        mapped.how[ours] = explicit.name if explicit else "known"
    facts = vocabulary.facts()
    candidates: dict[str, list[tuple[int, int]]] = {}
    for index, header in enumerate(normalised):
        fact = facts.get(header)
        if fact is None or fact.field in given or index in mapped.fields.values():
            continue
        if fact.field == "body" and body_given:
            continue  # --body says who paid; the column is kept as it is
        candidates.setdefault(fact.field, []).append((fact.rank, index))
    for ours, found in candidates.items():
        found.sort()
        if len(found) > 1 and found[0][0] == found[1][0]:
            raise FileRefused(
                f"line {line}: the column {headers[found[0][1]]!r} appears twice (columns "
                f"{found[0][1] + 1} and {found[1][1] + 1}), so which holds {ours} is not "
                "clear: rename one, or say which with --mapping"
            )
        mapped.fields[ours] = found[0][1]
        mapped.how[ours] = "known"
        mapped.alternatives += [(ours, headers[index]) for _, index in found[1:]]
    return mapped


def _column(
    cells: list[str], normalised: list[str], column: str, ours: str, explicit: Explicit | None
) -> int:
    exact = [index for index, cell in enumerate(cells) if cell.strip() == column.strip()]
    found = exact or [
        index for index, header in enumerate(normalised) if header == normalise(column)
    ]
    if len(found) > 1:
        raise FileRefused(
            f"the column {column!r} that the mapping gives for {ours} appears "
            f"{len(found)} times (columns {', '.join(str(index + 1) for index in found)})"
        )
    if not found:
        name = explicit.name if explicit else "the mapping"
        raise FileRefused(
            f"{name} gives {column!r} for {ours}, but the file has no such column; its "
            f"columns are: {', '.join(repr(cell.strip()) for cell in cells[:40])}"
        )
    return found[0]


def ignore_row_numbers(mapped: Mapping, rows: list[list[str]]) -> None:
    """Set aside the columns that only number the rows (1, 2, 3...)."""
    for index in mapped.kept:
        if normalise(mapped.raw[index]) not in ROW_NUMBER_HEADERS:
            continue
        values = [cells[index].strip() if index < len(cells) else "" for cells in rows]
        numbers = [value for value in values if value]
        if numbers and all(value == str(n) for n, value in enumerate(numbers, start=1)):
            mapped.ignored[index] = "it numbers the rows"
