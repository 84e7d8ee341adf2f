"""Guest orders joining an account."""

from __future__ import annotations

import logging

from bookshop.shop.accounts.models import User
from bookshop.shop.orders.models import Order

logger = logging.getLogger(__name__)


def orders_attach_guest(*, user: User) -> int:
    """Give a verified account the guest orders placed with its email; return how many.

    Only for a verified address: anyone can type an address at guest checkout, and only
    its owner may see those orders. The caller holds the transaction.
    """
    if not user.email_verified or not user.email:
        return 0
    moved = Order.objects.filter(user__isnull=True, email__iexact=user.email).update(user=user)
    if moved:
        logger.info("orders.attach_guest user=%s orders=%s", user.pk, moved)
    return moved
