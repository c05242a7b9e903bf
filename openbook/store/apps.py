from django.apps import AppConfig
from django.db.models.signals import post_migrate


class StoreConfig(AppConfig):
    name = "openbook.store"
    label = "store"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(compile_after_migrating, sender=self)


def compile_after_migrating(sender, using: str = "default", **kwargs) -> None:
    """Compile the records a migration put on the list to compile again (0014 does, so that
    what compiling writes covers what was compiled before), once the schema is whole: compiling
    writes every table today's code knows, which a migration half-way along the way may lack.
    A migrate run that stops short of the newest migration (going back, say) leaves them
    listed for the next one, or for the next load."""
    from openbook.records import REGISTER, compile_pending
    from openbook.store.database import Store, pending_migrations
    from openbook.store.records import pending_count

    store = Store(using)
    if pending_migrations(store) or not pending_count(store, REGISTER):
        return
    compile_pending(store)
