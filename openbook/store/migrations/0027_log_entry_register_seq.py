"""A register's statements in log order, a page at a time (openbook.store.log
.register_statements: the BODS feed, the lists of withdrawals and redactions). Without this
index SQLite read every statement of the register by (register, record key) and sorted them
all for each page: 1.3 s a page for a register of 100,000 statements. Entries are appended in
seq order, so the index grows at its end: measured without a difference in load time."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("store", "0026_spend")]

    operations = [
        migrations.AddIndex(
            model_name="logentry",
            index=models.Index(fields=["register", "seq"], name="log_entry_register_seq"),
        ),
    ]
