from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "bookshop.store.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        # Connects the signals that delete replaced covers' files.
        from bookshop.store.inventory import cover_files  # noqa: F401
