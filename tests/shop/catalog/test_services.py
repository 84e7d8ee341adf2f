from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookshop.shop.catalog.models import Book
from bookshop.shop.catalog.services import book_deactivate_missing, book_upsert_many
from tests.shop.factories import BookFactory, store_book

pytestmark = pytest.mark.django_db


def test_upsert_creates_mirror_rows_from_store_dicts():
    written = book_upsert_many(books=[store_book(id=7), store_book(id=8, image=None)])

    assert written == 2
    book = Book.objects.get(store_id=7)
    assert book.title == "The Dispossessed"
    assert book.price == Decimal("12.50")
    assert book.image_url == "http://127.0.0.1:8001/media/books/dispossessed.jpg"
    assert book.quantity == 3
    assert book.is_active is True
    assert book.store_updated_at == datetime(2025, 1, 2, 10, 0, 0, 123456, tzinfo=UTC)
    assert Book.objects.get(store_id=8).image_url == ""


def test_upsert_updates_existing_rows_and_is_idempotent():
    book_upsert_many(books=[store_book(id=7)])
    changed = store_book(
        id=7, price="9.99", quantity=0, is_active=False, updated_at="2025-01-03T00:00:00Z"
    )

    book_upsert_many(books=[changed])
    book_upsert_many(books=[changed])

    assert Book.objects.count() == 1
    book = Book.objects.get(store_id=7)
    assert (book.price, book.quantity, book.is_active) == (Decimal("9.99"), 0, False)


def test_upsert_never_rolls_a_book_back_to_an_older_version():
    book_upsert_many(books=[store_book(id=7, price="20.00", updated_at="2025-02-01T00:00:00Z")])

    written = book_upsert_many(
        books=[store_book(id=7, price="10.00", updated_at="2025-01-01T00:00:00Z")]
    )

    assert written == 0
    assert Book.objects.get(store_id=7).price == Decimal("20.00")


def test_upsert_keeps_the_newest_of_a_book_repeated_in_one_page():
    book_upsert_many(
        books=[
            store_book(id=7, price="11.00", updated_at="2025-01-02T00:00:00Z"),
            store_book(id=7, price="10.00", updated_at="2025-01-01T00:00:00Z"),
        ]
    )

    assert Book.objects.get(store_id=7).price == Decimal("11.00")


def test_upsert_of_nothing_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert book_upsert_many(books=[]) == 0


def test_upsert_writes_a_page_in_one_statement():
    books = [store_book(id=n) for n in range(1, 301)]

    with CaptureQueriesContext(connection) as queries:
        assert book_upsert_many(books=books) == 300

    # On PostgreSQL the rows are copied to a scratch table and inserted from there.
    inserts = [query for query in queries if 'INSERT INTO "catalog_book" (' in query["sql"]]
    selects = [query for query in queries if query["sql"].startswith("SELECT")]
    # SQLite caps the parameters of one statement, so Django splits the batch there.
    assert len(inserts) == 1 if connection.vendor == "postgresql" else 1 <= len(inserts) <= 8
    # The versions held: a cheap look first, then again under lock when there is news;
    # then the subjects' and the books' ids for the subject links, once for the page.
    assert len(selects) == (4 if "subjects" in books[0] else 2)
    assert Book.objects.count() == 300


def test_upsert_rejects_a_price_that_is_not_a_number():
    with pytest.raises(ValueError, match="price"):
        book_upsert_many(books=[store_book(price="lots")])
    assert not Book.objects.exists()


def test_deactivate_missing_hides_books_the_store_no_longer_has():
    kept, gone, already = BookFactory(), BookFactory(), BookFactory(is_active=False)

    hidden = book_deactivate_missing(present_store_ids={kept.store_id})

    assert hidden == 1
    assert set(Book.objects.listed()) == {kept}
    gone.refresh_from_db()
    already.refresh_from_db()
    assert gone.is_active is False
    assert already.is_active is False
