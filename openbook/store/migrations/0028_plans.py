"""The plans register's records as their statements leave them (issue 10; docs/plans.md): what a
plan file is reconciled against, and what the plan's API reads."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0027_log_entry_register_seq")]

    operations = [
        migrations.CreateModel(
            name="PlanRecord",
            fields=[
                ("record_key", models.TextField(primary_key=True, serialize=False)),
                ("plan_id", models.TextField()),
                ("kind", models.CharField(max_length=16)),
                ("statements", models.IntegerField()),
                ("seq", models.BigIntegerField()),
                ("facts_hash", models.CharField(max_length=64, null=True)),
                ("withdrawn", models.BooleanField()),
                ("status", models.CharField(max_length=32)),
                ("end_last_day", models.CharField(max_length=10, null=True)),
                ("state", models.TextField()),
                ("created_time", models.CharField(max_length=32)),
                ("updated_time", models.CharField(max_length=32)),
            ],
            options={
                "db_table": "plan_record",
                "indexes": [models.Index(fields=["plan_id", "kind"], name="plan_record_plan")],
            },
        ),
    ]
