"""Withdrawals and redactions (issue 4, item 6): the marks later statements put on earlier ones,
and the guard on log bodies: never deleted, emptied only by a redaction
(openbook.store.immutability)."""

from django.db import migrations, models

import openbook.store.models
from openbook.store import immutability


def create_body_guard(apps, schema_editor):
    immutability.create_body_guard(schema_editor)


def drop_body_guard(apps, schema_editor):
    immutability.drop_body_guard(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0010_documents"),
    ]

    operations = [
        migrations.CreateModel(
            name="StatementMark",
            fields=[
                ("seq", openbook.store.models.SequenceField(primary_key=True, serialize=False)),
                ("withdrawal_seq", models.BigIntegerField(null=True)),
                ("redaction_seq", models.BigIntegerField(null=True)),
            ],
            options={
                "db_table": "statement_mark",
            },
        ),
        migrations.RunPython(create_body_guard, drop_body_guard),
    ]
