"""The search row says whether a release of the process reported on the planning stage, for the
pipeline register (openbook.store.pipeline), which asked the log for each process it showed
until then. Filled here from the statement terms the log already holds (``stage:planning``);
compiling writes it from then on."""

from django.db import migrations, models

FILL = (
    "UPDATE process_search SET planned = TRUE WHERE EXISTS (SELECT 1 FROM log_entry e"
    " JOIN statement_term t ON t.term = 'stage:planning' AND t.seq = e.seq"
    " WHERE e.register = 'ocds' AND e.record_key = process_search.ocid)"
)


class Migration(migrations.Migration):
    dependencies = [("store", "0020_alerts")]

    operations = [
        migrations.AddField(
            model_name="processsearch",
            name="planned",
            field=models.BooleanField(db_default=False),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
