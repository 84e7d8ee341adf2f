"""Bad input gets a 400 naming the field, never a 500 (the test client re-raises those)."""

import uuid

import pytest

from bookshop.store.orders.models import Order
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(db):
    return BookFactory(copies=5)


def _order(book, **changes):
    body = {
        "shop_order_id": str(uuid.uuid4()),
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street",
        "items": [{"book": book.pk, "quantity": 1}],
    }
    body.update(changes)
    return body


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"items": [{"book": "BOOK", "quantity": 0}]},
            {"items": {"0": {"quantity": ["Ensure this value is greater than or equal to 1."]}}},
        ),
        (
            {"items": [{"book": "BOOK", "quantity": -3}]},
            {"items": {"0": {"quantity": ["Ensure this value is greater than or equal to 1."]}}},
        ),
        (
            {"items": [{"book": "BOOK", "quantity": 1001}]},
            {"items": {"0": {"quantity": ["Ensure this value is less than or equal to 1000."]}}},
        ),
        (
            {"items": [{"book": "BOOK", "quantity": "two"}]},
            {"items": {"0": {"quantity": ["A valid integer is required."]}}},
        ),
        (
            {"items": [{"book": 987654, "quantity": 1}]},
            {"items": ["Book 987654 does not exist."]},
        ),
        (
            {"items": [{"book": 10**30, "quantity": 1}]},
            {
                "items": {
                    "0": {
                        "book": ["Ensure this value is less than or equal to 9223372036854775807."]
                    }
                }
            },
        ),
        (
            {"items": [{"book": "BOOK", "quantity": 1}, {"book": "BOOK", "quantity": 2}]},
            {"items": ["Book BOOK is listed more than once; send one line per book."]},
        ),
        ({"items": []}, {"items": {"non_field_errors": ["This list may not be empty."]}}),
        (
            {"items": "everything"},
            {"items": {"non_field_errors": ['Expected a list of items but got type "str".']}},
        ),
        (
            {"items": [{"book": "BOOK"}]},
            {"items": {"0": {"quantity": ["This field is required."]}}},
        ),
        ({"shop_order_id": "not-a-uuid"}, {"shop_order_id": ["Must be a valid UUID."]}),
        ({"shop_order_id": 12}, {"shop_order_id": ["Must be a valid UUID."]}),
        ({"customer_email": "nobody"}, {"customer_email": ["Enter a valid email address."]}),
        ({"delivery_address": ""}, {"delivery_address": ["This field may not be blank."]}),
        ({"delivery_address": None}, {"delivery_address": ["This field may not be null."]}),
    ],
)
def test_bad_orders_are_400_with_field_messages(service_api, book, changes, errors):
    def fill(value):
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        if value == "BOOK":
            return book.pk
        if isinstance(value, str):
            return value.replace("BOOK", str(book.pk))
        return value

    response = service_api.post("/api/v1/orders/", _order(book, **fill(changes)))

    assert response.status_code == 400
    assert response.json() == fill(errors)
    assert Order.objects.count() == 0


def test_too_many_lines_is_400(service_api, book):
    lines = [{"book": book.pk + n, "quantity": 1} for n in range(101)]

    response = service_api.post("/api/v1/orders/", _order(book, items=lines))

    assert response.status_code == 400
    assert response.json() == {
        "items": {"non_field_errors": ["Ensure this field has no more than 100 elements."]}
    }


@pytest.mark.parametrize(
    "body", ["[1, 2]", '"text"', "{not json", "null", '{"items": {"book": 1}}']
)
def test_bodies_that_are_not_an_order_are_400(service_api, body):
    response = service_api.post("/api/v1/orders/", body, content_type="application/json")

    assert response.status_code == 400


def test_a_missing_body_names_every_required_field(service_api):
    response = service_api.post("/api/v1/orders/", {})

    assert response.status_code == 400
    assert set(response.json()) == {"shop_order_id", "customer_email", "delivery_address", "items"}


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/books/", {"updated_after": "yesterday"}, "updated_after"),
        ("/api/v1/books/", {"updated_after": "2024-13-45T99:00:00Z"}, "updated_after"),
        ("/api/v1/books/", {"min_price": "cheap"}, "min_price"),
        ("/api/v1/books/", {"max_price": "NaN"}, "max_price"),
        ("/api/v1/books/", {"min_price": "-1"}, "min_price"),
        ("/api/v1/books/", {"is_active": "maybe"}, "is_active"),
        ("/api/v1/books/", {"min_price": "1e400"}, "min_price"),
        ("/api/v1/books/", {"search": "\x00"}, "search"),
        ("/api/v1/books/", {"ordering": "author"}, "ordering"),
        ("/api/v1/books/", {"ordering": "title,password"}, "ordering"),
        ("/api/v1/books/", {"page_size": 10**9}, "page_size"),
        ("/api/v1/books/", {"page_size": "\u0665"}, "page_size"),  # ARABIC-INDIC DIGIT FIVE
        ("/api/v1/books/", {"page_size": "+5"}, "page_size"),
        ("/api/v1/books/", {"ordering": "title, price"}, "ordering"),
        ("/api/v1/books/", {"ordering": "--title"}, "ordering"),
        ("/api/v1/books/", {"ordering": "title,"}, "ordering"),
        ("/api/v1/books/", {"updated_after": "2024-01-01T00:00:00"}, "updated_after"),
        ("/api/v1/books/", {"updated_after": "2024-01-01"}, "updated_after"),
        ("/api/v1/books/", {"updated_after": "2024-01-01 00:00:00Z"}, "updated_after"),
        ("/api/v1/books/", {"max_price": "1" + "0" * 50 + ".01"}, "max_price"),
        ("/api/v1/books/", {"is_active": "1"}, "is_active"),
        ("/api/v1/orders/", {"status": "shipped"}, "status"),
        ("/api/v1/orders/", {"updated_after": "0"}, "updated_after"),
        ("/api/v1/orders/", {"ordering": "customer_email"}, "ordering"),
        ("/api/v1/orders/", {"page_size": "-1"}, "page_size"),
    ],
)
def test_bad_query_parameters_are_400_with_the_parameter(staff_api, book, path, params, field):
    response = staff_api.get(path, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


@pytest.mark.parametrize(
    "params",
    [
        {"max_price": "99999999999999999999999"},
        {"search": "' OR 1=1 --"},
        {"updated_after": "0001-01-01T00:00:00Z"},
        {"updated_after": "9999-12-31T23:59:59+00:00"},
        # Instants beyond what a datetime holds in UTC: the earliest and latest there are.
        {"updated_after": "0001-01-01T00:00:00+05:00"},
        {"updated_after": "9999-12-31T23:59:59-05:00"},
        {"updated_after": "2024-01-01t00:00:00.1234567z"},
        {"max_price": "1" + "0" * 50},
        # An empty value is no value.
        {"is_active": "", "min_price": "", "ordering": "", "page_size": "", "cursor": ""},
    ],
)
def test_odd_but_valid_query_parameters_are_answered(api, book, params):
    assert api.get("/api/v1/books/", params).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/books/abc/", "/api/v1/books/99999999999999999999999/"])
def test_ids_that_are_not_ids_are_404(api, path):
    assert api.get(path).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"book_items": "all"},
        {"book_items": ["one"]},
        {"book_items": [10**30]},
        {},
    ],
)
def test_bad_pack_bodies_are_400(staff_api, place_order, book, body):
    order = place_order({book: 1})

    response = staff_api.post(f"/api/v1/orders/{order.pk}/pack/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["book_items"]


@pytest.mark.parametrize(
    ("body", "field"),
    [({"place": ""}, "place"), ({"place": "A", "count": 0}, "count"), ({"count": 2}, "place")],
)
def test_bad_copy_bodies_are_400(staff_api, book, body, field):
    response = staff_api.post(f"/api/v1/books/{book.pk}/items/", body)

    assert response.status_code == 400
    assert list(response.json()) == [field]
