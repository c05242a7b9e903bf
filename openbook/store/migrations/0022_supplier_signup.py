from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("store", "0021_process_search_planned"),
    ]

    operations = [
        migrations.CreateModel(
            name="SupplierSignup",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("email", models.CharField(max_length=254)),
                ("token_hash", models.CharField(max_length=64, null=True, unique=True)),
                ("created_time", models.CharField(max_length=32)),
                ("used_time", models.CharField(max_length=32, null=True)),
            ],
            options={
                "db_table": "supplier_signup",
                "indexes": [
                    models.Index(fields=["email", "created_time"], name="supplier_signup_email")
                ],
            },
        ),
    ]
