from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bookshop.shop.accounts"
    label = "accounts"
    verbose_name = "Accounts"
