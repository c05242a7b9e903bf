"""The grants register's grants as their newest statements leave them, and the organisations
their recipients resolve to (issue 9, item 5; docs/local-transparency.md): what a loaded
360Giving file is compared with, and what GET /api/grants filters on."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0028_plans")]

    operations = [
        migrations.CreateModel(
            name="GrantEntry",
            fields=[
                ("record_key", models.TextField(primary_key=True, serialize=False)),
                ("version", models.IntegerField()),
                ("seq", models.BigIntegerField()),
                ("content_hash", models.CharField(max_length=64)),
                ("source", models.TextField()),
                ("funder_key", models.TextField()),
                ("funder_name", models.TextField()),
                ("recipient_name", models.TextField(null=True)),
                ("award_date", models.CharField(max_length=10)),
                ("amount", models.TextField(null=True)),
                ("currency", models.CharField(max_length=3, null=True)),
                ("errors", models.IntegerField()),
            ],
            options={
                "db_table": "grants_entry",
                "indexes": [
                    models.Index(fields=["award_date", "record_key"], name="grants_entry_date"),
                    models.Index(
                        fields=["funder_key", "award_date", "record_key"],
                        name="grants_entry_funder",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="GrantRecipient",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("identifier", models.TextField()),
                ("record_key", models.TextField()),
            ],
            options={
                "db_table": "grants_recipient",
                "indexes": [models.Index(fields=["record_key"], name="grants_recipient_grant")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("identifier", "record_key"), name="grants_recipient_unique"
                    )
                ],
            },
        ),
    ]
