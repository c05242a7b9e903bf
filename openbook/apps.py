"""openbook as a Django application above the store: what it does when Django is ready."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class OpenbookConfig(AppConfig):
    name = "openbook"
    label = "openbook"

    def ready(self) -> None:
        from openbook.records import compile_after_migrating
        from openbook.supplier_claims import mark_after_migrating

        # Sent once per migrate run for the store's models, after its last migration.
        store = apps.get_app_config("store")
        post_migrate.connect(compile_after_migrating, sender=store)
        post_migrate.connect(mark_after_migrating, sender=store)
