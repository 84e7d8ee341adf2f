from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "bookshop.store.orders"
    label = "orders"
    verbose_name = "Orders"
