"""Reads about orders: who may see which, loaded without per-row queries."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from bookshop.store.orders.models import Order, OrderItem


def order_list(*, user) -> QuerySet[Order]:
    """The orders `user` may read: staff all of them, any other account its own."""
    queryset = Order.objects.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )
    if user.is_staff:
        return queryset
    return queryset.filter(created_by=user)
