"""On PostgreSQL, the large JSON texts (release bodies, compiled releases, conflict bodies,
package metadata) are compressed with LZ4 rather than the default pglz: several times
faster to compress and to read back, for about the same size on JSON, and a bulk load writes
and reads every one of them (docs/performance.md). Values already stored keep their
compression until rewritten. SQLite does not compress."""

from django.db import migrations

COLUMNS = [
    ("log_body", "body"),
    ("record", "compiled"),
    ("conflict", "body"),
    ("source_package", "metadata"),
]


def compression(method: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for table, column in COLUMNS:
            schema_editor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET COMPRESSION {method}')

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0005_terms_without_rowid"),
    ]

    operations = [
        migrations.RunPython(compression("lz4"), compression("pglz")),
    ]
