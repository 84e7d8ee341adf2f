import json
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit
from uuid import UUID

import pytest
from django.core.management import CommandError, call_command

from bookshop.shop.store_client import (
    Identity,
    StoreAuthError,
    StoreBadRequest,
    StoreClient,
    StoreConflict,
    StoreInsufficientStock,
    StoreMalformed,
    StoreNotFound,
    StoreUnavailable,
)
from tests.shop.fake_store import Reply

WHOAMI = "/api/v1/me/"
ORDERS = "/api/v1/orders/"


def create_order(client, items=((7, 2),)):
    return client.order_create(
        shop_order_id=UUID("6c9a4a0e-8f8a-4a57-9d43-2b8a4f0f1c11"),
        customer_email="reader@example.com",
        delivery_address="1 Main St",
        items=list(items),
    )


def test_whoami_sends_the_token_and_reads_the_identity(fake_store):
    fake_store.reply(WHOAMI, Reply(200, {"username": "shop-service", "role": "service"}))

    with StoreClient() as client:
        assert client.whoami() == Identity(username="shop-service", role="service")

    assert fake_store.seen[0].headers["Authorization"] == "Token test-token"


def test_the_token_file_is_read_when_no_token_is_set(fake_store, settings, tmp_path):
    settings.STORE_API_TOKEN = ""
    settings.STORE_API_TOKEN_FILE = tmp_path / "token"
    settings.STORE_API_TOKEN_FILE.write_text("from-the-file\n")
    fake_store.reply(WHOAMI, Reply(200, {"username": "shop-service", "role": "service"}))

    with StoreClient() as client:
        client.whoami()

    assert fake_store.seen[0].headers["Authorization"] == "Token from-the-file"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (400, {"items": ["This list may not be empty."]}, StoreBadRequest),
        (401, {"detail": "Invalid token."}, StoreAuthError),
        (403, {"detail": "You do not have permission to perform this action."}, StoreAuthError),
        (
            409,
            {"code": "shop_order_id_conflict", "detail": "Used for another order."},
            StoreConflict,
        ),
    ],
)
def test_client_errors_are_final_and_carry_the_payload(fake_store, status, body, error):
    fake_store.reply(ORDERS, Reply(status, body))

    with StoreClient() as client, pytest.raises(error) as raised:
        create_order(client)

    assert raised.value.retryable is False
    assert raised.value.status == status
    assert raised.value.payload == body


def test_not_found_is_final(fake_store):
    fake_store.reply(
        "/api/v1/orders/5/", Reply(404, {"detail": "No Order matches the given query."})
    )

    with StoreClient() as client, pytest.raises(StoreNotFound) as raised:
        client.request("GET", "orders/5/")

    assert raised.value.retryable is False


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_can_be_retried(fake_store, status):
    fake_store.reply(WHOAMI, Reply(status, {"detail": "down"}))

    with StoreClient() as client, pytest.raises(StoreUnavailable) as raised:
        client.whoami()

    assert raised.value.retryable is True
    assert raised.value.status == status


def test_throttling_can_be_retried_after_the_time_the_store_names(fake_store):
    # Off the contract: the store throttles only anonymous clients, but a proxy in front of
    # it may still answer 429, and the client must wait as it is told.
    fake_store.reply(
        WHOAMI, Reply(429, {"detail": "slow down"}, {"Retry-After": "7"}, off_contract=True)
    )

    with StoreClient() as client, pytest.raises(StoreUnavailable) as raised:
        client.whoami()

    assert raised.value.retry_after == 7


def test_a_closed_port_can_be_retried(settings, closed_port):
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"

    with StoreClient() as client, pytest.raises(StoreUnavailable, match="unreachable"):
        client.whoami()


def test_a_slow_store_times_out(fake_store):
    fake_store.reply(WHOAMI, Reply(200, {"username": "x", "role": "service"}, delay=1.0))

    with (
        StoreClient(read_timeout=0.2) as client,
        pytest.raises(StoreUnavailable, match="timed out"),
    ):
        client.whoami()


def test_paginate_follows_next_links(fake_store):
    one, two, three = ({**BOOK, "id": n} for n in (1, 2, 3))
    fake_store.reply(
        "/api/v1/books/",
        Reply(
            200,
            {
                "previous": None,
                "next": f"{fake_store.url}/api/v1/books/?cursor=2",
                "results": [one, two],
            },
        ),
        Reply(200, {"previous": None, "next": None, "results": [three]}),
    )

    with StoreClient() as client:
        pages = list(client.paginate("books/", {"page_size": 2}))

    assert pages == [[one, two], [three]]
    assert [seen.path for seen in fake_store.seen] == [
        "/api/v1/books/?page_size=2",
        "/api/v1/books/?cursor=2",
    ]


def test_check_store_reports_the_service_account(fake_store, capsys):
    fake_store.reply(WHOAMI, Reply(200, {"username": "shop-service", "role": "service"}))

    call_command("check_store")

    assert "accepts the token of 'shop-service' (service)" in capsys.readouterr().out


def test_check_store_fails_on_a_token_of_a_person(fake_store):
    fake_store.reply(WHOAMI, Reply(200, {"username": "admin", "role": "staff"}))

    with pytest.raises(CommandError, match="not to a service account"):
        call_command("check_store")


def test_check_store_fails_when_the_store_is_down(settings, closed_port):
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"

    with pytest.raises(CommandError, match="unreachable"):
        call_command("check_store")


BOOK = {
    "id": 7,
    "title": "Dune",
    "author": "Frank Herbert",
    "isbn": "9780441172719",
    "description": "",
    "price": "9.99",
    "image": None,
    "quantity": 3,
    "is_active": True,
    "updated_at": "2026-11-25T10:00:00.000001Z",
}
ORDER = {
    "id": 1,
    "shop_order_id": "6c9a4a0e-8f8a-4a57-9d43-2b8a4f0f1c11",
    "shop_order_number": 5,
    "customer_email": "reader@example.com",
    "delivery_address": "1 Main St",
    "delivery_fee": "0.00",
    "status": "in_work",
    "fail_reason": "",
    "items": [{"book": 7, "title": "Dune", "quantity": 2, "unit_price": "9.99"}],
    "created_at": "2026-11-25T10:00:00Z",
    "updated_at": "2026-11-25T10:00:00Z",
}


def test_books_changed_asks_for_changes_in_update_order(fake_store):
    fake_store.reply(
        "/api/v1/books/", Reply(200, {"previous": None, "next": None, "results": [BOOK]})
    )
    since = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    with StoreClient() as client:
        pages = list(client.books_changed(updated_after=since, page_size=100))

    assert pages == [[BOOK]]
    query = parse_qs(urlsplit(fake_store.seen[0].path).query)
    assert query == {
        "ordering": ["updated_at"],
        "page_size": ["100"],
        "updated_after": ["2026-11-25T09:00:00+00:00"],
    }


def test_a_book_missing_a_field_is_a_malformed_answer(fake_store):
    broken = {key: value for key, value in BOOK.items() if key != "quantity"}
    fake_store.reply(
        "/api/v1/books/",
        Reply(200, {"previous": None, "next": None, "results": [broken]}, off_contract=True),
    )

    with StoreClient() as client, pytest.raises(StoreMalformed, match="quantity"):
        list(client.books_changed())


def test_orders_changed_reads_the_orders_pages(fake_store):
    fake_store.reply(
        "/api/v1/orders/", Reply(200, {"previous": None, "next": None, "results": [ORDER]})
    )

    with StoreClient() as client:
        assert list(client.orders_changed()) == [[ORDER]]


def test_order_create_posts_the_contract_body(fake_store):
    fake_store.reply("/api/v1/orders/", Reply(201, ORDER))

    with StoreClient() as client:
        order = client.order_create(
            shop_order_id=UUID(ORDER["shop_order_id"]),
            shop_order_number=5,
            customer_email="reader@example.com",
            delivery_address="1 Main St",
            items=[(7, 2)],
        )

    assert order == ORDER
    assert json.loads(fake_store.seen[0].body) == {
        "shop_order_id": ORDER["shop_order_id"],
        "shop_order_number": 5,
        "customer_email": "reader@example.com",
        "delivery_address": "1 Main St",
        "delivery_fee": "0.00",
        "items": [{"book": 7, "quantity": 2}],
    }


def test_order_create_names_the_shortages(fake_store):
    shortage = {"book": 7, "title": "Dune", "requested": 5, "available": 2}
    body = {"code": "insufficient_stock", "detail": "short", "items": [shortage]}
    fake_store.reply("/api/v1/orders/", Reply(409, body))

    with StoreClient() as client, pytest.raises(StoreInsufficientStock) as raised:
        client.order_create(
            shop_order_id=UUID(ORDER["shop_order_id"]),
            customer_email="reader@example.com",
            delivery_address="1 Main St",
            items=[(7, 5)],
        )

    assert raised.value.shortages == [shortage]
    assert raised.value.retryable is False


def test_another_conflict_is_a_plain_conflict(fake_store):
    fake_store.reply(
        "/api/v1/orders/",
        Reply(409, {"code": "shop_order_id_conflict", "detail": "Used for another order."}),
    )

    with StoreClient() as client, pytest.raises(StoreConflict) as raised:
        client.order_create(
            shop_order_id=UUID(ORDER["shop_order_id"]),
            customer_email="reader@example.com",
            delivery_address="1 Main St",
            items=[(7, 1)],
        )

    assert not isinstance(raised.value, StoreInsufficientStock)
