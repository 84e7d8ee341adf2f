"""A copy picked for an order stays a copy of the ordered book, as a client sees it."""

import pytest

from bookshop.store.inventory.models import BookItem
from bookshop.store.orders.models import Order
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _quantity(api, book):
    return api.get(f"/api/v1/books/{book.pk}/").json()["quantity"]


def test_complete_refuses_a_picked_copy_that_now_belongs_to_another_book(
    staff_api, api, place_order
):
    dune, emma = BookFactory(title="Dune", copies=1), BookFactory(title="Emma", copies=1)
    order = place_order({dune: 1})
    copy = dune.items.get()
    assert staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": [copy.pk]}).status_code == 200
    # A write that bypassed the services (a script, a raw UPDATE) moved the picked copy.
    BookItem.objects.filter(pk=copy.pk).update(book=emma)
    emma_before = _quantity(api, emma)

    response = staff_api.post(f"{ORDERS}{order.pk}/complete/", {})

    assert response.status_code == 400
    assert response.json() == {
        "book_items": [f"Copy {copy.pk} is of “Emma”, but its unit is of “Dune”."]
    }
    assert Order.objects.get().status == "in_work"
    assert not BookItem.objects.filter(status="shipped").exists()
    assert _quantity(api, emma) == emma_before


def test_a_copy_picked_through_the_api_ships_with_its_book(
    staff_api, admin_client, api, place_order
):
    dune, emma = BookFactory(title="Dune", copies=2), BookFactory(title="Emma", copies=1)
    order = place_order({dune: 1})
    copy = dune.items.first()
    staff_api.post(f"{ORDERS}{order.pk}/pack/", {"book_items": [copy.pk]})
    url = f"/admin/inventory/bookitem/{copy.pk}/change/"
    moved = admin_client.post(url, {"book": emma.pk, "place": copy.place})

    done = staff_api.post(f"{ORDERS}{order.pk}/complete/", {})

    assert moved.status_code == 200  # refused, with the reason on the page
    assert done.status_code == 200
    assert BookItem.objects.get(pk=copy.pk).book_id == dune.pk
    assert (_quantity(api, dune), _quantity(api, emma)) == (1, 1)
