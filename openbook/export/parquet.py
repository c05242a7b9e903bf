"""Parquet tables of every release, for analysts (docs/downloads.md describes every column).

One table per kind of object: releases, parties, tenders, lots, awards, contracts, items,
documents; one row per object in each release, keyed by the release's ``ocid`` and ``release_id``
and, below the release, by the parent's id. Columns are typed: text, numbers (float64), whole
numbers (int64), booleans, timestamps (UTC, microseconds), lists of text. A value of the wrong
type for its column (an amount given as text, a date that is not a date) is left empty there;
the JSON Lines files keep every release exactly as published.

Rows are gathered a row group at a time and written with pyarrow, so memory stays flat
whatever the number of releases.
"""

import multiprocessing
import traceback
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq

ROW_GROUP = 32768  # rows of a table gathered before they are written as one row group
# Releases' JSON taken in before every table's rows are written, whatever their number: rows
# hold the releases' text, so this bounds memory even when releases are large.
FLUSH_BYTES = 64 * 2**20
COMPRESSION = "zstd"

TEXT = pa.string()
NUMBER = pa.float64()
WHOLE = pa.int64()
BOOLEAN = pa.bool_()
TIME = pa.timestamp("us", tz="UTC")
TEXTS = pa.list_(pa.string())

KEYS = [("ocid", TEXT), ("release_id", TEXT)]
VALUE = [("value_amount", NUMBER), ("value_amount_gross", NUMBER), ("value_currency", TEXT)]

COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "releases": [
        ("seq", WHOLE),
        ("log_time", TIME),
        ("publisher", TEXT),
        *KEYS,
        ("date", TIME),
        ("tag", TEXTS),
        ("initiation_type", TEXT),
        ("language", TEXT),
        ("buyer_id", TEXT),
        ("buyer_name", TEXT),
    ],
    "parties": [
        *KEYS,
        ("id", TEXT),
        ("name", TEXT),
        ("roles", TEXTS),
        ("identifier_scheme", TEXT),
        ("identifier_id", TEXT),
        ("identifier_legal_name", TEXT),
        ("street_address", TEXT),
        ("locality", TEXT),
        ("region", TEXT),
        ("postal_code", TEXT),
        ("country_name", TEXT),
        ("contact_name", TEXT),
        ("contact_email", TEXT),
        ("contact_telephone", TEXT),
        ("scale", TEXT),
        ("vcse", BOOLEAN),
    ],
    "tenders": [
        *KEYS,
        ("id", TEXT),
        ("title", TEXT),
        ("description", TEXT),
        ("status", TEXT),
        ("procurement_method", TEXT),
        ("procurement_method_details", TEXT),
        ("main_procurement_category", TEXT),
        ("award_criteria", TEXT),
        ("submission_method", TEXTS),
        *VALUE,
        ("tender_period_start", TIME),
        ("tender_period_end", TIME),
        ("enquiry_period_end", TIME),
        ("award_period_start", TIME),
        ("award_period_end", TIME),
        ("contract_period_start", TIME),
        ("contract_period_end", TIME),
        ("number_of_tenderers", WHOLE),
        ("procuring_entity_id", TEXT),
        ("procuring_entity_name", TEXT),
        ("above_threshold", BOOLEAN),
        ("suitable_for_sme", BOOLEAN),
        ("suitable_for_vcse", BOOLEAN),
    ],
    "lots": [
        *KEYS,
        ("tender_id", TEXT),
        ("id", TEXT),
        ("title", TEXT),
        ("description", TEXT),
        ("status", TEXT),
        *VALUE,
        ("contract_period_start", TIME),
        ("contract_period_end", TIME),
    ],
    "awards": [
        *KEYS,
        ("id", TEXT),
        ("title", TEXT),
        ("description", TEXT),
        ("status", TEXT),
        ("date", TIME),
        *VALUE,
        ("contract_period_start", TIME),
        ("contract_period_end", TIME),
        ("supplier_ids", TEXTS),
        ("supplier_names", TEXTS),
        ("related_lots", TEXTS),
    ],
    "contracts": [
        *KEYS,
        ("id", TEXT),
        ("award_id", TEXT),
        ("title", TEXT),
        ("description", TEXT),
        ("status", TEXT),
        ("date_signed", TIME),
        *VALUE,
        ("period_start", TIME),
        ("period_end", TIME),
    ],
    "items": [
        *KEYS,
        ("parent_type", TEXT),
        ("parent_id", TEXT),
        ("id", TEXT),
        ("description", TEXT),
        ("classification_scheme", TEXT),
        ("classification_id", TEXT),
        ("classification_description", TEXT),
        ("quantity", NUMBER),
        ("unit_name", TEXT),
        ("unit_value_amount", NUMBER),
        ("unit_value_currency", TEXT),
        ("related_lot", TEXT),
    ],
    "documents": [
        *KEYS,
        ("parent_type", TEXT),
        ("parent_id", TEXT),
        ("id", TEXT),
        ("document_type", TEXT),
        ("notice_type", TEXT),
        ("title", TEXT),
        ("description", TEXT),
        ("url", TEXT),
        ("date_published", TIME),
        ("date_modified", TIME),
        ("format", TEXT),
        ("language", TEXT),
    ],
}
TABLES = tuple(COLUMNS)


class Tables:
    """The Parquet files of a snapshot, filled one release at a time."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.paths = {name: directory / f"{name}.parquet" for name in TABLES}
        self.counts = dict.fromkeys(TABLES, 0)
        self._schemas = {name: pa.schema(COLUMNS[name]) for name in TABLES}
        self._writers = {
            name: pq.ParquetWriter(self.paths[name], self._schemas[name], compression=COMPRESSION)
            for name in TABLES
        }
        self._rows: dict[str, list[tuple]] = {name: [] for name in TABLES}
        self._taken = 0  # bytes of JSON since the last flush

    def add(self, seq: int, log_time: str, publisher: str, release: dict, size: int = 0) -> None:
        """Add a release's rows; ``size`` is its JSON's length, for bounding memory."""
        rows = self._rows
        keys = (_text(release.get("ocid")), _text(release.get("id")))
        buyer = _object(release.get("buyer"))
        rows["releases"].append(
            (
                seq,
                _time(log_time),
                publisher,
                *keys,
                _time(release.get("date")),
                _texts(release.get("tag")),
                _text(release.get("initiationType")),
                _text(release.get("language")),
                _text(buyer.get("id")),
                _text(buyer.get("name")),
            )
        )
        for party in _objects(release.get("parties")):
            rows["parties"].append(_party(keys, party))
        planning = _object(release.get("planning"))
        self._documents(keys, "planning", None, planning)
        tender = release.get("tender")
        if isinstance(tender, dict):
            tender_id = _text(tender.get("id"))
            rows["tenders"].append(_tender(keys, tender))
            for lot in _objects(tender.get("lots")):
                rows["lots"].append(_lot(keys, tender_id, lot))
            self._items(keys, "tender", tender_id, tender)
            self._documents(keys, "tender", tender_id, tender)
        for award in _objects(release.get("awards")):
            award_id = _text(award.get("id"))
            rows["awards"].append(_award(keys, award))
            self._items(keys, "award", award_id, award)
            self._documents(keys, "award", award_id, award)
        for contract in _objects(release.get("contracts")):
            contract_id = _text(contract.get("id"))
            rows["contracts"].append(_contract(keys, contract))
            self._items(keys, "contract", contract_id, contract)
            self._documents(keys, "contract", contract_id, contract)
            implementation = _object(contract.get("implementation"))
            self._documents(keys, "implementation", contract_id, implementation)
        self._taken += size
        if self._taken >= FLUSH_BYTES:
            for name in TABLES:
                self._flush(name)
            self._taken = 0
        for name, table_rows in rows.items():
            if len(table_rows) >= ROW_GROUP:
                self._flush(name)

    def _items(self, keys: tuple, parent_type: str, parent_id: str | None, parent: dict) -> None:
        for item in _objects(parent.get("items")):
            classification = _object(item.get("classification"))
            unit = _object(item.get("unit"))
            unit_value = _object(unit.get("value"))
            self._rows["items"].append(
                (
                    *keys,
                    parent_type,
                    parent_id,
                    _text(item.get("id")),
                    _text(item.get("description")),
                    _text(classification.get("scheme")),
                    _text(classification.get("id")),
                    _text(classification.get("description")),
                    _number(item.get("quantity")),
                    _text(unit.get("name")),
                    _number(unit_value.get("amount")),
                    _text(unit_value.get("currency")),
                    _text(item.get("relatedLot")),
                )
            )

    def _documents(
        self, keys: tuple, parent_type: str, parent_id: str | None, parent: dict
    ) -> None:
        for document in _objects(parent.get("documents")):
            self._rows["documents"].append(
                (
                    *keys,
                    parent_type,
                    parent_id,
                    _text(document.get("id")),
                    _text(document.get("documentType")),
                    _text(document.get("noticeType")),
                    _text(document.get("title")),
                    _text(document.get("description")),
                    _text(document.get("url")),
                    _time(document.get("datePublished")),
                    _time(document.get("dateModified")),
                    _text(document.get("format")),
                    _text(document.get("language")),
                )
            )

    def _flush(self, name: str) -> None:
        rows = self._rows[name]
        if not rows:
            return
        schema = self._schemas[name]
        columns = zip(*rows, strict=True)
        arrays = [
            pa.array(values, type=WHOLE).cast(TIME)
            if field.type == TIME
            else pa.array(values, type=field.type)
            for values, field in zip(columns, schema, strict=True)
        ]
        self._writers[name].write_batch(pa.record_batch(arrays, schema=schema))
        self.counts[name] += len(rows)
        rows.clear()

    def add_json(self, seq: int, log_time: str, publisher: str, line: bytes) -> None:
        self.add(seq, log_time, publisher, orjson.loads(line), len(line))

    def close(self) -> dict[str, int]:
        """Write what is left; the rows of each table."""
        for name in TABLES:
            self._flush(name)
            self._writers[name].close()
        return dict(self.counts)

    def abort(self) -> None:
        for writer in self._writers.values():
            writer.close()


class WorkerError(Exception):
    """The worker making the Parquet tables failed; the message says how."""


class TablesWorker:
    """The same tables, filled in a worker process: parsing releases and building rows is most
    of an export's work in Python, and a worker gives it a core of its own. Releases travel in
    batches through a pipe, whose small buffer keeps memory bounded on both sides."""

    def __init__(self, directory: Path) -> None:
        # spawn, not fork: the worker must not inherit this process's database connection.
        context = multiprocessing.get_context("spawn")
        self._connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_fill, args=(theirs, directory), name="parquet", daemon=True
        )
        self._process.start()
        theirs.close()
        self._batch: list[tuple[int, str, str, bytes]] = []
        self._size = 0

    def add_json(self, seq: int, log_time: str, publisher: str, line: bytes) -> None:
        self._batch.append((seq, log_time, publisher, line))
        self._size += len(line)
        if self._size >= BATCH_BYTES:
            self._send()

    def _send(self) -> None:
        try:
            self._connection.send(self._batch)
        except OSError as error:
            raise WorkerError(f"the Parquet worker stopped ({self._exit()}): {error}") from None
        self._batch = []
        self._size = 0

    def close(self) -> dict[str, int]:
        if self._batch:
            self._send()
        self._connection.send(None)
        try:
            outcome = self._connection.recv()
        except EOFError:
            outcome = f"the Parquet worker stopped ({self._exit()})"
        self._process.join()
        self._connection.close()
        if isinstance(outcome, str):
            raise WorkerError(outcome)
        return outcome

    def abort(self) -> None:
        self._process.terminate()
        self._process.join()
        self._connection.close()

    def _exit(self) -> str:
        self._process.join(5)
        return f"exit code {self._process.exitcode}"


BATCH_BYTES = 4 * 2**20  # releases' JSON sent to the worker at a time


def _fill(connection: Connection, directory: Path) -> None:
    """The worker: tables from the batches received, then their row counts (or what failed)."""
    try:
        tables = Tables(directory)
        while (batch := connection.recv()) is not None:
            for seq, log_time, publisher, line in batch:
                tables.add_json(seq, log_time, publisher, line)
        connection.send(tables.close())
    except Exception:  # told to the exporting process, which raises it
        connection.send(traceback.format_exc())
    finally:
        connection.close()


def _party(keys: tuple, party: dict) -> tuple:
    identifier = _object(party.get("identifier"))
    address = _object(party.get("address"))
    contact = _object(party.get("contactPoint"))
    details = _object(party.get("details"))
    return (
        *keys,
        _text(party.get("id")),
        _text(party.get("name")),
        _texts(party.get("roles")),
        _text(identifier.get("scheme")),
        _text(identifier.get("id")),
        _text(identifier.get("legalName")),
        _text(address.get("streetAddress")),
        _text(address.get("locality")),
        _text(address.get("region")),
        _text(address.get("postalCode")),
        _text(address.get("countryName")),
        _text(contact.get("name")),
        _text(contact.get("email")),
        _text(contact.get("telephone")),
        _text(details.get("scale")),
        _boolean(details.get("vcse")),
    )


def _tender(keys: tuple, tender: dict) -> tuple:
    procuring_entity = _object(tender.get("procuringEntity"))
    suitability = _object(tender.get("suitability"))
    return (
        *keys,
        _text(tender.get("id")),
        _text(tender.get("title")),
        _text(tender.get("description")),
        _text(tender.get("status")),
        _text(tender.get("procurementMethod")),
        _text(tender.get("procurementMethodDetails")),
        _text(tender.get("mainProcurementCategory")),
        _text(tender.get("awardCriteria")),
        _texts(tender.get("submissionMethod")),
        *_value(tender.get("value")),
        *_period(tender.get("tenderPeriod")),
        _period(tender.get("enquiryPeriod"))[1],
        *_period(tender.get("awardPeriod")),
        *_period(tender.get("contractPeriod")),
        _whole(tender.get("numberOfTenderers")),
        _text(procuring_entity.get("id")),
        _text(procuring_entity.get("name")),
        _boolean(tender.get("aboveThreshold")),
        _boolean(suitability.get("sme")),
        _boolean(suitability.get("vcse")),
    )


def _lot(keys: tuple, tender_id: str | None, lot: dict) -> tuple:
    return (
        *keys,
        tender_id,
        _text(lot.get("id")),
        _text(lot.get("title")),
        _text(lot.get("description")),
        _text(lot.get("status")),
        *_value(lot.get("value")),
        *_period(lot.get("contractPeriod")),
    )


def _award(keys: tuple, award: dict) -> tuple:
    suppliers = _objects(award.get("suppliers"))
    return (
        *keys,
        _text(award.get("id")),
        _text(award.get("title")),
        _text(award.get("description")),
        _text(award.get("status")),
        _time(award.get("date")),
        *_value(award.get("value")),
        *_period(award.get("contractPeriod")),
        [_text(supplier.get("id")) for supplier in suppliers],
        [_text(supplier.get("name")) for supplier in suppliers],
        _texts(award.get("relatedLots")),
    )


def _contract(keys: tuple, contract: dict) -> tuple:
    return (
        *keys,
        _text(contract.get("id")),
        _text(contract.get("awardID")),
        _text(contract.get("title")),
        _text(contract.get("description")),
        _text(contract.get("status")),
        _time(contract.get("dateSigned")),
        *_value(contract.get("value")),
        *_period(contract.get("period")),
    )


def _value(value: Any) -> tuple:
    value = _object(value)
    return (
        _number(value.get("amount")),
        _number(value.get("amountGross")),
        _text(value.get("currency")),
    )


def _period(period: Any) -> tuple:
    period = _object(period)
    return _time(period.get("startDate")), _time(period.get("endDate"))


_EMPTY: dict = {}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _object(value: Any) -> dict:
    return value if isinstance(value, dict) else _EMPTY


def _objects(value: Any) -> list[dict]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]


def _text(value: Any) -> str | None:
    """Text; a number or boolean as JSON writes it (identifiers are often given as numbers)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return None


def _texts(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [text for item in value if (text := _text(item)) is not None]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an integer beyond a double's range
        return None


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and -(2**63) <= value < 2**63:
        return value
    return None


def _boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _time(value: Any) -> int | None:
    """An RFC 3339 date-time (or an ISO 8601 date) as microseconds since 1970 in UTC (what a
    timestamp column holds: pyarrow converts integers many times faster than datetimes); one
    without an offset is read as UTC. Anything else is no date."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // _MICROSECOND
