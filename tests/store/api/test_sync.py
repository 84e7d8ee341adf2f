"""What the shop's incremental syncs see: `updated_after` returns everything each step touched."""

import uuid

import pytest
from django.utils import timezone

from bookshop.store.inventory.models import BookItem
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db


def _changed(client, path, since):
    response = client.get(path, {"updated_after": since.isoformat(), "ordering": "updated_at"})
    assert response.status_code == 200
    return {row["id"] for row in response.json()["results"]}


def test_each_step_shows_up_in_the_book_and_order_syncs(service_api, staff_api):
    dune, emma, idle = BookFactory(copies=3), BookFactory(copies=3), BookFactory(copies=3)

    def step(action):
        since = timezone.now()
        action()
        return (
            _changed(service_api, "/api/v1/books/", since),
            _changed(service_api, "/api/v1/orders/", since),
        )

    created = {}

    def create():
        response = service_api.post(
            "/api/v1/orders/",
            {
                "shop_order_id": str(uuid.uuid4()),
                "customer_email": "reader@example.com",
                "delivery_address": "1 Long Street",
                "items": [{"book": dune.pk, "quantity": 1}, {"book": emma.pk, "quantity": 1}],
            },
        )
        created["id"] = response.json()["id"]

    assert step(create) == ({dune.pk, emma.pk}, {created["id"]})
    order = created["id"]
    picks = [BookItem.objects.filter(book=b).first().pk for b in (dune, emma)]

    def pack():
        staff_api.post(f"/api/v1/orders/{order}/pack/", {"book_items": picks})

    assert step(pack) == (set(), {order})

    def complete():
        staff_api.post(f"/api/v1/orders/{order}/complete/", {})

    assert step(complete) == ({dune.pk, emma.pk}, {order})

    def reorder_and_fail():
        response = service_api.post(
            "/api/v1/orders/",
            {
                "shop_order_id": str(uuid.uuid4()),
                "customer_email": "reader@example.com",
                "delivery_address": "1 Long Street",
                "items": [{"book": idle.pk, "quantity": 2}],
            },
        )
        created["second"] = response.json()["id"]

    assert step(reorder_and_fail) == ({idle.pk}, {created["second"]})

    def fail():
        staff_api.post(f"/api/v1/orders/{created['second']}/fail/", {"reason": "no"})

    assert step(fail) == ({idle.pk}, {created["second"]})

    def add_copies():
        staff_api.post(f"/api/v1/books/{dune.pk}/items/", {"place": "D-1", "count": 2})

    assert step(add_copies) == ({dune.pk}, set())

    def edit_and_delete():
        staff_api.patch(f"/api/v1/books/{emma.pk}/", {"title": "Emma (2nd ed.)"})
        staff_api.delete(f"/api/v1/books/{idle.pk}/")

    assert step(edit_and_delete) == ({emma.pk, idle.pk}, set())

    def nothing():
        pass

    assert step(nothing) == (set(), set())
