from django.db import migrations

from openbook.store import immutability


def create_triggers(apps, schema_editor):
    immutability.create(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("store", "0001_log")]
    operations = [migrations.RunPython(create_triggers, migrations.RunPython.noop)]
