"""Concurrent orders on the real PostgreSQL: the row locks, not luck, keep stock right."""

import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection, connections

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order, OrderItem
from bookshop.store.orders.selectors import book_list
from bookshop.store.orders.services import (
    InsufficientStock,
    OrderLine,
    order_complete,
    order_create,
    order_fail,
    order_pack,
)
from tests.store.factories import (
    BookFactory,
    BookItemFactory,
    ServiceAccountFactory,
    StaffFactory,
)
from tests.store.stock import assert_stored_stock_is_right

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
    # The stored counts the books' figures come from match a fresh count.
    assert_stored_stock_is_right()


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
    assert_stored_stock_is_right()


def _waiting_for_locks() -> int:
    """How many sessions on the test database wait for a row lock right now."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _until_waiting(n: int) -> None:
    for _ in range(1000):
        if _waiting_for_locks() >= n:
            return
        time.sleep(0.01)
    raise AssertionError(f"{n} sessions never queued for the locks")


def _in_thread(outcomes: dict[str, str], name: str, work) -> threading.Thread:
    def run() -> None:
        try:
            work()
            outcomes[name] = "done"
        except Exception as exc:  # the outcome is the test's finding
            outcomes[name] = f"{type(exc).__name__}: {exc}"
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_completing_an_order_while_another_reserves_the_same_books_does_not_deadlock():
    """The interleaving that deadlocked while order_complete took the books' locks last, in
    one UPDATE that meets rows in the table's physical order rather than by id: the new
    order holds the first book and waits for the second, which the completion holds while
    it waits for the first."""
    first, second = BookFactory(title="First"), BookFactory(title="Second")
    # The second book's copy gets the lower id, so its shipped copy is recorded first.
    copies = [BookItemFactory(book=second), BookItemFactory(book=first)]
    BookItemFactory(book=first)
    BookItemFactory(book=second)
    account, staff = ServiceAccountFactory(), StaffFactory()
    packed, _ = order_create(
        actor=account,
        shop_order_id=uuid.uuid4(),
        customer_email="reader@example.com",
        delivery_address="1 Long Street",
        lines=[OrderLine(book_id=first.pk, quantity=1), OrderLine(book_id=second.pk, quantity=1)],
    )
    order_pack(order_id=packed.pk, book_item_ids=[c.pk for c in copies], actor=staff)
    # An edit rewrites the first book's row after the second's (PostgreSQL is append-only).
    Book.objects.filter(pk=first.pk).update(description="Now after the second book's row.")
    outcomes: dict[str, str] = {}
    # A third session holds the first book, so the other two queue behind it in this order.
    holder = connections.create_connection("default")
    holder.set_autocommit(False)
    with holder.cursor() as cursor:
        cursor.execute("SELECT id FROM inventory_book WHERE id = %s FOR UPDATE", [first.pk])
    threads = [
        _in_thread(
            outcomes,
            "create",
            lambda: order_create(
                actor=account,
                shop_order_id=uuid.uuid4(),
                customer_email="other@example.com",
                delivery_address="2 Long Street",
                lines=[
                    OrderLine(book_id=first.pk, quantity=1),
                    OrderLine(book_id=second.pk, quantity=1),
                ],
            ),
        )
    ]
    _until_waiting(1)
    threads.append(
        _in_thread(outcomes, "complete", lambda: order_complete(order_id=packed.pk, actor=staff))
    )
    _until_waiting(2)
    holder.commit()
    holder.close()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == {"create": "done", "complete": "done"}
    assert Order.objects.get(pk=packed.pk).status == "success"
    rows = {
        b.pk: (b.in_stock, b.reserved) for b in book_list().filter(pk__in=[first.pk, second.pk])
    }
    assert rows == {first.pk: (1, 1), second.pk: (1, 1)}
    # The stored counts the books' figures come from match a fresh count.
    assert_stored_stock_is_right()


@pytest.mark.django_db(transaction=True)
def test_completing_failing_and_creating_orders_on_shared_books_at_once_never_deadlocks():
    books = [BookFactory(copies=12) for _ in range(3)]
    account, staff = ServiceAccountFactory(), StaffFactory()
    combos = [(0, 1), (1, 2), (2, 0), (0, 1, 2), (2, 1), (1, 0)]

    def lines(combo):
        return [OrderLine(book_id=books[i].pk, quantity=1) for i in combo]

    packed = []
    for combo in combos:
        order, _ = order_create(
            actor=account,
            shop_order_id=uuid.uuid4(),
            customer_email="reader@example.com",
            delivery_address="1 Long Street",
            lines=lines(combo),
        )
        free = [
            BookItem.objects.filter(book=books[i], packing_slot=None).order_by("-pk").first().pk
            for i in combo
        ]
        order_pack(order_id=order.pk, book_item_ids=free, actor=staff)
        packed.append(order)
    # Edits rewrite the rows out of id order, as a catalogue in use has them.
    for book in reversed(books):
        Book.objects.filter(pk=book.pk).update(description="edited")
    start = threading.Barrier(len(packed) + len(combos))
    outcomes: dict[str, str] = {}

    def together(work):
        def run():
            start.wait(timeout=30)
            work()

        return run

    threads = [
        _in_thread(
            outcomes,
            f"close {order.pk}",
            together(
                (lambda pk=order.pk: order_complete(order_id=pk, actor=staff))
                if n % 2
                else (lambda pk=order.pk: order_fail(order_id=pk, actor=staff, reason="x"))
            ),
        )
        for n, order in enumerate(packed)
    ] + [
        _in_thread(
            outcomes,
            f"create {n}",
            together(
                lambda combo=combo: order_create(
                    actor=account,
                    shop_order_id=uuid.uuid4(),
                    customer_email="other@example.com",
                    delivery_address="2 Long Street",
                    lines=lines(reversed(combo)),
                )
            ),
        )
        for n, combo in enumerate(combos)
    ]
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes == dict.fromkeys(outcomes, "done")
    assert len(outcomes) == len(threads)
    shipped = Counter(
        BookItem.objects.filter(status=BookItem.Status.SHIPPED).values_list("book_id", flat=True)
    )
    units = Counter(i for n, combo in enumerate(combos) for i in combo if n % 2)
    assert shipped == Counter({books[i].pk: k for i, k in units.items()})
    reserved = Counter(i for combo in combos for i in combo)
    assert {b.pk: b.reserved for b in book_list().filter(pk__in=[b.pk for b in books])} == {
        books[i].pk: k for i, k in reserved.items()
    }
    # The stored counts the books' figures come from match a fresh count.
    assert_stored_stock_is_right()
