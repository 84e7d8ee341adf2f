"""Every endpoint for every role: what status code each caller gets."""

import uuid

import pytest
from rest_framework.test import APIClient

from bookshop.store.inventory.models import BookItem
from tests.store.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "plain_user", "service", "other_service", "staff"]


@pytest.fixture
def clients(api, service_api, other_service_api, staff_api):
    plain = APIClient()
    plain.force_authenticate(UserFactory())
    return {
        "anonymous": api,
        "plain_user": plain,
        "service": service_api,
        "other_service": other_service_api,
        "staff": staff_api,
    }


@pytest.fixture
def world(place_order):
    """A book with copies and one open order created by the first service account."""
    book = BookFactory(copies=4)
    order = place_order({book: 1})
    return {"book": book, "order": order, "copy": BookItem.objects.filter(book=book).first()}


def _order_body(world):
    return {
        "shop_order_id": str(uuid.uuid4()),
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street",
        "items": [{"book": world["book"].pk, "quantity": 1}],
    }


def _complete(client, world):
    # Staff must pack before completing; others are refused before that matters.
    order = world["order"]
    client.post(f"/api/v1/orders/{order.pk}/pack/", {"book_items": [world["copy"].pk]})
    return client.post(f"/api/v1/orders/{order.pk}/complete/", {})


ENDPOINTS = {
    "book list": (lambda c, w: c.get("/api/v1/books/"), [200, 200, 200, 200, 200]),
    "book detail": (lambda c, w: c.get(f"/api/v1/books/{w['book'].pk}/"), [200] * 5),
    "book create": (
        lambda c, w: c.post("/api/v1/books/", {"title": "T", "author": "A", "price": "1.00"}),
        [401, 403, 403, 403, 201],
    ),
    "book update": (
        lambda c, w: c.patch(f"/api/v1/books/{w['book'].pk}/", {"price": "2.00"}),
        [401, 403, 403, 403, 200],
    ),
    "book put is not offered": (
        lambda c, w: c.put(f"/api/v1/books/{w['book'].pk}/", {}),
        [401, 403, 403, 403, 405],
    ),
    "book delete": (
        lambda c, w: c.delete(f"/api/v1/books/{w['book'].pk}/"),
        [401, 403, 403, 403, 204],
    ),
    "copies list": (
        lambda c, w: c.get(f"/api/v1/books/{w['book'].pk}/items/"),
        [401, 403, 403, 403, 200],
    ),
    "copies add": (
        lambda c, w: c.post(f"/api/v1/books/{w['book'].pk}/items/", {"place": "Z-1"}),
        [401, 403, 403, 403, 201],
    ),
    "order create": (
        lambda c, w: c.post("/api/v1/orders/", _order_body(w)),
        [401, 403, 201, 201, 201],
    ),
    "order list": (lambda c, w: c.get("/api/v1/orders/"), [401, 403, 200, 200, 200]),
    "order detail": (
        lambda c, w: c.get(f"/api/v1/orders/{w['order'].pk}/"),
        [401, 403, 200, 404, 200],
    ),
    "order pack": (
        lambda c, w: c.post(
            f"/api/v1/orders/{w['order'].pk}/pack/", {"book_items": [w["copy"].pk]}
        ),
        [401, 403, 403, 403, 200],
    ),
    "order complete": (_complete, [401, 403, 403, 403, 200]),
    "order fail": (
        lambda c, w: c.post(f"/api/v1/orders/{w['order'].pk}/fail/", {"reason": "no"}),
        [401, 403, 403, 403, 200],
    ),
    "whoami": (lambda c, w: c.get("/api/v1/me/"), [401, 200, 200, 200, 200]),
    "token with wrong password": (
        lambda c, w: c.post("/api/v1/auth/token/", {"username": "x", "password": "y"}),
        [400] * 5,
    ),
    "schema": (lambda c, w: c.get("/api/schema/"), [200] * 5),
    "docs": (lambda c, w: c.get("/api/docs/"), [200] * 5),
}

CASES = [
    pytest.param(name, role, codes[i], id=f"{name}-{role}")
    for name, (_, codes) in ENDPOINTS.items()
    for i, role in enumerate(ROLES)
]


@pytest.mark.parametrize(("endpoint", "role", "expected"), CASES)
def test_endpoint_by_role(clients, world, endpoint, role, expected):
    call, _ = ENDPOINTS[endpoint]

    response = call(clients[role], world)

    assert response.status_code == expected, response.content[:300]
