"""Every task the shop queues, queued by name from here.

The services queue work without importing the task modules, which import the services:
no cycle, and one list of what the web processes and the syncs put on the broker. The
tasks register under these names; the routes and beat's schedule in settings use them too
(tests/shop/test_dispatch.py holds them together).
"""

from __future__ import annotations

from typing import Any

from bookshop.shop.celery import app

CATALOG_SYNC = "shop.catalog.sync"
ORDER_SUBMIT = "shop.orders.submit"
ORDER_STATUS_SYNC = "shop.orders.sync_status"
PENDING_SWEEP = "shop.orders.sweep"
NOTIFICATION_SEND = "shop.mail.send_notification"
STOCK_ALERT_SEND = "shop.mail.send_stock_alert"
STOCK_ALERT_SWEEP = "shop.alerts.sweep"
ORDER_CANCEL = "shop.orders.cancel"
VERIFICATION_SEND = "shop.mail.send_verification"


def _send(name: str, *args: Any, **kwargs: Any) -> None:
    # send_task routes by name through CELERY_TASK_ROUTES, as .delay() would.
    app.send_task(name, args=args, kwargs=kwargs)


def catalog_sync_enqueue(*, full: bool = False) -> None:
    """Queue a catalogue sync (a full reconciliation with `full`)."""
    _send(CATALOG_SYNC, full=full)


def order_submit_enqueue(*, order_id: int) -> None:
    """Queue the submission of a pending order to the store."""
    _send(ORDER_SUBMIT, order_id)


def order_cancel_enqueue(*, order_id: int) -> None:
    """Queue asking the store to cancel an order the customer withdrew."""
    _send(ORDER_CANCEL, order_id)


def order_status_sync_enqueue() -> None:
    """Queue an order status sync now, besides beat's."""
    _send(ORDER_STATUS_SYNC)


def notification_send_enqueue(*, notification_id: int) -> None:
    """Queue the sending of one order email."""
    _send(NOTIFICATION_SEND, notification_id)


def stock_alert_send_enqueue(*, alert_id: int) -> None:
    """Queue the back-in-stock email of one alert the sync released."""
    _send(STOCK_ALERT_SEND, alert_id)


def verification_send_enqueue(*, user_id: int) -> None:
    """Queue the email that asks a new account to confirm its address."""
    _send(VERIFICATION_SEND, user_id)
