"""Reads about orders and what they reserve: availability, who may see which order, pick
lists; each loaded without per-row queries.

Availability lives here, where the reservations are: inventory knows the copies on the
shelves, orders know how many of them are promised, and inventory never imports orders.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict

from django.db.models import (
    F,
    Prefetch,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber

from bookshop.store.accounts.models import User
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order, OrderItem, PackingSlot


class Stock(TypedDict):
    in_stock: int
    reserved: int
    available: int


if TYPE_CHECKING:  # django-stubs-ext is a type checker's tool, not a runtime dependency
    from django_stubs_ext import WithAnnotations

    # A Book as book_list returns it.
    StockedBook = WithAnnotations[Book, Stock]


def book_list(*, queryset: QuerySet[Book] | None = None) -> QuerySet[StockedBook]:
    """Books annotated with `in_stock`, `reserved` and `available`.

    available = copies in stock - units reserved by open (in_work) orders, never below 0,
    and 0 for an inactive book, which cannot be ordered. The three are the book's stored
    counts (kept by the services, see inventory/services.py `books_touch`), so a page of
    books costs no per-book counting.
    """
    queryset = Book.objects.all() if queryset is None else queryset
    return queryset.annotate(
        in_stock=F("copies_in_stock"),
        reserved=F("units_reserved"),
        available=F("stock_available"),
    )


def book_availability(*, book_ids: Iterable[int]) -> dict[int, int]:
    """Available quantity per book id (books that do not exist are left out)."""
    return dict(book_list().filter(pk__in=list(book_ids)).values_list("pk", "available"))


def order_list(*, user: User | None) -> QuerySet[Order]:
    """The orders `user` may read: staff all of them, any other account its own, nobody
    (None) none."""
    queryset = Order.objects.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id"))
    )
    if user is None:
        return queryset.none()
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
            if slot.book_item is not None
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


def order_suggested_copies(*, order: Order) -> list[int]:
    """The free copies the pick list points to, one per unit still empty: for each book, the
    first free in-stock copies by shelf place (then id), as many as its empty units.

    Two queries whatever the order's size; none for a closed order (nothing to pick).
    """
    if not order.is_open:
        return []
    empty = Counter(
        PackingSlot.objects.filter(order=order, book_item__isnull=True).values_list(
            "order_item__book_id", flat=True
        )
    )
    if not empty:
        return []
    free = (
        BookItem.objects.filter(
            book_id__in=list(empty), status=BookItem.Status.IN_STOCK, packing_slot__isnull=True
        )
        .annotate(
            rank=Window(RowNumber(), partition_by=F("book_id"), order_by=[F("place"), F("id")])
        )
        .filter(rank__lte=max(empty.values()))
        .order_by("place", "id")
        .values_list("pk", "book_id", "rank")
    )
    return [pk for pk, book_id, rank in free if rank <= empty[book_id]]
