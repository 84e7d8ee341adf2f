from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "bookshop.shop.alerts"
    label = "alerts"
    verbose_name = "Back-in-stock alerts"
