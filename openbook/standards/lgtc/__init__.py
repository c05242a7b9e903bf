"""The Local Government Transparency Code 2015's contracts over £5,000, as councils publish them
(issue 9, item 5; docs/local-transparency.md). Pure: the column names councils use
(``columns``), and each row read into a contract and each process into an OCDS release
(``contracts``). Reading a file's bytes, its values and finding its header reuse the spend
import's helpers (openbook.standards.spend.text, values and mapping).

The Code (Part 2, "Procurement information") asks for every contract, commissioned activity,
purchase order, framework agreement and other legally enforceable agreement over £5,000: its
reference number, title, the department responsible, a description, the supplier's name and
details, the sum to be paid over its length (or the estimated annual spending), VAT that cannot
be recovered, its start, end and review dates, whether it came from an invitation to quote or a
published invitation to tender, and whether the supplier is an SME or a voluntary or community
sector organisation, with its company or charity number where it is.
"""

REGISTER = "ocds"  # each contract becomes a release of a contracting process: the OCDS log

# Our names for what a contracts register's columns say, in the order reports list them. The
# council is required too, from a column or ``--council``.
FIELDS = (
    "reference",  # the council's reference for the contract
    "ocid",  # the Open Contracting ID of the process, where the council has one
    "title",
    "description",
    "body",  # the council whose register it is: the buyer
    "bodyId",  # its identifier, or its URI as the file gives it
    "purchasingBody",  # the body that ran the procurement, where it is another
    "category",  # goods, services or works
    "procedure",  # how it was procured: invitation to quote or tender, call-off, exception
    "value",  # the sum to be paid over the contract's length
    "currency",
    "startDate",
    "endDate",
    "maxEndDate",  # the end were every extension taken
    "supplier",  # the supplier's name
    "supplierCompanyNumber",  # Companies House
    "supplierCharityNumber",  # a charity regulator's
    "supplierId",  # an organisation identifier, SCHEME-ID
    "supplierPostcode",
    "sme",  # whether the supplier is a small or medium-sized enterprise
    "vcse",  # whether it is a voluntary, community or social enterprise organisation
    "cpv",  # a Common Procurement Vocabulary code
    "cpvLabel",
    "proclass",  # a ProClass code (local government's procurement classification)
    "proclassLabel",
    "tenderUrl",  # the invitation to tender or its notice
    "contractUrl",  # the contract document
)
REQUIRED = ("title",)
DATES = ("startDate", "endDate", "maxEndDate")
DEFAULT_CURRENCY = "GBP"
