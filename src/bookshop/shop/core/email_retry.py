"""How an email task retries: the same for every email the shop sends."""

from __future__ import annotations

import smtplib
from typing import Any

from django.db import InterfaceError, OperationalError

# An SMTP outage, or a lost connection, is worth trying again. The database too: a
# connection cut before the send releases the claim, so a retry (on a new connection)
# sends it without waiting for the sweep.
EMAIL_RETRY: dict[str, Any] = {
    "autoretry_for": (smtplib.SMTPException, OSError, OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 20,
}
