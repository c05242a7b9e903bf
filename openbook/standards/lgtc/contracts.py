"""A contracts register read into contracts, each with its process's ocid (docs/local-
transparency.md). Pure.

``parse`` takes the file's bytes and returns each row's fate: a contract, a blank row, a row
that is no contract, or a row refused with the reason; and notes, each naming its row and
column, about what was read but not kept (an identifier that is none, a flag that is neither
yes nor no). A file that cannot be read as a contracts register raises ``FileRefused``.

Identity (docs/local-transparency.md, "Identity"). A contract's process is the ocid the file's
Open Contracting ID column gives, when it is an ocid; else one minted under the platform's
prefix from the council and the contract's reference (``minted_ocid``), so that the same
contract in any later file of the council is the same process. Rows of one reference are the
contracts of one process (a framework's suppliers, a procurement's lots); within it a contract
is told apart by its title and supplier.
"""

import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from openbook.standards import organisation_names
from openbook.standards.canonical import canonical_json
from openbook.standards.grants.review import org_id
from openbook.standards.identifiers import Checked, check, check_party_id
from openbook.standards.lgtc import DATES, DEFAULT_CURRENCY
from openbook.standards.lgtc.columns import NOT_MAPPED, VOCABULARY
from openbook.standards.ocds.summary import cpv_code
from openbook.standards.spend import mapping, text, values
from openbook.standards.spend.text import FileRefused
from openbook.standards.spend.transactions import Body
from openbook.standards.spend.values import ValueProblem

LONDON = ZoneInfo("Europe/London")
# An ocid: "ocds-", a six-character prefix the Open Contracting Partnership registered, and the
# publisher's own id (OCDS 1.1, "Identifiers").
OCID = re.compile(r"ocds-[a-z0-9]{6}-\S.{0,200}")
MAX_REFERENCE = 200
_URL = re.compile(r"https?://[^\s/]+\S*", re.IGNORECASE)
# What registers write where they have no one supplier, or no date or number yet.
_UNNAMED = re.compile(
    r"(?:various|multiple|several|many|tbc|tba|to be (?:confirmed|agreed))"
    r"(?:\s+(?:providers?|suppliers?|contractors?|organisations?))?",
    re.IGNORECASE,
)
_NOT_GIVEN = frozenset({"tbc", "tba", "ongoing", "various", "unknown", "not known", "n/k"})
_YES = frozenset({"yes", "y", "true", "1", "sme", "vcse"})
_NO = frozenset({"no", "n", "false", "0"})
_CATEGORIES = {
    "goods": "goods",
    "supplies": "goods",
    "supply": "goods",
    "services": "services",
    "service": "services",
    "works": "works",
    "work": "works",
}


@dataclass(frozen=True, slots=True)
class Note:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(slots=True)
class Contract:
    """A row as a contract of its process, in the OCDS pieces its release is made of."""

    row: int
    body: Body
    ocid: str
    minted: bool  # the ocid was minted, not given by the file
    reference: str | None
    title: str
    description: str | None
    purchasing_body: str | None  # the body that ran the procurement, where another
    category: str | None  # goods, services or works
    procedure: str | None  # as the file says it
    value: dict | None
    period: dict | None
    supplier: dict | None  # its OCDS party, without roles
    items: list[dict]
    tender_documents: list[dict]
    contract_documents: list[dict]
    key: str = ""  # its award's and contract's id within the process (set when grouped)

    def content(self) -> dict:
        """What the row says of the contract, for telling repeats apart."""
        return {
            name: getattr(self, name)
            for name in (
                "title", "description", "purchasing_body", "category", "procedure", "value",
                "period", "supplier", "items", "tender_documents", "contract_documents",
            )
        }  # fmt: skip


@dataclass
class Parsed:
    name: str
    sha256: str
    size: int
    encoding: str
    delimiter: str
    mapping: mapping.Mapping
    lines_above: int
    dates: str = ""
    contracts: list[Contract] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    repeated: list[tuple[int, int]] = field(default_factory=list)  # (row, the row it repeats)
    blank: int = 0
    notes: list[Note] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # what was read, by kind

    @property
    def rows(self) -> int:
        return len(self.contracts) + len(self.refused) + len(self.skipped) + len(self.repeated)

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by

    def processes(self) -> dict[str, list[Contract]]:
        """The contracts by process, in the order the file first gives each."""
        found: dict[str, list[Contract]] = {}
        for each in self.contracts:
            found.setdefault(each.ocid, []).append(each)
        return found


def parse(
    data: bytes,
    *,
    name: str,
    council: Body | None,
    prefix: str,
    explicit: mapping.Explicit | None = None,
    date_order: str | None = None,
    encoding: str | None = None,
) -> Parsed:
    """Read a contracts register. ``council`` is the council whose register it is, if given
    (``--council``); else each row's comes from the file's organisation column. ``prefix`` is
    the platform's ocid prefix, under which ocids are minted. Raises ``FileRefused``."""
    if len(data) > text.MAX_FILE_BYTES:
        raise FileRefused(
            f"the file is {len(data):,} bytes; a contracts register is at most "
            f"{text.MAX_FILE_BYTES // 1024 // 1024} MB"
        )
    decoded = text.decode(data, encoding)
    separator = text.delimiter(decoded.text)
    every = list(text.rows(decoded.text, separator))
    header, mapped = mapping.find(
        every, explicit, body_given=council is not None, vocabulary=VOCABULARY
    )
    if len(mapped.headers) > text.MAX_COLUMNS:
        raise FileRefused(
            f"line {mapped.line}: {len(mapped.headers)} columns; a register has at most "
            f"{text.MAX_COLUMNS}"
        )
    below = every[header + 1 :]
    mapping.ignore_row_numbers(mapped, [cells for _, cells in below])
    for index in mapped.kept:
        mapped.ignored.setdefault(
            index,
            NOT_MAPPED.get(
                mapping.normalise(mapped.raw[index]),
                "not a column of a contracts register that openbook knows: not mapped "
                "(name its field with --mapping if it is one)",
            ),
        )
    dated = [mapped.fields[each] for each in DATES if each in mapped.fields]
    order = date_order or (explicit.date_order if explicit else None)
    style = values.date_style(
        ((line, cells[index]) for line, cells in below for index in dated if index < len(cells)),
        order,
    )
    parsed = Parsed(
        name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        encoding=decoded.description,
        delimiter=separator,
        mapping=mapped,
        lines_above=sum(1 for _, cells in every[:header] if any(c.strip() for c in cells)),
    )
    reader = _Rows(mapped, style, council, prefix, parsed)
    for line, cells in below:
        reader.read(line, cells)
    _identify(parsed)
    forms = [f"{form} ({count:,})" for form, count in reader.forms.most_common()]
    if any(form.startswith("numeric") for form in reader.forms) or style.conflict:
        forms.append(style.description)
    parsed.dates = "; ".join(forms) or "none read"
    return parsed


class _Rows:
    def __init__(
        self,
        mapped: mapping.Mapping,
        style: values.DateStyle,
        council: Body | None,
        prefix: str,
        parsed: Parsed,
    ) -> None:
        self.mapped = mapped
        self.style = style
        self.council = council
        self.prefix = prefix
        self.parsed = parsed
        self.bodies: dict[str, Body] = {}
        self.forms: Counter[str] = Counter()

    def read(self, line: int, cells: list[str]) -> None:
        if not any(cell.strip() for cell in cells):
            self.parsed.blank += 1
            return
        try:
            text.check_row(self.mapped.headers, cells, "a register")
            if not any(self._text(cells, name) for name in ("title", "supplier", "value")):
                first = next(cell for cell in cells if cell.strip())[:60]
                why = f"not a contract (no title, no supplier, no value): {first!r}"
                self.parsed.skipped.append((line, why))
                return
            self.parsed.contracts.append(self._contract(line, cells))
        except ValueProblem as problem:
            self.parsed.refused.append((line, str(problem)))

    # Cells

    def _cell(self, cells: list[str], name: str) -> str:
        index = self.mapped.fields.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def _text(self, cells: list[str], name: str) -> str | None:
        value = " ".join(self._cell(cells, name).split())
        return None if values.absent(value) else value

    def _header(self, name: str) -> str:
        return self.mapped.headers[self.mapped.fields[name]]

    def _note(self, line: int, name: str, message: str) -> None:
        self.parsed.notes.append(Note(line, self._header(name), message))

    # The contract

    def _contract(self, line: int, cells: list[str]) -> Contract:
        title = self._text(cells, "title")
        if title is None:
            raise ValueProblem(
                f"{self._header('title')!r} is empty: a contract is published with its title"
            )
        body = self.council or self._body(cells)
        reference = self._text(cells, "reference")
        if reference is not None and len(reference) > MAX_REFERENCE:
            raise ValueProblem(
                f"{self._header('reference')!r} is {len(reference):,} characters long; a "
                f"reference is at most {MAX_REFERENCE}"
            )
        supplier = self._supplier(line, cells)
        start = self._day(line, cells, "startDate")
        end = self._day(line, cells, "endDate")
        furthest = self._day(line, cells, "maxEndDate")
        if start and end and end < start:
            self._note(line, "endDate", f"ends ({end}) before it starts ({start}): kept as given")
        ocid, minted = self._ocid(
            line, cells, body, reference=reference, title=title, supplier=supplier, start=start
        )
        purchasing = self._text(cells, "purchasingBody")
        if purchasing and _key(purchasing) == _key(body.name):
            purchasing = None
        period = {
            name: moment
            for name, moment in (
                ("startDate", start and _start_of(start)),
                ("endDate", end and _end_of(end)),
                ("maxExtentDate", furthest and _end_of(furthest)),
            )
            if moment
        }
        tender_url = self._url(line, cells, "tenderUrl")
        contract_url = self._url(line, cells, "contractUrl")
        self.parsed.count("minted ocids" if minted else "ocids given")
        return Contract(
            row=line,
            body=body,
            ocid=ocid,
            minted=minted,
            reference=reference,
            title=title,
            description=self._text(cells, "description"),
            purchasing_body=purchasing,
            category=self._category(line, cells),
            procedure=self._text(cells, "procedure"),
            value=self._value(line, cells),
            period=period or None,
            supplier=supplier,
            items=self._items(cells),
            tender_documents=[{"id": "tender", "documentType": "tenderNotice", "url": tender_url}]
            if tender_url
            else [],
            contract_documents=[
                {"id": "contract", "documentType": "contractSigned", "url": contract_url}
            ]
            if contract_url
            else [],
        )

    def _body(self, cells: list[str]) -> Body:
        name = self._text(cells, "body")
        if not name:
            raise ValueProblem(
                f"{self._header('body')!r}: the council is not named (give it with --council)"
            )
        if name not in self.bodies:
            given = self._text(cells, "bodyId")
            checked = org_id(given) if given else None
            found = checked.identifier if checked is not None else None
            self.bodies[name] = Body(name, str(found) if found else None)
        return self.bodies[name]

    def _ocid(
        self,
        line: int,
        cells: list[str],
        body: Body,
        *,
        reference: str | None,
        title: str,
        supplier: dict | None,
        start: date | None,
    ) -> tuple[str, bool]:
        given = self._text(cells, "ocid")
        if given is not None:
            if OCID.fullmatch(given):
                return given, False
            self._note(
                line,
                "ocid",
                f"{given[:60]!r} is not an ocid ('ocds-', a registered six-character prefix, "
                "a hyphen and the process's id): an ocid was minted for the contract instead",
            )
        supplier_name = supplier["name"] if supplier else None
        minted = minted_ocid(
            self.prefix, body, reference=reference, title=title, supplier=supplier_name, start=start
        )
        return minted, True

    def _day(self, line: int, cells: list[str], name: str) -> date | None:
        cell = " ".join(self._cell(cells, name).split())
        if values.absent(cell):
            return None
        if cell.lower() in _NOT_GIVEN:
            self.parsed.count(f"dates given as {cell.lower()!r}")
            return None
        self.forms[values.date_form(cell)] += 1
        try:
            return values.payment_date(cell, self.style, what="a contract's date")
        except ValueProblem as problem:
            self._note(line, name, f"{problem}: not kept")
            self.parsed.count("values not kept")
            return None

    def _value(self, line: int, cells: list[str]) -> dict | None:
        cell = " ".join(self._cell(cells, "value").split())
        if values.absent(cell) or cell.lower() in _NOT_GIVEN:
            return None
        try:
            amount, currency = values.amount(cell)
        except ValueProblem as problem:
            self._note(line, "value", f"{problem}: not kept")
            self.parsed.count("values not kept")
            return None
        if amount < 0:
            self._note(line, "value", f"{cell!r} is negative: a contract's value is not; not kept")
            return None
        given = (self._text(cells, "currency") or "").upper()
        if given and not re.fullmatch(r"[A-Z]{3}", given):
            raise ValueProblem(
                f"{self._header('currency')!r}: {given[:20]!r} is not a currency code such as GBP"
            )
        return {"amount": _number(amount), "currency": currency or given or DEFAULT_CURRENCY}

    def _category(self, line: int, cells: list[str]) -> str | None:
        given = self._text(cells, "category")
        if given is None:
            return None
        found = _CATEGORIES.get(given.lower())
        if found is None:
            self._note(
                line, "category", f"{given[:40]!r} is not goods, services or works: not kept"
            )
        return found

    def _flag(self, line: int, cells: list[str], name: str) -> bool | None:
        given = self._text(cells, name)
        if given is None:
            return None
        if given.lower() in _YES:
            return True
        if given.lower() in _NO:
            return False
        self._note(line, name, f"{given[:40]!r} is neither yes nor no: not kept")
        return None

    def _url(self, line: int, cells: list[str], name: str) -> str | None:
        given = self._text(cells, name)
        if given is None:
            return None
        if not _URL.fullmatch(given):
            self._note(line, name, f"{given[:60]!r} is not a web address (https://...): not kept")
            return None
        return given

    def _items(self, cells: list[str]) -> list[dict]:
        classifications = []
        cpv = self._text(cells, "cpv")
        code = cpv_code(re.sub(r"^.*[/#=-](?=\d{8})", "", cpv)) if cpv else None
        if code:
            found = {"scheme": "CPV", "id": code}
            if label := self._text(cells, "cpvLabel"):
                found["description"] = label
            classifications.append(found)
        proclass = self._text(cells, "proclass")
        if proclass:
            found = {"scheme": "ProClass", "id": proclass.rsplit("/", 1)[-1]}
            if label := self._text(cells, "proclassLabel"):
                found["description"] = label
            classifications.append(found)
        if not classifications:
            return []
        item: dict = {"id": "1", "classification": classifications[0]}
        if len(classifications) > 1:
            item["additionalClassifications"] = classifications[1:]
        return [item]

    # The supplier

    def _supplier(self, line: int, cells: list[str]) -> dict | None:
        name = self._text(cells, "supplier")
        if name is None:
            return None
        if values.is_withheld(name):
            self.parsed.count("suppliers withheld")
            return None
        if _UNNAMED.fullmatch(name):
            self.parsed.count(f"suppliers given as {name!r}")
            return None
        identifiers = [
            found
            for found in (
                self._identifier(line, cells, "supplierId", org_id),
                self._identifier(line, cells, "supplierCompanyNumber", _company),
                self._identifier(line, cells, "supplierCharityNumber", _charity),
            )
            if found is not None
        ]
        unique = list(dict.fromkeys(identifiers))
        party: dict = {
            "id": unique[0] if unique else f"supplier-{_digest({'name': _key(name)}, 12)}",
            "name": name,
        }
        if unique:
            party["identifier"] = _identifier_object(unique[0])
        if len(unique) > 1:
            party["additionalIdentifiers"] = [_identifier_object(each) for each in unique[1:]]
        postcode = self._text(cells, "supplierPostcode")
        if postcode and not _UNNAMED.fullmatch(postcode):
            party["address"] = {"postalCode": postcode}
        details: dict[str, str | bool] = {}
        sme = self._flag(line, cells, "sme")
        if sme is not None:
            details["scale"] = "sme" if sme else "large"
        vcse = self._flag(line, cells, "vcse")
        if vcse is not None:
            details["vcse"] = vcse
        if details:
            party["details"] = details
        return party

    def _identifier(self, line: int, cells: list[str], name: str, reader) -> str | None:
        given = self._text(cells, name)
        if given is None or given.lower() in _NOT_GIVEN:
            return None
        checked: Checked = reader(given)
        if checked.identifier is None:
            self._note(line, name, f"{checked.message}: the supplier is kept without it")
            self.parsed.count("supplier identifiers refused")
            return None
        self.parsed.count("supplier identifiers")
        return str(checked.identifier)


def _company(value: str) -> Checked:
    return check("GB-COH", value)


def _charity(value: str) -> Checked:
    """A charity number: Scotland's begin SC; others are the Charity Commission's."""
    compact = re.sub(r"\s+", "", value).upper()
    return check("GB-SC" if compact.startswith("SC") else "GB-CHC", value)


def _identifier_object(identifier: str) -> dict:
    checked = check_party_id(identifier)
    assert checked.identifier is not None
    return {"scheme": checked.identifier.scheme, "id": checked.identifier.id}


def _identify(parsed: Parsed) -> None:
    """Each contract's id within its process: its title and supplier, numbered where a process
    has two different contracts of the same; a row exactly as an earlier one of its process is
    a repeat of it, not another contract."""
    repeats = set()
    for contracts in parsed.processes().values():
        seen: dict[str, list[Contract]] = {}
        for each in contracts:
            supplier = each.supplier["name"] if each.supplier else ""
            key = _digest({"title": _key(each.title), "supplier": _key(supplier)}, 12)
            same = seen.setdefault(key, [])
            repeat = next((one for one in same if one.content() == each.content()), None)
            if repeat is not None:
                parsed.repeated.append((each.row, repeat.row))
                repeats.add(each.row)
                continue
            each.key = key if not same else f"{key}-{len(same) + 1}"
            same.append(each)
    parsed.contracts = [each for each in parsed.contracts if each.row not in repeats]


def minted_ocid(
    prefix: str,
    body: Body,
    *,
    reference: str | None,
    title: str,
    supplier: str | None,
    start: date | None,
) -> str:
    """The ocid of a contract the file gives none for: the platform's prefix, ``lgtc``, and a
    digest of the council and the contract's reference (upper case, spaces as one); without a
    reference, of the council, the title, the supplier and the start date."""
    if reference is not None:
        identity: dict = {"council": body.key, "reference": " ".join(reference.upper().split())}
    else:
        identity = {
            "council": body.key,
            "title": _key(title),
            "supplier": _key(supplier or ""),
            "start": start.isoformat() if start else None,
        }
    return f"{prefix}-lgtc-{_digest(identity, 16)}"


def release(contracts: list[Contract], release_id: str, moment: str) -> dict:
    """The OCDS release of a process from its contracts in one file: the council as buyer, the
    body that ran the procurement where another, each contract an award and a contract of its
    supplier. What the contracts share (a title, a category, a procedure) is the tender's."""
    first = contracts[0]
    buyer = _buyer(first.body)
    parties: dict[str, dict] = {buyer["id"]: buyer}
    tender = _tender(contracts, parties)
    awards, made = [], []
    for each in contracts:
        if each.supplier is not None and each.supplier["id"] not in parties:
            parties[each.supplier["id"]] = {**each.supplier, "roles": ["supplier"]}
        award, contract = _award_and_contract(each)
        awards.append(award)
        made.append(contract)
    return {
        "ocid": first.ocid,
        "id": release_id,
        "date": moment,
        "tag": ["award", "contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": list(parties.values()),
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "tender": tender,
        "awards": awards,
        "contracts": made,
    }


def _tender(contracts: list[Contract], parties: dict[str, dict]) -> dict:
    first = contracts[0]
    tender: dict = {"id": first.reference or first.key}
    for name, field_name in (
        ("title", "title"),
        ("description", "description"),
        ("mainProcurementCategory", "category"),
        ("procurementMethodDetails", "procedure"),
    ):
        shared = {getattr(each, field_name) for each in contracts}
        if len(shared) == 1 and (value := shared.pop()) is not None:
            tender[name] = value
    procuring = {each.purchasing_body for each in contracts if each.purchasing_body}
    if len(procuring) == 1:
        body = procuring.pop()
        party = {"id": f"procuring-{_digest({'name': _key(body)}, 12)}", "name": body}
        parties[party["id"]] = {**party, "roles": ["procuringEntity"]}
        tender["procuringEntity"] = party
    urls = dict.fromkeys(
        document["url"] for each in contracts for document in each.tender_documents
    )
    if urls:
        tender["documents"] = [
            {"id": f"tender-{number}", "documentType": "tenderNotice", "url": url}
            for number, url in enumerate(urls, 1)
        ]
    return tender


def _award_and_contract(each: Contract) -> tuple[dict, dict]:
    award: dict = {"id": each.key, "status": "active", "title": each.title}
    if each.supplier is not None:
        award["suppliers"] = [{"id": each.supplier["id"], "name": each.supplier["name"]}]
    contract: dict = {"id": each.key, "awardID": each.key, "title": each.title}
    if each.description:
        contract["description"] = each.description
    if each.value:
        award["value"] = contract["value"] = each.value
    if each.period:
        award["contractPeriod"] = contract["period"] = each.period
    if each.items:
        contract["items"] = each.items
    if each.contract_documents:
        contract["documents"] = each.contract_documents
    return award, contract


def content_hash(contracts: list[Contract]) -> str:
    """What a process's release says, whatever its id and date: the same rows give the same."""
    return hashlib.sha256(canonical_json(release(contracts, "", ""))).hexdigest()


def _buyer(body: Body) -> dict:
    party: dict = {"id": body.id or f"council-{body.key}", "name": body.name, "roles": ["buyer"]}
    if body.id:
        checked = check_party_id(body.id)
        if checked.identifier is not None:
            party["identifier"] = {
                "scheme": checked.identifier.scheme,
                "id": checked.identifier.id,
                "legalName": body.name,
            }
    return party


def _key(name: str) -> str:
    return organisation_names.key(name) or " ".join(name.lower().split())


def _digest(identity: dict, length: int) -> str:
    return hashlib.sha256(canonical_json(identity)).hexdigest()[:length]


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _start_of(day: date) -> str:
    """A day as OCDS writes a moment: its first moment in the UK."""
    return datetime.combine(day, time(0, 0), tzinfo=LONDON).isoformat()


def _end_of(day: date) -> str:
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON).isoformat()
