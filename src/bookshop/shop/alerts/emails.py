"""The back-in-stock email: composing it and sending it once."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from bookshop.shop import dispatch
from bookshop.shop.alerts.models import StockAlert
from bookshop.shop.alerts.services import unsubscribe_token

logger = logging.getLogger(__name__)


def unsubscribe_url(email: str) -> str:
    path = reverse("alerts:unsubscribe", args=[unsubscribe_token(email)])
    return f"{settings.SHOP_PUBLIC_URL}{path}"


def stock_alert_message(*, alert: StockAlert) -> EmailMultiAlternatives:
    """Plain text and HTML, with the book's link and an unsubscribe link (also as the
    List-Unsubscribe header, one click by RFC 8058's POST)."""
    book = alert.book
    unsubscribe = unsubscribe_url(alert.email)
    context = {
        "book": book,
        "book_url": f"{settings.SHOP_PUBLIC_URL}{book.get_absolute_url()}",
        "unsubscribe_url": unsubscribe,
        "shop_url": f"{settings.SHOP_PUBLIC_URL}/",
        "shop_name": settings.SHOP_NAME,
    }
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "bookshop.local"
    message = EmailMultiAlternatives(
        subject=f"{settings.SHOP_NAME}: “{book.title}” is back in stock",
        body=render_to_string("alerts/email/back_in_stock.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[alert.email],
        headers={
            "Message-ID": f"<stock-alert-{alert.pk}@{domain}>",
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(
        render_to_string("alerts/email/back_in_stock.html", context), "text/html"
    )
    return message


def stock_alert_send(*, alert_id: int) -> bool:
    """Send a released alert's email unless it went already or another sender holds it
    (the same conditional-UPDATE claim as the order emails). An SMTP error releases the
    claim and propagates, for the task to retry. Returns whether this call sent it."""
    now = timezone.now()
    lease = timedelta(seconds=max(60, 3 * (settings.EMAIL_TIMEOUT or 10)))
    claimed = (
        StockAlert.objects.filter(
            pk=alert_id, ending=StockAlert.Ending.RESTOCKED, sent_at__isnull=True
        )
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    alert = StockAlert.objects.select_related("book").get(pk=alert_id)
    try:
        stock_alert_message(alert=alert).send()
    except Exception as exc:
        StockAlert.objects.filter(pk=alert_id).update(
            claimed_until=None, last_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    StockAlert.objects.filter(pk=alert_id).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    logger.info("alerts.sent alert=%s book=%s to=%s", alert.pk, alert.book_id, alert.email)
    return True


def stock_alerts_resend_stuck(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Queue again the emails of alerts released longer than `older_than` ago and still
    unsent, unless a sender holds them."""
    now = timezone.now()
    owed = StockAlert.objects.filter(
        ending=StockAlert.Ending.RESTOCKED, sent_at__isnull=True, ended_at__lt=now - older_than
    ).filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    ids = list(owed.order_by("ended_at").values_list("pk", flat=True)[:limit])
    for alert_id in ids:
        dispatch.stock_alert_send_enqueue(alert_id=alert_id)
    if ids:
        logger.warning("alerts.sweep requeued=%s", len(ids))
    return ids
