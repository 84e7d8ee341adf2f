"""How the shop writes an amount of money."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def money_format(amount: Decimal) -> str:
    """The amount with the shop's currency symbol and exactly two decimals: $1,012.50."""
    return f"{settings.SHOP_CURRENCY_SYMBOL}{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
