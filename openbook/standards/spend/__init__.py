"""Spending data as public bodies publish it (issue 9; docs/spend.md): the central government
files of spend over £25,000 (HM Treasury's guidance) and the Local Government Transparency
Code's payments over £500, in every variant their publishers use. Pure: reading a file's bytes
(``text``), finding and mapping its columns (``mapping``), reading its values (``values``),
and making each row a transaction with an identity (``transactions``).

Each transaction is a statement in the log's ``spend`` register. Its record key is the
transaction's identity (docs/spend.md, "Identity"), never the row it came from, so that loading
a file again changes nothing and an amended file becomes exactly the corrections it holds.
"""

REGISTER = "spend"

# Our names for what a spending file's columns say, in the order reports list them. Only the
# first three are required; the paying body is required too, from a column or ``--body``.
FIELDS = (
    "date",  # the payment date
    "amount",
    "supplier",  # the supplier's or beneficiary's name
    "body",  # the paying body's name
    "bodyId",  # its identifier or URI, as the file gives it
    "department",  # the departmental family (central government)
    "entity",  # the entity within it that paid (central government)
    "unit",  # the part of the body that spent: expense area, service area, directorate
    "expenseType",
    "transactionNumber",
    "invoiceNumber",
    "description",  # the purpose of the spend
    "contractReference",
    "supplierId",  # the body's own number for the supplier
    "supplierVat",
    "supplierPostcode",
    "currency",
)
REQUIRED = ("date", "amount", "supplier")
DEFAULT_CURRENCY = "GBP"  # both the Treasury's guidance and the Code ask for pounds sterling
