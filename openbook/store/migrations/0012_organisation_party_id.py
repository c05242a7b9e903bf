"""One organisation per party id: the publish API tells whose a release is by its buyer's party
id (openbook.publishing.scope). On a database where two organisations share one it fails: one
of them must be given another party id first."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0011_marks"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(fields=("party_id",), name="organisation_party_id"),
        ),
    ]
