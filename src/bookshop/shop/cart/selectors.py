"""Reads of a cart joined with the catalogue mirror, to show it or check it out."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bookshop.shop.cart.cart import Cart
from bookshop.shop.catalog.models import Book


@dataclass(frozen=True)
class CartLine:
    book: Book
    quantity: int

    @property
    def line_total(self) -> Decimal:
        return self.book.price * self.quantity

    @property
    def available(self) -> int:
        """Copies the customer may have now: none when the book left the catalogue."""
        return self.book.quantity if self.book.is_active else 0

    @property
    def problem(self) -> str:
        """Why this line cannot be ordered as it stands ("" when it can)."""
        if not self.book.is_active:
            return "No longer available"
        if self.book.quantity == 0:
            return "Out of stock"
        if self.quantity > self.book.quantity:
            return f"Only {self.book.quantity} available"
        return ""

    @property
    def can_increase(self) -> bool:
        return self.quantity < self.available

    @property
    def limit(self) -> str:
        """Why "Increase quantity" is off, when that is not the line's problem already."""
        if self.can_increase or self.problem or not self.quantity:
            return ""
        return f"Only {self.available} in stock"


@dataclass(frozen=True)
class CartSummary:
    lines: list[CartLine]

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def problems(self) -> list[CartLine]:
        return [line for line in self.lines if line.problem]


def cart_summary(*, cart: Cart) -> CartSummary:
    """The cart's lines with their books (one query), in the order they were added.

    Lines whose book vanished from the mirror altogether are left out.
    """
    items = cart.items
    if not items:
        return CartSummary(lines=[])
    books = Book.objects.defer("description").in_bulk(list(items))
    return CartSummary(
        lines=[
            CartLine(book=books[book_id], quantity=quantity)
            for book_id, quantity in items.items()
            if book_id in books
        ]
    )
