"""Cancelling: the customer withdraws an order that has not shipped; the worker asks the
store, like a submission, and the sweep asks again for requests that got stuck.

A pending order the shop never sent is cancelled in the shop alone. Any other open order
is marked as cancel-requested ("Cancelling…") and `order_cancel_at_store` settles it: it
first creates the order at the store by its UUID (idempotent: the order a submission in
flight made comes back, or it is made now) and then cancels it there, so whatever the race
with a submission, the store ends with the order cancelled and its stock released.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bookshop.shop import dispatch
from bookshop.shop.accounts.models import User
from bookshop.shop.orders.models import Order, OrderEvent
from bookshop.shop.orders.status_sync import order_apply_store_state
from bookshop.shop.orders.transitions import OrderTransitionError, order_advance
from bookshop.shop.store_client import (
    StoreClient,
    StoreConflict,
    StoreInsufficientStock,
    StoreNotFound,
)

logger = logging.getLogger(__name__)

Status = Order.Status
CANCELLING = "order cancelling"  # the actor of the moves the cancel task makes
OPEN = (Status.PENDING, Status.IN_WORK)


class OrderNotCancellable(Exception):
    """The order has shipped, failed or been cancelled already; `order` as it is now."""

    def __init__(self, order: Order) -> None:
        super().__init__(f"{order} is {order.get_status_display().lower()}")
        self.order = order


def order_cancel_request(*, order: Order, actor: User | None) -> Order:
    """The customer's "Cancel order": cancel now if the store never saw the order, else
    mark it as cancel-requested and queue the store's cancel. Returns the order.

    Idempotent: asking again while cancelling changes nothing. A final order raises
    OrderNotCancellable.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in OPEN:
            raise OrderNotCancellable(locked)
        if locked.cancel_requested_at is not None:
            return locked
        locked.cancel_requested_at = timezone.now()
        never_sent = locked.status == Status.PENDING and locked.submit_attempts == 0
        fields = ["cancel_requested_at", "updated_at"]
        if not never_sent:
            locked.last_cancel_at = locked.cancel_requested_at
            fields.append("last_cancel_at")
        locked.save(update_fields=fields)
        OrderEvent.objects.create(
            order=locked,
            from_status=locked.status,
            to_status=locked.status,
            note="Cancellation requested",
            actor=actor,
        )
        if never_sent:
            # Under the row lock: the submission's conditional claim waits and then skips.
            order_advance(
                order=locked,
                to_status=Status.CANCELLED,
                note="Cancelled before it reached the store",
                actor=actor,
            )
        else:
            order_id = locked.pk
            transaction.on_commit(
                lambda: dispatch.order_cancel_enqueue(order_id=order_id), robust=True
            )
    logger.info("order.cancel_request order=%s uuid=%s", locked.pk, locked.uuid)
    return locked


def order_cancel_at_store(*, order_id: int, client: StoreClient) -> str:
    """Ask the store to cancel a cancel-requested order and apply its answer; return what
    happened. Safe to run any number of times. Raises StoreUnavailable (and other
    retryable StoreErrors) for the caller to retry."""
    order = Order.objects.filter(pk=order_id).prefetch_related("items").first()
    if order is None:
        return "missing"
    if order.status not in OPEN:
        return f"already {order.status}"
    if order.cancel_requested_at is None:
        return "not requested"
    Order.objects.filter(pk=order.pk).update(last_cancel_at=timezone.now())
    store_order_id = order.store_order_id
    if store_order_id is None:
        try:
            created = client.order_create(
                shop_order_id=order.uuid,
                shop_order_number=order.pk,
                customer_email=order.email,
                delivery_address=order.delivery_address,
                delivery_fee=order.delivery_fee,
                items=[(item.store_book_id, item.quantity) for item in order.items.all()],
            )
        except StoreInsufficientStock:
            # The store holds nothing for this order, and never will: cancelled here.
            _advance(order, Status.CANCELLED, "Cancelled before it reached the store")
            return "cancelled"
        store_order_id = created["id"]
        order_apply_store_state(order=order, data=created, actor=CANCELLING)
    try:
        data = client.order_cancel(store_order_id=store_order_id)
    except StoreConflict as exc:
        # Shipped or failed first: show the store's final status, and say so.
        try:
            data = client.order_get(store_order_id=store_order_id)
        except StoreNotFound:
            logger.error("order.cancel order=%s outcome=conflict_missing %s", order.pk, exc)
            return "refused"
        order_apply_store_state(order=order, data=data, actor=CANCELLING)
        logger.info("order.cancel order=%s outcome=refused status=%s", order.pk, data["status"])
        return "refused"
    order_apply_store_state(order=order, data=data, actor=CANCELLING)
    logger.info("order.cancel order=%s uuid=%s outcome=cancelled", order.pk, order.uuid)
    return "cancelled"


def _advance(order: Order, to_status: str, note: str) -> None:
    # Another path (a submission's shortage, the sync) may have settled it meanwhile.
    with contextlib.suppress(OrderTransitionError):
        order_advance(order=order, to_status=to_status, note=note, actor=CANCELLING)


def orders_recancel_stuck(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Queue again the store's cancel of orders asked to cancel longer than `older_than`
    ago that are still open (a lost message, a store outage longer than the retries)."""
    cutoff = timezone.now() - older_than
    stuck = Order.objects.filter(status__in=OPEN, cancel_requested_at__isnull=False).filter(
        Q(last_cancel_at__lt=cutoff) | Q(last_cancel_at__isnull=True)
    )
    ids = list(stuck.order_by("cancel_requested_at").values_list("pk", flat=True)[:limit])
    if ids:
        Order.objects.filter(pk__in=ids).update(last_cancel_at=timezone.now())
        for order_id in ids:
            dispatch.order_cancel_enqueue(order_id=order_id)
        logger.warning("order.cancel_sweep requeued=%s orders=%s", len(ids), ids[:20])
    return ids
