"""Cancelling in the shop: the request, the store's answer through the worker, the race
with a submission, the sweep, the one email, and the order page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from bookshop.shop.orders.cancelling import (
    OrderNotCancellable,
    order_cancel_at_store,
    order_cancel_request,
    orders_recancel_stuck,
)
from bookshop.shop.orders.models import Notification, Order
from bookshop.shop.orders.notifications import notification_send
from bookshop.shop.orders.submission import order_submit
from bookshop.shop.orders.tasks import cancel_order
from bookshop.shop.orders.transitions import order_advance
from bookshop.shop.store_client import StoreClient
from tests.shop.factories import OrderFactory, OrderItemFactory, UserFactory
from tests.shop.fake_store import Reply
from tests.shop.orders.test_submission import store_order

pytestmark = pytest.mark.django_db
Status = Order.Status
ORDERS = "/api/v1/orders/"


@pytest.fixture
def customer():
    return UserFactory(username="grace", email="grace@example.com")


@pytest.fixture
def order(customer):
    order = OrderFactory(user=customer, email="grace@example.com", delivery_address="1 Lane")
    OrderItemFactory(order=order, store_book_id=7, quantity=2, title="Dune")
    return order


def sent(order):
    """The order as after a submission the store accepted (store order 501)."""
    Order.objects.filter(pk=order.pk).update(submit_attempts=1, store_order_id=501)
    order_advance(order=order, to_status=Status.IN_WORK, actor="store sync")
    order.refresh_from_db()
    return order


def cancel_at_store(order):
    with StoreClient() as client:
        return order_cancel_at_store(order_id=order.pk, client=client)


def test_a_pending_order_never_sent_is_cancelled_at_once_with_one_email(
    order, customer, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_request(order=order, actor=customer)

    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert broker.drain("orders") == []  # the store is not asked: it never had it
    [note] = Notification.objects.filter(order=order)
    assert note.kind == Notification.Kind.CANCELLED
    notification_send(notification_id=note.pk)
    [email] = mail.outbox
    assert email.subject == f"Bookshop Order #{order.pk}: cancelled"
    assert "cancelled this order" in email.body


def test_a_submission_after_the_cancel_sends_nothing(order, customer, fake_store):
    order_cancel_request(order=order, actor=customer)

    with StoreClient() as client:
        assert order_submit(order_id=order.pk, client=client) == "already cancelled"
    assert fake_store.seen == []


def test_an_order_at_the_store_shows_cancelling_and_the_worker_asks_the_store(
    order, customer, broker, django_capture_on_commit_callbacks, fake_store
):
    sent(order)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel_request(order=order, actor=customer)
    order.refresh_from_db()
    assert (order.status, order.cancelling) == (Status.IN_WORK, True)
    assert broker.drain("orders") == [("shop.orders.cancel", [order.pk])]

    fake_store.reply(f"{ORDERS}501/cancel/", Reply(200, store_order(order, status="cancelled")))
    assert cancel_at_store(order) == "cancelled"

    order.refresh_from_db()
    assert (order.status, order.cancelling) == (Status.CANCELLED, False)
    assert [(s.method, s.path) for s in fake_store.seen] == [("POST", f"{ORDERS}501/cancel/")]
    kinds = set(Notification.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds == {"received", "cancelled"}
    assert fake_store.violations == []


def test_asking_twice_and_running_twice_records_one_cancel(order, customer, fake_store):
    sent(order)
    order_cancel_request(order=order, actor=customer)
    order_cancel_request(order=order, actor=customer)
    fake_store.reply(f"{ORDERS}501/cancel/", Reply(200, store_order(order, status="cancelled")))

    assert cancel_at_store(order) == "cancelled"
    assert cancel_at_store(order) == "already cancelled"
    assert Notification.objects.filter(order=order, kind="cancelled").count() == 1
    assert order.events.filter(note="Cancellation requested").count() == 1


def test_a_submission_in_flight_ends_cancelled_at_the_store(order, customer, fake_store):
    # The submission counted its attempt (it is talking to the store) when the customer
    # cancels: the cancel task creates the order by its UUID (the same order comes back)
    # and cancels it there.
    Order.objects.filter(pk=order.pk).update(submit_attempts=1)
    order_cancel_request(order=order, actor=customer)
    order.refresh_from_db()
    assert (order.status, order.cancelling) == (Status.PENDING, True)
    fake_store.reply(ORDERS, Reply(200, store_order(order)))
    fake_store.reply(f"{ORDERS}501/cancel/", Reply(200, store_order(order, status="cancelled")))

    assert cancel_at_store(order) == "cancelled"

    order.refresh_from_db()
    assert (order.status, order.store_order_id) == (Status.CANCELLED, 501)
    assert [(s.method, s.path) for s in fake_store.seen] == [
        ("POST", ORDERS),
        ("POST", f"{ORDERS}501/cancel/"),
    ]
    assert fake_store.violations == []


def test_a_shipped_order_shows_the_stores_status_and_says_so(client, order, customer, fake_store):
    sent(order)
    order_cancel_request(order=order, actor=customer)
    fake_store.reply(
        f"{ORDERS}501/cancel/",
        Reply(409, {"code": "order_not_cancellable", "detail": "The order is success."}),
    )
    fake_store.reply(f"{ORDERS}501/", Reply(200, store_order(order, status="success")))

    assert cancel_at_store(order) == "refused"

    order.refresh_from_db()
    assert order.status == Status.SUCCESS
    client.force_login(customer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert "We could not cancel this order: the warehouse had already sent it." in page
    assert "Cancel order</button>" not in page
    assert fake_store.violations == []


def test_the_task_retries_while_the_store_is_down(order, customer, settings, closed_port):
    sent(order)
    order_cancel_request(order=order, actor=customer)
    settings.STORE_API_URL = f"http://127.0.0.1:{closed_port}"
    settings.ORDER_SUBMIT_MAX_RETRIES = 0

    assert cancel_order.apply(args=[order.pk]).get() == "cancelling"
    order.refresh_from_db()
    assert order.cancelling


def test_the_sweep_asks_again_for_stuck_cancels(order, customer, broker):
    sent(order)
    order_cancel_request(order=order, actor=customer)
    Order.objects.filter(pk=order.pk).update(last_cancel_at=timezone.now() - timedelta(hours=1))

    assert orders_recancel_stuck(older_than=timedelta(minutes=5)) == [order.pk]
    assert orders_recancel_stuck(older_than=timedelta(minutes=5)) == []
    assert broker.drain("orders") == [("shop.orders.cancel", [order.pk])]


def test_a_final_order_cannot_be_cancelled(order, customer):
    order_advance(order=order, to_status=Status.FAIL, note="short")

    with pytest.raises(OrderNotCancellable):
        order_cancel_request(order=order, actor=customer)


def test_the_order_page_offers_cancel_and_then_shows_cancelling(client, order, customer):
    sent(order)
    client.force_login(customer)
    page = client.get(f"/orders/{order.pk}/").content.decode()
    assert ">Cancel order</button>" in page

    response = client.post(f"/orders/{order.pk}/cancel/", follow=True)

    page = response.content.decode()
    assert "Cancelling…" in page
    assert ">Cancel order</button>" not in page
    assert "My orders" in page


def test_cancelling_someone_elses_order_is_a_404(client, order):
    client.force_login(UserFactory(username="mallory", email="m@example.com"))

    assert client.post(f"/orders/{order.pk}/cancel/").status_code == 404
    order.refresh_from_db()
    assert order.cancel_requested_at is None


def test_a_failed_order_just_placed_shows_no_thank_you(client, order, customer):
    order_advance(order=order, to_status=Status.FAIL, note="Not enough stock: 0 copies left.")
    client.force_login(customer)

    page = client.get(f"/orders/{order.pk}/placed/").content.decode()

    assert "Thank you for your order!" not in page
    assert "Not enough stock: 0 copies left." in page
