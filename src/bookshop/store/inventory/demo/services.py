"""Putting the demo catalogue in an empty store."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from bookshop.store.inventory.covers import cover_png
from bookshop.store.inventory.demo.catalog import DemoBook, read_catalog
from bookshop.store.inventory.models import Book, Subject
from bookshop.store.inventory.services import book_create, book_items_add, subjects_get_or_create


@dataclass(frozen=True)
class DemoSeedResult:
    books: int
    copies: int


def _book_data(book: DemoBook, cover: bytes | None, subjects: dict[str, Subject]) -> dict[str, Any]:
    """The row as book_create takes it; `subjects` are the subjects by name."""
    data: dict[str, Any] = {
        "title": book.title,
        "author": book.author,
        "isbn": book.isbn,
        "description": book.description,
        "price": book.price,
        "publisher": book.publisher,
        "published_year": book.published_year,
        "format": book.format,
        "pages": book.pages,
        "language": book.language,
        "series": book.series,
        "series_number": book.series_number,
        "subjects": [subjects[name] for name in book.subjects],
    }
    if cover is not None:
        data["image"] = ContentFile(cover, name=f"{book.isbn}.png")
    return data


def demo_catalog_seed(*, covers: bool = True) -> DemoSeedResult | None:
    """Add the demo catalogue, with generated covers and its copies, if the store has no
    books at all; a store with books (active or not) is never touched: return None.
    """
    if Book.objects.exists():
        return None
    books = read_catalog()
    # Drawn before the transaction: no write lock is held for the seconds this takes.
    images = {
        book.isbn: cover_png(
            title=book.title,
            author=book.author,
            genre=book.subjects[0] if book.subjects else None,
            seed=book.isbn,
        )
        for book in books
    } if covers else {}  # fmt: skip
    stored: list[str] = []
    try:
        with transaction.atomic():
            if Book.objects.exists():  # someone was quicker
                return None
            names = list(dict.fromkeys(name for row in books for name in row.subjects))
            subjects = dict(zip(names, subjects_get_or_create(names=names), strict=True))
            copies = 0
            for row in books:
                book = book_create(data=_book_data(row, images.get(row.isbn), subjects))
                if book.image:
                    stored.append(book.image.name)
                for place, count in row.copies:
                    copies += len(book_items_add(book=book, place=place, count=count))
    except BaseException:
        # The rows are rolled back; the cover files they named must go too.
        for name in stored:
            default_storage.delete(name)
        raise
    return DemoSeedResult(books=len(books), copies=copies)


def demo_catalog_report(result: DemoSeedResult | None) -> str:
    """One line saying what demo_catalog_seed did; `bookshop up` repeats it in its banner."""
    if result is None:
        return (
            f"demo catalogue: not added, the store already has {Book.objects.count()} books "
            "(it only goes into an empty store)"
        )
    return f"demo catalogue: added {result.books} books and {result.copies} copies"
