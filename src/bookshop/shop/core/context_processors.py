from django.conf import settings
from django.http import HttpRequest


def shop(request: HttpRequest) -> dict:
    """What every shop page's layout needs: the shop's name."""
    return {"shop_name": settings.SHOP_NAME}
