"""The tables of the store. The schema lives here (and in migrations); the SQL that reads and
writes them lives in the store's other modules.

The log is standard-agnostic (docs/log-format.md): a statement belongs to a register (``ocds``,
later ``bods``...) and a record within it (the OCDS ocid), and has its own id.
"""

from django.db import models


class SequenceField(models.BigIntegerField):
    """A log sequence number. On SQLite the column is declared INTEGER, which makes a primary
    key of it the table's rowid (SQLite's clustered key) rather than a second index beside it:
    fewer B-trees to write per statement, and joins on it are direct lookups. INTEGER in SQLite
    holds 64 bits, as BIGINT does on PostgreSQL."""

    def db_type(self, connection):
        return "integer" if connection.vendor == "sqlite" else super().db_type(connection)

    def rel_db_type(self, connection):
        return self.db_type(connection)


class LogEntry(models.Model):
    """One accepted statement. Append-only: triggers refuse UPDATE, DELETE and TRUNCATE."""

    seq = SequenceField(primary_key=True)  # 0-based and gap-free, as RFC 9162 leaves
    register = models.CharField(max_length=32)
    # Text, not varchar: PostgreSQL would silently cut trailing spaces past a varchar's length,
    # and the entry would no longer match its hash. Lengths are bounded where statements come
    # in (openbook.load.reading.IDENTITY_BYTES), the same on both databases.
    record_key = models.TextField()
    statement_id = models.TextField()
    statement_date = models.TextField()  # as the statement gives it
    log_time = models.CharField(
        max_length=32
    )  # RFC 3339, UTC, microseconds: "...T..:..:...ffffffZ"
    publisher = models.TextField()
    body_hash = models.CharField(max_length=64)  # hex SHA-256 of the RFC 8785 canonical body
    leaf_hash = models.CharField(max_length=64)  # hex RFC 9162 leaf hash of the entry

    class Meta:
        db_table = "log_entry"
        constraints = [
            models.UniqueConstraint(
                fields=["register", "record_key", "statement_id"], name="log_entry_statement"
            )
        ]
        indexes = [
            models.Index(fields=["register", "record_key", "seq"], name="log_entry_record"),
            # A register's statements in log order (the BODS feed, withdrawals, redactions):
            # a page read in order, never the whole register sorted for each page.
            models.Index(fields=["register", "seq"], name="log_entry_register_seq"),
        ]


class LogBody(models.Model):
    """A statement's body, apart from its entry so that a logged redaction can remove it while the
    entry (and its hash, and so every proof) stays."""

    entry = models.OneToOneField(
        LogEntry, primary_key=True, db_column="seq", on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(null=True)  # canonical JSON text; NULL once redacted

    class Meta:
        db_table = "log_body"


class StatementTerm(models.Model):
    """A term a statement is found by in the change feed (for OCDS: ``stage:tender``,
    ``buyer:<key>``, ``supplier:<key>``; openbook.standards.ocds.terms). Written in the
    transaction that appends the statement, so a filtered feed never skips one."""

    pk = models.CompositePrimaryKey("term", "seq")
    term = models.TextField()
    seq = models.BigIntegerField()

    class Meta:
        db_table = "statement_term"


class Review(models.Model):
    """The review result attached to a statement when it was accepted (validation problems)."""

    entry = models.OneToOneField(
        LogEntry, primary_key=True, db_column="seq", on_delete=models.PROTECT, related_name="+"
    )
    errors = models.IntegerField()
    warnings = models.IntegerField()
    problems = models.TextField()  # JSON list of {code, path, message, severity}
    package_hash = models.CharField(max_length=64, null=True)  # the enclosing package, if any

    class Meta:
        db_table = "review"


class SourcePackage(models.Model):
    """The metadata of a package statements arrived in (publisher, license, extensions declared),
    once per distinct metadata, so that record packages can declare what their releases used."""

    package_hash = models.CharField(
        max_length=64, primary_key=True
    )  # SHA-256 of the canonical JSON
    metadata = models.TextField()  # canonical JSON, without the releases or records

    class Meta:
        db_table = "source_package"


class Conflict(models.Model):
    """A statement whose (register, record key, id) was already in the log with another body.

    The stored statement is untouched; the newcomer is kept here, outside the log, with the report.
    """

    register = models.CharField(max_length=32)
    record_key = models.TextField()
    statement_id = models.TextField()
    body_hash = models.CharField(max_length=64)
    body = models.TextField()
    stored_seq = models.BigIntegerField()
    source = models.TextField()  # file and position, or the API call
    received_time = models.CharField(max_length=32)
    report = models.TextField()

    class Meta:
        db_table = "conflict"
        constraints = [
            models.UniqueConstraint(
                fields=["register", "record_key", "statement_id", "body_hash"],
                name="conflict_statement_body",
            )
        ]


class Record(models.Model):
    """A record compiled from its statements (for OCDS: the compiled release of one ocid)."""

    register = models.CharField(max_length=32)
    record_key = models.TextField()
    compiled = models.TextField(null=True)  # JSON; NULL when compiling failed (see compile_error)
    compile_error = models.TextField(null=True)
    statement_count = models.IntegerField()
    last_seq = models.BigIntegerField()
    compiled_time = models.CharField(max_length=32)

    class Meta:
        db_table = "record"
        constraints = [
            models.UniqueConstraint(fields=["register", "record_key"], name="record_key_unique")
        ]


class PendingRecord(models.Model):
    """A record that has new statements and must be recompiled; written in the same transaction
    as the statements, so an interrupted load leaves a to-do list rather than a stale record."""

    register = models.CharField(max_length=32)
    record_key = models.TextField()

    class Meta:
        db_table = "pending_record"
        constraints = [
            models.UniqueConstraint(fields=["register", "record_key"], name="pending_record_key")
        ]


class ProcessSearch(models.Model):
    """A contracting process as the process search finds it (openbook.standards.ocds.summary):
    one row per compiled OCDS record, written in the transaction that stores the compiled
    release, so that search always agrees with records (docs/search.md). Its text is indexed
    apart, in ``process_text`` (openbook.store.search: FTS5 on SQLite, tsvector on PostgreSQL)."""

    # The log seq of the process's last release when it was indexed: unique, known before the
    # row is written, and the rowid of its text in FTS5.
    id = SequenceField(primary_key=True)
    ocid = models.TextField()
    title = models.TextField(null=True)
    buyer_id = models.TextField(null=True)
    buyer_name = models.TextField(null=True)
    value_amount = models.FloatField(null=True)
    value_currency = models.TextField(null=True)
    value_source = models.TextField(null=True)  # contracts, awards, tender or planning
    stage = models.TextField(null=True)
    status = models.TextField(null=True)
    procurement_method = models.TextField(null=True)
    # UTC, "YYYY-MM-DDTHH:MM:SSZ": compared and sorted as text.
    published = models.TextField(null=True)
    deadline = models.TextField(null=True)
    award_date = models.TextField(null=True)
    contract_start = models.TextField(null=True)
    contract_end = models.TextField(null=True)
    above_threshold = models.BooleanField(null=True)
    suitable_sme = models.BooleanField(null=True)
    suitable_vcse = models.BooleanField(null=True)
    awarded_sme = models.BooleanField(null=True)
    awarded_vcse = models.BooleanField(null=True)
    # Whether a release of it reported on the planning stage (for the pipeline register).
    planned = models.BooleanField(db_default=False)
    # The Welsh title where the publisher gave one (title_cy), for Welsh readers' lists.
    title_cy = models.TextField(null=True)
    # Lists matched by substring, each value between newlines ("\nUK4\nUK6\n"): few values
    # each, and filters on them that keep many processes, so a scan is as good as an index
    # and costs nothing to write.
    notice_types = models.TextField()
    regions = models.TextField()  # NUTS or ITL codes at every level, and regions' names
    cpv = models.TextField()  # CPV codes: "\n4523" finds those under 4523

    class Meta:
        db_table = "process_search"
        constraints = [models.UniqueConstraint(fields=["ocid"], name="process_search_ocid")]
        indexes = [
            models.Index(fields=["published", "ocid"], name="process_search_published"),
            models.Index(fields=["value_amount", "ocid"], name="process_search_value"),
        ]


class ProcessTerm(models.Model):
    """A buyer or supplier of a process in the search, as the change feed's terms name them
    (``buyer:<key>``, ``supplier:<key>``; openbook.standards.ocds.terms), written with its row:
    an index, for filters that keep few processes."""

    pk = models.CompositePrimaryKey("term", "process_id")
    term = models.TextField()
    process_id = models.BigIntegerField()  # process_search.id

    class Meta:
        db_table = "process_term"
        indexes = [models.Index(fields=["process_id"], name="process_term_process")]


class ProcessParty(models.Model):
    """A party of a process in the search, as a mention of an organisation
    (openbook.standards.ocds.summary.mentions; docs/organisations.md), written with its row:
    organisations are these grouped by identifier, and a party without one is matched to
    them only as a candidate, by its name's key."""

    pk = models.CompositePrimaryKey("process_id", "position")
    process_id = models.BigIntegerField()  # process_search.id
    position = models.IntegerField()  # in the compiled release's parties
    party_id = models.TextField(null=True)
    name = models.TextField(null=True)
    name_key = models.TextField()
    roles = models.TextField()  # space-separated, sorted
    identifier = models.TextField(null=True)  # SCHEME-ID as its register writes it
    awarded_amount = models.FloatField(null=True)
    awarded_currency = models.TextField(null=True)

    class Meta:
        db_table = "process_party"
        indexes = [
            models.Index(fields=["identifier"], name="process_party_identifier"),
            models.Index(fields=["name_key"], name="process_party_name_key"),
        ]


# Publishers (issue 4): organisations, their accounts and API keys, the ocids the platform mints
# for them, and the audit trail of every write. Times are log times (RFC 3339, UTC, microseconds).


class Organisation(models.Model):
    """A contracting authority that publishes on the platform, identified as org-id.guide
    identifies organisations: a list (``scheme``, such as GB-GOR or GB-COH) and an id in it."""

    name = models.TextField()
    scheme = models.CharField(max_length=32)
    identifier = models.CharField(max_length=200)
    party_id = models.TextField()  # the OCDS party id it publishes as (buyer.id, parties[].id)
    created_time = models.CharField(max_length=32)

    class Meta:
        db_table = "organisation"
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "identifier"], name="organisation_identifier"
            ),
            # The publish API tells whose a release is by its buyer's party id (scope.py).
            models.UniqueConstraint(fields=["party_id"], name="organisation_party_id"),
        ]


class Membership(models.Model):
    """An account's role: publisher or reviewer for one organisation, or platform administrator
    (no organisation). Accounts are Django's users."""

    user = models.ForeignKey("auth.User", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=16)
    created_time = models.CharField(max_length=32)

    class Meta:
        db_table = "membership"
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_role")
        ]


class ApiKey(models.Model):
    """An API key of one organisation. Only the SHA-256 of the key is kept; ``key_id`` is the
    non-secret part of the key, shown in lists and the audit trail."""

    key_id = models.CharField(max_length=16, primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.TextField()
    role = models.CharField(max_length=16)  # publisher or administrator
    secret_hash = models.CharField(max_length=64)  # hex SHA-256 of the whole key
    created_time = models.CharField(max_length=32)
    created_by = models.TextField()
    revoked_time = models.CharField(max_length=32, null=True)
    last_used_time = models.CharField(max_length=32, null=True)  # to the minute

    class Meta:
        db_table = "api_key"


class MintedOcid(models.Model):
    """An ocid the platform minted under its own prefix, and the organisation it is for."""

    ocid = models.TextField(primary_key=True)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    minted_time = models.CharField(max_length=32)

    class Meta:
        db_table = "minted_ocid"


class Document(models.Model):
    """A document an organisation uploaded (docs/documents.md): its file is kept once, named by
    its SHA-256 (OPENBOOK_DOCUMENTS_DIR), and its statement is in the log's ``documents``
    register. One row per organisation that uploaded the same bytes."""

    sha256 = models.CharField(max_length=64)  # hex SHA-256 of the file: its name and identity
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.TextField()  # the file name, checked (openbook.documents.names)
    size = models.BigIntegerField()  # bytes
    media_type = models.CharField(max_length=100)  # as served, detected from the content
    kind = models.CharField(max_length=16)  # what the content was detected as: pdf, docx, csv...
    uploaded_time = models.CharField(max_length=32)  # the log time of its statement
    seq = models.BigIntegerField(unique=True)  # its statement's log entry
    scan = models.TextField()  # "clean" and the scanner, or "not scanned" (scanner none)
    withheld = models.CharField(max_length=32, null=True)  # the ground, if not to be published
    uploaded_by = models.TextField()  # "key:<key id>", as the audit trail names actors

    class Meta:
        db_table = "document"
        constraints = [
            models.UniqueConstraint(fields=["sha256", "organisation"], name="document_upload")
        ]
        indexes = [models.Index(fields=["organisation", "seq"], name="document_organisation")]


class AuditEvent(models.Model):
    """One write, as the audit trail keeps it: who, when, from where, what. Append-only, like
    the log (triggers refuse UPDATE, DELETE and TRUNCATE)."""

    time = models.CharField(max_length=32)
    actor = models.TextField()  # "key:<key id>", "account:<username>" or "cli:<system user>"
    organisation = models.ForeignKey(
        Organisation, null=True, on_delete=models.PROTECT, related_name="+"
    )
    address = models.TextField(null=True)  # the client's address, for requests
    action = models.CharField(max_length=32)  # "publish", "key.create", ...
    subject = models.TextField()  # what it wrote: ocids, key ids, organisation ids
    detail = models.TextField()  # JSON: sequence numbers and the like

    class Meta:
        db_table = "audit_event"
        indexes = [
            models.Index(fields=["time"], name="audit_event_time"),
            models.Index(fields=["organisation", "id"], name="audit_event_organisation"),
        ]


class SigningKey(models.Model):
    """The public part of a key that signs the log's tree heads (openbook.transparency). Private
    keys live only in files (OPENBOOK_SIGNING_KEY_DIR), never here. A retired key signs no more,
    but stays, so that the heads it signed still verify."""

    key_id = models.CharField(max_length=64, primary_key=True)  # hex SHA-256 of the public key
    public_key = models.CharField(max_length=64)  # hex of the raw 32-byte Ed25519 public key
    name = models.TextField()  # the key name in signature lines: the log's origin
    created_time = models.CharField(max_length=32)
    retired_time = models.CharField(max_length=32, null=True)

    class Meta:
        db_table = "signing_key"


class SignedTreeHead(models.Model):
    """A tree head the platform signed: a C2SP checkpoint over the first ``tree_size`` entries
    (docs/log-format.md), kept exactly as signed."""

    id = models.BigAutoField(primary_key=True)
    tree_size = models.BigIntegerField()
    root_hash = models.CharField(max_length=64)  # hex
    head_time = models.CharField(max_length=32)  # as log times are written
    signing_key = models.ForeignKey(
        SigningKey, db_column="key_id", on_delete=models.PROTECT, related_name="+"
    )
    checkpoint = models.TextField()  # the signed note

    class Meta:
        db_table = "tree_head"
        indexes = [models.Index(fields=["tree_size", "id"], name="tree_head_size")]


class TreeNode(models.Model):
    """The hash of a complete, aligned subtree of the log's Merkle tree at a height that is a
    multiple of 8: the node over leaves ``[position * 2^height, (position + 1) * 2^height)``
    (the "tiles" of Go's tlog: with them, a proof reads a few hundred hashes, never the log).
    Added as tree heads are signed; a function of the leaves, so writing one twice is harmless."""

    pk = models.CompositePrimaryKey("height", "position")
    height = models.SmallIntegerField()
    position = models.BigIntegerField()
    hash = models.CharField(max_length=64)  # hex

    class Meta:
        db_table = "tree_node"


class StatementMark(models.Model):
    """What later statements say of a statement: that a withdrawal withdrew it, that a redaction
    removed its body (openbook.store.marks). Derived from the log (those statements name it), and
    written in their transaction, so that a page of the feed finds its marks with one lookup by
    seq rather than a search of the log."""

    seq = SequenceField(primary_key=True)  # the statement marked
    withdrawal_seq = models.BigIntegerField(null=True)  # its withdrawal's entry
    redaction_seq = models.BigIntegerField(null=True)  # its redaction's entry

    class Meta:
        db_table = "statement_mark"


# The registers people enter (issue 5; openbook.standards.registers, docs/registers.md): each
# version of an entry is a statement in the log; these rows are what the lists read.


class RegisterEntry(models.Model):
    """The newest version of an entry of the debarment list, the complaints or the legal
    challenges, written in the transaction that appends that version's statement."""

    register = models.CharField(max_length=32)
    entry_id = models.CharField(max_length=32)  # "DEB-000001"
    version = models.IntegerField()
    seq = models.BigIntegerField()  # the newest version's log entry
    created_time = models.CharField(max_length=32)  # log time of version 1
    updated_time = models.CharField(max_length=32)  # log time of the newest version
    organisation = models.ForeignKey(
        "Organisation", on_delete=models.PROTECT, related_name="+"
    )  # the organisation whose key recorded the newest version
    entry = models.TextField()  # JSON, as the statement's "entry"
    # Identifiers (SCHEME-ID) of the organisations it names, each between newlines, matched by
    # substring: registers are small, and a scan of one costs less than an index on every write.
    organisations = models.TextField()
    ocid = models.TextField(null=True)
    status = models.CharField(max_length=32)
    start_date = models.CharField(max_length=10, null=True)  # YYYY-MM-DD
    end_date = models.CharField(max_length=10, null=True)

    class Meta:
        db_table = "register_entry"
        constraints = [
            models.UniqueConstraint(fields=["register", "entry_id"], name="register_entry_id")
        ]
        indexes = [
            models.Index(fields=["register", "ocid"], name="register_entry_ocid"),
            models.Index(fields=["register", "start_date"], name="register_entry_start"),
        ]


class ExcludedAward(models.Model):
    """An award published to a supplier on the debarment list, with the authority's stated
    reason (the UK extension's ``excludedSupplier.awardRationale``): accepted, and flagged."""

    entry_id = models.CharField(max_length=32)  # the debarment entry
    supplier = models.TextField()  # its identifier, SCHEME-ID
    ocid = models.TextField()
    release_id = models.TextField()
    award_id = models.TextField()
    seq = models.BigIntegerField()  # the release's log entry
    award_date = models.CharField(max_length=10)  # the day the entry was checked against
    rationale = models.TextField()
    flagged_time = models.CharField(max_length=32)

    class Meta:
        db_table = "excluded_award"
        indexes = [
            models.Index(fields=["entry_id", "seq"], name="excluded_award_entry"),
            models.Index(fields=["ocid"], name="excluded_award_ocid"),
        ]


# The commercial tools register (issue 5; openbook.store.commercial_tools,
# docs/commercial-tools.md): rows only for processes that are frameworks, dynamic markets or
# call-offs, written with their search rows from their summaries.


class CommercialTool(models.Model):
    """A framework agreement or dynamic market (openbook.standards.ocds.commercial_tools):
    one row per process that declares itself one or that a call-off names as its framework,
    written with its search row."""

    process_id = SequenceField(primary_key=True)  # process_search.id
    ocid = models.TextField()
    kind = models.TextField()  # framework or dynamic-market
    start_date = models.TextField(null=True)  # YYYY-MM-DD: its period, as its notices give it
    end_date = models.TextField(null=True)
    lots = models.IntegerField()  # how many lots its tender has
    # techniques (it declares itself one), or call-off (a call-off names it).
    recognised_by = models.TextField(default="techniques")

    class Meta:
        db_table = "commercial_tool"
        constraints = [models.UniqueConstraint(fields=["ocid"], name="commercial_tool_ocid")]


class CommercialToolMember(models.Model):
    """A supplier awarded onto a tool: one row per award, supplier and lot (none: the whole
    tool), written with the tool's row."""

    pk = models.CompositePrimaryKey("process_id", "position")
    process_id = models.BigIntegerField()  # commercial_tool.process_id
    position = models.IntegerField()
    award_id = models.TextField(null=True)
    lot = models.TextField(null=True)
    party_id = models.TextField(null=True)
    name = models.TextField(null=True)
    identifier = models.TextField(null=True)  # SCHEME-ID, as process_party has it
    state = models.TextField()  # active, pending or ended
    joined = models.TextField(null=True)  # YYYY-MM-DD
    ended = models.TextField(null=True)

    class Meta:
        db_table = "commercial_tool_member"
        indexes = [models.Index(fields=["identifier"], name="commercial_tool_member_id")]


class ProcessLink(models.Model):
    """A process that a framework, dynamic market or call-off names in ``relatedProcesses``
    by its ocid: a call-off's framework (with the value the call-off awarded), or a tool's
    prior, parent, replacement or renewal. Written with the naming process's search row."""

    pk = models.CompositePrimaryKey("process_id", "position")
    process_id = models.BigIntegerField()  # process_search.id of the naming process
    position = models.IntegerField()
    relationship = models.TextField()  # framework, prior, parent, replacementProcess...
    related_ocid = models.TextField()
    related_lots = models.TextField()  # the lots of the related process named, one a line
    awarded = models.TextField()  # JSON {currency: amount} of a call-off's awards; "{}" if none

    class Meta:
        db_table = "process_link"
        indexes = [
            models.Index(fields=["related_ocid", "relationship"], name="process_link_related")
        ]


class SupplierPrivate(models.Model):
    """The private part of a version of a supplier's entry (openbook.standards.registers
    .suppliers.PRIVATE), never published: the log keeps only SHA-256 of it with ``salt``."""

    pk = models.CompositePrimaryKey("entry_id", "version")
    entry_id = models.CharField(max_length=32)  # the supplier number
    version = models.IntegerField()
    salt = models.CharField(max_length=32)  # hex
    body = models.TextField()  # JSON

    class Meta:
        db_table = "supplier_private"


class ShareCode(models.Model):
    """A supplier's grant to one buyer to read its private information until it expires or is
    revoked. Only the SHA-256 of the code's secret is kept, as for API keys."""

    code_id = models.CharField(max_length=16, primary_key=True)  # the code's non-secret part
    supplier = models.CharField(max_length=32)  # the supplier number
    buyer = models.ForeignKey("Organisation", on_delete=models.PROTECT, related_name="+")
    secret_hash = models.CharField(max_length=64)
    created_time = models.CharField(max_length=32)
    expires = models.CharField(max_length=10)  # YYYY-MM-DD: the last day it may be used
    revoked_time = models.CharField(max_length=32, null=True)

    class Meta:
        db_table = "share_code"
        indexes = [models.Index(fields=["supplier", "created_time"], name="share_code_supplier")]


# Beneficial ownership (issue 6; openbook.bods, docs/bods.md): what the ownership graph reads of
# the compiled BODS records, written when they are compiled.


class OwnershipLink(models.Model):
    """A BODS relationship record as an edge of the ownership graph: its subject (an entity's
    record id) and its interested party (a record id, or a reason it is not given)."""

    relationship_id = models.TextField(primary_key=True)  # the relationship's recordId
    subject_id = models.TextField()
    party_id = models.TextField(null=True)  # None: unspecified (see party_reason)
    party_reason = models.TextField(null=True)  # BODS unspecifiedReason
    party_description = models.TextField(null=True)
    interests = models.TextField()  # JSON: the relationship's interests
    closed = models.BooleanField()

    class Meta:
        db_table = "ownership_link"
        indexes = [
            models.Index(fields=["subject_id"], name="ownership_link_subject"),
            models.Index(fields=["party_id"], name="ownership_link_party"),
        ]


class OwnershipIdentifier(models.Model):
    """An identifier (SCHEME-ID, normalised as openbook.standards.identifiers writes it) that a
    BODS entity record gives: how a supplier is found in the ownership graph."""

    pk = models.CompositePrimaryKey("identifier", "record_id")
    identifier = models.TextField()
    record_id = models.TextField()

    class Meta:
        db_table = "ownership_identifier"
        indexes = [models.Index(fields=["record_id"], name="ownership_identifier_record")]


class MetricRun(models.Model):
    """One computation of the metrics (docs/methods/): what log it read and when. The figures
    and items below are always those of the newest run."""

    id = models.BigAutoField(primary_key=True)
    log_size = models.BigIntegerField()  # the run read entries 0 to log_size - 1
    as_of = models.CharField(max_length=10)  # the day overdue notices were judged at
    computed_time = models.CharField(max_length=32)
    seconds = models.FloatField()
    methods = models.TextField()  # JSON: method versions by family
    summary = models.TextField()  # JSON: counts, and which flags could run on the data

    class Meta:
        db_table = "metric_run"


class MetricFigure(models.Model):
    """One figure: a metric for one subject (an authority, a publisher, central government or
    everyone) over one period (openbook.standards.metrics.figures)."""

    pk = models.CompositePrimaryKey("metric", "subject", "period")
    metric = models.TextField()
    subject = models.TextField()
    subject_name = models.TextField()
    period = models.TextField()
    for_count = models.BigIntegerField()
    against_count = models.BigIntegerField()
    excluded_count = models.BigIntegerField()
    pending_count = models.BigIntegerField()
    value = models.FloatField(null=True)  # for / (for + against); NULL when both are 0
    extra = models.TextField()  # JSON: breakdowns, name: value: count

    class Meta:
        db_table = "metric_figure"
        indexes = [models.Index(fields=["subject", "metric"], name="metric_figure_subject")]


class MetricItem(models.Model):
    """What a figure counts: a procurement, award, contract or notice of a milestone, a failed
    data-quality check or a red flag, with its numbers and reason."""

    id = models.BigAutoField(primary_key=True)
    metric = models.TextField()
    subject = models.TextField()
    central = models.BooleanField()  # whether the subject is central government
    day = models.CharField(max_length=10, null=True)  # places the item in periods
    ocid = models.TextField()
    item = models.TextField()
    outcome = models.CharField(max_length=10)
    detail = models.TextField()  # JSON

    class Meta:
        db_table = "metric_item"
        indexes = [
            models.Index(fields=["metric", "subject", "outcome", "day"], name="metric_item_figure"),
            # Everyone's and central government's items of a period, without a subject.
            models.Index(fields=["metric", "outcome", "day"], name="metric_item_period"),
            models.Index(fields=["ocid"], name="metric_item_ocid"),
            # A page of a figure's items over all its periods, in id order, from ``after``.
            models.Index(fields=["metric", "outcome", "id"], name="metric_item_page"),
        ]


class AlertSubscription(models.Model):
    """An email address subscribed to new notices of a saved search, a process or an
    organisation (docs/alerts.md). The address is personal data: it is kept here only, never
    in the public log, and deleted with its row when the subscriber unsubscribes or leaves the
    confirmation unanswered. Tokens are kept as SHA-256 hashes only."""

    id = models.BigAutoField(primary_key=True)
    email = models.CharField(max_length=254)
    kind = models.CharField(max_length=16)  # search, process or organisation
    # The search's query string (as the search page reads it), the ocid or the identifier.
    target = models.CharField(max_length=2000)
    label = models.TextField()  # what the subscriber follows, in words, in their language
    frequency = models.CharField(max_length=16)  # immediately or daily
    language = models.CharField(max_length=2)  # en or cy: the emails' language
    confirm_hash = models.CharField(max_length=64, null=True, unique=True)  # NULL once confirmed
    unsubscribe_nonce = models.CharField(max_length=64)  # the unsubscribe token is its HMAC
    unsubscribe_hash = models.CharField(max_length=64, unique=True)
    created_time = models.CharField(max_length=32)
    confirmed_time = models.CharField(max_length=32, null=True)
    # The last log seq the alerts have covered: notices after it are new to the subscriber.
    position = models.BigIntegerField(null=True)
    covered_time = models.CharField(max_length=32, null=True)
    sent_time = models.CharField(max_length=32, null=True)  # the last alert email sent
    sent_count = models.IntegerField(default=0)  # processes it listed
    emails_sent = models.IntegerField(default=0)

    class Meta:
        db_table = "alert_subscription"
        constraints = [
            models.UniqueConstraint(
                fields=["email", "kind", "target"], name="alert_subscription_unique"
            )
        ]


# Suppliers registering themselves (openbook.supplier_signup)
class SupplierSignup(models.Model):
    """An email address that asked to register a supplier (docs/suppliers.md, "Registering as
    a supplier"): the one-time link's token, kept only as its SHA-256, until it is used or
    expires. Rows count an address's requests for the hourly limit and are deleted a day after
    they were made: the address is personal data, kept no longer than the link works."""

    id = models.BigAutoField(primary_key=True)
    email = models.CharField(max_length=254)
    token_hash = models.CharField(max_length=64, null=True, unique=True)  # NULL: no link sent
    created_time = models.CharField(max_length=32)
    used_time = models.CharField(max_length=32, null=True)  # the link was opened and confirmed

    class Meta:
        db_table = "supplier_signup"
        indexes = [models.Index(fields=["email", "created_time"], name="supplier_signup_email")]


# spend import (issue 9; openbook.spend, docs/spend.md). Each payment is a statement
# in the log's spend register; this row is its newest statement, for reconciling and listing.
class SpendTransaction(models.Model):
    """A payment of the spend register as its newest statement leaves it, written in the
    transaction that appends that statement: what a loaded file is reconciled against (its
    identity group, its line and content hash, and the file that last stated it), and what
    the lists filter on."""

    record_key = models.TextField(primary_key=True)  # openbook.standards.spend.transactions
    group_key = models.CharField(max_length=64)  # hex SHA-256 of its identity but the line
    line = models.IntegerField()
    body_key = models.TextField()  # the paying body: SCHEME-ID, or its name's key
    body_name = models.TextField()
    source = models.TextField()  # the file (its name) that last stated it
    version = models.IntegerField()  # its newest statement's id
    seq = models.BigIntegerField()  # and that statement's log entry
    status = models.CharField(max_length=16)  # published or withdrawn
    content_hash = models.CharField(max_length=64)  # of the transaction last published
    date = models.CharField(max_length=10)  # YYYY-MM-DD
    amount = models.TextField()  # decimal, as published: exact on both databases
    currency = models.CharField(max_length=3)
    supplier_key = models.TextField()  # organisation_names.key of its name; "(withheld)"
    transaction_number = models.TextField(null=True)

    class Meta:
        db_table = "spend_transaction"
        indexes = [
            models.Index(fields=["group_key"], name="spend_transaction_group"),
            models.Index(fields=["body_key", "source"], name="spend_transaction_source"),
            models.Index(fields=["body_key", "date", "record_key"], name="spend_transaction_body"),
            models.Index(
                fields=["supplier_key", "date", "record_key"], name="spend_transaction_supplier"
            ),
            models.Index(fields=["date", "record_key"], name="spend_transaction_date"),
        ]


# the plans register (issue 10; openbook.plans, docs/plans.md). Each plan, commitment
# and milestone is a record of the log's plans register; this row is its statements folded.
class PlanRecord(models.Model):
    """A plan, commitment or milestone as its statements leave it (openbook.standards.plans
    .state), written in the transaction that appends its newest statement: what a plan file is
    reconciled against, and what the plan's pages and API read."""

    record_key = models.TextField(primary_key=True)  # "uk-nap5", "uk-nap5/1", "uk-nap5/1/3"
    plan_id = models.TextField()
    kind = models.CharField(max_length=16)  # plan, commitment or milestone
    statements = models.IntegerField()  # its statements: the next is numbered one more
    seq = models.BigIntegerField()  # its newest statement's log entry
    facts_hash = models.CharField(max_length=64, null=True)  # of its facts, canonical JSON
    withdrawn = models.BooleanField()  # no longer in its plan file
    status = models.CharField(max_length=32)  # its newest progress update's, or no-evidence
    end_last_day = models.CharField(max_length=10, null=True)  # a milestone's, YYYY-MM-DD
    state = models.TextField()  # JSON: openbook.standards.plans.state
    created_time = models.CharField(max_length=32)  # log time of its first statement
    updated_time = models.CharField(max_length=32)  # and of its newest

    class Meta:
        db_table = "plan_record"
        indexes = [models.Index(fields=["plan_id", "kind"], name="plan_record_plan")]


# the grants register (issue 9, item 5; openbook.grants, docs/local-transparency.md).
class GrantEntry(models.Model):
    """A grant of the grants register as its newest statement leaves it, written in the
    transaction that appends that statement: what a loaded 360Giving file is compared with, and
    what the list filters and sorts on."""

    record_key = models.TextField(primary_key=True)  # the grant's 360Giving id
    version = models.IntegerField()  # its newest statement's id
    seq = models.BigIntegerField()  # and that statement's log entry
    content_hash = models.CharField(max_length=64)  # of the grant last stated
    source = models.TextField()  # the file (its name) that last stated it
    funder_key = models.TextField()  # its first funder's identifier, or its name's key
    funder_name = models.TextField()
    recipient_name = models.TextField(null=True)  # its first recipient organisation's
    award_date = models.CharField(max_length=10)  # YYYY-MM-DD; "" where it cannot be read
    amount = models.TextField(null=True)  # amountAwarded, decimal text
    currency = models.CharField(max_length=3, null=True)
    errors = models.IntegerField()  # schema errors in its review

    class Meta:
        db_table = "grants_entry"
        indexes = [
            models.Index(fields=["award_date", "record_key"], name="grants_entry_date"),
            models.Index(
                fields=["funder_key", "award_date", "record_key"], name="grants_entry_funder"
            ),
        ]


class GrantRecipient(models.Model):
    """An identifier a grant's recipient organisation resolves to (openbook.standards.grants
    .review): how the grants to an organisation are found."""

    id = models.BigAutoField(primary_key=True)
    identifier = models.TextField()  # SCHEME-ID, normalised
    record_key = models.TextField()  # the grant's

    class Meta:
        db_table = "grants_recipient"
        constraints = [
            models.UniqueConstraint(
                fields=["identifier", "record_key"], name="grants_recipient_unique"
            )
        ]
        indexes = [models.Index(fields=["record_key"], name="grants_recipient_grant")]


# linking payments to contracts (issue 9, item 3; openbook.spend_links, docs/spend.md,
# "Linkage"). Derived from the log and the compiled records: rebuilt by `spend link --full`.
class SpendTarget(models.Model):
    """A contract, or an award no contract follows, as payments are linked to it
    (openbook.standards.spend.contracts.Target), read from its process's compiled release."""

    id = models.BigAutoField(primary_key=True)
    ocid = models.TextField()
    kind = models.CharField(max_length=8)  # contract or award
    target_id = models.TextField()  # the contract's id, or the award's
    award_id = models.TextField(null=True)
    buyer_id = models.TextField(null=True)  # SCHEME-ID
    buyer_key = models.TextField()  # its name's key, hyphenated as a paying body's is
    buyer_name = models.TextField()
    suppliers = models.TextField()  # JSON: [[identifier, name key, name, postcode], ...]
    amount = models.FloatField(null=True)
    currency = models.CharField(max_length=3, null=True)
    start_date = models.CharField(max_length=10, null=True)  # YYYY-MM-DD
    end_date = models.CharField(max_length=10, null=True)
    refs = models.TextField()  # the buyer's references for it, normalised, between newlines
    title = models.TextField()
    framework = models.BooleanField()

    class Meta:
        db_table = "spend_target"
        indexes = [
            models.Index(fields=["ocid"], name="spend_target_ocid"),
            models.Index(fields=["buyer_id"], name="spend_target_buyer_id"),
            models.Index(fields=["buyer_key"], name="spend_target_buyer_key"),
        ]


class SpendTargetProcess(models.Model):
    """Which compiled version of each process (its search row's id: the seq of its newest
    statement) the targets were read from: a process whose row has another id is read again."""

    ocid = models.TextField(primary_key=True)
    seq = models.BigIntegerField()

    class Meta:
        db_table = "spend_target_process"


class SpendLink(models.Model):
    """A payment and the contract it pays for, or why none: a spend transaction (at the version
    linked), or a payment a contract's notice published (kind notice)."""

    payment_key = models.TextField(primary_key=True)  # the transaction's record key
    kind = models.CharField(max_length=8)  # spend or notice
    version = models.BigIntegerField()  # the statement linked; a notice's: its process's seq
    body_key = models.TextField()  # the paying body's key
    date = models.CharField(max_length=10, null=True)  # YYYY-MM-DD
    amount = models.TextField(null=True)  # decimal text
    currency = models.CharField(max_length=3, null=True)
    linked = models.BooleanField()
    ocid = models.TextField(null=True)
    target_kind = models.CharField(max_length=8, null=True)  # contract or award
    target_id = models.TextField(null=True)
    method = models.CharField(max_length=32, null=True)  # linkage.METHODS
    score = models.FloatField()
    reason = models.TextField(null=True)  # why not linked
    notes = models.TextField()  # JSON: what lowered the score
    candidates = models.TextField()  # JSON: the best candidates, and why each fell short
    duplicate_of = models.TextField(null=True)  # the notice payment a spend row is
    features = models.TextField()  # JSON: what the payment offered to link by
    linker = models.CharField(max_length=32)  # linkage.METHOD_VERSION
    linked_time = models.CharField(max_length=32)

    class Meta:
        db_table = "spend_link"
        indexes = [
            models.Index(fields=["linked", "date", "payment_key"], name="spend_link_listed"),
            models.Index(
                fields=["body_key", "linked", "date", "payment_key"], name="spend_link_body"
            ),
            models.Index(fields=["ocid", "target_id"], name="spend_link_target"),
        ]


class SpendLinkName(models.Model):
    """An ocid a payment's text may name (each prefix openbook.standards.spend.linkage
    .ocid_prefixes gives): the payments to link again when that process changes."""

    id = models.BigAutoField(primary_key=True)
    ocid = models.TextField()
    payment_key = models.TextField()

    class Meta:
        db_table = "spend_link_name"
        indexes = [
            models.Index(fields=["ocid"], name="spend_link_name_ocid"),
            models.Index(fields=["payment_key"], name="spend_link_name_payment"),
        ]
