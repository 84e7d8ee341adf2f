from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "bookshop.shop.catalog"
    label = "catalog"
    verbose_name = "Catalogue"
