"""Frameworks named by their call-offs are in the commercial tools register
(docs/commercial-tools.md, "What is a tool"): each tool says how it is known to be one
(``recognised_by``: its own techniques, or a call-off naming it). The tools already listed
declared themselves; the processes that call-offs name and that declare nothing are listed to
be compiled again at the end of the migrate run, which writes their rows (openbook.apps)."""

from django.db import migrations, models


def index_named(apps, schema_editor):
    from openbook.commercial_tools import index_named
    from openbook.store.database import Store

    index_named(Store(schema_editor.connection.alias))


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0023_metric_item_page"),
    ]

    operations = [
        migrations.AddField(
            model_name="commercialtool",
            name="recognised_by",
            field=models.TextField(default="techniques"),
        ),
        migrations.RunPython(index_named, migrations.RunPython.noop),
    ]
