"""Reads of orders for their customer."""

from __future__ import annotations

from django.db.models import QuerySet

from bookshop.shop.accounts.models import User
from bookshop.shop.orders.models import Order


def order_list_for_customer(*, user: User) -> QuerySet[Order]:
    """The customer's own orders, newest first, with their items (no N+1)."""
    return Order.objects.filter(user=user).prefetch_related("items").order_by("-created_at", "-id")


def order_get_for_customer(*, user: User, pk: int) -> Order | None:
    """One of the customer's own orders with items and history; None for anyone else's."""
    return Order.objects.filter(user=user, pk=pk).prefetch_related("items", "events").first()


def order_last_delivery(*, user: User) -> Order | None:
    """The customer's latest order, to offer its address again at checkout."""
    return (
        Order.objects.filter(user=user)
        .only("delivery_address", "phone")
        .order_by("-created_at", "-id")
        .first()
    )
