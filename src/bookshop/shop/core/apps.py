from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "bookshop.shop.core"
    label = "core"
    verbose_name = "Shop"
