"""Queueing tasks by name: each name is a task the worker runs, on the queue meant for it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

from bookshop.shop import dispatch
from bookshop.shop.celery import app

SHOP = Path(dispatch.__file__).parent
NAMES = [
    dispatch.CATALOG_SYNC,
    dispatch.ORDER_SUBMIT,
    dispatch.ORDER_STATUS_SYNC,
    dispatch.PENDING_SWEEP,
    dispatch.NOTIFICATION_SEND,
    dispatch.STOCK_ALERT_SEND,
    dispatch.STOCK_ALERT_SWEEP,
    dispatch.ORDER_CANCEL,
    dispatch.VERIFICATION_SEND,
]


def test_every_name_is_a_registered_task():
    app.loader.import_default_modules()  # what a worker does at start: autodiscovery

    assert set(NAMES) <= set(app.tasks)
    assert {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()} <= set(NAMES)


@pytest.mark.parametrize(
    ("enqueue", "queue", "message"),
    [
        (lambda: dispatch.catalog_sync_enqueue(full=True), "sync", (dispatch.CATALOG_SYNC, [])),
        (dispatch.order_status_sync_enqueue, "sync", (dispatch.ORDER_STATUS_SYNC, [])),
        (lambda: dispatch.order_submit_enqueue(order_id=7), "orders", (dispatch.ORDER_SUBMIT, [7])),
        (lambda: dispatch.order_cancel_enqueue(order_id=8), "orders", (dispatch.ORDER_CANCEL, [8])),
        (
            lambda: dispatch.notification_send_enqueue(notification_id=3),
            "email",
            (dispatch.NOTIFICATION_SEND, [3]),
        ),
        (
            lambda: dispatch.stock_alert_send_enqueue(alert_id=4),
            "email",
            (dispatch.STOCK_ALERT_SEND, [4]),
        ),
        (
            lambda: dispatch.verification_send_enqueue(user_id=5),
            "email",
            (dispatch.VERIFICATION_SEND, [5]),
        ),
    ],
)
def test_each_task_is_queued_where_its_worker_listens(broker, enqueue, queue, message):
    enqueue()

    assert broker.drain(queue) == [message]


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_no_shop_module_imports_a_tasks_module():
    """Tasks call services; services queue tasks by name. An import back is a cycle."""
    offenders = {
        str(path.relative_to(SHOP)): sorted(
            m for m in _imported_modules(path) if m.endswith(".tasks")
        )
        for path in SHOP.rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
