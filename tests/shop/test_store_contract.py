"""The shop against the committed Store API schema (docs/store-api.yaml): every canned
store reply follows it, and the checks themselves catch a drift."""

from uuid import UUID

import pytest

from bookshop.shop.store_client import StoreClient
from tests.shop.factories import OrderFactory, store_book
from tests.shop.fake_store import FakeStore, Reply
from tests.shop.orders.test_submission import store_order
from tests.shop.store_contract import store_contract

BOOKS = "/api/v1/books/"
ORDERS = "/api/v1/orders/"


@pytest.fixture(scope="module")
def contract():
    return store_contract()


# -- the canned replies --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_factories_canned_replies_follow_the_schema(contract):
    book = {"next": None, "previous": None, "results": [store_book()]}
    order = store_order(OrderFactory.build())

    assert contract.problems(method="GET", path=BOOKS, status=200, body=book) == []
    assert contract.problems(method="POST", path=ORDERS, status=201, body=order) == []
    assert contract.problems(method="GET", path=ORDERS, status=200, body={"results": [order]}) == []


@pytest.mark.parametrize(
    ("drift", "problem"),
    [
        ({"quantity": None}, "results/0/quantity: None is not of type 'integer'"),
        ({"price": 12.5}, "results/0/price: 12.5 is not of type 'string'"),
        ({"updated_at": "2026-01-01 10:00"}, "results/0/updated_at"),
        ({"stock": 3}, "'stock' was unexpected"),
    ],
)
def test_a_book_that_drifted_from_the_schema_is_caught(contract, drift, problem):
    body = {"next": None, "results": [{**store_book(), **drift}]}

    problems = contract.problems(method="GET", path=BOOKS, status=200, body=body)

    assert any(problem in found for found in problems), problems


def test_a_book_without_a_required_field_is_caught(contract):
    book = {key: value for key, value in store_book().items() if key != "updated_at"}

    problems = contract.problems(method="GET", path=BOOKS, status=200, body={"results": [book]})

    assert problems == ["GET /api/v1/books/ 200: results/0: 'updated_at' is a required property"]


def test_statuses_and_operations_the_store_does_not_have_are_caught(contract):
    assert contract.problems(method="GET", path=BOOKS, status=204, body=None) == [
        "GET /api/v1/books/ 204: the store does not answer 204 here"
    ]
    assert contract.problems(method="GET", path="/api/v1/shelves/", status=200, body=[]) == [
        "GET /api/v1/shelves/ 200: no such operation in store-api.yaml"
    ]


def test_server_errors_are_part_of_no_contract(contract):
    assert contract.problems(method="GET", path=BOOKS, status=503, body="<html>") == []


@pytest.mark.django_db
def test_the_fake_store_keeps_what_broke_the_contract(settings):
    with FakeStore() as fake:
        settings.STORE_API_URL, settings.STORE_API_TOKEN = fake.url, "test-token"
        fake.reply(ORDERS, Reply(201, {**store_order(OrderFactory.build()), "status": "shipped"}))
        with StoreClient() as client:
            client.order_create(
                shop_order_id=UUID(int=1), customer_email="a@example.com",
                delivery_address="", items=[(7, 0)],
            )  # fmt: skip

    assert any("POST /api/v1/orders/ 201: status: 'shipped'" in v for v in fake.violations)
    assert any(v.startswith("the shop sent POST /api/v1/orders/") for v in fake.violations)
