from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "bookshop.shop.cart"
    label = "cart"
    verbose_name = "Cart"
