"""Checking the books' stored stock against the copies and orders it counts."""

from collections import Counter

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order, OrderItem


def stock_counted_afresh() -> dict[int, tuple[int, int]]:
    """Every book's (copies in stock, units reserved by open orders), counted row by row
    in Python, independently of the stored counts and of the SQL that fills them."""
    in_stock = Counter(
        BookItem.objects.filter(status=BookItem.Status.IN_STOCK).values_list("book_id", flat=True)
    )
    reserved: Counter[int] = Counter()
    for book_id, quantity in OrderItem.objects.filter(
        order__status=Order.Status.IN_WORK
    ).values_list("book_id", "quantity"):
        reserved[book_id] += quantity
    return {pk: (in_stock[pk], reserved[pk]) for pk in Book.objects.values_list("pk", flat=True)}


def stock_stored() -> dict[int, tuple[int, int]]:
    return {
        pk: (n, r)
        for pk, n, r in Book.objects.values_list("pk", "copies_in_stock", "units_reserved")
    }


def assert_stored_stock_is_right() -> None:
    """The stored counts of every book equal a fresh count."""
    assert stock_stored() == stock_counted_afresh()
