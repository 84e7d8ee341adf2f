"""Customer accounts: sign-up and profile changes."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction

from bookshop.common.ratelimit import rate_limit_hit
from bookshop.shop.accounts.emails import email_key
from bookshop.shop.accounts.forms import EMAIL_TAKEN, ProfileForm, RegistrationForm
from bookshop.shop.accounts.models import User
from bookshop.shop.accounts.verification import verification_request

RESET_FROM_ADDRESS = "address"
RESET_FOR_EMAIL = "email"


def user_register(*, form: RegistrationForm) -> User | None:
    """Create the account a valid registration form describes.

    The form checks that the email is free, but two sign-ups can race past that check;
    the database's case-insensitive unique constraint decides, and the loser gets the
    same field error instead of a 500. Returns None when that happened. The verification
    email is queued in the same transaction: no account, no email.
    """
    try:
        with transaction.atomic():
            user = form.save()
            verification_request(user=user)
            return user
    except IntegrityError:
        form.add_error("email", EMAIL_TAKEN)
        return None


def user_update_profile(*, form: ProfileForm) -> bool:
    """Save a valid profile form; False (with a field error) if the email was just taken."""
    try:
        with transaction.atomic():
            if "email" in form.changed_data:
                # A new address is not confirmed yet (accounts/verification.py).
                form.instance.email_verified = False
            form.save()
    except IntegrityError:
        form.add_error("email", EMAIL_TAKEN)
        return False
    return True


def password_reset_throttle(*, client: str, email: str) -> str:
    """Whether a password-reset mail may go: "" if so; RESET_FROM_ADDRESS when this client
    asked too often (say so: it tells nothing about any account); RESET_FOR_EMAIL when this
    address was asked for too often (send nothing and answer as if sent, so the limit says
    nothing about whether the address has an account, and nobody can flood a mailbox).

    Both count every request, whether or not the address belongs to anyone.
    """
    window = settings.PASSWORD_RESET_LIMIT_WINDOW
    if rate_limit_hit(
        scope="reset-address",
        key=client,
        limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
        window=window,
    ):
        return RESET_FROM_ADDRESS
    if rate_limit_hit(
        scope="reset-email",
        key=email_key(email),
        limit=settings.PASSWORD_RESET_LIMIT_PER_EMAIL,
        window=window,
    ):
        return RESET_FOR_EMAIL
    return ""
