"""Order emails: what the customer reads, and that each one goes out exactly once."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import OperationalError
from django.utils import timezone

from bookshop.shop.orders import notifications
from bookshop.shop.orders.models import Notification, Order
from bookshop.shop.orders.notifications import notification_send, notifications_resend_stuck
from bookshop.shop.orders.transitions import NOTIFY_ON, order_advance
from tests.shop.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db
Status = Order.Status


@pytest.fixture
def order(settings):
    settings.SHOP_PUBLIC_URL = "https://books.example.com"
    order = OrderFactory(email="grace@example.com", total="19.98")
    OrderItemFactory(order=order, title="Dune", unit_price="9.99", quantity=2)
    return order


def owed(order, to_status, note=""):
    """Move the order and return the email the move owes the customer."""
    order_advance(order=order, to_status=to_status, note=note, actor="store sync")
    return Notification.objects.get(order=order, kind=NOTIFY_ON[to_status])


def test_the_received_email_names_the_order_and_links_to_it(order):
    notification = owed(order, Status.IN_WORK)

    assert notification_send(notification_id=notification.pk) is True

    [email] = mail.outbox
    assert email.subject == f"Bookshop Order #{order.pk}: received"
    assert email.to == ["grace@example.com"]
    assert f"https://books.example.com/orders/{order.pk}/" in email.body
    assert "Dune (qty 2): $19.98" in email.body
    html, kind = email.alternatives[0]
    assert kind == "text/html"
    assert f'href="https://books.example.com/orders/{order.pk}/"' in html
    assert email.extra_headers["Message-ID"] == f"<order-{order.uuid}-received@bookshop.local>"


def test_the_failed_email_says_why(order):
    notification = owed(order, Status.FAIL, note="Not enough stock: 0 copies of “Dune” left.")

    notification_send(notification_id=notification.pk)

    [email] = mail.outbox
    assert email.subject == f"Bookshop Order #{order.pk}: could not be processed"
    assert "Reason: Not enough stock: 0 copies of “Dune” left." in email.body
    assert "Not enough stock: 0 copies of “Dune” left." in email.alternatives[0][0]


def test_the_completed_email(order):
    order_advance(order=order, to_status=Status.IN_WORK)
    order_advance(order=order, to_status=Status.SUCCESS)

    for notification in Notification.objects.filter(order=order):
        notification_send(notification_id=notification.pk)

    assert [email.subject for email in mail.outbox] == [
        f"Bookshop Order #{order.pk}: received",
        f"Bookshop Order #{order.pk}: completed",
    ]


def test_a_notification_is_sent_once_however_often_it_is_asked(order):
    notification = owed(order, Status.IN_WORK)

    results = [notification_send(notification_id=notification.pk) for _ in range(3)]

    assert results == [True, False, False]
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1


def test_a_notification_another_sender_holds_is_left_alone(order):
    notification = owed(order, Status.IN_WORK)
    Notification.objects.filter(pk=notification.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=1)
    )

    assert notification_send(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_an_smtp_outage_delays_the_email_and_loses_nothing(order, settings, closed_port):
    notification = owed(order, Status.IN_WORK)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port

    with pytest.raises(ConnectionRefusedError):
        notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.claimed_until is None
    assert "ConnectionRefusedError" in notification.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_send(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_sweep_requeues_emails_stuck_unsent(order, broker):
    stuck = owed(order, Status.IN_WORK)
    Notification.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))
    broker.drain("email")

    assert notifications_resend_stuck(older_than=timedelta(minutes=5)) == [stuck.pk]
    assert broker.drain("email") == [("shop.mail.send_notification", [stuck.pk])]


def test_smtp_errors_are_what_the_task_retries():
    from bookshop.shop.orders.tasks import send_notification

    assert smtplib.SMTPException in send_notification.autoretry_for
    assert OSError in send_notification.autoretry_for


class CutOnce:
    """QuerySet.update that fails once, as on a connection the database just killed, when
    its keywords include `field`."""

    def __init__(self, monkeypatch, field: str) -> None:
        from django.db.models import QuerySet

        self.cuts = 0
        original = QuerySet.update

        def update(queryset, **kwargs):
            if field in kwargs and not self.cuts:
                self.cuts += 1
                raise OperationalError("terminating connection due to administrator command")
            return original(queryset, **kwargs)

        monkeypatch.setattr(QuerySet, "update", update)
        monkeypatch.setattr(notifications, "RECONNECT_DELAYS", (0.01, 0.01))


@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_after_the_send_still_notes_it_sent_so_it_never_goes_twice(
    order, monkeypatch
):
    notification = owed(order, Status.IN_WORK)
    cut = CutOnce(monkeypatch, "sent_at")

    first = notification_send(notification_id=notification.pk)
    Notification.objects.filter(pk=notification.pk).update(claimed_until=None)  # lease over
    again = notification_send(notification_id=notification.pk)

    assert (cut.cuts, first, again) == (1, True, False)
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).sent_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_connection_cut_before_the_send_gives_the_claim_back_at_once(order, monkeypatch):
    notification = owed(order, Status.IN_WORK)
    monkeypatch.setattr(
        notifications,
        "notification_message",
        lambda **kwargs: (_ for _ in ()).throw(OperationalError("the connection is lost")),
    )

    with pytest.raises(OperationalError):
        notification_send(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.claimed_until is None  # a retry may send it now, not in 60 s
    assert notification.sent_at is None
    assert "the connection is lost" in notification.last_error


def test_database_errors_are_retried_by_the_task_too():
    from bookshop.shop.orders.tasks import send_notification

    assert OperationalError in send_notification.autoretry_for
