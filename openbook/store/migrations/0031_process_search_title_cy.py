"""The search row keeps the Welsh title a publisher gave (OCDS language variants: ``title_cy``),
for the lists shown to readers who chose Welsh (issue 8). Rows written before are filled, with
the Welsh words of the text index, when their process is compiled again; until then they show
the English title."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0030_spend_link")]

    operations = [
        migrations.AddField(
            model_name="processsearch", name="title_cy", field=models.TextField(null=True)
        ),
    ]
