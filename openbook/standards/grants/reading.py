"""A 360Giving file's grants, from its JSON (a package: ``{"grants": [...]}``) or its spreadsheet
form saved as CSV (the standard's column titles, "Recipient Org:Identifier"). Pure.

The bytes are read as the spend import reads a spending file (openbook.standards.spend.text:
encodings guessed honestly, byte-order marks, other formats refused with what to do); a CSV's
header is found as a spending file's is (openbook.standards.spend.mapping, with the standard's
titles as the known names). Each row becomes the grant the spreadsheet stands for: its cells at
their titles' JSON paths, numbers as numbers, lists of texts split at ";", empty cells left out;
a column the standard does not name is kept as a field of the grant under its own header, as
the standard's own tools keep it. A value that is not what its column says (text under
"Amount Awarded") is kept as written, for the review to say so.
"""

import itertools
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

import orjson

from openbook.standards import grants
from openbook.standards.spend import mapping, text, values
from openbook.standards.spend.mapping import Mapping
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.values import ValueProblem

MAX_GRANTS = 1_000_000  # the largest publishers' files hold tens of thousands
JSON = "json"
CSV = "csv"
_XLSX = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class Read:
    where: str  # "grants[3]" in JSON, "row 4" in CSV
    grant: dict


@dataclass
class Parsed:
    name: str
    format: str
    encoding: str
    grants: list[Read] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (where, why)
    package: dict = field(default_factory=dict)  # a JSON package's metadata, without grants
    mapping: Mapping | None = None  # a CSV's columns
    blank: int = 0
    counts: Counter = field(default_factory=Counter)


@cache
def _titles() -> dict[str, dict]:
    return {mapping.normalise(each["title"]): each for each in grants.columns()["columns"]}


@cache
def _known() -> dict[str, mapping.Known]:
    return {
        header: mapping.Known(column["title"], rank, (column["title"],), ("360giving",))
        for rank, (header, column) in enumerate(_titles().items())
    }


def _hint(normalised: set[str], missing: list[str]) -> str:
    return (
        " A 360Giving spreadsheet has an 'Identifier' column, each grant's own id, and columns "
        "titled as the standard titles them ('Recipient Org:Identifier', 'Amount Awarded')."
    )


VOCABULARY = mapping.Vocabulary(
    _known,
    tuple(column["title"] for column in grants.columns()["columns"]),
    ("Identifier",),
    "",
    _hint,
)


def parse(data: bytes, *, name: str, encoding: str | None = None) -> Parsed:
    """Read a 360Giving file. Raises ``FileRefused`` for a file that is not one."""
    if data.startswith(_XLSX):
        raise FileRefused(
            "this is a zip archive, such as an Excel workbook (.xlsx): open it and save the "
            "grants sheet as CSV (UTF-8), or publish the JSON form"
        )
    decoded = text.decode(data, encoding)
    if decoded.text.lstrip()[:1] in {"{", "["}:
        return _json(decoded, name)
    return _csv(decoded, name)


def _json(decoded: text.Decoded, name: str) -> Parsed:
    try:
        document = orjson.loads(decoded.text)
    except orjson.JSONDecodeError as error:
        raise FileRefused(
            f"not valid JSON: line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("grants"), list):
        raise FileRefused(
            'not a 360Giving file: its JSON is not an object with a "grants" list (the '
            "standard's package form)"
        )
    items = document["grants"]
    if len(items) > MAX_GRANTS:
        raise FileRefused(f"{len(items):,} grants; a file holds at most {MAX_GRANTS:,}")
    parsed = Parsed(name, JSON, decoded.description)
    parsed.package = {key: value for key, value in document.items() if key != "grants"}
    for index, item in enumerate(items):
        where = f"grants[{index}]"
        if not isinstance(item, dict):
            parsed.refused.append((where, f"is {type(item).__name__}, not a grant (an object)"))
            continue
        parsed.grants.append(Read(where, item))
    return parsed


def _csv(decoded: text.Decoded, name: str) -> Parsed:
    separator = text.delimiter(decoded.text)
    every = list(text.rows(decoded.text, separator))
    header, mapped = mapping.find(every, None, body_given=True, vocabulary=VOCABULARY)
    if len(mapped.headers) > text.MAX_COLUMNS:
        raise FileRefused(f"line {mapped.line}: {len(mapped.headers)} columns; at most 500")
    below = every[header + 1 :]
    if len(below) > MAX_GRANTS:
        raise FileRefused(f"{len(below):,} rows; a file holds at most {MAX_GRANTS:,}")
    mapping.ignore_row_numbers(mapped, [cells for _, cells in below])
    parsed = Parsed(name, CSV, decoded.description, mapping=mapped)
    titles = _titles()
    columns = [
        (index, titles[mapping.normalise(mapped.headers[index])])
        for index in sorted(mapped.fields.values())
    ]
    extra = [(index, mapped.headers[index]) for index in mapped.kept]
    for line, cells in below:
        if not any(cell.strip() for cell in cells):
            parsed.blank += 1
            continue
        where = f"row {line}"
        width = len(mapped.headers)
        if any(cell.strip() for cell in cells[width:]):
            why = (
                f"the row has {len(cells)} values and the header {width} columns (a "
                "delimiter inside an unquoted value?)"
            )
            parsed.refused.append((where, why))
            continue
        grant: dict = {}
        for index, column in columns:
            cell = cells[index].strip() if index < len(cells) else ""
            if cell:
                _put(grant, column["path"], _typed(cell, column["type"], parsed))
        for index, title in extra:
            cell = cells[index].strip() if index < len(cells) else ""
            if cell:
                grant.setdefault(title, cell)
        parsed.grants.append(Read(where, grant))
    return parsed


def _typed(cell: str, kind: str, parsed: Parsed) -> object:
    if kind == "array":
        return [part.strip() for part in cell.split(";") if part.strip()]
    if kind in {"number", "integer"}:
        try:
            amount, _ = values.amount(cell)
        except ValueProblem:
            parsed.counts["values kept as written (not numbers)"] += 1
            return cell
        return int(amount) if amount == amount.to_integral_value() else float(amount)
    return cell


def _put(grant: dict, path: list, value: object) -> None:
    """Set ``value`` at ``path`` (names, and 0 for a list's first item), making the way."""
    node: dict = grant
    for step, following in itertools.pairwise(path):
        if step == 0:
            continue
        if following == 0:
            listed = node.setdefault(step, [{}])
            node = listed[0]
        else:
            node = node.setdefault(step, {})
    node[path[-1]] = value
