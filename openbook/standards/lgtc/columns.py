"""Which of a contracts register's columns holds which of our fields (docs/local-transparency.md,
"Columns"). Pure. Found as the spend import finds a spending file's (openbook.standards.spend
.mapping: the header among the first rows, names compared after ``normalise``, a mapping file
for the rest), with this vocabulary of names.

The names, in order of precedence (where a file has two columns for one field, the one listed
first is taken; the other is kept aside and said):

1. The Local Government Association's contracts register, as councils publishing with it name
   its columns (the schema itself was not to hand: the titles are those councils list, such as
   Norfolk County Council's notes on its columns 4 "Contract reference number", 5 "Open
   Contracting ID" ... 37 "Contract document URL"), and the Association's organisation
   columns (OrganisationLabel, OrganisationURI) as its spend schema writes them.
2. The Code's own words for each item (Part 2, "Procurement information").
3. Salford City Council's contracts register as published (uk-spend-samples/salford/clean/
   2022-07.csv, a real file: every one of its 24 columns is either a field or said below).
4. Our own field names, so that a file written with them needs no mapping.

Columns known but not mapped to OCDS are listed in ``NOT_MAPPED`` with the reason, which the
report gives; any other column is reported as not understood.
"""

from functools import cache

from openbook.standards.lgtc import FIELDS, REQUIRED
from openbook.standards.spend.mapping import Known, Vocabulary, normalise

_NAMES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (source, field, names)
    ("lga", "body", ("OrganisationLabel", "Organisation Label", "Organisation name")),
    ("lga", "bodyId", ("OrganisationURI", "Organisation URI", "Organisation code")),
    ("lga", "reference", ("Contract reference number", "Reference number", "ReferenceNumber")),
    ("lga", "ocid", ("Open Contracting ID", "OCID", "OpenContractingID")),
    ("lga", "title", ("Contract title", "Title")),
    ("lga", "description", ("Description", "Contract description")),
    ("lga", "category", ("Contract type", "Procurement category")),
    ("lga", "cpvLabel", ("CPV label", "CPV code label")),
    ("lga", "cpv", ("CPV URI", "CPV code", "CPV")),
    ("lga", "proclassLabel", ("Proclass label", "ProClass Description")),
    ("lga", "proclass", ("Proclass URI", "ProClass Classification", "Proclass code")),
    ("lga", "startDate", ("Contract start date", "Start date")),
    ("lga", "endDate", ("Contract end date", "End date")),
    ("lga", "maxEndDate", ("Last extension date", "Extension end date", "Maximum end date")),
    ("lga", "value", ("Contract value", "Total contract value", "Value")),
    ("lga", "supplier", ("Supplier name", "SupplierName")),
    ("lga", "supplierCompanyNumber", ("Supplier registered company number",)),
    ("lga", "supplierCharityNumber", ("Supplier registered charity number",)),
    ("lga", "supplierId", ("Supplier identifier", "Supplier organisation identifier")),
    ("lga", "supplierPostcode", ("Supplier postcode",)),
    ("lga", "sme", ("SME supplier", "SME")),
    ("lga", "vcse", ("VCSE supplier", "VCSE")),
    ("lga", "procedure", ("Procurement process", "Procurement method", "Procurement type")),
    ("lga", "tenderUrl", ("Tender document URL",)),
    ("lga", "contractUrl", ("Contract document URL",)),
    ("code", "title", ("Title of agreement",)),
    ("code", "description", ("Description of the goods and/or services being provided",)),
    ("code", "supplier", ("Supplier name and details",)),
    ("code", "value", ("Sum to be paid over the length of the contract",)),
    ("code", "procedure", ("Invitation to quote or tender",)),
    ("salford", "reference", ("Contract Reference",)),
    ("salford", "title", ("Contract Title",)),
    ("salford", "description", ("Contract Description",)),
    ("salford", "purchasingBody", ("Purchasing Body",)),
    ("salford", "procedure", ("Process Used",)),
    ("salford", "supplier", ("Supplier Company Name",)),
    ("salford", "supplierPostcode", ("Supplier Postcode",)),
    ("salford", "value", ("Total Contract Value (including extensions)",)),
    ("salford", "startDate", ("Start Date",)),
    ("salford", "endDate", ("End Date",)),
    ("salford", "sme", ("SME Supplier?",)),
    ("salford", "proclass", ("ProClass Classification",)),
    ("salford", "proclassLabel", ("ProClass Description",)),
    ("salford", "supplierCompanyNumber", ("Company Number",)),
)

SOURCES = {
    "lga": "Local Government Association contracts register columns, as councils name them",
    "code": "Local Government Transparency Code 2015, Part 2, 'Procurement information'",
    "salford": "Salford City Council's contracts register (uk-spend-samples/salford/clean/"
    "2022-07.csv)",
    "openbook": "openbook's own field names (openbook.standards.lgtc.FIELDS)",
}

# Columns councils publish that no OCDS field holds (normalised name: why), said in the report.
_DEPARTMENT = "the department responsible: OCDS names the buyer, not a part of it"
_ANNUAL = (
    "an annual figure: an OCDS value is the whole contract's (the total is taken where the file "
    "gives one)"
)
NOT_MAPPED = {
    normalise(name): why
    for names, why in (
        (
            (
                "Directorate Name",
                "Directorate",
                "Department",
                "Responsible unit",
                "Local authority department responsible",
                "Service area",
            ),
            _DEPARTMENT,
        ),
        (
            ("Annual Value", "Estimated annual value", "Estimated annual spending or budget"),
            _ANNUAL,
        ),
        (
            (
                "Irrecoverable VAT",
                "Value Added Tax that cannot be recovered",
                "Irrecoverable VAT amount",
            ),
            "OCDS has no field for VAT that cannot be recovered",
        ),
        (("Review date",), "OCDS has no review date"),
        (
            (
                "Contract Duration (months)",
                "Option to extend (months)",
                "How many extensions",
                "Extension 1 Taken?",
                "Extension 2 Taken?",
            ),
            "durations and options to extend: the contract's period says its dates, and "
            "'Last extension date' its furthest end",
        ),
        (
            ("Current Expiry Date",),
            "the end after the extensions already taken: the contract's period ends at the "
            "file's end date",
        ),
        (
            ("OJEU/FTS?",),
            "whether the procurement was advertised in the OJEU or on Find a Tender: its own "
            "notices say it (the process's ocid joins them)",
        ),
        (
            ("VCSE supplier type",),
            "OCDS says whether a supplier is a VCSE organisation (details.vcse), not which kind",
        ),
        (
            ("Service category label", "Service category URI"),
            "a service category of the council's accounts (SeRCOP): no OCDS field",
        ),
        (
            ("Nominated contact point", "Nominated contact point: URL"),
            "a contact at the council: not a fact of the contract",
        ),
        (("Visibility",), "whether the council shows the row: every row loaded is public"),
    )
    for name in names
}


@cache
def known() -> dict[str, Known]:
    """The known column names, normalised, with the field each gives (the first source that
    names a column wins it)."""
    found: dict[str, Known] = {}
    rank = 0
    named = [*_NAMES, *(("openbook", name, (name,)) for name in FIELDS)]
    for source, field, names in named:
        for name in names:
            header = normalise(name)
            if header in found:
                continue
            found[header] = Known(field, rank, (name,), (source,))
            rank += 1
    return found


def _hint(normalised: set[str], missing: list[str]) -> str:
    hint = ""
    if "body" in missing:
        hint = (
            " Nothing in the file says which council's register it is (a column such as "
            "'OrganisationLabel'): give it with --council."
        )
    if {"payment date", "amount"} <= normalised or "beneficiary name" in normalised:
        hint += " Its columns are those of payments: load it with `openbook spend load`."
    return hint


VOCABULARY = Vocabulary(
    known,
    FIELDS,
    REQUIRED,
    " Say which column holds each field with --mapping (docs/local-transparency.md).",
    _hint,
)
