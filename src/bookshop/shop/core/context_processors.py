from django.conf import settings
from django.http import HttpRequest

from bookshop.shop.core.page_cache import frame_context


def shop(request: HttpRequest) -> dict:
    """What every shop page's layout needs: the shop's name, the cart's size and the
    customer's name (or, in a shared catalogue page, the holes for them)."""
    return {"shop_name": settings.SHOP_NAME, **frame_context(request)}
