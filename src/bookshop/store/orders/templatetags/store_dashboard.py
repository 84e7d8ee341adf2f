"""`{% store_dashboard as figures %}`: the admin index's dashboard figures (orders/reports)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from bookshop.store.orders.reports import dashboard

register = template.Library()


@register.simple_tag
def store_dashboard() -> dict[str, Any]:
    return dashboard(low_stock_threshold=settings.STORE_LOW_STOCK_THRESHOLD)
