"""The shop against the committed Store API schema (docs/store-api.yaml): the store client's
types and every canned store reply follow it, and the checks themselves catch a drift."""

from typing import NotRequired, TypedDict
from uuid import UUID

import pytest

from bookshop.shop.orders.status_sync import SHOP_STATUS_FOR_STORE_STATUS
from bookshop.shop.store_client import BookData, Identity, OrderData, Shortage, StoreClient
from tests.shop.factories import OrderFactory, store_book
from tests.shop.fake_store import FakeStore, Reply
from tests.shop.orders.test_submission import store_order
from tests.shop.store_contract import store_contract

BOOKS = "/api/v1/books/"
ORDERS = "/api/v1/orders/"


@pytest.fixture(scope="module")
def contract():
    return store_contract()


def shortage_schema(contract):
    """The schema of one short line in the 409 answer to an order."""
    for branch in contract.branches(contract.response_schema("POST", ORDERS, 409)):
        if "items" in (branch.get("properties") or {}):
            return contract.items(branch["properties"]["items"])
    raise AssertionError("the 409 answer to POST /api/v1/orders/ has no short lines")


# -- the store client's types --------------------------------------------------------------


def test_a_book_as_the_client_types_it_is_a_book_of_the_schema(contract):
    assert contract.mismatches(BookData, contract.listed("GET", BOOKS), "Book") == []


@pytest.mark.parametrize(("method", "status"), [("POST", 201), ("POST", 200), ("GET", 200)])
def test_an_order_as_the_client_types_it_is_an_order_of_the_schema(contract, method, status):
    if method == "GET":
        schema = contract.listed("GET", ORDERS)
    else:
        schema = contract.response_schema(method, ORDERS, status)

    assert contract.mismatches(OrderData, schema, "Order") == []


def test_a_shortage_as_the_client_types_it_is_one_of_the_schema(contract):
    assert contract.mismatches(Shortage, shortage_schema(contract), "Shortage") == []


def test_the_identity_the_client_reads_is_the_schema_s(contract):
    schema = contract.response_schema("GET", "/api/v1/me/", 200)

    assert contract.mismatches(Identity, schema, "WhoAmI") == []


def test_every_status_the_store_declares_is_mapped_to_a_shop_status(contract):
    status = contract.properties(contract.listed("GET", ORDERS))[0]["status"]
    [declared] = [set(b["enum"]) for b in contract.branches(status) if "enum" in b]

    assert set(SHOP_STATUS_FOR_STORE_STATUS) == declared


class DriftedBook(TypedDict):
    id: int
    title: str
    price: float  # the schema says a string
    stock: int  # the schema has no such property


def test_the_type_check_catches_a_client_type_that_drifted(contract):
    problems = contract.mismatches(DriftedBook, contract.listed("GET", BOOKS), "Book")

    assert any("knows ['stock']" in problem for problem in problems)
    assert any("Book.price" in problem for problem in problems)
    assert any("requires" in problem and "'stock'" in problem for problem in problems)


class LenientBook(TypedDict):
    id: int
    title: NotRequired[str]


def test_a_key_the_client_does_not_require_may_be_required_by_the_schema(contract):
    problems = contract.mismatches(LenientBook, contract.listed("GET", BOOKS), "Book")

    assert not any("requires" in problem for problem in problems)


# -- the canned replies --------------------------------------------------------------------


@pytest.mark.django_db
def test_the_factories_canned_replies_follow_the_schema(contract):
    book = {"previous": None, "next": None, "results": [store_book()]}
    order = store_order(OrderFactory.build())

    assert contract.problems(method="GET", path=BOOKS, status=200, body=book) == []
    assert contract.problems(method="POST", path=ORDERS, status=201, body=order) == []
    assert (
        contract.problems(
            method="GET",
            path=ORDERS,
            status=200,
            body={"previous": None, "next": None, "results": [order]},
        )
        == []
    )


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
    body = {"previous": None, "next": None, "results": [{**store_book(), **drift}]}

    problems = contract.problems(method="GET", path=BOOKS, status=200, body=body)

    assert any(problem in found for found in problems), problems


def test_a_book_without_a_required_field_is_caught(contract):
    book = {key: value for key, value in store_book().items() if key != "updated_at"}

    problems = contract.problems(
        method="GET",
        path=BOOKS,
        status=200,
        body={"previous": None, "next": None, "results": [book]},
    )

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
