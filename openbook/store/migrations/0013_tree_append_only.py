"""The verifiable log's tree, append-only like the log (issue 4, item 7): signed tree heads and
stored subtree hashes are never changed nor removed, and a signing key only ever retired
(openbook.store.immutability)."""

from django.db import migrations

from openbook.store import immutability


def create_tree_guard(apps, schema_editor):
    immutability.create_tree_guard(schema_editor)


def drop_tree_guard(apps, schema_editor):
    immutability.drop_tree_guard(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("store", "0012_organisation_party_id")]
    operations = [migrations.RunPython(create_tree_guard, drop_tree_guard)]
