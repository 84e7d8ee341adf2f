from django.conf import settings
from django.http import HttpRequest

from bookshop.shop.cart.cart import Cart


def shop(request: HttpRequest) -> dict:
    """What every shop page's layout needs: the shop's name and the cart's size."""
    return {"shop_name": settings.SHOP_NAME, "cart_count": Cart(request.session).count}
