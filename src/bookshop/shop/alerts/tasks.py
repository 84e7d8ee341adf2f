"""Celery task of the back-in-stock alerts; queued by name through bookshop.shop.dispatch."""

from __future__ import annotations

import smtplib
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings

from bookshop.shop import dispatch
from bookshop.shop.alerts.emails import stock_alert_send, stock_alerts_resend_stuck


@shared_task(
    bind=True,
    name=dispatch.STOCK_ALERT_SEND,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=20,
)
def send_stock_alert(self: Task, alert_id: int) -> bool:
    """Send one back-in-stock email; an SMTP outage delays it (retries)."""
    return stock_alert_send(alert_id=alert_id)


@shared_task(name=dispatch.STOCK_ALERT_SWEEP)
def sweep_stock_alerts() -> int:
    """Resend back-in-stock emails stuck unsent (beat, every PENDING_SWEEP_INTERVAL)."""
    age = timedelta(seconds=settings.PENDING_SWEEP_AGE)
    return len(stock_alerts_resend_stuck(older_than=age))
