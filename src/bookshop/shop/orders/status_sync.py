"""The status sync: the store's view of the shop's orders, applied to them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from bookshop.shop.core.services import sync_poll
from bookshop.shop.orders.models import Order, OrderStatus
from bookshop.shop.orders.transitions import TRANSITIONS, OrderTransitionError, order_advance
from bookshop.shop.store_client import OrderData, StoreClient

logger = logging.getLogger(__name__)

Status = Order.Status

STATUS_SYNC = "store sync"  # the actor of the moves the sync makes
STATUS_SYNC_NAME = "order_status"  # its SyncState
STORE_FAILED_REASON = "The store could not fulfil this order."

# The store's order statuses (the `status` of its API's Order) and the shop status each one
# means: the one place the two vocabularies meet. The shop's own `pending` (not yet
# accepted) has no store status. A status the store adds is ignored, with a warning, until
# it is mapped here; a test holds this map to the statuses the Store API schema declares.
SHOP_STATUS_FOR_STORE_STATUS: dict[str, OrderStatus] = {
    "in_work": Status.IN_WORK,
    "success": Status.SUCCESS,
    "fail": Status.FAIL,
    "cancelled": Status.CANCELLED,
}


def order_apply_store_state(*, order: Order, data: OrderData, actor: str) -> bool:
    """Bring the shop's order up to the store's view of it; return whether it moved.

    The store's status is read through SHOP_STATUS_FOR_STORE_STATUS. A state older than
    what the shop already shows (a slow sync racing a faster one) is ignored: statuses only
    move forward.
    """
    if order.store_order_id is None:
        Order.objects.filter(pk=order.pk, store_order_id__isnull=True).update(
            store_order_id=data["id"]
        )
        order.store_order_id = data["id"]
    target = SHOP_STATUS_FOR_STORE_STATUS.get(data["status"])
    if target is None:
        logger.warning(
            "order.sync order=%s uuid=%s unknown_store_status=%r", order.pk, order.uuid,
            data["status"],
        )  # fmt: skip
        return False
    if target == order.status:
        return False
    if target not in TRANSITIONS[order.status]:
        logger.info(
            "order.sync order=%s uuid=%s stale=%s current=%s", order.pk, order.uuid, target,
            order.status,
        )  # fmt: skip
        return False
    note = ""
    if target == Status.FAIL:
        note = (data.get("fail_reason") or "").strip() or STORE_FAILED_REASON
    try:
        return order_advance(order=order, to_status=target, note=note, actor=actor)
    except OrderTransitionError:
        return False  # another run moved it further meanwhile


@dataclass(frozen=True)
class StatusSyncResult:
    pages: int
    received: int
    moved: int
    cursor: datetime | None


def orders_sync_status(*, client: StoreClient) -> StatusSyncResult:
    """Apply the status changes of the shop's orders in the store since the last run.

    One `sync_poll` (core.services) over the orders changed after the cursor; re-applying
    a state is a no-op, so the poll's overlap window costs no writes.
    """

    def apply(page: Sequence[OrderData]) -> int:
        by_uuid = {
            str(order.uuid): order
            for order in Order.objects.filter(uuid__in=[d["shop_order_id"] for d in page])
        }
        moved = 0
        for data in page:
            order = by_uuid.get(data["shop_order_id"])
            if order is None:
                logger.warning(
                    "order.sync unknown shop_order_id=%s store_order=%s",
                    data["shop_order_id"], data["id"],
                )  # fmt: skip
                continue
            moved += order_apply_store_state(order=order, data=data, actor=STATUS_SYNC)
        return moved

    poll = sync_poll(
        name=STATUS_SYNC_NAME,
        overlap=timedelta(seconds=settings.ORDER_STATUS_SYNC_OVERLAP),
        fetch=lambda since: client.orders_changed(updated_after=since),
        apply=apply,
    )
    return StatusSyncResult(
        pages=poll.pages, received=poll.received, moved=poll.applied, cursor=poll.cursor
    )
