"""Publishers (issue 4): organisations, accounts' roles, API keys, minted ocids, and the audit
trail, append-only like the log (openbook.store.audit)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from openbook.store import audit


def create_audit_triggers(apps, schema_editor):
    audit.create_triggers(schema_editor)


def drop_audit_triggers(apps, schema_editor):
    audit.drop_triggers(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('store', '0008_transparency'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Organisation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.TextField()),
                ('scheme', models.CharField(max_length=32)),
                ('identifier', models.CharField(max_length=200)),
                ('party_id', models.TextField()),
                ('created_time', models.CharField(max_length=32)),
            ],
            options={
                'db_table': 'organisation',
                'constraints': [models.UniqueConstraint(fields=('scheme', 'identifier'), name='organisation_identifier')],
            },
        ),
        migrations.CreateModel(
            name='MintedOcid',
            fields=[
                ('ocid', models.TextField(primary_key=True, serialize=False)),
                ('minted_time', models.CharField(max_length=32)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='store.organisation')),
            ],
            options={
                'db_table': 'minted_ocid',
            },
        ),
        migrations.CreateModel(
            name='ApiKey',
            fields=[
                ('key_id', models.CharField(max_length=16, primary_key=True, serialize=False)),
                ('name', models.TextField()),
                ('role', models.CharField(max_length=16)),
                ('secret_hash', models.CharField(max_length=64)),
                ('created_time', models.CharField(max_length=32)),
                ('created_by', models.TextField()),
                ('revoked_time', models.CharField(max_length=32, null=True)),
                ('last_used_time', models.CharField(max_length=32, null=True)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='store.organisation')),
            ],
            options={
                'db_table': 'api_key',
            },
        ),
        migrations.CreateModel(
            name='Membership',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(max_length=16)),
                ('created_time', models.CharField(max_length=32)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='store.organisation')),
            ],
            options={
                'db_table': 'membership',
                'constraints': [models.UniqueConstraint(fields=('user', 'organisation', 'role'), name='membership_role')],
            },
        ),
        migrations.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('time', models.CharField(max_length=32)),
                ('actor', models.TextField()),
                ('address', models.TextField(null=True)),
                ('action', models.CharField(max_length=32)),
                ('subject', models.TextField()),
                ('detail', models.TextField()),
                ('organisation', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='store.organisation')),
            ],
            options={
                'db_table': 'audit_event',
                'indexes': [models.Index(fields=['time'], name='audit_event_time'), models.Index(fields=['organisation', 'id'], name='audit_event_organisation')],
            },
        ),
        migrations.RunPython(create_audit_triggers, drop_audit_triggers),
    ]
