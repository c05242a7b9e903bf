"""A figure's items a page at a time, fast on PostgreSQL at 1,000,000 releases.

The dashboards ask for a page of a metric's items with one outcome, in id order, from a
position. PostgreSQL estimated the metric and the outcome as independent and, expecting
thousands of matches, walked the whole table in id order to find a page where there were none
(0.4 to 0.55 s a page). An index on (metric, outcome, id) gives the order within a metric and
outcome, and statistics on the two columns together (``CREATE STATISTICS``, PostgreSQL only:
SQLite keeps none) let the planner see which pairs are rare."""

from django.db import migrations, models


def create_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS metric_item_metric_outcome (mcv) ON metric, outcome FROM metric_item"
        )
        schema_editor.execute("ANALYZE metric_item")


def drop_statistics(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS metric_item_metric_outcome")


class Migration(migrations.Migration):
    dependencies = [("store", "0022_supplier_signup")]

    operations = [
        migrations.AddIndex(
            model_name="metricitem",
            index=models.Index(fields=["metric", "outcome", "id"], name="metric_item_page"),
        ),
        migrations.RunPython(create_statistics, drop_statistics),
    ]
