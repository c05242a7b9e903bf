"""Build the column-name facts that openbook's spend import carries (docs/spend.md, "Columns"),
from published schemas and real bodies' files.

    python scripts/build_spend_facts.py [--source ../shared/data] [--output FILE]

Writes ``openbook/standards/spend/data/variants.json`` (the default ``--output``): every column
name known to hold one of our fields, normalised as openbook.standards.spend.mapping compares
names, with its spellings and where each came from, in the order of precedence (where a file
has two columns for one field, the one listed first is taken). The sources, in that order:

1. HM Treasury's spend over £25,000 column names (``lgtc-schemas-datagovuk/spend-hmt/
   spend-25k.json``), our field for each given below by hand.
2. The Local Government Association's supplier spend column names, as Trafford Council
   publishes them (the header of ``lgtc-trafford/supplier_spend/*.csv``; the titles of its CSV
   on the Web metadata, which does not parse as JSON as published).
3. Each body's ``index.json`` in ``uk-spend-samples/``: the spellings of five columns seen
   across all its files over the years (Amount, Beneficiary Name, Organisation Label,
   Organisational Unit, Payment Date).
4. Column names in the samples' files that none of the above gives (``SEEN`` below, each
   checked against the files' headers: the build fails if one occurs in none).
5. Our own field names (openbook.standards.spend.FIELDS: "currency", "supplierVat"...), so that
   a file written with them, such as one a mapping file describes, needs no mapping.

A name a later source gives for another field than an earlier one did keeps the earlier field;
the output lists such clashes under ``clashes``. Deterministic: a test rebuilds and compares.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openbook.standards.spend import FIELDS  # noqa: E402
from openbook.standards.spend.mapping import normalise  # noqa: E402

DEFAULT_SOURCE = ROOT.parent / "shared" / "data"
DEFAULT_OUTPUT = ROOT / "openbook" / "standards" / "spend" / "data" / "variants.json"

HMT_SCHEMA = "lgtc-schemas-datagovuk/spend-hmt/spend-25k.json"
# Our field for each column of the Treasury's format (None: kept as a column as it is).
HMT = {
    "Department family": "department",
    "Entity": "entity",
    "Date": "date",
    "Expense type": "expenseType",
    "Expense area": "unit",
    "Supplier": "supplier",
    "Transaction number": "transactionNumber",
    "Amount": "amount",
    "Description": "description",
    "Supplier postcode": "supplierPostcode",
    "Supplier type": None,
    "Contract number": "contractReference",
    "Project code": None,
    "Expenditure type": None,
    "VAT registration number": "supplierVat",
}
LGA_FILES = "lgtc-trafford/supplier_spend"
LGA = {
    "OrganisationLabel": "body",
    "OrganisationURI": "bodyId",
    "EffectiveDate": None,  # the end of the accounting period, not the payment's date
    "OrganisationalUnit": "unit",
    "BeneficiaryName": "supplier",
    "BeneficiaryOtherID": "supplierId",
    "PaymentDate": "date",
    "TransactionNumber": "transactionNumber",
    "Amount": "amount",
    "IrrecoverableVATAmount": None,
    "Purpose": "description",
    "ProclassLabel": None,  # a procurement classification: kept as a column
    "ProclassCode": None,
    "InvoiceNumber": "invoiceNumber",
    "ProfitCentre": None,
    "VATRegistrationNumber": "supplierVat",
}
SAMPLES = "uk-spend-samples"
INDEX = {
    "Amount": "amount",
    "Beneficiary Name": "supplier",
    "Organisation Label": "body",
    "Organisational Unit": "unit",
    "Payment Date": "date",
}
SEEN = {
    "Transaction Number": "transactionNumber",
    "Document No": "transactionNumber",
    "Document No.": "transactionNumber",
    "DocumentNo": "transactionNumber",
    "Document Number": "transactionNumber",
    "Body Name": "body",
    "Authority Name": "body",
    "Departmental Family": "department",
    "Expenses Type": "expenseType",
    "Expense Code Description": "expenseType",
    "GL Description": "expenseType",
    "Account": "expenseType",
    "Vendor ID": "supplierId",
    "Address Book No.": "supplierId",
    "Invoice No.": "invoiceNumber",
}


def build(source: Path) -> dict:
    variants: dict[str, dict] = {}
    clashes: list[dict] = []
    sources: dict[str, str] = {}

    def add(name: str, ours: str | None, origin: str) -> None:
        if ours is None:
            return
        assert ours in FIELDS, ours
        header = normalise(name)
        found = variants.setdefault(header, {"header": header, "field": ours, "names": [],
                                             "sources": []})  # fmt: skip
        if found["field"] != ours:
            clashes.append(
                {"header": name, "field": ours, "kept": found["field"], "source": origin}
            )
            return
        if name not in found["names"]:
            found["names"].append(name)
        if origin not in found["sources"]:
            found["sources"].append(origin)

    schema = json.loads((source / HMT_SCHEMA).read_text(encoding="utf-8"))
    sources["hmt"] = f"HM Treasury, spend over £25,000 column names ({HMT_SCHEMA})"
    for column in schema["fields"]:
        add(column["name"], HMT[column["name"]], "hmt")

    lga_files = sorted((source / LGA_FILES).glob("*.csv"))
    sources["lga"] = (
        "Local Government Association supplier spend column names, as Trafford Council "
        f"publishes them ({lga_files[0].relative_to(source)})"
    )
    for name in _header(lga_files[0]):
        add(name, LGA[name], "lga")

    for index in sorted((source / SAMPLES).glob("*/index.json")):
        body = index.parent.name
        sources[body] = f"{index.relative_to(source)}"
        for column, names in json.loads(index.read_text(encoding="utf-8"))["columns"][
            "map"
        ].items():
            for name in names:
                add(name, INDEX[column], body)

    seen = _sample_headers(source / SAMPLES)
    for name, ours in SEEN.items():
        bodies = sorted(seen.get(name, ()))
        if not bodies:
            raise SystemExit(f"SEEN lists {name!r}, which no sample file's header has")
        for body in bodies:
            sources.setdefault(f"{body}-files", f"{SAMPLES}/{body}/clean/*.csv (headers)")
            add(name, ours, f"{body}-files")
    sources["openbook"] = "openbook's own field names (openbook.standards.spend.FIELDS)"
    for name in FIELDS:
        add(name, name, "openbook")
    return {
        "about": "Column names of spending files and the field each gives, in order of "
        "precedence; built by scripts/build_spend_facts.py (docs/spend.md).",
        "sources": dict(sorted(sources.items())),
        "variants": list(variants.values()),
        "clashes": clashes,
    }


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return next(csv.reader(file))


def _sample_headers(folder: Path) -> dict[str, set[str]]:
    """Each header cell of the samples' files, with the bodies whose files have it."""
    found: dict[str, set[str]] = {}
    for path in sorted(folder.glob("*/clean/*.csv")):
        data = path.read_bytes().split(b"\n", 1)[0]
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252")
        text = re.sub("^\u00ef\u00bb\u00bf", "", text)
        for name in next(csv.reader(io.StringIO(text)), []):
            found.setdefault(name.strip(), set()).add(path.parent.parent.name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args()
    facts = build(arguments.source)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(
        json.dumps(facts, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
