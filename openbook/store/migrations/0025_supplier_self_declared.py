"""Suppliers' identifiers are self-declared until an administrator verifies them
(docs/suppliers.md, "Identifiers: self-declared or verified"). A supplier that registered itself
before this gets a new version of its entry, in the log, with every identifier it gave
self-declared; those an administrator registered stand verified, as they were checked.

The versions are written once the schema is whole, after the last migration of the run
(openbook.supplier_claims.mark_after_migrating, connected in openbook.apps): writing to the log
with today's code half-way through the migrations would write tables and columns that later
migrations add. This migration marks the point in the schema's history; it changes no table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0024_commercial_tool_recognised_by"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),
    ]
