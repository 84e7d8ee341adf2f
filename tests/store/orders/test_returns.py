"""Taking back a shipped copy: in stock again, recorded on the order, the shop syncs it."""

import html

import pytest
from django.core.exceptions import ValidationError

from bookshop.store.inventory.codes import copy_code
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import OrderEvent, ShippedCopy
from bookshop.store.orders.selectors import book_availability
from bookshop.store.orders.services import order_complete, order_pick_suggested, order_return_copy
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(place_order):
    book = BookFactory(title="Dune", copies=2)
    order = place_order({book: 2}, number=5)
    order_pick_suggested(order_id=order.pk, actor=None)
    order_complete(order_id=order.pk, actor=None)
    return order


def _url(order):
    return f"/admin/orders/order/{order.pk}/return/"


def test_a_returned_copy_is_in_stock_again_and_the_order_says_so(admin_client, shipped):
    record = ShippedCopy.objects.filter(order=shipped).order_by("book_item_id").first()
    book = Book.objects.get(pk=record.book_id)
    before = book.updated_at
    assert book_availability(book_ids=[book.pk]) == {book.pk: 0}

    response = admin_client.post(
        _url(shipped),
        {"shipped_copy": record.pk, "place": "R-1", "reason": "Arrived damaged"},
        follow=True,
    )

    code = copy_code(record.book_item_id)
    assert [str(m) for m in response.context["messages"]] == [
        f"Copy {code} is back in stock at R-1."
    ]
    copy = BookItem.objects.get(pk=record.book_item_id)  # the same copy: its label still scans
    assert (copy.status, copy.place) == (BookItem.Status.IN_STOCK, "R-1")
    assert book_availability(book_ids=[book.pk]) == {book.pk: 1}
    book.refresh_from_db()
    assert book.updated_at > before  # the shop's next sync fetches the book again
    record.refresh_from_db()
    assert record.returned_at is not None  # the record that it shipped stays
    event = OrderEvent.objects.filter(order=shipped).last()
    assert str(event) == "Copy returned"
    assert event.note == f"Returned copy {code} to R-1: Arrived damaged"
    page = html.unescape(response.content.decode())
    assert f"<strong>Copy returned</strong>, {response.wsgi_request.user.username}" in page


def test_a_copy_comes_back_once(admin_client, shipped):
    record = ShippedCopy.objects.filter(order=shipped).first()
    order_return_copy(shipped_copy_id=record.pk, place="R-1", reason="x", actor=None)

    with pytest.raises(ValidationError, match="returned already"):
        order_return_copy(shipped_copy_id=record.pk, place="R-2", reason="x", actor=None)
    page = admin_client.get(_url(shipped)).content.decode()
    assert copy_code(record.book_item_id) not in page  # no longer offered


def test_place_and_reason_are_required_and_nothing_changes(admin_client, shipped):
    record = ShippedCopy.objects.filter(order=shipped).first()

    response = admin_client.post(_url(shipped), {"shipped_copy": record.pk, "place": " "})

    page = response.content.decode()
    assert "Say on which shelf place the copy goes." in page
    assert "Say why the copy came back." in page
    assert BookItem.objects.get(pk=record.book_item_id).status == BookItem.Status.SHIPPED


def test_an_open_order_has_nothing_to_take_back(admin_client, place_order):
    order = place_order({BookFactory(copies=1): 1})

    page = admin_client.get(_url(order)).content.decode()

    assert "Only a shipped order's copies can come back" in html.unescape(page)
