"""Email verification: a new account confirms its address by a signed link; once it has,
the orders placed as a guest with that address join the account (orders.guest)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from bookshop.shop import dispatch
from bookshop.shop.accounts.models import User
from bookshop.shop.orders.guest import orders_attach_guest

logger = logging.getLogger(__name__)

SALT = "bookshop.shop.accounts.verify"
MAX_AGE = 7 * 24 * 3600  # a week: then the profile page sends a new link


def verification_token(*, user: User) -> str:
    # The address is in the token: a link sent before the email changed verifies nothing.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SALT, compress=False)


def verification_request(*, user: User) -> bool:
    """Queue the account's verification email for when the current transaction commits
    (at once outside one); False when there is nothing to confirm.

    The worker sends it (`verification_send`, task shop.mail.send_verification on the
    `email` queue), so a slow mail server never holds up a sign-up, an SMTP error is
    retried, and a sign-up that rolls back sends nothing.
    """
    if not user.email or user.email_verified:
        return False
    user_id = user.pk
    # robust: the account is committed by then; should the broker be down, the profile's
    # "Send the confirmation link again" queues it anew.
    transaction.on_commit(lambda: dispatch.verification_send_enqueue(user_id=user_id), robust=True)
    return True


def verification_message(*, user: User) -> EmailMessage:
    """The email that carries the account's verification link, for its current address."""
    url = settings.SHOP_PUBLIC_URL + reverse(
        "accounts:verify", args=[verification_token(user=user)]
    )
    return EmailMessage(
        subject=f"{settings.SHOP_NAME}: confirm your email address",
        body=(
            f"Hello {user.get_username()},\n\nplease confirm that this is your email "
            f"address by opening this link (valid for a week):\n\n{url}\n\n"
            "Orders you placed as a guest with this address then appear in My orders.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )


def verification_send(*, user_id: int) -> bool:
    """Send the verification email (the worker's part); False when there is nothing to
    send any more (no such account, no address, confirmed meanwhile). A mail server error
    propagates, for the task to retry. Sent twice (a retry after a lost answer), it is two
    links to the same address, both good: harmless, so no record is kept of sending."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email or user.email_verified:
        return False
    verification_message(user=user).send()
    logger.info("account.verify_send user=%s outcome=sent", user.pk)
    return True


def email_verify(*, token: str) -> User | None:
    """Mark the account's email verified and attach its guest orders, in one transaction;
    None for a bad, expired or outdated link. Opening the link twice is harmless."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=data.get("u")).first()
        if user is None or not user.email or user.email != data.get("e"):
            return None
        if not user.email_verified:
            user.email_verified = True
            user.save(update_fields=["email_verified"])
        orders_attach_guest(user=user)
    return user
