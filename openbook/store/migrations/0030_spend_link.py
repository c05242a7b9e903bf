"""Payments linked to the contracts they pay for (issue 9, item 3; openbook.spend_links,
docs/spend.md, "Linkage"): the link targets read from compiled releases (spend_target, and which
version of each process they were read from), each payment's link or why it has none
(spend_link), and the ocids payments name (spend_link_name). All derived: `openbook spend link
--full` rebuilds them from the log and the compiled records."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0029_grants")]

    operations = [
        migrations.CreateModel(
            name="SpendTargetProcess",
            fields=[
                ("ocid", models.TextField(primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField()),
            ],
            options={"db_table": "spend_target_process"},
        ),
        migrations.CreateModel(
            name="SpendLink",
            fields=[
                ("payment_key", models.TextField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=8)),
                ("version", models.BigIntegerField()),
                ("body_key", models.TextField()),
                ("date", models.CharField(max_length=10, null=True)),
                ("amount", models.TextField(null=True)),
                ("currency", models.CharField(max_length=3, null=True)),
                ("linked", models.BooleanField()),
                ("ocid", models.TextField(null=True)),
                ("target_kind", models.CharField(max_length=8, null=True)),
                ("target_id", models.TextField(null=True)),
                ("method", models.CharField(max_length=32, null=True)),
                ("score", models.FloatField()),
                ("reason", models.TextField(null=True)),
                ("notes", models.TextField()),
                ("candidates", models.TextField()),
                ("duplicate_of", models.TextField(null=True)),
                ("features", models.TextField()),
                ("linker", models.CharField(max_length=32)),
                ("linked_time", models.CharField(max_length=32)),
            ],
            options={
                "db_table": "spend_link",
                "indexes": [
                    models.Index(
                        fields=["linked", "date", "payment_key"], name="spend_link_listed"
                    ),
                    models.Index(
                        fields=["body_key", "linked", "date", "payment_key"],
                        name="spend_link_body",
                    ),
                    models.Index(fields=["ocid", "target_id"], name="spend_link_target"),
                ],
            },
        ),
        migrations.CreateModel(
            name="SpendLinkName",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("ocid", models.TextField()),
                ("payment_key", models.TextField()),
            ],
            options={
                "db_table": "spend_link_name",
                "indexes": [
                    models.Index(fields=["ocid"], name="spend_link_name_ocid"),
                    models.Index(fields=["payment_key"], name="spend_link_name_payment"),
                ],
            },
        ),
        migrations.CreateModel(
            name="SpendTarget",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("ocid", models.TextField()),
                ("kind", models.CharField(max_length=8)),
                ("target_id", models.TextField()),
                ("award_id", models.TextField(null=True)),
                ("buyer_id", models.TextField(null=True)),
                ("buyer_key", models.TextField()),
                ("buyer_name", models.TextField()),
                ("suppliers", models.TextField()),
                ("amount", models.FloatField(null=True)),
                ("currency", models.CharField(max_length=3, null=True)),
                ("start_date", models.CharField(max_length=10, null=True)),
                ("end_date", models.CharField(max_length=10, null=True)),
                ("refs", models.TextField()),
                ("title", models.TextField()),
                ("framework", models.BooleanField()),
            ],
            options={
                "db_table": "spend_target",
                "indexes": [
                    models.Index(fields=["ocid"], name="spend_target_ocid"),
                    models.Index(fields=["buyer_id"], name="spend_target_buyer_id"),
                    models.Index(fields=["buyer_key"], name="spend_target_buyer_key"),
                ],
            },
        ),
    ]
