"""POST /api/v1/orders/{id}/cancel/ and the order's delivery_fee."""

import uuid

import pytest

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order, OrderEvent, PackingSlot
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _quantity(api, book):
    return api.get(f"/api/v1/books/{book.pk}/").json()["quantity"]


def _body(book, n, **fields):
    return {
        "shop_order_id": str(uuid.uuid4()),
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street",
        "items": [{"book": book.pk, "quantity": n}],
        **fields,
    }


def test_the_service_cancels_its_order_and_the_stock_comes_back(service_api, api, place_order):
    book = BookFactory(copies=3)
    order = place_order({book: 2})
    before = Book.objects.get(pk=book.pk).updated_at

    response = service_api.post(f"{ORDERS}{order.pk}/cancel/", {})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert _quantity(api, book) == 3
    assert Book.objects.get(pk=book.pk).updated_at > before  # the shop's sync sees it
    event = OrderEvent.objects.filter(order=order).last()
    assert (event.from_status, event.to_status) == ("in_work", "cancelled")


def test_a_second_cancel_is_200_with_the_same_order_and_one_event(service_api, place_order):
    order = place_order({BookFactory(copies=1): 1})

    first = service_api.post(f"{ORDERS}{order.pk}/cancel/", {})
    second = service_api.post(f"{ORDERS}{order.pk}/cancel/", {})

    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json() == first.json()
    assert OrderEvent.objects.filter(order=order, to_status="cancelled").count() == 1


def test_cancel_releases_the_picked_copies(staff_api, api, place_order):
    book = BookFactory(copies=2)
    order = place_order({book: 2})
    copies = list(BookItem.objects.values_list("pk", flat=True))
    staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": copies})

    response = staff_api.post(f"{ORDERS}{order.pk}/cancel/", {})

    assert response.json()["status"] == "cancelled"
    assert not PackingSlot.objects.filter(order=order, book_item__isnull=False).exists()
    assert set(BookItem.objects.values_list("status", flat=True)) == {"in_stock"}
    assert _quantity(api, book) == 2
    # The copies are free for another order.
    other = place_order({book: 2})
    assert staff_api.post(f"{ORDERS}{other.pk}/pack/", {"book_items": copies}).status_code == 200


@pytest.mark.parametrize("final", ["success", "fail"])
def test_a_shipped_or_failed_order_cannot_be_cancelled(staff_api, service_api, place_order, final):
    book = BookFactory(copies=1)
    order = place_order({book: 1})
    if final == "success":
        staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": [book.items.get().pk]})
        staff_api.post(f"{ORDERS}{order.pk}/complete/", {})
    else:
        staff_api.post(f"{ORDERS}{order.pk}/fail/", {"reason": "Damaged"})

    response = service_api.post(f"{ORDERS}{order.pk}/cancel/", {})

    assert response.status_code == 409
    assert response.json()["code"] == "order_not_cancellable"
    assert Order.objects.get(pk=order.pk).status == final


def test_a_service_cannot_cancel_another_accounts_order(
    other_service_api, place_order, other_service_account
):
    order = place_order({BookFactory(copies=1): 1})

    response = other_service_api.post(f"{ORDERS}{order.pk}/cancel/", {})

    assert response.status_code == 404
    assert Order.objects.get(pk=order.pk).status == "in_work"


def test_anonymous_cannot_cancel(api, place_order):
    order = place_order({BookFactory(copies=1): 1})

    assert api.post(f"{ORDERS}{order.pk}/cancel/", {}).status_code in (401, 403)
    assert Order.objects.get(pk=order.pk).status == "in_work"


def test_a_cancelled_order_is_closed_for_packing_and_completing(staff_api, place_order):
    order = place_order({BookFactory(copies=1): 1})
    staff_api.post(f"{ORDERS}{order.pk}/cancel/", {})

    assert staff_api.post(f"{ORDERS}{order.pk}/complete/", {}).status_code == 409
    assert staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": []}).status_code == 409


# -- delivery fee -----------------------------------------------------------------------------


def test_the_delivery_fee_is_kept_and_shown(service_api):
    book = BookFactory(copies=1)

    response = service_api.post(ORDERS, _body(book, 1, delivery_fee="3.50"))

    assert response.status_code == 201
    assert response.json()["delivery_fee"] == "3.50"
    assert str(Order.objects.get().delivery_fee) == "3.50"


@pytest.mark.parametrize("fee", ["-1.00", "1.234", "abc", 3.5])
def test_a_bad_delivery_fee_is_400_on_its_field(service_api, fee):
    response = service_api.post(ORDERS, _body(BookFactory(copies=1), 1, delivery_fee=fee))

    assert response.status_code == 400
    assert "delivery_fee" in response.json()
    assert not Order.objects.exists()


def test_the_same_id_with_another_fee_is_a_conflict(service_api):
    body = _body(BookFactory(copies=2), 1, delivery_fee="3.50")
    service_api.post(ORDERS, body)

    response = service_api.post(ORDERS, {**body, "delivery_fee": "0.00"})

    assert response.status_code == 409
    assert response.json()["code"] == "shop_order_id_conflict"
