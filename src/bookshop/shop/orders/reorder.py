"""A failed order's one way forward: put the quantities still available back in the cart."""

from __future__ import annotations

from dataclasses import dataclass

from bookshop.shop.cart.cart import Cart
from bookshop.shop.cart.services import cart_add
from bookshop.shop.catalog.models import Book
from bookshop.shop.orders.models import Order


@dataclass(frozen=True)
class Reorder:
    added: int  # copies put in the cart
    missing: list[str]  # titles none of which is available now


def order_items_to_cart(*, order: Order, cart: Cart) -> Reorder:
    """Add each of the order's books to the cart, up to what the order held and what the
    catalogue has available now (cart_add caps it); report what could not go back."""
    books = Book.objects.in_bulk([item.book_id for item in order.items.all() if item.book_id])
    added = 0
    missing = []
    for item in order.items.all():
        book = books.get(item.book_id) if item.book_id else None
        if book is None:
            missing.append(item.title)
            continue
        before = cart.quantity(book.pk)
        change = cart_add(cart=cart, book=book, quantity=item.quantity)
        if change.quantity > before:
            added += change.quantity - before
        elif before == 0:
            missing.append(item.title)
    return Reorder(added=added, missing=missing)
