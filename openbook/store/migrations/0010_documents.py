"""Documents (issue 4, item 5): what organisations uploaded, one row per organisation and file;
the files themselves are kept under OPENBOOK_DOCUMENTS_DIR, named by their SHA-256."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0009_publishers'),
    ]

    operations = [
        migrations.CreateModel(
            name='Document',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sha256', models.CharField(max_length=64)),
                ('name', models.TextField()),
                ('size', models.BigIntegerField()),
                ('media_type', models.CharField(max_length=100)),
                ('kind', models.CharField(max_length=16)),
                ('uploaded_time', models.CharField(max_length=32)),
                ('seq', models.BigIntegerField(unique=True)),
                ('scan', models.TextField()),
                ('withheld', models.CharField(max_length=32, null=True)),
                ('uploaded_by', models.TextField()),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='store.organisation')),
            ],
            options={
                'db_table': 'document',
                'indexes': [models.Index(fields=['organisation', 'seq'], name='document_organisation')],
                'constraints': [models.UniqueConstraint(fields=('sha256', 'organisation'), name='document_upload')],
            },
        ),
    ]
