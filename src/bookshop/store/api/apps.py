from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "bookshop.store.api"
    label = "api"
    verbose_name = "Store API"
