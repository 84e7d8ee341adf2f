"""Email verification, and the guest orders a verified account gets."""

import re
import smtplib

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.db import transaction

from bookshop.shop import dispatch
from bookshop.shop.accounts.forms import RegistrationForm
from bookshop.shop.accounts.models import User
from bookshop.shop.accounts.services import user_register
from bookshop.shop.accounts.tasks import send_verification
from bookshop.shop.accounts.verification import verification_send, verification_token
from tests.shop.accounts.test_views import register
from tests.shop.factories import OrderFactory, UserFactory

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"http://[^/\s]+(/accounts/verify/\S+/)", message.body).group(1)


def signed_up(client, django_capture_on_commit_callbacks, broker, **overrides) -> User:
    """Register through the page, its transaction committed; the verification email it
    queued is sent as the worker would send it."""
    with django_capture_on_commit_callbacks(execute=True):
        register(client, **overrides)
    user = User.objects.get(username=overrides.get("username", "ada"))
    assert broker.drain("email") == [(dispatch.VERIFICATION_SEND, [user.pk])]
    assert send_verification.apply(args=[user.pk]).get() is True
    return user


def test_a_new_account_gets_a_link_and_its_guest_orders_after_opening_it(
    client, django_capture_on_commit_callbacks, broker
):
    guest = OrderFactory(user=None, email="ada@example.com", total="1.00")
    stranger = OrderFactory(user=None, email="someone@example.com", total="1.00")

    user = signed_up(client, django_capture_on_commit_callbacks, broker)
    assert user.email_verified is False
    before = client.get("/orders/").content.decode()
    assert f"Order {guest.number}" not in before  # unverified: shops, but no guest orders

    [message] = mail.outbox
    assert message.to == ["ada@example.com"]
    assert message.subject == "Bookshop: confirm your email address"
    response = client.get(link_in(message), follow=True)

    user.refresh_from_db()
    assert user.email_verified is True
    page = response.content.decode()
    assert "ada@example.com is confirmed." in page
    assert f"View order {guest.number}" in page
    assert f"View order {stranger.number}" not in page


def test_sign_up_only_queues_the_email_and_only_once_it_commits(
    client, django_capture_on_commit_callbacks, broker
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = register(client)
        # Answered, and nothing sent or queued while the sign-up is uncommitted.
        assert response.status_code == 302
        assert mail.outbox == []
        assert broker.drain("email", wait=0.05) == []

    for callback in callbacks:
        callback()

    user = User.objects.get(username="ada")
    assert broker.drain("email") == [(dispatch.VERIFICATION_SEND, [user.pk])]
    assert mail.outbox == []  # the web process never talks to the mail server
    page = client.get("/", follow=True).content.decode()
    assert "We are sending a link to ada@example.com" in page


def test_a_sign_up_that_rolls_back_queues_no_email(django_capture_on_commit_callbacks, broker):
    form = RegistrationForm(
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "a-Long-password-1",
            "password2": "a-Long-password-1",
        }
    )
    assert form.is_valid(), form.errors

    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        assert user_register(form=form) is not None
        transaction.set_rollback(True)  # say, a later step of the same sign-up failed

    assert callbacks == []
    assert broker.drain("email", wait=0.05) == []
    assert not User.objects.filter(username="ada").exists()
    assert mail.outbox == []


def test_a_mail_server_error_is_retried(monkeypatch):
    user = UserFactory(username="ada", email="ada@example.com")
    attempts = []
    real_send = EmailMessage.send

    def flaky_send(message, *args, **kwargs):
        attempts.append(message.to)
        if len(attempts) == 1:
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)

    assert send_verification.apply(args=[user.pk]).get() is True

    assert attempts == [["ada@example.com"], ["ada@example.com"]]
    [message] = mail.outbox
    assert "/accounts/verify/" in message.body


def test_a_confirmed_or_missing_account_gets_no_email():
    confirmed = UserFactory(username="ada", email="ada@example.com", email_verified=True)

    assert verification_send(user_id=confirmed.pk) is False
    assert verification_send(user_id=confirmed.pk + 1000) is False
    assert mail.outbox == []


def test_send_again_queues_a_new_link_for_the_worker(
    client, django_capture_on_commit_callbacks, broker
):
    user = UserFactory(username="ada", email="ada@example.com")
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/verify/", follow=True)

    assert "We are sending a new link to ada@example.com." in response.content.decode()
    assert broker.drain("email") == [(dispatch.VERIFICATION_SEND, [user.pk])]
    assert mail.outbox == []
    send_verification.apply(args=[user.pk]).get()
    client.get(link_in(mail.outbox[0]))
    user.refresh_from_db()
    assert user.email_verified is True


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
