"""Celery task of the accounts: the verification email, queued by name through
bookshop.shop.dispatch (nothing imports this module)."""

from __future__ import annotations

import smtplib

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from bookshop.shop import dispatch
from bookshop.shop.accounts.verification import verification_send


@shared_task(
    bind=True,
    name=dispatch.VERIFICATION_SEND,
    # As the order emails: an SMTP outage, or a connection lost, is worth trying again.
    autoretry_for=(smtplib.SMTPException, OSError, OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=20,
)
def send_verification(self: Task, user_id: int) -> bool:
    """Send one account's verification email; retried while the mail server fails."""
    return verification_send(user_id=user_id)
