from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "bookshop.store.inventory"
    label = "inventory"
    verbose_name = "Inventory"
