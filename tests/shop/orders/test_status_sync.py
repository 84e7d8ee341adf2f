"""Applying the store's order statuses: every customer-visible step emails exactly once."""

import dataclasses
import threading
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookshop.shop.core.models import SyncState
from bookshop.shop.orders.models import Notification, Order
from bookshop.shop.orders.status_sync import STATUS_SYNC_NAME, orders_sync_status
from bookshop.shop.store_client import StoreClient
from tests.shop.factories import OrderFactory
from tests.shop.fake_store import Reply
from tests.shop.orders.test_submission import store_order

Status = Order.Status
ORDERS = "/api/v1/orders/"


def page(*orders):
    return Reply(200, {"previous": None, "next": None, "results": list(orders)})


def sync():
    with StoreClient() as client:
        return orders_sync_status(client=client)


@pytest.mark.django_db
def test_store_statuses_move_the_shop_orders_and_owe_one_email_each(fake_store):
    received = OrderFactory()
    completed = OrderFactory(status=Status.IN_WORK, store_order_id=2)
    failed = OrderFactory(status=Status.IN_WORK, store_order_id=3)
    fake_store.reply(
        ORDERS,
        page(
            store_order(received, id=1, updated_at="2026-11-25T10:00:01Z"),
            store_order(completed, id=2, status="success", updated_at="2026-11-25T10:00:02Z"),
            store_order(
                failed, id=3, status="fail", fail_reason="Water damage.",
                updated_at="2026-11-25T10:00:03Z",
            ),
        ),
    )  # fmt: skip

    result = sync()

    assert result.moved == 3
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {
        received.pk: Status.IN_WORK,
        completed.pk: Status.SUCCESS,
        failed.pk: Status.FAIL,
    }
    assert Order.objects.get(pk=failed.pk).fail_reason == "Water damage."
    assert Order.objects.get(pk=received.pk).store_order_id == 1
    kinds = dict(Notification.objects.values_list("order_id", "kind"))
    assert kinds == {received.pk: "received", completed.pk: "completed", failed.pk: "failed"}
    assert SyncState.objects.get(name=STATUS_SYNC_NAME).cursor == datetime(
        2026, 11, 25, 10, 0, 3, tzinfo=UTC
    )


@pytest.mark.django_db
def test_a_second_run_over_the_same_states_changes_and_writes_nothing(fake_store):
    order = OrderFactory()
    fake_store.reply(ORDERS, page(store_order(order, status="success")))
    sync()
    events = order.events.count()

    with CaptureQueriesContext(connection) as queries:
        result = sync()  # looks back over the overlap window, sees the same state again

    assert result.moved == 0
    assert order.events.count() == events
    assert Notification.objects.filter(order=order).count() == 1
    writes = [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")]
    assert all(sql.startswith('UPDATE "core_syncstate"') for sql in writes)  # settling
    query = parse_qs(urlsplit(fake_store.seen[-1].path).query)
    assert query["updated_after"] == ["2026-11-25T09:59:30+00:00"]

    fake_store.reply(ORDERS, page())
    with CaptureQueriesContext(connection) as queries:
        sync()  # settled: asks only for what is newer, writes nothing

    assert parse_qs(urlsplit(fake_store.seen[-1].path).query)["updated_after"] == [
        "2026-11-25T10:00:00+00:00"
    ]
    assert [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith("SELECT")] == []


@pytest.mark.django_db
def test_a_timestamp_without_a_zone_is_the_store_s_utc(fake_store):
    order = OrderFactory()
    reply = page(store_order(order, updated_at="2026-11-25T10:00:00"))  # breaks RFC 3339
    fake_store.reply(ORDERS, dataclasses.replace(reply, off_contract=True))

    assert sync().moved == 1

    state = SyncState.objects.get(name=STATUS_SYNC_NAME)
    assert state.cursor == datetime(2026, 11, 25, 10, tzinfo=UTC)


@pytest.mark.django_db
def test_an_older_state_never_moves_an_order_back(fake_store):
    order = OrderFactory(status=Status.SUCCESS)
    fake_store.reply(ORDERS, page(store_order(order, status="in_work")))

    assert sync().moved == 0

    order.refresh_from_db()
    assert order.status == Status.SUCCESS


@pytest.mark.parametrize("store_status", ["on_hold", "pending", "Success"])
@pytest.mark.django_db
def test_a_status_the_map_does_not_know_moves_nothing_and_is_logged(
    fake_store, caplog, store_status
):
    order = OrderFactory(status=Status.IN_WORK)
    reply = page(store_order(order, status=store_status))
    fake_store.reply(ORDERS, dataclasses.replace(reply, off_contract=True))

    assert sync().moved == 0

    order.refresh_from_db()
    assert order.status == Status.IN_WORK
    assert f"unknown_store_status='{store_status}'" in caplog.text


@pytest.mark.django_db
def test_an_order_the_shop_does_not_know_is_skipped_with_a_warning(fake_store, caplog):
    stranger = {
        **store_order(OrderFactory.build()),
        "shop_order_id": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
    }
    fake_store.reply(ORDERS, page(stranger))

    assert sync().moved == 0
    assert "order.sync unknown shop_order_id=00000000-0000-0000-0000-000000000000" in caplog.text


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_two_syncs_at_once_send_one_email_per_step(fake_store):
    orders = [OrderFactory() for _ in range(10)]
    fake_store.reply(
        ORDERS, page(*(store_order(o, id=n, status="success") for n, o in enumerate(orders, 1)))
    )
    barrier = threading.Barrier(4)
    errors = []

    def run():
        try:
            barrier.wait()
            sync()
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert Notification.objects.count() == 10
    assert set(Order.objects.values_list("status", flat=True)) == {Status.SUCCESS}
    for order in orders:
        assert order.events.filter(to_status=Status.SUCCESS).count() == 1
