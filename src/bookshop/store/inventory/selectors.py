"""Reads about the catalogue: books with their available quantity."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Case, Count, F, IntegerField, OuterRef, QuerySet, Subquery, Sum, When
from django.db.models.functions import Coalesce, Greatest

from bookshop.store.inventory.models import Book, BookItem


def _count_subquery(queryset: QuerySet, aggregate) -> Subquery:
    # One correlated subquery per figure: the page's books get their numbers in the same
    # query that fetches them, however many rows the page has.
    return Subquery(
        queryset.order_by().values("book").annotate(n=aggregate).values("n"),
        output_field=IntegerField(),
    )


def book_list(*, queryset: QuerySet[Book] | None = None) -> QuerySet[Book]:
    """Books annotated with `in_stock`, `reserved` and `available`.

    available = copies in stock - units reserved by open (in_work) orders, never below 0,
    and 0 for an inactive book, which cannot be ordered.
    """
    from bookshop.store.orders.models import Order, OrderItem

    queryset = Book.objects.all() if queryset is None else queryset
    in_stock = BookItem.objects.filter(book=OuterRef("pk"), status=BookItem.Status.IN_STOCK)
    reserved = OrderItem.objects.filter(book=OuterRef("pk"), order__status=Order.Status.IN_WORK)
    return queryset.annotate(
        in_stock=Coalesce(_count_subquery(in_stock, Count("pk")), 0),
        reserved=Coalesce(_count_subquery(reserved, Sum("quantity")), 0),
    ).annotate(
        available=Case(
            When(is_active=False, then=0),
            default=Greatest(F("in_stock") - F("reserved"), 0),
            output_field=IntegerField(),
        )
    )


def book_availability(*, book_ids: Iterable[int]) -> dict[int, int]:
    """Available quantity per book id (books that do not exist are left out)."""
    return dict(book_list().filter(pk__in=list(book_ids)).values_list("pk", "available"))
