"""Celery task of the accounts: the verification email, queued by name through
bookshop.shop.dispatch (nothing imports this module)."""

from __future__ import annotations

from celery import Task, shared_task

from bookshop.shop import dispatch
from bookshop.shop.accounts.verification import verification_send
from bookshop.shop.core.email_retry import EMAIL_RETRY


@shared_task(bind=True, name=dispatch.VERIFICATION_SEND, **EMAIL_RETRY)
def send_verification(self: Task, user_id: int) -> bool:
    """Send one account's verification email; retried while the mail server fails."""
    return verification_send(user_id=user_id)
