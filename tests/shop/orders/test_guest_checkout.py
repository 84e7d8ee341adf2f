"""Guest checkout and the tracking link."""

from decimal import Decimal

import pytest
from django.core import mail

from bookshop.shop.orders.models import Notification, Order
from bookshop.shop.orders.notifications import notification_send
from bookshop.shop.orders.tracking import tracking_path, tracking_token
from bookshop.shop.orders.transitions import order_advance
from tests.shop.factories import BookFactory, OrderFactory
from tests.shop.orders.test_views import form_of

pytestmark = pytest.mark.django_db
Status = Order.Status


def guest_order(client, email="guest@example.com", **extra):
    book = BookFactory(title="Solaris", price=Decimal("12.50"))
    client.post(f"/cart/add/{book.pk}/")
    page = client.get("/checkout/")
    data = {
        "email": email,
        "delivery_address": "1 Library Lane",
        "phone": "",
        **form_of(page),
        **extra,
    }
    return client.post("/checkout/", data)


def test_a_guest_orders_without_an_account_and_lands_on_the_tracking_page(client):
    response = guest_order(client)

    order = Order.objects.get()
    assert (order.user, order.email, order.status) == (None, "guest@example.com", "pending")
    assert response["Location"] == f"{tracking_path(order=order)}?placed=1"
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for your order!" in page
    assert "your tracking link" in page
    assert ">Cancel order</button>" in page
    assert "My orders" not in page.split("<main", 1)[-1].split("</main>")[0]


def test_a_guest_must_give_an_email(client):
    response = guest_order(client, email="")

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Order.objects.exists()


def test_the_tracking_link_works_without_login_and_a_bad_one_is_a_404(client):
    order = OrderFactory(user=None, email="guest@example.com", total="1.00")
    token = tracking_token(order=order)
    other = OrderFactory(user=None, email="other@example.com", total="1.00")

    assert client.get(f"/orders/track/{token}/").status_code == 200
    assert client.get(f"/orders/track/{token}x/").status_code == 404
    assert client.get(f"/orders/track/{other.uuid}/").status_code == 404  # unsigned
    page = client.get(f"/orders/track/{token}/").content.decode()
    assert f"Order {order.number}" in page
    assert f"Order {other.number}" not in page


def test_a_guest_cancels_from_the_tracking_link(client):
    order = OrderFactory(user=None, email="guest@example.com", total="1.00")
    token = tracking_token(order=order)

    response = client.post(f"/orders/track/{token}/cancel/", follow=True)

    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    assert response.redirect_chain[-1][0] == f"/orders/track/{token}/"
    assert f"Order {order.number} is cancelled." in response.content.decode()


def test_every_order_email_carries_the_tracking_link():
    order = OrderFactory(user=None, email="guest@example.com", total="1.00")
    order_advance(order=order, to_status=Status.IN_WORK, actor="store sync")

    notification_send(notification_id=Notification.objects.get(order=order).pk)

    [email] = mail.outbox
    assert email.to == ["guest@example.com"]
    assert f"{tracking_path(order=order)}" in email.body
    assert tracking_path(order=order) in email.alternatives[0][0]
