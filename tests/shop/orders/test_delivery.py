"""Delivery and payment, stated: the fee rule, and where the customer reads it."""

from decimal import Decimal

import pytest
from django.core import mail

from bookshop.shop.orders.delivery import charges_for, delivery_fee_for
from bookshop.shop.orders.models import Notification, Order
from bookshop.shop.orders.notifications import notification_send
from bookshop.shop.orders.transitions import order_advance
from tests.shop.factories import BookFactory, OrderFactory, OrderItemFactory, UserFactory
from tests.shop.orders.test_views import place_order

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rates(settings):
    settings.SHOP_DELIVERY_FEE = Decimal("3.50")
    settings.SHOP_FREE_DELIVERY_FROM = Decimal("40.00")
    settings.SHOP_PAYMENT_METHOD = "Pay on delivery, by cash or card"


@pytest.mark.parametrize(
    ("subtotal", "fee"),
    [("0.00", "0.00"), ("12.50", "3.50"), ("39.99", "3.50"), ("40.00", "0.00"), ("80", "0.00")],
)
def test_delivery_is_flat_until_the_free_threshold(subtotal, fee):
    assert delivery_fee_for(subtotal=Decimal(subtotal)) == Decimal(fee)


def test_without_a_threshold_delivery_is_never_free(settings):
    settings.SHOP_FREE_DELIVERY_FROM = None

    charges = charges_for(subtotal=Decimal("500.00"))

    assert (charges.delivery, charges.total) == (Decimal("3.50"), Decimal("503.50"))


def test_the_cart_shows_subtotal_delivery_total_and_payment(client):
    book = BookFactory(title="Solaris", price=Decimal("12.50"))
    client.post(f"/cart/add/{book.pk}/")

    page = client.get("/cart/").content.decode()

    assert "data-cart-total>$12.50<" in page
    assert "data-cart-delivery>$3.50<" in page
    assert "data-cart-amount-due>$16.00<" in page
    assert "Free delivery from $40.00." in page
    assert "Pay on delivery, by cash or card" in page


def test_checkout_and_the_order_record_and_show_the_fee(client):
    user = UserFactory(email="grace@example.com")
    client.force_login(user)
    book = BookFactory(title="Solaris", price=Decimal("12.50"))
    client.post(f"/cart/add/{book.pk}/")

    checkout = client.get("/checkout/").content.decode()
    response = place_order(client)

    assert "<span>Delivery</span><span" in checkout
    assert "$3.50" in checkout
    assert "$16.00" in checkout
    assert "Pay on delivery, by cash or card" in checkout
    order = Order.objects.get()
    assert (order.total, order.delivery_fee, order.amount_due) == (
        Decimal("12.50"),
        Decimal("3.50"),
        Decimal("16.00"),
    )
    page = client.get(response["Location"]).content.decode()
    assert "Subtotal" in page
    assert "$12.50" in page
    assert "$16.00" in page
    assert "Pay on delivery, by cash or card" in page


def test_an_order_from_the_threshold_on_delivers_free(client):
    client.force_login(UserFactory(email="grace@example.com"))
    book = BookFactory(price=Decimal("20.00"), quantity=5)
    client.post(f"/cart/add/{book.pk}/", {"quantity": "2"})

    place_order(client)

    assert Order.objects.get().delivery_fee == Decimal("0.00")


def test_the_email_states_delivery_total_and_payment():
    order = OrderFactory(email="grace@example.com", total="19.98", delivery_fee="3.50")
    OrderItemFactory(order=order, title="Dune", unit_price="9.99", quantity=2)
    order_advance(order=order, to_status=Order.Status.IN_WORK, actor="store sync")

    notification_send(notification_id=Notification.objects.get(order=order).pk)

    [email] = mail.outbox
    assert "Subtotal: $19.98\nDelivery: $3.50\nTotal: $23.48\n" in email.body
    assert "Payment: Pay on delivery, by cash or card" in email.body
    html = email.alternatives[0][0]
    assert "$23.48" in html
    assert "Pay on delivery, by cash or card" in html
