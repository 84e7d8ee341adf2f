"""Reads about orders: who may see which, loaded without per-row queries."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet, Window
from django.db.models.functions import RowNumber

from bookshop.store.inventory.models import BookItem
from bookshop.store.orders.models import Order, OrderItem, PackingSlot


def order_list(*, user) -> QuerySet[Order]:
    """The orders `user` may read: staff all of them, any other account its own."""
    queryset = Order.objects.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )
    if user.is_staff:
        return queryset
    return queryset.filter(created_by=user)


def order_pick_list(*, order: Order, suggestions: int = 5) -> dict:
    """What a picker needs on paper: the copies already picked, sorted by shelf place, and
    for each unit still empty a few places where a free copy of that book sits.

    Two queries whatever the order's size.
    """
    slots = list(
        PackingSlot.objects.filter(order=order)
        .select_related("order_item", "book_item")
        .order_by("order_item_id", "position")
    )
    picked = sorted(
        (
            {
                "place": slot.book_item.place,
                "copy": slot.book_item_id,
                "title": slot.order_item.title,
            }
            for slot in slots
            if slot.book_item_id
        ),
        key=lambda row: (row["place"], row["copy"]),
    )
    missing: dict[int, dict] = {}
    for slot in slots:
        if not slot.book_item_id:
            line = missing.setdefault(
                slot.order_item.book_id,
                {"title": slot.order_item.title, "book": slot.order_item.book_id, "units": 0},
            )
            line["units"] += 1
    places: dict[int, list[str]] = {book_id: [] for book_id in missing}
    if missing and order.is_open:
        free = (
            BookItem.objects.filter(
                book_id__in=list(missing),
                status=BookItem.Status.IN_STOCK,
                packing_slot__isnull=True,
            )
            .annotate(
                rank=Window(RowNumber(), partition_by=F("book_id"), order_by=[F("place"), F("id")])
            )
            .filter(rank__lte=suggestions)
            .order_by("place", "id")
            .values_list("book_id", "place")
        )
        for book_id, place in free:
            places[book_id].append(place)
    to_pick = sorted(
        ({**line, "places": places[book_id]} for book_id, line in missing.items()),
        key=lambda line: (line["places"][:1] or ["~"], line["title"]),
    )
    return {"order": order, "picked": picked, "to_pick": to_pick}
