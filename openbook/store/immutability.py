"""Database triggers that make the log append-only, per backend.

Used by the migration that creates them and by the test that proves the database refuses.
"""


def append_only(table: str, message: str) -> tuple[list[str], list[str]]:
    """The triggers that refuse every change to and removal of ``table``'s rows with
    ``message``: (SQLite's, PostgreSQL's). Named ``<table>_no_update`` and ``<table>_no_delete``
    on SQLite; ``<table>_refuse()``, ``<table>_no_change`` and ``<table>_no_truncate`` on
    PostgreSQL."""
    sqlite = [
        f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END"""
        for action in ("update", "delete")
        # SQLite has no TRUNCATE: "DELETE FROM t" without WHERE is its truncate optimisation,
        # which SQLite turns off when a DELETE trigger exists, so the DELETE trigger covers it.
    ]
    postgresql = [
        f"""CREATE FUNCTION {table}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation'; END $$""",
        f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()""",
    ]
    return sqlite, postgresql


MESSAGE = "the log is append-only: log_entry rows cannot be changed or removed"


def create(schema_editor) -> None:
    create_append_only(schema_editor, "log_entry", MESSAGE)


def create_append_only(schema_editor, table: str, message: str) -> None:
    """For the migration that makes ``table`` append-only (``append_only``'s triggers)."""
    sqlite, postgresql = append_only(table, message)
    for statement in postgresql if schema_editor.connection.vendor == "postgresql" else sqlite:
        schema_editor.execute(statement)


# The bodies (migration 0011): a body row is never deleted, and its body changes only from a
# text to NULL, and only once the log holds a redaction statement naming it (register
# ``redactions``, the entry's record key, its seq as statement id; openbook.store.marks.redact,
# the one function that writes this UPDATE, appends that statement in the same transaction).
BODY_MESSAGE = (
    "the log is append-only: a log_body row cannot be removed, and its body can only be emptied "
    "by a redaction (openbook redact)"
)
_REDACTION_EXISTS = """EXISTS (SELECT 1 FROM log_entry t JOIN log_entry r
        ON r.register = 'redactions' AND r.record_key = t.record_key
        AND r.statement_id = CAST(t.seq AS TEXT) AND r.seq > t.seq
        WHERE t.seq = OLD.seq)"""

BODY_SQLITE = [
    f"""CREATE TRIGGER log_body_no_delete BEFORE DELETE ON log_body
        BEGIN SELECT RAISE(ABORT, '{BODY_MESSAGE}'); END""",
    f"""CREATE TRIGGER log_body_redaction_only BEFORE UPDATE ON log_body
        WHEN NOT (NEW.seq = OLD.seq AND OLD.body IS NOT NULL AND NEW.body IS NULL
        AND {_REDACTION_EXISTS})
        BEGIN SELECT RAISE(ABORT, '{BODY_MESSAGE}'); END""",
]

BODY_POSTGRESQL = [
    f"""CREATE FUNCTION log_body_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF NEW.seq = OLD.seq AND OLD.body IS NOT NULL AND NEW.body IS NULL
                    AND {_REDACTION_EXISTS} THEN
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION '{BODY_MESSAGE}' USING ERRCODE = 'restrict_violation';
        END $$""",
    """CREATE TRIGGER log_body_no_change BEFORE UPDATE OR DELETE ON log_body
        FOR EACH ROW EXECUTE FUNCTION log_body_refuse()""",
    """CREATE TRIGGER log_body_no_truncate BEFORE TRUNCATE ON log_body
        FOR EACH STATEMENT EXECUTE FUNCTION log_body_refuse()""",
]


def create_body_guard(schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in BODY_POSTGRESQL if postgresql else BODY_SQLITE:
        schema_editor.execute(statement)


def drop_body_guard(schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS log_body_refuse() CASCADE")
        return
    schema_editor.execute("DROP TRIGGER IF EXISTS log_body_no_delete")
    schema_editor.execute("DROP TRIGGER IF EXISTS log_body_redaction_only")


# The tree (migration 0013): signed heads and stored subtree hashes are never changed nor
# removed, or the signer would build a new head on changed hashes (openbook.transparency refuses
# to sign one that does not extend the latest head; these keep honest mistakes out before that).
# A signing key's public part is never removed, and changes only by being retired, once.
TREE_TABLES = ("tree_head", "tree_node")
KEY_MESSAGE = (
    "signing keys are kept: a signing_key row cannot be removed, and changes only by being "
    "retired (openbook log rotate-key)"
)


def tree_message(table: str) -> str:
    return f"the verifiable log is append-only: {table} rows cannot be changed or removed"


_KEY_RETIRED = """NEW.key_id = OLD.key_id AND NEW.public_key = OLD.public_key
        AND NEW.name = OLD.name AND NEW.created_time = OLD.created_time
        AND OLD.retired_time IS NULL AND NEW.retired_time IS NOT NULL"""

TREE_SQLITE = [
    *(
        f"""CREATE TRIGGER {table}_no_{action} BEFORE {action.upper()} ON {table}
        BEGIN SELECT RAISE(ABORT, '{tree_message(table)}'); END"""
        for table in TREE_TABLES
        for action in ("update", "delete")
    ),
    f"""CREATE TRIGGER signing_key_no_delete BEFORE DELETE ON signing_key
        BEGIN SELECT RAISE(ABORT, '{KEY_MESSAGE}'); END""",
    f"""CREATE TRIGGER signing_key_retire_only BEFORE UPDATE ON signing_key
        WHEN NOT ({_KEY_RETIRED})
        BEGIN SELECT RAISE(ABORT, '{KEY_MESSAGE}'); END""",
]

TREE_POSTGRESQL = [
    """CREATE FUNCTION tree_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION USING ERRCODE = 'restrict_violation', MESSAGE =
                'the verifiable log is append-only: ' || TG_TABLE_NAME
                || ' rows cannot be changed or removed';
        END $$""",
    *(
        statement
        for table in TREE_TABLES
        for statement in (
            f"""CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION tree_refuse()""",
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION tree_refuse()""",
        )
    ),
    f"""CREATE FUNCTION signing_key_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                IF {_KEY_RETIRED} THEN
                    RETURN NEW;
                END IF;
            END IF;
            RAISE EXCEPTION '{KEY_MESSAGE}' USING ERRCODE = 'restrict_violation';
        END $$""",
    """CREATE TRIGGER signing_key_no_change BEFORE UPDATE OR DELETE ON signing_key
        FOR EACH ROW EXECUTE FUNCTION signing_key_refuse()""",
    """CREATE TRIGGER signing_key_no_truncate BEFORE TRUNCATE ON signing_key
        FOR EACH STATEMENT EXECUTE FUNCTION signing_key_refuse()""",
]


def create_tree_guard(schema_editor) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for statement in TREE_POSTGRESQL if postgresql else TREE_SQLITE:
        schema_editor.execute(statement)


def drop_tree_guard(schema_editor) -> None:
    """The reverse: every trigger, and on PostgreSQL the functions (their triggers go with
    them)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS tree_refuse() CASCADE")
        schema_editor.execute("DROP FUNCTION IF EXISTS signing_key_refuse() CASCADE")
        return
    for table, action in [(t, a) for t in TREE_TABLES for a in ("update", "delete")]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
    schema_editor.execute("DROP TRIGGER IF EXISTS signing_key_no_delete")
    schema_editor.execute("DROP TRIGGER IF EXISTS signing_key_retire_only")
