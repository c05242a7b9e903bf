"""openbook as a Django application above the store: what it does when Django is ready."""

from django.apps import AppConfig, apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class OpenbookConfig(AppConfig):
    name = "openbook"
    label = "openbook"

    def ready(self) -> None:
        from openbook.records import compile_after_migrating
        from openbook.store.database import add_sqlite_functions
        from openbook.supplier_claims import mark_after_migrating

        connection_created.connect(add_sqlite_functions)
        # Sent once per migrate run for the store's models, after its last migration.
        store = apps.get_app_config("store")
        post_migrate.connect(compile_after_migrating, sender=store)
        post_migrate.connect(mark_after_migrating, sender=store)
