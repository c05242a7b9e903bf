"""The verifiable log (docs/log-format.md): the public parts of the signing keys, the signed tree
heads, and the stored subtree hashes that proofs are made from (openbook.store.tree)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("store", "0007_record_without_versioned"),
    ]

    operations = [
        migrations.CreateModel(
            name="SigningKey",
            fields=[
                ("key_id", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("public_key", models.CharField(max_length=64)),
                ("name", models.TextField()),
                ("created_time", models.CharField(max_length=32)),
                ("retired_time", models.CharField(max_length=32, null=True)),
            ],
            options={"db_table": "signing_key"},
        ),
        migrations.CreateModel(
            name="TreeNode",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "height", "position", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("height", models.SmallIntegerField()),
                ("position", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
            ],
            options={"db_table": "tree_node"},
        ),
        migrations.CreateModel(
            name="SignedTreeHead",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("tree_size", models.BigIntegerField()),
                ("root_hash", models.CharField(max_length=64)),
                ("head_time", models.CharField(max_length=32)),
                ("checkpoint", models.TextField()),
                (
                    "signing_key",
                    models.ForeignKey(
                        db_column="key_id",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="store.signingkey",
                    ),
                ),
            ],
            options={
                "db_table": "tree_head",
                "indexes": [models.Index(fields=["tree_size", "id"], name="tree_head_size")],
            },
        ),
    ]
