"""The tracking link: a signed token naming one order, so its customer (a guest above all)
can follow and cancel it without logging in.

The token is the order's UUID signed with SECRET_KEY (django.core.signing, its own salt):
it cannot be guessed or altered into another order's, and it names only that order.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from bookshop.shop.orders.models import Order

SALT = "bookshop.shop.orders.tracking"


def tracking_token(*, order: Order) -> str:
    return signing.dumps(str(order.uuid), salt=SALT, compress=False)


def tracking_path(*, order: Order) -> str:
    return reverse("orders:track", args=[tracking_token(order=order)])


def tracking_url(*, order: Order) -> str:
    return f"{settings.SHOP_PUBLIC_URL}{tracking_path(order=order)}"


def order_for_tracking_token(*, token: str, details: bool = True) -> Order | None:
    """The order the token names, with its items and history unless `details` is False
    (its live status needs neither); None for a bad token."""
    try:
        uuid = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(uuid, str):
        return None
    orders = Order.objects.filter(uuid=uuid)
    return (orders.prefetch_related("items", "events") if details else orders).first()
