"""Every status move of a shop order: the transition map and the one function that moves."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from bookshop.shop import dispatch
from bookshop.shop.accounts.models import User
from bookshop.shop.orders.models import Notification, Order, OrderEvent

logger = logging.getLogger(__name__)

Status = Order.Status

# Every status an order may move to from each status. Completed, failed and cancelled are
# final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.IN_WORK, Status.FAIL, Status.SUCCESS, Status.CANCELLED}),
    Status.IN_WORK: frozenset({Status.SUCCESS, Status.FAIL, Status.CANCELLED}),
    Status.SUCCESS: frozenset(),
    Status.FAIL: frozenset(),
    Status.CANCELLED: frozenset(),
}

# The moves a customer hears about, and the email each one sends.
NOTIFY_ON: dict[str, str] = {
    Status.IN_WORK: Notification.Kind.RECEIVED,
    Status.SUCCESS: Notification.Kind.COMPLETED,
    Status.FAIL: Notification.Kind.FAILED,
    Status.CANCELLED: Notification.Kind.CANCELLED,
}


class OrderTransitionError(ValueError):
    """A status move the transition map does not allow (e.g. out of a final status)."""


def order_advance(
    *,
    order: Order,
    to_status: str,
    note: str = "",
    actor: User | str | None = None,
) -> bool:
    """Move an order on to `to_status`, idempotently; return whether it moved.

    The only way a shop order's status changes. It takes the order's row lock itself (the
    caller holds none) and is idempotent: an order already in `to_status` is left alone
    and False returned, so a sync or a task that runs twice records nothing twice. A move
    the map forbids raises OrderTransitionError. A move writes an OrderEvent; moving to
    `fail` keeps `note` as the fail_reason customers see; a move the customer hears about
    records the email it owes (a Notification), all in one transaction, and the email is
    queued once that commits. `actor` is a user, or a short label such as "store sync".
    `order` is refreshed with the result.
    """
    if to_status not in TRANSITIONS:
        raise OrderTransitionError(f"unknown order status {to_status!r}")
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status == to_status:
            _refresh(order, locked)
            return False
        if to_status not in TRANSITIONS[locked.status]:
            raise OrderTransitionError(f"{locked} cannot move from {locked.status} to {to_status}")
        from_status = locked.status
        locked.status = to_status
        locked.status_changed_at = timezone.now()
        fields = ["status", "status_changed_at", "updated_at"]
        if to_status == Status.FAIL:
            locked.fail_reason = note
            fields.append("fail_reason")
        locked.save(update_fields=fields)
        OrderEvent.objects.create(
            order=locked,
            from_status=from_status,
            to_status=to_status,
            note=note,
            **_actor_fields(actor),
        )
        kind = NOTIFY_ON.get(to_status)
        if kind:
            notification, created = Notification.objects.get_or_create(order=locked, kind=kind)
            if created:
                notification_id = notification.pk
                # robust: the move is committed by then; the sweep resends a lost email.
                transaction.on_commit(
                    lambda: dispatch.notification_send_enqueue(notification_id=notification_id),
                    robust=True,
                )
    _refresh(order, locked)
    logger.info(
        "order.status order=%s uuid=%s from=%s to=%s",
        locked.pk,
        locked.uuid,
        from_status,
        to_status,
    )
    return True


def _actor_fields(actor: User | str | None) -> dict[str, Any]:
    if actor is None:
        return {}
    if isinstance(actor, str):
        return {"actor_label": actor[:100]}
    return {"actor": actor}


def _refresh(order: Order, source: Order) -> None:
    for field in ("status", "status_changed_at", "fail_reason", "updated_at"):
        setattr(order, field, getattr(source, field))
