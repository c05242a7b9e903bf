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
        indexes = [models.Index(fields=["register", "record_key", "seq"], name="log_entry_record")]


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
