"""The emails a customer gets about an order: composing them, sending each one once, and
the sweep that resends those stuck unsent."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import InterfaceError, OperationalError, connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone

from bookshop.shop import dispatch
from bookshop.shop.orders.models import Notification
from bookshop.shop.orders.tracking import tracking_url

logger = logging.getLogger(__name__)

SUBJECTS: dict[str, str] = {
    Notification.Kind.RECEIVED: "Order #{number}: received",
    Notification.Kind.COMPLETED: "Order #{number}: completed",
    Notification.Kind.FAILED: "Order #{number}: could not be processed",
    Notification.Kind.CANCELLED: "Order #{number}: cancelled",
}


def notification_message(*, notification: Notification) -> EmailMultiAlternatives:
    """The email for one notification: plain text and HTML, from templates."""
    order = notification.order
    context = {
        "order": order,
        "items": list(order.items.all()),
        "kind": notification.kind,
        "order_url": f"{settings.SHOP_PUBLIC_URL}{order.get_absolute_url()}",
        "tracking_url": tracking_url(order=order),
        "shop_url": f"{settings.SHOP_PUBLIC_URL}/",
        "shop_name": settings.SHOP_NAME,
        "currency": settings.SHOP_CURRENCY_SYMBOL,
        "payment_method": settings.SHOP_PAYMENT_METHOD,
    }
    template = f"orders/email/{notification.kind}"
    message = EmailMultiAlternatives(
        subject=f"{settings.SHOP_NAME} " + SUBJECTS[notification.kind].format(number=order.pk),
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[order.email],
        headers={
            # The same email keeps the same id: should it ever go out twice (a crash between
            # the SMTP server's "accepted" and our note of it), mail clients show it once.
            "Message-ID": f"<order-{order.uuid}-{notification.kind}@{_domain()}>",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1]
    return address.strip("> ") or "bookshop.local"


def notification_send(*, notification_id: int) -> bool:
    """Send one notification unless it was sent already or another sender holds it.

    The claim is a conditional UPDATE, so two tasks for the same notification (a retry
    beside a sweep) never both send. An SMTP error releases the claim and propagates, for
    the task to retry. Returns whether this call sent the email.
    """
    now = timezone.now()
    # bookshop.common.conf always sets EMAIL_TIMEOUT; Django's own default is None.
    lease = timedelta(seconds=max(60, 3 * (settings.EMAIL_TIMEOUT or 10)))
    claimed = (
        Notification.objects.filter(pk=notification_id, sent_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + lease, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    try:
        notification = Notification.objects.select_related("order").get(pk=notification_id)
        notification_message(notification=notification).send()
    except Exception as exc:
        # Not sent: give the claim back at once, or the email would wait out the lease.
        error = f"{type(exc).__name__}: {exc}"[:2000]
        _with_reconnect(
            lambda: Notification.objects.filter(pk=notification_id).update(
                claimed_until=None, last_error=error
            )
        )
        raise
    # Sent: this note must land, or the lease runs out and the sweep sends it again.
    _with_reconnect(
        lambda: Notification.objects.filter(pk=notification_id).update(
            sent_at=timezone.now(), claimed_until=None, last_error=""
        )
    )
    logger.info(
        "notification.sent order=%s uuid=%s kind=%s to=%s",
        notification.order_id, notification.order.uuid, notification.kind, notification.order.email,
    )  # fmt: skip
    return True


# A database connection cut between two queries (a failover, pg_terminate_backend, a
# restart) fails the next query; these tries reconnect, on a back-off of this many seconds.
RECONNECT_DELAYS = (0.2, 1.0, 3.0)


def _with_reconnect(write: Callable[[], object]) -> None:
    """Run one autocommit write, reconnecting and trying again if the connection is gone."""
    for delay in (*RECONNECT_DELAYS, None):
        try:
            write()
            return
        except (OperationalError, InterfaceError):
            if delay is None or connection.in_atomic_block:
                raise
            logger.warning("notification write failed on a lost connection; retrying")
            connection.close()  # the next query opens a new connection
            time.sleep(delay)


def notifications_resend_stuck(*, older_than: timedelta, limit: int = 500) -> list[int]:
    """Queue again the emails owed for longer than `older_than` and not being sent."""
    now = timezone.now()
    owed = Notification.objects.filter(sent_at__isnull=True, created_at__lt=now - older_than)
    owed = owed.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    ids = list(owed.order_by("created_at").values_list("pk", flat=True)[:limit])
    for notification_id in ids:
        dispatch.notification_send_enqueue(notification_id=notification_id)
    if ids:
        logger.warning("notification.sweep requeued=%s", len(ids))
    return ids
