"""Email verification: a new account confirms its address by a signed link; once it has,
the orders placed as a guest with that address join the account (orders.guest)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from bookshop.shop.accounts.models import User
from bookshop.shop.orders.guest import orders_attach_guest

logger = logging.getLogger(__name__)

SALT = "bookshop.shop.accounts.verify"
MAX_AGE = 7 * 24 * 3600  # a week: then the profile page sends a new link


def verification_token(*, user: User) -> str:
    # The address is in the token: a link sent before the email changed verifies nothing.
    return signing.dumps({"u": user.pk, "e": user.email}, salt=SALT, compress=False)


def verification_send(*, user: User) -> bool:
    """Email the account its verification link; False (logged) if the mail server failed:
    the account works meanwhile and the profile page can send the link again."""
    if not user.email or user.email_verified:
        return False
    url = settings.SHOP_PUBLIC_URL + reverse(
        "accounts:verify", args=[verification_token(user=user)]
    )
    try:
        send_mail(
            subject=f"{settings.SHOP_NAME}: confirm your email address",
            message=(
                f"Hello {user.get_username()},\n\nplease confirm that this is your email "
                f"address by opening this link (valid for a week):\n\n{url}\n\n"
                "Orders you placed as a guest with this address then appear in My orders.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
        )
    except Exception:  # any mail failure: the account must still work
        logger.exception("account.verify_send user=%s outcome=failed", user.pk)
        return False
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
