"""Celery tasks of the shop's orders: thin wrappers over submission, status_sync and
notifications. Nothing in the shop imports this module: it queues these tasks by name
through bookshop.shop.dispatch.

Every task takes ids, not objects, and is safe to run twice.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings

from bookshop.shop import dispatch
from bookshop.shop.core.email_retry import EMAIL_RETRY
from bookshop.shop.orders.cancelling import order_cancel_at_store, orders_recancel_stuck
from bookshop.shop.orders.notifications import notification_send, notifications_resend_stuck
from bookshop.shop.orders.status_sync import orders_sync_status
from bookshop.shop.orders.submission import order_submit, orders_resubmit_stuck
from bookshop.shop.store_client import StoreClient, StoreError

logger = logging.getLogger(__name__)


def submission_backoff(retries: int, retry_after: float | None = None) -> float:
    """Seconds before the next try: exponential, capped, with jitter so that orders
    queued during one outage do not all hit the store again in the same instant."""
    base = settings.ORDER_SUBMIT_RETRY_BASE * (2**retries)
    delay = min(settings.ORDER_SUBMIT_RETRY_CAP, base) * random.uniform(0.5, 1.5)  # noqa: S311
    return max(delay, retry_after or 0.0)


def _ask_store(
    task: Task, *, order_id: int, what: str, call: Callable[..., str], gave_up: str
) -> str:
    """Run `call(order_id=..., client=...)` against the store. Network errors, 5xx and
    429 are retried with backoff up to ORDER_SUBMIT_MAX_RETRIES; after that the task
    answers `gave_up` and the sweep asks again later."""
    try:
        with StoreClient() as client:
            return call(order_id=order_id, client=client)
    except StoreError as exc:
        if not exc.retryable:
            raise
        if task.request.retries >= settings.ORDER_SUBMIT_MAX_RETRIES:
            logger.warning(
                "order.%s order=%s outcome=gave_up retries=%s error=%s; the sweep retries",
                what, order_id, task.request.retries, exc,
            )  # fmt: skip
            return gave_up
        countdown = submission_backoff(task.request.retries, getattr(exc, "retry_after", None))
        logger.warning(
            "order.%s order=%s outcome=retry in=%.1fs error=%s", what, order_id, countdown, exc
        )
        raise task.retry(exc=exc, countdown=countdown) from exc


@shared_task(bind=True, name=dispatch.ORDER_SUBMIT, max_retries=None)
def submit_order(self: Task, order_id: int) -> str:
    """Send a placed (pending) order to the store; retried while the store is down, then
    left pending for the sweep."""
    return _ask_store(self, order_id=order_id, what="submit", call=order_submit, gave_up="pending")


@shared_task(bind=True, name=dispatch.ORDER_CANCEL, max_retries=None)
def cancel_order(self: Task, order_id: int) -> str:
    """Ask the store to cancel an order the customer withdrew; retried like a submission
    while the store is down, then left to the sweep."""
    return _ask_store(
        self, order_id=order_id, what="cancel", call=order_cancel_at_store, gave_up="cancelling"
    )


@shared_task(name=dispatch.ORDER_STATUS_SYNC)
def sync_order_statuses() -> int:
    """Apply the store's status changes to the shop's orders (beat, every few seconds)."""
    try:
        with StoreClient() as client:
            result = orders_sync_status(client=client)
    except StoreError as exc:
        # The next beat tries again in a few seconds; no retry pile-up meanwhile.
        logger.warning("order.sync outcome=failed error=%s", exc)
        return 0
    if result.moved:
        logger.info("order.sync received=%s moved=%s", result.received, result.moved)
    return result.moved


@shared_task(name=dispatch.PENDING_SWEEP)
def sweep_pending() -> int:
    """Resubmit orders stuck in pending and resend emails stuck unsent (beat, each minute)."""
    age = timedelta(seconds=settings.PENDING_SWEEP_AGE)
    orders = orders_resubmit_stuck(older_than=age)
    cancels = orders_recancel_stuck(older_than=age)
    emails = notifications_resend_stuck(older_than=age)
    return len(orders) + len(cancels) + len(emails)


@shared_task(bind=True, name=dispatch.NOTIFICATION_SEND, **EMAIL_RETRY)
def send_notification(self: Task, notification_id: int) -> bool:
    """Send one order email; an SMTP outage delays it (retries, then the sweep)."""
    return notification_send(notification_id=notification_id)
