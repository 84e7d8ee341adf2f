"""The catalogue sync's report of books it brought back, for their alerts.

A book only takes an alert while it has no copies (services.stock_alert_subscribe), so an
alert still waiting for a book that the mirror now shows available means its availability
went from 0 to more. The sync calls `restocks_alert` after each page's upsert; the
mirror's writes (catalog.services.book_upsert_many) need not know about alerts. Checking
after the write, rather than comparing with a snapshot taken before it, also catches an
alert made while the page was being applied.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bookshop.shop.alerts.models import StockAlert
from bookshop.shop.alerts.services import stock_alerts_release
from bookshop.shop.catalog.bulk import store_ids_in


def _arriving(books: Sequence[Mapping[str, Any]]) -> list[int]:
    """Store ids of the page's books that the store says are available."""
    ids = []
    for data in books:
        try:
            if int(data.get("quantity") or 0) > 0 and data.get("is_active", True):
                ids.append(int(data["id"]))
        except (KeyError, TypeError, ValueError):
            continue  # book_upsert_many refuses a malformed book before this runs
    return ids


def restocks_alert(books: Sequence[Mapping[str, Any]]) -> list[int]:
    """Release the waiting alerts of this page's books that are available now; returns the
    alert ids claimed. No query for a page without an available book, one read (no
    transaction, no write) when nobody waits for any of them."""
    arriving = _arriving(books)
    if not arriving:
        return []
    waiting = list(
        StockAlert.objects.waiting()
        .filter(
            book__store_id__in=store_ids_in(arriving), book__is_active=True, book__quantity__gt=0
        )
        .values_list("book_id", flat=True)
        .distinct()
    )
    return stock_alerts_release(book_ids=waiting) if waiting else []
