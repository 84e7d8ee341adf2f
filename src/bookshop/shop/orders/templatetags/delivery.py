"""Delivery and payment in templates: `{% with charges=summary.total|charges %}`."""

from decimal import Decimal

from django import template
from django.conf import settings

from bookshop.shop.orders.delivery import Charges, charges_for

register = template.Library()


@register.filter
def charges(subtotal: Decimal) -> Charges:
    """The cart's charges (subtotal, delivery, total) for this items' subtotal."""
    return charges_for(subtotal=subtotal)


@register.simple_tag
def payment_method() -> str:
    return settings.SHOP_PAYMENT_METHOD
