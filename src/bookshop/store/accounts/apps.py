from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bookshop.store.accounts"
    label = "accounts"
    verbose_name = "Accounts"
