"""Database triggers that make the log append-only, per backend.

Used by the migration that creates them and by the test that proves the database refuses.
"""

MESSAGE = "the log is append-only: log_entry rows cannot be changed or removed"

SQLITE = [
    f"""CREATE TRIGGER log_entry_no_update BEFORE UPDATE ON log_entry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER log_entry_no_delete BEFORE DELETE ON log_entry
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    # SQLite has no TRUNCATE: "DELETE FROM t" without WHERE is its truncate optimisation, which
    # SQLite turns off when a DELETE trigger exists, so the trigger above covers it.
]

POSTGRESQL = [
    f"""CREATE FUNCTION log_entry_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$""",
    """CREATE TRIGGER log_entry_no_change BEFORE UPDATE OR DELETE ON log_entry
        FOR EACH ROW EXECUTE FUNCTION log_entry_refuse()""",
    """CREATE TRIGGER log_entry_no_truncate BEFORE TRUNCATE ON log_entry
        FOR EACH STATEMENT EXECUTE FUNCTION log_entry_refuse()""",
]


def create(schema_editor) -> None:
    for statement in POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE:
        schema_editor.execute(statement)
