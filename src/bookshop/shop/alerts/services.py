"""Back-in-stock alerts: subscribing, ending them when the book returns, unsubscribing.

The catalogue sync reports the books it brought back (restock.py); each waiting alert of
such a book is claimed exactly once (a row lock that a concurrent sync skips, then a
conditional UPDATE) and its email queued after commit. Sending it is emails.py's business.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from bookshop.shop import dispatch
from bookshop.shop.accounts.emails import email_normalize
from bookshop.shop.accounts.models import User
from bookshop.shop.alerts.models import StockAlert
from bookshop.shop.catalog.models import Book

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "bookshop.shop.alerts.unsubscribe"


class AlertError(Exception):
    """A subscription the shop refuses; `field` names the form field at fault, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Subscribed:
    alert: StockAlert
    created: bool  # False: this address was waiting for the book already


def _address(raw: str) -> str:
    try:
        address = email_normalize(raw.strip())
        validate_email(address)
    except ValidationError as exc:
        raise AlertError("Enter a valid email address.", field="email") from exc
    return address


def stock_alert_subscribe(
    *, book: Book, email: str = "", user: User | AnonymousUser | None = None
) -> Subscribed:
    """Wait for `book` to come back: a signed-in customer with their account's address,
    a guest with the one they give. Subscribing twice is one subscription."""
    if book.in_stock:
        raise AlertError(f"“{book.title}” is in stock: you can add it to your cart now.")
    if not book.is_active:
        raise AlertError(f"“{book.title}” is no longer in our catalogue.")
    account = user if isinstance(user, User) else None
    address = _address(email or (account.email if account else ""))
    existing = StockAlert.objects.waiting().filter(book=book, email=address).first()
    if existing:
        return Subscribed(existing, created=False)
    try:
        with transaction.atomic():
            alert = StockAlert.objects.create(book=book, email=address, user=account)
    except IntegrityError:
        # Two posts at once: the constraint let one in, and this is the same subscription.
        return Subscribed(StockAlert.objects.waiting().get(book=book, email=address), False)
    return Subscribed(alert, created=True)


def stock_alert_waiting_for(*, book: Book, user: User | AnonymousUser) -> StockAlert | None:
    """The signed-in customer's waiting alert for this book, if any."""
    if not user.is_authenticated or not user.email:
        return None
    return StockAlert.objects.waiting().filter(book=book, email=user.email).first()


def stock_alerts_release(*, book_ids: Iterable[int]) -> list[int]:
    """End the waiting alerts of books that are back and queue one email for each.

    Two syncs may report the same book at the same moment: the rows are locked with SKIP
    LOCKED (the other sync passes them by) and ended by an UPDATE that only touches rows
    still waiting, so each alert is claimed by exactly one caller. Returns the claimed ids.
    """
    ids = sorted(set(book_ids))
    if not ids:
        return []
    with transaction.atomic():
        locked = list(
            StockAlert.objects.waiting()
            .filter(book_id__in=ids, book__is_active=True, book__quantity__gt=0)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        claimed = []
        if locked:
            now = timezone.now()
            StockAlert.objects.waiting().filter(pk__in=locked).update(
                ended_at=now, ending=StockAlert.Ending.RESTOCKED
            )
            # Only what this transaction ended: a row another caller ended is not waiting.
            claimed = list(
                StockAlert.objects.filter(pk__in=locked, ended_at=now).values_list("pk", flat=True)
            )
        for alert_id in claimed:
            transaction.on_commit(
                partial(dispatch.stock_alert_send_enqueue, alert_id=alert_id), robust=True
            )
    if claimed:
        logger.info("alerts.released books=%s alerts=%s", len(ids), len(claimed))
    return claimed


def unsubscribe_token(email: str) -> str:
    """The signed token of an unsubscribe link: the address, unforgeable, no login."""
    return signing.dumps(email, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_email_of(token: str) -> str | None:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, str) else None


def stock_alerts_unsubscribe(*, email: str) -> int:
    """End every waiting alert of this address; returns how many ended."""
    return (
        StockAlert.objects.waiting()
        .filter(email=email)
        .update(ended_at=timezone.now(), ending=StockAlert.Ending.UNSUBSCRIBED)
    )
