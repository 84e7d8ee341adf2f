"""Concurrent orders on the real PostgreSQL: the row locks, not luck, keep stock right."""

import threading
import uuid

import pytest
from django.db import connection, connections

from bookshop.store.orders.models import Order, OrderItem
from bookshop.store.orders.selectors import book_list
from bookshop.store.orders.services import InsufficientStock, OrderLine, order_create
from tests.store.factories import BookFactory, ServiceAccountFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL (BOOKSHOP_TEST_SERVICES=1): SQLite runs one writer at a time, "
        "so there is no race to lose",
    ),
]


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_ordering_the_last_five_copies_reserve_exactly_five():
    book = BookFactory(copies=5)
    account = ServiceAccountFactory()
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def order_one() -> None:
        try:
            start.wait(timeout=30)
            order_create(
                actor=account,
                shop_order_id=uuid.uuid4(),
                customer_email="reader@example.com",
                delivery_address="1 Long Street",
                lines=[OrderLine(book_id=book.pk, quantity=1)],
            )
            outcomes.append("created")
        except InsufficientStock:
            outcomes.append("short")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=order_one) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["created"] * 5 + ["short"] * 15
    assert Order.objects.count() == 5
    assert sum(OrderItem.objects.values_list("quantity", flat=True)) == 5
    row = book_list().get(pk=book.pk)
    assert (row.in_stock, row.reserved, row.available) == (5, 5, 0)


@pytest.mark.django_db(transaction=True)
def test_the_same_order_sent_by_twenty_threads_at_once_is_created_once():
    book = BookFactory(copies=5)
    account = ServiceAccountFactory()
    key = uuid.uuid4()
    start = threading.Barrier(20)
    created: list[bool] = []

    def send() -> None:
        try:
            start.wait(timeout=30)
            _, was_created = order_create(
                actor=account,
                shop_order_id=key,
                customer_email="reader@example.com",
                delivery_address="1 Long Street",
                lines=[OrderLine(book_id=book.pk, quantity=2)],
            )
            created.append(was_created)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(created) == [False] * 19 + [True]
    assert Order.objects.count() == 1
    assert book_list().get(pk=book.pk).available == 3
