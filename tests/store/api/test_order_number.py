"""The shop's order number (the customer's "#5"): sent at creation, optional, filterable."""

import uuid

import pytest

from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

ORDERS = "/api/v1/orders/"


def _send(api, book, **fields):
    body = {
        "shop_order_id": str(uuid.uuid4()),
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street",
        "items": [{"book": book.pk, "quantity": 1}],
        **fields,
    }
    return api.post(ORDERS, body)


def test_an_order_without_a_number_has_none(service_api):
    response = _send(service_api, BookFactory(copies=1))

    assert response.status_code == 201
    assert response.json()["shop_order_number"] is None


@pytest.mark.parametrize("bad", [0, -5, 2.5, "five", 2**63])
def test_a_number_that_is_not_a_positive_whole_number_is_a_400(service_api, bad):
    response = _send(service_api, BookFactory(copies=1), shop_order_number=bad)

    assert response.status_code == 400
    assert "shop_order_number" in response.json()


def test_staff_find_an_order_by_the_customers_number(service_api, staff_api):
    book = BookFactory(copies=3)
    for number in (5, 15, 50):
        assert _send(service_api, book, shop_order_number=number).status_code == 201

    found = staff_api.get(ORDERS, {"shop_order_number": "5"}).json()["results"]

    assert [order["shop_order_number"] for order in found] == [5]


@pytest.mark.parametrize("bad", ["5.5", "#5", "0", str(2**63)])
def test_a_bad_number_filter_is_a_400_naming_it(staff_api, bad):
    response = staff_api.get(ORDERS, {"shop_order_number": bad})

    assert response.status_code == 400
    assert "shop_order_number" in response.json()
