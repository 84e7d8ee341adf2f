"""The cart itself: book ids and quantities in the visitor's session.

Keeping it in the session serves anonymous visitors too, and Django keeps the session's
data when its visitor logs in or registers, so the cart survives both.
"""

from __future__ import annotations

import uuid

from django.contrib.sessions.backends.base import SessionBase

SESSION_KEY = "cart"
TOKEN_KEY = "cart_token"  # noqa: S105 - a session key, not a secret
VERSION_KEY = "cart_version"


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

    @property
    def token(self) -> uuid.UUID:
        """The cart's identity until it is ordered. The order made from it claims it in the
        database (Order.cart_token is unique): sessions are not transactional, so two tabs
        posting checkout at once both see this cart, and only the claim tells them apart."""
        return self._uuid(TOKEN_KEY)

    @property
    def version(self) -> str:
        """The cart's token and a part that changes whenever the contents change: a
        checkout page carries the version it showed, so a page older than the cart cannot
        order it, and can tell which cart it showed."""
        return f"{self.token.hex}.{self._uuid(VERSION_KEY).hex}"

    @staticmethod
    def token_of(version: str) -> uuid.UUID | None:
        """The token named in a version string, if it names one."""
        try:
            return uuid.UUID(version.split(".", 1)[0])
        except ValueError:
            return None

    def _uuid(self, key: str) -> uuid.UUID:
        try:
            return uuid.UUID(self.session[key])
        except (KeyError, TypeError, ValueError, AttributeError):
            value = uuid.uuid4()
            self.session[key] = value.hex
            return value

    def renew(self) -> None:
        """Keep the contents under a new identity (its old one was ordered already)."""
        self.session[TOKEN_KEY] = uuid.uuid4().hex
        self.session[VERSION_KEY] = uuid.uuid4().hex

    def set(self, book_id: int, quantity: int) -> None:
        """Put `quantity` copies of a book in the cart; 0 or less removes it."""
        items = self.items
        if quantity > 0:
            items[book_id] = quantity
        else:
            items.pop(book_id, None)
        self.session[SESSION_KEY] = {str(key): value for key, value in items.items()}
        self.token  # noqa: B018 - a cart has its token from its first book on, saved with it
        self.session[VERSION_KEY] = uuid.uuid4().hex

    def clear(self) -> None:
        """Empty the cart; what goes in next is a new cart, with a new identity."""
        for key in (SESSION_KEY, TOKEN_KEY, VERSION_KEY):
            self.session.pop(key, None)

    def __bool__(self) -> bool:
        return bool(self.items)
