"""What delivery costs and how the customer pays: one rule for the cart, checkout, the
order the shop keeps and the one it sends to the store."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Charges:
    """An order's money as the customer sees it: the items, delivery, and what they pay."""

    subtotal: Decimal
    delivery: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.delivery

    @property
    def free_delivery(self) -> bool:
        return self.delivery == 0

    @property
    def free_from(self) -> Decimal | None:
        """The subtotal from which delivery is free, or None when it never is."""
        return settings.SHOP_FREE_DELIVERY_FROM


def delivery_fee_for(*, subtotal: Decimal) -> Decimal:
    """The flat SHOP_DELIVERY_FEE, or nothing once the items reach SHOP_FREE_DELIVERY_FROM
    (no threshold set: always the fee). An empty cart costs nothing to deliver."""
    if subtotal <= 0:
        return Decimal("0.00")
    threshold = settings.SHOP_FREE_DELIVERY_FROM
    if threshold is not None and subtotal >= threshold:
        return Decimal("0.00")
    return Decimal(settings.SHOP_DELIVERY_FEE).quantize(CENT)


def charges_for(*, subtotal: Decimal) -> Charges:
    return Charges(subtotal=subtotal, delivery=delivery_fee_for(subtotal=subtotal))
