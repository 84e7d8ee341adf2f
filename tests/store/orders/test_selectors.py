"""Availability (in stock - reserved), read where the reservations live."""

import pytest

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import book_items_add
from bookshop.store.orders.selectors import book_availability, book_list
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db


def test_an_order_reserves_and_an_inactive_book_has_nothing_available(place_order):
    book, inactive = BookFactory(copies=3), BookFactory(copies=2)
    place_order({book: 2})
    Book.objects.filter(pk=inactive.pk).update(is_active=False)

    rows = {b.pk: (b.in_stock, b.reserved, b.available) for b in book_list()}

    assert rows == {book.pk: (3, 2, 1), inactive.pk: (2, 0, 0)}
    assert book_availability(book_ids=[book.pk, inactive.pk, 999_999]) == {
        book.pk: 1,
        inactive.pk: 0,
    }


def test_availability_never_goes_negative_when_reserved_copies_are_removed(place_order):
    book = BookFactory(copies=2)
    place_order({book: 2})

    BookItem.objects.filter(book=book).delete()

    assert book_availability(book_ids=[book.pk]) == {book.pk: 0}


def test_adding_copies_raises_availability_and_moves_updated_at():
    book = BookFactory(copies=1)
    before = book.updated_at

    book_items_add(book=book, place="C-1", count=3)

    row = book_list().get(pk=book.pk)
    assert (row.in_stock, row.reserved, row.available) == (4, 0, 4)
    assert row.updated_at > before


def test_availability_of_a_whole_page_takes_one_query(django_assert_num_queries, place_order):
    books = [BookFactory(copies=n % 4) for n in range(30)]
    place_order({books[3]: 2})

    with django_assert_num_queries(1):
        rows = {b.pk: b.available for b in book_list()}

    assert rows[books[3].pk] == 1
    assert rows[books[1].pk] == 1
    assert rows[books[0].pk] == 0
