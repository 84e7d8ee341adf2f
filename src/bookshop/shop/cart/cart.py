"""The cart itself: book ids and quantities in the visitor's session.

Keeping it in the session serves anonymous visitors too, and Django keeps the session's
data when its visitor logs in or registers, so the cart survives both.
"""

from __future__ import annotations

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "cart"


class Cart:
    """A session-backed mapping of book id to quantity; business rules are in services."""

    def __init__(self, session: SessionBase) -> None:
        self.session = session

    @property
    def items(self) -> dict[int, int]:
        """Book id → quantity (JSON keeps the session's keys as strings)."""
        raw = self.session.get(SESSION_KEY) or {}
        items = {}
        for key, quantity in raw.items():
            try:
                book_id, quantity = int(key), int(quantity)
            except (TypeError, ValueError):
                continue
            if quantity > 0:
                items[book_id] = quantity
        return items

    @property
    def count(self) -> int:
        """How many copies in all (the navbar's badge); needs no database query."""
        return sum(self.items.values())

    def quantity(self, book_id: int) -> int:
        return self.items.get(book_id, 0)

    def set(self, book_id: int, quantity: int) -> None:
        """Put `quantity` copies of a book in the cart; 0 or less removes it."""
        items = self.items
        if quantity > 0:
            items[book_id] = quantity
        else:
            items.pop(book_id, None)
        self.session[SESSION_KEY] = {str(key): value for key, value in items.items()}

    def clear(self) -> None:
        self.session.pop(SESSION_KEY, None)

    def __bool__(self) -> bool:
        return bool(self.items)
