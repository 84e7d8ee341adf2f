from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "bookshop.shop.orders"
    label = "orders"
    verbose_name = "Orders"
