"""Flattened compiled releases, CSV and Excel, made by flatterer (the field's flattening tool).

flatterer turns each compiled release into a row of ``compiled_releases`` and each object in an
array into a row of a table named by its path (``parties``, ``awards_suppliers``,
``tender_items``...), linked by ``_link`` columns; arrays of text become one comma-separated
cell. The CSV tables and flatterer's own description of them (``fields.csv``, ``tables.csv``,
``datapackage.json``) are zipped into one file.

Excel is made only where the workbook would open: no sheet over 1,048,576 rows (one of them the
header) or 16,384 columns, and no cell over 32,767 characters (Excel's specifications and
limits). Otherwise the manifest says which limit the data exceeds, and the CSV is the download.
"""

import csv
import multiprocessing
import shutil
import zipfile
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import flatterer
import orjson

MAIN_TABLE = "compiled_releases"
CSV_ZIP = "compiled-releases-csv.zip"
WORK = ".flatterer"
# Inputs at least this large are flattened in a worker process, beside the rest of the export;
# below it, starting one costs more than it saves.
IN_A_WORKER_FROM_BYTES = 16 * 2**20
EXCEL_ROWS = 1_048_576  # per sheet, the header row included
EXCEL_COLUMNS = 16_384
EXCEL_CELL = 32_767  # characters in one cell
# flatterer builds a workbook in memory: about 36 MB per million cells with values, over a base
# of about 180 MB (measured: 600 MB for 11.5 million cells, 2.3 GB for 59 million). At this many
# it takes under 400 MB, which keeps the export under its 1 GB; beyond, the workbook (hundreds
# of megabytes, sheets of hundreds of thousands of rows) is past what Excel opens comfortably.
EXCEL_MOST_CELLS = 5_000_000
ZIP_LEVEL = 6


class LongestCell:
    """The longest cell flatterer can make from the compiled releases seen, measured as they
    stream past: a cell's text is never longer than the JSON it came from, so only a release
    longer than the limit is parsed and measured."""

    def __init__(self) -> None:
        self.length = 0
        self.ocid: str | None = None
        self.releases = 0

    def observe(self, ocid: str, line: bytes) -> None:
        self.releases += 1
        if len(line) <= max(self.length, EXCEL_CELL):
            return
        length = _longest(orjson.loads(line))
        if length > self.length:
            self.length, self.ocid = length, ocid


def _longest(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return max((_longest(item) for item in value.values()), default=0)
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            # flatterer joins an array of scalars into one cell, with commas.
            return sum(len(str(item)) for item in value) + max(len(value) - 1, 0)
        return max((_longest(item) for item in value), default=0)
    return len(str(value))


@dataclass
class Flattened:
    tables: dict[str, int]  # rows of each CSV table
    csv_zip: Path | None
    xlsx: Path | None
    no_xlsx_reason: str | None


class Flattening:
    """Flattening the compiled releases: the CSV (flatterer's run and the zip) starts at once,
    in a worker process when the input is large, so that it overlaps the rest of the export
    (flatterer holds the GIL while it runs); ``finish`` waits for it, then makes the Excel
    workbook if the tables fit.

    The workbook is made in this process, after the rest of the export: flatterer builds it in
    memory, so it is never made while other work holds memory too."""

    def __init__(self, compiled: Path, directory: Path, longest: LongestCell) -> None:
        self.compiled = compiled
        self.directory = directory
        self.longest = longest
        self._executor: ProcessPoolExecutor | None = None
        self._future: Future[_Sizes] | None = None
        self._sizes: _Sizes | None = None
        if longest.releases == 0:
            return  # flatterer refuses empty input; there is nothing to flatten
        if compiled.stat().st_size >= IN_A_WORKER_FROM_BYTES:
            # spawn, not fork: the worker must not inherit this process's database connection.
            context = multiprocessing.get_context("spawn")
            self._executor = ProcessPoolExecutor(1, mp_context=context)
            self._future = self._executor.submit(_csv, compiled, directory)
        else:
            self._sizes = _csv(compiled, directory)

    def finish(self) -> Flattened:
        if self.longest.releases == 0:
            return Flattened({}, None, None, "there are no compiled releases")
        if self._future is not None:
            try:
                self._sizes = self._future.result()
            finally:
                self.close()
        assert self._sizes is not None
        reason = _exceeds(self._sizes, self.longest)
        xlsx = None
        work = self.directory / WORK
        if reason is None:
            _run(self.compiled, work / "xlsx", csv=False, xlsx=True)
            xlsx = self.directory / "compiled-releases.xlsx"
            (work / "xlsx" / "output.xlsx").rename(xlsx)
        shutil.rmtree(work)
        return Flattened(self._sizes.rows, self.directory / CSV_ZIP, xlsx, reason)

    def close(self) -> None:
        """Stop the worker (waiting for what it is doing: flatterer cannot be interrupted)."""
        if self._executor is not None:
            self._executor.shutdown(cancel_futures=True)
            self._executor = None


def _csv(compiled: Path, directory: Path) -> "_Sizes":
    """flatterer's CSV tables of the compiled releases, zipped; their sizes."""
    work = directory / WORK
    _run(compiled, work / "csv", csv=True, xlsx=False)
    _zip(work / "csv", directory / CSV_ZIP)
    return _table_sizes(work / "csv" / "fields.csv")


class FlattenError(Exception):
    """flatterer could not flatten the compiled releases; the message is flatterer's."""


def _run(compiled: Path, output: Path, *, csv: bool, xlsx: bool) -> None:
    try:
        flatterer.flatten(
            str(compiled),
            str(output),
            csv=csv,
            xlsx=xlsx,
            ndjson=True,
            gzip_input=True,
            main_table_name=MAIN_TABLE,
            force=True,
        )
    except RuntimeError as error:  # what flatterer raises, whatever went wrong
        raise FlattenError(str(error)) from None


@dataclass
class _Sizes:
    rows: dict[str, int]  # of each table
    columns: dict[str, int]  # of each table
    cells: int  # with a value, in all tables


def _table_sizes(fields_csv: Path) -> _Sizes:
    """The tables' sizes, from flatterer's fields.csv (each field's count of values; every row
    has a ``_link``, so a table's largest count is its rows)."""
    sizes = _Sizes({}, {}, 0)
    with fields_csv.open(newline="", encoding="utf-8") as file:
        for field_row in csv.DictReader(file):
            table, count = field_row["table_name"], int(field_row["count"])
            sizes.rows[table] = max(sizes.rows.get(table, 0), count)
            sizes.columns[table] = sizes.columns.get(table, 0) + 1
            sizes.cells += count
    return sizes


def _exceeds(sizes: _Sizes, longest: LongestCell) -> str | None:
    """Why the data does not fit in an Excel workbook, or None if it does."""
    if sizes.cells > EXCEL_MOST_CELLS:
        return (
            f"the tables hold {sizes.cells:,} values; a workbook is made for at most "
            f"{EXCEL_MOST_CELLS:,} (beyond that, flatterer needs more memory than an export may "
            "take, and Excel struggles to open it)"
        )
    for table, rows in sizes.rows.items():
        if rows + 1 > EXCEL_ROWS:
            return (
                f"table {table} has {rows:,} rows; an Excel sheet holds {EXCEL_ROWS - 1:,} "
                "below its header"
            )
    for table, count in sizes.columns.items():
        if count > EXCEL_COLUMNS:
            return f"table {table} has {count:,} columns; an Excel sheet holds {EXCEL_COLUMNS:,}"
    if longest.length > EXCEL_CELL:
        return (
            f"a cell of {longest.ocid} would hold {longest.length:,} characters; an Excel cell "
            f"holds {EXCEL_CELL:,}"
        )
    return None


def _zip(folder: Path, target: Path) -> None:
    with zipfile.ZipFile(
        target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL
    ) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                # A fixed timestamp: the same log gives the same archive.
                info = zipfile.ZipInfo(str(path.relative_to(folder)), (1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.file_size = path.stat().st_size  # so that zipfile uses ZIP64 when needed
                with path.open("rb") as source, archive.open(info, "w") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
