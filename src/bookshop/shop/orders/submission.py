"""Order submission: sending a pending order to the store, and the sweep that retries it."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone

from bookshop.shop import dispatch
from bookshop.shop.orders.models import Order
from bookshop.shop.orders.status_sync import order_apply_store_state
from bookshop.shop.orders.transitions import order_advance
from bookshop.shop.store_client import (
    Shortage,
    StoreClient,
    StoreInsufficientStock,
    StoreRejected,
)

logger = logging.getLogger(__name__)

Status = Order.Status

SUBMISSION = "order submission"  # the actor of the moves a submission makes
REJECTED_REASON = "The store could not accept this order. Please contact us."


def shortage_reason(shortages: list[Shortage]) -> str:
    """Why an order failed for want of copies, in the customer's words."""
    parts = []
    for item in shortages:
        left = item.get("available", 0)
        copies = "copy" if left == 1 else "copies"
        parts.append(f"{left} {copies} of “{item.get('title') or 'a book'}” left")
        if left:
            parts[-1] += f" (you asked for {item.get('requested')})"
    return ("Not enough stock: " + "; ".join(parts) + ".") if parts else "Not enough stock."


def order_submit(*, order_id: int, client: StoreClient) -> str:
    """Send one pending order to the store and apply the answer; return what happened.

    Safe to run any number of times, at once or one after another: the store knows the
    order by its UUID, and an order that is no longer pending is left alone. Raises
    StoreUnavailable (and other retryable StoreErrors) for the caller to retry later.
    """
    order = Order.objects.filter(pk=order_id).prefetch_related("items").first()
    if order is None:
        logger.warning("order.submit order=%s outcome=missing", order_id)
        return "missing"
    if order.status != Status.PENDING:
        return f"already {order.status}"
    # Conditional: a cancel request holds the order's row lock while it decides whether a
    # never-sent order can be cancelled in the shop alone (orders/cancelling.py); this
    # UPDATE waits for it and then matches nothing. Once this has counted an attempt, the
    # cancel goes through the store instead, and the cancel task does its own create.
    claimed = Order.objects.filter(
        pk=order.pk, status=Status.PENDING, cancel_requested_at__isnull=True
    ).update(submit_attempts=F("submit_attempts") + 1, last_submit_at=timezone.now())
    if not claimed:
        return "cancel requested"
    logger.info(
        "order.submit order=%s uuid=%s attempt=%s", order.pk, order.uuid, order.submit_attempts + 1
    )
    try:
        data = client.order_create(
            shop_order_id=order.uuid,
            # The number the customer sees ("#5"), so store staff find the order by it.
            shop_order_number=order.pk,
            customer_email=order.email,
            delivery_address=order.delivery_address,
            delivery_fee=order.delivery_fee,
            items=[(item.store_book_id, item.quantity) for item in order.items.all()],
        )
    except StoreInsufficientStock as exc:
        order_advance(
            order=order,
            to_status=Status.FAIL,
            note=shortage_reason(exc.shortages),
            actor=SUBMISSION,
        )
        logger.info(
            "order.submit order=%s uuid=%s outcome=insufficient_stock", order.pk, order.uuid
        )
        return "insufficient_stock"
    except StoreRejected as exc:
        # Not the customer's doing, and not something a retry mends: a bug, a wrong token,
        # a conflicting UUID. Fail it visibly and shout, so that someone looks.
        logger.error(
            "order.submit order=%s uuid=%s outcome=rejected status=%s payload=%s",
            order.pk, order.uuid, exc.status, exc.payload,
        )  # fmt: skip
        order_advance(order=order, to_status=Status.FAIL, note=REJECTED_REASON, actor=SUBMISSION)
        return "rejected"
    order_apply_store_state(order=order, data=data, actor=SUBMISSION)
    logger.info(
        "order.submit order=%s uuid=%s outcome=accepted store_order=%s",
        order.pk, order.uuid, data["id"],
    )  # fmt: skip
    return "accepted"


def orders_resubmit_stuck(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Queue the submission again of orders pending for longer than `older_than`.

    The safety net under the submission task: a lost message, a worker killed mid-task or
    a store outage longer than the task's retries leave an order pending; this finds it.
    Each queued order is stamped, so the next sweep leaves it alone for another window.
    """
    cutoff = timezone.now() - older_than
    stuck = Order.objects.filter(status=Status.PENDING, cancel_requested_at__isnull=True).filter(
        Q(last_submit_at__lt=cutoff) | Q(last_submit_at__isnull=True, created_at__lt=cutoff)
    )
    ids = list(stuck.order_by("created_at").values_list("pk", flat=True)[:limit])
    if ids:
        Order.objects.filter(pk__in=ids).update(last_submit_at=timezone.now())
        for order_id in ids:
            dispatch.order_submit_enqueue(order_id=order_id)
        logger.warning("order.sweep resubmitted=%s orders=%s", len(ids), ids[:20])
    return ids
