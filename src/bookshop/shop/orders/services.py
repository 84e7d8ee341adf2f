"""Order rules: placing an order from a cart, and every status move."""

from __future__ import annotations

import logging
import uuid as uuid_module
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from bookshop.shop.cart.cart import Cart
from bookshop.shop.cart.selectors import cart_summary
from bookshop.shop.core.services import sync_poll
from bookshop.shop.orders.models import (
    DELIVERY_ADDRESS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    Notification,
    Order,
    OrderEvent,
    OrderItem,
)
from bookshop.shop.store_client import (
    OrderData,
    Shortage,
    StoreClient,
    StoreInsufficientStock,
    StoreRejected,
)

logger = logging.getLogger(__name__)

Status = Order.Status

# Every status an order may move to from each status. Completed and failed are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PENDING: frozenset({Status.IN_WORK, Status.FAIL, Status.SUCCESS}),
    Status.IN_WORK: frozenset({Status.SUCCESS, Status.FAIL}),
    Status.SUCCESS: frozenset(),
    Status.FAIL: frozenset(),
}

# The moves a customer hears about, and the email each one sends.
NOTIFY_ON: dict[str, str] = {
    Status.IN_WORK: Notification.Kind.RECEIVED,
    Status.SUCCESS: Notification.Kind.COMPLETED,
    Status.FAIL: Notification.Kind.FAILED,
}


class CheckoutError(Exception):
    """The cart cannot be ordered as it stands; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class OrderTransitionError(ValueError):
    """A status move the transition map does not allow (e.g. out of a final status)."""


def order_place(
    *,
    user: AbstractBaseUser,
    cart: Cart,
    delivery_address: str,
    phone: str = "",
    uuid: uuid_module.UUID | None = None,
) -> Order:
    """Turn the cart into a pending order, in one transaction, and empty the cart.

    The cart is checked again against the mirror as it is now (a book may have left the
    catalogue or sold out since it went in); any problem raises CheckoutError and writes
    nothing. Prices are copied into the items. After commit the submission task is
    enqueued; if the broker refuses it, the order stays pending for the sweep to find.

    `uuid`, when given (the checkout form carries one), makes a double submit safe: a
    second call with the same uuid returns the first order instead of making another.
    """
    delivery_address = (delivery_address or "").strip()
    phone = (phone or "").strip()
    problems = []
    if not delivery_address:
        problems.append("Enter a delivery address.")
    elif len(delivery_address) > DELIVERY_ADDRESS_MAX_LENGTH:
        problems.append(
            f"The delivery address must be at most {DELIVERY_ADDRESS_MAX_LENGTH} characters."
        )
    if len(phone) > PHONE_MAX_LENGTH:
        problems.append(f"The phone number must be at most {PHONE_MAX_LENGTH} characters.")
    if problems:
        raise CheckoutError(problems)

    if uuid is not None:
        existing = _order_placed_before(user=user, uuid=uuid)
        if existing is not None:
            cart.clear()
            return existing
    try:
        with transaction.atomic():
            order = _order_create(
                user=user,
                cart=cart,
                delivery_address=delivery_address,
                phone=phone,
                uuid=uuid or uuid_module.uuid4(),
            )
    except IntegrityError:
        # Another request with the same checkout form won the race.
        existing = _order_placed_before(user=user, uuid=uuid) if uuid else None
        if existing is None:
            raise
        order = existing
    cart.clear()
    return order


def _order_placed_before(*, user: AbstractBaseUser, uuid: uuid_module.UUID) -> Order | None:
    order = Order.objects.filter(uuid=uuid).first()
    if order is not None and order.user_id != user.pk:
        raise CheckoutError(["This checkout form has expired. Please check out again."])
    return order


def _order_create(
    *, user: AbstractBaseUser, cart: Cart, delivery_address: str, phone: str, uuid: uuid_module.UUID
) -> Order:
    summary = cart_summary(cart=cart)
    if not summary.lines:
        raise CheckoutError(["Your cart is empty."])
    problems = [f"“{line.book.title}”: {line.problem}." for line in summary.problems]
    if problems:
        raise CheckoutError(problems)
    order = Order.objects.create(
        uuid=uuid,
        user=user,
        email=user.email,
        delivery_address=delivery_address,
        phone=phone,
        total=summary.total,
    )
    OrderItem.objects.bulk_create(
        [
            OrderItem(
                order=order,
                book=line.book,
                store_book_id=line.book.store_id,
                title=line.book.title,
                unit_price=line.book.price,
                quantity=line.quantity,
            )
            for line in summary.lines
        ]
    )
    OrderEvent.objects.create(
        order=order, from_status="", to_status=Status.PENDING, note="Order placed", actor=user
    )
    order_id = order.pk
    # robust: the order is committed by then; a broker outage must not turn the
    # customer's successful checkout into an error page (the pending sweep retries).
    transaction.on_commit(lambda: _enqueue_submission(order_id), robust=True)
    return order


def _enqueue_submission(order_id: int) -> None:
    from bookshop.shop.orders.tasks import submit_order

    submit_order.delay(order_id)


def order_transition(
    *,
    order: Order,
    to_status: str,
    note: str = "",
    actor: AbstractBaseUser | str | None = None,
) -> bool:
    """Move an order to `to_status` and record the move as an OrderEvent.

    Returns True when the order moved, False when it already had that status (so a sync
    that runs twice changes nothing and records nothing twice). Raises
    OrderTransitionError for a move the map forbids. The order row is locked for the
    check and the write; `order` is refreshed with the result. Moving to `fail` keeps
    `note` as the order's fail_reason, which customers see. `actor` is a user, or a
    short label such as "store sync". A move the customer hears about records the email
    it owes in the same transaction, and the email is sent once that commits.
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
                transaction.on_commit(lambda: _enqueue_notification(notification.pk), robust=True)
    _refresh(order, locked)
    logger.info(
        "order.status order=%s uuid=%s from=%s to=%s",
        locked.pk,
        locked.uuid,
        from_status,
        to_status,
    )
    return True


def _enqueue_notification(notification_id: int) -> None:
    from bookshop.shop.orders.tasks import send_notification

    send_notification.delay(notification_id)


def _actor_fields(actor: AbstractBaseUser | str | None) -> dict[str, Any]:
    if actor is None:
        return {}
    if isinstance(actor, str):
        return {"actor_label": actor[:100]}
    return {"actor": actor}


def _refresh(order: Order, source: Order) -> None:
    for field in ("status", "status_changed_at", "fail_reason", "updated_at"):
        setattr(order, field, getattr(source, field))


# -- the store's side of an order ------------------------------------------------------------

SUBMISSION = "order submission"
STATUS_SYNC = "store sync"
STATUS_SYNC_NAME = "order_status"
REJECTED_REASON = "The store could not accept this order. Please contact us."
STORE_FAILED_REASON = "The store could not fulfil this order."


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
    Order.objects.filter(pk=order.pk).update(
        submit_attempts=F("submit_attempts") + 1, last_submit_at=timezone.now()
    )
    logger.info(
        "order.submit order=%s uuid=%s attempt=%s", order.pk, order.uuid, order.submit_attempts + 1
    )
    try:
        data = client.order_create(
            shop_order_id=order.uuid,
            customer_email=order.email,
            delivery_address=order.delivery_address,
            items=[(item.store_book_id, item.quantity) for item in order.items.all()],
        )
    except StoreInsufficientStock as exc:
        order_transition(
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
        order_transition(order=order, to_status=Status.FAIL, note=REJECTED_REASON, actor=SUBMISSION)
        return "rejected"
    order_apply_store_state(order=order, data=data, actor=SUBMISSION)
    logger.info(
        "order.submit order=%s uuid=%s outcome=accepted store_order=%s",
        order.pk, order.uuid, data["id"],
    )  # fmt: skip
    return "accepted"


def order_apply_store_state(*, order: Order, data: OrderData, actor: str) -> bool:
    """Bring the shop's order up to the store's view of it; return whether it moved.

    A state older than what the shop already shows (a slow sync racing a faster one) is
    ignored: statuses only move forward.
    """
    if order.store_order_id is None:
        Order.objects.filter(pk=order.pk, store_order_id__isnull=True).update(
            store_order_id=data["id"]
        )
        order.store_order_id = data["id"]
    target = data["status"]
    if target == order.status or target not in TRANSITIONS:
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
        return order_transition(order=order, to_status=target, note=note, actor=actor)
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


def orders_resubmit_stuck(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Queue the submission again of orders pending for longer than `older_than`.

    The safety net under the submission task: a lost message, a worker killed mid-task or
    a store outage longer than the task's retries leave an order pending; this finds it.
    Each queued order is stamped, so the next sweep leaves it alone for another window.
    """
    cutoff = timezone.now() - older_than
    stuck = Order.objects.filter(status=Status.PENDING).filter(
        Q(last_submit_at__lt=cutoff) | Q(last_submit_at__isnull=True, created_at__lt=cutoff)
    )
    ids = list(stuck.order_by("created_at").values_list("pk", flat=True)[:limit])
    if ids:
        Order.objects.filter(pk__in=ids).update(last_submit_at=timezone.now())
        for order_id in ids:
            _enqueue_submission(order_id)
        logger.warning("order.sweep resubmitted=%s orders=%s", len(ids), ids[:20])
    return ids


def notifications_resend_stuck(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Queue again the emails owed for longer than `older_than` and not being sent."""
    now = timezone.now()
    owed = Notification.objects.filter(sent_at__isnull=True, created_at__lt=now - older_than)
    owed = owed.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    ids = list(owed.order_by("created_at").values_list("pk", flat=True)[:limit])
    for notification_id in ids:
        _enqueue_notification(notification_id)
    if ids:
        logger.warning("notification.sweep requeued=%s", len(ids))
    return ids
