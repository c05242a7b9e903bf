"""On SQLite, the two term tables become WITHOUT ROWID tables: their primary key is then the
table itself, one B-tree instead of a table and an index, so a load writes about half as much
for them (docs/performance.md). PostgreSQL keeps its heap and primary-key index."""

from django.db import migrations

# (table, columns, the indexes it has besides its primary key)
TABLES = [
    ("statement_term", '"term" text NOT NULL, "seq" bigint NOT NULL, PRIMARY KEY ("term", "seq")', []),
    (
        "process_term",
        '"term" text NOT NULL, "process_id" bigint NOT NULL, PRIMARY KEY ("term", "process_id")',
        ['CREATE INDEX "process_term_process" ON "process_term" ("process_id")'],
    ),
]


def rebuild(without_rowid: bool):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "sqlite":
            return
        suffix = " WITHOUT ROWID" if without_rowid else ""
        for table, columns, indexes in TABLES:
            schema_editor.execute(f'CREATE TABLE "{table}_new" ({columns}){suffix}')
            schema_editor.execute(f'INSERT INTO "{table}_new" SELECT * FROM "{table}"')
            schema_editor.execute(f'DROP TABLE "{table}"')
            schema_editor.execute(f'ALTER TABLE "{table}_new" RENAME TO "{table}"')
            for index in indexes:
                schema_editor.execute(index)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0004_process_search"),
    ]

    operations = [
        migrations.RunPython(rebuild(True), rebuild(False)),
    ]
