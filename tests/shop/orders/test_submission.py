"""Sending orders to the store and applying what it answers (a scripted store on loopback;
the e2e suite drives the real one)."""

import json
import logging
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookshop.shop.orders.models import Notification, Order
from bookshop.shop.orders.submission import (
    REJECTED_REASON,
    order_submit,
    orders_resubmit_stuck,
    shortage_reason,
)
from bookshop.shop.orders.tasks import submission_backoff, submit_order
from bookshop.shop.store_client import StoreClient, StoreUnavailable
from tests.shop.factories import OrderFactory, OrderItemFactory
from tests.shop.fake_store import Reply

pytestmark = pytest.mark.django_db
Status = Order.Status
ORDERS = "/api/v1/orders/"


@pytest.fixture
def order():
    order = OrderFactory(
        email="grace@example.com", delivery_address="1 Library Lane", delivery_fee=Decimal("3.50")
    )
    OrderItemFactory(order=order, store_book_id=7, quantity=2, title="Dune")
    return order


def store_order(order, **overrides):
    data = {
        "id": 501,
        "shop_order_id": str(order.uuid),
        "shop_order_number": order.pk,
        "customer_email": order.email,
        "delivery_address": order.delivery_address,
        "delivery_fee": f"{order.delivery_fee:.2f}",
        "status": "in_work",
        "fail_reason": "",
        "items": [{"book": 7, "title": "Dune", "quantity": 2, "unit_price": "9.99"}],
        "created_at": "2026-11-25T10:00:00Z",
        "updated_at": "2026-11-25T10:00:00Z",
    }
    data.update(overrides)
    return data


def submit(order):
    with StoreClient() as client:
        return order_submit(order_id=order.pk, client=client)


@pytest.mark.parametrize("status", [201, 200])
def test_an_accepted_order_is_processing_and_owes_a_received_email(
    fake_store, order, status, django_capture_on_commit_callbacks, broker
):
    fake_store.reply(ORDERS, Reply(status, store_order(order)))

    with django_capture_on_commit_callbacks(execute=True):
        assert submit(order) == "accepted"

    order.refresh_from_db()
    assert (order.status, order.store_order_id, order.submit_attempts) == (Status.IN_WORK, 501, 1)
    assert json.loads(fake_store.seen[0].body) == {
        "shop_order_id": str(order.uuid),
        # The number the customer sees: store staff find the order by it.
        "shop_order_number": order.pk,
        "customer_email": "grace@example.com",
        "delivery_address": "1 Library Lane",
        "delivery_fee": "3.50",
        "items": [{"book": 7, "quantity": 2}],
    }
    notification = Notification.objects.get(order=order)
    assert notification.kind == Notification.Kind.RECEIVED
    assert broker.drain("email") == [("shop.mail.send_notification", [notification.pk])]
    event = order.events.get(to_status=Status.IN_WORK)
    assert event.actor_label == "order submission"


def test_short_stock_fails_the_order_with_the_reason(fake_store, order):
    shortage = {"book": 7, "title": "Dune", "requested": 2, "available": 1}
    fake_store.reply(
        ORDERS, Reply(409, {"code": "insufficient_stock", "detail": "x", "items": [shortage]})
    )

    assert submit(order) == "insufficient_stock"

    order.refresh_from_db()
    assert order.status == Status.FAIL
    assert order.fail_reason == "Not enough stock: 1 copy of “Dune” left (you asked for 2)."
    assert Notification.objects.get(order=order).kind == Notification.Kind.FAILED


def test_the_reason_names_every_short_book():
    assert shortage_reason(
        [
            {"book": 1, "title": "Dune", "requested": 3, "available": 0},
            {"book": 2, "title": "Emma", "requested": 5, "available": 2},
        ]
    ) == ("Not enough stock: 0 copies of “Dune” left; 2 copies of “Emma” left (you asked for 5).")


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, {"items": ["This list may not be empty."]}),
        (401, {"detail": "Invalid token."}),
        (403, {"detail": "You do not have permission to perform this action."}),
    ],
)
def test_a_rejected_order_fails_and_is_logged_loudly(fake_store, order, status, body, caplog):
    fake_store.reply(ORDERS, Reply(status, body))

    with caplog.at_level(logging.ERROR):
        assert submit(order) == "rejected"

    order.refresh_from_db()
    assert (order.status, order.fail_reason) == (Status.FAIL, REJECTED_REASON)
    assert f"uuid={order.uuid} outcome=rejected status={status}" in caplog.text


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_store_in_trouble_leaves_the_order_pending_for_a_retry(fake_store, order, status):
    # A 429 is off the contract (the store throttles only anonymous clients), but a proxy in
    # front of it may answer one.
    reply = Reply(status, {"detail": "Request was throttled."}, off_contract=status == 429)
    fake_store.reply(ORDERS, reply)

    with pytest.raises(StoreUnavailable):
        submit(order)

    order.refresh_from_db()
    assert (order.status, order.submit_attempts) == (Status.PENDING, 1)
    assert not Notification.objects.exists()


def test_an_order_no_longer_pending_is_not_sent_again(fake_store, order):
    Order.objects.filter(pk=order.pk).update(status=Status.IN_WORK)

    assert submit(order) == "already in_work"
    assert fake_store.seen == []


def test_the_task_gives_up_after_its_retries_and_leaves_the_order_pending(
    settings, closed_port, order
):
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"
    settings.ORDER_SUBMIT_MAX_RETRIES = 0

    assert submit_order(order.pk) == "pending"

    order.refresh_from_db()
    assert order.status == Status.PENDING


def test_backoff_grows_with_jitter_up_to_the_cap(settings):
    settings.ORDER_SUBMIT_RETRY_BASE = 2
    settings.ORDER_SUBMIT_RETRY_CAP = 60

    first = [submission_backoff(0) for _ in range(50)]
    late = [submission_backoff(10) for _ in range(50)]

    assert all(1 <= delay <= 3 for delay in first)
    assert all(30 <= delay <= 90 for delay in late)
    assert len(set(first)) > 1
    assert submission_backoff(0, retry_after=45) == 45


def test_the_sweep_resubmits_only_orders_stuck_in_pending(broker):
    old = timezone.now() - timedelta(minutes=10)
    stuck = OrderFactory()
    Order.objects.filter(pk=stuck.pk).update(created_at=old)
    tried_long_ago = OrderFactory()
    Order.objects.filter(pk=tried_long_ago.pk).update(created_at=old, last_submit_at=old)
    fresh = OrderFactory()
    tried_recently = OrderFactory()
    Order.objects.filter(pk=tried_recently.pk).update(created_at=old, last_submit_at=timezone.now())
    done = OrderFactory(status=Status.IN_WORK)
    Order.objects.filter(pk=done.pk).update(created_at=old)

    resubmitted = orders_resubmit_stuck(older_than=timedelta(minutes=5))

    assert sorted(resubmitted) == sorted([stuck.pk, tried_long_ago.pk])
    queued = broker.drain("orders")
    assert sorted(args[0] for _, args in queued) == sorted(resubmitted)
    assert fresh.pk not in resubmitted
    # Stamped: the next sweep leaves them alone for another window.
    assert orders_resubmit_stuck(older_than=timedelta(minutes=5)) == []
