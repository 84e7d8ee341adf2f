"""Email verification, and the guest orders a verified account gets."""

import re

import pytest
from django.core import mail

from bookshop.shop.accounts.models import User
from bookshop.shop.accounts.verification import verification_token
from tests.shop.accounts.test_views import register
from tests.shop.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"http://[^/\s]+(/accounts/verify/\S+/)", message.body).group(1)


def test_a_new_account_gets_a_link_and_its_guest_orders_after_opening_it(client):
    guest = OrderFactory(user=None, email="ada@example.com", total="1.00")
    stranger = OrderFactory(user=None, email="someone@example.com", total="1.00")

    register(client)
    user = User.objects.get(username="ada")
    assert user.email_verified is False
    before = client.get("/orders/").content.decode()
    assert f"Order {guest.number}" not in before  # unverified: shops, but no guest orders

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    response = client.get(link_in(message), follow=True)

    user.refresh_from_db()
    assert user.email_verified is True
    page = response.content.decode()
    assert "ada@example.com is confirmed." in page
    assert f"View order {guest.number}" in page
    assert f"View order {stranger.number}" not in page


def test_a_link_for_an_old_address_or_a_forged_one_verifies_nothing(client):
    user = UserFactory(username="ada", email="old@example.com")
    old_link = verification_token(user=user)
    User.objects.filter(pk=user.pk).update(email="new@example.com")

    client.get(f"/accounts/verify/{old_link}/")
    client.get("/accounts/verify/forged:token/")

    user.refresh_from_db()
    assert user.email_verified is False


def test_changing_the_email_needs_a_new_confirmation(client):
    user = UserFactory(username="ada", email="ada@example.com", email_verified=True)
    client.force_login(user)

    client.post(
        "/accounts/profile/",
        {"first_name": "", "last_name": "", "email": "ada@elsewhere.example"},
    )

    user.refresh_from_db()
    assert (user.email, user.email_verified) == ("ada@elsewhere.example", False)
    page = client.get("/accounts/profile/").content.decode()
    assert "Send the confirmation link again" in page
