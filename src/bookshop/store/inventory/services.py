"""Writes about the catalogue and the copies on the shelves.

Whether a copy may move to another book or leave the shelf depends on the orders that
picked it, so `book_item_update` and `book_items_remove` are in orders/services.py, which
also states the lock order these functions follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from bookshop.store.inventory.models import Book, BookItem

BOOK_FIELDS = ("title", "author", "isbn", "description", "price", "image", "is_active")


def books_lock(*, book_ids: Iterable[int]) -> dict[int, Book]:
    """Lock the books' rows for the rest of the transaction, one by one in id order.

    The first lock every stock change takes (see the lock order in orders/services.py).
    A single UPDATE would lock the rows in whatever order the table stores them, which
    two transactions can meet in opposite orders. Returns the books found, by id.
    """
    ids = sorted(set(book_ids))
    if not ids:
        return {}
    return {
        book.pk: book for book in Book.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }


def books_touch(*, book_ids: Iterable[int]) -> None:
    """Move the books' `updated_at` so the shop's incremental sync fetches them again.

    Called by every write that changes a book's availability without saving the book,
    after it has locked the books with `books_lock`.
    """
    ids = sorted(set(book_ids))
    if ids:
        Book.objects.filter(pk__in=ids).update(updated_at=timezone.now())


@transaction.atomic
def book_create(*, data: dict[str, Any]) -> Book:
    """Add a book to the catalogue."""
    book = Book(**{name: value for name, value in data.items() if name in BOOK_FIELDS})
    book.full_clean()
    book.save()
    return book


@transaction.atomic
def book_update(*, book: Book, data: dict[str, Any]) -> Book:
    """Change some of a book's fields (the others stay as they are)."""
    for name, value in data.items():
        if name in BOOK_FIELDS:
            setattr(book, name, "" if name == "image" and value is None else value)
    book.full_clean()
    book.save()
    return book


def book_deactivate(*, book: Book) -> Book:
    """Soft delete: the book stays visible with is_active=false, so syncs see it go."""
    if book.is_active:
        book.is_active = False
        book.save(update_fields=["is_active", "updated_at"])
    return book


@transaction.atomic
def books_set_active(*, book_ids: Iterable[int], active: bool) -> int:
    """Activate or deactivate several books at once; return how many changed."""
    locked = books_lock(book_ids=book_ids)
    return (
        Book.objects.filter(pk__in=list(locked))
        .exclude(is_active=active)
        .update(is_active=active, updated_at=timezone.now())
    )


@transaction.atomic
def book_items_add(*, book: Book, place: str, count: int = 1) -> list[BookItem]:
    """Put `count` new copies of a book on the shelf at `place`."""
    if count < 1:
        raise ValueError("count must be at least 1")
    books_lock(book_ids=[book.pk])
    items = BookItem.objects.bulk_create(
        [BookItem(book=book, place=place.strip()) for _ in range(count)]
    )
    books_touch(book_ids=[book.pk])
    return items
