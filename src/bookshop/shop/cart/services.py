"""Cart rules: what may go in, how much, and what the customer is told."""

from __future__ import annotations

from dataclasses import dataclass

from bookshop.shop.cart.cart import Cart
from bookshop.shop.catalog.models import Book

# A sanity bound on one request's quantity; availability caps the line anyway.
MAX_ADD = 99


@dataclass(frozen=True)
class CartChange:
    """What a cart operation did, for the page or the JSON answer."""

    book: Book
    quantity: int  # the line's quantity now (0: not in the cart)
    message: str
    level: str  # success | info | warning | error
    changed: bool

    @property
    def ok(self) -> bool:
        return self.level != "error"


def _available(book: Book) -> int:
    return book.quantity if book.is_active else 0


def cart_add(*, cart: Cart, book: Book, quantity: int = 1) -> CartChange:
    """Add copies of a book, capped at what is available, saying so when capped."""
    if quantity < 1:
        raise ValueError("quantity must be at least 1")
    current = cart.quantity(book.pk)
    available = _available(book)
    if available == 0:
        message = (
            f"Sorry, “{book.title}” is no longer available."
            if not book.is_active
            else f"Sorry, “{book.title}” is out of stock."
        )
        return CartChange(book, current, message, "error", changed=False)
    wanted = current + quantity
    new = min(wanted, available)
    if new <= current:
        return CartChange(
            book,
            current,
            f"Only {available} {_copies(available)} of “{book.title}” available, "
            f"and all of them are in your cart.",
            "warning",
            changed=False,
        )
    cart.set(book.pk, new)
    if new < wanted:
        return CartChange(
            book,
            new,
            f"Only {available} {_copies(available)} of “{book.title}” available; "
            f"your cart now has {new}.",
            "warning",
            changed=True,
        )
    return CartChange(book, new, f"Added “{book.title}” to your cart.", "success", changed=True)


def cart_increase(*, cart: Cart, book: Book) -> CartChange:
    """Add one more copy, within availability."""
    return cart_add(cart=cart, book=book, quantity=1)


def cart_decrease(*, cart: Cart, book: Book) -> CartChange:
    """Take one copy out; the last one removes the line."""
    current = cart.quantity(book.pk)
    if current == 0:
        return CartChange(book, 0, f"“{book.title}” is not in your cart.", "info", changed=False)
    # A line above availability (the stock fell since) drops straight to what is left.
    available = _available(book)
    new = current - 1 if current <= available or available == 0 else available
    cart.set(book.pk, new)
    if new == 0:
        return CartChange(book, 0, f"Removed “{book.title}” from your cart.", "info", changed=True)
    return CartChange(book, new, f"Updated “{book.title}”.", "success", changed=True)


def cart_remove(*, cart: Cart, book: Book) -> CartChange:
    """Take a book's line out of the cart."""
    changed = cart.quantity(book.pk) > 0
    cart.set(book.pk, 0)
    return CartChange(book, 0, f"Removed “{book.title}” from your cart.", "info", changed=changed)


def cart_clear(*, cart: Cart) -> None:
    """Empty the cart."""
    cart.clear()


def _copies(count: int) -> str:
    return "copy" if count == 1 else "copies"
