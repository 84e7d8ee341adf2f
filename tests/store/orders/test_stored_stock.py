"""The books' stored stock (copies in stock, units reserved, available) stays equal to a
fresh count through every service that changes copies or orders."""

import pytest
from django.core.exceptions import ValidationError

from bookshop.store.inventory.codes import copy_code
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import (
    book_items_add,
    book_items_add_many,
    book_update,
    books_set_active,
)
from bookshop.store.orders.models import ShippedCopy
from bookshop.store.orders.selectors import book_list
from bookshop.store.orders.services import (
    book_item_update,
    book_items_remove,
    book_items_remove_free,
    books_stock_recount,
    order_cancel,
    order_complete,
    order_fail,
    order_pick_by_code,
    order_pick_suggested,
    order_return_copy,
    order_slot_clear,
)
from tests.store.factories import BookFactory, BookItemFactory
from tests.store.stock import assert_stored_stock_is_right, stock_stored

pytestmark = pytest.mark.django_db


def _stock(book):
    row = book_list().get(pk=book.pk)
    return row.in_stock, row.reserved, row.available


def test_every_service_that_moves_stock_keeps_the_stored_counts_right(place_order):
    dune, emma, ulysses = (BookFactory(title=t) for t in ("Dune", "Emma", "Ulysses"))
    step = assert_stored_stock_is_right

    book_items_add(book=dune, place="A-1", count=4)
    step()
    book_items_add_many(copies=[(emma.pk, "E-1", 3), (ulysses.pk, "U-1", 2), (emma.pk, "E-2", 1)])
    step()
    assert _stock(emma) == (4, 0, 4)

    shipping = place_order({dune: 2, emma: 1})
    failing = place_order({dune: 1})
    cancelled = place_order({emma: 2, ulysses: 1})
    step()
    assert _stock(dune) == (4, 3, 1)

    # Picking changes no count: a picked copy is still in stock, its unit still reserved.
    order_pick_suggested(order_id=shipping.pk, actor=None)
    order_pick_suggested(order_id=cancelled.pk, actor=None)
    slot = cancelled.slots.exclude(book_item=None).first()
    order_slot_clear(order_id=cancelled.pk, slot_id=slot.pk, actor=None)
    order_pick_by_code(order_id=cancelled.pk, code=copy_code(slot.book_item_id), actor=None)
    step()

    order_complete(order_id=shipping.pk, actor=None)
    step()
    assert _stock(dune) == (2, 1, 1)
    order_fail(order_id=failing.pk, actor=None, reason="Address unknown")
    step()
    order_cancel(order_id=cancelled.pk, actor=None)
    order_cancel(order_id=cancelled.pk, actor=None)  # again: nothing more is released
    step()
    assert _stock(emma) == (3, 0, 3)

    record = ShippedCopy.objects.filter(order=shipping, book=dune).first()
    order_return_copy(shipped_copy_id=record.pk, place="R-1", reason="Damaged", actor=None)
    step()
    assert _stock(dune) == (3, 0, 3)

    free = BookItem.objects.filter(book=emma, status=BookItem.Status.IN_STOCK).first()
    book_item_update(book_item_id=free.pk, book_id=ulysses.pk, place="U-2")
    step()
    assert (_stock(emma)[0], _stock(ulysses)[0]) == (2, 3)
    book_item_update(book_item_id=free.pk, book_id=ulysses.pk, place="U-3")  # place only
    step()

    book_items_remove(book_item_ids=[free.pk])
    step()
    place_order({ulysses: 1})
    removed = book_items_remove_free(wanted={(ulysses.pk, "U-1"): 5})
    step()
    # One copy stays for the open order's reservation.
    assert removed == {(ulysses.pk, "U-1"): 1}
    assert _stock(ulysses) == (1, 1, 0)


def test_a_refused_change_leaves_the_counts_as_they_were(place_order):
    book = BookFactory(copies=2)
    order = place_order({book: 1})
    order_pick_suggested(order_id=order.pk, actor=None)
    picked = order.slots.get().book_item_id

    with pytest.raises(ValidationError):
        book_items_remove(book_item_ids=[picked])

    assert _stock(book) == (2, 1, 1)
    assert_stored_stock_is_right()


def test_a_book_saved_from_a_stale_copy_keeps_its_counts():
    book = BookFactory(title="Dune")
    stale = Book.objects.get(pk=book.pk)
    book_items_add(book=book, place="A-1", count=3)

    book_update(book=stale, data={"title": "Dune Messiah"})
    stale.save()

    assert _stock(book) == (3, 0, 3)
    assert Book.objects.get(pk=book.pk).title == "Dune Messiah"


def test_an_inactive_book_has_none_available_and_gets_them_back(place_order):
    book = BookFactory(copies=3)
    place_order({book: 1})

    books_set_active(book_ids=[book.pk], active=False)
    assert _stock(book) == (3, 1, 0)
    books_set_active(book_ids=[book.pk], active=True)
    assert _stock(book) == (3, 1, 2)


def test_a_recount_repairs_counts_written_around_the_services(place_order):
    dune, emma = BookFactory(copies=2), BookFactory(copies=1)
    place_order({dune: 1})
    BookItem.objects.filter(book=emma).update(status=BookItem.Status.SHIPPED)
    BookItemFactory(book=dune)
    Book.objects.filter(pk=dune.pk).update(copies_in_stock=9)
    assert stock_stored()[dune.pk] == (9, 1)

    books_stock_recount(book_ids=[dune.pk])
    assert stock_stored()[dune.pk] == (3, 1)
    assert stock_stored()[emma.pk] == (1, 0)  # not asked for: left alone
    books_stock_recount()
    assert_stored_stock_is_right()
