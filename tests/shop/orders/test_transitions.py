"""Status moves of a shop order: the transition map, events, idempotence, the row lock."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookshop.shop.orders.models import Order
from bookshop.shop.orders.transitions import OrderTransitionError, order_advance
from tests.shop.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db
Status = Order.Status


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (Status.PENDING, Status.IN_WORK),
        (Status.PENDING, Status.FAIL),
        (Status.PENDING, Status.SUCCESS),
        (Status.IN_WORK, Status.SUCCESS),
        (Status.IN_WORK, Status.FAIL),
    ],
)
def test_allowed_transitions_move_and_record_an_event(start, end):
    order = OrderFactory(status=start)
    before = order.status_changed_at

    assert order_advance(order=order, to_status=end, note="why", actor="store sync") is True

    order.refresh_from_db()
    assert order.status == end
    assert order.status_changed_at > before
    event = order.events.get()
    assert (event.from_status, event.to_status, event.note) == (start, end, "why")
    assert event.actor_display == "store sync"


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (Status.SUCCESS, Status.FAIL),
        (Status.SUCCESS, Status.IN_WORK),
        (Status.FAIL, Status.SUCCESS),
        (Status.FAIL, Status.PENDING),
        (Status.IN_WORK, Status.PENDING),
    ],
)
def test_forbidden_transitions_raise_and_change_nothing(start, end):
    order = OrderFactory(status=start)

    with pytest.raises(OrderTransitionError):
        order_advance(order=order, to_status=end)

    order.refresh_from_db()
    assert order.status == start
    assert not order.events.exists()


def test_unknown_status_is_refused():
    with pytest.raises(OrderTransitionError, match="unknown"):
        order_advance(order=OrderFactory(), to_status="shipped")


def test_a_repeated_transition_is_a_no_op():
    order = OrderFactory(status=Status.PENDING)

    assert order_advance(order=order, to_status=Status.IN_WORK) is True
    assert order_advance(order=order, to_status=Status.IN_WORK) is False

    assert order.events.count() == 1


def test_failing_keeps_the_reason_for_the_customer():
    order = OrderFactory()

    order_advance(order=order, to_status=Status.FAIL, note="Only 1 copy of Dune left.")

    assert order.status == Status.FAIL  # the caller's object is refreshed
    order.refresh_from_db()
    assert order.fail_reason == "Only 1 copy of Dune left."


def test_a_user_can_be_the_actor():
    staff = UserFactory(username="clerk")
    order = OrderFactory()

    order_advance(order=order, to_status=Status.IN_WORK, actor=staff)

    assert order.events.get().actor_display == "clerk"


def test_transition_locks_the_order_row():
    order = OrderFactory()

    with CaptureQueriesContext(connection) as queries:
        order_advance(order=order, to_status=Status.IN_WORK)

    if connection.vendor == "postgresql":
        assert any("FOR UPDATE" in query["sql"] for query in queries)
